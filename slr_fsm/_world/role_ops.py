"""Role operations: each judges a request with the lifecycle and applies it, in one call.

Requests (creation, deletion, description and tag edits) authorize the caller, fire the lifecycle's
trigger, and either raise the refusal in AWS's words or change the world. The clock's work
(finishing a creation, running a deletion task) is :mod:`slr_fsm._world.clock_work`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from slr_fsm._world.catalogue import Catalogue
from slr_fsm._world.clock_work import ClockWork
from slr_fsm._world.directory import Caller, Directory
from slr_fsm._world.journal import Journal
from slr_fsm._world.role_keys import key_of
from slr_fsm._world.scheduler import Scheduler
from slr_fsm._world.state import WorldState
from slr_fsm._world.usage_context import BoundUsageContext
from slr_fsm.clock import Latencies
from slr_fsm.errors import LimitExceeded
from slr_fsm.lifecycle import GuardFacts, Lifecycle, RoleState
from slr_fsm.policy_decision import Decision
from slr_fsm.refusals import access_denied, refusal_error, role_not_found
from slr_fsm.roles import MAX_TAGS, Role, Tag, new_role
from slr_fsm.specs import RoleSpec

if TYPE_CHECKING:  # tasks and subscriptions load when first used
    from slr_fsm.tasks import DeletionTask, RoleUsage
    from slr_fsm.usage import UsageModel

__all__ = ["RoleOps"]

_ALLOWED = GuardFacts(caller_allowed=True)
_NOT_ALLOWED = GuardFacts(caller_allowed=False)
"""A request's facts (frozen values, so one of each serves every request)."""


class RoleOps:
    """Judge-and-apply for one world's roles and deletion tasks."""

    def __init__(
        self,
        state: WorldState,
        directory: Directory,
        catalogue: Catalogue,
        lifecycle: Lifecycle,
        latencies: Latencies,
        journal: Journal,
    ) -> None:
        self._state = state
        self._directory = directory
        self._catalogue = catalogue
        self._lifecycle = lifecycle
        self._latencies = latencies
        self._journal = journal
        self.scheduler = Scheduler(
            state, ClockWork(self, state, catalogue, lifecycle, latencies, journal).handlers()
        )
        self.contexts = {
            spec: BoundUsageContext(
                state,
                directory,
                spec.service_principal,
                self._state_reader(spec),
                lambda: journal.held,
            )
            for spec in catalogue.specs
        }

        self._usage_of: dict[str, tuple[RoleSpec, UsageModel, BoundUsageContext]] = {}

    def _state_reader(self, spec: RoleSpec):  # type: ignore[no-untyped-def]
        return lambda account_id: self.state_of(account_id, spec.role_name)

    # ----------------------------------------------------------------- reading

    def role(self, account_id: str, spec: RoleSpec) -> Role:
        """The role of ``spec`` in an account (``absent`` before it ever existed)."""
        role = self._state.roles.get(key_of(account_id, spec.role_name))
        return role if role is not None else Role(spec, account_id)

    def state_of(self, account_id: str, role_name: str | None) -> RoleState:
        """The state of a role by its exact name (``absent`` when unknown)."""
        role = None if role_name is None else self._state.roles.get(key_of(account_id, role_name))
        return RoleState.ABSENT if role is None else role.state

    def usage(self, account_id: str, spec: RoleSpec) -> tuple[RoleUsage, ...]:
        """What keeps the role in use in an account now, per its usage model (a service's own
        spec finds its model and context by its role name, not by hashing the spec twice)."""
        found = self._usage_of.get(spec.role_name)
        if found is None or found[0] is not spec:
            found = (spec, self._catalogue.usage_model(spec), self.contexts[spec.base])
            if spec.custom_suffix is None:  # at most one entry a spec of the catalogue
                self._usage_of[spec.role_name] = found
        return found[1].in_use(found[2], account_id)

    def existing_role(self, account_id: str, role_name: str) -> Role:
        """The service-linked role of that name if IAM holds it now; NoSuchEntity otherwise."""
        spec = self._catalogue.by_role_name(role_name)
        role = None if spec is None else self.role(account_id, spec)
        if role is None or not role.exists:
            raise role_not_found(role_name)
        return role

    def role_arn(self, account_id: str, role_name: str) -> str:
        """The ARN a role name has in an account (a service path for a known role)."""
        spec = self._catalogue.by_role_name(role_name)
        if spec is not None:
            return spec.role_arn(account_id)
        return f"arn:aws:iam::{account_id}:role/{role_name}"

    def put_role(self, role: Role) -> None:
        """Store a role's new value."""
        self._state.roles.set(key_of(role.account_id, role.spec.role_name), role)

    def task(self, task_id: object) -> DeletionTask | None:
        """A deletion task by id, if still known."""
        return self._state.tasks.get(task_id) if isinstance(task_id, str) else None

    def put_task(self, task: DeletionTask) -> None:
        """Store a deletion task's new value (and keep the index of unfinished ones)."""
        task_id, open_tasks = task.task_id, self._state.open_tasks
        self._state.tasks.set(task_id, task)
        key = key_of(task.account_id, task.role_name)
        if task.status.finished:
            if open_tasks.get(key) == task_id:
                open_tasks.pop(key)
        elif open_tasks.get(key) != task_id:  # started: already indexed
            open_tasks.set(key, task_id)

    # ----------------------------------------------------------------- judging requests

    def judge(
        self,
        account_id: str,
        caller: Caller,
        role_name: str,
        trigger: str,
        action: str,
        context: Mapping[str, str] | None = None,
    ) -> Role:
        """Authorize and fire ``trigger`` for the named role; raise the refusal, if any.

        The caller's permission is judged first (AWS authorizes before it looks the role up),
        then the lifecycle decides from the role's state. Nothing is changed here.
        """
        spec = self._catalogue.by_role_name(role_name)
        resource = (
            f"arn:aws:iam::{account_id}:role/{role_name}"
            if spec is None
            else spec.role_arn(account_id)
        )
        decision = self._directory.decide(caller, action, resource, context)
        if spec is None:
            if decision is not Decision.ALLOW:
                raise access_denied(caller, action, resource, decision)
            raise role_not_found(role_name)
        role = self._state.roles.get(key_of(account_id, spec.role_name))  # self.role, inlined
        if role is None:
            role = new_role(spec, account_id)
        facts = _ALLOWED if decision is Decision.ALLOW else _NOT_ALLOWED
        outcome = self._lifecycle.fire(role.state, trigger, facts)
        if not outcome.ok:
            raise refusal_error(outcome, role, caller=caller, action=action, decision=decision)
        return role

    def request_creation(
        self,
        account_id: str,
        caller: Caller,
        spec: RoleSpec,
        *,
        action: str,
        description: str | None = None,
        via_console: bool = False,
    ) -> Role:
        """Ask for the role (``create``): a new RoleId, ``creating`` until the clock runs.

        On the console route, the management-account rule applies and a role that exists
        already is reused (returned unchanged) instead of refused.
        """
        context = {"iam:AWSServiceName": spec.service_principal}
        if not via_console:
            role = self.judge(account_id, caller, spec.role_name, "create", action, context)
        else:
            role = self.role(account_id, spec)
            decision = self._directory.decide(caller, action, role.arn, context)
            owner = self._directory.integration_owner(account_id)
            facts = GuardFacts(
                caller_allowed=decision is Decision.ALLOW,
                via_console=True,
                in_management_account_or_standalone=owner == account_id,
            )
            outcome = self._lifecycle.fire(role.state, "create", facts)
            if outcome.refused_by == "state":  # it exists already: the console reuses it
                return role
            if not outcome.ok:
                raise refusal_error(
                    outcome,
                    role,
                    caller=caller,
                    action=action,
                    decision=decision,
                    management_account_id=owner,
                )
        return self._begin_creation(account_id, spec, description, role)

    def _begin_creation(
        self, account_id: str, spec: RoleSpec, description: str | None, old: Role
    ) -> Role:
        """Start creating the role of ``spec`` (as asked for); ``old`` is the role held under
        its name now (absent or deleted: its RoleIds join the history)."""
        history = old.previous_role_ids + ((old.role_id,) if old.role_id else ())
        role = new_role(
            spec,
            account_id,
            RoleState.CREATING,
            self._state.ids.role_id(),
            self._state.clock.now(),
            description or None,
            history,
        )
        self._state.roles.set(key_of(account_id, spec.role_name), role)  # self.put_role
        fault = self._state.faults.creation_failures > 0
        if fault:
            self._state.faults = attrs.evolve(
                self._state.faults, creation_failures=self._state.faults.creation_failures - 1
            )
        self.scheduler.schedule(  # the RoleId says which creation this work finishes
            self._latencies.creation,
            "finish_creation",
            account_id,
            spec.role_name,
            task_id=role.role_id,
            fault=fault,
        )
        return role

    def request_deletion(
        self, account_id: str, caller: Caller, role_name: str, action: str
    ) -> DeletionTask:
        """Submit a deletion task for the role, or return its unfinished one (as AWS does)."""
        from slr_fsm.tasks import DeletionStatus, new_task

        role = self.judge(account_id, caller, role_name, "request_deletion", action)
        spec = role.spec
        open_id = self._state.open_tasks.get(key_of(account_id, spec.role_name))
        if open_id is not None:
            return self._state.tasks[open_id]
        task = new_task(
            spec.deletion_task_prefix() + self._state.ids.uuid(),
            account_id,
            spec.role_name,
            DeletionStatus.NOT_STARTED,
            self._state.clock.now(),
        )
        self.put_task(task)
        start = self._latencies.deletion_start
        schedule = self.scheduler.schedule
        schedule(start, "start_deletion", account_id, spec.role_name, task_id=task.task_id)
        schedule(
            start + self._latencies.deletion_run,
            "finish_deletion",
            account_id,
            spec.role_name,
            task_id=task.task_id,
        )
        return task

    def update_description(
        self,
        account_id: str,
        caller: Caller,
        role_name: str,
        description: str | None,
        action: str,
    ) -> Role:
        """Change the one editable attribute; ``None`` leaves it as it is, ``""`` clears it."""
        role = self.judge(account_id, caller, role_name, "update_description", action)
        if description is None:
            return role
        updated = role.with_description(description or None)
        self._state.roles.set(key_of(updated.account_id, updated.spec.role_name), updated)
        return updated

    def change_tags(
        self,
        account_id: str,
        caller: Caller,
        role_name: str,
        action: str,
        add: Iterable[Tag] = (),
        remove: Iterable[str] = (),
    ) -> Role:
        """Tag or untag the role (TagRole, UntagRole). Tags are an edit like the description
        (judged with its trigger, ``update_description``); more than :data:`MAX_TAGS` is
        LimitExceeded, and nothing changes."""
        role = self.judge(account_id, caller, role_name, "update_description", action)
        updated = role
        if add:  # TagRole adds, UntagRole removes: the other copy would change nothing
            updated = updated.with_tags(add)
        if remove:
            updated = updated.without_tags(remove)
        if len(updated.tags) > MAX_TAGS:
            raise LimitExceeded(
                "The number of tags has reached the maximum limit.", guard="tag_limit"
            )
        self.put_role(updated)
        return updated
