"""Diagrams: the lifecycle (from the transition table), an explored graph, a trace.

Each is a :class:`Diagram`: Mermaid text with no dependency, Graphviz DOT text, and SVG through
the optional ``diagram`` extra (``pip install "slr-fsm[diagram]"``: pygraphviz's wheel carries
Graphviz itself, so nothing else needs installing). In Jupyter a diagram shows itself: SVG when
pygraphviz is there, otherwise Mermaid (which JupyterLab renders in Markdown).

Diagrams are drawn from the table, never from a running ``transitions`` machine (whose
graph extension restyles its graph on every trigger).

>>> print(lifecycle_diagram().mermaid().splitlines()[0])
stateDiagram-v2
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from slr_fsm.errors import UsageError
from slr_fsm.lifecycle import TRANSITIONS, Cause, RoleState, Transition

if TYPE_CHECKING:
    from slr_fsm.explore import ExploreResult, Trace

__all__ = ["Diagram", "explored_diagram", "lifecycle_diagram", "trace_diagram"]


@attrs.frozen
class Diagram:
    """A diagram as Mermaid and DOT text; SVG on demand."""

    title: str
    mermaid_text: str = attrs.field(repr=False)
    dot_text: str = attrs.field(repr=False)

    def mermaid(self) -> str:
        """Mermaid source (renders on code hosts and in JupyterLab Markdown)."""
        return self.mermaid_text

    def dot(self) -> str:
        """Graphviz DOT source."""
        return self.dot_text

    def svg(self) -> str:
        """SVG text, laid out by Graphviz (needs the ``diagram`` extra)."""
        try:
            import pygraphviz
        except ImportError:
            raise UsageError(
                "SVG needs pygraphviz: pip install 'slr-fsm[diagram]' (its wheel brings "
                "Graphviz); Mermaid and DOT text need nothing."
            ) from None
        graph = pygraphviz.AGraph(string=self.dot_text)
        svg: bytes = graph.draw(format="svg", prog="dot")
        return svg.decode()

    def render(self, fmt: str) -> str:
        """The diagram in ``fmt``: ``mermaid``, ``dot`` or ``svg``."""
        formats = {"mermaid": self.mermaid, "dot": self.dot, "svg": self.svg}
        if fmt not in formats:
            raise UsageError(f"A diagram renders as {sorted(formats)}, not {fmt!r}.")
        return formats[fmt]()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        bundle = {
            "text/plain": self.mermaid_text,
            "text/markdown": f"```mermaid\n{self.mermaid_text}\n```",
        }
        with contextlib.suppress(UsageError):  # without pygraphviz, Mermaid it is
            bundle["image/svg+xml"] = self.svg()
        return bundle

    def __str__(self) -> str:
        return self.mermaid_text


def _edge_label(row: Transition) -> str:
    guards = f" [{', '.join(row.guards)}]" if row.guards else ""
    clock = " (clock)" if row.cause is Cause.CLOCK else ""
    return f"{row.trigger}{guards}{clock}"


def lifecycle_diagram(table: Iterable[Transition] = TRANSITIONS) -> Diagram:
    """The role lifecycle: states, triggers and guard names, from the transition table."""
    rows = tuple(table)
    mermaid = ["stateDiagram-v2", f"    [*] --> {RoleState.ABSENT.value}"]
    dot = [
        "digraph lifecycle {",
        '  rankdir=LR; node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
        "  start [shape=point]; start -> absent;",
    ]
    for row in rows:
        for source in row.sources:
            dest = (row.dest or source).value
            label = _edge_label(row)
            mermaid.append(f"    {source.value} --> {dest}: {label}")
            dot.append(f'  {source.value} -> {dest} [label="{label}"];')
    dot.append("}")
    return Diagram("lifecycle", "\n".join(mermaid), "\n".join(dot))


def explored_diagram(result: ExploreResult) -> Diagram:
    """An explored graph, drawn as the combinations of role states (one per account) and the
    moves between them; self-loops and repeated edges are folded away."""
    names = [a.name or a.account_id for a in result.nodes[0].world.accounts]

    def combo(index: int) -> str:
        world = result.nodes[index].world
        return " / ".join(world.role(a).state.value for a in world.accounts)

    ids: dict[str, str] = {}
    edges: dict[tuple[str, str], set[str]] = {}
    for src, move, outcome, dst in result.edges:
        a, b = combo(src), combo(dst)
        for key in (a, b):
            ids.setdefault(key, f"s{len(ids)}")
        if a != b and outcome == "ok":
            edges.setdefault((a, b), set()).add(move.operation)
    title = " / ".join(names)
    mermaid = ["flowchart LR", f"    %% nodes: role states of {title}"]
    dot = [
        "digraph explored {",
        '  node [shape=box, fontname="Helvetica"];',
        f'  label="role states: {title}"; labelloc=t;',
    ]
    for key, node_id in ids.items():
        mermaid.append(f'    {node_id}["{key}"]')
        dot.append(f'  {node_id} [label="{key}"];')
    for (a, b), operations in edges.items():
        label = ", ".join(sorted(operations))
        mermaid.append(f'    {ids[a]} -->|"{label}"| {ids[b]}')
        dot.append(f'  {ids[a]} -> {ids[b]} [label="{label}", fontsize=9];')
    dot.append("}")
    return Diagram("explored", "\n".join(mermaid), "\n".join(dot))


def trace_diagram(trace: Trace) -> Diagram:
    """A trace as a sequence diagram: who called what, and what came back."""
    mermaid = ["sequenceDiagram", "    autonumber"]
    dot = ["digraph trace {", '  rankdir=TB; node [shape=box, fontname="Helvetica"];']
    participants: list[str] = []
    for n, step in enumerate(trace.steps, 1):
        move = step.move
        actor = f"{move.principal}@{move.account_id}" if move.face in ("iam", "console") else "AWS"
        service = {"iam": "IAM", "console": "Marketplace console"}.get(move.face, "Clock")
        for who in (actor, service):
            if who not in participants:
                participants.append(who)
                mermaid.insert(
                    2 + len(participants) - 1, f"    participant {_mermaid_id(who)} as {who}"
                )
        mermaid.append(f"    {_mermaid_id(actor)}->>{_mermaid_id(service)}: {move.operation}")
        mermaid.append(f"    {_mermaid_id(service)}-->>{_mermaid_id(actor)}: {step.outcome}")
        states = ", ".join(f"{a}: {s}" for a, s in step.role_states)
        dot.append(
            f'  step{n} [label="{n}. {html.escape(str(move))}\\n=> {step.outcome}\\n{states}"];'
        )
        if n > 1:
            dot.append(f"  step{n - 1} -> step{n};")
    if trace.broken and participants:
        mermaid.append(f"    Note over {_mermaid_id(participants[0])}: breaks {trace.broken}")
    elif trace.broken:  # broken before any move
        mermaid += ["    participant start", f"    Note over start: breaks {trace.broken}"]
    dot.append("}")
    return Diagram("trace", "\n".join(mermaid), "\n".join(dot))


def _mermaid_id(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)
