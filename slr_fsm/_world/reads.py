"""What a world answers about itself: accounts, roles, subscriptions, tasks, the log.

:class:`WorldReads` is the read side of :class:`slr_fsm.world.World`; every read takes the world's
lock, so it sees a state between two attempts, never one half-way through.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from slr_fsm._world.catalogue import Catalogue
from slr_fsm._world.directory import AccountLike, Caller, Directory, PrincipalLike
from slr_fsm._world.journal import Journal, locked
from slr_fsm._world.role_ops import RoleOps
from slr_fsm._world.state import WorldState
from slr_fsm.accounts import Account, Organization
from slr_fsm.clock import VirtualClock
from slr_fsm.errors import UsageError
from slr_fsm.events import EventLog
from slr_fsm.faults import Faults
from slr_fsm.ids import IdGenerator
from slr_fsm.lifecycle import RoleState
from slr_fsm.roles import Role
from slr_fsm.shown import shown
from slr_fsm.specs import RoleSpec
from slr_fsm.usage import PurchaseOrderUsage, UsageContext, UsageModel

if TYPE_CHECKING:  # tasks and subscriptions load when first used
    from slr_fsm.subscriptions import Subscription
    from slr_fsm.tasks import DeletionTask, RoleUsage

__all__ = ["WorldReads"]


class WorldReads:
    """The read side of a world: lookups and views of its state, each under the world's lock."""

    _catalogue: Catalogue
    _state: WorldState
    _journal: Journal
    _directory: Directory
    _roles: RoleOps

    # ----------------------------------------------------------------- reading the world

    @property
    def specs(self) -> tuple[RoleSpec, ...]:
        """The service-linked roles this world simulates."""
        return self._catalogue.specs

    @property
    @locked
    def clock(self) -> VirtualClock:
        """A copy of the virtual clock as it is now (move the world's with :meth:`advance`)."""
        return attrs.evolve(self._state.clock)

    @property
    @locked
    def ids(self) -> IdGenerator:
        """A copy of the seeded id generator as it is now (its counter says how many ids the
        world has drawn)."""
        return attrs.evolve(self._state.ids)

    @property
    def faults(self) -> Faults:
        """The faults planned."""
        return self._state.faults

    @property
    @locked
    def accounts(self) -> tuple[Account, ...]:
        """Every account, in the order it was added (an organization: management, then members)."""
        return tuple(self._state.accounts.values())

    @property
    @locked
    def organizations(self) -> tuple[Organization, ...]:
        """Every organization in the world."""
        return tuple(self._state.organizations.values())

    @property
    def organization(self) -> Organization:
        """The world's organization (the first, if there are several)."""
        if not self.organizations:
            raise UsageError("This world has no organization; add one with add_organization().")
        return self.organizations[0]

    @property
    def standalone_accounts(self) -> tuple[Account, ...]:
        """Accounts that belong to no organization."""
        return tuple(a for a in self.accounts if a.organization_id is None)

    @property
    @locked
    def subscriptions(self) -> tuple[Subscription, ...]:
        """Every Marketplace subscription, with the purchase orders attached now."""
        return tuple(self._with_orders(s) for s in self._state.subscriptions.values())

    @locked
    def subscriptions_of(self, account: AccountLike) -> tuple[Subscription, ...]:
        """An account's subscriptions (with their purchase orders), in the order added."""
        return tuple(self._with_orders(s) for s in self._directory.subscriptions_of(account))

    @locked
    def find_subscription(self, subscription_id: str) -> Subscription | None:
        """A subscription by id (with its purchase orders), if it exists."""
        found = self._directory.find_subscription(subscription_id)
        return None if found is None else self._with_orders(found)

    def _with_orders(self, sub: Subscription) -> Subscription:
        model = self._purchase_order_model()
        if model is None:
            return sub
        orders = model.attached(self.usage_context(model.spec), sub.subscription_id)
        return attrs.evolve(sub, purchase_orders=orders) if orders else sub

    @property
    @locked
    def deletion_tasks(self) -> tuple[DeletionTask, ...]:
        """Every deletion task still known (finished ones too, until purged)."""
        return tuple(self._state.tasks.values())

    @locked
    def task(self, task_id: str) -> DeletionTask | None:
        """A deletion task by id, if still known."""
        return self._roles.task(task_id)

    @property
    def population_changes(self) -> int:
        """A count that grows whenever the world's accounts, organizations or principals
        change (never otherwise read): what was built from them stays right while it stands
        still. A fork or a restored world counts afresh; it is a different world.

        >>> from slr_fsm import Simulation
        >>> sim = Simulation.default()
        >>> before = sim.population_changes
        >>> _ = sim.add_principal("111122223333", "auditor")
        >>> sim.population_changes > before
        True
        """
        return self._directory.changes

    @property
    def events_logged(self) -> int:
        """How many events the log holds: ``len(sim.trace)`` without making the log's view."""
        return len(self._journal.events)

    @property
    def trace(self) -> EventLog:
        """The event log, read-only: every attempt and every step the clock ran, in order."""
        return EventLog(self._journal.events)

    def trace_jsonl(self) -> str:
        """The event log as JSON lines."""
        return self.trace.jsonl()

    @property
    @locked
    def now(self) -> dt.datetime:
        """The current virtual time."""
        return self._state.clock.now()

    @locked
    def account(self, account: AccountLike) -> Account:
        """The account for an id or object; a clear error for one not in this world."""
        return self._directory.account(account)

    @locked
    def find_account(self, account: object) -> Account | None:
        """The account for an id or object, or ``None``."""
        return self._directory.find_account(account)

    @locked
    def caller(
        self, account: AccountLike, principal: PrincipalLike | None = None
    ) -> tuple[Account, Caller]:
        """Resolve who is calling: an account and a principal in it (default: ``admin``); an
        unknown one is AWS's ``InvalidClientTokenId`` (there are no credentials for it)."""
        return self._directory.caller(account, principal)

    @locked
    def principal_names(self, account: AccountLike) -> tuple[str, ...]:
        """The names of an account's principals, in the order they were added."""
        return self._directory.principal_names(account)

    def spec_for_service(self, service_principal: str) -> RoleSpec | None:
        """The spec of this world for a service principal (exact: AWS's are lower-case)."""
        return self._catalogue.by_service(service_principal)

    def spec_for_role_name(self, role_name: str) -> RoleSpec | None:
        """The spec of this world whose role name matches (role names are case-insensitive)."""
        return self._catalogue.by_role_name(role_name)

    @locked
    def role(self, account: AccountLike, service: str | RoleSpec | None = None) -> Role:
        """The role in an account (``absent`` before it ever existed). ``service`` picks the
        spec (by service principal or spec); it may be left out when the world has one spec."""
        spec = self._catalogue.resolve(service)
        return self._roles.role(self._directory.account(account).account_id, spec)

    @locked
    def known_roles(self) -> tuple[Role, ...]:
        """Every role with a record (requested at least once), whatever its state: the roles a
        check must look at, in time independent of how many accounts the world has."""
        return tuple(self._state.roles.values())

    @locked
    def integration_owners(self) -> tuple[str, ...]:
        """The accounts that have set up the AWS Billing integration themselves."""
        model = self._purchase_order_model()
        if model is None:
            return ()
        return tuple(model.owners(self._roles.contexts[model.spec]))

    @locked
    def roles(self, account: AccountLike) -> tuple[Role, ...]:
        """Every simulated role in an account: one per spec, in spec order, then the roles
        created with a CustomSuffix, by name (found by a scan, only in worlds with a spec that
        allows a suffix)."""
        account_id = self._directory.account(account).account_id
        plain = tuple(self._roles.role(account_id, spec) for spec in self.specs)
        if not self._catalogue.allows_suffixes:
            return plain
        suffixed = (
            role
            for role in self._state.roles.values()
            if role.account_id == account_id and role.spec.custom_suffix is not None
        )
        return plain + tuple(sorted(suffixed, key=lambda role: role.name.lower()))

    @locked
    def role_usage(
        self, account: AccountLike, spec: RoleSpec | None = None
    ) -> tuple[RoleUsage, ...]:
        """Resources that use the role now, per Region: what blocks its deletion."""
        account_id = self._directory.account(account).account_id
        return self._roles.usage(account_id, self._catalogue.resolve(spec))

    # ----------------------------------------------------------------- the Marketplace's rules

    @locked
    def integration_owner(self, account: AccountLike) -> str:
        """The account whose billing integration serves ``account``: its organization's
        management account, or itself when it is in no organization."""
        return self._directory.integration_owner(account)

    @locked
    def in_management_account_or_standalone(self, account: AccountLike) -> bool:
        """Whether the billing integration may be set up from this account (the seed's rule)."""
        return self.integration_owner(account) == self.account(account).account_id

    @locked
    def served_accounts(self, owner: AccountLike) -> tuple[str, ...]:
        """The accounts whose purchase orders the owner's integration (and role) serve."""
        return self._directory.served_accounts(owner)

    @locked
    def integration_configured(self, owner: AccountLike) -> bool:
        """Whether the account has set up the AWS Billing integration itself."""
        model = self._purchase_order_model()
        owner_id = self.account(owner).account_id
        return model is not None and model.integration_configured(
            self.usage_context(model.spec), owner_id
        )

    @locked
    def purchase_orders_enabled(self, account: AccountLike) -> bool:
        """Whether purchase-order support is on for an account (its integration is configured
        and the integration owner's role is usable by the service)."""
        model = self._purchase_order_model()
        account_id = self.account(account).account_id
        return model is not None and model.enabled(self.usage_context(model.spec), account_id)

    def _purchase_order_model(self) -> PurchaseOrderUsage | None:
        for spec in self.specs:
            model = self._catalogue.usage_model(spec)
            if isinstance(model, PurchaseOrderUsage):
                return model
        return None

    def usage_model(self, spec: RoleSpec) -> UsageModel:
        """The usage model of one of this world's role specs."""
        return self._catalogue.usage_model(self._catalogue.resolve(spec))

    def usage_context(self, spec: RoleSpec) -> UsageContext:
        """The usage model's view of this world (its records, and who is who). It writes only
        while the world's lock is held: inside :meth:`~slr_fsm.world.World.attempt` (logged) or
        ``with sim.atomic():``."""
        return self._roles.contexts[self._catalogue.resolve(spec)]

    @property
    def pending_work(self) -> int:
        """How many pieces of background work are queued."""
        return len(self._state.pending)

    @property
    @locked
    def pending(self) -> tuple[tuple[float, str, str], ...]:
        """Background work queued, in the order it will run: ``(due, kind, account_id)``."""
        return tuple((p.due, p.kind, p.account_id) for p in self._roles.scheduler.queued())

    @locked
    def state_of(self, account_id: str, role_name: str | None) -> RoleState:
        """The state of a role by account id and exact role name (``absent`` when unknown)."""
        if not isinstance(account_id, str) or not isinstance(role_name, str | None):
            raise UsageError(
                "state_of() takes an account id and a role name (or None) as strings, got "
                f"{shown(account_id)} and {shown(role_name)}"
            )
        return self._roles.state_of(str.__str__(account_id), role_name)
