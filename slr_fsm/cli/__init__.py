"""The ``slr-fsm`` command: ``slr-fsm simulate`` tells the role's whole story on the default world.

Commands: ``simulate``, ``run SCENARIO.json``, ``explore``, ``diagram``, ``serve``,
``access-keys`` (``slr-fsm COMMAND --help`` for each). Exit codes: 0 done; 1 ``explore`` found a
broken invariant; 2 a bad argument, or a file that cannot be read or written (one line on
stderr saying why); 3 ``explore`` stopped at a bound before the depth asked.

>>> main(["simulate", "--seed", "0"])  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
  #  time      caller               operation                                 outcome
...
  1  00:00:00  member-a/admin       configure_billing_integration             AccessDenied
     absent - A member account tries to set up the AWS Billing integration: refused.
...
0
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from slr_fsm.cli import diagram_command, explore_command, serve_command, story
from slr_fsm.cli.serve_command import DEFAULT_PORT

__all__ = ["DEFAULT_PORT", "EXIT_USAGE", "main"]

EXIT_USAGE = 2
"""A bad argument or an unreadable or unwritable file."""
_COMMANDS = {
    "simulate": story.run,
    "run": story.run,
    "explore": explore_command.run,
    "diagram": diagram_command.run,
    "serve": serve_command.run,
    "access-keys": serve_command.run,
}


class _Parser(argparse.ArgumentParser):
    """argparse, with every mistake one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("slr-fsm")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown (not installed)"


def _parser() -> _Parser:
    parser = _Parser(
        prog="slr-fsm",
        description="Simulate the lifecycle of the AWS service-linked role "
        "AWSServiceRoleForMarketplacePurchaseOrders.",
    )
    parser.add_argument("--version", action="version", version=f"slr-fsm {_version()}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    story.add_parsers(commands)
    explore_command.add_parser(commands)
    diagram_command.add_parser(commands)
    serve_command.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (see the module's docstring)."""
    from slr_fsm.errors import UsageError

    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except UsageError as error:
        print(f"slr-fsm {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `slr-fsm simulate --json | head`: the reader left early
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter exit quiet
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
