"""Breadth-first search on several processes, with the serial search's results.

The states are sent in chunks of consecutive states of one depth, each a
:class:`~slr_fsm.explore.worker.Task` for the executor (any ``concurrent.futures.Executor``: a
``ProcessPoolExecutor``, a dask client's ``get_executor()``), as soon as a chunk's worth is
found (no waiting for a level to end), and this process merges the reports *in the serial
order* (chunk by chunk, state by state, move by move): it numbers new states as the serial
search would, keeps every edge, and keeps, for each invariant, the failure first in that order.
A state's state checks run in the task that expands it (after it was found), each failure
placed where the serial search would have found it: just before the step checks of the move
that first reached the state. After a bound stops the search, the states found and not yet
checked are checked, and nothing more is expanded, as in the serial search.

This process keeps no world but the start: a state is its parent, its move, the outcome and the
fingerprint the workers reported, and its role states (which the result's summary and traces
show). The result's :class:`~slr_fsm.explore.result.Node` makes a state's world from its
parent's when it is first asked for (``result.world(i)``, ``describe_state``,
``cannot_reach``), checking the outcome and fingerprint again: a world that answered
differently twice is refused, not explored wrongly. Measured: rebuilding every new state here
(fork, move, fingerprint, about 220 µs a state, and the garbage collector walking the worlds
kept) was 7 to 11% of the serial search's CPU, on the path of every report."""

from __future__ import annotations

import pickle
import time
from collections import deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from itertools import repeat
from typing import Any

from slr_fsm.errors import UsageError
from slr_fsm.simulation import Simulation
from slr_fsm.trace import TraceStep

from .result import ExploreProgress, ExploreResult, Node, Rebuild
from .serial import Found, Settings, finish
from .worker import PortableWorld, Search, Task, TaskReport, run_task

__all__ = ["CHUNK", "parallel_search"]

CHUNK = 32
"""How many states a task checks and expands (about 5,600 moves of the small world, against
the 50 or so a worker replays to rebuild them): a chunk is sent as soon as that many states of
one depth are found, so the workers need not wait for a level to end. When nothing else is in
flight (the first levels), the states waiting are sent in two halves, so that two workers
share them."""

Position = tuple[int, int, int]
"""Where the serial search checks something: (state expanded, move index, 0 for the state
checks of the state that move reached first, 1 for the move's step checks)."""


def parallel_search(start: Simulation, settings: Settings, executor: Executor) -> ExploreResult:
    """The search :func:`~slr_fsm.explore.serial.search` makes, on ``executor``'s workers."""
    began = last_report = time.perf_counter()
    portable = PortableWorld.of(start)
    state_checks, step_checks = settings.state_checks, settings.step_checks
    moves = settings.moves
    if isinstance(executor, ProcessPoolExecutor):
        _check_sendable(settings)
    packed = Search(portable, moves, state_checks, step_checks).packed()
    parents: list[int] = [-1]
    born: list[tuple[int, str, Any]] = [(-1, "", None)]
    """How each state was first reached (move index, outcome, fingerprint)."""
    roles: list[tuple[tuple[str, str], ...] | None] = [None]
    paths: list[tuple[int, ...]] = [()]
    index: dict[Any, int] = {start.abstract_state(): 0}
    edges: list[tuple[int, Any, str, int]] = []
    first: dict[str, tuple[Position, int, TraceStep | None, str]] = {}

    def record(name: str, where: Position, state: int, last: TraceStep | None, how: str) -> None:
        if name not in first or where < first[name][0]:
            first[name] = (where, state, last, how)

    depths: list[int] = [0]
    stopped, complete = "explored every state within the depth", True
    waiting: list[int] = [0]
    """States found and not yet sent, in order."""
    in_flight: deque[tuple[list[int], bool, Future[TaskReport]]] = deque()

    def send(everything: bool) -> None:
        """Send the waiting states in chunks of one depth: full chunks, and the rest too when
        ``everything`` (nothing else is in flight, the workers would wait); then fewer than
        two chunks' worth go in two halves, one for each of two workers."""
        halves = everything
        while waiting:
            depth = depths[waiting[0]]
            size = 0
            while size < len(waiting) and size < 2 * CHUNK and depths[waiting[size]] == depth:
                size += 1
            if size < CHUNK and size == len(waiting) and not everything:
                return  # more of this depth may come: wait for a full chunk
            size = (size + 1) // 2 if halves and size < 2 * CHUNK else min(size, CHUNK)
            halves = False
            batch, waiting[:] = waiting[:size], waiting[size:]
            expand = complete and depth < settings.depth
            earliest = parents[batch[0]]
            skip = frozenset(name for name, (where, *_) in first.items() if where[0] < earliest)
            paths_sent = tuple(paths[n] for n in batch)
            task = Task(packed, portable.token, paths_sent, expand, skip)
            in_flight.append((batch, expand, executor.submit(run_task, task)))

    send(everything=True)
    while in_flight:
        batch, expanded, future = in_flight.popleft()
        answered = future.result()
        keys, targets = answered.keys, [-1] * len(answered.keys)
        for n, report in zip(batch, answered.nodes, strict=True):
            at: Position = (-1, 0, 0) if n == 0 else (parents[n], paths[n][-1], 0)
            roles[n] = report.roles
            for name, how in report.state_failures:
                record(name, at, n, None, how)
            if report.outcomes is None or not (expanded and complete):
                continue  # checked only (or expanded after a bound stopped the search)
            # every move an edge back to this state, then the moves that changed it redirected
            # (in move order, so that new states are numbered as the serial search numbers them)
            first_edge, outcomes, count = len(edges), report.outcomes, len(moves)
            edges.extend(zip(repeat(n, count), moves, outcomes, repeat(n, count), strict=True))
            for i, k in sorted(report.changed.items()):
                target = targets[k]
                if target < 0:  # the first move of this task to reach this state
                    target = targets[k] = index.setdefault(keys[k], len(paths))
                if target == len(paths):
                    born.append((i, outcomes[i], keys[k]))
                    roles.append(None)
                    parents.append(n)
                    depths.append(depths[n] + 1)
                    paths.append((*paths[n], i))
                    waiting.append(target)
                edges[first_edge + i] = (n, moves[i], outcomes[i], target)
            for i, name, how, last in report.broken:
                record(name, (n, i, 1), n, last, how)
            now = time.perf_counter()
            if settings.progress is not None and now - last_report >= settings.progress_every:
                last_report = now
                settings.progress(ExploreProgress(len(paths), len(edges), depths[n], now - began))
            if len(paths) >= settings.max_states:
                stopped, complete = f"reached max_states={settings.max_states}", False
            elif now - began >= settings.max_seconds:
                stopped, complete = f"reached max_seconds={settings.max_seconds}", False
        send(everything=not in_flight)
    found: Found = {
        name: (state, last, how)
        for name, (_, state, last, how) in sorted(first.items(), key=lambda item: item[1][0])
    }
    nodes: list[Node] = [Node(start, 0, None, None, "", roles[0])]
    rebuilds: list[Rebuild | Simulation] = [start.fork()]  # the start, held by no caller
    for n in range(1, len(paths)):
        i, outcome, key = born[n]
        rebuilds.append(Rebuild(rebuilds[parents[n]], moves[i], outcome, key))
        nodes.append(Node(rebuilds[n], depths[n], parents[n], moves[i], outcome, roles[n]))
    took = time.perf_counter() - began
    return finish(nodes, edges, settings, found, complete, stopped, took)


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
