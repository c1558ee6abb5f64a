"""No input makes the library fail with anything but its own typed errors, and a refused call
changes nothing."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm import AwsError, Simulation, SlrFsmError
from slr_fsm.iam import IAM_OPERATIONS
from slr_fsm.marketplace import CONSOLE_OPERATIONS
from tests.conftest import MANAGEMENT, ROLE, SERVICE

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80)
    | st.sampled_from([ROLE, SERVICE, "", "x" * 2000]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)
param_names = st.sampled_from(sorted({p.name for op in IAM_OPERATIONS for p in op.params}
                                     | {"Bogus", "roleName"}))


def active_world() -> Simulation:
    sim = Simulation.default(seed=0)
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    sim.settle()
    return sim


@settings(max_examples=300, deadline=None)
@given(op=st.sampled_from(IAM_OPERATIONS), kwargs=st.dictionaries(param_names, values, max_size=4))
def test_any_iam_arguments_give_a_response_or_an_aws_error(op, kwargs):
    """Whatever keyword arguments an IAM method gets, it answers or raises an AwsError; a
    refusal leaves the world unchanged and is logged."""
    sim = active_world()
    before, log = sim.snapshot(), len(sim.trace)
    try:
        getattr(sim.iam(MANAGEMENT), op.method)(**kwargs)
    except AwsError:
        assert sim.snapshot() == before
    assert len(sim.trace) > log
    sim.trace_jsonl()  # every logged parameter stays JSON-able


@settings(max_examples=200, deadline=None)
@given(op=st.sampled_from(sorted(CONSOLE_OPERATIONS)), a=values, b=values)
def test_any_console_arguments_give_a_response_or_an_aws_error(op, a, b):
    """Console methods answer or raise an AwsError for any argument values."""
    sim = active_world()
    console = sim.marketplace(MANAGEMENT)
    before = sim.snapshot()
    try:
        if op in ("attach_purchase_order", "detach_purchase_order"):
            getattr(console, op)(a, b)
        else:
            getattr(console, op)()
    except AwsError:
        assert sim.snapshot() == before
    sim.trace_jsonl()


@settings(max_examples=200, deadline=None)
@given(account=values, principal=values, seconds=values, service=values)
def test_world_entry_points_raise_only_library_errors(account, principal, seconds, service):
    """Faces, lookups and the clock refuse bad values with slr_fsm's own errors."""
    sim = Simulation.default()
    for call in (
        lambda: sim.iam(account, principal),
        lambda: sim.marketplace(account, principal),
        lambda: sim.sts(account, principal).assume_role(RoleArn=service, RoleSessionName=principal),
        lambda: sim.role(account),
        lambda: sim.role(MANAGEMENT, service),
        lambda: sim.advance(seconds),
        lambda: sim.inject_creation_failure(seconds),
        lambda: sim.set_usage_reporting(service),
        lambda: sim.add_principal(MANAGEMENT, principal, [service] if service else []),
        lambda: sim.add_subscription(MANAGEMENT, account, principal),
        lambda: Simulation.restore(account),
    ):
        with contextlib.suppress(SlrFsmError):
            call()
