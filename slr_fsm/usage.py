"""Usage models: what keeps a service-linked role in use, per role spec.

AWS lets a service-linked role be deleted only once the linked service no longer uses it. What
"in use" means is the service's own business, so each role spec has a :class:`UsageModel`: it
keeps its own records in the world (through a :class:`UsageContext`), reports the resources
that block a deletion, and says what a failed creation undoes. Adding a role to the simulation is
its :class:`~slr_fsm.specs.RoleSpec` plus, if anything can keep it in use, its usage model.

The seed's role is kept in use by AWS Marketplace's billing integration and by purchase-order
numbers attached to subscriptions in the accounts the integration serves
(:class:`PurchaseOrderUsage`).

>>> from slr_fsm import Simulation
>>> sim = Simulation.default()
>>> mgmt = sim.organization.management_account
>>> _ = sim.marketplace(mgmt).configure_billing_integration()
>>> [u.region for u in sim.role_usage(mgmt)]
['us-east-1']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from slr_fsm.lifecycle import RoleState
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS, RoleSpec

if TYPE_CHECKING:  # tasks and subscriptions load when first used
    from slr_fsm.subscriptions import Subscription
    from slr_fsm.tasks import RoleUsage

__all__ = ["DEFAULT_USAGE_MODELS", "PO_NUMBER", "PurchaseOrderUsage", "UsageContext", "UsageModel"]


PO_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/#-]{0,49}")
"""A purchase-order number as the console accepts it (a modelling decision: AWS publishes no
pattern; letters and digits first, then these punctuation marks, at most 50 characters)."""


class UsageContext(Protocol):
    """What a usage model sees of a world: its own records, and who is who.

    Records are JSON-able values (strings, numbers, booleans, tuples of those) under a
    ``(kind, key)`` of strings; they are snapshotted, forked and fingerprinted with the world.
    """

    def get(self, kind: str, key: str) -> Any:
        """The record under ``(kind, key)``, or ``None``."""

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store a record (``None`` or an empty tuple removes it)."""

    def keys(self, kind: str) -> Iterator[str]:
        """The keys of this model's records of one kind."""

    def role_state(self, account_id: str) -> RoleState:
        """The state of this model's role in an account."""

    def integration_owner(self, account_id: str) -> str:
        """The organization's management account, or the account itself when standalone."""

    def served_accounts(self, owner: str) -> tuple[str, ...]:
        """The accounts an owner's organization-wide setting serves."""

    def subscription(self, subscription_id: str) -> Subscription | None:
        """A Marketplace subscription by id."""


class UsageModel:
    """How a service uses its role. The base class: nothing ever keeps the role in use.

    Subclass it for a service whose resources block deletion; override :meth:`in_use`, and
    :meth:`creation_failed` if a failed creation must undo something.
    """

    kinds: tuple[str, ...] | None = None
    """The kinds of records this model keeps (``None``: any); restore refuses others."""

    def __init__(self, spec: RoleSpec) -> None:
        self.spec = spec

    def in_use(self, context: UsageContext, account_id: str) -> tuple[RoleUsage, ...]:
        """The resources that use the role in ``account_id`` now, per Region."""
        return ()

    def creation_failed(self, context: UsageContext, account_id: str) -> None:
        """Undo what a request that asked for the role set up, when its creation fails."""

    def problems(self, context: UsageContext) -> list[str]:
        """What makes this model's records impossible (checked when a snapshot is restored)."""
        return []

    def decode(self, kind: str, value: Any) -> Any:
        """A record's value from its JSON form (lists back to tuples)."""
        return tuple(value) if isinstance(value, list) else value

    def __repr__(self) -> str:
        return f"<{type(self).__name__} for {self.spec.role_name}>"


class PurchaseOrderUsage(UsageModel):
    """The seed's role: in use while the billing integration is configured or purchase orders
    are attached to subscriptions of the accounts the integration serves.

    Records: ``("integration", owner) -> True``; ``("purchase_orders", subscription) -> (po,
    ...)``.
    """

    INTEGRATION = "integration"
    PURCHASE_ORDERS = "purchase_orders"
    kinds = (INTEGRATION, PURCHASE_ORDERS)

    def __init__(self, spec: RoleSpec = MARKETPLACE_PURCHASE_ORDERS) -> None:
        super().__init__(spec)

    def integration_configured(self, context: UsageContext, owner: str) -> bool:
        """Whether ``owner`` has set up the AWS Billing integration itself."""
        return bool(context.get(self.INTEGRATION, owner))

    def owners(self, context: UsageContext) -> list[str]:
        """Every account that has set up the integration itself."""
        return list(context.keys(self.INTEGRATION))

    def set_integration(self, context: UsageContext, owner: str, configured: bool) -> None:
        """Turn an owner's billing integration on or off."""
        context.put(self.INTEGRATION, owner, True if configured else None)

    def attached(self, context: UsageContext, subscription_id: str) -> tuple[str, ...]:
        """The purchase-order numbers attached to a subscription."""
        found: tuple[str, ...] = context.get(self.PURCHASE_ORDERS, subscription_id) or ()
        return found

    def set_attached(
        self, context: UsageContext, subscription_id: str, numbers: tuple[str, ...]
    ) -> None:
        """Replace the purchase-order numbers attached to a subscription."""
        context.put(self.PURCHASE_ORDERS, subscription_id, tuple(numbers) or None)

    def enabled(self, context: UsageContext, account_id: str) -> bool:
        """Whether purchase-order support is on for an account: the integration serving it is
        configured and its owner's role is usable by the service."""
        owner = context.integration_owner(account_id)
        if not self.integration_configured(context, owner):
            return False
        return context.role_state(owner).usable_by_service

    def in_use(self, context: UsageContext, account_id: str) -> tuple[RoleUsage, ...]:
        """The integration (under us-east-1) and every subscription with purchase orders in the
        accounts it serves, per Region."""
        from slr_fsm.subscriptions import BILLING_REGION, billing_integration_arn
        from slr_fsm.tasks import RoleUsage

        by_region: dict[str, list[str]] = {}
        if self.integration_configured(context, account_id):
            by_region.setdefault(BILLING_REGION, []).append(billing_integration_arn(account_id))
        served: set[str] | None = None  # read once, and only if some subscription has orders
        for subscription_id in context.keys(self.PURCHASE_ORDERS):
            sub = context.subscription(subscription_id)
            if sub is None:
                continue
            if served is None:
                served = set(context.served_accounts(account_id))
            if sub.account_id in served:
                by_region.setdefault(sub.region, []).append(sub.arn)
        return tuple(RoleUsage(r, tuple(sorted(res))) for r, res in sorted(by_region.items()))

    def problems(self, context: UsageContext) -> list[str]:
        """An integration owned by a member account, or purchase orders on unknown
        subscriptions, cannot happen."""
        found = []
        for owner in context.keys(self.INTEGRATION):
            if context.integration_owner(owner) != owner:
                found.append(f"member account {owner} owns a billing integration")
        for subscription_id in context.keys(self.PURCHASE_ORDERS):
            numbers = context.get(self.PURCHASE_ORDERS, subscription_id)
            if context.subscription(subscription_id) is None:
                found.append(f"purchase orders on unknown subscription {subscription_id}")
            elif not isinstance(numbers, tuple) or not all(
                isinstance(n, str) and PO_NUMBER.fullmatch(n) for n in numbers
            ):
                found.append(f"purchase orders of {subscription_id} are not purchase-order numbers")
        return found

    def creation_failed(self, context: UsageContext, account_id: str) -> None:
        """Nothing was created, so the integration that asked for the role is off again."""
        self.set_integration(context, account_id, False)


DEFAULT_USAGE_MODELS: tuple[UsageModel, ...] = (PurchaseOrderUsage(),)
"""The usage models a simulation uses unless told otherwise; a spec with none is never in use."""
