"""The virtual clock and the background work it runs (finishing creations, running deletions).

Work is queued with a delay; moving the clock runs what falls due, in due order (same-time work
in request order), through one handler per kind of work.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping

from slr_fsm._world.state import Pending, WorldState
from slr_fsm.clock import MAX_SECONDS, checked_seconds
from slr_fsm.errors import UsageError
from slr_fsm.shown import shown

__all__ = ["MAX_ELAPSED", "Scheduler", "WorkHandler"]

MAX_ELAPSED = 2 * MAX_SECONDS
"""How far a world's clock may run (two thousand years), well inside ``datetime``'s range."""

WorkHandler = Callable[[Pending], None]
"""Runs one piece of due work."""


class Scheduler:
    """Owns the world's clock and its queue of pending work."""

    def __init__(self, state: WorldState, handlers: Mapping[str, WorkHandler]) -> None:
        self._state = state
        self._handlers = handlers

    @property
    def elapsed(self) -> float:
        """Virtual seconds since the clock's start."""
        return self._state.clock.elapsed

    def schedule(
        self,
        delay: float,
        kind: str,
        account_id: str,
        role_name: str,
        *,
        task_id: str | None = None,
        fault: bool = False,
    ) -> None:
        """Queue background work ``delay`` seconds from now."""
        state = self._state
        state.pending_seq += 1
        heapq.heappush(
            state.pending,
            Pending(
                state.clock.elapsed + delay,
                state.pending_seq,
                kind,
                account_id,
                role_name,
                task_id,
                fault,
            ),
        )

    def run_due(self, until: float) -> None:
        """Run, in order, every piece of work due at or before ``until`` seconds."""
        state = self._state
        while state.pending and state.pending[0].due <= until:
            work = heapq.heappop(state.pending)
            state.clock.elapsed = max(state.clock.elapsed, work.due)
            self._handlers[work.kind](work)

    def run_due_now(self) -> None:
        """Run the work already due (zero latencies make work due within its request)."""
        state = self._state
        pending = state.pending
        if pending and pending[0].due <= state.clock.elapsed:  # else nothing is due: no call
            self.run_due(state.clock.elapsed)

    def advance(self, seconds: object) -> None:
        """Move the clock forward by ``seconds``, running what falls due on the way."""
        target = self._state.clock.elapsed + checked_seconds(seconds)
        if target > MAX_ELAPSED:
            raise UsageError(
                f"advance({shown(seconds)}) would take the clock past {MAX_ELAPSED:.0f} seconds, "
                "the furthest a simulation runs."
            )
        self.run_due(target)
        self._state.clock.elapsed = target

    def settle(self) -> None:
        """Run the clock until no work is left (a UsageError, once the work due earlier has run,
        if some is due past :data:`MAX_ELAPSED`)."""
        while self._state.pending:
            self.run_due(self._next_due("settle()"))

    def run_next(self) -> None:
        """Move the clock to the next piece of work and run everything due then."""
        if self._state.pending:
            self.run_due(self._next_due("run_next()"))

    def _next_due(self, what: str) -> float:
        """When the next work is due; a UsageError if the clock may not run that far (work is
        queued up to the longest latencies beyond the clock, which may be past the limit)."""
        due = self._state.pending[0].due
        if due > MAX_ELAPSED:
            raise UsageError(
                f"{what} would take the clock to {due:.0f} seconds, past {MAX_ELAPSED:.0f} "
                "seconds, the furthest a simulation runs; the work due then stays pending."
            )
        return due

    def queued(self) -> tuple[Pending, ...]:
        """Pending work in the order it will run."""
        return tuple(sorted(self._state.pending))
