"""Small helpers the notebooks share (the kernel starts in this folder, so they import it).

>>> from slr_fsm import Simulation
>>> sim = Simulation.default(seed=0)
>>> outcome(lambda: sim.iam("111122223333").get_role(RoleName=ROLE))
'NoSuchEntity'
"""

from __future__ import annotations

from collections.abc import Callable

from slr_fsm import AwsError

__all__ = ["ROLE", "SERVICE", "outcome"]

ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"
"""The seed's service-linked role."""
SERVICE = "purchase-orders.marketplace.amazonaws.com"
"""The service principal that trusts it."""


def outcome(call: Callable[[], object]) -> str:
    """``"ok"``, or the AWS error code the simulation refused ``call`` with."""
    try:
        call()
    except AwsError as refused:
        return refused.code
    return "ok"
