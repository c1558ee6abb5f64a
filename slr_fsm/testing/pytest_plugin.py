"""pytest plugin: fixtures for tests that meet the simulation through boto3, all named ``slr_*``.

Registered through the ``pytest11`` entry point, so installing slr-fsm is enough. Every fixture
name starts with ``slr_``, so the plugin never shadows a fixture of your own (a moto-style test
that forgets its ``iam_client`` fixture gets "fixture not found", not the simulator).

``slr_sim``
    a fresh ``Simulation.default(...)`` for the test, configured by the ``slr_fsm`` marker, the
    ``slr_fsm_seed`` ini option and ``--slr-fsm-seed`` (in that order of precedence: marker,
    command line, ini; default seed 0).
``slr_iam``, ``slr_sts``, ``slr_organizations``
    real boto3 clients answered by ``slr_sim``, as the management account's ``admin``.
``slr_client``
    a factory: ``slr_client("iam" | "sts" | "organizations", account=None, principal=None)``,
    e.g. ``slr_client("iam", "444455556666", "readonly")``.
``slr_virtual_time``
    ``slr_sim`` with virtual time on for the test's thread: ``time.sleep(s)`` advances the
    simulation by ``s`` instead of sleeping (see :mod:`slr_fsm.virtual_time`).

The marker takes ``Simulation.default``'s keywords and a usage-reporting mode::

    @pytest.mark.slr_fsm(seed=7, latencies=Latencies(creation=0), usage_reporting="none",
                         account_ids={"management": "123456789012"})
    def test_something(slr_iam): ...

Clients are built from one shared botocore session (:func:`slr_fsm.boto.shared_session`), so
they cost a few milliseconds each and share their exception classes. The fixtures import boto3
only when used; without it they fail with the install hint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_sts import STSClient

    from slr_fsm.simulation import Simulation

__all__ = [
    "pytest_addoption",
    "pytest_configure",
    "slr_client",
    "slr_iam",
    "slr_organizations",
    "slr_sim",
    "slr_sts",
    "slr_virtual_time",
]

_MARKER_KEYWORDS = ("seed", "latencies", "specs", "usage_models", "account_ids", "usage_reporting")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--slr-fsm-seed`` and the ``slr_fsm_seed`` ini option."""
    parser.addoption(
        "--slr-fsm-seed",
        type=int,
        default=None,
        help="seed of the simulation the slr_sim fixture builds (slr_fsm; default: the "
        "slr_fsm_seed ini option, else 0)",
    )
    parser.addini("slr_fsm_seed", "seed of slr_fsm's slr_sim fixture (default 0)", default="0")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``slr_fsm`` marker."""
    config.addinivalue_line(
        "markers",
        "slr_fsm(seed=, latencies=, specs=, usage_models=, account_ids=, usage_reporting=): "
        "how slr_fsm's slr_sim fixture builds the test's simulation",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Warn about an ``slr_fsm`` marker put on a test that never builds ``slr_sim``: it would
    configure nothing, silently (a marker on a class or module is left alone)."""
    for item in items:
        own = getattr(item, "own_markers", ())
        if any(m.name == "slr_fsm" for m in own) and "slr_sim" not in getattr(
            item, "fixturenames", ()
        ):
            item.warn(
                pytest.PytestWarning(
                    "@pytest.mark.slr_fsm configures the slr_sim fixture, which this test does "
                    "not use (directly, or through slr_iam, slr_client and the other slr_* "
                    "fixtures): the marker has no effect here"
                )
            )


def _usage_error(message: str) -> Exception:
    from slr_fsm.errors import UsageError

    return UsageError(message)


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("slr_fsm"))):  # closest wins
        if marker.args:
            raise _usage_error(
                "@pytest.mark.slr_fsm takes keywords only, e.g. slr_fsm(seed=7, latencies=...)"
            )
        unknown = sorted(set(marker.kwargs) - set(_MARKER_KEYWORDS))
        if unknown:
            raise _usage_error(
                f"@pytest.mark.slr_fsm does not know {', '.join(unknown)}; it takes "
                f"{', '.join(_MARKER_KEYWORDS)}"
            )
        options.update(marker.kwargs)
    return options


def _seed(config: pytest.Config) -> int:
    given = config.getoption("--slr-fsm-seed")
    if given is not None:
        return int(given)
    text = str(config.getini("slr_fsm_seed")).strip() or "0"
    try:
        return int(text)
    except ValueError:
        raise _usage_error(f"ini option slr_fsm_seed is a whole number, got {text[:40]!r}") from None


@pytest.fixture
def slr_sim(request: pytest.FixtureRequest) -> Simulation:
    """A fresh default simulation for the test, as the ``slr_fsm`` marker and options say."""
    from slr_fsm.simulation import Simulation  # here: pytest loads this plugin in every run

    options = _marker_options(request)
    reporting = options.pop("usage_reporting", None)
    options.setdefault("seed", _seed(request.config))
    sim = Simulation.default(**options)
    if reporting is not None:
        sim.set_usage_reporting(reporting)
    return sim


@pytest.fixture
def slr_client(slr_sim: Simulation) -> Callable[..., Any]:
    """A factory of bridged boto3 clients: ``slr_client(service, account=None, principal=None)``."""
    from slr_fsm import boto

    factories: dict[str, Callable[..., Any]] = {
        "iam": boto.iam_client,
        "sts": boto.sts_client,
        "organizations": boto.organizations_client,
    }

    def make(service: str = "iam", account: Any = None, principal: Any = None) -> Any:
        if not isinstance(service, str) or service not in factories:
            raise _usage_error(
                f"slr_client makes 'iam', 'sts' or 'organizations' clients, not {service!r:.60}"
            )
        return factories[service](slr_sim, account, principal)

    return make


@pytest.fixture
def slr_iam(slr_client: Callable[..., Any]) -> IAMClient:
    """A boto3 IAM client answered by ``slr_sim``, as the management account's administrator."""
    client: IAMClient = slr_client("iam")
    return client


@pytest.fixture
def slr_sts(slr_client: Callable[..., Any]) -> STSClient:
    """A boto3 STS client answered by ``slr_sim``, as the management account's administrator."""
    client: STSClient = slr_client("sts")
    return client


@pytest.fixture
def slr_organizations(slr_client: Callable[..., Any]) -> OrganizationsClient:
    """A boto3 Organizations client answered by ``slr_sim`` (the read side)."""
    client: OrganizationsClient = slr_client("organizations")
    return client


@pytest.fixture
def slr_virtual_time(slr_sim: Simulation) -> Iterator[Simulation]:
    """``slr_sim``, with ``time.sleep`` advancing it instead of sleeping for the test's thread."""
    from slr_fsm.virtual_time import virtual_time

    with virtual_time(slr_sim) as sim:
        yield sim
