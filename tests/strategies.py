"""Shared hypothesis strategies: IAM names, ARNs, wildcard patterns, statements, policy documents.

Every property test in the suite draws from here, so a change to what "a valid action" or "a policy
document" means happens in one place. Vocabularies are deliberately small (a few services, actions,
accounts and service principals) so that drawn patterns and drawn requests collide often: a policy
whose statements never match the request proves little.

Policy strategies produce *JSON values* (dicts, lists, strings), exactly what a user would write or
``json.loads`` would give, so tests go through ``PolicyDocument.parse`` like real callers do.

Factories are cached (the same arguments give the same strategy object), and drawing uses
composites rather than ``flatmap``: hypothesis then validates each strategy once, not on every
draw, which keeps policy-heavy property tests fast.
"""

from __future__ import annotations

import functools
import operator
import string
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "ACCOUNT_IDS",
    "ACTION_NAMES",
    "REGEX_METACHARACTERS",
    "SERVICE_NAMES",
    "SERVICE_NAME_KEY",
    "SERVICE_PREFIXES",
    "SUPPORTED_OPERATORS",
    "account_ids",
    "action_patterns",
    "action_patterns_for",
    "actions",
    "arns",
    "case_variants",
    "condition_blocks",
    "contexts",
    "identity_statements",
    "one_or_list",
    "patterns_for",
    "patterns_matching",
    "policy_documents",
    "requests",
    "resource_patterns",
    "resource_patterns_for",
    "role_arns",
    "service_names",
    "service_prefixes",
    "trust_statements",
    "wildcard_patterns",
]

#: Service prefixes ("vendors") actions are drawn from.
SERVICE_PREFIXES = ("iam", "sts", "s3", "purchase-orders", "aws-marketplace")
#: Action names (the part after the colon) actions are drawn from.
ACTION_NAMES = (
    "CreateServiceLinkedRole",
    "DeleteServiceLinkedRole",
    "GetServiceLinkedRoleDeletionStatus",
    "UpdateRoleDescription",
    "GetRole",
    "AssumeRole",
    "ViewPurchaseOrders",
    "ModifyPurchaseOrders",
)
#: Account ids ARNs are drawn from (the first is the IAM User Guide's example account).
ACCOUNT_IDS = ("111122223333", "444455556666", "123456789012")
#: Service principals, the values of ``iam:AWSServiceName``.
SERVICE_NAMES = (
    "purchase-orders.marketplace.amazonaws.com",
    "license-management.marketplace.amazonaws.com",
    "deployment.marketplace.amazonaws.com",
    "ec2.amazonaws.com",
)
#: The one condition key slr_fsm evaluates, as AWS spells it.
SERVICE_NAME_KEY = "iam:AWSServiceName"
#: The condition operators slr_fsm evaluates.
SUPPORTED_OPERATORS = ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")
#: Characters special to Python's ``re`` that must stay literal in IAM patterns.
REGEX_METACHARACTERS = ".^$+{}[]()|\\"

_LOWER = string.ascii_lowercase
_UPPER = string.ascii_uppercase
_DIGITS = string.digits


def _word(first: str, rest: str, max_rest: int) -> st.SearchStrategy[str]:
    """A word: one character from ``first``, then up to ``max_rest`` from ``rest``."""
    return st.builds(operator.add, st.sampled_from(first), st.text(rest, max_size=max_rest))


@functools.cache
def one_or_list(elements: st.SearchStrategy[str]) -> st.SearchStrategy[str | list[str]]:
    """An IAM string-or-list element: one string, or a non-empty list of up to three."""
    return st.one_of(elements, st.lists(elements, min_size=1, max_size=3))


def _swap_case(value: str, mask: int) -> str:
    return "".join(c.swapcase() if mask >> i & 1 else c for i, c in enumerate(value))


@functools.lru_cache(maxsize=256)
def case_variants(value: str) -> st.SearchStrategy[str]:
    """``value`` with the case of each letter independently kept or swapped."""
    return st.integers(0, 2 ** len(value) - 1).map(lambda mask: _swap_case(value, mask))


# ---------------------------------------------------------------------------- names and ARNs


@functools.cache
def service_prefixes() -> st.SearchStrategy[str]:
    """A service prefix: mostly from :data:`SERVICE_PREFIXES`, sometimes a fresh valid one."""
    return st.one_of(st.sampled_from(SERVICE_PREFIXES), _word(_LOWER, _LOWER + _DIGITS + "-", 11))


@functools.cache
def actions() -> st.SearchStrategy[str]:
    """An IAM action ``service:Name``, mostly from the small vocabulary."""
    names = st.one_of(st.sampled_from(ACTION_NAMES), _word(_UPPER, _UPPER + _LOWER, 15))
    return st.builds(lambda s, n: f"{s}:{n}", service_prefixes(), names)


@functools.cache
def account_ids() -> st.SearchStrategy[str]:
    """A twelve-digit account id, mostly from :data:`ACCOUNT_IDS`."""
    return st.one_of(st.sampled_from(ACCOUNT_IDS), st.text(_DIGITS, min_size=12, max_size=12))


@functools.cache
def service_names() -> st.SearchStrategy[str]:
    """A service principal such as ``purchase-orders.marketplace.amazonaws.com``."""
    return st.one_of(
        st.sampled_from(SERVICE_NAMES),
        _word(_LOWER, _LOWER + "-", 10).map(lambda name: f"{name}.amazonaws.com"),
    )


@functools.cache
def role_arns() -> st.SearchStrategy[str]:
    """An IAM role ARN, often a service-linked role's (path ``/aws-service-role/<service>/``)."""
    slr = st.builds(
        "arn:aws:iam::{}:role/aws-service-role/{}/{}".format,
        account_ids(),
        service_names(),
        st.sampled_from(("AWSServiceRoleForMarketplacePurchaseOrders", "AWSServiceRoleForX")),
    )
    plain = st.builds(
        "arn:aws:iam::{}:role/{}".format,
        account_ids(),
        st.text(_UPPER + _LOWER + _DIGITS + "+=,.@_-", min_size=1, max_size=20),
    )
    return st.one_of(slr, plain)


@functools.cache
def arns() -> st.SearchStrategy[str]:
    """An ARN: a role ARN, or a generic ``arn:aws:<service>:<region>:<account>:<resource>``."""
    generic = st.builds(
        "arn:aws:{}:{}:{}:{}".format,
        st.sampled_from(("s3", "ec2", "aws-marketplace")),
        st.sampled_from(("", "us-east-1", "eu-west-1")),
        st.one_of(st.just(""), account_ids()),
        st.text(_UPPER + _LOWER + _DIGITS + "/_.-", min_size=1, max_size=20),
    )
    return st.one_of(role_arns(), generic)


# -------------------------------------------------------------------------- wildcard patterns


def wildcard_patterns(alphabet: str = "ab.:/", *, max_size: int = 12) -> st.SearchStrategy[str]:
    """An arbitrary pattern over ``alphabet`` plus the wildcards ``*`` and ``?``."""
    return st.text(alphabet=alphabet + "*?", max_size=max_size)


def _draw_pattern(draw: st.DrawFn, value: str) -> str:
    """Draw a pattern matching ``value``: see :func:`patterns_matching`."""
    cuts = sorted(draw(st.lists(st.integers(0, len(value)), max_size=4)))
    bounds = zip([0, *cuts], [*cuts, len(value)], strict=True)
    out: list[str] = []
    for piece in (value[a:b] for a, b in bounds):
        step = draw(st.sampled_from(("keep", "keep", "*", "?")))
        if step == "*":
            out.append("*")
        elif step == "?" and piece:
            out.append("?" + piece[1:])
        else:
            out.append(piece)
    if draw(st.booleans()):
        out.append("*")  # a trailing star may match the empty rest
    return "".join(out)


@st.composite
def patterns_matching(draw: st.DrawFn, value: str) -> str:
    """A wildcard pattern guaranteed to match ``value`` (case-sensitively).

    ``value`` is cut into a few pieces; each piece is kept, replaced by ``*``, or has its first
    character replaced by ``?``; sometimes a ``*`` is appended.
    """
    return _draw_pattern(draw, value)


@functools.lru_cache(maxsize=256)
@st.composite
def patterns_for(draw: st.DrawFn, values: st.SearchStrategy[str]) -> str:
    """A pattern for some value drawn from ``values``: the value, ``*``, or a matching pattern."""
    value = draw(values)
    how = draw(st.sampled_from(("value", "star", "pattern", "pattern")))
    if how == "value":
        return value
    return "*" if how == "star" else _draw_pattern(draw, value)


def _draw_action_pattern(draw: st.DrawFn, action: str) -> str:
    vendor, _, name = action.partition(":")
    how = draw(st.sampled_from(("action", "vendor", "pattern", "pattern")))
    if how == "action":
        return action
    return f"{vendor}:*" if how == "vendor" else f"{vendor}:{_draw_pattern(draw, name)}"


@st.composite
def action_patterns_for(draw: st.DrawFn, action: str) -> str:
    """A valid Action pattern matching ``action``: itself, ``vendor:*``, or wildcards in the name.

    The vendor stays literal, since IAM refuses a wildcard in it (except the pattern ``*``).
    """
    return _draw_action_pattern(draw, action)


@st.composite
def _action_patterns(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 5)) == 0:
        return "*"
    return _draw_action_pattern(draw, draw(actions()))


@functools.cache
def action_patterns() -> st.SearchStrategy[str]:
    """A pattern for the Action element: ``*``, an action, or one with wildcards (valid vendor)."""
    return _action_patterns()


def _draw_resource_pattern(draw: st.DrawFn, arn: str) -> str:
    how = draw(st.sampled_from(("star", "arn", "pattern", "pattern")))
    if how != "pattern":
        return "*" if how == "star" else arn
    head, _, rest = arn.partition(":")
    return f"{head}:{_draw_pattern(draw, rest)}"


@st.composite
def resource_patterns_for(draw: st.DrawFn, arn: str) -> str:
    """A valid Resource pattern matching ``arn``: ``*``, itself, or wildcards after its first colon.

    IAM wants a Resource to be ``*`` or contain a colon, so the ``arn:`` prefix stays literal.
    """
    return _draw_resource_pattern(draw, arn)


@st.composite
def _resource_patterns(draw: st.DrawFn) -> str:
    return _draw_resource_pattern(draw, draw(arns()))


@functools.cache
def resource_patterns() -> st.SearchStrategy[str]:
    """A pattern for the Resource element: ``*``, an ARN, or an ARN with wildcards."""
    return _resource_patterns()


# -------------------------------------------------------------------------- policy documents


@st.composite
def _condition_blocks(
    draw: st.DrawFn, operators: st.SearchStrategy[str]
) -> dict[str, dict[str, str | list[str]]]:
    block: dict[str, dict[str, str | list[str]]] = {}
    for op in draw(st.lists(operators, min_size=1, max_size=2, unique=True)):
        values = patterns_for(service_names()) if "Like" in op else service_names()
        keys = draw(st.lists(case_variants(SERVICE_NAME_KEY), min_size=1, max_size=2, unique=True))
        block[op] = {key: draw(one_or_list(values)) for key in keys}
    return block


def condition_blocks(
    operators: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[dict[str, dict[str, str | list[str]]]]:
    """A supported ``Condition`` block: one or two operators on ``iam:AWSServiceName``.

    ``operators`` defaults to the four supported ones. Keys come in random case (IAM keys are
    case-insensitive, so two spellings are two ANDed conditions); values are service names, or
    patterns for them under the Like operators.
    """
    return _condition_blocks(_supported_operators() if operators is None else operators)


@functools.cache
def _supported_operators() -> st.SearchStrategy[str]:
    return st.sampled_from(SUPPORTED_OPERATORS)


@functools.cache
def _default_condition_blocks() -> st.SearchStrategy[dict[str, dict[str, str | list[str]]]]:
    return condition_blocks()


@functools.cache
def _effects() -> st.SearchStrategy[str]:
    return st.sampled_from(("Allow", "Deny"))


@st.composite
def identity_statements(
    draw: st.DrawFn,
    *,
    effects: st.SearchStrategy[str] | None = None,
    actions_from: st.SearchStrategy[str] | None = None,
    resources_from: st.SearchStrategy[str] | None = None,
    not_forms: bool = True,
    conditions: bool = True,
) -> dict[str, Any]:
    """An identity-policy statement as JSON: Effect, Action or NotAction, Resource or NotResource.

    ``effects`` defaults to Allow or Deny, ``actions_from`` to :func:`action_patterns`,
    ``resources_from`` to :func:`resource_patterns`. ``not_forms=False`` uses only Action and
    Resource; ``conditions=False`` never adds a Condition.
    """
    statement: dict[str, Any] = {"Effect": draw(_effects() if effects is None else effects)}
    action_key = "NotAction" if not_forms and draw(st.integers(0, 3)) == 0 else "Action"
    statement[action_key] = draw(
        one_or_list(action_patterns() if actions_from is None else actions_from)
    )
    resource_key = "NotResource" if not_forms and draw(st.integers(0, 3)) == 0 else "Resource"
    statement[resource_key] = draw(
        one_or_list(resource_patterns() if resources_from is None else resources_from)
    )
    if conditions and draw(st.booleans()):
        statement["Condition"] = draw(_default_condition_blocks())
    return statement


@st.composite
def trust_statements(
    draw: st.DrawFn, *, effects: st.SearchStrategy[str] | None = None
) -> dict[str, Any]:
    """A trust-policy statement as JSON: a Principal (service, list, or ``*``) and an sts action."""
    how = draw(st.sampled_from(("*", "aws-*", "service", "service")))
    if how == "service":
        principal: Any = {"Service": draw(one_or_list(service_names()))}
    else:
        principal = "*" if how == "*" else {"AWS": "*"}
    action = draw(st.sampled_from(("sts:AssumeRole", "sts:*", "*", "sts:TagSession")))
    return {
        "Effect": draw(_effects() if effects is None else effects),
        "Principal": principal,
        "Action": action,
    }


@st.composite
def policy_documents(
    draw: st.DrawFn,
    statements: st.SearchStrategy[dict[str, Any]] | None = None,
    *,
    min_statements: int = 1,
    max_statements: int = 3,
) -> dict[str, Any]:
    """A policy document as JSON, its statements drawn from ``statements``.

    ``statements`` defaults to :func:`identity_statements`. The Version is usually
    ``2012-10-17``, sometimes ``2008-10-17`` or absent; Statement is a single object or a list;
    some statements get unique Sids.
    """
    strategy = _default_identity_statements() if statements is None else statements
    drawn = draw(st.lists(strategy, min_size=min_statements, max_size=max_statements))
    drawn = [{"Sid": f"S{i}", **s} if draw(st.booleans()) else s for i, s in enumerate(drawn)]
    document: dict[str, Any] = {}
    version = draw(st.sampled_from(("2012-10-17", "2012-10-17", "2008-10-17", None)))
    if version is not None:
        document["Version"] = version
    single = len(drawn) == 1 and draw(st.booleans())
    document["Statement"] = drawn[0] if single else drawn
    return document


@functools.cache
def _default_identity_statements() -> st.SearchStrategy[dict[str, Any]]:
    return identity_statements()


@functools.cache
def contexts() -> st.SearchStrategy[dict[str, str]]:
    """A request context: empty, or ``iam:AWSServiceName`` (random key case) -> a service name."""
    return st.one_of(
        st.builds(dict),
        st.builds(lambda k, v: {k: v}, case_variants(SERVICE_NAME_KEY), service_names()),
    )


@functools.cache
def requests() -> st.SearchStrategy[tuple[str, str, dict[str, str]]]:
    """A request to evaluate: (action, resource ARN, context)."""
    return st.tuples(actions(), arns(), contexts())
