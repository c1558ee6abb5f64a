"""slr_fsm's benchmarks, each side by side with what it is compared with, in one run.

    python benchmarks/run.py            # every benchmark; rewrites docs/performance.md
    python benchmarks/run.py --quick    # a fast pass (CI), printed only

Every figure is the median over repeats, with the spread (min to max) beside it; ratios are
medians divided by medians. Nothing here asserts a time: targets are reported, met or missed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parent.parent
ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"
SERVICE = "purchase-orders.marketplace.amazonaws.com"


@attrs.frozen
class Timing:
    """Seconds per operation: the median over repeats, and the fastest and slowest repeat."""

    median: float
    low: float
    high: float

    def us(self) -> str:
        return f"{self.median * 1e6:,.2f} µs ({self.low * 1e6:,.2f}–{self.high * 1e6:,.2f})"

    def s(self) -> str:
        return f"{self.median:,.3f} s ({self.low:,.3f}–{self.high:,.3f})"


def measure(fn: Callable[[], Any], *, number: int, repeat: int) -> Timing:
    """Seconds per call of ``fn`` (called ``number`` times a repeat)."""
    samples = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return Timing(statistics.median(samples), min(samples), max(samples))


def measure_side_by_side(fns: dict[str, Callable[[], Any]], *, number: int, repeat: int
                         ) -> dict[str, Timing]:
    """Like :func:`measure` for several functions, interleaved repeat by repeat, so that each
    sees the same machine (a noisy neighbour slows all of them, not one)."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number)
    return {name: Timing(statistics.median(v), min(v), max(v)) for name, v in samples.items()}


@attrs.frozen
class Row:
    """One line of the results table."""

    what: str
    ours: str
    compared_with: str
    theirs: str
    ratio: float
    target: str
    met: bool | None
    note: str = ""


# --------------------------------------------------------------------------- 1. one trigger

def _plain_transitions_machine() -> Any:
    """The same table on a plain transitions.Machine (guards as conditions on the event)."""
    from transitions import Machine

    from slr_fsm.lifecycle import GUARDS, TRANSITIONS, RoleState

    class Model:
        pass

    model = Model()
    def condition(guard: Any) -> Callable[[Any], bool]:
        return lambda event: bool(guard.predicate(event.kwargs["facts"]))

    rows = [{"trigger": r.trigger, "source": list(r.sources), "dest": r.dest,
             "conditions": [condition(GUARDS[name]) for name in r.guards]} for r in TRANSITIONS]
    Machine(model=model, states=RoleState, transitions=rows, initial=RoleState.CREATING,
            auto_transitions=False, send_event=True)
    return model


def _statemachine_cycle() -> Callable[[], Any]:
    from statemachine import State, StateMachine

    class Role(StateMachine):
        creating = State(initial=True)
        active = State()
        deleted = State()
        finish_creation = creating.to(active, cond="no_fault")
        finish_deletion = active.to(deleted, cond="nothing_in_use")
        create = deleted.to(creating, cond="allowed")

        def no_fault(self, facts: Any) -> bool:
            return not facts.creation_fault

        def nothing_in_use(self, facts: Any) -> bool:
            return not facts.resources_in_use

        def allowed(self, facts: Any) -> bool:
            return bool(facts.caller_allowed)

    from slr_fsm.lifecycle import GuardFacts

    machine = Role()
    facts = GuardFacts()

    def cycle() -> None:
        machine.send("finish_creation", facts=facts)
        machine.send("finish_deletion", facts=facts)
        machine.send("create", facts=facts)

    return cycle


def bench_trigger(quick: bool) -> list[Row]:
    from slr_fsm.lifecycle import GUARDS, LIFECYCLE, TRANSITIONS, GuardFacts, RoleState

    facts = GuardFacts()
    cycle = ("finish_creation", "finish_deletion", "create")  # creating -> active -> deleted -> ...
    n, r = (2_000, 5) if quick else (10_000, 15)

    def ours() -> None:
        state = RoleState.CREATING
        for trigger in cycle:
            state = LIFECYCLE.fire(state, trigger, facts).after

    model = _plain_transitions_machine()

    def plain() -> None:
        for trigger in cycle:
            model.trigger(trigger, facts=facts)

    table: dict[tuple[RoleState, str], list[tuple[list[Any], RoleState | None]]] = {}
    for row in TRANSITIONS:
        for source in row.sources:
            table.setdefault((source, row.trigger), []).append(
                ([GUARDS[g].predicate for g in row.guards], row.dest))

    def floor() -> None:
        state = RoleState.CREATING
        for trigger in cycle:
            for guards, dest in table[(state, trigger)]:
                if all(guard(facts) for guard in guards):
                    state = dest or state
                    break

    timed = measure_side_by_side({"ours": ours, "plain": plain, "floor": floor}, number=n,
                                 repeat=r)
    t_ours, t_plain, t_floor = timed["ours"], timed["plain"], timed["floor"]
    rows = [
        Row("one lifecycle trigger (shared machine)", _per(t_ours, 3), "plain transitions.Machine, same table",
            _per(t_plain, 3), t_ours.median / t_plain.median, "≤ 1.25×",
            t_ours.median <= 1.25 * t_plain.median),
        Row("one lifecycle trigger (shared machine)", _per(t_ours, 3), "dict-based hand-written FSM (the floor)",
            _per(t_floor, 3), t_ours.median / t_floor.median, "reported", None),
    ]
    try:
        sm = _statemachine_cycle()
        t_sm = measure(sm, number=n // 4, repeat=r)
        rows.insert(1, Row("one lifecycle trigger (shared machine)", _per(t_ours, 3),
                           "python-statemachine", _per(t_sm, 3), t_ours.median / t_sm.median,
                           "reported", None))
    except ImportError:
        rows.append(Row("one lifecycle trigger", "-", "python-statemachine", "not installed",
                        float("nan"), "reported", None, "pip install python-statemachine"))
    return rows


def _per(t: Timing, k: int) -> str:
    """A timing of ``k`` operations, shown per operation."""
    return Timing(t.median / k, t.low / k, t.high / k).us()


# --------------------------------------------------------------------------- 2. one operation

def _active_sim() -> Any:
    from slr_fsm import Simulation

    sim = Simulation.default()
    sim.marketplace("111122223333").configure_billing_integration()
    sim.settle()
    return sim


def bench_operation(quick: bool, plain_trigger: float) -> tuple[list[Row], float]:
    sim = _active_sim()
    iam = sim.iam("111122223333")
    n, r = (500, 5) if quick else (5_000, 9)
    t = measure(lambda: iam.update_role_description(RoleName=ROLE, Description="d"),
                number=n, repeat=r)
    return [Row("one IAM-style operation (UpdateRoleDescription: validation, policy evaluation, "
                "lifecycle, event log)", t.us(), "one plain transitions trigger",
                f"{plain_trigger * 1e6:,.2f} µs", t.median / plain_trigger, "≤ 5×",
                t.median <= 5 * plain_trigger)], t.median


# --------------------------------------------------------------------------- 3. boto3 bridge

def _cycle(iam: Any) -> None:
    name = iam.create_service_linked_role(AWSServiceName=SERVICE)["Role"]["RoleName"]
    iam.get_role(RoleName=name)  # moto names the role its own way; use what create answered
    iam.list_roles(PathPrefix="/aws-service-role/")
    iam.delete_service_linked_role(RoleName=name)


def _floor_client() -> Any:
    """botocore's own overhead: a client whose before-call event answers with canned data."""
    import datetime as dt

    import boto3
    from botocore.awsrequest import AWSResponse

    role = {"Path": "/", "RoleName": ROLE, "RoleId": "AROAEXAMPLE", "Arn": "arn:aws:iam::1:role/x",
            "CreateDate": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            "AssumeRolePolicyDocument": "%7B%7D"}
    canned: dict[str, Callable[[], dict[str, Any]]] = {  # fresh each call: botocore decodes in place
        "CreateServiceLinkedRole": lambda: {"Role": dict(role)},
        "GetRole": lambda: {"Role": dict(role)},
        "ListRoles": lambda: {"Roles": [dict(role)]},
        "DeleteServiceLinkedRole": lambda: {"DeletionTaskId": "t"},
    }
    client = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")

    def answer(model: Any, **_: Any) -> Any:
        parsed = canned[model.name]()
        parsed["ResponseMetadata"] = {"HTTPStatusCode": 200}
        return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), parsed

    client.meta.events.register("before-call.iam", answer)
    return client


def bench_boto(quick: bool) -> list[Row]:
    import boto3

    from slr_fsm import Latencies, Simulation
    from slr_fsm.boto import iam_client

    n, r = (20, 3) if quick else (200, 7)
    sim = Simulation.default(latencies=Latencies(creation=0, deletion_start=0, deletion_run=0))
    ours = iam_client(sim)
    floor = _floor_client()
    try:
        import moto
    except ImportError:
        moto = None
    if moto is None:
        timed = measure_side_by_side(
            {"ours": lambda: _cycle(ours), "floor": lambda: _cycle(floor)}, number=n, repeat=r)
    else:
        with moto.mock_aws():  # the bridge and the floor never reach moto's HTTP layer
            theirs = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x",
                                  aws_secret_access_key="x")
            timed = measure_side_by_side(
                {"ours": lambda: _cycle(ours), "floor": lambda: _cycle(floor),
                 "moto": lambda: _cycle(theirs)}, number=n, repeat=r)
    t_ours, t_floor = timed["ours"], timed["floor"]
    rows = [Row("one call through the boto3 bridge (create, get, list, delete cycle)",
                _per(t_ours, 4), "botocore, short-circuited in before-call (the floor)",
                _per(t_floor, 4), t_ours.median / t_floor.median, "≤ 1.5× the floor",
                t_ours.median <= 1.5 * t_floor.median)]
    if moto is None:
        return [*rows, Row("boto3 bridge vs moto", "-", "moto", "not installed", float("nan"),
                           "≥ 10× faster", None)]
    t_moto = timed["moto"]
    rows.insert(0, Row("one call through the boto3 bridge (create, get, list, delete cycle)",
                       _per(t_ours, 4), "the same cycle through boto3 on moto", _per(t_moto, 4),
                       t_ours.median / t_moto.median, "≥ 10× faster (ratio ≤ 0.1)",
                       t_ours.median * 10 <= t_moto.median))
    return rows


# --------------------------------------------------------------------------- 4. world of N

def _build_world(n: int) -> Any:
    from slr_fsm import Latencies, Simulation

    sim = Simulation(latencies=Latencies(creation=0))
    for i in range(n):
        account = f"{100000000000 + i}"
        sim.add_account(account)
        sim.iam(account).create_service_linked_role(AWSServiceName=SERVICE)
    return sim


def _accounts_only(n: int) -> Any:
    from slr_fsm import Simulation

    sim = Simulation()
    for i in range(n):
        sim.add_account(f"{100000000000 + i}")
    return sim


def _memory(build: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    kept = build()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return current


class _RoleModel:
    """One plain model object per role, of one shared class (as a real user's would be)."""


def _add_model(n: int) -> Any:
    from transitions import Machine

    from slr_fsm.lifecycle import RoleState

    machine = Machine(model=None, states=RoleState, initial=RoleState.ABSENT,
                      transitions=[["create", RoleState.ABSENT, RoleState.CREATING]],
                      auto_transitions=False)
    models = []
    for _ in range(n):
        model = _RoleModel()
        machine.add_model(model)
        models.append(model)
    return machine


def _machine_each(n: int) -> Any:
    from transitions import Machine

    from slr_fsm.lifecycle import RoleState

    machines = []
    for _ in range(n):
        model = _RoleModel()
        machines.append(Machine(model=model, states=RoleState, initial=RoleState.ABSENT,
                                transitions=[["create", RoleState.ABSENT, RoleState.CREATING]],
                                auto_transitions=False))
    return machines


def bench_world(quick: bool) -> list[Row]:
    small, large = (1_000, 10_000) if quick else (10_000, 100_000)

    def timed(fn: Callable[[int], Any], n: int) -> float:
        gc.collect()
        start = time.perf_counter()
        fn(n)
        return time.perf_counter() - start

    def median_of(fn: Callable[[int], Any], n: int, times: int) -> float:
        return statistics.median(timed(fn, n) for _ in range(times))

    t_small = median_of(_build_world, small, 5)
    t_large = median_of(_build_world, large, 1 if quick else 3)
    per_role = (_memory(lambda: _build_world(small)) - _memory(lambda: _accounts_only(small))) / small
    t_add_small = timed(_add_model, small)
    add_n = small * 2 if not quick else small * 3
    t_add_2 = timed(_add_model, add_n)
    exponent = _log_ratio(t_add_2 / t_add_small, add_n / small)
    t_add_large = t_add_small * (large / small) ** exponent
    mem_add = _memory(lambda: _add_model(small)) / small
    t_each_small = timed(_machine_each, small)
    mem_each = _memory(lambda: _machine_each(min(small, 5_000))) / min(small, 5_000)
    linear = t_large / t_small
    return [
        Row(f"build a world of N accounts with the role: N={small:,} → {large:,}",
            f"{t_small:,.2f} s → {t_large:,.2f} s", "linear growth would be",
            f"{large // small}×", linear, "≤ 11× (linear)", linear <= 11),
        Row("memory per role, beyond its account (event log included)",
            f"{per_role / 1024:,.2f} KiB", "transitions add_model / Machine per model",
            f"{mem_add / 1024:,.2f} KiB / {mem_each / 1024:,.2f} KiB", per_role / 1024,
            "≤ 1 KiB", per_role <= 1024),
        Row(f"build N={large:,} roles", f"{t_large:,.2f} s",
            f"add_model (N={small:,}: {t_add_small:,.2f} s; growth exponent {exponent:.2f}, "
            f"N={large:,} extrapolated)", f"{t_add_large:,.1f} s", t_large / t_add_large,
            "reported", None),
        Row(f"build N={small:,} roles", f"{t_small:,.2f} s", "one Machine per model",
            f"{t_each_small:,.2f} s", t_small / t_each_small, "reported", None),
    ]


def _log_ratio(time_ratio: float, size_ratio: float) -> float:
    import math

    return math.log(time_ratio) / math.log(size_ratio)


# --------------------------------------------------------------------------- 5. snapshots

def bench_snapshot(quick: bool, one_op: float) -> list[Row]:
    from slr_fsm import Simulation

    sim = _active_sim()
    snap = sim.snapshot()
    n, r = (200, 5) if quick else (2_000, 9)
    t_snap = measure(sim.snapshot, number=n, repeat=r)
    t_restore = measure(lambda: Simulation.restore(snap), number=n // 2, repeat=r)
    t_fork = measure(sim.fork, number=n, repeat=r)
    return [
        Row("sim.snapshot() on the default world", t_snap.us(), "one IAM-style operation",
            f"{one_op * 1e6:,.2f} µs", t_snap.median / one_op, "≤ 10×", t_snap.median <= 10 * one_op),
        Row("Simulation.restore() on the default world", t_restore.us(), "one IAM-style operation",
            f"{one_op * 1e6:,.2f} µs", t_restore.median / one_op, "≤ 10×",
            t_restore.median <= 10 * one_op),
        Row("sim.fork() on the default world", t_fork.us(), "one IAM-style operation",
            f"{one_op * 1e6:,.2f} µs", t_fork.median / one_op, "reported", None),
    ]


# --------------------------------------------------------------------------- 6. explorer

def bench_explorer(quick: bool) -> list[Row]:
    from hypothesis import settings
    from hypothesis.stateful import run_state_machine_as_test

    from slr_fsm.explore import explore, fingerprint, small_world
    from slr_fsm.testing import RoleLifecycleMachine

    depth = 4 if quick else 6
    start = time.perf_counter()
    result = explore(depth=depth)
    t_explore = time.perf_counter() - start
    seen: set[Any] = set()

    class Counted(RoleLifecycleMachine):
        def make_simulation(self) -> Any:
            return small_world()  # the explorer's world, so both search the same space

        def run_clock(self, seconds: float | None = None) -> None:
            super().run_clock(seconds)
            seen.add(fingerprint(self.sim))

        def call(self, *args: Any, **kwargs: Any) -> Any:
            answer = super().call(*args, **kwargs)
            seen.add(fingerprint(self.sim))
            return answer

    examples = 10 if quick else 100  # hypothesis's default max_examples
    start = time.perf_counter()
    run_state_machine_as_test(Counted, settings=settings(max_examples=examples, deadline=None,
                                                         database=None))
    t_hyp = time.perf_counter() - start
    return [Row(f"explorer on the default world, depth {depth} (README's bound)",
                f"{t_explore:,.2f} s for {result.states:,} states "
                f"({result.states_per_second:,.0f} states/s)",
                f"hypothesis's default stateful run ({examples} examples × 50 steps) of "
                "RoleLifecycleMachine",
                f"{t_hyp:,.2f} s, {len(seen):,} distinct states seen", t_explore / t_hyp,
                "less wall time (ratio < 1)", t_explore < t_hyp)]


def _with_passive_accounts(n: int) -> Any:
    """The explorer's small world plus ``n`` accounts where nothing happens (two
    subscriptions each)."""
    from slr_fsm.explore import small_world

    world = small_world()
    for k in range(n):
        account = world.add_account(f"{500000000000 + k:012d}", f"passive-{k}")
        for region in ("us-east-1", "eu-west-1"):
            world.add_subscription(account, region, "Passive product")
    return world


def bench_explorer_scaling(quick: bool) -> list[Row]:
    """Cost per explored move, small world against the same world plus passive accounts: the
    same moves (the small world's), interleaved repeat by repeat."""
    from slr_fsm.explore import default_moves, explore, small_world

    passive = 1_000 if quick else 10_000
    depth = 3 if quick else 5
    small, big = small_world(), _with_passive_accounts(passive)
    moves = default_moves(small)
    per_move: dict[str, list[float]] = {"small": [], "big": []}
    for _ in range(3 if quick else 5):
        for name, world in (("small", small), ("big", big)):
            result = explore(world, depth=depth, moves=moves)
            per_move[name].append(result.elapsed / result.moves_tried)
    ours, theirs = statistics.median(per_move["big"]), statistics.median(per_move["small"])
    return [Row(f"explorer, cost per move, small world + {passive:,} passive accounts "
                f"(depth {depth})", f"{ours * 1e6:,.1f} µs",
                "the same exploration of the small world alone", f"{theirs * 1e6:,.1f} µs",
                ours / theirs, "≤ 1.5×", ours <= 1.5 * theirs)]


# --------------------------------------------------------------------------- 7. import

def _import_ms(statement: str, runs: int) -> Timing:
    code = ("import time; t = time.perf_counter(); " + statement +
            "; print(time.perf_counter() - t)")
    samples = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout) for _ in range(runs)]
    return Timing(statistics.median(samples), min(samples), max(samples))


def bench_import(quick: bool) -> list[Row]:
    runs = 5 if quick else 21
    base = _import_ms("import transitions, attrs", runs)
    lazy = _import_ms("import slr_fsm", runs)
    full = _import_ms("from slr_fsm import Simulation", runs)
    heavy = subprocess.run(
        [sys.executable, "-c", "import sys; from slr_fsm import Simulation; "
         "print(sorted(m for m in ('boto3', 'botocore', 'hypothesis', 'pygraphviz', 'moto') "
         "if m in sys.modules))"], capture_output=True, text=True, check=True).stdout.strip()
    return [
        Row("`import slr_fsm` in a fresh interpreter", f"{lazy.median * 1e3:,.1f} ms",
            "`import transitions, attrs`", f"{base.median * 1e3:,.1f} ms",
            lazy.median / base.median, "≤ 1.3×", lazy.median <= 1.3 * base.median),
        Row("`from slr_fsm import Simulation` (the whole core)", f"{full.median * 1e3:,.1f} ms",
            "`import transitions, attrs`", f"{base.median * 1e3:,.1f} ms",
            full.median / base.median, "reported (see notes)", None,
            f"optional packages imported: {heavy}"),
    ]


# --------------------------------------------------------------------------- 8. HTTP server

def bench_server(quick: bool) -> list[Row]:
    """`slr-fsm serve` under load beside moto's server (see benchmarks/server_load.py)."""
    from server_load import rows_for_run

    return [Row(**row) for row in rows_for_run(quick)]


# --------------------------------------------------------------------------- report

def render(rows: list[Row], seconds: float, quick: bool) -> str:
    lines = [
        "# Performance",
        "",
        "Measured by `python benchmarks/run.py` (this page is its output; do not edit by hand)"
        + (" in quick mode" if quick else "") + f", in {seconds:,.0f} s, on "
        f"{platform.machine()} with {os.cpu_count()} cores, Python {platform.python_version()}.",
        "Each figure is a median over repeats, with the spread (fastest–slowest repeat) in "
        "brackets; ratios divide medians. Targets come from the project's issue on benchmarks.",
        "",
        "| what | slr_fsm | compared with | them | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        met = {True: "yes", False: "**no**", None: "-"}[row.met]
        note = f" ({row.note})" if row.note else ""
        lines.append(f"| {row.what} | {row.ours} | {row.compared_with}{note} | {row.theirs} | "
                     f"{row.ratio:,.2f}× | {row.target} | {met} |")
    notes = ROOT / "benchmarks" / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes")
    parser.add_argument("--out", help="where to write the Markdown (default: docs/performance.md, "
                        "or stdout only in quick mode)")
    parser.add_argument("--json", help="also write the raw rows as JSON to this file")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    rows = bench_trigger(args.quick)
    from slr_fsm.lifecycle import GuardFacts

    plain = _plain_transitions_machine()
    facts = GuardFacts()
    plain_trigger = measure(lambda: [plain.trigger(t, facts=facts) for t in
                                     ("finish_creation", "finish_deletion", "create")],
                            number=2_000 if args.quick else 20_000, repeat=5).median / 3
    op_rows, one_op = bench_operation(args.quick, plain_trigger)
    rows += op_rows
    for bench in (bench_boto, bench_world, bench_explorer, bench_explorer_scaling, bench_import,
                  bench_server):
        print(f"running {bench.__name__} ...", file=sys.stderr)
        rows += bench(args.quick)
    rows += bench_snapshot(args.quick, one_op)
    text = render(rows, time.perf_counter() - began, args.quick)
    print(text)
    out = args.out or (None if args.quick else str(ROOT / "docs" / "performance.md"))
    if out:
        Path(out).write_text(text)
    if args.json:
        Path(args.json).write_text(json.dumps([attrs.asdict(r) for r in rows], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
