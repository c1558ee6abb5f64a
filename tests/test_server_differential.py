"""Bridge versus server: the same scenario through the in-process boto3 bridge and through boto3
with ``endpoint_url`` against ``slr-fsm serve``'s server gets the same answers, response for
response (ResponseMetadata aside: request ids and HTTP headers differ by nature)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from slr_fsm import AwsError, Simulation
from slr_fsm.boto import iam_client, organizations_client, sts_client
from slr_fsm.server import SimulationServer
from tests.conftest import MANAGEMENT, MEMBER, ROLE, SERVICE, STANDALONE
from tests.server_helpers import client, control

POLICY = "arn:aws:iam::aws:policy/aws-service-role/AWSMarketplacePurchaseOrdersServiceRolePolicy"


class BridgeWorld:
    """The scenario's moves on a simulation, through the bridge and the Python API."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim

    @functools.cache  # noqa: B019 - one world per scenario run
    def client(self, service: str, account: str, principal: str = "admin") -> Any:
        make = {"iam": iam_client, "sts": sts_client, "organizations": organizations_client}
        return make[service](self.sim, account, principal)

    def console(self, operation: str, account: str, *args: str) -> Any:
        try:
            answer = getattr(self.sim.marketplace(account), operation)(*args)
        except AwsError as refused:
            return refused.http_status, {"error": {"code": refused.code, "message": refused.message}}
        return 200, json.loads(json.dumps(answer))

    def clock(self, seconds: float | None) -> None:
        self.sim.settle() if seconds is None else self.sim.advance(seconds)

    def first_subscription(self, account: str) -> str:
        return str(self.sim.marketplace(account).subscriptions()[0]["SubscriptionId"])


class ServedWorld:
    """The same moves against a server: boto3 clients and the control API."""

    def __init__(self, server: SimulationServer) -> None:
        self.server = server

    @functools.cache  # noqa: B019 - one world per scenario run
    def client(self, service: str, account: str, principal: str = "admin") -> Any:
        return client(self.server, service, account, principal)

    def console(self, operation: str, account: str, *args: str) -> Any:
        fields = dict(zip(("subscription_id", "po_number"), args, strict=False))
        method = "GET" if operation in ("subscriptions", "billing_integration") else "POST"
        route = "/console/" + operation.replace("_", "-")
        if method == "GET":
            status, answer = control(self.server, method, route, query=f"account={account}")
        else:
            status, answer = control(self.server, method, route, {"account": account, **fields})
        return status, answer

    def clock(self, seconds: float | None) -> None:
        if seconds is None:
            control(self.server, "POST", "/clock/settle")
        else:
            control(self.server, "POST", "/clock/advance", {"seconds": seconds})

    def first_subscription(self, account: str) -> str:
        return control(self.server, "GET", "/console/subscriptions",
                       query=f"account={account}")[1][0]["SubscriptionId"]


def _answer(call: Callable[[], Any]) -> Any:
    """A response or a refusal, ResponseMetadata aside."""
    try:
        response = call()
    except ClientError as refused:
        response = refused.response
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def scenario(world: Any) -> list[tuple[str, Any]]:
    """The seed's story and every simulated operation around it; each answer, in order."""
    out: list[tuple[str, Any]] = []
    iam = world.client("iam", MANAGEMENT)
    readonly = world.client("iam", MANAGEMENT, "readonly")
    orgs = world.client("organizations", MANAGEMENT)

    def note(label: str, call: Callable[[], Any]) -> None:
        out.append((label, _answer(call)))

    def console(operation: str, account: str, *args: str) -> None:
        out.append((f"console {operation} {account}", world.console(operation, account, *args)))

    note("DescribeOrganization", orgs.describe_organization)
    note("ListAccounts", orgs.list_accounts)
    note("ListRoots", orgs.list_roots)
    note("DescribeAccount", lambda: orgs.describe_account(AccountId=MEMBER))
    note("DescribeAccount bad id", lambda: orgs.describe_account(AccountId="12"))
    note("ListAWSServiceAccess", orgs.list_aws_service_access_for_organization)
    note("DescribeOrganization standalone",
         world.client("organizations", STANDALONE).describe_organization)
    note("DescribeOrganization member", world.client("organizations", MEMBER).list_accounts)
    note("GetCallerIdentity", world.client("sts", MANAGEMENT, "readonly").get_caller_identity)
    note("GetRole absent", lambda: iam.get_role(RoleName=ROLE))
    note("ListRoles empty", lambda: iam.list_roles(PathPrefix="/aws-service-role/"))
    console("configure_billing_integration", MEMBER)
    console("configure_billing_integration", MANAGEMENT)
    note("GetRole creating", lambda: iam.get_role(RoleName=ROLE))
    note("Describe while creating", lambda: iam.update_role_description(RoleName=ROLE, Description="x"))
    world.clock(10)
    note("GetRole", lambda: iam.get_role(RoleName=ROLE))
    note("ListRoles", lambda: iam.list_roles(PathPrefix="/aws-service-role/"))
    note("ListAttachedRolePolicies", lambda: iam.list_attached_role_policies(RoleName=ROLE))
    note("ListRolePolicies", lambda: iam.list_role_policies(RoleName=ROLE))
    note("GetPolicy", lambda: iam.get_policy(PolicyArn=POLICY))
    note("GetPolicyVersion", lambda: iam.get_policy_version(PolicyArn=POLICY, VersionId="v1"))
    note("TagRole", lambda: iam.tag_role(RoleName=ROLE, Tags=[{"Key": "team", "Value": "po"},
                                                               {"Key": "env", "Value": ""}]))
    note("ListRoleTags", lambda: iam.list_role_tags(RoleName=ROLE))
    note("UntagRole", lambda: iam.untag_role(RoleName=ROLE, TagKeys=["env"]))
    note("UpdateRoleDescription", lambda: iam.update_role_description(
        RoleName=ROLE, Description="POs <for> the & organization\r\n"))
    note("UpdateRole", lambda: iam.update_role(RoleName=ROLE, Description="e"))
    note("UpdateRole protected", lambda: iam.update_role(RoleName=ROLE, MaxSessionDuration=7200))
    note("UpdateAssumeRolePolicy", lambda: iam.update_assume_role_policy(
        RoleName=ROLE, PolicyDocument='{"Version":"2012-10-17","Statement":[]}'))
    note("AttachRolePolicy", lambda: iam.attach_role_policy(RoleName=ROLE, PolicyArn=POLICY))
    note("DeleteRole", lambda: iam.delete_role(RoleName=ROLE))
    note("AttachUserPolicy", lambda: iam.attach_user_policy(UserName="admin", PolicyArn=POLICY))
    note("SimulatePrincipalPolicy", lambda: iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{MANAGEMENT}:user/readonly",
        ActionNames=["iam:GetRole", "iam:DeleteServiceLinkedRole"]))
    note("readonly edit", lambda: readonly.update_role_description(RoleName=ROLE, Description="r"))
    note("readonly read", lambda: readonly.get_role(RoleName=ROLE))
    arn = f"arn:aws:iam::{MANAGEMENT}:role/aws-service-role/{SERVICE}/{ROLE}"
    note("AssumeRole as the service", lambda: world.client("sts", MANAGEMENT, SERVICE).assume_role(
        RoleArn=arn, RoleSessionName="po"))
    note("AssumeRole as admin", lambda: world.client("sts", MANAGEMENT).assume_role(
        RoleArn=arn, RoleSessionName="me"))
    note("Create again", lambda: iam.create_service_linked_role(AWSServiceName=SERVICE))
    subscription = world.first_subscription(MEMBER)
    console("attach_purchase_order", MEMBER, subscription, "PO-42")
    console("attach_purchase_order", MEMBER, subscription, "PO-42")
    console("subscriptions", MEMBER)
    note("Delete blocked", lambda: iam.delete_service_linked_role(RoleName=ROLE))
    task = out[-1][1]["DeletionTaskId"]
    note("Status NOT_STARTED", lambda: iam.get_service_linked_role_deletion_status(DeletionTaskId=task))
    world.clock(None)
    note("Status FAILED", lambda: iam.get_service_linked_role_deletion_status(DeletionTaskId=task))
    note("Status bad id", lambda: iam.get_service_linked_role_deletion_status(DeletionTaskId="x"))
    console("detach_purchase_order", MEMBER, subscription, "PO-42")
    console("remove_billing_integration", MEMBER)
    console("remove_billing_integration", MANAGEMENT)
    console("billing_integration", MANAGEMENT)
    note("Delete", lambda: iam.delete_service_linked_role(RoleName=ROLE))
    task = out[-1][1]["DeletionTaskId"]
    world.clock(None)
    note("Status SUCCEEDED", lambda: iam.get_service_linked_role_deletion_status(DeletionTaskId=task))
    note("GetRole deleted", lambda: iam.get_role(RoleName=ROLE))
    console("configure_billing_integration", MANAGEMENT)
    world.clock(None)
    note("GetRole re-created", lambda: iam.get_role(RoleName=ROLE))
    note("Create directly", lambda: world.client("iam", STANDALONE).create_service_linked_role(
        AWSServiceName=SERVICE, Description="by hand"))
    return out


def test_bridge_and_server_answer_the_scenario_alike(server: SimulationServer) -> None:
    """Every answer (and refusal) of the scenario is the same through the bridge and the server
    (shapes, types, trust policies, RoleUsageList, error codes, messages and modelled fields),
    and both worlds end in the same state with the same log, event for event."""
    control(server, "POST", "/reset")
    sim = Simulation.default(seed=0)
    bridged = scenario(BridgeWorld(sim))
    served = scenario(ServedWorld(server))
    assert [label for label, _ in served] == [label for label, _ in bridged]
    for (label, ours), (_, theirs) in zip(served, bridged, strict=True):
        assert ours == theirs, label
    answers = dict(bridged)
    assert answers["Status FAILED"]["Status"] == "FAILED"
    assert answers["Status FAILED"]["Reason"]["RoleUsageList"][0]["Region"] == "us-east-1"
    assert answers["GetRole absent"]["Error"]["Code"] == "NoSuchEntity"
    assert answers["DescribeAccount bad id"]["Reason"] == "INVALID_PATTERN"
    assert server.sim.snapshot() == sim.snapshot()
    assert [e.to_json_value() for e in server.sim.trace] == [e.to_json_value() for e in sim.trace]


@pytest.fixture(scope="module")
def server() -> Any:
    with SimulationServer(Simulation.default(seed=0)) as running:
        yield running
