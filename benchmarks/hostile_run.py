"""The long hostile run: at least 100,000 hostile inputs over every public entry point, every
field of tampered snapshots, threads, and a random walk checking the security invariants.

    python benchmarks/hostile_run.py                  # 100,000 inputs (a few minutes)
    python benchmarks/hostile_run.py --inputs 5000    # a short pass
    python benchmarks/hostile_run.py --json           # the figures as JSON

Each input is judged by ``tests/test_hostile_input.py``'s ``check_input`` (a typed error or a
success; no change on refusal; a face's attempt logged once; strict JSON; the world restores
to itself; every invariant holds), each tampered snapshot by ``tests/test_tampered_snapshots.py``
and each thread round by ``tests/test_thread_stress.py``. The figures go in docs/reliability.md.
Exit status 1 if anything failed.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slr_fsm.invariants import INVARIANTS, Step  # noqa: E402
from slr_fsm.moves import FAULT_MOVE, default_moves  # noqa: E402
from tests import test_hostile_input as hostile  # noqa: E402
from tests import test_tampered_snapshots as tampered  # noqa: E402
from tests import test_thread_stress as threads  # noqa: E402


def hostile_inputs(count: int, seed: int) -> dict[str, Any]:
    """``count`` inputs drawn from ``seed``, each judged on a fresh copy of a base world."""
    rng = random.Random(seed)
    kinds: collections.Counter[str] = collections.Counter()
    groups: collections.Counter[str] = collections.Counter()
    problems: list[str] = []
    for _ in range(count):
        entry, args, world_name = hostile.draw_input(rng)
        verdict = hostile.check_input(entry, args, world_name)
        kinds[verdict.kind] += 1
        groups[entry.name.split(".")[0].split(" ")[0].split("(")[0]] += 1
        if verdict.problem and len(problems) < 20:
            problems.append(f"{entry.name}: {verdict.kind} {verdict.signature}")
    return {"kinds": dict(kinds), "entry points": dict(groups), "problems": problems}


def tampered_snapshots() -> dict[str, Any]:
    """Every field of every base world's snapshot, changed in several ways."""
    outcomes: collections.Counter[str] = collections.Counter()
    problems: list[str] = []
    for name in hostile.WORLDS:
        for path, value, outcome in tampered.sweep(name):
            kind = outcome if outcome in ("refused", "accepted") else "problem"
            outcomes[kind] += 1
            if kind == "problem" and len(problems) < 20:
                problems.append(f"{name} {path} = {hostile.shown(value)}: {outcome}")
    return {"outcomes": dict(outcomes), "problems": problems}


def thread_rounds(rounds: int) -> dict[str, Any]:
    """Each thread-stress check, ``rounds`` times, with the tiniest switch interval."""
    checks = {
        "shared simulation replays to itself": (
            threads.test_a_shared_simulation_logs_each_threads_calls_once_and_replays_to_itself
        ),
        "refusals from many threads change nothing": (
            threads.test_refusals_from_many_threads_change_nothing
        ),
        "parallel simulations answer as in sequence": (
            threads.test_separate_simulations_in_parallel_answer_as_in_sequence
        ),
    }
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    passed: collections.Counter[str] = collections.Counter()
    problems: list[str] = []
    try:
        for _ in range(rounds):
            for name, check in checks.items():
                try:
                    check()
                    passed[name] += 1
                except Exception as failure:  # counted and reported, the run goes on
                    problems.append(f"{name}: {type(failure).__name__}: {failure}"[:300])
    finally:
        sys.setswitchinterval(old)
    return {"runs": rounds * len(checks), "passed": sum(passed.values()), "problems": problems}


def security_walk(steps: int, seed: int) -> dict[str, Any]:
    """A random walk of ``steps`` moves (every default move and planned faults) through the
    hostile suite's base worlds, checking every invariant after each move."""
    rng = random.Random(seed)
    broken: collections.Counter[str] = collections.Counter()
    done = 0
    while done < steps:
        sim = hostile.world(rng.choice(sorted(hostile.WORLDS)))
        moves = (*default_moves(sim), FAULT_MOVE)
        for _ in range(min(50, steps - done)):
            before = sim.fork()
            move = rng.choice(moves)
            outcome = move.apply(sim)
            done += 1
            step = Step(before, move, outcome, sim)
            for check in INVARIANTS.values():
                if not check.holds_in(step if check.on == "step" else sim):
                    broken[check.name] += 1
    return {"steps": done, "violations": dict(broken)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="hostile inputs to draw")
    parser.add_argument("--seed", type=int, default=0, help="the inputs' seed")
    parser.add_argument("--rounds", type=int, default=10, help="rounds of each thread check")
    parser.add_argument("--steps", type=int, default=20_000, help="random-walk moves")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {}
    began = time.perf_counter()
    for name, run in (
        ("hostile inputs", lambda: hostile_inputs(args.inputs, args.seed)),
        ("tampered snapshots", tampered_snapshots),
        ("threads", lambda: thread_rounds(args.rounds)),
        ("security walk", lambda: security_walk(args.steps, args.seed)),
    ):
        started = time.perf_counter()
        report[name] = run()
        report[name]["seconds"] = round(time.perf_counter() - started, 1)
    report["seconds"] = round(time.perf_counter() - began, 1)
    kinds = report["hostile inputs"]["kinds"]
    failed = (
        sum(n for kind, n in kinds.items() if kind not in ("ok", "refused"))
        + report["tampered snapshots"]["outcomes"].get("problem", 0)
        + len(report["threads"]["problems"])
        + sum(report["security walk"]["violations"].values())
    )
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(summary(report))
    return 1 if failed else 0


def summary(report: dict[str, Any]) -> str:
    """The figures, as docs/reliability.md shows them."""
    kinds = report["hostile inputs"]["kinds"]
    snaps = report["tampered snapshots"]["outcomes"]
    lines = [
        f"hostile inputs         {sum(kinds.values()):>9,}  ({kinds.get('ok', 0):,} answered, "
        f"{kinds.get('refused', 0):,} refused with a typed error) "
        f"in {report['hostile inputs']['seconds']} s",
        f"  crashes              {kinds.get('crash', 0):>9,}",
        f"  changed on refusal   {kinds.get('changed on refusal', 0):>9,}",
        f"  logged wrong         {kinds.get('logged wrong', 0):>9,}",
        f"  silent corruptions   {kinds.get('corrupted', 0):>9,}",
        f"  invariants broken    {kinds.get('invariant broken', 0):>9,}",
        f"tampered snapshots     {sum(snaps.values()):>9,}  ({snaps.get('refused', 0):,} "
        f"refused, {snaps.get('accepted', 0):,} accepted and working, "
        f"{snaps.get('problem', 0):,} problems) in {report['tampered snapshots']['seconds']} s",
        f"thread checks          {report['threads']['runs']:>9,}  "
        f"({report['threads']['passed']:,} passed) in {report['threads']['seconds']} s",
        f"security walk          {report['security walk']['steps']:>9,}  moves, "
        f"{sum(report['security walk']['violations'].values()):,} invariant violations "
        f"in {report['security walk']['seconds']} s",
        f"total time             {report['seconds']} s",
    ]
    for part in ("hostile inputs", "tampered snapshots", "threads"):
        lines += [f"  ! {problem}" for problem in report[part]["problems"]]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
