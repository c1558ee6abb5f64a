"""Build the notebooks from their Python sources and run them, so they are committed with outputs.

    python notebooks/build.py                      # every notebook (needs the notebooks extra)
    python notebooks/build.py 04-teaching.ipynb    # some of them

Each notebook's source is a plain Python file in jupytext's percent format (``# %%`` starts a
code cell, ``# %% [markdown]`` a Markdown cell), linted by ruff and checked by mypy like the
rest of the code; JupyterLab with jupytext opens it as a notebook too. The lesson's source
(``teaching.py``) makes two notebooks: the students' ``04-teaching.ipynb``, without the cells
tagged ``solution`` (so it shows no answer), and the teacher's
``solutions/04-teaching-solutions.ipynb``, with them.

A notebook is run in a fresh kernel before it is written; any error or anything written on
standard error fails the build (nothing is filtered). ``tests/test_notebooks.py`` checks that
each committed notebook is its source's build and re-runs it to the same printed text.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
SOLUTION = "solution"
"""The tag of a cell that gives an answer: left out of the students' notebook."""

NOTEBOOKS: dict[str, tuple[str, bool]] = {
    "01-lifecycle-tour.ipynb": ("lifecycle_tour.py", False),
    "02-edge-cases.ipynb": ("edge_cases.py", False),
    "03-testing-your-code.ipynb": ("testing_your_code.py", False),
    "04-teaching.ipynb": ("teaching.py", False),
    "solutions/04-teaching-solutions.ipynb": ("teaching.py", True),
}
"""Each notebook (relative to this folder), its source, and whether it keeps the solutions."""

_TEACHERS_COPY = """\
**Teacher's copy, with the answers.** Built from the same source as the students' notebook
(`notebooks/teaching.py`); the cells tagged `solution` hold the answers, and every check below
shows what the students see once they have answered. See `docs/teaching.md`."""
_HELPERS_PATH = """\
import sys

sys.path.insert(0, "..")  # the lesson's helpers (lesson.py, nbhelpers.py) are in notebooks/"""


def notebook_from(source: Path, *, solutions: bool) -> nbformat.NotebookNode:
    """The notebook a source describes, not yet run: its cells (with the ``solution`` ones
    only when ``solutions``), each keeping only its tags as metadata (needs jupytext)."""
    import jupytext

    read = jupytext.read(source, fmt="py:percent")
    cells = []
    for cell in read.cells:
        tags = list(cell.metadata.get("tags", []))
        if SOLUTION in tags and not solutions:
            continue
        if cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source)
        else:
            new = nbformat.v4.new_code_cell(cell.source)
        if tags:
            new.metadata["tags"] = tags
        cells.append(new)
    if solutions:
        cells[:0] = [
            nbformat.v4.new_markdown_cell(_TEACHERS_COPY),
            nbformat.v4.new_code_cell(_HELPERS_PATH),
        ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    for cell in notebook.cells:
        cell.pop("id", None)
    notebook.nbformat_minor = 4
    return cast(nbformat.NotebookNode, notebook)


def run(notebook: nbformat.NotebookNode, folder: Path, *, timeout: int = 120) -> None:
    """Run ``notebook`` in a fresh kernel started in ``folder``; raise if a cell fails or
    writes on standard error."""
    NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    for cell in notebook.cells:
        cell.pop("id", None)
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        for output in cell.outputs:
            if output.output_type == "error" or (
                output.output_type == "stream" and output.name == "stderr"
            ):
                text = output.get("text") or f"{output.get('ename')}: {output.get('evalue')}"
                raise RuntimeError(f"A cell wrote an error:\n{cell.source[:300]}\n---\n{text}")


def build(name: str) -> None:
    """Build, run and write one notebook of :data:`NOTEBOOKS`."""
    source, solutions = NOTEBOOKS[name]
    target = HERE / name
    notebook = notebook_from(HERE / source, solutions=solutions)
    target.parent.mkdir(exist_ok=True)
    run(notebook, target.parent)
    nbformat.write(notebook, target)
    print(f"wrote {name}")


def main(names: list[str]) -> int:
    """Build the notebooks named (all when none is)."""
    unknown = [n for n in names if n not in NOTEBOOKS]
    if unknown:
        print(f"unknown notebook(s) {unknown}; known: {sorted(NOTEBOOKS)}", file=sys.stderr)
        return 2
    for name in names or NOTEBOOKS:
        build(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
