"""Request parameters as data, checked the way AWS checks them before it does anything else.

Each operation declares its parameters as :class:`Param` values (names, types, lengths and
patterns from the IAM API model). :func:`validate` refuses a bad request with
:class:`~slr_fsm.errors.ValidationError` in AWS's or botocore's wording, so no input can reach
the simulation as a bare ``TypeError`` or ``KeyError``.

>>> validate((Param("RoleName", required=True, max_length=3),), {"RoleName": "abcd"})
Traceback (most recent call last):
...
slr_fsm.errors.ValidationError: ValidationError: 1 validation error detected: Value 'abcd' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 3
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from slr_fsm.errors import ValidationError
from slr_fsm.shown import shown, shown_text

__all__ = [
    "NAME_PATTERN",
    "PATTERN_TRANSLATIONS",
    "Param",
    "python_pattern",
    "refuse_invalid",
    "validate",
]

_MOST_MATCHED = 1024
"""The most texts a parameter remembers as matching its pattern (emptied when full)."""
_NO_LIMIT = 1 << 62
"""Longer than any value a process can hold: the length bound of a parameter without one."""

NAME_PATTERN = r"[\w+=,.@-]+"
r"""IAM's pattern for role names, service names, custom suffixes and policy names (``\w`` is
ASCII-only here, as in AWS's model)."""

PATTERN_TRANSLATIONS: dict[str, str] = {
    # STS arnType: the model writes code points above U+FFFF as \u10000 and \u10FFFF, which
    # Python's re reads as \u1000 followed by "0" (and \u10FF followed by "FF") -- it compiles,
    # but means another class. Only those two escapes change, to \U00010000 and \U0010FFFF.
    r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+": (
        r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]+"
    ),
}
r"""AWS model patterns that Python's :mod:`re` would not read as AWS means them, each mapped to
its minimal Python translation. :class:`Param` keeps AWS's pattern verbatim (its messages quote
it) and compiles the translation; the botocore drift test checks this mapping too."""


def python_pattern(pattern: str) -> str:
    r"""The Python :mod:`re` form of an AWS model pattern (itself, unless it needs translating).

    >>> arn = r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+"
    >>> emoji = "\U0001F600"
    >>> bool(re.fullmatch(arn, emoji)), bool(re.fullmatch(python_pattern(arn), emoji))
    (False, True)
    """
    return PATTERN_TRANSLATIONS.get(pattern, pattern)


@attrs.frozen
class Param:
    """One request parameter: its AWS name, type and constraints (from the IAM API model).

    ``kind`` is ``str``, ``int``, ``bool`` or ``list``; ``min_length``/``max_length`` bound a
    string's or a list's length, ``min_value``/``max_value`` an integer.
    """

    name: str
    kind: type = str
    required: bool = False
    min_length: int = 0
    max_length: int | None = None
    pattern: str | None = None
    min_value: int | None = None
    max_value: int | None = None
    _compiled: re.Pattern[str] | None = attrs.field(init=False, eq=False, repr=False)
    _longest: int = attrs.field(init=False, eq=False, repr=False)
    """``max_length``, or a length no value reaches when there is none."""
    _matched: set[str] = attrs.field(init=False, eq=False, repr=False, hash=False)
    """Strings (exactly ``str``) known to match the pattern: a caller names the same role or
    service call after call, and a set lookup costs a fraction of matching again."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_matched", set())
        compiled = (
            None if self.pattern is None else re.compile(python_pattern(self.pattern), re.ASCII)
        )
        object.__setattr__(self, "_compiled", compiled)
        longest = self.max_length if self.max_length is not None else _NO_LIMIT
        object.__setattr__(self, "_longest", longest)

    @property
    def wire_name(self) -> str:
        """The name AWS's messages use: ``RoleName`` becomes ``roleName``."""
        if self.name.startswith("AWS"):
            return "aWS" + self.name[3:]
        return self.name[0].lower() + self.name[1:]

    def matches(self, text: str) -> bool:
        """Whether ``text`` (exactly a ``str``) matches the pattern, remembering the texts that
        do (at most :data:`_MOST_MATCHED`, for a pattern-checked parameter only)."""
        assert self._compiled is not None
        if text in self._matched:
            return True
        if self._compiled.fullmatch(text) is None:
            return False
        if len(self._matched) >= _MOST_MATCHED:
            self._matched.clear()
        self._matched.add(text)
        return True

    def accepts(self, value: Any) -> bool:
        """Whether a value of the right type meets every constraint: ``not problems(value)``,
        without building the messages (the hot path of every call)."""
        if isinstance(value, str | list):
            size = len(value)
            if size < self.min_length or (self.max_length is not None and size > self.max_length):
                return False
            if not (value and isinstance(value, str) and self._compiled is not None):
                return True
            return self._compiled.fullmatch(value) is not None
        if isinstance(value, int) and not isinstance(value, bool):
            return (self.min_value is None or value >= self.min_value) and (
                self.max_value is None or value <= self.max_value
            )
        return True

    def problems(self, value: Any) -> list[str]:
        """AWS's constraint messages for a value of the right type (empty when valid)."""
        echoed = f"'{shown_text(value)}'" if isinstance(value, str) else shown_text(value)
        prefix = f"Value {echoed} at '{self.wire_name}' failed to satisfy constraint: Member must"
        found = []
        if isinstance(value, str | list):
            if len(value) < self.min_length:
                found.append(f"{prefix} have length greater than or equal to {self.min_length}")
            if self.max_length is not None and len(value) > self.max_length:
                found.append(f"{prefix} have length less than or equal to {self.max_length}")
        if isinstance(value, str):
            if value and self._compiled is not None and not self._compiled.fullmatch(value):
                found.append(f"{prefix} satisfy regular expression pattern: {self.pattern}")
        elif isinstance(value, int) and not isinstance(value, bool):
            if self.min_value is not None and value < self.min_value:
                found.append(f"{prefix} have value greater than or equal to {self.min_value}")
            if self.max_value is not None and value > self.max_value:
                found.append(f"{prefix} have value less than or equal to {self.max_value}")
        return found


def validate(params: Sequence[Param], given: Mapping[str, Any]) -> None:
    """Refuse a request whose parameters are unknown, missing, mistyped or out of bounds.

    Unknown and mistyped parameters are refused in botocore's wording (it refuses them before
    sending); constraint violations in IAM's ("1 validation error detected: ...").

    A valid request is recognised without building any message; anything else is judged by
    :func:`refuse_invalid`, which words the refusal.
    """
    if type(given) is not dict:  # a mapping of another kind may count or look up as it likes
        refuse_invalid(params, given)
        return
    matched = 0
    for param in params:
        if param.name in given:
            matched += 1
            value = given[param.name]
            kind = param.kind
            if type(value) is str and kind is str:  # the usual case: Param.accepts, inlined
                if not param.min_length <= len(value) <= param._longest or (
                    value
                    and param._compiled is not None
                    and value not in param._matched
                    and not param.matches(value)
                ):
                    break
            elif (
                not isinstance(value, kind)
                or (kind is int and isinstance(value, bool))
                or not param.accepts(value)
            ):
                break
        elif param.required:
            break
    else:
        if matched == len(given):
            known = _DISTINCT.get(id(params))  # _distinct_names' cache, read inline
            if known is not None and known[0] is params and known[1]:
                return
            if _distinct_names(params):
                return
    refuse_invalid(params, given)


_DISTINCT: dict[int, tuple[tuple[Param, ...], bool]] = {}
"""Whether a tuple of parameters names each parameter once, by the tuple's id (the entry holds
the tuple, so the id cannot be reused while it is cached)."""


def _distinct_names(params: Sequence[Param]) -> bool:
    """Whether no two parameters share a name (then matching as many as were given means
    every given name is known)."""
    if type(params) is not tuple:
        return len({p.name for p in params}) == len(params)
    entry = _DISTINCT.get(id(params))
    if entry is None or entry[0] is not params:
        if len(_DISTINCT) >= 1024:
            _DISTINCT.clear()
        entry = _DISTINCT[id(params)] = (params, len({p.name for p in params}) == len(params))
    return entry[1]


def refuse_invalid(params: Sequence[Param], given: Mapping[str, Any]) -> None:
    """:func:`validate`, building the messages as it goes: the reference the fast path is
    tested against (it raises the same refusal, and passes exactly the same requests)."""
    known = {p.name: p for p in params}
    for name in given:
        if not isinstance(name, str) or name not in known:
            raise ValidationError(
                f'Unknown parameter in input: "{shown_text(name, 128)}", must be one of: '
                f"{', '.join(known)}"
            )
    problems: list[str] = []
    for param in params:
        if param.name not in given:
            if param.required:
                problems.append(
                    f"Value null at '{param.wire_name}' failed to satisfy constraint: "
                    "Member must not be null"
                )
            continue
        value = given[param.name]
        if not isinstance(value, param.kind) or (param.kind is int and isinstance(value, bool)):
            raise ValidationError(
                f"Parameter validation failed:\nInvalid type for parameter {param.name}, "
                f"value: {shown(value, 200)}, type: {type(value)}, valid types: {param.kind}"
            )
        problems.extend(param.problems(value))
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise ValidationError(f"{count} validation {noun} detected: " + "; ".join(problems))
