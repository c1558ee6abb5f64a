"""The faster paths of every call agree with the straightforward ones they replace: validation
that builds no message for a valid request, cached policy decisions, roles and log entries
built directly, and the clock's remembered time."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm import Simulation
from slr_fsm._world.directory import Directory
from slr_fsm.accounts import Principal, ServicePrincipal
from slr_fsm.errors import UsageError, ValidationError
from slr_fsm.events import Event, new_event
from slr_fsm.iam_operations import IAM_OPERATIONS
from slr_fsm.policy import Decision, PolicyDocument, _evaluate, evaluate
from slr_fsm.roles import Role
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS
from slr_fsm.states import RoleState
from slr_fsm.validation import Param, refuse_invalid, validate
from tests.strategies import policy_documents, requests

_PARAMS = [op.params for op in IAM_OPERATIONS]
_NAMES = sorted({p.name for params in _PARAMS for p in params} | {"Other"})
_VALUES = st.one_of(
    st.text(max_size=8),
    st.text(alphabet="ab+=,.@-_ \t\u00e9\u0100/!", min_size=0, max_size=70),
    st.integers(min_value=-5, max_value=8_000_000),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=3), max_size=3),
    st.just("x" * 1001),
)


def _refusal(check: Any, params: Any, kwargs: dict[str, Any]) -> str | None:
    try:
        check(params, kwargs)
    except ValidationError as refused:
        return str(refused)
    return None


@settings(max_examples=300, deadline=None)
@given(params=st.sampled_from(_PARAMS), kwargs=st.dictionaries(st.sampled_from(_NAMES), _VALUES))
def test_validate_refuses_exactly_what_the_wording_path_refuses_in_the_same_words(
    params: tuple[Param, ...], kwargs: dict[str, Any]
) -> None:
    """validate's fast path passes a request only when refuse_invalid passes it too, and a
    refused request carries refuse_invalid's message."""
    assert _refusal(validate, params, kwargs) == _refusal(refuse_invalid, params, kwargs)


@settings(max_examples=300, deadline=None)
@given(
    param=st.sampled_from([p for params in _PARAMS for p in params]),
    value=_VALUES,
)
def test_param_accepts_exactly_the_values_it_finds_no_problem_with(
    param: Param, value: Any
) -> None:
    """Param.accepts(value) is ``not problems(value)`` for every value of every parameter."""
    if isinstance(value, param.kind):
        assert param.accepts(value) == (param.problems(value) == [])


def test_validate_with_a_repeated_parameter_name_still_refuses_an_unknown_name() -> None:
    """Matching as many parameters as were given proves every name known only when no two
    parameters share a name; with a repeated name the unknown one is still refused."""
    repeated = (Param("A"), Param("A"))
    with pytest.raises(ValidationError, match='Unknown parameter in input: "B"'):
        validate(repeated, {"A": "x", "B": "y"})
    with pytest.raises(ValidationError, match='Unknown parameter in input: "B"'):
        validate(list(repeated), {"A": "x", "B": "y"})


@settings(max_examples=60, deadline=None)
@given(
    documents=st.lists(policy_documents(), min_size=1, max_size=3),
    request=requests(),
)
def test_a_cached_decision_is_the_decision_evaluation_makes(
    documents: list[dict[str, Any]], request: tuple[str, str, dict[str, str]]
) -> None:
    """evaluate answers from its cache what the evaluation itself answers, asked twice, with
    and without a context."""
    policies = tuple(PolicyDocument.parse(d) for d in documents)
    action, resource, context = request
    for ctx in (context, None, context):
        for arn in (resource, "arn:aws:iam::999999999999:role/other", "*", resource):
            expected = _evaluate(policies, action, arn, ctx)
            assert evaluate(policies, action, arn, ctx) is expected
            assert evaluate(policies, action, arn, ctx) is expected


def test_the_decision_cache_never_answers_for_other_policies_or_bad_arguments() -> None:
    """A decision is cached for the very tuple of policies it was made for; refusals of bad
    arguments are raised every time, never cached."""
    allow = PolicyDocument.parse(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    )
    deny = PolicyDocument.parse(
        {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}
    )
    arn = "arn:aws:iam::111122223333:role/r"
    assert evaluate((allow,), "iam:GetRole", arn).value == "Allow"
    assert evaluate((deny,), "iam:GetRole", arn).value == "ExplicitDeny"
    assert evaluate((allow,), "iam:GetRole", arn).value == "Allow"
    one_role = PolicyDocument.parse(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": arn}}
    )
    other = "arn:aws:iam::111122223333:role/other"
    assert evaluate((allow,), "iam:GetRole", other).value == "Allow"  # Resource "*": any ARN
    assert evaluate((one_role,), "iam:GetRole", arn).value == "Allow"
    assert evaluate((one_role,), "iam:GetRole", other).value == "ImplicitDeny"
    for _ in range(2):
        with pytest.raises(UsageError, match="condition key twice"):
            evaluate((allow,), "iam:GetRole", arn, {"a": "1", "A": "2"})
        with pytest.raises(UsageError, match="takes resource as a string"):
            evaluate((allow,), "iam:GetRole", None)  # type: ignore[arg-type]


_ROLES = st.builds(
    Role,
    st.just(MARKETPLACE_PURCHASE_ORDERS),
    st.just("111122223333"),
    st.sampled_from(RoleState),
    st.one_of(st.none(), st.just("AROAEXAMPLE")),
    st.none(),
    st.one_of(st.none(), st.text(max_size=5)),
    st.lists(st.just("AROAOLD"), max_size=2).map(tuple),
    st.lists(st.tuples(st.just("k"), st.text(max_size=3)), max_size=2).map(tuple),
)


@settings(max_examples=100, deadline=None)
@given(
    role=_ROLES,
    description=st.one_of(st.none(), st.text(max_size=5)),
    state=st.sampled_from(RoleState),
)
def test_a_role_edited_directly_equals_attrs_evolve(
    role: Role, description: str | None, state: RoleState
) -> None:
    """with_description and with_state build what attrs.evolve builds, field for field."""
    assert role.with_description(description) == attrs.evolve(role, description=description)
    assert role.with_state(state) == attrs.evolve(role, state=state)


def test_an_event_built_through_its_slots_equals_one_built_by_attrs() -> None:
    """new_event sets every field of Event (none left out, none swapped), with or without the
    role name."""
    values = [f"value {n}" for n in range(len(attrs.fields(Event)))]
    assert new_event(*values) == Event(*values)
    assert attrs.astuple(new_event(*values)) == tuple(values)
    assert new_event(*values[:-1]) == Event(*values[:-1])


def test_the_clock_remembers_the_time_only_while_it_stands_still() -> None:
    """now() answers the remembered time until the clock moves or starts elsewhere."""
    sim = Simulation.default()
    first = sim.now
    assert sim.now is first
    sim.advance(1.5)
    assert (sim.now - first).total_seconds() == 1.5
    clock = sim.clock.copy()
    before = clock.now()
    clock.start = before.replace(year=2030)
    assert clock.now().year == 2030


def test_an_update_is_logged_with_its_parameters_as_given() -> None:
    """The log keeps plain string parameters as given, in their own dict."""
    sim = Simulation.default()
    sim.marketplace("111122223333").configure_billing_integration()
    sim.settle()
    kwargs = {"RoleName": "AWSServiceRoleForMarketplacePurchaseOrders", "Description": "d"}
    answer = sim.iam("111122223333").update_role_description(**kwargs)
    assert answer["Role"]["Description"] == "d"
    event = sim.trace[-1]
    assert event.parameters == kwargs
    assert event.parameters is not kwargs
    assert event.outcome == "ok"


def _reference_digest(seed: int, counter: int, kind: str) -> bytes:
    """IdGenerator's digest as first written (word by word), the reference for its faster form."""
    mask = (1 << 64) - 1

    def mix(value: int) -> int:
        z = (value + 0x9E3779B97F4A7C15) & mask
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    state = mix(seed * 0x9E3779B97F4A7C15 + counter)
    for char in kind:
        state = mix(state ^ ord(char))
    words = []
    for _ in range(4):
        state = mix(state)
        words.append(state)
    return b"".join(w.to_bytes(8, "big") for w in words)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(min_value=-(2**70), max_value=2**70), counter=st.integers(0, 2**40))
def test_ids_are_the_ones_the_word_by_word_digest_gives(seed: int, counter: int) -> None:
    """RoleIds, UUIDs and short ids are what the reference digest makes them, for any seed."""
    from slr_fsm.ids import IdGenerator

    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    ids = IdGenerator(seed, counter)
    digest = _reference_digest(seed, counter + 1, "role")
    assert ids.role_id() == "AROA" + "".join(alphabet[b % 32] for b in digest[:17])
    assert ids._digest("uuid") == _reference_digest(seed, counter + 2, "uuid")
    assert ids.counter == counter + 2


class _PolicedUser(Principal):
    """A caller of a subclass of Principal (the fast path is for Principal itself)."""


@settings(max_examples=30, deadline=None)
@given(
    document=policy_documents(),
    action=st.sampled_from(["iam:CreateServiceLinkedRole", "iam:GetRole", "iam:DeleteRole"]),
)
def test_decide_answers_for_every_kind_of_caller_as_its_checked_path(
    document: dict[str, Any], action: str
) -> None:
    """decide's fast path for a Principal answers what the checked path answers (evaluate of its
    policies), a subclass of Principal the same, a service principal an implicit deny, and
    anything else a UsageError."""
    resource = "arn:aws:iam::111122223333:role/aws-service-role/x/R"
    policies = (PolicyDocument.parse(document),)
    expected = evaluate(policies, action, resource, None)
    for caller in (
        Principal("alice", "111122223333", policies),
        _PolicedUser("bob", "111122223333", policies),
    ):
        assert Directory.decide(caller, action, resource) is expected
    service = ServicePrincipal("purchase-orders.marketplace.amazonaws.com")
    assert Directory.decide(service, action, resource) is Decision.IMPLICIT_DENY
    with pytest.raises(UsageError, match="A caller is a Principal"):
        Directory.decide("alice", action, resource)  # type: ignore[arg-type]


def _digest_by_rounds(seed: int, counter: int, kind: str, words: int) -> bytes:
    """The id digest as its docstring states it, one _mix call per round."""
    from slr_fsm.ids import _mix

    state = _mix(seed * 0x9E3779B97F4A7C15 + counter)
    for char in kind:
        state = _mix(state ^ ord(char))
    value = 0
    for _ in range(words):
        state = _mix(state)
        value = (value << 64) | state
    return value.to_bytes(8 * words, "big")


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**70),
    counter=st.integers(min_value=0, max_value=2**40),
    kind=st.sampled_from(["role", "uuid", "o-", "r-", ""]) | st.text(max_size=6),
    words=st.integers(min_value=1, max_value=5),
)
def test_inlined_id_digest_gives_the_bytes_of_one_mix_call_per_round(
    seed: int, counter: int, kind: str, words: int
) -> None:
    """IdGenerator's inlined SplitMix64 rounds hand out exactly the ids the per-round calls
    gave (the same RoleIds and task UUIDs for the same seed)."""
    from slr_fsm.ids import IdGenerator

    generator = IdGenerator(seed, counter)
    assert generator._digest(kind, words) == _digest_by_rounds(seed, counter + 1, kind, words)
    assert generator.counter == counter + 1


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=0x17F), max_size=12))
def test_plain_tag_text_fast_path_accepts_only_what_the_category_check_accepts(text: str) -> None:
    """A tag key or value the ASCII pattern accepts is one the per-character Unicode category
    check accepts too, so tag_text_problem answers as it did."""
    from slr_fsm.roles import _PLAIN_TAG_TEXT, _outside_tag_alphabet

    if _PLAIN_TAG_TEXT.fullmatch(text) is not None:
        assert not _outside_tag_alphabet(text)


def test_plain_tag_text_fast_path_agrees_on_every_ascii_character() -> None:
    """Every ASCII character the fast path takes is in the tag alphabet, and it takes every
    ASCII letter, digit, the space and ``_.:/=+-@`` (so the usual tag skips the slow check)."""
    from slr_fsm.roles import _PLAIN_TAG_TEXT, _outside_tag_alphabet

    taken = {chr(c) for c in range(128) if _PLAIN_TAG_TEXT.fullmatch(chr(c))}
    allowed = {chr(c) for c in range(128) if not _outside_tag_alphabet(chr(c))}
    assert taken <= allowed
    assert taken == {c for c in allowed if c.isalnum() or c in " _.:/=+-@"}
