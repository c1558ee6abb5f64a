"""The kernel: one lifecycle trigger, one IAM-style operation, and importing the library."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any

import attrs
from harness import ROLE, Row, Timing, measure, measure_side_by_side, per


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
        Row("one lifecycle trigger (shared machine)", per(t_ours, 3), "plain transitions.Machine, same table",
            per(t_plain, 3), t_ours.median / t_plain.median, "≤ 0.15×",
            t_ours.median <= 0.15 * t_plain.median),
        Row("one lifecycle trigger (shared machine)", per(t_ours, 3), "dict-based hand-written FSM (the floor)",
            per(t_floor, 3), t_ours.median / t_floor.median, "reported", None),
    ]
    try:
        sm = _statemachine_cycle()
        t_sm = measure(sm, number=n // 4, repeat=r)
        rows.insert(1, Row("one lifecycle trigger (shared machine)", per(t_ours, 3),
                           "python-statemachine", per(t_sm, 3), t_ours.median / t_sm.median,
                           "reported", None))
    except ImportError:
        rows.append(Row("one lifecycle trigger", "-", "python-statemachine", "not installed",
                        float("nan"), "reported", None, "pip install python-statemachine"))
    return rows


# --------------------------------------------------------------------------- 2. one operation

def _active_sim() -> Any:
    from slr_fsm import Simulation

    sim = Simulation.default()
    sim.marketplace("111122223333").configure_billing_integration()
    sim.settle()
    return sim


def bench_operation(quick: bool) -> list[Row]:
    """One whole IAM-style call against one plain ``transitions`` trigger, interleaved."""
    from slr_fsm.lifecycle import GuardFacts

    sim = _active_sim()
    iam = sim.iam("111122223333")
    plain = _plain_transitions_machine()
    facts = GuardFacts()
    cycle = ("finish_creation", "finish_deletion", "create")

    def op() -> None:
        iam.update_role_description(RoleName=ROLE, Description="d")

    def trigger() -> None:
        for name in cycle:
            plain.trigger(name, facts=facts)

    n, r = (500, 5) if quick else (5_000, 15)
    timed = measure_side_by_side({"op": op, "trigger": trigger}, number=n, repeat=r)
    t_op = timed["op"]
    t_trigger = Timing(*(x / 3 for x in attrs.astuple(timed["trigger"])))
    return [Row("one IAM-style operation (UpdateRoleDescription: validation, policy evaluation, "
                "judgement, change, event log)", t_op.us(), "one plain transitions trigger",
                t_trigger.us(), t_op.median / t_trigger.median, "≤ 1.0×",
                t_op.median <= t_trigger.median)]


# --------------------------------------------------------------------------- 7. import

def _bytecode_env(cache: str) -> dict[str, str]:
    """A fresh interpreter's environment with a bytecode cache of its own: like with like, as
    an installed package is (pip compiles ``transitions`` and ``attrs`` on install; without a
    cache, as under ``PYTHONDONTWRITEBYTECODE``, slr_fsm alone would compile from source on
    every import)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def _imports_ms(statements: dict[str, str], runs: int) -> dict[str, Timing]:
    """Seconds each import statement takes in a fresh interpreter (warm bytecode cache), the
    statements run in turn, run after run, so that each sees the same machine."""
    samples: dict[str, list[float]] = {name: [] for name in statements}
    with tempfile.TemporaryDirectory() as cache:
        env = _bytecode_env(cache)

        def run(statement: str) -> float:
            code = ("import time; t = time.perf_counter(); " + statement +
                    "; print(time.perf_counter() - t)")
            return float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                        text=True, check=True, env=env).stdout)

        for statement in statements.values():
            run(statement)  # fills the bytecode cache
        for _ in range(runs):
            for name, statement in statements.items():
                samples[name].append(run(statement))
    return {name: Timing(statistics.median(v), min(v), max(v)) for name, v in samples.items()}


def bench_import(quick: bool) -> list[Row]:
    runs = 5 if quick else 21
    timed = _imports_ms({"base": "import transitions, attrs", "lazy": "import slr_fsm",
                         "full": "from slr_fsm import Simulation"}, runs)
    base, lazy, full = timed["base"], timed["lazy"], timed["full"]
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
            full.median / base.median, "≤ 1.5×", full.median <= 1.5 * base.median,
            f"optional packages imported: {heavy}"),
    ]




def rows(quick: bool) -> list[Row]:
    """This module's rows of the results table."""
    return [*bench_trigger(quick), *bench_operation(quick), *bench_import(quick)]
