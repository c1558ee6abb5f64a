"""Virtual time: inside the block, ``time.sleep`` in the entering thread advances the simulation
instead of sleeping; elsewhere, and afterwards, Python's own sleep is untouched. And bridged
clients share one botocore session (one set of exception classes)."""

from __future__ import annotations

import math
import threading
import time

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm import Simulation
from slr_fsm.boto import iam_client, shared_session, simulated_boto3, sts_client
from slr_fsm.errors import UsageError
from slr_fsm.virtual_time import virtual_time, virtual_time_active
from tests.conftest import MANAGEMENT, ROLE, SERVICE

PYTHON_SLEEP = time.sleep


def test_a_sleep_advances_the_clock_and_runs_the_work_that_falls_due():
    sim = Simulation.default()
    iam = iam_client(sim)
    iam.create_service_linked_role(AWSServiceName=SERVICE)
    with virtual_time(sim):
        assert virtual_time_active()
        time.sleep(9.5)
        assert sim.role(MANAGEMENT).state.value == "creating"
        time.sleep(0.5)
        assert sim.role(MANAGEMENT).state.value == "active"
    assert sim.clock.elapsed == 10.0
    assert not virtual_time_active()
    assert time.sleep is PYTHON_SLEEP


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 10**6), st.floats(0, 1e6)), max_size=6))
def test_the_clock_moves_by_exactly_what_was_slept(lengths):
    sim = Simulation.default()
    with virtual_time(sim):
        for length in lengths:
            time.sleep(length)
    assert sim.clock.elapsed == pytest.approx(math.fsum(float(n) for n in lengths))


@pytest.mark.parametrize("bad", [-1, float("nan"), "5", None])
def test_a_value_python_refuses_gets_pythons_own_error_and_the_clock_stays(bad):
    sim = Simulation.default()
    with virtual_time(sim), pytest.raises((ValueError, TypeError)) as in_block:
        time.sleep(bad)
    with pytest.raises(type(in_block.value)):
        time.sleep(bad)
    assert sim.clock.elapsed == 0


def test_other_threads_sleep_for_real_and_are_not_frozen():
    sim = Simulation.default()
    seen: dict[str, object] = {}

    def other() -> None:
        seen["active"] = virtual_time_active()
        started = time.monotonic()
        time.sleep(0.05)
        seen["slept"] = time.monotonic() - started

    with virtual_time(sim):
        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(3600)  # returns at once while the other thread really sleeps
        thread.join()
    assert seen["active"] is False
    assert seen["slept"] >= 0.04
    assert sim.clock.elapsed == 3600


def test_blocks_nest_and_the_innermost_simulation_is_advanced():
    outer, inner = Simulation.default(seed=1), Simulation.default(seed=2)
    with virtual_time(outer):
        time.sleep(1)
        with virtual_time(inner):
            time.sleep(5)
        time.sleep(2)
    assert (outer.clock.elapsed, inner.clock.elapsed) == (3, 5)
    assert time.sleep is PYTHON_SLEEP


def test_overlapping_blocks_in_two_threads_leave_pythons_sleep(fast_switching):
    sims = [Simulation.default(seed=n) for n in range(2)]
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run(
        n: int, entered: threading.Event, wait_for: threading.Event, then: threading.Event | None
    ) -> None:
        try:
            with virtual_time(sims[n]):
                entered.set()
                wait_for.wait(5)
                time.sleep(10 * (n + 1))
            if then is not None:
                then.set()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    a = threading.Thread(target=run, args=(0, a_in, b_in, a_out))
    b = threading.Thread(target=run, args=(1, b_in, a_out, None))
    a.start()
    a_in.wait(5)
    b.start()
    a.join(10)
    b.join(10)
    assert not errors
    assert [s.clock.elapsed for s in sims] == [10, 20]
    assert time.sleep is PYTHON_SLEEP


def test_virtual_time_refuses_what_is_not_a_simulation():
    with pytest.raises(UsageError, match="virtual_time\\(\\) takes a Simulation"), virtual_time(5):  # type: ignore[arg-type]
        pass  # pragma: no cover
    assert time.sleep is PYTHON_SLEEP


def test_simulated_boto3_polls_and_waits_in_virtual_time_by_default():
    sim = Simulation.default()
    with simulated_boto3(sim):
        iam = boto3.client("iam")
        iam.create_service_linked_role(AWSServiceName=SERVICE)
        iam.get_waiter("role_exists").wait(RoleName=ROLE)
        task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
        while (
            iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"]
            != "SUCCEEDED"
        ):
            time.sleep(1)
    assert sim.clock.elapsed == 10  # two seconds to start, eight to run
    with simulated_boto3(sim, virtual_time=False):
        assert not virtual_time_active()
    with (
        pytest.raises(UsageError, match="virtual_time is True or False"),
        simulated_boto3(sim, virtual_time="yes"),
    ):  # type: ignore[arg-type]
        pass  # pragma: no cover


def test_bridged_clients_share_one_session_and_its_exception_classes():
    sim_a, sim_b = Simulation.default(seed=1), Simulation.default(seed=2)
    a, b = iam_client(sim_a), iam_client(sim_b, principal="readonly")
    assert a.exceptions.NoSuchEntityException is b.exceptions.NoSuchEntityException
    assert shared_session() is shared_session()
    with pytest.raises(a.exceptions.NoSuchEntityException):
        b.get_role(RoleName=ROLE)  # raised by b, caught as a's class
    # each client still answers from its own simulation, as its own caller
    assert sts_client(sim_a).get_caller_identity()["Arn"].endswith(":user/admin")
    assert (
        sts_client(sim_b, principal="readonly")
        .get_caller_identity()["Arn"]
        .endswith(":user/readonly")
    )


def test_clients_built_in_many_threads_from_the_shared_session_all_work(fast_switching):
    sim = Simulation.default()
    results: list[str] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            results.append(sts_client(sim).get_caller_identity()["Account"])
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=build) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert results == [MANAGEMENT] * 8
