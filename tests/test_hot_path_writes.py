"""The faster paths of writes and of building a world agree with the straightforward ones they
replace: the usual caller resolved directly, default principals built through their slots,
deletion tasks moved on without ``attrs.evolve``, and work logged without a second lookup."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm import Latencies, Simulation
from slr_fsm._world.directory import default_policies
from slr_fsm._world.role_keys import key_of
from slr_fsm._world.state import role_key
from slr_fsm.accounts import Principal, checked_principal
from slr_fsm.errors import InvalidClientTokenId, ValidationError
from slr_fsm.events import NO_PARAMETERS
from slr_fsm.policy import PolicyDocument
from slr_fsm.roles import Role
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS
from slr_fsm.states import RoleState
from slr_fsm.tasks import DeletionStatus, DeletionTask, RoleUsage
from slr_fsm.validation import NAME_PATTERN, Param, validate

_ALL_OF_IAM = PolicyDocument.parse(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}],
    }
)
_SERVICE = "purchase-orders.marketplace.amazonaws.com"


@pytest.mark.parametrize("name", ["admin", "readonly"])
def test_a_principal_built_through_its_slots_equals_one_built_by_attrs(name: str) -> None:
    """checked_principal sets every field of Principal (none left out, none swapped)."""
    policies = default_policies(name)
    assert policies is not None
    made = checked_principal(name, "111122223333", policies)
    assert made == Principal(name, "111122223333", policies)
    assert attrs.astuple(made, recurse=False) == (name, "111122223333", policies)


def _callers(sim: Simulation, account: str) -> list[object]:
    """How the world resolves ``account`` with no principal, and with ``"admin"`` named (the
    checked path), as values or as the refusal's message."""
    found: list[object] = []
    for principal in (None, "admin"):
        try:
            found.append(sim.caller(account, principal))
        except InvalidClientTokenId as refused:
            found.append(refused.message.replace(repr(principal), "-"))
    return found


def test_the_usual_caller_is_resolved_as_the_checked_path_resolves_admin() -> None:
    """An account id with no principal is its ``admin``: the implied one, or the one stored
    in its place (restored worlds), exactly as naming ``"admin"`` resolves it; an unknown
    account is refused in the same words."""
    sim = Simulation.default()
    first, named = _callers(sim, "111122223333")
    assert first == named
    assert first == (sim.organization.management_account, sim.caller("111122223333", "admin")[1])
    sim._directory.replace_principal(Principal("admin", "444455556666", (_ALL_OF_IAM,)))
    stored, named = _callers(sim, "444455556666")
    assert stored == named
    assert stored[1].policies == (_ALL_OF_IAM,)  # type: ignore[index]
    unknown = _callers(sim, "999999999999")
    assert unknown[0] == unknown[1]


_TASKS = st.builds(
    DeletionTask,
    st.text(max_size=5),
    st.just("111122223333"),
    st.text(max_size=5),
    st.sampled_from([DeletionStatus.NOT_STARTED, DeletionStatus.IN_PROGRESS]),
    st.just(dt.datetime(2024, 1, 1, tzinfo=dt.UTC)),
)


@settings(max_examples=50, deadline=None)
@given(
    task=_TASKS,
    status=st.sampled_from(DeletionStatus),
    reason=st.none() | st.text(max_size=5),
    usage=st.lists(st.builds(RoleUsage, st.text(max_size=3), st.just(("a", "b"))), max_size=2),
)
def test_a_task_moved_on_directly_equals_attrs_evolve(
    task: DeletionTask, status: DeletionStatus, reason: str | None, usage: list[RoleUsage]
) -> None:
    """with_status builds what attrs.evolve builds for a task that has not ended."""
    now = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    assert task.with_status(status) == attrs.evolve(task, status=status)
    assert task.with_status(status, now, reason, tuple(usage)) == attrs.evolve(
        task, status=status, finished_at=now, reason=reason, role_usage=tuple(usage)
    )


def test_the_clock_logs_its_work_under_the_service_name_with_its_parameters() -> None:
    """With zero latencies, a creation and a deletion log the clock's steps under the service
    principal, parameterless steps sharing one empty value and each task's steps naming it."""
    sim = Simulation.default(
        latencies=Latencies(creation=0, deletion_start=0, deletion_run=0, task_retention=0)
    )
    iam = sim.iam("123456789012")
    iam.create_service_linked_role(AWSServiceName=_SERVICE)
    task = iam.delete_service_linked_role(RoleName=sim.specs[0].role_name)["DeletionTaskId"]
    work = [e for e in sim.trace if e.principal == _SERVICE]
    assert [(e.operation, e.outcome, e.state_before.value, e.state_after.value) for e in work] == [
        ("finish_creation", "ok", "creating", "active"),
        ("start_deletion", "ok", "active", "active"),
        ("finish_deletion", "ok", "active", "deleted"),
    ]
    assert work[0].parameters is NO_PARAMETERS
    assert [dict(e.parameters) for e in work[1:]] == [
        {"DeletionTaskId": task},
        {"DeletionTaskId": task, "Status": "SUCCEEDED"},
    ]
    assert sim.task(task) is None  # purged at once (zero retention)


def _tagged_by_evolve(role: Role, tags: list[tuple[str, str]]) -> Role:
    """with_tags as first written: each tag replaces the first key equal in any case, in its
    place, or goes last; the copy made by attrs.evolve."""
    kept = list(role.tags)
    for key, value in tags:
        at = next((n for n, (k, _) in enumerate(kept) if k.lower() == key.lower()), None)
        if at is None:
            kept.append((key, value))
        else:
            kept[at] = (key, value)
    return attrs.evolve(role, tags=tuple(kept))


_KEYS = st.sampled_from(
    ["Team", "team", "TEAM", "x", "Cost Center", "\u00c9t\u00e9", "\u00e9t\u00e9"]
)
_TAG_LISTS = st.lists(st.tuples(_KEYS, st.text(max_size=3)), max_size=5)


@settings(max_examples=100, deadline=None)
@given(
    held=_TAG_LISTS,
    added=_TAG_LISTS,
    removed=st.lists(_KEYS, max_size=3),
    state=st.sampled_from(RoleState),
    description=st.none() | st.text(max_size=3),
)
def test_a_role_tagged_directly_equals_attrs_evolve(
    held: list[tuple[str, str]],
    added: list[tuple[str, str]],
    removed: list[str],
    state: RoleState,
    description: str | None,
) -> None:
    """with_tags and without_tags build what attrs.evolve builds, every other field kept."""
    role = Role(
        MARKETPLACE_PURCHASE_ORDERS, "111122223333", state, "AROAEXAMPLE", None, description
    )
    role = attrs.evolve(role, tags=_tagged_by_evolve(role, held).tags)
    assert role.with_tags(added) == _tagged_by_evolve(role, added)
    gone = {key.lower() for key in removed}
    assert role.without_tags(removed) == attrs.evolve(
        role, tags=tuple(t for t in role.tags if t[0].lower() not in gone)
    )


def test_a_remembered_role_key_is_the_key_role_key_gives() -> None:
    """key_of answers role_key's key for a name seen before, a new name, and a str subclass
    (keyed by role_key itself, never remembered)."""

    class Shouting(str):
        def lower(self) -> str:
            return self.upper()

    for name in ("AWSServiceRoleForX", "AWSServiceRoleForX", "awsservicerolefory", "R_suf"):
        assert key_of("111122223333", name) == role_key("111122223333", name)
    odd = Shouting("AWSServiceRoleForX")
    assert key_of("111122223333", odd) == role_key("111122223333", odd)
    assert key_of("111122223333", "AWSServiceRoleForX")[1] == "awsservicerolefor" + "x"


def test_a_parameter_remembers_only_texts_its_pattern_matches() -> None:
    """A text that matched is accepted again from memory; one that did not is refused every
    time, in the same words."""
    role_name = Param("RoleName", required=True, max_length=64, pattern=NAME_PATTERN)
    for _ in range(2):
        validate((role_name,), {"RoleName": "AWSServiceRoleForX"})
        with pytest.raises(ValidationError, match="regular expression pattern"):
            validate((role_name,), {"RoleName": "no spaces"})
    assert role_name.matches("AWSServiceRoleForX")
    assert not role_name.matches("no spaces")
