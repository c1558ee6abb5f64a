"""A role's path through the lifecycle table, read from the event log.

An event took a transition of the table when its operation fires that row's trigger (IAM's
operations and the console's set-up through their declared triggers; the clock's work under the
trigger's own name), the row leaves the event's ``state_before`` for its ``state_after``, and,
for a caller's trigger, the call was accepted. Refused calls, reads and clock work that moves no
role (a task starting) are not steps of the path. A failed deletion task is one (``finish_deletion``
to ``deleting_blocked``: its ``FAILED`` is the task's verdict, not a refusal).

>>> from slr_fsm import Simulation
>>> sim = Simulation.default(seed=0)
>>> mgmt = sim.organization.management_account
>>> _ = sim.marketplace(mgmt).configure_billing_integration()
>>> _ = sim.settle()
>>> [str(step) for step in role_path(sim.trace, sim.role(mgmt))]
['1. create: absent -> creating', '2. finish_creation: creating -> active']
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from slr_fsm.diagram.protocols import EventView, RoleView
from slr_fsm.errors import UsageError
from slr_fsm.iam_operations import IAM_OPERATIONS_BY_METHOD
from slr_fsm.lifecycle import TRANSITIONS, Cause, RoleState, Transition
from slr_fsm.marketplace import CONSOLE_TRIGGERS
from slr_fsm.shown import shown

__all__ = ["PathStep", "checked_events", "role_path", "transition_of"]

_EVENT_FIELDS = ("account_id", "principal", "operation", "outcome", "role_account_id")


@attrs.frozen
class PathStep:
    """One transition a role took: its place in the path (from 1), the table row, the states."""

    number: int
    row: Transition
    before: RoleState
    after: RoleState

    def __str__(self) -> str:
        return f"{self.number}. {self.row.trigger}: {self.before.value} -> {self.after.value}"


def checked_events(events: object, caller: str) -> tuple[EventView, ...]:
    """``events`` as a tuple of events, or a :class:`~slr_fsm.errors.UsageError` naming what
    ``caller`` was given instead."""
    if isinstance(events, str | bytes) or not isinstance(events, Iterable):
        raise UsageError(f"{caller} takes events (sim.trace), got {shown(events)}")
    checked = tuple(events)
    for event in checked:
        if not (
            all(isinstance(getattr(event, name, None), str) for name in _EVENT_FIELDS)
            and isinstance(getattr(event, "state_before", None), RoleState)
            and isinstance(getattr(event, "state_after", None), RoleState)
        ):
            raise UsageError(f"{caller} takes events (sim.trace), got {shown(event)} among them")
    return checked


def _trigger(operation: str) -> str:
    iam = IAM_OPERATIONS_BY_METHOD.get(operation)
    if iam is not None:
        return iam.trigger or ""
    return CONSOLE_TRIGGERS.get(operation, operation)  # the clock logs its work as the trigger


def transition_of(event: EventView, table: Iterable[Transition] = TRANSITIONS) -> Transition | None:
    """The row of ``table`` the event took, or ``None`` when it took none."""
    trigger = _trigger(event.operation)
    for row in table:
        if (
            row.trigger == trigger
            and event.state_before in row.sources
            and (row.dest or event.state_before) is event.state_after
            and (row.cause is Cause.CLOCK or event.outcome == "ok")
        ):
            return row
    return None


def role_path(
    events: Iterable[EventView],
    role: RoleView | None = None,
    table: Iterable[Transition] = TRANSITIONS,
) -> tuple[PathStep, ...]:
    """The transitions ``role`` took, in the order of ``events`` (``sim.trace``, or part of it).

    Without a role, the events must concern a single role; events of several roles are a
    :class:`~slr_fsm.errors.UsageError` (pass the role whose path to draw).
    """
    rows = tuple(table)
    taken = []
    for event in checked_events(events, "A role's path"):
        if role is not None and (event.role_account_id, event.role_name) != (
            role.account_id,
            role.name,
        ):
            continue
        row = transition_of(event, rows)
        if row is not None:
            taken.append((event, row))
    roles = sorted({(e.role_account_id, e.role_name or "") for e, _ in taken})
    if len(roles) > 1:
        named = ", ".join(f"{name or '?'} in {account}" for account, name in roles)
        raise UsageError(
            f"These events move several roles ({named}); say whose path to draw: "
            "lifecycle_diagram(current=sim.role(account), path=sim.trace)."
        )
    return tuple(
        PathStep(n, row, event.state_before, event.state_after)
        for n, (event, row) in enumerate(taken, 1)
    )
