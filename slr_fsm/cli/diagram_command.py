"""``slr-fsm diagram``: the lifecycle drawn from the transition table."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``diagram``."""
    diagram = commands.add_parser(
        "diagram",
        help="draw the lifecycle from the transition table",
        description="The role lifecycle diagram, drawn from the transition table. With --out, "
        "the file's extension chooses the format (.mmd, .dot, .gv, .svg, .png; SVG and PNG "
        "need the diagram extra) unless --format says; without it, Mermaid text on stdout.",
    )
    diagram.add_argument(
        "--format",
        choices=["mermaid", "svg", "dot"],
        help="mermaid (no dependency), dot, or svg (diagram extra); default: from --out",
    )
    diagram.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")


def run(args: argparse.Namespace) -> int:
    """Run ``diagram``; a bad ``--out`` is a UsageError (one line, exit 2), never a traceback."""
    from slr_fsm.diagram import lifecycle_diagram
    from slr_fsm.errors import UsageError

    diagram = lifecycle_diagram()
    if args.out and args.format is None:
        diagram.save(args.out)
        return 0
    text = diagram.render(args.format or "mermaid")
    if not args.out:
        print(text)
        return 0
    try:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    except OSError as error:
        raise UsageError(f"cannot write {args.out}: {error.strerror or error}") from None
    return 0
