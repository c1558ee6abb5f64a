"""One shared, reference-counted patch of botocore's client factory, routed per thread; and
the route of a sealed ``simulated_boto3`` block, through which no client reaches AWS.

``simulated_boto3`` blocks may overlap, in one thread (nested) or in several. While any block
is active, ``botocore.session.Session.create_client`` is replaced by one router (installed by
the first block to enter, removed by the last to leave, under a lock); the router sends each
client to the innermost block *of the thread that creates it*. A thread with no active block
gets exactly what unpatched botocore gives. Once every block has left,
``Session.create_client`` is botocore's own function again. Beside it, botocore's last step
before the network (``Endpoint._send``) is patched the same way, so that a request a block's
thread makes through a client created before the block is refused rather than sent.

>>> import botocore.session
>>> original = botocore.session.Session.create_client
>>> with routed(lambda create, session, name, args, kwargs: "routed"):
...     botocore.session.Session().create_client("iam")
'routed'
>>> botocore.session.Session.create_client is original
True
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from collections.abc import Callable, Iterator
from typing import Any

import botocore.endpoint
import botocore.session

from slr_fsm.errors import ServiceNotSimulated, UsageError
from slr_fsm.shown import shown
from slr_fsm.thread_patch import ThreadPatch

__all__ = [
    "Route",
    "ServiceNotSimulated",
    "active_routes",
    "check_others",
    "moto_active",
    "routed",
    "sealed_route",
]

Route = Callable[[Callable[..., Any], Any, str, tuple[Any, ...], dict[str, Any]], Any]
"""``route(create, session, service_name, args, kwargs)``: the client to hand out, where
``create(session, service_name, *args, **kwargs)`` is botocore's own factory."""

_BOTOCORE: Callable[..., Any] = botocore.session.Session.create_client
"""botocore's own factory, as it was when slr_fsm was imported."""


def _router(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        route = _PATCH.current()
        if route is None:
            return original(self, service_name, *args, **kwargs)
        return route(original, self, service_name, args, kwargs)

    return create_client


_PATCH: ThreadPatch[Route] = ThreadPatch(botocore.session.Session, "create_client", _router)


def active_routes() -> int:
    """How many blocks are active in this thread."""
    return _PATCH.depth()


def _send_guard(original: Callable[..., Any]) -> Callable[..., Any]:
    def _send(self: Any, request: Any) -> Any:
        if _SENDS.current() is None or isinstance(getattr(self, "http_session", None), _NoNetwork):
            return original(self, request)  # no block in this thread, or a client made in one
        raise ServiceNotSimulated(
            f"A request to {shown(getattr(request, 'url', '?'))} was about to leave this process "
            "inside simulated_boto3, from a client created outside the block (before it, or "
            "in another thread); no request made inside the block may reach AWS, so it is "
            "refused. Create the client inside the block."
        )

    return _send


_SENDS: ThreadPatch[bool] = ThreadPatch(botocore.endpoint.Endpoint, "_send", _send_guard)
"""While a block is active in a thread, botocore's last step before the network refuses
requests from that thread (what a client created before the block would send)."""


@contextlib.contextmanager
def routed(route: Route) -> Iterator[None]:
    """While the block runs, clients this thread creates go through ``route``, and no request
    this thread makes leaves the process (whichever client makes it)."""
    with _PATCH.entered(route), _SENDS.entered(True):
        yield


# ----------------------------------------------------------------------------- sealed blocks


_CREATE_PARAMETERS = tuple(inspect.signature(_BOTOCORE).parameters)[2:]
"""``Session.create_client``'s parameters after ``self`` and ``service_name``."""


def sealed_route(
    bind: Callable[[Any], None], simulated: tuple[str, ...], others: str | None
) -> Route:
    """A block's route: a client of a ``simulated`` service is built with dummy credentials (so
    botocore looks none up, e.g. from the instance metadata service) and ``bind``-ed to the
    simulation; one of another service goes to moto when ``others == "moto"`` and moto's
    ``mock_aws`` is active, and is refused otherwise (:class:`ServiceNotSimulated`). No
    client handed out sends anything over the network (see :class:`_NoNetwork`)."""

    def route(
        create: Callable[..., Any],
        session: Any,
        service_name: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        given = {**dict(zip(_CREATE_PARAMETERS, args, strict=False)), **kwargs}
        if service_name in simulated:
            if given.get("aws_access_key_id") is None:
                given.update(aws_access_key_id="slr-fsm", aws_secret_access_key="slr-fsm")
            if service_name == "sts" and not given.get("region_name"):
                given["region_name"] = session.get_config_variable("region") or "us-east-1"
            client = create(session, service_name, **given)
            bind(client)
        elif others == "moto" and moto_active():
            client = create(session, service_name, **given)
        else:
            raise ServiceNotSimulated(_refusal(service_name, simulated, others))
        endpoint = getattr(client, "_endpoint", None)  # botocore's own, private attribute
        if endpoint is not None:
            endpoint.http_session = _NoNetwork()
        return client

    return route


def check_others(others: object) -> None:
    """Refuse an ``others`` that is neither ``None`` nor ``"moto"``, and ``"moto"`` while moto's
    ``mock_aws`` is not active (clients handed to it would reach AWS)."""
    if others not in (None, "moto"):
        raise UsageError(f'others is None (refuse other services) or "moto", got {others!r}')
    if others == "moto" and not moto_active():
        raise UsageError(
            'simulated_boto3(sim, others="moto") hands other services to moto, so moto\'s '
            'mock_aws must be active: with mock_aws(): with simulated_boto3(sim, others="moto"):'
        )


def _refusal(service_name: str, simulated: tuple[str, ...], others: str | None) -> str:
    if others == "moto":
        return (
            f"Inside simulated_boto3(others='moto'), a {service_name!r} client goes to moto, "
            "but moto's mock_aws is not active now, so it would reach AWS; it is refused."
        )
    return (
        f"slr_fsm does not simulate {service_name!r} (it simulates {', '.join(simulated)}), and "
        "inside simulated_boto3 no client may reach AWS, so this client is refused. To let moto "
        "answer other services, enter moto's mock_aws and use simulated_boto3(sim, "
        "others='moto')."
    )


def moto_active() -> bool:
    """Whether moto's ``mock_aws`` is answering now (moto is never imported here)."""
    models = sys.modules.get("moto.core.models")
    return bool(getattr(getattr(models, "botocore_stubber", None), "enabled", False))


class _NoNetwork:
    """The HTTP session of a client made inside a block: botocore reaches it only when nothing
    answered the request first (the simulation at ``before-call``, moto at ``before-send``),
    so the request would go to the network; it is refused instead."""

    def send(self, request: Any) -> Any:
        """Refuse to send ``request``."""
        raise ServiceNotSimulated(
            f"A client created inside simulated_boto3 was about to send a request to "
            f"{getattr(request, 'url', '?')}: nothing answered it (moto's mock_aws not active, "
            "or not answering that address), and no client made there may reach AWS."
        )

    def close(self) -> None:
        """Nothing to close."""
