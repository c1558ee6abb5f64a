"""Lay DOT out with Graphviz (through pygraphviz, the ``diagram`` extra) into SVG or PNG.

pygraphviz's wheel carries its own Graphviz and fontconfig. That fontconfig (2.13), when it
starts, also reads the system's template folder (``/usr/share/fontconfig/conf.avail``) for
descriptions, which it never applies; on systems whose fontconfig is newer (Debian 12, Ubuntu
22.04 and later) a sample there uses an element 2.13 does not know, and it prints
``Fontconfig warning: ".../conf.avail/05-reset-dirs-sample.conf", line 6: unknown element
"reset-dirs"`` on the process's standard error, a red cell in Jupyter. No configuration turns
that read off (it is compiled in), so the first layout of a process (when fontconfig starts)
runs with the process's standard error captured: warnings about template files are dropped,
anything else is written back. Layouts are serialized (Graphviz keeps global state).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator

from slr_fsm.errors import UsageError

__all__ = ["TEMPLATE_WARNING", "layout"]

TEMPLATE_WARNING = re.compile(r'Fontconfig (warning|error): "[^"]*/conf\.avail/[^"]*"')
"""A line fontconfig prints about its template folder: noise, since it never applies them."""

_LOCK = threading.Lock()
_started = False


def layout(dot_text: str, fmt: str) -> bytes:
    """``dot_text`` laid out by Graphviz's ``dot`` and drawn as ``fmt`` (``svg``, ``png``)."""
    global _started
    try:
        import pygraphviz
    except ImportError:
        raise UsageError(
            f"{fmt.upper()} needs pygraphviz: pip install 'slr-fsm[diagram]' (its wheel brings "
            "Graphviz); Mermaid and DOT text need nothing."
        ) from None
    with _LOCK:
        graph = pygraphviz.AGraph(string=dot_text)
        quiet = contextlib.nullcontext() if _started else _template_warnings_dropped()
        with quiet:
            drawn: bytes = graph.draw(format=fmt, prog="dot")
        _started = True
    return drawn


@contextlib.contextmanager
def _template_warnings_dropped() -> Iterator[None]:
    """Capture the process's standard error (file descriptor 2) meanwhile; then write back
    every line but fontconfig's template warnings."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no usable descriptor 2: nothing to filter
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            text = sink.read().decode(errors="replace")
            kept = [ln for ln in text.splitlines(keepends=True) if not TEMPLATE_WARNING.match(ln)]
            if kept:
                os.write(2, "".join(kept).encode())
