"""Reading a snapshot's fields: typed values, or a SnapshotError naming the field.

Every problem a malformed snapshot can cause (a missing key, a value of the wrong type, a number
too large, a value nested too deep) becomes a :class:`~slr_fsm.errors.SnapshotError` whose
message shows the value in a bounded form.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

from slr_fsm.accounts import Account
from slr_fsm.errors import SlrFsmError, SnapshotError
from slr_fsm.roles import tag_problems
from slr_fsm.shown import shown
from slr_fsm.tasks import RoleUsage

__all__ = [
    "Reader",
    "as_float",
    "at_field",
    "optional",
    "read_account",
    "read_account_columns",
    "read_optional_time",
    "read_role_usage",
    "read_tags",
    "read_time",
]

T = TypeVar("T")


class Reader:
    """Reads one snapshot, naming the field of any problem."""

    def __init__(self, snap: Mapping[str, Any]) -> None:
        self.snap = snap

    @staticmethod
    def get(value: Any, key: str | int, kind: type[T], where: str) -> T:
        field = f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}".lstrip(".")
        container = list if isinstance(key, int) else Mapping
        if not isinstance(value, container):
            raise SnapshotError(
                where or "(top)",
                f"expected {'a list' if container is list else 'an object'}, found "
                f"{type(value).__name__} {shown(value)}",
            )
        try:
            found = value[key] if isinstance(value, Mapping) else value[int(key)]
        except (KeyError, IndexError):
            raise SnapshotError(field, "missing") from None
        if kind is float and isinstance(found, int) and not isinstance(found, bool):
            found = as_float(found, field)
        if not isinstance(found, kind) or (kind is int and isinstance(found, bool)):
            raise SnapshotError(
                field, f"expected {kind.__name__}, found {type(found).__name__} {shown(found)}"
            )
        return found

    def items(self, key: str) -> Iterable[tuple[str, Any]]:
        for n, item in enumerate(self.get(self.snap, key, list, "")):
            yield f"{key}[{n}]", item


def as_float(value: int, field: str) -> float:
    try:
        return float(value)
    except OverflowError:
        raise SnapshotError(field, f"a number too large for a float: {shown(value)}") from None


def read_time(text: Any, field: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise SnapshotError(field, f"not an ISO 8601 time: {shown(text)}") from None
    if value.tzinfo is None:
        raise SnapshotError(field, "a time needs its time zone")
    return value


def read_optional_time(text: Any, field: str) -> dt.datetime | None:
    return None if text is None else read_time(text, field)


@contextlib.contextmanager
def at_field(field: str) -> Iterator[None]:
    """Turn any failure to decode inside the block into a SnapshotError naming the field."""
    try:
        yield
    except SnapshotError:
        raise
    except (
        SlrFsmError,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        IndexError,
        ArithmeticError,  # an int too large for a float, among others
        RecursionError,  # a value nested too deep to show or walk
    ) as error:
        raise SnapshotError(field, str(error)[:300]) from None


def optional(value: Any, kind: type, field: str) -> Any:
    if value is not None and not isinstance(value, kind):
        raise SnapshotError(field, f"expected {kind.__name__} or null, found {shown(value)}")
    return value


def read_account(pair: Any, field: str) -> Account:
    """An account from its ``[id, name]`` pair."""
    if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair)):
        raise SnapshotError(field, f"expected [account id, name], got {shown(pair)}")
    with at_field(field):
        return Account(pair[0], pair[1])


def read_account_columns(value: Any, field: str) -> list[Account]:
    """Accounts from format 3's ``{"account_id": [...], "name": [...]}`` (parallel lists)."""
    if not (isinstance(value, Mapping) and value.keys() == {"account_id", "name"}):
        raise SnapshotError(
            field, f"expected {{account_id: [...], name: [...]}}, got {shown(value)}"
        )
    ids, names = value["account_id"], value["name"]
    for key, column in (("account_id", ids), ("name", names)):
        if not isinstance(column, list) or not all(isinstance(v, str) for v in column):
            raise SnapshotError(
                f"{field}.{key}", f"expected a list of strings, got {shown(column)}"
            )
    if len(ids) != len(names):
        raise SnapshotError(f"{field}.name", f"{len(names)} names for {len(ids)} accounts")
    accounts = []
    for n, (account_id, name) in enumerate(zip(ids, names, strict=True)):
        with at_field(f"{field}.account_id[{n}]"):
            accounts.append(Account(account_id, name))
    return accounts


def read_role_usage(value: Any, field: str) -> tuple[RoleUsage, ...]:
    """A failed task's resources in use, from ``[[region, [arn, ...]], ...]``."""
    usage = []
    for n, entry in enumerate(value):
        if not (
            isinstance(entry, list)
            and len(entry) == 2
            and isinstance(entry[0], str)
            and isinstance(entry[1], list)
            and all(isinstance(arn, str) for arn in entry[1])
        ):
            raise SnapshotError(
                f"{field}[{n}]", f"expected [region, [arn, ...]], got {shown(entry)}"
            )
        usage.append(RoleUsage(entry[0], tuple(entry[1])))
    return tuple(usage)


def read_tags(value: Any, field: str) -> tuple[tuple[str, str], ...]:
    """A role's tags, from ``[[key, value], ...]``, each a tag IAM would accept."""
    if not isinstance(value, list) or not all(
        isinstance(t, list) and len(t) == 2 and all(isinstance(s, str) for s in t) for t in value
    ):
        raise SnapshotError(field, f"expected [[key, value], ...], got {shown(value)}")
    if problems := tag_problems((k, v) for k, v in value):
        raise SnapshotError(field, problems[0][:200])
    return tuple((k, v) for k, v in value)
