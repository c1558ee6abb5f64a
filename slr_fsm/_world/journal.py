"""The event log, and the lock that makes each attempt atomic.

:meth:`slr_fsm._world.kernel_api.KernelApi.attempt` runs one caller's attempt under the
journal's lock: the body (validation, authorization, judgement, change), the log entry, and the
work that falls due at once. A refused attempt is logged once and re-raised; it changes nothing
but the log.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable, Mapping
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

from slr_fsm.clock import VirtualClock
from slr_fsm.errors import AwsError
from slr_fsm.events import NO_PARAMETERS, EventRows, Parameters
from slr_fsm.lifecycle import RoleState
from slr_fsm.shown import shown, shown_text

__all__ = ["Journal", "locked", "loggable", "refusal_of"]

_LONGEST_KEPT = 1 << 18
"""Longer than any parameter AWS accepts (so a replay sees every valid value as given)."""


class Journal:
    """The append-only event log of one world, and that world's lock."""

    def __init__(self, clock: VirtualClock) -> None:
        self.lock = threading.RLock()
        self.attempts = 0
        """How many attempts are running (changed only under the lock)."""
        self.events = EventRows()
        """The log: rows the collector does not track, read as :class:`~slr_fsm.events.Event`."""
        self.clock = clock
        """The world's clock: each entry is stamped with its time."""
        self._last = NO_PARAMETERS
        """The last parameters of plain strings logged: the next attempt that gives the same
        names and strings in the same order shares them (they cannot change)."""

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
    ) -> None:
        """Add one entry, numbered in order, stamped with the current virtual time."""
        self.record(
            account_id,
            principal,
            operation,
            self.kept(parameters) if parameters else NO_PARAMETERS,
            outcome,
            message,
            role,
            before,
            after,
        )

    def record(
        self,
        account_id: str,
        principal: str,
        operation: str,
        parameters: Parameters,
        outcome: str,
        message: str | None,
        role: tuple[str, str | None],
        before: RoleState,
        after: RoleState,
    ) -> None:
        """:meth:`append` of parameters as the log keeps them (:meth:`kept`)."""
        self.events.add(
            self.clock.now(),
            account_id,
            principal,
            operation,
            parameters,
            outcome,
            message,
            role[0],
            before,
            after,
            role[1],
        )

    def kept(self, parameters: Mapping[str, Any]) -> Parameters:
        """An attempt's parameters as its event keeps them (:func:`loggable`): the last
        parameters kept when they are the same strings under the same names in the same order,
        else a :class:`Parameters` of them."""
        logged: dict[str, Any] = {}  # loggable(parameters), inlined (every attempt asks)
        for key, value in parameters.items():
            if type(key) is str and type(value) is str and len(value) <= _LONGEST_KEPT:
                logged[key] = value
            else:
                logged = loggable(parameters)
                break
        if not logged:
            return NO_PARAMETERS
        last = self._last
        if logged == last and (len(last) == 1 or tuple(logged) == tuple(last)):
            return last  # last holds only strings, and a logged value equal to one is one
        kept = Parameters(logged)
        for value in logged.values():
            if type(value) is not str:  # shared only when exactly equal: 1 == True, 1.0 == 1
                return kept
        self._last = kept
        return kept


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


_NOT_KEPT = object()
"""What :func:`_kept` answers for a value JSON cannot hold exactly."""
_DEEPEST_KEPT = 4
_MOST_ITEMS_KEPT = 1000
"""A list or dict parameter is kept as given when it nests at most this deep and holds at
most this many items in all (Tags, TagKeys, ActionNames: far below either)."""


def _kept(value: object, depth: int, budget: list[int]) -> object:
    """``value`` as JSON holds it exactly (a fresh copy), or :data:`_NOT_KEPT`: ``None``, a bool,
    a finite float, an int of at most 64 bits, a string no longer than any AWS accepts, and
    lists and string-keyed dicts of them (never NaN or an infinity, an int of a thousand
    digits, a tuple, a set, an object, or a container nested too deep)."""
    kind = type(value)
    if value is None or kind is bool:
        return value
    if kind is float:
        return value if math.isfinite(cast(float, value)) else _NOT_KEPT
    if kind is int:
        return value if cast(int, value).bit_length() <= 64 else _NOT_KEPT
    if isinstance(value, str):
        text = str.__str__(value)
        return text if len(text) <= _LONGEST_KEPT else _NOT_KEPT
    if kind not in (list, dict) or depth >= _DEEPEST_KEPT:
        return _NOT_KEPT
    items = cast("list[Any] | dict[Any, Any]", value)
    budget[0] -= len(items)
    if budget[0] < 0:
        return _NOT_KEPT
    if isinstance(items, list):
        if depth + 1 < _DEEPEST_KEPT:  # a list of dicts of plain short strings (Tags): copied
            plain, left = [], budget[0]  # as one by one would copy them, budget included
            for item in items:
                if type(item) is not dict or left < len(item):
                    break
                for key, text in item.items():
                    if type(key) is not str or type(text) is not str or len(text) > _LONGEST_KEPT:
                        break
                else:
                    left -= len(item)
                    plain.append(dict(item))
                    continue
                break
            else:
                budget[0] = left
                return plain
        copied = [_kept(item, depth + 1, budget) for item in items]
        return _NOT_KEPT if _NOT_KEPT in copied else copied  # copies are JSON values: == is is
    if not all(type(key) is str for key in items):
        return _NOT_KEPT
    pairs = {key: _kept(item, depth + 1, budget) for key, item in items.items()}
    return _NOT_KEPT if _NOT_KEPT in pairs.values() else pairs


def loggable(parameters: Mapping[Any, Any]) -> dict[str, Any]:
    """Parameters as the log keeps them: as given when JSON holds them exactly (so a replay
    makes the same request), anything else (a string longer than any AWS accepts, an int past
    64 bits, NaN or an infinity, a tuple, an object, a list nested too deep) in a bounded, safe
    text form (see :func:`slr_fsm.shown.shown`)."""
    logged: dict[str, Any] = {}
    for key, value in parameters.items():
        if type(key) is str and type(value) is str and len(value) <= _LONGEST_KEPT:
            logged[key] = value  # the usual case, kept as it is (what _kept answers for it)
            continue
        name = str.__str__(key) if isinstance(key, str) else shown(key)
        kept = _kept(value, 0, [_MOST_ITEMS_KEPT])
        logged[name] = shown(value, 200) if kept is _NOT_KEPT else kept
    return logged


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
