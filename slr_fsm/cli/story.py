"""``slr-fsm simulate`` (the built-in story of the role's lifecycle) and ``slr-fsm run SCENARIO.json`` (a story of one's
own): every event a numbered entry, in text that fits 100 columns or as JSON lines.

Text: a header, then per event one line (number, virtual time, caller, operation, outcome), and
indented below it the role's state (or its change) with the step's narration, a refusal's
message and, for a deletion status, the ``RoleUsageList`` per Region. JSON: one object per event, ``seq``
numbered from 1 as in the text, the step's ``narration`` and ``answer`` (what the call
returned, or its error) on the event that shows the step's outcome.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["WIDTH", "add_parsers", "format_lines", "run"]

WIDTH = 100
"""The widest line the text output prints."""
_COLUMNS = f"{'#':>3}  {'time':<8}  {'caller':<19}  {'operation':<40}  outcome"


def add_parsers(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``simulate`` and ``run``."""
    simulate = commands.add_parser(
        "simulate",
        help="tell the role's whole story on the default world, one line an event",
        description="Run the built-in story of the role's lifecycle (a member refused, the management account "
        "sets up the billing integration, refused edits, a deletion blocked by resources in "
        "use, clean-up, deletion, re-creation) on Simulation.default() and print every event.",
    )
    run_parser = commands.add_parser(
        "run",
        help="run a scenario file of your own and print its events like simulate",
        description="Run SCENARIO (a JSON list of steps) on Simulation.default() and print "
        'every event. A step is a call, {"face": "iam" | "console" | "sts" | '
        '"organizations", "operation": ..., "account": name or id, "principal": ... '
        '(default "admin"), "parameters": {...}}, or a clock move, {"advance": seconds} or '
        '{"settle": true}; any step may "say" what it shows.',
    )
    run_parser.add_argument("scenario", metavar="SCENARIO", help="the scenario file (JSON)")
    for parser in (simulate, run_parser):
        parser.add_argument("--seed", type=int, default=0, help="seed for ids (default 0)")
        parser.add_argument(
            "--json",
            action="store_true",
            help="one JSON object per event (seq from 1, as in the text, with the answers)",
        )


def run(args: argparse.Namespace) -> int:
    """Run ``simulate`` or ``run``."""
    from slr_fsm.errors import UsageError
    from slr_fsm.scenario import SEED_STORY, run_story, steps_from_json
    from slr_fsm.simulation import Simulation

    if args.command == "run":
        try:
            with open(args.scenario, encoding="utf-8") as file:
                data = json.load(file)
        except (OSError, ValueError) as error:
            raise UsageError(f"cannot read the scenario {args.scenario}: {error}") from None
        steps = steps_from_json(data)
    else:
        steps = SEED_STORY
    sim = Simulation.default(seed=args.seed)
    lines = run_story(sim, steps)
    names = {a.account_id: a.name for a in sim.accounts if a.name}
    if args.json:
        for n, line in enumerate(lines, 1):
            sys.stdout.write(json.dumps(_record(n, line), default=_json_value) + "\n")
        return 0
    print(format_lines(lines, names))
    if args.command == "simulate":
        mgmt = sim.role(sim.organization.management_account)
        print(
            f"\nRole {mgmt.name} in {mgmt.account_id}: {mgmt.state.value},\n"
            f"RoleId {mgmt.role_id} (earlier RoleIds: {', '.join(mgmt.previous_role_ids) or 'none'})"
        )
    return 0


def format_lines(lines: Sequence[Any], account_names: Mapping[str, str]) -> str:
    """The story as text no wider than :data:`WIDTH`: a header, then each event's line with its
    narration, refusal message and resources in use indented below it."""
    out = [_COLUMNS, "-" * len(_COLUMNS)]
    indent = " " * 5
    for n, line in enumerate(lines, 1):
        event = line.event
        caller = "service" if event.principal.endswith(".amazonaws.com") else event.principal
        who = f"{account_names.get(event.account_id, event.account_id)}/{caller}"
        out.append(
            f"{n:>3}  {event.time:%H:%M:%S}  {_fit(who, 19):<19}  {_fit(event.operation, 40):<40}"
            f"  {_fit(event.outcome, WIDTH - 78)}"
        )
        narration = f" - {line.narration}" if _last_of_step(lines, n) else ""
        below = [f"{event.state_change}{narration}"]
        if event.outcome not in ("ok", "idle") and event.message:
            below.append(f"{event.outcome}: {event.message}")
        below.extend(_usage(line.answer))
        for text in below:
            out.extend(
                textwrap.wrap(
                    text,
                    WIDTH,
                    initial_indent=indent,
                    subsequent_indent=indent + "  ",
                    break_on_hyphens=False,  # ARNs and service principals stay whole,
                    break_long_words=False,  # on a line of their own if longer than WIDTH
                )
            )
    return "\n".join(out)


def _last_of_step(lines: Sequence[Any], n: int) -> bool:
    return n == len(lines) or lines[n].narration != lines[n - 1].narration


def _usage(answer: object) -> list[str]:
    """A deletion status's resources in use, a line per Region."""
    if not isinstance(answer, dict):
        return []
    usage = answer.get("Reason", {}).get("RoleUsageList", []) if answer.get("Reason") else []
    return [
        f"in use in {entry.get('Region')}: {resource}"
        for entry in usage
        for resource in entry.get("Resources", [])
    ]


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "~"


def _record(n: int, line: Any) -> dict[str, Any]:
    record = {**line.event.to_json_value(), "seq": n, "narration": line.narration}
    if line.answer is not None:
        record["answer"] = line.answer
    return record


def _json_value(value: object) -> str:
    """Datetimes in answers as ISO 8601 text (anything else JSON lacks, as its text)."""
    return value.isoformat() if isinstance(value, dt.datetime) else str(value)
