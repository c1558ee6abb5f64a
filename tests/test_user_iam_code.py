"""A user's IAM code that touches service-linked roles runs unchanged against the bridge.

``tests/user_code/slr_admin.py`` is plain boto3, written as a team would write it for
production (create and tolerate "has been taken", describe, tag, list by path prefix with a
paginator, read the managed policy through boto3's resource API and its client API, simulate
permissions, delete and poll the deletion task). Here it runs, untouched, against slr_fsm's
boto3 bridge, and every answer it gets has AWS's exact shape for AWS Marketplace's
``AWSServiceRoleForMarketplacePurchaseOrders``, including the blocked deletion (FAILED with a
``RoleUsageList`` while purchase orders exist) and re-creation (a new RoleId, the same ARN).

The simulations here have zero latencies (``Latencies(0, 0, 0)``): creations and deletion tasks
finish inside the call that starts them, so the module's poller sees a final status on its
first check and never sleeps, without the test moving the clock. Virtual time for pollers that
do sleep (``time.sleep`` moving the simulation's clock: ``slr_fsm.virtual_time``, which
``simulated_boto3`` enters by default) is its own feature, tested in tests/test_virtual_time.py;
:func:`test_the_poller_waits_through_each_status_in_virtual_time` runs this module's poller
under it once, with AWS-like latencies.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.httpsession
import pytest
from botocore.exceptions import ClientError

from slr_fsm import Simulation
from slr_fsm.boto import attach, iam_client, simulated_boto3
from slr_fsm.clock import Latencies
from slr_fsm.marketplace_roles import DEPLOYMENT, LICENSE_MANAGEMENT, MARKETPLACE_ROLES
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS as SPEC
from slr_fsm.virtual_time import virtual_time
from tests.conftest import MANAGEMENT, MEMBER, ROLE, SERVICE
from tests.user_code import slr_admin

ARN = f"arn:aws:iam::{MANAGEMENT}:role/aws-service-role/{SERVICE}/{ROLE}"
POLICY_ARN = (
    "arn:aws:iam::aws:policy/aws-service-role/AWSMarketplacePurchaseOrdersServiceRolePolicy"
)
DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowPurchaseOrderActions",
            "Effect": "Allow",
            "Action": [
                "purchase-orders:ViewPurchaseOrders",
                "purchase-orders:ModifyPurchaseOrders",
            ],
            "Resource": ["*"],
        }
    ],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}
    ],
}
ROLE_ID = re.compile(r"AROA[A-Z2-7]{17}")
TASK_ID = re.compile(rf"task/aws-service-role/{re.escape(SERVICE)}/{ROLE}/[0-9a-f-]{{36}}")
USER = f"arn:aws:iam::{MANAGEMENT}:user"


@pytest.fixture
def world() -> Simulation:
    """The default world, with no delay for anything AWS does in the background."""
    return Simulation.default(seed=7, latencies=Latencies(0, 0, 0))


@pytest.fixture
def no_sleeping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the user's poller sleeps: with zero latencies it never has to."""

    def sleep(seconds: float) -> None:
        raise AssertionError(f"the poller slept {seconds}s: the task had not ended")

    monkeypatch.setattr(slr_admin.time, "sleep", sleep)


@pytest.fixture
def clients(world: Simulation) -> Iterator[tuple[Any, Any]]:
    """An IAM client and an IAM resource, built as production code builds them, inside
    ``simulated_boto3`` (no Region, no credentials given)."""
    with simulated_boto3(world):
        yield boto3.client("iam"), boto3.resource("iam")


def refusal(call: Any) -> dict[str, Any]:
    """The AWS error a call raised, as boto3 hands it on."""
    with pytest.raises(ClientError) as raised:
        call()
    return dict(raised.value.response["Error"])


def test_ensure_describe_tag_list_inspect_and_simulate_give_aws_shapes(world, clients):
    """Each read and write of the user's module answers with AWS's shapes for the role."""
    iam, resource = clients
    role = slr_admin.ensure_service_linked_role(iam, SERVICE, ROLE)
    assert ROLE_ID.fullmatch(role.pop("RoleId"))
    assert role == {
        "Path": f"/aws-service-role/{SERVICE}/",
        "RoleName": ROLE,
        "Arn": ARN,
        "CreateDate": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        "AssumeRolePolicyDocument": TRUST,
        "MaxSessionDuration": 3600,
        "RoleLastUsed": {},
    }

    slr_admin.tag_role(iam, ROLE, {"team": "procurement", "cost-center": "42"})
    assert slr_admin.role_tags(iam, ROLE) == {"cost-center": "42", "team": "procurement"}
    slr_admin.untag_role(iam, ROLE, ["cost-center"])
    assert slr_admin.describe_role(iam, ROLE)["Tags"] == [{"Key": "team", "Value": "procurement"}]

    assert [r["Arn"] for r in slr_admin.service_linked_roles(iam, SERVICE)] == [ARN]
    assert slr_admin.service_linked_roles(iam, "autoscaling.amazonaws.com") == []

    assert slr_admin.attached_policy_documents(resource, ROLE) == {POLICY_ARN: DOCUMENT}
    assert slr_admin.managed_policy_document(iam, POLICY_ARN) == DOCUMENT

    actions = ["iam:GetRole", "iam:UpdateRoleDescription", "iam:DeleteServiceLinkedRole"]
    assert slr_admin.permission_decisions(iam, f"{USER}/admin", actions, ARN) == dict.fromkeys(
        actions, "allowed"
    )
    assert slr_admin.permission_decisions(iam, f"{USER}/readonly", actions, ARN) == {
        "iam:GetRole": "allowed",
        "iam:UpdateRoleDescription": "implicitDeny",
        "iam:DeleteServiceLinkedRole": "implicitDeny",
    }


def test_ensuring_twice_tolerates_has_been_taken_and_keeps_the_role(world, clients):
    """The second create is refused with InvalidInput, as AWS refuses it; the module reads it
    as "already there" and returns the same role."""
    iam, _ = clients
    first = slr_admin.ensure_service_linked_role(iam, SERVICE, ROLE, description="POs")
    again = slr_admin.ensure_service_linked_role(iam, SERVICE, ROLE, description="POs")
    assert again["RoleId"] == first["RoleId"]
    assert again["Description"] == "POs"
    creates = [e.outcome for e in world.trace if e.operation == "create_service_linked_role"]
    assert creates == ["ok", "InvalidInput"]


def test_errors_other_than_has_been_taken_reach_the_caller(world):
    """A read-only caller's create is AccessDenied (403), which the module does not swallow."""
    readonly = iam_client(world, MANAGEMENT, "readonly")
    with pytest.raises(ClientError) as raised:
        slr_admin.ensure_service_linked_role(readonly, SERVICE, ROLE)
    assert raised.value.response["Error"]["Code"] == "AccessDenied"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_deletion_succeeds_at_the_first_poll_and_the_role_cannot_be_found(
    world, clients, no_sleeping
):
    """With nothing using the role, the task ends SUCCEEDED (no Reason); GetRole then answers
    NoSuchEntity in AWS's words."""
    iam, _ = clients
    slr_admin.ensure_service_linked_role(iam, SERVICE, ROLE)
    outcome = slr_admin.delete_service_linked_role(iam, ROLE)
    assert TASK_ID.fullmatch(outcome.pop("DeletionTaskId"))
    assert outcome == {"Status": "SUCCEEDED"}
    assert refusal(lambda: slr_admin.describe_role(iam, ROLE)) == {
        "Code": "NoSuchEntity",
        "Message": f"The role with name {ROLE} cannot be found.",
        "Type": "Sender",
    }
    assert slr_admin.service_linked_roles(iam) == []


def test_deletion_is_blocked_while_purchase_orders_exist_then_the_role_is_re_created(
    world, clients, no_sleeping
):
    """The README's story through the user's code: the console route creates the role; a
    member's purchase order keeps it in use, so the task FAILS with a RoleUsageList per Region
    and the role stays; after clean-up it is deleted; ensuring it again makes a new RoleId
    under the same ARN."""
    iam, _ = clients
    world.marketplace(MANAGEMENT).configure_billing_integration()
    role = slr_admin.ensure_service_linked_role(iam, SERVICE, ROLE)  # made by the console
    assert [e.outcome for e in world.trace if e.operation == "create_service_linked_role"] == [
        "InvalidInput"
    ]
    in_eu = next(s for s in world.subscriptions_of(MEMBER) if s.region == "eu-west-1")
    world.marketplace(MEMBER).attach_purchase_order(in_eu.subscription_id, "PO-2026-001")

    blocked = slr_admin.delete_service_linked_role(iam, ROLE)
    assert TASK_ID.fullmatch(blocked["DeletionTaskId"])
    assert blocked["Status"] == "FAILED"
    assert set(blocked["Reason"]) == {"Reason", "RoleUsageList"}
    assert ROLE in blocked["Reason"]["Reason"]
    assert len(blocked["Reason"]["Reason"]) <= 1000  # DeletionTaskFailureReasonType's limit
    assert blocked["Reason"]["RoleUsageList"] == [
        {
            "Region": "eu-west-1",
            "Resources": [
                f"arn:aws:aws-marketplace:eu-west-1:{MEMBER}:AWSMarketplace/Agreement/"
                f"{in_eu.subscription_id}"
            ],
        },
        {
            "Region": "us-east-1",
            "Resources": [
                f"arn:aws:aws-marketplace:us-east-1:{MANAGEMENT}:billing-integration/purchase-orders"
            ],
        },
    ]
    assert set(slr_admin.blocking_resources(blocked)) == {"eu-west-1", "us-east-1"}
    assert slr_admin.describe_role(iam, ROLE)["RoleId"] == role["RoleId"]  # still there

    world.marketplace(MEMBER).detach_purchase_order(in_eu.subscription_id, "PO-2026-001")
    world.marketplace(MANAGEMENT).remove_billing_integration()
    deleted = slr_admin.delete_service_linked_role(iam, ROLE)
    assert deleted["Status"] == "SUCCEEDED"
    assert deleted["DeletionTaskId"] != blocked["DeletionTaskId"]  # a new task, not the failed one
    assert slr_admin.blocking_resources(deleted) == {}

    world.advance(3600)  # an hour later, someone needs the role again
    again = slr_admin.ensure_service_linked_role(iam, SERVICE, ROLE)
    assert (again["Arn"], again["RoleName"], again["Path"]) == (ARN, ROLE, role["Path"])
    assert again["RoleId"] != role["RoleId"]
    assert again["CreateDate"] == dt.datetime(2026, 1, 1, 1, tzinfo=dt.UTC)
    assert again["AssumeRolePolicyDocument"] == TRUST


def test_listing_follows_every_page_of_list_roles():
    """With a page size of one, boto3's paginator follows IAM's Marker through every role."""
    world = Simulation.default(specs=MARKETPLACE_ROLES, latencies=Latencies(0, 0, 0))
    iam = iam_client(world)
    for spec in (SPEC, LICENSE_MANAGEMENT, DEPLOYMENT):
        slr_admin.ensure_service_linked_role(iam, spec.service_principal, spec.role_name)
    listed = slr_admin.service_linked_roles(iam, page_size=1)
    assert [r["RoleName"] for r in listed] == sorted(
        s.role_name for s in (SPEC, LICENSE_MANAGEMENT, DEPLOYMENT)
    )
    assert [e.operation for e in world.trace].count("list_roles") == 3


def test_the_poller_waits_through_each_status_in_virtual_time():
    """With AWS-like latencies (a task starts after 2 s and ends 8 s later), the poller's
    ``time.sleep`` moves the simulation's clock: it checks at 0, 3, 6, 9 and 12 s and returns
    SUCCEEDED, in no wall time; given too few checks, it gives up with TimeoutError."""
    world = Simulation.default()
    iam = iam_client(world)
    slr_admin.ensure_service_linked_role(iam, SERVICE, ROLE)
    world.settle()
    start = world.clock.elapsed

    def checks() -> int:
        return [e.operation for e in world.trace].count("get_service_linked_role_deletion_status")

    with virtual_time(world):
        outcome = slr_admin.delete_service_linked_role(iam, ROLE, delay=3.0)
    assert outcome["Status"] == "SUCCEEDED"
    assert (checks(), world.clock.elapsed - start) == (5, 12.0)

    slr_admin.ensure_service_linked_role(iam, SERVICE, ROLE)
    world.settle()
    with (
        virtual_time(world),
        pytest.raises(TimeoutError, match=r"had not ended after 3 checks 1\.0s apart"),
    ):
        slr_admin.delete_service_linked_role(iam, ROLE, delay=1.0, max_attempts=3)
    assert checks() == 5 + 3


def test_the_bridged_code_never_reaches_the_network(world, monkeypatch, no_sleeping):
    """``iam_client(sim)`` and a resource bound with ``attach`` keep botocore's real HTTP
    session (unlike clients made inside ``simulated_boto3``, which tests/test_sealed.py checks);
    the bridge answers every operation the user's module calls before botocore signs or sends
    anything. With proxies pointed at a closed port and every socket connection, DNS lookup and
    HTTP send made to fail, the module's whole run, blocked deletion included, opens nothing."""
    attempts: list[tuple[Any, ...]] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise AssertionError(f"network use: {args!r}")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, closed)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", refuse)

    iam = iam_client(world, region_name="eu-central-1")
    resource = boto3.session.Session(
        region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x"
    ).resource("iam")
    attach(resource.meta.client, world)
    assert isinstance(iam._endpoint.http_session, botocore.httpsession.URLLib3Session)

    world.marketplace(MANAGEMENT).configure_billing_integration()
    slr_admin.ensure_service_linked_role(iam, SERVICE, ROLE)
    slr_admin.tag_role(iam, ROLE, {"team": "procurement"})
    assert slr_admin.role_tags(iam, ROLE) == {"team": "procurement"}
    assert len(slr_admin.service_linked_roles(iam)) == 1
    assert slr_admin.attached_policy_documents(resource, ROLE) == {POLICY_ARN: DOCUMENT}
    assert slr_admin.managed_policy_document(iam, POLICY_ARN) == DOCUMENT
    assert slr_admin.permission_decisions(iam, f"{USER}/admin", ["iam:GetRole"], ARN) == {
        "iam:GetRole": "allowed"
    }
    assert slr_admin.delete_service_linked_role(iam, ROLE)["Status"] == "FAILED"
    world.marketplace(MANAGEMENT).remove_billing_integration()
    assert slr_admin.delete_service_linked_role(iam, ROLE)["Status"] == "SUCCEEDED"
    assert attempts == []
