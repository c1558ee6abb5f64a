"""Sequence charts: a trace of moves (from the explorer), or the event log itself.

Each step is a request from its caller (``principal@account``; ``AWS`` for the clock's work and
injected faults) to IAM, the Marketplace console, STS, Organizations or the clock, answered by
its outcome.

>>> from slr_fsm import Simulation
>>> sim = Simulation.default(seed=0)
>>> mgmt = sim.organization.management_account
>>> _ = sim.marketplace(mgmt).configure_billing_integration()
>>> _ = sim.settle()
>>> [(s.caller, s.callee, s.request, s.reply) for s in event_chart(sim.trace).steps]
[('admin@111122223333', 'Marketplace console', 'configure_billing_integration', 'ok (absent -> creating)'), ('AWS', 'Clock', 'finish_creation', 'ok (creating -> active)')]
"""

from __future__ import annotations

from collections.abc import Iterable

from slr_fsm.diagram.extract import CALLER_FACES
from slr_fsm.diagram.model import SequenceChart, Step
from slr_fsm.diagram.paths import checked_events
from slr_fsm.diagram.protocols import EventView, TraceView
from slr_fsm.moves import FACES

__all__ = ["event_chart", "trace_chart"]


def trace_chart(trace: TraceView) -> SequenceChart:
    """A trace's steps in order, and the invariant it breaks (if any)."""
    steps = []
    for step in trace.steps:
        move = step.move
        callee = CALLER_FACES.get(move.face)
        caller = f"{move.principal}@{move.account_id}" if callee else "AWS"
        steps.append(
            Step(
                caller,
                callee or ("Faults" if move.face == "fault" else "Clock"),
                move.operation,
                step.outcome,
                str(move),
                tuple(step.role_states),
            )
        )
    return SequenceChart("trace", tuple(steps), trace.broken)


def _face(operation: str) -> str | None:
    return next((name for name, ops in FACES.items() if operation in ops), None)


def event_chart(events: Iterable[EventView]) -> SequenceChart:
    """The events in order; a reply names the role's change of state when there is one."""
    steps = []
    for event in checked_events(events, "trace_diagram()"):
        face = _face(event.operation)
        callee = CALLER_FACES[face] if face else "Clock"
        caller = f"{event.principal}@{event.account_id}" if face else "AWS"
        before, after = event.state_before.value, event.state_after.value
        change = f" ({before} -> {after})" if before != after else ""
        role = ((event.role_account_id, after),) if event.role_account_id else ()
        description = f"{caller} {face or 'clock'}.{event.operation}"
        steps.append(
            Step(caller, callee, event.operation, event.outcome + change, description, role)
        )
    return SequenceChart("events", tuple(steps))
