"""IAM policy evaluation: the subset a service-linked-role simulation needs, parsed once, fast.

Identity policies (may this principal call ``iam:CreateServiceLinkedRole`` on this ARN?) and
trust policies (may this service ``sts:AssumeRole`` the role?) are parsed into frozen values whose
wildcard patterns are compiled once, then evaluated in IAM's order: an explicit Deny in any
statement of any policy wins; otherwise a matching Allow allows; otherwise the request is
implicitly denied.

The subset evaluated:

* ``Action`` / ``NotAction``: ``*`` and ``?`` wildcards, case-insensitive;
* ``Resource`` / ``NotResource``: the same wildcards, case-sensitive (identity policies);
* ``Principal`` (trust policies): ``"*"``, or ``AWS`` / ``Service`` / ``Federated`` /
  ``CanonicalUser`` principals compared literally (``{"AWS": "*"}`` means anyone);
* ``Condition``: ``StringEquals``, ``StringNotEquals``, ``StringLike``, ``StringNotLike`` on the key
  ``iam:AWSServiceName``; values of one key are ORed, keys and operators are ANDed.

A feature IAM accepts but this module cannot evaluate (any other operator or key, ``IfExists``,
``ForAnyValue:``, ``NotPrincipal``, policy variables such as ``${aws:username}``) raises
:class:`~slr_fsm.errors.UnsupportedPolicyFeature` at parse time. It is never silently ignored: an
ignored condition on a Deny would change who is allowed. A document IAM itself refuses raises
:class:`~slr_fsm.errors.MalformedPolicyDocument` in IAM's wording.

>>> doc = PolicyDocument.parse({"Version": "2012-10-17", "Statement": [
...     {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
...     {"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}]})
>>> evaluate([doc], "iam:GetRole", "arn:aws:iam::111122223333:role/r")
<Decision.ALLOW: 'Allow'>
>>> evaluate([doc], "iam:deleterole", "arn:aws:iam::111122223333:role/r")
<Decision.EXPLICIT_DENY: 'ExplicitDeny'>
"""

from __future__ import annotations

import enum
import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal, NoReturn

import attrs

from slr_fsm.errors import MalformedPolicyDocument, UnsupportedPolicyFeature, UsageError

__all__ = [
    "SUPPORTED_CONDITION_KEYS",
    "SUPPORTED_OPERATORS",
    "Condition",
    "Decision",
    "Effect",
    "PolicyDocument",
    "Statement",
    "evaluate",
    "trust_allows",
    "wildcard_match",
]

PolicyKind = Literal["identity", "trust"]

#: Policy-language versions IAM accepts; a document without ``Version`` is ``2008-10-17``.
VERSIONS: Final = ("2012-10-17", "2008-10-17")
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
_TOP_ELEMENTS: Final = ("Version", "Id", "Statement")
_STATEMENT_ELEMENTS: Final = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
_PRINCIPAL_TYPES: Final = ("AWS", "Service", "Federated", "CanonicalUser")
_ANYONE: Final = frozenset({("*", "*"), ("AWS", "*")})
_SID: Final = re.compile(r"[0-9A-Za-z]*")
_VENDOR: Final = re.compile(r"\*|[A-Za-z0-9.-]+")
_SUPPORTED_TEXT: Final = "StringEquals, StringNotEquals, StringLike and StringNotLike"

_SYNTAX: Final = "Syntax errors in policy."
_NO_ACTIONS: Final = "Policy statement must contain actions."
_NO_RESOURCES: Final = "Policy statement must contain resources."
_NO_PRINCIPAL_ALLOWED: Final = "Policy document should not specify a principal."
_NO_VENDOR: Final = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."


class Effect(enum.Enum):
    """A statement's effect, in IAM's words."""

    ALLOW = "Allow"
    DENY = "Deny"


class Decision(enum.Enum):
    """The outcome of evaluating a request: allowed, explicitly denied, or denied by default."""

    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"


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
        raise UsageError(f"wildcard_match takes two strings, got {pattern!r} and {value!r}")
    return _compile((pattern,), case_sensitive).fullmatch(value) is not None


def _fold_context(context: Mapping[str, str] | None) -> Mapping[str, str]:
    """The request context with keys lower-cased, since IAM condition keys are case-insensitive."""
    if not context:
        return {}
    if not isinstance(context, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in context.items()
    ):
        raise UsageError(f"The request context maps condition keys to strings; got {context!r}")
    folded = {key.lower(): value for key, value in context.items()}
    if len(folded) != len(context):
        raise UsageError(
            f"The request context {dict(context)!r} names one condition key twice in different "
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
            f"Condition operator {operator!r} is not supported: slr_fsm evaluates only "
            f"{_SUPPORTED_TEXT} (no IfExists, ForAnyValue: or ForAllValues: forms), and ignoring "
            "a condition would change who is allowed. Rewrite the condition with one of those "
            "operators, or leave it out of the simulated policy."
        )
    near = [op for op in SUPPORTED_OPERATORS if op.lower() == operator.lower()]
    hint = f" (operator names are case-sensitive: did you mean {near[0]!r}?)" if near else ""
    raise MalformedPolicyDocument(
        f"{_SYNTAX} {operator!r} is not an IAM condition operator{hint}; slr_fsm supports "
        f"{_SUPPORTED_TEXT}."
    )


def _check_key(key: str) -> None:
    """Raise unless ``key`` is a condition key this module evaluates."""
    if key.lower() in _SUPPORTED_KEYS_FOLDED:
        return
    vendor, colon, name = key.partition(":")
    if not (vendor and colon and name):
        raise MalformedPolicyDocument(_NO_VENDOR)
    raise UnsupportedPolicyFeature(
        f"Condition key {key!r} is not supported: slr_fsm supplies only "
        f"{', '.join(SUPPORTED_CONDITION_KEYS)} (case-insensitive) to condition evaluation, so a "
        f"condition on {key!r} cannot be evaluated. Use iam:AWSServiceName, or leave the "
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
        return self._matches_folded(_fold_context(context))

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
        if not _exactly_one(self.actions, self.not_actions):
            raise UsageError(
                "A Statement needs exactly one of actions= and not_actions=; got "
                f"actions={self.actions!r}, not_actions={self.not_actions!r}."
            )
        if self.principals is None and not _exactly_one(self.resources, self.not_resources):
            raise UsageError(
                "An identity Statement (principals=None) needs exactly one of resources= and "
                f"not_resources=; got resources={self.resources!r}, "
                f"not_resources={self.not_resources!r}."
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
                f"Statement conditions {pairs!r} repeat an (operator, key) pair, which a JSON "
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

    def _applies(self, action: str, resource: str | None, context: Mapping[str, str]) -> bool:
        """Whether action, resource (None for trust statements) and folded context all match."""
        if (self._action_re.fullmatch(action) is None) != self._action_negated:
            return False
        if (
            self._resource_re is not None
            and resource is not None
            and ((self._resource_re.fullmatch(resource) is None) != self._resource_negated)
        ):
            return False
        return all(c._matches_folded(context) for c in self.conditions)

    def _names_principal(self, principal_type: str, value: str) -> bool:
        principals = self.principals or ()
        return (principal_type, value) in principals or not _ANYONE.isdisjoint(principals)


# --------------------------------------------------------------------------------------- parsing


def _fail(message: str) -> NoReturn:
    raise MalformedPolicyDocument(message)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        keys = [key for key, _ in pairs]
        twice = next(key for key in keys if keys.count(key) > 1)
        _fail(f"{_SYNTAX} The element {twice!r} appears twice in one JSON object.")
    return value


def _reject_constant(name: str) -> NoReturn:
    _fail(_SYNTAX)


def _jsonable(value: object) -> object:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(type(value).__name__)


def _load(document: str | Mapping[str, Any]) -> Any:
    """The document as a fresh JSON value, whether given as JSON text or as a Python mapping."""
    if isinstance(document, Mapping):
        try:
            document = json.dumps(document, default=_jsonable, allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            _fail(_SYNTAX)
    elif not isinstance(document, str):
        raise UsageError(
            f"PolicyDocument.parse() takes a JSON string or a mapping, not "
            f"{type(document).__name__}; decode bytes first."
        )
    try:
        return json.loads(
            document, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant
        )
    except (ValueError, RecursionError):
        _fail(_SYNTAX)


def _strings(value: object, element: str) -> tuple[str, ...]:
    """A string-or-list-of-strings element as a tuple of strings."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    _fail(f"{_SYNTAX} {element} must be a string or a list of strings, not {value!r}.")


def _no_variables(values: tuple[str, ...], version: str) -> None:
    if version != "2012-10-17":
        return  # before 2012-10-17, "${" is literal text
    for value in values:
        if "${" in value:
            raise UnsupportedPolicyFeature(
                f"Policy variable in {value!r} is not supported: under Version 2012-10-17 IAM "
                "replaces ${...} with values from the request, which slr_fsm does not model. "
                "Write the value out literally."
            )


def _parse_action(action: str) -> None:
    if action == "*":
        return
    parts = action.split(":")
    if len(parts) == 1:
        _fail(_NO_VENDOR)
    if len(parts) > 2:
        _fail("Actions/Condition can contain only one colon.")
    if not _VENDOR.fullmatch(parts[0]):
        _fail(f"Vendor {parts[0]} is not valid")


def _parse_principals(value: object) -> tuple[tuple[str, str], ...]:
    if value == "*":
        return (("*", "*"),)
    if not isinstance(value, dict) or not value:
        _fail(
            f'{_SYNTAX} Principal must be "*" or an object such as '
            '{"Service": "ec2.amazonaws.com"}.'
        )
    pairs: list[tuple[str, str]] = []
    for principal_type, names in value.items():
        if principal_type not in _PRINCIPAL_TYPES:
            _fail(f'Invalid principal in policy: "{principal_type}"')
        for name in _strings(names, "Principal"):
            if "*" in name and (principal_type, name) != ("AWS", "*"):
                raise UnsupportedPolicyFeature(
                    f"Wildcard principal {principal_type}: {name!r} is not supported: slr_fsm "
                    'compares principals literally, and only "*" or {"AWS": "*"} mean anyone. '
                    "Name the principals explicitly."
                )
            pairs.append((principal_type, name))
    return tuple(pairs)


def _parse_conditions(value: object, version: str) -> tuple[Condition, ...]:
    if not isinstance(value, dict):
        _fail(f"{_SYNTAX} Condition must be an object of operators, not {value!r}.")
    conditions: list[Condition] = []
    for operator, block in value.items():
        if not isinstance(block, dict):
            _fail(f"{_SYNTAX} Condition operator {operator!r} must map keys to values.")
        for key, values in block.items():
            if isinstance(values, list) and not values:
                strings: tuple[str, ...] = ()
            else:
                strings = _strings(values, f"Condition value of {key!r}")
            _no_variables(strings, version)
            conditions.append(Condition(operator, key, strings))
    return tuple(conditions)


def _parse_statement(raw: object, kind: PolicyKind, version: str) -> Statement:
    if not isinstance(raw, dict):
        _fail(f"{_SYNTAX} Each statement must be an object, not {raw!r}.")
    for element in raw:
        if element not in _STATEMENT_ELEMENTS:
            _fail(
                f"{_SYNTAX} Unknown statement element {element!r}; a statement may have "
                f"{', '.join(_STATEMENT_ELEMENTS)}."
            )
    sid = raw.get("Sid")
    if sid is not None and not (isinstance(sid, str) and _SID.fullmatch(sid)):
        _fail(
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
            "regular expression [0-9A-Za-z]*"
        )
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        _fail(f"Invalid effect: {effect}")
    if "Action" in raw and "NotAction" in raw:
        _fail(f"{_SYNTAX} A statement may have Action or NotAction, not both.")
    actions = {k: _strings(raw[k], k) for k in ("Action", "NotAction") if k in raw}
    if not any(actions.values()):
        _fail(_NO_ACTIONS)
    for pattern in next(iter(actions.values())):
        _parse_action(pattern)
    resources = {k: _strings(raw[k], k) for k in ("Resource", "NotResource") if k in raw}
    principals = None
    if kind == "identity":
        if "Principal" in raw or "NotPrincipal" in raw:
            _fail(_NO_PRINCIPAL_ALLOWED)
        if "Resource" in raw and "NotResource" in raw:
            _fail(f"{_SYNTAX} A statement may have Resource or NotResource, not both.")
        if not any(resources.values()):
            _fail(_NO_RESOURCES)
        for resource in next(iter(resources.values())):
            if resource != "*" and ":" not in resource:
                _fail(f'Resource {resource} must be in ARN format or "*".')
            _no_variables((resource,), version)
    else:
        for element in resources:
            _fail(f"Has prohibited field {element}")
        if "NotPrincipal" in raw:
            raise UnsupportedPolicyFeature(
                "NotPrincipal is not supported: slr_fsm evaluates trust policies by Principal "
                "only. List the principals to allow in Principal instead."
            )
        if "Principal" not in raw:
            _fail("Missing required field Principal")
        principals = _parse_principals(raw["Principal"])
    return Statement(
        sid=sid,
        effect=Effect(effect),
        actions=actions.get("Action"),
        not_actions=actions.get("NotAction"),
        resources=resources.get("Resource"),
        not_resources=resources.get("NotResource"),
        principals=principals,
        conditions=_parse_conditions(raw.get("Condition", {}), version),
    )


def _one_or_list(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


def _render_statement(statement: Statement) -> dict[str, Any]:
    out: dict[str, Any] = {} if statement.sid is None else {"Sid": statement.sid}
    out["Effect"] = statement.effect.value
    if statement.principals == (("*", "*"),):
        out["Principal"] = "*"
    elif statement.principals is not None:
        grouped: dict[str, tuple[str, ...]] = {}
        for principal_type, name in statement.principals:
            grouped[principal_type] = (*grouped.get(principal_type, ()), name)
        out["Principal"] = {t: _one_or_list(names) for t, names in grouped.items()}
    for element, values in (
        ("Action", statement.actions),
        ("NotAction", statement.not_actions),
        ("Resource", statement.resources),
        ("NotResource", statement.not_resources),
    ):
        if values is not None:
            out[element] = _one_or_list(values)
    if statement.conditions:
        block: dict[str, dict[str, str | list[str]]] = {}
        for c in statement.conditions:
            block.setdefault(c.operator, {})[c.key] = _one_or_list(c.values)
        out["Condition"] = block
    return out


# -------------------------------------------------------------------------------------- documents


@attrs.frozen(kw_only=True)
class PolicyDocument:
    """A parsed identity or trust policy; equality is by meaning (version, kind, statements).

    ``source`` keeps the document as given (compact JSON text) for display; see ``to_json_value``.
    """

    statements: tuple[Statement, ...]
    version: str = "2012-10-17"
    kind: PolicyKind = "identity"
    source: str | None = attrs.field(default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.statements:
            raise UsageError("A PolicyDocument needs at least one Statement, as in IAM.")
        trust = self.kind == "trust"
        for statement in self.statements:
            if (statement.principals is not None) != trust:
                raise UsageError(
                    f"A {self.kind} PolicyDocument got a statement "
                    f"{'without' if trust else 'with'} principals: trust statements name "
                    "principals and identity statements do not. Pass kind= to match."
                )

    @classmethod
    def parse(
        cls, document: str | Mapping[str, Any], *, kind: PolicyKind = "identity"
    ) -> PolicyDocument:
        """Parse and validate a policy given as JSON text or a mapping, as IAM would accept it.

        Raises MalformedPolicyDocument for what IAM refuses, UnsupportedPolicyFeature for what
        IAM accepts but this module cannot evaluate.

        >>> doc = PolicyDocument.parse('{"Version": "2012-10-17", "Statement": '
        ...     '{"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"}}')
        >>> doc.statements[0].actions, doc.to_json_value()["Statement"]["Action"]
        (('iam:GetRole',), 'iam:GetRole')
        """
        if kind not in ("identity", "trust"):
            raise UsageError(f"kind must be 'identity' or 'trust', not {kind!r}.")
        value = _load(document)
        if not isinstance(value, dict):
            _fail(_SYNTAX)
        for element in value:
            if element not in _TOP_ELEMENTS:
                _fail(
                    f"{_SYNTAX} Unknown policy element {element!r}; a policy document has "
                    "only Version, Id and Statement."
                )
        version = value.get("Version", "2008-10-17")
        if version not in VERSIONS:
            _fail(
                f'The policy failed legacy parsing: Version must be "2012-10-17" or '
                f'"2008-10-17", not {version!r}.'
            )
        if not isinstance(value.get("Id", ""), str):
            _fail(f"{_SYNTAX} Id must be a string.")
        raw = value.get("Statement")
        raws = [raw] if isinstance(raw, dict) else raw
        if not isinstance(raws, list) or not raws:
            _fail(f"{_SYNTAX} Statement must be an object or a non-empty list of objects.")
        statements = tuple(_parse_statement(r, kind, version) for r in raws)
        sids = [s.sid for s in statements if s.sid]
        if len(set(sids)) != len(sids):
            _fail("Statement IDs (SID) in a single policy must be unique.")
        source = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return cls(statements=statements, version=version, kind=kind, source=source)

    @classmethod
    def allow_all(cls) -> PolicyDocument:
        """An identity policy allowing every action on every resource (an administrator's)."""
        return cls.parse(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        )

    def to_json_value(self) -> dict[str, Any]:
        """The document as given to ``parse`` (a fresh JSON-able dict), or rendered if built."""
        if self.source is not None:
            loaded: dict[str, Any] = json.loads(self.source)
            return loaded
        return {
            "Version": self.version,
            "Statement": [_render_statement(s) for s in self.statements],
        }


# ------------------------------------------------------------------------------------- evaluation


def evaluate(
    policies: Iterable[PolicyDocument] | PolicyDocument,
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
) -> Decision:
    """IAM's decision for ``action`` on ``resource`` under identity ``policies`` and ``context``.

    >>> policy = PolicyDocument.parse({"Version": "2012-10-17", "Statement": {
    ...     "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
    ...     "Condition": {"StringLike": {"iam:AWSServiceName": "*.marketplace.amazonaws.com"}}}})
    >>> evaluate([policy], "iam:CreateServiceLinkedRole", "arn:aws:iam::111122223333:role/x",
    ...          {"iam:AWSServiceName": "purchase-orders.marketplace.amazonaws.com"})
    <Decision.ALLOW: 'Allow'>
    >>> evaluate([policy], "iam:CreateServiceLinkedRole", "arn:aws:iam::111122223333:role/x")
    <Decision.IMPLICIT_DENY: 'ImplicitDeny'>
    """
    if isinstance(policies, PolicyDocument):
        policies = (policies,)  # one policy given on its own
    folded = _fold_context(context)
    allowed = False
    for policy in policies:
        if not isinstance(policy, PolicyDocument):
            raise UsageError(
                f"evaluate() takes PolicyDocument values (PolicyDocument.parse(...)), got {policy!r}"
            )
        if policy.kind != "identity":
            raise UsageError(
                "evaluate() takes identity policies; a trust policy says who may "
                "assume a role, so ask trust_allows() instead."
            )
        for statement in policy.statements:
            if allowed and statement.effect is Effect.ALLOW:
                continue  # already allowed: only a Deny can change the outcome
            if statement._applies(action, resource, folded):
                if statement.effect is Effect.DENY:
                    return Decision.EXPLICIT_DENY
                allowed = True
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def trust_allows(
    trust_policy: PolicyDocument,
    *,
    service: str,
    action: str = "sts:AssumeRole",
    context: Mapping[str, str] | None = None,
) -> bool:
    """Whether a trust policy lets the service principal ``service`` perform ``action``.

    >>> trust = PolicyDocument.parse({"Version": "2012-10-17", "Statement": [{
    ...     "Effect": "Allow", "Action": "sts:AssumeRole",
    ...     "Principal": {"Service": "purchase-orders.marketplace.amazonaws.com"}}]}, kind="trust")
    >>> trust_allows(trust, service="purchase-orders.marketplace.amazonaws.com")
    True
    >>> trust_allows(trust, service="ec2.amazonaws.com")
    False
    """
    if trust_policy.kind != "trust":
        raise UsageError(
            "trust_allows() takes a trust policy (parse it with kind='trust'); "
            "for an identity policy ask evaluate() instead."
        )
    folded = _fold_context(context)
    allowed = False
    for statement in trust_policy.statements:
        if statement._names_principal("Service", service) and statement._applies(
            action, None, folded
        ):
            if statement.effect is Effect.DENY:
                return False
            allowed = True
    return allowed
