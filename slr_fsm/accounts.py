"""Accounts, organizations and the principals who call AWS in them.

>>> acct = Account("111122223333", "management", organization_id="o-example")
>>> Principal("admin", acct.account_id).arn
'arn:aws:iam::111122223333:user/admin'
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from slr_fsm.errors import UsageError
from slr_fsm.policy import PolicyDocument
from slr_fsm.shown import shown

__all__ = [
    "ADMINISTRATOR_POLICY",
    "READ_ONLY_POLICY",
    "Account",
    "Organization",
    "Principal",
    "ServicePrincipal",
]

_ACCOUNT_ID = re.compile(r"\d{12}")


def _account_id(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or not _ACCOUNT_ID.fullmatch(value):
        raise UsageError(f"An AWS account id is 12 digits, as a string; got {shown(value)}")


@attrs.frozen
class Account:
    """An AWS account: a 12-digit id, a friendly name, and the organization it belongs to."""

    account_id: str = attrs.field(validator=_account_id)
    name: str = ""
    organization_id: str | None = None

    def __str__(self) -> str:
        return f"{self.name} ({self.account_id})" if self.name else self.account_id


@attrs.frozen
class Organization:
    """An AWS Organizations organization: one management account and its members."""

    organization_id: str
    management_account: Account
    member_accounts: tuple[Account, ...] = ()

    @property
    def accounts(self) -> tuple[Account, ...]:
        """The management account first, then the members."""
        return (self.management_account, *self.member_accounts)


ADMINISTRATOR_POLICY = PolicyDocument.parse(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
"""The default ``admin`` principal's policy (like AdministratorAccess)."""

READ_ONLY_POLICY = PolicyDocument.parse(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "iam:Get*",
                    "iam:List*",
                    "purchase-orders:View*",
                    "sts:GetCallerIdentity",
                ],
                "Resource": "*",
            }
        ],
    }
)
"""The default ``readonly`` principal's policy (a read-only subset of IAM and purchase orders)."""


@attrs.frozen
class Principal:
    """An IAM user who calls AWS, with the identity policies that decide what it may do."""

    name: str
    account_id: str = attrs.field(validator=_account_id)
    policies: tuple[PolicyDocument, ...] = ()

    @property
    def arn(self) -> str:
        """The principal's ARN, as AccessDenied messages name it."""
        return f"arn:aws:iam::{self.account_id}:user/{self.name}"

    def to_json_value(self) -> dict[str, Any]:
        """The principal as plain JSON data (for snapshots)."""
        return {
            "name": self.name,
            "account_id": self.account_id,
            "policies": [p.to_json_value() for p in self.policies],
        }


@attrs.frozen
class ServicePrincipal:
    """An AWS service acting for itself, e.g. ``purchase-orders.marketplace.amazonaws.com``."""

    name: str

    @property
    def arn(self) -> str:
        """Services have no ARN; AWS names them by their principal."""
        return self.name
