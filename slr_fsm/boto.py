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
>>> role["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
{'Service': 'purchase-orders.marketplace.amazonaws.com'}
>>> try:
...     iam.delete_role(RoleName=role["Role"]["RoleName"])
... except iam.exceptions.UnmodifiableEntityException as error:
...     print(error.response["Error"]["Code"])
UnmodifiableEntity

Needs the ``boto`` extra: ``pip install "slr-fsm[boto]"``.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attrs

from slr_fsm.accounts import Account, ServicePrincipal
from slr_fsm.errors import AwsError, InvalidClientTokenId, UsageError
from slr_fsm.iam import IAM_OPERATIONS, IamApi
from slr_fsm.ids import IdGenerator
from slr_fsm.simulation import Simulation
from slr_fsm.world import AccountLike, PrincipalLike

try:
    import botocore.session
    from botocore.awsrequest import AWSResponse
    from botocore.model import OperationModel, Shape
except ImportError as missing:  # pragma: no cover - depends on the environment
    raise ImportError(
        "slr_fsm.boto needs boto3 and botocore: pip install 'slr-fsm[boto]'"
    ) from missing

if TYPE_CHECKING:
    from botocore.client import BaseClient

__all__ = [
    "OperationNotSimulated",
    "SimulatedClients",
    "attach",
    "iam_client",
    "simulated",
    "simulated_boto3",
    "sts_client",
    "wire_form",
]

_SERVICES = ("iam", "sts")
_STATE_KEY = "slr_fsm.api_params"


class OperationNotSimulated(UsageError):
    """A bridged client was asked for an AWS operation the simulation does not answer."""


@attrs.define
class _Binding:
    """One client bound to one simulation, as one principal in one account."""

    sim: Simulation
    account_id: str
    principal: PrincipalLike
    service: str
    _iam: IamApi | None = None

    def answer(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The simulation's boto3-shaped answer; raises the simulation's AwsError."""
        if self.service == "iam":
            method = _IAM_METHODS.get(operation)
            if method is None:
                raise _not_simulated("IAM", operation, sorted(_IAM_METHODS))
            if self._iam is None:  # an unknown caller is refused here, call after call
                self._iam = self.sim.iam(self.account_id, self.principal)
            return dict(getattr(self._iam, method)(**params))
        if operation == "AssumeRole":
            return self.sim.sts(self.account_id, self.principal).assume_role(**params)
        if operation == "GetCallerIdentity":
            _, who = self.sim.caller(self.account_id, self.principal)
            if isinstance(who, ServicePrincipal):
                raise InvalidClientTokenId(
                    "The security token included in the request is invalid. (slr_fsm: a "
                    "service principal has no credentials of its own to ask with.)"
                )
            return {
                "UserId": f"AIDA{_digest(who.arn)[:17]}",
                "Account": self.account_id,
                "Arn": who.arn,
            }
        raise _not_simulated("STS", operation, ["AssumeRole", "GetCallerIdentity"])


_IAM_METHODS = {op.name: op.method for op in IAM_OPERATIONS}


def _not_simulated(service: str, operation: str, known: list[str]) -> OperationNotSimulated:
    return OperationNotSimulated(
        f"{service} {operation} is not simulated by slr_fsm, so this client cannot answer it "
        f"(it never answers with an empty response). Simulated: {', '.join(known)}."
    )


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest().upper()


def _request_id(sim: Simulation) -> str:
    """A RequestId derived from the seed and the log's length: deterministic, consumes no id."""
    return IdGenerator(seed=sim.seed, counter=len(sim.trace)).uuid()


_Path = tuple[str, ...]
_POLICY_PATHS: dict[str, tuple[_Path, ...]] = {}
_QUOTED: tuple[tuple[dict[str, Any], str], ...] = ()


def _policy_paths(shape: Shape, prefix: _Path = ()) -> tuple[_Path, ...]:
    """Where an output shape holds policy documents (``*`` standing for every list item)."""
    found: list[_Path] = []
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            if member.type_name == "string" and member.name == "policyDocumentType":
                found.append((*prefix, name))
            else:
                found.extend(_policy_paths(member, (*prefix, name)))
    elif shape.type_name == "list":
        found.extend(_policy_paths(shape.member, (*prefix, "*")))
    return tuple(found)


def _quoted(document: dict[str, Any]) -> str:
    """A policy document as AWS sends it: URL-encoded compact JSON (the few seen are cached;
    the cache is an immutable tuple swapped whole, so threads never see it half-written)."""
    global _QUOTED
    for seen, text in _QUOTED:
        if seen == document:
            return text
    text = quote(json.dumps(document, separators=(",", ":")))
    _QUOTED = (*_QUOTED[-7:], (copy.deepcopy(document), text))
    return text


def _encode_at(value: Any, path: _Path) -> Any:
    head, rest = path[0], path[1:]
    if head == "*":
        return [_encode_at(item, rest) for item in value] if isinstance(value, list) else value
    if not isinstance(value, dict) or head not in value:
        return value
    out = dict(value)
    if rest:
        out[head] = _encode_at(out[head], rest)
    elif isinstance(out[head], dict):
        out[head] = _quoted(out[head])
    return out


def wire_form(parsed: Any, shape: Shape | None) -> Any:
    """A boto3-shaped value as botocore's parser hands it on: policy documents URL-encoded JSON
    text, as AWS sends them (botocore's own ``after-call`` handler decodes them again)."""
    if shape is None:
        return parsed
    paths = _POLICY_PATHS.get(shape.name)
    if paths is None:
        paths = _POLICY_PATHS.setdefault(shape.name, _policy_paths(shape))
    for path in paths:
        parsed = _encode_at(parsed, path)
    return parsed


def _make_handlers(binding: _Binding) -> tuple[Callable[..., None], Callable[..., Any]]:
    def capture(params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
        context[_STATE_KEY] = dict(params)

    def answer(model: OperationModel, context: dict[str, Any], **_: Any) -> Any:
        params = context.get(_STATE_KEY, {})
        with binding.sim.atomic():  # the RequestId and the answer come from the same moment
            request_id = _request_id(binding.sim)
            try:
                parsed = wire_form(binding.answer(model.name, params), model.output_shape)
                status = 200
            except AwsError as error:
                parsed = {
                    "Error": {"Type": error.fault, "Code": error.code, "Message": error.message}
                }
                status = error.http_status
        metadata: dict[str, Any] = {
            "RequestId": request_id,
            "HTTPHeaders": {"x-amzn-requestid": request_id, "content-type": "text/xml"},
            "RetryAttempts": 0,
        }
        parsed["ResponseMetadata"] = {**metadata, "HTTPStatusCode": status}
        http = AWSResponse(
            f"https://{binding.service}.amazonaws.com/", status, metadata["HTTPHeaders"], None
        )
        return http, parsed

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
    """Make an existing IAM or STS client answer from ``sim`` until ``detach()``.

    ``account_id`` defaults to the organization's management account (or the first account);
    ``principal`` to that account's ``admin``. As with AWS credentials, an unknown account or
    principal is not refused here but by each call (``InvalidClientTokenId``, HTTP 403).
    """
    if not isinstance(sim, Simulation):
        raise UsageError(f"attach() binds a client to a Simulation, got {sim!r}")
    meta = getattr(client, "meta", None)
    service = getattr(getattr(meta, "service_model", None), "service_name", None)
    if service not in _SERVICES:
        raise UsageError(f"slr_fsm simulates IAM and STS clients only, not {service!r}.")
    if account_id is None:
        account = _default_account(sim)
    else:
        account = account_id.account_id if isinstance(account_id, Account) else str(account_id)
    binding = _Binding(sim, account, "admin" if principal is None else principal, service)
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


def _session_client(service: str, region_name: str) -> BaseClient:
    session = botocore.session.Session()
    return session.create_client(
        service,
        region_name=region_name,
        aws_access_key_id="slr-fsm",
        aws_secret_access_key="slr-fsm",
    )


def iam_client(
    sim: Simulation,
    account_id: AccountLike | None = None,
    principal: PrincipalLike | None = None,
    region_name: str = "us-east-1",
) -> BaseClient:
    """A real botocore IAM client answered by ``sim`` (default: the management administrator).

    ``principal`` is a principal's name (``"readonly"``) or object.
    """
    if not isinstance(sim, Simulation):
        raise UsageError(f"iam_client() takes a Simulation, got {sim!r}")
    client = _session_client("iam", region_name)
    attach(client, sim, account_id, principal)
    return client


def sts_client(
    sim: Simulation,
    account_id: AccountLike | None = None,
    principal: PrincipalLike | None = None,
    region_name: str = "us-east-1",
) -> BaseClient:
    """A real botocore STS client answered by ``sim``: ``assume_role`` on the service-linked
    role succeeds only for the trusted service principal; ``get_caller_identity`` works too."""
    client = _session_client("sts", region_name)
    attach(client, sim, account_id, principal)
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
) -> Iterator[Simulation]:
    """Every IAM and STS client created inside the block, by any boto3 or botocore session
    (``boto3.client("iam")`` included), answers from ``sim``.

    >>> import boto3
    >>> from slr_fsm import Simulation
    >>> sim = Simulation.default()
    >>> with simulated_boto3(sim):
    ...     boto3.client("iam").list_roles()["Roles"]
    []
    """
    original = botocore.session.Session.create_client

    def create_client(
        self: botocore.session.Session, service_name: str, *args: Any, **kwargs: Any
    ) -> Any:
        if service_name in _SERVICES:
            kwargs.setdefault("aws_access_key_id", "slr-fsm")
            kwargs.setdefault("aws_secret_access_key", "slr-fsm")
            if service_name == "sts" and not kwargs.get("region_name") and not (args and args[0]):
                kwargs["region_name"] = "us-east-1"
        client = original(self, service_name, *args, **kwargs)
        if service_name in _SERVICES:
            attach(client, sim, account_id, principal)
        return client

    botocore.session.Session.create_client = create_client
    try:
        yield sim
    finally:
        botocore.session.Session.create_client = original
