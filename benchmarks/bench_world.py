"""A world of many roles: building it, its memory, fork() and snapshot() at that size (and the
snapshot against format 2's writer on the same world, interleaved).

Full mode works at the issue's size, N=1,000,000 accounts each with its role (about two minutes
and 2 GiB); quick mode at N=20,000. Memory is traced at two smaller sizes (tracemalloc slows a
build several times over) to show that it is a constant per account and role.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from harness import SERVICE, Row, Timing, measure, measure_side_by_side

TARGET_N = 1_000_000
BUILD_TARGET_S = 30.0
MEMORY_TARGET = 1024
FORK_TARGET_S = 50e-6
SNAPSHOT_TARGET_S = 3.0


def _build_world(n: int, first: int = 0) -> Any:
    """N accounts, each with the role: add_account and IAM's CreateServiceLinkedRole, with zero
    creation latency (the role is active at once)."""
    from slr_fsm import Latencies, Simulation

    sim = Simulation(latencies=Latencies(creation=0))
    for i in range(first, first + n):
        account = f"{100000000000 + i}"
        sim.add_account(account)
        sim.iam(account).create_service_linked_role(AWSServiceName=SERVICE)
    return sim


def _memory(build: Callable[[], Any]) -> int:
    """Bytes the result of ``build()`` holds (everything it allocated and kept)."""
    gc.collect()
    tracemalloc.start()
    kept = build()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return current


class _RoleModel:
    """One plain model object per role, of one shared class (as a real user's would be)."""


def _add_model(n: int) -> Any:
    from transitions import Machine

    from slr_fsm.lifecycle import RoleState

    machine = Machine(
        model=None,
        states=RoleState,
        initial=RoleState.ABSENT,
        transitions=[["create", RoleState.ABSENT, RoleState.CREATING]],
        auto_transitions=False,
    )
    models = []
    for _ in range(n):
        model = _RoleModel()
        machine.add_model(model)
        models.append(model)
    return machine


def _machine_each(n: int) -> Any:
    from transitions import Machine

    from slr_fsm.lifecycle import RoleState

    machines = []
    for _ in range(n):
        model = _RoleModel()
        machines.append(
            Machine(
                model=model,
                states=RoleState,
                initial=RoleState.ABSENT,
                transitions=[["create", RoleState.ABSENT, RoleState.CREATING]],
                auto_transitions=False,
            )
        )
    return machines


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _first_writes(sim: Any, k: int) -> tuple[Timing, Timing]:
    """Seconds of one add_account on a fresh fork (the first write after a fork), and of the
    same write on a world nobody shares (the fork's second write), over ``k`` forks."""
    first, second = [], []
    for i in range(k):
        twin = sim.fork()
        start = time.perf_counter()
        twin.add_account(f"{900000000000 + 2 * i}")
        middle = time.perf_counter()
        twin.add_account(f"{900000000001 + 2 * i}")
        second.append(time.perf_counter() - middle)
        first.append(middle - start)
    return (
        Timing(statistics.median(first), min(first), max(first)),
        Timing(statistics.median(second), min(second), max(second)),
    )


class _FullCollections:
    """Counts the full collections (and their seconds) that happen inside each of several
    functions, so that an interleaved measurement reports them too; collections between the
    calls (the harness's own ``gc.collect()``) are not counted."""

    def __init__(self) -> None:
        self.running = ""
        self.count: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self._started = 0.0

    def watch(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif info["generation"] == 2 and self.running:
            self.count[self.running] = self.count.get(self.running, 0) + 1
            spent = time.perf_counter() - self._started
            self.seconds[self.running] = self.seconds.get(self.running, 0.0) + spent

    def counted(self, name: str, fn: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            self.running = name
            try:
                return fn()
            finally:
                self.running = ""

        return run


def _snapshot_rows(sim: Any, n: int, tenth_sim: Any, at: str) -> list[Row]:
    """snapshot() at N against the target, its growth from N/10, and the current format
    against the one before it (format 2: a dict and two lists a role), interleaved."""
    from format_two_writer import format_two_snapshot

    from slr_fsm import Simulation

    small = tenth_sim.snapshot()
    assert Simulation.restore(format_two_snapshot(tenth_sim)).snapshot() == small  # alike
    del small
    repeat = 5 if n < TARGET_N else 3
    collections = _FullCollections()
    gc.callbacks.append(collections.watch)
    try:
        both = measure_side_by_side(
            {
                "format 3": collections.counted("format 3", sim.snapshot),
                "format 2": collections.counted("format 2", lambda: format_two_snapshot(sim)),
            },
            number=1,
            repeat=repeat,
        )
    finally:
        gc.callbacks.remove(collections.watch)
    t_snap, t_old = both["format 3"], both["format 2"]
    t_small = measure(tenth_sim.snapshot, number=1, repeat=5)
    full = {
        name: f"{collections.count.get(name, 0) / repeat:.1f} full collections a call "
        f"({collections.seconds.get(name, 0.0) / repeat:.2f} s)"
        for name in both
    }
    target = SNAPSHOT_TARGET_S * n / TARGET_N
    tenth = n // 10
    return [
        Row(
            f"sim.snapshot() on a world of N={n:,} roles",
            f"{t_snap.s()}; {full['format 3']}",
            "target" + at,
            f"{target:,.2f} s",
            t_snap.median / target,
            "≤ 3 s at 1M, linear",
            t_snap.median <= target,
        ),
        Row(
            f"snapshot growth N={tenth:,} → {n:,}",
            f"{t_small.median:,.3f} s → {t_snap.median:,.2f} s",
            "linear growth would be",
            "10×",
            t_snap.median / t_small.median,
            "≤ 11× (linear)",
            t_snap.median / t_small.median <= 11,
        ),
        Row(
            f"sim.snapshot() at N={n:,}: format 3 (roles and accounts as columns)",
            t_snap.s(),
            f"format 2's writer, the same world (one object a role; {full['format 2']})",
            t_old.s(),
            t_snap.median / t_old.median,
            "reported",
            None,
        ),
    ]


def bench_world(quick: bool) -> list[Row]:
    n = 20_000 if quick else TARGET_N
    tenth = n // 10
    gc.collect()
    _build_world(10)  # imports and first-call costs out of every figure below
    t_tenth, _ = _timed(lambda: _build_world(tenth))
    t_n, sim = _timed(lambda: _build_world(n))
    t_fork = measure(sim.fork, number=100, repeat=7)
    first, second = _first_writes(sim, 50)
    target_n = BUILD_TARGET_S * n / TARGET_N
    at = "" if n == TARGET_N else f" (target scaled from {TARGET_N:,})"
    snapshot_rows = _snapshot_rows(sim, n, _build_world(tenth), at)
    del sim
    gc.collect()
    sizes = (5_000, 20_000) if quick else (25_000, 100_000)
    memory = {m: _memory(lambda m=m: _build_world(m)) / m for m in sizes}
    per_role = memory[sizes[-1]]
    small = 1_000 if quick else 10_000
    t_add_small, _ = _timed(lambda: _add_model(small))
    t_add_3, _ = _timed(lambda: _add_model(3 * small))
    exponent = _log_ratio(t_add_3 / t_add_small, 3)
    t_add_n = t_add_small * (n / small) ** exponent
    mem_add = _memory(lambda: _add_model(small)) / small
    t_each_small, _ = _timed(lambda: _machine_each(small))
    t_world_small, _ = _timed(lambda: _build_world(small))
    mem_each = _memory(lambda: _machine_each(min(small, 5_000))) / min(small, 5_000)
    return [
        Row(
            f"build a world of N={n:,} accounts, each with the role (add_account + "
            "CreateServiceLinkedRole)",
            f"{t_n:,.2f} s ({t_n / n * 1e6:,.1f} µs a role)",
            "target" + at,
            f"{target_n:,.1f} s",
            t_n / target_n,
            f"≤ {BUILD_TARGET_S:.0f} s at N={TARGET_N:,}",
            t_n <= target_n,
        ),
        Row(
            f"build growth N={tenth:,} → {n:,}",
            f"{t_tenth:,.2f} s → {t_n:,.2f} s",
            "linear growth would be",
            "10×",
            t_n / t_tenth,
            "≤ 11× (linear)",
            t_n / t_tenth <= 11,
        ),
        Row(
            f"memory per account and role, all-in (event log included), N={sizes[0]:,} / "
            f"{sizes[1]:,}",
            f"{memory[sizes[0]]:,.0f} B / {per_role:,.0f} B",
            "target",
            f"{MEMORY_TARGET:,} B",
            per_role / MEMORY_TARGET,
            "≤ 1 KiB",
            per_role <= MEMORY_TARGET,
        ),
        Row(
            "memory per role, beside plain transitions models",
            f"{per_role:,.0f} B",
            "add_model / one Machine per model",
            f"{mem_add:,.0f} B / {mem_each:,.0f} B",
            per_role / mem_add,
            "reported",
            None,
        ),
        Row(
            f"sim.fork() on a world of N={n:,} roles",
            t_fork.us(),
            "target" + at,
            "50 µs",
            t_fork.median / FORK_TARGET_S,
            "≤ 50 µs, O(1)",
            t_fork.median <= FORK_TARGET_S,
        ),
        Row(
            f"first write after a fork (add_account on a fork of N={n:,})",
            first.us(),
            "the same write on a world nobody shares",
            second.us(),
            first.median / second.median,
            "O(log N), reported",
            None,
        ),
        *snapshot_rows,
        Row(
            f"build N={n:,} roles",
            f"{t_n:,.2f} s",
            f"add_model (N={small:,}: {t_add_small:,.2f} s; growth exponent {exponent:.2f}, "
            f"N={n:,} extrapolated)",
            f"{t_add_n:,.1f} s",
            t_n / t_add_n,
            "reported",
            None,
        ),
        Row(
            f"build N={small:,} roles",
            f"{t_world_small:,.2f} s",
            "one Machine per model",
            f"{t_each_small:,.2f} s",
            t_world_small / t_each_small,
            "reported",
            None,
        ),
    ]


def _log_ratio(time_ratio: float, size_ratio: float) -> float:
    import math

    return math.log(time_ratio) / math.log(size_ratio)


def rows(quick: bool) -> list[Row]:
    """This module's rows of the results table."""
    return bench_world(quick)
