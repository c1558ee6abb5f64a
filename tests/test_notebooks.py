"""The notebooks run top to bottom in a fresh kernel, and print exactly what is committed."""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebooks extra runs notebooks")
nbclient = pytest.importorskip("nbclient", reason="the notebooks extra runs notebooks")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
VARIES = "depends on hypothesis's version"


def texts(cell) -> list[str]:
    """What a cell printed or returned, as text (pictures, HTML and stderr left aside: stderr
    carries the platform's font and kernel warnings)."""
    out = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stdout":
            out.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            out.append(output.data.get("text/plain", ""))
        elif output.output_type == "error":
            out.append(f"ERROR {output.ename}: {output.evalue}")
    return out


def test_there_are_four_notebooks():
    """The four notebooks of the notebooks folder are all here."""
    assert [p.name for p in NOTEBOOKS] == [
        "01-lifecycle-tour.ipynb", "02-edge-cases.ipynb", "03-testing-your-code.ipynb",
        "04-teaching.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_clean_and_reproduces_its_outputs(path, monkeypatch):
    """Re-run in a fresh kernel, the notebook raises nothing, and every cell prints the text
    committed with it (seeded, so re-running gives the same text)."""
    # The kernel spec starts "python": make that this interpreter, with slr_fsm installed.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    committed = nbformat.read(path, as_version=4)
    assert not any(o.output_type == "error" for c in committed.cells
                   for o in c.get("outputs", [])), "a committed output is an error"
    fresh = copy.deepcopy(committed)
    nbclient.NotebookClient(fresh, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    for before, after in zip(committed.cells, fresh.cells, strict=True):
        if before.cell_type != "code":
            continue
        assert not any(line.startswith("ERROR") for line in texts(after)), texts(after)
        if VARIES in before.source:
            continue
        assert texts(after) == texts(before), f"cell changed:\n{before.source[:200]}"
