"""``slr-fsm serve`` and ``slr-fsm access-keys``: the simulation as an AWS endpoint."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

__all__ = ["DEFAULT_PORT", "add_parsers", "run"]

DEFAULT_PORT = 4570
"""``slr-fsm serve``'s port unless told (moto's server takes 5000, LocalStack 4566)."""


_SERVER_PACKAGES = frozenset({"boto3", "botocore", "werkzeug"})
"""What the ``server`` extra installs beside the core (the server speaks botocore's models)."""


def _require_server(command: str, *, serving: bool) -> None:
    """Import ``slr_fsm.server`` (and, ``serving``, the HTTP library it loads when it starts),
    or raise a one-line usage error naming the extra to install."""
    from slr_fsm.errors import UsageError

    try:
        import slr_fsm.server  # noqa: F401 - imported to learn whether it can be

        if serving:
            import werkzeug  # noqa: F401
    except ModuleNotFoundError as missing:
        package = (missing.name or "").partition(".")[0]
        if package not in _SERVER_PACKAGES:
            raise
        raise UsageError(
            f"{command} needs the server extra ({package} is not installed): "
            "pip install 'slr-fsm[server]'"
        ) from None


def _world_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, help="seed for ids and access keys (default 0)")
    parser.add_argument(
        "--world", metavar="SNAPSHOT", help="start from a snapshot file (JSON, sim.snapshot())"
    )


def add_parsers(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``serve`` and ``access-keys``."""
    serve = commands.add_parser(
        "serve",
        help="serve the simulation as an AWS endpoint (IAM, STS, Organizations) over HTTP",
        description="Serve IAM and STS (query protocol, XML) and the AWS Organizations reads "
        "(JSON 1.1) over HTTP for the AWS CLI and every SDK, plus a control API under "
        "/_slr_fsm/ (clock, Marketplace console route, snapshots, trace). The first line "
        "printed is JSON with the endpoint URL. Callers sign with the access keys that "
        "`slr-fsm access-keys` lists (signatures are not verified). Stops cleanly on SIGINT or "
        "SIGTERM. See docs/server.md.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    _world_options(serve)
    for name, default, what in (
        ("creation", 10.0, "from the create request until the role is active"),
        ("deletion-start", 2.0, "until a deletion task turns IN_PROGRESS"),
        ("deletion-run", 8.0, "from IN_PROGRESS until the task ends"),
    ):
        serve.add_argument(
            f"--{name}-latency",
            type=float,
            metavar="SECONDS",
            help=f"virtual seconds {what} (default {default:g})",
        )
    serve.add_argument(
        "--task-retention",
        type=float,
        metavar="SECONDS",
        help="how long a finished deletion task can be queried (default: forever)",
    )
    serve.add_argument(
        "--usage-reporting",
        choices=["all", "some", "none"],
        help="how much of the resources in use a failed deletion reports (default all)",
    )
    serve.add_argument(
        "--clock",
        choices=["manual", "wall"],
        default="manual",
        help="manual: time moves only through the control API (default); wall: it also "
        "follows wall time at --speed",
    )
    serve.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="wall clock: virtual seconds per wall second (default 1)",
    )
    serve.add_argument(
        "--max-body-bytes",
        type=int,
        default=1 << 20,
        help="largest request body accepted (default 1 MiB)",
    )
    serve.add_argument(
        "--client-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="drop a connection silent this long (default 10)",
    )
    serve.add_argument("--quiet", action="store_true", help="no request log on stderr")

    keys = commands.add_parser(
        "access-keys",
        help="list every simulated principal's access key pair (for the AWS CLI and SDKs)",
        description="The deterministic access key pair of every principal (IAM users, and each "
        "role's trusted service) of the world `slr-fsm serve` would serve with the same "
        "--seed or --world, or of a running server (--url).",
    )
    _world_options(keys)
    keys.add_argument("--url", help="ask a running server (its endpoint URL) instead")
    keys.add_argument("--json", action="store_true", help="print JSON")
    keys.add_argument(
        "--export",
        metavar="ACCOUNT/PRINCIPAL",
        help="print shell exports for one principal, e.g. management/admin",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``serve`` or ``access-keys``."""
    return _serve(args) if args.command == "serve" else _access_keys(args)


def _starting_world(args: argparse.Namespace) -> Any:
    """The world to serve: a snapshot (``--world``) or ``Simulation.default`` with the options."""
    from slr_fsm.clock import Latencies
    from slr_fsm.errors import UsageError
    from slr_fsm.simulation import Simulation

    options = {
        field: getattr(args, option, None)
        for field, option in (
            ("creation", "creation_latency"),
            ("deletion_start", "deletion_start_latency"),
            ("deletion_run", "deletion_run_latency"),
            ("task_retention", "task_retention"),
        )
    }
    given: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    if args.world is not None:
        if given or args.seed is not None:
            raise UsageError(
                "--world starts from a snapshot, which holds its own seed and latencies: give "
                "--world alone, or --seed and the latency options without it."
            )
        try:
            with open(args.world, encoding="utf-8") as snapshot:
                data = json.load(snapshot)
        except (OSError, ValueError) as error:
            raise UsageError(f"Cannot read the snapshot {args.world!r}: {error}") from None
        sim = Simulation.restore(data)
    else:
        sim = Simulation.default(seed=args.seed or 0, latencies=Latencies(**given))
    if getattr(args, "usage_reporting", None):
        sim.set_usage_reporting(args.usage_reporting)
    return sim


def _serve(args: argparse.Namespace) -> int:
    _require_server("slr-fsm serve", serving=True)
    from slr_fsm.server import ClockMode, SimulationServer, serve_until_signalled

    clock = ClockMode(args.clock, args.speed)
    log = None if args.quiet else lambda line: print(line, file=sys.stderr, flush=True)
    server = SimulationServer(
        _starting_world(args),
        host=args.host,
        port=args.port,
        clock=clock,
        max_body_bytes=args.max_body_bytes,
        client_timeout=args.client_timeout,
        log=log,
    )

    def ready(server: SimulationServer) -> None:
        first = {
            "endpoint_url": server.url,
            "control_url": server.url + "/_slr_fsm",
            "pid": os.getpid(),
        }
        print(json.dumps(first), flush=True)
        admin = next(k for k in server.access_keys() if k.kind == "user")
        print(
            f"slr-fsm serve: IAM, STS and Organizations at {server.url} (clock: {clock.name}); "
            f"control API at {server.url}/_slr_fsm/health; Ctrl-C stops.\n"
            f"  as {admin.account_name or admin.account_id}/{admin.principal}: "
            f"AWS_ACCESS_KEY_ID={admin.access_key_id} "
            f"AWS_SECRET_ACCESS_KEY={admin.secret_access_key} "
            f"aws --endpoint-url {server.url} --region us-east-1 iam list-roles\n"
            "  every principal's keys: slr-fsm access-keys (same --seed/--world)",
            flush=True,
        )

    serve_until_signalled(server, ready)
    print("slr-fsm serve: stopped.", flush=True)
    return 0


def _access_keys(args: argparse.Namespace) -> int:
    from slr_fsm.errors import UsageError

    if args.url is not None:
        if args.world is not None or args.seed is not None:
            raise UsageError("--url asks a running server; it takes no --seed or --world.")
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(args.url.rstrip("/") + "/_slr_fsm/access-keys") as answer:
                keys = json.load(answer)["access_keys"]
        except (OSError, ValueError, KeyError) as error:
            raise UsageError(f"Cannot list the access keys of {args.url}: {error}") from None
    else:
        _require_server("slr-fsm access-keys", serving=False)
        from slr_fsm.server import access_keys

        keys = [k.to_json_value() for k in access_keys(_starting_world(args))]
    if args.export is not None:
        account, _, principal = args.export.partition("/")
        chosen = [
            k
            for k in keys
            if account in (k["account_id"], k["account_name"]) and k["principal"] == principal
        ]
        if not chosen:
            raise UsageError(
                f"No principal {args.export!r}; give ACCOUNT/PRINCIPAL, e.g. management/admin"
            )
        print(f"export AWS_ACCESS_KEY_ID={chosen[0]['access_key_id']}")
        print(f"export AWS_SECRET_ACCESS_KEY={chosen[0]['secret_access_key']}")
    elif args.json:
        print(json.dumps(keys, indent=2))
    else:
        rows = [
            (
                f"{k['account_name']} ({k['account_id']})"
                if k["account_name"]
                else k["account_id"],
                k["principal"],
                k["access_key_id"],
                k["secret_access_key"],
            )
            for k in keys
        ]
        header = ("account", "principal", "AccessKeyId", "SecretAccessKey")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        for row in [header, *rows]:
            print(
                "  ".join(f"{cell:<{width}}" for cell, width in zip(row[:3], widths, strict=True))
                + "  "
                + row[3]
            )
    return 0
