"""The lifecycle as data: the states, the named guards, THE transition table, and its checks.

:data:`TRANSITIONS` is the single source of truth for how a service-linked role lives and dies.
:class:`slr_fsm.lifecycle.Lifecycle` builds a ``transitions`` machine from it and compiles it into
a dispatch; the README's table, the diagrams, the explorer's moves and the hypothesis rules are all
derived from it.

>>> [row.trigger for row in TRANSITIONS if RoleState.DELETED in row.sources]
['create']
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

from slr_fsm.errors import UsageError
from slr_fsm.states import RoleState

__all__ = [
    "GUARDS",
    "STATE_REFUSALS",
    "TRANSITIONS",
    "Cause",
    "Guard",
    "GuardFacts",
    "Outcome",
    "RoleState",
    "Transition",
    "check_table",
    "table_markdown",
]


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
        (_S.CREATING, _S.ACTIVE, _S.DELETING_BLOCKED),
        None,
        ("caller_allowed",),
        Cause.CALLER,
        "the description, the one editable attribute, changes",
    ),
    Transition(
        "request_deletion",
        (_S.CREATING, _S.ACTIVE, _S.DELETING_BLOCKED),
        None,
        ("caller_allowed",),
        Cause.CALLER,
        "DeleteServiceLinkedRole submits a deletion task",
    ),
    Transition(
        "finish_deletion",
        (_S.CREATING, _S.ACTIVE, _S.DELETING_BLOCKED),
        _S.DELETED,
        ("no_resources_in_use",),
        Cause.CLOCK,
        "the deletion task SUCCEEDED",
    ),
    Transition(
        "finish_deletion",
        (_S.CREATING, _S.ACTIVE, _S.DELETING_BLOCKED),
        _S.DELETING_BLOCKED,
        ("resources_in_use",),
        Cause.CLOCK,
        "the deletion task FAILED with a RoleUsageList; the role is kept",
    ),
)
"""THE lifecycle table. Every other change to a role is refused with UnmodifiableEntity.

``creating`` means the service cannot use the role yet (no purchase orders go through it); IAM
holds the role from the moment CreateServiceLinkedRole answers, so its description may be
edited and its deletion requested then, as for any existing role. A deletion that ends before
the creation does makes the creation's own completion moot (modelling decision)."""

STATE_REFUSALS: dict[tuple[str, RoleState], str] = {
    **{("create", s): "InvalidInput" for s in (_S.CREATING, _S.ACTIVE, _S.DELETING_BLOCKED)},
    **{
        (trigger, s): code
        for trigger in ("update_description", "request_deletion")
        for s, code in ((_S.ABSENT, "NoSuchEntity"), (_S.DELETED, "NoSuchEntity"))
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
