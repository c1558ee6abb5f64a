"""What a parallel search sends to other processes, and what they do with it.

A world does not travel as itself (its lock, its compiled lifecycle): the start world travels
as a :class:`PortableWorld` (its snapshot, its lifecycle's table, its usage models), and each
state as its *path*, the indexes of the moves that first reached it from the start. A process
rebuilds the start once a search (kept by the search's token, forked for each task) and
replays its chunk's paths, sharing their prefixes (a chunk is consecutive states of one
breadth-first level: siblings share a parent, cousins a grandparent), so that a state costs
about one replayed move, against a whole state's moves to expand it. Measured against pickling
a snapshot of each state: cheaper, and nothing to restore. A task's report names each state
its moves reached once (a chunk's moves reach the same states again and again).
"""

from __future__ import annotations

import pickle
import uuid
from typing import Any

import attrs

from slr_fsm.errors import UsageError
from slr_fsm.invariants import Invariant
from slr_fsm.lifecycle import LIFECYCLE, Lifecycle
from slr_fsm.moves import Move
from slr_fsm.simulation import Simulation
from slr_fsm.trace import TraceStep, role_states

from .serial import expand_moves, state_failures

__all__ = ["NodeReport", "PortableWorld", "Search", "Task", "TaskReport", "run_task"]


@attrs.frozen
class PortableWorld:
    """A world as it travels between processes: rebuilt by :meth:`rebuild`, in the same state
    (checked by :meth:`of` before any work is sent)."""

    world_type: type[Simulation]
    snapshot: dict[str, Any] = attrs.field(repr=False)
    lifecycle: tuple[type[Lifecycle], tuple[Any, ...], tuple[Any, ...]] | None
    """``None`` for the library's lifecycle, else its class, table and state refusals."""
    usage_models: tuple[Any, ...]
    token: str = attrs.field(eq=False)
    """Names this world for the processes that rebuild it: each rebuilds it once and forks the
    world it kept for every task that brings the same token."""

    @classmethod
    def of(cls, world: Simulation) -> PortableWorld:
        """``world`` made portable; a :class:`UsageError` if it does not come back the same."""
        lc = world.lifecycle
        lifecycle = (
            None
            if lc is LIFECYCLE
            else (type(lc), tuple(lc.table), tuple(lc.state_refusals.items()))
        )
        catalogue = getattr(world, "_catalogue", None)
        models = tuple(getattr(catalogue, "usage_models", {}).values())
        portable = cls(type(world), world.snapshot(), lifecycle, models, uuid.uuid4().hex)
        back = portable.rebuild()
        if not back.same_state(world) or back.abstract_state() != world.abstract_state():
            raise UsageError(
                "This world cannot be explored in parallel: rebuilt from its snapshot in "
                "another process it would not be in the same state. Explore it without an "
                "executor."
            )
        return portable

    def rebuild(self) -> Simulation:
        """The world again (its lifecycle built once a process)."""
        lifecycle = LIFECYCLE if self.lifecycle is None else _lifecycle(self.lifecycle)
        return self.world_type.restore(
            self.snapshot, lifecycle=lifecycle, usage_models=self.usage_models
        )

    def start(self) -> Simulation:
        """A fork of the world this process rebuilt for this token (rebuilt on first use; one
        search's start is kept at a time, so a process that serves many searches keeps one)."""
        kept = _STARTS.get(self.token)
        if kept is None:
            _STARTS.clear()
            kept = _STARTS[self.token] = self.rebuild()
        return kept.fork()


_STARTS: dict[str, Simulation] = {}
"""The start world this process rebuilt for the search it last served, by token."""

_LIFECYCLES: dict[Any, Lifecycle] = {}
"""The lifecycles this process has built, by class and table (a table is checked and
compiled once, not once a task)."""


def _lifecycle(parts: tuple[type[Lifecycle], tuple[Any, ...], tuple[Any, ...]]) -> Lifecycle:
    try:
        known = _LIFECYCLES.get(parts)
    except TypeError:  # a table that cannot be hashed: built each time
        kind, table, refusals = parts
        return kind(table, dict(refusals))
    if known is None:
        kind, table, refusals = parts
        known = _LIFECYCLES[parts] = kind(table, dict(refusals))
    return known


@attrs.frozen
class Search:
    """What every task of one search shares: the start, the moves, the checks."""

    start: PortableWorld
    moves: tuple[Move, ...]
    state_checks: tuple[Invariant, ...]
    step_checks: tuple[Invariant, ...]

    def packed(self) -> Search | bytes:
        """The search pickled once, for every task to carry as bytes (a process unpickles
        it once a search, by the start's token); itself when ``pickle`` cannot send it (a
        lambda check: the executor's own serializer, dask's cloudpickle say, sends it with
        each task). Measured on a dask client: 0.5 ms a task to send, against 3.5 to 4 ms
        for the moves and checks as objects."""
        try:
            return pickle.dumps(self, pickle.HIGHEST_PROTOCOL)
        except Exception:
            return self


_SEARCHES: dict[str, Search] = {}
"""The search this process last unpickled, by its start's token."""


@attrs.frozen
class Task:
    """One chunk of a breadth-first level: check each state, and expand it unless ``expand``
    is False (the depth bound, or a bound that stopped the search)."""

    search: Search | bytes
    """:meth:`Search.packed`."""
    token: str
    """The search's start's token, naming ``search`` for the processes that have it."""
    paths: tuple[tuple[int, ...], ...]
    expand: bool
    skip: frozenset[str]
    """Invariants broken already, earlier than anything this task could find."""

    def unpacked(self) -> Search:
        """The task's search (unpickled once a search in each process)."""
        if isinstance(self.search, Search):
            return self.search
        kept = _SEARCHES.get(self.token)
        if kept is None:
            _SEARCHES.clear()
            kept = _SEARCHES[self.token] = pickle.loads(self.search)
        return kept


@attrs.frozen
class NodeReport:
    """What a worker found at one state: the state checks it breaks and, when expanded, each
    move's outcome, where each move that changed the state went (by move index: the index of
    its fingerprint in the task's :attr:`TaskReport.keys`), the step checks broken (move
    index, invariant, how, the last step of the trace), and the state's role states (what a
    result's summary and traces show, without the world)."""

    state_failures: tuple[tuple[str, str], ...]
    outcomes: tuple[str, ...] | None
    changed: dict[int, int]
    broken: tuple[tuple[int, str, str, TraceStep], ...]
    roles: tuple[tuple[str, str], ...]


@attrs.frozen
class TaskReport:
    """A task's reports, one a state in the task's order, and the fingerprints of the states
    its moves reached, each once."""

    keys: tuple[Any, ...]
    nodes: tuple[NodeReport, ...]


def run_task(task: Task) -> TaskReport:
    """Replay the task's paths (sharing prefixes), check and expand each state."""
    search = task.unpacked()
    moves, state_checks, step_checks = search.moves, search.state_checks, search.step_checks
    worlds: dict[tuple[int, ...], Simulation] = {(): search.start.start()}
    keys: dict[Any, int] = {}

    def world_at(path: tuple[int, ...]) -> Simulation:
        world = worlds.get(path)
        if world is None:
            world = world_at(path[:-1]).fork()
            moves[path[-1]].apply(world)
            worlds[path] = world
        return world

    reports = []
    for path in task.paths:
        world = world_at(path)
        failed = tuple(state_failures(state_checks, world, task.skip))
        roles = role_states(world)
        if not task.expand:
            reports.append(NodeReport(failed, None, {}, (), roles))
            continue
        outcomes: list[str] = []
        changed: dict[int, int] = {}
        broken: list[tuple[int, str, str, TraceStep]] = []
        for i, outcome, after, failures in expand_moves(world, moves, step_checks, task.skip):
            outcomes.append(outcome)
            if after is not None:
                changed[i] = keys.setdefault(after.abstract_state(), len(keys))
            broken.extend((i, name, how, last) for name, how, last in failures)
        reports.append(NodeReport(failed, tuple(outcomes), changed, tuple(broken), roles))
    return TaskReport(tuple(keys), tuple(reports))
