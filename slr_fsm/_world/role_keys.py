"""Role keys, remembered by role name: every attempt about a role looks its key up three times
(its state before and after, and the role it judges), and the key of a name is the same every
time (:func:`slr_fsm._world.state.role_key`: the account and the interned lower-case name).

>>> from slr_fsm._world.state import role_key
>>> key_of("111122223333", "AWSServiceRoleForX") == role_key("111122223333", "AWSServiceRoleForX")
True
"""

from __future__ import annotations

from slr_fsm._world.state import role_key

__all__ = ["key_of"]

_MOST_NAMES = 4096
"""The most role names remembered (names come from callers: the memo is emptied when full)."""
_LOWERED: dict[str, str] = {}
"""Each role name seen (exactly ``str``) and the lower-case name its key holds."""


def key_of(account_id: str, role_name: str) -> tuple[str, str]:
    """``role_key(account_id, role_name)``, without lower-casing and interning the name again
    once it has been seen (a name of a ``str`` subclass is keyed as ``role_key`` keys it)."""
    lowered = _LOWERED.get(role_name) if type(role_name) is str else None
    if lowered is not None:
        return (account_id, lowered)
    key = role_key(account_id, role_name)
    if type(role_name) is str:
        if len(_LOWERED) >= _MOST_NAMES:
            _LOWERED.clear()
        _LOWERED[role_name] = key[1]
    return key
