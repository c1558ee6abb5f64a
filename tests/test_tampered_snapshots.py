"""Tampered snapshots: a snapshot describing a world that cannot happen is refused with a
:class:`~slr_fsm.errors.SnapshotError` naming the field; one that is accepted restores a world
that works (it snapshots to itself, its clock settles, every move answers or refuses with a
typed error, and every registered invariant holds).

Two kinds of test: one per kind of impossible world (each named after what it proves), and a
sweep that changes every field of the snapshots of several worlds in several ways.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from slr_fsm import Simulation, SlrFsmError
from slr_fsm.errors import SnapshotError
from slr_fsm.invariants import INVARIANTS
from slr_fsm.moves import default_moves
from tests.conftest import MANAGEMENT, MEMBER, ROLE, SERVICE, STANDALONE
from tests.snapshot_formats import format_two
from tests.test_hostile_input import world

Path = tuple[Any, ...]


def snapshot_of(name: str) -> dict[str, Any]:
    """A fresh snapshot of one of the hostile-input suite's base worlds."""
    return world(name).snapshot()


def at(snap: Any, path: Path) -> Any:
    for step in path:
        snap = snap[step]
    return snap


def tampered(snap: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """A deep copy of ``snap`` with the value at ``path`` replaced (or deleted: ``DELETE``)."""
    changed = copy.deepcopy(snap)
    parent = at(changed, path[:-1])
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return changed


DELETE = object()


def refused_field(snap: Any) -> str:
    """The field a refused snapshot's error names (fails if the snapshot is accepted)."""
    with pytest.raises(SnapshotError) as refused:
        Simulation.restore(snap)
    return refused.value.field


# ------------------------------------------------------------------------------ one kind a test


def _role_index(snap: dict[str, Any], account: str = MANAGEMENT) -> int:
    return snap["roles"]["account_id"].index(account)  # type: ignore[no-any-return]


def test_a_member_account_owning_the_integration_is_refused():
    """The billing integration belongs to a management (or standalone) account, never a member."""
    snap = snapshot_of("active")
    snap["usage"].append([SERVICE, "integration", MEMBER, True])
    assert refused_field(snap) == "usage"


def test_an_active_role_without_a_role_id_is_refused():
    """An active role has a RoleId and a CreateDate."""
    snap = snapshot_of("active")
    n = _role_index(snap)
    assert refused_field(tampered(snap, ("roles", "role_id", n), None)) == f"roles.role_id[{n}]"


def test_two_roles_with_one_role_id_are_refused():
    """RoleIds are unique across the world, past ones included."""
    snap = snapshot_of("active")
    n = _role_index(snap)
    role_id = snap["roles"]["role_id"][n]
    snap["roles"]["previous_role_ids"] = [[n, [role_id]]]
    assert refused_field(snap) == f"roles.role_id[{n}]"


def test_a_rewound_id_counter_is_refused():
    """An id counter behind the ids issued would issue them again."""
    snap = snapshot_of("deleting")
    assert refused_field(tampered(snap, ("ids",), 1)) == "ids"
    assert refused_field(tampered(snap, ("ids",), snap["ids"] - 1)) == "ids"


def test_a_deletion_task_for_a_role_that_never_existed_is_refused():
    """A deletion task names a role the snapshot holds."""
    snap = snapshot_of("deleting")
    n = _role_index(snap)
    for key, column in snap["roles"].items():
        if key in ("previous_role_ids", "tags"):  # [role number, list] for some roles
            column[:] = [[m - (m > n), v] for m, v in column if m != n]
        else:
            del column[n]
    assert refused_field(snap).startswith("tasks")


def test_two_unfinished_tasks_for_one_role_are_refused():
    """A role has at most one unfinished deletion task."""
    snap = snapshot_of("deleting")
    task = copy.deepcopy(snap["tasks"][-1])
    task["task_id"] = task["task_id"][:-12] + "000000000000"
    snap["tasks"].append(task)
    assert refused_field(snap) == "tasks[1]"


@pytest.mark.parametrize("due", [-1.0, math.nan, math.inf, "later", None, 10**400])
def test_pending_work_in_the_past_or_at_no_finite_time_is_refused(due):
    """Pending work is due at a finite time no earlier than the clock's now (NaN would make
    settle() loop for ever)."""
    snap = snapshot_of("deleting")
    assert snap["pending"]
    assert refused_field(tampered(snap, ("pending", 0, 0), due)).startswith("pending[0]")


@pytest.mark.parametrize("elapsed", [-1.0, math.nan, math.inf, -math.inf, 10**400, "0"])
def test_a_clock_before_its_start_or_at_no_finite_time_is_refused(elapsed):
    """The clock reads a finite time no earlier than its start."""
    snap = snapshot_of("active")
    assert refused_field(tampered(snap, ("clock", "elapsed"), elapsed)) == "clock.elapsed"


@pytest.mark.parametrize(
    "path",
    [
        ("organizations",),
        ("roles",),
        ("roles", "state"),
        ("roles", "tags"),
        ("tasks",),
        ("pending",),
        ("subscriptions",),
        ("usage",),
        ("principals",),
        ("account_order",),
        ("standalone_accounts",),
        ("standalone_accounts", "name"),
        ("organizations", 0, "accounts", "account_id"),
        ("specs",),
    ],
)
def test_a_string_where_a_list_or_columns_belong_is_refused(path):
    """Each list of a snapshot is a list, and each object of columns an object (a string is
    refused, never iterated)."""
    snap = snapshot_of("deleting")
    field = ".".join(f"[{step}]" if isinstance(step, int) else step for step in path)
    assert refused_field(tampered(snap, path, "not a list")) == field.replace(".[", "[")


def test_two_organizations_with_one_id_are_refused():
    """Organization ids are unique."""
    sim = Simulation.default()
    sim.add_organization("210987654321", ["310987654321"], organization_id="o-second0000")
    snap = sim.snapshot()
    snap["organizations"][1]["id"] = snap["organizations"][0]["id"]
    assert refused_field(snap) == "organizations[1]"


@pytest.mark.parametrize("org_id", ["o-", "O-ABCDEFGHIJ", "x", "o-" + "a" * 33, "o-\ud800" * 5])
def test_an_organization_id_aws_would_not_issue_is_refused(org_id):
    """An organization id matches AWS Organizations' pattern ``^o-[a-z0-9]{10,32}$``."""
    snap = snapshot_of("default")
    assert refused_field(tampered(snap, ("organizations", 0, "id"), org_id)) == "organizations[0]"


def test_a_user_named_like_another_in_another_case_is_refused():
    """IAM user names are unique regardless of case: a snapshot cannot hold ADMIN beside admin."""
    snap = snapshot_of("default")
    snap["principals"].append(
        {"name": "ADMIN", "account_id": MANAGEMENT, "policies": [_allow_all()]}
    )
    assert refused_field(snap) == "principals[0]"


def test_a_principal_listed_twice_is_refused():
    """Each user appears once in a snapshot."""
    snap = snapshot_of("default")
    user = {"name": "auditor", "account_id": STANDALONE, "policies": [_allow_all()]}
    snap["principals"] += [user, copy.deepcopy(user)]
    assert refused_field(snap) == "principals[1]"


def _allow_all() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }


# ------------------------------------------------------------------------------ the sweep


def leaves(value: Any, path: Path = ()) -> Iterator[Path]:
    """Every path in a JSON value, containers included (deepest last)."""
    yield path
    if isinstance(value, dict):
        for key in value:
            yield from leaves(value[key], (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from leaves(item, (*path, n))


def variants(value: Any) -> list[Any]:
    """Ways to tamper with one value: another type, an out-of-range number, an empty or
    doubled container, a near miss of a string."""
    found: list[Any] = [DELETE, None]
    if isinstance(value, bool):
        found += [not value, 1]
    elif isinstance(value, int | float):
        found += [-1, math.nan, 10**400, str(value), value + 1]
    elif isinstance(value, str):
        found += ["", value.upper(), value + "x", 7, [value]]
    elif isinstance(value, list):
        found += ["not a list", [], value + value[:1], list(reversed(value))]
    elif isinstance(value, dict):
        found += [[], {}]
    return found


def usable(sim: Simulation) -> str | None:
    """Why a restored world does not work, or ``None``: it snapshots to strict JSON and to
    itself, its invariants hold, every move answers or refuses, and its clock settles."""
    snap = sim.snapshot()
    json.dumps(snap, allow_nan=False)
    if Simulation.restore(snap).snapshot() != snap:
        return "restores to another world"
    for check in INVARIANTS.values():
        if check.on == "state" and not check.holds_in(sim):
            return f"breaks {check.name}"
    probe = sim.fork()
    for move in default_moves(probe)[::7]:
        with contextlib.suppress(SlrFsmError):
            move.apply(probe)
    with contextlib.suppress(SlrFsmError):
        sim.fork().settle()
    return None


SWEPT = ("active", "deleting", "suffixes")
FORMAT_2_SECTIONS = ("roles", "standalone_accounts", "organizations")


def sweep(name: str, *, old: bool = False) -> Iterator[tuple[Path, Any, str]]:
    """Each tampering of one world's snapshot, and what came of it: ``refused``,
    ``accepted`` (a world that works), or a problem. ``old``: of its format 2 snapshot, in the
    sections format 3 changed (roles and accounts)."""
    snap = format_two(snapshot_of(name)) if old else snapshot_of(name)
    for path in leaves(snap):
        if not path or (old and path[0] not in FORMAT_2_SECTIONS):
            continue
        for value in variants(at(snap, path)):
            changed = tampered(snap, path, value)
            try:
                restored = Simulation.restore(changed)
            except SnapshotError:
                yield path, value, "refused"
                continue
            except Exception as crash:
                yield path, value, f"crash {type(crash).__name__}: {crash}"[:200]
                continue
            try:
                why = usable(restored)
            except Exception as crash:
                why = f"crashes later {type(crash).__name__}: {crash}"[:200]
            yield path, value, "accepted" if why is None else why


@pytest.mark.parametrize("name", SWEPT)
def test_every_tampered_field_is_refused_or_restores_a_working_world(name):
    """Each field of the snapshot, changed in each of several ways, gives a SnapshotError or a
    world that works: never another exception, never a world that breaks later."""
    problems = [
        (path, value, outcome)
        for path, value, outcome in sweep(name)
        if outcome not in ("refused", "accepted")
    ]
    assert not problems, problems[:10]


@pytest.mark.parametrize("name", ["deleting", "suffixes"])
def test_every_tampered_role_or_account_of_a_format_2_snapshot_is_refused_or_works(name):
    """The same for snapshots saved before roles and accounts became columns: each field of
    their roles and accounts, changed in each way, is refused or restores a world that works."""
    problems = [
        (path, value, outcome)
        for path, value, outcome in sweep(name, old=True)
        if outcome not in ("refused", "accepted")
    ]
    assert not problems, problems[:10]


_ = (ROLE, Callable)
