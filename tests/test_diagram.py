"""Diagrams drawn from the transition table, an explored graph and a trace."""

from __future__ import annotations

import pytest

from slr_fsm import TRANSITIONS, UsageError
from slr_fsm.diagram import Diagram, explored_diagram, lifecycle_diagram, trace_diagram
from slr_fsm.explore import explore, small_world
from tests.test_explore import planted_lifecycle

pygraphviz = pytest.importorskip("pygraphviz", reason="the diagram extra draws SVG")


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


def test_dot_and_svg_render_with_graphviz():
    """The DOT text parses, and SVG comes out of Graphviz with every state named."""
    diagram = lifecycle_diagram()
    graph = pygraphviz.AGraph(string=diagram.dot())
    assert {str(n) for n in graph.nodes()} >= {"absent", "creating", "active",
                                                 "deleting_blocked", "deleted"}
    svg = diagram.render("svg")
    assert svg.lstrip().startswith("<?xml")
    assert "deleting_blocked" in svg


def test_diagrams_show_themselves_in_jupyter():
    """_repr_mimebundle_ offers SVG, Markdown with Mermaid, and plain text."""
    bundle = lifecycle_diagram()._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/markdown", "text/plain"}
    assert bundle["text/markdown"].startswith("```mermaid")


def test_an_unknown_format_is_a_usage_error():
    """render() names the formats it knows."""
    with pytest.raises(UsageError, match="mermaid"):
        lifecycle_diagram().render("png")


def test_explored_graph_and_trace_diagrams():
    """An explored graph folds into role-state combinations; a counterexample becomes a
    sequence diagram ending with the invariant it breaks."""
    result = explore(small_world(lifecycle=planted_lifecycle()), depth=5,
                     invariants=["never_deleted_while_in_use"])
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


def test_cli_diagram_formats(tmp_path, capsys):
    """`slr-fsm diagram` prints Mermaid, or writes DOT or SVG to a file."""
    from slr_fsm.cli import main

    assert main(["diagram"]) == 0
    assert capsys.readouterr().out.startswith("stateDiagram-v2")
    out = tmp_path / "lifecycle.svg"
    assert main(["diagram", "--format", "svg", "--out", str(out)]) == 0
    assert "<svg" in out.read_text()
