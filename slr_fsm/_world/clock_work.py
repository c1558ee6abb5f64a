"""The clock's work on roles: finishing a creation, starting and running a deletion task, and
purging a finished task. Each fires the clock's trigger of the lifecycle and logs what it did
under the service's name (the work the scheduler runs when it falls due)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from slr_fsm._world.catalogue import Catalogue
from slr_fsm._world.journal import Journal
from slr_fsm._world.role_keys import key_of
from slr_fsm._world.state import Pending, WorldState
from slr_fsm.clock import Latencies
from slr_fsm.errors import UsageError
from slr_fsm.events import NO_PARAMETERS, OK
from slr_fsm.lifecycle import GuardFacts, Lifecycle, RoleState
from slr_fsm.roles import Role
from slr_fsm.specs import RoleSpec

if TYPE_CHECKING:  # tasks load when first used
    from slr_fsm._world.role_ops import RoleOps
    from slr_fsm.tasks import DeletionTask

__all__ = ["ClockWork"]

_CREATED = {False: GuardFacts(creation_fault=False), True: GuardFacts(creation_fault=True)}
"""The facts of finishing a creation, without or with an injected fault (shared values)."""
_IN_USE = {False: GuardFacts(resources_in_use=False), True: GuardFacts(resources_in_use=True)}
"""The facts of finishing a deletion, with the role unused or in use (shared values)."""


class ClockWork:
    """The handlers of one world's background work on roles and deletion tasks."""

    def __init__(
        self,
        roles: RoleOps,
        state: WorldState,
        catalogue: Catalogue,
        lifecycle: Lifecycle,
        latencies: Latencies,
        journal: Journal,
    ) -> None:
        self._roles = roles
        self._state = state
        self._catalogue = catalogue
        self._lifecycle = lifecycle
        self._latencies = latencies
        self._journal = journal

    def handlers(self) -> dict[str, Callable[[Pending], None]]:
        """Each kind of work (:data:`~slr_fsm._world.state.WORK_KINDS`) and what runs it."""
        return {
            "finish_creation": self._finish_creation,
            "start_deletion": self._start_deletion,
            "finish_deletion": self._finish_deletion,
            "purge_task": self._purge_task,
        }

    def _log_work(
        self,
        work: Pending,
        outcome: str,
        message: str | None,
        before: RoleState,
        after: RoleState,
        spec: RoleSpec | None = None,
        **parameters: str,
    ) -> None:
        """Log one piece of work under its service's name (``spec``: the work's, if known)."""
        if spec is None:
            spec = self._catalogue.by_role_name(work.role_name)
        principal = spec.service_principal if spec is not None else "aws"
        self._journal.append(
            work.account_id,
            principal,
            work.kind,
            parameters,
            outcome,
            message,
            (work.account_id, work.role_name),
            before,
            after,
        )

    def _spec(self, work: Pending) -> RoleSpec:
        spec = self._catalogue.by_role_name(work.role_name)
        if spec is None:  # restore refuses such work; a guard against a broken invariant
            raise UsageError(f"No role spec for pending work on {work.role_name}")
        return spec

    def _finish_creation(self, work: Pending) -> None:
        spec = self._spec(work)
        key = key_of(work.account_id, spec.role_name)
        role = self._state.roles.get(key)  # RoleOps.role, inlined (every creation comes here)
        if role is None:
            role = Role(spec, work.account_id)
        outcome = self._lifecycle.fire(role.state, "finish_creation", _CREATED[bool(work.fault)])
        if outcome.refused_by == "state" or work.task_id not in (None, role.role_id):
            return  # deleted (or re-created) before it was ready: nothing left to finish
        if outcome.after is RoleState.ACTIVE:
            self._state.roles.set(key, role.with_state(RoleState.ACTIVE))  # RoleOps.put_role
            self._journal.record(  # _log_work's entry, made directly (every creation logs it)
                work.account_id,
                spec.service_principal,
                work.kind,
                NO_PARAMETERS,
                OK,
                None,
                (work.account_id, work.role_name),
                role.state,
                RoleState.ACTIVE,
            )
            return
        self._roles.put_role(  # nothing was created: the failed RoleId joins no history
            attrs.evolve(
                role, state=outcome.after, role_id=None, create_date=None, description=None, tags=()
            )
        )
        self._catalogue.usage_model(spec).creation_failed(
            self._roles.contexts[spec.base], work.account_id
        )
        self._log_work(
            work,
            "ServiceFailure",
            "The service failed to create the role; nothing was created.",
            role.state,
            outcome.after,
        )

    def _start_deletion(self, work: Pending) -> None:
        from slr_fsm.tasks import DeletionStatus

        task = self._roles.task(work.task_id)
        if task is None or task.status is not DeletionStatus.NOT_STARTED:
            return
        self._roles.put_task(task.with_status(DeletionStatus.IN_PROGRESS))  # none had ended
        state = self._roles.state_of(work.account_id, work.role_name)
        self._log_work(work, OK, None, state, state, DeletionTaskId=task.task_id)

    def _finish_deletion(self, work: Pending) -> None:
        from slr_fsm.tasks import DeletionStatus

        task = self._roles.task(work.task_id)
        if task is None or task.status.finished:
            return
        spec = self._spec(work)
        role = self._roles.role(work.account_id, spec)
        usage = self._roles.usage(work.account_id, spec)
        outcome = self._lifecycle.fire(role.state, "finish_deletion", _IN_USE[bool(usage)])
        now, ids = self._state.clock.now(), {"DeletionTaskId": task.task_id}
        nothing_left = outcome.refused_by == "state"  # its creation failed first
        if not nothing_left:
            self._roles.put_role(role.with_state(outcome.after))
        if nothing_left or outcome.after is RoleState.DELETED:  # the task had not ended
            self._roles.put_task(task.with_status(DeletionStatus.SUCCEEDED, now))
            after = role.state if nothing_left else outcome.after
            self._log_work(work, OK, None, role.state, after, spec, **ids, Status="SUCCEEDED")
        else:
            reason = (
                f"{spec.role_name} is still used by {spec.service_principal} resources; "
                "clean them up and request the deletion again."
            )
            reported = self._state.faults.usage_reporting.reported(usage)
            self._roles.put_task(task.with_status(DeletionStatus.FAILED, now, reason, reported))
            self._log_work(
                work, "FAILED", reason, role.state, outcome.after, spec, **ids, Status="FAILED"
            )
        self._schedule_purge(work, task)

    def _schedule_purge(self, work: Pending, task: DeletionTask) -> None:
        if self._latencies.task_retention is not None:
            self._roles.scheduler.schedule(
                self._latencies.task_retention,
                "purge_task",
                work.account_id,
                work.role_name,
                task_id=task.task_id,
            )

    def _purge_task(self, work: Pending) -> None:
        if work.task_id is not None:
            self._state.tasks.pop(work.task_id)
