"""Mermaid text from the model: a state diagram, a flowchart, or a sequence diagram.

>>> from slr_fsm.diagram.model import Edge, Graph, GraphKind, Node
>>> print(mermaid(Graph("g", GraphKind.FLOW, (Node("a", "A"), Node("b")), (Edge("a", "b"),))))
flowchart LR
    a["A"]
    a --> b
"""

from __future__ import annotations

from slr_fsm.diagram.model import Graph, GraphKind, NodeKind, SequenceChart

__all__ = ["mermaid"]


def mermaid(model: Graph | SequenceChart) -> str:
    """The model as Mermaid source."""
    lines = _sequence(model) if isinstance(model, SequenceChart) else _graph(model)
    return "\n".join(lines)


def _graph(graph: Graph) -> list[str]:
    states = graph.kind is GraphKind.STATES
    lines = ["stateDiagram-v2" if states else "flowchart LR"]
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
            lines.append(f"    {source} --> {edge.target}: {edge.label}")
        else:
            lines.append(f'    {source} -->|"{edge.label}"| {edge.target}')
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
