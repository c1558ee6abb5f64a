"""The services the server answers, read from botocore's service models (loaded lazily, once).

Each :class:`Service` ties one botocore model (its protocol, API version, XML namespace or JSON
target prefix) to the simulation's face for it and the operations that face answers. The server
never keeps a template per operation: requests are read and answers written from these models.

>>> iam = service_named("iam")
>>> iam.protocol, iam.api_version, iam.simulates("GetRole"), iam.simulates("CreateUser")
('query', '2010-05-08', True, False)
>>> service_for_version("2011-06-15").name, service_for_target_prefix("AWSOrganizationsV20161128").name
('sts', 'organizations')
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from slr_fsm.iam import IAM_OPERATIONS
from slr_fsm.organizations import ORGANIZATIONS_OPERATIONS
from slr_fsm.simulation import Simulation
from slr_fsm.sts import STS_OPERATIONS

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel

__all__ = [
    "SERVICE_NAMES",
    "Service",
    "service_for_target_prefix",
    "service_for_version",
    "service_named",
]

SERVICE_NAMES = ("iam", "sts", "organizations")
"""The botocore services the server answers (their signing names too)."""

_FACES: dict[str, tuple[Callable[..., Any], Mapping[str, str]]] = {
    "iam": (Simulation.iam, {op.name: op.method for op in IAM_OPERATIONS}),
    "sts": (Simulation.sts, STS_OPERATIONS),
    "organizations": (
        lambda sim, *caller: sim.organizations(*caller),
        ORGANIZATIONS_OPERATIONS,
    ),
}


@attrs.frozen
class Service:
    """One answered service: its botocore model, and the face that answers it."""

    name: str
    model: ServiceModel = attrs.field(repr=False)
    face: Callable[..., Any] = attrs.field(repr=False)
    methods: Mapping[str, str] = attrs.field(repr=False)

    @property
    def protocol(self) -> str:
        """``query`` (IAM, STS: form-encoded requests, XML answers) or ``json`` (JSON 1.1)."""
        return str(self.model.metadata["protocol"])

    @property
    def api_version(self) -> str:
        """The ``Version`` a query request names, e.g. ``2010-05-08``."""
        return str(self.model.metadata["apiVersion"])

    @property
    def xml_namespace(self) -> str:
        """The query protocol's XML namespace (empty for JSON services)."""
        return str(self.model.metadata.get("xmlNamespace", ""))

    @property
    def target_prefix(self) -> str:
        """The JSON protocol's ``X-Amz-Target`` prefix (empty for query services)."""
        return str(self.model.metadata.get("targetPrefix", ""))

    def operation(self, name: str) -> OperationModel | None:
        """The model of an operation by its AWS name (case-sensitive, as AWS), or ``None``."""
        if name not in self.model.operation_names:
            return None
        return self.model.operation_model(name)

    def simulates(self, operation: str) -> bool:
        """Whether the simulation answers this operation."""
        return operation in self.methods

    def answer(
        self, sim: Simulation, account_id: str, principal: str, operation: str, params: Any
    ) -> dict[str, Any]:
        """The face's boto3-shaped answer to one call (raises the simulation's errors)."""
        face = self.face(sim, account_id, principal)
        return dict(getattr(face, self.methods[operation])(**params))


_lock = threading.Lock()


@functools.cache
def _services() -> dict[str, Service]:
    with _lock:  # botocore's loader is not documented as thread-safe
        import botocore.session

        session = botocore.session.get_session()
        return {
            name: Service(name, session.get_service_model(name), *_FACES[name])
            for name in SERVICE_NAMES
        }


def service_named(name: str) -> Service:
    """The answered service by botocore name (``iam``, ``sts``, ``organizations``)."""
    return _services()[name]


def service_for_version(version: str) -> Service | None:
    """The query service whose API version is ``version``, if any."""
    for service in _services().values():
        if service.protocol == "query" and service.api_version == version:
            return service
    return None


def service_for_target_prefix(prefix: str) -> Service | None:
    """The JSON service whose ``X-Amz-Target`` prefix is ``prefix``, if any."""
    for service in _services().values():
        if service.protocol == "json" and service.target_prefix == prefix:
            return service
    return None
