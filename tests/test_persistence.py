"""Snapshots: every round trip is exact, and restore refuses every impossible or malformed world
with a SnapshotError naming the field (never another exception)."""

from __future__ import annotations

import contextlib
import copy
import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from slr_fsm import Simulation
from slr_fsm.clock import MAX_SECONDS, Latencies
from slr_fsm.errors import AwsError, SnapshotError, UsageError
from slr_fsm.faults import UsageReporting
from slr_fsm.iam_operations import IAM_OPERATIONS_BY_METHOD
from tests.conftest import MANAGEMENT, MEMBER, ROLE, SERVICE, STANDALONE
from tests.snapshot_formats import format_two

MEMBER_B = "777788889999"
ACCOUNTS = (MANAGEMENT, MEMBER, MEMBER_B, STANDALONE)
AUDITOR_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:DeleteServiceLinkedRole", "Resource": "*"},
    ],
}


def restored(snap: Any) -> Simulation:
    return Simulation.restore(snap)


def refused(snap: Any) -> SnapshotError:
    """The SnapshotError restoring ``snap`` raises (the test fails if it restores)."""
    with pytest.raises(SnapshotError) as caught:
        Simulation.restore(snap)
    return caught.value


# ----------------------------------------------------------------------------- worlds


def rich_world(seed: int = 3) -> Simulation:
    """Roles in two accounts (one active, one with a deletion under way), the integration on,
    a purchase order attached, a custom principal, and pending work."""
    sim = Simulation.default(seed=seed)
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    sim.iam(STANDALONE).create_service_linked_role(AWSServiceName=SERVICE, Description="mine")
    sim.settle()
    member_sub = sim.subscriptions_of(MEMBER)[0].subscription_id
    sim.marketplace(MEMBER).attach_purchase_order(member_sub, "PO-1")
    sim.add_principal(STANDALONE, "auditor", [AUDITOR_POLICY])
    sim.iam(STANDALONE).delete_service_linked_role(RoleName=ROLE)
    return sim


def failed_deletion_world() -> Simulation:
    """The management account's role after a deletion failed (resources in use), re-requested."""
    sim = Simulation.default(seed=4, latencies=Latencies(task_retention=30))
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    sim.settle()
    sim.iam(MANAGEMENT).delete_service_linked_role(RoleName=ROLE)
    sim.advance(11)
    sim.iam(MANAGEMENT).delete_service_linked_role(RoleName=ROLE)
    sim.inject_creation_failure(2)
    sim.set_usage_reporting("some")
    return sim


def creating_world() -> Simulation:
    """A creation under way, with a second organization given its own id."""
    sim = Simulation.default(seed=5)
    sim.add_organization("210987654321", ["310987654321"], organization_id="o-second0000")
    sim.iam(MEMBER).create_service_linked_role(AWSServiceName=SERVICE)
    sim.advance(3.25)
    return sim


def format_one(snap: dict[str, Any]) -> dict[str, Any]:
    """The rich world's format 2 snapshot as format 1 wrote it (integrations and purchase orders
    apart)."""
    old = copy.deepcopy(snap)
    old["format"] = 1
    del old["usage"]
    old["integrations"] = [MANAGEMENT]
    old["subscriptions"] = [
        [*sub, ["PO-1"] if sub[1] == MEMBER and n == 2 else []]
        for n, sub in enumerate(old["subscriptions"])
    ]
    return old


BASES = {
    "rich": rich_world().snapshot(),
    "failed": failed_deletion_world().snapshot(),
    "creating": creating_world().snapshot(),
    "untouched": Simulation.default(seed=6).snapshot(),
}
BASES["format 2"] = format_two(BASES["rich"])
BASES["creating 2"] = format_two(BASES["creating"])
BASES["format 1"] = format_one(BASES["format 2"])
OLD_FORMATS = ("format 1", "format 2", "creating 2")


def base(name: str = "rich") -> dict[str, Any]:
    """A deep copy of one of the base snapshots, to tamper with."""
    return copy.deepcopy(BASES[name])


def test_the_base_worlds_are_what_the_tests_below_assume():
    """The rich world's roles are [management active, standalone active] with one open task and
    two pending pieces of work; the others restore as they are."""
    snap = base()
    assert list(zip(snap["roles"]["account_id"], snap["roles"]["state"], strict=True)) == [
        (MANAGEMENT, "active"),
        (STANDALONE, "active"),
    ]
    assert [(r["account_id"], r["state"]) for r in base("format 2")["roles"]] == [
        (MANAGEMENT, "active"),
        (STANDALONE, "active"),
    ]
    assert [t["status"] for t in snap["tasks"]] == ["NOT_STARTED"]
    assert [p[2] for p in snap["pending"]] == ["start_deletion", "finish_deletion"]
    for name, snap in BASES.items():
        if name not in OLD_FORMATS:
            assert restored(snap).snapshot() == snap


# ----------------------------------------------------------------------------- round trips

accounts = st.sampled_from(ACCOUNTS)
principals = st.sampled_from(("admin", "admin", "readonly"))
seconds = st.one_of(
    st.integers(0, 30), st.floats(0, 30, allow_nan=False), st.sampled_from((0.1, 1e-9, 9.999))
)
steps = st.one_of(
    st.tuples(
        st.just("console"),
        accounts,
        principals,
        st.sampled_from(
            (
                "configure_billing_integration",
                "remove_billing_integration",
                "attach_purchase_order",
                "detach_purchase_order",
                "subscriptions",
            )
        ),
        st.integers(0, 1),
        st.sampled_from(("PO-1", "PO-2")),
    ),
    st.tuples(
        st.just("iam"),
        accounts,
        principals,
        st.sampled_from(
            (
                "create_service_linked_role",
                "delete_service_linked_role",
                "update_role_description",
                "get_service_linked_role_deletion_status",
                "delete_role",
            )
        ),
        st.text(alphabet="abc ", max_size=5),
    ),
    st.tuples(st.just("advance"), seconds),
    st.tuples(st.sampled_from(("settle", "run_next"))),
    st.tuples(st.just("fail"), st.integers(0, 2)),
    st.tuples(st.just("reporting"), st.sampled_from([m.value for m in UsageReporting])),
    st.tuples(st.just("principal"), accounts, st.sampled_from(("auditor", "admin", "x"))),
    st.tuples(st.just("subscription"), accounts, st.sampled_from(("us-east-1", "ap-south-1"))),
    st.tuples(st.just("account"), st.sampled_from(("210987654321", "310987654321"))),
)
latencies = st.builds(
    Latencies,
    st.sampled_from((0.0, 1.0, 10.0)),
    st.sampled_from((0.0, 2.0)),
    st.sampled_from((0.0, 0.5, 8.0)),
    st.sampled_from((None, 0.0, 5.0)),
)


def apply(sim: Simulation, step: tuple[Any, ...], tasks: list[str]) -> None:
    """Run one drawn step; refusals (AWS's, or a misuse the library refuses) are part of it."""
    kind = step[0]
    try:
        if kind == "console":
            _, account, principal, operation, n, po = step
            console = sim.marketplace(account, principal)
            if operation.endswith("purchase_order"):
                subs = sim.subscriptions_of(account)
                getattr(console, operation)(subs[n % len(subs)].subscription_id, po)
            else:
                getattr(console, operation)()
        elif kind == "iam":
            _, account, principal, method, text = step
            iam = sim.iam(account, principal)
            kwargs = {
                "create_service_linked_role": {"AWSServiceName": SERVICE, "Description": text},
                "delete_service_linked_role": {"RoleName": ROLE},
                "update_role_description": {"RoleName": ROLE, "Description": text},
                "get_service_linked_role_deletion_status": {
                    "DeletionTaskId": tasks[-1] if tasks else "task/aws-service-role/x/y/z"
                },
                "delete_role": {"RoleName": ROLE},
            }[method]
            assert method in IAM_OPERATIONS_BY_METHOD
            answer = getattr(iam, method)(**kwargs)
            if "DeletionTaskId" in answer:
                tasks.append(answer["DeletionTaskId"])
        elif kind == "advance":
            sim.advance(step[1])
        elif kind in ("settle", "run_next"):
            getattr(sim, kind)()
        elif kind == "fail":
            sim.inject_creation_failure(step[1])
        elif kind == "reporting":
            sim.set_usage_reporting(step[1])
        elif kind == "principal":
            sim.add_principal(step[1], step[2], [AUDITOR_POLICY])
        elif kind == "subscription":
            sim.add_subscription(step[1], step[2], "Drawn product")
        else:
            sim.add_account(step[1], "drawn")
    except (AwsError, UsageError):
        pass


def assert_round_trips(sim: Simulation) -> None:
    snap = sim.snapshot()
    assert restored(snap).snapshot() == snap
    through_json = json.loads(json.dumps(snap))
    assert through_json == snap  # plain JSON data, nothing lost on the way
    twin = restored(through_json)
    assert twin.snapshot() == snap
    assert twin.same_state(sim)
    assert sim.same_state(twin)
    assert twin.abstract_state() == sim.abstract_state()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**64), lat=latencies, script=st.lists(steps, max_size=14))
def test_every_snapshot_round_trip_is_exact(seed, lat, script):
    """After any sequence of calls, clock moves, faults and world edits, restore(snapshot())
    snapshots to the same data (directly, through json.dumps/loads, and from the same world
    written in format 2), is the same state, and behaves the same from there on."""
    sim = Simulation.default(seed=seed, latencies=lat)
    tasks: list[str] = []
    for step in script:
        apply(sim, step, tasks)
        assert_round_trips(sim)
    twin = restored(json.loads(json.dumps(sim.snapshot())))
    assert restored(format_two(sim.snapshot())).snapshot() == sim.snapshot()  # format 2 alike
    follow_up = [
        ("console", MANAGEMENT, "admin", "configure_billing_integration", 0, "PO-1"),
        ("iam", STANDALONE, "admin", "delete_service_linked_role", ""),
        ("settle",),
    ]
    logged = []
    for world in (sim, twin):
        first = len(world.trace)
        for step in follow_up:
            apply(world, step, list(tasks))
        logged.append([{**e.to_json_value(), "seq": None} for e in world.trace[first:]])
    assert twin.snapshot() == sim.snapshot()
    assert logged[0] == logged[1]


def test_a_world_at_the_end_of_time_round_trips():
    """With the longest latencies, settle() and run_next() refuse to run the clock past the
    furthest a simulation runs (so it never leaves the calendar, nor what restore accepts): the
    work due later stays pending, and the world still snapshots and restores exactly."""
    longest = Latencies(MAX_SECONDS, MAX_SECONDS, MAX_SECONDS, MAX_SECONDS)
    sim = Simulation.default(latencies=longest)
    for _ in range(4):  # set up, delete, set up again...: each settle() runs the clock on
        sim.marketplace(MANAGEMENT).configure_billing_integration()
        sim.marketplace(MANAGEMENT).remove_billing_integration()
        with contextlib.suppress(AwsError):
            sim.iam(MANAGEMENT).delete_service_linked_role(RoleName=ROLE)
        with contextlib.suppress(UsageError):
            sim.settle()
        assert sim.clock.elapsed <= 2 * MAX_SECONDS
        assert sim.now.year < 9999
        assert_round_trips(sim)
    sim.advance(2 * MAX_SECONDS - sim.clock.elapsed)
    with contextlib.suppress(AwsError):
        sim.marketplace(MANAGEMENT).configure_billing_integration()
    with pytest.raises(UsageError, match="furthest"):
        sim.run_next()
    with pytest.raises(UsageError, match="furthest"):
        sim.settle()
    assert sim.pending_work >= 1
    assert_round_trips(sim)


def test_a_restored_world_is_the_same_state_whatever_its_heap_layout():
    """same_state() compares pending work as the work it is, not as the heap's list layout:
    a restored world (its heap rebuilt in order) is the same state as the original."""
    sim = Simulation.default(latencies=Latencies(creation=1.0))
    sim.iam(STANDALONE).create_service_linked_role(AWSServiceName=SERVICE)
    sim.settle()
    sim.iam(STANDALONE).delete_service_linked_role(RoleName=ROLE)  # work due at 3 and 11
    sim.advance(1)
    sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)  # due at 3
    twin = Simulation.restore(sim.snapshot())
    assert [p[0] for p in sim.snapshot()["pending"]] == [3.0, 3.0, 11.0]
    assert twin.same_state(sim)
    assert sim.same_state(twin)
    sim.settle()
    assert not twin.same_state(sim)


# ----------------------------------------------------------------------------- impossible worlds


def _with_second_organization(snap: dict[str, Any]) -> None:
    snap["organizations"][1]["id"] = snap["organizations"][0]["id"]


def _duplicate_open_task(snap: dict[str, Any]) -> None:
    twin = dict(snap["tasks"][0], task_id=snap["tasks"][0]["task_id"][:-4] + "ffff")
    snap["tasks"].append(twin)


def _drop_standalone_role(snap: dict[str, Any]) -> None:
    snap["roles"] = [r for r in snap["roles"] if r["account_id"] != STANDALONE]


def _drop_standalone_column(snap: dict[str, Any]) -> None:
    n = snap["roles"]["account_id"].index(STANDALONE)
    for key, column in snap["roles"].items():
        if key in ("previous_role_ids", "tags"):
            assert all(entry[0] < n for entry in column)
        else:
            del column[n]


def _columns(snap: dict[str, Any]) -> dict[str, Any]:
    return snap["roles"]  # type: ignore[no-any-return]


IMPOSSIBLE: dict[str, tuple[str, Callable[[dict[str, Any]], Any], str, str]] = {
    # name: (base world, tampering, field, words of the message)
    "a member account owns the integration": (
        "rich",
        lambda s: s["usage"].append([SERVICE, "integration", MEMBER, True]),
        "usage",
        "member account 444455556666",
    ),
    "an active role without RoleId (format 2)": (
        "format 2",
        lambda s: s["roles"][0].update(role_id=None),
        "roles[0].role_id",
        "RoleId",
    ),
    "an active role without CreateDate (format 2)": (
        "format 2",
        lambda s: s["roles"][0].update(create_date=None),
        "roles[0].role_id",
        "CreateDate",
    ),
    "two roles with one RoleId (format 2)": (
        "format 2",
        lambda s: s["roles"][1].update(role_id=s["roles"][0]["role_id"]),
        "roles[1].role_id",
        "not unique",
    ),
    "a RoleId that is also a previous one (format 2)": (
        "format 2",
        lambda s: s["roles"][0].update(previous_role_ids=[s["roles"][0]["role_id"]]),
        "roles[0].role_id",
        "not unique",
    ),
    "an active role without RoleId": (
        "rich",
        lambda s: _columns(s)["role_id"].__setitem__(0, None),
        "roles.role_id[0]",
        "RoleId",
    ),
    "an active role without CreateDate": (
        "rich",
        lambda s: _columns(s)["create_date"].__setitem__(0, None),
        "roles.role_id[0]",
        "CreateDate",
    ),
    "two roles with one RoleId": (
        "rich",
        lambda s: _columns(s)["role_id"].__setitem__(1, _columns(s)["role_id"][0]),
        "roles.role_id[1]",
        "not unique",
    ),
    "a RoleId that is also a previous one": (
        "rich",
        lambda s: _columns(s).update(previous_role_ids=[[0, [_columns(s)["role_id"][0]]]]),
        "roles.role_id[0]",
        "not unique",
    ),
    "an account in two places": (
        "rich",
        lambda s: [
            s["standalone_accounts"]["account_id"].append(MEMBER),
            s["standalone_accounts"]["name"].append("again"),
        ],
        "standalone_accounts.account_id[1]",
        "already",
    ),
    "an account id nested deeper than repr goes": (
        "rich",
        lambda s: s["standalone_accounts"]["account_id"].__setitem__(0, _deep(3000)),
        "standalone_accounts.account_id",
        "",
    ),
    "work finishing a creation nobody asked for": (
        "creating",
        lambda s: _columns(s)["state"].__setitem__(0, "active"),
        "pending",
        "not being created",
    ),
    "a deleted role still in use": (
        "rich",
        lambda s: _columns(s)["state"].__setitem__(0, "deleted"),
        "roles",
        "deleted but still in use",
    ),
    "an id counter rewound": ("rich", lambda s: s.update(ids=1), "ids", "behind"),
    "a negative id counter": ("untouched", lambda s: s.update(ids=-1), "ids", "only grows"),
    "a task for a missing role (format 2)": (
        "format 2",
        _drop_standalone_role,
        "tasks[0]",
        "never existed",
    ),
    "a task for a missing role": ("rich", _drop_standalone_column, "tasks[0]", "never existed"),
    "two open tasks for one role": ("rich", _duplicate_open_task, "tasks[1]", "two unfinished"),
    "two tasks with one id": (
        "rich",
        lambda s: s["tasks"].append(dict(s["tasks"][0], status="SUCCEEDED")),
        "tasks[1].task_id",
        "two tasks",
    ),
    "an open task nothing will finish": (
        "rich",
        lambda s: s.update(pending=s["pending"][:1]),
        "tasks",
        "nothing will finish",
    ),
    "pending work in the past": (
        "rich",
        lambda s: s["clock"].update(elapsed=s["pending"][0][0] + 1),
        "pending[0].due",
        "past",
    ),
    "pending work at NaN": (
        "rich",
        lambda s: s["pending"][0].__setitem__(0, math.nan),
        "pending[0].due",
        "finite",
    ),
    "pending work at infinity": (
        "rich",
        lambda s: s["pending"][1].__setitem__(0, math.inf),
        "pending[1].due",
        "finite",
    ),
    "pending work of an unknown kind": (
        "rich",
        lambda s: s["pending"][0].__setitem__(2, "reboot"),
        "pending[0].kind",
        "unknown",
    ),
    "pending work numbered past pending_seq": (
        "rich",
        lambda s: s.update(pending_seq=0),
        "pending_seq",
        "behind",
    ),
    "a creating role no work will finish": (
        "creating",
        lambda s: s.update(pending=[]),
        "roles",
        "no work will finish",
    ),
    "work finishing a creation nobody asked for (format 2)": (
        "creating 2",
        lambda s: s["roles"][0].update(state="active"),
        "pending",
        "not being created",
    ),
    "an id counter rewound by two": (
        "rich",
        lambda s: s.update(ids=s["ids"] - 2),
        "ids",
        "issue one of them again",
    ),
    "a deleted role still in use (format 2)": (
        "format 2",
        lambda s: s["roles"][0].update(state="deleted"),
        "roles",
        "deleted but still in use",
    ),
    "a usage record of a kind its model does not keep": (
        "rich",
        lambda s: s["usage"].append([SERVICE, "licenses", "x", True]),
        "usage",
        "no records of kind",
    ),
    "a deletion finishing twice": (
        "rich",
        lambda s: s.update(
            pending=[*s["pending"], [s["pending"][-1][0], 99, *s["pending"][-1][2:]]],
            pending_seq=99,
        ),
        "pending",
        "pending twice",
    ),
    "a finished task with no end time": (
        "failed",
        lambda s: s["tasks"][0].update(finished_at=None),
        "tasks[0].finished_at",
        "end time",
    ),
    "a snapshot taken with a usage model restore was not given": (
        "rich",
        lambda s: s["usage_models"].update({SERVICE: "mine:Orders"}),
        "usage_models",
        "pass usage_models",
    ),
    "a clock before its start": (
        "rich",
        lambda s: s["clock"].update(elapsed=-1.0),
        "clock.elapsed",
        "before its start",
    ),
    "a clock at NaN": ("rich", lambda s: s["clock"].update(elapsed=math.nan), "clock.elapsed", ""),
    "a clock past the furthest a simulation runs": (
        "creating",
        lambda s: s["clock"].update(elapsed=1e300),
        "clock.elapsed",
        "",
    ),
    "a clock past the end of the calendar": (
        "creating",
        lambda s: s["clock"].update(start="9999-12-31T23:59:59+00:00"),
        "clock.elapsed",
        "",
    ),
    "a string where a list belongs": ("format 2", lambda s: s.update(roles="x"), "roles", "list"),
    "a string where columns belong": ("rich", lambda s: s.update(roles="x"), "roles", "dict"),
    "a list where a dict belongs": ("rich", lambda s: s.update(clock=[]), "clock", "dict"),
    "two organizations with one id": (
        "creating",
        _with_second_organization,
        "organizations[1]",
        "already",
    ),
    "an account in two places (format 2)": (
        "format 2",
        lambda s: s["standalone_accounts"].append([MEMBER, "again"]),
        "standalone_accounts[1]",
        "already",
    ),
    "an account order naming an account by number": (
        "rich",
        lambda s: s["account_order"].__setitem__(0, int(MANAGEMENT)),
        "account_order",
        "",
    ),
    "an account order missing an account": (
        "rich",
        lambda s: s["account_order"].pop(),
        "account_order",
        "every account",
    ),
    "a principal of an unknown account": (
        "rich",
        lambda s: s["principals"][0].update(account_id="999999999999"),
        "principals[0].account_id",
        "no such account",
    ),
    "purchase orders on an unknown subscription": (
        "rich",
        lambda s: s["usage"].append([SERVICE, "purchase_orders", "agmt-none", ["PO"]]),
        "usage",
        "unknown subscription",
    ),
    "a usage record whose service is a list": (
        "rich",
        lambda s: s["usage"].append([[SERVICE], "k", "v", True]),
        "usage[2]",
        "no spec",
    ),
    "a format-1 integration owner that is not a string": (
        "format 1",
        lambda s: s["integrations"].append(_deep(3000)),
        "integrations[1]",
        "not an account id",
    ),
    "a usage record of an unknown service": (
        "rich",
        lambda s: s["usage"].append(["ec2.amazonaws.com", "k", "v", True]),
        "usage[",
        "",
    ),
    "an unknown snapshot format": ("rich", lambda s: s.update(format=99), "format", "unknown"),
    "a snapshot with no format": ("rich", lambda s: s.pop("format"), "format", "unknown"),
    "a format that is a float": ("rich", lambda s: s.update(format=3.0), "format", "unknown"),
    "a format that is a bool": ("rich", lambda s: s.update(format=True), "format", "unknown"),
    "an int too large for a float as the clock": (
        "rich",
        lambda s: s["clock"].update(elapsed=10**400),
        "clock.elapsed",
        "",
    ),
    "an int too large for a float as a latency": (
        "rich",
        lambda s: s["latencies"].update(creation=10**400),
        "latencies",
        "",
    ),
    "an int too large for a float as a due time": (
        "rich",
        lambda s: s["pending"][0].__setitem__(0, 10**400),
        "pending[0]",
        "",
    ),
    "an account id nested deeper than repr goes (format 2)": (
        "format 2",
        lambda s: s["standalone_accounts"][0].__setitem__(0, _deep(3000)),
        "standalone_accounts[0]",
        "",
    ),
    "a task's resources nested deeper than repr goes": (
        "failed",
        lambda s: s["tasks"][0].update(role_usage=[["us-east-1", _deep(3000)]]),
        "tasks[0]",
        "",
    ),
    "a task's resources not strings": (
        "failed",
        lambda s: s["tasks"][0].update(role_usage=[["us-east-1", [1, 2]]]),
        "tasks[0]",
        "",
    ),
}


def _deep(depth: int) -> list[Any]:
    nested: list[Any] = []
    for _ in range(depth):
        nested = [nested]
    return nested


@pytest.mark.parametrize("case", sorted(IMPOSSIBLE))
def test_an_impossible_world_is_refused_naming_the_field(case):
    """Each impossible or malformed world is refused with a SnapshotError whose field says where."""
    world, tamper, field, words = IMPOSSIBLE[case]
    snap = base(world)
    tamper(snap)
    error = refused(snap)
    assert error.field.startswith(field), (error.field, str(error))
    assert words in str(error)
    assert str(error).startswith(f"Snapshot field {error.field}: ")


def test_every_base_field_is_needed():
    """Deleting any top-level key of a snapshot is refused with a SnapshotError naming it."""
    for key in BASES["rich"]:
        snap = base()
        del snap[key]
        error = refused(snap)
        assert key in error.field or key in str(error), (key, str(error))


def test_something_that_is_not_a_snapshot_is_refused():
    """A list, a string or None is refused at the top, not with a TypeError."""
    for bad in ([], "snapshot", None, 3, {"format": 2}):
        assert isinstance(refused(bad), UsageError)


def test_format_one_snapshots_are_still_read():
    """A format-1 snapshot (integrations and purchase orders kept apart) restores to the world a
    format-3 snapshot describes."""
    assert restored(base("format 1")).snapshot() == BASES["rich"]


# ----------------------------------------------------------------------------- random tampering

_HUGE = (2**64, 10**400, -(10**400), 10**5000)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (keys of dicts, indexes of lists), parents first."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*prefix, index)))
    return found


PATHS = {name: _paths(snap) for name, snap in BASES.items()}
replacements = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.sampled_from(_HUGE),
    st.sampled_from((-1, 0, 1, True, 0.5, math.nan, math.inf, -math.inf, "x", "")),
    st.sampled_from(  # containers built afresh: a later tampering may edit them in place
        (
            lambda: [[]],
            lambda: [[1, [2]]],
            lambda: [[None]],
            dict,
            lambda: {"x": [1]},
            lambda: _deep(1200),
            lambda: _deep(3000),
        )
    ).map(lambda build: build()),
)


@st.composite
def tamperings(draw):
    name = draw(st.sampled_from(sorted(BASES)))
    snap = base(name)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS[name]))
        parent: Any = snap
        try:
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier tampering removed or replaced this place
        if not isinstance(parent, dict | list):
            continue  # ... or put text where it was
        if draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(replacements)
    return snap


@settings(max_examples=400, deadline=None)
@given(snap=tamperings())
def test_a_tampered_snapshot_restores_or_raises_snapshot_error(snap):
    """Deleting keys or items, or putting None, text, huge ints, nested or deep lists, NaN and the
    like anywhere in a valid snapshot, restore either works or raises SnapshotError, never
    another exception; a world it accepts snapshots, restores again and runs its clock."""
    try:
        world = Simulation.restore(snap)
    except SnapshotError:
        event("refused")
        return
    event("restored")
    again = world.snapshot()
    assert Simulation.restore(again).snapshot() == again
    world.now  # noqa: B018 - a time the calendar has
    with contextlib.suppress(UsageError):
        world.settle()
    world.snapshot()


@pytest.mark.parametrize(
    ("tamper", "field"),
    [
        (lambda s: s["roles"][0].update(previous_role_ids=[[[[1]]]]), "roles[0].previous_role_ids"),
        (lambda s: s["roles"][0].update(role_id="xyz"), "roles[0].role_id"),
        (lambda s: s["roles"][0].update(description="d" * 5000), "roles[0].description"),
        (lambda s: s["roles"][0].update(create_date="2999-01-01T00:00:00+00:00"), "roles[0]"),
        (lambda s: s.update(extra=1), "extra"),
        (lambda s: s["roles"].__setitem__(0, 7), "roles[0]"),
        (lambda s: s["usage"][-1].__setitem__(3, ["bad!!po"]), "usage"),
    ],
    ids=["nested RoleIds", "not a RoleId", "long description", "created in the future",
         "unknown key", "a role that is a number", "a bad purchase-order number"],
)
def test_values_no_simulation_could_hold_are_refused(tamper, field):
    """RoleIds of another shape, descriptions IAM would refuse, roles created after the clock,
    unknown keys and purchase-order numbers the console refuses are refused by field, with a
    bounded message (even for a value nested deep), in a format 2 snapshot."""
    snap = base("format 2")
    tamper(snap)
    error = refused(snap)
    assert error.field.startswith(field), (error.field, str(error))
    assert len(str(error)) < 400
