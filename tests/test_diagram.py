"""Diagrams drawn from the transition table, an explored graph and a trace."""

from __future__ import annotations

import subprocess
import sys

import pytest

from slr_fsm import TRANSITIONS, UsageError
from slr_fsm.diagram import (
    Diagram,
    Edge,
    Graph,
    GraphKind,
    Node,
    NodeKind,
    explored_diagram,
    lifecycle_diagram,
    trace_diagram,
)
from slr_fsm.diagram.extract import explored_graph, lifecycle_graph, trace_chart
from slr_fsm.explore import explore, small_world
from slr_fsm.lifecycle import Cause, RoleState
from tests.test_explore import planted_lifecycle


@pytest.fixture
def pygraphviz():
    """The diagram extra, which draws SVG; tests of text and model run without it."""
    return pytest.importorskip("pygraphviz", reason="the diagram extra draws SVG")


@pytest.fixture(scope="module")
def planted_result():
    """An explored graph of the planted bug, with its counterexample."""
    return explore(small_world(lifecycle=planted_lifecycle()), depth=5,
                   invariants=["never_deleted_while_in_use"])


def test_the_lifecycle_diagram_has_every_row_of_the_table():
    """Every (source, trigger, destination) of the table is an edge, with its guard names."""
    text = lifecycle_diagram().mermaid()
    assert text.startswith("stateDiagram-v2\n    [*] --> absent")
    for row in TRANSITIONS:
        for source in row.sources:
            edge = f"{source.value} --> {(row.dest or source).value}: {row.trigger}"
            assert edge in text
            for guard in row.guards:
                assert guard in text


def test_the_readme_shows_the_lifecycle_diagram_as_generated():
    """The README's Mermaid block is exactly lifecycle_diagram().mermaid()."""
    from pathlib import Path

    readme = Path(__file__).resolve().parent.parent.joinpath("README.md").read_text()
    block = readme.split("<!-- lifecycle-diagram:start -->", 1)[1].split(
        "<!-- lifecycle-diagram:end -->", 1)[0]
    assert block.strip() == f"```mermaid\n{lifecycle_diagram().mermaid()}\n```"


def test_dot_and_svg_render_with_graphviz(pygraphviz):
    """The DOT text parses, and SVG comes out of Graphviz with every state named."""
    diagram = lifecycle_diagram()
    graph = pygraphviz.AGraph(string=diagram.dot())
    assert {str(n) for n in graph.nodes()} >= {"absent", "creating", "active",
                                                 "deleting_blocked", "deleted"}
    svg = diagram.render("svg")
    assert svg.lstrip().startswith("<?xml")
    assert "deleting_blocked" in svg


def test_diagrams_show_themselves_in_jupyter(pygraphviz):
    """_repr_mimebundle_ offers SVG, Markdown with Mermaid, and plain text."""
    bundle = lifecycle_diagram()._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/markdown", "text/plain"}
    assert bundle["text/markdown"].startswith("```mermaid")


def test_an_unknown_format_is_a_usage_error():
    """render() names the formats it knows."""
    with pytest.raises(UsageError, match="mermaid"):
        lifecycle_diagram().render("png")


def test_explored_graph_and_trace_diagrams(pygraphviz, planted_result):
    """An explored graph folds into role-state combinations; a counterexample becomes a
    sequence diagram ending with the invariant it breaks."""
    result = planted_result
    graph = explored_diagram(result)
    assert graph.mermaid().startswith("flowchart LR")
    assert '["absent / absent / absent"]' in graph.mermaid()
    pygraphviz.AGraph(string=graph.dot())
    trace = trace_diagram(result.violations["never_deleted_while_in_use"])
    text = trace.mermaid()
    assert text.startswith("sequenceDiagram")
    assert "configure_billing_integration" in text
    assert text.rstrip().endswith("breaks never_deleted_while_in_use")
    assert isinstance(trace, Diagram)
    pygraphviz.AGraph(string=trace.dot())


def test_cli_diagram_formats(pygraphviz, tmp_path, capsys):
    """`slr-fsm diagram` prints Mermaid, or writes DOT or SVG to a file."""
    from slr_fsm.cli import main

    assert main(["diagram"]) == 0
    assert capsys.readouterr().out.startswith("stateDiagram-v2")
    out = tmp_path / "lifecycle.svg"
    assert main(["diagram", "--format", "svg", "--out", str(out)]) == 0
    assert "<svg" in out.read_text()


def test_every_row_of_the_table_is_an_edge_of_the_lifecycle_model():
    """Each (row, source) is one edge, labelled with trigger and guards, of the row's cause;
    beyond them only the initial point's edge to absent."""
    graph = lifecycle_graph()
    rows = [(row, source) for row in TRANSITIONS for source in row.sources]
    assert len(graph.edges) == 1 + len(rows)
    assert graph.edges[0] == Edge("start", "absent")
    for (row, source), edge in zip(rows, graph.edges[1:], strict=True):
        assert (edge.source, edge.target) == (source.value, (row.dest or source).value)
        assert edge.label.startswith(row.trigger)
        assert all(guard in edge.label for guard in row.guards)
        assert edge.kind is row.cause
        assert edge.label.endswith("(clock)") == (row.cause is Cause.CLOCK)


def test_the_lifecycle_model_has_every_state_and_one_initial_point():
    """Every RoleState is a node; the single initial node is where the start edge leaves."""
    graph = lifecycle_graph()
    assert {n.id for n in graph.nodes if n.kind is NodeKind.STATE} == {s.value for s in RoleState}
    assert [n.id for n in graph.nodes if n.kind is NodeKind.INITIAL] == ["start"]
    assert graph.kind is GraphKind.STATES


def test_the_explored_model_folds_self_loops_and_merges_operations(planted_result):
    """Nodes are distinct role-state combinations; each edge joins two different ones, once,
    with the sorted operations of the ok moves between them."""
    graph = explored_graph(planted_result)
    labels = [n.label for n in graph.nodes]
    assert len(set(labels)) == len(labels)
    assert "absent / absent / absent" in labels
    pairs = [(e.source, e.target) for e in graph.edges]
    assert len(set(pairs)) == len(pairs)
    assert all(a != b for a, b in pairs)
    for edge in graph.edges:
        operations = edge.label.split(", ")
        assert operations == sorted(set(operations))
    assert graph.caption == "role states: management / member / standalone"


def test_a_trace_becomes_one_step_per_move_in_order(planted_result):
    """Each move is a request from its caller, answered by its outcome; the broken invariant
    and the first-appearance order of participants carry over."""
    trace = planted_result.violations["never_deleted_while_in_use"]
    chart = trace_chart(trace)
    assert [s.request for s in chart.steps] == [s.move.operation for s in trace.steps]
    assert [s.reply for s in chart.steps] == [s.outcome for s in trace.steps]
    assert chart.broken == "never_deleted_while_in_use"
    first = trace.steps[0].move
    assert chart.participants[0] == f"{first.principal}@{first.account_id}"
    assert {s.callee for s in chart.steps} <= {"IAM", "Marketplace console", "Clock"}


def test_renderers_declare_only_nodes_with_labels_of_their_own():
    """A node whose label differs from its id is declared, in each renderer's syntax."""
    graph = Graph("g", GraphKind.STATES, (Node("a", "A"), Node("b")), (Edge("a", "b", "go"),))
    diagram = Diagram(graph)
    assert diagram.mermaid().splitlines()[1:] == ['    state "A" as a', "    a --> b: go"]
    assert '  a [label="A"];' in diagram.dot()
    assert "  b [" not in diagram.dot()


def test_the_diagram_package_does_not_import_the_explorer():
    """explore imports diagram lazily, never the reverse."""
    code = "import sys, slr_fsm.diagram; assert 'slr_fsm.explore' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
