"""Breadth-first search on several processes, with the serial search's results.

Level by level: each level's states are cut into chunks of consecutive states, each chunk is a
:class:`~slr_fsm.explore.worker.Task` for the executor (any ``concurrent.futures.Executor``: a
``ProcessPoolExecutor``, a dask client's ``get_executor()``), and this process merges the
reports *in the serial order* (chunk by chunk, state by state, move by move): it numbers new
states as the serial search would, keeps every edge, and keeps, for each invariant, the
failure first in that order. A state's state checks run in the task that expands it (one
level after it was found), so each failure is placed where the serial search would have
found it: just before the step checks of the move that first reached the state.

Each new state's world is rebuilt here from its parent by its move (one move, against a whole
state's moves in the workers), and the worker's outcome and fingerprint are checked against
it: a world that answered differently twice would be refused, not explored wrongly.
"""

from __future__ import annotations

import math
import pickle
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from slr_fsm.errors import UsageError
from slr_fsm.simulation import Simulation
from slr_fsm.trace import TraceStep

from .result import ExploreProgress, ExploreResult, Node
from .serial import Found, Settings, finish
from .worker import NodeReport, PortableWorld, Task, run_task

__all__ = ["CHUNKS_PER_LEVEL", "parallel_search"]

CHUNKS_PER_LEVEL = 8
"""How many tasks a level is cut into (enough to keep two to four workers busy to the end of
a level; fewer for a level of few states)."""
_SMALLEST_CHUNK = 4

Position = tuple[int, int, int]
"""Where the serial search checks something: (state expanded, move index, 0 for the state
checks of the state that move reached first, 1 for the move's step checks)."""


def parallel_search(start: Simulation, settings: Settings, executor: Executor) -> ExploreResult:
    """The search :func:`~slr_fsm.explore.serial.search` makes, on ``executor``'s workers."""
    began = last_report = time.perf_counter()
    portable = PortableWorld.of(start)
    state_checks, step_checks = settings.state_checks, settings.step_checks
    if isinstance(executor, ProcessPoolExecutor):
        _check_sendable(settings)
    nodes: list[Node] = [Node(start, 0, None, None, "")]
    parents: list[int] = [-1]
    paths: list[tuple[int, ...]] = [()]
    index: dict[Any, int] = {start.abstract_state(): 0}
    edges: list[tuple[int, Any, str, int]] = []
    first: dict[str, tuple[Position, int, TraceStep | None, str]] = {}

    def record(name: str, where: Position, state: int, last: TraceStep | None, how: str) -> None:
        if name not in first or where < first[name][0]:
            first[name] = (where, state, last, how)

    level, depth, stopped, complete = [0], 0, "explored every state within the depth", True
    born: list[tuple[int, int, str, Any]] = []
    """The states found by the last level merged, to rebuild while the workers expand them."""
    while level:
        expand = complete and depth < settings.depth
        earliest = parents[level[0]]
        skip = frozenset(name for name, (where, *_) in first.items() if where[0] < earliest)
        chunks = _chunks(level)
        futures: list[Future[list[NodeReport]]] = [
            executor.submit(
                run_task,
                Task(
                    portable,
                    settings.moves,
                    state_checks,
                    step_checks,
                    tuple(paths[n] for n in chunk),
                    expand,
                    skip,
                ),
            )
            for chunk in chunks
        ]
        nodes.extend(_rebuilt(nodes, born, settings, depth))
        born = []
        next_level: list[int] = []
        for chunk, future in zip(chunks, futures, strict=True):
            for n, report in zip(chunk, future.result(), strict=True):
                at: Position = (-1, 0, 0) if n == 0 else (parents[n], paths[n][-1], 0)
                for name, how in report.state_failures:
                    record(name, at, n, None, how)
                if report.outcomes is None or not expand:
                    continue
                for i, outcome in enumerate(report.outcomes):
                    target = n
                    if i in report.changed:
                        key = report.changed[i]
                        target = index.setdefault(key, len(paths))
                        if target == len(paths):
                            born.append((n, i, outcome, key))
                            parents.append(n)
                            paths.append((*paths[n], i))
                            next_level.append(target)
                    edges.append((n, settings.moves[i], outcome, target))
                for i, name, how, last in report.broken:
                    record(name, (n, i, 1), n, last, how)
                now = time.perf_counter()
                if settings.progress is not None and now - last_report >= settings.progress_every:
                    last_report = now
                    progress = ExploreProgress(len(paths), len(edges), depth, now - began)
                    settings.progress(progress)
                if len(paths) >= settings.max_states:
                    stopped, complete = f"reached max_states={settings.max_states}", False
                elif now - began >= settings.max_seconds:
                    stopped, complete = f"reached max_seconds={settings.max_seconds}", False
                expand = complete  # after a bound stops the search: the state checks alone
        level, depth = next_level, depth + 1
    nodes.extend(_rebuilt(nodes, born, settings, depth))
    found: Found = {
        name: (state, last, how)
        for name, (_, state, last, how) in sorted(first.items(), key=lambda item: item[1][0])
    }
    took = time.perf_counter() - began
    return finish(nodes, edges, settings, found, complete, stopped, took)


def _chunks(level: list[int]) -> list[list[int]]:
    """``level`` cut into at most :data:`CHUNKS_PER_LEVEL` runs of consecutive states."""
    size = max(_SMALLEST_CHUNK, math.ceil(len(level) / CHUNKS_PER_LEVEL))
    return [level[k : k + size] for k in range(0, len(level), size)]


def _rebuilt(
    nodes: list[Node], born: list[tuple[int, int, str, Any]], settings: Settings, depth: int
) -> list[Node]:
    """The new states workers reported (parent, move index, outcome, fingerprint), rebuilt
    here at ``depth``: the parent's world forked, the move made, the worker's outcome and
    fingerprint checked."""
    rebuilt = []
    for parent, i, outcome, key in born:
        move = settings.moves[i]
        world = nodes[parent].world.fork()
        again = move.apply(world)
        if again != outcome or world.abstract_state() != key:
            raise RuntimeError(
                f"The world answered {move} differently in two processes ({outcome} there, "
                f"{again} here): a parallel search needs a deterministic world."
            )
        rebuilt.append(Node(world, depth, parent, move, outcome))
    return rebuilt


def _check_sendable(settings: Settings) -> None:
    """Refuse, before any work, moves or checks a process pool cannot send (pickle sends a
    function by its module and name: one defined inside a function, or a lambda, cannot)."""
    for what, value in (("moves", settings.moves), ("invariants", settings.checks)):
        try:
            pickle.dumps(value)
        except Exception as error:
            raise UsageError(
                f"A ProcessPoolExecutor cannot send these {what} to its processes ({error}); "
                "define checks at the top level of a module, or use a dask client's "
                "executor (cloudpickle sends any function)."
            ) from None
