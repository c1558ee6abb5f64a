"""A trace as a self-contained pytest file: the moves as a few lines of calls, then the invariant.

What :meth:`slr_fsm.trace.Trace.to_pytest` writes. The file needs pytest and slr_fsm installed
(and any installed package a written-out function imports; its docstring lists them), nothing
from the folder it was written in, so it runs from anywhere. Its test builds the starting world
(``small_world()`` or ``Simulation.default()`` when the trace starts there, a function of yours
otherwise), makes each move as the call it is
(``sim.iam(MANAGEMENT, "admin").delete_service_linked_role(RoleName=ROLE)``; a refusal inside
``pytest.raises``; the clock as ``sim.run_next()``), and asserts the broken invariant by name.
Your invariant and your world builder are imported when their module imports from any folder,
and written out otherwise (see :mod:`slr_fsm.testing.source_export`).

>>> from slr_fsm.explore import explore
>>> def no_purchase_orders(world):
...     '''No purchase order is ever attached.'''
...     return not any(s.purchase_orders for s in world.subscriptions)
>>> trace = explore(depth=3, invariants=[no_purchase_orders]).violations["no_purchase_orders"]
>>> source = trace_to_pytest(trace, "test_no_purchase_orders")
>>> print(source[source.index("    sim = ") :])  # doctest: +NORMALIZE_WHITESPACE
    sim = small_world()
    sim.marketplace(MANAGEMENT, "admin").configure_billing_integration()
    sim.run_next()  # the clock: the next background work
    sim.marketplace(MEMBER, "admin").attach_purchase_order(subscription_id="agmt-zriveqslfurq5o8k",
        po_number="PO-1")
    verdict = no_purchase_orders(sim)
    assert verdict is None or verdict, "no_purchase_orders broke: No purchase order is ever attached."
<BLANKLINE>
"""

from __future__ import annotations

import pprint
import re
import sys
import textwrap
from collections.abc import Callable, Mapping
from typing import Any

from slr_fsm.errors import UsageError
from slr_fsm.invariants import INVARIANTS, Invariant, as_invariant
from slr_fsm.lifecycle import LIFECYCLE, Lifecycle
from slr_fsm.moves import Move, resolve_params, small_world
from slr_fsm.shown import shown
from slr_fsm.simulation import Simulation
from slr_fsm.testing.source_export import SourceExport, python_literal
from slr_fsm.trace import Trace, replay

__all__ = ["trace_to_pytest"]

_FACE_METHODS = {
    "iam": "iam",
    "console": "marketplace",
    "sts": "sts",
    "organizations": "organizations",
}
_LATEST_TASK = "<latest task"
"""How a move's latest-deletion-task markers begin (:func:`slr_fsm.moves.latest_task_marker`)."""

World = str | Callable[[], Simulation] | None


def trace_to_pytest(
    trace: Trace,
    name: str = "test_counterexample",
    *,
    world: World = None,
    invariant: Invariant | Callable[..., Any] | str | None = None,
    preamble: str = "",
) -> str:
    """The source of a pytest module whose one test, ``name``, replays ``trace`` and asserts
    the invariant it broke (``invariant``, else the trace's own, else the library's of that
    name), so that it fails until the bug is fixed.

    ``world``: a function of no arguments that builds the trace's starting world (imported or
    written out like the invariant, and checked to build that very world), or ``None`` to
    recognise ``small_world(seed)`` and ``Simulation.default(seed)`` (any other start is
    written as a ``Simulation.restore`` of its snapshot), or, as before, a Python expression
    over ``START`` (the snapshot) with ``preamble`` its imports. Raises
    :class:`~slr_fsm.errors.UsageError` when the world or the invariant cannot be written so
    that the file runs from any folder, or the world is not the one the trace started from.
    """
    if not isinstance(trace, Trace):
        raise UsageError(f"to_pytest() writes a Trace (from explore()), got {shown(trace)}")
    if not isinstance(name, str) or not name.isidentifier() or not name.startswith("test"):
        raise UsageError(f"A test's name is an identifier starting 'test', got {shown(name)}")
    export = SourceExport()
    body: list[str] = []
    built, expression = _world(trace, world, export, body)
    check = _invariant(trace, invariant)
    function = export.use(check.check) if check is not None else ""
    names = _constants(trace, built if built is not None else _restored(trace.start), export)
    body.append(f"    sim = {expression}")
    refused = False
    for n, step in enumerate(trace.steps, 1):
        if check is not None and check.on == "step" and n == len(trace.steps):
            body.append("    before = sim.fork()")
        lines = _step_lines(step.move, step.outcome, names, export)
        refused = refused or lines[0].startswith("with pytest.raises")
        body.extend(f"    {line}" for line in lines)
    if refused:
        export.import_from("slr_fsm.errors", "AwsError")
    if check is not None:
        body.extend(_assertion(check, function, trace, names, export))
    return _module(trace, name, check, export, body, refused, preamble)


def _world(
    trace: Trace, world: World, export: SourceExport, body: list[str]
) -> tuple[Simulation | None, str]:
    """The starting world, built here when it can be (to check the trace against it), and the
    expression the test builds it with."""
    if isinstance(world, str):
        if "START" in world:
            body.append(f"    START = {_snapshot(trace.start)}")
        if re.search(r"\bSimulation\b", world):
            export.import_from("slr_fsm", "Simulation")
        return None, world
    if world is not None:
        if not callable(world):
            raise UsageError(f"world= is a function that builds the world, got {shown(world)}")
        made = world()
        if not isinstance(made, Simulation) or made.snapshot() != trace.start:
            raise UsageError(
                f"{shown(world)}() does not build the world this trace started from; pass the "
                "function that built the world given to explore()."
            )
        replay(trace, made.fork())  # a UsageError names the first step answering otherwise
        return made, f"{export.use(world)}()"
    if trace.lifecycle is not None and not _same_lifecycle(trace.lifecycle, LIFECYCLE):
        raise UsageError(
            "This trace was found under a lifecycle of its own, which the test must build too: "
            "pass world=<a function of no arguments that builds the world given to explore()>."
        )
    seed = trace.start.get("seed", 0)
    if isinstance(seed, int) and not isinstance(seed, bool):
        argument = f"seed={seed}" if seed else ""
        for builder, text, module, label in (
            (small_world, f"small_world({argument})", "slr_fsm.moves", "small_world"),
            (Simulation.default, f"Simulation.default({argument})", "slr_fsm", "Simulation"),
        ):
            candidate = builder(seed=seed)
            if candidate.snapshot() == trace.start:
                replay(trace, candidate.fork())
                export.import_from(module, label)
                return candidate, text
    built = _restored(trace.start)
    if built is None:
        raise UsageError(
            "This trace's starting world cannot be restored from its snapshot alone (a role "
            "with a usage model of its own?): pass world=<a function that builds it>."
        )
    replay(trace, built.fork())
    export.import_from("slr_fsm", "Simulation")
    body.append(f"    START = {_snapshot(trace.start)}")
    return built, "Simulation.restore(START)"


def _snapshot(start: Mapping[str, Any]) -> str:
    """The snapshot as an indented literal (long strings split, as pprint splits them)."""
    return pprint.pformat(dict(start), width=84).replace("\n", "\n" + " " * 12)


def _restored(start: Mapping[str, Any]) -> Simulation | None:
    try:
        return Simulation.restore(start)
    except Exception:  # a snapshot needing usage models the library does not have
        return None


def _same_lifecycle(one: Lifecycle, other: Lifecycle) -> bool:
    return one is other or (one.table == other.table and one.state_refusals == other.state_refusals)


def _invariant(
    trace: Trace, given: Invariant | Callable[..., Any] | str | None
) -> Invariant | None:
    if given is not None:
        return as_invariant(given)
    if trace.invariant is not None:
        return trace.invariant
    if trace.broken is None:
        return None
    if trace.broken in INVARIANTS:
        return INVARIANTS[trace.broken]
    raise UsageError(
        f"The trace breaks {trace.broken!r}, which is not a library invariant: pass "
        "invariant=<your check> so that the test can assert it."
    )


def _constants(trace: Trace, world: Simulation | None, export: SourceExport) -> dict[str, str]:
    """Constants for what the moves name: each account by its name (``MANAGEMENT``), each
    role's name and service principal (``ROLE``, ``SERVICE``)."""
    if world is None:
        return {}
    wanted: dict[str, str] = {}
    for account in world.accounts:
        label = re.sub(r"\W+", "_", (account.name or "").upper()).strip("_")
        wanted[account.account_id] = label if label[:1].isalpha() else "ACCOUNT"
    for n, spec in enumerate(world.specs, 1):
        wanted[spec.role_name] = "ROLE" if n == 1 else f"ROLE_{n}"
        wanted[spec.service_principal] = "SERVICE" if n == 1 else f"SERVICE_{n}"
    used = [m.account_id for m in (s.move for s in trace.steps) if m.face in _FACE_METHODS]
    used += [v for s in trace.steps for _, v in s.move.params if isinstance(v, str)]
    return {value: export.constant(wanted[value], value) for value in used if value in wanted}


def _call_arguments(move: Move, names: dict[str, str]) -> str:
    """The move's parameters as keyword arguments, with the move's markers resolved: lists
    and the caller's user written out, the account's latest deletion task looked up."""
    later = {k: v for k, v in move.params if isinstance(v, str) and v.startswith(_LATEST_TASK)}
    plain = {k: v for k, v in move.params if k not in later}
    plain = resolve_params(_scratch(), move.account_id, plain)  # no world needed for these
    args = [f"{k}={_named(v, names)}" for k, v in plain.items()]
    if later:
        account = _named(move.account_id, names)
        args.append(f"**resolve_params(sim, {account}, {python_literal(later)})")
    return ", ".join(args)


def _named(value: Any, names: dict[str, str]) -> str:
    return (
        names.get(value, python_literal(value)) if isinstance(value, str) else python_literal(value)
    )


_SCRATCH: list[Simulation] = []


def _scratch() -> Simulation:
    if not _SCRATCH:
        _SCRATCH.append(Simulation(0))
    return _SCRATCH[0]


def _step_lines(move: Move, outcome: str, names: dict[str, str], export: SourceExport) -> list[str]:
    if move.face == "clock":
        if outcome == "idle":
            return ["assert not sim.pending_work  # the clock: nothing to run"]
        return ["sim.run_next()  # the clock: the next background work"]
    if move.face == "fault":
        if outcome == "idle":
            return ["assert sim.faults.creation_failures  # a creation failure is planned already"]
        return ["sim.inject_creation_failure(1)"]
    if any(isinstance(v, str) and v.startswith(_LATEST_TASK) for _, v in move.params):
        export.import_from("slr_fsm.moves", "resolve_params")
    call = (
        f"sim.{_FACE_METHODS[move.face]}({_named(move.account_id, names)}, "
        f"{python_literal(move.principal)}).{move.operation}({_call_arguments(move, names)})"
    )
    if outcome == "ok":
        return [call]
    return [f"with pytest.raises(AwsError, match={python_literal(f'^{outcome}:')}):", f"    {call}"]


def _assertion(
    check: Invariant, function: str, trace: Trace, names: dict[str, str], export: SourceExport
) -> list[str]:
    subject = "sim"
    if check.on == "step":  # the step as the explorer gave it: the Move itself, as made
        export.import_from("slr_fsm.invariants", "Step")
        export.import_from("slr_fsm.moves", "Move")
        move, outcome = trace.steps[-1].move, trace.steps[-1].outcome
        fields = [move.face, move.operation, move.account_id, move.principal]
        while fields[-1] == "" and len(fields) > 2:
            fields.pop()
        made = ", ".join(_named(f, names) for f in fields)
        made += f", {python_literal(move.params)}" if move.params else ""
        subject = f"Step(before, Move({made}), {python_literal(outcome)}, sim)"
    said = f"{check.name} broke: {check.summary}" if check.summary else f"{check.name} broke"
    if INVARIANTS.get(check.name) is check:  # the library's return a bool
        return [f"    assert {function}({subject}), {python_literal(said)}"]
    return [  # yours may return None (assert-style) or a verdict
        f"    verdict = {function}({subject})",
        f"    assert verdict is None or verdict, {python_literal(said)}",
    ]


def _module(
    trace: Trace,
    name: str,
    check: Invariant | None,
    export: SourceExport,
    body: list[str],
    refused: bool,
    preamble: str,
) -> str:
    imports = export.import_lines()
    tops = {line.split()[1].partition(".")[0] for line in imports}
    needs = {"pytest", "slr_fsm"} | (tops - set(sys.stdlib_module_names))
    if any(line.startswith("from slr_fsm.boto ") for line in imports):
        needs.add("boto3 (the slr-fsm[boto] extra)")
    count = f"{len(trace.steps)} step{'' if len(trace.steps) == 1 else 's'}"
    end = (
        f"and {check.name} must hold at the end (it did not then)"
        if check is not None
        else "and the world ends as it did"
    )
    lines = [
        f'"""A trace of {count} found by slr_fsm'
        + (f", breaking {check.name}" if check is not None else "")
        + ", as a test.",
        "",
        textwrap.fill(
            "Written by slr_fsm's Trace.to_pytest(). Self-contained: it needs "
            + ", ".join(sorted(needs))
            + " installed and nothing from the folder it was written in, so it runs from any "
            "folder (python -m pytest this_file.py).",
            width=92,
        ),
        '"""',
        "",
        "from __future__ import annotations",
        "",
        *(["import pytest", ""] if refused else []),
        *imports,
        *([preamble] if preamble else []),
    ]
    if export.constants():
        lines += ["", *export.constants()]
    for definition in export.definitions():
        lines += ["", "", definition]
    lines += [
        "",
        "",
        f"def {name}() -> None:",
        f'    """Replays the trace\'s {count}: each call must answer as it did when it was found,',
        f'    {end}."""',
        *body,
    ]
    return "\n".join(lines) + "\n"
