"""AWS Organizations, read side: the organization, its accounts and root, the services it trusts.

>>> from slr_fsm import Simulation
>>> sim = Simulation.default()
>>> orgs = sim.organizations("111122223333")
>>> org = orgs.describe_organization()["Organization"]
>>> org["FeatureSet"], org["MasterAccountId"], org["Arn"] == f"arn:aws:organizations::111122223333:organization/{org['Id']}"
('ALL', '111122223333', True)
>>> [(a["Name"], a["JoinedMethod"]) for a in orgs.list_accounts()["Accounts"]]
[('management', 'INVITED'), ('member-a', 'CREATED'), ('member-b', 'CREATED')]
>>> sim.organizations("444455556666").list_accounts()
Traceback (most recent call last):
...
slr_fsm.errors.AccessDeniedException: AccessDeniedException: You don't have permissions to access this resource.

Sources: AWS Organizations API Reference (API_DescribeOrganization.html and the pages of the other
four operations; CommonErrors.html) and the documentation strings of botocore's ``organizations``
model. DescribeOrganization "can be called from any account in the organization"; ListAccounts,
DescribeAccount, ListRoots and ListAWSServiceAccessForOrganization only "from the management
account or a member account that is a delegated administrator" (slr_fsm has no delegated
administrators, so: the management account). Every error is listed with HTTP status 400.
Messages as AWS sends them (seen in users' reports): "Your account is not a member of an
organization." and "You don't have permissions to access this resource." (for a denied IAM
permission as for a member account); "You provided a value that does not match the required
pattern." (InvalidInputException, INVALID_PATTERN).

Modelling decisions: FeatureSet ``ALL`` and no policy type enabled (``AvailablePolicyTypes`` and
a root's ``PolicyTypes`` are empty); one root named ``Root`` whose id is ``r-`` and four
characters derived from the organization id; every account ``ACTIVE``, in the organization since
the clock's start, the management account ``INVITED`` (as AWS reports the account that created
the organization) and members ``CREATED``; an account's email is ``<name>@example.com`` (its id
when the name will not do); pages of 20 unless ``MaxResults`` says fewer. Enabled service access:
while the management account has the AWS Marketplace purchase-orders integration configured, its
service principal is listed as enabled, ``DateEnabled`` being when the log shows it was set up
(the clock's start when the log does not hold it, e.g. in a fork). Callers need the IAM
permission ``organizations:<Operation>`` (on the account's ARN for DescribeAccount, else ``*``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from slr_fsm.accounts import Account, Organization
from slr_fsm.errors import (
    AccessDenied,
    AccessDeniedException,
    AccountNotFoundException,
    AWSOrganizationsNotInUseException,
    InvalidInputException,
)
from slr_fsm.events import OK
from slr_fsm.face import Face
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS
from slr_fsm.validation import Param, validate

__all__ = ["ORGANIZATIONS_OPERATIONS", "OrganizationsApi"]

T = TypeVar("T")

ORGANIZATIONS_OPERATIONS: dict[str, str] = {
    "DescribeOrganization": "describe_organization",
    "ListAccounts": "list_accounts",
    "DescribeAccount": "describe_account",
    "ListRoots": "list_roots",
    "ListAWSServiceAccessForOrganization": "list_aws_service_access_for_organization",
}
"""Each Organizations operation slr_fsm answers, by AWS name, and the face's method for it."""

_NOT_IN_USE = "Your account is not a member of an organization."
_NO_PERMISSION = "You don't have permissions to access this resource."
_PAGE_SIZE = 20
_PAGED = (Param("NextToken", max_length=100000), Param("MaxResults", kind=int))
_ACCOUNT_ID = re.compile(r"\d{12}", re.ASCII)
_EMAIL_NAME = re.compile(r"[A-Za-z0-9._+-]{1,40}", re.ASCII)


def root_id(organization_id: str) -> str:
    """The organization's root id: ``r-`` and four lower-case characters derived from its id.

    >>> root_id("o-exampleorg")
    'r-o6gp'
    """
    digest = hashlib.blake2b(organization_id.encode(), digest_size=8).digest()
    return "r-" + "".join("abcdefghijklmnopqrstuvwxyz0123456789"[b % 36] for b in digest[:4])


def _account_arn(org: Organization, account_id: str) -> str:
    management = org.management_account.account_id
    return f"arn:aws:organizations::{management}:account/{org.organization_id}/{account_id}"


def _email(account: Account) -> str:
    local = account.name if _EMAIL_NAME.fullmatch(account.name) else account.account_id
    return f"{local}@example.com"


class OrganizationsApi(Face):
    """AWS Organizations as one principal in one account sees it: ``sim.organizations(account,
    principal)``. Each call is validated, authorized, logged and atomic, refused or not."""

    def describe_organization(self, **kwargs: Any) -> dict[str, Any]:
        """DescribeOrganization: the caller's organization (from any account in it)."""

        def body() -> dict[str, Any]:
            org = self._organization("DescribeOrganization", (), kwargs, management_only=False)
            management = org.management_account
            return {
                "Organization": {
                    "Id": org.organization_id,
                    "Arn": f"arn:aws:organizations::{management.account_id}:organization/"
                    f"{org.organization_id}",
                    "FeatureSet": "ALL",
                    "MasterAccountArn": _account_arn(org, management.account_id),
                    "MasterAccountId": management.account_id,
                    "MasterAccountEmail": _email(management),
                    "AvailablePolicyTypes": [],
                }
            }

        return self._attempt("describe_organization", kwargs, body)

    def list_accounts(self, **kwargs: Any) -> dict[str, Any]:
        """ListAccounts: every account of the organization, management account first."""

        def body() -> dict[str, Any]:
            org = self._organization("ListAccounts", _PAGED, kwargs)
            page, more = self._page("ListAccounts", org.accounts, kwargs)
            return {"Accounts": [self._account(org, a) for a in page], **more}

        return self._attempt("list_accounts", kwargs, body)

    def describe_account(self, **kwargs: Any) -> dict[str, Any]:
        """DescribeAccount: one account of the organization (AccountNotFoundException else)."""

        def body() -> dict[str, Any]:
            params = (Param("AccountId", required=True),)
            target = kwargs.get("AccountId")
            org = self._organization("DescribeAccount", params, kwargs, target=target)
            wanted = kwargs["AccountId"]  # a string: validated
            if not _ACCOUNT_ID.fullmatch(wanted):
                raise InvalidInputException(
                    "You provided a value that does not match the required pattern.",
                    reason="INVALID_PATTERN",
                    guard="parameters",
                )
            for account in org.accounts:
                if account.account_id == wanted:
                    return {"Account": self._account(org, account)}
            raise AccountNotFoundException(
                "You specified an account that doesn't exist.", guard="account_in_organization"
            )

        return self._attempt("describe_account", kwargs, body)

    def list_roots(self, **kwargs: Any) -> dict[str, Any]:
        """ListRoots: the organization's one root."""

        def body() -> dict[str, Any]:
            org = self._organization("ListRoots", _PAGED, kwargs)
            rid = root_id(org.organization_id)
            root = {
                "Id": rid,
                "Arn": f"arn:aws:organizations::{org.management_account.account_id}:root/"
                f"{org.organization_id}/{rid}",
                "Name": "Root",
                "PolicyTypes": [],
            }
            page, more = self._page("ListRoots", [root], kwargs)
            return {"Roots": list(page), **more}

        return self._attempt("list_roots", kwargs, body)

    def list_aws_service_access_for_organization(self, **kwargs: Any) -> dict[str, Any]:
        """ListAWSServiceAccessForOrganization: the services trusted by the organization."""

        def body() -> dict[str, Any]:
            org = self._organization("ListAWSServiceAccessForOrganization", _PAGED, kwargs)
            management = org.management_account.account_id
            service = MARKETPLACE_PURCHASE_ORDERS.service_principal
            enabled = []
            if self._world.spec_for_service(service) and self._world.integration_configured(
                management
            ):
                enabled.append(
                    {"ServicePrincipal": service, "DateEnabled": self._since(management)}
                )
            page, more = self._page("ListAWSServiceAccessForOrganization", enabled, kwargs)
            return {"EnabledServicePrincipals": list(page), **more}

        return self._attempt("list_aws_service_access_for_organization", kwargs, body)

    # ----------------------------------------------------------------- shared rules

    def _organization(
        self,
        operation: str,
        params: Sequence[Param],
        kwargs: Mapping[str, Any],
        *,
        management_only: bool = True,
        target: object = None,
    ) -> Organization:
        """The caller's organization, once the request is well-formed, the caller's policies
        allow ``organizations:<operation>``, and the caller's account may call it."""
        validate(params, kwargs)
        account = self._world.account(self.account.account_id)
        org = next(
            (o for o in self._world.organizations if o.organization_id == account.organization_id),
            None,
        )
        resource = "*" if org is None or target is None else _account_arn(org, str(target))
        try:
            self._world.authorize(self.principal, f"organizations:{operation}", resource)
        except AccessDenied as denied:
            raise AccessDeniedException(_NO_PERMISSION, guard="caller_allowed") from denied
        if org is None:
            raise AWSOrganizationsNotInUseException(_NOT_IN_USE, guard="in_organization")
        if management_only and org.management_account.account_id != account.account_id:
            raise AccessDeniedException(_NO_PERMISSION, guard="management_account_only")
        return org

    def _account(self, org: Organization, account: Account) -> dict[str, Any]:
        management = account.account_id == org.management_account.account_id
        return {
            "Id": account.account_id,
            "Arn": _account_arn(org, account.account_id),
            "Email": _email(account),
            "Name": account.name or account.account_id,
            "Status": "ACTIVE",
            "State": "ACTIVE",
            "JoinedMethod": "INVITED" if management else "CREATED",
            "JoinedTimestamp": self._world.clock.start,
        }

    def _since(self, management: str) -> Any:
        """When the management account's current billing integration was set up, per the log."""
        since = self._world.clock.start
        for event in reversed(self._world.trace):
            if event.account_id != management or event.outcome != OK:
                continue
            if event.operation == "remove_billing_integration":
                break
            if event.operation == "configure_billing_integration":
                since = event.time
        return since

    @staticmethod
    def _page(
        operation: str, items: Sequence[T], kwargs: Mapping[str, Any]
    ) -> tuple[Sequence[T], dict[str, str]]:
        """One page of ``items`` (``MaxResults`` of them from ``NextToken``), and the token of
        the next page when there is one."""
        size = kwargs.get("MaxResults", _PAGE_SIZE)
        for bad, reason, words in (
            (size < 1, "MIN_VALUE_EXCEEDED", "smaller"),
            (size > _PAGE_SIZE, "MAX_VALUE_EXCEEDED", "larger"),
        ):
            if bad:
                raise InvalidInputException(
                    f"You provided a numeric parameter that has a {words} value than allowed.",
                    reason=reason,
                    guard="parameters",
                )
        start = 0
        token = kwargs.get("NextToken")
        if token is not None:
            found = re.fullmatch(rf"slr-fsm/{operation}/(\d{{1,9}})", token)
            if found is None or int(found[1]) > len(items):
                raise InvalidInputException(
                    "Get the value for the NextToken parameter from the response to a previous "
                    "call of the operation.",
                    reason="INVALID_NEXT_TOKEN",
                    guard="parameters",
                )
            start = int(found[1])
        end = start + size
        more = {"NextToken": f"slr-fsm/{operation}/{end}"} if end < len(items) else {}
        return items[start:end], more
