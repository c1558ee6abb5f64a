"""Fast paths of the bridge and the log, each equal to the path it replaces: a list of dicts of
plain strings (TagRole's Tags) kept by a direct copy, the usual tags checked at once, and the log's length read without making
the log's view."""

from __future__ import annotations

import contextlib
import math
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm import Simulation
from slr_fsm._world.journal import _DEEPEST_KEPT, _LONGEST_KEPT, _NOT_KEPT, _kept
from slr_fsm.errors import AwsError, InvalidInput, ValidationError
from slr_fsm.iam import _tags_given
from slr_fsm.marketplace_roles import AUTO_SCALING
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS
from tests.conftest import MANAGEMENT, MEMBER, SERVICE


def _kept_one_by_one(value: object, depth: int, budget: list[int]) -> object:
    """``_kept`` as it was before the direct copy: every value in turn."""
    kind = type(value)
    if value is None or kind is bool:
        return value
    if kind is float:
        return value if math.isfinite(value) else _NOT_KEPT  # type: ignore[arg-type]
    if kind is int:
        return value if value.bit_length() <= 64 else _NOT_KEPT  # type: ignore[attr-defined]
    if isinstance(value, str):
        text = str.__str__(value)
        return text if len(text) <= _LONGEST_KEPT else _NOT_KEPT
    if kind not in (list, dict) or depth >= _DEEPEST_KEPT:
        return _NOT_KEPT
    items: Any = value
    budget[0] -= len(items)
    if budget[0] < 0:
        return _NOT_KEPT
    if isinstance(items, list):
        copied = [_kept_one_by_one(item, depth + 1, budget) for item in items]
        return _NOT_KEPT if _NOT_KEPT in copied else copied
    if not all(type(key) is str for key in items):
        return _NOT_KEPT
    pairs = {key: _kept_one_by_one(item, depth + 1, budget) for key, item in items.items()}
    return _NOT_KEPT if _NOT_KEPT in pairs.values() else pairs


_TEXT = st.sampled_from(("", "a", "Key", "x" * _LONGEST_KEPT, "x" * (_LONGEST_KEPT + 1)))
_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), _TEXT, st.just(()))
_VALUES = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(_TEXT, st.integers()), inner, max_size=3),
        st.lists(st.dictionaries(_TEXT, _TEXT, max_size=3), max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_VALUES, st.integers(0, 4), st.integers(0, 12))
def test_a_list_of_string_dicts_is_kept_as_one_by_one_keeps_it(value, depth, budget):
    """Same copy (or the same refusal) and the same budget left, whatever the nesting, the
    budget and the strings' lengths."""
    fast, slow = [budget], [budget]
    got, expected = _kept(value, depth, fast), _kept_one_by_one(value, depth, slow)
    assert got == expected
    assert (got is _NOT_KEPT) == (expected is _NOT_KEPT)
    assert fast == slow
    if got is not _NOT_KEPT and isinstance(value, list | dict):
        assert got is not value  # a fresh copy, never the caller's own list


@pytest.mark.parametrize("budget", range(8))
@pytest.mark.parametrize("depth", range(5))
def test_tags_run_out_of_budget_or_depth_where_one_by_one_does(budget, depth):
    """TagRole's shape at every budget and depth around the limits: the same copy or refusal,
    the same budget left."""
    tags = [{"Key": "a", "Value": "b"}, {"Key": "c", "Value": "x" * _LONGEST_KEPT}]
    for value in (tags, tags[:1], [*tags, {"Key": "d", "Value": 1}], [{}, *tags]):
        fast, slow = [budget], [budget]
        assert _kept(value, depth, fast) == _kept_one_by_one(value, depth, slow)
        assert fast == slow


def test_events_logged_is_the_trace_length() -> None:
    """The count the bridge numbers RequestIds by is the log's length, call after call."""
    sim = Simulation.default(seed=4)
    face = sim.iam(MANAGEMENT)
    for call in (
        lambda: face.create_service_linked_role(AWSServiceName=SERVICE),
        sim.settle,
        lambda: face.get_role(RoleName="nobody"),
    ):
        before = sim.events_logged
        assert before == len(sim.trace)
        with contextlib.suppress(AwsError):  # a refused call is logged too
            call()
        assert sim.events_logged == len(sim.trace) > before


def _outcome(values: list[Any]) -> tuple[Any, ...]:
    try:
        return ("tags", _tags_given(values))
    except (ValidationError, InvalidInput) as error:
        message = str(error)
        if "A tag is a dict of exactly Key and Value" in message:
            message = "not a tag"  # names the item as given (a proxy on the checked path)
        return (type(error), message)


_TAG_TEXT = st.one_of(
    st.sampled_from(("", "a", "Cost Center", "aws:x", "A", "NOWAY!", "é", "x" * 129, "v" * 257)),
    st.text(max_size=5),
    st.integers(),
)
_TAG = st.one_of(
    st.fixed_dictionaries({"Key": _TAG_TEXT, "Value": _TAG_TEXT}),
    st.dictionaries(st.sampled_from(("Key", "Value", "Other")), _TAG_TEXT, max_size=3),
    st.just("Key=a"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TAG, max_size=4))
def test_plain_tags_are_taken_as_the_full_checks_take_them(values):
    """TagRole's Tags: the usual tags, taken at once, give the tags (or the refusal) that the
    full checks, item by item, give (each dict seen through a read-only proxy goes that way)."""
    checked = [MappingProxyType(item) if isinstance(item, dict) else item for item in values]
    assert _outcome(values) == _outcome(checked)


def test_a_roles_usage_is_what_its_model_finds_through_its_context() -> None:
    """The usage a deletion checks, found by role name, is the model's answer through the
    service's context, in use or not, for the service's own spec and a suffixed one (the
    suffixed spec and a look-alike spec go the full way every time)."""
    sim = Simulation.default(seed=5, specs=(MARKETPLACE_PURCHASE_ORDERS, AUTO_SCALING))
    roles, catalogue = sim._roles, sim._catalogue
    base = catalogue.specs[0]
    specs = (
        base,
        AUTO_SCALING.with_custom_suffix("x"),
        AUTO_SCALING,
        AUTO_SCALING.with_custom_suffix("x"),
        attrs.evolve(base),
        base,
    )
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    for account in (MANAGEMENT, MEMBER):
        for spec in specs:
            expected = catalogue.usage_model(spec).in_use(roles.contexts[spec.base], account)
            assert roles.usage(account, spec) == expected
    assert any(roles.usage(MANAGEMENT, spec) for spec in specs)
