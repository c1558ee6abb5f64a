"""The ``slr-fsm`` command: ``slr-fsm simulate`` tells the seed's story on the default world.

>>> main(["simulate", "--seed", "0"])  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
 1  00:00:00  member-a/admin  configure_billing_integration  AccessDenied  absent  A member ...
...
22  00:00:40  management/service  finish_creation  ok  creating -> active  Time passes; ...
<BLANKLINE>
Role AWSServiceRoleForMarketplacePurchaseOrders in 111122223333: active, ...
0
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slr-fsm",
        description="Simulate the lifecycle of the AWS service-linked role "
        "AWSServiceRoleForMarketplacePurchaseOrders.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    simulate = commands.add_parser(
        "simulate",
        help="tell the seed's story on the default world, one line a step",
        description="Run the seed document's story (set-up, refused edits, blocked deletion, "
        "clean-up, deletion, re-creation) on Simulation.default() and print every step.",
    )
    simulate.add_argument("--seed", type=int, default=0, help="seed for ids (default 0)")
    simulate.add_argument(
        "--json", action="store_true", help="print the trace as JSON lines instead of text"
    )

    explore = commands.add_parser(
        "explore",
        help="visit every reachable state of a small world and check the invariants",
        description="Breadth-first over the explorer's small world (an organization with a "
        "member, a standalone account, admin and readonly principals, two subscriptions): "
        "every state within the depth, each invariant checked, the shortest counterexample for "
        "any that breaks. Exit code 1 when an invariant breaks.",
    )
    explore.add_argument("--depth", type=int, default=6, help="moves from the start (default 6)")
    explore.add_argument(
        "--invariant",
        action="append",
        metavar="NAME",
        help="check only this invariant (repeatable; default: all)",
    )
    explore.add_argument(
        "--max-states", type=int, default=100_000, help="stop after this many distinct states"
    )
    explore.add_argument(
        "--max-seconds", type=float, default=300.0, help="stop after this many seconds"
    )
    explore.add_argument("--json", action="store_true", help="print the result as JSON")
    explore.add_argument("--quiet", action="store_true", help="no progress on stderr")

    diagram = commands.add_parser(
        "diagram",
        help="draw the lifecycle from the transition table",
        description="The role lifecycle diagram, drawn from the transition table.",
    )
    diagram.add_argument(
        "--format",
        choices=["mermaid", "svg", "dot"],
        default="mermaid",
        help="mermaid (default, no dependency), dot, or svg (diagram extra)",
    )
    diagram.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:  # e.g. `slr-fsm simulate --json | head`: the reader left early
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter exit quiet
        return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "explore":
        return _explore(args)
    if args.command == "diagram":
        return _diagram(args)
    from slr_fsm.scenario import SEED_STORY, format_story, run_story
    from slr_fsm.simulation import Simulation

    sim = Simulation.default(seed=args.seed)
    lines = run_story(sim, SEED_STORY)
    if args.json:
        for line in lines:
            record = {"step": line.narration, **line.event.to_json_value()}
            sys.stdout.write(json.dumps(record, sort_keys=True) + "\n")
        return 0
    print(format_story(lines, {a.account_id: a.name for a in sim.accounts}))
    mgmt = sim.role(sim.organization.management_account)
    print(
        f"\nRole {mgmt.name} in {mgmt.account_id}: {mgmt.state.value}, RoleId {mgmt.role_id} "
        f"(earlier RoleIds: {', '.join(mgmt.previous_role_ids) or 'none'})"
    )
    return 0


def _explore(args: argparse.Namespace) -> int:
    from slr_fsm.errors import UsageError
    from slr_fsm.explore import ExploreProgress, explore

    def report(p: ExploreProgress) -> None:
        print(
            f"... {p.states} states, {p.moves_tried} moves, depth {p.depth}, "
            f"{p.states_per_second:,.0f} states/s",
            file=sys.stderr,
        )

    try:
        result = explore(
            depth=args.depth,
            invariants=args.invariant,
            max_states=args.max_states,
            max_seconds=args.max_seconds,
            progress=None if args.quiet or args.json else report,
        )
    except UsageError as error:
        print(f"slr-fsm explore: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_json_value(), indent=2))
    else:
        print(result.summary())
    return 1 if result.violations else 0


def _diagram(args: argparse.Namespace) -> int:
    from slr_fsm.diagram import lifecycle_diagram
    from slr_fsm.errors import UsageError

    try:
        text = lifecycle_diagram().render(args.format)
    except UsageError as error:
        print(f"slr-fsm diagram: {error}", file=sys.stderr)
        return 2
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
