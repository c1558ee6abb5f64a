"""One HTTP exchange as the server's handlers see it: a request read whole, a response to send.

Kept apart from the HTTP library, so the AWS endpoint and the control API are plain functions
of a :class:`WireRequest` (and can be tested without a socket).

>>> WireResponse.json_body(200, {"status": "ok"}).body
b'{"status": "ok"}'
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["WireRequest", "WireResponse"]


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


@attrs.frozen
class WireRequest:
    """A request: method, path, raw query string, headers (case-insensitive lookup) and body."""

    method: str
    path: str
    query_string: str
    headers: Mapping[str, str] = attrs.field(converter=_lower_keys)
    body: bytes = b""

    def header(self, name: str, default: str = "") -> str:
        """A header's value by name, in any case."""
        return self.headers.get(name.lower(), default)

    @property
    def content_type(self) -> str:
        """The media type, lower-case, without parameters (``charset``)."""
        return self.header("Content-Type").split(";", 1)[0].strip().lower()


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON data")


@attrs.frozen
class WireResponse:
    """A response: status, headers and body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @classmethod
    def json_body(
        cls, status: int, value: Any, headers: tuple[tuple[str, str], ...] = ()
    ) -> WireResponse:
        """A JSON response (datetimes as ISO 8601 text)."""
        body = json.dumps(value, default=_json_default).encode()
        return cls(status, (("Content-Type", "application/json"), *headers), body)
