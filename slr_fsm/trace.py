"""Traces: sequences of moves with their outcomes, replayable and exportable as pytest tests.

A counterexample the explorer finds is a :class:`Trace`; so is any path through an explored
graph. :func:`replay` runs one again and checks every outcome.

>>> from slr_fsm.moves import Move, small_world
>>> sim = small_world()
>>> move = Move("iam", "get_role", "111122223333", "admin",
...             (("RoleName", "AWSServiceRoleForMarketplacePurchaseOrders"),))
>>> step = TraceStep(move, move.apply(sim), role_states(sim))
>>> step.outcome
'NoSuchEntity'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from slr_fsm.display import html_table
from slr_fsm.errors import AwsError, SlrFsmError, UsageError
from slr_fsm.events import Event
from slr_fsm.invariants import Invariant
from slr_fsm.lifecycle import LIFECYCLE, Lifecycle
from slr_fsm.moves import Move, face, face_of
from slr_fsm.shown import shown, shown_text
from slr_fsm.simulation import Simulation
from slr_fsm.usage import UsageModel

__all__ = [
    "Trace",
    "TraceStep",
    "describe_world",
    "failure_of",
    "replay",
    "replay_log",
    "role_states",
]


def role_states(world: Simulation) -> tuple[tuple[str, str], ...]:
    """Each account's role states, by account name (and role name when the world has several)."""
    multi = len(world.specs) > 1
    return tuple(
        (
            f"{account.name or account.account_id}"
            f"{' ' + role.name if multi or role.spec.custom_suffix else ''}",
            role.state.value,
        )
        for account in world.accounts
        for role in world.roles(account)
    )


def describe_world(world: Simulation, *, dynamic: bool = True) -> str:
    """One line: each role's state, who has the billing integration, how many purchase orders
    are attached and, unless ``dynamic=False``, the unfinished deletion tasks, the pending work
    and the clock (what a failing check needs to be understood, without the ids).

    >>> from slr_fsm.moves import small_world
    >>> describe_world(small_world())  # doctest: +NORMALIZE_WHITESPACE
    '[management: absent, member: absent, standalone: absent] integration: none;
     purchase orders: 0; unfinished deletion tasks: 0; pending work: 0; clock: +0s'
    """
    roles = ", ".join(f"{name}: {state}" for name, state in role_states(world))
    pos = sum(len(s.purchase_orders) for s in world.subscriptions)
    owners = [a.name or a.account_id for a in world.accounts if world.integration_configured(a)]
    line = f"[{roles}] integration: {', '.join(owners) or 'none'}; purchase orders: {pos}"
    if not dynamic:
        return line
    unfinished = sum(not task.status.finished for task in world.deletion_tasks)
    return (
        f"{line}; unfinished deletion tasks: {unfinished}; pending work: {world.pending_work}; "
        f"clock: +{world.clock.elapsed:g}s"
    )


def failure_of(invariant: Invariant, subject: Any) -> str | None:
    """``None`` when ``invariant`` holds for ``subject`` (a world, or a step), else how it
    broke, as a counterexample's ``failure`` records it. Judged as
    :meth:`~slr_fsm.invariants.Invariant.holds_in` judges (``None`` holds; a false value, an
    AssertionError or an AWS refusal breaks), and a check of yours also breaks by raising
    anything else: the code it runs failed there. (A library check that raises is a bug in
    slr_fsm, raised as it is.)

    >>> from slr_fsm.invariants import as_invariant
    >>> def no_lookup_fails(world):
    ...     return {}["Role"]
    >>> failure_of(as_invariant(no_lookup_fails), None)
    "raised KeyError: 'Role'"
    """
    try:
        verdict = invariant.check(subject)
    except (AssertionError, AwsError) as failure:
        return _raised(failure)
    except Exception as failure:
        if invariant.forks_itself:
            raise
        return _raised(failure)
    if verdict is None or verdict:
        return None
    return f"returned {shown(verdict)}"


def _raised(failure: BaseException) -> str:
    text = str(failure).strip().splitlines()
    return f"raised {type(failure).__name__}" + (f": {shown_text(text[0], 200)}" if text else "")


@attrs.frozen
class TraceStep:
    """One step of a trace: the move, its outcome, and the roles' states after it."""

    move: Move
    outcome: str
    role_states: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        states = ", ".join(f"{a}: {s}" for a, s in self.role_states)
        return f"{self.move} => {self.outcome}   [{states}]"


@attrs.frozen
class Trace:
    """A sequence of moves from a starting world, with the outcome of each: a counterexample,
    or any path through the explored graph. ``start`` is the starting world's snapshot.

    A counterexample also carries the ``invariant`` it broke (so that :meth:`to_pytest` can
    assert it, yours included), how it broke (``failure``: what the check raised or returned),
    and the ``lifecycle`` it was found under."""

    start: Mapping[str, Any] = attrs.field(eq=False, repr=False)
    steps: tuple[TraceStep, ...]
    broken: str | None = None
    invariant: Invariant | None = attrs.field(default=None, eq=False, repr=False)
    failure: str | None = attrs.field(default=None, eq=False)
    lifecycle: Lifecycle | None = attrs.field(default=None, eq=False, repr=False)

    def __len__(self) -> int:
        return len(self.steps)

    def __str__(self) -> str:
        count = f"{len(self.steps)} step{'' if len(self.steps) == 1 else 's'}"
        head = count + (f", breaking {self.broken}" if self.broken else "")
        if self.failure and self.failure != "returned False":  # how, when it says more
            head += f" ({self.failure})"
        return "\n".join([head, *(f"{n:>3}. {s}" for n, s in enumerate(self.steps, 1))])

    @property
    def moves(self) -> tuple[Move, ...]:
        """The moves alone (for a hypothesis ``@example`` or a test of your own)."""
        return tuple(step.move for step in self.steps)

    def _repr_html_(self) -> str:
        caption = f"{len(self.steps)} steps" + (f", breaking {self.broken}" if self.broken else "")
        return html_table(
            ["#", "move", "outcome", "roles after"],
            [
                [n, str(s.move), s.outcome, ", ".join(f"{a}: {st}" for a, st in s.role_states)]
                for n, s in enumerate(self.steps, 1)
            ],
            caption,
        )

    def diagram(self) -> Any:
        """This trace as a sequence diagram (see :mod:`slr_fsm.diagram`)."""
        from slr_fsm.diagram import trace_diagram

        return trace_diagram(self)

    def to_pytest(
        self,
        name: str = "test_counterexample",
        *,
        world: str | Callable[[], Simulation] | None = None,
        invariant: Invariant | Callable[..., Any] | str | None = None,
        preamble: str = "",
    ) -> str:
        """The source of a self-contained pytest file whose test replays this trace (each move
        as the call it is, every outcome checked) and then asserts the invariant it broke by
        name, so that it fails until the bug is fixed; it runs from any folder. ``world``: a
        function that builds the starting world (needed when it is neither ``small_world()``
        nor ``Simulation.default()``, e.g. for a lifecycle of your own). See
        :func:`slr_fsm.testing.pytest_writer.trace_to_pytest`.
        """
        from slr_fsm.testing.pytest_writer import trace_to_pytest

        return trace_to_pytest(self, name, world=world, invariant=invariant, preamble=preamble)

    def to_json_value(self) -> dict[str, Any]:
        """The trace as plain JSON data."""
        return {
            "broken": self.broken,
            "failure": self.failure,
            "steps": [{"move": s.move.to_json_value(), "outcome": s.outcome} for s in self.steps],
        }


def replay(
    trace: Trace,
    world: Simulation | None = None,
    *,
    lifecycle: Lifecycle = LIFECYCLE,
    usage_models: Iterable[UsageModel] = (),
) -> Simulation:
    """Replay a trace on a fresh world (restored from the trace's start under ``lifecycle``,
    with the ``usage_models`` of any role the library does not know, unless ``world`` is
    given); every outcome must be the recorded one. Returns the world at the end.

    Raises :class:`~slr_fsm.errors.UsageError` naming the first step that answered otherwise.
    """
    if not isinstance(trace, Trace):
        raise UsageError(f"replay() takes a Trace (from explore()), got {shown(trace)}")
    if world is not None and not isinstance(world, Simulation):
        raise UsageError(f"replay(world=...) takes a Simulation, got {shown(world)}")
    sim = world
    if sim is None:
        sim = Simulation.restore(trace.start, lifecycle=lifecycle, usage_models=usage_models)
    for n, step in enumerate(trace.steps, 1):
        outcome = step.move.apply(sim)
        if outcome != step.outcome:
            raise UsageError(
                f"Step {n} ({step.move}) answered {outcome}, the trace says "
                f"{step.outcome}: the world is not the one the trace came from."
            )
    return sim


_CLOCK_WORK = frozenset({"finish_creation", "start_deletion", "finish_deletion"})
"""The operations the clock's work logs (no face answers them)."""


def replay_log(
    start: Mapping[str, Any],
    events: Iterable[Event],
    *,
    until: float | None = None,
    lifecycle: Lifecycle = LIFECYCLE,
    usage_models: Iterable[UsageModel] = (),
) -> Simulation:
    """Replay an event log, in order, on the world a snapshot recorded; return that world.

    Each caller's attempt is made again through its face, after the clock is advanced to the
    attempt's time; the clock's own work (finishing creations, running deletion tasks) is not
    replayed but regenerated by advancing. ``until``: where to leave the clock at the end
    (seconds since its start; default: the last event's time). Times are kept to the
    microsecond, so the replay is exact for clocks moved by whole microseconds.

    >>> from slr_fsm import Simulation
    >>> sim = Simulation.default()
    >>> start = sim.snapshot()
    >>> _ = sim.marketplace("111122223333").configure_billing_integration(); _ = sim.settle()
    >>> replay_log(start, sim.trace).snapshot() == sim.snapshot()
    True
    """
    sim = Simulation.restore(start, lifecycle=lifecycle, usage_models=usage_models)
    last = sim.clock.elapsed
    for event in events:
        if not isinstance(event, Event):
            raise UsageError(f"replay_log() replays Events (sim.trace), got {shown(event)}")
        last = max(last, (event.time - sim.clock.start).total_seconds())
        if event.operation in _CLOCK_WORK:
            continue  # the clock's work: advancing regenerates it
        sim.advance(max(0.0, last - sim.clock.elapsed))
        try:  # a caller the world lacks is refused call by call, as it was when logged
            target = face(
                sim,
                face_of(event.operation),
                event.account_id,
                event.principal,
                unknown_caller="refuse_each_call",
            )
        except UsageError:
            raise UsageError(
                f"Event {event.seq} ({shown(event.operation)}) was not made through a face, so "
                "replay_log() cannot make it again."
            ) from None
        try:
            getattr(target, event.operation)(**event.parameters)
        except SlrFsmError:  # a refusal (AWS's or the library's) is logged again, as it was
            if event.ok:
                raise
    end = last if until is None else until
    sim.advance(max(0.0, end - sim.clock.elapsed))
    return sim
