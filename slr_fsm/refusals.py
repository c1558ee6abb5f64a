"""From a refused lifecycle outcome to the AWS error a caller sees, with AWS's wording.

Every face turns refusals into errors here, so each message lives in exactly one place.

>>> from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS as spec
>>> str(role_not_found("Nope"))
'NoSuchEntity: The role with name Nope cannot be found.'
"""

from __future__ import annotations

from slr_fsm.accounts import Principal, ServicePrincipal
from slr_fsm.errors import (
    AccessDenied,
    AwsError,
    InvalidInput,
    ManagementAccountRequired,
    NoSuchEntity,
    UnmodifiableEntity,
    UsageError,
)
from slr_fsm.lifecycle import Outcome
from slr_fsm.policy_decision import Decision
from slr_fsm.roles import Role

__all__ = [
    "access_denied",
    "management_account_required",
    "protected_role",
    "refusal_error",
    "role_not_found",
]


def role_not_found(role_name: str) -> NoSuchEntity:
    """IAM's NoSuchEntity for a role name."""
    return NoSuchEntity(f"The role with name {role_name} cannot be found.", guard="state")


def protected_role(role_name: str) -> UnmodifiableEntity:
    """IAM's UnmodifiableEntity for any change to a service-linked role but its description."""
    return UnmodifiableEntity(
        f"Cannot perform the operation on the protected role '{role_name}' - "
        "this role is only modifiable by AWS",
        guard="protected_role",
    )


def access_denied(
    caller: Principal | ServicePrincipal, action: str, resource: str, decision: Decision
) -> AccessDenied:
    """AccessDenied in AWS's wording: who, what, on which resource, and why."""
    why = (
        "with an explicit deny in an identity-based policy"
        if decision is Decision.EXPLICIT_DENY
        else f"because no identity-based policy allows the {action} action"
    )
    kind = "User" if isinstance(caller, Principal) else "Service"
    return AccessDenied(
        f"{kind}: {caller.arn} is not authorized to perform: {action} on resource: "
        f"{resource} {why}",
        guard="caller_allowed",
    )


def management_account_required(account_id: str, management_account_id: str) -> AccessDenied:
    """The seed's rule: inside an organization, only the management account sets this up."""
    return ManagementAccountRequired(
        f"Account {account_id} is a member account of an organization. The AWS Billing "
        "integration, and the service-linked role it creates, can be set up only from the "
        f"organization's management account ({management_account_id}).",
        guard="management_account_on_console",
    )


def refusal_error(
    outcome: Outcome,
    role: Role,
    *,
    caller: Principal | ServicePrincipal,
    action: str,
    decision: Decision,
    management_account_id: str = "",
) -> AwsError:
    """The AWS error for a refused trigger, in AWS's words where AWS publishes them.

    The lifecycle says which guard refused (or that the state has no row) and the AWS code;
    this adds the message.
    """
    if outcome.refused_by == "caller_allowed":
        return access_denied(caller, action, role.arn, decision)
    if outcome.refused_by == "management_account_on_console":
        return management_account_required(role.account_id, management_account_id)
    code = outcome.refusal_code
    if code == "NoSuchEntity":
        return role_not_found(role.name)
    if code == "InvalidInput" and outcome.trigger == "create":
        return InvalidInput(
            f"Service role name {role.name} has been taken in this account, please try a "
            "different suffix.",
            guard="state",
        )
    raise UsageError(
        f"No AWS message is defined for refusing {outcome.trigger!r} from "
        f"{outcome.before.value!r} (code {code!r}, refused by {outcome.refused_by!r}); "
        "add one to slr_fsm.refusals.refusal_error."
    )
