"""Tests of slr_fsm.policy: wildcard matching, IAM's evaluation order, conditions, parsing."""

from __future__ import annotations

import copy
import json
import time
from typing import Any, Literal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slr_fsm.errors import MalformedPolicyDocument, UnsupportedPolicyFeature, UsageError
from slr_fsm.policy import (
    Condition,
    Decision,
    Effect,
    PolicyDocument,
    Statement,
    evaluate,
    trust_allows,
    wildcard_match,
)
from tests.strategies import (
    REGEX_METACHARACTERS,
    SERVICE_NAME_KEY,
    action_patterns,
    action_patterns_for,
    actions,
    arns,
    case_variants,
    condition_blocks,
    contexts,
    identity_statements,
    patterns_for,
    patterns_matching,
    policy_documents,
    requests,
    resource_patterns,
    resource_patterns_for,
    service_names,
    trust_statements,
    wildcard_patterns,
)

PO_SERVICE = "purchase-orders.marketplace.amazonaws.com"
PO_ROLE_ARN = (
    "arn:aws:iam::111122223333:role/aws-service-role/purchase-orders.marketplace.amazonaws.com/"
    "AWSServiceRoleForMarketplacePurchaseOrders"
)
PO_ROLE_PATTERN = (
    "arn:aws:iam::*:role/aws-service-role/purchase-orders.marketplace.amazonaws.com/"
    "AWSServiceRoleForMarketplacePurchaseOrders*"
)
#: The IAM User Guide template of domain.md section 4.
USER_GUIDE_TEMPLATE: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": PO_ROLE_PATTERN,
            "Condition": {"StringLike": {"iam:AWSServiceName": PO_SERVICE}},
        },
        {
            "Effect": "Allow",
            "Action": "iam:UpdateRoleDescription",
            "Resource": "arn:aws:iam::*:role/aws-service-role/*",
        },
        {
            "Effect": "Allow",
            "Action": ["iam:DeleteServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus"],
            "Resource": PO_ROLE_PATTERN,
        },
    ],
}
CATCH_ALL_DENY: dict[str, Any] = {"Effect": "Deny", "Action": "*", "Resource": "*"}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    """A 2012-10-17 identity document with the given statements."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(
    action: str | list[str] = "*", resource: str | list[str] = "*", **extra: Any
) -> dict[str, Any]:
    """An Allow statement as JSON."""
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def decide(documents: list[dict[str, Any]], request: tuple[str, str, dict[str, str]]) -> Decision:
    """Parse JSON documents and evaluate one request against them."""
    return evaluate([PolicyDocument.parse(d) for d in documents], *request)


def reference_match(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    """A dynamic-programming reading of IAM wildcards, independent of the regex translation."""
    if not case_sensitive:
        pattern, value = pattern.lower(), value.lower()
    row = [True] + [False] * len(value)  # row[j]: pattern[:i] matches value[:j]
    for p in pattern:
        new = [row[0] and p == "*"] + [False] * len(value)
        for j, v in enumerate(value, start=1):
            if p == "*":
                new[j] = new[j - 1] or row[j]
            else:
                new[j] = row[j - 1] and (p in ("?", v))
        row = new
    return row[-1]


def as_list(value: str | list[str]) -> list[str]:
    """An IAM string-or-list element as a list."""
    return [value] if isinstance(value, str) else value


def reference_decision(
    documents: list[dict[str, Any]], action: str, resource: str, context: dict[str, str]
) -> Decision:
    """IAM's evaluation order read straight off the JSON, with the reference matcher."""
    folded = {k.lower(): v for k, v in context.items()}

    def any_match(patterns: str | list[str], value: str, *, case_sensitive: bool) -> bool:
        return any(
            reference_match(p, value, case_sensitive=case_sensitive) for p in as_list(patterns)
        )

    def applies(s: dict[str, Any]) -> bool:
        if "Action" in s and not any_match(s["Action"], action, case_sensitive=False):
            return False
        if "NotAction" in s and any_match(s["NotAction"], action, case_sensitive=False):
            return False
        if "Resource" in s and not any_match(s["Resource"], resource, case_sensitive=True):
            return False
        if "NotResource" in s and any_match(s["NotResource"], resource, case_sensitive=True):
            return False
        for operator, block in s.get("Condition", {}).items():
            for key, values in block.items():
                got = folded.get(key.lower())
                negated = "Not" in operator
                if got is None:
                    holds = negated
                elif "Like" in operator:
                    holds = any_match(values, got, case_sensitive=True) != negated
                else:
                    holds = (got in as_list(values)) != negated
                if not holds:
                    return False
        return True

    effects = set()
    for document in documents:
        statements = document["Statement"]
        for s in [statements] if isinstance(statements, dict) else statements:
            if applies(s):
                effects.add(s["Effect"])
    if "Deny" in effects:
        return Decision.EXPLICIT_DENY
    return Decision.ALLOW if "Allow" in effects else Decision.IMPLICIT_DENY


# --------------------------------------------------------------------------- wildcard matching


@given(value=st.text(), case_sensitive=st.booleans())
def test_star_matches_everything(value: str, case_sensitive: bool) -> None:
    """``*`` matches any string at all: empty, or holding ``:``, ``/`` or newlines."""
    assert wildcard_match("*", value, case_sensitive=case_sensitive)


@given(
    pattern=st.text(alphabet=st.characters(exclude_characters="*?"), max_size=10),
    value=st.text(alphabet=st.characters(exclude_characters="*?"), max_size=10),
)
def test_a_literal_pattern_matches_exactly_itself(pattern: str, value: str) -> None:
    """A pattern without wildcards matches itself and, case-sensitively, nothing else."""
    assert wildcard_match(pattern, pattern, case_sensitive=True)
    assert wildcard_match(pattern, value, case_sensitive=True) == (pattern == value)


@given(n=st.integers(0, 8), value=st.text(max_size=12))
def test_question_mark_matches_exactly_one_character(n: int, value: str) -> None:
    """A run of n ``?`` matches exactly the strings of length n, whatever their characters."""
    assert wildcard_match("?" * n, value, case_sensitive=True) == (len(value) == n)


@given(text=st.text(alphabet=REGEX_METACHARACTERS + "ab", min_size=1, max_size=10), data=st.data())
def test_regex_metacharacters_in_patterns_are_literal(text: str, data: st.DataObject) -> None:
    """Characters special to regexes (``.``, ``$``, ``[``, ``\\`` ...) match only themselves."""
    assert wildcard_match(text, text, case_sensitive=True)
    i = data.draw(st.integers(0, len(text) - 1))
    other = text[:i] + data.draw(st.sampled_from("xyz")) + text[i + 1 :]
    assert not wildcard_match(text, other, case_sensitive=True)


@given(pattern=wildcard_patterns(), value=st.text(alphabet="ab.:/", max_size=12))
def test_wildcard_match_agrees_with_a_reference_matcher(pattern: str, value: str) -> None:
    """The compiled regex decides exactly as a straightforward dynamic-programming matcher."""
    expected = reference_match(pattern, value, case_sensitive=True)
    assert wildcard_match(pattern, value, case_sensitive=True) == expected


@given(data=st.data(), value=st.text(max_size=20))
def test_patterns_built_from_a_value_match_it(data: st.DataObject, value: str) -> None:
    """Replacing characters of a value by ``?`` or runs by ``*`` gives a pattern that matches it."""
    pattern = data.draw(patterns_matching(value))
    assert wildcard_match(pattern, value, case_sensitive=True)


def test_many_stars_match_in_linear_time() -> None:
    """A pattern with many ``*`` fails fast on a long value (no catastrophic backtracking)."""
    start = time.perf_counter()
    assert not wildcard_match("*a" * 30 + "b", "a" * 3000, case_sensitive=True)
    assert time.perf_counter() - start < 1.0


@given(action=actions(), data=st.data())
def test_actions_match_case_insensitively(action: str, data: st.DataObject) -> None:
    """An Allow for an action pattern allows the action spelt in any case."""
    pattern = data.draw(action_patterns_for(action))
    spelt = data.draw(case_variants(action))
    decision = decide([doc(allow(pattern, "*"))], (spelt, "arn:aws:s3:::b", {}))
    assert decision is Decision.ALLOW


@given(arn=arns(), data=st.data())
def test_resources_match_case_sensitively(arn: str, data: st.DataObject) -> None:
    """An Allow for an ARN does not allow the same ARN spelt in another case."""
    spelt = data.draw(case_variants(arn))
    decision = decide([doc(allow("iam:GetRole", arn))], ("iam:GetRole", spelt, {}))
    assert decision is (Decision.ALLOW if spelt == arn else Decision.IMPLICIT_DENY)


# ------------------------------------------------------------------------- evaluation order


@given(documents=st.lists(policy_documents(), max_size=3), request=requests())
def test_evaluate_agrees_with_a_reference_reading_of_the_json(
    documents: list[dict[str, Any]], request: tuple[str, str, dict[str, str]]
) -> None:
    """Parsed, precompiled evaluation decides exactly as a direct reading of the JSON."""
    assert decide(documents, request) is reference_decision(documents, *request)


@given(documents=st.lists(policy_documents(), max_size=3), request=requests(), data=st.data())
def test_an_explicit_deny_always_wins(
    documents: list[dict[str, Any]], request: tuple[str, str, dict[str, str]], data: st.DataObject
) -> None:
    """A Deny matching the request denies it explicitly, whatever Allows the policies hold."""
    action, resource, _ = request
    deny = {
        "Effect": "Deny",
        "Action": data.draw(st.sampled_from(["*", action, action.swapcase()])),
        "Resource": data.draw(resource_patterns_for(resource)),
    }
    at = data.draw(st.integers(0, len(documents)))
    documents = [*documents[:at], doc(allow(), deny), *documents[at:]]
    assert decide(documents, request) is Decision.EXPLICIT_DENY


@given(documents=st.lists(policy_documents(), max_size=3), request=requests(), data=st.data())
def test_adding_an_allow_never_turns_allow_into_a_deny(
    documents: list[dict[str, Any]], request: tuple[str, str, dict[str, str]], data: st.DataObject
) -> None:
    """Adding an Allow statement keeps ALLOW as ALLOW (and an explicit Deny as explicit)."""
    before = decide(documents, request)
    extra = data.draw(identity_statements(effects=st.just("Allow")))
    after = decide([*documents, doc(extra)], request)
    if before is not Decision.IMPLICIT_DENY:
        assert after is before


@given(documents=st.lists(policy_documents(), max_size=3), request=requests(), data=st.data())
def test_adding_a_deny_never_turns_a_deny_into_allow(
    documents: list[dict[str, Any]], request: tuple[str, str, dict[str, str]], data: st.DataObject
) -> None:
    """Adding a Deny statement never turns an implicit or explicit deny into ALLOW."""
    before = decide(documents, request)
    extra = data.draw(identity_statements(effects=st.just("Deny")))
    after = decide([*documents, doc(extra)], request)
    if before is not Decision.ALLOW:
        assert after is not Decision.ALLOW


@given(
    documents=st.lists(
        policy_documents(identity_statements(actions_from=actions(), not_forms=False)),
        max_size=3,
    ),
    resource=arns(),
    context=contexts(),
)
def test_no_matching_statement_gives_implicit_deny(
    documents: list[dict[str, Any]], resource: str, context: dict[str, str]
) -> None:
    """With no statement matching the action (Allow or Deny), the request is implicitly denied."""
    request = ("no-such-service:NoSuchAction", resource, context)
    assert decide(documents, request) is Decision.IMPLICIT_DENY
    assert evaluate([], *request) is Decision.IMPLICIT_DENY


@given(patterns=st.lists(action_patterns(), min_size=1, max_size=3), request=requests())
def test_not_action_is_the_complement_of_action(
    patterns: list[str], request: tuple[str, str, dict[str, str]]
) -> None:
    """An Allow with NotAction P allows exactly the actions an Allow with Action P does not."""
    with_action = decide([doc({"Effect": "Allow", "Action": patterns, "Resource": "*"})], request)
    with_not = decide([doc({"Effect": "Allow", "NotAction": patterns, "Resource": "*"})], request)
    assert (with_action is Decision.ALLOW) != (with_not is Decision.ALLOW)


@given(patterns=st.lists(resource_patterns(), min_size=1, max_size=3), request=requests())
def test_not_resource_is_the_complement_of_resource(
    patterns: list[str], request: tuple[str, str, dict[str, str]]
) -> None:
    """An Allow with NotResource P allows exactly the ARNs an Allow with Resource P does not."""
    with_resource = decide([doc({"Effect": "Allow", "Action": "*", "Resource": patterns})], request)
    with_not = decide([doc({"Effect": "Allow", "Action": "*", "NotResource": patterns})], request)
    assert (with_resource is Decision.ALLOW) != (with_not is Decision.ALLOW)


@given(request=requests())
def test_allow_all_allows_every_request(request: tuple[str, str, dict[str, str]]) -> None:
    """``PolicyDocument.allow_all()`` allows any action on any resource."""
    assert evaluate([PolicyDocument.allow_all()], *request) is Decision.ALLOW


# ------------------------------------------------------------------------------- conditions


def service_name_condition(
    operator: str, values: list[str], key: str = SERVICE_NAME_KEY
) -> Condition:
    """A condition on ``iam:AWSServiceName`` (or another spelling of it)."""
    return Condition(operator, key, tuple(values))


@given(
    values=st.lists(service_names(), max_size=3),
    actual=service_names(),
    key=case_variants(SERVICE_NAME_KEY),
)
def test_string_equals_and_string_not_equals_are_complements_when_key_present(
    values: list[str], actual: str, key: str
) -> None:
    """With the key in the context, StringNotEquals matches exactly when StringEquals does not."""
    context = {key: actual}
    equals = service_name_condition("StringEquals", values).matches(context)
    assert equals == (actual in values)
    assert service_name_condition("StringNotEquals", values).matches(context) != equals


@given(data=st.data(), actual=service_names())
def test_string_like_and_string_not_like_are_complements_when_key_present(
    data: st.DataObject, actual: str
) -> None:
    """With the key in the context, StringNotLike matches exactly when StringLike does not."""
    values = data.draw(st.lists(patterns_for(service_names()), max_size=3))
    context = {SERVICE_NAME_KEY: actual}
    like = service_name_condition("StringLike", values).matches(context)
    assert service_name_condition("StringNotLike", values).matches(context) != like


@given(values=st.lists(patterns_for(service_names()), max_size=3))
def test_negated_operators_match_when_the_key_is_absent_and_positive_ones_do_not(
    values: list[str],
) -> None:
    """A context without the key fails StringEquals/StringLike and passes their Not forms."""
    for operator, expected in [
        ("StringEquals", False),
        ("StringLike", False),
        ("StringNotEquals", True),
        ("StringNotLike", True),
    ]:
        assert service_name_condition(operator, values).matches({}) is expected
        assert service_name_condition(operator, values).matches({"other:Key": "x"}) is expected


@given(
    operator=st.sampled_from(["StringEquals", "StringNotEquals", "StringLike", "StringNotLike"]),
    data=st.data(),
    actual=service_names(),
)
def test_condition_values_are_ored(operator: str, data: st.DataObject, actual: str) -> None:
    """A positive condition with several values matches when any one value would on its own."""
    values = data.draw(st.lists(patterns_for(service_names()), min_size=1, max_size=4))
    context = {SERVICE_NAME_KEY: actual}
    singles = [service_name_condition(operator, [v]).matches(context) for v in values]
    combined = service_name_condition(operator, values).matches(context)
    if "Not" in operator:
        assert combined == all(singles)  # not (a or b) == (not a) and (not b)
    else:
        assert combined == any(singles)


@given(block=condition_blocks(), context=contexts())
def test_condition_keys_and_operators_are_anded(
    block: dict[str, dict[str, str | list[str]]], context: dict[str, str]
) -> None:
    """A statement's Condition block holds when every (operator, key) test in it holds alone."""
    request = ("iam:CreateServiceLinkedRole", PO_ROLE_ARN, context)
    combined = decide([doc(allow(Condition=block))], request)
    singles = [
        decide([doc(allow(Condition={operator: {key: values}}))], request)
        for operator, keyed in block.items()
        for key, values in keyed.items()
    ]
    expected = all(d is Decision.ALLOW for d in singles)
    assert (combined is Decision.ALLOW) == expected


@given(condition_key=case_variants(SERVICE_NAME_KEY), context_key=case_variants(SERVICE_NAME_KEY))
def test_condition_keys_match_case_insensitively(condition_key: str, context_key: str) -> None:
    """``iam:AWSServiceName`` is found in the context however either side spells its case."""
    condition = service_name_condition("StringEquals", [PO_SERVICE], key=condition_key)
    assert condition.matches({context_key: PO_SERVICE})


def test_string_equals_is_case_sensitive_and_takes_wildcards_literally() -> None:
    """StringEquals compares exactly: another case or a ``*`` in the value does not match."""
    assert not service_name_condition("StringEquals", [PO_SERVICE.upper()]).matches(
        {SERVICE_NAME_KEY: PO_SERVICE}
    )
    assert not service_name_condition("StringEquals", ["*"]).matches({SERVICE_NAME_KEY: "x"})
    assert service_name_condition("StringEquals", ["*"]).matches({SERVICE_NAME_KEY: "*"})


def test_string_like_uses_wildcards_case_sensitively() -> None:
    """StringLike honours ``*`` and ``?`` but not a difference in case."""
    like = service_name_condition("StringLike", ["*.marketplace.amazonaws.co?"])
    assert like.matches({SERVICE_NAME_KEY: PO_SERVICE})
    assert not like.matches({SERVICE_NAME_KEY: PO_SERVICE.upper()})
    assert not like.matches({SERVICE_NAME_KEY: "ec2.amazonaws.com"})


def test_a_condition_with_no_values_never_holds_and_its_negation_always_does() -> None:
    """An empty value list is an OR of nothing: positive operators fail, negated ones pass."""
    context = {SERVICE_NAME_KEY: PO_SERVICE}
    assert not service_name_condition("StringEquals", []).matches(context)
    assert service_name_condition("StringNotLike", []).matches(context)


def test_a_context_naming_a_key_twice_in_different_cases_is_a_usage_error() -> None:
    """A request context with ``iam:AWSServiceName`` under two spellings is refused as ambiguous."""
    with pytest.raises(UsageError, match="names one condition key twice"):
        evaluate(
            [PolicyDocument.allow_all()],
            "iam:GetRole",
            PO_ROLE_ARN,
            {"iam:AWSServiceName": "a", "IAM:awsservicename": "b"},
        )


# --------------------------------------------------------------------- the User Guide template


def test_user_guide_template_allows_creating_the_role_for_purchase_orders() -> None:
    """The template allows iam:CreateServiceLinkedRole on the role ARN for the PO service."""
    policy = PolicyDocument.parse(USER_GUIDE_TEMPLATE)
    context = {"iam:AWSServiceName": PO_SERVICE}
    assert evaluate([policy], "iam:CreateServiceLinkedRole", PO_ROLE_ARN, context) is (
        Decision.ALLOW
    )


@pytest.mark.parametrize("context", [{"iam:AWSServiceName": "ec2.amazonaws.com"}, {}])
def test_user_guide_template_denies_creating_the_role_for_another_or_no_service(
    context: dict[str, str],
) -> None:
    """The template's StringLike condition refuses another service name, or none at all."""
    policy = PolicyDocument.parse(USER_GUIDE_TEMPLATE)
    assert evaluate([policy], "iam:CreateServiceLinkedRole", PO_ROLE_ARN, context) is (
        Decision.IMPLICIT_DENY
    )


@pytest.mark.parametrize(
    ("action", "resource", "expected"),
    [
        ("iam:UpdateRoleDescription", PO_ROLE_ARN, Decision.ALLOW),
        ("iam:DeleteServiceLinkedRole", PO_ROLE_ARN, Decision.ALLOW),
        ("IAM:getservicelinkedroledeletionstatus", PO_ROLE_ARN, Decision.ALLOW),
        ("iam:DeleteRole", PO_ROLE_ARN, Decision.IMPLICIT_DENY),
        ("iam:UpdateRoleDescription", "arn:aws:iam::1:role/MyRole", Decision.IMPLICIT_DENY),
        (
            "iam:DeleteServiceLinkedRole",
            "arn:aws:iam::111122223333:role/aws-service-role/ec2.amazonaws.com/AWSServiceRoleForEC2",
            Decision.IMPLICIT_DENY,
        ),
    ],
)
def test_user_guide_template_covers_only_the_purchase_orders_role(
    action: str, resource: str, expected: Decision
) -> None:
    """The template's other statements allow editing and deleting the PO role, nothing more."""
    assert evaluate([PolicyDocument.parse(USER_GUIDE_TEMPLATE)], action, resource) is expected


def test_a_deny_added_to_the_user_guide_template_wins() -> None:
    """A second policy denying iam:Delete* overrides the template's Allow for deletion."""
    deny = PolicyDocument.parse(doc({"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}))
    template = PolicyDocument.parse(USER_GUIDE_TEMPLATE)
    assert evaluate([template, deny], "iam:DeleteServiceLinkedRole", PO_ROLE_ARN) is (
        Decision.EXPLICIT_DENY
    )


# ------------------------------------------------------------------------------ trust policies

SLR_TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":'
    '"purchase-orders.marketplace.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
)


def trust(*statements: dict[str, Any]) -> PolicyDocument:
    """A 2012-10-17 trust policy with the given statements, parsed."""
    return PolicyDocument.parse(doc(*statements), kind="trust")


def test_the_role_trust_policy_lets_only_its_service_assume_the_role() -> None:
    """The SLR trust policy as GetRole returns it trusts purchase-orders and no other service."""
    policy = PolicyDocument.parse(SLR_TRUST, kind="trust")
    assert trust_allows(policy, service=PO_SERVICE)
    assert not trust_allows(policy, service="ec2.amazonaws.com")
    assert not trust_allows(policy, service=PO_SERVICE, action="sts:TagSession")


def test_a_service_list_principal_trusts_each_listed_service() -> None:
    """``{"Service": [a, b]}`` trusts a and b, and nobody else."""
    policy = trust(
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Service": [PO_SERVICE, "ec2.amazonaws.com"]},
        }
    )
    assert trust_allows(policy, service=PO_SERVICE)
    assert trust_allows(policy, service="ec2.amazonaws.com")
    assert not trust_allows(policy, service="s3.amazonaws.com")


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}])
def test_a_star_principal_trusts_anyone(principal: Any) -> None:
    """``"Principal": "*"`` and ``{"AWS": "*"}`` trust every service."""
    policy = trust({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal})
    assert trust_allows(policy, service="anything.amazonaws.com")


def test_an_explicit_deny_for_the_principal_wins_in_a_trust_policy() -> None:
    """A Deny naming the service overrides a ``*`` Allow in the same trust policy."""
    policy = trust(
        {"Effect": "Allow", "Action": "sts:*", "Principal": "*"},
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"Service": PO_SERVICE}},
    )
    assert not trust_allows(policy, service=PO_SERVICE)
    assert trust_allows(policy, service="ec2.amazonaws.com")


@given(document=policy_documents(trust_statements()), service=service_names())
def test_a_trust_deny_naming_the_service_always_wins(
    document: dict[str, Any], service: str
) -> None:
    """Whatever a trust policy allows, adding a Deny for the service refuses it."""
    denied = copy.deepcopy(document)
    statements = denied["Statement"]
    statements = [statements] if isinstance(statements, dict) else statements
    denied["Statement"] = [
        *statements,
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"Service": service}},
    ]
    assert not trust_allows(PolicyDocument.parse(denied, kind="trust"), service=service)


@pytest.mark.parametrize(
    ("statement", "error", "match"),
    [
        (
            {"Effect": "Allow", "Action": "sts:AssumeRole"},
            MalformedPolicyDocument,
            "Missing required field Principal",
        ),
        (
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*", "Resource": "*"},
            MalformedPolicyDocument,
            "Has prohibited field Resource",
        ),
        (
            {"Effect": "Allow", "Action": "sts:AssumeRole", "NotPrincipal": {"Service": "x"}},
            UnsupportedPolicyFeature,
            "NotPrincipal is not supported",
        ),
        (
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Robot": "x"}},
            MalformedPolicyDocument,
            'Invalid principal in policy: "Robot"',
        ),
        (
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "*.com"}},
            UnsupportedPolicyFeature,
            r"Wildcard principal Service: '\*\.com' is not supported",
        ),
    ],
)
def test_trust_policy_problems_are_refused_at_parse_time(
    statement: dict[str, Any], error: type[Exception], match: str
) -> None:
    """A trust policy lacking Principal, or with Resource, NotPrincipal or odd principals, fails."""
    with pytest.raises(error, match=match):
        trust(statement)


def test_evaluate_and_trust_allows_refuse_the_other_kind_of_policy() -> None:
    """evaluate() takes identity policies only and trust_allows() trust policies only."""
    with pytest.raises(UsageError, match="ask trust_allows"):
        evaluate([PolicyDocument.parse(SLR_TRUST, kind="trust")], "sts:AssumeRole", "*")
    with pytest.raises(UsageError, match="parse it with kind='trust'"):
        trust_allows(PolicyDocument.allow_all(), service=PO_SERVICE)


# ------------------------------------------------------------------ unsupported features raise


@pytest.mark.parametrize(
    "operator",
    [
        "NumericLessThan",
        "StringEqualsIfExists",
        "ForAnyValue:StringLike",
        "Null",
        "StringEqualsIgnoreCase",
        "ArnLike",
        "Bool",
        "ForAllValues:StringNotEquals",
    ],
)
def test_unsupported_operators_raise_naming_the_operator_and_the_supported_ones(
    operator: str,
) -> None:
    """An IAM operator outside the String subset raises UnsupportedPolicyFeature when parsed."""
    document = doc(allow(Condition={operator: {SERVICE_NAME_KEY: "x"}}))
    with pytest.raises(
        UnsupportedPolicyFeature,
        match=rf"'{operator}' is not supported: slr_fsm evaluates only StringEquals, "
        "StringNotEquals, StringLike and StringNotLike",
    ):
        PolicyDocument.parse(document)


@pytest.mark.parametrize("key", ["aws:SourceIp", "aws:SourceAccount", "iam:PassedToService"])
def test_unsupported_condition_keys_raise_naming_the_key_and_the_supported_one(key: str) -> None:
    """A condition key other than iam:AWSServiceName raises UnsupportedPolicyFeature when parsed."""
    with pytest.raises(
        UnsupportedPolicyFeature,
        match=rf"Condition key '{key}' is not supported: slr_fsm supplies only iam:AWSServiceName",
    ):
        PolicyDocument.parse(doc(allow(Condition={"StringEquals": {key: "x"}})))


def test_policy_variables_are_unsupported_in_2012_and_literal_in_2008() -> None:
    """``${aws:username}`` raises under Version 2012-10-17 and is plain text under 2008-10-17."""
    statement = allow("iam:GetRole", "arn:aws:iam::*:user/${aws:username}")
    with pytest.raises(UnsupportedPolicyFeature, match=r"Policy variable in .* is not supported"):
        PolicyDocument.parse(doc(statement))
    old = PolicyDocument.parse({"Version": "2008-10-17", "Statement": statement})
    literal = "arn:aws:iam::1:user/${aws:username}"
    assert evaluate([old], "iam:GetRole", literal) is Decision.ALLOW
    assert evaluate([old], "iam:GetRole", "arn:aws:iam::1:user/bob") is Decision.IMPLICIT_DENY


def test_a_misspelt_operator_is_malformed_with_a_case_hint() -> None:
    """Operator names are case-sensitive: ``stringequals`` is not an IAM operator at all."""
    with pytest.raises(MalformedPolicyDocument, match="did you mean 'StringEquals'"):
        PolicyDocument.parse(doc(allow(Condition={"stringequals": {SERVICE_NAME_KEY: "x"}})))


# -------------------------------------------------------------------- malformed documents raise

GOOD = allow("iam:GetRole", "*")


@pytest.mark.parametrize(
    ("document", "match"),
    [
        ("not json", r"Syntax errors in policy\.$"),
        ("[]", r"Syntax errors in policy\.$"),
        ('{"Statement": NaN}', r"Syntax errors in policy\.$"),
        ({"Statement": [GOOD], "Versoin": "2012-10-17"}, "Unknown policy element 'Versoin'"),
        ({"Version": "2012-10-18", "Statement": GOOD}, "The policy failed legacy parsing"),
        ({"Version": "2012-10-17"}, "Statement must be an object or a non-empty list"),
        (doc(), "Statement must be an object or a non-empty list"),
        ({"Statement": ["Allow"]}, "Each statement must be an object"),
        (doc({**GOOD, "Effect": "allow"}), "Invalid effect: allow$"),
        (doc({"Action": "iam:GetRole", "Resource": "*"}), "Invalid effect: None$"),
        (doc({"Effect": "Allow", "Resource": "*"}), r"Policy statement must contain actions\.$"),
        (doc({**GOOD, "Action": []}), r"Policy statement must contain actions\.$"),
        (doc({**GOOD, "NotAction": "iam:GetRole"}), "Action or NotAction, not both"),
        (doc({"Effect": "Allow", "Action": "a:b"}), r"Policy statement must contain resources\.$"),
        (doc({**GOOD, "NotResource": "*"}), "Resource or NotResource, not both"),
        (doc({**GOOD, "Action": "GetRole"}), "Actions/Conditions must be prefaced by a vendor"),
        (doc({**GOOD, "Action": "iam:Get:Role"}), "can contain only one colon"),
        (doc({**GOOD, "Action": "i_m:GetRole"}), "Vendor i_m is not valid$"),
        (doc({**GOOD, "Action": ["iam:GetRole", 7]}), "Action must be a string or a list"),
        (doc({**GOOD, "Resource": "bucket"}), 'Resource bucket must be in ARN format or "\\*"'),
        (doc({**GOOD, "Principal": "*"}), r"Policy document should not specify a principal\.$"),
        (doc({**GOOD, "Resources": "*"}), "Unknown statement element 'Resources'"),
        (doc({**GOOD, "Sid": "my sid"}), r"Statement IDs \(SID\) must be alpha-numeric"),
        (doc({**GOOD, "Sid": "A"}, {**GOOD, "Sid": "A"}), r"\(SID\) in a single policy must be"),
        (doc({**GOOD, "Condition": []}), "Condition must be an object"),
        (doc({**GOOD, "Condition": {"StringEquals": "x"}}), "must map keys to values"),
        (
            doc({**GOOD, "Condition": {"StringEquals": {"AWSServiceName": "x"}}}),
            "Actions/Conditions must be prefaced by a vendor",
        ),
        (
            doc({**GOOD, "Condition": {"StringEqualz": {SERVICE_NAME_KEY: "x"}}}),
            "'StringEqualz' is not an IAM condition operator",
        ),
        (
            '{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}',
            "'Version' appears twice",
        ),
    ],
)
def test_malformed_documents_raise_in_iams_wording(document: Any, match: str) -> None:
    """Documents IAM refuses raise MalformedPolicyDocument with IAM's message (plus detail)."""
    with pytest.raises(MalformedPolicyDocument, match=match):
        PolicyDocument.parse(document)


def test_parse_refuses_values_that_are_neither_text_nor_mapping() -> None:
    """Bytes or other objects are a usage error, not a malformed policy."""
    with pytest.raises(UsageError, match="takes a JSON string or a mapping, not bytes"):
        PolicyDocument.parse(b"{}")  # type: ignore[arg-type]


# ------------------------------------------------------------------- documents as values


@given(document=policy_documents())
def test_to_json_value_gives_back_the_document_as_given(document: dict[str, Any]) -> None:
    """``to_json_value()`` returns the parsed document unchanged, from a mapping or JSON text."""
    assert PolicyDocument.parse(document).to_json_value() == document
    assert PolicyDocument.parse(json.dumps(document)).to_json_value() == document


@given(document=policy_documents())
def test_json_text_and_mapping_parse_to_equal_hashable_documents(document: dict[str, Any]) -> None:
    """The same document as text or as a mapping parses to equal values with equal hashes."""
    from_text = PolicyDocument.parse(json.dumps(document, indent=2))
    from_mapping = PolicyDocument.parse(document)
    assert from_text == from_mapping
    assert hash(from_text) == hash(from_mapping)


@given(
    kind_and_document=st.one_of(
        st.tuples(st.just("identity"), policy_documents()),
        st.tuples(st.just("trust"), policy_documents(trust_statements())),
    )
)
def test_a_built_document_renders_json_that_parses_back_to_it(
    kind_and_document: tuple[Literal["identity", "trust"], dict[str, Any]],
) -> None:
    """A document without its source renders JSON that parses back to an equal document."""
    kind, document = kind_and_document
    parsed = PolicyDocument.parse(document, kind=kind)
    rendered = attrs.evolve(parsed, source=None).to_json_value()
    assert PolicyDocument.parse(rendered, kind=kind) == parsed


def test_to_json_value_returns_a_fresh_copy() -> None:
    """Mutating what ``to_json_value()`` returned leaves the document untouched."""
    policy = PolicyDocument.parse(USER_GUIDE_TEMPLATE)
    policy.to_json_value()["Statement"].clear()
    assert policy.to_json_value() == USER_GUIDE_TEMPLATE


def test_a_missing_version_means_2008_10_17() -> None:
    """A document without Version parses as IAM's default version, 2008-10-17."""
    assert PolicyDocument.parse({"Statement": GOOD}).version == "2008-10-17"


def test_statements_built_by_hand_are_checked() -> None:
    """Building a Statement or PolicyDocument that IAM's grammar forbids raises UsageError."""
    with pytest.raises(UsageError, match="exactly one of actions= and not_actions="):
        Statement(effect=Effect.ALLOW, resources=("*",))
    with pytest.raises(UsageError, match="exactly one of resources= and not_resources="):
        Statement(effect=Effect.ALLOW, actions=("*",))
    with pytest.raises(UsageError, match="takes neither resources= nor not_resources="):
        Statement(effect=Effect.ALLOW, actions=("*",), resources=("*",), principals=(("*", "*"),))
    with pytest.raises(UsageError, match="at least one Statement"):
        PolicyDocument(statements=())
    identity = Statement(effect=Effect.ALLOW, actions=("*",), resources=("*",))
    with pytest.raises(UsageError, match="Pass kind= to match"):
        PolicyDocument(statements=(identity,), kind="trust")
    with pytest.raises(UnsupportedPolicyFeature, match="'Null' is not supported"):
        Condition("Null", SERVICE_NAME_KEY, ("true",))


def test_a_hand_built_document_evaluates_like_its_parsed_twin() -> None:
    """A PolicyDocument built from Statements decides as the parsed JSON it renders to."""
    built = PolicyDocument(
        statements=(
            Statement(
                effect=Effect.DENY,
                actions=("iam:Delete*",),
                not_resources=("arn:aws:iam::*:x",),
                conditions=(Condition("StringNotLike", SERVICE_NAME_KEY, ("ec2.*",)),),
            ),
        )
    )
    parsed = PolicyDocument.parse(built.to_json_value())
    assert parsed == built
    for resource in [PO_ROLE_ARN, "arn:aws:iam::*:x"]:
        decision = evaluate([built], "iam:DeleteRole", resource)
        assert decision is evaluate([parsed], "iam:DeleteRole", resource)
