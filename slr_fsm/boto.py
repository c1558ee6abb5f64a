"""Real boto3 clients whose calls a simulation answers: no network, no HTTP server, no moto.

botocore builds and validates each request as it would for AWS; at its ``before-call`` event the
simulation answers instead of the network, and botocore then treats the answer as AWS's (its own
``after-call`` handlers decode policy documents; errors become ``ClientError`` subclasses from the
client's modelled exceptions).

>>> from slr_fsm import Simulation
>>> from slr_fsm.boto import iam_client
>>> sim = Simulation.default()
>>> iam = iam_client(sim)
>>> role = iam.create_service_linked_role(AWSServiceName="purchase-orders.marketplace.amazonaws.com")
>>> role["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]  # as AWS answers a create
{'Service': ['purchase-orders.marketplace.amazonaws.com']}
>>> try:
...     iam.delete_role(RoleName=role["Role"]["RoleName"])
... except iam.exceptions.UnmodifiableEntityException as error:
...     print(error.response["Error"]["Code"])
UnmodifiableEntity

IAM, STS and (read side) AWS Organizations clients are answered. Inside ``simulated_boto3``
nothing reaches AWS: a client for any other service is refused when it is created
(:class:`ServiceNotSimulated`), unless the block hands such clients to moto
(``others="moto"``, inside moto's ``mock_aws``).

Needs the ``boto`` extra: ``pip install "slr-fsm[boto]"``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from slr_fsm.accounts import Account
from slr_fsm.errors import AwsError, OperationNotSimulated, ServiceNotSimulated, UsageError
from slr_fsm.iam import IAM_OPERATIONS
from slr_fsm.organizations import ORGANIZATIONS_OPERATIONS
from slr_fsm.shown import shown
from slr_fsm.simulation import Simulation
from slr_fsm.sts import STS_OPERATIONS
from slr_fsm.virtual_time import virtual_time as sleeping_in
from slr_fsm.world import AccountLike, PrincipalLike

try:
    import botocore.session
    from botocore.awsrequest import AWSResponse
    from botocore.model import OperationModel

    from slr_fsm.boto_patch import check_others, routed, sealed_route
    from slr_fsm.boto_wire import RequestIds, encoder, error_form, policy_paths, wire_form
except ImportError as missing:  # pragma: no cover - depends on the environment
    raise ImportError(
        "slr_fsm.boto needs boto3 and botocore: pip install 'slr-fsm[boto]'"
    ) from missing

if TYPE_CHECKING:  # with boto3-stubs installed, the clients are typed as boto3's own
    from botocore.client import BaseClient
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_sts import STSClient

__all__ = [
    "SIMULATED_SERVICES",
    "OperationNotSimulated",
    "ServiceNotSimulated",
    "SimulatedClients",
    "attach",
    "iam_client",
    "organizations_client",
    "shared_session",
    "simulated",
    "simulated_boto3",
    "sts_client",
    "wire_form",
]

_STATE_KEY = "slr_fsm.api_params"
_NO_PARAMETERS: Mapping[str, Any] = {}
_FACES: dict[str, tuple[str, Callable[..., Any], dict[str, str]]] = {
    "iam": (
        "IAM",
        lambda sim, *caller: sim.iam(*caller, unknown_caller="refuse_each_call"),
        {op.name: op.method for op in IAM_OPERATIONS},
    ),
    "sts": ("STS", Simulation.sts, STS_OPERATIONS),
    "organizations": (
        "Organizations",
        lambda sim, *caller: sim.organizations(*caller, unknown_caller="refuse_each_call"),
        ORGANIZATIONS_OPERATIONS,
    ),
}
"""Each service a simulation answers: its name in messages, its face, and its operations."""
SIMULATED_SERVICES = tuple(_FACES)
"""The botocore services whose clients a simulation answers."""


@attrs.frozen
class _Plan:
    """What answering one operation of a service takes, worked out once per operation: the
    face's method (``None``: not simulated), the encoder of its answers' policy documents,
    and the HTTP response's constant parts."""

    method: str | None
    encode: Callable[[Any], dict[str, Any]]
    content_type: str
    url: str

    @classmethod
    def of(cls, service: str, model: OperationModel) -> _Plan:
        json_protocol = model.metadata.get("protocol") == "json"
        return cls(
            _FACES[service][2].get(model.name),
            encoder(policy_paths(model.output_shape)),
            "application/x-amz-json-1.1" if json_protocol else "text/xml",
            f"https://{service}.amazonaws.com/",
        )


@attrs.define
class _Binding:
    """One client bound to one simulation, as one principal (``None``: admin) in one account."""

    sim: Simulation
    account_id: str
    principal: PrincipalLike | None
    service: str
    _kept: tuple[int, Any] | None = None  # the last face, with the population count then

    def face(self) -> Any:
        """The service's face for this caller: the one kept while the world's population is
        unchanged (a face holds its account and principal, nothing else), or a new one (one
        per call for a caller the world does not hold, which it refuses)."""
        changes = self.sim.population_changes
        kept = self._kept
        if kept is not None and kept[0] == changes:
            return kept[1]
        build = _FACES[self.service][1]
        try:
            self.sim.caller(self.account_id, self.principal)
        except (AwsError, UsageError):  # refused here, and by the face (built each call)
            return build(self.sim, self.account_id, self.principal)
        face = build(self.sim, self.account_id, self.principal)
        self._kept = (changes, face)
        return face

    def answer(self, plan: _Plan, operation: str, params: Mapping[str, Any]) -> Any:
        """The simulation's boto3-shaped answer, from the service's face (an unknown caller is
        refused there, call after call); raises the simulation's AwsError."""
        method = plan.method
        if method is None:
            label, _, methods = _FACES[self.service]
            raise OperationNotSimulated(
                f"{label} {operation} is not simulated by slr_fsm, so this client cannot answer "
                f"it (it never answers with an empty response). Simulated: "
                f"{', '.join(sorted(methods))}."
            )
        return getattr(self.face(), method)(**params)


def _make_handlers(binding: _Binding) -> tuple[Callable[..., None], Callable[..., Any]]:
    def capture(params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
        context[_STATE_KEY] = dict(params)

    plans: dict[OperationModel, _Plan] = {}  # botocore keeps one model of each operation
    sim, service, call = binding.sim, binding.service, binding.answer
    request_id = RequestIds()  # the client's calls' RequestIds, worked out 16 at a time

    def answer(model: OperationModel, context: dict[str, Any], **_: Any) -> Any:
        plan = plans.get(model)
        if plan is None:
            plan = plans.setdefault(model, _Plan.of(service, model))
        params = context.get(_STATE_KEY, _NO_PARAMETERS)
        with sim.atomic():  # the RequestId and the answer come from the same moment
            rid = request_id(sim.seed, sim.events_logged + 1)
            try:
                parsed = plan.encode(call(plan, model.name, params))
                status = 200
            except AwsError as error:
                parsed, status = error_form(error, model), error.http_status
        headers: Any = {"x-amzn-requestid": rid, "content-type": plan.content_type}
        parsed["ResponseMetadata"] = {
            "RequestId": rid,
            "HTTPHeaders": headers,
            "RetryAttempts": 0,
            "HTTPStatusCode": status,
        }
        return AWSResponse(plan.url, status, headers, None), parsed

    return capture, answer


@attrs.frozen
class SimulatedClients:
    """What :func:`attach` did to a client, so that :meth:`detach` can undo it."""

    client: Any
    handlers: tuple[tuple[str, Callable[..., Any]], ...]

    def detach(self) -> None:
        """Give the client back to the network."""
        for event, handler in self.handlers:
            self.client.meta.events.unregister(event, handler)


def attach(
    client: BaseClient,
    sim: Simulation,
    account_id: AccountLike | None = None,
    principal: PrincipalLike | None = None,
) -> SimulatedClients:
    """Make an existing IAM, STS or Organizations client answer from ``sim`` until ``detach()``.

    ``account_id`` defaults to the organization's management account (or the first account);
    ``principal`` to that account's ``admin``. As with AWS credentials, an unknown account or
    principal is not refused here but by each call (``InvalidClientTokenId``, HTTP 403).
    """
    if not isinstance(sim, Simulation):
        raise UsageError(f"attach() binds a client to a Simulation, got {shown(sim)}")
    meta = getattr(client, "meta", None)
    service = getattr(getattr(meta, "service_model", None), "service_name", None)
    if service not in _FACES:
        raise UsageError(
            f"slr_fsm simulates {', '.join(SIMULATED_SERVICES)} clients only, not {shown(service)}."
        )
    if account_id is None:
        account = _default_account(sim)
    else:
        account = account_id.account_id if isinstance(account_id, Account) else account_id
    binding = _Binding(sim, account, principal, service)
    capture, answer = _make_handlers(binding)
    service_id = client.meta.service_model.service_id.hyphenize()
    handlers = (
        (f"before-parameter-build.{service}", capture),
        (f"before-call.{service_id}", answer),
    )
    for event, handler in handlers:
        client.meta.events.register(event, handler)
    return SimulatedClients(client, handlers)


def _default_account(sim: Simulation) -> str:
    if sim.organizations:
        return sim.organization.management_account.account_id
    if not sim.accounts:
        raise UsageError("The simulation has no account to call from; add one first.")
    return sim.accounts[0].account_id


_session_lock = threading.Lock()
_shared_session: botocore.session.Session | None = None


def shared_session() -> botocore.session.Session:
    """The one botocore session every bridged client is built from.

    Sharing it means one set of loaded service models (a client after the first costs a few
    milliseconds, not a tenth of a second) and one set of exception classes: every bridged IAM
    client's ``exceptions.NoSuchEntityException`` is the same class, so code under test that
    raises or catches it behaves the same from one client to the next (hypothesis replays
    need that). It holds no credentials and no state of any simulation.
    """
    global _shared_session
    with _session_lock:
        if _shared_session is None:
            _shared_session = botocore.session.Session()
        return _shared_session


def _bound_client(service: str, sim: Simulation, *caller: Any, region_name: str) -> Any:
    """A client of the shared botocore session (dummy credentials), attached to ``sim``."""
    if not isinstance(sim, Simulation):
        raise UsageError(f"{service}_client() takes a Simulation, got {shown(sim)}")
    session = shared_session()
    with _session_lock:  # botocore sessions are not thread-safe; their clients are
        client = session.create_client(
            service,
            region_name=region_name,
            aws_access_key_id="slr-fsm",
            aws_secret_access_key="slr-fsm",
        )
    attach(client, sim, *caller)
    return client


def iam_client(
    sim: Simulation,
    account_id: AccountLike | None = None,
    principal: PrincipalLike | None = None,
    region_name: str = "us-east-1",
) -> IAMClient:
    """A real botocore IAM client answered by ``sim`` (default: the management administrator).

    ``principal`` is a principal's name (``"readonly"``) or object.
    """
    client: IAMClient = _bound_client("iam", sim, account_id, principal, region_name=region_name)
    return client


def sts_client(
    sim: Simulation,
    account_id: AccountLike | None = None,
    principal: PrincipalLike | None = None,
    region_name: str = "us-east-1",
) -> STSClient:
    """A real botocore STS client answered by ``sim``: ``assume_role`` on the service-linked
    role succeeds only for the trusted service principal; ``get_caller_identity`` works too."""
    client: STSClient = _bound_client("sts", sim, account_id, principal, region_name=region_name)
    return client


def organizations_client(
    sim: Simulation,
    account_id: AccountLike | None = None,
    principal: PrincipalLike | None = None,
    region_name: str = "us-east-1",
) -> OrganizationsClient:
    """A real botocore AWS Organizations client answered by ``sim`` (the read side: see
    :mod:`slr_fsm.organizations`).

    >>> from slr_fsm import Simulation
    >>> orgs = organizations_client(Simulation.default())
    >>> [a["Id"] for a in orgs.list_accounts()["Accounts"]]
    ['111122223333', '444455556666', '777788889999']
    """
    client: OrganizationsClient = _bound_client(
        "organizations", sim, account_id, principal, region_name=region_name
    )
    return client


@contextlib.contextmanager
def simulated(
    client: BaseClient,
    sim: Simulation,
    account_id: AccountLike | None = None,
    principal: PrincipalLike | None = None,
) -> Iterator[BaseClient]:
    """``with simulated(client, sim):`` the client answers from ``sim``; afterwards, as before."""
    binding = attach(client, sim, account_id, principal)
    try:
        yield client
    finally:
        binding.detach()


@contextlib.contextmanager
def simulated_boto3(
    sim: Simulation,
    account_id: AccountLike | None = None,
    principal: PrincipalLike | None = None,
    *,
    others: str | None = None,
    virtual_time: bool = True,
) -> Iterator[Simulation]:
    """Every IAM, STS and Organizations client created inside the block, by any boto3 or
    botocore session (``boto3.client("iam")`` included), answers from ``sim``; no client created
    inside it ever reaches AWS; one created earlier, used inside it by this thread, is refused
    (:class:`ServiceNotSimulated`) before a request leaves the process (unless moto answers).

    With ``virtual_time`` (the default), ``time.sleep(s)`` in the thread that entered the block
    advances ``sim``'s clock by ``s`` instead of sleeping, so polling loops and botocore waiters
    finish at once with the answers AWS would give after that long (see
    :mod:`slr_fsm.virtual_time`); pass ``virtual_time=False`` to sleep for real.

    A client for any other service is refused when it is created (:class:`ServiceNotSimulated`),
    unless ``others="moto"``: then, inside moto's ``mock_aws``, moto answers it (and a request
    moto does not answer is refused rather than sent). Blocks may nest and overlap across
    threads: a client goes to the innermost block of the thread that creates it; in a thread
    with no block, botocore is untouched (so code that starts threads should enter the block in
    them too, or build its clients first).

    >>> import boto3
    >>> from slr_fsm import Simulation
    >>> sim = Simulation.default()
    >>> with simulated_boto3(sim):
    ...     print(boto3.client("iam").list_roles()["Roles"])
    ...     try:
    ...         boto3.client("s3")
    ...     except ServiceNotSimulated as refused:
    ...         print(type(refused).__name__)
    []
    ServiceNotSimulated
    """
    if not isinstance(sim, Simulation):
        raise UsageError(f"simulated_boto3() takes a Simulation, got {shown(sim)}")
    check_others(others)
    if not isinstance(virtual_time, bool):
        raise UsageError(f"virtual_time is True or False, got {shown(virtual_time)}")

    def bind(client: BaseClient) -> None:
        attach(client, sim, account_id, principal)

    with contextlib.ExitStack() as blocks:
        if virtual_time:
            blocks.enter_context(sleeping_in(sim))
        blocks.enter_context(routed(sealed_route(bind, SIMULATED_SERVICES, others)))
        yield sim
