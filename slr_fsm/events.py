"""The event log: one entry per attempt (accepted or refused) and per step the clock runs.

>>> from slr_fsm import Simulation
>>> sim = Simulation.default()
>>> _ = sim.iam(sim.organization.management_account).list_roles()
>>> sim.trace[-1].operation, sim.trace[-1].outcome
('list_roles', 'ok')
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NoReturn, overload

import attrs

from slr_fsm.display import html_table
from slr_fsm.errors import UsageError
from slr_fsm.states import RoleState

__all__ = [
    "NO_PARAMETERS",
    "OK",
    "Event",
    "EventLog",
    "EventRows",
    "Parameters",
    "new_event",
    "trace_to_jsonl",
]

OK = "ok"
"""The outcome of an accepted attempt; a refused one records its AWS error code."""


class Parameters(dict[str, Any]):
    """An event's parameters: a ``dict`` (it prints, compares and turns into JSON as one) that
    cannot be changed, since the log is append-only and its events are frozen. Equal logged
    parameters may therefore be one shared value (a million creations of one role log one).
    ``dict(event.parameters)`` is a copy to change.

    >>> p = Parameters({"RoleName": "r"})
    >>> p == {"RoleName": "r"}, isinstance(p, dict)
    (True, True)
    >>> p["RoleName"] = "s"
    Traceback (most recent call last):
    ...
    slr_fsm.errors.UsageError: An event's parameters cannot be changed (the event log is append-only); dict(event.parameters) is a copy to change
    """

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise UsageError(
            "An event's parameters cannot be changed (the event log is append-only); "
            "dict(event.parameters) is a copy to change"
        )

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[type[Parameters], tuple[dict[str, Any]]]:
        return Parameters, (dict(self),)  # pickle and copy rebuild it (not item by item)


NO_PARAMETERS = Parameters()
"""The parameters of every event that has none (the clock's work), one shared value."""


@attrs.frozen(eq=True, hash=False)
class Event:
    """One entry of the append-only event log.

    ``principal`` is the caller's name, or the service principal for work the clock runs.
    ``role_account_id`` and the two states describe the role the attempt concerned.
    ``parameters`` as the log keeps them: a :class:`Parameters` (a dict that cannot change).
    """

    seq: int
    time: dt.datetime
    account_id: str
    principal: str
    operation: str
    parameters: dict[str, Any]
    outcome: str
    message: str | None
    role_account_id: str
    state_before: RoleState
    state_after: RoleState
    role_name: str | None = None
    """The name of the role the attempt concerned (``None`` when it named no known role)."""

    @property
    def ok(self) -> bool:
        """Whether the attempt was accepted."""
        return self.outcome == OK

    def to_json_value(self) -> dict[str, Any]:
        """The event as plain JSON data."""
        return {
            "seq": self.seq,
            "time": self.time.isoformat(),
            "account_id": self.account_id,
            "principal": self.principal,
            "operation": self.operation,
            "parameters": self.parameters,
            "outcome": self.outcome,
            "message": self.message,
            "role_account_id": self.role_account_id,
            "state_before": self.state_before.value,
            "state_after": self.state_after.value,
            "role_name": self.role_name,
        }

    @property
    def state_change(self) -> str:
        """The role's state, or its change: ``active`` or ``active -> deleting_blocked``."""
        if self.state_before is self.state_after:
            return self.state_after.value
        return f"{self.state_before.value} -> {self.state_after.value}"

    def describe(self) -> str:
        """One readable line: when, who, what, outcome, and the role's state change."""
        states = self.state_change
        args = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        return (
            f"[{self.time:%H:%M:%S}] {self.principal}@{self.account_id} "
            f"{self.operation}({args}): {self.outcome} | role {states}"
        )


def _slot_setters() -> Callable[..., Event]:
    """``Event(...)`` built through its slots directly: attrs' frozen ``__init__`` looks each
    field's setter up by name, and the log makes one entry per attempt (a third of the cost
    of making one). ``tests/test_events.py`` proves both build equal events."""
    (
        seq,
        time,
        account,
        principal,
        operation,
        parameters,
        outcome,
        message,
        role_account,
        before,
        after,
        role_name,
    ) = (Event.__dict__[f.name].__set__ for f in attrs.fields(Event))
    new = object.__new__

    def logged_event(
        n: int,
        at: dt.datetime,
        account_id: str,
        principal_name: str,
        operation_name: str,
        given: dict[str, Any],
        outcome_code: str,
        text: str | None,
        role_account_id: str,
        state_before: RoleState,
        state_after: RoleState,
        name: str | None = None,
    ) -> Event:
        event: Event = new(Event)
        seq(event, n)
        time(event, at)
        account(event, account_id)
        principal(event, principal_name)
        operation(event, operation_name)
        parameters(event, given)
        outcome(event, outcome_code)
        message(event, text)
        role_account(event, role_account_id)
        before(event, state_before)
        after(event, state_after)
        role_name(event, name)
        return event

    return logged_event


new_event = _slot_setters()
"""Make an :class:`Event`, faster than ``Event(...)`` (same arguments, equal result)."""


_STATE_OF_VALUE: dict[str, RoleState] = {state.value: state for state in RoleState}


class EventRows(Sequence[Event]):
    """The log as a world keeps it: each entry a row of atoms (a time, strings, ``None``), so
    that the garbage collector stops tracking it (a tuple of untracked values is untracked at
    its first collection; an :class:`Event` is tracked for life and walked by every full
    collection), and its parameters in a list beside the rows (equal ones are one shared
    value). Reading an entry makes its :class:`Event`, equal to the one logged; the rows never
    change. ``tests/test_event_rows.py`` proves reads equal to the events logged.

    >>> rows = EventRows()
    >>> from slr_fsm.clock import DEFAULT_START
    >>> rows.add(DEFAULT_START, "111111111111", "admin", "list_roles", NO_PARAMETERS, OK, None,
    ...          "111111111111", RoleState.ABSENT, RoleState.ABSENT, None)
    >>> (len(rows), rows[0].seq, rows[-1].operation, rows[0] == rows[0])
    (1, 0, 'list_roles', True)
    """

    __slots__ = ("_parameters", "_rows")

    def __init__(self) -> None:
        self._rows: list[tuple[Any, ...]] = []
        self._parameters: list[dict[str, Any]] = []

    def add(
        self,
        at: dt.datetime,
        account_id: str,
        principal: str,
        operation: str,
        parameters: dict[str, Any],
        outcome: str,
        message: str | None,
        role_account_id: str,
        before: RoleState,
        after: RoleState,
        role_name: str | None,
    ) -> None:
        """Log the next entry (numbered by its place); arguments as :func:`new_event`'s."""
        row = (
            at,
            account_id,
            principal,
            operation,
            outcome,
            message,
            role_account_id,
            before._value_,
            after._value_,
            role_name,
        )  # made first: if it cannot be, nothing is appended and the log stays aligned
        self._parameters.append(parameters)  # then: a row is read only once it has them
        self._rows.append(row)

    def _event(self, n: int) -> Event:
        at, account, principal, operation, outcome, message, role_account, before, after, name = (
            self._rows[n]
        )
        return new_event(
            n,
            at,
            account,
            principal,
            operation,
            self._parameters[n],
            outcome,
            message,
            role_account,
            _STATE_OF_VALUE[before],
            _STATE_OF_VALUE[after],
            name,
        )

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        if isinstance(index, slice):
            return [self._event(n) for n in range(*index.indices(len(self._rows)))]
        n = operator.index(index)
        size = len(self._rows)
        if not -size <= n < size:
            raise IndexError("event index out of range")
        return self._event(n + size if n < 0 else n)

    def __iter__(self) -> Iterator[Event]:
        return (self._event(n) for n in range(len(self._rows)))

    def __reversed__(self) -> Iterator[Event]:
        return (self._event(n) for n in range(len(self._rows) - 1, -1, -1))

    def __len__(self) -> int:
        return len(self._rows)


def trace_to_jsonl(events: Iterable[Event]) -> str:
    """Events as JSON lines, one event a line, in order."""
    import json  # here: only a JSON-lines export needs it; importing Simulation loads no json

    return "".join(
        json.dumps(e.to_json_value(), sort_keys=True, allow_nan=False) + "\n" for e in events
    )


class EventLog(Sequence[Event]):
    """A read-only view of the event log (no copy is made); a table in Jupyter."""

    __slots__ = ("_events",)

    def __init__(self, events: Sequence[Event]) -> None:
        self._events = events

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | Sequence[Event]:
        if isinstance(index, slice):
            return tuple(self._events[index])
        return self._events[index]

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    def __reversed__(self) -> Iterator[Event]:
        return reversed(self._events)

    def __repr__(self) -> str:
        return f"<EventLog of {len(self._events)} events>"

    def __str__(self) -> str:
        return "\n".join(event.describe() for event in self._events)

    def _repr_html_(self) -> str:
        return html_table(
            ["#", "time", "account", "principal", "operation", "outcome", "role"],
            [
                [
                    e.seq,
                    f"{e.time:%H:%M:%S}",
                    e.account_id,
                    e.principal,
                    e.operation,
                    e.outcome,
                    e.state_change,
                ]
                for e in self._events
            ],
        )

    def jsonl(self) -> str:
        """The events as JSON lines."""
        return trace_to_jsonl(self._events)
