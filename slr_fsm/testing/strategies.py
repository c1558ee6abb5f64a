"""Hypothesis strategies for simulated AWS: accounts, principals, policies, operations, parameters.

Parameter strategies are derived from the operations' own parameter specs
(:data:`slr_fsm.iam.IAM_OPERATIONS`), so valid values respect AWS's lengths and patterns and
invalid ones break exactly one of them.

>>> from hypothesis import given
>>> from slr_fsm.iam import IAM_OPERATIONS
>>> get_role = next(op for op in IAM_OPERATIONS if op.name == "GetRole")
>>> @given(operation_params(get_role, valid_only=True))
... def test(params):
...     assert set(params) == {"RoleName"}
>>> test()
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from slr_fsm.iam_operations import IAM_OPERATIONS, IamOperation
from slr_fsm.lifecycle import TRANSITIONS, Cause
from slr_fsm.marketplace import CONSOLE_OPERATIONS
from slr_fsm.moves import caller_user_marker, default_moves, well_formed_params
from slr_fsm.simulation import Simulation
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS, RoleSpec
from slr_fsm.validation import Param
from slr_fsm.world import World

__all__ = [
    "CALLER_TRIGGERS",
    "account_ids",
    "console_operations",
    "iam_operation_names",
    "iam_operations",
    "identity_policies",
    "invalid_value",
    "move_sequences",
    "operation_params",
    "principal_names",
    "valid_params",
    "valid_values",
]

CALLER_TRIGGERS = frozenset(r.trigger for r in TRANSITIONS if r.cause is Cause.CALLER)
"""The lifecycle triggers a caller fires (the rest are fired by the clock)."""

_TRUST_FOR_ANYONE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
)


def account_ids(world: World) -> st.SearchStrategy[str]:
    """Ids of the world's accounts (management first: hypothesis shrinks towards it)."""
    return st.sampled_from([a.account_id for a in world.accounts])


def principal_names(names: Sequence[str] = ("admin", "readonly")) -> st.SearchStrategy[str]:
    """Principal names present in every account of a default world (plus any you add)."""
    return st.sampled_from(list(names))


def _operations(protected: bool | None) -> list[IamOperation]:
    return [op for op in IAM_OPERATIONS if protected is None or op.protected == protected]


@st.composite
def iam_operations(draw: st.DrawFn, *, protected: bool | None = None) -> IamOperation:
    """IAM operations the simulation answers; ``protected`` filters on always-refused ones.

    (A composite, so that the strategy prints as ``iam_operations()``, not as every operation
    it holds, in hypothesis's statistics.)
    """
    return draw(st.sampled_from(_operations(protected)), label="operation")


@st.composite
def iam_operation_names(draw: st.DrawFn, *, protected: bool | None = None) -> str:
    """The boto3 names (``"get_role"``) of the IAM operations :func:`iam_operations` draws,
    for a rule whose printed steps should name the operation, not show its whole table row.

    >>> from hypothesis import given
    >>> from slr_fsm.iam_operations import IAM_OPERATIONS_BY_METHOD
    >>> @given(iam_operation_names())
    ... def test(name):
    ...     assert name in IAM_OPERATIONS_BY_METHOD
    >>> test()
    """
    return draw(st.sampled_from([op.method for op in _operations(protected)]), label="operation")


def console_operations() -> st.SearchStrategy[str]:
    """The Marketplace console's operation names."""
    return st.sampled_from(sorted(CONSOLE_OPERATIONS))


def valid_values(
    param: Param, spec: RoleSpec = MARKETPLACE_PURCHASE_ORDERS
) -> st.SearchStrategy[Any]:
    """Values AWS accepts for a parameter, pointed at the spec's role where that matters.

    None of them asks for what the simulation does not hold (an AWS managed policy no simulated
    role uses, a policy version before the default): every call they make is answered, with a
    response or an AWS error. A PolicySourceArn is a :func:`~slr_fsm.moves.caller_user_marker`,
    which :func:`~slr_fsm.moves.resolve_params` turns into the calling account's user (as the
    state machine does); unresolved, it is an invalid ARN (InvalidInput).
    """
    tag_keys = st.sampled_from(["team", "Team", "env", "slr-fsm", "Cost Center"])
    by_name: dict[str, st.SearchStrategy[Any]] = {
        "AWSServiceName": st.just(spec.service_principal),
        "RoleName": st.sampled_from([spec.role_name, spec.role_name.lower()]),
        "Description": st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
        "CustomSuffix": st.just("suffix"),
        "DeletionTaskId": st.uuids(version=4).map(lambda u: f"{spec.deletion_task_prefix()}{u}"),
        "PolicyDocument": st.just(_TRUST_FOR_ANYONE),
        "PolicyArn": st.sampled_from(  # the world holds no customer managed policy
            [spec.managed_policy_arn, "arn:aws:iam::123456789012:policy/extra"]
        ),
        "VersionId": st.sampled_from([spec.managed_policy_version, "v99"]),
        "UserName": st.sampled_from(["admin", "readonly", "nobody", "ghost"]),
        "GroupName": st.just("admins"),
        "Tags": st.lists(
            st.fixed_dictionaries({"Key": tag_keys, "Value": st.sampled_from(["", "a", "b c"])}),
            max_size=3,
            unique_by=lambda tag: tag["Key"].lower(),
        ),
        "TagKeys": st.lists(tag_keys, max_size=3),
        "PolicySourceArn": st.sampled_from(
            [caller_user_marker(name) for name in ("admin", "readonly", "nobody", "ghost")]
        ),
        "ActionNames": st.lists(
            st.sampled_from(
                ["iam:GetRole", "iam:DeleteRole", "iam:CreateServiceLinkedRole", "sts:AssumeRole"]
            ),
            min_size=1,
            max_size=3,
        ),
        "ResourceArns": st.lists(
            st.sampled_from(["*", spec.role_arn("111122223333"), spec.managed_policy_arn]),
            min_size=1,
            max_size=2,
        ),
        "ContextEntries": st.lists(
            st.just(
                {
                    "ContextKeyName": "iam:AWSServiceName",
                    "ContextKeyValues": [spec.service_principal],
                    "ContextKeyType": "string",
                }
            ),
            max_size=1,
        ),
        "PolicyName": st.just("extra"),
        "PermissionsBoundary": st.just("arn:aws:iam::aws:policy/ReadOnlyAccess"),
        "MaxSessionDuration": st.integers(3600, 43200),
        "MaxSigninSessionDuration": st.integers(3600, 7776000),
        "ResetMaxSigninSessionDuration": st.booleans(),
        "PathPrefix": st.sampled_from(["/", spec.path, "/other/"]),
        "Marker": st.just(spec.role_name),
        "MaxItems": st.integers(1, 1000),
    }
    return by_name.get(param.name, st.just("x" * max(param.min_length, 1)))


def invalid_value(param: Param) -> st.SearchStrategy[Any]:
    """Values that break one of the parameter's constraints (type, length, pattern, range)."""
    options: list[Any] = [12345 if param.kind is str else "not-a-number", None]
    if param.kind is str:
        if param.max_length is not None:
            options.append("x" * (param.max_length + 1))
        if param.min_length > 0:
            options.append("")
        if param.pattern is not None:
            options.append("bad name!")
    else:
        if param.min_value is not None:
            options.append(param.min_value - 1)
        if param.max_value is not None:
            options.append(param.max_value + 1)
    return st.sampled_from(options)


valid_params = well_formed_params
"""The simplest well-formed request (:func:`slr_fsm.moves.well_formed_params`, the one
vocabulary the explorer and the state machine share)."""


@st.composite
def operation_params(
    draw: st.DrawFn,
    op: IamOperation,
    *,
    spec: RoleSpec = MARKETPLACE_PURCHASE_ORDERS,
    task_ids: st.SearchStrategy[str] | None = None,
    valid_only: bool = False,
) -> dict[str, Any]:
    """Keyword arguments for an IAM operation: required ones present, optional ones sometimes
    (never those the simulation does not honour, ``op.unsimulated``, not even broken: they
    are a RequestNotSimulated UsageError, not AWS's answer), and (unless ``valid_only``) now
    and then one value that breaks its constraint."""
    params: dict[str, Any] = {}
    for param in op.params:
        if param.name in op.unsimulated:  # refused with a UsageError: not AWS's answer
            continue
        if not param.required and not draw(st.booleans(), label=f"give {param.name}"):
            continue
        use_tasks = param.name == "DeletionTaskId" and task_ids is not None
        values = task_ids if use_tasks and task_ids is not None else valid_values(param, spec)
        params[param.name] = draw(values, label=param.name)
    breakable = [p for p in op.params if p.name not in op.unsimulated]
    if not valid_only and breakable and draw(st.integers(0, 9), label="break one") == 0:
        param = draw(st.sampled_from(breakable), label="broken parameter")
        params[param.name] = draw(invalid_value(param), label=f"invalid {param.name}")
    return params


@st.composite
def identity_policies(draw: st.DrawFn) -> dict[str, Any]:
    """Identity policies over the simulated actions: Allow or Deny, exact or wildcard actions,
    any resource or the role's, sometimes a condition on ``iam:AWSServiceName``."""
    actions = [op.action for op in IAM_OPERATIONS] + sorted(set(CONSOLE_OPERATIONS.values()))
    statements = []
    for _ in range(draw(st.integers(1, 3), label="statements")):
        action = draw(st.sampled_from([*actions, "iam:*", "iam:Get*", "*"]), label="action")
        statement: dict[str, Any] = {
            "Effect": draw(st.sampled_from(["Allow", "Deny"]), label="effect"),
            "Action": action,
            "Resource": draw(
                st.sampled_from(["*", "arn:aws:iam::*:role/aws-service-role/*"]), label="resource"
            ),
        }
        if draw(st.booleans(), label="condition"):
            statement["Condition"] = {
                "StringLike": {
                    "iam:AWSServiceName": draw(
                        st.sampled_from(
                            [
                                MARKETPLACE_PURCHASE_ORDERS.service_principal,
                                "*.amazonaws.com",
                                "ec2.amazonaws.com",
                            ]
                        ),
                        label="service",
                    )
                }
            }
        statements.append(statement)
    return {"Version": "2012-10-17", "Statement": statements}


def move_sequences(world: Simulation, *, max_size: int = 12) -> st.SearchStrategy[list[Any]]:
    """Lists of explorer moves (:func:`slr_fsm.moves.default_moves`) for ``world``: the same
    moves a counterexample trace is made of, so ``@example(list(trace.moves))`` pins one.

    >>> from hypothesis import given
    >>> from slr_fsm.moves import small_world
    >>> @given(move_sequences(small_world(), max_size=3))
    ... def test(moves):
    ...     assert len(moves) <= 3
    >>> test()
    """
    return st.lists(st.sampled_from(default_moves(world)), max_size=max_size)
