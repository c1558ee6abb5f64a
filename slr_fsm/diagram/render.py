"""A :class:`Diagram`: a model with its renderers, Mermaid, DOT and (with pygraphviz) SVG and PNG.

>>> from slr_fsm.diagram.model import SequenceChart
>>> Diagram(SequenceChart("trace", (), broken="an invariant"))
Diagram(title='trace')
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import attrs

from slr_fsm.diagram.dot import dot
from slr_fsm.diagram.graphviz import layout
from slr_fsm.diagram.mermaid import mermaid
from slr_fsm.diagram.model import Graph, SequenceChart
from slr_fsm.errors import UsageError
from slr_fsm.shown import shown

__all__ = ["SAVED_FORMATS", "Diagram"]

SAVED_FORMATS = {".svg": "svg", ".png": "png", ".mmd": "mermaid", ".dot": "dot", ".gv": "dot"}
"""What :meth:`Diagram.save` writes, by the file's extension."""


def _has_graphviz() -> bool:
    try:
        import pygraphviz  # noqa: F401
    except ImportError:
        return False
    return True


@attrs.frozen(repr=False)
class Diagram:
    """A diagram as Mermaid and DOT text; SVG and PNG on demand (the ``diagram`` extra).

    In Jupyter it shows itself as SVG when pygraphviz is installed (a static picture, which an
    exported HTML page keeps with no network), and otherwise as Mermaid in Markdown, which
    JupyterLab draws.
    """

    model: Graph | SequenceChart

    @property
    def title(self) -> str:
        """The model's title (``lifecycle``, ``explored``, ``trace``, ``events``)."""
        return self.model.title

    def mermaid(self) -> str:
        """Mermaid source (renders on code hosts and in JupyterLab Markdown)."""
        return mermaid(self.model)

    def dot(self) -> str:
        """Graphviz DOT source."""
        return dot(self.model)

    def svg(self) -> str:
        """SVG text, laid out by Graphviz (needs the ``diagram`` extra)."""
        return layout(self.dot(), "svg").decode()

    def png(self) -> bytes:
        """A PNG picture, laid out by Graphviz (needs the ``diagram`` extra)."""
        return layout(self.dot(), "png")

    def render(self, fmt: str) -> str:
        """The diagram as text in ``fmt``: ``mermaid``, ``dot`` or ``svg`` (PNG: :meth:`png`)."""
        formats = {"mermaid": self.mermaid, "dot": self.dot, "svg": self.svg}
        if fmt not in formats:
            raise UsageError(
                f"A diagram renders as text in {sorted(formats)}, not {shown(fmt)}"
                + ("; for PNG bytes call .png() or .save('name.png')." if fmt == "png" else ".")
            )
        return formats[fmt]()

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the diagram to ``path`` in the format its extension names: ``.svg``, ``.png``
        (both need the ``diagram`` extra), ``.mmd`` (Mermaid) or ``.dot``/``.gv``; return the
        path. An unknown extension, a missing folder or a path that cannot be written is a
        :class:`~slr_fsm.errors.UsageError`, and nothing is written.

        >>> import pathlib, tempfile
        >>> from slr_fsm.diagram import lifecycle_diagram
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> lifecycle_diagram().save(folder / "lifecycle.mmd").read_text().splitlines()[0]
        'stateDiagram-v2'
        """
        if not isinstance(path, str | os.PathLike):
            raise UsageError(f"save() takes a file path, got {shown(path)}")
        target = Path(path)
        fmt = SAVED_FORMATS.get(target.suffix.lower())
        if fmt is None:
            raise UsageError(
                f"save() chooses the format from the extension, one of "
                f"{sorted(SAVED_FORMATS)}; {shown(str(target))} has none of them."
            )
        if not target.parent.is_dir():
            raise UsageError(f"Cannot write {shown(str(target))}: its folder does not exist.")
        if target.is_dir():
            raise UsageError(f"Cannot write {shown(str(target))}: it is a folder.")
        content = self.png() if fmt == "png" else self.render(fmt).encode()
        try:
            target.write_bytes(content)
        except (OSError, ValueError) as failure:  # ValueError: a NUL in the name
            reason = getattr(failure, "strerror", None) or str(failure)
            raise UsageError(f"Cannot write {shown(str(target))}: {reason}.") from None
        return target

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        text = self.mermaid()
        if _has_graphviz():  # only SVG: JupyterLab ranks Markdown above it
            return {"image/svg+xml": self.svg(), "text/plain": text}
        return {"text/markdown": f"```mermaid\n{text}\n```", "text/plain": text}

    def __str__(self) -> str:
        return self.mermaid()

    def __repr__(self) -> str:
        return f"Diagram(title={self.title!r})"
