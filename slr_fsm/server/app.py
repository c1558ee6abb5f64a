"""The WSGI application: reads each request whole (within the body bound), sends it to the
control API or the AWS endpoint, and makes sure that whatever happens the client gets an AWS
error document, never a traceback.

A body over the bound is refused with HTTP 413 before more of it is read (from the
``Content-Length``, or while reading a chunked body). A client that stops sending (or goes
away) mid-body makes the read fail with a timeout or a disconnection: the connection is then
dropped without an answer, as there is no one to read it. Anything unforeseen is logged to the
server's log and answered ``InternalFailure`` (HTTP 500).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from slr_fsm.server.aws_endpoint import answer_aws, wire_error_response
from slr_fsm.server.control import CONTROL_PREFIX, answer_control
from slr_fsm.server.exchange import WireRequest, WireResponse
from slr_fsm.server.served import ServedWorld
from slr_fsm.server.wire_errors import WireError, body_too_large, internal_failure

__all__ = ["DEFAULT_MAX_BODY_BYTES", "ServerApp"]

DEFAULT_MAX_BODY_BYTES = 1 << 20
"""1 MiB: well above IAM's largest request (a 131,072-character policy document, form-encoded)."""


class ServerApp:
    """The WSGI application of one server: ``app(environ, start_response)``."""

    def __init__(
        self,
        served: ServedWorld,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        log: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.served = served
        self.max_body_bytes = max_body_bytes
        self._log = log
        self._idle = threading.Condition()
        self._in_flight = 0

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request is being answered (at most ``timeout`` seconds)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        with self._idle:
            self._in_flight += 1
        try:
            response = self._respond(environ)
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        start_response(f"{response.status} {reason}".strip(), headers)
        return [response.body]

    def _respond(self, environ: dict[str, Any]) -> WireResponse:
        headers = {
            key[5:].replace("_", "-"): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-")] = str(environ[key])
        head = WireRequest(
            environ.get("REQUEST_METHOD", "GET"),
            environ.get("PATH_INFO", "") or "/",
            environ.get("QUERY_STRING", ""),
            headers,
        )
        try:
            request = WireRequest(
                head.method, head.path, head.query_string, head.headers, self._body(environ)
            )
            if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
                return answer_control(self.served, request)
            return answer_aws(self.served, request)
        except WireError as error:  # the body bound
            return self._refusal(head, error)
        except (ConnectionError, TimeoutError):
            raise  # the client is gone or stalled: the HTTP server drops the connection
        except Exception:
            self._log("slr-fsm serve: error answering a request:\n" + traceback.format_exc())
            return self._refusal(head, internal_failure())

    def _refusal(self, head: WireRequest, error: WireError) -> WireResponse:
        if head.path == CONTROL_PREFIX or head.path.startswith(CONTROL_PREFIX + "/"):
            return WireResponse.json_body(
                error.status, {"error": {"code": error.code, "message": error.message}}
            )
        return wire_error_response(head, error, self.served.request_id())

    def _body(self, environ: dict[str, Any]) -> bytes:
        """The request body, at most ``max_body_bytes`` of it (WireError 413 past that)."""
        from werkzeug.exceptions import ClientDisconnected
        from werkzeug.wsgi import get_content_length, get_input_stream

        limit = self.max_body_bytes
        length = get_content_length(environ)
        try:
            if length is not None:
                if length > limit:
                    raise body_too_large(limit)
                return get_input_stream(environ).read()
            if not environ.get("wsgi.input_terminated"):
                return b""  # no length and not chunked: no body
            stream, parts, size = environ["wsgi.input"], [], 0
            while part := stream.read(min(65536, limit + 1 - size)):
                parts.append(part)
                size += len(part)
                if size > limit:
                    raise body_too_large(limit)
            return b"".join(parts)
        except ClientDisconnected:
            raise ConnectionError("the client closed the connection mid-body") from None
