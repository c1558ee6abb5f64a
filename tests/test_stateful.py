"""The library's state machine, subclassed to check every call against the reference model.

This is the suite's main stateful test: ``RoleLifecycleMachine`` (``slr_fsm.testing``) drives
every operation and checks the lifecycle's invariants; this subclass adds the independent
reference model (``tests/reference_model.py``), compared at every step.

Two runs of 40 examples each by default: a random one (new sequences on every run of the
suite) and a derandomized one that must reach re-creation after deletion. For a long run, set
``SLR_FSM_STATEFUL_EXAMPLES`` (the random run's examples), e.g.
``SLR_FSM_STATEFUL_EXAMPLES=2000 python -m pytest -p no:cacheprovider tests/test_stateful.py``.
"""

from __future__ import annotations

import os
from typing import Any

import attrs
import pytest
from hypothesis import Phase
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule, run_state_machine_as_test

from slr_fsm import TRANSITIONS, Lifecycle, RoleState, Simulation, UsageReporting
from slr_fsm.testing import RoleLifecycleMachine, machine_settings
from tests.conftest import ROLE
from tests.reference_model import ReferenceModel, check_agreement

EXAMPLES = int(os.environ.get("SLR_FSM_STATEFUL_EXAMPLES", "40"))
SETTINGS = machine_settings(max_examples=EXAMPLES, stateful_step_count=40)


class CheckedAgainstReferenceModel(RoleLifecycleMachine):
    """Every call's outcome must be the one the reference model predicts (on runs steered to
    re-create roles, the rarest path)."""

    steer_to_re_creation = True

    def __init__(self) -> None:
        super().__init__()
        self.model = ReferenceModel.mirror(self.sim)
        for account in self.accounts:
            self.model.add_principal(account, "nobody")

    def call(self, operation: str, account: str, principal: str, params: dict[str, Any]
             ) -> tuple[Any, str]:
        """Predict, call, compare; then let the model follow an accepted call."""
        expected = self.model.expect(operation, account, principal, params)
        existed = {a: self.sim.role(a).exists for a in self.accounts}
        response, outcome = super().call(operation, account, principal, params)
        assert outcome == expected, (
            f"{operation}({params}) by {principal}@{account}: the reference model expects "
            f"{expected}, the simulation answered {outcome}")
        if outcome == "ok":
            self.model.apply(operation, account, principal, params, response)
            for acct, was in existed.items():
                if self.sim.role(acct).exists and not was:
                    self.model.note_role_id(acct, self.sim.role(acct).role_id)
        return response, outcome

    def run_clock(self, seconds: float | None = None) -> None:
        """The model's clock runs with the simulation's."""
        super().run_clock(seconds)
        if seconds is None:
            self.model.settle()
        else:
            self.model.advance(seconds)

    # Overridden rules keep their decorators (see RoleLifecycleMachine's docs).
    @rule(count=st.integers(1, 2))
    def inject_creation_failure(self, count: int) -> None:
        """Plan failures in both the simulation and the model."""
        super().inject_creation_failure(count)
        self.model.inject_creation_failure(count)

    @rule(mode=st.sampled_from(UsageReporting))
    def usage_reporting(self, mode: UsageReporting) -> None:
        """Change usage reporting in both."""
        super().usage_reporting(mode)
        self.model.set_usage_reporting(mode.value)

    @invariant()
    def the_reference_model_agrees(self) -> None:
        """Role states, RoleIds, integrations, tasks and purchase orders match the model's."""
        check_agreement(self.sim, self.model)


CheckedAgainstReferenceModel.TestCase.settings = SETTINGS
TestCheckedAgainstReferenceModel = CheckedAgainstReferenceModel.TestCase


def test_runs_reach_re_creation_after_deletion():
    """A derandomized run of the machine (40 examples, whatever SLR_FSM_STATEFUL_EXAMPLES says)
    re-creates a deleted role at least once, the reference model agreeing throughout."""
    RoleLifecycleMachine.stats.clear()
    run_state_machine_as_test(CheckedAgainstReferenceModel, settings=machine_settings(
        max_examples=40, stateful_step_count=40, derandomize=True, database=None))
    assert RoleLifecycleMachine.stats["runs"] > 0
    assert RoleLifecycleMachine.stats["re-created after deletion"] > 0, RoleLifecycleMachine.stats


def test_the_machine_walks_the_re_creation_path_deterministically():
    """Driven by hand through set-up, deletion and re-creation, every check of the machine and
    of the model passes."""
    machine = CheckedAgainstReferenceModel()
    machine.count_run()
    mgmt = "111122223333"
    machine.console_call("configure_billing_integration", 0, 0, 0, "PO-1")
    machine.settle()
    machine.console_call("remove_billing_integration", 0, 0, 0, "PO-1")
    machine.call("delete_service_linked_role", mgmt, "admin", {"RoleName": ROLE})
    machine.settle()
    assert machine.sim.role(mgmt).state is RoleState.DELETED
    machine.library_invariants_hold()
    machine.console_call("configure_billing_integration", 0, 0, 0, "PO-1")
    machine.settle()
    log_size = len(machine.sim.trace)
    for check in (machine.library_invariants_hold, machine.the_reference_model_agrees):
        check()
    assert len(machine.sim.trace) == log_size, "checks never write to the simulation's log"
    assert machine.recreations == 1
    machine.teardown()


def test_a_planted_bug_is_caught():
    """With a lifecycle whose deletion ignores resources in use, the machine fails."""
    broken = Lifecycle(tuple(
        attrs.evolve(row, guards=()) if row.trigger == "finish_deletion"
        and row.dest is RoleState.DELETED else row
        for row in TRANSITIONS
    ))

    class Planted(RoleLifecycleMachine):
        def make_simulation(self) -> Simulation:
            return Simulation.default(seed=0, lifecycle=broken)

    with pytest.raises(AssertionError, match="never_deleted_while_in_use"):
        run_state_machine_as_test(Planted, settings=machine_settings(
            max_examples=600, stateful_step_count=40, derandomize=True, database=None,
            report_multiple_bugs=False, phases=[Phase.generate]))  # finding it is the point


def test_simulation_default_is_the_machines_world():
    """The machine starts from the default world plus a policy-less 'nobody' in each account."""
    machine = RoleLifecycleMachine()
    default = Simulation.default(seed=0)
    assert [a.account_id for a in machine.sim.accounts] == [a.account_id for a in default.accounts]
    assert machine.sim.caller(machine.accounts[0], "nobody")[1].policies == ()
