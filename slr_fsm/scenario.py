"""The seed's story, as data: each step one call by one principal, run on any simulation.

>>> from slr_fsm import Simulation
>>> from slr_fsm.scenario import SEED_STORY, run_story
>>> sim = Simulation.default(seed=0)
>>> lines = run_story(sim, SEED_STORY)
>>> [line.event.outcome for line in lines][:3]
['AccessDenied', 'ok', 'ok']
>>> sim.role(sim.organization.management_account).state.value
'active'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs

from slr_fsm.errors import AwsError, UsageError
from slr_fsm.events import Event
from slr_fsm.moves import FACES, face
from slr_fsm.shown import shown
from slr_fsm.simulation import Simulation

__all__ = ["SEED_STORY", "Step", "StoryLine", "format_story", "run_story", "steps_from_json"]

ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"
T = TypeVar("T")


@attrs.frozen
class Step:
    """One step of a story: what it shows, and the call that shows it."""

    narration: str
    action: Callable[[Simulation], object] = attrs.field(repr=False)


@attrs.frozen
class StoryLine:
    """One event of a story, with the narration of the step that caused it.

    ``answer`` is on the last event of a step (the one that shows its outcome): what the call
    returned, or for a refusal ``{"Error": {"Code": ..., "Message": ...}}``; ``None`` on the
    step's other events and for the clock's steps.
    """

    narration: str
    event: Event
    answer: Any = None


def _management(sim: Simulation) -> str:
    return sim.organization.management_account.account_id


def _member(sim: Simulation) -> str:
    return sim.organization.member_accounts[0].account_id


def _first_subscription(sim: Simulation) -> str:
    return sim.subscriptions_of(_member(sim))[0].subscription_id


def _last_task(sim: Simulation) -> str:
    return sim.deletion_tasks[-1].task_id


def _protected(method: str, **params: Any) -> Callable[[Simulation], object]:
    def call(sim: Simulation) -> object:
        return getattr(sim.iam(_management(sim)), method)(RoleName=ROLE, **params)

    return call


SEED_STORY: tuple[Step, ...] = (
    Step(
        "A member account tries to set up the AWS Billing integration: refused.",
        lambda sim: sim.marketplace(_member(sim)).configure_billing_integration(),
    ),
    Step(
        "The management account sets it up; AWS Marketplace creates the role.",
        lambda sim: sim.marketplace(_management(sim)).configure_billing_integration(),
    ),
    Step("Time passes; the role becomes active.", lambda sim: sim.advance(10)),
    Step(
        "A read-only principal tries to edit the description: no permission.",
        lambda sim: sim.iam(_management(sim), "readonly").update_role_description(
            RoleName=ROLE, Description="Purchase orders for the whole organization"
        ),
    ),
    Step(
        "The administrator edits the description, the one editable attribute.",
        lambda sim: sim.iam(_management(sim)).update_role_description(
            RoleName=ROLE, Description="Purchase orders for the whole organization"
        ),
    ),
    Step(
        "Changing the trust policy is refused.",
        _protected(
            "update_assume_role_policy",
            PolicyDocument='{"Version":"2012-10-17",'
            '"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},'
            '"Action":"sts:AssumeRole"}]}',
        ),
    ),
    Step(
        "Attaching another policy is refused.",
        _protected("attach_role_policy", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"),
    ),
    Step("Plain DeleteRole is refused.", _protected("delete_role")),
    Step("Longer sessions are refused.", _protected("update_role", MaxSessionDuration=7200)),
    Step(
        "A member account attaches a purchase order to a subscription.",
        lambda sim: sim.marketplace(_member(sim)).attach_purchase_order(
            _first_subscription(sim), "PO-2026-0042"
        ),
    ),
    Step(
        "The management account asks IAM to delete the role.",
        lambda sim: sim.iam(_management(sim)).delete_service_linked_role(RoleName=ROLE),
    ),
    Step("Time passes; the deletion task fails: resources are in use.", lambda sim: sim.settle()),
    Step(
        "The task's status names the resources, per Region.",
        lambda sim: sim.iam(_management(sim)).get_service_linked_role_deletion_status(
            DeletionTaskId=_last_task(sim)
        ),
    ),
    Step(
        "Clean-up: the member detaches its purchase order.",
        lambda sim: sim.marketplace(_member(sim)).detach_purchase_order(
            _first_subscription(sim), "PO-2026-0042"
        ),
    ),
    Step(
        "Clean-up: the management account removes the billing integration.",
        lambda sim: sim.marketplace(_management(sim)).remove_billing_integration(),
    ),
    Step(
        "The deletion is requested again.",
        lambda sim: sim.iam(_management(sim)).delete_service_linked_role(RoleName=ROLE),
    ),
    Step("Time passes; the task succeeds and the role is deleted.", lambda sim: sim.settle()),
    Step("The role is gone.", lambda sim: sim.iam(_management(sim)).get_role(RoleName=ROLE)),
    Step(
        "The same route re-creates it: same name and ARN, a new RoleId.",
        lambda sim: sim.marketplace(_management(sim)).configure_billing_integration(),
    ),
    Step("Time passes; the re-created role is active.", lambda sim: sim.settle()),
)
"""The seed document's whole story, from set-up to re-creation."""


def run_story(sim: Simulation, steps: Iterable[Step]) -> list[StoryLine]:
    """Run each step (a refusal is an outcome, not an error) and return the events it caused."""
    if not isinstance(sim, Simulation):
        raise UsageError(f"run_story() runs on a Simulation, got {shown(sim)}")
    steps = _all_of(steps, Step, "steps are Step values")
    lines: list[StoryLine] = []
    for step in steps:
        first = len(sim.trace)
        answer: Any
        try:
            answer = step.action(sim)
        except AwsError as refused:  # a refusal is in the event log: it is the story
            if len(sim.trace) == first:  # refused before any call reached the world
                raise UsageError(
                    f"Step {shown(step.narration)} was refused before any call was made, so the "
                    f"story would not show it: {refused.code}: {refused.message}"
                ) from None
            answer = {"Error": {"Code": refused.code, "Message": refused.message}}
        if isinstance(answer, tuple):  # the clock's steps return the events they ran
            answer = None
        events = sim.trace[first:]
        lines.extend(
            StoryLine(step.narration, event, answer if n == len(events) else None)
            for n, event in enumerate(events, 1)
        )
    return lines


def _all_of(values: object, kind: type[T], what: str) -> list[T]:
    """``values`` as a list, each a ``kind``; a UsageError otherwise."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise UsageError(f"{what}, got {shown(values)}")
    found = list(values)
    if not all(isinstance(v, kind) for v in found):
        raise UsageError(f"{what}, got {shown(found)}")
    return found


def format_story(lines: Iterable[StoryLine], account_names: Mapping[str, str] | None = None) -> str:
    """One line an event: when, who, what, outcome or error code, the role's state, and why.

    Work the clock runs is shown as done by the service. The last event of each step (the one
    that shows its outcome) carries the step's narration.
    """
    if account_names is not None and not isinstance(account_names, Mapping):
        raise UsageError(f"account_names maps account ids to names, got {shown(account_names)}")
    names = account_names or {}
    lines = _all_of(lines, StoryLine, "lines are StoryLine values (from run_story)")
    out = []
    for n, line in enumerate(lines, 1):
        e = line.event
        who_name = "service" if e.principal.endswith(".amazonaws.com") else e.principal
        who = f"{names.get(e.account_id, e.account_id)}/{who_name}"
        last_of_step = n == len(lines) or lines[n].narration != line.narration
        note = line.narration if last_of_step else ""
        out.append(
            f"{n:>2}  {e.time:%H:%M:%S}  {who:<20} {e.operation:<40} {e.outcome:<19} "
            f"{e.state_change:<29} {note}".rstrip()
        )
    return "\n".join(out)


_STEP_KEYS = {"face", "operation", "account", "principal", "parameters", "say"}


def steps_from_json(data: object) -> tuple[Step, ...]:
    """A story from JSON data (a scenario file): a list of steps, each a call or a clock move.

    A call is ``{"face": "iam" | "console" | "sts" | "organizations", "operation": ...,
    "account": name or id, "principal": ... (default "admin"), "parameters": {...}}``; a clock
    move is ``{"advance": seconds}`` or ``{"settle": true}``. Any step may ``"say"`` what it
    shows (its narration). Every mistake is a UsageError naming the step.

    >>> from slr_fsm import Simulation
    >>> story = steps_from_json([
    ...     {"face": "console", "operation": "configure_billing_integration",
    ...      "account": "management", "say": "Set up the integration."},
    ...     {"settle": True},
    ...     {"face": "iam", "operation": "get_role", "account": "management",
    ...      "parameters": {"RoleName": "AWSServiceRoleForMarketplacePurchaseOrders"}}])
    >>> [line.event.outcome for line in run_story(Simulation.default(), story)]
    ['ok', 'ok', 'ok']
    """
    if not isinstance(data, list):
        raise UsageError(f"A scenario is a JSON list of steps, got {shown(data)}")
    return tuple(_step(n, item) for n, item in enumerate(data, 1))


def _step(n: int, item: object) -> Step:
    where = f"Scenario step {n}"
    if not isinstance(item, dict):
        raise UsageError(f"{where} is a JSON object, got {shown(item)}")
    say = item.get("say", "")
    if not isinstance(say, str):
        raise UsageError(f"{where}: 'say' is text, got {shown(say)}")
    clock = {"advance", "settle"} & set(item)
    if clock:
        return _clock_step(where, item, say)
    unknown = sorted(str(key)[:40] for key in set(item) - _STEP_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown keys {unknown}; a call has {sorted(_STEP_KEYS)}")
    name, operation = item.get("face"), item.get("operation")
    if not isinstance(name, str) or name not in FACES:
        raise UsageError(f"{where}: 'face' is one of {sorted(FACES)}, got {shown(name)}")
    if not isinstance(operation, str) or operation not in FACES[name]:
        raise UsageError(f"{where}: {name} has no operation {shown(operation)}")
    account, principal = item.get("account"), item.get("principal", "admin")
    parameters = item.get("parameters", {})
    if not isinstance(account, str) or not isinstance(principal, str):
        raise UsageError(f"{where}: 'account' and 'principal' are names or ids (text)")
    if not isinstance(parameters, dict):
        raise UsageError(f"{where}: 'parameters' is a JSON object, got {shown(parameters)}")

    def call(sim: Simulation) -> object:
        found = next((a for a in sim.accounts if account in (a.name, a.account_id)), None)
        if found is None:
            held = [f"{a.name} ({a.account_id})" if a.name else a.account_id for a in sim.accounts]
            more = f" and {len(held) - 8} more" if len(held) > 8 else ""
            raise UsageError(
                f"{where}: no account {shown(account)} in this world; "
                f"it holds {', '.join(held[:8])}{more}"
            )
        try:
            caller = face(sim, name, found.account_id, principal)
        except AwsError as refused:  # e.g. a principal the account does not hold
            raise UsageError(f"{where}: {refused.code}: {refused.message}") from None
        return getattr(caller, operation)(**parameters)

    return Step(say or f"{principal}@{account} {name}.{operation}", call)


def _clock_step(where: str, item: dict[str, Any], say: str) -> Step:
    if set(item) - {"advance", "settle", "say"} or len({"advance", "settle"} & set(item)) > 1:
        raise UsageError(f"{where}: a clock step is {{'advance': seconds}} or {{'settle': true}}")
    if "settle" in item:
        if item["settle"] is not True:
            raise UsageError(f"{where}: 'settle' is true, got {shown(item['settle'])}")
        return Step(say or "The clock runs until no work is left.", lambda sim: sim.settle())
    seconds = item["advance"]
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise UsageError(f"{where}: 'advance' is a number of seconds, got {shown(seconds)}")
    return Step(say or f"{seconds:g} seconds pass.", lambda sim: sim.advance(seconds))
