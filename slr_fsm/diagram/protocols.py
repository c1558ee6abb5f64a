"""What the diagrams read from an explored graph, a trace, the event log and a role, as
structural types.

The explorer imports this package, never the reverse: its ``ExploreResult`` and ``Trace`` fit
these protocols without naming them; so do :class:`slr_fsm.events.Event` and
:class:`slr_fsm.roles.Role`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from slr_fsm.lifecycle import RoleState

__all__ = [
    "AccountView",
    "EventView",
    "ExploredView",
    "MoveView",
    "RoleView",
    "TraceStepView",
    "TraceView",
    "WorldView",
]


class MoveView(Protocol):
    """A move: its face (iam, console, clock, fault), operation, account and principal."""

    @property
    def face(self) -> str: ...
    @property
    def operation(self) -> str: ...
    @property
    def account_id(self) -> str: ...
    @property
    def principal(self) -> str: ...


class TraceStepView(Protocol):
    """One step of a trace: the move, its outcome, and ``(account, state)`` pairs after it."""

    @property
    def move(self) -> MoveView: ...
    @property
    def outcome(self) -> str: ...
    @property
    def role_states(self) -> Iterable[tuple[str, str]]: ...


class TraceView(Protocol):
    """A trace: its steps, and the invariant it breaks (if any)."""

    @property
    def steps(self) -> Iterable[TraceStepView]: ...
    @property
    def broken(self) -> str | None: ...


class AccountView(Protocol):
    """An account: its id and friendly name (possibly empty)."""

    @property
    def account_id(self) -> str: ...
    @property
    def name(self) -> str: ...


class _RoleView(Protocol):
    @property
    def state(self) -> RoleState: ...


class WorldView(Protocol):
    """A world: its accounts, and the roles in one of them (one per role spec)."""

    @property
    def accounts(self) -> Sequence[AccountView]: ...
    def roles(self, account: Any, /) -> Sequence[_RoleView]: ...


class _ExploredNodeView(Protocol):
    @property
    def world(self) -> WorldView: ...


class ExploredView(Protocol):
    """An explored graph: nodes holding worlds (0 the start), edges as (from, move, outcome, to)."""

    @property
    def nodes(self) -> Sequence[_ExploredNodeView]: ...
    @property
    def edges(self) -> Iterable[tuple[int, MoveView, str, int]]: ...


class EventView(Protocol):
    """One entry of the event log (``sim.trace``): who called what, its outcome, and the state
    of the role it concerned before and after."""

    @property
    def account_id(self) -> str: ...
    @property
    def principal(self) -> str: ...
    @property
    def operation(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def role_account_id(self) -> str: ...
    @property
    def role_name(self) -> str | None: ...
    @property
    def state_before(self) -> RoleState: ...
    @property
    def state_after(self) -> RoleState: ...


class RoleView(Protocol):
    """A role: the account it lives in, its name and its state."""

    @property
    def account_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def state(self) -> RoleState: ...
