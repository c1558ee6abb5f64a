"""The simulation against the independent reference model, call by call and tick by tick."""

from __future__ import annotations

import random
from typing import Any

import pytest

from slr_fsm import Latencies, Simulation
from tests.reference_model import (
    CONSOLE_OPS,
    IAM_OPS,
    ReferenceModel,
    check_agreement,
    run_and_compare,
)
from tests.reference_policies import POLICY_ARN

ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"
SERVICE = "purchase-orders.marketplace.amazonaws.com"
MGMT, MEMBER_A, MEMBER_B, STANDALONE = (
    "111122223333",
    "444455556666",
    "777788889999",
    "123456789012",
)
POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
UNKNOWN_TASK = f"task/aws-service-role/{SERVICE}/{ROLE}/00000000-0000-4000-8000-000000000000"


def world(seed: int = 0, latencies: Latencies | None = None) -> tuple[Simulation, ReferenceModel]:
    """The default world, a principal "nobody" without policies in each account, and its model."""
    sim = Simulation.default(seed=seed, latencies=latencies)
    model = ReferenceModel.mirror(sim)
    for account in model.accounts:
        sim.add_principal(account, "nobody")
        model.add_principal(account, "nobody")
    return sim, model


def step(
    sim: Simulation,
    model: ReferenceModel,
    op: str,
    account: str,
    principal: str = "admin",
    **params: Any,
) -> Any:
    """One call on both, compared, then every piece of state compared."""
    response = run_and_compare(sim, model, op, account, principal, params)
    check_agreement(sim, model)
    return response


def tick(sim: Simulation, model: ReferenceModel, seconds: float | None = None) -> None:
    """Advance both clocks (or settle both when ``seconds`` is None), then compare."""
    if seconds is None:
        sim.settle()
        model.settle()
    else:
        sim.advance(seconds)
        model.advance(seconds)
    check_agreement(sim, model)


def subscription(sim: Simulation, account: str, region: str = "us-east-1") -> str:
    return next(s.subscription_id for s in sim.subscriptions_of(account) if s.region == region)


def test_readme_story_matches_model_at_every_step() -> None:
    """The README's story gives, at each step, the outcome and state the model predicts."""
    sim, model = world()
    assert model.expect("configure_billing_integration", MEMBER_A, "admin", {}) == "AccessDenied"
    step(sim, model, "configure_billing_integration", MEMBER_A)
    step(sim, model, "configure_billing_integration", MGMT)
    assert model.role_state(MGMT) == "creating"
    tick(sim, model, 10)
    assert model.role_state(MGMT) == "active"
    step(
        sim,
        model,
        "update_role_description",
        MGMT,
        RoleName=ROLE,
        Description="POs for the organization",
    )
    assert (
        model.expect("attach_role_policy", MGMT, "admin", {"RoleName": ROLE, "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
        == "UnmodifiableEntity"
    )
    step(
        sim,
        model,
        "attach_role_policy",
        MGMT,
        RoleName=ROLE,
        PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess",
    )
    sub = subscription(sim, MEMBER_A)
    step(sim, model, "attach_purchase_order", MEMBER_A, subscription_id=sub, po_number="PO-42")
    task = step(sim, model, "delete_service_linked_role", MGMT, RoleName=ROLE)["DeletionTaskId"]
    tick(sim, model)
    assert model.task_status(task) == "FAILED"
    assert [region for region, _ in model.tasks[task].usage] == ["us-east-1", "us-east-1"]
    assert model.role_state(MGMT) == "deleting_blocked"
    step(sim, model, "get_service_linked_role_deletion_status", MGMT, DeletionTaskId=task)
    step(sim, model, "detach_purchase_order", MEMBER_A, subscription_id=sub, po_number="PO-42")
    step(sim, model, "remove_billing_integration", MGMT)
    task = step(sim, model, "delete_service_linked_role", MGMT, RoleName=ROLE)["DeletionTaskId"]
    tick(sim, model)
    assert model.task_status(task) == "SUCCEEDED"
    assert model.role_state(MGMT) == "deleted"
    step(sim, model, "get_role", MGMT, RoleName=ROLE)
    step(sim, model, "configure_billing_integration", MGMT)
    tick(sim, model)
    assert model.role_state(MGMT) == "active"
    assert len(model.role_ids(MGMT)) == 2


def test_deletion_task_goes_not_started_in_progress_then_finishes_on_time() -> None:
    """A deletion task is NOT_STARTED, IN_PROGRESS after 2 s, and finished after 8 s more."""
    sim, model = world()
    step(sim, model, "create_service_linked_role", MEMBER_B, AWSServiceName=SERVICE)
    tick(sim, model, 10)
    task = step(sim, model, "delete_service_linked_role", MEMBER_B, RoleName=ROLE)["DeletionTaskId"]
    for seconds, status in (
        (1.9, "NOT_STARTED"),
        (0.1, "IN_PROGRESS"),
        (7.9, "IN_PROGRESS"),
        (0.1, "SUCCEEDED"),
    ):
        tick(sim, model, seconds)
        assert model.task_status(task) == status


def test_second_deletion_request_returns_the_open_task() -> None:
    """DeleteServiceLinkedRole while a task is unfinished answers with that task's id."""
    sim, model = world()
    step(sim, model, "create_service_linked_role", STANDALONE, AWSServiceName=SERVICE)
    tick(sim, model)
    first = step(sim, model, "delete_service_linked_role", STANDALONE, RoleName=ROLE)
    tick(sim, model, 3)
    second = step(sim, model, "delete_service_linked_role", STANDALONE, RoleName=ROLE)
    assert first == second


def test_recreated_role_has_new_role_id() -> None:
    """Deleting and re-creating the role gives a RoleId the role never had before."""
    sim, model = world()
    for _ in range(3):
        step(sim, model, "create_service_linked_role", MEMBER_A, AWSServiceName=SERVICE)
        tick(sim, model)
        step(sim, model, "delete_service_linked_role", MEMBER_A, RoleName=ROLE)
        tick(sim, model)
    assert len(model.role_ids(MEMBER_A)) == 3


def test_creation_failure_leaves_role_absent_and_integration_off() -> None:
    """An injected creation failure ends in `absent` and turns the pending integration off."""
    sim, model = world()
    sim.inject_creation_failure(1)
    model.inject_creation_failure(1)
    step(sim, model, "configure_billing_integration", STANDALONE)
    assert model.integration_configured(STANDALONE)
    tick(sim, model)
    assert model.role_state(STANDALONE) == "absent"
    assert not model.integration_configured(STANDALONE)
    step(
        sim,
        model,
        "attach_purchase_order",
        STANDALONE,
        subscription_id=subscription(sim, STANDALONE),
        po_number="PO-1",
    )


def test_purchase_orders_left_after_integration_removal_still_block_deletion() -> None:
    """With the integration removed, a member's attached purchase order still fails the deletion."""
    sim, model = world()
    step(sim, model, "configure_billing_integration", MGMT)
    tick(sim, model)
    sub = subscription(sim, MEMBER_B, "eu-west-1")
    step(sim, model, "attach_purchase_order", MEMBER_B, subscription_id=sub, po_number="PO-7")
    step(sim, model, "remove_billing_integration", MGMT)
    task = step(sim, model, "delete_service_linked_role", MGMT, RoleName=ROLE)["DeletionTaskId"]
    tick(sim, model)
    assert model.task_status(task) == "FAILED"
    assert [region for region, _ in model.tasks[task].usage] == ["eu-west-1"]


EDGE_CASES = (
    # (operation, account, principal, params, outcome): readings of the README pinned one by one.
    ("configure_billing_integration", MEMBER_A, "nobody", {}, "AccessDenied"),
    ("remove_billing_integration", MEMBER_A, "admin", {}, "AccessDenied"),
    ("configure_billing_integration", MGMT, "admin", {}, "ok"),  # idempotent
    (
        "attach_purchase_order",
        MEMBER_A,
        "admin",
        {"subscription_id": "SUB_A", "po_number": "PO-1"},
        "ConflictException",
    ),  # already attached
    (
        "attach_purchase_order",
        MGMT,
        "admin",
        {"subscription_id": "SUB_A", "po_number": "PO-2"},
        "ResourceNotFoundException",
    ),  # another account's subscription
    (
        "attach_purchase_order",
        MEMBER_B,
        "admin",
        {"subscription_id": "SUB_B", "po_number": "P" * 51},
        "ValidationError",
    ),
    (
        "attach_purchase_order",
        MEMBER_B,
        "admin",
        {"subscription_id": "SUB_B", "po_number": "PO 9/#._"},
        "ok",
    ),  # served by the management account's role, whatever B's own role is doing
    (
        "detach_purchase_order",
        MEMBER_A,
        "admin",
        {"subscription_id": "SUB_A", "po_number": "PO-3"},
        "ResourceNotFoundException",
    ),
    (
        "get_service_linked_role_deletion_status",
        MGMT,
        "nobody",
        {"DeletionTaskId": "not-a-task"},
        "InvalidInput",
    ),  # parameters before permissions
    ("get_service_linked_role_deletion_status", MGMT, "readonly", {"DeletionTaskId": "TASK"}, "ok"),
    (
        "get_service_linked_role_deletion_status",
        MEMBER_A,
        "admin",
        {"DeletionTaskId": "TASK"},
        "NoSuchEntity",
    ),  # another account's task
    (
        "get_service_linked_role_deletion_status",
        MGMT,
        "admin",
        {"DeletionTaskId": UNKNOWN_TASK},
        "NoSuchEntity",
    ),
    (
        "create_service_linked_role",
        MGMT,
        "nobody",
        {"AWSServiceName": SERVICE, "CustomSuffix": "x"},
        "InvalidInput",
    ),  # suffix before permissions
    ("create_service_linked_role", MGMT, "admin", {"AWSServiceName": SERVICE}, "InvalidInput"),
    (
        "create_service_linked_role",
        MGMT,
        "admin",
        {"AWSServiceName": SERVICE, "Bogus": 1},
        "ValidationError",
    ),
    (
        "update_role",
        MEMBER_B,
        "admin",
        {"RoleName": ROLE, "MaxSessionDuration": 7200},
        "UnmodifiableEntity",
    ),  # protected even while creating
    (
        "update_role_description",
        MEMBER_B,
        "admin",
        {"RoleName": ROLE, "Description": "d"},
        "ok",
    ),
    ("delete_service_linked_role", MEMBER_B, "admin", {"RoleName": ROLE}, "ok"),
    ("delete_role", MEMBER_B, "admin", {"RoleName": ROLE}, "UnmodifiableEntity"),
    ("delete_role", MEMBER_B, "readonly", {"RoleName": ROLE}, "AccessDenied"),
    ("get_role", MEMBER_B, "readonly", {"RoleName": ROLE.lower()}, "ok"),
    ("get_role", STANDALONE, "admin", {"RoleName": ROLE}, "NoSuchEntity"),
    (
        "put_role_policy",
        STANDALONE,
        "admin",
        {"RoleName": ROLE, "PolicyName": "p", "PolicyDocument": POLICY},
        "NoSuchEntity",
    ),
    ("subscriptions", MEMBER_A, "readonly", {}, "ok"),
    ("subscriptions", MEMBER_A, "nobody", {}, "AccessDenied"),
    ("remove_billing_integration", MGMT, "readonly", {}, "AccessDenied"),
    ("remove_billing_integration", MGMT, "admin", {}, "ok"),
    ("remove_billing_integration", MGMT, "admin", {}, "ConflictException"),
    (
        "attach_purchase_order",
        MEMBER_A,
        "admin",
        {"subscription_id": "SUB_A", "po_number": "PO-2"},
        "ConflictException",
    ),  # support is off
    (
        "detach_purchase_order",
        MEMBER_A,
        "admin",
        {"subscription_id": "SUB_A", "po_number": "PO-1"},
        "ok",
    ),  # clean-up is always possible
    ("delete_service_linked_role", MGMT, "admin", {"RoleName": ROLE}, "ok"),  # the open task again
    ("get_role", MGMT, "ghost", {"RoleName": ROLE}, "InvalidClientTokenId"),
)


def test_edge_cases_follow_the_readme_order_of_checks() -> None:
    """Each pinned edge case gives the documented outcome in both the model and the simulation."""
    sim, model = world()
    step(sim, model, "configure_billing_integration", MGMT)
    tick(sim, model)
    sub_a, sub_b = subscription(sim, MEMBER_A), subscription(sim, MEMBER_B, "eu-west-1")
    step(sim, model, "attach_purchase_order", MEMBER_A, subscription_id=sub_a, po_number="PO-1")
    task = step(sim, model, "delete_service_linked_role", MGMT, RoleName=ROLE)["DeletionTaskId"]
    step(sim, model, "create_service_linked_role", MEMBER_B, AWSServiceName=SERVICE)
    names = {"SUB_A": sub_a, "SUB_B": sub_b, "TASK": task}
    for op, account, principal, params, outcome in EDGE_CASES:
        params = {k: names.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
        assert model.expect(op, account, principal, params) == outcome, (
            op,
            account,
            principal,
            params,
        )
        step(sim, model, op, account, principal, **params)
    tick(sim, model)
    assert model.task_status(task) == "FAILED"  # B's purchase order is still attached
    assert [region for region, _ in model.tasks[task].usage] == ["eu-west-1"]
    assert model.role_state(MGMT) == "deleting_blocked"
    assert model.role_state(MEMBER_B) == "deleted"  # its deletion was asked for while creating


# ---- the pseudo-random walk -------------------------------------------------------------------

ROLE_NAMES = (*[ROLE] * 12, ROLE.lower(), "SomeOtherRole", "", "bad name")
PO_NUMBERS = (*["PO-1", "PO-2", "PO 3/#._"] * 4, "", "bad*po", "P" * 51)
PRINCIPALS = (*["admin"] * 16, *["readonly", "nobody"] * 2, "ghost")  # ghost: not in the world


def random_params(
    rng: random.Random, op: str, account: str, sim: Simulation, model: ReferenceModel
) -> dict[str, Any]:
    """Parameters for ``op`` from tiny pools, mostly valid, sometimes not."""
    name = rng.choice(ROLE_NAMES)
    if op in CONSOLE_OPS:
        if op not in ("attach_purchase_order", "detach_purchase_order"):
            return {}
        own = [s.subscription_id for s in sim.subscriptions_of(account)]
        pool = [*own * 5, rng.choice(sim.subscriptions).subscription_id, "agmt-unknown"]
        return {"subscription_id": rng.choice(pool), "po_number": rng.choice(PO_NUMBERS)}
    by_op: dict[str, dict[str, Any]] = {
        "create_service_linked_role": rng.choice(
            [
                *[{"AWSServiceName": SERVICE}] * 5,
                {"AWSServiceName": SERVICE, "Description": "made by IAM"},
                {"AWSServiceName": SERVICE, "CustomSuffix": "x"},
                {"AWSServiceName": "nosuch.amazonaws.com"},
                {"AWSServiceName": SERVICE, "Bogus": 1},
                {},
            ]
        ),
        "get_service_linked_role_deletion_status": {
            "DeletionTaskId": rng.choice([*model.tasks, *model.tasks, UNKNOWN_TASK, "not-a-task"])
        },
        "update_role_description": {
            "RoleName": name,
            "Description": rng.choice(["POs", "POs", "", "x" * 1001]),
        },
        "update_role": rng.choice(
            [
                {"RoleName": name, "Description": "via UpdateRole"},
                {"RoleName": name, "Description": "via UpdateRole"},
                {"RoleName": name, "MaxSessionDuration": 7200},
                {"RoleName": name, "MaxSessionDuration": 3600},  # even the current value
                {"RoleName": name, "MaxSessionDuration": 60},
                {"RoleName": name},
            ]
        ),
        "list_roles": rng.choice([{}, {"PathPrefix": "/aws-service-role/"}]),
        "update_assume_role_policy": {"RoleName": name, "PolicyDocument": POLICY},
        "attach_role_policy": {
            "RoleName": name,
            "PolicyArn": rng.choice(["arn:aws:iam::aws:policy/AdministratorAccess", POLICY_ARN]),
        },
        **extra_params(rng, name, account),
        "detach_role_policy": {
            "RoleName": name,
            "PolicyArn": "arn:aws:iam::aws:policy/aws-service-role/AWSMarketplacePurchaseOrdersServiceRolePolicy",
        },
        "put_role_policy": {"RoleName": name, "PolicyName": "inline", "PolicyDocument": POLICY},
        "delete_role_policy": {"RoleName": name, "PolicyName": "inline"},
        "put_role_permissions_boundary": {
            "RoleName": name,
            "PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess",
        },
    }
    return by_op.get(op, {"RoleName": name})


TAG_KEYS = ("team", "env", "Cost Center", *(f"k{n}" for n in range(60)))
CUSTOMER_POLICY = "arn:aws:iam::123456789012:policy/extra"


def extra_params(rng: random.Random, name: str, account: str) -> dict[str, dict[str, Any]]:
    """Parameters for tags, managed policies and SimulatePrincipalPolicy, mostly valid."""
    policy = rng.choice([POLICY_ARN, POLICY_ARN, CUSTOMER_POLICY, "arn:aws:iam::aws:policy"])
    tags = [{"Key": k, "Value": rng.choice(["", "a", "b c"])}
            for k in rng.sample(TAG_KEYS, rng.choice([1, 2, 20, 30]))]
    tags = rng.choice([tags, tags, tags, [{"Key": "TEAM", "Value": "x"}],  # replaces "team"
                       [{"Key": "a", "Value": ""}, {"Key": "A", "Value": ""}],
                       [{"Key": "aws:x", "Value": ""}], [{"Key": "bad!", "Value": ""}]])
    source = rng.choice([f"arn:aws:iam::{account}:user/{user}" for user in
                         ("admin", "admin", "readonly", "nobody", "ghost")]
                        + ["arn:aws:iam::999988887777:user/admin", "not-an-arn-at-all-really"])
    context = rng.choice([[], [], [{"ContextKeyName": "iam:AWSServiceName",
                                    "ContextKeyValues": [SERVICE], "ContextKeyType": "string"}],
                          [{"ContextKeyName": "aws:username", "ContextKeyValues": ["x"]}]])
    simulate: dict[str, Any] = {"PolicySourceArn": source, "ActionNames": rng.sample(
        ["iam:GetRole", "iam:TagRole", "purchase-orders:ViewPurchaseOrders", "sts:AssumeRole"],
        rng.randint(1, 3))}
    for key, value in (("ContextEntries", context), ("ResourceArns", ["*", POLICY_ARN]),
                       ("MaxItems", 2), ("Marker", rng.choice(["1", "x"]))):
        if rng.random() < 0.3:
            simulate[key] = value
    return {
        "tag_role": {"RoleName": name, "Tags": tags},
        "untag_role": {"RoleName": name, "TagKeys": [k.upper() if rng.random() < 0.2 else k
                                                     for k in rng.sample(TAG_KEYS, rng.randint(1, 9))]},
        "list_role_tags": rng.choice([{"RoleName": name}, {"RoleName": name, "MaxItems": 2}]),
        "get_policy": {"PolicyArn": policy},
        "get_policy_version": {"PolicyArn": policy, "VersionId": rng.choice(["v1", "v2", "v1.a"])},
        "attach_user_policy": {"UserName": rng.choice(["admin", "nobody", "ghost"]),
                               "PolicyArn": rng.choice([POLICY_ARN, CUSTOMER_POLICY])},
        "attach_group_policy": {"GroupName": "admins", "PolicyArn": policy},
        "simulate_principal_policy": simulate,
    }


OPS = (
    *IAM_OPS,
    *["tag_role", "untag_role"] * 2,
    "create_service_linked_role",
    "delete_service_linked_role",
    "delete_service_linked_role",
    "get_service_linked_role_deletion_status",
    "update_role_description",
    *CONSOLE_OPS,
    *CONSOLE_OPS,
    *["create_service_linked_role", "delete_service_linked_role"] * 3,
    *["configure_billing_integration", "remove_billing_integration"] * 2,
    *["attach_purchase_order", "detach_purchase_order"] * 4,
)


def walk(seed: int, steps: int, latencies: Latencies | None = None) -> None:
    """Random calls, clock steps and faults on the simulation and the model, compared each step."""
    rng = random.Random(seed)
    sim, model = world(seed, latencies)
    for _ in range(steps):
        roll = rng.random()
        if roll < 0.12:
            tick(sim, model, rng.choice([1, 2, 5, 8, 10]))
        elif roll < 0.16:
            tick(sim, model)
        elif roll < 0.18 and "creating" not in map(model.role_state, model.accounts):
            # Only between creations. README decision 5 does not say whether a fault injected
            # while a creation is under way fails that creation (the model: yes, it is judged
            # when creation finishes) or the next one requested (the simulation today).
            sim.inject_creation_failure(1)
            model.inject_creation_failure(1)
        elif roll < 0.19:
            mode = rng.choice(["all", "some", "none"])
            sim.set_usage_reporting(mode)
            model.set_usage_reporting(mode)
        else:
            op, account = rng.choice(OPS), rng.choice(model.accounts)
            principal = rng.choice(PRINCIPALS)
            step(sim, model, op, account, principal, **random_params(rng, op, account, sim, model))


@pytest.mark.parametrize("seed", range(32))
def test_random_walk_agrees_with_model(seed: int) -> None:
    """Hundreds of random calls and clock steps give the model's outcome and state every time."""
    walk(seed, 800)


OTHER_LATENCIES = {
    "instant-creation-purged-tasks": Latencies(
        creation=0, deletion_start=1, deletion_run=4, task_retention=6
    ),
    "instant-deletion": Latencies(creation=3, deletion_start=0, deletion_run=0),
}


@pytest.mark.parametrize("latencies", OTHER_LATENCIES.values(), ids=OTHER_LATENCIES.keys())
@pytest.mark.parametrize("seed", range(6))
def test_random_walk_agrees_with_model_under_other_latencies(
    seed: int, latencies: Latencies
) -> None:
    """With zero latencies or purged tasks the simulation still follows the model."""
    walk(seed, 600, latencies)
