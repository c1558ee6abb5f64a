"""The boto3 bridge, operation by operation, beside a payload-matched botocore floor and moto.

Each operation is timed alone (``perf_counter`` around the call), interleaved repeat by repeat
across the systems; what must happen between two calls (deleting the role a create made, making
again the role a delete removed) runs outside the timed part, in every system alike:

- the bridge: ``iam_client(sim)``, once with zero latencies and once with the defaults;
- the floor: a client of the same botocore session whose ``before-call`` handler answers with
  exactly what the bridge answered for that call (recorded once, at ``after-call`` before
  botocore's own handlers decode it) rebuilt afresh each call (see :func:`_builder`);
- moto: the same call through boto3 on moto's ``mock_aws``;
- the simulation alone: the same call on ``sim.iam(account)``, no botocore: what is left of
  the bridge's time once the floor and the simulation are taken away is the bridge's own.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

import attrs
from harness import ROLE, SERVICE, Row, Timing

_CALLS: dict[str, dict[str, Any]] = {
    "create_service_linked_role": {"AWSServiceName": SERVICE},
    "get_role": {"RoleName": ROLE},
    "list_roles": {"PathPrefix": "/aws-service-role/"},
    "update_role_description": {"RoleName": ROLE, "Description": "benchmark"},
    "tag_role": {"RoleName": ROLE, "Tags": [{"Key": "team", "Value": "benchmarks"}]},
    "list_role_tags": {"RoleName": ROLE},
    "get_service_linked_role_deletion_status": {},  # DeletionTaskId: the system's own task
    "delete_service_linked_role": {"RoleName": ROLE},
}
"""Each operation and its parameters (the role is the one the system's create named)."""
_READS = {"get_role", "list_roles", "list_role_tags", "get_service_linked_role_deletion_status"}
_WARM_UP = 3
"""Untimed calls before each system's timed ones."""
_ZERO = {"creation": 0, "deletion_start": 0, "deletion_run": 0}


@attrs.frozen
class _System:
    """One way of answering the operation: the timed call and what runs between two calls."""

    call: Callable[[], Any]
    between: Callable[[], Any] = lambda: None


def _measure_steps(systems: dict[str, _System], *, number: int, repeat: int) -> dict[str, Timing]:
    """Seconds per call of each system's ``call`` (its ``between`` untimed), interleaved repeat
    by repeat as :func:`harness.measure_side_by_side` does; a repeat's figure is the mean of
    its ``number`` calls (:func:`_typical_mean`: work done once every few calls, such as the
    bridge's RequestIds worked out 16 at a time or a young garbage collection, counts), leaving
    out a call the scheduler preempted (two cores, shared). What exists before it starts is
    frozen out of the garbage collector (``gc.freeze``): with moto and botocore's models
    loaded, one full collection takes about 80 ms, which would land on whichever call
    triggered it."""
    samples: dict[str, list[float]] = {name: [] for name in systems}
    clock = time.perf_counter
    gc.collect()
    gc.freeze()
    try:
        for _ in range(repeat):
            for name, system in systems.items():
                gc.collect()
                for _ in range(_WARM_UP):  # what ran before (moto, say) left the caches cold
                    system.call()
                    system.between()
                calls = []
                for _ in range(number):
                    start = clock()
                    system.call()
                    calls.append(clock() - start)
                    system.between()
                samples[name].append(_typical_mean(calls))
    finally:
        gc.unfreeze()
    return {name: Timing(statistics.median(v), min(v), max(v)) for name, v in samples.items()}


_PREEMPTED = 2
"""A call that took more than this many times its block's median was preempted, not working:
no call of any system here does twice its usual work (the bridge's batch of 16 RequestIds adds
about 10 µs to a 50-300 µs call; a young garbage collection less)."""


def _typical_mean(calls: list[float]) -> float:
    """The mean of a block's calls, those preempted left out (see :data:`_PREEMPTED`). Not the
    median: a cost paid once in 16 calls would vanish from it."""
    limit = _PREEMPTED * statistics.median(calls)
    kept = [c for c in calls if c <= limit]
    return sum(kept) / len(kept)


def _builder(value: Any) -> Callable[[], Any]:
    """A function that builds ``value``'s dicts and lists anew at each call, sharing its leaves
    (strings, numbers, datetimes: immutable): the cheapest deep copy Python has (a compiled
    literal, about 5x faster than a recursive copy's function calls and 20x ``copy.deepcopy``),
    so the floor pays for a fresh answer as little as any botocore user could."""
    leaves: dict[str, Any] = {}

    def source(v: Any) -> str:
        if type(v) is dict:
            return "{" + ", ".join(f"{k!r}: {source(x)}" for k, x in v.items()) + "}"
        if type(v) is list:
            return "[" + ", ".join(source(x) for x in v) + "]"
        name = f"_{len(leaves)}"
        leaves[name] = v
        return name

    code = f"lambda: {source(value)}"
    built: Callable[[], Any] = eval(code, leaves)  # our own literal, no input
    return built


def _recorded(client: Any, call: Callable[[], Any]) -> dict[str, Any]:
    """What ``call`` made the client answer, before botocore's ``after-call`` handlers decode
    it: the parsed answer and the HTTP headers, by operation name."""
    import copy

    seen: dict[str, Any] = {}

    def record(http_response: Any, parsed: Any, model: Any, **_: Any) -> None:
        seen[model.name] = (copy.deepcopy(parsed), dict(http_response.headers))

    client.meta.events.register_first("after-call.iam", record)
    try:
        call()
    finally:
        client.meta.events.unregister("after-call.iam", record)
    return seen


def _floor(recorded: dict[str, Any], also: Callable[[], Any] | None = None) -> Any:
    """A client of the bridge's botocore session answered at ``before-call`` with the recorded
    answers, each rebuilt afresh per call (the user may change what a call returns); with
    ``also``, its handler runs that first (the simulated call, its answer dropped), to see
    what the simulation costs among botocore's own work."""
    from botocore.awsrequest import AWSResponse

    from slr_fsm.boto import shared_session

    client = shared_session().create_client(
        "iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    answers = {}
    for name, (parsed, headers) in recorded.items():
        build = _builder(parsed)
        fresh = build()
        assert fresh == parsed, "the floor answers what the bridge answered"
        assert fresh is not parsed, "and a fresh copy of it"
        answers[name] = (build, headers)

    def answer(model: Any, **_: Any) -> Any:
        if also is not None:
            also()
        build, headers = answers[model.name]
        return AWSResponse("https://iam.amazonaws.com/", 200, headers, None), build()

    client.meta.events.register("before-call.iam", answer)
    return client


def _bridged(
    operation: str, latencies: dict[str, float]
) -> tuple[_System, _System, Any, dict[str, Any]]:
    """The bridge's system for ``operation``, the simulation's alone, the bridge's client and
    the call's parameters, on a simulation of their own where the role exists (and, for the deletion status, a
    deletion task)."""
    from slr_fsm import Latencies, Simulation
    from slr_fsm.boto import iam_client

    sim = Simulation.default(latencies=Latencies(**latencies))
    client = iam_client(sim)
    face = sim.iam(sim.organization.management_account)
    kwargs = dict(_CALLS[operation])
    client.create_service_linked_role(AWSServiceName=SERVICE)
    if operation == "list_role_tags":
        client.tag_role(**_CALLS["tag_role"])
    sim.settle()
    if operation == "get_service_linked_role_deletion_status":
        kwargs["DeletionTaskId"] = client.delete_service_linked_role(RoleName=ROLE)[
            "DeletionTaskId"
        ]

    def gone_again() -> None:
        client.delete_service_linked_role(RoleName=ROLE)
        sim.settle()

    def back_again() -> None:
        sim.settle()
        client.create_service_linked_role(AWSServiceName=SERVICE)
        sim.settle()

    between = {
        "create_service_linked_role": gone_again,
        "delete_service_linked_role": back_again,
    }.get(operation, lambda: None)
    if operation == "create_service_linked_role":
        gone_again()
    ours = _System(lambda: getattr(client, operation)(**kwargs), between)
    alone = _System(lambda: getattr(face, operation)(**kwargs), between)
    return ours, alone, client, kwargs


def _moto(client: Any, operation: str) -> _System:
    """moto's system for ``operation`` (inside ``mock_aws``); the role named as moto names it."""
    name = client.create_service_linked_role(AWSServiceName=SERVICE)["Role"]["RoleName"]
    kwargs = {k: name if k == "RoleName" else v for k, v in _CALLS[operation].items()}
    if operation == "list_role_tags":
        client.tag_role(**{**_CALLS["tag_role"], "RoleName": name})
    if operation == "get_service_linked_role_deletion_status":
        kwargs["DeletionTaskId"] = client.delete_service_linked_role(RoleName=name)[
            "DeletionTaskId"
        ]
    between = {
        "create_service_linked_role": lambda: client.delete_service_linked_role(RoleName=name),
        "delete_service_linked_role": lambda: client.create_service_linked_role(
            AWSServiceName=SERVICE
        ),
    }.get(operation, lambda: None)
    if operation == "create_service_linked_role":
        between()
    return _System(lambda: getattr(client, operation)(**kwargs), between)


def bench_boto(quick: bool) -> list[Row]:
    """Per operation: the bridge against the floor with zero and with default latencies (one
    interleaved run for each), and against moto (one more: moto's heavy calls would leave the
    caches cold for whatever runs after them)."""
    n, r = (20, 9) if quick else (20, 60)  # short blocks, many repeats: a noisy neighbour
    # slows one block of one system, and the median over repeats drops it
    try:
        import boto3
        import moto
    except ImportError:
        moto = None
    rows: list[Row] = []
    for operation in _CALLS:
        timed: dict[str, Timing] = {}
        bridged: dict[str, _System] = {}
        for label, latencies in (("zero", _ZERO), ("default", {})):
            ours, alone, client, kwargs = _bridged(operation, latencies)
            recorded = _recorded(client, ours.call)  # the payload the floor answers with
            ours.between()
            floor, with_sim = _floor(recorded), _floor(recorded, also=alone.call)
            systems = {
                f"ours {label}": ours,
                f"floor {label}": _System(
                    lambda f=floor, o=operation, k=kwargs: getattr(f, o)(**k)
                ),
                f"floor+sim {label}": _System(
                    lambda f=with_sim, o=operation, k=kwargs: getattr(f, o)(**k), alone.between
                ),
                f"alone {label}": alone,
            }
            timed |= _measure_steps(systems, number=n, repeat=r)
            bridged[f"ours {label} beside moto"] = ours
        if moto is not None:
            mock = moto.mock_aws()
            mock.start()
            try:
                theirs = boto3.client(
                    "iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
                )
                bridged["moto"] = _moto(theirs, operation)
                timed |= _measure_steps(bridged, number=n, repeat=max(3, r // 3))
            finally:
                mock.stop()
        rows += _rows(operation, timed)
    return rows


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs"


def _rows(operation: str, timed: dict[str, Timing]) -> list[Row]:
    """The operation's rows: against the floor (zero, default latencies), against moto."""
    limit = 1.25 if operation in _READS else 1.5
    kind = "read" if operation in _READS else "write"
    out = []
    for label in ("zero", "default"):
        ours, floor = timed[f"ours {label}"].median, timed[f"floor {label}"].median
        with_sim, alone = timed[f"floor+sim {label}"].median, timed[f"alone {label}"].median
        split = (
            f"of the {_us(ours - floor)} above it: simulation {_us(with_sim - floor)} among "
            f"botocore's work, {_us(alone)} on its own; bridge {_us(ours - with_sim)}"
        )
        out.append(
            Row(
                f"`{operation}` through the bridge, {label} latencies",
                timed[f"ours {label}"].us(),
                "botocore answering the same payload at before-call (the floor)",
                timed[f"floor {label}"].us(),
                ours / floor,
                f"≤ {limit}× ({kind})",
                ours <= limit * floor,
                note=split,
            )
        )
    if "moto" in timed:
        theirs = timed["moto"].median
        for label in ("zero", "default"):
            ours = timed[f"ours {label} beside moto"].median
            out.append(
                Row(
                    f"`{operation}` through the bridge, {label} latencies",
                    timed[f"ours {label} beside moto"].us(),
                    "boto3 on moto",
                    timed["moto"].us(),
                    ours / theirs,
                    "≥ 10× faster (ratio ≤ 0.1)",
                    ours * 10 <= theirs,
                )
            )
    return out


def rows(quick: bool) -> list[Row]:
    """This module's rows of the results table."""
    return [*bench_boto(quick)]
