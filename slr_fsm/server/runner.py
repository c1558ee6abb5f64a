"""The HTTP server: werkzeug's threaded WSGI server around :class:`~slr_fsm.server.app.ServerApp`,
started and stopped cleanly, in a thread of your process or as ``slr-fsm serve``.

One thread per connection; every connection has a socket timeout (``client_timeout``), so a
client that sends too slowly, or stops, loses its connection instead of holding a worker.
Stopping stops accepting, lets requests being answered finish (for up to ``grace`` seconds),
then closes the socket.

>>> from slr_fsm import Simulation
>>> import urllib.request, json
>>> with SimulationServer(Simulation.default()) as server:
...     health = json.load(urllib.request.urlopen(server.url + "/_slr_fsm/health"))
>>> health["status"], health["now"]
('ok', '2026-01-01T00:00:00+00:00')
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterable
from types import FrameType, TracebackType
from typing import Any

from slr_fsm.errors import UsageError
from slr_fsm.server.app import DEFAULT_MAX_BODY_BYTES, ServerApp
from slr_fsm.server.identity import AccessKey, access_keys
from slr_fsm.server.served import ClockMode, ServedWorld
from slr_fsm.shown import shown
from slr_fsm.simulation import Simulation
from slr_fsm.usage import UsageModel

__all__ = ["DEFAULT_CLIENT_TIMEOUT", "SimulationServer", "serve_until_signalled"]

DEFAULT_CLIENT_TIMEOUT = 10.0
"""Seconds a connection may stay silent (mid-request, or idle) before the server drops it."""


def _werkzeug_serving() -> Any:
    try:
        import werkzeug.serving
    except ImportError as missing:  # pragma: no cover - depends on the environment
        raise ImportError(
            "slr-fsm serve needs werkzeug: pip install 'slr-fsm[server]'"
        ) from missing
    return werkzeug.serving


def _handler_class(client_timeout: float, log: Callable[[str], None] | None) -> type[Any]:
    _werkzeug_serving()  # a clear message when the server extra is missing
    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        timeout = client_timeout

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            if log is not None:
                log(f"{self.address_string()} {self.command} {self.path} {code}")

        def log(self, type: str, message: str, *args: Any) -> None:
            if log is not None:
                log(f"{self.address_string()} {type}: {message % args if args else message}")

    return Handler


class SimulationServer:
    """A simulation served over HTTP as an AWS endpoint (IAM, STS, Organizations) plus the
    control API; bound when constructed (``port=0`` picks a free port), serving once started.

    ``clock``: :class:`ClockMode` (``manual`` by default; ``ClockMode.wall(speed)`` lets
    virtual time follow wall time). ``log``: where to write one line per request and errors
    (default: nowhere). The server answers from ``sim`` itself until a restore or reset
    replaces it (``server.sim`` is always the world being served).
    """

    def __init__(
        self,
        sim: Simulation | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: ClockMode | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        client_timeout: float = DEFAULT_CLIENT_TIMEOUT,
        usage_models: Iterable[UsageModel] = (),
        log: Callable[[str], None] | None = None,
    ) -> None:
        from werkzeug.serving import make_server

        if (
            isinstance(max_body_bytes, bool)
            or not isinstance(max_body_bytes, int)
            or max_body_bytes < 1
        ):
            raise UsageError(f"max_body_bytes is a positive int, got {shown(max_body_bytes)}")
        if (
            isinstance(client_timeout, bool)
            or not isinstance(client_timeout, int | float)
            or not client_timeout > 0
        ):
            raise UsageError(
                f"client_timeout is a number of seconds above 0, got {shown(client_timeout)}"
            )
        self.served = ServedWorld(
            Simulation.default() if sim is None else sim,
            clock or ClockMode.manual(),
            usage_models=usage_models,
        )
        self.app = ServerApp(
            self.served, max_body_bytes=max_body_bytes, log=log or (lambda _: None)
        )
        try:
            self._httpd = make_server(
                host,
                port,
                self.app,
                threaded=True,
                request_handler=_handler_class(client_timeout, log),
            )
        except OSError as error:
            raise UsageError(f"Cannot listen on {host}:{port}: {error}") from None
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        """The address the server listens on."""
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        """The port the server listens on (the one picked, when asked for port 0)."""
        return int(self._httpd.server_port)

    @property
    def url(self) -> str:
        """The endpoint URL, e.g. ``http://127.0.0.1:4566``, for ``--endpoint-url``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def sim(self) -> Simulation:
        """The simulation being served now."""
        return self.served.sim

    def access_keys(self) -> tuple[AccessKey, ...]:
        """Every principal's access key pair in the world being served."""
        return access_keys(self.served.sim)

    def start(self) -> SimulationServer:
        """Serve in a background (daemon) thread; returns the server."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                args=(0.05,),
                name=f"slr-fsm serve {self.url}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self, grace: float = 5.0) -> None:
        """Stop accepting, let requests in progress finish (up to ``grace`` s), close."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self.app.wait_idle(grace)
        self._httpd.server_close()

    def __enter__(self) -> SimulationServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_until_signalled(
    server: SimulationServer, ready: Callable[[SimulationServer], None] = lambda _: None
) -> None:
    """Serve until SIGINT or SIGTERM, then stop cleanly (for ``slr-fsm serve``; main thread)."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.start()
        ready(server)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for number, handler in previous.items():
            signal.signal(number, handler)
        sys.stdout.flush()
