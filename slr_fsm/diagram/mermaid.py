"""Mermaid text from the model: a state diagram, a flowchart, or a sequence diagram.

A state diagram runs left to right with room between states (see ``_SPACING``); a label's
lines are joined with ``<br/>``; a highlighted state gets the class ``current`` (a
state diagram cannot style one transition, so a path shows by its steps' numbers).

>>> from slr_fsm.diagram.model import Edge, Graph, GraphKind, Node
>>> print(mermaid(Graph("g", GraphKind.FLOW, (Node("a", "A"), Node("b")), (Edge("a", "b"),))))
flowchart LR
    a["A"]
    a --> b
"""

from __future__ import annotations

from slr_fsm.diagram.model import Edge, Graph, GraphKind, NodeKind, SequenceChart

__all__ = ["HIGHLIGHT", "mermaid"]

HIGHLIGHT = "#e8590c"
"""The colour of what a diagram highlights (a role's current state, its path)."""
_FILL = "#fff3bf"
_SPACING = '    %%{init: {"state": {"nodeSpacing": 150, "rankSpacing": 100}}}%%'
"""Room enough that Mermaid (11, laid out by dagre) puts no label over another: it does not
count a self-loop's label when it lays the graph out, so it needs the slack."""


def mermaid(model: Graph | SequenceChart) -> str:
    """The model as Mermaid source."""
    lines = _sequence(model) if isinstance(model, SequenceChart) else _graph(model)
    return "\n".join(lines)


def _label(edge: Edge) -> str:
    return "<br/>".join(edge.lines)


def _graph(graph: Graph) -> list[str]:
    states = graph.kind is GraphKind.STATES
    lines = ["stateDiagram-v2", _SPACING, "    direction LR"] if states else ["flowchart LR"]
    if graph.caption:
        lines.append(f"    %% {graph.caption}")
    initial = {n.id for n in graph.nodes if n.kind is NodeKind.INITIAL}
    for node in graph.nodes:
        if node.id not in initial and node.label != node.id:
            lines.append(
                f'    state "{node.label}" as {node.id}'
                if states
                else f'    {node.id}["{node.label}"]'
            )
    for edge in graph.edges:
        source = "[*]" if edge.source in initial else edge.source
        if not edge.label:
            lines.append(f"    {source} --> {edge.target}")
        elif states:
            lines.append(f"    {source} --> {edge.target}: {_label(edge)}")
        else:
            lines.append(f'    {source} -->|"{_label(edge)}"| {edge.target}')
    marked = [n.id for n in graph.nodes if n.highlighted]
    if marked:
        style = f"fill:{_FILL},stroke:{HIGHLIGHT},stroke-width:3px"
        lines += [f"    classDef current {style}", f"    class {','.join(marked)} current"]
    return lines


def _sequence(chart: SequenceChart) -> list[str]:
    lines = ["sequenceDiagram", "    autonumber"]
    participants = chart.participants
    lines += [f"    participant {_id(who)} as {who}" for who in participants]
    for step in chart.steps:
        lines.append(f"    {_id(step.caller)}->>{_id(step.callee)}: {step.request}")
        lines.append(f"    {_id(step.callee)}-->>{_id(step.caller)}: {step.reply}")
    if chart.broken and participants:
        lines.append(f"    Note over {_id(participants[0])}: breaks {chart.broken}")
    elif chart.broken:  # broken before any step
        lines += ["    participant start", f"    Note over start: breaks {chart.broken}"]
    return lines


def _id(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)
