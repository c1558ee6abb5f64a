"""Graphviz DOT text from the model.

A label's lines stay lines (``\\n``); in a state diagram each of a transition's guards starts a
line of its own, which keeps the picture narrow enough to read in a notebook. A highlighted
node is filled and outlined, a highlighted edge drawn thick, both in
:data:`~slr_fsm.diagram.mermaid.HIGHLIGHT`.

>>> from slr_fsm.diagram.model import Edge, Graph, GraphKind, Node
>>> print(dot(Graph("g", GraphKind.FLOW, (Node("a", "A"), Node("b")), (Edge("a", "b"),))))
digraph g {
  fontname="Helvetica"; node [shape=box, fontname="Helvetica"];
  a [label="A"];
  a -> b;
}
"""

from __future__ import annotations

from slr_fsm.diagram.mermaid import HIGHLIGHT
from slr_fsm.diagram.model import Edge, Graph, GraphKind, Node, NodeKind, SequenceChart

__all__ = ["dot", "quoted"]

_HEADER = {
    GraphKind.STATES: (
        '  rankdir=TB; nodesep=0.6; ranksep=0.5; fontname="Helvetica";',
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ),
    GraphKind.FLOW: ('  fontname="Helvetica"; node [shape=box, fontname="Helvetica"];',),
}
_EDGE_ATTRS = {GraphKind.STATES: "", GraphKind.FLOW: ", fontsize=9"}
_NODE_MARK = f'style="rounded,filled,bold", fillcolor="#fff3bf", color="{HIGHLIGHT}", penwidth=2'
_EDGE_MARK = f'color="{HIGHLIGHT}", fontcolor="{HIGHLIGHT}", penwidth=2.5'


def quoted(text: str) -> str:
    """``text`` as a DOT string: quotes and backslashes escaped, newlines as line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def dot(model: Graph | SequenceChart) -> str:
    """The model as DOT source."""
    lines = _sequence(model) if isinstance(model, SequenceChart) else _graph(model)
    return "\n".join([f"digraph {model.title} {{", *lines, "}"])


def _graph(graph: Graph) -> list[str]:
    lines = list(_HEADER[graph.kind])
    if graph.caption:
        lines.append(f"  label={quoted(graph.caption)}; labelloc=t;")
    initial = {n.id for n in graph.nodes if n.kind is NodeKind.INITIAL}
    for node in graph.nodes:
        if node.id in initial:  # a point, with where it leads on the same line
            leads = "".join(f" {_edge(e, '', e.label)}" for e in graph.edges if e.source == node.id)
            lines.append(f"  {node.id} [shape=point];{leads}")
        elif settings := _node_attrs(node):
            lines.append(f"  {node.id} [{settings}];")
    extra = _EDGE_ATTRS[graph.kind]
    for edge in graph.edges:
        if edge.source in initial:
            continue
        label = edge.label
        if graph.kind is GraphKind.STATES:  # "trigger [a, b]": each guard on a line below
            label = label.replace(" [", "\n[").replace(", ", ",\n")
        lines.append(f"  {_edge(edge, extra, label)}")
    return lines


def _node_attrs(node: Node) -> str:
    settings = [f"label={quoted(node.label)}"] if node.label != node.id else []
    if node.highlighted:
        settings.append(_NODE_MARK)
    return ", ".join(settings)


def _edge(edge: Edge, extra: str, label: str = "") -> str:
    settings = [f"label={quoted(label)}{extra}"] if label else []
    if edge.highlighted:
        settings.append(_EDGE_MARK)
    return f"{edge.source} -> {edge.target}" + (f" [{', '.join(settings)}];" if settings else ";")


def _sequence(chart: SequenceChart) -> list[str]:
    lines = ['  rankdir=TB; node [shape=box, fontname="Helvetica"];']
    for n, step in enumerate(chart.steps, 1):
        states = ", ".join(f"{a}: {s}" for a, s in step.role_states)
        text = f"{n}. {step.description}\n=> {step.reply}\n{states}"
        lines.append(f"  step{n} [label={quoted(text)}];")
        if n > 1:
            lines.append(f"  step{n - 1} -> step{n};")
    if chart.broken:
        lines.append(f'  broken [label={quoted(f"breaks {chart.broken}")}, color="{HIGHLIGHT}"];')
        if chart.steps:
            lines.append(f"  step{len(chart.steps)} -> broken;")
    return lines
