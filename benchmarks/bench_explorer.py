"""The explorer: distinct states per second on one core, cost per move against the world's
size, and the parallel search's speedup on two cores (a process pool, a local dask cluster),
its results checked equal to the serial search's every time."""

from __future__ import annotations

import gc
import statistics
import time
from typing import Any

from harness import Row

STATES_PER_SECOND_TARGET = 2_000
SPEEDUP_TARGET = 1.7


def _same_search(serial: Any, parallel: Any) -> bool:
    """Whether two explorations found the same states in the same order, the same edges and
    the same counterexamples (what the test suite proves, checked on every timed run too)."""
    return (
        [n.world.abstract_state() for n in serial.nodes]
        == [n.world.abstract_state() for n in parallel.nodes]
        and serial.edges == parallel.edges
        and {k: v.steps for k, v in serial.violations.items()}
        == {k: v.steps for k, v in parallel.violations.items()}
        and serial.summary(timings=False) == parallel.summary(timings=False)
    )


def bench_states_per_second(quick: bool) -> list[Row]:
    """Distinct states per second on one core, the whole library of invariants checked."""
    from slr_fsm.explore import explore

    depth = 4 if quick else 8
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    result = explore(depth=depth, max_seconds=3_600)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    rate = result.states / cpu  # per core: CPU seconds, not a neighbour's
    per_move = cpu / result.moves_tried
    return [
        Row(
            f"explorer, distinct states/s on one core, default world, depth {depth}",
            f"{rate:,.0f} states/s ({result.states:,} states, {result.moves_tried:,} moves, "
            f"{per_move * 1e6:,.1f} µs a move; CPU/wall {cpu / wall:.2f})",
            "the target",
            f"{STATES_PER_SECOND_TARGET:,} states/s",
            rate / STATES_PER_SECOND_TARGET,
            f"≥ {STATES_PER_SECOND_TARGET:,} states/s (ratio ≥ 1)",
            rate >= STATES_PER_SECOND_TARGET,
        )
    ]


def _with_passive_accounts(n: int) -> Any:
    """The explorer's small world plus ``n`` accounts where nothing happens (two
    subscriptions each)."""
    from slr_fsm.explore import small_world

    world = small_world()
    for k in range(n):
        account = world.add_account(f"{500000000000 + k:012d}", f"passive-{k}")
        for region in ("us-east-1", "eu-west-1"):
            world.add_subscription(account, region, "Passive product")
    return world


def bench_explorer_scaling(quick: bool) -> list[Row]:
    """Cost per explored move, small world against the same world plus passive accounts: the
    same moves (the small world's), interleaved repeat by repeat."""
    from slr_fsm.explore import default_moves, explore, small_world

    passive = 1_000 if quick else 10_000
    depth = 3 if quick else 5
    small, big = small_world(), _with_passive_accounts(passive)
    moves = default_moves(small)
    per_move: dict[str, list[float]] = {"small": [], "big": []}
    for _ in range(3 if quick else 5):
        for name, world in (("small", small), ("big", big)):
            result = explore(world, depth=depth, moves=moves)
            per_move[name].append(result.elapsed / result.moves_tried)
    ours, theirs = statistics.median(per_move["big"]), statistics.median(per_move["small"])
    return [
        Row(
            f"explorer, cost per move, small world + {passive:,} passive accounts (depth {depth})",
            f"{ours * 1e6:,.1f} µs",
            "the same exploration of the small world alone",
            f"{theirs * 1e6:,.1f} µs",
            ours / theirs,
            "≤ 1.5×",
            ours <= 1.5 * theirs,
        )
    ]


def _speedup(executor: Any, depth: int, repeat: int) -> tuple[float, float, float, bool, float]:
    """Median seconds serial and parallel (interleaved, repeat by repeat), their ratio, whether
    every parallel run found what the serial one found, and the median seconds to make every
    state's world of a parallel result afterwards (made when asked for; the serial search has
    made them already, it expands them)."""
    from slr_fsm.explore import explore

    explore(depth=2, executor=executor)  # workers started and warm before timing
    serial_s, parallel_s, worlds_s, same = [], [], [], True
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        serial = explore(depth=depth)
        serial_s.append(time.perf_counter() - start)
        gc.collect()
        start = time.perf_counter()
        parallel = explore(depth=depth, executor=executor)
        parallel_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        for node in parallel.nodes:
            node.world  # noqa: B018 (made when first asked for)
        worlds_s.append(time.perf_counter() - start)
        same = same and _same_search(serial, parallel)
    s, p = statistics.median(serial_s), statistics.median(parallel_s)
    return s, p, s / p, same, statistics.median(worlds_s)


def _measured(p: float, ratio: float, same: bool, worlds: float) -> str:
    return (
        f"{p:,.2f} s, speedup {ratio:.2f}× ({'same' if same else 'DIFFERENT'} results as "
        f"serial; every state's world made afterwards, when asked for: {worlds:,.2f} s)"
    )


def bench_parallel(quick: bool) -> list[Row]:
    """The same exploration serial and on two processes, interleaved; then on a local dask
    cluster of two worker processes (reported)."""
    from concurrent.futures import ProcessPoolExecutor

    depth, repeat = (4, 1) if quick else (6, 3)
    with ProcessPoolExecutor(2) as pool:
        s, p, ratio, same, worlds = _speedup(pool, depth, repeat)
    rows = [
        Row(
            f"explorer, parallel search on 2 processes (ProcessPoolExecutor), depth {depth}",
            _measured(p, ratio, same, worlds),
            "the serial search, interleaved",
            f"{s:,.2f} s",
            ratio,
            f"≥ {SPEEDUP_TARGET}× faster, same results",
            ratio >= SPEEDUP_TARGET and same,
        )
    ]
    try:
        import distributed
    except ImportError:  # the optional 'distributed' extra
        return rows
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        s, p, ratio, same, worlds = _speedup(client.get_executor(), depth, repeat)
    rows.append(
        Row(
            f"explorer, parallel search on a local dask cluster (2 worker processes), "
            f"depth {depth}",
            _measured(p, ratio, same, worlds),
            "the serial search, interleaved",
            f"{s:,.2f} s",
            ratio,
            "reported (same results required)",
            None if same else False,
        )
    )
    return rows


def rows(quick: bool) -> list[Row]:
    """This module's rows of the results table."""
    return [
        *bench_states_per_second(quick),
        *bench_explorer_scaling(quick),
        *bench_parallel(quick),
    ]
