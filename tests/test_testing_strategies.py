"""slr_fsm.testing.strategies: requests the simulation always answers, strategies that print
short."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm import AwsError, Simulation
from slr_fsm.iam_operations import IAM_OPERATIONS
from slr_fsm.moves import resolve_params
from slr_fsm.testing.strategies import iam_operation_names, iam_operations, operation_params

MANAGEMENT = "111122223333"
WITH_UNSIMULATED = [op for op in IAM_OPERATIONS if op.unsimulated]


@settings(max_examples=200, deadline=None, database=None)
@given(data=st.data())
def test_generated_requests_never_name_a_parameter_the_simulation_does_not_honour(data):
    """Not even as the one broken parameter: such a request is a RequestNotSimulated usage
    error, not AWS's answer, so a generated request is always answered (a response or an AWS
    error), as the state machine needs."""
    op = data.draw(st.sampled_from(WITH_UNSIMULATED), label="operation")
    params = data.draw(operation_params(op), label="params")
    assert not set(params) & set(op.unsimulated)
    sim = Simulation.default()
    with contextlib.suppress(AwsError):  # an AWS answer; a UsageError would fail the test
        getattr(sim.iam(MANAGEMENT), op.method)(**resolve_params(sim, MANAGEMENT, params))


def test_operation_strategies_print_as_their_names():
    """In hypothesis's statistics a strategy shows as its repr: a name, not the table rows."""
    assert WITH_UNSIMULATED, "no operation has unsimulated parameters: the test above is void"
    assert repr(iam_operations()) == "iam_operations()"
    assert repr(iam_operation_names(protected=False)) == "iam_operation_names(protected=False)"
