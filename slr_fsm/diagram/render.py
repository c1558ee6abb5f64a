"""A :class:`Diagram`: a model with its renderers, Mermaid, DOT and (with pygraphviz) SVG.

>>> from slr_fsm.diagram.model import SequenceChart
>>> Diagram(SequenceChart("trace", (), broken="an invariant"))
Diagram(title='trace')
"""

from __future__ import annotations

import contextlib
from typing import Any

import attrs

from slr_fsm.diagram.dot import dot
from slr_fsm.diagram.mermaid import mermaid
from slr_fsm.diagram.model import Graph, SequenceChart
from slr_fsm.errors import UsageError

__all__ = ["Diagram"]


@attrs.frozen(repr=False)
class Diagram:
    """A diagram as Mermaid and DOT text; SVG on demand."""

    model: Graph | SequenceChart

    @property
    def title(self) -> str:
        """The model's title (``lifecycle``, ``explored``, ``trace``)."""
        return self.model.title

    def mermaid(self) -> str:
        """Mermaid source (renders on code hosts and in JupyterLab Markdown)."""
        return mermaid(self.model)

    def dot(self) -> str:
        """Graphviz DOT source."""
        return dot(self.model)

    def svg(self) -> str:
        """SVG text, laid out by Graphviz (needs the ``diagram`` extra)."""
        try:
            import pygraphviz
        except ImportError:
            raise UsageError(
                "SVG needs pygraphviz: pip install 'slr-fsm[diagram]' (its wheel brings "
                "Graphviz); Mermaid and DOT text need nothing."
            ) from None
        graph = pygraphviz.AGraph(string=self.dot())
        svg: bytes = graph.draw(format="svg", prog="dot")
        return svg.decode()

    def render(self, fmt: str) -> str:
        """The diagram in ``fmt``: ``mermaid``, ``dot`` or ``svg``."""
        formats = {"mermaid": self.mermaid, "dot": self.dot, "svg": self.svg}
        if fmt not in formats:
            raise UsageError(f"A diagram renders as {sorted(formats)}, not {fmt!r}.")
        return formats[fmt]()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        text = self.mermaid()
        bundle = {"text/plain": text, "text/markdown": f"```mermaid\n{text}\n```"}
        with contextlib.suppress(UsageError):  # without pygraphviz, Mermaid it is
            bundle["image/svg+xml"] = self.svg()
        return bundle

    def __str__(self) -> str:
        return self.mermaid()

    def __repr__(self) -> str:
        return f"Diagram(title={self.title!r})"
