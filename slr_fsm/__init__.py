"""slr_fsm: the lifecycle of an AWS IAM service-linked role, simulated as a state machine.

>>> import slr_fsm
>>> sim = slr_fsm.Simulation.default()
>>> sim.role(sim.organization.management_account).state is slr_fsm.RoleState.ABSENT
True

The public names below load on first use (PEP 562), so ``import slr_fsm`` costs almost
nothing until the simulation is needed; type checkers see ordinary imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slr_fsm.accounts import (
        Account as Account,
    )
    from slr_fsm.accounts import (
        Organization as Organization,
    )
    from slr_fsm.accounts import (
        Principal as Principal,
    )
    from slr_fsm.accounts import (
        ServicePrincipal as ServicePrincipal,
    )
    from slr_fsm.clock import (
        Latencies as Latencies,
    )
    from slr_fsm.clock import (
        VirtualClock as VirtualClock,
    )
    from slr_fsm.errors import (
        AccessDenied as AccessDenied,
    )
    from slr_fsm.errors import (
        AccessDeniedException as AccessDeniedException,
    )
    from slr_fsm.errors import (
        AccountNotFoundException as AccountNotFoundException,
    )
    from slr_fsm.errors import (
        AwsError as AwsError,
    )
    from slr_fsm.errors import (
        AWSOrganizationsNotInUseException as AWSOrganizationsNotInUseException,
    )
    from slr_fsm.errors import (
        ConcurrentModification as ConcurrentModification,
    )
    from slr_fsm.errors import (
        ConflictException as ConflictException,
    )
    from slr_fsm.errors import (
        InvalidClientTokenId as InvalidClientTokenId,
    )
    from slr_fsm.errors import (
        InvalidInput as InvalidInput,
    )
    from slr_fsm.errors import (
        InvalidInputException as InvalidInputException,
    )
    from slr_fsm.errors import (
        LimitExceeded as LimitExceeded,
    )
    from slr_fsm.errors import (
        MalformedPolicyDocument as MalformedPolicyDocument,
    )
    from slr_fsm.errors import (
        ManagementAccountRequired as ManagementAccountRequired,
    )
    from slr_fsm.errors import (
        NoSuchEntity as NoSuchEntity,
    )
    from slr_fsm.errors import (
        OperationNotSimulated as OperationNotSimulated,
    )
    from slr_fsm.errors import (
        PolicyNotAttachable as PolicyNotAttachable,
    )
    from slr_fsm.errors import (
        RequestNotSimulated as RequestNotSimulated,
    )
    from slr_fsm.errors import (
        ResourceNotFoundException as ResourceNotFoundException,
    )
    from slr_fsm.errors import (
        ServiceFailure as ServiceFailure,
    )
    from slr_fsm.errors import (
        ServiceNotSimulated as ServiceNotSimulated,
    )
    from slr_fsm.errors import (
        SlrFsmError as SlrFsmError,
    )
    from slr_fsm.errors import (
        SnapshotError as SnapshotError,
    )
    from slr_fsm.errors import (
        UnmodifiableEntity as UnmodifiableEntity,
    )
    from slr_fsm.errors import (
        UnsupportedPolicyFeature as UnsupportedPolicyFeature,
    )
    from slr_fsm.errors import (
        UsageError as UsageError,
    )
    from slr_fsm.errors import (
        ValidationError as ValidationError,
    )
    from slr_fsm.events import (
        Event as Event,
    )
    from slr_fsm.faults import (
        Faults as Faults,
    )
    from slr_fsm.faults import (
        UsageReporting as UsageReporting,
    )
    from slr_fsm.lifecycle import (
        LIFECYCLE as LIFECYCLE,
    )
    from slr_fsm.lifecycle import (
        TRANSITIONS as TRANSITIONS,
    )
    from slr_fsm.lifecycle import (
        GuardFacts as GuardFacts,
    )
    from slr_fsm.lifecycle import (
        Lifecycle as Lifecycle,
    )
    from slr_fsm.lifecycle import (
        RoleState as RoleState,
    )
    from slr_fsm.lifecycle import (
        Transition as Transition,
    )
    from slr_fsm.policy import (
        Decision as Decision,
    )
    from slr_fsm.policy import (
        PolicyDocument as PolicyDocument,
    )
    from slr_fsm.policy import (
        evaluate as evaluate,
    )
    from slr_fsm.roles import (
        Role as Role,
    )
    from slr_fsm.simulation import (
        Simulation as Simulation,
    )
    from slr_fsm.specs import (
        MARKETPLACE_PURCHASE_ORDERS as MARKETPLACE_PURCHASE_ORDERS,
    )
    from slr_fsm.specs import (
        RoleSpec as RoleSpec,
    )
    from slr_fsm.subscriptions import (
        Subscription as Subscription,
    )
    from slr_fsm.tasks import (
        DeletionStatus as DeletionStatus,
    )
    from slr_fsm.tasks import (
        DeletionTask as DeletionTask,
    )
    from slr_fsm.tasks import (
        RoleUsage as RoleUsage,
    )
    from slr_fsm.usage import (
        PurchaseOrderUsage as PurchaseOrderUsage,
    )
    from slr_fsm.usage import (
        UsageModel as UsageModel,
    )

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "AccessDenied": "slr_fsm.errors",
    "OperationNotSimulated": "slr_fsm.errors",
    "PolicyNotAttachable": "slr_fsm.errors",
    "RequestNotSimulated": "slr_fsm.errors",
    "ServiceNotSimulated": "slr_fsm.errors",
    "Account": "slr_fsm.accounts",
    "AwsError": "slr_fsm.errors",
    "ConcurrentModification": "slr_fsm.errors",
    "ConflictException": "slr_fsm.errors",
    "Decision": "slr_fsm.policy",
    "DeletionStatus": "slr_fsm.tasks",
    "DeletionTask": "slr_fsm.tasks",
    "Event": "slr_fsm.events",
    "Faults": "slr_fsm.faults",
    "GuardFacts": "slr_fsm.lifecycle",
    "InvalidClientTokenId": "slr_fsm.errors",
    "InvalidInput": "slr_fsm.errors",
    "LIFECYCLE": "slr_fsm.lifecycle",
    "Latencies": "slr_fsm.clock",
    "Lifecycle": "slr_fsm.lifecycle",
    "LimitExceeded": "slr_fsm.errors",
    "MARKETPLACE_PURCHASE_ORDERS": "slr_fsm.specs",
    "MalformedPolicyDocument": "slr_fsm.errors",
    "ManagementAccountRequired": "slr_fsm.errors",
    "NoSuchEntity": "slr_fsm.errors",
    "Organization": "slr_fsm.accounts",
    "PolicyDocument": "slr_fsm.policy",
    "Principal": "slr_fsm.accounts",
    "ResourceNotFoundException": "slr_fsm.errors",
    "Role": "slr_fsm.roles",
    "RoleSpec": "slr_fsm.specs",
    "RoleState": "slr_fsm.lifecycle",
    "RoleUsage": "slr_fsm.tasks",
    "ServiceFailure": "slr_fsm.errors",
    "AWSOrganizationsNotInUseException": "slr_fsm.errors",
    "AccessDeniedException": "slr_fsm.errors",
    "AccountNotFoundException": "slr_fsm.errors",
    "InvalidInputException": "slr_fsm.errors",
    "SnapshotError": "slr_fsm.errors",
    "UsageModel": "slr_fsm.usage",
    "PurchaseOrderUsage": "slr_fsm.usage",
    "ServicePrincipal": "slr_fsm.accounts",
    "Simulation": "slr_fsm.simulation",
    "SlrFsmError": "slr_fsm.errors",
    "Subscription": "slr_fsm.subscriptions",
    "TRANSITIONS": "slr_fsm.lifecycle",
    "Transition": "slr_fsm.lifecycle",
    "UnmodifiableEntity": "slr_fsm.errors",
    "UnsupportedPolicyFeature": "slr_fsm.errors",
    "UsageError": "slr_fsm.errors",
    "UsageReporting": "slr_fsm.faults",
    "ValidationError": "slr_fsm.errors",
    "VirtualClock": "slr_fsm.clock",
    "evaluate": "slr_fsm.policy",
}
"""Each public name and the module that defines it."""

__all__ = [
    "LIFECYCLE",
    "MARKETPLACE_PURCHASE_ORDERS",
    "TRANSITIONS",
    "AWSOrganizationsNotInUseException",
    "AccessDenied",
    "AccessDeniedException",
    "Account",
    "AccountNotFoundException",
    "AwsError",
    "ConcurrentModification",
    "ConflictException",
    "Decision",
    "DeletionStatus",
    "DeletionTask",
    "Event",
    "Faults",
    "GuardFacts",
    "InvalidClientTokenId",
    "InvalidInput",
    "InvalidInputException",
    "Latencies",
    "Lifecycle",
    "LimitExceeded",
    "MalformedPolicyDocument",
    "ManagementAccountRequired",
    "NoSuchEntity",
    "OperationNotSimulated",
    "Organization",
    "PolicyDocument",
    "PolicyNotAttachable",
    "Principal",
    "PurchaseOrderUsage",
    "RequestNotSimulated",
    "ResourceNotFoundException",
    "Role",
    "RoleSpec",
    "RoleState",
    "RoleUsage",
    "ServiceFailure",
    "ServiceNotSimulated",
    "ServicePrincipal",
    "Simulation",
    "SlrFsmError",
    "SnapshotError",
    "Subscription",
    "Transition",
    "UnmodifiableEntity",
    "UnsupportedPolicyFeature",
    "UsageError",
    "UsageModel",
    "UsageReporting",
    "ValidationError",
    "VirtualClock",
    "__version__",
    "evaluate",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use, and keep it."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'slr_fsm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
