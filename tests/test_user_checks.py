"""Exploring the user's code: a check of the user's own (an invariant: a function of the world,
or of a step) runs the user's boto3 code against a copy of every reachable state; what it
breaks, raises or lets escape is a shortest counterexample, like a library invariant's."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from slr_fsm import Simulation
from slr_fsm.boto import iam_client
from slr_fsm.explore import default_moves, explore, small_world
from slr_fsm.invariants import Invariant

MANAGEMENT = "111122223333"
ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"
SERVICE = "purchase-orders.marketplace.amazonaws.com"


def management_moves(world: Simulation):
    """The management administrator's moves and the clock."""
    return [
        m
        for m in default_moves(world)
        if m.face == "clock" or (m.account_id == MANAGEMENT and m.principal == "admin")
    ]


def role_arn(iam) -> str:
    """Code under test with a bug: it lets NoSuchEntity escape when there is no role."""
    return iam.get_role(RoleName=ROLE)["Role"]["Arn"]


def ensure_role(iam) -> str:
    """Code under test: make sure the role exists; return its ARN."""
    try:
        return iam.get_role(RoleName=ROLE)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        return iam.create_service_linked_role(AWSServiceName=SERVICE)["Role"]["Arn"]


def role_is_ready(iam) -> bool:
    """Code under test with a bug: a role GetRole shows is taken to be usable."""
    try:
        iam.get_role(RoleName=ROLE)
    except iam.exceptions.NoSuchEntityException:
        return False
    return True


def test_a_client_error_the_code_lets_escape_is_a_counterexample():
    """Code that lets a ClientError escape breaks its check where it first can: at the start
    (no role yet), a zero-step counterexample whose failure names the exception and AWS's
    message; the summary shows it beside the verdict."""

    def role_arn_is_always_readable(world):
        """role_arn() answers in every state."""
        role_arn(iam_client(world))

    result = explore(depth=1, invariants=[role_arn_is_always_readable])
    trace = result.violations["role_arn_is_always_readable"]
    assert trace.steps == ()
    assert trace.failure is not None
    assert trace.failure.startswith(
        "raised NoSuchEntityException: An error occurred (NoSuchEntity) "
        "when calling the GetRole operation: The role with name "
        f"{ROLE} cannot be found."
    )
    assert f"0 steps, breaking role_arn_is_always_readable ({trace.failure})" in result.summary()


def test_a_wrong_answer_of_the_users_code_gets_its_shortest_counterexample():
    """role_is_ready() says yes while the role is still being created: one move (asking for
    the role) breaks the user's assertion, and no shorter sequence exists."""

    def ready_means_usable(world):
        """When role_is_ready() says yes, the service can use the role."""
        if role_is_ready(iam_client(world)):
            assert world.role(MANAGEMENT).state.usable_by_service, "ready, but not usable"

    world = small_world()
    result = explore(world, depth=3, moves=management_moves(world), invariants=[ready_means_usable])
    trace = result.violations["ready_means_usable"]
    assert [s.move.operation for s in trace.steps] in (
        ["create_service_linked_role"],
        ["configure_billing_integration"],
    )
    assert trace.failure == "raised AssertionError: ready, but not usable"
    assert trace.steps[-1].role_states[0] == ("management", "creating")


def test_the_users_code_runs_on_copies_once_per_state():
    """A check whose code changes the world (ensure_role creates the role) changes nothing the
    explorer sees: the same states are found as with no check, and the check ran once for each
    of them, on a world of its own."""
    seen: list[Simulation] = []

    def ensure_role_leaves_a_role(world):
        """After ensure_role(), the role exists."""
        seen.append(world)
        ensure_role(iam_client(world))
        return world.role(MANAGEMENT).exists

    world = small_world()
    moves = management_moves(world)
    checked = explore(world, depth=3, moves=moves, invariants=[ensure_role_leaves_a_role])
    plain = explore(world, depth=3, moves=moves, invariants=[])
    assert checked.violations == {}
    assert (checked.states, checked.edges) == (plain.states, plain.edges)
    assert len(seen) == checked.states
    assert not any(w is checked.world(i) for i, w in enumerate(seen))
    assert not world.role(MANAGEMENT).exists


def test_a_check_of_a_step_runs_the_users_code_after_every_move():
    """A function of a step sees every move (the world before and after, both copies), so
    code comparing the two can be checked across each move."""
    moves_seen = []

    def arn_never_changes(step):
        """A role's ARN is the same before and after any move (re-creation keeps it)."""
        moves_seen.append(step.move)
        before, after = step.before.role(MANAGEMENT), step.after.role(MANAGEMENT)
        if before.exists and after.exists:
            assert ensure_role(iam_client(step.before)) == ensure_role(iam_client(step.after))

    world = small_world()
    result = explore(world, depth=2, moves=management_moves(world), invariants=[arn_never_changes])
    assert result.violations == {}
    assert len(moves_seen) == result.moves_tried


def test_a_library_check_that_raises_is_a_bug_raised_not_a_counterexample():
    """Only the user's checks turn an unexpected exception into a counterexample: a check
    registered as the library's (it forks on its own) that raises is a bug in slr_fsm."""

    def broken(world):
        raise KeyError("bug")

    with pytest.raises(KeyError):
        explore(depth=0, invariants=[Invariant("broken", broken, forks_itself=True)])


def test_a_counterexample_of_the_users_code_replays_as_a_test():
    """The trace of a user's check exports with that check (written out: it is local to this
    test; the code it calls imported or written out, as this module imports from elsewhere or
    not) and, run, fails as it did in the explorer."""

    def role_arn_is_always_readable(world):
        role_arn(iam_client(world))

    trace = explore(depth=0, invariants=[role_arn_is_always_readable]).violations[
        "role_arn_is_always_readable"
    ]
    source = trace.to_pytest("test_role_arn")
    assert "def role_arn_is_always_readable(world):" in source
    assert "role_arn(iam_client(world))" in source
    assert "from slr_fsm.boto import iam_client" in source
    namespace: dict[str, object] = {}
    exec(compile(source, "generated.py", "exec"), namespace)
    with pytest.raises(ClientError, match="NoSuchEntity"):
        namespace["test_role_arn"]()  # type: ignore[operator]
