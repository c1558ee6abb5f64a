"""The exhaustive explorer, its invariants, counterexamples and the planted bug."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import attrs
import pytest

from slr_fsm import Simulation, UsageError
from slr_fsm.explore import (
    ExploreProgress,
    Move,
    default_moves,
    explore,
    fingerprint,
    replay,
    role_state_is,
    small_world,
)
from slr_fsm.iam import IAM_OPERATIONS
from slr_fsm.invariants import INVARIANTS, as_invariant
from slr_fsm.lifecycle import RoleState
from slr_fsm.marketplace import CONSOLE_OPERATIONS
from tests.conftest import MANAGEMENT, ROLE, SERVICE

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
_spec = importlib.util.spec_from_file_location("planted_bug", EXAMPLES / "planted_bug.py")
assert _spec is not None
assert _spec.loader is not None
planted_bug = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(planted_bug)
planted_lifecycle, planted_world = planted_bug.planted_lifecycle, planted_bug.planted_world

MEMBER = "444455556666"


@pytest.fixture(scope="module")
def planted_result():
    """The planted world explored to depth 4 for the broken invariant (shared: ~1.5 s)."""
    return explore(planted_world(), depth=4, invariants=["never_deleted_while_in_use"])


def management_admin_moves():
    """The moves of the management administrator and the clock: a small, complete space."""
    return [m for m in default_moves(small_world())
            if m.face == "clock" or (m.account_id == MANAGEMENT and m.principal == "admin")]


def test_default_exploration_holds_every_invariant():
    """On the default world every library invariant holds at every state within depth 4 (the
    README's test checks depth 6), and exploring twice finds the same graph."""
    result = explore(depth=4)
    assert result.complete
    assert result.violations == {}
    assert {inv.name for inv in result.invariants} == set(INVARIANTS)
    assert result.dead_ends == ()
    once, twice = explore(depth=3), explore(depth=3)
    assert (once.states, once.edges) == (twice.states, twice.edges)  # deterministic


def test_moves_are_derived_from_the_operation_tables():
    """Each account and principal gets every IAM operation and every console operation (one per
    subscription for purchase orders), plus the clock."""
    world = small_world()
    moves = default_moves(world)
    for account in ("111122223333", "444455556666", "123456789012"):
        for principal in ("admin", "readonly"):
            mine = {m.operation for m in moves if (m.account_id, m.principal) == (account, principal)}
            assert mine == {op.method for op in IAM_OPERATIONS} | set(CONSOLE_OPERATIONS) - (
                set() if account == MEMBER else {"attach_purchase_order", "detach_purchase_order"})
    assert sum(m.face == "clock" for m in moves) == 1


def test_re_creations_that_differ_only_in_ids_are_one_state():
    """A role deleted and re-created is the same explorer state as one created once."""
    once, twice = small_world(), small_world()
    for sim in (once, twice):
        sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)
        sim.settle()
    twice.iam(MANAGEMENT).delete_service_linked_role(RoleName=ROLE)
    twice.settle()
    twice.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)
    twice.settle()
    assert once.role(MANAGEMENT).role_id != twice.role(MANAGEMENT).role_id
    assert fingerprint(once) == fingerprint(twice)


def test_a_complete_space_has_no_frontier_and_every_state_can_reach_deletion():
    """Exploring the management administrator's moves to exhaustion: no state at the bound,
    and from every state the role can still be deleted; the member never gets a role."""
    result = explore(moves=management_admin_moves(), depth=30)
    assert result.frontier == 0
    assert result.cannot_reach(role_state_is(MANAGEMENT, RoleState.DELETED)) == ()
    assert len(result.cannot_reach(role_state_is(MEMBER, RoleState.ACTIVE))) == result.states


def test_the_planted_bug_gets_its_shortest_counterexample(planted_result):
    """With deletion ignoring resources in use, the explorer's counterexample has 4 steps (set
    up the integration, ask for the deletion while the role is still being created, let the
    task start and end), and no sequence of 3 moves breaks the invariant (breadth first, so
    depth 4 finds the shortest)."""
    world = planted_world()
    trace = planted_result.violations["never_deleted_while_in_use"]
    assert len(trace) == 4
    assert [s.move.operation for s in trace.steps][:2] == [
        "configure_billing_integration",
        "delete_service_linked_role",
    ]
    assert explore(world, depth=3, invariants=["never_deleted_while_in_use"]).violations == {}


def test_a_counterexample_replays_on_a_fresh_world(planted_result):
    """The trace replays on a fresh world with the same outcomes, breaking the invariant under
    the planted bug and not under the real lifecycle (the same moves then end blocked); a
    trace whose moves no longer answer as recorded is refused naming the step. (That it runs
    as a generated test from any folder: tests/test_generated_tests.py.)"""
    trace = planted_result.violations["never_deleted_while_in_use"]
    assert trace.invariant is INVARIANTS["never_deleted_while_in_use"]
    assert trace.lifecycle is not None
    end = replay(trace, lifecycle=planted_lifecycle())
    assert not as_invariant("never_deleted_while_in_use").holds_in(end)
    fixed = replay(trace)  # the real lifecycle: same answers, but the role is kept
    assert fixed.role(MANAGEMENT).state is RoleState.DELETING_BLOCKED
    tampered = attrs.evolve(trace, steps=trace.steps[1:])
    with pytest.raises(UsageError, match="Step 1"):
        replay(tampered)


def test_user_invariants_are_plain_functions():
    """A user's function of the world is checked like the library's; one that fails at the
    start has a zero-step counterexample; a step invariant sees every move."""
    seen = []

    def no_purchase_orders(world):
        """No purchase order is ever attached."""
        return not any(s.purchase_orders for s in world.subscriptions)

    def count_steps(step):
        seen.append(step.outcome)
        return True

    result = explore(depth=3, invariants=[no_purchase_orders, count_steps])
    trace = result.violations["no_purchase_orders"]
    assert [s.move.operation for s in trace.steps][-1] == "attach_purchase_order"
    assert len(seen) == result.moves_tried
    assert explore(depth=0, invariants=[lambda world: False]).violations["<lambda>"].steps == ()


def test_bounds_stop_the_search_cleanly_and_progress_is_reported():
    """max_states stops early with a reason; progress reports states per second."""
    reports: list[ExploreProgress] = []
    result = explore(depth=8, max_states=50, progress=reports.append, progress_every=0)
    assert not result.complete
    assert "max_states" in result.stopped_because
    assert result.states >= 50
    assert reports
    assert reports[-1].states_per_second > 0
    assert "stopped early" in result.summary()


def test_bad_arguments_are_usage_errors():
    """An unknown invariant name or a negative depth is a UsageError."""
    with pytest.raises(UsageError, match="No invariant named"):
        explore(depth=1, invariants=["nope"])
    with pytest.raises(UsageError):
        explore(depth=-1)


@pytest.mark.parametrize(
    ("bound", "value"),
    [
        ("depth", math.nan), ("depth", math.inf), ("depth", -1), ("depth", 2.0), ("depth", True),
        ("max_states", math.nan), ("max_states", math.inf), ("max_states", -math.inf),
        ("max_states", -5), ("max_states", 0), ("max_states", "10"),
        ("max_seconds", math.nan), ("max_seconds", math.inf), ("max_seconds", -1.0),
        ("max_seconds", 0), ("max_seconds", None),
        ("progress_every", math.nan), ("progress_every", math.inf), ("progress_every", -1),
    ],
)
def test_bounds_that_are_not_positive_finite_numbers_are_refused(bound, value):
    """NaN, an infinity, a negative or zero bound (or not a number at all) would switch a
    bound off or make no sense: refused with a UsageError naming it, before any exploring."""
    with pytest.raises(UsageError, match=bound):
        explore(small_world(), **{bound: value})


def test_a_huge_whole_number_is_a_finite_bound():
    """10**400 states or seconds is finite and positive (too big for a float, not for a
    comparison): accepted, and the search ends by depth."""
    assert explore(small_world(), depth=1, max_states=10**400, max_seconds=10**400).complete


def test_invariants_never_change_the_world_they_check():
    """Checking every library invariant leaves the world's snapshot as it was."""
    sim = Simulation.default()
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    sim.settle()
    before = sim.snapshot()
    for inv in INVARIANTS.values():
        if inv.on == "state":
            assert inv.holds_in(sim)
    assert sim.snapshot() == before


def test_cli_explore_reports_and_exits(capsys):
    """`slr-fsm explore` prints the summary and exits 0 when every invariant holds; --json
    gives the reachable states."""
    from slr_fsm.cli import main

    assert main(["explore", "--depth", "3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "every" not in out or "held" in out
    assert "held   never_deleted_while_in_use" in out
    assert main(["explore", "--depth", "2", "--json", "--invariant", "deletion_always_ends"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["invariants"] == {"deletion_always_ends": True}
    assert len(data["reachable_states"]) == data["states"]
    assert main(["explore", "--depth", "1", "--invariant", "nope", "--quiet"]) == 2


def test_moves_print_readably():
    """A move prints as who@account face.operation(params)."""
    move = Move("iam", "get_role", MANAGEMENT, "admin", (("RoleName", ROLE),))
    assert str(move) == f"admin@{MANAGEMENT} iam.get_role(RoleName='{ROLE}')"


def test_the_readme_shows_the_default_explorations_real_output():
    """The README's `slr-fsm explore` output has the counts and verdicts of a real run."""
    readme = (EXAMPLES.parent / "README.md").read_text()
    shown = readme.split("<!-- explore-output:start -->", 1)[1].split(
        "<!-- explore-output:end -->", 1)[0].strip().splitlines()[2:-1]  # inside the fence
    result = explore()
    real = result.summary().splitlines()
    first = real[0].split(" in ")[0]
    assert shown[0].startswith(first)
    assert [line for line in shown if line.startswith("  held") or "BROKEN" in line] == [
        line for line in real if line.startswith("  held") or "BROKEN" in line]
    assert all(line in real for line in shown[1:] if line.strip() != "...")


def test_injected_creation_failures_are_explored():
    """With FAULT_MOVE, a doomed creation is its own state: the explorer sees creating -> absent."""
    from slr_fsm.explore import FAULT_MOVE

    def creation_never_fails(step):
        return not any(
            step.before.role(a).state is RoleState.CREATING
            and step.after.role(a).state is RoleState.ABSENT
            for a in step.after.accounts
        )

    result = explore(small_world(), depth=4, moves=(*management_admin_moves(), FAULT_MOVE),
                     invariants=[creation_never_fails])
    trace = result.violations["creation_never_fails"]
    assert [s.move.face for s in trace.steps].count("fault") == 1
    assert trace.steps[-1].move.face == "clock"


def test_checks_cannot_change_the_worlds_explored():
    """A user invariant that mutates the world it is given changes nothing in the exploration."""
    def meddling(world):
        world.settle()
        return True

    assert explore(depth=3, invariants=[meddling]).states == explore(depth=3, invariants=[]).states


def test_invariant_forms_and_misuse():
    """A single name or function is accepted; assert-style checks returning None hold; an AWS
    refusal inside a check counts as broken; duplicate names and wrong arities are refused."""
    from slr_fsm import AccessDenied

    def quiet(world):
        assert world.accounts

    def refuses(world):
        raise AccessDenied("no")

    assert explore(depth=1, invariants="deletion_always_ends").violations == {}
    assert explore(depth=1, invariants=quiet).violations == {}
    assert "refuses" in explore(depth=0, invariants=[refuses]).violations
    with pytest.raises(UsageError, match="distinct names"):
        explore(depth=1, invariants=[lambda w: True, lambda w: False])
    with pytest.raises(UsageError, match="one argument"):
        as_invariant(lambda: True)


def test_bad_explorer_inputs_are_usage_errors():
    """Wrong worlds, moves, traces and state numbers are UsageErrors, not bare exceptions."""
    with pytest.raises(UsageError):
        explore(world="x")
    with pytest.raises(UsageError):
        explore(moves=["x"])
    with pytest.raises(UsageError):
        Move("iam", "_call", MANAGEMENT, "admin")
    with pytest.raises(UsageError):
        Move("s3", "get_object")
    with pytest.raises(UsageError):
        replay("x")
    result = explore(depth=1)
    with pytest.raises(UsageError, match="No state"):
        result.world(10**6)
    with pytest.raises(UsageError):
        result.path_to(-5)


def test_a_user_invariants_trace_exports_with_its_assertion_and_draws():
    """A counterexample for a user's invariant exports as a test asserting that invariant by
    name (its source written out: this test module does not import from another folder), and
    an empty counterexample draws."""
    from slr_fsm.diagram import trace_diagram

    def never(world):
        return False

    trace = explore(depth=0, invariants=[never]).violations["never"]
    source = trace.to_pytest()
    assert "def never(world):" in source
    assert "verdict = never(sim)" in source
    assert "assert here" not in source
    assert "breaks never" in trace_diagram(trace).mermaid()


def test_a_counterexample_pins_a_hypothesis_example(planted_result):
    """trace.moves, given to hypothesis as an @example of a test over move sequences, makes the
    test fail on the planted bug at once, and pass once the bug is gone."""
    from hypothesis import example, given, settings
    from hypothesis import strategies as st

    from slr_fsm.testing.strategies import move_sequences

    trace = planted_result.violations["never_deleted_while_in_use"]

    def make_test(lifecycle):
        @settings(max_examples=5, deadline=None, database=None)
        @example(moves=list(trace.moves))
        @given(moves=move_sequences(small_world(), max_size=3) | st.just([]))
        def run(moves):
            sim = small_world(lifecycle=lifecycle)
            for move in moves:
                move.apply(sim)
            assert as_invariant("never_deleted_while_in_use").holds_in(sim)

        return run

    with pytest.raises(AssertionError):
        make_test(planted_lifecycle())()
    make_test(small_world().lifecycle)()
