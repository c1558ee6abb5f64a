"""Who is who: accounts, organizations, principals and subscriptions; callers; authorization.

The population of a world. It answers lookups (a clear ``UsageError`` for a library user's
mistake, AWS's ``InvalidClientTokenId`` for a caller with no credentials) and decides whether a
caller's identity policies allow an action.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from slr_fsm import accounts
from slr_fsm._world.state import WorldState
from slr_fsm.accounts import USER_NAME, Account, Organization, Principal, ServicePrincipal
from slr_fsm.errors import InvalidClientTokenId, UsageError
from slr_fsm.policy_decision import Decision
from slr_fsm.refusals import access_denied
from slr_fsm.shown import shown
from slr_fsm.spec_checks import PRINCIPAL

if TYPE_CHECKING:  # the policy language loads when a policy is first parsed or evaluated
    from slr_fsm.policy import PolicyDocument
    from slr_fsm.subscriptions import Subscription

__all__ = [
    "DEFAULT_PRINCIPALS",
    "AccountLike",
    "Caller",
    "Directory",
    "PrincipalLike",
    "default_policies",
    "principal_key",
]

AccountLike = Account | str
"""An account given as its object or its 12-digit id."""
PrincipalLike = Principal | ServicePrincipal | str
"""A principal given as its object or its name (``"admin"``, ``"readonly"``, a service)."""
Caller = Principal | ServicePrincipal
"""Who makes a call: an IAM user, or a service principal acting for itself."""

DEFAULT_PRINCIPALS = ("admin", "readonly")
"""The principals every account gets (their policies: :func:`default_policies`)."""
_DEFAULT_POLICY_NAMES = {"admin": "ADMINISTRATOR_POLICY", "readonly": "READ_ONLY_POLICY"}


@functools.cache
def default_policies(name: str) -> tuple[PolicyDocument, ...] | None:
    """A default principal's identity policies, one tuple kept for each (the policy decision
    cache keys on the tuple's identity); ``None`` for any other name."""
    policy = _DEFAULT_POLICY_NAMES.get(name)
    return None if policy is None else (getattr(accounts, policy),)


def _evaluate_first(
    policies: tuple[PolicyDocument, ...],
    action: str,
    resource: str,
    context: Mapping[str, str] | None,
) -> Decision:
    """Load the policy evaluator on the first decision, then call it directly from then on."""
    global _evaluate
    from slr_fsm.policy import evaluate

    _evaluate = evaluate
    return evaluate(policies, action, resource, context)


_evaluate: Callable[..., Decision] = _evaluate_first
"""How :meth:`Directory.decide` evaluates: the policy module's ``evaluate`` once loaded."""

_INVALID_TOKEN = "The security token included in the request is invalid."
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}", re.ASCII)
"""An AWS Region code (``us-east-1``, ``us-gov-west-1``, ``ap-southeast-2``)."""
_LONGEST_PRODUCT = 256
_LONGEST_SUBSCRIPTION_ID = 64
"""A subscription id is as long as the console's ``subscription_id`` parameter allows."""
_LONGEST_SERVICE = 128
"""The longest service principal (IAM's AWSServiceName: 128 characters)."""


def principal_key(account_id: str, name: str) -> tuple[str, str]:
    """Where an IAM user is kept: IAM user names are unique in an account regardless of case
    (CreateUser: "Names are not distinguished by case")."""
    lowered = name.lower()
    return (account_id, name if lowered == name else lowered)


@functools.lru_cache(maxsize=1024)
def _default_principal(account_id: str, name: str) -> Principal:
    """One of the principals every account has (``admin``, ``readonly``): made when asked for,
    not stored, so an account costs one entry in the world whatever its default users."""
    policies = default_policies(name)
    assert policies is not None  # only the default principals' names come here
    # a stored account's id and a valid name: the checks Principal's __init__ runs are passed
    return accounts.checked_principal(name, account_id, policies)


class Directory:
    """Accounts, organizations, principals and subscriptions of one world state."""

    def __init__(self, state: WorldState) -> None:
        self._state = state
        self.changes = 0
        """Counts writes to accounts, organizations and principals (every writer of those
        containers adds one), so that what was built from the population can be kept while
        the count stands still (the boto3 bridge keeps its face so)."""

    # ----------------------------------------------------------------- population

    def add_account(self, account: Account) -> Account:
        """Register a standalone account (in no organization), with ``admin`` and ``readonly``."""
        self._claim(account.account_id)
        if account.organization_id is not None:
            account = attrs.evolve(account, organization_id=None)
        self._register(account)
        return account

    def add_organization(self, accounts: list[Account], organization_id: str) -> Organization:
        """Register an organization: its management account first, then the members."""
        for account in accounts:
            self._claim(account.account_id)
        if len({a.account_id for a in accounts}) != len(accounts):
            raise UsageError("An account can appear only once in an organization.")
        if organization_id in self._state.organizations:
            raise UsageError(f"Organization {shown(organization_id)} is already in this world.")
        accounts = [attrs.evolve(a, organization_id=organization_id) for a in accounts]
        organization = Organization(organization_id, accounts[0], tuple(accounts[1:]))
        self._state.organizations.set(organization_id, organization)
        for account in accounts:
            self._register(account)
        self.changes += 1
        return organization

    def add_principal(
        self, account: AccountLike, name: str, policies: Iterable[Any] | Any = ()
    ) -> Principal:
        """Register an IAM user with identity policies (documents, dicts or JSON text)."""
        acct = self.account(account)
        if not isinstance(name, str) or not USER_NAME.fullmatch(name):
            raise UsageError(
                "A principal is an IAM user, named with 1 to 64 characters matching IAM's "
                f"pattern [\\w+=,.@-]+; got {shown(name)}"
            )
        name = str.__str__(name)
        taken = self.principal_named(acct.account_id, name, any_case=True)
        if taken is not None:
            raise UsageError(
                f"Account {acct.account_id} already has a principal named {shown(taken.name)}: "
                "IAM user names are unique regardless of case."
            )
        principal = Principal(name, acct.account_id, parse_identity_policies(name, policies))
        self._state.principals.set(principal_key(acct.account_id, name), principal)
        self.changes += 1
        return principal

    def replace_principal(self, principal: Principal) -> None:
        """Store a principal, replacing the one of the same account and name (restore uses it);
        a UsageError if the account has a user whose name differs only in case."""
        taken = self.principal_named(principal.account_id, principal.name, any_case=True)
        if taken is not None and taken.name != principal.name:
            raise UsageError(
                f"Account {principal.account_id} has a principal named {shown(taken.name)} "
                f"already; {shown(principal.name)} differs only in case, and IAM user names "
                "are unique regardless of case."
            )
        self._state.principals.set(principal_key(principal.account_id, principal.name), principal)
        self.changes += 1

    def principal_named(
        self, account_id: str, name: str, *, any_case: bool = False
    ) -> Principal | None:
        """The account's user of that exact name (``any_case``: whatever its case), if any."""
        key = principal_key(account_id, name)
        found = self._state.principals.get(key)
        if found is None:
            if key[1] not in DEFAULT_PRINCIPALS or account_id not in self._state.accounts:
                return None
            found = _default_principal(account_id, key[1])
        if found.name != name and not any_case:
            return None
        return found

    def add_subscription(
        self, account: AccountLike, region: str, product: str, subscription_id: str
    ) -> Subscription:
        """Register a Marketplace subscription in an account and Region."""
        from slr_fsm.subscriptions import Subscription

        acct = self.account(account)
        self.check_subscription(region, product, subscription_id)
        if subscription_id in self._state.subscriptions:
            raise UsageError(f"Subscription {shown(subscription_id)} already exists.")
        subscription = Subscription(subscription_id, acct.account_id, region, product)
        self._state.subscriptions.set(subscription_id, subscription)
        by_account = self._state.subscriptions_by_account
        by_account.set(acct.account_id, (*(by_account.get(acct.account_id) or ()), subscription_id))
        return subscription

    @staticmethod
    def check_subscription(region: object, product: object, subscription_id: object) -> None:
        """Refuse a subscription's region, product or id that no subscription could have."""
        if not isinstance(region, str) or not _REGION.fullmatch(region):
            raise UsageError(
                f"A subscription's region is an AWS Region code such as 'us-east-1', got "
                f"{shown(region)}"
            )
        for label, value, longest in (
            ("product", product, _LONGEST_PRODUCT),
            ("id", subscription_id, _LONGEST_SUBSCRIPTION_ID),
        ):
            if not isinstance(value, str) or not 0 < len(value) <= longest:
                raise UsageError(
                    f"A subscription's {label} is a string of 1 to {longest} characters, got "
                    f"{shown(value)}"
                )

    def _claim(self, account_id: str) -> None:
        if account_id in self._state.accounts:
            raise UsageError(f"Account {account_id} is already in this world.")

    def _register(self, account: Account) -> None:
        self._state.accounts.set(account.account_id, account)  # admin and readonly are implied
        self.changes += 1

    # ----------------------------------------------------------------- lookups

    def account(self, account: object) -> Account:
        """The account for an id or object; a clear error for one not in this world."""
        found = self.find_account(account)
        if found is None:
            some = list(itertools.islice(self._state.accounts, 5))
            more = "" if len(self._state.accounts) <= 5 else ", ..."
            raise UsageError(
                f"No account {shown(account)} in this world; accounts are "
                f"{', '.join(some) or 'none'}{more}."
            )
        return found

    def find_account(self, account: object) -> Account | None:
        """The account for an id or object, or ``None``."""
        if isinstance(account, Account):
            return self._state.accounts.get(account.account_id)
        if isinstance(account, str):
            return self._state.accounts.get(account)
        return None

    def caller(self, account: object, principal: object = None) -> tuple[Account, Caller]:
        """Resolve who is calling: an account and a principal in it (default: ``admin``).

        A string that is a service principal (``purchase-orders.marketplace.amazonaws.com``,
        exactly: service principals are case-sensitive) is that service, even in an account
        with an IAM user of that name (give the :class:`Principal` itself to call as the user);
        any other string names a user, exactly as it was added. An unknown account or
        principal is AWS's ``InvalidClientTokenId``: no credentials.
        """
        if principal is None and type(account) is str:  # the usual face: an id, as admin
            acct = self._state.accounts.get(account)
            if acct is not None:
                stored = self._state.principals.get((acct.account_id, "admin"))
                if stored is None:
                    return acct, _default_principal(acct.account_id, "admin")
                if stored.name == "admin":
                    return acct, stored
        acct = self.find_account(account)
        if acct is None:
            raise InvalidClientTokenId(
                f"{_INVALID_TOKEN} (slr_fsm: no account {shown(account)} in this world.)"
            )
        if principal is None:
            principal = "admin"
        if isinstance(principal, ServicePrincipal):
            return acct, principal
        if isinstance(principal, Principal):
            if self.principal_named(acct.account_id, principal.name) != principal:
                raise InvalidClientTokenId(
                    f"{_INVALID_TOKEN} (slr_fsm: {shown(principal.arn)} is not a principal of "
                    f"account {acct.account_id}.)"
                )
            return acct, principal
        hint = ""
        if isinstance(principal, str):
            name = str.__str__(principal)
            if len(name) <= _LONGEST_SERVICE and PRINCIPAL.fullmatch(name):
                return acct, ServicePrincipal(name)
            found = self.principal_named(acct.account_id, name, any_case=True)
            if found is not None and found.name == name:
                return acct, found
            if found is not None:
                hint = f" A caller is named exactly as the user was added ({shown(found.name)})."
            elif name.lower().endswith(".amazonaws.com"):
                hint = (
                    " Service principals are case-sensitive, and AWS's are lower-case "
                    "(e.g. 'purchase-orders.marketplace.amazonaws.com')."
                )
        names = sorted(self.principal_names(acct))
        raise InvalidClientTokenId(
            f"{_INVALID_TOKEN} (slr_fsm: no principal {shown(principal)} in account "
            f"{acct.account_id}; it has {names}.{hint})"
        )

    def principal_names(self, account: AccountLike) -> tuple[str, ...]:
        """The names of an account's principals, in the order they were added: ``admin`` and
        ``readonly`` (which every account has from the start), then its users."""
        account_id = self.account(account).account_id
        added = (
            p.name
            for (acct, key), p in self._state.principals.items()
            if acct == account_id and key not in DEFAULT_PRINCIPALS
        )
        return (*DEFAULT_PRINCIPALS, *added)

    def organization_of(self, account: Account) -> Organization | None:
        """The organization an account belongs to, if any."""
        if account.organization_id is None:
            return None
        return self._state.organizations.get(account.organization_id)

    def integration_owner(self, account: AccountLike) -> str:
        """The account that owns what an organization shares: its management account, or the
        account itself when it is in no organization."""
        acct = self.account(account)
        org = self.organization_of(acct)
        return acct.account_id if org is None else org.management_account.account_id

    def served_accounts(self, owner: AccountLike) -> tuple[str, ...]:
        """The accounts an owner's organization-wide setting serves (itself when standalone;
        nothing for a member account)."""
        acct = self.account(owner)
        org = self.organization_of(acct)
        if org is None:
            return (acct.account_id,)
        if org.management_account.account_id != acct.account_id:
            return ()
        return tuple(a.account_id for a in org.accounts)

    def subscriptions_of(self, account: AccountLike) -> tuple[Subscription, ...]:
        """An account's subscriptions, in the order they were added."""
        account_id = self.account(account).account_id
        ids = self._state.subscriptions_by_account.get(account_id) or ()
        return tuple(self._state.subscriptions[s] for s in ids)

    def find_subscription(self, subscription_id: object) -> Subscription | None:
        """A subscription by id, if it exists."""
        if not isinstance(subscription_id, str):
            return None
        return self._state.subscriptions.get(subscription_id)

    # ----------------------------------------------------------------- authorization

    @staticmethod
    def decide(
        caller: Caller, action: str, resource: str, context: Mapping[str, str] | None = None
    ) -> Decision:
        """How the caller's identity policies decide ``action`` on ``resource``."""
        if type(caller) is Principal:  # nearly every call: the checks below answer the same
            return _evaluate(caller.policies, action, resource, context)
        if isinstance(caller, ServicePrincipal):
            return Decision.IMPLICIT_DENY
        if not isinstance(caller, Principal):
            raise UsageError(
                f"A caller is a Principal or a ServicePrincipal (see World.caller), got "
                f"{shown(caller)}"
            )
        return _evaluate(caller.policies, action, resource, context)

    def authorize(
        self, caller: Caller, action: str, resource: str, context: Mapping[str, str] | None = None
    ) -> None:
        """Raise AccessDenied, in AWS's words, unless the caller's policies allow the action."""
        decision = self.decide(caller, action, resource, context)
        if decision is not Decision.ALLOW:
            raise access_denied(caller, action, resource, decision)


def parse_identity_policies(name: str, policies: Any) -> tuple[PolicyDocument, ...]:
    """Identity policies from one or many documents, dicts or JSON texts; never a trust policy."""
    from slr_fsm.policy_document import PolicyDocument  # the policy language, when first needed

    if isinstance(policies, str | Mapping | PolicyDocument):
        policies = [policies]  # one policy given on its own
    if not isinstance(policies, Iterable):
        raise UsageError(
            f"A principal's policies are documents, dicts or JSON texts, got {shown(policies)}"
        )
    docs = tuple(p if isinstance(p, PolicyDocument) else PolicyDocument.parse(p) for p in policies)
    if any(d.kind != "identity" for d in docs):
        raise UsageError(
            f"Principal {shown(name)} was given a trust policy; principals carry identity "
            "policies (a trust policy belongs to a role)."
        )
    return docs
