"""The AWS Marketplace service-linked roles, catalogued as data, and two roles of other services.

Every service-linked role AWS Marketplace documents is a :class:`~slr_fsm.specs.RoleSpec` here,
built from docs/marketplace-roles.md (where each fact has its source): the exact role name, the
service principal it trusts, its AWS managed policy with the policy document as AWS publishes it,
that policy's version and date, what the role is for, how it is created and what must be cleaned
up before it can be deleted. :data:`MARKETPLACE_ROLES` lists them, the seed's
:data:`~slr_fsm.specs.MARKETPLACE_PURCHASE_ORDERS` first; :func:`role_spec_for` finds one by
service principal. :data:`OTHER_SERVICES` holds Amazon EC2 Auto Scaling's and Elastic Beanstalk's
roles, the two services moto's own service-linked-role tests use.

>>> from slr_fsm import Simulation
>>> from slr_fsm.marketplace_roles import MARKETPLACE_ROLES, role_spec_for
>>> [spec.role_name for spec in MARKETPLACE_ROLES][:2]
['AWSServiceRoleForMarketplacePurchaseOrders', 'AWSServiceRoleForMarketplaceLicenseManagement']
>>> spec = role_spec_for("deployment.marketplace.amazonaws.com")
>>> spec.managed_policy_arn
'arn:aws:iam::aws:policy/aws-service-role/AWSMarketplaceDeploymentServiceRolePolicy'
>>> sim = Simulation.default(specs=MARKETPLACE_ROLES)
>>> sim.iam("111122223333").create_service_linked_role(
...     AWSServiceName=spec.service_principal)["Role"]["RoleName"]
'AWSServiceRoleForMarketplaceDeployment'

Only the seed's role has a usage model (:class:`~slr_fsm.usage.PurchaseOrderUsage`); nothing
keeps the others in use, so their deletion tasks always succeed unless you give a usage model.

Modelling decisions (AWS does not document these; docs/marketplace-roles.md, "Modelling
decisions", gives the reasoning and the sources):

1. The procurement-insights role is named ``AWSServiceRoleForProcurementInsights``. AWS's pages
   call the role ``AWSServiceRoleForProcurementInsightsPolicy`` (the policy's name), while AWS's
   own IAM example for creating it allows ``.../AWSServiceRoleForProcurementInsights*``, the
   ``<role name>*`` form AWS uses for every other Marketplace role, and the policy follows the
   ``<role name>Policy`` pattern of ``AWSServiceRoleForPrivateMarketplaceAdminPolicy``. To model
   the other reading: ``attrs.evolve(PROCUREMENT_INSIGHTS,
   role_name="AWSServiceRoleForProcurementInsightsPolicy")``.
2. ``description`` is ``None`` for every Marketplace role: AWS documents none.
3. No Marketplace role accepts a CustomSuffix (``allows_custom_suffix=False``): AWS documents no
   suffix for any of them.
4. ``max_session_duration`` is 3600 for every role, IAM's default: not documented.
5. ``managed_policy_updated`` is the date of the IAM timestamp of the policy's default version
   (what GetPolicyVersion returns), where the guides' update tables give other dates.
6. ``management_account_only`` is True only where AWS's steps require the management account
   and AWS describes no other route for the role (purchase orders, Private Marketplace,
   procurement insights). Resale authorization's steps say "sign in to the management account"
   but AWS never says another account is refused and sellers are often standalone accounts, so
   it is False. The flag is data: the IAM face lets any allowed caller create any role.
7. ``cleanup`` says "not documented" where AWS says nothing; no usage model is invented.
8. The agentic-commerce policy (``AWSMarketplaceAgenticCommerceServiceRolePolicy``) is left
   out: AWS documents no role name or principal for it, and its document could not be read whole.
9. Paths are ``/aws-service-role/<principal>/`` (IAM's convention; AWS's ARNs confirm it for
   license management, Private Marketplace and procurement insights).
10. Policy documents keep the key order of their source: AWS's Managed Policy Reference for the
    Marketplace roles, MAMIP's record of GetPolicyVersion for purchase orders and the two
    other services' roles.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from slr_fsm import managed_policies
from slr_fsm.errors import UsageError
from slr_fsm.shown import shown
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS, RoleSpec, service_linked_role

__all__ = [
    "AUTO_SCALING",
    "BY_SERVICE_PRINCIPAL",
    "DEPLOYMENT",
    "ELASTIC_BEANSTALK",
    "LICENSE_MANAGEMENT",
    "MARKETPLACE_PURCHASE_ORDERS",
    "MARKETPLACE_ROLES",
    "OTHER_SERVICES",
    "PRIVATE_MARKETPLACE_ADMIN",
    "PROCUREMENT_INSIGHTS",
    "RESALE_AUTHORIZATION",
    "role_spec_for",
]

NOT_DOCUMENTED = "not documented"

# ---------------------------------------------------------------- the AWS Marketplace roles

LICENSE_MANAGEMENT = service_linked_role(
    "license-management.marketplace.amazonaws.com",
    "AWSServiceRoleForMarketplaceLicenseManagement",
    managed_policy_name="AWSMarketplaceLicenseManagementServiceRolePolicy",
    policy_document=managed_policies.LICENSE_MANAGEMENT_POLICY,
    managed_policy_version="v1",
    managed_policy_updated="2020-12-03",
    purpose=(
        "Lets AWS Marketplace create and manage licenses in AWS License Manager for the "
        "products you subscribe to, so they can be shared with other accounts."
    ),
    creation=(
        "console: AWS Marketplace Settings > AWS License Manager integration (this account "
        "only); or trusted access with AWS Organizations (management account; every account, "
        "future ones included)"
    ),
    management_account_only=False,
    cleanup=(
        "disable trusted access between AWS Marketplace and AWS Organizations, or remove the "
        "account from the organization; if AWS Marketplace is using the role, wait a few "
        "minutes and retry"
    ),
)
"""``AWSServiceRoleForMarketplaceLicenseManagement``: License Manager grants for subscriptions."""

PRIVATE_MARKETPLACE_ADMIN = service_linked_role(
    "private-marketplace.marketplace.amazonaws.com",
    "AWSServiceRoleForPrivateMarketplaceAdmin",
    managed_policy_name="AWSServiceRoleForPrivateMarketplaceAdminPolicy",
    policy_document=managed_policies.PRIVATE_MARKETPLACE_ADMIN_POLICY,
    managed_policy_version="v1",
    managed_policy_updated="2024-02-14",
    purpose=(
        "Lets AWS Marketplace describe and update Private Marketplace resources and describe "
        "AWS Organizations."
    ),
    creation=(
        "console: AWS Marketplace Settings > Private Marketplace > Enable trusted access across "
        "your organization + Create a Private Marketplace service-linked role (management "
        "account; registering a delegated administrator creates one in that account); enabling "
        "trusted access in AWS Organizations directly does not create it: use IAM first"
    ),
    management_account_only=True,
    cleanup=(
        "disable trusted access between Private Marketplace and AWS Organizations and "
        "disassociate every private marketplace experience in the organization"
    ),
)
"""``AWSServiceRoleForPrivateMarketplaceAdmin``: Private Marketplace governance."""

PROCUREMENT_INSIGHTS = service_linked_role(
    "procurement-insights.marketplace.amazonaws.com",
    "AWSServiceRoleForProcurementInsights",  # modelling decision 1
    managed_policy_name="AWSServiceRoleForProcurementInsightsPolicy",
    policy_document=managed_policies.PROCUREMENT_INSIGHTS_POLICY,
    managed_policy_version="v1",
    managed_policy_updated="2024-10-03",
    purpose=(
        "Lets AWS Marketplace access and describe the accounts of your organization for the "
        "Procurement insights dashboard."
    ),
    creation=(
        "console: AWS Marketplace Settings > AWS Marketplace procurement insights > Enable "
        "trusted access (management account of an organization with all features); with the "
        "API or CLI, create the role with IAM before enabling trusted access"
    ),
    management_account_only=True,
    cleanup=NOT_DOCUMENTED,
)
"""The procurement-insights role (its name is modelling decision 1)."""

DEPLOYMENT = service_linked_role(
    "deployment.marketplace.amazonaws.com",
    "AWSServiceRoleForMarketplaceDeployment",
    managed_policy_name="AWSMarketplaceDeploymentServiceRolePolicy",
    policy_document=managed_policies.DEPLOYMENT_POLICY,
    managed_policy_version="v1",
    managed_policy_updated="2023-11-15",
    purpose=(
        "Lets AWS Marketplace manage deployment parameters, stored as AWS Secrets Manager "
        "secrets, for products you configure and launch with Quick Launch."
    ),
    creation=(
        "console: prompted while configuring a Quick Launch product (Configure and launch), in "
        "any buyer account; or IAM"
    ),
    management_account_only=False,
    cleanup=NOT_DOCUMENTED,
)
"""``AWSServiceRoleForMarketplaceDeployment``: Quick Launch deployment parameters."""

RESALE_AUTHORIZATION = service_linked_role(
    "resale-authorization.marketplace.amazonaws.com",
    "AWSServiceRoleForMarketplaceResaleAuthorization",
    managed_policy_name="AWSMarketplaceResaleAuthorizationServiceRolePolicy",
    policy_document=managed_policies.RESALE_AUTHORIZATION_POLICY,
    managed_policy_version="v2",
    managed_policy_updated="2025-08-01",
    purpose=(
        "Lets AWS Marketplace share resale authorizations between sellers (ISVs) and channel "
        "partners through AWS Resource Access Manager."
    ),
    creation=(
        "AWS Marketplace Management Portal: Settings > Service-linked roles > Service-linked "
        "role for Resale Authorizations > Create service-linked role"
    ),
    management_account_only=False,  # modelling decision 6
    cleanup=(
        "not documented beyond IAM's general rule; once it is deleted, AWS RAM no longer shares "
        "or accepts new resale authorizations automatically"
    ),
)
"""``AWSServiceRoleForMarketplaceResaleAuthorization``: resale authorizations (sellers)."""

MARKETPLACE_ROLES: tuple[RoleSpec, ...] = (
    MARKETPLACE_PURCHASE_ORDERS,
    LICENSE_MANAGEMENT,
    PRIVATE_MARKETPLACE_ADMIN,
    PROCUREMENT_INSIGHTS,
    DEPLOYMENT,
    RESALE_AUTHORIZATION,
)
"""Every service-linked role AWS Marketplace documents, the seed's first."""

# ---------------------------------------------------------------- two roles of other services

AUTO_SCALING = service_linked_role(
    "autoscaling.amazonaws.com",
    "AWSServiceRoleForAutoScaling",
    managed_policy_name="AutoScalingServiceRolePolicy",
    policy_document=managed_policies.AUTO_SCALING_POLICY,
    allows_custom_suffix=True,
    managed_policy_version="v10",
    managed_policy_updated="2025-11-12",
    purpose=(
        "Lets Amazon EC2 Auto Scaling launch, tag and terminate instances and manage their load "
        "balancing, alarms and notifications for your Auto Scaling groups."
    ),
    creation=(
        "automatic: the first Auto Scaling group created without another service-linked role; "
        "or IAM (console use case EC2 Auto Scaling, or the CLI/API, where --custom-suffix gives "
        "AWSServiceRoleForAutoScaling_<suffix>)"
    ),
    management_account_only=False,
    cleanup="delete every Auto Scaling group that uses the role",
)
"""``AWSServiceRoleForAutoScaling``: Amazon EC2 Auto Scaling; a CustomSuffix is allowed."""

ELASTIC_BEANSTALK = service_linked_role(
    "elasticbeanstalk.amazonaws.com",
    "AWSServiceRoleForElasticBeanstalk",
    managed_policy_name="AWSElasticBeanstalkServiceRolePolicy",
    policy_document=managed_policies.ELASTIC_BEANSTALK_POLICY,
    managed_policy_version="v6",
    managed_policy_updated="2019-06-06",
    purpose=(
        "Lets Elastic Beanstalk monitor the health of running environments and publish health "
        "event notifications."
    ),
    creation=(
        "automatic: creating an environment with the Elastic Beanstalk API without a service "
        "role; or IAM (use case Elastic Beanstalk)"
    ),
    management_account_only=False,
    cleanup=(
        "terminate every Elastic Beanstalk environment that uses the role, or make it use a "
        "different service role; if the service is using the role, wait a few minutes and retry"
    ),
)
"""``AWSServiceRoleForElasticBeanstalk``: Elastic Beanstalk's monitoring role."""

OTHER_SERVICES: tuple[RoleSpec, ...] = (AUTO_SCALING, ELASTIC_BEANSTALK)
"""Roles of services other than AWS Marketplace: the two moto's own tests create."""

BY_SERVICE_PRINCIPAL: Mapping[str, RoleSpec] = MappingProxyType(
    {spec.service_principal: spec for spec in (*MARKETPLACE_ROLES, *OTHER_SERVICES)}
)
"""Every catalogued spec by its service principal (read-only)."""


def role_spec_for(service_principal: str) -> RoleSpec:
    """The catalogued spec whose role trusts ``service_principal``.

    >>> role_spec_for("autoscaling.amazonaws.com").role_name_with_suffix("mysuffix")
    'AWSServiceRoleForAutoScaling_mysuffix'
    >>> role_spec_for("ec2.amazonaws.com")
    Traceback (most recent call last):
    ...
    slr_fsm.errors.UsageError: role_spec_for('ec2.amazonaws.com'): no catalogued service-linked role trusts that principal (the catalogue holds AWS Marketplace's roles, Auto Scaling's and Elastic Beanstalk's). Describe the role yourself with slr_fsm.specs.service_linked_role(...).
    """
    found = (
        BY_SERVICE_PRINCIPAL.get(service_principal) if isinstance(service_principal, str) else None
    )
    if found is None:
        raise UsageError(
            f"role_spec_for({shown(service_principal)}): no catalogued service-linked role trusts "
            "that principal (the catalogue holds AWS Marketplace's roles, Auto Scaling's and "
            "Elastic Beanstalk's). Describe the role yourself with "
            "slr_fsm.specs.service_linked_role(...)."
        )
    return found
