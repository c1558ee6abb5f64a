"""The lifecycle table, its compiled dispatch, and the ``transitions`` machine it is read from."""

from __future__ import annotations

import itertools
import random
import sys
import threading

import attrs
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from slr_fsm.errors import UsageError
from slr_fsm.lifecycle import (
    GUARDS,
    LIFECYCLE,
    STATE_REFUSALS,
    TRANSITIONS,
    Cause,
    GuardFacts,
    Lifecycle,
    RoleState,
    Transition,
    table_markdown,
)

facts = st.builds(GuardFacts, *[st.booleans()] * len(attrs.fields(GuardFacts)))
ALL_FACTS = [
    GuardFacts(*bits)
    for bits in itertools.product((False, True), repeat=len(attrs.fields(GuardFacts)))
]
ALL_INPUTS = [
    (state, trigger, f) for state in RoleState for trigger in LIFECYCLE.triggers for f in ALL_FACTS
]


def test_the_five_states_are_the_seeds():
    """RoleState has exactly absent, creating, active, deleting_blocked and deleted."""
    assert [s.value for s in RoleState] == [
        "absent",
        "creating",
        "active",
        "deleting_blocked",
        "deleted",
    ]


@given(state=st.sampled_from(RoleState), trigger=st.sampled_from(LIFECYCLE.triggers), f=facts)
def test_fire_agrees_with_the_table(state, trigger, f):
    """fire() accepts exactly when a row leaves the state with all its guards passing, and
    lands on that row's destination."""
    rows = [r for r in TRANSITIONS if r.trigger == trigger and state in r.sources]
    passing = [r for r in rows if all(GUARDS[g].predicate(f) for g in r.guards)]
    outcome = LIFECYCLE.fire(state, trigger, f)
    assert outcome.ok == bool(passing)
    assert LIFECYCLE.may(state, trigger, f) == outcome.ok
    if passing:
        assert outcome.after == (passing[0].dest or state)
        assert outcome.transition == passing[0]
    else:
        assert outcome.after == state


@given(state=st.sampled_from(RoleState), trigger=st.sampled_from(LIFECYCLE.triggers), f=facts)
def test_before_state_guards_refuse_first_in_any_state(state, trigger, f):
    """A failing permission or management-account guard refuses whatever the role's state, as
    AWS authorizes a request before it looks the role up."""
    before = [g for g in LIFECYCLE.rows(trigger)[0].guards if GUARDS[g].before_state]
    failing = [g for g in before if not GUARDS[g].predicate(f)]
    outcome = LIFECYCLE.fire(state, trigger, f)
    if failing:
        assert outcome.refused_by == failing[0]


def test_every_caller_trigger_refusal_by_state_has_an_aws_error():
    """Each caller trigger fired from a state with no row maps to an AWS error code."""
    for trigger in {r.trigger for r in TRANSITIONS if r.cause is Cause.CALLER}:
        for state in RoleState:
            if trigger not in LIFECYCLE.triggers_from(state):
                assert (trigger, state) in STATE_REFUSALS


def test_clock_triggers_are_never_refused_where_they_apply():
    """finish_creation and finish_deletion always have exactly one row whose guards pass."""
    for trigger in {r.trigger for r in TRANSITIONS if r.cause is Cause.CLOCK}:
        for state in RoleState:
            if trigger in LIFECYCLE.triggers_from(state):
                for f in (GuardFacts(resources_in_use=b, creation_fault=c)
                          for b in (True, False) for c in (True, False)):
                    passing = [r for r in LIFECYCLE.rows(trigger)
                               if state in r.sources and all(GUARDS[g].predicate(f) for g in r.guards)]
                    assert len(passing) == 1


def test_deleted_role_is_re_created_by_the_same_trigger():
    """From deleted, create leads to creating again, exactly as from absent."""
    assert LIFECYCLE.fire(RoleState.DELETED, "create", GuardFacts()).after is RoleState.CREATING


def test_deletion_with_resources_in_use_keeps_the_role():
    """finish_deletion lands on deleting_blocked while resources are in use, deleted otherwise."""
    blocked = LIFECYCLE.fire(RoleState.ACTIVE, "finish_deletion", GuardFacts(resources_in_use=True))
    done = LIFECYCLE.fire(RoleState.DELETING_BLOCKED, "finish_deletion", GuardFacts())
    assert (blocked.after, done.after) == (RoleState.DELETING_BLOCKED, RoleState.DELETED)


@given(order=st.permutations(range(len(ALL_INPUTS))))
@settings(max_examples=20)
def test_firing_is_a_pure_function_of_its_inputs(order):
    """Firing every input in any order gives the same outcomes as in table order: no fire leaves
    anything behind that a later fire could see (the outcome names its own before state)."""
    lc = Lifecycle()
    expected = [LIFECYCLE.fire(*i) for i in ALL_INPUTS]
    got = {n: lc.fire(*ALL_INPUTS[n]) for n in order}
    assert [got[n] for n in range(len(ALL_INPUTS))] == expected
    assert all(o.before is i[0] for o, i in zip(expected, ALL_INPUTS, strict=True))


def test_the_compiled_dispatch_equals_the_transitions_machine_on_every_input():
    """For all 2^5 guard-fact combinations x 5 states x every trigger, LIFECYCLE.fire (the
    compiled dispatch) returns exactly what fire_with_transitions (the machine itself) returns."""
    assert len(attrs.fields(GuardFacts)) == 5
    assert len(ALL_INPUTS) == 2**5 * len(RoleState) * len(LIFECYCLE.triggers) == 32 * 5 * 5
    for state, trigger, f in ALL_INPUTS:
        assert LIFECYCLE.fire(state, trigger, f) == LIFECYCLE.fire_with_transitions(
            state, trigger, f
        ), (state, trigger, f)


_STATE_GUARDS = sorted(name for name, g in GUARDS.items() if not g.before_state)


@st.composite
def tables(draw):
    """THE table with up to three extra rows (overlapping guards, any sources and destination)
    inserted anywhere, in any row order."""
    rows = list(TRANSITIONS)
    for _ in range(draw(st.integers(0, 3))):
        trigger = draw(st.sampled_from(LIFECYCLE.triggers))
        first = LIFECYCLE.rows(trigger)[0]
        before = tuple(g for g in first.guards if GUARDS[g].before_state)
        extra = draw(st.lists(st.sampled_from(_STATE_GUARDS), max_size=2, unique=True))
        sources = draw(st.lists(st.sampled_from(RoleState), min_size=1, max_size=3, unique=True))
        dest = draw(st.none() | st.sampled_from(RoleState))
        row = Transition(trigger, tuple(sources), dest, (*before, *extra), first.cause, "extra")
        rows.insert(draw(st.integers(0, len(rows))), row)
    return draw(st.permutations(rows))


@given(table=tables())
@settings(max_examples=60, deadline=None)
def test_any_table_compiles_to_what_its_machine_does(table):
    """For any valid table (rows reordered, overlapping guards added), the compiled dispatch
    agrees with the transitions machine on every input: same winning row, same refusal."""
    try:
        lc = Lifecycle(table)
    except UsageError:
        reject()
    for state, trigger, f in itertools.product(RoleState, lc.triggers, ALL_FACTS):
        assert lc.fire(state, trigger, f) == lc.fire_with_transitions(state, trigger, f)


def test_a_lifecycle_holds_no_mutable_shared_state():
    """Eight threads firing shuffled inputs through one Lifecycle (fire and
    fire_with_transitions alike), switching threads every microsecond, never get a wrong
    outcome; afterwards the machine has no model registered and the dispatch is unchanged."""
    lc = Lifecycle()
    expected = [LIFECYCLE.fire(*i) for i in ALL_INPUTS]
    dispatch_before = {t: (c.before_state, c.branches, c.refusals) for t, c in lc._compiled.items()}
    wrong: list[tuple[int, int]] = []
    barrier = threading.Barrier(8)

    def work(n: int) -> None:
        order = list(range(len(ALL_INPUTS))) * 2
        random.Random(n).shuffle(order)
        barrier.wait()
        for i in order:
            fire = lc.fire if (i + n) % 2 else lc.fire_with_transitions
            if fire(*ALL_INPUTS[i]) != expected[i]:
                wrong.append((n, i))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(old)
    assert wrong == []
    assert lc._machine.models == []
    after = {t: (c.before_state, c.branches, c.refusals) for t, c in lc._compiled.items()}
    assert after == dispatch_before


def test_a_table_naming_an_unknown_guard_is_refused_when_built():
    """Lifecycle() checks its table: an unknown guard name is a clear UsageError."""
    bad = (*TRANSITIONS, Transition("create", (RoleState.ABSENT,), RoleState.ACTIVE,
                                    ("no_such_guard",), Cause.CALLER, "bad"))
    with pytest.raises(UsageError, match="unknown guard"):
        Lifecycle(bad)


def test_a_table_with_unreachable_states_is_refused_when_built():
    """A table from which some state cannot be reached from absent is refused."""
    only_create = tuple(r for r in TRANSITIONS if r.trigger == "create")
    with pytest.raises(UsageError, match="cannot be reached"):
        Lifecycle(only_create)


def test_rows_of_a_trigger_must_share_their_request_guards():
    """Rows of one trigger that differ in before-state guards are refused."""
    bad = (*TRANSITIONS, Transition("create", (RoleState.ABSENT,), RoleState.ACTIVE,
                                    ("caller_allowed",), Cause.CALLER, "bad"))
    with pytest.raises(UsageError, match="before-state guards"):
        Lifecycle(bad)


def test_an_unknown_trigger_is_a_clear_error():
    """Firing a trigger the table lacks raises UsageError naming the known triggers."""
    with pytest.raises(UsageError, match="not a trigger"):
        LIFECYCLE.fire(RoleState.ACTIVE, "rename", GuardFacts())


def test_readme_lifecycle_table_is_the_generated_one():
    """The README's lifecycle table is exactly table_markdown() of THE table."""
    from pathlib import Path

    readme = Path(__file__).resolve().parent.parent.joinpath("README.md").read_text()
    start = readme.index("<!-- lifecycle-table:start -->") + len("<!-- lifecycle-table:start -->")
    end = readme.index("<!-- lifecycle-table:end -->")
    assert readme[start:end].strip() == table_markdown()


def test_a_table_with_a_trap_state_is_refused_when_built():
    """A table in which no row leaves some state is refused."""
    create_from_absent_only = Transition(
        "create", (RoleState.ABSENT,), RoleState.CREATING,
        ("management_account_on_console", "caller_allowed"), Cause.CALLER, "x")
    no_way_out = (*(r for r in TRANSITIONS if r.trigger != "create"), create_from_absent_only)
    with pytest.raises(UsageError, match="traps"):
        Lifecycle(no_way_out)


def test_a_caller_trigger_without_a_declared_refusal_is_refused_when_built():
    """A caller trigger that some state cannot take needs an AWS error for that case."""
    with pytest.raises(UsageError, match="declare one in state_refusals"):
        Lifecycle(TRANSITIONS, state_refusals={})


def test_refusals_by_state_carry_their_aws_code():
    """A duplicate create is refused by the state with InvalidInput; a missing role's edit with
    NoSuchEntity."""
    dup = LIFECYCLE.fire(RoleState.ACTIVE, "create", GuardFacts())
    gone = LIFECYCLE.fire(RoleState.DELETED, "update_description", GuardFacts())
    assert (dup.refused_by, dup.refusal_code) == ("state", "InvalidInput")
    assert (gone.refused_by, gone.refusal_code) == ("state", "NoSuchEntity")


def test_the_management_account_rule_binds_the_console_route_only():
    """management_account_on_console refuses a member only when the request came via the console."""
    member = GuardFacts(in_management_account_or_standalone=False)
    assert LIFECYCLE.fire(RoleState.ABSENT, "create", member).ok
    refused = LIFECYCLE.fire(RoleState.ABSENT, "create", attrs.evolve(member, via_console=True))
    assert (refused.refused_by, refused.refusal_code) == ("management_account_on_console", "AccessDenied")
