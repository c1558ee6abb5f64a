"""AWS Marketplace subscriptions, per account and Region, and the purchase orders on them.

>>> sub = Subscription("agmt-example", "111122223333", "us-east-1", "Example product")
>>> sub.arn
'arn:aws:aws-marketplace:us-east-1:111122223333:AWSMarketplace/Agreement/agmt-example'
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["Subscription", "billing_integration_arn"]


@attrs.frozen
class Subscription:
    """One Marketplace subscription (an agreement) and the purchase-order numbers attached to it."""

    subscription_id: str
    account_id: str
    region: str
    product: str
    purchase_orders: tuple[str, ...] = ()

    @property
    def arn(self) -> str:
        """The agreement's ARN; a failed deletion lists it while purchase orders are attached."""
        return (
            f"arn:aws:aws-marketplace:{self.region}:{self.account_id}:"
            f"AWSMarketplace/Agreement/{self.subscription_id}"
        )

    def to_aws(self) -> dict[str, Any]:
        """As the simulated Marketplace console lists it."""
        return {
            "SubscriptionId": self.subscription_id,
            "SubscriptionArn": self.arn,
            "Region": self.region,
            "ProductTitle": self.product,
            "PurchaseOrders": list(self.purchase_orders),
        }


#: The Region a billing integration is reported under (billing is global; it lives in us-east-1).
BILLING_REGION = "us-east-1"


def billing_integration_arn(owner_account_id: str) -> str:
    """The (modelled) ARN of an account's AWS Billing integration for purchase orders."""
    return f"arn:aws:aws-marketplace:{BILLING_REGION}:{owner_account_id}:billing-integration/purchase-orders"
