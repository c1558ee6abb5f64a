"""Snapshot format 3: roles and accounts as columns. A snapshot of a world of many roles holds a
few lists, not a dict and two lists a role; a column of the wrong shape, or an entry no
simulation could hold, is refused with a SnapshotError naming the column and the entry; and a
snapshot saved in format 2 (one object a role, a pair an account) restores to the same world."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm import Simulation
from slr_fsm._world.snapshot_roles import iso_times
from slr_fsm.clock import Latencies
from tests.conftest import MANAGEMENT, ROLE, SERVICE, STANDALONE
from tests.snapshot_formats import format_two
from tests.test_persistence import BASES, base, refused, restored


def _columns(snap: dict[str, Any]) -> dict[str, Any]:
    return snap["roles"]  # type: ignore[no-any-return]


MALFORMED: dict[str, tuple[str, Callable[[dict[str, Any]], Any], str, str]] = {
    # name: (base world, tampering, field, words of the message)
    "a role column shorter than the others": (
        "rich",
        lambda s: _columns(s)["state"].pop(),
        "roles.state",
        "1 entries, and roles.service has 2",
    ),
    "a role column missing": ("rich", lambda s: _columns(s).pop("tags"), "roles.tags", "missing"),
    "a role column nobody knows": (
        "rich",
        lambda s: _columns(s).update(arn=[None, None]),
        "roles.arn",
        "not a column",
    ),
    "a role's account id that is not a string": (
        "rich",
        lambda s: _columns(s)["account_id"].__setitem__(1, int(STANDALONE)),
        "roles.account_id[1]",
        "expected a string",
    ),
    "a state that is null": (
        "rich",
        lambda s: _columns(s)["state"].__setitem__(0, None),
        "roles.state[0]",
        "expected a string,",
    ),
    "tags of a role past the last": (
        "rich",
        lambda s: _columns(s).update(tags=[[2, [["a", "b"]]]]),
        "roles.tags[0]",
        "[role number, [...]]",
    ),
    "tags listed twice for one role": (
        "rich",
        lambda s: _columns(s).update(tags=[[0, [["a", "b"]]], [0, [["c", "d"]]]]),
        "roles.tags[1]",
        "after the last one listed",
    ),
    "an empty list of earlier RoleIds listed": (
        "rich",
        lambda s: _columns(s).update(previous_role_ids=[[1, []]]),
        "roles.previous_role_ids[0]",
        "not empty",
    ),
    "a role numbered by a bool": (
        "rich",
        lambda s: _columns(s).update(tags=[[True, [["a", "b"]]]]),
        "roles.tags[0]",
        "",
    ),
    "tags IAM would refuse": (
        "rich",
        lambda s: _columns(s).update(tags=[[1, [["aws:x", ""]]]]),
        "roles.tags[0][1]",
        "aws:",
    ),
    "a suffixed name for the plain role": (
        "rich",
        lambda s: _columns(s)["role_name"].__setitem__(0, ROLE),
        "roles.role_name[0]",
        "no suffixed",
    ),
    "more account names than accounts": (
        "rich",
        lambda s: s["standalone_accounts"]["name"].append("x"),
        "standalone_accounts.name",
        "2 names for 1 accounts",
    ),
    "an organization's accounts as pairs in format 3": (
        "creating",
        lambda s: s["organizations"][0].update(accounts=[[MANAGEMENT, ""]]),
        "organizations[0].accounts",
        "expected dict",
    ),
    "an organization's account id AWS would not issue": (
        "creating",
        lambda s: s["organizations"][1]["accounts"]["account_id"].__setitem__(1, "31098765432"),
        "organizations[1].accounts.account_id[1]",
        "",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_column_is_refused_naming_it_and_the_entry(case):
    """Each malformed column, or entry of one, is refused with a SnapshotError whose field names
    the column and, where one entry is at fault, its position."""
    world, tamper, field, words = MALFORMED[case]
    snap = base(world)
    tamper(snap)
    error = refused(snap)
    assert error.field.startswith(field), (error.field, str(error))
    assert words in str(error)
    assert str(error).startswith(f"Snapshot field {error.field}: ")


@pytest.mark.parametrize("name", ["rich", "failed", "creating", "untouched"])
def test_format_two_snapshots_restore_to_the_world_format_three_describes(name):
    """A snapshot saved before roles and accounts became columns (one object a role, a pair an
    account) restores to the same world as the current format's snapshot of it."""
    assert restored(format_two(BASES[name])).snapshot() == BASES[name]


def test_roles_and_accounts_are_columns_whatever_the_number_of_roles():
    """Format 3 keeps a role's fields in parallel lists (and lists of tags or earlier RoleIds
    only for the roles that have some), and accounts as two lists: the snapshot of a world of
    200 roles holds as many lists and dicts as that of 2, so its size does not set off garbage
    collections of the world while it is built."""

    def containers(value: Any) -> int:
        if isinstance(value, dict):
            return 1 + sum(containers(v) for v in value.values())
        if isinstance(value, list):
            return 1 + sum(containers(v) for v in value)
        return 0

    def world(n: int) -> dict[str, Any]:
        sim = Simulation(latencies=Latencies(creation=0))
        for i in range(n):
            sim.add_account(f"{100000000000 + i}", f"team {i}")
            sim.iam(f"{100000000000 + i}").create_service_linked_role(AWSServiceName=SERVICE)
        return sim.snapshot()

    small, large = world(2), world(200)
    assert containers(small) == containers(large)
    assert large["roles"]["account_id"][199] == "100000000199"
    assert large["roles"]["state"] == ["active"] * 200
    assert large["standalone_accounts"]["name"][:2] == ["team 0", "team 1"]
    assert large["roles"]["tags"] == large["roles"]["previous_role_ids"] == []


def _first(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set role 0's ``key`` in format 3's columns (sparse ones get an entry for role 0)."""

    def tamper(snap: dict[str, Any]) -> None:
        if key in ("previous_role_ids", "tags"):
            snap["roles"][key] = [[0, value]]
        else:
            snap["roles"][key][0] = value

    return tamper


@pytest.mark.parametrize(
    ("tamper", "field"),
    [
        (_first("previous_role_ids", [[[[1]]]]), "roles.previous_role_ids[0][1][0]"),
        (_first("role_id", "xyz"), "roles.role_id[0]"),
        (_first("description", "d" * 5000), "roles.description[0]"),
        (_first("create_date", "2999-01-01T00:00:00+00:00"), "roles.create_date[0]"),
        (_first("create_date", "yesterday"), "roles.create_date[0]"),
        (_first("state", "gone"), "roles[0]"),
        (lambda s: s["roles"].__setitem__("state", 7), "roles.state"),
    ],
    ids=[
        "nested RoleIds",
        "not a RoleId",
        "long description",
        "created in the future",
        "not a time",
        "not a state",
        "a column that is a number",
    ],
)
def test_values_no_simulation_could_hold_are_refused_in_columns(tamper, field):
    """The same checks on format 3's columns, naming the column and the role's entry."""
    snap = base()
    tamper(snap)
    error = refused(snap)
    assert error.field.startswith(field), (error.field, str(error))
    assert len(str(error)) < 400


_ZONES = (
    dt.UTC,
    dt.timezone(dt.timedelta(0)),
    dt.timezone(dt.timedelta(hours=1)),
    zoneinfo.ZoneInfo("America/New_York"),
)
_TIMES = st.one_of(
    st.none(),
    st.builds(
        lambda instant, zone, fold: instant.replace(tzinfo=zone, fold=fold),
        st.sampled_from([dt.datetime(2026, 11, 1, 1, 30), dt.datetime(2026, 11, 1, 0, 30)]),
        st.sampled_from(_ZONES),
        st.integers(0, 1),
    ),
)


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(st.lists(_TIMES, max_size=12), st.booleans())
def test_create_dates_are_written_as_each_times_own_iso_text(times, clock_zone_only):
    """The create_date column formats a run of equal times once, yet reads exactly as each
    time's own ``isoformat()`` (what format 2 wrote): equal instants in other offsets, or an
    ambiguous local time whose ``fold`` picks the offset, never share a text."""
    if clock_zone_only:  # the common case: every time from the clock, in UTC
        times = [t if t is None else t.replace(tzinfo=dt.UTC) for t in times]
    assert iso_times(times) == [None if t is None else t.isoformat() for t in times]
