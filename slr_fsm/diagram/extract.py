"""Build the graph model: from the transition table, an explored graph, a trace.

>>> graph = lifecycle_graph()
>>> graph.edges[0], graph.edges[1].label
(Edge(source='start', target='absent', label='', kind=<Cause.CALLER: 'caller'>), 'create [management_account_on_console, caller_allowed]')
"""

from __future__ import annotations

from collections.abc import Iterable

from slr_fsm.diagram.model import Edge, Graph, GraphKind, Node, NodeKind, SequenceChart, Step
from slr_fsm.diagram.protocols import ExploredView, MoveView, TraceView
from slr_fsm.lifecycle import TRANSITIONS, Cause, RoleState, Transition

__all__ = ["explored_graph", "lifecycle_graph", "trace_chart"]

_CALLER_FACES = {"iam": "IAM", "console": "Marketplace console"}


def _edge_label(row: Transition) -> str:
    guards = f" [{', '.join(row.guards)}]" if row.guards else ""
    clock = " (clock)" if row.cause is Cause.CLOCK else ""
    return f"{row.trigger}{guards}{clock}"


def lifecycle_graph(table: Iterable[Transition] = TRANSITIONS) -> Graph:
    """Every state, an initial point leading to ``absent``, and an edge per (row, source)."""
    edges = [Edge("start", RoleState.ABSENT.value)]
    for row in table:
        for source in row.sources:
            dest = (row.dest or source).value
            edges.append(Edge(source.value, dest, _edge_label(row), row.cause))
    nodes = [Node("start", "", NodeKind.INITIAL), *(Node(s.value) for s in RoleState)]
    return Graph("lifecycle", GraphKind.STATES, tuple(nodes), tuple(edges))


def _cause(move: MoveView) -> Cause:
    return Cause.CALLER if move.face in _CALLER_FACES else Cause.CLOCK


def _folded(causes: Iterable[Cause]) -> Cause:
    return Cause.CALLER if Cause.CALLER in causes else Cause.CLOCK


def explored_graph(result: ExploredView) -> Graph:
    """One node per combination of role states (one per account), one edge per pair of
    combinations an ``ok`` move joins (its operations merged); self-loops fold away."""

    def combo(index: int) -> str:
        world = result.nodes[index].world
        return " / ".join("+".join(r.state.value for r in world.roles(a)) for a in world.accounts)

    ids: dict[str, str] = {}
    edges: dict[tuple[str, str], dict[str, Cause]] = {}
    for src, move, outcome, dst in result.edges:
        a, b = combo(src), combo(dst)
        for key in (a, b):
            ids.setdefault(key, f"s{len(ids)}")
        if a != b and outcome == "ok":
            edges.setdefault((a, b), {})[move.operation] = _cause(move)
    names = " / ".join(a.name or a.account_id for a in result.nodes[0].world.accounts)
    return Graph(
        "explored",
        GraphKind.FLOW,
        tuple(Node(node_id, key) for key, node_id in ids.items()),
        tuple(
            Edge(ids[a], ids[b], ", ".join(sorted(ops)), _folded(ops.values()))
            for (a, b), ops in edges.items()
        ),
        caption=f"role states: {names}",
    )


def trace_chart(trace: TraceView) -> SequenceChart:
    """Each step as a request from its caller (or AWS, for the clock) to IAM, the console or
    the clock, answered by the move's outcome."""
    steps = []
    for step in trace.steps:
        move = step.move
        caller = f"{move.principal}@{move.account_id}" if move.face in _CALLER_FACES else "AWS"
        callee = _CALLER_FACES.get(move.face, "Clock")
        steps.append(
            Step(caller, callee, move.operation, step.outcome, str(move), tuple(step.role_states))
        )
    return SequenceChart("trace", tuple(steps), trace.broken)
