"""A planted bug, found by the explorer: deletion that forgets to check resources in use.

The broken lifecycle below differs from slr_fsm's in one guard: its ``finish_deletion -> deleted``
row has no ``no_resources_in_use`` guard. The explorer finds the shortest sequence of moves after
which a role is deleted while resources still use it, and writes it out as a pytest test that
fails (until the bug is fixed):

    python examples/planted_bug.py [--write /any/folder/test_counterexample.py]

The written test is self-contained: ``planted_world()`` and ``planted_lifecycle()`` are copied
into it (this script is not a module a test elsewhere could import), the rest comes from
slr_fsm and attrs, so ``python -m pytest /any/folder/test_counterexample.py`` runs it from any
folder.
"""

from __future__ import annotations

import argparse
import sys

import attrs

from slr_fsm import TRANSITIONS, Lifecycle, RoleState, Simulation
from slr_fsm.explore import explore, small_world


def planted_lifecycle() -> Lifecycle:
    """slr_fsm's lifecycle with one broken guard: deletion ignores resources in use."""
    return Lifecycle(
        tuple(
            attrs.evolve(row, guards=())
            if row.trigger == "finish_deletion" and row.dest is RoleState.DELETED
            else row
            for row in TRANSITIONS
        )
    )


def planted_world() -> Simulation:
    """The explorer's small world, under the planted lifecycle."""
    return small_world(lifecycle=planted_lifecycle())


def main(argv: list[str] | None = None) -> int:
    """Explore the planted world; print the report; write the counterexample with --write."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="FILE", help="write the counterexample as a test")
    parser.add_argument("--depth", type=int, default=6)
    args = parser.parse_args(argv)
    result = explore(planted_world(), depth=args.depth, invariants=["never_deleted_while_in_use"])
    print(result.summary())
    trace = result.violations.get("never_deleted_while_in_use")
    if trace is not None and args.write:
        source = trace.to_pytest("test_deletion_waits_for_clean_up", world=planted_world)
        with open(args.write, "w", encoding="utf-8") as out:
            out.write(source)
        print(f"\nwrote {args.write}")
    return 1 if result.violations else 0


if __name__ == "__main__":
    sys.exit(main())
