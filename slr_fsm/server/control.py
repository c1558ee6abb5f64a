"""The control API, under the reserved path prefix ``/_slr_fsm/``: what AWS has no API for.

JSON in, JSON out (the trace: JSON lines). The console route runs as a principal of an account
(``account`` by id or name, ``principal`` default ``admin``), exactly as
``sim.marketplace(account, principal)`` does; its refusals are AWS's codes and statuses::

    GET  /_slr_fsm/health                      status, virtual time, events, pending work
    GET  /_slr_fsm/access-keys                 every principal's key pair
    GET  /_slr_fsm/clock                       now, elapsed, mode, speed
    POST /_slr_fsm/clock/advance {"seconds": 10}   run the work that falls due; its events
    POST /_slr_fsm/clock/settle                run until no work is left; its events
    GET  /_slr_fsm/roles                       every role the world knows, with its state
    POST /_slr_fsm/console/configure-billing-integration {"account": "management"}
    POST /_slr_fsm/console/remove-billing-integration    {"account": ...}
    GET  /_slr_fsm/console/billing-integration?account=...
    GET  /_slr_fsm/console/subscriptions?account=...
    POST /_slr_fsm/console/attach-purchase-order {"account", "subscription_id", "po_number"}
    POST /_slr_fsm/console/detach-purchase-order {"account", "subscription_id", "po_number"}
    POST /_slr_fsm/faults {"creation_failures": 1, "usage_reporting": "some"}
    GET  /_slr_fsm/snapshot                    the world as JSON
    POST /_slr_fsm/restore   (a snapshot)      serve that world instead
    POST /_slr_fsm/reset                       serve the starting world again
    GET  /_slr_fsm/trace?since=N               the event log as JSON lines (from event N)

A mistake in a control call (unknown account, bad JSON, a negative step) is HTTP 400 with
``{"error": {"code": "UsageError", "message": ...}}``; a refusal by the simulated console is
its AWS error (e.g. 403 ``AccessDenied`` from a member account).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from slr_fsm.errors import AwsError, UsageError
from slr_fsm.events import trace_to_jsonl
from slr_fsm.server.exchange import WireRequest, WireResponse
from slr_fsm.server.identity import access_keys
from slr_fsm.server.served import ServedWorld
from slr_fsm.shown import shown
from slr_fsm.simulation import Simulation

__all__ = ["CONTROL_PREFIX", "answer_control"]

CONTROL_PREFIX = "/_slr_fsm"
"""The reserved path prefix of the control API (no AWS API path starts with it)."""

_Handler = Callable[[ServedWorld, dict[str, Any]], Any]


def _error(status: int, code: str, message: str) -> WireResponse:
    return WireResponse.json_body(status, {"error": {"code": code, "message": message}})


def _account(sim: Simulation, args: dict[str, Any]) -> str:
    """The account a call names, by id or by name."""
    given = args.get("account")
    if not isinstance(given, str) or not given:
        raise UsageError(
            f'Name the account: "account" is an account id or name, got {shown(given)}'
        )
    for account in sim.accounts:
        if given in (account.account_id, account.name):
            return account.account_id
    raise UsageError(
        f"No account {shown(given)} in this world; accounts are "
        f"{', '.join(f'{a.name} ({a.account_id})' for a in sim.accounts[:10])}"
    )


def _console(method: str, *fields: str) -> _Handler:
    def handle(served: ServedWorld, args: dict[str, Any]) -> Any:
        sim = served.sim
        with sim.atomic():
            served.catch_up(sim)
            principal = args.get("principal", "admin")
            console = sim.marketplace(_account(sim, args), principal)
            values = []
            for field in fields:
                if not isinstance(args.get(field), str):
                    raise UsageError(
                        f"{method} needs {field!r} (a string), got {shown(args.get(field))}"
                    )
                values.append(args[field])
            return getattr(console, method)(*values)

    return handle


def _events(events: Any) -> list[dict[str, Any]]:
    return [event.to_json_value() for event in events]


def _health(served: ServedWorld, _: dict[str, Any]) -> Any:
    sim = served.sim
    with sim.atomic():
        served.catch_up(sim)
        return {
            "status": "ok",
            "seed": sim.seed,
            "now": sim.now.isoformat(),
            "events": len(sim.trace),
            "pending_work": sim.pending_work,
            "clock": served.clock.name,
        }


def _clock(served: ServedWorld, _: dict[str, Any]) -> Any:
    sim = served.sim
    with sim.atomic():
        served.catch_up(sim)
        return {
            "now": sim.now.isoformat(),
            "elapsed": sim.clock.elapsed,
            "mode": served.clock.name,
            "speed": served.clock.speed,
            "pending": [list(p) for p in sim.pending],
        }


def _advance(served: ServedWorld, args: dict[str, Any]) -> Any:
    sim = served.sim
    with sim.atomic():
        served.catch_up(sim)
        seconds: Any = args.get("seconds")  # sim.advance checks it (UsageError)
        return {"events": _events(sim.advance(seconds)), "now": sim.now.isoformat()}


def _settle(served: ServedWorld, _: dict[str, Any]) -> Any:
    sim = served.sim
    with sim.atomic():
        served.catch_up(sim)
        return {"events": _events(sim.settle()), "now": sim.now.isoformat()}


def _roles(served: ServedWorld, _: dict[str, Any]) -> Any:
    sim = served.sim
    with sim.atomic():
        served.catch_up(sim)
        return {
            "roles": [
                {
                    "account_id": role.account_id,
                    "role_name": role.name,
                    "state": role.state.value,
                    "role_id": role.role_id,
                    "arn": role.arn,
                }
                for role in sim.known_roles()
            ]
        }


def _faults(served: ServedWorld, args: dict[str, Any]) -> Any:
    sim = served.sim
    unknown = set(args) - {"creation_failures", "usage_reporting"}
    if unknown:
        raise UsageError(
            f"faults takes creation_failures and usage_reporting, not {sorted(unknown)}"
        )
    with sim.atomic():
        if "creation_failures" in args:
            sim.inject_creation_failure(args["creation_failures"])
        if "usage_reporting" in args:
            sim.set_usage_reporting(args["usage_reporting"])
        faults = sim.faults
        return {
            "creation_failures": faults.creation_failures,
            "usage_reporting": faults.usage_reporting.value,
        }


def _restore(served: ServedWorld, args: dict[str, Any]) -> Any:
    sim = served.restore(args)
    return {"status": "restored", "seed": sim.seed, "now": sim.now.isoformat()}


def _reset(served: ServedWorld, _: dict[str, Any]) -> Any:
    sim = served.reset()
    return {"status": "reset", "seed": sim.seed, "now": sim.now.isoformat()}


_ROUTES: dict[tuple[str, str], _Handler] = {
    ("GET", "/health"): _health,
    ("GET", "/access-keys"): lambda served, _: {
        "access_keys": [k.to_json_value() for k in access_keys(served.sim)]
    },
    ("GET", "/clock"): _clock,
    ("POST", "/clock/advance"): _advance,
    ("POST", "/clock/settle"): _settle,
    ("GET", "/roles"): _roles,
    ("POST", "/console/configure-billing-integration"): _console("configure_billing_integration"),
    ("POST", "/console/remove-billing-integration"): _console("remove_billing_integration"),
    ("GET", "/console/billing-integration"): _console("billing_integration"),
    ("GET", "/console/subscriptions"): _console("subscriptions"),
    ("POST", "/console/attach-purchase-order"): _console(
        "attach_purchase_order", "subscription_id", "po_number"
    ),
    ("POST", "/console/detach-purchase-order"): _console(
        "detach_purchase_order", "subscription_id", "po_number"
    ),
    ("POST", "/faults"): _faults,
    ("GET", "/snapshot"): lambda served, _: served.sim.snapshot(),
    ("POST", "/restore"): _restore,
    ("POST", "/reset"): _reset,
}


def _arguments(request: WireRequest) -> dict[str, Any]:
    args: dict[str, Any] = dict(parse_qsl(request.query_string, keep_blank_values=True))
    if request.body.strip():
        try:
            body = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise UsageError("A control request's body is a JSON object; it is not JSON") from None
        if not isinstance(body, dict):
            raise UsageError(f"A control request's body is a JSON object, got {shown(body)}")
        args.update(body)
    return args


def _trace(served: ServedWorld, args: dict[str, Any]) -> WireResponse:
    since = args.get("since", 0)
    try:
        if isinstance(since, bool) or not isinstance(since, int | str):
            raise TypeError  # 1.5 or Infinity are no event numbers (int() would cut or fail)
        first = int(since)
    except (TypeError, ValueError):
        raise UsageError(f"since is an event number (0, 1, ...), got {shown(since)}") from None
    if first < 0:
        raise UsageError(f"since is an event number (0, 1, ...), got {first}")
    sim = served.sim
    with sim.atomic():
        served.catch_up(sim)
        text = trace_to_jsonl(sim.trace[first:])
    return WireResponse(200, (("Content-Type", "application/x-ndjson"),), text.encode())


def answer_control(served: ServedWorld, request: WireRequest) -> WireResponse:
    """Answer one control API request (its path starts with :data:`CONTROL_PREFIX`)."""
    path = request.path[len(CONTROL_PREFIX) :].rstrip("/") or "/"
    handler = _ROUTES.get((request.method, path))
    if handler is None and not (request.method == "GET" and path == "/trace"):
        allowed = sorted(m for m, p in _ROUTES if p == path) or (
            ["GET"] if path == "/trace" else []
        )
        if allowed:
            return _error(405, "MethodNotAllowed", f"{path} takes {' or '.join(allowed)}")
        routes = sorted({f"{m} {CONTROL_PREFIX}{p}" for m, p in _ROUTES})
        return _error(
            404,
            "NotFound",
            f"No control route {request.method} {request.path}; "
            f"routes: {', '.join(routes)}, GET {CONTROL_PREFIX}/trace",
        )
    try:
        args = _arguments(request)
        if handler is None:
            return _trace(served, args)
        return WireResponse.json_body(200, handler(served, args))
    except AwsError as error:
        return _error(error.http_status, error.code, error.message)
    except UsageError as error:
        return _error(400, "UsageError", str(error))
