"""Shared fixtures: a fresh default world and handy names for its accounts."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from slr_fsm import Simulation

ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"
SERVICE = "purchase-orders.marketplace.amazonaws.com"
MANAGEMENT = "111122223333"
MEMBER = "444455556666"
STANDALONE = "123456789012"


@pytest.fixture
def sim() -> Simulation:
    """A fresh ``Simulation.default(seed=0)``."""
    return Simulation.default(seed=0)


@pytest.fixture
def active_sim(sim: Simulation) -> Simulation:
    """The default world with the role active in the management account (console route)."""
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    sim.settle()
    return sim


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Switch threads as often as CPython allows, so races show; restore the old interval."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)
