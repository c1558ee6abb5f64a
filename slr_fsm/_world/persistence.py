"""Snapshot and restore: a world's whole state as plain JSON data, and back, checked.

Restoring checks the snapshot's shape (a clear :class:`~slr_fsm.errors.SnapshotError` naming the
field, never a bare ``KeyError``) and then its consistency: a snapshot describing a world that
cannot happen is refused the same way.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import attrs

from slr_fsm._world.catalogue import Catalogue
from slr_fsm._world.directory import (
    Directory,
    default_policies,
    parse_identity_policies,
    principal_key,
)
from slr_fsm._world.scheduler import MAX_ELAPSED
from slr_fsm._world.snapshot_reader import (
    Reader,
    as_float,
    at_field,
    optional,
    read_account,
    read_account_columns,
    read_optional_time,
    read_role_usage,
    read_time,
)
from slr_fsm._world.snapshot_roles import (
    RoleFields,
    read_role_columns,
    read_role_objects,
    role_columns,
)
from slr_fsm._world.state import WORK_KINDS, Pending, WorldState, role_key
from slr_fsm.accounts import Account, Principal
from slr_fsm.clock import Latencies, VirtualClock
from slr_fsm.errors import SnapshotError, UsageError
from slr_fsm.faults import Faults, UsageReporting
from slr_fsm.ids import IdGenerator
from slr_fsm.roles import Role
from slr_fsm.shown import shown
from slr_fsm.specs import RoleSpec
from slr_fsm.tasks import DeletionStatus, DeletionTask
from slr_fsm.usage import PurchaseOrderUsage, UsageModel

__all__ = ["SNAPSHOT_FORMAT", "Restored", "restore_parts", "snapshot_of"]

SNAPSHOT_FORMAT = 3
"""The format :func:`snapshot_of` writes. 3: roles and accounts as columns (parallel lists, see
:mod:`~slr_fsm._world.snapshot_roles`); 2: one object a role and an ``[id, name]`` pair an
account; 1: format 2 before usage models. Restore reads all three."""
_KEYS = frozenset(
    {
        "format",
        "seed",
        "specs",
        "usage_models",
        "clock",
        "ids",
        "latencies",
        "faults",
        "organizations",
        "standalone_accounts",
        "account_order",
        "principals",
        "subscriptions",
        "usage",
        "roles",
        "tasks",
        "pending",
        "pending_seq",
        "integrations",
    }
)
"""Every top-level key a snapshot may have (``integrations``: format 1 only)."""
T = TypeVar("T")


def snapshot_of(
    state: WorldState, seed: int, catalogue: Catalogue, latencies: Latencies
) -> dict[str, Any]:
    """The whole state as plain JSON data (the event log apart)."""
    account_ids = state.accounts.key_list()
    return {
        "format": SNAPSHOT_FORMAT,
        "seed": seed,
        "specs": [attrs.asdict(s) for s in catalogue.specs],
        "usage_models": catalogue.model_names(),
        "clock": {"start": state.clock.start.isoformat(), "elapsed": state.clock.elapsed},
        "ids": state.ids.counter,
        "latencies": attrs.asdict(latencies),
        "faults": {
            "creation_failures": state.faults.creation_failures,
            "usage_reporting": state.faults.usage_reporting.value,
        },
        "organizations": [
            {"id": o.organization_id, "accounts": _account_columns(o.accounts)}
            for o in state.organizations.values()
        ],
        "standalone_accounts": _standalone_accounts(state, account_ids),
        "account_order": account_ids,
        "principals": [
            p.to_json_value()
            for p in state.principals.values()
            if p.policies != default_policies(p.name)
        ],
        "subscriptions": [
            [s.subscription_id, s.account_id, s.region, s.product]
            for s in state.subscriptions.values()
        ],
        "usage": [
            [service, kind, key, list(value) if isinstance(value, tuple) else value]
            for (service, kind, key), value in state.usage.items()
        ],
        "roles": role_columns(state.roles.value_list()),
        "tasks": [t.to_json_value() for t in state.tasks.values()],
        "pending": [list(p) for p in sorted(state.pending)],
        "pending_seq": state.pending_seq,
    }


def _standalone_accounts(state: WorldState, account_ids: list[str]) -> dict[str, list[str]]:
    """The accounts in no organization, as format 3 keeps them, in the world's order: one pass
    over the accounts in no order finds the members and the names, and the ids' list gives the
    order (a million accounts read in order are a million lookups: 1.7x slower at 200,000)."""
    members: set[str] = set()
    named: dict[str, str] = {}
    for account in state.accounts.unordered_values():
        if account.organization_id is not None:
            members.add(account.account_id)
        elif account.name:
            named[account.account_id] = account.name
    ids = [a for a in account_ids if a not in members] if members else list(account_ids)
    names = [named.get(a, "") for a in ids] if named else [""] * len(ids)
    return {"account_id": ids, "name": names}


def _account_columns(accounts: Iterable[Account]) -> dict[str, list[str]]:
    """Accounts as format 3 keeps them: two parallel lists, not a list a account."""
    accounts = list(accounts)
    return {"account_id": [a.account_id for a in accounts], "name": [a.name for a in accounts]}


@attrs.frozen
class Restored:
    """What a snapshot restores: the world's settings and its state."""

    seed: int
    catalogue: Catalogue
    latencies: Latencies
    state: WorldState


def _models_for(specs: list[RoleSpec], given: Iterable[UsageModel]) -> list[UsageModel]:
    """The given usage models that serve the snapshot's specs (others are not for this world)."""
    if isinstance(given, UsageModel):
        given = (given,)
    if isinstance(given, str | bytes | Mapping) or not isinstance(given, Iterable):
        raise UsageError(f"usage_models is a list of UsageModel values, got {shown(given)}")
    return [m for m in given if isinstance(m, UsageModel) and m.spec in specs]


def restore_parts(snap: Any, usage_models: Iterable[UsageModel]) -> Restored:
    """Decode a snapshot (formats 1 to 3) into settings and a state; check it is consistent."""
    if not isinstance(snap, Mapping):
        raise SnapshotError("(top)", f"a snapshot is a dict from sim.snapshot(), got {shown(snap)}")
    read = Reader(snap)
    version = snap.get("format")
    unknown = sorted(
        str.__str__(k)[:80] if isinstance(k, str) else shown(k) for k in snap if k not in _KEYS
    )
    if unknown:
        raise SnapshotError(unknown[0], "not a field of a slr_fsm snapshot")
    if type(version) is not int or version not in (1, 2, SNAPSHOT_FORMAT):  # not True, not 3.0
        raise SnapshotError("format", f"unknown snapshot format {shown(version)}")
    specs = []
    for f, item in read.items("specs"):
        with at_field(f):
            specs.append(RoleSpec(**read.get({"s": item}, "s", dict, f)))
    models = _models_for(specs, usage_models)
    with at_field("specs"):
        catalogue = Catalogue(specs, models)
    if version != 1:  # format 1 recorded no usage models: it knew purchase orders only
        recorded = read.get(snap, "usage_models", dict, "")
        for service, name in catalogue.model_names().items():
            if recorded.get(service, name) != name:
                raise SnapshotError(
                    f"usage_models.{service}",
                    f"the snapshot was taken with usage model {shown(recorded[service])}, and "
                    f"restore() has {name}: pass usage_models=[...] with that model",
                )
    with at_field("latencies"):
        latencies = Latencies(**read.get(snap, "latencies", dict, ""))
    faults_json = read.get(snap, "faults", dict, "")
    with at_field("faults"):
        faults = Faults(
            read.get(faults_json, "creation_failures", int, "faults"),
            UsageReporting(read.get(faults_json, "usage_reporting", str, "faults")),
        )
    clock_json = read.get(snap, "clock", dict, "")
    clock = VirtualClock(
        read_time(read.get(clock_json, "start", str, "clock"), "clock.start"),
        read.get(clock_json, "elapsed", float, "clock"),
    )
    if not math.isfinite(clock.elapsed) or clock.elapsed < 0:
        why = "before its start" if clock.elapsed < 0 else "not a finite time"
        raise SnapshotError(
            "clock.elapsed",
            f"the clock is {why}: seconds since the start are a finite number >= 0, got "
            f"{shown(clock.elapsed)}",
        )
    if clock.elapsed > MAX_ELAPSED:
        raise SnapshotError(
            "clock.elapsed", f"past {MAX_ELAPSED:.0f} seconds, the furthest a simulation runs"
        )
    try:
        clock.now()
    except OverflowError:
        raise SnapshotError("clock.elapsed", "the clock reads a time past the year 9999") from None
    seed = read.get(snap, "seed", int, "")
    counter = read.get(snap, "ids", int, "")
    if counter < 0:
        raise SnapshotError("ids", f"an id counter starts at 0 and only grows, found {counter}")
    state = WorldState(clock=clock, ids=IdGenerator(seed, counter), faults=faults)
    directory = Directory(state)
    _restore_population(read, directory, state, columns=version == SNAPSHOT_FORMAT)
    _restore_usage(read, state, catalogue, version)
    role_fields = _restore_roles(read, state, catalogue, columns=version == SNAPSHOT_FORMAT)
    _restore_tasks(read, state)
    _restore_pending(read, state, catalogue)
    from slr_fsm._world.consistency import check_consistency  # the checks, in their own room

    check_consistency(state, catalogue, directory, role_fields)
    return Restored(seed, catalogue, latencies, state)


def _restore_population(
    read: Reader, directory: Directory, state: WorldState, *, columns: bool
) -> None:
    for field, org in read.items("organizations"):
        org_id = read.get(org, "id", str, field)
        if columns:
            accounts = read_account_columns(
                read.get(org, "accounts", dict, field), f"{field}.accounts"
            )
        else:
            accounts = [
                read_account(pair, f"{field}.accounts[{n}]")
                for n, pair in enumerate(read.get(org, "accounts", list, field))
            ]
        if not accounts:
            raise SnapshotError(f"{field}.accounts", "an organization needs a management account")
        with at_field(field):
            directory.add_organization(accounts, org_id)
    if columns:
        standalone = read.get(read.snap, "standalone_accounts", dict, "")
        for n, account in enumerate(read_account_columns(standalone, "standalone_accounts")):
            with at_field(f"standalone_accounts.account_id[{n}]"):
                directory.add_account(account)
    else:
        for field, pair in read.items("standalone_accounts"):
            account = read_account(pair, field)
            with at_field(field):
                directory.add_account(account)
    order = read.get(read.snap, "account_order", list, "")
    if not all(isinstance(a, str) for a in order) or sorted(order) != sorted(state.accounts):
        raise SnapshotError("account_order", "must list every account id exactly once")
    state.accounts.replace_all({a: state.accounts[a] for a in order})
    listed: set[tuple[str, str]] = set()
    for field, p in read.items("principals"):
        account_id = read.get(p, "account_id", str, field)
        name = read.get(p, "name", str, field)
        policies = read.get(p, "policies", list, field)
        if account_id not in state.accounts:
            raise SnapshotError(f"{field}.account_id", "no such account in the snapshot")
        if principal_key(account_id, name) in listed:
            raise SnapshotError(field, f"user {shown(name)} of {account_id} is listed twice")
        listed.add(principal_key(account_id, name))
        with at_field(field):
            directory.replace_principal(
                Principal(name, account_id, parse_identity_policies(name, policies))
            )
    for field, sub in read.items("subscriptions"):
        if not isinstance(sub, list) or len(sub) < 4:
            raise SnapshotError(field, f"expected [id, account, region, product], got {shown(sub)}")
        with at_field(field):
            directory.add_subscription(sub[1], sub[2], sub[3], sub[0])


def _restore_usage(read: Reader, state: WorldState, catalogue: Catalogue, version: Any) -> None:
    if version == 1:  # format 1 kept integrations and purchase orders apart
        service = PurchaseOrderUsage().spec.service_principal
        for n, owner in enumerate(read.get(read.snap, "integrations", list, "")):
            if not isinstance(owner, str):
                raise SnapshotError(f"integrations[{n}]", f"not an account id: {shown(owner)}")
            state.usage.set((service, PurchaseOrderUsage.INTEGRATION, owner), True)
        for field, sub in read.items("subscriptions"):
            if len(sub) > 4 and sub[4]:
                key = (service, PurchaseOrderUsage.PURCHASE_ORDERS, str(sub[0]))
                with at_field(field):
                    state.usage.set(key, tuple(sub[4]))
        return
    models = {spec.service_principal: catalogue.usage_model(spec) for spec in catalogue.specs}
    for field, record in read.items("usage"):
        if not isinstance(record, list) or len(record) != 4:
            raise SnapshotError(field, f"expected [service, kind, key, value], got {shown(record)}")
        service, kind, key, value = record
        if not isinstance(service, str) or service not in models:
            raise SnapshotError(
                field, f"names a service the snapshot has no spec for: {shown(service)}"
            )
        if not isinstance(kind, str) or not isinstance(key, str):
            raise SnapshotError(field, "a record's kind and key are strings")
        with at_field(field):
            state.usage.set((service, kind, key), models[service].decode(kind, value))


def _restore_roles(
    read: Reader, state: WorldState, catalogue: Catalogue, *, columns: bool
) -> RoleFields:
    """The roles, from columns (format 3) or one object a role; how their fields are named."""
    roles: Iterable[Role]
    if columns:
        roles, where = read_role_columns(read.get(read.snap, "roles", dict, ""), catalogue)
    else:
        roles, where = read_role_objects(read, catalogue), RoleFields()
    for n, role in enumerate(roles):
        key = role_key(role.account_id, role.spec.role_name)
        if key in state.roles:
            raise SnapshotError(where(n), "a second entry for the same role")
        state.roles.set(key, role)
    return where


def _restore_tasks(read: Reader, state: WorldState) -> None:
    for field, t in read.items("tasks"):
        with at_field(field):
            task = DeletionTask(
                read.get(t, "task_id", str, field),
                read.get(t, "account_id", str, field),
                read.get(t, "role_name", str, field),
                DeletionStatus(read.get(t, "status", str, field)),
                read_time(t.get("submitted_at"), f"{field}.submitted_at"),
                read_optional_time(t.get("finished_at"), f"{field}.finished_at"),
                optional(t.get("reason"), str, f"{field}.reason"),
                read_role_usage(read.get(t, "role_usage", list, field), f"{field}.role_usage"),
            )
        if task.task_id in state.tasks:
            raise SnapshotError(f"{field}.task_id", "two tasks with one id")
        key = role_key(task.account_id, task.role_name)
        if not task.status.finished and key in state.open_tasks:
            raise SnapshotError(field, "two unfinished deletion tasks for one role")
        state.tasks.set(task.task_id, task)
        if not task.status.finished:
            state.open_tasks.set(key, task.task_id)


_PENDING_TYPES: tuple[Any, ...] = (float, int, str, str, str, (str, type(None)), bool)


def _restore_pending(read: Reader, state: WorldState, catalogue: Catalogue) -> None:
    for field, p in read.items("pending"):
        if not isinstance(p, list) or len(p) != len(_PENDING_TYPES):
            raise SnapshotError(field, f"expected {len(_PENDING_TYPES)} fields, got {shown(p)}")
        due = p[0]
        if isinstance(due, int) and not isinstance(due, bool):
            due = as_float(due, f"{field}[0]")
        values = [due, *p[1:]]
        for n, (value, kind) in enumerate(zip(values, _PENDING_TYPES, strict=True)):
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise SnapshotError(f"{field}[{n}]", f"unexpected {shown(value)}")
        work = Pending(*values)
        if not math.isfinite(work.due):
            raise SnapshotError(f"{field}.due", f"not a finite time: {shown(work.due)}")
        if work.due < state.clock.elapsed:
            raise SnapshotError(f"{field}.due", "work due in the past would have run already")
        if work.kind not in WORK_KINDS:
            raise SnapshotError(f"{field}.kind", f"unknown kind of work {shown(work.kind)}")
        if work.account_id not in state.accounts or catalogue.by_role_name(work.role_name) is None:
            raise SnapshotError(field, "names an account or role not in the snapshot")
        if work.kind != "finish_creation" and work.task_id not in state.tasks:
            raise SnapshotError(f"{field}.task_id", "names no task of the snapshot")
        state.pending.append(work)
    heapq.heapify(state.pending)
    state.pending_seq = read.get(read.snap, "pending_seq", int, "")
    if state.pending and state.pending_seq < max(p.seq for p in state.pending):
        raise SnapshotError("pending_seq", "is behind the pending work's numbers")
