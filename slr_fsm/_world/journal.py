"""The event log, and the lock that makes each attempt atomic.

:meth:`Journal.attempt` runs one caller's attempt under the world's lock: the body (validation,
authorization, judgement, change), the log entry, and the work that falls due at once. A refused
attempt is logged once and re-raised; it changes nothing but the log.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable, Mapping
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

from slr_fsm.clock import VirtualClock
from slr_fsm.errors import AwsError
from slr_fsm.events import OK, Event
from slr_fsm.lifecycle import RoleState
from slr_fsm.shown import shown, shown_text

__all__ = ["Journal", "locked", "loggable", "refusal_of"]

T = TypeVar("T")
_LONGEST_KEPT = 1 << 18
"""Longer than any parameter AWS accepts (so a replay sees every valid value as given)."""


class Journal:
    """The append-only event log of one world, and that world's lock."""

    def __init__(self, clock: Callable[[], VirtualClock]) -> None:
        self.lock = threading.RLock()
        self.attempts = 0
        """How many attempts are running (changed only under the lock)."""
        self.events: list[Event] = []
        self._clock = clock

    @property
    def held(self) -> bool:
        """Whether the current thread holds the world's lock."""
        owned: bool = self.lock._is_owned()  # type: ignore[attr-defined]  # CPython's RLock
        return owned

    @property
    def in_attempt(self) -> bool:
        """Whether the current thread is inside a logged attempt."""
        return self.attempts > 0 and self.held

    def append(
        self,
        account_id: str,
        principal: str,
        operation: str,
        parameters: Mapping[str, Any],
        outcome: str,
        message: str | None,
        role: tuple[str, str | None],
        before: RoleState,
        after: RoleState,
    ) -> Event:
        """Add one entry, numbered in order, stamped with the current virtual time."""
        event = Event(
            len(self.events),
            self._clock().now(),
            account_id,
            principal,
            operation,
            dict(parameters),
            outcome,
            message,
            role[0],
            before,
            after,
            role[1],
        )
        self.events.append(event)
        return event

    def attempt(
        self,
        account_id: str,
        principal: str,
        operation: str,
        parameters: Mapping[str, Any],
        role: tuple[str, str | None],
        state_of: Callable[[], RoleState],
        body: Callable[[], T],
        after: Callable[[], None],
    ) -> T:
        """Run ``body`` atomically and log it, accepted or refused (refusals are re-raised).

        ``role`` is the ``(account, role name)`` the attempt concerns and ``state_of`` reads its
        state; ``after`` runs once an accepted attempt is logged (the work due at once).
        """
        with self.lock:
            logged = loggable(parameters)
            before = state_of()
            self.attempts += 1
            try:
                result = body()
            except Exception as error:  # logged as refused, whatever refused it, then re-raised
                code, message = refusal_of(error)
                self.append(
                    account_id, principal, operation, logged, code, message, role, before, before
                )
                raise
            finally:
                self.attempts -= 1
            self.append(
                account_id, principal, operation, logged, OK, None, role, before, state_of()
            )
            after()
            return result


def refusal_of(error: Exception) -> tuple[str, str]:
    """How the log records a refused attempt: the AWS error code and message; for a refusal of
    the library's own (e.g. :class:`~slr_fsm.errors.RequestNotSimulated`) or a failure that is
    none (a bug), the exception's class name and a bounded message."""
    if isinstance(error, AwsError):
        return error.code, error.message
    try:
        text = str(error)
    except Exception:  # an exception whose message cannot even be formed
        text = ""
    return type(error).__name__, shown_text(text, 1000)


def _plain_json(value: object) -> bool:
    """Whether JSON holds ``value`` exactly as Python does: ``None``, a bool, a finite float,
    an int of at most 64 bits (not NaN or an infinity, not an int of a thousand digits)."""
    kind = type(value)
    if kind is float:
        return math.isfinite(cast(float, value))
    if kind is int:
        return cast(int, value).bit_length() <= 64
    return value is None or kind is bool


def loggable(parameters: Mapping[Any, Any]) -> dict[str, Any]:
    """Parameters as the log keeps them: short JSON scalars as given, anything else (a string
    longer than any AWS accepts, an int past 64 bits, NaN or an infinity, which JSON cannot
    hold, a container) in a bounded, safe form (see :func:`slr_fsm.shown.shown`)."""
    kept: dict[str, Any] = {}
    for key, value in parameters.items():
        name = str.__str__(key) if isinstance(key, str) else shown(key)
        if _plain_json(value):
            kept[name] = value
        elif isinstance(value, str) and len(text := str.__str__(value)) <= _LONGEST_KEPT:
            kept[name] = text
        else:
            kept[name] = shown(value, 200)
    return kept


class _Journaled(Protocol):
    """Anything that keeps its world's journal (the world and its parts)."""

    _journal: Journal


P = ParamSpec("P")
R = TypeVar("R")
W = TypeVar("W", bound="_Journaled")


def locked(method: Callable[Concatenate[W, P], R]) -> Callable[Concatenate[W, P], R]:
    """Run the method under the world's lock (re-entrant: methods may call each other)."""

    @functools.wraps(method)
    def run_locked(self: W, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._journal.lock:
            return method(self, *args, **kwargs)

    return run_locked
