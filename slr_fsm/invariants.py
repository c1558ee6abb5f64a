"""Named invariants: rules every reachable world must keep, checked by the explorer.

An invariant is a plain function. A *state* invariant takes a world and returns ``True`` when
the world is fine; a *step* invariant takes a :class:`Step` (the world before, the move, its
outcome, the world after). Write your own as plain functions of the world:

>>> from slr_fsm import Simulation
>>> def no_role_in_member_accounts(world):
...     return not any(world.role(a).exists for a in world.organization.member_accounts)
>>> check = as_invariant(no_role_in_member_accounts)
>>> check.name, check.holds_in(Simulation.default())
('no_role_in_member_accounts', True)

Checks that call the faces do so on a fork, so checking never changes the world checked.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar

import attrs

from slr_fsm.errors import AccessDenied, AwsError, UsageError
from slr_fsm.lifecycle import RoleState
from slr_fsm.roles import Role
from slr_fsm.shown import shown
from slr_fsm.simulation import Simulation

__all__ = [
    "INVARIANTS",
    "Invariant",
    "Step",
    "as_invariant",
    "register_invariant",
    "resolve_invariants",
]


@attrs.frozen
class Step:
    """One move of an exploration: the world before and after, and what the move answered."""

    before: Simulation
    move: Any
    outcome: str
    after: Simulation
    unchanged: bool | None = None
    """Whether the world's state is the same after as before, when the caller knows already."""

    def same_state(self) -> bool:
        """Whether the move left the world's state as it was (the log aside)."""
        if self.unchanged is not None:
            return self.unchanged
        return self.after.same_state(self.before)


@attrs.frozen
class Invariant:
    """A named rule. ``on="state"`` checks a world; ``on="step"`` checks a :class:`Step`."""

    name: str
    check: Callable[[Any], bool | None] = attrs.field(eq=False, repr=False)
    summary: str = ""
    on: Literal["state", "step"] = "state"
    #: Whether the check works on copies of its own (the library's do); the explorer hands
    #: anyone else's a copy, so that no check can change the worlds it explores.
    forks_itself: bool = False
    #: For a step check: whether it holds, by its own definition, across any step that leaves
    #: the world's state as it was (the library's two do: the explorer skips them on such
    #: steps, most of them). Nobody else's check is assumed to.
    holds_when_unchanged: bool = False

    def holds_in(self, subject: Any) -> bool:
        """Whether the rule holds for a world (or a step). ``None`` counts as held (for checks
        written with ``assert``); an AssertionError, or an AWS refusal the check did not
        expect, counts as broken."""
        try:
            verdict = self.check(subject)
        except (AssertionError, AwsError):
            return False
        return True if verdict is None else bool(verdict)


INVARIANTS: dict[str, Invariant] = {}
"""The library of named invariants, by name, in the order registered. The explorer checks them
all by default, and :class:`~slr_fsm.testing.RoleLifecycleMachine` after every step."""

F = TypeVar("F", bound=Callable[..., Any])


def register_invariant(
    summary: str,
    *,
    on: Literal["state", "step"] = "state",
    holds_when_unchanged: bool = False,
) -> Callable[[F], F]:
    """Register a check as a library invariant under its function's name.

    The check must work on copies of its own (it may fork the world, never change it) and must
    not write to the world's log; library checks below show how. A step check that returns
    ``True`` whenever ``step.same_state()`` says so declares ``holds_when_unchanged``.
    """

    def register(check: F) -> F:
        name = check.__name__
        if name in INVARIANTS:
            raise UsageError(f"An invariant named {shown(name)} is registered already.")
        INVARIANTS[name] = Invariant(
            name, check, summary, on, forks_itself=True, holds_when_unchanged=holds_when_unchanged
        )
        return check

    return register


def _existing_roles(world: Simulation) -> Iterable[Role]:
    return (role for role in world.known_roles() if role.exists)


@register_invariant("never deleted while resources are in use")
def never_deleted_while_in_use(world: Simulation) -> bool:
    """No role is ``deleted`` while resources still use it."""
    return all(
        not world.role_usage(role.account_id, role.spec)
        for role in world.known_roles()
        if role.state is RoleState.DELETED
    )


@register_invariant("only the trusted service may assume the role")
def only_the_trusted_service_assumes_the_role(world: Simulation) -> bool:
    """While a role is usable, its service may assume it and an administrator may not (tried on
    a fork, so the world's log is never written)."""
    probe = world.fork()
    for role in _existing_roles(probe):
        if not role.state.usable_by_service:
            continue
        account = role.account_id
        probe.sts(account, role.spec.service_principal).assume_role(
            RoleArn=role.arn, RoleSessionName="invariant"
        )
        try:
            probe.sts(account, "admin").assume_role(RoleArn=role.arn, RoleSessionName="invariant")
        except AccessDenied:
            continue
        return False
    return True


@register_invariant("the managed policy is attached to the role alone")
def managed_policy_attached_alone(world: Simulation) -> bool:
    """Every existing role has exactly its service's managed policy attached, nothing else."""
    probe = world.fork()
    for role in _existing_roles(probe):
        attached = probe.iam(role.account_id).list_attached_role_policies(RoleName=role.name)
        if attached["AttachedPolicies"] != [
            {"PolicyName": role.spec.managed_policy_name, "PolicyArn": role.spec.managed_policy_arn}
        ]:
            return False
    return True


@register_invariant("the role's trust policy never changes")
def trust_policy_never_changes(world: Simulation) -> bool:
    """GetRole always shows the trust policy AWS defined for the service, unchanged."""
    probe = world.fork()
    return all(
        probe.iam(role.account_id).get_role(RoleName=role.name)["Role"]["AssumeRolePolicyDocument"]
        == role.spec.trust_policy()
        for role in _existing_roles(probe)
    )


@register_invariant("a member account never creates the organization's integration")
def member_never_creates_the_integration(world: Simulation) -> bool:
    """No member account of an organization ever has a billing integration of its own."""
    return all(world.integration_owner(owner) == owner for owner in world.integration_owners())


@register_invariant(
    "a caller without permission never changes anything", on="step", holds_when_unchanged=True
)
def unauthorized_caller_changes_nothing(step: Step) -> bool:
    """A call refused for lack of permission leaves the world exactly as it was."""
    if step.outcome != "AccessDenied":
        return True
    return step.same_state()


@register_invariant("a role's RoleId is never reused, and past ones are kept")
def role_ids_are_never_reused(world: Simulation) -> bool:
    """A role's current RoleId is not among its earlier ones, and those are distinct."""
    for role in world.known_roles():
        earlier = role.previous_role_ids
        if len(set(earlier)) != len(earlier) or (role.role_id in earlier):
            return False
    return True


@register_invariant(
    "only the description and tags (and the state) of a role ever change",
    on="step",
    holds_when_unchanged=True,
)
def only_the_description_ever_changes(step: Step) -> bool:
    """Across one step, a role that keeps its RoleId changes at most its state, description and
    tags (the edits IAM accepts on a service-linked role); a role given a new RoleId keeps the
    old one in its history. (The name predates tags; it is kept so that rules naming it still
    find it.)"""
    if step.same_state():
        return True
    for before in step.before.known_roles():
        after = step.after.role(before.account_id, before.spec)
        if before.role_id is None or after.role_id is None:
            continue
        if after.role_id == before.role_id:
            unedited = attrs.evolve(
                after, state=before.state, description=before.description, tags=before.tags
            )
            if unedited != before:
                return False
        elif before.role_id not in after.previous_role_ids:
            return False
    return True


@register_invariant("deletion always ends SUCCEEDED or FAILED once the clock runs")
def deletion_always_ends(world: Simulation) -> bool:
    """Once the clock runs, every deletion task ends SUCCEEDED or FAILED."""
    probe = world.fork()
    try:
        probe.settle()
    except UsageError:  # the clock would run past its range: no verdict can be reached there
        return True
    return all(task.status.finished for task in probe.deletion_tasks)


def as_invariant(rule: Invariant | Callable[..., bool] | str) -> Invariant:
    """An :class:`Invariant` from one, from a library name, or from a plain function of the
    world (or, if its one parameter is named ``step``, of a :class:`Step`)."""
    if isinstance(rule, Invariant):
        return rule
    if isinstance(rule, str):
        try:
            return INVARIANTS[str.__str__(rule)]
        except KeyError:
            raise UsageError(
                f"No invariant named {shown(rule)}; the library has {sorted(INVARIANTS)}, or pass "
                "a function of the world."
            ) from None
    if callable(rule):
        try:
            params = list(inspect.signature(rule).parameters)
        except (TypeError, ValueError):
            params = []
        if len(params) != 1:
            raise UsageError(
                f"An invariant is a function of one argument (the world, or a step), got {shown(rule)}"
            )
        on: Literal["state", "step"] = "step" if params[:1] == ["step"] else "state"
        doc = (inspect.getdoc(rule) or "").strip().splitlines()
        name = getattr(rule, "__name__", None)
        if not isinstance(name, str):
            name = shown(rule)
        return Invariant(name, rule, doc[0] if doc else "", on)
    raise UsageError(f"An invariant is a name, an Invariant or a function; got {shown(rule)}")


def resolve_invariants(
    rules: Iterable[Invariant | Callable[..., bool] | str] | None,
) -> tuple[Invariant, ...]:
    """The invariants to check: the given ones, or the whole library when ``None``."""
    if rules is None:
        return tuple(INVARIANTS.values())
    if isinstance(rules, str | Invariant) or callable(rules):
        rules = [rules]  # one given on its own
    if not isinstance(rules, Iterable):
        raise UsageError(
            f"invariants are names, Invariant values or functions (or None for the library's), "
            f"got {shown(rules)}"
        )
    resolved = tuple(as_invariant(rule) for rule in rules)
    names = [inv.name for inv in resolved]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise UsageError(
            f"Invariants need distinct names to be reported apart; {duplicated} appear twice. "
            "Give each function its own name (or wrap it in Invariant(name, check))."
        )
    return resolved
