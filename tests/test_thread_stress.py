"""Threads under stress (``sys.setswitchinterval`` at its smallest): one simulation shared by
many threads through bridged IAM, STS and Organizations clients, with hostile requests,
readers, forks and the clock mixed in; and separate simulations driven in parallel by the
hostile-input suite. Each is compared with a sequential replay.

What ``tests/test_threads.py`` already proves (the IAM and console log replays to the same
world, distinct RequestIds, the lifecycle under concurrent fires) and what
``tests/test_sealed.py`` proves (overlapping ``simulated_boto3`` blocks) is not repeated here.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from slr_fsm import AwsError, Simulation
from slr_fsm.boto import iam_client, organizations_client, sts_client
from slr_fsm.trace import replay_log
from tests.conftest import MANAGEMENT, MEMBER, ROLE, STANDALONE
from tests.test_hostile_input import WORLDS, draw_input, make_call, world
from tests.test_threads import run_threads

pytestmark = pytest.mark.usefixtures("fast_switching")

THREADS = 8
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def outcome_of(call: Callable[[], Any]) -> str:
    """``ok``, or the error code a bridged client or a face answered with."""
    try:
        call()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    except AwsError as error:
        return error.code
    return "ok"


# ------------------------------------------------------------------------------ one shared world

ACCOUNTS = (MANAGEMENT, MEMBER, STANDALONE)


def shared_world() -> Simulation:
    """The default world with the role active, and one IAM user per worker (``worker<n>``,
    allowed everything), so that each worker's attempts can be told apart in the log."""
    sim = Simulation.default(seed=5)
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    sim.settle()
    for n in range(THREADS):
        sim.add_principal(ACCOUNTS[n % len(ACCOUNTS)], f"worker{n}", [ALLOW_ALL])
    return sim


def worker(sim: Simulation, n: int, steps: int) -> Callable[[], list[tuple[str, str]]]:
    """Worker ``n``: ``steps`` calls drawn from its own seed through bridged IAM, STS and
    Organizations clients and the console as ``worker<n>``, hostile requests among them, and
    clock moves, snapshots and forks. Clients are built here, before any thread starts.
    Returns each face call it made and the outcome it saw, in order."""
    account = ACCOUNTS[n % len(ACCOUNTS)]
    user = f"worker{n}"
    iam = iam_client(sim, account, user)
    sts = sts_client(sim, account, user)
    orgs = organizations_client(sim, account, user)
    console = sim.marketplace(account, user)
    role_arn = sim.role(MANAGEMENT).arn
    subscription = sim.subscriptions_of(account)[0].subscription_id
    calls: dict[str, Callable[[], Any]] = {
        "get_role": lambda: iam.get_role(RoleName=ROLE),
        "update_role_description": lambda: iam.update_role_description(
            RoleName=ROLE, Description=f"edited by {user}"
        ),
        "tag_role": lambda: iam.tag_role(RoleName=ROLE, Tags=[{"Key": user, "Value": "x"}]),
        "untag_role": lambda: iam.untag_role(RoleName=ROLE, TagKeys=[user]),
        "list_roles": lambda: iam.list_roles(PathPrefix="/aws-service-role/"),
        "create_service_linked_role": lambda: iam.create_service_linked_role(
            AWSServiceName="purchase-orders.marketplace.amazonaws.com"
        ),
        "delete_service_linked_role": lambda: iam.delete_service_linked_role(RoleName=ROLE),
        "assume_role": lambda: sts.assume_role(RoleArn=role_arn, RoleSessionName=user),
        "get_caller_identity": sts.get_caller_identity,
        "describe_organization": orgs.describe_organization,
        "list_accounts": orgs.list_accounts,
        "attach_purchase_order": lambda: console.attach_purchase_order(subscription, "PO-7"),
        "detach_purchase_order": lambda: console.detach_purchase_order(subscription, "PO-7"),
        "configure_billing_integration": console.configure_billing_integration,
        "remove_billing_integration": console.remove_billing_integration,
    }
    hostile: dict[str, Callable[[], Any]] = {  # refused: their values survive being logged
        "get_role": lambda: iam.get_role(RoleName="x" * 5000),
        "list_roles": lambda: iam.list_roles(MaxItems=10**5000),
        "tag_role": lambda: iam.tag_role(RoleName=ROLE, Tags=[{"Key": "aws:x", "Value": ""}]),
        "attach_purchase_order": lambda: console.attach_purchase_order(10**5000, [[["x"]]]),
    }
    rng = random.Random(n)
    names = sorted(calls)

    def run() -> list[tuple[str, str]]:
        seen = []
        for _ in range(steps):
            roll = rng.random()
            if roll < 0.05:
                sim.advance(1)
            elif roll < 0.10:
                snap = sim.snapshot()  # between two attempts, never half-way through one
                assert Simulation.restore(snap).snapshot() == snap
            elif roll < 0.13:
                fork = sim.fork()
                edit = fork.iam(MANAGEMENT).update_role_description
                outcome_of(lambda edit=edit: edit(RoleName=ROLE, Description="fork"))
                assert Simulation.restore(fork.snapshot()).snapshot() == fork.snapshot()
            elif roll < 0.25:
                name = rng.choice(sorted(hostile))
                seen.append((name, outcome_of(hostile[name])))
            else:
                name = rng.choice(names)
                seen.append((name, outcome_of(calls[name])))
        return seen

    return run


def test_a_shared_simulation_logs_each_threads_calls_once_and_replays_to_itself():
    """Eight threads share one simulation through bridged IAM, STS and Organizations clients
    and the console (hostile requests, clock moves, snapshots and forks mixed in). Every call
    is one event, numbered in order; each thread's events, in order, carry exactly the outcomes
    that thread saw; every snapshot taken meanwhile restores; and replaying the log in
    sequence on the starting snapshot rebuilds the same world and the same outcomes."""
    sim = shared_world()
    start, first = sim.snapshot(), len(sim.trace)
    workers = [worker(sim, n, steps=40) for n in range(THREADS)]
    seen = run_threads(workers)
    assert [e.seq for e in sim.trace] == list(range(len(sim.trace)))
    events = list(sim.trace)[first:]
    for n, calls in enumerate(seen):
        mine = [(e.operation, e.outcome) for e in events if e.principal == f"worker{n}"]
        assert mine == calls
    assert sum(len(calls) for calls in seen) == sum(
        1 for e in events if e.principal.startswith("worker")
    )
    again = replay_log(start, events, until=sim.clock.elapsed)
    assert again.snapshot() == sim.snapshot()
    assert [(e.operation, e.outcome) for e in again.trace] == [
        (e.operation, e.outcome) for e in events
    ]


def test_refusals_from_many_threads_change_nothing():
    """Hostile requests from eight threads at once (through bridged clients and the faces) are
    all refused and logged, one event each, and leave the world exactly as it was."""
    sim = shared_world()
    before, first = sim.snapshot(), len(sim.trace)
    values: list[Any] = [10**5000, "x" * 100_000, [[[[1]]]], float("nan"), {"k": 1}, -1]

    def hammer(n: int) -> Callable[[], int]:
        account = ACCOUNTS[n % len(ACCOUNTS)]
        iam = iam_client(sim, account, f"worker{n}")
        face = sim.iam(account, f"worker{n}")

        def run() -> int:
            refused = 0
            for value in values * 4:
                for call in (
                    lambda v=value: iam.list_roles(
                        MaxItems=v if isinstance(v, int) and v > 0 else 1001
                    ),
                    lambda v=value: face.get_role(RoleName=v),
                    lambda v=value: face.update_role_description(RoleName=ROLE, Description=v),
                ):
                    assert outcome_of(call) != "ok"
                    refused += 1
            return refused

        return run

    counts = run_threads(hammer(n) for n in range(THREADS))
    assert sim.snapshot() == before
    events = list(sim.trace)[first:]
    assert len(events) == sum(counts)
    assert [e.seq for e in events] == list(range(first, first + sum(counts)))
    assert not any(e.ok for e in events)
    for line in sim.trace_jsonl().splitlines():
        json.loads(line, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))


# ------------------------------------------------------------------------------ separate worlds


def hostile_run(seed: int, inputs: int) -> list[tuple[str, str, str, str]]:
    """``inputs`` hostile inputs drawn from ``seed``, each on its own copy of a base world:
    what each answered, and the world and log it left (as JSON text)."""
    rng = random.Random(seed)
    results = []
    for _ in range(inputs):
        entry, args, world_name = draw_input(rng)
        sim = world(world_name)
        outcome, _ = make_call(entry, args, sim)
        snapshot = json.dumps(sim.snapshot(), sort_keys=True, allow_nan=False)
        results.append((entry.name, outcome, snapshot, sim.trace_jsonl()))
    return results


def test_separate_simulations_in_parallel_answer_as_in_sequence():
    """Eight threads, each running its own stream of hostile inputs on its own copies of the
    same base worlds (copy-on-write forks of shared bases, taken concurrently), get exactly the
    answers, worlds and logs a sequential run of the same streams gets."""
    for name in WORLDS:
        world(name)  # build the shared bases before any thread forks them
    sequential = [hostile_run(seed, 60) for seed in range(THREADS)]
    parallel = run_threads(lambda seed=seed: hostile_run(seed, 60) for seed in range(THREADS))
    assert parallel == sequential
