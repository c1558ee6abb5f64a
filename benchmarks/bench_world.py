"""A world of many roles: building it, its memory, fork() and snapshot() at that size."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from harness import SERVICE, Row, measure


def _build_world(n: int) -> Any:
    from slr_fsm import Latencies, Simulation

    sim = Simulation(latencies=Latencies(creation=0))
    for i in range(n):
        account = f"{100000000000 + i}"
        sim.add_account(account)
        sim.iam(account).create_service_linked_role(AWSServiceName=SERVICE)
    return sim


def _accounts_only(n: int) -> Any:
    from slr_fsm import Simulation

    sim = Simulation()
    for i in range(n):
        sim.add_account(f"{100000000000 + i}")
    return sim


def _memory(build: Callable[[], Any]) -> int:
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

    machine = Machine(model=None, states=RoleState, initial=RoleState.ABSENT,
                      transitions=[["create", RoleState.ABSENT, RoleState.CREATING]],
                      auto_transitions=False)
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
        machines.append(Machine(model=model, states=RoleState, initial=RoleState.ABSENT,
                                transitions=[["create", RoleState.ABSENT, RoleState.CREATING]],
                                auto_transitions=False))
    return machines


def bench_world(quick: bool) -> list[Row]:
    small, large = (1_000, 10_000) if quick else (10_000, 100_000)

    def timed(fn: Callable[[int], Any], n: int) -> float:
        gc.collect()
        start = time.perf_counter()
        fn(n)
        return time.perf_counter() - start

    def median_of(fn: Callable[[int], Any], n: int, times: int) -> float:
        return statistics.median(timed(fn, n) for _ in range(times))

    t_small = median_of(_build_world, small, 5)
    t_large = median_of(_build_world, large, 1 if quick else 3)
    per_role = (_memory(lambda: _build_world(small)) - _memory(lambda: _accounts_only(small))) / small
    t_add_small = timed(_add_model, small)
    add_n = small * 2 if not quick else small * 3
    t_add_2 = timed(_add_model, add_n)
    exponent = _log_ratio(t_add_2 / t_add_small, add_n / small)
    t_add_large = t_add_small * (large / small) ** exponent
    mem_add = _memory(lambda: _add_model(small)) / small
    t_each_small = timed(_machine_each, small)
    mem_each = _memory(lambda: _machine_each(min(small, 5_000))) / min(small, 5_000)
    linear = t_large / t_small
    return [
        Row(f"build a world of N accounts with the role: N={small:,} → {large:,}",
            f"{t_small:,.2f} s → {t_large:,.2f} s", "linear growth would be",
            f"{large // small}×", linear, "≤ 11× (linear)", linear <= 11),
        Row("memory per role, beyond its account (event log included)",
            f"{per_role / 1024:,.2f} KiB", "transitions add_model / Machine per model",
            f"{mem_add / 1024:,.2f} KiB / {mem_each / 1024:,.2f} KiB", per_role / 1024,
            "≤ 1 KiB", per_role <= 1024),
        Row(f"build N={large:,} roles", f"{t_large:,.2f} s",
            f"add_model (N={small:,}: {t_add_small:,.2f} s; growth exponent {exponent:.2f}, "
            f"N={large:,} extrapolated)", f"{t_add_large:,.1f} s", t_large / t_add_large,
            "reported", None),
        Row(f"build N={small:,} roles", f"{t_small:,.2f} s", "one Machine per model",
            f"{t_each_small:,.2f} s", t_small / t_each_small, "reported", None),
    ]


def _log_ratio(time_ratio: float, size_ratio: float) -> float:
    import math

    return math.log(time_ratio) / math.log(size_ratio)


# --------------------------------------------------------------------------- 5. snapshots

def bench_fork_snapshot(quick: bool) -> list[Row]:
    """fork() and snapshot() on a world of many roles (targets at N=1,000,000)."""
    n = 10_000 if quick else 100_000
    sim = _build_world(n)
    t_fork = measure(sim.fork, number=20, repeat=5)
    start = time.perf_counter()
    sim.snapshot()
    t_snap = time.perf_counter() - start
    return [
        Row(f"sim.fork() on a world of N={n:,} roles", t_fork.us(), "target at N=1,000,000",
            "50 µs", t_fork.median / 50e-6, "≤ 50 µs, O(1)", t_fork.median <= 50e-6),
        Row(f"sim.snapshot() on a world of N={n:,} roles", f"{t_snap:,.2f} s",
            "target at N=1,000,000", "3 s", t_snap / 3, "≤ 3 s, linear", t_snap <= 3),
    ]


def rows(quick: bool) -> list[Row]:
    """This module's rows of the results table."""
    return [*bench_world(quick), *bench_fork_snapshot(quick)]
