"""Thread safety: one lock per simulation makes every call atomic and the log a faithful, replayable
record; separate simulations share nothing; the lifecycle has no shared mutable state."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import random
import threading
from collections.abc import Callable, Iterable
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from slr_fsm import Simulation
from slr_fsm.boto import attach, iam_client
from slr_fsm.errors import AwsError
from slr_fsm.events import Event
from slr_fsm.iam_operations import IAM_OPERATIONS_BY_METHOD
from slr_fsm.lifecycle import LIFECYCLE, GuardFacts, RoleState
from slr_fsm.marketplace import CONSOLE_OPERATIONS
from slr_fsm.tasks import DeletionStatus
from tests.conftest import MANAGEMENT, MEMBER, ROLE, SERVICE, STANDALONE

THREADS = 8
ACCOUNTS = (MANAGEMENT, MEMBER, STANDALONE, "777788889999")


pytestmark = pytest.mark.usefixtures("fast_switching")  # races show (tests/conftest.py)


# ----------------------------------------------------------------------------- helpers

_SESSION = botocore.session.Session()


def bridged_client(sim: Simulation, account: str, principal: str = "admin") -> Any:
    """What ``iam_client(sim, account, principal)`` builds, from one shared botocore session
    (a new session per client costs ~0.1 s; from a shared one, a few ms). Build before threads."""
    client = _SESSION.create_client(
        "iam",
        region_name="us-east-1",
        aws_access_key_id="slr-fsm",
        aws_secret_access_key="slr-fsm",
    )
    attach(client, sim, account, principal)
    return client


def run_threads(workers: Iterable[Callable[[], Any]]) -> list[Any]:
    """Start every worker at once (a barrier), wait for all; re-raise the first failure."""
    workers = list(workers)
    barrier = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)
    errors: list[BaseException] = []

    def run(n: int, work: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[n] = work()
        except BaseException as error:  # reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n, w)) for n, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    if errors:
        raise errors[0]
    return results


def _elapsed_at(sim: Simulation, when: dt.datetime) -> float:
    return (when - sim.clock.start).total_seconds()


def _advance_to(sim: Simulation, elapsed: float) -> None:
    if elapsed > sim.clock.elapsed:
        sim.advance(elapsed - sim.clock.elapsed)


def replay(sim: Simulation, events: Iterable[Event], until: float) -> None:
    """Replay a log on ``sim``: each user's call again, at its time; clock events regenerate.

    Service principals' events (the clock's work) are left out: advancing the clock to the next
    user event's time runs them again. At the end the clock is moved to ``until``. Exact when
    the clock moved by whole seconds (an event's time keeps only microseconds).
    """
    for event in events:
        if event.principal.endswith(".amazonaws.com"):
            continue
        _advance_to(sim, _elapsed_at(sim, event.time))
        if event.operation in CONSOLE_OPERATIONS:
            face: Any = sim.marketplace(event.account_id, event.principal)
        elif event.operation in IAM_OPERATIONS_BY_METHOD:
            face = sim.iam(event.account_id, event.principal)
        else:
            raise AssertionError(f"replay does not know {event.operation!r}")
        with contextlib.suppress(AwsError):  # a refusal is logged, as it was the first time
            getattr(face, event.operation)(**event.parameters)
    _advance_to(sim, until)


def _subscriptions(sim: Simulation) -> dict[str, list[str]]:
    return {a: [s.subscription_id for s in sim.subscriptions_of(a)] for a in ACCOUNTS}


def worker_calls(
    sim: Simulation, account: str, principal: str, seed: int, steps: int
) -> Callable[[], list[Any]]:
    """A worker: ``steps`` calls drawn from ``seed``, through a bridged boto3 IAM client and the
    console as ``principal`` in ``account``, and clock moves. It returns what each call answered.

    The client and the console are built here, before any thread starts.
    """
    rng = random.Random(seed)
    iam = bridged_client(sim, account, principal)
    console = sim.marketplace(account, principal)
    subs = _subscriptions(sim)[account]
    tasks: list[str] = []

    def iam_call(method: str, **kwargs: Any) -> Any:
        try:
            answer = getattr(iam, method)(**kwargs)
        except ClientError as error:
            return ("error", error.response["Error"]["Code"])
        if "DeletionTaskId" in answer:
            tasks.append(answer["DeletionTaskId"])
        return answer

    def console_call(operation: str, *args: str) -> Any:
        try:
            return getattr(console, operation)(*args)
        except AwsError as error:
            return ("error", error.code)

    def step(n: int) -> Any:
        choice = rng.randrange(13)
        po = f"PO-{seed}-{rng.randrange(3)}"
        if choice == 0:
            return iam_call("create_service_linked_role", AWSServiceName=SERVICE)
        if choice == 1:
            return iam_call("delete_service_linked_role", RoleName=ROLE)
        if choice == 2 and tasks:
            return iam_call("get_service_linked_role_deletion_status", DeletionTaskId=tasks[-1])
        if choice == 3:
            return iam_call("update_role_description", RoleName=ROLE, Description=f"d{seed}-{n}")
        if choice == 4:
            return iam_call("get_role", RoleName=ROLE)
        if choice == 5:
            return iam_call("list_roles", PathPrefix="/aws-service-role/")
        if choice == 6:
            return iam_call("delete_role", RoleName=ROLE)
        if choice == 7:
            return console_call("configure_billing_integration")
        if choice == 8:
            return console_call("remove_billing_integration")
        if choice == 9:
            return console_call("attach_purchase_order", rng.choice(subs), po)
        if choice == 10:
            return console_call("detach_purchase_order", rng.choice(subs), po)
        if choice == 11:
            return console_call("subscriptions")
        return ("advanced", len(sim.advance(rng.choice((1, 2, 3, 5, 10)))) >= 0)

    return lambda: [step(n) for n in range(steps)]


def _callers() -> list[tuple[str, str]]:
    """Who each thread calls as: every account, mostly as ``admin``, twice as ``readonly``."""
    return [(ACCOUNTS[n % 4], "readonly" if n in (3, 6) else "admin") for n in range(THREADS)]


# ----------------------------------------------------------------------------- one simulation


@pytest.mark.parametrize("seed", [1, 2])
def test_threads_on_one_simulation_leave_a_log_that_replays_to_the_same_world(seed):
    """Eight threads calling one simulation (boto3 clients, console, clock) leave events numbered
    0..n-1 in time order, a consistent world, and a log whose replay on the start snapshot
    reproduces the final world and the log itself exactly."""
    sim = Simulation.default(seed=seed)
    start = sim.snapshot()
    workers = [
        worker_calls(sim, account, principal, seed * 100 + n, 40)
        for n, (account, principal) in enumerate(_callers())
    ]
    run_threads(workers)

    events = list(sim.trace)
    users = [(e.account_id, e.principal) for e in events if not e.principal.endswith(".com")]
    assert sum(a != b for a, b in itertools.pairwise(users)) > THREADS  # calls interleaved
    assert [e.seq for e in events] == list(range(len(events)))
    assert all(a.time <= b.time for a, b in itertools.pairwise(events))
    assert len(set(users)) == len(set(_callers()))  # every caller logged
    final = sim.snapshot()
    assert Simulation.restore(final).snapshot() == final  # the world is a possible one

    twin = Simulation.restore(start)
    replay(twin, events, until=sim.clock.elapsed)
    assert twin.snapshot() == final
    assert twin.trace_jsonl() == sim.trace_jsonl()


def test_the_replay_helper_detects_a_changed_log():
    """Replaying a log with one call removed does not reproduce the world (the check has teeth)."""
    sim = Simulation.default(seed=5)
    start = sim.snapshot()
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    sim.advance(20)
    sim.iam(MANAGEMENT).update_role_description(RoleName=ROLE, Description="x")
    twin = Simulation.restore(start)
    replay(twin, list(sim.trace)[:-1], until=sim.clock.elapsed)
    assert twin.snapshot() != sim.snapshot()
    full = Simulation.restore(start)
    replay(full, sim.trace, until=sim.clock.elapsed)
    assert (full.snapshot(), full.trace_jsonl()) == (sim.snapshot(), sim.trace_jsonl())


def test_concurrent_calls_on_one_simulation_get_distinct_request_ids():
    """Every answer of a bridged client carries its own RequestId, even under concurrency."""
    sim = Simulation.default(seed=9)
    clients = [bridged_client(sim, MANAGEMENT) for _ in range(THREADS)]

    def work(client: Any) -> Callable[[], list[str]]:
        return lambda: [client.list_roles()["ResponseMetadata"]["RequestId"] for _ in range(30)]

    ids = [i for answers in run_threads(work(c) for c in clients) for i in answers]
    assert len(set(ids)) == len(ids)


# ----------------------------------------------------------------------------- separate simulations


def test_threads_on_separate_simulations_match_sequential_runs():
    """Each thread driving its own simulation (fresh, or a copy-on-write fork of one base)
    gets exactly the answers, final world and log of the same calls run one after another."""
    base = Simulation.default(seed=7)
    base_snapshot = base.snapshot()
    callers = _callers()

    def worlds() -> list[Simulation]:
        return [Simulation.default(seed=7) if n % 2 else base.fork() for n in range(len(callers))]

    def workers(sims: list[Simulation]) -> list[Callable[[], list[Any]]]:
        return [
            worker_calls(s, account, principal, 700 + n, 30)
            for n, (s, (account, principal)) in enumerate(zip(sims, callers, strict=True))
        ]

    concurrent = worlds()
    answers = run_threads(workers(concurrent))
    alone = worlds()
    expected = [work() for work in workers(alone)]

    assert answers == expected
    for mine, theirs in zip(concurrent, alone, strict=True):
        assert mine.snapshot() == theirs.snapshot()
        assert mine.trace_jsonl() == theirs.trace_jsonl()
    assert base.snapshot() == base_snapshot  # forks wrote their own copies
    assert len({s.trace_jsonl() for s in concurrent}) > 1  # the workloads really differ


# ----------------------------------------------------------------------------- the lifecycle


COMBINATIONS = [
    (state, trigger, GuardFacts(*bits))
    for state in RoleState
    for trigger in LIFECYCLE.triggers
    for bits in itertools.product((False, True), repeat=5)
]


def test_concurrent_fires_give_the_single_threaded_outcomes():
    """LIFECYCLE.fire and fire_with_transitions, called from eight threads at once on fixed
    inputs, always give the outcome a single thread gets."""
    expected = [LIFECYCLE.fire(*combo) for combo in COMBINATIONS]
    assert expected == [LIFECYCLE.fire_with_transitions(*combo) for combo in COMBINATIONS]

    def work(n: int) -> Callable[[], list[int]]:
        def fire_all() -> list[int]:
            order = list(range(len(COMBINATIONS)))
            random.Random(n).shuffle(order)
            wrong = []
            for i in order * 3:
                fire = LIFECYCLE.fire if (i + n) % 2 else LIFECYCLE.fire_with_transitions
                if fire(*COMBINATIONS[i]) != expected[i]:
                    wrong.append(i)
            return wrong

        return fire_all

    assert run_threads(work(n) for n in range(THREADS)) == [[]] * THREADS


# ----------------------------------------------------------------------------- deletion tasks


def _deleter(sim: Simulation, client: Any) -> Callable[[], list[str]]:
    """Ask four times, a second apart, to delete the management account's role."""

    def work() -> list[str]:
        ids = []
        for _ in range(4):
            try:
                ids.append(client.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"])
            except ClientError as error:  # gone
                code = error.response["Error"]["Code"]
                assert code == "NoSuchEntity"
            sim.advance(1)
        return ids

    return work


def _meddler(sim: Simulation, account: str) -> Callable[[], list[str]]:
    """Attach and detach purchase orders, set the integration up again, move the clock."""
    console = sim.marketplace(account, "admin")
    sub = sim.subscriptions_of(account)[0].subscription_id

    def work() -> list[str]:
        for k in range(5):
            for call, args in (
                (console.attach_purchase_order, (sub, f"PO-{k}")),
                (console.detach_purchase_order, (sub, f"PO-{k}")),
                (console.configure_billing_integration, ()),
            ):
                with contextlib.suppress(AwsError):
                    call(*args)
            sim.advance(2)
        return []

    return work


@pytest.mark.parametrize("integration_removed", [True, False])
def test_a_deletion_submitted_under_concurrency_always_finishes(integration_removed):
    """Threads asking at once to delete the role, while others edit the usage and move the
    clock, never get two unfinished tasks for the role; after settle() every task submitted
    ended SUCCEEDED or FAILED, no work is left, and the role's state agrees with the last task."""
    for seed in range(3):
        sim = Simulation.default(seed=seed)
        sim.marketplace(MANAGEMENT).configure_billing_integration()
        sim.settle()
        if integration_removed:
            sim.marketplace(MANAGEMENT).remove_billing_integration()
        clients = [iam_client(sim, MANAGEMENT), *(bridged_client(sim, MANAGEMENT) for _ in "abc")]
        workers = [*(_deleter(sim, c) for c in clients), *(_meddler(sim, a) for a in ACCOUNTS)]
        results = run_threads(workers)
        sim.settle()

        submitted = {task_id for ids in results for task_id in ids}
        assert submitted
        for task_id in submitted:
            task = sim.task(task_id)
            assert task is not None
            assert task.status.finished, task
        assert all(t.status.finished for t in sim.deletion_tasks)
        assert sim.pending_work == 0
        tasks = sorted(sim.deletion_tasks, key=lambda t: t.submitted_at)
        for earlier, later in itertools.pairwise(tasks):  # never two unfinished at once
            assert earlier.finished_at is not None
            assert earlier.finished_at <= later.submitted_at
        state = sim.role(MANAGEMENT).state
        if tasks[-1].status is DeletionStatus.SUCCEEDED:  # deleted, or set up again since
            assert state in (RoleState.DELETED, RoleState.ACTIVE)
        else:
            assert state is RoleState.DELETING_BLOCKED
        assert Simulation.restore(sim.snapshot()).snapshot() == sim.snapshot()
