"""Older snapshot formats, written from a current snapshot: what a user's saved snapshots look
like, so that tests can check they still restore (and are still checked) as they did.

Format 2 (before roles and accounts became columns): one object a role, with ``role_name`` only
for a role created with a ``CustomSuffix`` and ``tags`` always present, and one ``[id, name]``
pair an account.
"""

from __future__ import annotations

import copy
from typing import Any

ROLE_FIELDS = (
    "service",
    "account_id",
    "state",
    "role_id",
    "create_date",
    "description",
    "previous_role_ids",
    "tags",
)
"""A format 2 role's fields in the order format 2 wrote them (``role_name`` last, if any)."""


def format_two(snap: dict[str, Any]) -> dict[str, Any]:
    """The format 2 snapshot of the world a format 3 snapshot describes (a deep copy)."""
    assert snap["format"] == 3, snap["format"]
    old = copy.deepcopy(snap)
    old["format"] = 2
    old["organizations"] = [
        {"id": org["id"], "accounts": _pairs(org["accounts"])} for org in old["organizations"]
    ]
    old["standalone_accounts"] = _pairs(old["standalone_accounts"])
    old["roles"] = role_objects(old["roles"])
    return old


def role_objects(columns: dict[str, Any]) -> list[dict[str, Any]]:
    """Format 3's role columns as format 2's list of one object a role."""
    sparse = {key: dict(columns[key]) for key in ("previous_role_ids", "tags")}
    roles = []
    for n in range(len(columns["service"])):
        role = {
            key: sparse[key].get(n, []) if key in sparse else columns[key][n] for key in ROLE_FIELDS
        }
        if columns["role_name"][n] is not None:
            role["role_name"] = columns["role_name"][n]
        roles.append(role)
    return roles


def _pairs(columns: dict[str, list[str]]) -> list[list[str]]:
    return [[a, name] for a, name in zip(columns["account_id"], columns["name"], strict=True)]
