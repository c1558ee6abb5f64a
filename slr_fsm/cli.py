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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
