"""A caller's value as messages and logs may show it: bounded in size, and never raising.

A message that formats a hostile value (an int of 5,000 digits, a list nested 10,000 deep, an
object whose ``__repr__`` raises) must not fail while refusing it; :func:`shown` is the only way
slr_fsm puts a caller's value into a message.

>>> shown("AWSServiceRoleForMarketplacePurchaseOrders")
"'AWSServiceRoleForMarketplacePurchaseOrders'"
>>> shown(10**5000)
'<int of about 5001 digits>'
>>> shown("x" * 500)[-20:]
"xxxx... (500 chars)'"
"""

from __future__ import annotations

import reprlib

__all__ = ["shown"]

_LIMIT = 80
_repr = reprlib.Repr()
_repr.maxlevel = 2
_repr.maxstring = _LIMIT
_repr.maxother = _LIMIT
_repr.maxlong = 40


def shown(value: object, limit: int = _LIMIT) -> str:
    """``repr(value)``, at most about ``limit`` characters; a placeholder if repr fails."""
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return repr(value[:limit] + f"... ({len(value)} chars)")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"<int of about {int(value.bit_length() * 0.30103) + 1} digits>"
    try:
        text = _repr.repr(value)
    except Exception:  # a hostile __repr__: say what it is, not what it claims
        return f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[:limit] + "..."
