"""``new_role`` and ``new_task`` (a role and a deletion task set slot by slot, as the kernel
makes the two roles of a creation and the three tasks of a deletion) build what ``Role(...)``
and ``DeletionTask(...)`` build, field for field, with every field given or left out."""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm.roles import Role, new_role
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS
from slr_fsm.states import RoleState
from slr_fsm.tasks import DeletionStatus, DeletionTask, RoleUsage, new_task

_FIELDS = st.tuples(
    st.sampled_from(["111122223333", "444455556666"]),
    st.sampled_from(RoleState),
    st.one_of(st.none(), st.just("AROAEXAMPLE")),
    st.one_of(st.none(), st.just(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))),
    st.one_of(st.none(), st.text(max_size=5)),
    st.lists(st.just("AROAOLD"), max_size=2).map(tuple),
    st.lists(st.tuples(st.just("k"), st.text(max_size=3)), max_size=2).map(tuple),
)


@settings(max_examples=100, deadline=None)
@given(fields=_FIELDS, given_count=st.integers(min_value=2, max_value=8))
def test_a_role_built_through_its_slots_equals_role(
    fields: tuple[object, ...], given_count: int
) -> None:
    arguments = (MARKETPLACE_PURCHASE_ORDERS, *fields)[:given_count]
    made = new_role(*arguments)  # type: ignore[arg-type]
    expected = Role(*arguments)  # type: ignore[arg-type]
    assert type(made) is Role
    assert made == expected
    assert attrs.astuple(made, recurse=False) == attrs.astuple(expected, recurse=False)


_TASK_FIELDS = st.tuples(
    st.sampled_from(["task/aws-service-role/x/1", "t"]),
    st.sampled_from(["111122223333", "444455556666"]),
    st.sampled_from(["r", "AWSServiceRoleForMarketplacePurchaseOrders"]),
    st.sampled_from(DeletionStatus),
    st.just(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    st.one_of(st.none(), st.just(dt.datetime(2026, 1, 2, tzinfo=dt.UTC))),
    st.one_of(st.none(), st.text(max_size=5)),
    st.lists(st.builds(RoleUsage, st.just("us-east-1"), st.just(("a",))), max_size=2).map(tuple),
)


@settings(max_examples=100, deadline=None)
@given(fields=_TASK_FIELDS, given_count=st.integers(min_value=5, max_value=8))
def test_a_task_built_through_its_slots_equals_deletion_task(
    fields: tuple[object, ...], given_count: int
) -> None:
    arguments = fields[:given_count]
    made = new_task(*arguments)
    expected = DeletionTask(*arguments)  # type: ignore[arg-type]
    assert type(made) is DeletionTask
    assert made == expected
    assert attrs.astuple(made, recurse=False) == attrs.astuple(expected, recurse=False)
