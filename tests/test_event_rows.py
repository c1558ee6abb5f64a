"""The log keeps rows of atoms and makes each :class:`Event` on read: every read (an index,
from either end, a slice, iteration, the text, table and JSON-lines forms, what the clock's
steps return) equals the events the log was given, built as the log built them before
(:func:`new_event` with the same arguments), and the rows are left untracked by the garbage
collector."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm import Latencies, Simulation
from slr_fsm.events import Event, EventLog, EventRows, new_event, trace_to_jsonl

_SERVICE = "purchase-orders.marketplace.amazonaws.com"
_ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"
_ACCOUNTS = ("100000000001", "100000000002")
_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["create", "delete", "tag", "get", "bad", "advance", "status"]),
        st.sampled_from(_ACCOUNTS),
        st.sampled_from([0.0, 1.0, 5.0, 30.0]),
    ),
    max_size=25,
)


def _step(sim: Simulation, kind: str, account: str, seconds: float) -> Any:
    iam = sim.iam(account)
    try:
        if kind == "create":
            return iam.create_service_linked_role(AWSServiceName=_SERVICE)
        if kind == "delete":
            return iam.delete_service_linked_role(RoleName=_ROLE)
        if kind == "tag":
            return iam.tag_role(RoleName=_ROLE, Tags=[{"Key": "k", "Value": str(seconds)}])
        if kind == "get":
            return iam.get_role(RoleName=_ROLE)
        if kind == "bad":
            return iam.create_service_linked_role(AWSServiceName="nope")
        if kind == "status":
            return iam.get_service_linked_role_deletion_status(DeletionTaskId="x" * 40)
        return sim.advance(seconds)
    except Exception as refused:  # a refusal is logged like any attempt
        return refused


@settings(max_examples=40, deadline=None)
@given(steps=_STEPS, zero=st.booleans())
def test_every_read_of_the_log_equals_the_events_logged(
    steps: list[tuple[str, str, float]], zero: bool
) -> None:
    logged: list[Event] = []
    add = EventRows.add

    def add_and_keep(rows: EventRows, *entry: Any) -> None:
        logged.append(new_event(len(rows), *entry))  # the event the log made before
        add(rows, *entry)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EventRows, "add", add_and_keep)
        latencies = Latencies(creation=0, deletion_start=0, deletion_run=0) if zero else None
        sim = Simulation(latencies=latencies or Latencies())
        for account in _ACCOUNTS:
            sim.add_account(account)
        for kind, account, seconds in steps:
            first = len(logged)
            answer = _step(sim, kind, account, seconds)
            if kind == "advance":  # the clock's steps return the entries they logged
                assert answer == tuple(logged[first:])
    trace = sim.trace
    assert len(trace) == len(logged) == sim.events_logged
    assert list(trace) == logged
    assert [trace[n] for n in range(len(logged))] == logged
    assert list(reversed(trace)) == logged[::-1]
    assert [trace[-n] for n in range(1, len(logged) + 1)] == logged[::-1]
    assert trace[1:-1:2] == tuple(logged[1:-1:2])
    assert trace[::-1] == tuple(logged[::-1])
    assert str(trace) == str(EventLog(logged))
    assert trace._repr_html_() == EventLog(logged)._repr_html_()
    assert sim.trace_jsonl() == trace_to_jsonl(logged)
    for n, event in enumerate(trace):
        assert event.seq == n
        assert type(event.state_before) is type(logged[n].state_before)
    with pytest.raises(IndexError):
        trace[len(logged)]
    with pytest.raises(IndexError):
        trace[-len(logged) - 1]


def _tracked_entries_a_role(first: int, n: int, sim: Simulation) -> float:
    """Objects the collector tracks that a log entry could be (an Event, a tuple), per role."""
    gc.collect()
    before = sum(type(o) in (Event, tuple) for o in gc.get_objects())
    for k in range(first, first + n):
        account = f"{100000000000 + k}"
        sim.add_account(account)
        sim.iam(account).create_service_linked_role(AWSServiceName=_SERVICE)
    gc.collect()
    return (sum(type(o) in (Event, tuple) for o in gc.get_objects()) - before) / n


def test_the_log_leaves_no_object_for_the_garbage_collector_to_walk() -> None:
    sim = Simulation(latencies=Latencies(creation=0))
    _tracked_entries_a_role(0, 100, sim)
    per_role = _tracked_entries_a_role(100, 500, sim)
    assert len(sim.trace) == 1200  # two entries a role: the request and the clock's finish
    assert per_role < 0.1  # tracked for life, the two entries were two Events a role


def test_an_entry_that_cannot_be_made_leaves_the_log_as_it_was() -> None:
    from slr_fsm.clock import DEFAULT_START
    from slr_fsm.events import OK, EventRows, Parameters
    from slr_fsm.states import RoleState

    rows = EventRows()
    first, second = Parameters({"A": "first"}), Parameters({"A": "second"})
    with pytest.raises(AttributeError):  # a state that is not a RoleState
        rows.add(DEFAULT_START, "1" * 12, "admin", "x", first, OK, None, "1" * 12, "absent",
                 RoleState.ABSENT, None)  # type: ignore[arg-type]
    rows.add(DEFAULT_START, "1" * 12, "admin", "x", second, OK, None, "1" * 12,
             RoleState.ABSENT, RoleState.ABSENT, None)
    assert len(rows) == 1
    assert rows[0].parameters == second
