"""The lifecycle engine: ``transitions`` builds and checks the table; a compiled dispatch fires it.

A :class:`Lifecycle` hands its table (:data:`~slr_fsm.table.TRANSITIONS` unless told otherwise) to
``transitions``, which builds and validates a ``Machine``, then compiles *that machine's own
transitions* into an immutable dispatch: ``(state, trigger)`` to the guarded rows leaving that
state, each with its outcome prebuilt. :meth:`Lifecycle.fire` only reads that dispatch, so one
lifecycle serves every role of every simulation, from any number of threads, with no shared
mutable state. :meth:`Lifecycle.fire_with_transitions` fires through ``transitions`` itself (on a
fresh model each call); a property test requires both to agree on every combination.

>>> from slr_fsm.lifecycle import LIFECYCLE, GuardFacts, RoleState
>>> LIFECYCLE.fire(RoleState.ABSENT, "create", GuardFacts()).after
<RoleState.CREATING: 'creating'>
>>> LIFECYCLE.fire(RoleState.ACTIVE, "finish_deletion", GuardFacts(resources_in_use=True)).after
<RoleState.DELETING_BLOCKED: 'deleting_blocked'>
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from transitions import Machine

from slr_fsm.errors import UsageError
from slr_fsm.shown import shown
from slr_fsm.table import (
    GUARDS,
    STATE_REFUSALS,
    TRANSITIONS,
    Cause,
    Guard,
    GuardFacts,
    Outcome,
    RoleState,
    Transition,
    check_table,
    table_markdown,
)

__all__ = [
    "GUARDS",
    "LIFECYCLE",
    "STATE_REFUSALS",
    "TRANSITIONS",
    "Cause",
    "Guard",
    "GuardFacts",
    "Lifecycle",
    "Outcome",
    "RoleState",
    "Transition",
    "table_markdown",
]

_Predicate = Callable[[GuardFacts], bool]
_Branch = tuple[tuple[_Predicate, ...], Outcome]
"""One row leaving a state: the predicates of its state guards, and the outcome when all pass."""


class _Model:
    """A throwaway model for :meth:`Lifecycle.fire_with_transitions`: one per call."""

    state: RoleState
    row: Transition | None = None


class _Compiled:
    """What firing one trigger needs, read-only after construction."""

    __slots__ = ("before_state", "branches", "by_state", "refusals")

    def __init__(
        self,
        before_state: tuple[tuple[_Predicate, Guard], ...],
        branches: dict[RoleState, tuple[_Branch, ...]],
        refusals: dict[RoleState, Outcome],
    ) -> None:
        self.before_state = before_state
        self.branches = branches
        self.refusals = refusals
        self.by_state: dict[str, tuple[_Branch, ...] | Outcome] = {
            **{state._value_: refused for state, refused in refusals.items()},
            **{state._value_: rows for state, rows in branches.items()},
        }
        """Each state's branches or refusal, by the state's value: a str hashes in C, an
        Enum member in Python (``Enum.__hash__``), and every request fires a trigger."""


class Lifecycle:
    """A transition table, checked and built by ``transitions``, compiled for firing.

    >>> lc = Lifecycle()
    >>> lc.fire(RoleState.ACTIVE, "update_description", GuardFacts(caller_allowed=False)).refused_by
    'caller_allowed'
    >>> sorted(lc.triggers_from(RoleState.ACTIVE))
    ['finish_deletion', 'request_deletion', 'update_description']
    """

    def __init__(
        self,
        table: Iterable[Transition] = TRANSITIONS,
        state_refusals: Mapping[tuple[str, RoleState], str] = STATE_REFUSALS,
    ) -> None:
        self.table: tuple[Transition, ...] = tuple(table)
        self.state_refusals: Mapping[tuple[str, RoleState], str] = MappingProxyType(
            dict(state_refusals)
        )
        check_table(self.table, self.state_refusals)
        self._rows: dict[str, tuple[Transition, ...]] = {}
        for row in self.table:
            self._rows[row.trigger] = (*self._rows.get(row.trigger, ()), row)
        self._machine = Machine(
            model=None,
            states=RoleState,
            initial=RoleState.ABSENT,
            transitions=[_machine_row(row) for row in self.table],
            auto_transitions=False,
            send_event=True,
        )
        self._compiled = {trigger: self._compile(trigger) for trigger in self._rows}
        self._from = {
            state: frozenset(t for t, c in self._compiled.items() if state in c.branches)
            for state in RoleState
        }

    def _compile(self, trigger: str) -> _Compiled:
        """The dispatch of one trigger, read from the ``transitions`` machine's own table."""
        rows = self._rows[trigger]
        before_state = tuple(
            (GUARDS[g].predicate, GUARDS[g]) for g in rows[0].guards if GUARDS[g].before_state
        )
        branches: dict[RoleState, tuple[_Branch, ...]] = {}
        event = self._machine.events[trigger]
        for source, machine_transitions in event.transitions.items():
            state = RoleState[source]
            table_rows = [row for row in rows if state in row.sources]  # the machine's order
            compiled: list[_Branch] = []
            for machine_transition, row in zip(machine_transitions, table_rows, strict=True):
                dest = (
                    state if machine_transition.dest is None else RoleState[machine_transition.dest]
                )
                names = tuple(
                    getattr(c.func, "__name__", "") for c in machine_transition.conditions
                )
                predicates = tuple(GUARDS[name].predicate for name in names)
                compiled.append((predicates, Outcome(trigger, state, dest, transition=row)))
            branches[state] = tuple(compiled)
        refusals: dict[RoleState, Outcome] = {}
        for state in RoleState:
            if state not in branches:
                code = self.state_refusals.get((trigger, state))
                refusals[state] = Outcome(trigger, state, state, "state", code)
        return _Compiled(before_state, branches, refusals)

    @property
    def triggers(self) -> tuple[str, ...]:
        """Every trigger in the table, in table order."""
        return tuple(self._rows)

    def rows(self, trigger: str) -> tuple[Transition, ...]:
        """The table rows of one trigger."""
        try:
            return self._rows[trigger]
        except KeyError:
            raise _unknown_trigger(trigger, self._rows) from None

    def triggers_from(self, state: RoleState) -> frozenset[str]:
        """The triggers with at least one row leaving ``state``."""
        _check_arguments(state, "", GuardFacts())
        return self._from[state]

    def fire(self, state: RoleState, trigger: str, facts: GuardFacts) -> Outcome:
        """Judge ``trigger`` for a role in ``state``; return the outcome. No role is changed.

        Before-state guards are judged first (in table order), then the state, then the guards
        that choose among the rows leaving that state (the first row whose guards all pass wins,
        as in ``transitions``). Reads only immutable data: safe from any thread.
        """
        if not (  # _check_arguments, inlined (the checks alone; it words the refusal)
            isinstance(state, RoleState) and isinstance(trigger, str) and type(facts) is GuardFacts
        ):
            _check_arguments(state, trigger, facts)
        compiled = self._compiled.get(trigger)
        if compiled is None:
            raise _unknown_trigger(trigger, self._rows)
        for predicate, guard in compiled.before_state:
            if not predicate(facts):
                return Outcome(trigger, state, state, guard.name, guard.refusal_code)
        branches = compiled.by_state[state._value_]
        if isinstance(branches, Outcome):
            return branches
        for predicates, outcome in branches:
            for predicate in predicates:
                if not predicate(facts):
                    break
            else:
                return outcome
        guard = _failed_guard(self._rows[trigger], state, facts)
        return Outcome(trigger, state, state, guard.name, guard.refusal_code)

    def fire_with_transitions(self, state: RoleState, trigger: str, facts: GuardFacts) -> Outcome:
        """:meth:`fire`, computed by the ``transitions`` machine itself (on a fresh model):
        the reference the compiled dispatch is tested against. Slower; same answers."""
        _check_arguments(state, trigger, facts)
        rows = self.rows(trigger)
        for name in rows[0].guards:
            guard = GUARDS[name]
            if guard.before_state and not guard.predicate(facts):
                return Outcome(trigger, state, state, guard.name, guard.refusal_code)
        if not any(state in row.sources for row in rows):
            code = self.state_refusals.get((trigger, state))
            return Outcome(trigger, state, state, "state", code)
        model = _Model()
        model.state = state
        if not self._machine.events[trigger].trigger(model, facts=facts):
            guard = _failed_guard(rows, state, facts)
            return Outcome(trigger, state, state, guard.name, guard.refusal_code)
        return Outcome(trigger, state, model.state, transition=model.row)

    def may(self, state: RoleState, trigger: str, facts: GuardFacts) -> bool:
        """Whether ``fire`` would accept the trigger, without firing it."""
        return self.fire(state, trigger, facts).ok


def _check_arguments(state: object, trigger: object, facts: object) -> None:
    """Refuse what no role could be fired with (a typed error, never a KeyError)."""
    if not isinstance(state, RoleState):
        raise UsageError(f"A role's state is a RoleState, got {shown(state)}")
    if not isinstance(trigger, str):
        raise UsageError(f"A trigger is a string, got {shown(trigger)}")
    if not isinstance(facts, GuardFacts):
        raise UsageError(f"Guards judge a GuardFacts value, got {shown(facts)}")


def _unknown_trigger(trigger: object, rows: Mapping[str, object]) -> UsageError:
    return UsageError(
        f"{shown(trigger)} is not a trigger of this lifecycle; triggers are {list(rows)}"
        if isinstance(trigger, str)
        else f"A trigger is a name (a str); triggers are {list(rows)}"
    )


def _failed_guard(rows: Sequence[Transition], state: RoleState, facts: GuardFacts) -> Guard:
    """The first guard that failed among the rows leaving ``state`` (when all refused)."""
    return next(
        GUARDS[name]
        for row in rows
        if state in row.sources
        for name in row.guards
        if not GUARDS[name].predicate(facts)
    )


def _machine_row(row: Transition) -> dict[str, Any]:
    """A table row in the form ``transitions`` takes; only state guards become conditions.

    The ``before`` callback records which row fired on the model; the row itself rides on the
    machine's transition (``.row``), so the compiled dispatch is read from the machine.
    """
    conditions = [_condition(GUARDS[g]) for g in row.guards if not GUARDS[g].before_state]

    def before(event: Any) -> None:
        event.model.row = row

    return {
        "trigger": row.trigger,
        "source": list(row.sources),
        "dest": row.dest,
        "conditions": conditions,
        "before": [before],
    }


def _condition(guard: Guard) -> Callable[[Any], bool]:
    predicate = guard.predicate

    def condition(event: Any) -> bool:
        return predicate(event.kwargs["facts"])

    condition.__name__ = guard.name
    return condition


LIFECYCLE = Lifecycle()
"""The standard lifecycle; immutable, so every role of every simulation shares it."""
