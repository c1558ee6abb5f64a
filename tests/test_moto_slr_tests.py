"""moto's own service-linked-role tests, re-expressed and run against slr_fsm's boto3 bridge.

The tests are those of getmoto/moto's ``tests/test_iam/test_iam.py`` (HEAD 0af643a5):
``test_create_service_linked_role`` (AutoScaling, ElasticBeanstalk, Application Auto Scaling's
custom-resource role, and an unknown service ``other``), ``test_create_service_linked_role__with_suffix``
and ``test_delete_service_linked_role``. Each runs here as moto runs it: a ``boto3.client("iam",
region_name="eu-central-1")`` built by the code itself (inside ``simulated_boto3``), in moto's
default account ``123456789012``.

Where moto asserts what AWS does, the same assertion passes here. Where it asserts moto's own
behaviour, the test below asserts AWS's as slr_fsm models it, and its docstring says what moto
asserts instead and why AWS differs. docs/fidelity.md ("moto's service-linked-role tests against
slr_fsm") lists every one, with sources.

Amazon EC2 Auto Scaling's and Elastic Beanstalk's roles are catalogued
(``slr_fsm.marketplace_roles.OTHER_SERVICES``). Application Auto Scaling's custom-resource role
is not: it is registered here the documented way, a spec from
``slr_fsm.specs.service_linked_role(...)`` given to the simulation, with AWS's facts:
the role name and principal from the Application Auto Scaling User Guide ("Custom resources and
Application Auto Scaling"), the policy from the AWS Managed Policy Reference page
``AWSApplicationAutoScalingCustomResourcePolicy`` (v1, created June 04, 2018, type
"Service-linked role policy").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from slr_fsm import Simulation
from slr_fsm.boto import simulated_boto3
from slr_fsm.clock import Latencies
from slr_fsm.marketplace_roles import AUTO_SCALING, ELASTIC_BEANSTALK, OTHER_SERVICES
from slr_fsm.specs import RoleSpec, service_linked_role

MOTO_ACCOUNT = "123456789012"  # moto's DEFAULT_ACCOUNT_ID
SUFFIXED = "AWSServiceRoleForAutoScaling_suf"

CUSTOM_RESOURCE_SCALING = service_linked_role(
    "custom-resource.application-autoscaling.amazonaws.com",
    "AWSServiceRoleForApplicationAutoScaling_CustomResource",
    managed_policy_name="AWSApplicationAutoScalingCustomResourcePolicy",
    policy_document={
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "execute-api:Invoke",
                    "cloudwatch:PutMetricAlarm",
                    "cloudwatch:DescribeAlarms",
                    "cloudwatch:DeleteAlarms",
                ],
                "Resource": ["*"],
            }
        ],
    },
    managed_policy_version="v1",
    managed_policy_updated="2018-06-04",
    purpose=(
        "Lets Application Auto Scaling call Amazon API Gateway and CloudWatch to scale your "
        "custom resources."
    ),
    creation=(
        "automatic: registering a custom resource as a scalable target with Application Auto "
        "Scaling; or IAM"
    ),
)
"""Application Auto Scaling's role for custom resources, registered as a user would."""


def moto_like_world(latencies: Latencies | None = None) -> Simulation:
    """A world with the three services' roles and moto's default account as management."""
    return Simulation.default(
        specs=(*OTHER_SERVICES, CUSTOM_RESOURCE_SCALING),
        latencies=latencies,
        account_ids={"management": MOTO_ACCOUNT, "standalone": "210987654321"},
    )


@pytest.fixture
def world() -> Simulation:
    return moto_like_world()


@pytest.fixture
def client(world: Simulation) -> Iterator[Any]:
    """The client moto's tests build, built the same way, answered by ``world``."""
    with simulated_boto3(world):
        yield boto3.client("iam", region_name="eu-central-1")


def same_trust(document: dict[str, Any]) -> dict[str, Any]:
    """A trust policy with each one-element list written as its single value: IAM treats
    ``"sts:AssumeRole"`` and ``["sts:AssumeRole"]`` alike, so the two shapes mean the same."""

    def single(value: Any) -> Any:
        if isinstance(value, list) and len(value) == 1:
            return value[0]
        if isinstance(value, dict):
            return {key: single(item) for key, item in value.items()}
        return value

    return {**document, "Statement": [single(s) for s in document["Statement"]]}


def only_trusts(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


# ----------------------------------------------------------------- test_create_service_linked_role


@pytest.mark.parametrize(
    ("spec", "cased"),
    [
        (AUTO_SCALING, "AutoScaling"),
        (ELASTIC_BEANSTALK, "ElasticBeanstalk"),
        (CUSTOM_RESOURCE_SCALING, "ApplicationAutoScaling_CustomResource"),
    ],
    ids=["autoscaling", "elasticbeanstalk", "custom-resource.application-autoscaling"],
)
def test_each_service_gets_its_documented_role_name_path_and_policy(
    client: Any, spec: RoleSpec, cased: str
) -> None:
    """moto's parametrized test, for the three services that have a service-linked role: the
    name it asserts is AWS's. AWS also gives the role its service's path, the description asked
    for, and the service's managed policy (moto attaches none)."""
    role = client.create_service_linked_role(
        AWSServiceName=spec.service_principal, Description="desc"
    )["Role"]
    assert role["RoleName"] == f"AWSServiceRoleFor{cased}"
    assert role["Path"] == f"/aws-service-role/{spec.service_principal}/"
    assert role["Arn"] == spec.role_arn(MOTO_ACCOUNT)
    assert role["Description"] == "desc"
    attached = client.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
    assert attached == [
        {"PolicyName": spec.managed_policy_name, "PolicyArn": spec.managed_policy_arn}
    ]


def test_the_registered_custom_resource_role_serves_its_documented_policy(client: Any) -> None:
    """The user-registered Application Auto Scaling spec answers GetPolicy and GetPolicyVersion
    with the AWS Managed Policy Reference's facts (not part of moto's test; it checks that the
    registration carried them)."""
    arn = "arn:aws:iam::aws:policy/aws-service-role/AWSApplicationAutoScalingCustomResourcePolicy"
    client.create_service_linked_role(AWSServiceName=CUSTOM_RESOURCE_SCALING.service_principal)
    policy = client.get_policy(PolicyArn=arn)["Policy"]
    assert (policy["DefaultVersionId"], policy["IsAttachable"], policy["AttachmentCount"]) == (
        "v1",
        True,
        1,
    )
    assert policy["CreateDate"].date().isoformat() == "2018-06-04"
    version = client.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"]["Statement"][0]["Action"] == [
        "execute-api:Invoke",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DeleteAlarms",
    ]


def test_a_service_without_a_service_linked_role_is_refused_and_nothing_is_created(
    world: Simulation, client: Any
) -> None:
    """moto's ``other`` case asserts that ``other.amazonaws.com`` gets a role named
    ``AWSServiceRoleForother``: moto builds a name for any service. AWS creates only the roles
    its services define: the IAM API reference says AWSServiceName is the service principal of
    a service whose row in "AWS services that work with IAM" says Yes under Service-Linked
    Role, and no service has that principal. AWS does not publish the refusal's wording;
    slr_fsm answers InvalidInput "Invalid service name ..." (README, modelling decision 12) and
    changes nothing."""
    before = world.snapshot()
    with pytest.raises(client.exceptions.InvalidInputException) as refused:
        client.create_service_linked_role(AWSServiceName="other.amazonaws.com", Description="desc")
    error = refused.value.response
    assert error["Error"]["Message"].startswith("Invalid service name other.amazonaws.com")
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert world.snapshot() == before
    assert client.list_roles(PathPrefix="/aws-service-role/")["Roles"] == []


# ----------------------------------------------------- test_create_service_linked_role__with_suffix


def test_a_custom_suffix_names_the_role_and_keeps_the_description(client: Any) -> None:
    """moto asserts the name ends with ``_suf`` and the description is kept; AWS's EC2 Auto
    Scaling guide gives the whole name (``--custom-suffix suffix`` makes
    ``AWSServiceRoleForAutoScaling_suffix``), so the exact name is asserted. The trust policy
    lets only Auto Scaling assume the role, whichever shape it is printed in (moto's shape is
    the next test's subject); GetRole prints it with plain strings, as real accounts'
    GetRole and ListRoles answers show for service-linked roles (moto: lists)."""
    role = client.create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="suf", Description="desc"
    )["Role"]
    assert role["RoleName"] == SUFFIXED
    assert role["Description"] == "desc"
    assert role["Arn"] == AUTO_SCALING.with_custom_suffix("suf").role_arn(MOTO_ACCOUNT)
    assert same_trust(role["AssumeRolePolicyDocument"]) == only_trusts("autoscaling.amazonaws.com")
    described = client.get_role(RoleName=SUFFIXED)["Role"]
    assert described["AssumeRolePolicyDocument"] == only_trusts("autoscaling.amazonaws.com")
    assert described["Description"] == "desc"


def test_the_create_answer_prints_the_trust_policy_in_lists_as_aws_guides_show(
    client: Any,
) -> None:
    """moto's assertion on the trust policy, which AWS's documentation agrees with for this
    answer: the Amazon EC2 Auto Scaling User Guide ("Create a service-linked role (AWS CLI)")
    prints ``"Action": ["sts:AssumeRole"]`` and ``"Principal": {"Service":
    ["autoscaling.amazonaws.com"]}`` for ``create-service-linked-role --custom-suffix``."""
    role = client.create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="suf", Description="desc"
    )["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": ["sts:AssumeRole"],
            "Effect": "Allow",
            "Principal": {"Service": ["autoscaling.amazonaws.com"]},
        }
    ]


# ----------------------------------------------------------------- test_delete_service_linked_role


def test_deleting_the_suffixed_role_is_a_task_that_ends_then_the_role_cannot_be_found(
    world: Simulation, client: Any
) -> None:
    """moto asserts the task is SUCCEEDED as soon as DeleteServiceLinkedRole returns, and that
    GetRole's message then contains "not found". AWS's DeleteServiceLinkedRole "submits a
    service-linked role deletion request and returns a DeletionTaskId, which you can use to
    check the status" (IAM API reference): the task is NOT_STARTED, then IN_PROGRESS, then
    SUCCEEDED or FAILED, and the role exists until it ends. AWS's GetRole then says "The role
    with name ... cannot be found." (as AWS CLI users record it), which does not contain "not
    found"."""
    role = client.create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="suf", Description="desc"
    )["Role"]
    world.settle()  # the service finishes creating it
    assert client.get_role(RoleName=SUFFIXED)["Role"]["RoleId"] == role["RoleId"]

    task = client.delete_service_linked_role(RoleName=SUFFIXED)["DeletionTaskId"]
    assert task.startswith(f"task/aws-service-role/autoscaling.amazonaws.com/{SUFFIXED}/")
    statuses = [client.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"]]
    assert client.get_role(RoleName=SUFFIXED)["Role"]["RoleName"] == SUFFIXED  # not yet gone
    world.advance(world.latencies.deletion_start)
    statuses.append(client.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"])
    world.advance(world.latencies.deletion_run)
    final = client.get_service_linked_role_deletion_status(DeletionTaskId=task)
    statuses.append(final["Status"])
    assert statuses == ["NOT_STARTED", "IN_PROGRESS", "SUCCEEDED"]
    assert "Reason" not in final

    with pytest.raises(client.exceptions.NoSuchEntityException) as gone:
        client.get_role(RoleName=SUFFIXED)
    error = gone.value.response["Error"]
    assert error["Code"] == "NoSuchEntity"
    assert error["Message"] == f"The role with name {SUFFIXED} cannot be found."


def test_with_zero_latencies_moto_s_deletion_sequence_holds_as_written() -> None:
    """moto's test, step for step, against a world where AWS's background work takes no time
    (``Latencies(0, 0, 0)``): the task has ended when DeleteServiceLinkedRole returns, so the
    status moto expects at once is the status AWS reaches once the task has run."""
    with simulated_boto3(moto_like_world(Latencies(0, 0, 0))):
        client = boto3.client("iam", region_name="eu-central-1")
        role_name = client.create_service_linked_role(
            AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="suf", Description="desc"
        )["Role"]["RoleName"]
        client.get_role(RoleName=role_name)
        answer = client.delete_service_linked_role(RoleName=role_name)
        answer = client.get_service_linked_role_deletion_status(
            DeletionTaskId=answer["DeletionTaskId"]
        )
        assert answer["Status"] == "SUCCEEDED"
        with pytest.raises(client.exceptions.NoSuchEntityException):
            client.get_role(RoleName=role_name)
