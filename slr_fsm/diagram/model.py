"""The graph model every diagram is drawn from: pure, frozen data that renderers turn into text.

>>> graph = Graph("g", GraphKind.STATES, (Node("a"), Node("b")), (Edge("a", "b", "go"),))
>>> graph.node("b"), graph.edges[0].kind
(Node(id='b', label='b', kind=<NodeKind.STATE: 'state'>, highlighted=False), <Cause.CALLER: 'caller'>)
"""

from __future__ import annotations

import enum

import attrs

from slr_fsm.lifecycle import Cause

__all__ = ["Edge", "Graph", "GraphKind", "Node", "NodeKind", "SequenceChart", "Step"]


class NodeKind(enum.Enum):
    """How a node is drawn: the initial point, or an ordinary state."""

    INITIAL = "initial"
    STATE = "state"


class GraphKind(enum.Enum):
    """What a graph shows: a state machine (left to right, rounded), or a flowchart of states."""

    STATES = "states"
    FLOW = "flow"


@attrs.frozen
class Node:
    """A node; its ``label`` defaults to its ``id`` (and then it needs no declaration).
    ``highlighted`` marks it (a role's current state)."""

    id: str
    label: str = attrs.field(default=attrs.Factory(lambda self: self.id, takes_self=True))
    kind: NodeKind = NodeKind.STATE
    highlighted: bool = False


@attrs.frozen
class Edge:
    """A directed edge; ``kind`` says who fires it, a caller or the clock (a caller when the
    edge merges both). Its ``label`` may hold several lines (one per transition it merges),
    joined by newlines; ``highlighted`` marks it (a step of a role's path)."""

    source: str
    target: str
    label: str = ""
    kind: Cause = Cause.CALLER
    highlighted: bool = False

    @property
    def lines(self) -> tuple[str, ...]:
        """The label's lines (none for an unlabelled edge)."""
        return tuple(self.label.split("\n")) if self.label else ()


@attrs.frozen
class Graph:
    """Nodes and edges, in drawing order, under a title and an optional caption."""

    title: str
    kind: GraphKind
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    caption: str = ""

    @property
    def highlighted(self) -> bool:
        """Whether any node or edge is highlighted (renderers then add their styles)."""
        return any(n.highlighted for n in self.nodes) or any(e.highlighted for e in self.edges)

    def node(self, node_id: str) -> Node:
        """The node with this id."""
        return next(n for n in self.nodes if n.id == node_id)


@attrs.frozen
class Step:
    """One exchange of a sequence: a request from caller to callee, its reply, and the roles'
    states afterwards; ``description`` is the request in full."""

    caller: str
    callee: str
    request: str
    reply: str
    description: str
    role_states: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class SequenceChart:
    """Ordered steps between participants, and the invariant broken at the end (if any)."""

    title: str
    steps: tuple[Step, ...]
    broken: str | None = None

    @property
    def participants(self) -> tuple[str, ...]:
        """Everyone taking part, in order of first appearance."""
        return tuple(dict.fromkeys(who for s in self.steps for who in (s.caller, s.callee)))
