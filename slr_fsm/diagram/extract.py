"""Build the graph model: from the transition table (with a role's state and path), or from an
explored graph.

The lifecycle has one edge per pair of states, whatever the number of rows joining them: the
rows' labels become lines of that edge's label. So every transition is visible in every
renderer (Mermaid draws one self-loop per state; Graphviz lays parallel labels on top of each
other), and no two labels of one pair overlap.

>>> graph = lifecycle_graph()
>>> graph.edges[0], graph.edges[1].label
(Edge(source='start', target='absent', label='', kind=<Cause.CALLER: 'caller'>, highlighted=False), 'create [management_account_on_console, caller_allowed]')
>>> print(next(e.label for e in graph.edges if e.source == e.target == "deleting_blocked"))
update_description [caller_allowed]
request_deletion [caller_allowed]
finish_deletion [resources_in_use] (clock)
"""

from __future__ import annotations

from collections.abc import Iterable

from slr_fsm.diagram.model import Edge, Graph, GraphKind, Node, NodeKind
from slr_fsm.diagram.paths import PathStep
from slr_fsm.diagram.protocols import ExploredView, MoveView
from slr_fsm.lifecycle import TRANSITIONS, Cause, RoleState, Transition

__all__ = ["CALLER_FACES", "edge_label", "explored_graph", "lifecycle_graph"]

CALLER_FACES = {
    "iam": "IAM",
    "console": "Marketplace console",
    "sts": "STS",
    "organizations": "Organizations",
}
"""The faces a caller calls, by move face, as diagrams name them; other moves are AWS's own."""


def edge_label(row: Transition) -> str:
    """A row as one label line: trigger, ``[guards]``, and ``(clock)`` when the clock fires it."""
    guards = f" [{', '.join(row.guards)}]" if row.guards else ""
    clock = " (clock)" if row.cause is Cause.CLOCK else ""
    return f"{row.trigger}{guards}{clock}"


def _numbers(numbers: list[int]) -> str:
    return f" (step{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))})"


def lifecycle_graph(
    table: Iterable[Transition] = TRANSITIONS,
    *,
    current: RoleState | None = None,
    path: Iterable[PathStep] = (),
) -> Graph:
    """Every state, an initial point leading to ``absent``, and one edge per pair of states the
    table joins, in table order, labelled with a line per row. ``current`` is highlighted, and
    so is every edge of ``path``, whose lines gain the numbers of the steps that took them."""
    steps: dict[tuple[Transition, RoleState], list[int]] = {}
    for step in path:
        steps.setdefault((step.row, step.before), []).append(step.number)
    pairs: dict[tuple[str, str], list[tuple[Transition, list[int]]]] = {}
    for row in table:
        for source in row.sources:
            key = (source.value, (row.dest or source).value)
            pairs.setdefault(key, []).append((row, steps.get((row, source), [])))
    edges = [Edge("start", RoleState.ABSENT.value)]
    for (begin, end), rows in pairs.items():
        lines = [edge_label(row) + (_numbers(numbers) if numbers else "") for row, numbers in rows]
        kind = _folded(row.cause for row, _ in rows)
        taken = any(numbers for _, numbers in rows)
        edges.append(Edge(begin, end, "\n".join(lines), kind, highlighted=taken))
    nodes = [
        Node("start", "", NodeKind.INITIAL),
        *(Node(s.value, highlighted=s is current) for s in RoleState),
    ]
    return Graph("lifecycle", GraphKind.STATES, tuple(nodes), tuple(edges))


def _cause(move: MoveView) -> Cause:
    return Cause.CALLER if move.face in CALLER_FACES else Cause.CLOCK


def _folded(causes: Iterable[Cause]) -> Cause:
    return Cause.CALLER if Cause.CALLER in set(causes) else Cause.CLOCK


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
