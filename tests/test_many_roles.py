"""A second AWS Marketplace service-linked role, added with nothing but its spec and its usage
model: every face, the explorer, the state machine, snapshots and displays take it as they take
the seed's role."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from slr_fsm import Simulation, UsageError
from slr_fsm.diagram import explored_diagram
from slr_fsm.explore import default_moves, explore
from slr_fsm.lifecycle import RoleState
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS, RoleSpec
from slr_fsm.tasks import RoleUsage
from slr_fsm.testing import RoleLifecycleMachine
from slr_fsm.usage import PurchaseOrderUsage, UsageContext, UsageModel

# ---------------------------------------------------------------- the whole addition: two values

LICENSES = RoleSpec(
    role_name="AWSServiceRoleForMarketplaceLicenseManagement",
    service_principal="license-management.marketplace.amazonaws.com",
    managed_policy_name="AWSMarketplaceLicenseManagementServiceRolePolicy",
    managed_policy_document_json=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["organizations:DescribeOrganization", "license-manager:ListGrants"],
                    "Resource": ["*"],
                }
            ],
        }
    ),
    purpose="Lets AWS Marketplace manage licenses through AWS License Manager.",
)


class LicenseGrants(UsageModel):
    """The role is in use while License Manager grants made through it exist (per Region)."""

    GRANT = "grant"

    def __init__(self) -> None:
        super().__init__(LICENSES)

    def grant(self, context: UsageContext, account_id: str, region: str, name: str) -> str:
        """Record a grant; return its ARN."""
        arn = f"arn:aws:license-manager:{region}:{account_id}:grant:{name}"
        context.put(self.GRANT, arn, account_id)
        return arn

    def revoke(self, context: UsageContext, arn: str) -> None:
        """Remove a grant."""
        context.put(self.GRANT, arn, None)

    def in_use(self, context: UsageContext, account_id: str) -> tuple[RoleUsage, ...]:
        by_region: dict[str, list[str]] = {}
        for arn in context.keys(self.GRANT):
            if context.get(self.GRANT, arn) == account_id:
                by_region.setdefault(arn.split(":")[3], []).append(arn)
        return tuple(RoleUsage(r, tuple(sorted(a))) for r, a in sorted(by_region.items()))


# ---------------------------------------------------------------- what that addition gives

SPECS = (MARKETPLACE_PURCHASE_ORDERS, LICENSES)
MODELS = (PurchaseOrderUsage(), LicenseGrants())
MGMT = "111122223333"


def two_roles(seed: int = 0) -> Simulation:
    """The default world, simulating both roles."""
    return Simulation.default(seed, specs=SPECS, usage_models=MODELS)


def grant(sim: Simulation, account: str, region: str, name: str) -> str:
    """Make a grant as a logged attempt of the management administrator."""
    model = sim.usage_model(LICENSES)
    assert isinstance(model, LicenseGrants)
    acct, caller = sim.caller(account)
    return sim.attempt(
        acct,
        caller,
        "create_grant",
        {"Region": region, "Name": name},
        (account, LICENSES.role_name),
        lambda: model.grant(sim.usage_context(LICENSES), account, region, name),
    )


def test_both_roles_are_created_listed_and_shown():
    """IAM creates either role by its service name; ListRoles lists both; the repr shows both."""
    sim = two_roles()
    iam = sim.iam(MGMT)
    for spec in SPECS:
        iam.create_service_linked_role(AWSServiceName=spec.service_principal)
    sim.settle()
    names = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert names == sorted((s.role_name for s in SPECS), key=str.lower)
    assert [r.state for r in sim.roles(MGMT)] == [RoleState.ACTIVE, RoleState.ACTIVE]
    assert f"{LICENSES.role_name}=active" in repr(sim)
    assert LICENSES.role_name in sim._repr_html_()


def test_a_world_of_several_roles_asks_which_one():
    """``sim.role(account)`` names the services to choose from when the world has several."""
    sim = two_roles()
    with pytest.raises(UsageError, match="license-management"):
        sim.role(MGMT)
    assert sim.role(MGMT, LICENSES.service_principal).name == LICENSES.role_name


def test_the_second_roles_usage_blocks_its_deletion_and_only_its():
    """A grant blocks the license role's deletion (reported per Region), not the other role's;
    once revoked, the deletion succeeds and the same route re-creates the role."""
    sim = two_roles()
    iam = sim.iam(MGMT)
    for spec in SPECS:
        iam.create_service_linked_role(AWSServiceName=spec.service_principal)
    sim.settle()
    arn = grant(sim, MGMT, "eu-west-1", "g-1")
    blocked = iam.delete_service_linked_role(RoleName=LICENSES.role_name)["DeletionTaskId"]
    freed = iam.delete_service_linked_role(RoleName=MARKETPLACE_PURCHASE_ORDERS.role_name)
    sim.settle()
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=blocked)
    assert status["Status"] == "FAILED"
    assert status["Reason"]["RoleUsageList"] == [{"Region": "eu-west-1", "Resources": [arn]}]
    assert sim.role(MGMT, LICENSES).state is RoleState.DELETING_BLOCKED
    done = iam.get_service_linked_role_deletion_status(DeletionTaskId=freed["DeletionTaskId"])
    assert done["Status"] == "SUCCEEDED"
    with sim.atomic():  # a usage record changes only under the world's lock
        sim.usage_model(LICENSES).revoke(sim.usage_context(LICENSES), arn)  # type: ignore[attr-defined]
    task = iam.delete_service_linked_role(RoleName=LICENSES.role_name)["DeletionTaskId"]
    sim.settle()
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    old = sim.role(MGMT, LICENSES).role_id
    iam.create_service_linked_role(AWSServiceName=LICENSES.service_principal)
    sim.settle()
    again = sim.role(MGMT, LICENSES)
    assert again.state is RoleState.ACTIVE
    assert again.role_id != old
    assert old in again.previous_role_ids


def test_the_log_records_the_state_of_the_role_each_call_concerns():
    """Each logged attempt names its role, and records that role's states."""
    sim = two_roles()
    sim.iam(MGMT).create_service_linked_role(AWSServiceName=LICENSES.service_principal)
    event = sim.trace[-1]
    assert (event.role_name, event.state_before, event.state_after) == (
        LICENSES.role_name,
        RoleState.ABSENT,
        RoleState.CREATING,
    )


def test_a_world_of_two_roles_round_trips_through_a_snapshot():
    """Specs and usage records survive a JSON snapshot round trip exactly."""
    sim = two_roles(seed=5)
    sim.iam(MGMT).create_service_linked_role(AWSServiceName=LICENSES.service_principal)
    sim.settle()
    grant(sim, MGMT, "us-east-1", "g-2")
    snap = json.loads(json.dumps(sim.snapshot()))
    restored = Simulation.restore(snap, usage_models=MODELS)
    assert restored.snapshot() == sim.snapshot()
    assert restored.role_usage(MGMT, LICENSES) == sim.role_usage(MGMT, LICENSES)


def test_the_explorer_moves_each_role_and_every_invariant_holds():
    """Default moves aim IAM operations at each role; exploring both keeps every invariant."""
    sim = Simulation(0, specs=SPECS, usage_models=MODELS)
    sim.add_organization(MGMT)
    moves = [m for m in default_moves(sim) if m.principal == "admin" or m.face == "clock"]
    roles = {dict(m.params).get("RoleName") for m in moves if m.operation == "delete_role"}
    assert roles == {s.role_name for s in SPECS}
    result = explore(sim, depth=3, moves=moves)
    assert result.complete
    assert result.violations == {}
    both = [i for i in range(result.states) if all(r.exists for r in result.world(i).roles(MGMT))]
    assert both, "no explored state holds both roles"
    assert LICENSES.role_name in result.describe_state(both[0])
    assert all(len(combo.split(", ")) == 2 for combo in result.role_state_counts())
    assert "active+active" in explored_diagram(result).mermaid()


def test_the_state_machine_drives_both_roles():
    """``RoleLifecycleMachine`` runs on a two-role world with its invariants holding."""

    class TwoRoles(RoleLifecycleMachine):
        def make_simulation(self) -> Simulation:
            return two_roles()

    run_state_machine_as_test(
        TwoRoles,
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


def test_a_usage_record_survives_only_for_known_services():
    """A snapshot whose usage names a service the world does not simulate is refused."""
    snap = two_roles().snapshot()
    snap["usage"] = [["unknown.amazonaws.com", "grant", "x", "y"]]
    with pytest.raises(UsageError, match="usage"):
        Simulation.restore(snap, usage_models=MODELS)


def test_usage_records_change_only_under_the_worlds_lock():
    """Writing a usage record outside an attempt or ``sim.atomic()`` is refused."""
    sim = two_roles()
    with pytest.raises(UsageError, match="atomic"):
        LicenseGrants().grant(sim.usage_context(LICENSES), MGMT, "us-east-1", "g-4")


def test_a_snapshot_never_drops_a_usage_model():
    """Restoring a two-role world without its license model is refused, naming the field, so a
    grant cannot silently stop blocking deletions; given the model, it restores."""
    sim = two_roles()
    grant(sim, MGMT, "us-east-1", "g-3")
    with pytest.raises(UsageError, match="usage_models"):
        Simulation.restore(sim.snapshot())
    restored = Simulation.restore(sim.snapshot(), usage_models=[LicenseGrants()])
    assert restored.role_usage(MGMT, LICENSES) == sim.role_usage(MGMT, LICENSES)


def test_usage_models_add_to_the_defaults_and_must_serve_the_worlds_roles():
    """Giving one role's model keeps the seed role's purchase-order model; a model for a role
    the world does not simulate is refused."""
    sim = Simulation.default(specs=SPECS, usage_models=[LicenseGrants()])
    assert isinstance(sim.usage_model(MARKETPLACE_PURCHASE_ORDERS), PurchaseOrderUsage)
    with pytest.raises(UsageError, match="does not simulate"):
        Simulation.default(usage_models=[LicenseGrants()])
