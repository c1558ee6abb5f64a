"""Role specs: the fixed facts of a service-linked role, as plain data.

A :class:`RoleSpec` is everything AWS predefines for one service-linked role: its name, the service
principal it trusts, its path, trust policy and managed permissions policy. The seed's role is
:data:`MARKETPLACE_PURCHASE_ORDERS`; the facts come from domain.md section 1.

>>> from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS as spec
>>> spec.role_arn("111122223333")
'arn:aws:iam::111122223333:role/aws-service-role/purchase-orders.marketplace.amazonaws.com/AWSServiceRoleForMarketplacePurchaseOrders'
"""

from __future__ import annotations

import json
from typing import Any

import attrs

__all__ = [
    "MARKETPLACE_PURCHASE_ORDERS",
    "SERVICE_ROLE_PATH_PREFIX",
    "RoleSpec",
]

#: Every service-linked role lives under this path; a hand-made role there is *not* one.
SERVICE_ROLE_PATH_PREFIX = "/aws-service-role/"


def _frozen_json(value: Any) -> str:
    """Compact JSON text (keys in AWS's order), so that specs stay hashable values."""
    return json.dumps(value, separators=(",", ":"), sort_keys=False)


@attrs.frozen
class RoleSpec:
    """What AWS predefines for one service-linked role; nobody but AWS can change any of it.

    Policy documents are held as JSON text (so the spec stays an immutable, hashable value);
    :meth:`trust_policy` and :meth:`managed_policy_document` give fresh dicts.
    """

    role_name: str
    service_principal: str
    managed_policy_name: str
    managed_policy_document_json: str
    managed_policy_version: str = "v1"
    managed_policy_updated: str = ""
    max_session_duration: int = 3600
    #: Whether CreateServiceLinkedRole accepts a CustomSuffix for this service.
    allows_custom_suffix: bool = False
    purpose: str = ""

    @property
    def path(self) -> str:
        """The role's path: ``/aws-service-role/<service-principal>/``."""
        return f"{SERVICE_ROLE_PATH_PREFIX}{self.service_principal}/"

    @property
    def managed_policy_arn(self) -> str:
        """The AWS-managed permissions policy attached to the role (and to nothing else)."""
        return f"arn:aws:iam::aws:policy/aws-service-role/{self.managed_policy_name}"

    def trust_policy(self) -> dict[str, Any]:
        """The trust policy: only the service principal may ``sts:AssumeRole``."""
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": self.service_principal},
                    "Action": "sts:AssumeRole",
                }
            ],
        }

    def managed_policy_document(self) -> dict[str, Any]:
        """The managed permissions policy's document (a fresh dict)."""
        document: dict[str, Any] = json.loads(self.managed_policy_document_json)
        return document

    def role_arn(self, account_id: str) -> str:
        """The role's ARN in an account; the same across deletions and re-creations."""
        return f"arn:aws:iam::{account_id}:role{self.path}{self.role_name}"

    def deletion_task_prefix(self) -> str:
        """Every deletion task id of this role starts with this, then a UUID."""
        return f"task{self.path}{self.role_name}/"


MARKETPLACE_PURCHASE_ORDERS = RoleSpec(
    role_name="AWSServiceRoleForMarketplacePurchaseOrders",
    service_principal="purchase-orders.marketplace.amazonaws.com",
    managed_policy_name="AWSMarketplacePurchaseOrdersServiceRolePolicy",
    managed_policy_document_json=_frozen_json(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowPurchaseOrderActions",
                    "Effect": "Allow",
                    "Action": [
                        "purchase-orders:ViewPurchaseOrders",
                        "purchase-orders:ModifyPurchaseOrders",
                    ],
                    "Resource": ["*"],
                }
            ],
        }
    ),
    managed_policy_version="v1",
    managed_policy_updated="2021-10-27",
    max_session_duration=3600,
    allows_custom_suffix=False,
    purpose=(
        "Lets AWS Marketplace attach purchase-order numbers to AWS Marketplace subscriptions "
        "in AWS Billing and Cost Management."
    ),
)
"""The seed's role: ``AWSServiceRoleForMarketplacePurchaseOrders``."""
