"""Accounts, organizations and the principals who call AWS in them.

>>> acct = Account("111122223333", "management", organization_id="o-exampleorg")
>>> Principal("admin", acct.account_id).arn
'arn:aws:iam::111122223333:user/admin'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from slr_fsm.errors import UsageError
from slr_fsm.shown import shown
from slr_fsm.spec_checks import PRINCIPAL

if TYPE_CHECKING:  # the policy language loads when a principal with policies is first made
    from slr_fsm.policy import PolicyDocument

    ADMINISTRATOR_POLICY: PolicyDocument
    """The default ``admin`` principal's policy (parsed on first use: see ``__getattr__``)."""
    READ_ONLY_POLICY: PolicyDocument
    """The default ``readonly`` principal's policy (parsed on first use)."""

__all__ = [
    "ADMINISTRATOR_POLICY",
    "ORGANIZATION_ID",
    "READ_ONLY_POLICY",
    "USER_NAME",
    "Account",
    "Organization",
    "Principal",
    "ServicePrincipal",
]

_ACCOUNT_ID = re.compile(r"\d{12}", re.ASCII)
ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}")
"""AWS Organizations' organization id (its API Reference: ``^o-[a-z0-9]{10,32}$``)."""
_LONGEST_ACCOUNT_NAME = 128
"""AWS Organizations' account names are 1 to 128 characters (botocore's ``AccountName``); an
account given no name has an empty one here."""
USER_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
"""IAM's user names (CreateUser's ``UserName``: 1 to 64 characters of ``[\\w+=,.@-]``)."""


def _account_id(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or not _ACCOUNT_ID.fullmatch(value):
        raise UsageError(f"An AWS account id is 12 digits, as a string; got {shown(value)}")


def _account_name(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or len(value) > _LONGEST_ACCOUNT_NAME:
        raise UsageError(
            "An account's name is a string of up to 128 characters (AWS Organizations' "
            f"AccountName), or empty; got {shown(value)}"
        )


def _organization_id(_: object, __: object, value: Any) -> None:
    if value is not None and not (isinstance(value, str) and ORGANIZATION_ID.fullmatch(value)):
        raise UsageError(
            "An organization id is 'o-' and 10 to 32 lower-case letters or digits (AWS "
            f"Organizations' pattern ^o-[a-z0-9]{{10,32}}$); got {shown(value)}"
        )


def _user_name(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or not USER_NAME.fullmatch(value):
        raise UsageError(
            "An IAM user's name is 1 to 64 characters matching IAM's pattern [\\w+=,.@-]+ "
            f"(CreateUser's UserName); got {shown(value)}"
        )


def _identity_policies(_: object, __: object, value: tuple[PolicyDocument, ...]) -> None:
    if value == ():
        return
    from slr_fsm.policy_document import PolicyDocument  # any policy given was made by it

    if not isinstance(value, tuple) or not all(
        isinstance(p, PolicyDocument) and p.kind == "identity" for p in value
    ):
        raise UsageError(
            "A principal's policies are a tuple of identity PolicyDocument values "
            f"(World.add_principal parses dicts and JSON text); got {shown(value)}"
        )


def _service_name(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or len(value) > 128 or not PRINCIPAL.fullmatch(value):
        raise UsageError(
            "A service principal is the service's lower-case DNS-like name ending in "
            ".amazonaws.com, at most 128 characters (service principals are case-sensitive, "
            f"as IAM's API reference says); got {shown(value)}"
        )


@attrs.frozen
class Account:
    """An AWS account: a 12-digit id, a friendly name, and the organization it belongs to."""

    account_id: str = attrs.field(validator=_account_id)
    name: str = attrs.field(default="", validator=_account_name)
    organization_id: str | None = attrs.field(default=None, validator=_organization_id)

    def __str__(self) -> str:
        return f"{self.name} ({self.account_id})" if self.name else self.account_id


@attrs.frozen
class Organization:
    """An AWS Organizations organization: one management account and its members."""

    organization_id: str = attrs.field(validator=_organization_id)
    management_account: Account
    member_accounts: tuple[Account, ...] = ()

    @property
    def accounts(self) -> tuple[Account, ...]:
        """The management account first, then the members."""
        return (self.management_account, *self.member_accounts)


_DEFAULT_POLICY_DOCUMENTS: dict[str, dict[str, Any]] = {
    # The default ``admin`` principal's policy (like AdministratorAccess).
    "ADMINISTRATOR_POLICY": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
    # The default ``readonly`` principal's policy (a read-only subset of IAM and purchase orders).
    "READ_ONLY_POLICY": {
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
    },
}


if not TYPE_CHECKING:  # type checkers see the two names declared above, and no other

    def __getattr__(name: str) -> PolicyDocument:
        """``ADMINISTRATOR_POLICY`` and ``READ_ONLY_POLICY``, parsed on first use and kept:
        importing accounts does not load the policy language (:mod:`slr_fsm.policy`)."""
        document = _DEFAULT_POLICY_DOCUMENTS.get(name)
        if document is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from slr_fsm.policy_document import PolicyDocument

        parsed = PolicyDocument.parse(document)
        globals()[name] = parsed
        return parsed


@attrs.frozen
class Principal:
    """An IAM user who calls AWS, with the identity policies that decide what it may do."""

    name: str = attrs.field(validator=_user_name)
    account_id: str = attrs.field(validator=_account_id)
    policies: tuple[PolicyDocument, ...] = attrs.field(default=(), validator=_identity_policies)

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


def _checked_principal_maker() -> Callable[[str, str, tuple[PolicyDocument, ...]], Principal]:
    """``Principal(name, account_id, policies)`` for values already known to be valid, built
    through its slots (attrs' frozen ``__init__`` runs three validators: two regexes and an
    import). ``tests/test_hot_path_writes.py`` proves both build equal principals."""
    name, account, policies = (Principal.__dict__[f.name].__set__ for f in attrs.fields(Principal))
    new = object.__new__

    def checked_principal(
        user: str, account_id: str, documents: tuple[PolicyDocument, ...]
    ) -> Principal:
        made: Principal = new(Principal)
        name(made, user)
        account(made, account_id)
        policies(made, documents)
        return made

    return checked_principal


checked_principal = _checked_principal_maker()
"""A :class:`Principal` of a name, an account id and identity policies that passed its checks
already (the world's default principals, made for each account when asked for)."""


@attrs.frozen
class ServicePrincipal:
    """An AWS service acting for itself, e.g. ``purchase-orders.marketplace.amazonaws.com``
    (exactly as the service writes it: service principals are case-sensitive)."""

    name: str = attrs.field(validator=_service_name)

    @property
    def arn(self) -> str:
        """Services have no ARN; AWS names them by their principal."""
        return self.name
