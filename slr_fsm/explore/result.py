"""What an exploration found (:class:`ExploreResult`) and how far one has got
(:class:`ExploreProgress`): the states, the moves tried, the counterexamples."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from slr_fsm.display import html_table
from slr_fsm.errors import UsageError
from slr_fsm.invariants import Invariant
from slr_fsm.moves import Move
from slr_fsm.simulation import Simulation
from slr_fsm.trace import Trace, TraceStep, describe_world, role_states

__all__ = ["ExploreProgress", "ExploreResult", "Node", "Rebuild"]


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
class Node:
    """One distinct state: a world in it, its depth, and the move that first reached it.

    ``world`` is a :class:`~slr_fsm.simulation.Simulation`, or (from a parallel search) a
    :class:`Rebuild` that makes it from the parent's when it is first asked for; ``roles`` are the state's role states when known without its world."""

    _world: Simulation | Rebuild = attrs.field(eq=False, repr=False, alias="world")
    depth: int
    parent: int | None
    via: Move | None
    outcome: str
    _roles: tuple[tuple[str, str], ...] | None = attrs.field(
        default=None, eq=False, repr=False, alias="roles"
    )

    @property
    def world(self) -> Simulation:
        """A world in this state (the one the result keeps: fork it before changing it)."""
        world = self._world
        return world if isinstance(world, Simulation) else world.get()

    @property
    def role_states(self) -> tuple[tuple[str, str], ...]:
        """Each account's role states in this state (:func:`~slr_fsm.trace.role_states`)."""
        return self._roles if self._roles is not None else role_states(self.world)


class Rebuild:
    """A state's world made when first asked for: its parent's world forked and the move that
    first reached the state made on it, the outcome and fingerprint checked against what the
    search saw (a parallel search's workers made the worlds; this process keeps only how).

    ``parent`` is the parent state's :class:`Rebuild`, or for the start's successors a world
    in the start state that no one else holds. Each state's world is made from its parent's
    own copy, never from the world a caller was given, so that a caller changing that world
    changes no other state."""

    __slots__ = ("_base", "_key", "_move", "_outcome", "_parent", "_world")

    def __init__(self, parent: Rebuild | Simulation, move: Move, outcome: str, key: Any) -> None:
        self._parent: Rebuild | Simulation | None = parent
        self._move, self._outcome, self._key = move, outcome, key
        self._base: Simulation | None = None
        self._world: Simulation | None = None

    def base(self) -> Simulation:
        """This process's own world in this state (its successors are made from it). Made
        down the chain of parents not yet made, in a loop (a state may be thousands of moves
        deep), under one lock (threads asking for worlds of one result make each once)."""
        if self._base is not None:
            return self._base
        with _MAKING:
            return self._base_locked()

    def _base_locked(self) -> Simulation:
        if self._base is not None:
            return self._base
        chain: list[Rebuild] = []
        step: Rebuild | Simulation | None = self
        while isinstance(step, Rebuild) and step._base is None:
            chain.append(step)
            step = step._parent
        world = step if isinstance(step, Simulation) else step._base if step else None
        assert world is not None  # a parent is dropped only once its own world is made
        for rebuild in reversed(chain):
            world = rebuild._made_from(world)
        return world

    def _made_from(self, parent: Simulation) -> Simulation:
        world = parent.fork()
        again = self._move.apply(world)
        if again != self._outcome or world.abstract_state() != self._key:
            went = again if again != self._outcome else f"{again}, to another state"
            raise UsageError(
                f"The world answered {self._move} differently twice ({self._outcome} then "
                f"{went}): a parallel search needs a deterministic world."
            )
        self._base, self._parent = world, None
        return world

    def get(self) -> Simulation:
        """The world a caller is given, made on the first call and kept."""
        if self._world is None:
            with _MAKING:
                if self._world is None:
                    self._world = self._base_locked().fork()
        return self._world


_MAKING = threading.RLock()
"""Held while a :class:`Rebuild` makes worlds (a chain's parents are shared between states)."""


@attrs.frozen
class ExploreResult:
    """What an exploration found.

    ``nodes`` are the distinct states (index 0 the start), ``edges`` every move tried as
    ``(from, move, outcome, to)``; ``violations`` maps each broken invariant to its shortest
    counterexample. ``complete`` is False when a bound of states or time stopped the search
    before it ran out of states or depth.
    """

    nodes: tuple[Node, ...] = attrs.field(repr=False)
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

    def _node(self, state: int) -> Node:
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
        """States at the depth bound, not expanded; 0 means every reachable state was found,
        -1 that a bound (``max_states``, ``max_seconds``) stopped the search, so it is unknown
        (``null`` in :meth:`to_json_value`)."""
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
            steps.append(TraceStep(node.via, node.outcome, node.role_states))
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
            combo = ", ".join(state for _, state in node.role_states)
            counts[combo] = counts.get(combo, 0) + 1
        return dict(sorted(counts.items()))

    def to_json_value(self) -> dict[str, Any]:
        """The result as plain JSON data (states described, counterexamples in full)."""
        return {
            "states": self.states,
            "moves_tried": self.moves_tried,
            "depth": self.depth,
            "complete": self.complete,
            "frontier": self.frontier if self.complete else None,
            "stopped_because": self.stopped_because,
            "elapsed_seconds": round(self.elapsed, 3),
            "dead_ends": list(self.dead_ends),
            "invariants": {inv.name: inv.name not in self.violations for inv in self.invariants},
            "violations": {k: v.to_json_value() for k, v in self.violations.items()},
            "reachable_states": [self.describe_state(i) for i in range(self.states)],
        }
