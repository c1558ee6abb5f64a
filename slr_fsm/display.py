"""Rich display in Jupyter: small HTML tables, escaped, with no dependency.

Objects that show themselves in a notebook (``_repr_html_``) build their tables here, and
stay readable as plain text in a terminal through their ordinary ``repr``/``str``.

>>> print(html_table(["state"], [["active"]]))
<table><thead><tr><th style="text-align:left">state</th></tr></thead><tbody><tr><td style="text-align:left">active</td></tr></tbody></table>
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["html_table"]

_CELL = 'style="text-align:left"'


def html_table(headers: Sequence[str], rows: Iterable[Sequence[object]], caption: str = "") -> str:
    """An HTML table of ``rows`` under ``headers``; every cell escaped."""
    import html  # only Jupyter asks for tables: not imported with the library

    head = "".join(f"<th {_CELL}>{html.escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td {_CELL}>{html.escape(str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
