"""What ``RoleLifecycleMachine`` prints: a failing case says which invariant broke, at which
step, with the world's state, and no invariant line after every step; statistics name the
operations briefly; its settings and why each differs from hypothesis's."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import Phase, Verbosity, settings
from hypothesis.stateful import invariant, run_state_machine_as_test

from slr_fsm import TRANSITIONS, Lifecycle, RoleState, Simulation
from slr_fsm.testing import RoleLifecycleMachine, machine_settings
from slr_fsm.testing.strategies import iam_operation_names, iam_operations

pytest_plugins = ["pytester"]

BROKEN = Lifecycle(
    tuple(
        attrs.evolve(row, guards=())
        if row.trigger == "finish_deletion" and row.dest is RoleState.DELETED
        else row
        for row in TRANSITIONS
    )
)


class Planted(RoleLifecycleMachine):
    """Deletion ignores resources in use; two invariants of the user's own that always hold."""

    def make_simulation(self) -> Simulation:
        return Simulation.default(seed=0, lifecycle=BROKEN)

    @invariant()
    def mine_holds(self) -> None:
        pass

    @invariant()
    def mine_holds_too(self) -> None:
        pass


def test_a_failing_case_names_the_invariant_the_step_and_the_world(capsys):
    """The planted bug's shrunk case: the message names never_deleted_while_in_use and what it
    says (and nothing else: no assertion-rewriting dump of the simulation), a note gives the
    step and the world's state then (the integration still using the deleted role), and the
    printed steps hold no ``state.<invariant>()`` line."""
    with pytest.raises(AssertionError) as failure:
        run_state_machine_as_test(
            Planted,
            settings=machine_settings(
                max_examples=300, stateful_step_count=10, derandomize=True, database=None
            ),
        )
    message = str(failure.value)
    assert message == "never_deleted_while_in_use broke: never deleted while resources are in use"
    notes = "\n".join(getattr(failure.value, "__notes__", []))
    printed = notes + capsys.readouterr().out
    assert "library_invariants_hold failed after step " in notes
    assert "(the last one shown); the world then: [management: deleted, " in notes
    assert "integration: management;" in notes
    assert "its last event: " in notes
    assert "finish_deletion" in notes
    assert "state.walk_the_table(" in printed or "state.iam_call(" in printed
    for check in ("library_invariants_hold", "mine_holds", "mine_holds_too"):
        assert f"state.{check}()" not in printed


def test_every_subclass_gets_the_machine_settings():
    """A subclass's TestCase runs with machine_settings(): no deadline (an example is a whole
    run), no explain phase (it traces every line of the simulation while shrinking), health
    checks on; a settings object you assign replaces them."""

    class Mine(RoleLifecycleMachine):
        pass

    chosen = Mine.TestCase.settings
    assert chosen.deadline is None
    assert Phase.explain not in chosen.phases
    assert Phase.shrink in chosen.phases
    # health checks as the active profile has them (hypothesis's "ci" profile, loaded when CI
    # is set, suppresses too_slow; machine_settings adds no suppression of its own)
    assert tuple(chosen.suppress_health_check) == tuple(settings.default.suppress_health_check)
    assert machine_settings(max_examples=7).max_examples == 7
    assert machine_settings(max_examples=7).deadline is None
    Mine.TestCase.settings = settings(max_examples=3)
    assert Mine.TestCase.settings.max_examples == 3


def test_statistics_name_operations_briefly(pytester):
    """With --hypothesis-show-statistics, every line is short enough to read but hypothesis's
    own repr of its rule list (a few hundred characters a rule), no operation's table row is
    printed, and hypothesis never gives up on a step (every rule runs in every state)."""
    pytester.makepyfile(
        test_tiny="""
from slr_fsm.testing import RoleLifecycleMachine, machine_settings

class Tiny(RoleLifecycleMachine):
    pass

Tiny.TestCase.settings = machine_settings(max_examples=15, stateful_step_count=10, database=None)
TestTiny = Tiny.TestCase
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--hypothesis-show-statistics")
    result.assert_outcomes(passed=1)
    lines = result.outlines
    assert not any("IamOperation(" in line or "gave up" in line for line in lines)
    long = [line for line in lines if len(line) > 300]
    assert all("Retried draw from sampled_from([Rule(" in line for line in long)
    assert all(len(line) < 3000 for line in long)
    assert repr(iam_operations()) == "iam_operations()"
    assert repr(iam_operation_names()) == "iam_operation_names()"


def test_verbose_runs_show_the_invariant_lines(capsys):
    """At verbosity=verbose the failing case's ``state.<invariant>()`` lines come back, as
    hypothesis prints them for any machine."""
    with pytest.raises(AssertionError) as failure:
        run_state_machine_as_test(
            Planted,
            settings=machine_settings(
                max_examples=300,
                stateful_step_count=20,
                derandomize=True,
                database=None,
                verbosity=Verbosity.verbose,
                phases=[Phase.generate],
            ),
        )
    printed = capsys.readouterr().out + "\n".join(getattr(failure.value, "__notes__", []))
    assert "state.mine_holds()" in printed
