"""Diagrams drawn from the transition table, an explored graph, a trace and the event log: every
transition visible in every format, highlights, saving, and display in Jupyter."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from slr_fsm import TRANSITIONS, Simulation, UsageError
from slr_fsm.diagram import (
    Diagram,
    Edge,
    Graph,
    GraphKind,
    Node,
    NodeKind,
    explored_diagram,
    lifecycle_diagram,
    role_path,
    trace_diagram,
)
from slr_fsm.diagram import render as render_module
from slr_fsm.diagram.extract import edge_label, explored_graph, lifecycle_graph
from slr_fsm.diagram.graphviz import TEMPLATE_WARNING
from slr_fsm.diagram.sequence import trace_chart
from slr_fsm.explore import explore, small_world
from slr_fsm.lifecycle import Cause, RoleState
from slr_fsm.marketplace_roles import AUTO_SCALING
from slr_fsm.scenario import SEED_STORY, run_story
from tests.test_explore import planted_lifecycle

ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"


@pytest.fixture
def pygraphviz():
    """The diagram extra, which draws SVG; tests of text and model run without it."""
    return pytest.importorskip("pygraphviz", reason="the diagram extra draws SVG")


@pytest.fixture(scope="module")
def planted_result():
    """An explored graph of the planted bug, with its counterexample."""
    return explore(
        small_world(lifecycle=planted_lifecycle()),
        depth=5,
        invariants=["never_deleted_while_in_use"],
    )


@pytest.fixture(scope="module")
def story():
    """The default world after the README's story: the role re-created and active."""
    sim = Simulation.default(seed=0)
    run_story(sim, SEED_STORY)
    return sim


def expected_lines() -> dict[tuple[str, str], list[str]]:
    """Each pair of states the table joins, and one label line per row joining them."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for row in TRANSITIONS:
        for source in row.sources:
            key = (source.value, (row.dest or source).value)
            pairs.setdefault(key, []).append(edge_label(row))
    return pairs


# The lifecycle model: one edge per pair of states, a line per row


def test_each_pair_of_states_is_one_edge_with_a_line_per_row():
    """No parallel edges and no second self-loop: the rows joining two states are one edge,
    whose label has one line per row, in table order."""
    graph = lifecycle_graph()
    assert graph.edges[0] == Edge("start", "absent")
    edges = {(e.source, e.target): list(e.lines) for e in graph.edges[1:]}
    assert len(edges) == len(graph.edges) - 1
    assert edges == expected_lines()
    assert edges[("deleting_blocked", "deleting_blocked")] == [
        "update_description [caller_allowed]",
        "request_deletion [caller_allowed]",
        "finish_deletion [resources_in_use] (clock)",
    ]


def test_a_merged_edge_is_a_callers_when_any_of_its_rows_is():
    """An edge's kind is the clock only when the clock fires every row it merges."""
    kinds = {(e.source, e.target): e.kind for e in lifecycle_graph().edges[1:]}
    assert kinds[("creating", "active")] is Cause.CLOCK
    assert kinds[("deleting_blocked", "deleting_blocked")] is Cause.CALLER
    assert kinds[("absent", "creating")] is Cause.CALLER


def test_the_lifecycle_model_has_every_state_and_one_initial_point():
    """Every RoleState is a node; the single initial node is where the start edge leaves."""
    graph = lifecycle_graph()
    assert {n.id for n in graph.nodes if n.kind is NodeKind.STATE} == {s.value for s in RoleState}
    assert [n.id for n in graph.nodes if n.kind is NodeKind.INITIAL] == ["start"]
    assert graph.kind is GraphKind.STATES
    assert not graph.highlighted


def test_mermaid_draws_every_row_with_one_self_loop_per_state():
    """Mermaid keeps one self-loop per state, so each pair appears once, with every row's
    line joined by <br/>."""
    text = lifecycle_diagram().mermaid()
    assert text.startswith("stateDiagram-v2\n")
    assert "    [*] --> absent" in text
    arrows = [line.strip() for line in text.splitlines() if " --> " in line and "[*]" not in line]
    pairs = [tuple(line.split(":", 1)[0].split(" --> ")) for line in arrows]
    assert len(pairs) == len(set(pairs))
    for (source, target), lines in expected_lines().items():
        assert f"    {source} --> {target}: {'<br/>'.join(lines)}" in text


def test_the_readme_shows_the_lifecycle_diagram_as_generated():
    """The README's Mermaid block is exactly lifecycle_diagram().mermaid()."""
    readme = Path(__file__).resolve().parent.parent.joinpath("README.md").read_text()
    block = readme.split("<!-- lifecycle-diagram:start -->", 1)[1].split(
        "<!-- lifecycle-diagram:end -->", 1
    )[0]
    assert block.strip() == f"```mermaid\n{lifecycle_diagram().mermaid()}\n```"


def svg_edge_texts(svg: str) -> dict[tuple[str, str], list[str]]:
    """The text lines Graphviz drew for each edge of an SVG, by (source, target)."""
    texts: dict[tuple[str, str], list[str]] = {}
    for group in re.findall(r'<g id="edge\d+" class="edge">(.*?)</g>', svg, re.S):
        title = re.search(r"<title>(.*?)</title>", group).group(1).replace("&#45;&gt;", "->")
        source, target = title.split("->")
        lines = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>(.*?)</text>", group)]
        texts[(source, target)] = lines
    return texts


def test_the_svg_draws_every_row_of_the_table(pygraphviz):
    """In the SVG, each pair of states is one edge whose text is its rows' lines (the guards
    each on a line of its own), so no transition is hidden or drawn twice."""
    drawn = svg_edge_texts(lifecycle_diagram().svg())
    assert drawn.pop(("start", "absent")) == []
    expected = {
        pair: [
            part
            for line in lines
            for part in line.replace(" [", "\n[").replace(", ", ",\n").split("\n")
        ]
        for pair, lines in expected_lines().items()
    }
    assert drawn == expected


def label_boxes(dot_text: str, pygraphviz) -> list[tuple[str, float, float, float, float]]:
    """Every label line's box and every node's box, from Graphviz's own layout (its JSON)."""
    from slr_fsm.diagram.graphviz import layout

    data = json.loads(layout(dot_text, "json"))
    boxes = []
    for edge in data.get("edges", []):
        size = 14.0
        for op in edge.get("_ldraw_", []):
            if op["op"] == "F":
                size = op["size"]
            elif op["op"] == "T":
                (x, y), width = op["pt"], op["width"]
                left = {"l": x, "c": x - width / 2, "r": x - width}[op["align"]]
                boxes.append(
                    (f"edge {edge['_gvid']}", left, y - size * 0.25, left + width, y + size * 0.8)
                )
    for node in data.get("objects", []):
        if "pos" in node and "width" in node:
            x, y = map(float, node["pos"].split(","))
            half_w, half_h = float(node["width"]) * 36, float(node["height"]) * 36
            boxes.append((f"node {node['name']}", x - half_w, y - half_h, x + half_w, y + half_h))
    return boxes


@pytest.mark.parametrize("highlighted", [False, True], ids=["plain", "with-path"])
def test_no_label_overlaps_another_or_a_state(pygraphviz, story, highlighted):
    """In Graphviz's layout no label line overlaps a line of another edge's label or a state,
    with or without a path's step numbers."""
    diagram = (
        lifecycle_diagram(current=story.role("111122223333"), path=story.trace)
        if highlighted
        else lifecycle_diagram()
    )
    boxes = label_boxes(diagram.dot(), pygraphviz)
    assert len(boxes) > 20
    for i, (who, *a) in enumerate(boxes):
        for other, *b in boxes[i + 1 :]:
            if who != other:
                apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
                assert apart, f"{who} overlaps {other}"


# Highlights: a role's current state and its path


def test_the_current_state_is_highlighted_in_every_format(pygraphviz):
    """current= marks one state: the model's node, Mermaid's class, DOT's fill."""
    diagram = lifecycle_diagram(current=RoleState.DELETING_BLOCKED)
    assert [n.id for n in diagram.model.nodes if n.highlighted] == ["deleting_blocked"]
    assert "    class deleting_blocked current" in diagram.mermaid()
    assert re.search(r'  deleting_blocked \[style="rounded,filled,bold"', diagram.dot())
    assert lifecycle_diagram(current="deleting_blocked").model == diagram.model
    assert "#fff3bf" in diagram.svg()


def test_a_roles_path_numbers_the_transitions_it_took(story):
    """path=sim.trace highlights exactly the edges the role took and numbers each row's
    steps in order: the story creates, edits, fails to delete, deletes and re-creates."""
    role = story.role("111122223333")
    steps = role_path(story.trace, role)
    assert [(s.row.trigger, s.before.value, s.after.value) for s in steps] == [
        ("create", "absent", "creating"),
        ("finish_creation", "creating", "active"),
        ("update_description", "active", "active"),
        ("request_deletion", "active", "active"),
        ("finish_deletion", "active", "deleting_blocked"),
        ("request_deletion", "deleting_blocked", "deleting_blocked"),
        ("finish_deletion", "deleting_blocked", "deleted"),
        ("create", "deleted", "creating"),
        ("finish_creation", "creating", "active"),
    ]
    graph = lifecycle_diagram(current=role, path=story.trace).model
    taken = {(e.source, e.target) for e in graph.edges if e.highlighted}
    assert taken == {(s.before.value, s.after.value) for s in steps}
    loop = next(e for e in graph.edges if e.source == e.target == "active")
    assert loop.lines == (
        "update_description [caller_allowed] (step 3)",
        "request_deletion [caller_allowed] (step 4)",
    )
    assert graph.caption == f"{ROLE} in 111122223333: active, after 9 steps"
    assert [n.id for n in graph.nodes if n.highlighted] == ["active"]


def test_refused_calls_and_reads_are_not_steps_of_a_path(story):
    """Refusals (AccessDenied, UnmodifiableEntity), reads and clock work that moves no role
    are left out: the story's 22 events make 9 steps."""
    assert len(story.trace) > 20
    assert len(role_path(story.trace, story.role("111122223333"))) == 9


def test_a_path_of_several_roles_needs_the_role():
    """Events that move two roles draw one role's path only when told whose; the other
    role's events are then left out."""
    sim = Simulation.default(seed=0, specs=[AUTO_SCALING])
    iam = sim.iam(sim.accounts[0])
    iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="a")
    with pytest.raises(UsageError, match="several roles"):
        lifecycle_diagram(path=sim.trace)
    plain, suffixed = sim.roles(sim.accounts[0])
    assert len(role_path(sim.trace, suffixed)) == 1
    assert "(step 1)" in lifecycle_diagram(current=plain, path=sim.trace).mermaid()


@pytest.mark.parametrize("bad", ["Active", 3, object()])
def test_an_unknown_current_state_is_a_usage_error(bad):
    """current= takes a role, a RoleState or a state's value, and names them otherwise."""
    with pytest.raises(UsageError, match="current= is a role"):
        lifecycle_diagram(current=bad)


@pytest.mark.parametrize("bad", ["sim.trace", [1, 2], 5])
def test_a_path_that_is_not_events_is_a_usage_error(bad):
    """path= and trace_diagram take events, and say so when given anything else."""
    with pytest.raises(UsageError, match="events"):
        lifecycle_diagram(path=bad)
    with pytest.raises(UsageError, match="events"):
        trace_diagram(bad)


# Sequence diagrams: a trace, or the event log


def test_trace_diagram_draws_the_event_log(story):
    """trace_diagram(sim.trace) draws one exchange per event, replies naming the role's
    change of state (it raised AttributeError on an EventLog)."""
    chart = trace_diagram(story.trace).model
    assert len(chart.steps) == len(story.trace)
    first, second, third = chart.steps[:3]
    assert (first.caller, first.callee, first.reply) == (
        "admin@444455556666",
        "Marketplace console",
        "AccessDenied",
    )
    assert second.reply == "ok (absent -> creating)"
    assert (third.caller, third.callee, third.request) == ("AWS", "Clock", "finish_creation")
    text = trace_diagram(story.trace[:3]).mermaid()
    assert len(re.findall(r"\w->>\w", text)) == 3  # three requests, three replies
    assert len(re.findall(r"\w-->>\w", text)) == 3


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
    assert "breaks never_deleted_while_in_use" in trace.dot()
    assert isinstance(trace, Diagram)
    pygraphviz.AGraph(string=trace.dot())


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


def test_renderers_declare_only_nodes_with_labels_of_their_own():
    """A node whose label differs from its id is declared, in each renderer's syntax; DOT
    strings escape quotes."""
    graph = Graph("g", GraphKind.STATES, (Node("a", 'A "1"'), Node("b")), (Edge("a", "b", "go"),))
    diagram = Diagram(graph)
    assert diagram.mermaid().splitlines()[3:] == ['    state "A "1"" as a', "    a --> b: go"]
    assert '  a [label="A \\"1\\""];' in diagram.dot()
    assert "  b [" not in diagram.dot()


# Formats, saving, Jupyter


def test_render_names_its_formats_and_points_png_to_save():
    """render() is for text; asking it for PNG says where PNG is."""
    with pytest.raises(UsageError, match=r"\.png\(\)"):
        lifecycle_diagram().render("png")
    with pytest.raises(UsageError, match="mermaid"):
        lifecycle_diagram().render("jpeg")


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("life.svg", b"<?xml"),
        ("life.png", b"\x89PNG\r\n\x1a\n"),
        ("life.mmd", b"stateDiagram-v2"),
        ("life.dot", b"digraph lifecycle {"),
        ("LIFE.GV", b"digraph lifecycle {"),
    ],
)
def test_save_chooses_the_format_from_the_extension(pygraphviz, tmp_path, name, start):
    """.svg, .png, .mmd, .dot and .gv (any case) write SVG, PNG, Mermaid and DOT."""
    written = lifecycle_diagram().save(tmp_path / name)
    assert written == tmp_path / name
    assert written.read_bytes().startswith(start)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("life.txt", "extension"),
        ("life", "extension"),
        ("missing/life.svg", "folder does not exist"),
        ("a-folder.svg", "is a folder"),
        ("nul\0.mmd", "Cannot write"),
    ],
)
def test_save_refuses_what_it_cannot_write_and_writes_nothing(tmp_path, name, message):
    """An unknown extension, a missing folder, a folder, or a name the system refuses is a
    UsageError, and the folder is left as it was."""
    (tmp_path / "a-folder.svg").mkdir()
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(UsageError, match=message):
        lifecycle_diagram().save(str(tmp_path / name) if "\0" in name else tmp_path / name)
    assert sorted(tmp_path.rglob("*")) == before


def test_save_takes_only_a_path():
    """A value that is no path is named in the error."""
    with pytest.raises(UsageError, match="file path"):
        lifecycle_diagram().save(42)


def test_jupyter_gets_svg_alone_when_graphviz_is_installed(pygraphviz):
    """With the diagram extra, the bundle holds SVG and text only: JupyterLab ranks Markdown
    above SVG, and an exported page keeps the SVG with no network."""
    bundle = lifecycle_diagram()._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert "<svg" in bundle["image/svg+xml"]


def test_jupyter_gets_mermaid_without_graphviz(monkeypatch):
    """Without it, Markdown holding Mermaid, which JupyterLab draws."""
    monkeypatch.setattr(render_module, "_has_graphviz", lambda: False)
    bundle = lifecycle_diagram()._repr_mimebundle_()
    assert set(bundle) == {"text/markdown", "text/plain"}
    assert bundle["text/markdown"].startswith("```mermaid\nstateDiagram-v2")


def test_fontconfig_template_warnings_never_reach_stderr(pygraphviz):
    """Drawing in a fresh process prints nothing on stderr (pygraphviz's fontconfig warns
    about the system's newer template files otherwise)."""
    code = "from slr_fsm.diagram import lifecycle_diagram; lifecycle_diagram().svg()"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert done.stderr == ""


def test_only_template_warnings_are_dropped():
    """The filter matches fontconfig's lines about conf.avail files and nothing else."""
    assert TEMPLATE_WARNING.match(
        'Fontconfig warning: "/usr/share/fontconfig/conf.avail/05-reset-dirs-sample.conf", '
        'line 6: unknown element "reset-dirs"'
    )
    assert not TEMPLATE_WARNING.match('Fontconfig warning: "/etc/fonts/fonts.conf", line 1: x')
    assert not TEMPLATE_WARNING.match("Warning: node a, port b unrecognized")


def test_the_diagram_package_does_not_import_the_explorer():
    """explore imports diagram lazily, never the reverse."""
    code = "import sys, slr_fsm.diagram; assert 'slr_fsm.explore' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_first_layout_writes_back_stderr_other_than_template_warnings(capfd):
    """While fontconfig starts, stderr is captured; its template warnings are dropped and
    every other line comes out as written."""
    from slr_fsm.diagram.graphviz import _template_warnings_dropped

    with _template_warnings_dropped():
        os.write(2, b'Fontconfig warning: "/usr/share/fontconfig/conf.avail/x.conf", line 6: y\n')
        os.write(2, b"Graphviz said something else\n")
    assert capfd.readouterr().err == "Graphviz said something else\n"
