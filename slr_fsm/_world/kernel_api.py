"""The kernel API the faces call: one logged, atomic attempt, and the judge-and-apply role
operations that run inside it.

:class:`KernelApi` is part of :class:`slr_fsm.world.World`. A face turns AWS parameters into
these calls and their outcomes into AWS answers; it never changes the world any other way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from slr_fsm._world.directory import Caller, Directory
from slr_fsm._world.journal import Journal, locked, refusal_of
from slr_fsm._world.role_keys import key_of
from slr_fsm._world.role_ops import RoleOps
from slr_fsm._world.state import WorldState
from slr_fsm.accounts import Account
from slr_fsm.errors import UsageError
from slr_fsm.events import OK
from slr_fsm.lifecycle import RoleState
from slr_fsm.policy_decision import Decision
from slr_fsm.roles import Role, Tag
from slr_fsm.specs import RoleSpec

if TYPE_CHECKING:  # tasks and subscriptions load when first used
    from slr_fsm.tasks import DeletionTask

__all__ = ["KernelApi"]

R = TypeVar("R")


class KernelApi:
    """Attempts and role operations, for the faces (and for usage models of your own)."""

    _journal: Journal
    _directory: Directory
    _roles: RoleOps
    _state: WorldState
    _run_due_now: Callable[[], None]
    """``_roles.scheduler.run_due_now``, bound once (every accepted attempt runs it)."""

    def attempt(
        self,
        account: Account,
        caller: Caller,
        operation: str,
        parameters: Mapping[str, Any],
        role: tuple[str, str | None],
        body: Callable[[], R],
    ) -> R:
        """Run one caller's attempt atomically and log it, accepted or refused (refusals are
        re-raised). ``role`` is the ``(account id, role name)`` the attempt concerns: the log
        records its state before and after. Once an accepted attempt is logged, the work it
        made due at once runs (zero latencies)."""
        journal = self._journal
        with journal.lock:
            logged = journal.kept(parameters)
            key = None
            before = RoleState.ABSENT
            journal.attempts += 1
            try:  # the role's key too: a caller's str subclass may raise, and is logged
                key = None if role[1] is None else key_of(role[0], role[1])
                held = None if key is None else self._state.roles.get(key)  # the role's state:
                before = RoleState.ABSENT if held is None else held.state  # RoleOps.state_of's
                result = body()
            except Exception as error:  # logged as refused, whatever refused it, then re-raised
                code, message = refusal_of(error)
                journal.record(
                    account.account_id,
                    caller.name,
                    operation,
                    logged,
                    code,
                    message,
                    role,
                    before,
                    before,
                )
                raise
            finally:
                journal.attempts -= 1
            held = None if key is None else self._state.roles.get(key)
            journal.events.add(  # journal.record, inlined: every accepted attempt logs
                journal.clock.now(),
                account.account_id,
                caller.name,
                operation,
                logged,
                OK,
                None,
                role[0],
                before,
                RoleState.ABSENT if held is None else held.state,
                role[1],
            )
            state = self._state  # is work due now? (run_due_now's check, inlined)
            if state.pending and state.pending[0].due <= state.clock.elapsed:
                self._run_due_now()
            return result

    def atomic(self) -> AbstractContextManager[bool]:
        """The world's own (re-entrant) lock: hold it to make several calls one atomic step.

        >>> from slr_fsm import Simulation
        >>> sim = Simulation.default()
        >>> with sim.atomic():
        ...     sim.advance(5) == () and sim.now.second == 5
        True
        """
        return self._journal.lock

    def decide(
        self, caller: Caller, action: str, resource: str, context: Mapping[str, str] | None = None
    ) -> Decision:
        """How the caller's identity policies decide ``action`` on ``resource``."""
        return self._directory.decide(caller, action, resource, context)

    allowed = decide

    def authorize(
        self, caller: Caller, action: str, resource: str, context: Mapping[str, str] | None = None
    ) -> None:
        """Raise AccessDenied, in AWS's words, unless the caller's policies allow the action."""
        self._directory.authorize(caller, action, resource, context)

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
        """Judge and apply a request for the role (``create``); raise the refusal, if any.
        Part of an attempt: call it inside :meth:`attempt`, so it is atomic and logged."""
        journal = self._journal  # in an attempt? (Journal.in_attempt, inlined: every change asks)
        if not (journal.attempts > 0 and journal.lock._is_owned()):  # type: ignore[attr-defined]
            self._require_attempt("request_creation")
        return self._roles.request_creation(
            account_id,
            caller,
            spec,
            action=action,
            description=description,
            via_console=via_console,
        )

    def request_deletion(
        self, account_id: str, caller: Caller, role_name: str, action: str
    ) -> DeletionTask:
        """Judge and apply a deletion request: a new task, or the role's unfinished one (inside
        :meth:`attempt`)."""
        journal = self._journal  # in an attempt? (Journal.in_attempt, inlined: every change asks)
        if not (journal.attempts > 0 and journal.lock._is_owned()):  # type: ignore[attr-defined]
            self._require_attempt("request_deletion")
        return self._roles.request_deletion(account_id, caller, role_name, action)

    def update_description(
        self,
        account_id: str,
        caller: Caller,
        role_name: str,
        description: str | None,
        action: str,
    ) -> Role:
        """Judge and apply a description edit (``None`` leaves it, ``""`` clears it; inside
        :meth:`attempt`)."""
        journal = self._journal  # in an attempt? (Journal.in_attempt, inlined: every change asks)
        if not (journal.attempts > 0 and journal.lock._is_owned()):  # type: ignore[attr-defined]
            self._require_attempt("update_description")
        return self._roles.update_description(account_id, caller, role_name, description, action)

    def change_tags(
        self,
        account_id: str,
        caller: Caller,
        role_name: str,
        action: str,
        *,
        add: Iterable[Tag] = (),
        remove: Iterable[str] = (),
    ) -> Role:
        """Judge and apply a tag edit: ``add`` tags (a key matching one the role has, in any
        case, replaces it), then ``remove`` keys (any case); more than 50 tags is LimitExceeded
        (inside :meth:`attempt`)."""
        journal = self._journal  # in an attempt? (Journal.in_attempt, inlined: every change asks)
        if not (journal.attempts > 0 and journal.lock._is_owned()):  # type: ignore[attr-defined]
            self._require_attempt("change_tags")
        return self._roles.change_tags(account_id, caller, role_name, action, add, remove)

    def _require_attempt(self, what: str) -> None:
        if not self._journal.in_attempt:
            raise UsageError(
                f"World.{what}() changes the world, so it runs inside World.attempt(...), which "
                "makes it atomic and logs it; the faces (sim.iam(...), ...) do that for you."
            )

    @locked
    def existing_role(self, account_id: str, role_name: str) -> Role:
        """The service-linked role of that name if IAM holds it now; NoSuchEntity otherwise."""
        return self._roles.existing_role(account_id, role_name)

    @locked
    def role_arn(self, account_id: str, role_name: str) -> str:
        """The ARN a role name has in an account (a service-role path for a known role)."""
        return self._roles.role_arn(account_id, role_name)
