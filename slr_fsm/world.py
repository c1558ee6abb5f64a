"""The simulated world: accounts, organizations, principals, subscriptions, roles, tasks, clock.

:class:`World` holds all state and the background work AWS does as the clock runs (finishing a
creation, running a deletion task). It knows nothing of the faces (IAM API, console, STS) that
act on it; :class:`slr_fsm.simulation.Simulation` adds those on top. Methods whose names start
with ``_`` are for those faces: they change the world without the checks a face makes first.

Entities (roles, tasks, subscriptions, principals) are frozen values, replaced on change; the
containers holding them are the world's only mutable state, so :meth:`World.snapshot` can show
that a refused operation changed nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, Self, TypeVar, overload

import attrs

from slr_fsm.accounts import (
    ADMINISTRATOR_POLICY,
    READ_ONLY_POLICY,
    Account,
    Organization,
    Principal,
    ServicePrincipal,
)
from slr_fsm.clock import DEFAULT_START, MAX_SECONDS, Latencies, VirtualClock, checked_seconds
from slr_fsm.display import html_table
from slr_fsm.errors import AwsError, InvalidClientTokenId, UsageError
from slr_fsm.events import OK, Event, trace_to_jsonl
from slr_fsm.faults import Faults, UsageReporting
from slr_fsm.ids import IdGenerator
from slr_fsm.lifecycle import LIFECYCLE, GuardFacts, Lifecycle, Outcome, RoleState
from slr_fsm.policy import Decision, PolicyDocument, evaluate
from slr_fsm.refusals import access_denied
from slr_fsm.roles import Role
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS, RoleSpec
from slr_fsm.subscriptions import BILLING_REGION, Subscription, billing_integration_arn
from slr_fsm.tasks import DeletionStatus, DeletionTask, RoleUsage

__all__ = ["AccountLike", "EventLog", "PrincipalLike", "World"]

AccountLike = Account | str
"""An account given as its object or its 12-digit id."""
PrincipalLike = Principal | ServicePrincipal | str
"""A principal given as its object or its name (``"admin"``, ``"readonly"``, a service)."""

T = TypeVar("T")

SNAPSHOT_FORMAT = 1
MAX_ELAPSED = 2 * MAX_SECONDS
"""How far a world's clock may run (two thousand years), well inside ``datetime``'s range."""
_CONTAINERS = (
    "_accounts",
    "_organizations",
    "_principals",
    "_subscriptions",
    "_subscriptions_by_account",
    "_integrations",
    "_roles",
    "_tasks",
    "_open_tasks",
    "_pending",
)
"""The world's mutable containers; everything in them is a frozen value."""
_WORK_KINDS = frozenset({"finish_creation", "start_deletion", "finish_deletion", "purge_task"})
DEFAULT_REGIONS = ("us-east-1", "eu-west-1")


class _Pending(NamedTuple):
    """Background work due at ``due`` seconds; ``seq`` keeps same-time work in request order.

    A named tuple, not an attrs class: the heap compares these constantly."""

    due: float
    seq: int
    kind: str
    account_id: str
    role_name: str
    task_id: str | None = None
    fault: bool = False


class World:
    """All the simulation's state, and the work the clock runs. See ``Simulation`` for the API.

    Build an empty world and populate it, or start from :meth:`default`.
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        specs: Sequence[RoleSpec] = (MARKETPLACE_PURCHASE_ORDERS,),
        latencies: Latencies | None = None,
        faults: Faults | None = None,
        start: dt.datetime = DEFAULT_START,
        lifecycle: Lifecycle = LIFECYCLE,
    ) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise UsageError(f"seed must be an int, got {seed!r}")
        if not specs or not all(isinstance(s, RoleSpec) for s in specs):
            raise UsageError(f"specs must be a non-empty sequence of RoleSpec, got {specs!r}")
        if latencies is not None and not isinstance(latencies, Latencies):
            raise UsageError(f"latencies must be a Latencies value, got {latencies!r}")
        if faults is not None and not isinstance(faults, Faults):
            raise UsageError(f"faults must be a Faults value, got {faults!r}")
        if not isinstance(start, dt.datetime) or start.tzinfo is None:
            raise UsageError(f"start must be a timezone-aware datetime, got {start!r}")
        if not isinstance(lifecycle, Lifecycle):
            raise UsageError(f"lifecycle must be a Lifecycle, got {lifecycle!r}")
        self.seed = seed
        self.specs: tuple[RoleSpec, ...] = tuple(specs)
        self.latencies = latencies or Latencies()
        self.faults = faults or Faults()
        self.lifecycle = lifecycle
        self.clock = VirtualClock(start=start)
        self.ids = IdGenerator(seed=seed)
        self._accounts: dict[str, Account] = {}
        self._organizations: dict[str, Organization] = {}
        self._principals: dict[tuple[str, str], Principal] = {}
        self._subscriptions: dict[str, Subscription] = {}
        self._subscriptions_by_account: dict[str, tuple[str, ...]] = {}
        self._integrations: set[str] = set()
        self._roles: dict[tuple[str, str], Role] = {}
        self._tasks: dict[str, DeletionTask] = {}
        self._open_tasks: dict[tuple[str, str], str] = {}
        self._pending: list[_Pending] = []
        self._pending_seq = 0
        self._log: list[Event] = []
        self._spec_by_service = {s.service_principal: s for s in self.specs}
        self._spec_by_role_name = {s.role_name.lower(): s for s in self.specs}

    # ----------------------------------------------------------------- building a world

    @classmethod
    def default(
        cls,
        seed: int = 0,
        *,
        latencies: Latencies | None = None,
        lifecycle: Lifecycle = LIFECYCLE,
    ) -> Self:
        """A ready world: an organization (management account and two members), a standalone
        account, ``admin`` and ``readonly`` principals in each, and one subscription per account
        in each of two Regions.

        >>> from slr_fsm import Simulation
        >>> sim = Simulation.default(seed=0)
        >>> [a.name for a in sim.accounts]
        ['management', 'member-a', 'member-b', 'standalone']
        """
        world = cls(seed, latencies=latencies, lifecycle=lifecycle)
        world.add_organization(
            Account("111122223333", "management"),
            [Account("444455556666", "member-a"), Account("777788889999", "member-b")],
        )
        world.add_account(Account("123456789012", "standalone"))
        for account in world.accounts:
            for region in DEFAULT_REGIONS:
                world.add_subscription(account, region, f"Analytics suite ({region})")
        return world

    def add_account(self, account: Account | str, name: str = "") -> Account:
        """Add a standalone account (in no organization), with ``admin`` and ``readonly``."""
        if isinstance(account, str):
            account = Account(account, name)
        self._claim_account_id(account.account_id)
        account = attrs.evolve(account, organization_id=None)
        self._register(account)
        return account

    def add_organization(
        self,
        management: Account | str,
        members: Iterable[Account | str] = (),
        *,
        organization_id: str | None = None,
    ) -> Organization:
        """Add an organization with its management account and member accounts."""
        accounts = [a if isinstance(a, Account) else Account(a) for a in (management, *members)]
        for account in accounts:
            self._claim_account_id(account.account_id)
        if len({a.account_id for a in accounts}) != len(accounts):
            raise UsageError("An account can appear only once in an organization.")
        org_id = organization_id or self.ids.short("o-")
        accounts = [attrs.evolve(a, organization_id=org_id) for a in accounts]
        organization = Organization(org_id, accounts[0], tuple(accounts[1:]))
        self._organizations[org_id] = organization
        for account in accounts:
            self._register(account)
        return organization

    def add_principal(
        self,
        account: AccountLike,
        name: str,
        policies: Iterable[PolicyDocument | Mapping[str, Any] | str]
        | PolicyDocument
        | Mapping[str, Any]
        | str = (),
    ) -> Principal:
        """Add an IAM user with identity policies (documents, dicts or JSON text).

        >>> from slr_fsm import Simulation
        >>> sim = Simulation.default()
        >>> p = sim.add_principal(sim.standalone_accounts[0], "auditor", [
        ...     {"Version": "2012-10-17",
        ...      "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]}])
        >>> p.arn
        'arn:aws:iam::123456789012:user/auditor'
        """
        acct = self.account(account)
        if not isinstance(name, str) or not name:
            raise UsageError(f"A principal needs a non-empty name, got {name!r}")
        if (acct.account_id, name) in self._principals:
            raise UsageError(f"Account {acct.account_id} already has a principal named {name!r}.")
        if isinstance(policies, str | Mapping | PolicyDocument):
            policies = [policies]  # one policy given on its own
        docs = tuple(
            p if isinstance(p, PolicyDocument) else PolicyDocument.parse(p) for p in policies
        )
        if any(d.kind != "identity" for d in docs):
            raise UsageError(
                f"Principal {name!r} was given a trust policy; principals carry identity policies "
                "(a trust policy belongs to a role)."
            )
        principal = Principal(name, acct.account_id, docs)
        self._principals[(acct.account_id, name)] = principal
        return principal

    def add_subscription(
        self, account: AccountLike, region: str, product: str, subscription_id: str | None = None
    ) -> Subscription:
        """Add a Marketplace subscription in an account and Region, with no purchase orders."""
        acct = self.account(account)
        for name, value in (("region", region), ("product", product)):
            if not isinstance(value, str) or not value:
                raise UsageError(f"A subscription's {name} is a non-empty string, got {value!r}")
        if subscription_id is not None and not isinstance(subscription_id, str):
            raise UsageError(f"subscription_id is a string, got {subscription_id!r}")
        sub_id = subscription_id or self.ids.short("agmt-", 16)
        if sub_id in self._subscriptions:
            raise UsageError(f"Subscription {sub_id!r} already exists.")
        subscription = Subscription(sub_id, acct.account_id, region, product)
        self._subscriptions[sub_id] = subscription
        self._subscriptions_by_account[acct.account_id] = (
            *self._subscriptions_by_account.get(acct.account_id, ()),
            sub_id,
        )
        return subscription

    def _claim_account_id(self, account_id: object) -> None:
        if account_id in self._accounts:
            raise UsageError(f"Account {account_id} is already in this world.")

    def _register(self, account: Account) -> None:
        self._accounts[account.account_id] = account
        for name, policy in (("admin", ADMINISTRATOR_POLICY), ("readonly", READ_ONLY_POLICY)):
            self._principals[(account.account_id, name)] = Principal(
                name, account.account_id, (policy,)
            )

    # ----------------------------------------------------------------- reading the world

    @property
    def accounts(self) -> tuple[Account, ...]:
        """Every account, in the order it was added (an organization: management, then members)."""
        return tuple(self._accounts.values())

    @property
    def organizations(self) -> tuple[Organization, ...]:
        """Every organization in the world."""
        return tuple(self._organizations.values())

    @property
    def organization(self) -> Organization:
        """The world's organization (the first, if there are several)."""
        if not self._organizations:
            raise UsageError("This world has no organization; add one with add_organization().")
        return next(iter(self._organizations.values()))

    @property
    def standalone_accounts(self) -> tuple[Account, ...]:
        """Accounts that belong to no organization."""
        return tuple(a for a in self._accounts.values() if a.organization_id is None)

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        """Every Marketplace subscription, with the purchase orders attached now."""
        return tuple(self._subscriptions.values())

    @property
    def deletion_tasks(self) -> tuple[DeletionTask, ...]:
        """Every deletion task still known (finished ones too, until purged)."""
        return tuple(self._tasks.values())

    @property
    def trace(self) -> EventLog:
        """The event log, read-only: every attempt and every step the clock ran, in order."""
        return EventLog(self._log)

    def trace_jsonl(self) -> str:
        """The event log as JSON lines."""
        return trace_to_jsonl(self._log)

    @property
    def now(self) -> dt.datetime:
        """The current virtual time."""
        return self.clock.now()

    def account(self, account: AccountLike) -> Account:
        """The account for an id or object; a clear error for one not in this world."""
        found = self.find_account(account)
        if found is None:
            raise UsageError(
                f"No account {account!r} in this world; accounts are "
                f"{[a.account_id for a in self._accounts.values()]}."
            )
        return found

    def find_account(self, account: object) -> Account | None:
        if isinstance(account, Account):
            return self._accounts.get(account.account_id)
        if isinstance(account, str):
            return self._accounts.get(account)
        return None

    def caller(
        self, account: AccountLike, principal: PrincipalLike | None = None
    ) -> tuple[Account, Principal | ServicePrincipal]:
        """Resolve who is calling: an account and a principal in it (default: ``admin``).

        A principal is a :class:`Principal` of that account, its name, or a service principal
        name (``purchase-orders.marketplace.amazonaws.com``). An unknown account or principal is
        AWS's ``InvalidClientTokenId``: there are no credentials for it.
        """
        acct = self.find_account(account)
        if acct is None:
            raise InvalidClientTokenId(
                "The security token included in the request is invalid. "
                f"(slr_fsm: no account {account!r} in this world.)"
            )
        if principal is None:
            principal = "admin"
        if isinstance(principal, ServicePrincipal):
            return acct, principal
        if isinstance(principal, Principal):
            if self._principals.get((acct.account_id, principal.name)) != principal:
                raise InvalidClientTokenId(
                    "The security token included in the request is invalid. "
                    f"(slr_fsm: {principal.arn} is not a principal of account {acct.account_id}.)"
                )
            return acct, principal
        if isinstance(principal, str):
            found = self._principals.get((acct.account_id, principal))
            if found is not None:
                return acct, found
            if principal.lower().endswith(".amazonaws.com"):
                return acct, ServicePrincipal(principal.lower())
        names = sorted(self.principal_names(acct))
        raise InvalidClientTokenId(
            "The security token included in the request is invalid. "
            f"(slr_fsm: no principal {principal!r} in account {acct.account_id}; it has {names}.)"
        )

    def principal_names(self, account: AccountLike) -> tuple[str, ...]:
        """The names of an account's principals, in the order they were added."""
        account_id = self.account(account).account_id
        return tuple(name for (acct, name) in self._principals if acct == account_id)

    def spec_for_service(self, service_principal: str) -> RoleSpec | None:
        """The spec of this world for a service principal (exact: AWS's are lower-case)."""
        return self._spec_by_service.get(service_principal)

    def spec_for_role_name(self, role_name: str) -> RoleSpec | None:
        """The spec of this world whose role name matches (role names are case-insensitive)."""
        return self._spec_by_role_name.get(role_name.lower())

    def role(self, account: AccountLike, service: str | RoleSpec | None = None) -> Role:
        """The role in an account (``absent`` before it ever existed).

        ``service`` picks the spec by service principal; the default is the world's first spec.
        """
        acct = self.account(account)
        if service is None:
            spec = self.specs[0]
        elif isinstance(service, RoleSpec):
            spec = service
        else:
            found = self.spec_for_service(service) if isinstance(service, str) else None
            if found is None:
                raise UsageError(f"No role spec for service {service!r} in this world.")
            spec = found
        return self._role(acct.account_id, spec)

    def _role(self, account_id: str, spec: RoleSpec) -> Role:
        role = self._roles.get((account_id, spec.role_name))
        return role if role is not None else Role(spec, account_id)

    # ----------------------------------------------------------------- rules the faces share

    def integration_owner(self, account: AccountLike) -> str:
        """The account whose billing integration serves ``account``: its organization's
        management account, or itself when it is in no organization."""
        acct = self.account(account)
        if acct.organization_id is None:
            return acct.account_id
        return self._organizations[acct.organization_id].management_account.account_id

    def in_management_account_or_standalone(self, account: AccountLike) -> bool:
        """Whether the billing integration may be set up from this account (the seed's rule)."""
        return self.integration_owner(account) == self.account(account).account_id

    def integration_configured(self, owner: AccountLike) -> bool:
        """Whether the account has set up the AWS Billing integration itself."""
        return self.account(owner).account_id in self._integrations

    def purchase_orders_enabled(self, account: AccountLike) -> bool:
        """Whether purchase-order support is on for an account: the integration serving it is
        configured and its owner's role is usable by the service."""
        owner = self.integration_owner(account)
        if owner not in self._integrations:
            return False
        return self._role(owner, MARKETPLACE_PURCHASE_ORDERS).state.usable_by_service

    def served_accounts(self, owner: AccountLike) -> tuple[str, ...]:
        """The accounts whose purchase orders the owner's integration (and role) serve."""
        acct = self.account(owner)
        if acct.organization_id is None:
            return (acct.account_id,)
        org = self._organizations[acct.organization_id]
        if org.management_account.account_id != acct.account_id:
            return ()
        return tuple(a.account_id for a in org.accounts)

    def role_usage(
        self, account: AccountLike, spec: RoleSpec | None = None
    ) -> tuple[RoleUsage, ...]:
        """Resources that use the role now, per Region: what blocks its deletion."""
        account_id = self.account(account).account_id
        if (spec or self.specs[0]) != MARKETPLACE_PURCHASE_ORDERS:
            return ()
        by_region: dict[str, list[str]] = {}
        if account_id in self._integrations:
            by_region.setdefault(BILLING_REGION, []).append(billing_integration_arn(account_id))
        for served in self.served_accounts(account_id):
            for sub_id in self._subscriptions_by_account.get(served, ()):
                sub = self._subscriptions[sub_id]
                if sub.purchase_orders:
                    by_region.setdefault(sub.region, []).append(sub.arn)
        return tuple(RoleUsage(r, tuple(sorted(res))) for r, res in sorted(by_region.items()))

    def allowed(
        self,
        caller: Principal | ServicePrincipal,
        action: str,
        resource: str,
        context: Mapping[str, str] | None = None,
    ) -> Decision:
        """How the caller's identity policies decide ``action`` on ``resource``."""
        if isinstance(caller, ServicePrincipal):
            return Decision.IMPLICIT_DENY
        return evaluate(caller.policies, action, resource, context)

    def _authorize(
        self,
        caller: Principal | ServicePrincipal,
        action: str,
        resource: str,
        context: Mapping[str, str] | None = None,
    ) -> None:
        """Raise AccessDenied, in AWS's words, unless the caller's policies allow the action."""
        decision = self.allowed(caller, action, resource, context)
        if decision is not Decision.ALLOW:
            raise access_denied(caller, action, resource, decision)

    def _judge(self, role: Role, trigger: str, facts: GuardFacts) -> Outcome:
        """Judge a trigger for a role with the shared lifecycle; changes nothing."""
        return self.lifecycle.fire(role.state, trigger, facts)

    def _put_role(self, role: Role) -> None:
        """Store a role's new value."""
        self._roles[(role.account_id, role.spec.role_name)] = role

    def _put_subscription(self, subscription: Subscription) -> None:
        """Store a subscription's new value."""
        self._subscriptions[subscription.subscription_id] = subscription

    def find_subscription(self, subscription_id: str) -> Subscription | None:
        """A subscription by id, if it exists."""
        return self._subscriptions.get(subscription_id)

    def subscriptions_of(self, account: AccountLike) -> tuple[Subscription, ...]:
        """An account's subscriptions, in the order they were added."""
        account_id = self.account(account).account_id
        return tuple(
            self._subscriptions[s] for s in self._subscriptions_by_account.get(account_id, ())
        )

    def _set_integration(self, owner_account_id: str, configured: bool) -> None:
        """Turn an owner's billing integration on or off."""
        if configured:
            self._integrations.add(owner_account_id)
        else:
            self._integrations.discard(owner_account_id)

    def task(self, task_id: str) -> DeletionTask | None:
        """A deletion task by id, if still known."""
        return self._tasks.get(task_id)

    def _open_task(self, account_id: str, role_name: str) -> DeletionTask | None:
        """The role's unfinished deletion task, if any."""
        task_id = self._open_tasks.get((account_id, role_name))
        return None if task_id is None else self._tasks[task_id]

    def _put_task(self, task: DeletionTask) -> None:
        """Store a deletion task's new value (and keep the index of unfinished ones)."""
        self._tasks[task.task_id] = task
        key = (task.account_id, task.role_name)
        if task.status.finished:
            if self._open_tasks.get(key) == task.task_id:
                del self._open_tasks[key]
        else:
            self._open_tasks[key] = task.task_id

    def _schedule(
        self,
        delay: float,
        kind: str,
        account_id: str,
        role_name: str,
        *,
        task_id: str | None = None,
        fault: bool = False,
    ) -> None:
        """Queue background work ``delay`` seconds from now."""
        self._pending_seq += 1
        heapq.heappush(
            self._pending,
            _Pending(
                self.clock.elapsed + delay,
                self._pending_seq,
                kind,
                account_id,
                role_name,
                task_id,
                fault,
            ),
        )

    def _take_creation_fault(self) -> bool:
        """Consume one planned creation failure, if any is planned."""
        if self.faults.creation_failures > 0:
            self.faults = attrs.evolve(
                self.faults, creation_failures=self.faults.creation_failures - 1
            )
            return True
        return False

    def _begin_role_creation(
        self, account_id: str, spec: RoleSpec, description: str | None
    ) -> Role:
        """Create the role in ``creating`` with a new RoleId, and schedule its completion.

        Callers judge the ``create`` trigger first; this only applies an accepted one.
        """
        old = self._role(account_id, spec)
        history = old.previous_role_ids + ((old.role_id,) if old.role_id else ())
        role = Role(
            spec,
            account_id,
            RoleState.CREATING,
            self.ids.role_id(),
            self.clock.now(),
            description or None,
            history,
        )
        self._put_role(role)
        self._schedule(
            self.latencies.creation,
            "finish_creation",
            account_id,
            spec.role_name,
            fault=self._take_creation_fault(),
        )
        return role

    def _submit_deletion(self, account_id: str, spec: RoleSpec) -> DeletionTask:
        """Submit a deletion task for the role, or return its unfinished one (as AWS does)."""
        open_task = self._open_task(account_id, spec.role_name)
        if open_task is not None:
            return open_task
        task = DeletionTask(
            spec.deletion_task_prefix() + self.ids.uuid(),
            account_id,
            spec.role_name,
            DeletionStatus.NOT_STARTED,
            self.clock.now(),
        )
        self._put_task(task)
        start = self.latencies.deletion_start
        self._schedule(start, "start_deletion", account_id, spec.role_name, task_id=task.task_id)
        self._schedule(
            start + self.latencies.deletion_run,
            "finish_deletion",
            account_id,
            spec.role_name,
            task_id=task.task_id,
        )
        return task

    def inject_creation_failure(self, count: int = 1) -> None:
        """Make the next ``count`` role creations requested fail with ServiceFailure.

        >>> from slr_fsm import Simulation
        >>> sim = Simulation.default()
        >>> sim.inject_creation_failure()
        >>> sim.faults.creation_failures
        1
        """
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise UsageError(f"count must be an int >= 0, got {count!r}")
        self.faults = attrs.evolve(
            self.faults, creation_failures=self.faults.creation_failures + count
        )

    def set_usage_reporting(self, mode: UsageReporting | str) -> None:
        """Choose how much of the resources in use failed deletions report: all, some or none."""
        self.faults = attrs.evolve(self.faults, usage_reporting=mode)

    def _attempt(
        self,
        account: Account,
        caller: Principal | ServicePrincipal,
        operation: str,
        parameters: Mapping[str, Any],
        role_account_id: str,
        body: Callable[[], T],
        spec: RoleSpec | None = None,
    ) -> T:
        """Run one attempt and log it, accepted or refused; refusals are re-raised.

        The log records the state of ``spec``'s role (default: the world's first spec) in
        ``role_account_id``. Work that falls due at once (zero latencies) runs right after an
        accepted attempt, before the caller sees the result.
        """
        key = (role_account_id, (spec or self.specs[0]).role_name)
        before = self._state_of(key)
        parameters = _loggable(parameters)
        try:
            result = body()
        except AwsError as error:
            self._append(
                account.account_id,
                caller.name,
                operation,
                parameters,
                error.code,
                error.message,
                role_account_id,
                before,
                before,
            )
            raise
        self._append(
            account.account_id,
            caller.name,
            operation,
            parameters,
            OK,
            None,
            role_account_id,
            before,
            self._state_of(key),
        )
        self._run_due(self.clock.elapsed)
        return result

    def _state_of(self, key: tuple[str, str]) -> RoleState:
        role = self._roles.get(key)
        return RoleState.ABSENT if role is None else role.state

    def _append(
        self,
        account_id: str,
        principal: str,
        operation: str,
        parameters: Mapping[str, Any],
        outcome: str,
        message: str | None,
        role_account_id: str,
        before: RoleState,
        after: RoleState,
    ) -> None:
        self._log.append(
            Event(
                len(self._log),
                self.clock.now(),
                account_id,
                principal,
                operation,
                dict(parameters),
                outcome,
                message,
                role_account_id,
                before,
                after,
            )
        )

    # ----------------------------------------------------------------- the clock runs

    def advance(self, seconds: float) -> tuple[Event, ...]:
        """Move the clock forward, running the background work that falls due; return its log.

        >>> from slr_fsm import Simulation
        >>> sim = Simulation.default()
        >>> sim.advance(60)
        ()
        """
        first = len(self._log)
        target = self.clock.elapsed + checked_seconds(seconds)
        if target > MAX_ELAPSED:
            raise UsageError(
                f"advance({seconds!r}) would take the clock past {MAX_ELAPSED:.0f} seconds, "
                "the furthest a simulation runs."
            )
        self._run_due(target)
        self.clock.elapsed = target
        return tuple(self._log[first:])

    def settle(self) -> tuple[Event, ...]:
        """Run the clock until no background work is left; return what ran."""
        first = len(self._log)
        while self._pending:
            self._run_due(self._pending[0].due)
        return tuple(self._log[first:])

    @property
    def pending_work(self) -> int:
        """How many pieces of background work are queued."""
        return len(self._pending)

    def _run_due(self, until: float) -> None:
        while self._pending and self._pending[0].due <= until:
            work = heapq.heappop(self._pending)
            self.clock.elapsed = max(self.clock.elapsed, work.due)
            self._work[work.kind](self, work)

    def _log_work(
        self,
        work: _Pending,
        operation: str,
        outcome: str,
        message: str | None,
        before: RoleState,
        after: RoleState,
        **parameters: Any,
    ) -> None:
        spec = self._spec_by_role_name[work.role_name.lower()]
        self._append(
            work.account_id,
            spec.service_principal,
            operation,
            parameters,
            outcome,
            message,
            work.account_id,
            before,
            after,
        )

    def _run_finish_creation(self, work: _Pending) -> None:
        spec = self._spec_by_role_name[work.role_name.lower()]
        role = self._role(work.account_id, spec)
        outcome = self._judge(role, "finish_creation", GuardFacts(creation_fault=work.fault))
        if outcome.after is RoleState.ACTIVE:
            self._put_role(attrs.evolve(role, state=RoleState.ACTIVE))
            self._log_work(work, "finish_creation", OK, None, role.state, RoleState.ACTIVE)
            return
        self._put_role(  # nothing was created: the failed RoleId joins no history
            attrs.evolve(
                role, state=outcome.after, role_id=None, create_date=None, description=None
            )
        )
        if spec == MARKETPLACE_PURCHASE_ORDERS:
            self._set_integration(work.account_id, False)
        self._log_work(
            work,
            "finish_creation",
            "ServiceFailure",
            "The service failed to create the role; nothing was created.",
            role.state,
            outcome.after,
        )

    def _run_start_deletion(self, work: _Pending) -> None:
        task = self._tasks.get(work.task_id or "")
        if task is None or task.status is not DeletionStatus.NOT_STARTED:
            return
        self._put_task(attrs.evolve(task, status=DeletionStatus.IN_PROGRESS))
        state = self._state_of((work.account_id, work.role_name))
        self._log_work(work, "start_deletion", OK, None, state, state, DeletionTaskId=task.task_id)

    def _run_finish_deletion(self, work: _Pending) -> None:
        task = self._tasks.get(work.task_id or "")
        if task is None or task.status.finished:
            return
        spec = self._spec_by_role_name[work.role_name.lower()]
        role = self._role(work.account_id, spec)
        usage = self.role_usage(work.account_id, spec)
        outcome = self._judge(role, "finish_deletion", GuardFacts(resources_in_use=bool(usage)))
        now = self.clock.now()
        if outcome.after is RoleState.DELETED:
            self._put_role(attrs.evolve(role, state=RoleState.DELETED))
            self._put_task(attrs.evolve(task, status=DeletionStatus.SUCCEEDED, finished_at=now))
            self._log_work(
                work,
                "finish_deletion",
                OK,
                None,
                role.state,
                outcome.after,
                DeletionTaskId=task.task_id,
                Status="SUCCEEDED",
            )
        else:
            self._put_role(attrs.evolve(role, state=outcome.after))
            reason = (
                f"{spec.role_name} is still used by {spec.service_principal} resources; "
                "clean them up and request the deletion again."
            )
            self._put_task(
                attrs.evolve(
                    task,
                    status=DeletionStatus.FAILED,
                    finished_at=now,
                    reason=reason,
                    role_usage=self._reported(usage),
                )
            )
            self._log_work(
                work,
                "finish_deletion",
                DeletionStatus.FAILED.value,
                reason,
                role.state,
                outcome.after,
                DeletionTaskId=task.task_id,
                Status="FAILED",
            )
        if self.latencies.task_retention is not None:
            self._schedule(
                self.latencies.task_retention,
                "purge_task",
                work.account_id,
                work.role_name,
                task_id=task.task_id,
            )

    def _reported(self, usage: tuple[RoleUsage, ...]) -> tuple[RoleUsage, ...]:
        mode = self.faults.usage_reporting
        if mode is UsageReporting.ALL:
            return usage
        if mode is UsageReporting.NONE:
            return ()
        flat = [(u.region, r) for u in usage for r in u.resources]
        kept = flat[: (len(flat) + 1) // 2]
        regions: dict[str, list[str]] = {}
        for region, resource in kept:
            regions.setdefault(region, []).append(resource)
        return tuple(RoleUsage(r, tuple(res)) for r, res in regions.items())

    def _run_purge_task(self, work: _Pending) -> None:
        self._tasks.pop(work.task_id or "", None)

    _work: dict[str, Callable[[World, _Pending], None]] = {
        "finish_creation": _run_finish_creation,
        "start_deletion": _run_start_deletion,
        "finish_deletion": _run_finish_deletion,
        "purge_task": _run_purge_task,
    }

    def _pending_order(self) -> tuple[tuple[int, str, str, bool], ...]:
        """Pending work as ``(group, kind, account, doomed)`` in run order; work due at the same
        moment shares a group (it runs in one step of the clock)."""
        order: list[tuple[int, str, str, bool]] = []
        group, last_due = -1, None
        for work in sorted(self._pending):
            if work.due != last_due:
                group, last_due = group + 1, work.due
            order.append((group, work.kind, work.account_id, work.fault))
        return tuple(order)

    def run_next(self) -> tuple[Event, ...]:
        """Move the clock to the next piece of pending work and run what is due then; return
        the log of what ran (nothing if no work is pending)."""
        first = len(self._log)
        if self._pending:
            self._run_due(self._pending[0].due)
        return tuple(self._log[first:])

    def fork(self) -> Self:
        """An independent copy of the world as it is now (with an empty event log).

        Entities are frozen values, so the copy shares them and only its containers are new:
        much cheaper than ``restore(snapshot())``, which it equals.

        >>> from slr_fsm import Simulation
        >>> sim = Simulation.default()
        >>> twin = sim.fork()
        >>> _ = twin.marketplace("111122223333").configure_billing_integration()
        >>> sim.role("111122223333").state.value, twin.role("111122223333").state.value
        ('absent', 'creating')
        """
        twin = copy.copy(self)
        twin.clock = VirtualClock(self.clock.start, self.clock.elapsed)
        twin.ids = IdGenerator(self.ids.seed, self.ids.counter)
        for name in _CONTAINERS:
            setattr(twin, name, getattr(self, name).copy())
        twin._log = []
        return twin

    def same_state(self, other: World) -> bool:
        """Whether two worlds are in the same state, event log aside: same entities, clock, ids,
        faults and pending work (what decides their future), without building snapshots."""
        return (
            self.clock == other.clock
            and self.ids == other.ids
            and self.faults == other.faults
            and all(getattr(self, n) == getattr(other, n) for n in _CONTAINERS)
        )

    def abstract_state(self) -> tuple[Any, ...]:
        """What decides how the world behaves from now on, ids and times aside: each role's
        state, the integrations, the purchase orders, the unfinished deletion tasks' statuses,
        the pending work in the order it will run (simultaneous work grouped, doomed creations
        marked), and the planned faults. Equal for worlds that differ only in ids, timestamps,
        descriptions, finished tasks, or how long until each piece of pending work is due."""
        open_tasks = tuple(
            sorted(
                (key, self._tasks[task_id].status.value)
                for key, task_id in self._open_tasks.items()
            )
        )
        return (
            tuple(sorted((key, role.state.value) for key, role in self._roles.items())),
            tuple(sorted(self._integrations)),
            tuple(
                (s.subscription_id, s.purchase_orders)
                for s in self._subscriptions.values()
                if s.purchase_orders
            ),
            open_tasks,
            self._pending_order(),
            (self.faults.creation_failures, self.faults.usage_reporting.value),
        )

    @property
    def pending(self) -> tuple[tuple[float, str, str], ...]:
        """Background work queued, in the order it will run: ``(due, kind, account_id)``."""
        return tuple((p.due, p.kind, p.account_id) for p in sorted(self._pending))

    # ----------------------------------------------------------------- snapshot and restore

    def snapshot(self) -> dict[str, Any]:
        """The whole world's state as plain JSON data (the event log apart).

        >>> from slr_fsm import Simulation
        >>> sim = Simulation.default(seed=3)
        >>> Simulation.restore(sim.snapshot()).snapshot() == sim.snapshot()
        True
        """
        return {
            "format": SNAPSHOT_FORMAT,
            "seed": self.seed,
            "specs": [attrs.asdict(s) for s in self.specs],
            "clock": {"start": self.clock.start.isoformat(), "elapsed": self.clock.elapsed},
            "ids": self.ids.counter,
            "latencies": attrs.asdict(self.latencies),
            "faults": {
                "creation_failures": self.faults.creation_failures,
                "usage_reporting": self.faults.usage_reporting.value,
            },
            "organizations": [
                {"id": o.organization_id, "accounts": [[a.account_id, a.name] for a in o.accounts]}
                for o in self._organizations.values()
            ],
            "standalone_accounts": [[a.account_id, a.name] for a in self.standalone_accounts],
            "account_order": list(self._accounts),
            "principals": [
                p.to_json_value()
                for _, p in sorted(self._principals.items())
                if p.policies != _DEFAULT_POLICIES.get(p.name)
            ],
            "subscriptions": [
                [s.subscription_id, s.account_id, s.region, s.product, list(s.purchase_orders)]
                for s in self._subscriptions.values()
            ],
            "integrations": sorted(self._integrations),
            "roles": [r.to_json_value() for _, r in sorted(self._roles.items())],
            "tasks": [t.to_json_value() for t in self._tasks.values()],
            "pending": [list(p) for p in sorted(self._pending)],
            "pending_seq": self._pending_seq,
        }

    @classmethod
    def restore(cls, snapshot: Mapping[str, Any], *, lifecycle: Lifecycle = LIFECYCLE) -> Self:
        """A new world in exactly the state a :meth:`snapshot` recorded (with an empty log),
        run by ``lifecycle`` (the standard one unless you are testing a variant)."""
        try:
            return cls._restore(snapshot, lifecycle)
        except UsageError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
            raise UsageError(
                f"Not a slr_fsm snapshot ({type(error).__name__}: {error}); pass a value returned "
                "by sim.snapshot(), unchanged (a JSON round trip is fine)."
            ) from None

    @classmethod
    def _restore(cls, snap: Mapping[str, Any], lifecycle: Lifecycle) -> Self:
        if not isinstance(snap, Mapping) or snap.get("format") != SNAPSHOT_FORMAT:
            raise UsageError("Not a slr_fsm snapshot: its 'format' is missing or unknown.")
        specs = [RoleSpec(**fields) for fields in snap["specs"]]
        faults = Faults(
            snap["faults"]["creation_failures"], UsageReporting(snap["faults"]["usage_reporting"])
        )
        world = cls(
            snap["seed"],
            specs=specs,
            latencies=Latencies(**snap["latencies"]),
            faults=faults,
            start=dt.datetime.fromisoformat(snap["clock"]["start"]),
            lifecycle=lifecycle,
        )
        world.clock.elapsed = float(snap["clock"]["elapsed"])
        for org in snap["organizations"]:
            accounts = [Account(a, n) for a, n in org["accounts"]]
            world.add_organization(accounts[0], accounts[1:], organization_id=org["id"])
        for account_id, name in snap["standalone_accounts"]:
            world.add_account(Account(account_id, name))
        world._accounts = {a: world._accounts[a] for a in snap["account_order"]}
        for p in snap["principals"]:
            world._principals.pop((p["account_id"], p["name"]), None)
            world.add_principal(p["account_id"], p["name"], p["policies"])
        for sub_id, account_id, region, product, pos in snap["subscriptions"]:
            sub = world.add_subscription(account_id, region, product, sub_id)
            world._put_subscription(attrs.evolve(sub, purchase_orders=tuple(pos)))
        world._integrations = set(snap["integrations"])
        for r in snap["roles"]:
            spec = world.spec_for_service(r["service"])
            if spec is None:
                raise UsageError(f"The snapshot's role names an unknown service: {r['service']!r}")
            created = r["create_date"]
            world._put_role(
                Role(
                    spec,
                    r["account_id"],
                    RoleState(r["state"]),
                    r["role_id"],
                    None if created is None else dt.datetime.fromisoformat(created),
                    r["description"],
                    tuple(r["previous_role_ids"]),
                )
            )
        for t in snap["tasks"]:
            finished = t["finished_at"]
            world._put_task(
                DeletionTask(
                    t["task_id"],
                    t["account_id"],
                    t["role_name"],
                    DeletionStatus(t["status"]),
                    dt.datetime.fromisoformat(t["submitted_at"]),
                    None if finished is None else dt.datetime.fromisoformat(finished),
                    t["reason"],
                    tuple(RoleUsage(region, tuple(res)) for region, res in t["role_usage"]),
                )
            )
        world._pending = [_Pending(*p) for p in snap["pending"]]
        if any(p.kind not in _WORK_KINDS for p in world._pending):
            raise UsageError("The snapshot's pending work names an unknown kind of work.")
        heapq.heapify(world._pending)
        world._pending_seq = int(snap["pending_seq"])
        world.ids.counter = int(snap["ids"])
        return world


class EventLog(Sequence[Event]):
    """A read-only view of the event log (no copy is made); a table in Jupyter."""

    __slots__ = ("_events",)

    def __init__(self, events: list[Event]) -> None:
        self._events = events

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | Sequence[Event]:
        if isinstance(index, slice):
            return tuple(self._events[index])
        return self._events[index]

    def __len__(self) -> int:
        return len(self._events)

    def __repr__(self) -> str:
        return f"<EventLog of {len(self._events)} events>"

    def __str__(self) -> str:
        return "\n".join(event.describe() for event in self._events)

    def _repr_html_(self) -> str:
        return html_table(
            ["#", "time", "account", "principal", "operation", "outcome", "role"],
            [
                [
                    e.seq,
                    f"{e.time:%H:%M:%S}",
                    e.account_id,
                    e.principal,
                    e.operation,
                    e.outcome,
                    e.state_change,
                ]
                for e in self._events
            ],
        )


def _loggable(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as the log keeps them: JSON scalars as given, anything else as its repr."""
    return {
        str(k): v if isinstance(v, str | int | float | bool | None) else repr(v)
        for k, v in parameters.items()
    }


_DEFAULT_POLICIES = {"admin": (ADMINISTRATOR_POLICY,), "readonly": (READ_ONLY_POLICY,)}
