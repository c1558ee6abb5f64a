"""Role specs: the fixed facts of a service-linked role, as plain data.

A :class:`RoleSpec` is everything AWS predefines for one service-linked role: its name, the service
principal it trusts, its path, trust policy and managed permissions policy, and what AWS documents
about it (its description, how it is created, what must be cleaned up before it can be deleted).
The seed's role is :data:`MARKETPLACE_PURCHASE_ORDERS`; the facts come from domain.md section 1
and docs/marketplace-roles.md. The other AWS Marketplace roles, and two roles of other services,
are in :mod:`slr_fsm.marketplace_roles`.

>>> from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS as spec
>>> spec.role_arn("111122223333")
'arn:aws:iam::111122223333:role/aws-service-role/purchase-orders.marketplace.amazonaws.com/AWSServiceRoleForMarketplacePurchaseOrders'

Code that manages another service's role describes it with :func:`service_linked_role`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from slr_fsm.errors import UsageError
from slr_fsm.shown import shown
from slr_fsm.spec_checks import (
    PRINCIPAL,
    check_fields,
    check_suffix_text,
    known_valid_policy_text,
    refuse,
)

__all__ = [
    "MARKETPLACE_PURCHASE_ORDERS",
    "SERVICE_ROLE_PATH_PREFIX",
    "RoleSpec",
    "conventional_role_name",
    "service_linked_role",
]

#: Every service-linked role lives under this path; a hand-made role there is *not* one.
SERVICE_ROLE_PATH_PREFIX = "/aws-service-role/"


def _frozen_json(value: Any) -> str:
    """Compact JSON text (keys in AWS's order), so that specs stay hashable values."""
    import json  # here: the library's own specs are written as JSON text already

    return json.dumps(value, separators=(",", ":"), sort_keys=False, allow_nan=False)


@attrs.frozen
class RoleSpec:
    """What AWS predefines for one service-linked role; nobody but AWS can change any of it.

    Policy documents are held as JSON text (so the spec stays an immutable, hashable value);
    :meth:`trust_policy` and :meth:`managed_policy_document` give fresh dicts.

    Every field is checked when a spec is made, and a bad one is refused with
    :class:`~slr_fsm.errors.UsageError`:

    >>> RoleSpec("AWSServiceRoleFor Example", "example.amazonaws.com", "ExamplePolicy",
    ...          '{"Version": "2012-10-17", "Statement": []}')
    Traceback (most recent call last):
    ...
    slr_fsm.errors.UsageError: RoleSpec(role_name='AWSServiceRoleFor Example'): a role name is 1 to 64 characters matching IAM's pattern [\\w+=,.@-]+, and this one has ' '. Use the name AWS documents for the role, or leave role_name out of service_linked_role() to derive the conventional one.

    The documentation fields ``creation``, ``management_account_only`` and ``cleanup`` take no
    part in equality or hashing: a snapshot written before they existed restores to a spec
    equal to the library's own (so its usage model is found), and two specs that differ only in
    how AWS's guides describe them are the same role.
    """

    role_name: str
    service_principal: str
    managed_policy_name: str
    managed_policy_document_json: str
    managed_policy_version: str = "v1"
    #: When the policy's default version was created (``YYYY-MM-DD``), or ``""`` if not modelled.
    managed_policy_updated: str = ""
    max_session_duration: int = 3600
    #: Whether CreateServiceLinkedRole accepts a CustomSuffix for this service.
    allows_custom_suffix: bool = False
    #: What the role lets the service do, in a sentence (slr_fsm's own wording).
    purpose: str = ""
    #: The role's Description as AWS documents it (what GetRole shows), ``None`` when undocumented.
    description: str | None = None
    #: How the role comes to exist, in short (e.g. ``"console: AWS Marketplace Settings > ..."``).
    creation: str = attrs.field(default="", eq=False)
    #: Whether AWS documents that only an organization's management account may create it.
    #: Data only: the management-account rule the simulation enforces is the lifecycle's.
    management_account_only: bool = attrs.field(default=False, eq=False)
    #: What must be cleaned up before the role can be deleted (``""``: nothing documented).
    cleanup: str = attrs.field(default="", eq=False)
    #: What IAM puts between the role name and a CustomSuffix (``AWSServiceRoleForAutoScaling_x``).
    custom_suffix_separator: str = "_"
    #: The CustomSuffix this role was created with (``None``: the service's plain role). A spec
    #: with a suffix is derived from the service's with :meth:`with_custom_suffix`; its
    #: ``role_name`` is the whole name, so its ARN, path and deletion task ids follow.
    custom_suffix: str | None = None

    def __attrs_post_init__(self) -> None:
        check_fields(self)  # every field, with messages that say why and what to do instead

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
        import json  # here: parsed only when a caller asks for the document

        document: dict[str, Any] = json.loads(self.managed_policy_document_json)
        return document

    def role_arn(self, account_id: str) -> str:
        """The role's ARN in an account; the same across deletions and re-creations."""
        if not (
            isinstance(account_id, str)
            and len(account_id) == 12
            and account_id.isascii()
            and account_id.isdigit()
        ):
            raise UsageError(
                f"An AWS account id is 12 digits, as a string; got {shown(account_id)}"
            )
        return (
            f"arn:aws:iam::{account_id}:role{SERVICE_ROLE_PATH_PREFIX}{self.service_principal}/"
            f"{self.role_name}"
        )

    def deletion_task_prefix(self) -> str:
        """Every deletion task id of this role starts with this, then a UUID."""
        return f"task{self.path}{self.role_name}/"

    @property
    def base_role_name(self) -> str:
        """The service's role name without any CustomSuffix (``role_name`` when there is none)."""
        if self.custom_suffix is None:
            return self.role_name
        return self.role_name[: -len(self.custom_suffix_separator + self.custom_suffix)]

    @property
    def base(self) -> RoleSpec:
        """The service's own spec, without a CustomSuffix (``self`` when there is none)."""
        if self.custom_suffix is None:
            return self
        return attrs.evolve(self, role_name=self.base_role_name, custom_suffix=None)

    def with_custom_suffix(self, suffix: str) -> RoleSpec:
        """The spec of the role CreateServiceLinkedRole makes with ``CustomSuffix=suffix``.

        Everything but the name is the service's: the same principal, path, trust policy and
        managed policy. The name must still fit IAM's 64 characters.

        >>> from slr_fsm.marketplace_roles import AUTO_SCALING
        >>> AUTO_SCALING.with_custom_suffix("suf").role_arn("123456789012")
        'arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_suf'
        """
        base = self.base
        return attrs.evolve(
            base, role_name=base.role_name_with_suffix(suffix), custom_suffix=suffix
        )

    def role_name_with_suffix(self, suffix: str | None) -> str:
        """The name IAM gives the role created with ``CustomSuffix=suffix`` (``None``: no suffix).

        IAM appends the suffix to the role name after ``custom_suffix_separator`` (``"_"``, as in
        Amazon EC2 Auto Scaling's ``AWSServiceRoleForAutoScaling_mysuffix``).

        >>> MARKETPLACE_PURCHASE_ORDERS.role_name_with_suffix(None)
        'AWSServiceRoleForMarketplacePurchaseOrders'
        >>> MARKETPLACE_PURCHASE_ORDERS.role_name_with_suffix("x")
        Traceback (most recent call last):
        ...
        slr_fsm.errors.UsageError: RoleSpec(allows_custom_suffix=False): purchase-orders.marketplace.amazonaws.com takes no CustomSuffix, so no role is ever named with 'x'. Ask for role_name_with_suffix(None), or use a spec whose service allows a suffix.
        """
        if suffix is None:
            return self.base_role_name
        if not self.allows_custom_suffix:
            raise refuse(
                "allows_custom_suffix",
                False,
                f"{self.service_principal} takes no CustomSuffix, so no role is ever named with "
                f"{shown(suffix)}",
                "Ask for role_name_with_suffix(None), or use a spec whose service allows a suffix.",
            )
        check_suffix_text(suffix)
        return f"{self.base_role_name}{self.custom_suffix_separator}{str.__str__(suffix)}"


def conventional_role_name(service_principal: str) -> str:
    """The name a service-linked role of ``service_principal`` conventionally has.

    The convention AWS Marketplace follows: ``AWSServiceRoleFor`` and the principal's labels
    before ``.amazonaws.com``, last label first, each hyphenated word capitalized. It is a
    guess, not a rule AWS states: many services name their roles otherwise (``AutoScaling``,
    not ``Autoscaling``; ``AWSServiceRoleForPrivateMarketplaceAdmin`` for
    ``private-marketplace.marketplace``), so pass the documented name where there is one.

    >>> conventional_role_name("purchase-orders.marketplace.amazonaws.com")
    'AWSServiceRoleForMarketplacePurchaseOrders'
    >>> conventional_role_name("elasticbeanstalk.amazonaws.com")  # AWS: ...ElasticBeanstalk
    'AWSServiceRoleForElasticbeanstalk'
    """
    if not isinstance(service_principal, str) or not PRINCIPAL.fullmatch(service_principal):
        raise refuse(
            "service_principal",
            service_principal,
            "a service principal is the service's lower-case DNS-like name ending in "
            ".amazonaws.com",
            "Use the principal the service's documentation gives, e.g. 'autoscaling.amazonaws.com'.",
        )
    labels = service_principal.removesuffix(".amazonaws.com").split(".")
    words = [word for label in reversed(labels) for word in label.split("-")]
    return "AWSServiceRoleFor" + "".join(word[:1].upper() + word[1:] for word in words)


def service_linked_role(
    service_principal: str,
    role_name: str | None = None,
    *,
    managed_policy_name: str,
    policy_document: Mapping[str, Any] | str,
    allows_custom_suffix: bool = False,
    description: str | None = None,
    managed_policy_version: str = "v1",
    managed_policy_updated: str = "",
    purpose: str = "",
    creation: str = "",
    management_account_only: bool = False,
    cleanup: str = "",
    max_session_duration: int = 3600,
    custom_suffix_separator: str = "_",
) -> RoleSpec:
    """A :class:`RoleSpec` for any service's service-linked role, for code that manages one.

    ``role_name`` defaults to :func:`conventional_role_name` of the principal; pass AWS's
    documented name when it differs. ``policy_document`` is the managed policy's document, as a
    dict or as JSON text (its key order is kept). Every value is checked as :class:`RoleSpec`
    checks it. Give the spec to a simulation with ``Simulation(specs=[...])`` or
    ``Simulation.default(specs=[...])``; nothing ever keeps it in use unless you also give a
    :class:`~slr_fsm.usage.UsageModel` for it.

    >>> from slr_fsm import Simulation
    >>> auto_scaling = service_linked_role(
    ...     "autoscaling.amazonaws.com",
    ...     "AWSServiceRoleForAutoScaling",
    ...     managed_policy_name="AutoScalingServiceRolePolicy",
    ...     policy_document={"Version": "2012-10-17", "Statement": []},
    ...     allows_custom_suffix=True,
    ... )
    >>> auto_scaling.role_name_with_suffix("mysuffix")
    'AWSServiceRoleForAutoScaling_mysuffix'
    >>> sim = Simulation.default(specs=[auto_scaling])
    >>> role = sim.iam("111122223333").create_service_linked_role(
    ...     AWSServiceName="autoscaling.amazonaws.com")["Role"]
    >>> role["Path"], role["RoleName"]
    ('/aws-service-role/autoscaling.amazonaws.com/', 'AWSServiceRoleForAutoScaling')
    """
    if isinstance(policy_document, Mapping):
        try:
            document_json = _frozen_json(dict(policy_document))
        except (TypeError, ValueError, RecursionError) as error:
            raise refuse(
                "managed_policy_document_json",
                policy_document,
                f"the policy document cannot be written as JSON ({str(error)[:200]})",
                "Pass a dict of JSON values (str, numbers, bools, None, lists and dicts).",
            ) from None
    else:
        document_json = policy_document
    return RoleSpec(
        role_name=conventional_role_name(service_principal) if role_name is None else role_name,
        service_principal=service_principal,
        managed_policy_name=managed_policy_name,
        managed_policy_document_json=document_json,
        managed_policy_version=managed_policy_version,
        managed_policy_updated=managed_policy_updated,
        max_session_duration=max_session_duration,
        allows_custom_suffix=allows_custom_suffix,
        purpose=purpose,
        description=description,
        creation=creation,
        management_account_only=management_account_only,
        cleanup=cleanup,
        custom_suffix_separator=custom_suffix_separator,
    )


_PURCHASE_ORDERS_POLICY = known_valid_policy_text(
    '{"Version":"2012-10-17","Statement":[{"Sid":"AllowPurchaseOrderActions","Effect":"Allow",'
    '"Action":["purchase-orders:ViewPurchaseOrders","purchase-orders:ModifyPurchaseOrders"],'
    '"Resource":["*"]}]}'
)
"""AWSMarketplacePurchaseOrdersServiceRolePolicy v1 as compact JSON in AWS's key order (as
:func:`service_linked_role` writes a dict); a test checks it in full."""

MARKETPLACE_PURCHASE_ORDERS = RoleSpec(
    role_name="AWSServiceRoleForMarketplacePurchaseOrders",
    service_principal="purchase-orders.marketplace.amazonaws.com",
    managed_policy_name="AWSMarketplacePurchaseOrdersServiceRolePolicy",
    managed_policy_document_json=_PURCHASE_ORDERS_POLICY,
    managed_policy_version="v1",
    managed_policy_updated="2021-10-27",
    max_session_duration=3600,
    allows_custom_suffix=False,
    purpose=(
        "Lets AWS Marketplace attach purchase-order numbers to AWS Marketplace subscriptions "
        "in AWS Billing and Cost Management."
    ),
    description=None,
    creation=(
        "console: AWS Marketplace Settings > AWS Billing integration > Configure integration "
        "(management account; sets up every account of the organization)"
    ),
    management_account_only=True,
    cleanup=(
        "AWS says only 'clean up'; modelled: remove the AWS Billing integration and detach "
        "purchase-order numbers from the subscriptions of the accounts it serves"
    ),
)
"""The seed's role: ``AWSServiceRoleForMarketplacePurchaseOrders``."""
