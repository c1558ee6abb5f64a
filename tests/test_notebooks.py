"""The notebooks are built from their Python sources, run top to bottom in a fresh kernel
printing exactly what is committed, write nothing on stderr, keep the lesson's answers hidden
from students, and export to HTML with their diagrams drawn."""

from __future__ import annotations

import base64
import copy
import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebooks extra runs notebooks")
pytest.importorskip("nbclient", reason="the notebooks extra runs notebooks")

FOLDER = Path(__file__).resolve().parent.parent / "notebooks"
VARIES = "depends on hypothesis's version"


def load_build():
    """notebooks/build.py, which knows the notebooks, their sources, and how to run them."""
    spec = importlib.util.spec_from_file_location("notebooks_build", FOLDER / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = load_build()
NAMES = sorted(build.NOTEBOOKS)


def read(name: str):
    """A committed notebook."""
    return nbformat.read(FOLDER / name, as_version=4)


def texts(cell) -> list[str]:
    """What a cell printed or returned, as text (pictures and HTML left aside). Consecutive
    writes to one stream are one text, as Jupyter shows them: where the kernel cuts a stream
    into messages depends on timing, not on what was printed."""
    out = []
    stream = None
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            if stream == output.name:
                out[-1] += output.text
            else:
                out.append(f"{output.name}: {output.text}")
            stream = output.name
            continue
        stream = None
        if output.output_type in ("execute_result", "display_data"):
            out.append(output.data.get("text/plain", ""))
        elif output.output_type == "error":
            out.append(f"ERROR {output.ename}: {output.evalue}")
    return out


def test_every_committed_notebook_is_one_the_build_makes():
    """The notebooks folder holds exactly the notebooks build.py makes (and no stray one)."""
    committed = sorted(
        str(p.relative_to(FOLDER))
        for p in FOLDER.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )
    assert committed == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_each_notebook_is_its_sources_build(name):
    """A committed notebook's cells are its source's, in order, with their tags: edit the
    .py source and run build.py, never the .ipynb."""
    pytest.importorskip("jupytext", reason="the notebooks extra reads the sources")
    source, solutions = build.NOTEBOOKS[name]
    built = build.notebook_from(FOLDER / source, solutions=solutions)

    def shape(notebook):
        return [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in notebook.cells]

    assert shape(read(name)) == shape(built)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_clean_and_reproduces_its_outputs(name, monkeypatch):
    """Re-run in a fresh kernel, the notebook raises nothing and writes nothing on stderr
    (build.run refuses both), and every cell prints the text committed with it."""
    # The kernel spec starts "python": make that this interpreter, with slr_fsm installed.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    committed = read(name)
    fresh = copy.deepcopy(committed)
    build.run(fresh, (FOLDER / name).parent, timeout=60)
    for before, after in zip(committed.cells, fresh.cells, strict=True):
        if before.cell_type != "code":
            continue
        assert not any(t.startswith(("stderr", "ERROR")) for t in texts(before)), texts(before)
        if VARIES not in before.source:
            assert texts(after) == texts(before), f"cell changed:\n{before.source[:200]}"


def printed(name: str) -> list[str]:
    """Every line a committed notebook printed."""
    return [
        line
        for cell in read(name).cells
        if cell.cell_type == "code"
        for text in texts(cell)
        for line in text.splitlines()
    ]


def test_the_students_notebook_shows_no_answer():
    """04-teaching has no solution cell and none of its checks or quiz answers is shown:
    each check asks for a prediction and the quiz is unanswered."""
    notebook = read("04-teaching.ipynb")
    assert not any(build.SOLUTION in c.metadata.get("tags", []) for c in notebook.cells)
    checks = [line for line in printed("04-teaching.ipynb") if line.startswith("stdout: Exercise")]
    assert len(checks) == 9
    assert all("write your prediction" in line for line in checks)
    lines = printed("04-teaching.ipynb")
    assert not any("answered" in line.replace("not answered yet", "") for line in lines)
    assert "Score: 0/6" in lines


def test_the_teachers_copy_answers_every_exercise_rightly():
    """The solutions notebook, built from the same source, gets every check and the whole
    quiz right: the answer key agrees with the simulation."""
    lines = printed("solutions/04-teaching-solutions.ipynb")
    verdicts = [line for line in lines if "you predicted" in line]
    assert len(verdicts) == 9
    assert all(line.endswith("Right!") for line in verdicts)
    assert "Score: 6/6" in lines


def test_an_exported_notebook_draws_its_diagrams_with_no_network():
    """nbconvert's HTML holds each diagram as an SVG picture embedded in the page (the
    lifecycle with every state, the role's path, the event log), and nothing for Mermaid to
    fetch and draw from a CDN."""
    nbconvert = pytest.importorskip("nbconvert", reason="jupyter nbconvert exports HTML")
    html, _ = nbconvert.HTMLExporter().from_notebook_node(read("01-lifecycle-tour.ipynb"))
    pictures = [
        base64.b64decode(data).decode()
        for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    ]
    assert len(pictures) == 3
    assert all("<svg" in picture for picture in pictures)
    lifecycle = pictures[0]
    for state in ("absent", "creating", "active", "deleting_blocked", "deleted"):
        assert f">{state}</text>" in lifecycle
    assert 'class="jp-Mermaid"' not in html
    assert "```mermaid" not in html
