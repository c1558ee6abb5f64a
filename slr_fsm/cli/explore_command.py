"""``slr-fsm explore``: every reachable state of a small world, each invariant checked."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["EXIT_BROKEN", "EXIT_STOPPED", "add_parser", "run"]

EXIT_BROKEN = 1
"""An invariant broke (its shortest counterexample is printed)."""
EXIT_STOPPED = 3
"""A bound (``--max-states``, ``--max-seconds``) stopped the search before the depth asked:
the invariants held in the states seen, but not every state was seen."""


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``explore``."""
    explore = commands.add_parser(
        "explore",
        help="visit every reachable state of a small world and check the invariants",
        description="Breadth-first over the explorer's small world (an organization with a "
        "member, a standalone account, admin and readonly principals, two subscriptions): "
        "every state within the depth, each invariant checked, the shortest counterexample for "
        f"any that breaks. Exit code {EXIT_BROKEN} when an invariant breaks, {EXIT_STOPPED} "
        "when a bound stopped the search before the depth.",
    )
    explore.add_argument("--depth", type=int, default=6, help="moves from the start (default 6)")
    explore.add_argument(
        "--invariant",
        action="append",
        metavar="NAME",
        help="check only this invariant (repeatable; default: all)",
    )
    explore.add_argument(
        "--max-states",
        type=int,
        default=100_000,
        help="stop once this many distinct states are found (the state being expanded is "
        "finished first, so a few more may be reported)",
    )
    explore.add_argument(
        "--max-seconds", type=float, default=300.0, help="stop after this many seconds"
    )
    explore.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help="search on N processes (1, the default: in this process alone); the results are "
        "the same states, moves and shortest counterexamples whatever N",
    )
    explore.add_argument("--json", action="store_true", help="print the result as JSON")
    explore.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _workers(text: str) -> int:
    """A number of processes: a whole number from 1 to the largest a pool may have (61, the
    limit ProcessPoolExecutor keeps on Windows, on every system, so that a command line means
    the same everywhere)."""
    try:
        workers = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number of processes, got {text!r}") from None
    if not 1 <= workers <= _MOST_WORKERS:
        raise argparse.ArgumentTypeError(
            f"a number of processes from 1 to {_MOST_WORKERS}, got {workers}"
        )
    return workers


_MOST_WORKERS = 61


def run(args: argparse.Namespace) -> int:
    """Run ``explore``."""
    from slr_fsm.errors import UsageError
    from slr_fsm.explore import ExploreProgress, explore
    from slr_fsm.invariants import INVARIANTS
    from slr_fsm.shown import shown

    for name in args.invariant or ():
        if name not in INVARIANTS:
            raise UsageError(
                f"--invariant {shown(name)} is not one of the library's invariants: "
                + ", ".join(sorted(INVARIANTS))
            )

    def report(p: ExploreProgress) -> None:
        print(
            f"... {p.states} states, {p.moves_tried} moves, depth {p.depth}, "
            f"{p.states_per_second:,.0f} states/s",
            file=sys.stderr,
        )

    settings: dict[str, Any] = {
        "depth": args.depth,
        "invariants": args.invariant,
        "max_states": args.max_states,
        "max_seconds": args.max_seconds,
        "progress": None if args.quiet or args.json else report,
    }
    if args.workers == 1:
        result = explore(**settings)
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(args.workers) as pool:
            result = explore(**settings, executor=pool)
    if args.json:
        print(json.dumps(result.to_json_value(), indent=2))
    else:
        if not result.complete:
            held = "broke" if result.violations else "held"
            print(
                f"stopped before finishing depth {result.depth} of {args.depth} after "
                f"{result.elapsed:.0f} s "
                f"({result.stopped_because}); the invariants {held} in the {result.states:,} "
                "states seen\n"
            )
        print(result.summary())
    if result.violations:
        return EXIT_BROKEN
    return 0 if result.complete else EXIT_STOPPED
