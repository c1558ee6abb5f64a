"""slr_fsm: the lifecycle of an AWS IAM service-linked role, simulated as a state machine.

>>> import slr_fsm
>>> sim = slr_fsm.Simulation.default()
>>> sim.role(sim.organization.management_account).state is slr_fsm.RoleState.ABSENT
True
"""

from slr_fsm.accounts import Account, Organization, Principal, ServicePrincipal
from slr_fsm.clock import Latencies, VirtualClock
from slr_fsm.errors import (
    AccessDenied,
    AwsError,
    ConcurrentModification,
    ConflictException,
    InvalidClientTokenId,
    InvalidInput,
    LimitExceeded,
    MalformedPolicyDocument,
    ManagementAccountRequired,
    NoSuchEntity,
    ResourceNotFoundException,
    ServiceFailure,
    SlrFsmError,
    UnmodifiableEntity,
    UnsupportedPolicyFeature,
    UsageError,
    ValidationError,
)
from slr_fsm.events import Event
from slr_fsm.faults import Faults, UsageReporting
from slr_fsm.lifecycle import LIFECYCLE, TRANSITIONS, GuardFacts, Lifecycle, RoleState, Transition
from slr_fsm.policy import Decision, PolicyDocument, evaluate
from slr_fsm.roles import Role
from slr_fsm.simulation import Simulation
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS, RoleSpec
from slr_fsm.subscriptions import Subscription
from slr_fsm.tasks import DeletionStatus, DeletionTask, RoleUsage

__version__ = "0.1.0"

__all__ = [
    "LIFECYCLE",
    "MARKETPLACE_PURCHASE_ORDERS",
    "TRANSITIONS",
    "AccessDenied",
    "Account",
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
    "Latencies",
    "Lifecycle",
    "LimitExceeded",
    "MalformedPolicyDocument",
    "ManagementAccountRequired",
    "NoSuchEntity",
    "Organization",
    "PolicyDocument",
    "Principal",
    "ResourceNotFoundException",
    "Role",
    "RoleSpec",
    "RoleState",
    "RoleUsage",
    "ServiceFailure",
    "ServicePrincipal",
    "Simulation",
    "SlrFsmError",
    "Subscription",
    "Transition",
    "UnmodifiableEntity",
    "UnsupportedPolicyFeature",
    "UsageError",
    "UsageReporting",
    "ValidationError",
    "VirtualClock",
    "__version__",
    "evaluate",
]
