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

Statements and conditions are values of :mod:`slr_fsm.policy_statement`, documents are parsed by
:mod:`slr_fsm.policy_document`; this module evaluates them and re-exports their public names.

>>> doc = PolicyDocument.parse({"Version": "2012-10-17", "Statement": [
...     {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
...     {"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}]})
>>> evaluate([doc], "iam:GetRole", "arn:aws:iam::111122223333:role/r")
<Decision.ALLOW: 'Allow'>
>>> evaluate([doc], "iam:deleterole", "arn:aws:iam::111122223333:role/r")
<Decision.EXPLICIT_DENY: 'ExplicitDeny'>
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from slr_fsm.errors import UsageError
from slr_fsm.policy_decision import Decision as Decision
from slr_fsm.policy_document import VERSIONS as VERSIONS
from slr_fsm.policy_document import PolicyDocument
from slr_fsm.policy_document import PolicyKind as PolicyKind
from slr_fsm.policy_statement import (
    SUPPORTED_CONDITION_KEYS,
    SUPPORTED_OPERATORS,
    Condition,
    Effect,
    Statement,
    fold_context,
    wildcard_match,
)
from slr_fsm.shown import shown

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


# ------------------------------------------------------------------------------------- evaluation


def _require_text(function: str, name: str, value: object, example: str) -> None:
    """Refuse an argument that is not a string: IAM matches only strings (never ``None``)."""
    if not isinstance(value, str):
        raise UsageError(f"{function}() takes {name} as a string ({example}), got {shown(value)}")


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
    # The cache key: not cached are policies not in a tuple, and an action, resource or context
    # that is not exactly str (or a dict of them): a subclass could compare or hash as it likes.
    key: tuple[object, ...] | None = None
    if type(policies) is tuple and type(action) is str and type(resource) is str:
        if context is None:
            key = (id(policies), action, resource, None)
        elif type(context) is dict:
            items = tuple(context.items())
            key = (id(policies), action, resource, items)
            for k, v in items:
                if type(k) is not str or type(v) is not str:
                    key = None
                    break
    if key is not None:
        # First the request on any resource: kept only for policies that ignore the resource
        # (so it answers for this one), and what the default principals' policies all are.
        cached = _DECISIONS.get((key[0], key[1], None, key[3]))
        if cached is None:
            cached = _DECISIONS.get(key)
        if cached is not None and cached[0] is policies:
            return cached[1]
    decision = _evaluate(policies, action, resource, context)
    if key is not None:
        documents = cast("tuple[object, ...]", policies)
        if all(type(policy) is PolicyDocument for policy in documents):
            if len(_DECISIONS) >= _MOST_DECISIONS:
                _DECISIONS.clear()
            if _resource_free(cast("tuple[PolicyDocument, ...]", documents)):
                key = (key[0], key[1], None, key[3])
            _DECISIONS[key] = (policies, decision)
    return decision


_DECISIONS: dict[tuple[object, ...], tuple[object, Decision]] = {}
"""Decisions already made, by the identity of the policies' tuple, the action, the resource
(``None`` when no statement's answer depends on it) and the context. Sound because a tuple of
:class:`PolicyDocument` values (exactly that class: frozen, holding only tuples, strings and
compiled patterns) can never change, and each entry holds the tuple, so its id cannot be
reused while the entry lives. Shared by every world."""
_MOST_DECISIONS = 4096
"""The cache is emptied when it reaches this many entries (a world has few principals)."""


def _resource_free(policies: tuple[PolicyDocument, ...]) -> bool:
    """Whether every statement answers the same for any resource: its Resource has ``*``
    (matches every string) or its NotResource has ``*`` (matches every string, so the
    statement never applies). A world's ``admin`` is allowed everything this way, so building a
    world of many accounts asks the policies once, not once per role ARN."""
    return all(
        "*" in (statement.resources or statement.not_resources or ())
        for policy in policies
        for statement in policy.statements
    )


def _evaluate(
    policies: Iterable[PolicyDocument] | PolicyDocument,
    action: str,
    resource: str,
    context: Mapping[str, str] | None,
) -> Decision:
    """:func:`evaluate`, without the cache: checks its arguments, then reads the statements."""
    if isinstance(policies, PolicyDocument):
        policies = (policies,)  # one policy given on its own
    if type(policies) is not tuple and (  # a tuple is none of these: the ABC checks cost
        isinstance(policies, str | bytes | Mapping) or not isinstance(policies, Iterable)
    ):
        raise UsageError(
            "evaluate() takes a PolicyDocument or an iterable of them (PolicyDocument.parse(...) "
            f"makes one from JSON text or a dict), got {shown(policies)}"
        )
    documents = tuple(policies)
    for policy in documents:
        if not isinstance(policy, PolicyDocument):
            raise UsageError(
                "evaluate() takes PolicyDocument values (PolicyDocument.parse(...)), got "
                f"{shown(policy)}"
            )
        if policy.kind != "identity":
            raise UsageError(
                "evaluate() takes identity policies; a trust policy says who may "
                "assume a role, so ask trust_allows() instead."
            )
    _require_text("evaluate", "action", action, "e.g. 'iam:GetRole'")
    _require_text("evaluate", "resource", resource, "an ARN, or '*'")
    folded = fold_context(context)
    allowed = False
    for policy in documents:
        for statement in policy.statements:
            if allowed and statement.effect is Effect.ALLOW:
                continue  # already allowed: only a Deny can change the outcome
            if statement.applies(action, resource, folded):
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
    if not isinstance(trust_policy, PolicyDocument) or trust_policy.kind != "trust":
        raise UsageError(
            "trust_allows() takes a trust policy (parse it with kind='trust'); for an identity "
            f"policy ask evaluate() instead; got {shown(trust_policy)}"
        )
    _require_text("trust_allows", "service", service, "e.g. 'ec2.amazonaws.com'")
    _require_text("trust_allows", "action", action, "e.g. 'sts:AssumeRole'")
    folded = fold_context(context)
    allowed = False
    for statement in trust_policy.statements:
        if statement.names_principal("Service", service) and statement.applies(
            action, None, folded
        ):
            if statement.effect is Effect.DENY:
                return False
            allowed = True
    return allowed
