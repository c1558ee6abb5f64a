"""Graphviz DOT text from the model.

>>> from slr_fsm.diagram.model import Edge, Graph, GraphKind, Node
>>> print(dot(Graph("g", GraphKind.FLOW, (Node("a", "A"), Node("b")), (Edge("a", "b"),))))
digraph g {
  node [shape=box, fontname="Helvetica"];
  a [label="A"];
  a -> b;
}
"""

from __future__ import annotations

import html

from slr_fsm.diagram.model import Edge, Graph, GraphKind, NodeKind, SequenceChart

__all__ = ["dot"]

_HEADER = {
    GraphKind.STATES: (
        '  rankdir=LR; node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ),
    GraphKind.FLOW: ('  node [shape=box, fontname="Helvetica"];',),
}
_EDGE_ATTRS = {GraphKind.STATES: "", GraphKind.FLOW: ", fontsize=9"}


def dot(model: Graph | SequenceChart) -> str:
    """The model as DOT source."""
    lines = _sequence(model) if isinstance(model, SequenceChart) else _graph(model)
    return "\n".join([f"digraph {model.title} {{", *lines, "}"])


def _graph(graph: Graph) -> list[str]:
    lines = list(_HEADER[graph.kind])
    if graph.caption:
        lines.append(f'  label="{graph.caption}"; labelloc=t;')
    initial = {n.id for n in graph.nodes if n.kind is NodeKind.INITIAL}
    for node in graph.nodes:
        if node.id in initial:  # a point, with where it leads on the same line
            leads = "".join(f" {_edge(e, '')}" for e in graph.edges if e.source == node.id)
            lines.append(f"  {node.id} [shape=point];{leads}")
        elif node.label != node.id:
            lines.append(f'  {node.id} [label="{node.label}"];')
    extra = _EDGE_ATTRS[graph.kind]
    lines += [f"  {_edge(e, extra)}" for e in graph.edges if e.source not in initial]
    return lines


def _edge(edge: Edge, extra: str) -> str:
    attrs = f' [label="{edge.label}"{extra}]' if edge.label else ""
    return f"{edge.source} -> {edge.target}{attrs};"


def _sequence(chart: SequenceChart) -> list[str]:
    lines = ['  rankdir=TB; node [shape=box, fontname="Helvetica"];']
    for n, step in enumerate(chart.steps, 1):
        states = ", ".join(f"{a}: {s}" for a, s in step.role_states)
        text = f"{n}. {html.escape(step.description)}\\n=> {step.reply}\\n{states}"
        lines.append(f'  step{n} [label="{text}"];')
        if n > 1:
            lines.append(f"  step{n - 1} -> step{n};")
    return lines
