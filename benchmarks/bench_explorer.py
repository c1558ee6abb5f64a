"""The explorer: states per second, cost per move against the world's size, parallel search."""

from __future__ import annotations

import statistics
import time
from typing import Any

from harness import Row


def bench_explorer(quick: bool) -> list[Row]:
    from hypothesis import settings
    from hypothesis.stateful import run_state_machine_as_test

    from slr_fsm.explore import explore, fingerprint, small_world
    from slr_fsm.testing import RoleLifecycleMachine

    depth = 4 if quick else 6
    start = time.perf_counter()
    result = explore(depth=depth)
    t_explore = time.perf_counter() - start
    seen: set[Any] = set()

    class Counted(RoleLifecycleMachine):
        def make_simulation(self) -> Any:
            return small_world()  # the explorer's world, so both search the same space

        def run_clock(self, seconds: float | None = None) -> None:
            super().run_clock(seconds)
            seen.add(fingerprint(self.sim))

        def call(self, *args: Any, **kwargs: Any) -> Any:
            answer = super().call(*args, **kwargs)
            seen.add(fingerprint(self.sim))
            return answer

    examples = 10 if quick else 100  # hypothesis's default max_examples
    start = time.perf_counter()
    run_state_machine_as_test(Counted, settings=settings(max_examples=examples, deadline=None,
                                                         database=None))
    t_hyp = time.perf_counter() - start
    return [Row(f"explorer on the default world, depth {depth} (README's bound)",
                f"{t_explore:,.2f} s for {result.states:,} states "
                f"({result.states_per_second:,.0f} states/s)",
                f"hypothesis's default stateful run ({examples} examples × 50 steps) of "
                "RoleLifecycleMachine",
                f"{t_hyp:,.2f} s, {len(seen):,} distinct states seen", t_explore / t_hyp,
                "less wall time (ratio < 1)", t_explore < t_hyp)]


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
    return [Row(f"explorer, cost per move, small world + {passive:,} passive accounts "
                f"(depth {depth})", f"{ours * 1e6:,.1f} µs",
                "the same exploration of the small world alone", f"{theirs * 1e6:,.1f} µs",
                ours / theirs, "≤ 1.5×", ours <= 1.5 * theirs)]




def rows(quick: bool) -> list[Row]:
    """This module's rows of the results table."""
    return [*bench_explorer(quick), *bench_explorer_scaling(quick)]
