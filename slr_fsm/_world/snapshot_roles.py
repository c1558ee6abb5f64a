"""A snapshot's roles: written as columns (format 3), read from columns or from the one object a
role of formats 1 and 2, and checked alike whichever the format.

Format 3 keeps the roles as one object of parallel lists, one entry a role::

    {"service": [...], "role_name": [...], "account_id": [...], "state": [...],
     "role_id": [...], "create_date": [...], "description": [...],
     "previous_role_ids": [[n, [...]], ...], "tags": [[n, [[key, value], ...]], ...]}

The first seven are dense (a string, or ``null`` where the role has none; ``role_name`` is
``null`` for the service's plain role and names a role created with a ``CustomSuffix``); the
last two are sparse: ``[n, value]`` for each role ``n`` (in increasing order) whose list is not
empty. Why columns: a million roles are then a dozen lists of strings, which CPython's garbage
collector does not track, instead of a dict and two lists a role (three million new tracked
objects, which set off full collections of the whole world while the snapshot is built).

A problem names where it is: ``roles.role_id[4]`` (format 3) or ``roles[4].role_id`` (formats 1
and 2); a problem of the whole role is ``roles[4]`` in every format.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from slr_fsm._world.catalogue import Catalogue
from slr_fsm._world.snapshot_reader import (
    Reader,
    at_field,
    optional,
    read_optional_time,
    read_tags,
)
from slr_fsm.errors import SnapshotError
from slr_fsm.iam_operations import IAM_OPERATIONS
from slr_fsm.lifecycle import RoleState
from slr_fsm.roles import Role
from slr_fsm.shown import shown

__all__ = [
    "DENSE",
    "SPARSE",
    "RoleFields",
    "iso_times",
    "read_role_columns",
    "read_role_objects",
    "role_columns",
]

DENSE = ("service", "role_name", "account_id", "state", "role_id", "create_date", "description")
"""Format 3's columns with one entry a role."""
SPARSE = ("previous_role_ids", "tags")
"""Format 3's columns listing ``[n, value]`` for the roles whose list is not empty."""
_NULLABLE = frozenset({"role_name", "role_id", "create_date", "description"})
_ROLE_ID = re.compile(r"AROA[A-Z2-7]{17}")
"""The RoleIds a simulation issues (``AROA`` and 17 base-32 characters)."""
_DESCRIPTION = next(
    p
    for op in IAM_OPERATIONS
    if op.name == "UpdateRoleDescription"
    for p in op.params
    if p.name == "Description"
)
"""IAM's constraints on a role's description (a snapshot's must meet them too)."""
_zone = operator.attrgetter("tzinfo")


# ----------------------------------------------------------------------------- writing


def role_columns(roles: list[Role]) -> dict[str, Any]:
    """The roles as format 3's columns (see the module's docstring), in the given order.

    One pass reads every field of a role (a pass a column would fetch each role from memory
    once a column: about 1.5 times slower at a million roles)."""
    service: list[str] = []
    role_name: list[str | None] = []
    account_id: list[str] = []
    state: list[str] = []
    role_id: list[str | None] = []
    created: list[dt.datetime | None] = []
    description: list[str | None] = []
    previous: list[list[Any]] = []
    tags: list[list[Any]] = []
    for n, role in enumerate(roles):
        spec = role.spec
        service.append(spec.service_principal)
        role_name.append(None if spec.custom_suffix is None else spec.role_name)
        account_id.append(role.account_id)
        state.append(role.state._value_)  # the member's value without Enum's descriptor
        role_id.append(role.role_id)
        created.append(role.create_date)
        description.append(role.description)
        if role.previous_role_ids:
            previous.append([n, list(role.previous_role_ids)])
        if role.tags:
            tags.append([n, [[k, v] for k, v in role.tags]])
    return {
        "service": service,
        "role_name": role_name,
        "account_id": account_id,
        "state": state,
        "role_id": role_id,
        "create_date": iso_times(created),
        "description": description,
        "previous_role_ids": previous,
        "tags": tags,
    }


def iso_times(times: list[dt.datetime | None]) -> list[str | None]:
    """ISO 8601 text of each time. A run of equal times (roles created at one moment of the
    clock) is formatted once when every time has a fixed UTC offset (``datetime.timezone``, as
    the clock's and restored times have): equal times then read alike. Otherwise (a
    ``zoneinfo`` zone, where ``fold`` picks the offset) each is formatted on its own."""
    zones = set(map(_zone, filter(None, times)))
    if not all(type(zone) is dt.timezone for zone in zones) or len(zones) > 1:
        return [None if time is None else time.isoformat() for time in times]
    texts: list[str | None] = []
    for time, run in itertools.groupby(times):
        texts += [None if time is None else time.isoformat()] * len(list(run))
    return texts


# ----------------------------------------------------------------------------- naming


@attrs.frozen
class RoleFields:
    """Where a role's fields are in a snapshot, to name them in a :class:`SnapshotError`:
    ``roles[n].key`` in formats 1 and 2, ``roles.key[n]`` in format 3 (for a sparse column, the
    position of role ``n``'s entry in it)."""

    columns: bool = False
    entries: Mapping[str, Mapping[int, int]] = attrs.field(factory=dict)
    """For format 3's sparse columns, role number -> position of its entry."""

    def __call__(self, n: int, key: str = "") -> str:
        if not key:
            return f"roles[{n}]"
        if not self.columns:
            return f"roles[{n}].{key}"
        if key in self.entries:
            at = self.entries[key].get(n)
            return f"roles.{key}" if at is None else f"roles.{key}[{at}][1]"
        return f"roles.{key}[{n}]"


# ----------------------------------------------------------------------------- reading


def read_role_objects(read: Reader, catalogue: Catalogue) -> Iterator[Role]:
    """The roles of a format 1 or 2 snapshot, one object a role, in order."""
    where = RoleFields()
    for n, r in enumerate(read.get(read.snap, "roles", list, "")):
        field = where(n)
        service = read.get(r, "service", str, field)
        role_name = read.get(r, "role_name", str, field) if "role_name" in r else None
        yield _role(
            catalogue,
            functools.partial(where, n),
            service,
            role_name,
            read.get(r, "account_id", str, field),
            read.get(r, "state", str, field),
            optional(r.get("role_id"), str, where(n, "role_id")),
            r.get("create_date"),
            optional(r.get("description"), str, where(n, "description")),
            read.get(r, "previous_role_ids", list, field),
            r.get("tags", []),  # snapshots before tags had none
        )


def read_role_columns(value: Any, catalogue: Catalogue) -> tuple[list[Role], RoleFields]:
    """The roles of a format 3 snapshot's ``roles`` columns, in order, and how to name their
    fields; a column of the wrong shape or type is refused before any role is built."""
    columns = _checked_columns(value)
    entries = {key: {entry[0]: k for k, entry in enumerate(columns[key])} for key in SPARSE}
    where = RoleFields(columns=True, entries=entries)
    lists = {key: {entry[0]: entry[1] for entry in columns[key]} for key in SPARSE}
    previous, tags = lists["previous_role_ids"], lists["tags"]
    roles = []
    rows = zip(*(columns[key] for key in DENSE), strict=True)
    for n, (service, role_name, account_id, state, role_id, created, description) in enumerate(
        rows
    ):
        roles.append(
            _role(
                catalogue,
                functools.partial(where, n),
                service,
                role_name,
                account_id,
                state,
                role_id,
                created,
                description,
                previous.get(n, []),
                tags.get(n, []),
            )
        )
    return roles, where


def _checked_columns(value: Any) -> dict[str, list[Any]]:
    if not isinstance(value, Mapping):
        raise SnapshotError("roles", f"expected an object of columns, found {shown(value)}")
    for key in value:
        if key not in DENSE and key not in SPARSE:
            name = str.__str__(key)[:80] if isinstance(key, str) else shown(key)
            raise SnapshotError(f"roles.{name}", "not a column of a snapshot's roles")
    for key in (*DENSE, *SPARSE):
        if not isinstance(value.get(key), list):
            found = "missing" if key not in value else f"expected a list, found {shown(value[key])}"
            raise SnapshotError(f"roles.{key}", found)
    count = len(value["service"])
    for key in DENSE:
        column = value[key]
        if len(column) != count:
            raise SnapshotError(
                f"roles.{key}", f"{len(column)} entries, and roles.service has {count}"
            )
        allowed = (str, type(None)) if key in _NULLABLE else str
        if not all(isinstance(v, allowed) for v in column):
            n = next(n for n, v in enumerate(column) if not isinstance(v, allowed))
            kind = "a string or null" if key in _NULLABLE else "a string"
            raise SnapshotError(f"roles.{key}[{n}]", f"expected {kind}, found {shown(column[n])}")
    for key in SPARSE:
        last = -1
        for k, entry in enumerate(value[key]):
            if not (
                isinstance(entry, list)
                and len(entry) == 2
                and type(entry[0]) is int
                and last < entry[0] < count
                and isinstance(entry[1], list)
                and entry[1]
            ):
                raise SnapshotError(
                    f"roles.{key}[{k}]",
                    f"expected [role number, [...]] for a role after the last one listed, with "
                    f"a list that is not empty, got {shown(entry)}",
                )
            last = entry[0]
    return {key: value[key] for key in (*DENSE, *SPARSE)}


def _role(
    catalogue: Catalogue,
    where: Callable[[str], str],
    service: str,
    role_name: str | None,
    account_id: str,
    state: str,
    role_id: str | None,
    created: Any,
    description: str | None,
    previous: list[Any],
    tags: Any,
) -> Role:
    """One role from its fields (typed already), checked: a spec the snapshot has, RoleIds of
    the shape a simulation issues, a description IAM would accept, tags a role could carry."""
    spec = catalogue.by_service(service)
    if spec is None:
        raise SnapshotError(where("service"), f"no spec for {shown(service)}")
    if role_name is not None:  # a role created with a CustomSuffix
        spec = catalogue.by_role_name(role_name)
        if spec is None or spec.custom_suffix is None or spec.service_principal != service:
            raise SnapshotError(
                where("role_name"), f"no suffixed {service} role {shown(role_name)}"
            )
    for n, old_id in enumerate(previous):
        if not isinstance(old_id, str) or not _ROLE_ID.fullmatch(old_id):
            raise SnapshotError(
                f"{where('previous_role_ids')}[{n}]", f"not a RoleId: {shown(old_id)}"
            )
    if role_id is not None and not _ROLE_ID.fullmatch(role_id):
        raise SnapshotError(where("role_id"), f"not a RoleId: {shown(role_id)}")
    if description is not None and (problems := _DESCRIPTION.problems(description)):
        raise SnapshotError(where("description"), problems[0][:200])
    with at_field(where("")):
        return Role(
            spec,
            account_id,
            RoleState(state),
            role_id,
            read_optional_time(created, where("create_date")),
            description,
            tuple(previous),
            read_tags(tags, where("tags")),
        )
