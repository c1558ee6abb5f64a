"""Exhaustive, breadth-first exploration of a small world, TLC-style.

Where hypothesis samples sequences at random, :func:`explore` visits *every* state reachable
within a bound, checks named invariants on each, and for each broken invariant returns the
shortest sequence of moves that breaks it (breadth-first order makes the first one found the
shortest). States are compared on an abstract fingerprint (role states, resources, integration,
task statuses, pending work), not on ids or timestamps, so re-creations that differ only in ids
collapse into one state.

>>> result = explore(depth=3)
>>> result.complete, result.violations
(True, {})
>>> result.states > 10
True
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from slr_fsm.display import html_table
from slr_fsm.errors import UsageError
from slr_fsm.invariants import Invariant, Step, resolve_invariants
from slr_fsm.lifecycle import RoleState
from slr_fsm.moves import FAULT_MOVE, LATEST_TASK, Move, default_moves, small_world
from slr_fsm.shown import shown
from slr_fsm.simulation import Simulation
from slr_fsm.trace import Trace, TraceStep, describe_world, failure_of, replay, role_states

__all__ = [
    "FAULT_MOVE",
    "LATEST_TASK",
    "ExploreProgress",
    "ExploreResult",
    "Move",
    "Trace",
    "TraceStep",
    "default_moves",
    "explore",
    "fingerprint",
    "replay",
    "role_state_is",
    "small_world",
]


def fingerprint(world: Simulation) -> tuple[Any, ...]:
    """The state a world is in, for the explorer: its :meth:`~slr_fsm.world.World.abstract_state`
    (role states, integrations, purchase orders, unfinished tasks, pending work, faults; not
    ids, times, descriptions or finished tasks)."""
    return world.abstract_state()


@attrs.frozen
class ExploreProgress:
    """How far an exploration has got, for a progress callback."""

    states: int
    moves_tried: int
    depth: int
    elapsed: float

    @property
    def states_per_second(self) -> float:
        """Distinct states found per second so far."""
        return self.states / self.elapsed if self.elapsed else 0.0


@attrs.frozen
class _Node:
    world: Simulation = attrs.field(eq=False, repr=False)
    depth: int
    parent: int | None
    via: Move | None
    outcome: str


@attrs.frozen
class ExploreResult:
    """What an exploration found.

    ``nodes`` are the distinct states (index 0 the start), ``edges`` every move tried as
    ``(from, move, outcome, to)``; ``violations`` maps each broken invariant to its shortest
    counterexample. ``complete`` is False when a bound of states or time stopped the search
    before it ran out of states or depth.
    """

    nodes: tuple[_Node, ...] = attrs.field(repr=False)
    edges: tuple[tuple[int, Move, str, int], ...] = attrs.field(repr=False)
    invariants: tuple[Invariant, ...] = attrs.field(repr=False)
    violations: dict[str, Trace]
    depth: int
    complete: bool
    stopped_because: str
    elapsed: float = attrs.field(repr=False)
    start: Mapping[str, Any] = attrs.field(repr=False)

    def __str__(self) -> str:
        return self.summary()

    @property
    def states(self) -> int:
        """How many distinct states were reached."""
        return len(self.nodes)

    @property
    def moves_tried(self) -> int:
        """How many moves were tried, over all states."""
        return len(self.edges)

    @property
    def states_per_second(self) -> float:
        """Distinct states found per second."""
        return self.states / self.elapsed if self.elapsed else float(self.states)

    def world(self, state: int) -> Simulation:
        """A fork of the world representing a state."""
        return self._node(state).world.fork()

    def _node(self, state: int) -> _Node:
        if (
            isinstance(state, bool)
            or not isinstance(state, int)
            or not 0 <= state < len(self.nodes)
        ):
            raise UsageError(f"No state {state!r}: states are numbered 0 to {len(self.nodes) - 1}.")
        return self.nodes[state]

    def successors(self, state: int) -> set[int]:
        """The states one move away from ``state`` (itself excluded)."""
        return {dst for src, _, _, dst in self.edges if src == state and dst != state}

    @property
    def frontier(self) -> int:
        """States at the depth bound, not expanded; 0 means every reachable state was found."""
        return sum(1 for node in self.nodes if node.depth == self.depth) if self.complete else -1

    @property
    def dead_ends(self) -> tuple[int, ...]:
        """Explored states no move leaves (within the depth bound, the frontier excluded)."""
        left = {src for src, _, _, dst in self.edges if dst != src}
        expanded = {src for src, _, _, _ in self.edges}
        return tuple(s for s in range(len(self.nodes)) if s in expanded and s not in left)

    def cannot_reach(self, target: Callable[[Simulation], bool]) -> tuple[int, ...]:
        """States from which no explored path leads to a world where ``target`` holds."""
        reaching = {i for i, node in enumerate(self.nodes) if target(node.world)}
        incoming: dict[int, set[int]] = {}
        for src, _, _, dst in self.edges:
            incoming.setdefault(dst, set()).add(src)
        frontier = list(reaching)
        while frontier:
            for src in incoming.get(frontier.pop(), ()):
                if src not in reaching:
                    reaching.add(src)
                    frontier.append(src)
        return tuple(i for i in range(len(self.nodes)) if i not in reaching)

    def path_to(self, state: int, broken: str | None = None) -> Trace:
        """The shortest explored path from the start to ``state``, as a trace (found under
        the start world's lifecycle; ``broken`` names the invariant it breaks, if any)."""
        steps = []
        node = self._node(state)
        while node.parent is not None and node.via is not None:
            steps.append(TraceStep(node.via, node.outcome, role_states(node.world)))
            node = self.nodes[node.parent]
        checked = next((inv for inv in self.invariants if inv.name == broken), None)
        lifecycle = self.nodes[0].world.lifecycle
        return Trace(self.start, tuple(reversed(steps)), broken, checked, lifecycle=lifecycle)

    def describe_state(self, state: int) -> str:
        """One line: each account's role state, integrations and purchase orders."""
        return describe_world(self._node(state).world, dynamic=False)

    def _repr_html_(self) -> str:
        invariants = html_table(
            ["invariant", "verdict", "what it says"],
            [
                [inv.name, "BROKEN" if inv.name in self.violations else "held", inv.summary]
                for inv in self.invariants
            ],
            f"{self.states} states, {self.moves_tried} moves, depth {self.depth}"
            + ("" if self.complete else f" (stopped early: {self.stopped_because})"),
        )
        return invariants + "".join(t._repr_html_() for t in self.violations.values())

    def summary(self, *, timings: bool = True) -> str:
        """The report the CLI prints: counts, invariants held or broken, counterexamples.
        ``timings=False`` leaves out times (for output that must not change between runs)."""
        if not self.complete:
            reach = f"stopped early: {self.stopped_because}"
        elif self.frontier:
            reach = f"{self.frontier} states at the depth bound not expanded"
        else:
            reach = "every reachable state found"
        took = (
            f" in {self.elapsed:.2f}s ({self.states_per_second:,.0f} states/s)" if timings else ""
        )
        lines = [
            f"explored {self.states} states, {self.moves_tried} moves, to depth {self.depth}"
            f"{took}; {reach}",
            f"dead ends: {len(self.dead_ends)}",
            "reachable role states (management, member, standalone ...) and how many states each:",
            *(f"  {combo}: {count}" for combo, count in self.role_state_counts().items()),
            "invariants:",
        ]
        for inv in self.invariants:
            verdict = "BROKEN" if inv.name in self.violations else "held"
            lines.append(f"  {verdict:<6} {inv.name}: {inv.summary}")
        for name, trace in self.violations.items():
            lines.append(f"\nshortest counterexample for {name}:")
            lines.append(str(trace))
        return "\n".join(lines)

    def role_state_counts(self) -> dict[str, int]:
        """How many explored states have each combination of role states, one per account."""
        counts: dict[str, int] = {}
        for node in self.nodes:
            combo = ", ".join(state for _, state in role_states(node.world))
            counts[combo] = counts.get(combo, 0) + 1
        return dict(sorted(counts.items()))

    def to_json_value(self) -> dict[str, Any]:
        """The result as plain JSON data (states described, counterexamples in full)."""
        return {
            "states": self.states,
            "moves_tried": self.moves_tried,
            "depth": self.depth,
            "complete": self.complete,
            "frontier": self.frontier,
            "stopped_because": self.stopped_because,
            "elapsed_seconds": round(self.elapsed, 3),
            "dead_ends": list(self.dead_ends),
            "invariants": {inv.name: inv.name not in self.violations for inv in self.invariants},
            "violations": {k: v.to_json_value() for k, v in self.violations.items()},
            "reachable_states": [self.describe_state(i) for i in range(self.states)],
        }


def explore(
    world: Simulation | None = None,
    *,
    depth: int = 6,
    invariants: Iterable[Invariant | Callable[..., bool] | str] | None = None,
    moves: Sequence[Move] | None = None,
    max_states: int = 100_000,
    max_seconds: float = 300.0,
    progress: Callable[[ExploreProgress], None] | None = None,
    progress_every: float = 1.0,
) -> ExploreResult:
    """Explore every state of ``world`` (default :func:`small_world`) reachable in ``depth``
    moves, breadth-first, checking ``invariants`` (default: the whole library).

    The default depth, 6, reaches about 4,600 states of the small world in about ten seconds on
    two cores (each depth multiplies the states by about 2.5). ``moves`` defaults to
    :func:`default_moves`. The search stops cleanly at ``max_states`` distinct states or
    ``max_seconds`` (positive, finite); ``progress`` gets an :class:`ExploreProgress` about
    every ``progress_every`` seconds.

    Your own checks are invariants too: a function of the world runs on a copy of each new
    state, a function of a ``step`` after every move, and may run your code against that
    copy (``iam_client(world)`` from :mod:`slr_fsm.boto`, for instance). A check breaks when
    it returns a false value, fails an ``assert`` or raises anything (a ``ClientError`` your
    code let escape, say); the counterexample's ``failure`` says which.
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise UsageError(f"depth is a number of moves >= 0, got {shown(depth)}")
    if world is not None and not isinstance(world, Simulation):
        raise UsageError(f"explore() takes a Simulation (e.g. small_world()), got {shown(world)}")
    for name, bound in (("max_states", max_states), ("max_seconds", max_seconds)):
        if not _finite(bound) or bound <= 0:
            raise UsageError(f"{name} is a positive, finite number, got {shown(bound)}")
    if not _finite(progress_every) or progress_every < 0:
        raise UsageError(f"progress_every is a finite number >= 0, got {shown(progress_every)}")
    if progress is not None and not callable(progress):
        raise UsageError(f"progress is a function of an ExploreProgress, got {shown(progress)}")
    if moves is not None and not all(isinstance(m, Move) for m in moves):
        raise UsageError("moves are Move values (see default_moves())")
    start_world = (world if world is not None else small_world()).fork()
    checks = resolve_invariants(invariants)
    state_checks = [inv for inv in checks if inv.on == "state"]
    step_checks = [inv for inv in checks if inv.on == "step"]
    all_moves = tuple(moves) if moves is not None else default_moves(start_world)
    began = time.perf_counter()
    last_report = began
    nodes: list[_Node] = [_Node(start_world, 0, None, None, "")]
    index = {fingerprint(start_world): 0}
    edges: list[tuple[int, Move, str, int]] = []
    found: dict[str, tuple[int, TraceStep | None, str]] = {}
    for inv in state_checks:
        failure = failure_of(inv, _safe(inv, start_world))
        if failure is not None:
            found[inv.name] = (0, None, failure)
    queue = deque([0])
    stopped = "explored every state within the depth"
    complete = True
    while queue:
        current = queue.popleft()
        node = nodes[current]
        if node.depth >= depth:
            continue
        scratch: Simulation | None = None
        for move in all_moves:
            after = scratch if scratch is not None else node.world.fork()
            outcome = move.apply(after)
            key = None
            unchanged = after.same_state(node.world)
            if unchanged:
                # Nothing but the event log changed (a refusal, a read): the same state, and
                # the copy can serve the next move instead of a fresh one.
                target, scratch = current, after
            else:
                scratch = None
                key = fingerprint(after)
                target = index.get(key, -1)
            if key is not None and target == -1:
                target = len(nodes)
                index[key] = target
                nodes.append(_Node(after, node.depth + 1, current, move, outcome))
                queue.append(target)
                for inv in state_checks:
                    if inv.name not in found:
                        failure = failure_of(inv, _safe(inv, after))
                        if failure is not None:
                            found[inv.name] = (target, None, failure)
            edges.append((current, move, outcome, target))
            for inv in step_checks:
                if inv.name not in found:
                    step = Step(_safe(inv, node.world), move, outcome, _safe(inv, after), unchanged)
                    failure = failure_of(inv, step)
                    if failure is not None:
                        final = TraceStep(move, outcome, role_states(after))
                        found[inv.name] = (current, final, failure)
        now = time.perf_counter()
        if progress is not None and now - last_report >= progress_every:
            last_report = now
            progress(ExploreProgress(len(nodes), len(edges), node.depth, now - began))
        if len(nodes) >= max_states:
            stopped, complete = f"reached max_states={max_states}", False
            break
        if now - began >= max_seconds:
            stopped, complete = f"reached max_seconds={max_seconds}", False
            break
    took = time.perf_counter() - began
    result = ExploreResult(
        tuple(nodes),
        tuple(edges),
        checks,
        {},
        depth,
        complete,
        stopped,
        took,
        start_world.snapshot(),
    )
    for name, (state, last, failure) in found.items():
        trace = attrs.evolve(result.path_to(state, broken=name), failure=failure)
        steps = trace.steps if last is None else (*trace.steps, last)
        result.violations[name] = attrs.evolve(trace, steps=steps)
    return result


def _finite(bound: object) -> bool:
    """Whether ``bound`` is an int (however large: math.isfinite would overflow on it) or a
    finite float, not a bool, NaN or an infinity."""
    if isinstance(bound, bool):
        return False
    return isinstance(bound, int) or (isinstance(bound, float) and math.isfinite(bound))


def _safe(invariant: Invariant, world: Simulation) -> Simulation:
    """The world itself for the library's invariants (they check on copies of their own), a
    copy for anyone else's, so that no check can change the exploration."""
    return world if invariant.forks_itself else world.fork()


def role_state_is(
    account: str, state: RoleState, service: str | None = None
) -> Callable[[Simulation], bool]:
    """A target for :meth:`ExploreResult.cannot_reach`: the role in ``account`` (of ``service``,
    when the world simulates several) is in ``state``."""
    return lambda world: world.role(account, service).state is state
