"""Diagrams: the lifecycle (from the transition table), an explored graph, a trace, the event log.

A pipeline: :mod:`~slr_fsm.diagram.extract` and :mod:`~slr_fsm.diagram.sequence` build a small
:mod:`~slr_fsm.diagram.model` (nodes, edges, sequence steps), which
:mod:`~slr_fsm.diagram.mermaid` and :mod:`~slr_fsm.diagram.dot` render as text. Each is a
:class:`Diagram`: Mermaid text with no dependency, Graphviz DOT text, and SVG and PNG through the
optional ``diagram`` extra (``pip install "slr-fsm[diagram]"``: pygraphviz's wheel carries
Graphviz itself, so nothing else needs installing). ``Diagram.save("x.svg")`` picks the format
from the extension. In Jupyter a diagram shows itself: SVG when pygraphviz is there (a static
picture that exported HTML keeps), otherwise Mermaid (which JupyterLab renders in Markdown).

Every transition of the table is visible in every format: the rows joining one pair of states
are one edge, with a line of its label per row (Mermaid draws a single self-loop per state).

Diagrams are drawn from the table, never from a running ``transitions`` machine (whose
graph extension restyles its graph on every trigger). Explored graphs and traces are read
through :mod:`~slr_fsm.diagram.protocols`: this package never imports the explorer.

>>> print(lifecycle_diagram().mermaid().splitlines()[0])
stateDiagram-v2
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from slr_fsm.diagram.extract import explored_graph, lifecycle_graph
from slr_fsm.diagram.model import Edge, Graph, GraphKind, Node, NodeKind, SequenceChart, Step
from slr_fsm.diagram.paths import PathStep, role_path
from slr_fsm.diagram.protocols import EventView, ExploredView, RoleView, TraceView
from slr_fsm.diagram.render import SAVED_FORMATS, Diagram
from slr_fsm.diagram.sequence import event_chart, trace_chart
from slr_fsm.errors import UsageError
from slr_fsm.lifecycle import TRANSITIONS, RoleState, Transition
from slr_fsm.shown import shown

__all__ = [
    "SAVED_FORMATS",
    "Diagram",
    "Edge",
    "Graph",
    "GraphKind",
    "Node",
    "NodeKind",
    "PathStep",
    "SequenceChart",
    "Step",
    "explored_diagram",
    "lifecycle_diagram",
    "role_path",
    "trace_diagram",
]


def _current_state(current: object) -> RoleState | None:
    if current is None or isinstance(current, RoleState):
        return current
    if isinstance(current, str):
        known = {state.value: state for state in RoleState}
        if current in known:
            return known[current]
    else:
        state = getattr(current, "state", None)  # a role, read structurally
        if isinstance(state, RoleState):
            return state
    raise UsageError(
        "current= is a role (sim.role(account)), a RoleState or one of "
        f"{[s.value for s in RoleState]}; got {shown(current)}"
    )


def lifecycle_diagram(
    table: Iterable[Transition] = TRANSITIONS,
    *,
    current: RoleView | RoleState | str | None = None,
    path: Iterable[EventView] | None = None,
) -> Diagram:
    """The role lifecycle: states, triggers and guard names, from the transition table.

    ``current`` (a role, or a state) is highlighted. ``path``, the event log (``sim.trace``) or
    part of it, highlights the transitions the role took, each line numbered with its steps;
    given a role as ``current``, the events of other roles are left out (see
    :func:`~slr_fsm.diagram.paths.role_path`).

    >>> print(lifecycle_diagram().dot().splitlines()[4])
      start [shape=point]; start -> absent;
    >>> from slr_fsm import Simulation
    >>> sim = Simulation.default(seed=0)
    >>> mgmt = sim.organization.management_account
    >>> _ = sim.marketplace(mgmt).configure_billing_integration()
    >>> _ = sim.settle()
    >>> text = lifecycle_diagram(current=sim.role(mgmt), path=sim.trace).mermaid()
    >>> print("\\n".join(line for line in text.splitlines() if "step" in line or "current" in line))
        %% AWSServiceRoleForMarketplacePurchaseOrders in 111122223333: active, after 2 steps
        absent --> creating: create [management_account_on_console, caller_allowed] (step 1)
        creating --> active: finish_creation [no_creation_fault] (clock) (step 2)
        classDef current fill:#fff3bf,stroke:#e8590c,stroke-width:3px
        class active current
    """
    rows = tuple(table)
    state = _current_state(current)
    role = None if current is None or isinstance(current, RoleState | str) else current
    steps = () if path is None else role_path(path, role, rows)
    graph = lifecycle_graph(rows, current=state, path=steps)
    if role is not None or steps:
        who = f"{role.name} in {role.account_id}" if role is not None else "the role"
        after = f", after {len(steps)} step{'s' if len(steps) != 1 else ''}" if path else ""
        now = f": {state.value}" if state is not None else ""
        graph = Graph(graph.title, graph.kind, graph.nodes, graph.edges, f"{who}{now}{after}")
    return Diagram(graph)


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


def trace_diagram(trace: TraceView | Iterable[EventView]) -> Diagram:
    """A sequence diagram of who called what and what came back: a trace (from the explorer),
    or events (``sim.trace``, or a slice of it), whose replies name the role's change of state.

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
    if hasattr(trace, "steps") and hasattr(trace, "broken"):
        return Diagram(trace_chart(cast(TraceView, trace)))
    return Diagram(event_chart(trace))
