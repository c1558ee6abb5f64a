"""IAM policy statements and conditions as frozen values, their wildcard patterns compiled once.

A :class:`Statement` holds one statement's actions, resources or principals and its
:class:`Condition` tests; both check on construction that this package can evaluate them
(raising :class:`~slr_fsm.errors.UnsupportedPolicyFeature` otherwise) and compile their IAM
wildcard patterns into regular expressions once. Whole documents are parsed by
:mod:`slr_fsm.policy_document` and evaluated by :mod:`slr_fsm.policy`.

>>> Statement(effect=Effect.ALLOW, actions=("iam:Get*",), resources=("*",)).applies(
...     "iam:getrole", "arn:aws:iam::111122223333:role/r", {})
True
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from typing import Final

import attrs

from slr_fsm.errors import MalformedPolicyDocument, UnsupportedPolicyFeature, UsageError
from slr_fsm.shown import shown

__all__ = [
    "NO_VENDOR",
    "SUPPORTED_CONDITION_KEYS",
    "SUPPORTED_OPERATORS",
    "SYNTAX_ERRORS",
    "Condition",
    "Effect",
    "Statement",
    "fold_context",
    "wildcard_match",
]

#: Condition operators this module evaluates (names are case-sensitive, as in IAM).
SUPPORTED_OPERATORS: Final = ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")
#: Condition keys this module evaluates (keys are case-insensitive, as in IAM).
SUPPORTED_CONDITION_KEYS: Final = ("iam:AWSServiceName",)

_NEGATED: Final = {
    "StringEquals": False,
    "StringNotEquals": True,
    "StringLike": False,
    "StringNotLike": True,
}
_LIKE: Final = frozenset({"StringLike", "StringNotLike"})
_SUPPORTED_KEYS_FOLDED: Final = frozenset(k.lower() for k in SUPPORTED_CONDITION_KEYS)
# Every operator family IAM knows; with optional ForAnyValue:/ForAllValues: and IfExists.
_IAM_OPERATORS: Final = frozenset(
    [
        f"String{s}"
        for s in (
            "Equals",
            "NotEquals",
            "EqualsIgnoreCase",
            "NotEqualsIgnoreCase",
            "Like",
            "NotLike",
        )
    ]
    + [
        f"{f}{s}"
        for f in ("Numeric", "Date")
        for s in (
            "Equals",
            "NotEquals",
            "LessThan",
            "LessThanEquals",
            "GreaterThan",
            "GreaterThanEquals",
        )
    ]
    + [
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Null",
    ]
)
_ANYONE: Final = frozenset({("*", "*"), ("AWS", "*")})
_SUPPORTED_TEXT: Final = "StringEquals, StringNotEquals, StringLike and StringNotLike"

#: IAM's wording for a document it cannot parse; shared with the document parser.
SYNTAX_ERRORS: Final = "Syntax errors in policy."
#: IAM's wording for an action or condition key without a vendor; shared with the parser.
NO_VENDOR: Final = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."


class Effect(enum.Enum):
    """A statement's effect, in IAM's words."""

    ALLOW = "Allow"
    DENY = "Deny"


# --------------------------------------------------------------------------------------- matching


def _translate(pattern: str) -> str:
    """One IAM wildcard pattern as a regex without catastrophic backtracking.

    Each chunk between two ``*`` is matched at its leftmost occurrence inside an atomic group;
    that is always right because a ``*`` follows it and can absorb whatever the leftmost choice
    leaves over, so matching stays linear-ish however many ``*`` a pattern has.
    """
    chunks = [
        "".join("." if c == "?" else re.escape(c) for c in part) for part in pattern.split("*")
    ]
    if len(chunks) == 1:
        return f"(?:{chunks[0]})"
    head, *middle, tail = chunks
    return "(?:" + head + "".join(f"(?>.*?{m})" for m in middle if m) + ".*" + tail + ")"


@functools.lru_cache(maxsize=4096)
def _compile(patterns: tuple[str, ...], case_sensitive: bool) -> re.Pattern[str]:
    """A regex whose ``fullmatch`` says whether a value matches any of ``patterns``."""
    flags = re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE
    return re.compile("|".join(_translate(p) for p in patterns) or "(?!)", flags)


def wildcard_match(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    """Whether ``value`` matches an IAM pattern: ``*`` any run, ``?`` one character, rest literal.

    >>> wildcard_match("arn:aws:iam::*:role/?", "arn:aws:iam::1:role/x", case_sensitive=True)
    True
    """
    if not isinstance(pattern, str) or not isinstance(value, str):
        raise UsageError(
            f"wildcard_match takes two strings, got {shown(pattern)} and {shown(value)}"
        )
    if not isinstance(case_sensitive, bool):
        raise UsageError(f"case_sensitive is True or False, got {shown(case_sensitive)}")
    return _compile((str.__str__(pattern),), case_sensitive).fullmatch(value) is not None


def fold_context(context: Mapping[str, str] | None) -> Mapping[str, str]:
    """The context with keys lower-cased (IAM keys ignore case); public so evaluation folds once."""
    if not context:
        return {}
    if (type(context) is not dict and not isinstance(context, Mapping)) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in context.items()
    ):
        raise UsageError(
            f"The request context maps condition keys to strings; got {shown(context)}"
        )
    folded = {key.lower(): value for key, value in context.items()}
    if len(folded) != len(context):
        raise UsageError(
            f"The request context {shown(dict(context))} names one condition key twice in different "
            "cases; IAM condition keys are case-insensitive, so give each key once."
        )
    return folded


# ------------------------------------------------------------------------------------- conditions


def _check_operator(operator: str) -> None:
    """Raise unless ``operator`` is one this module evaluates."""
    if operator in _NEGATED:
        return
    base = operator.removeprefix("ForAnyValue:").removeprefix("ForAllValues:")
    base = base.removesuffix("IfExists")
    if base in _IAM_OPERATORS:
        raise UnsupportedPolicyFeature(
            f"Condition operator {shown(operator)} is not supported: slr_fsm evaluates only "
            f"{_SUPPORTED_TEXT} (no IfExists, ForAnyValue: or ForAllValues: forms), and ignoring "
            "a condition would change who is allowed. Rewrite the condition with one of those "
            "operators, or leave it out of the simulated policy."
        )
    near = [op for op in SUPPORTED_OPERATORS if op.lower() == operator.lower()]
    hint = f" (operator names are case-sensitive: did you mean {shown(near[0])}?)" if near else ""
    raise MalformedPolicyDocument(
        f"{SYNTAX_ERRORS} {shown(operator)} is not an IAM condition operator{hint}; slr_fsm supports "
        f"{_SUPPORTED_TEXT}."
    )


def _check_key(key: str) -> None:
    """Raise unless ``key`` is a condition key this module evaluates."""
    if key.lower() in _SUPPORTED_KEYS_FOLDED:
        return
    vendor, colon, name = key.partition(":")
    if not (vendor and colon and name):
        raise MalformedPolicyDocument(NO_VENDOR)
    raise UnsupportedPolicyFeature(
        f"Condition key {shown(key)} is not supported: slr_fsm supplies only "
        f"{', '.join(SUPPORTED_CONDITION_KEYS)} (case-insensitive) to condition evaluation, so a "
        f"condition on {shown(key)} cannot be evaluated. Use iam:AWSServiceName, or leave the "
        "condition out of the simulated policy."
    )


@attrs.frozen
class Condition:
    """One condition test: ``operator`` applied to the context value of ``key`` (ORed ``values``).

    Raises UnsupportedPolicyFeature for an operator or key this module does not evaluate.
    """

    operator: str
    key: str
    values: tuple[str, ...]
    _folded_key: str = attrs.field(init=False, repr=False, eq=False)
    _negated: bool = attrs.field(init=False, repr=False, eq=False)
    _pattern: re.Pattern[str] | None = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.operator, str) or not isinstance(self.key, str):
            raise UsageError(
                f"A Condition's operator and key are strings, got {shown(self.operator)} and "
                f"{shown(self.key)}"
            )
        _check_strings("A Condition's values", self.values)
        _check_operator(self.operator)
        _check_key(self.key)
        object.__setattr__(self, "_folded_key", self.key.lower())
        object.__setattr__(self, "_negated", _NEGATED[self.operator])
        pattern = _compile(self.values, True) if self.operator in _LIKE else None
        object.__setattr__(self, "_pattern", pattern)

    def matches(self, context: Mapping[str, str]) -> bool:
        """Whether the request context satisfies this condition (keys looked up case-insensitively).

        An absent key fails StringEquals/StringLike and satisfies StringNotEquals/StringNotLike.
        """
        return self._matches_folded(fold_context(context))

    def _matches_folded(self, context: Mapping[str, str]) -> bool:
        value = context.get(self._folded_key)
        if value is None:
            return self._negated
        if self._pattern is not None:
            hit = self._pattern.fullmatch(value) is not None
        else:
            hit = value in self.values
        return hit != self._negated


# ------------------------------------------------------------------------------------- statements


def _check_strings(what: str, values: object) -> None:
    """Refuse anything but a tuple of strings."""
    if not isinstance(values, tuple) or not all(isinstance(v, str) for v in values):
        raise UsageError(f"{what} are a tuple of strings, got {shown(values)}")


def _check_fields(statement: Statement) -> None:
    """Refuse a Statement field of a type IAM's grammar has no place for."""
    if statement.sid is not None and not isinstance(statement.sid, str):
        raise UsageError(f"A Statement's sid is a string or None, got {shown(statement.sid)}")
    if not isinstance(statement.effect, Effect):
        raise UsageError(f"A Statement's effect is an Effect, got {shown(statement.effect)}")
    for name in ("actions", "not_actions", "resources", "not_resources"):
        values = getattr(statement, name)
        if values is not None:
            _check_strings(f"A Statement's {name}", values)
    principals = statement.principals
    if principals is not None and not (
        isinstance(principals, tuple)
        and all(
            isinstance(p, tuple) and len(p) == 2 and all(isinstance(v, str) for v in p)
            for p in principals
        )
    ):
        raise UsageError(
            f"A Statement's principals are (type, name) pairs of strings, got {shown(principals)}"
        )
    if not isinstance(statement.conditions, tuple) or not all(
        isinstance(c, Condition) for c in statement.conditions
    ):
        raise UsageError(
            f"A Statement's conditions are a tuple of Condition, got {shown(statement.conditions)}"
        )


def _exactly_one(a: object, b: object) -> bool:
    return (a is None) != (b is None)


@attrs.frozen(kw_only=True)
class Statement:
    """One policy statement, its wildcard patterns compiled once at construction.

    An identity statement has ``principals=None`` and exactly one of ``resources`` /
    ``not_resources``; a trust statement has ``principals`` and neither.
    """

    sid: str | None = None
    effect: Effect
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    principals: tuple[tuple[str, str], ...] | None = None
    conditions: tuple[Condition, ...] = ()
    _action_re: re.Pattern[str] = attrs.field(init=False, repr=False, eq=False)
    _action_negated: bool = attrs.field(init=False, repr=False, eq=False)
    _resource_re: re.Pattern[str] | None = attrs.field(init=False, repr=False, eq=False)
    _resource_negated: bool = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        _check_fields(self)
        if not _exactly_one(self.actions, self.not_actions):
            raise UsageError(
                "A Statement needs exactly one of actions= and not_actions=; got "
                f"actions={shown(self.actions)}, not_actions={shown(self.not_actions)}."
            )
        if self.principals is None and not _exactly_one(self.resources, self.not_resources):
            raise UsageError(
                "An identity Statement (principals=None) needs exactly one of resources= and "
                f"not_resources=; got resources={shown(self.resources)}, "
                f"not_resources={shown(self.not_resources)}."
            )
        if self.principals is not None and not (self.resources is self.not_resources is None):
            raise UsageError(
                "A trust Statement (with principals=) applies to the role itself and takes "
                "neither resources= nor not_resources=; drop them, or drop principals= to make "
                "an identity statement."
            )
        pairs = [(c.operator, c.key) for c in self.conditions]
        if len(set(pairs)) != len(pairs):
            raise UsageError(
                f"Statement conditions {shown(pairs)} repeat an (operator, key) pair, which a JSON "
                "Condition block cannot express; put all values in one Condition instead."
            )
        actions = self.actions if self.actions is not None else self.not_actions
        assert actions is not None
        object.__setattr__(self, "_action_re", _compile(actions, False))
        object.__setattr__(self, "_action_negated", self.actions is None)
        resources = self.resources if self.resources is not None else self.not_resources
        resource_re = None if resources is None else _compile(resources, True)
        object.__setattr__(self, "_resource_re", resource_re)
        object.__setattr__(self, "_resource_negated", self.resources is None)

    def applies(self, action: str, resource: str | None, context: Mapping[str, str]) -> bool:
        """Whether action, resource (None: trust) and folded context match; public for evaluate."""
        if (self._action_re.fullmatch(action) is None) != self._action_negated:
            return False
        if (
            self._resource_re is not None
            and resource is not None
            and ((self._resource_re.fullmatch(resource) is None) != self._resource_negated)
        ):
            return False
        return all(c._matches_folded(context) for c in self.conditions)

    def names_principal(self, principal_type: str, value: str) -> bool:
        """Whether Principal names principal_type/value or anyone; public for trust_allows()."""
        principals = self.principals or ()
        return (principal_type, value) in principals or not _ANYONE.isdisjoint(principals)
