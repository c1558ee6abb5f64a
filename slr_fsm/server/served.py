"""The simulation a server answers from: the current world, how its clock moves, and the world
to go back to on reset.

**Clock modes.** ``manual`` (the default): virtual time moves only when told, through the
control API (``/_slr_fsm/clock/advance``, ``/_slr_fsm/clock/settle``), as in the Python API.
``wall``: virtual time also follows wall time at ``speed`` virtual seconds per wall second, so
a client that polls with real sleeps (a deletion-status waiter) sees the work finish. The clock
catches up at the start of every request, under the simulation's lock, so what a request sees
is the world at the moment it is answered; between requests nothing needs to run.

>>> from slr_fsm import Simulation
>>> served = ServedWorld(Simulation.default(), ClockMode.manual())
>>> served.sim.now.isoformat()
'2026-01-01T00:00:00+00:00'
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from slr_fsm.errors import UsageError
from slr_fsm.ids import IdGenerator
from slr_fsm.server.identity import KeyRing
from slr_fsm.shown import shown
from slr_fsm.simulation import Simulation
from slr_fsm.usage import UsageModel

__all__ = ["ClockMode", "ServedWorld"]

_MAX_SPEED = 1e6


@attrs.frozen
class ClockMode:
    """``manual`` (time moves when told) or ``wall`` (it also follows wall time at ``speed``)."""

    name: str = attrs.field(default="manual")
    speed: float = 1.0

    def __attrs_post_init__(self) -> None:
        if self.name not in ("manual", "wall"):
            raise UsageError(f"The clock mode is 'manual' or 'wall', got {shown(self.name)}")
        if (
            isinstance(self.speed, bool)
            or not isinstance(self.speed, int | float)
            or not 0 < self.speed <= _MAX_SPEED
        ):
            raise UsageError(
                f"The clock's speed is virtual seconds per wall second, above 0 and at most "
                f"{_MAX_SPEED:g}; got {shown(self.speed)}"
            )

    @classmethod
    def manual(cls) -> ClockMode:
        """Virtual time moves only when told."""
        return cls("manual")

    @classmethod
    def wall(cls, speed: float = 1.0) -> ClockMode:
        """Virtual time follows wall time, ``speed`` virtual seconds per wall second."""
        return cls("wall", speed)


@attrs.define
class _Current:
    """One world as served: the simulation, its key ring, and the wall time it last caught up."""

    sim: Simulation
    keys: KeyRing
    synced: float


class ServedWorld:
    """The world a server answers from; ``restore`` and ``reset`` replace it whole (a request
    already running finishes on the world it started on)."""

    def __init__(
        self,
        sim: Simulation,
        clock: ClockMode,
        *,
        usage_models: Iterable[UsageModel] = (),
        wall_time: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(sim, Simulation):
            raise UsageError(f"A server serves a Simulation, got {shown(sim)}")
        self.clock = clock
        self.usage_models = tuple(usage_models)
        self._wall_time = wall_time
        self._initial = sim.snapshot()
        self._lock = threading.Lock()
        self._requests = 0
        self._current = self._serve(sim)

    def _serve(self, sim: Simulation) -> _Current:
        return _Current(sim, KeyRing(sim), self._wall_time())

    @property
    def sim(self) -> Simulation:
        """The simulation being served now."""
        return self._current.sim

    @property
    def keys(self) -> KeyRing:
        """The current world's access keys."""
        return self._current.keys

    def request_id(self) -> str:
        """A RequestId for the next request: derived from the seed and a count of requests, so
        a run replayed in the same order gets the same ids (and draws none of the world's)."""
        with self._lock:
            self._requests += 1
            count = self._requests
        return IdGenerator(seed=self.sim.seed, counter=count).uuid()

    def catch_up(self, sim: Simulation) -> None:
        """In the wall clock mode, move ``sim``'s clock to follow wall time (call under its lock)."""
        current = self._current
        if self.clock.name != "wall" or current.sim is not sim:
            return
        now = self._wall_time()
        seconds = (now - current.synced) * self.clock.speed
        current.synced = now
        if seconds > 0:
            sim.advance(seconds)

    def restore(self, snapshot: Mapping[str, Any]) -> Simulation:
        """Serve the world a snapshot describes (a bad one is a SnapshotError, changing nothing)."""
        sim = Simulation.restore(snapshot, usage_models=self.usage_models)
        self._current = self._serve(sim)
        return sim

    def reset(self) -> Simulation:
        """Serve the world the server started with, as it was then (with an empty log)."""
        return self.restore(self._initial)
