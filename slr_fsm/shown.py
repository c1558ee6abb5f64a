"""A caller's value as messages and logs may show it: bounded in size, and never raising.

A message that formats a hostile value (an int of 5,000 digits, a list nested 10,000 deep, an
object whose ``__repr__`` raises, a ``str`` subclass that lies about itself) must not fail while
refusing it. :func:`shown` is the only way slr_fsm puts a caller's value into a message of its
own (``repr``-like); :func:`shown_text` is the way an AWS message echoes a value (``str``-like,
as AWS writes ``Value 'x' at 'roleName' ...``), bounded too.

>>> shown("AWSServiceRoleForMarketplacePurchaseOrders")
"'AWSServiceRoleForMarketplacePurchaseOrders'"
>>> shown(10**5000)
'<int of about 5001 digits>'
>>> shown("x" * 500)[-20:]
"xxxx... (500 chars)'"
>>> shown_text("PO-42"), shown_text(7), shown_text(None)
('PO-42', '7', 'None')
>>> len(shown_text("x" * 100_000)) < 1100
True
"""

from __future__ import annotations

import functools
import math
import re
import reprlib

__all__ = ["ECHO_LIMIT", "shown", "shown_text"]

_LIMIT = 80
ECHO_LIMIT = 1024
"""How much of a value an AWS-worded message echoes (more than any name or description IAM
accepts, so a refused valid-length value is echoed whole, as AWS echoes it)."""
_BIG_INT_BITS = 128


@functools.cache
def _address() -> re.Pattern[str]:
    """An object's address in a repr, compiled when a message first shows an object (not on
    import: most messages show text and numbers only)."""
    return re.compile(r" (?:at|instance at) 0x[0-9a-fA-F]+")


class _BoundedRepr(reprlib.Repr):
    """:class:`reprlib.Repr` that never shows an address (messages stay deterministic) and
    shows an int too long to print as a placeholder."""

    def repr_instance(self, obj: object, level: int) -> str:
        try:
            text: object = repr(obj)
        except Exception:  # a hostile __repr__: say what it is, not what it claims
            return f"<{type(obj).__name__} object>"
        if not isinstance(text, str):
            return f"<{type(obj).__name__} object>"
        text = _address().sub("", text)  # an address differs from run to run
        return text if len(text) <= self.maxother else text[: self.maxother] + "..."

    def repr_int(self, obj: int, level: int) -> str:
        return _big_int(obj) or super().repr_int(obj, level)


_repr = _BoundedRepr()
_repr.maxlevel = 2
_repr.maxstring = _LIMIT
_repr.maxother = _LIMIT
_repr.maxlong = 40


def _big_int(value: int) -> str | None:
    """A placeholder for an int too long to show (``str`` of it may even raise)."""
    bits = int.bit_length(value)
    if bits <= _BIG_INT_BITS:
        return None
    return f"<int of about {int(bits * math.log10(2)) + 1} digits>"


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} chars)"


def shown(value: object, limit: int = _LIMIT) -> str:
    """``repr(value)``, at most about ``limit`` characters; a placeholder if repr fails.

    >>> class Hostile:
    ...     def __repr__(self):
    ...         raise RuntimeError
    >>> shown(Hostile()), shown([[[[1]]]])
    ('<Hostile object>', '[[[...]]]')
    """
    if isinstance(value, str):  # str's own repr: a subclass may override __repr__ or __len__
        return str.__repr__(_cut(str.__str__(value), limit))
    if isinstance(value, int) and not isinstance(value, bool):
        big = _big_int(value)
        if big is not None:
            return big
    try:
        text = _address().sub("", _repr.repr(value))
    except Exception:  # a hostile __repr__: say what it is, not what it claims
        return f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[:limit] + "..."


def shown_text(value: object, limit: int = ECHO_LIMIT) -> str:
    """``str(value)`` as an AWS message echoes it, at most about ``limit`` characters; a
    bounded ``repr``-like form for anything that is not a plain scalar."""
    if isinstance(value, str):
        return _cut(str.__str__(value), limit)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return _big_int(value) or int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value)
    return shown(value, limit)
