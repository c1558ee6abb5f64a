"""Parsing and validating IAM policy documents, as IAM would accept them, into frozen values.

:meth:`PolicyDocument.parse` takes JSON text or a mapping and builds :class:`PolicyDocument`
values made of :class:`~slr_fsm.policy_statement.Statement` values. A document IAM itself refuses
raises :class:`~slr_fsm.errors.MalformedPolicyDocument` in IAM's wording; a feature IAM accepts but
this package cannot evaluate raises :class:`~slr_fsm.errors.UnsupportedPolicyFeature`. Evaluation
lives in :mod:`slr_fsm.policy`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final, Literal, NoReturn

import attrs

from slr_fsm.errors import MalformedPolicyDocument, UnsupportedPolicyFeature, UsageError
from slr_fsm.policy_statement import NO_VENDOR, SYNTAX_ERRORS, Condition, Effect, Statement
from slr_fsm.shown import shown

__all__ = ["VERSIONS", "PolicyDocument", "PolicyKind"]

PolicyKind = Literal["identity", "trust"]

#: Policy-language versions IAM accepts; a document without ``Version`` is ``2008-10-17``.
VERSIONS: Final = ("2012-10-17", "2008-10-17")
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
_SID: Final = re.compile(r"[0-9A-Za-z]*")
_VENDOR: Final = re.compile(r"\*|[A-Za-z0-9.-]+")

_NO_ACTIONS: Final = "Policy statement must contain actions."
_NO_RESOURCES: Final = "Policy statement must contain resources."
_NO_PRINCIPAL_ALLOWED: Final = "Policy document should not specify a principal."


# --------------------------------------------------------------------------------------- parsing


def _fail(message: str) -> NoReturn:
    raise MalformedPolicyDocument(message)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        keys = [key for key, _ in pairs]
        twice = next(key for key in keys if keys.count(key) > 1)
        _fail(f"{SYNTAX_ERRORS} The element {shown(twice)} appears twice in one JSON object.")
    return value


def _reject_constant(name: str) -> NoReturn:
    _fail(SYNTAX_ERRORS)


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
            _fail(SYNTAX_ERRORS)
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
        _fail(SYNTAX_ERRORS)


def _strings(value: object, element: str) -> tuple[str, ...]:
    """A string-or-list-of-strings element as a tuple of strings."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    _fail(f"{SYNTAX_ERRORS} {element} must be a string or a list of strings, not {shown(value)}.")


def _no_variables(values: tuple[str, ...], version: str) -> None:
    if version != "2012-10-17":
        return  # before 2012-10-17, "${" is literal text
    for value in values:
        if "${" in value:
            raise UnsupportedPolicyFeature(
                f"Policy variable in {shown(value)} is not supported: under Version 2012-10-17 IAM "
                "replaces ${...} with values from the request, which slr_fsm does not model. "
                "Write the value out literally."
            )


def _parse_action(action: str) -> None:
    if action == "*":
        return
    parts = action.split(":")
    if len(parts) == 1:
        _fail(NO_VENDOR)
    if len(parts) > 2:
        _fail("Actions/Condition can contain only one colon.")
    if not _VENDOR.fullmatch(parts[0]):
        _fail(f"Vendor {parts[0]} is not valid")


def _parse_principals(value: object) -> tuple[tuple[str, str], ...]:
    if value == "*":
        return (("*", "*"),)
    if not isinstance(value, dict) or not value:
        _fail(
            f'{SYNTAX_ERRORS} Principal must be "*" or an object such as '
            '{"Service": "ec2.amazonaws.com"}.'
        )
    pairs: list[tuple[str, str]] = []
    for principal_type, names in value.items():
        if principal_type not in _PRINCIPAL_TYPES:
            _fail(f'Invalid principal in policy: "{principal_type}"')
        for name in _strings(names, "Principal"):
            if "*" in name and (principal_type, name) != ("AWS", "*"):
                raise UnsupportedPolicyFeature(
                    f"Wildcard principal {principal_type}: {shown(name)} is not supported: slr_fsm "
                    'compares principals literally, and only "*" or {"AWS": "*"} mean anyone. '
                    "Name the principals explicitly."
                )
            pairs.append((principal_type, name))
    return tuple(pairs)


def _parse_conditions(value: object, version: str) -> tuple[Condition, ...]:
    if not isinstance(value, dict):
        _fail(f"{SYNTAX_ERRORS} Condition must be an object of operators, not {shown(value)}.")
    conditions: list[Condition] = []
    for operator, block in value.items():
        if not isinstance(block, dict):
            _fail(f"{SYNTAX_ERRORS} Condition operator {shown(operator)} must map keys to values.")
        for key, values in block.items():
            if isinstance(values, list) and not values:
                strings: tuple[str, ...] = ()
            else:
                strings = _strings(values, f"Condition value of {shown(key)}")
            _no_variables(strings, version)
            conditions.append(Condition(operator, key, strings))
    return tuple(conditions)


def _parse_statement(raw: object, kind: PolicyKind, version: str) -> Statement:
    if not isinstance(raw, dict):
        _fail(f"{SYNTAX_ERRORS} Each statement must be an object, not {shown(raw)}.")
    for element in raw:
        if element not in _STATEMENT_ELEMENTS:
            _fail(
                f"{SYNTAX_ERRORS} Unknown statement element {shown(element)}; a statement may have "
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
        _fail(f"{SYNTAX_ERRORS} A statement may have Action or NotAction, not both.")
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
            _fail(f"{SYNTAX_ERRORS} A statement may have Resource or NotResource, not both.")
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
        if not isinstance(kind, str) or kind not in ("identity", "trust"):
            raise UsageError(f"kind must be 'identity' or 'trust', not {shown(kind)}.")
        value = _load(document)
        if not isinstance(value, dict):
            _fail(SYNTAX_ERRORS)
        for element in value:
            if element not in _TOP_ELEMENTS:
                _fail(
                    f"{SYNTAX_ERRORS} Unknown policy element {shown(element)}; a policy document has "
                    "only Version, Id and Statement."
                )
        version = value.get("Version", "2008-10-17")
        if version not in VERSIONS:
            _fail(
                f'The policy failed legacy parsing: Version must be "2012-10-17" or '
                f'"2008-10-17", not {shown(version)}.'
            )
        if not isinstance(value.get("Id", ""), str):
            _fail(f"{SYNTAX_ERRORS} Id must be a string.")
        raw = value.get("Statement")
        raws = [raw] if isinstance(raw, dict) else raw
        if not isinstance(raws, list) or not raws:
            _fail(f"{SYNTAX_ERRORS} Statement must be an object or a non-empty list of objects.")
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
