"""The rules every world keeps, checked on a restored snapshot: a snapshot of an impossible world
is refused with a :class:`~slr_fsm.errors.SnapshotError` naming the field."""

from __future__ import annotations

import functools
from collections.abc import Callable

from slr_fsm._world.catalogue import Catalogue
from slr_fsm._world.directory import Directory
from slr_fsm._world.state import WorldState, role_key
from slr_fsm._world.usage_context import BoundUsageContext
from slr_fsm.errors import SlrFsmError, SnapshotError
from slr_fsm.ids import IdGenerator
from slr_fsm.lifecycle import RoleState
from slr_fsm.shown import shown, shown_text

__all__ = ["check_consistency"]

_HAS_ID = frozenset(
    {RoleState.CREATING, RoleState.ACTIVE, RoleState.DELETING_BLOCKED, RoleState.DELETED}
)
_DELETABLE = frozenset({RoleState.CREATING, RoleState.ACTIVE, RoleState.DELETING_BLOCKED})


def check_consistency(
    state: WorldState,
    catalogue: Catalogue,
    directory: Directory,
    role_field: Callable[[int, str], str] = lambda n, key: f"roles[{n}].{key}",
) -> None:
    """Raise SnapshotError for the first rule the state breaks. ``role_field(n, key)`` names
    a field of the n-th role as the snapshot's format lays it out."""
    _check_roles(state, role_field)
    _check_tasks(state, catalogue)
    _check_pending(state)
    for spec in catalogue.specs:
        model = catalogue.usage_model(spec)
        reader = functools.partial(_state, state, role_name=spec.role_name)
        context = BoundUsageContext(state, directory, spec.service_principal, reader)
        try:
            problems = model.problems(context)
        except SlrFsmError as error:
            raise SnapshotError("usage", shown_text(str(error), 300)) from None
        for problem in problems:
            raise SnapshotError("usage", problem)
        kinds = model.kinds
        for service, kind, _key in state.usage:
            if service == spec.service_principal and kinds is not None and kind not in kinds:
                raise SnapshotError("usage", f"{service} keeps no records of kind {shown(kind)}")
        for role in state.roles.values():
            if (
                role.spec == spec
                and role.state is RoleState.DELETED
                and model.in_use(context, role.account_id)
            ):
                raise SnapshotError(
                    "roles", f"{role.name} in {role.account_id} is deleted but still in use"
                )


def _state(state: WorldState, account_id: str, *, role_name: str) -> RoleState:
    role = state.roles.get(role_key(account_id, role_name))
    return RoleState.ABSENT if role is None else role.state


def _check_roles(state: WorldState, role_field: Callable[[int, str], str]) -> None:
    seen: set[str] = set()
    now = state.clock.now()
    for n, role in enumerate(state.roles.value_list()):
        if role.account_id not in state.accounts:
            raise SnapshotError(role_field(n, "account_id"), "no such account in the snapshot")
        if role.create_date is not None and role.create_date > now:
            raise SnapshotError(
                role_field(n, "create_date"), "a role created after the clock's now"
            )
        if role.state in _HAS_ID and (role.role_id is None or role.create_date is None):
            raise SnapshotError(
                role_field(n, "role_id"), f"a {role.state.value} role has a RoleId and a CreateDate"
            )
        if role.state is RoleState.ABSENT and role.tags:
            raise SnapshotError(
                role_field(n, "tags"), "an absent role has no tags (IAM holds no role)"
            )
        for role_id in (*role.previous_role_ids, *([role.role_id] if role.role_id else [])):
            if role_id in seen:
                raise SnapshotError(role_field(n, "role_id"), f"RoleId {role_id} is not unique")
            seen.add(role_id)
    if state.ids.counter < len(seen) + len(state.tasks):
        raise SnapshotError(
            "ids", "the id counter is behind the ids already issued (it would issue them again)"
        )
    _check_next_ids(state, seen)


_PEEK = 4096
"""How many of the next ids restore checks against those issued (a rewound counter re-issues
them: ids are a function of the seed and the counter)."""


def _check_next_ids(state: WorldState, role_ids: set[str]) -> None:
    task_ids = {task_id.rsplit("/", 1)[-1] for task_id in state.tasks}
    if not role_ids and not task_ids:
        return  # nothing issued that a rewound counter could issue again
    issued = len(role_ids) + len(task_ids) + len(state.organizations) + len(state.subscriptions)
    for ahead in range(min(issued, _PEEK)):
        at = state.ids.counter + ahead
        seed = state.ids.seed
        if IdGenerator(seed, at).role_id() in role_ids or IdGenerator(seed, at).uuid() in task_ids:
            raise SnapshotError(
                "ids",
                f"the id counter ({state.ids.counter}) is behind the ids already issued: it "
                "would issue one of them again",
            )


def _check_tasks(state: WorldState, catalogue: Catalogue) -> None:
    for n, task in enumerate(state.tasks.values()):
        field = f"tasks[{n}]"
        spec = catalogue.by_role_name(task.role_name)
        if spec is None or spec.role_name != task.role_name:
            raise SnapshotError(f"{field}.role_name", "names no role the snapshot simulates")
        if not task.task_id.startswith(spec.deletion_task_prefix()):
            raise SnapshotError(f"{field}.task_id", "is not a deletion task id of its role")
        role = state.roles.get(role_key(task.account_id, task.role_name))
        if role is None:
            raise SnapshotError(field, "a deletion task for a role that never existed")
        if task.status.finished != (task.finished_at is not None):
            raise SnapshotError(
                f"{field}.finished_at", "a finished task has an end time, an unfinished one none"
            )
        if not task.status.finished and role.state not in _DELETABLE:
            raise SnapshotError(
                field, f"an unfinished deletion task for a role that is {role.state.value}"
            )


def _check_pending(state: WorldState) -> None:
    finishing = {
        (*role_key(p.account_id, p.role_name), p.task_id)
        for p in state.pending
        if p.kind == "finish_creation"
    }
    for work in state.pending:
        found = state.roles.get(role_key(work.account_id, work.role_name))
        if (
            work.kind == "finish_creation"
            and found is not None
            and work.task_id == found.role_id
            and found.state in (RoleState.ACTIVE, RoleState.ABSENT)
        ):
            raise SnapshotError(
                "pending",
                f"finishes a creation of {work.role_name} in {work.account_id}, which is "
                f"{found.state.value}: not being created",
            )
    for (account_id, key_name), role in state.roles.items():
        if (
            role.state is RoleState.CREATING
            and not {
                (account_id, key_name, role.role_id),
                (account_id, key_name, None),
            }
            & finishing
        ):
            raise SnapshotError(
                "roles", f"{role.name} in {account_id} is creating, but no work will finish it"
            )
    seen: set[tuple[str, str | None]] = set()
    for work in state.pending:
        key2 = (work.kind, work.task_id)
        if work.kind != "finish_creation" and key2 in seen:
            raise SnapshotError("pending", f"{work.kind} is pending twice for task {work.task_id}")
        seen.add(key2)
    finishing_tasks = {p.task_id for p in state.pending if p.kind == "finish_deletion"}
    for key, task_id in state.open_tasks.items():
        if task_id not in finishing_tasks:
            raise SnapshotError(
                "tasks", f"deletion task {task_id} is unfinished and nothing will finish it"
            )
        del key
