"""slr_fsm.trace: replaying a log makes every logged attempt again, refusals included."""

from __future__ import annotations

import attrs
import pytest

from slr_fsm import AwsError, Simulation, SlrFsmError
from slr_fsm.trace import describe_world, replay_log

MANAGEMENT = "111122223333"
SERVICE = "purchase-orders.marketplace.amazonaws.com"


def test_a_log_with_an_unknown_callers_and_the_librarys_refusals_replays_exactly():
    """A refusal for a caller the world lacks and one of the library's own (a request it does
    not simulate) were logged; replaying the log makes and logs them again."""
    sim = Simulation.default()
    start = sim.snapshot()
    sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)
    with pytest.raises(SlrFsmError):
        sim.iam(MANAGEMENT).get_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    with pytest.raises(AwsError):
        sim.iam("999999999999", unknown_caller="refuse_each_call").list_roles()
    again = replay_log(start, sim.trace)
    assert again.trace_jsonl() == sim.trace_jsonl()


def test_an_accepted_event_that_is_refused_on_replay_is_raised():
    """A log that no longer replays (an accepted event refused now) is an error, not skipped."""
    sim = Simulation.default()
    start = sim.snapshot()
    sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)
    accepted = sim.trace[-1]
    forged = attrs.evolve(accepted, principal="readonly")  # readonly may not create it
    with pytest.raises(AwsError):
        replay_log(start, [forged])


def test_the_world_in_one_line():
    """describe_world names each role's state, the integration, purchase orders, unfinished
    tasks, pending work and the clock."""
    sim = Simulation.default()
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    line = describe_world(sim)
    assert line.startswith("[management: creating, member-a: absent")
    assert "integration: management;" in line
    assert "pending work: 1; clock: +0s" in line
