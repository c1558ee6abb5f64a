"""The breadth-first search on one core, and what it shares with the parallel one: how a state's
moves are made and checked (:func:`expand_moves`) and how the broken invariants become
counterexamples (:func:`finish`).

Breadth-first order numbers the states as they are first reached; each invariant's
counterexample is the first failure in that order: a new state's state checks come before the
step checks of the move that reached it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Container, Iterator, Sequence
from typing import Any

import attrs

from slr_fsm.invariants import Invariant, Step
from slr_fsm.moves import Move
from slr_fsm.simulation import Simulation
from slr_fsm.trace import TraceStep, failure_of, role_states

from .result import ExploreProgress, ExploreResult, Node

__all__ = ["Found", "Settings", "expand_moves", "finish", "safe", "search", "state_failures"]

Found = dict[str, tuple[int, TraceStep | None, str]]
"""Each broken invariant's first failure: the state it was found at, the last step (for a step
check), and how it failed."""


@attrs.frozen
class Settings:
    """One exploration's parameters, checked by :func:`~slr_fsm.explore.explore`."""

    depth: int
    moves: tuple[Move, ...]
    checks: tuple[Invariant, ...]
    max_states: int | float
    max_seconds: int | float
    progress: Callable[[ExploreProgress], None] | None
    progress_every: float

    @property
    def state_checks(self) -> tuple[Invariant, ...]:
        return tuple(inv for inv in self.checks if inv.on == "state")

    @property
    def step_checks(self) -> tuple[Invariant, ...]:
        return tuple(inv for inv in self.checks if inv.on == "step")


def safe(invariant: Invariant, world: Simulation) -> Simulation:
    """The world itself for the library's invariants (they check on copies of their own), a
    copy for anyone else's, so that no check can change the exploration."""
    return world if invariant.forks_itself else world.fork()


def state_failures(
    checks: Sequence[Invariant], world: Simulation, skip: Container[str]
) -> list[tuple[str, str]]:
    """``(invariant, how it failed)`` for each state check ``world`` breaks (``skip`` aside)."""
    failed = []
    for inv in checks:
        if inv.name not in skip:
            failure = failure_of(inv, safe(inv, world))
            if failure is not None:
                failed.append((inv.name, failure))
    return failed


def expand_moves(
    world: Simulation,
    moves: Sequence[Move],
    step_checks: Sequence[Invariant],
    skip: Container[str],
) -> Iterator[tuple[int, str, Simulation | None, list[tuple[str, str, TraceStep]]]]:
    """Make each move on a copy of ``world``: yield its index, its outcome, the world after it
    (``None`` when the move left the state as it was) and the step checks it broke.

    A move that changes nothing but the log (a refusal, a read) leaves a copy that serves the
    next move instead of a fresh fork, and so do the faces built on it; step checks that hold on such moves by definition
    (``holds_when_unchanged``) are not run on them."""
    scratch: Simulation | None = None
    faces: dict[tuple[str, str, str], Any] = {}
    for i, move in enumerate(moves):
        if scratch is None:
            after, faces = world.fork(), {}
        else:
            after = scratch
        outcome = move.apply(after, faces)
        unchanged = after.same_state(world)
        scratch = after if unchanged else None
        broken: list[tuple[str, str, TraceStep]] = []
        for inv in step_checks:
            if inv.name in skip or (unchanged and inv.holds_when_unchanged):
                continue
            step = Step(safe(inv, world), move, outcome, safe(inv, after), unchanged)
            failure = failure_of(inv, step)
            if failure is not None:
                broken.append((inv.name, failure, TraceStep(move, outcome, role_states(after))))
        yield i, outcome, None if unchanged else after, broken


def search(start: Simulation, settings: Settings) -> ExploreResult:
    """Breadth-first from ``start`` on this core."""
    began = last_report = time.perf_counter()
    state_checks, step_checks = settings.state_checks, settings.step_checks
    nodes: list[Node] = [Node(start, 0, None, None, "")]
    index: dict[Any, int] = {start.abstract_state(): 0}
    edges: list[tuple[int, Move, str, int]] = []
    found: Found = {name: (0, None, how) for name, how in state_failures(state_checks, start, ())}
    queue = deque([0])
    stopped, complete = "explored every state within the depth", True
    while queue:
        current = queue.popleft()
        node = nodes[current]
        if node.depth >= settings.depth:
            continue
        for i, outcome, after, broken in expand_moves(
            node.world, settings.moves, step_checks, found.keys()
        ):
            move = settings.moves[i]
            target = current
            if after is not None:
                key = after.abstract_state()
                target = index.setdefault(key, len(nodes))
                if target == len(nodes):
                    nodes.append(Node(after, node.depth + 1, current, move, outcome))
                    queue.append(target)
                    for name, how in state_failures(state_checks, after, found.keys()):
                        found[name] = (target, None, how)
            edges.append((current, move, outcome, target))
            for name, how, last in broken:
                found.setdefault(name, (current, last, how))
        now = time.perf_counter()
        if settings.progress is not None and now - last_report >= settings.progress_every:
            last_report = now
            settings.progress(ExploreProgress(len(nodes), len(edges), node.depth, now - began))
        if len(nodes) >= settings.max_states:
            stopped, complete = f"reached max_states={settings.max_states}", False
            break
        if now - began >= settings.max_seconds:
            stopped, complete = f"reached max_seconds={settings.max_seconds}", False
            break
    took = time.perf_counter() - began
    return finish(nodes, edges, settings, found, complete, stopped, took)


def finish(
    nodes: list[Node],
    edges: list[tuple[int, Move, str, int]],
    settings: Settings,
    found: Found,
    complete: bool,
    stopped: str,
    took: float,
) -> ExploreResult:
    """The result, each broken invariant's counterexample the path to where it was found."""
    start = nodes[0].world
    result = ExploreResult(
        tuple(nodes),
        tuple(edges),
        settings.checks,
        {},
        settings.depth,
        complete,
        stopped,
        took,
        start.snapshot(),
    )
    for name, (state, last, failure) in found.items():
        trace = attrs.evolve(result.path_to(state, broken=name), failure=failure)
        steps = trace.steps if last is None else (*trace.steps, last)
        result.violations[name] = attrs.evolve(trace, steps=steps)
    return result
