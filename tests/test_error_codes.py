"""Every error code the simulation answers an operation with is one AWS's model lists for that
operation (botocore's IAM and STS models), or one of the few errors any AWS call can return."""

from __future__ import annotations

from collections import defaultdict

import botocore.session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slr_fsm import AwsError, Latencies, Simulation
from slr_fsm.explore import FAULT_MOVE, default_moves, explore, small_world
from slr_fsm.iam_operations import IAM_OPERATIONS
from slr_fsm.testing.strategies import iam_operations, operation_params

COMMON_ERRORS = frozenset(
    {
        "AccessDenied",
        "ValidationError",
        "InvalidClientTokenId",
        "Throttling",
        "IncompleteSignature",
        "InternalFailure",
        "ServiceUnavailable",
        "MissingAuthenticationToken",
        "RequestExpired",
        "SignatureDoesNotMatch",
    }
)
"""AWS's "common errors", which any operation may return
(https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html)."""

_SESSION = botocore.session.get_session()
_MODELS = {"iam": _SESSION.get_service_model("iam"), "sts": _SESSION.get_service_model("sts")}
_NAMES = {op.method: op.name for op in IAM_OPERATIONS}


def modelled_errors(service: str, operation: str) -> frozenset[str]:
    """The error codes botocore's model lists for an operation."""
    shapes = _MODELS[service].operation_model(operation).error_shapes
    return frozenset(shape.error_code or shape.name for shape in shapes)


def assert_codes_allowed(seen: dict[str, set[str]]) -> None:
    wrong = {
        method: sorted(codes - modelled_errors("iam", _NAMES[method]) - COMMON_ERRORS)
        for method, codes in seen.items()
        if method in _NAMES
    }
    wrong = {k: v for k, v in wrong.items() if v}
    assert not wrong, f"codes AWS's model does not list for these operations: {wrong}"


def test_every_simulated_operation_exists_in_botocores_model():
    """The rule can be checked: each simulated IAM operation is in botocore's model."""
    for op in IAM_OPERATIONS:
        assert op.name in _MODELS["iam"].operation_names


def test_every_outcome_of_an_exhaustive_exploration_is_a_modelled_error():
    """Exploring the small world to depth 4 (faults included), no IAM operation answers with a
    code AWS's model does not list for it."""
    world = small_world()
    result = explore(world, depth=4, moves=(*default_moves(world), FAULT_MOVE))
    seen: dict[str, set[str]] = defaultdict(set)
    for _, move, outcome, _ in result.edges:
        if move.face == "iam" and outcome not in ("ok", "idle"):
            seen[move.operation].add(outcome)
    assert seen, "the exploration refused nothing"
    assert_codes_allowed(seen)


def _world(state: str) -> Simulation:
    sim = Simulation.default(seed=1, latencies=Latencies(task_retention=5))
    mgmt = sim.organization.management_account
    if state != "absent":
        sim.marketplace(mgmt).configure_billing_integration()
    if state in ("active", "deleted", "blocked"):
        sim.settle()
    if state in ("deleted", "blocked"):
        if state == "deleted":
            sim.marketplace(mgmt).remove_billing_integration()
        sim.iam(mgmt).delete_service_linked_role(
            RoleName="AWSServiceRoleForMarketplacePurchaseOrders"
        )
        sim.settle()
    return sim


WORLDS = {s: _world(s) for s in ("absent", "creating", "active", "deleted", "blocked")}


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    state=st.sampled_from(sorted(WORLDS)),
    data=st.data(),
    op=iam_operations(),
    principal=st.sampled_from(["admin", "readonly"]),
    account=st.sampled_from(["111122223333", "444455556666", "123456789012"]),
)
def test_random_calls_answer_only_modelled_errors(state, data, op, principal, account):
    """Any IAM call, valid or not, by any principal in any state answers ``ok`` or a code AWS's
    model lists for that operation (or a common error)."""
    sim = WORLDS[state].fork()
    params = data.draw(operation_params(op), label="params")
    try:
        getattr(sim.iam(account, principal), op.method)(**params)
    except AwsError as error:
        assert_codes_allowed({op.method: {error.code}})


def test_assume_role_answers_only_modelled_errors():
    """STS AssumeRole refuses with AccessDenied (common) or a code STS's model lists."""
    sim = WORLDS["active"].fork()
    mgmt = "111122223333"
    arn = sim.role(mgmt).arn
    codes = set()
    for who, params in (
        ("admin", {"RoleArn": arn, "RoleSessionName": "s1"}),
        ("purchase-orders.marketplace.amazonaws.com", {"RoleArn": arn, "RoleSessionName": "x"}),
        ("purchase-orders.marketplace.amazonaws.com",
         {"RoleArn": arn, "RoleSessionName": "s1", "DurationSeconds": 43200}),
        ("admin", {"RoleArn": "arn:aws:iam::111122223333:role/nope", "RoleSessionName": "s1"}),
    ):
        try:
            sim.sts(mgmt, who).assume_role(**params)
        except AwsError as error:
            codes.add(error.code)
    assert codes
    assert not codes - modelled_errors("sts", "AssumeRole") - COMMON_ERRORS, codes
