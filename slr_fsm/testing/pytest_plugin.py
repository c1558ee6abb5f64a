"""pytest plugin: fixtures for tests that meet the simulation through boto3.

Registered through the ``pytest11`` entry point, so installing slr-fsm is enough. Fixtures:

``slr_sim``
    a fresh ``Simulation.default(seed=...)``; the seed comes from ``--slr-fsm-seed`` (default 0).
``iam_client``
    a real boto3 IAM client answered by ``slr_sim``, as the management account's ``admin``.
``slr_client``
    a factory: ``slr_client("iam" | "sts" | "organizations", account=None, principal=None)`` for other accounts and
    principals, e.g. ``slr_client("iam", "444455556666", "readonly")``.

The fixtures import boto3 only when used; without it they fail with the install hint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from slr_fsm.simulation import Simulation

__all__ = ["iam_client", "pytest_addoption", "slr_client", "slr_sim"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--slr-fsm-seed``."""
    parser.addoption(
        "--slr-fsm-seed",
        type=int,
        default=0,
        help="seed of the simulation the slr_sim fixture builds (slr_fsm; default 0)",
    )


@pytest.fixture
def slr_sim(request: pytest.FixtureRequest) -> Simulation:
    """A fresh default simulation, seeded by ``--slr-fsm-seed``."""
    from slr_fsm.simulation import Simulation  # here: pytest loads this plugin in every run

    return Simulation.default(seed=request.config.getoption("--slr-fsm-seed"))


@pytest.fixture
def slr_client(slr_sim: Simulation) -> Callable[..., Any]:
    """A factory of bridged boto3 clients: ``slr_client(service, account=None, principal=None)``."""
    from slr_fsm import boto

    def make(service: str = "iam", account: Any = None, principal: Any = None) -> Any:
        factories = {
            "iam": boto.iam_client,
            "sts": boto.sts_client,
            "organizations": boto.organizations_client,
        }
        if not isinstance(service, str) or service not in factories:
            from slr_fsm.errors import UsageError

            raise UsageError(
                f"slr_client makes 'iam', 'sts' or 'organizations' clients, not {service!r}"
            )
        return factories[service](slr_sim, account, principal)

    return make


@pytest.fixture
def iam_client(slr_client: Callable[..., Any]) -> Any:
    """A boto3 IAM client answered by ``slr_sim``, as the management account's administrator."""
    return slr_client("iam")
