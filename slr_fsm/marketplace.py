"""The console route: AWS Marketplace Settings, "AWS Billing integration", and purchase orders.

Setting up the integration is how the seed's role comes to exist: AWS Marketplace creates it.
Inside an organization only the management account may do this, and it turns purchase-order
support on for every account of the organization.

>>> from slr_fsm import Simulation
>>> sim = Simulation.default()
>>> console = sim.marketplace(sim.organization.management_account)
>>> console.configure_billing_integration()["Status"]
'PENDING'
>>> sim.marketplace(sim.organization.member_accounts[0]).configure_billing_integration()
Traceback (most recent call last):
...
slr_fsm.errors.ManagementAccountRequired: AccessDenied: Account 444455556666 is a member account of an organization. The AWS Billing integration, and the service-linked role it creates, can be set up only from the organization's management account (111122223333).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from slr_fsm.errors import ConflictException, ResourceNotFoundException, UsageError
from slr_fsm.face import Face, UnknownCaller
from slr_fsm.refusals import management_account_required
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS
from slr_fsm.subscriptions import Subscription, billing_integration_arn
from slr_fsm.usage import PurchaseOrderUsage
from slr_fsm.validation import Param, validate
from slr_fsm.world import AccountLike, PrincipalLike, World

__all__ = ["CONSOLE_OPERATIONS", "CONSOLE_TRIGGERS", "MarketplaceConsole"]

T = TypeVar("T")

_SPEC = MARKETPLACE_PURCHASE_ORDERS
_SUBSCRIPTION_ID = Param("subscription_id", required=True, min_length=1, max_length=64)
_PO_NUMBER = Param(
    "po_number",
    required=True,
    min_length=1,
    max_length=50,
    pattern=r"[A-Za-z0-9][A-Za-z0-9 ._/#-]*",
)

CONSOLE_OPERATIONS: dict[str, str] = {
    "configure_billing_integration": "iam:CreateServiceLinkedRole",
    "remove_billing_integration": "purchase-orders:ModifyPurchaseOrders",
    "subscriptions": "purchase-orders:ViewPurchaseOrders",
    "attach_purchase_order": "purchase-orders:ModifyPurchaseOrders",
    "detach_purchase_order": "purchase-orders:ModifyPurchaseOrders",
}
"""Each console operation, and the IAM action its caller needs (a modelling decision)."""

CONSOLE_TRIGGERS: dict[str, str] = {"configure_billing_integration": "create"}
"""The lifecycle trigger a console operation fires (set-up creates the role when it is missing)."""


class MarketplaceConsole(Face):
    """The AWS Marketplace console as one principal in one account uses it.

    Get one from ``sim.marketplace(account, principal)``; the principal defaults to ``admin``.
    """

    def __init__(
        self,
        world: World,
        account: AccountLike,
        principal: PrincipalLike | None = None,
        *,
        unknown_caller: UnknownCaller | None = None,
    ) -> None:
        model = (
            world.usage_model(_SPEC) if world.spec_for_service(_SPEC.service_principal) else None
        )
        if not isinstance(model, PurchaseOrderUsage):
            raise UsageError(
                "The Marketplace console needs a world that simulates "
                f"{_SPEC.role_name} with its purchase-order usage model; build it with "
                "specs=(MARKETPLACE_PURCHASE_ORDERS, ...)."
            )
        super().__init__(world, account, principal, unknown_caller=unknown_caller)
        self._orders = model
        self._usage = world.usage_context(_SPEC)

    @property
    def _owner(self) -> str:
        """The account whose integration (and role) serve this account (a caller the world
        does not hold: its own, as its calls are refused before anything is looked up)."""
        if self._refused is not None:
            return self.account.account_id
        return self._world.integration_owner(self.account)

    def _call(self, operation: str, parameters: dict[str, Any], body: Callable[[], T]) -> T:
        return self._attempt(
            operation, parameters, body, role_account_id=self._owner, role_name=_SPEC.role_name
        )

    def _authorize(self, operation: str, resource: str) -> None:
        self._world.authorize(self.principal, CONSOLE_OPERATIONS[operation], resource)

    def _status(self) -> dict[str, Any]:
        owner = self._owner
        role = self._world.role(owner, _SPEC)
        configured = self._world.integration_configured(owner)
        status = "NOT_CONFIGURED"
        if configured:
            status = "CONFIGURED" if role.state.usable_by_service else "PENDING"
        return {
            "Status": status,
            "ServiceLinkedRoleArn": role.arn,
            "AccountIds": list(self._world.served_accounts(owner)) if configured else [],
        }

    # ------------------------------------------------------------------ the billing integration

    def configure_billing_integration(self) -> dict[str, Any]:
        """ "Create integration": create the role (if needed) and turn purchase orders on.

        Status is ``PENDING`` while the role is ``creating``, then ``CONFIGURED``.
        """
        with self._world.atomic():  # the status of this moment, after the work due at once
            self._call("configure_billing_integration", {}, self._configure)
            return self._status()

    def _configure(self) -> None:
        account_id = self.account.account_id
        self._world.request_creation(
            account_id,
            self.principal,
            _SPEC,
            action=CONSOLE_OPERATIONS["configure_billing_integration"],
            via_console=True,
        )
        self._orders.set_integration(self._usage, account_id, True)

    def remove_billing_integration(self) -> dict[str, Any]:
        """Turn the integration off: part of the clean-up before the role can be deleted."""
        return self._call("remove_billing_integration", {}, self._remove)

    def _remove(self) -> dict[str, Any]:
        account_id = self.account.account_id
        if not self._world.in_management_account_or_standalone(account_id):
            raise management_account_required(account_id, self._owner)
        self._authorize("remove_billing_integration", billing_integration_arn(account_id))
        if not self._world.integration_configured(account_id):
            raise ConflictException(
                f"The AWS Billing integration is not configured for account {account_id}.",
                guard="integration_configured",
            )
        self._orders.set_integration(self._usage, account_id, False)
        return self._status()

    def billing_integration(self) -> dict[str, Any]:
        """The integration's status as this account sees it (read-only; not logged)."""
        return self._status()

    # ------------------------------------------------------------------ subscriptions and POs

    def subscriptions(self) -> list[dict[str, Any]]:
        """This account's subscriptions and the purchase orders attached to them."""

        def body() -> list[dict[str, Any]]:
            self._authorize("subscriptions", "*")
            return [s.to_aws() for s in self._world.subscriptions_of(self.account.account_id)]

        return self._call("subscriptions", {}, body)

    def _subscription(self, operation: str, subscription_id: str, po_number: str) -> Subscription:
        validate(
            (_SUBSCRIPTION_ID, _PO_NUMBER),
            {"subscription_id": subscription_id, "po_number": po_number},
        )
        found = self._world.find_subscription(subscription_id)
        resource = (
            found.arn
            if found is not None
            else f"arn:aws:aws-marketplace:*:{self.account.account_id}:"
            f"AWSMarketplace/Agreement/{subscription_id}"
        )
        self._authorize(operation, resource)
        if found is None or found.account_id != self.account.account_id:
            raise ResourceNotFoundException(
                f"Subscription {subscription_id} does not exist in account "
                f"{self.account.account_id}.",
                guard="known_subscription",
            )
        return found

    def attach_purchase_order(self, subscription_id: str, po_number: str) -> dict[str, Any]:
        """Attach a purchase-order number to a subscription.

        AWS Marketplace does this through the role, so it works only while purchase-order
        support is on: the integration is configured and the role is ``active`` or
        ``deleting_blocked``.
        """
        params = {"subscription_id": subscription_id, "po_number": po_number}

        def body() -> dict[str, Any]:
            sub = self._subscription("attach_purchase_order", subscription_id, po_number)
            if not self._world.purchase_orders_enabled(self.account.account_id):
                raise ConflictException(self._why_disabled(), guard="purchase_orders_enabled")
            if po_number in sub.purchase_orders:
                raise ConflictException(
                    f"Purchase order {po_number} is already attached to {subscription_id}.",
                    guard="purchase_order_free",
                )
            updated = attrs.evolve(sub, purchase_orders=(*sub.purchase_orders, po_number))
            self._orders.set_attached(self._usage, subscription_id, updated.purchase_orders)
            return updated.to_aws()

        return self._call("attach_purchase_order", params, body)

    def _why_disabled(self) -> str:
        owner = self._owner
        if not self._world.integration_configured(owner):
            return (
                f"Purchase-order support is off for account {self.account.account_id}: the "
                f"AWS Billing integration is not configured in account {owner}."
            )
        state = self._world.role(owner, _SPEC).state
        return (
            f"Purchase-order support is off for account {self.account.account_id}: AWS "
            f"Marketplace cannot use {_SPEC.role_name} in account {owner} while it is "
            f"{state.value}."
        )

    def detach_purchase_order(self, subscription_id: str, po_number: str) -> dict[str, Any]:
        """Detach a purchase-order number: part of the clean-up before deleting the role."""
        params = {"subscription_id": subscription_id, "po_number": po_number}

        def body() -> dict[str, Any]:
            sub = self._subscription("detach_purchase_order", subscription_id, po_number)
            if po_number not in sub.purchase_orders:
                raise ResourceNotFoundException(
                    f"Purchase order {po_number} is not attached to {subscription_id}.",
                    guard="purchase_order_attached",
                )
            remaining = tuple(p for p in sub.purchase_orders if p != po_number)
            updated = attrs.evolve(sub, purchase_orders=remaining)
            self._orders.set_attached(self._usage, subscription_id, remaining)
            return updated.to_aws()

        return self._call("detach_purchase_order", params, body)
