"""The role lifecycle: states, THE transition table, named guards, and one shared machine.

The table :data:`TRANSITIONS` is the single source of truth for how a service-linked role lives
and dies. The simulation fires its triggers, and whatever describes the lifecycle (the README's
table, the hypothesis rules, later the diagrams and the explorer's moves) is derived from it.

One :class:`Lifecycle` (one ``transitions.Machine``) serves every role: a role's state lives in the
role's own record, and :meth:`Lifecycle.fire` lends that state to the machine for one trigger. This
avoids both a ``Machine`` per role (~17 KiB and ~100 µs each) and ``add_model`` per role (quadratic).

>>> from slr_fsm.lifecycle import LIFECYCLE, GuardFacts, RoleState
>>> LIFECYCLE.fire(RoleState.ABSENT, "create", GuardFacts()).after
<RoleState.CREATING: 'creating'>
>>> LIFECYCLE.fire(RoleState.ACTIVE, "finish_deletion", GuardFacts(resources_in_use=True)).after
<RoleState.DELETING_BLOCKED: 'deleting_blocked'>
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
from transitions import Machine

from slr_fsm.errors import UsageError

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


class RoleState(enum.Enum):
    """Where a service-linked role is in its life, in one account."""

    ABSENT = "absent"
    """Never created, or its creation failed."""
    CREATING = "creating"
    """Requested; IAM has it, but the service cannot use it yet."""
    ACTIVE = "active"
    """Exists and the service uses it."""
    DELETING_BLOCKED = "deleting_blocked"
    """A deletion failed because resources are in use; the role is kept and still usable."""
    DELETED = "deleted"
    """Deleted after clean-up; the same route re-creates it."""

    @property
    def exists(self) -> bool:
        """Whether IAM holds the role (GetRole finds it)."""
        return self in _EXISTING

    @property
    def usable_by_service(self) -> bool:
        """Whether the trusted service can assume the role and act through it."""
        return self in _USABLE

    def __str__(self) -> str:
        return self.value


_EXISTING = frozenset({RoleState.CREATING, RoleState.ACTIVE, RoleState.DELETING_BLOCKED})
_USABLE = frozenset({RoleState.ACTIVE, RoleState.DELETING_BLOCKED})


class Cause(enum.Enum):
    """Who fires a trigger: a caller's request, or the clock running (AWS working)."""

    CALLER = "caller"
    CLOCK = "clock"


@attrs.frozen
class GuardFacts:
    """The facts guards judge, gathered by the world for one trigger. Defaults let everything pass.

    Keeping guards pure functions of this value makes ``may``/``fire`` side-effect free.
    """

    caller_allowed: bool = True
    via_console: bool = False
    in_management_account_or_standalone: bool = True
    resources_in_use: bool = False
    creation_fault: bool = False


@attrs.frozen
class Guard:
    """A named predicate over :class:`GuardFacts`, and the AWS error code it refuses with.

    ``before_state`` guards judge the request itself and are checked before the role's state, as
    AWS authorizes a call before it looks the role up.
    """

    name: str
    predicate: Callable[[GuardFacts], bool] = attrs.field(eq=False, repr=False)
    refusal_code: str
    before_state: bool
    summary: str


GUARDS: dict[str, Guard] = {
    guard.name: guard
    for guard in (
        Guard(
            "management_account_on_console",
            lambda f: not f.via_console or f.in_management_account_or_standalone,
            "AccessDenied",
            before_state=True,
            summary="on the console route, only the management account (or an account in no "
            "organization) sets up the billing integration; IAM's own API has no such rule",
        ),
        Guard(
            "caller_allowed",
            lambda f: f.caller_allowed,
            "AccessDenied",
            before_state=True,
            summary="the caller's IAM policies allow the action",
        ),
        Guard(
            "no_creation_fault",
            lambda f: not f.creation_fault,
            "",
            before_state=False,
            summary="the service finished creating the role",
        ),
        Guard(
            "creation_fault_injected",
            lambda f: f.creation_fault,
            "ServiceFailure",
            before_state=False,
            summary="creation failed on AWS's side (an injected fault)",
        ),
        Guard(
            "no_resources_in_use",
            lambda f: not f.resources_in_use,
            "",
            before_state=False,
            summary="no resources still use the role",
        ),
        Guard(
            "resources_in_use",
            lambda f: f.resources_in_use,
            "",
            before_state=False,
            summary="resources still use the role (the task fails with a RoleUsageList)",
        ),
    )
}
"""Every guard the table may name, by name."""


@attrs.frozen
class Transition:
    """One row of the lifecycle table. ``dest`` of ``None`` means the state does not change."""

    trigger: str
    sources: tuple[RoleState, ...]
    dest: RoleState | None
    guards: tuple[str, ...]
    cause: Cause
    summary: str


_S = RoleState
TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "create",
        (_S.ABSENT, _S.DELETED),
        _S.CREATING,
        ("management_account_on_console", "caller_allowed"),
        Cause.CALLER,
        "CreateServiceLinkedRole, or the console's billing integration, requests the role",
    ),
    Transition(
        "finish_creation",
        (_S.CREATING,),
        _S.ACTIVE,
        ("no_creation_fault",),
        Cause.CLOCK,
        "the service can use the role",
    ),
    Transition(
        "finish_creation",
        (_S.CREATING,),
        _S.ABSENT,
        ("creation_fault_injected",),
        Cause.CLOCK,
        "creation failed (ServiceFailure): nothing was created",
    ),
    Transition(
        "update_description",
        (_S.ACTIVE, _S.DELETING_BLOCKED),
        None,
        ("caller_allowed",),
        Cause.CALLER,
        "the description, the one editable attribute, changes",
    ),
    Transition(
        "request_deletion",
        (_S.ACTIVE, _S.DELETING_BLOCKED),
        None,
        ("caller_allowed",),
        Cause.CALLER,
        "DeleteServiceLinkedRole submits a deletion task",
    ),
    Transition(
        "finish_deletion",
        (_S.ACTIVE, _S.DELETING_BLOCKED),
        _S.DELETED,
        ("no_resources_in_use",),
        Cause.CLOCK,
        "the deletion task SUCCEEDED",
    ),
    Transition(
        "finish_deletion",
        (_S.ACTIVE, _S.DELETING_BLOCKED),
        _S.DELETING_BLOCKED,
        ("resources_in_use",),
        Cause.CLOCK,
        "the deletion task FAILED with a RoleUsageList; the role is kept",
    ),
)
"""THE lifecycle table. Every other change to a role is refused with UnmodifiableEntity."""

STATE_REFUSALS: dict[tuple[str, RoleState], str] = {
    **{("create", s): "InvalidInput" for s in (_S.CREATING, _S.ACTIVE, _S.DELETING_BLOCKED)},
    **{
        (trigger, s): code
        for trigger in ("update_description", "request_deletion")
        for s, code in (
            (_S.ABSENT, "NoSuchEntity"),
            (_S.DELETED, "NoSuchEntity"),
            (_S.CREATING, "ConcurrentModification"),
        )
    },
}
"""The AWS error code for a caller's trigger fired from a state with no row for it."""


@attrs.frozen
class Outcome:
    """The result of firing one trigger: the state before and after, or what refused it.

    ``refused_by`` is a guard name, or ``"state"`` when no row of the table leaves ``before``
    on this trigger; ``refusal_code`` is then the AWS error code the refusal maps to.
    """

    trigger: str
    before: RoleState
    after: RoleState
    refused_by: str | None = None
    refusal_code: str | None = None
    transition: Transition | None = None

    @property
    def ok(self) -> bool:
        """Whether the trigger was accepted."""
        return self.refused_by is None


class _Cursor:
    """The one model object the shared machine drives; it only borrows a role's state."""

    state: RoleState
    row: Transition | None = None


def check_table(
    table: Sequence[Transition], state_refusals: Mapping[tuple[str, RoleState], str]
) -> None:
    """Structural checks of a transition table, run when a :class:`Lifecycle` is built.

    Raises :class:`~slr_fsm.errors.UsageError` naming the problem: an unknown guard; rows of one
    trigger whose before-state guards differ (they are checked before the state is known); a
    state unreachable from ``absent``; a trap state no row leaves; a caller trigger that some
    state has no row for and no AWS error declared in ``state_refusals``.
    """
    triggers: dict[str, tuple[str, ...]] = {}
    for row in table:
        unknown = [g for g in row.guards if g not in GUARDS]
        if unknown:
            raise UsageError(
                f"Transition {row.trigger!r} names unknown guard(s) {unknown}; "
                f"known guards are {sorted(GUARDS)}. Add the guard to GUARDS first."
            )
        request = tuple(g for g in row.guards if GUARDS[g].before_state)
        if triggers.setdefault(row.trigger, request) != request:
            raise UsageError(
                f"Rows of trigger {row.trigger!r} differ in before-state guards "
                f"({triggers[row.trigger]} vs {request}); they are checked before the state is "
                "known, so every row of a trigger must share them."
            )
    reached = {RoleState.ABSENT}
    frontier = [RoleState.ABSENT]
    while frontier:
        state = frontier.pop()
        for row in table:
            dest = row.dest or state
            if state in row.sources and dest not in reached:
                reached.add(dest)
                frontier.append(dest)
    unreachable = set(RoleState) - reached
    if unreachable:
        names = sorted(s.value for s in unreachable)
        raise UsageError(f"States {names} cannot be reached from 'absent' in this table.")
    traps = [s.value for s in RoleState if not any(s in row.sources for row in table)]
    if traps:
        raise UsageError(f"States {traps} are traps: no row of the table leaves them.")
    for row in table:
        if row.cause is not Cause.CALLER:
            continue
        for state in RoleState:
            covered = any(state in r.sources for r in table if r.trigger == row.trigger)
            if not covered and (row.trigger, state) not in state_refusals:
                raise UsageError(
                    f"Caller trigger {row.trigger!r} has no row from {state.value!r} and no AWS "
                    "error for that case; declare one in state_refusals."
                )


class Lifecycle:
    """One shared ``transitions.Machine`` built from a table; it fires triggers for any role.

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
        self.state_refusals = dict(state_refusals)
        check_table(self.table, self.state_refusals)
        self._before_state: dict[str, tuple[Guard, ...]] = {}
        self._rows: dict[str, tuple[Transition, ...]] = {}
        for row in self.table:
            self._before_state[row.trigger] = tuple(
                GUARDS[g] for g in row.guards if GUARDS[g].before_state
            )
            self._rows[row.trigger] = (*self._rows.get(row.trigger, ()), row)
        self._sources = {
            trigger: frozenset(s for r in rows for s in r.sources)
            for trigger, rows in self._rows.items()
        }
        self._cursor = _Cursor()
        self._cursor.state = RoleState.ABSENT
        self._machine = Machine(
            model=self._cursor,
            states=RoleState,
            initial=RoleState.ABSENT,
            transitions=[self._machine_row(row) for row in self.table],
            auto_transitions=False,
            send_event=True,
        )
        self._events = self._machine.events

    @staticmethod
    def _machine_row(row: Transition) -> dict[str, Any]:
        """A table row in the form ``transitions`` takes; only state guards become conditions."""
        conditions = [_condition(GUARDS[g]) for g in row.guards if not GUARDS[g].before_state]
        return {
            "trigger": row.trigger,
            "source": list(row.sources),
            "dest": row.dest,
            "conditions": conditions,
            "before": [_record(row)],
        }

    @property
    def triggers(self) -> tuple[str, ...]:
        """Every trigger in the table, in table order."""
        return tuple(self._rows)

    def rows(self, trigger: str) -> tuple[Transition, ...]:
        """The table rows of one trigger."""
        try:
            return self._rows[trigger]
        except KeyError:
            raise UsageError(
                f"{trigger!r} is not a trigger of this lifecycle; triggers are {list(self._rows)}"
            ) from None

    def triggers_from(self, state: RoleState) -> frozenset[str]:
        """The triggers with at least one row leaving ``state``."""
        return frozenset(r.trigger for r in self.table if state in r.sources)

    def fire(self, state: RoleState, trigger: str, facts: GuardFacts) -> Outcome:
        """Judge ``trigger`` for a role in ``state``; return the outcome. No role is changed.

        Before-state guards are judged first (in table order), then the state, then the guards
        that choose among the rows leaving that state. The machine is shared, so a lifecycle is
        not reentrant: guards must not fire triggers themselves.
        """
        rows = self.rows(trigger)
        for guard in self._before_state[trigger]:
            if not guard.predicate(facts):
                return Outcome(trigger, state, state, guard.name, guard.refusal_code)
        if state not in self._sources[trigger]:
            return Outcome(
                trigger, state, state, "state", self.state_refusals.get((trigger, state))
            )
        cursor = self._cursor
        cursor.state = state
        if not self._events[trigger].trigger(cursor, facts=facts):
            guard = self._failed_guard(rows, state, facts)
            return Outcome(trigger, state, state, guard.name, guard.refusal_code)
        return Outcome(trigger, state, cursor.state, transition=cursor.row)

    def may(self, state: RoleState, trigger: str, facts: GuardFacts) -> bool:
        """Whether ``fire`` would accept the trigger, without firing it."""
        rows = self.rows(trigger)
        return any(state in r.sources and _passes(r, facts) for r in rows)

    @staticmethod
    def _failed_guard(rows: Sequence[Transition], state: RoleState, facts: GuardFacts) -> Guard:
        """The first guard that failed among the rows leaving ``state`` (when all refused)."""
        return next(
            GUARDS[name]
            for row in rows
            if state in row.sources
            for name in row.guards
            if not GUARDS[name].predicate(facts)
        )


def _passes(row: Transition, facts: GuardFacts) -> bool:
    return all(GUARDS[g].predicate(facts) for g in row.guards)


def _record(row: Transition) -> Callable[[Any], None]:
    """A ``before`` callback noting which row fired, so ``fire`` need not re-judge guards."""

    def before(event: Any) -> None:
        event.model.row = row

    return before


def _condition(guard: Guard) -> Callable[[Any], bool]:
    predicate = guard.predicate

    def condition(event: Any) -> bool:
        return predicate(event.kwargs["facts"])

    condition.__name__ = guard.name
    return condition


LIFECYCLE = Lifecycle()
"""The lifecycle every role of the simulation shares."""


def table_markdown(table: Iterable[Transition] = TRANSITIONS) -> str:
    """The transition table as a Markdown table (the README's table is this text, verified).

    >>> print(table_markdown().splitlines()[0])
    | trigger | from | to | guards | fired by | what it means |
    """
    lines = [
        "| trigger | from | to | guards | fired by | what it means |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in table:
        sources = ", ".join(f"`{s.value}`" for s in row.sources)
        dest = "(unchanged)" if row.dest is None else f"`{row.dest.value}`"
        guards = ", ".join(f"`{g}`" for g in row.guards) or "-"
        lines.append(
            f"| `{row.trigger}` | {sources} | {dest} | {guards} | {row.cause.value} | {row.summary} |"
        )
    return "\n".join(lines)
