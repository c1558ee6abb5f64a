"""Roles created with a CustomSuffix (CreateServiceLinkedRole's ``CustomSuffix``), for a service
that allows one: Amazon EC2 Auto Scaling's ``AWSServiceRoleForAutoScaling_<suffix>``.

The IAM API reference: the suffix "is combined with the service-provided prefix to form the
complete role name"; several requests for the same service need different suffixes, "otherwise
the request fails with a duplicate role name error". Each suffixed role is a role of its own,
with the service's path, trust policy and managed policy, and its own lifecycle.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm import Simulation
from slr_fsm.errors import InvalidInput, NoSuchEntity, SnapshotError, ValidationError
from slr_fsm.lifecycle import RoleState
from slr_fsm.marketplace_roles import AUTO_SCALING
from slr_fsm.role_shapes import created_trust_policy
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS

SERVICE = AUTO_SCALING.service_principal
BASE = "AWSServiceRoleForAutoScaling"
ROOM = 64 - len(BASE) - 1  # characters left for a suffix within IAM's 64
suffixes = st.text(
    alphabet=string.ascii_letters + string.digits + "+=,.@-_", min_size=1, max_size=ROOM
)


def world() -> Simulation:
    return Simulation.default(specs=[MARKETPLACE_PURCHASE_ORDERS, AUTO_SCALING])


def admin_iam(sim: Simulation):  # type: ignore[no-untyped-def]
    return sim.iam(sim.accounts[0])


@settings(max_examples=40, deadline=None)
@given(suffix=suffixes)
def test_a_suffix_names_a_role_of_its_own_with_the_services_path_and_policies(suffix: str) -> None:
    sim = world()
    iam = admin_iam(sim)
    role = iam.create_service_linked_role(AWSServiceName=SERVICE, CustomSuffix=suffix)["Role"]
    name = f"{BASE}_{suffix}"
    assert role["RoleName"] == name
    assert role["Path"] == f"/aws-service-role/{SERVICE}/"
    assert (
        role["Arn"]
        == f"arn:aws:iam::{sim.accounts[0].account_id}:role/aws-service-role/{SERVICE}/{name}"
    )
    assert role["AssumeRolePolicyDocument"] == created_trust_policy(AUTO_SCALING)
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == AUTO_SCALING.trust_policy()
    # IAM's names are case-insensitive: any spelling finds the role, which keeps its own
    assert iam.get_role(RoleName=name.swapcase())["Role"]["RoleName"] == name
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [AUTO_SCALING.managed_policy_arn]
    # the service's plain role is untouched
    assert sim.role(sim.accounts[0], AUTO_SCALING).state is RoleState.ABSENT


@settings(max_examples=25, deadline=None)
@given(suffix=suffixes)
def test_the_same_suffix_in_any_case_is_a_duplicate_name_and_changes_nothing(suffix: str) -> None:
    sim = world()
    iam = admin_iam(sim)
    iam.create_service_linked_role(AWSServiceName=SERVICE, CustomSuffix=suffix)
    before = sim.snapshot()
    with pytest.raises(
        InvalidInput, match="has been taken in this account, please try a different suffix"
    ):
        iam.create_service_linked_role(AWSServiceName=SERVICE, CustomSuffix=suffix.swapcase())
    assert sim.snapshot() == before
    assert sim.trace[-1].outcome == "InvalidInput"


def test_different_suffixes_and_the_plain_role_live_side_by_side_and_are_listed_by_name() -> None:
    sim = world()
    iam = admin_iam(sim)
    for suffix in ("b", "a"):
        iam.create_service_linked_role(AWSServiceName=SERVICE, CustomSuffix=suffix)
    iam.create_service_linked_role(AWSServiceName=SERVICE)
    listed = iam.list_roles(PathPrefix=f"/aws-service-role/{SERVICE}/")["Roles"]
    assert [r["RoleName"] for r in listed] == [BASE, f"{BASE}_a", f"{BASE}_b"]
    assert len({r["RoleId"] for r in listed}) == 3
    names = [role.name for role in sim.roles(sim.accounts[0])]
    assert names == [MARKETPLACE_PURCHASE_ORDERS.role_name, BASE, f"{BASE}_a", f"{BASE}_b"]


def test_a_suffixed_role_is_deleted_and_re_created_on_its_own_with_a_new_role_id() -> None:
    sim = world()
    iam = admin_iam(sim)
    first = iam.create_service_linked_role(AWSServiceName=SERVICE, CustomSuffix="suf")["Role"]
    iam.create_service_linked_role(AWSServiceName=SERVICE)
    sim.advance(60)
    task = iam.delete_service_linked_role(RoleName=f"{BASE}_suf")["DeletionTaskId"]
    assert task.startswith(f"task/aws-service-role/{SERVICE}/{BASE}_suf/")
    sim.advance(60)
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task) == {
        "Status": "SUCCEEDED"
    }
    with pytest.raises(NoSuchEntity, match=f"The role with name {BASE}_suf cannot be found"):
        iam.get_role(RoleName=f"{BASE}_suf")
    assert iam.get_role(RoleName=BASE)["Role"]["RoleName"] == BASE  # the plain role stays
    again = iam.create_service_linked_role(AWSServiceName=SERVICE, CustomSuffix="suf")["Role"]
    assert again["Arn"] == first["Arn"]
    assert again["RoleId"] != first["RoleId"]


def test_a_suffix_the_name_cannot_hold_is_a_validation_error_and_changes_nothing() -> None:
    sim = world()
    before = sim.snapshot()
    with pytest.raises(
        ValidationError,
        match="at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64",
    ):
        admin_iam(sim).create_service_linked_role(
            AWSServiceName=SERVICE, CustomSuffix="x" * (ROOM + 1)
        )
    assert sim.snapshot() == before


def test_a_service_without_suffixes_refuses_one_and_changes_nothing() -> None:
    sim = world()
    before = sim.snapshot()
    with pytest.raises(InvalidInput, match="Custom suffix is not allowed for purchase-orders"):
        admin_iam(sim).create_service_linked_role(
            AWSServiceName=MARKETPLACE_PURCHASE_ORDERS.service_principal, CustomSuffix="x"
        )
    assert sim.snapshot() == before


def test_a_name_that_only_looks_suffixed_is_no_role() -> None:
    iam = admin_iam(world())
    for name in (f"{BASE}_", f"{BASE}-x", f"{MARKETPLACE_PURCHASE_ORDERS.role_name}_x"):
        with pytest.raises(NoSuchEntity):
            iam.get_role(RoleName=name)


def test_suffixed_roles_survive_a_snapshot_and_a_forged_name_is_refused() -> None:
    sim = world()
    iam = admin_iam(sim)
    iam.create_service_linked_role(AWSServiceName=SERVICE, CustomSuffix="Keep")
    task = None
    sim.advance(60)
    iam.create_service_linked_role(AWSServiceName=SERVICE, CustomSuffix="gone")
    sim.advance(60)
    task = iam.delete_service_linked_role(RoleName=f"{BASE}_gone")["DeletionTaskId"]
    snapshot = sim.snapshot()
    restored = Simulation.restore(snapshot)
    assert restored.snapshot() == snapshot
    restored.advance(60)
    again = admin_iam(restored)
    assert again.get_service_linked_role_deletion_status(DeletionTaskId=task) == {
        "Status": "SUCCEEDED"
    }
    assert again.get_role(RoleName=f"{BASE}_keep")["Role"]["RoleName"] == f"{BASE}_Keep"

    for forged in (f"{MARKETPLACE_PURCHASE_ORDERS.role_name}_Keep", "SomethingElse", BASE + "_"):
        names = list(snapshot["roles"]["role_name"])
        names[names.index(f"{BASE}_Keep")] = forged
        tampered = {**snapshot, "roles": {**snapshot["roles"], "role_name": names}}
        with pytest.raises(SnapshotError, match="role_name"):
            Simulation.restore(tampered)


def test_the_trace_names_the_suffixed_role() -> None:
    sim = world()
    admin_iam(sim).create_service_linked_role(AWSServiceName=SERVICE, CustomSuffix="suf")
    assert sim.trace[-1].role_name == f"{BASE}_suf"
    sim.advance(60)
    assert sim.trace[-1].operation == "finish_creation"
    assert sim.trace[-1].role_name == f"{BASE}_suf"
