"""Diagrams: the lifecycle (from the transition table), an explored graph, a trace.

A pipeline: :mod:`~slr_fsm.diagram.extract` builds a small :mod:`~slr_fsm.diagram.model` (nodes,
edges, sequence steps), which :mod:`~slr_fsm.diagram.mermaid` and :mod:`~slr_fsm.diagram.dot`
render as text. Each is a :class:`Diagram`: Mermaid text with no dependency, Graphviz DOT text,
and SVG through the optional ``diagram`` extra (``pip install "slr-fsm[diagram]"``: pygraphviz's
wheel carries Graphviz itself, so nothing else needs installing). In Jupyter a diagram shows
itself: SVG when pygraphviz is there, otherwise Mermaid (which JupyterLab renders in Markdown).

Diagrams are drawn from the table, never from a running ``transitions`` machine (whose
graph extension restyles its graph on every trigger). Explored graphs and traces are read
through :mod:`~slr_fsm.diagram.protocols`: this package never imports the explorer.

>>> print(lifecycle_diagram().mermaid().splitlines()[0])
stateDiagram-v2
"""

from __future__ import annotations

from collections.abc import Iterable

from slr_fsm.diagram.extract import explored_graph, lifecycle_graph, trace_chart
from slr_fsm.diagram.model import Edge, Graph, GraphKind, Node, NodeKind, SequenceChart, Step
from slr_fsm.diagram.protocols import ExploredView, TraceView
from slr_fsm.diagram.render import Diagram
from slr_fsm.lifecycle import TRANSITIONS, Transition

__all__ = [
    "Diagram",
    "Edge",
    "Graph",
    "GraphKind",
    "Node",
    "NodeKind",
    "SequenceChart",
    "Step",
    "explored_diagram",
    "lifecycle_diagram",
    "trace_diagram",
]


def lifecycle_diagram(table: Iterable[Transition] = TRANSITIONS) -> Diagram:
    """The role lifecycle: states, triggers and guard names, from the transition table.

    >>> print(lifecycle_diagram().dot().splitlines()[3])
      start [shape=point]; start -> absent;
    """
    return Diagram(lifecycle_graph(table))


def explored_diagram(result: ExploredView) -> Diagram:
    """An explored graph, drawn as the combinations of role states (one per account) and the
    moves between them; self-loops and repeated edges are folded away.

    >>> from types import SimpleNamespace as NS
    >>> from slr_fsm import Simulation
    >>> tick = NS(face="clock", operation="tick", account_id="", principal="")
    >>> result = NS(nodes=[NS(world=Simulation.default())], edges=[(0, tick, "ok", 0)])
    >>> print(explored_diagram(result).mermaid())
    flowchart LR
        %% role states: management / member-a / member-b / standalone
        s0["absent / absent / absent / absent"]
    """
    return Diagram(explored_graph(result))


def trace_diagram(trace: TraceView) -> Diagram:
    """A trace as a sequence diagram: who called what, and what came back.

    >>> from types import SimpleNamespace as NS
    >>> move = NS(face="iam", operation="get_role", account_id="123456789012", principal="admin")
    >>> step = NS(move=move, outcome="NoSuchEntity", role_states=[("standalone", "absent")])
    >>> print(trace_diagram(NS(steps=[step], broken=None)).mermaid())
    sequenceDiagram
        autonumber
        participant admin_123456789012 as admin@123456789012
        participant IAM as IAM
        admin_123456789012->>IAM: get_role
        IAM-->>admin_123456789012: NoSuchEntity
    """
    return Diagram(trace_chart(trace))
