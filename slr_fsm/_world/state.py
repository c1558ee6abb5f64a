"""Every piece of a world's mutable state, declared once; copying, comparing and fingerprints
derive from the declaration.

Containers are :class:`~slr_fsm._world.containers.PersistentMap` values holding frozen entities,
so a fork costs the same whatever the world's size, a write after it copies a path of a trie
(never a whole container), and a comparison skips what neither side wrote.
Each field may declare how it counts in the explorer's fingerprint (``fingerprint`` metadata);
fields without one (ids, times, the population) are left out of it.
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from slr_fsm._world.containers import PersistentMap
from slr_fsm.accounts import Account, Organization, Principal
from slr_fsm.clock import VirtualClock
from slr_fsm.faults import Faults
from slr_fsm.ids import IdGenerator
from slr_fsm.roles import Role

if TYPE_CHECKING:  # tasks and subscriptions load when first used
    from slr_fsm.subscriptions import Subscription
    from slr_fsm.tasks import DeletionTask

__all__ = ["WORK_KINDS", "Pending", "WorldState", "role_key"]

WORK_KINDS = ("finish_creation", "start_deletion", "finish_deletion", "purge_task")
"""The kinds of background work the clock runs."""


def role_key(account_id: str, role_name: str) -> tuple[str, str]:
    """Where a role and its unfinished deletion task are kept: IAM role names are unique in an
    account regardless of case, so ``AWSServiceRoleForAutoScaling_Suf`` is ``..._suf``. The
    lower-case name is interned: a million roles of one spec share one string, not a million."""
    return (account_id, sys.intern(str.lower(role_name)))  # str's own lower(), never a subclass's


class Pending(NamedTuple):
    """Background work due at ``due`` seconds; ``seq`` keeps same-time work in request order.

    ``task_id`` is the deletion task the work runs, or, for ``finish_creation``, the RoleId of
    the creation it finishes. A named tuple, not an attrs class: the scheduler's heap compares
    these constantly."""

    due: float
    seq: int
    kind: str
    account_id: str
    role_name: str
    task_id: str | None = None
    fault: bool = False


def _roles_fp(state: WorldState) -> Any:
    return tuple(sorted((key, role.state.value) for key, role in state.roles.items()))


def _usage_fp(state: WorldState) -> Any:
    return tuple(sorted(state.usage.items()))


def _open_tasks_fp(state: WorldState) -> Any:
    return tuple(
        sorted(
            (key, state.tasks[task_id].status.value) for key, task_id in state.open_tasks.items()
        )
    )


def _pending_fp(state: WorldState) -> Any:
    """Pending work as ``(group, kind, account, role, doomed)`` in run order; work due at the
    same moment shares a group (it runs in one step of the clock)."""
    order: list[tuple[int, str, str, str, bool]] = []
    group, last_due = -1, None
    for work in sorted(state.pending):
        if work.due != last_due:
            group, last_due = group + 1, work.due
        order.append((group, work.kind, work.account_id, work.role_name, work.fault))
    return tuple(order)


def _faults_fp(state: WorldState) -> Any:
    return (state.faults.creation_failures, state.faults.usage_reporting.value)


def _deletable() -> PersistentMap[Any, Any]:
    """A container that work removes entries from (tasks purged, usage records cleared)."""
    return PersistentMap(deletable=True)


def _fp(function: Callable[[WorldState], Any]) -> dict[str, Any]:
    return {"fingerprint": function}


@attrs.define(eq=False)
class WorldState:
    """All of a world's mutable state (the event log apart, which is the journal's)."""

    accounts: PersistentMap[str, Account] = attrs.field(factory=PersistentMap)
    organizations: PersistentMap[str, Organization] = attrs.field(factory=PersistentMap)
    principals: PersistentMap[tuple[str, str], Principal] = attrs.field(factory=PersistentMap)
    """IAM users added to an account; every account's ``admin`` and ``readonly`` are implied
    (:class:`~slr_fsm._world.directory.Directory` makes them), unless one is stored here."""
    subscriptions: PersistentMap[str, Subscription] = attrs.field(factory=PersistentMap)
    subscriptions_by_account: PersistentMap[str, tuple[str, ...]] = attrs.field(
        factory=PersistentMap
    )
    roles: PersistentMap[tuple[str, str], Role] = attrs.field(
        factory=PersistentMap, metadata=_fp(_roles_fp)
    )
    tasks: PersistentMap[str, DeletionTask] = attrs.field(factory=_deletable)
    open_tasks: PersistentMap[tuple[str, str], str] = attrs.field(
        factory=_deletable, metadata=_fp(_open_tasks_fp)
    )
    usage: PersistentMap[tuple[str, str, str], Any] = attrs.field(
        factory=_deletable, metadata=_fp(_usage_fp)
    )
    """Records of the usage models: ``(service principal, kind, key) -> JSON-able value``."""
    pending: list[Pending] = attrs.field(factory=list, metadata=_fp(_pending_fp))
    pending_seq: int = 0
    clock: VirtualClock = attrs.field(factory=VirtualClock)
    ids: IdGenerator = attrs.field(factory=IdGenerator)
    faults: Faults = attrs.field(factory=Faults, metadata=_fp(_faults_fp))

    def fork(self) -> WorldState:
        """An independent copy, in time independent of the world's size."""
        twin = object.__new__(WorldState)
        for name, copy_of in _COPIERS:
            object.__setattr__(twin, name, copy_of(getattr(self, name)))
        return twin

    def same_as(self, other: WorldState) -> bool:
        """Whether both states are equal, field by field (shared containers compare in O(1))."""
        if _plain_fields(self) != _plain_fields(other):
            return False
        if self.pending != other.pending and sorted(self.pending) != sorted(other.pending):
            return False  # a heap: the same work may be laid out differently in the list
        return all(
            mine.same(theirs)
            for mine, theirs in zip(_map_fields(self), _map_fields(other), strict=True)
        )

    def fingerprint(self) -> tuple[Any, ...]:
        """What decides how the world behaves from now on, ids and times aside (see each
        field's ``fingerprint``): equal for worlds that differ only in ids, timestamps,
        descriptions, finished tasks, or how long until pending work is due."""
        return tuple(
            field.metadata["fingerprint"](self)
            for field in attrs.fields(WorldState)
            if "fingerprint" in field.metadata
        )


_MAP_FIELDS = tuple(
    f.name for f in attrs.fields(WorldState) if str(f.type).startswith("PersistentMap")
)
_PLAIN_FIELDS = tuple(
    f.name for f in attrs.fields(WorldState) if f.name not in (*_MAP_FIELDS, "pending")
)
_map_fields = operator.attrgetter(*_MAP_FIELDS)
"""The container fields of a state, as a tuple (derived from the declaration above)."""
_plain_fields = operator.attrgetter(*_PLAIN_FIELDS)
"""Every other field but ``pending`` (a heap), as a tuple (compared with ``==``)."""


def _copier(field: attrs.Attribute[Any]) -> Callable[[Any], Any]:
    """How a fork copies one field, from its declared type: containers share until written,
    mutable values are copied, frozen ones are shared."""
    declared = str(field.type)
    if declared.startswith("PersistentMap"):
        return PersistentMap.fork
    if declared.startswith("list"):
        return list
    if declared in ("VirtualClock", "IdGenerator"):
        return operator.methodcaller("copy")
    return lambda value: value


_COPIERS = tuple((f.name, _copier(f)) for f in attrs.fields(WorldState))
"""Each field's name and how a fork copies it (derived from the declaration above)."""
