"""The IAM route: exact AWS shapes of every response and every error."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from slr_fsm import (
    AccessDenied,
    InvalidClientTokenId,
    InvalidInput,
    Latencies,
    NoSuchEntity,
    RoleState,
    Simulation,
    UnmodifiableEntity,
    ValidationError,
)
from tests.conftest import MANAGEMENT, MEMBER, ROLE, SERVICE

ARN = f"arn:aws:iam::{MANAGEMENT}:role/aws-service-role/{SERVICE}/{ROLE}"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}
    ],
}
TASK_ID = re.compile(
    rf"task/aws-service-role/{re.escape(SERVICE)}/{ROLE}/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
)


def test_create_returns_the_role_exactly_as_aws_shapes_it(sim):
    """CreateServiceLinkedRole returns Path, RoleName, RoleId, Arn, CreateDate, the trust
    policy (in one-item lists, as AWS's CLI reference prints this answer; GetRole has plain
    strings), Description and MaxSessionDuration."""
    role = sim.iam(MANAGEMENT).create_service_linked_role(
        AWSServiceName=SERVICE, Description="POs"
    )["Role"]
    assert role == {
        "Path": f"/aws-service-role/{SERVICE}/",
        "RoleName": ROLE,
        "RoleId": role["RoleId"],
        "Arn": ARN,
        "CreateDate": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": [SERVICE]}}
            ],
        },
        "Description": "POs",
        "MaxSessionDuration": 3600,
    }
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", role["RoleId"])


def test_trust_policy_serializes_like_getrole(sim):
    """The trust policy is exactly domain.md's JSON text, with strings where AWS has strings."""
    sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)
    doc = sim.iam(MANAGEMENT).get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
    assert json.dumps(doc, separators=(",", ":")) == (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
        '{"Service":"purchase-orders.marketplace.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    )


def test_get_role_adds_role_last_used_and_omits_an_empty_description(active_sim):
    """GetRole has RoleLastUsed; a role created without a description has no Description key."""
    role = active_sim.iam(MANAGEMENT).get_role(RoleName=ROLE)["Role"]
    assert role["RoleLastUsed"] == {}
    assert "Description" not in role
    assert role["Arn"] == ARN


def test_role_names_are_case_insensitive(active_sim):
    """GetRole finds the role whatever the case of the name given."""
    assert active_sim.iam(MANAGEMENT).get_role(RoleName=ROLE.lower())["Role"]["RoleName"] == ROLE


def test_duplicate_create_is_invalid_input_with_aws_wording(active_sim):
    """A second create is InvalidInput (400), not EntityAlreadyExists, in AWS's words."""
    with pytest.raises(InvalidInput) as refused:
        active_sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)
    assert refused.value.http_status == 400
    assert refused.value.message == (
        f"Service role name {ROLE} has been taken in this account, please try a different suffix."
    )


def test_duplicate_create_while_creating_is_also_taken(sim):
    """The name is taken from the moment the create is accepted."""
    sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)
    with pytest.raises(InvalidInput, match="has been taken"):
        sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)


def test_custom_suffix_is_refused(sim):
    """CustomSuffix is InvalidInput for this service, and nothing is created."""
    with pytest.raises(InvalidInput, match=f"^InvalidInput: Custom suffix is not allowed for {SERVICE}$"):
        sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE, CustomSuffix="x")
    assert sim.role(MANAGEMENT).state is RoleState.ABSENT


def test_unknown_service_name_is_invalid_input(sim):
    """A service with no service-linked role is InvalidInput."""
    with pytest.raises(InvalidInput, match=r"example\.amazonaws\.com"):
        sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName="example.amazonaws.com")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Value null at 'aWSServiceName' failed to satisfy constraint: Member must not be null"),
        ({"AWSServiceName": "x" * 129},
         "Member must have length less than or equal to 128"),
        ({"AWSServiceName": "bad name!"},
         r"Member must satisfy regular expression pattern: [\w+=,.@-]+"),
        ({"AWSServiceName": SERVICE, "Description": "x" * 1001},
         "Member must have length less than or equal to 1000"),
        ({"AWSServiceName": SERVICE, "CustomSuffix": ""},
         "Member must have length greater than or equal to 1"),
        ({"AWSServiceName": 7}, "Invalid type for parameter AWSServiceName, value: 7"),
        ({"AWSServiceName": SERVICE, "Tags": []}, 'Unknown parameter in input: "Tags"'),
    ],
)
def test_bad_parameters_are_validation_errors_that_change_nothing(sim, params, message):
    """Missing, too long, off-pattern, mistyped and unknown parameters are ValidationError."""
    before = sim.snapshot()
    with pytest.raises(ValidationError) as refused:
        sim.iam(MANAGEMENT).create_service_linked_role(**params)
    assert message in refused.value.message
    assert refused.value.http_status == 400
    assert sim.snapshot() == before


def test_a_role_being_created_is_already_an_iam_role(sim):
    """While creating, IAM holds the role: its description may be edited and its deletion
    requested (AWS lists no ConcurrentModification for these operations); a deletion that ends
    first makes the creation moot, and the role never becomes active."""
    sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)
    iam = sim.iam(MANAGEMENT)
    assert iam.update_role_description(RoleName=ROLE, Description="early")["Role"][
        "Description"
    ] == "early"
    assert sim.role(MANAGEMENT).state is RoleState.CREATING
    task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    sim.settle()
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    assert sim.role(MANAGEMENT).state is RoleState.DELETED


def test_a_creation_finishes_only_the_role_it_created():
    """Deleted and re-created before the first creation's time, the role becomes active when
    its own creation finishes, not the first one's."""
    sim = Simulation.default(latencies=Latencies(deletion_start=0, deletion_run=0))
    iam = sim.iam(MANAGEMENT)
    iam.create_service_linked_role(AWSServiceName=SERVICE)
    sim.advance(1)
    iam.delete_service_linked_role(RoleName=ROLE)
    sim.advance(1)
    iam.create_service_linked_role(AWSServiceName=SERVICE)
    sim.advance(8.5)  # the first creation's time
    assert sim.role(MANAGEMENT).state is RoleState.CREATING
    sim.advance(2)
    assert sim.role(MANAGEMENT).state is RoleState.ACTIVE


def test_zero_creation_latency_makes_the_role_active_at_once():
    """With Latencies(creation=0) the role is active when the create call returns."""
    sim = Simulation.default(latencies=Latencies(creation=0))
    sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)
    assert sim.role(MANAGEMENT).state is RoleState.ACTIVE


def test_update_role_description_returns_the_role(active_sim):
    """UpdateRoleDescription returns the whole role with the new description."""
    response = active_sim.iam(MANAGEMENT).update_role_description(RoleName=ROLE, Description="d")
    assert response["Role"]["Description"] == "d"
    assert set(response) == {"Role"}


def test_update_role_changes_only_the_description_and_returns_empty(active_sim):
    """UpdateRole with a Description returns {}; with MaxSessionDuration it is protected."""
    iam = active_sim.iam(MANAGEMENT)
    assert iam.update_role(RoleName=ROLE, Description="via UpdateRole") == {}
    assert active_sim.role(MANAGEMENT).description == "via UpdateRole"
    with pytest.raises(UnmodifiableEntity):
        iam.update_role(RoleName=ROLE, MaxSessionDuration=7200)
    assert iam.get_role(RoleName=ROLE)["Role"]["MaxSessionDuration"] == 3600


PROTECTED = [
    ("update_assume_role_policy", {"PolicyDocument": json.dumps(TRUST)}),
    ("attach_role_policy", {"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    ("detach_role_policy",
     {"PolicyArn": "arn:aws:iam::aws:policy/aws-service-role/AWSMarketplacePurchaseOrdersServiceRolePolicy"}),
    ("put_role_policy", {"PolicyName": "extra", "PolicyDocument": json.dumps(TRUST)}),
    ("delete_role_policy", {"PolicyName": "extra"}),
    ("delete_role", {}),
    ("put_role_permissions_boundary", {"PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    ("delete_role_permissions_boundary", {}),
]


@pytest.mark.parametrize(("method", "params"), PROTECTED)
def test_protected_operations_are_unmodifiable_and_change_nothing(active_sim, method, params):
    """Every change but the description is UnmodifiableEntity in AWS's words; nothing changes."""
    before = active_sim.snapshot()
    with pytest.raises(UnmodifiableEntity) as refused:
        getattr(active_sim.iam(MANAGEMENT), method)(RoleName=ROLE, **params)
    assert refused.value.message == (
        f"Cannot perform the operation on the protected role '{ROLE}' - "
        "this role is only modifiable by AWS"
    )
    assert refused.value.http_status == 400
    assert active_sim.snapshot() == before


@pytest.mark.parametrize(("method", "params"), PROTECTED)
def test_protected_operations_on_a_missing_role_are_no_such_entity(sim, method, params):
    """Before the role exists, protected operations answer NoSuchEntity."""
    with pytest.raises(NoSuchEntity, match=f"^NoSuchEntity: The role with name {ROLE} cannot be found.$"):
        getattr(sim.iam(MANAGEMENT), method)(RoleName=ROLE, **params)


def test_list_roles_and_attached_policies(active_sim):
    """ListRoles shows the role under /aws-service-role/; its only policy is the service's."""
    iam = active_sim.iam(MANAGEMENT)
    listed = iam.list_roles(PathPrefix="/aws-service-role/")
    assert [r["RoleName"] for r in listed["Roles"]] == [ROLE]
    assert listed["IsTruncated"] is False
    assert iam.list_roles(PathPrefix="/other/")["Roles"] == []
    assert iam.list_attached_role_policies(RoleName=ROLE) == {
        "AttachedPolicies": [
            {
                "PolicyName": "AWSMarketplacePurchaseOrdersServiceRolePolicy",
                "PolicyArn": "arn:aws:iam::aws:policy/aws-service-role/"
                "AWSMarketplacePurchaseOrdersServiceRolePolicy",
            }
        ],
        "IsTruncated": False,
    }


def test_list_roles_is_judged_on_the_roles_under_its_path_prefix(active_sim):
    """AWS judges ListRoles on ``arn:aws:iam::<account>:role<PathPrefix>`` (its denials name
    that resource): a policy scoped to the service-linked roles' path lists them with that
    prefix and is refused the whole account's roles, naming ``role/``."""
    active_sim.add_principal(MANAGEMENT, "lister", [
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:ListRoles",
             "Resource": f"arn:aws:iam::{MANAGEMENT}:role/aws-service-role/*"},
        ]},
    ])
    iam = active_sim.iam(MANAGEMENT, "lister")
    listed = iam.list_roles(PathPrefix="/aws-service-role/")
    assert [r["RoleName"] for r in listed["Roles"]] == [ROLE]
    with pytest.raises(AccessDenied, match=(
        f"^AccessDenied: User: arn:aws:iam::{MANAGEMENT}:user/lister is not authorized to "
        f"perform: iam:ListRoles on resource: arn:aws:iam::{MANAGEMENT}:role/ because no "
        "identity-based policy allows the iam:ListRoles action$"
    )):
        iam.list_roles()


def test_list_roles_is_empty_before_creation_and_after_deletion(sim):
    """No role is listed while absent."""
    assert sim.iam(MANAGEMENT).list_roles() == {"Roles": [], "IsTruncated": False}


def test_deletion_task_id_has_aws_format_and_repeats_while_unfinished(active_sim):
    """DeleteServiceLinkedRole gives task/aws-service-role/<service>/<role>/<uuid>; asking again
    while the task is unfinished gives the same id."""
    active_sim.marketplace(MANAGEMENT).remove_billing_integration()
    iam = active_sim.iam(MANAGEMENT)
    first = iam.delete_service_linked_role(RoleName=ROLE)
    assert set(first) == {"DeletionTaskId"}
    assert TASK_ID.fullmatch(first["DeletionTaskId"])
    active_sim.advance(3)
    assert iam.delete_service_linked_role(RoleName=ROLE) == first


def test_deletion_status_moves_not_started_in_progress_succeeded(active_sim):
    """A clean role's task is NOT_STARTED, then IN_PROGRESS, then SUCCEEDED as the clock runs."""
    active_sim.marketplace(MANAGEMENT).remove_billing_integration()
    iam = active_sim.iam(MANAGEMENT)
    task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    seen = [iam.get_service_linked_role_deletion_status(DeletionTaskId=task)]
    active_sim.advance(2)
    seen.append(iam.get_service_linked_role_deletion_status(DeletionTaskId=task))
    active_sim.advance(8)
    seen.append(iam.get_service_linked_role_deletion_status(DeletionTaskId=task))
    assert seen == [{"Status": "NOT_STARTED"}, {"Status": "IN_PROGRESS"}, {"Status": "SUCCEEDED"}]
    assert active_sim.role(MANAGEMENT).state is RoleState.DELETED
    with pytest.raises(NoSuchEntity):
        iam.get_role(RoleName=ROLE)


def test_failed_deletion_reports_role_usage_per_region(active_sim):
    """With purchase orders attached and the integration on, the task FAILS with a Reason and a
    RoleUsageList per Region; the role is kept, deleting_blocked."""
    sub_east, sub_west = active_sim.subscriptions_of(MEMBER)
    console = active_sim.marketplace(MEMBER)
    console.attach_purchase_order(sub_east.subscription_id, "PO-1")
    console.attach_purchase_order(sub_west.subscription_id, "PO-2")
    iam = active_sim.iam(MANAGEMENT)
    task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    active_sim.settle()
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert status == {
        "Status": "FAILED",
        "Reason": {
            "Reason": status["Reason"]["Reason"],
            "RoleUsageList": [
                {"Region": "eu-west-1", "Resources": [sub_west.arn]},
                {"Region": "us-east-1", "Resources": sorted([
                    f"arn:aws:aws-marketplace:us-east-1:{MANAGEMENT}:billing-integration/purchase-orders",
                    sub_east.arn,
                ])},
            ],
        },
    }
    assert 0 < len(status["Reason"]["Reason"]) <= 1000
    assert active_sim.role(MANAGEMENT).state is RoleState.DELETING_BLOCKED
    assert iam.get_role(RoleName=ROLE)["Role"]["Arn"] == ARN


def test_unknown_and_malformed_task_ids(active_sim):
    """An unknown well-formed task id is NoSuchEntity; a malformed one is InvalidInput."""
    iam = active_sim.iam(MANAGEMENT)
    unknown = f"task/aws-service-role/{SERVICE}/{ROLE}/00000000-0000-4000-8000-000000000000"
    with pytest.raises(NoSuchEntity, match="does not exist"):
        iam.get_service_linked_role_deletion_status(DeletionTaskId=unknown)
    with pytest.raises(InvalidInput, match="Invalid deletion task id"):
        iam.get_service_linked_role_deletion_status(DeletionTaskId="not-a-task")


def test_another_accounts_task_is_not_visible(active_sim):
    """A task id is known only in the account that submitted it."""
    active_sim.marketplace(MANAGEMENT).remove_billing_integration()
    task = active_sim.iam(MANAGEMENT).delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    with pytest.raises(NoSuchEntity):
        active_sim.iam(MEMBER).get_service_linked_role_deletion_status(DeletionTaskId=task)


def test_task_retention_purges_finished_tasks():
    """With Latencies(task_retention=60), a finished task is NoSuchEntity a minute later."""
    sim = Simulation.default(latencies=Latencies(task_retention=60))
    iam = sim.iam(MANAGEMENT)
    iam.create_service_linked_role(AWSServiceName=SERVICE)
    sim.settle()
    task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    sim.advance(10)
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    sim.advance(60)
    with pytest.raises(NoSuchEntity):
        iam.get_service_linked_role_deletion_status(DeletionTaskId=task)


def test_access_denied_names_caller_action_and_resource(active_sim):
    """A read-only principal's change is AccessDenied (403) in AWS's wording, before anything
    else is judged."""
    with pytest.raises(AccessDenied) as refused:
        active_sim.iam(MANAGEMENT, "readonly").delete_service_linked_role(RoleName=ROLE)
    assert refused.value.http_status == 403
    assert refused.value.message == (
        f"User: arn:aws:iam::{MANAGEMENT}:user/readonly is not authorized to perform: "
        f"iam:DeleteServiceLinkedRole on resource: {ARN} because no identity-based policy "
        "allows the iam:DeleteServiceLinkedRole action"
    )
    assert refused.value.guard == "caller_allowed"


def test_access_is_judged_before_existence(sim):
    """Without permission, even a missing role answers AccessDenied, as AWS does."""
    with pytest.raises(AccessDenied):
        sim.iam(MANAGEMENT, "readonly").delete_service_linked_role(RoleName="NoSuchRole")
    with pytest.raises(NoSuchEntity):
        sim.iam(MANAGEMENT).delete_service_linked_role(RoleName="NoSuchRole")


def test_explicit_deny_beats_the_administrators_allow(active_sim):
    """A principal with Allow * and an explicit Deny on deletion is refused with the deny reason."""
    active_sim.add_principal(MANAGEMENT, "careful", [
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:DeleteServiceLinkedRole", "Resource": "*"},
        ]},
    ])
    with pytest.raises(AccessDenied, match="with an explicit deny in an identity-based policy"):
        active_sim.iam(MANAGEMENT, "careful").delete_service_linked_role(RoleName=ROLE)


def test_user_guide_template_lets_a_principal_manage_the_role(sim):
    """domain.md's IAM User Guide template is enough to create, describe and delete the role."""
    template = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
         "Resource": f"arn:aws:iam::*:role/aws-service-role/{SERVICE}/{ROLE}*",
         "Condition": {"StringLike": {"iam:AWSServiceName": SERVICE}}},
        {"Effect": "Allow", "Action": "iam:UpdateRoleDescription",
         "Resource": "arn:aws:iam::*:role/aws-service-role/*"},
        {"Effect": "Allow",
         "Action": ["iam:DeleteServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus"],
         "Resource": f"arn:aws:iam::*:role/aws-service-role/{SERVICE}/{ROLE}*"},
    ]}
    sim.add_principal(MANAGEMENT, "operator", [template])
    iam = sim.iam(MANAGEMENT, "operator")
    iam.create_service_linked_role(AWSServiceName=SERVICE)
    sim.settle()
    iam.update_role_description(RoleName=ROLE, Description="ok")
    task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    sim.settle()
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    with pytest.raises(AccessDenied):
        iam.get_role(RoleName=ROLE)


def test_unknown_callers_are_invalid_client_token_id(sim):
    """An account or principal not in the world is InvalidClientTokenId (403)."""
    with pytest.raises(InvalidClientTokenId) as refused:
        sim.iam("999999999999")
    assert refused.value.http_status == 403
    with pytest.raises(InvalidClientTokenId, match="no principal 'ghost'"):
        sim.iam(MANAGEMENT, "ghost")


def test_member_account_can_create_its_own_role_through_iam(sim):
    """IAM knows nothing of the Marketplace rule: a member's create succeeds in its account."""
    role = sim.iam(MEMBER).create_service_linked_role(AWSServiceName=SERVICE)["Role"]
    assert role["Arn"] == ARN.replace(MANAGEMENT, MEMBER)


def test_service_names_are_exact(sim):
    """AWS service principals are lower-case; an upper-cased one is an unknown service."""
    with pytest.raises(InvalidInput):
        sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE.upper())


def test_names_follow_aws_ascii_patterns_and_none_is_a_type_error(sim):
    """A non-ASCII role name breaks IAM's pattern; None is a mistyped parameter, as in botocore."""
    with pytest.raises(ValidationError, match="regular expression pattern"):
        sim.iam(MANAGEMENT).get_role(RoleName="Rôle")
    with pytest.raises(ValidationError, match="Invalid type for parameter RoleName, value: None"):
        sim.iam(MANAGEMENT).get_role(RoleName=None)
