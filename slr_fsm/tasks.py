"""Deletion tasks: DeleteServiceLinkedRole only submits one; the clock runs it to an end.

>>> DeletionStatus.FAILED.finished
True
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["DeletionStatus", "DeletionTask", "RoleUsage", "new_task"]


class DeletionStatus(enum.Enum):
    """A deletion task's status, in AWS's own words."""

    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"

    @property
    def finished(self) -> bool:
        """Whether the task has ended (SUCCEEDED or FAILED)."""
        return self is DeletionStatus.SUCCEEDED or self is DeletionStatus.FAILED


@attrs.frozen
class RoleUsage:
    """Resources in one Region that still use the role, as a failed task reports them."""

    region: str
    resources: tuple[str, ...]

    def to_aws(self) -> dict[str, Any]:
        """As GetServiceLinkedRoleDeletionStatus returns it (a ``RoleUsageList`` entry)."""
        return {"Region": self.region, "Resources": list(self.resources)}


@attrs.frozen
class DeletionTask:
    """One deletion request for one role, and how it ended."""

    task_id: str
    account_id: str
    role_name: str
    status: DeletionStatus
    submitted_at: dt.datetime
    finished_at: dt.datetime | None = None
    reason: str | None = None
    role_usage: tuple[RoleUsage, ...] = ()

    def with_status(
        self,
        status: DeletionStatus,
        finished_at: dt.datetime | None = None,
        reason: str | None = None,
        role_usage: tuple[RoleUsage, ...] = (),
    ) -> DeletionTask:
        """The task moved on to ``status``, with how it ended (the id, account, role and
        submission time kept): ``attrs.evolve``'s answer for a task that had not ended, made
        without it (the clock moves every task twice).

        >>> import datetime as dt
        >>> t = DeletionTask("t", "111122223333", "r", DeletionStatus.NOT_STARTED, dt.datetime.min)
        >>> t.with_status(DeletionStatus.IN_PROGRESS).status.value
        'IN_PROGRESS'
        """
        if type(self) is not DeletionTask:  # a subclass may add fields: attrs copies them all
            return attrs.evolve(
                self, status=status, finished_at=finished_at, reason=reason, role_usage=role_usage
            )
        return new_task(
            self.task_id,
            self.account_id,
            self.role_name,
            status,
            self.submitted_at,
            finished_at,
            reason,
            role_usage,
        )

    def to_aws(self) -> dict[str, Any]:
        """As GetServiceLinkedRoleDeletionStatus returns it."""
        response: dict[str, Any] = {"Status": self.status.value}
        if self.status is DeletionStatus.FAILED:
            response["Reason"] = {
                "Reason": self.reason or "",
                "RoleUsageList": [usage.to_aws() for usage in self.role_usage],
            }
        return response

    def to_json_value(self) -> dict[str, Any]:
        """The task as plain JSON data (for snapshots)."""
        return {
            "task_id": self.task_id,
            "account_id": self.account_id,
            "role_name": self.role_name,
            "status": self.status.value,
            "submitted_at": self.submitted_at.isoformat(),
            "finished_at": None if self.finished_at is None else self.finished_at.isoformat(),
            "reason": self.reason,
            "role_usage": [[u.region, list(u.resources)] for u in self.role_usage],
        }


def _slot_builder() -> Callable[..., DeletionTask]:
    """``DeletionTask(...)`` set slot by slot (attrs' frozen ``__init__`` looks each field's
    setter up by name; a zero-latency deletion makes three tasks). ``tests/test_new_role.py``
    proves it equal to ``DeletionTask(...)`` with every field given or left out."""
    names = [field.name for field in attrs.fields(DeletionTask)]
    assert names == [  # a new field must be set below too
        "task_id",
        "account_id",
        "role_name",
        "status",
        "submitted_at",
        "finished_at",
        "reason",
        "role_usage",
    ]
    task_id, account_id, role_name, status, submitted, finished, reason, usage = (
        DeletionTask.__dict__[name].__set__ for name in names
    )
    new = object.__new__

    def new_task(
        new_task_id: str,
        task_account_id: str,
        task_role_name: str,
        task_status: DeletionStatus,
        submitted_at: dt.datetime,
        finished_at: dt.datetime | None = None,
        task_reason: str | None = None,
        role_usage: tuple[RoleUsage, ...] = (),
    ) -> DeletionTask:
        made: DeletionTask = new(DeletionTask)
        task_id(made, new_task_id)
        account_id(made, task_account_id)
        role_name(made, task_role_name)
        status(made, task_status)
        submitted(made, submitted_at)
        finished(made, finished_at)
        reason(made, task_reason)
        usage(made, role_usage)
        return made

    return new_task


new_task = _slot_builder()
"""Make a :class:`DeletionTask`, faster than ``DeletionTask(...)`` (same arguments, equal
result)."""
