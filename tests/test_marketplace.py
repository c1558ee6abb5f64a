"""The console route (billing integration, purchase orders) and STS AssumeRole."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from slr_fsm import (
    AccessDenied,
    ConflictException,
    ManagementAccountRequired,
    ResourceNotFoundException,
    RoleState,
    Simulation,
    ValidationError,
)
from tests.conftest import MANAGEMENT, MEMBER, ROLE, SERVICE, STANDALONE


def test_member_account_is_refused_and_nothing_changes(sim):
    """A member account cannot set up the integration: ManagementAccountRequired (an
    AccessDenied), naming the management account; the world is unchanged."""
    before = sim.snapshot()
    with pytest.raises(ManagementAccountRequired) as refused:
        sim.marketplace(MEMBER).configure_billing_integration()
    assert isinstance(refused.value, AccessDenied)
    assert refused.value.code == "AccessDenied"
    assert MANAGEMENT in refused.value.message
    assert refused.value.guard == "management_account_on_console"
    assert sim.snapshot() == before
    assert sim.trace[-1].outcome == "AccessDenied"


def test_management_account_creates_the_role_and_covers_the_organization(sim):
    """Set-up in the management account creates the role there and turns purchase orders on for
    every account of the organization once the role is active."""
    status = sim.marketplace(MANAGEMENT).configure_billing_integration()
    assert status["Status"] == "PENDING"
    assert sim.role(MANAGEMENT).state is RoleState.CREATING
    assert not sim.purchase_orders_enabled(MEMBER)
    sim.settle()
    status = sim.marketplace(MEMBER).billing_integration()
    assert status == {
        "Status": "CONFIGURED",
        "ServiceLinkedRoleArn": sim.role(MANAGEMENT).arn,
        "AccountIds": [MANAGEMENT, MEMBER, "777788889999"],
    }
    assert sim.role(MEMBER).state is RoleState.ABSENT  # the role lives in the management account
    assert all(sim.purchase_orders_enabled(a) for a in (MANAGEMENT, MEMBER, "777788889999"))
    assert not sim.purchase_orders_enabled(STANDALONE)


def test_standalone_account_configures_itself(sim):
    """An account in no organization may set up its own integration."""
    sim.marketplace(STANDALONE).configure_billing_integration()
    sim.settle()
    assert sim.role(STANDALONE).state is RoleState.ACTIVE
    assert sim.purchase_orders_enabled(STANDALONE)


def test_configure_needs_create_service_linked_role_permission(sim):
    """A read-only principal in the management account is AccessDenied for
    iam:CreateServiceLinkedRole."""
    with pytest.raises(AccessDenied, match="iam:CreateServiceLinkedRole"):
        sim.marketplace(MANAGEMENT, "readonly").configure_billing_integration()


def test_configure_twice_is_idempotent(active_sim):
    """A second set-up changes nothing and reports CONFIGURED."""
    before = active_sim.snapshot()
    assert active_sim.marketplace(MANAGEMENT).configure_billing_integration()["Status"] == "CONFIGURED"
    assert active_sim.snapshot() == before


def test_configure_reuses_a_role_created_through_iam(sim):
    """If the role exists already, set-up enables the integration without a new RoleId."""
    created = sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)["Role"]
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    sim.settle()
    assert sim.role(MANAGEMENT).role_id == created["RoleId"]
    assert sim.purchase_orders_enabled(MEMBER)


def test_purchase_orders_need_the_role_usable(sim):
    """Before set-up, and while the role is still creating, attaching a PO is ConflictException."""
    sub = sim.subscriptions_of(MEMBER)[0].subscription_id
    with pytest.raises(ConflictException, match="not configured"):
        sim.marketplace(MEMBER).attach_purchase_order(sub, "PO-1")
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    with pytest.raises(ConflictException, match="creating"):
        sim.marketplace(MEMBER).attach_purchase_order(sub, "PO-1")
    sim.settle()
    attached = sim.marketplace(MEMBER).attach_purchase_order(sub, "PO-1")
    assert attached["PurchaseOrders"] == ["PO-1"]


def test_purchase_orders_still_attach_while_deleting_blocked(active_sim):
    """A role kept by a failed deletion is still usable: purchase orders still attach."""
    subs = active_sim.subscriptions_of(MEMBER)
    active_sim.marketplace(MEMBER).attach_purchase_order(subs[0].subscription_id, "PO-1")
    active_sim.iam(MANAGEMENT).delete_service_linked_role(RoleName=ROLE)
    active_sim.settle()
    assert active_sim.role(MANAGEMENT).state is RoleState.DELETING_BLOCKED
    active_sim.marketplace(MEMBER).attach_purchase_order(subs[1].subscription_id, "PO-2")


def test_purchase_order_errors(active_sim):
    """Unknown or foreign subscriptions are ResourceNotFoundException; a PO attached twice is a
    ConflictException; detaching one not attached is ResourceNotFoundException; a bad number is
    a ValidationError."""
    console = active_sim.marketplace(MEMBER)
    mine = active_sim.subscriptions_of(MEMBER)[0].subscription_id
    foreign = active_sim.subscriptions_of(MANAGEMENT)[0].subscription_id
    with pytest.raises(ResourceNotFoundException):
        console.attach_purchase_order("agmt-nope", "PO-1")
    with pytest.raises(ResourceNotFoundException):
        console.attach_purchase_order(foreign, "PO-1")
    console.attach_purchase_order(mine, "PO-1")
    with pytest.raises(ConflictException, match="already attached"):
        console.attach_purchase_order(mine, "PO-1")
    with pytest.raises(ResourceNotFoundException, match="not attached"):
        console.detach_purchase_order(mine, "PO-2")
    with pytest.raises(ValidationError):
        console.attach_purchase_order(mine, "")
    with pytest.raises(ValidationError):
        console.attach_purchase_order(mine, 42)  # type: ignore[arg-type]


def test_remove_integration_rules(active_sim):
    """Only the management account removes the integration; removing it twice is a conflict."""
    with pytest.raises(ManagementAccountRequired):
        active_sim.marketplace(MEMBER).remove_billing_integration()
    with pytest.raises(AccessDenied):
        active_sim.marketplace(MANAGEMENT, "readonly").remove_billing_integration()
    assert active_sim.marketplace(MANAGEMENT).remove_billing_integration()["Status"] == "NOT_CONFIGURED"
    with pytest.raises(ConflictException):
        active_sim.marketplace(MANAGEMENT).remove_billing_integration()


def test_subscriptions_lists_the_accounts_own(sim):
    """subscriptions() lists the caller's account's subscriptions, one per Region."""
    listed = sim.marketplace(MEMBER, "readonly").subscriptions()
    assert [s["Region"] for s in listed] == ["us-east-1", "eu-west-1"]
    assert all(s["SubscriptionArn"].startswith("arn:aws:aws-marketplace:") for s in listed)


def test_creation_failure_falls_back_to_absent_and_turns_the_integration_off(sim):
    """An injected ServiceFailure: creating goes back to absent, the pending integration is off,
    and the log says ServiceFailure. A retry then succeeds with a new RoleId."""
    sim.inject_creation_failure()
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    failed_id = sim.role(MANAGEMENT).role_id
    events = sim.settle()
    assert [e.outcome for e in events] == ["ServiceFailure"]
    assert sim.role(MANAGEMENT).state is RoleState.ABSENT
    assert not sim.integration_configured(MANAGEMENT)
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    sim.settle()
    role = sim.role(MANAGEMENT)
    assert role.state is RoleState.ACTIVE
    assert role.role_id != failed_id
    assert role.previous_role_ids == ()  # nothing was created: no history


@pytest.mark.parametrize(("mode", "reported"), [("all", 3), ("some", 2), ("none", 0)])
def test_the_service_may_report_all_some_or_none_of_the_resources(active_sim, mode, reported):
    """With usage reporting all/some/none, a failed task lists 3, 2 or 0 of the 3 resources in
    use, and fails all the same."""
    active_sim.set_usage_reporting(mode)
    for sub in active_sim.subscriptions_of(MEMBER):
        active_sim.marketplace(MEMBER).attach_purchase_order(sub.subscription_id, "PO-1")
    iam = active_sim.iam(MANAGEMENT)
    task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    active_sim.settle()
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert status["Status"] == "FAILED"
    listed = [r for u in status["Reason"]["RoleUsageList"] for r in u["Resources"]]
    assert len(listed) == reported


def test_only_the_trusted_service_may_assume_the_role(active_sim):
    """AssumeRole succeeds for purchase-orders.marketplace.amazonaws.com and is AccessDenied for
    users (even administrators) and for other services."""
    arn = active_sim.role(MANAGEMENT).arn
    creds = active_sim.sts(MANAGEMENT, SERVICE).assume_role(RoleArn=arn, RoleSessionName="po")
    assert creds["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert creds["AssumedRoleUser"]["AssumedRoleId"].startswith(active_sim.role(MANAGEMENT).role_id)
    for who in ("admin", "readonly", "ec2.amazonaws.com"):
        with pytest.raises(AccessDenied, match="sts:AssumeRole"):
            active_sim.sts(MANAGEMENT, who).assume_role(RoleArn=arn, RoleSessionName="x1")


def test_the_service_cannot_use_the_role_while_creating(sim):
    """While creating, even the trusted service is refused; after the clock runs it succeeds."""
    sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)
    arn = sim.role(MANAGEMENT).arn
    with pytest.raises(AccessDenied):
        sim.sts(MANAGEMENT, SERVICE).assume_role(RoleArn=arn, RoleSessionName="po")
    sim.settle()
    sim.sts(MANAGEMENT, SERVICE).assume_role(RoleArn=arn, RoleSessionName="po")


def test_service_sessions_are_not_limited_by_max_session_duration(active_sim):
    """AWS: the maximum session duration "doesn't limit sessions assumed by AWS services": the
    service gets any DurationSeconds STS accepts (up to 43200), beyond the role's 3600."""
    arn = active_sim.role(MANAGEMENT).arn
    answer = active_sim.sts(MANAGEMENT, SERVICE).assume_role(
        RoleArn=arn, RoleSessionName="po", DurationSeconds=43200
    )
    assert answer["Credentials"]["Expiration"] == active_sim.now + dt.timedelta(seconds=43200)


@pytest.mark.parametrize(
    ("extra", "action"),
    [
        ({"Tags": [{"Key": "team", "Value": "po"}]}, "sts:TagSession"),
        ({"TransitiveTagKeys": ["team"]}, "sts:TagSession"),
        ({"SourceIdentity": "someone"}, "sts:SetSourceIdentity"),
    ],
)
def test_session_tags_and_source_identity_need_actions_the_trust_policy_does_not_allow(
    active_sim, extra, action
):
    """The role's trust policy allows the service sts:AssumeRole only: session tags need
    sts:TagSession and a source identity sts:SetSourceIdentity, so the call is refused naming
    the missing action (AWS's words), logged, and changes nothing."""
    arn = active_sim.role(MANAGEMENT).arn
    before = active_sim.snapshot()
    with pytest.raises(AccessDenied, match=(
        f"^AccessDenied: Service: {SERVICE} is not authorized to perform: {action} on "
        f"resource: {re.escape(arn)}$"
    )):
        active_sim.sts(MANAGEMENT, SERVICE).assume_role(
            RoleArn=arn, RoleSessionName="po", **extra
        )
    assert active_sim.snapshot() == before
    assert active_sim.trace[-1].outcome == "AccessDenied"
    assert active_sim.sts(MANAGEMENT, SERVICE).assume_role(
        RoleArn=arn, RoleSessionName="po", Tags=[], ExternalId="ignored-by-this-trust-policy"
    )["AssumedRoleUser"]["Arn"].endswith("/po")


def test_assume_role_duration_beyond_sts_bounds_is_a_validation_error(active_sim):
    """DurationSeconds outside STS's 900..43200 is refused by the model's bounds."""
    arn = active_sim.role(MANAGEMENT).arn
    for duration in (899, 43201):
        with pytest.raises(ValidationError, match="at 'durationSeconds' failed"):
            active_sim.sts(MANAGEMENT, SERVICE).assume_role(
                RoleArn=arn, RoleSessionName="po", DurationSeconds=duration
            )


def test_assume_role_credentials_are_deterministic():
    """Same seed and calls give the same credentials."""
    def creds():
        sim = Simulation.default(seed=5)
        sim.marketplace(MANAGEMENT).configure_billing_integration()
        sim.settle()
        return sim.sts(MANAGEMENT, SERVICE).assume_role(
            RoleArn=sim.role(MANAGEMENT).arn, RoleSessionName="po")

    assert creds() == creds()
