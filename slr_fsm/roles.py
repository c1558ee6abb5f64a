"""The role as the simulation holds it: a frozen value, replaced (never mutated) on each change.

>>> from slr_fsm import Simulation
>>> sim = Simulation.default()
>>> sim.role(sim.organization.management_account).state
<RoleState.ABSENT: 'absent'>
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from slr_fsm.display import html_table
from slr_fsm.specs import RoleSpec
from slr_fsm.states import RoleState

__all__ = ["Role"]


@attrs.frozen
class Role:
    """One service-linked role in one account, at one moment.

    ``role_id`` and ``create_date`` are ``None`` until the role is first created; after a
    deletion they keep the deleted role's values, and ``previous_role_ids`` lists every RoleId
    the role has had before the current one.
    """

    spec: RoleSpec = attrs.field(repr=False)
    account_id: str
    state: RoleState = RoleState.ABSENT
    role_id: str | None = None
    create_date: dt.datetime | None = None
    description: str | None = None
    previous_role_ids: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The role's name; it never changes."""
        return self.spec.role_name

    @property
    def arn(self) -> str:
        """The role's ARN; the same across deletions and re-creations."""
        return self.spec.role_arn(self.account_id)

    @property
    def path(self) -> str:
        """The role's path, ``/aws-service-role/<service-principal>/``."""
        return self.spec.path

    @property
    def exists(self) -> bool:
        """Whether IAM holds the role now."""
        return self.state.exists

    def _repr_html_(self) -> str:
        created = "-" if self.create_date is None else f"{self.create_date:%Y-%m-%d %H:%M:%S}"
        return html_table(
            ["field", "value"],
            [
                ["name", self.name],
                ["account", self.account_id],
                ["state", self.state.value],
                ["ARN", self.arn],
                ["RoleId", self.role_id or "-"],
                ["created", created],
                ["description", self.description or "-"],
                ["earlier RoleIds", ", ".join(self.previous_role_ids) or "-"],
            ],
        )

    def to_json_value(self) -> dict[str, Any]:
        """The role as plain JSON data (for snapshots); times as ISO 8601 text."""
        return {
            "service": self.spec.service_principal,
            "account_id": self.account_id,
            "state": self.state.value,
            "role_id": self.role_id,
            "create_date": None if self.create_date is None else self.create_date.isoformat(),
            "description": self.description,
            "previous_role_ids": list(self.previous_role_ids),
        }
