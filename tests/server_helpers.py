"""Shared helpers for the server tests: a served simulation, clients signed as its principals,
the control API over HTTP, and raw HTTP for requests no SDK would send."""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from slr_fsm.server import SimulationServer

NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})
_SESSION = boto3.session.Session()
"""One session for every client (loading botocore's models once)."""


def key_of(server: SimulationServer, account: str, principal: str = "admin") -> Any:
    """The access key of ``principal`` in ``account`` (by name or id)."""
    for key in server.access_keys():
        if account in (key.account_id, key.account_name) and key.principal == principal:
            return key
    raise LookupError(f"no key for {account}/{principal}")


def client(server: SimulationServer, service: str, account: str = "management",
           principal: str = "admin") -> Any:
    """A boto3 client of ``server``, signed with the principal's key."""
    key = key_of(server, account, principal)
    return _SESSION.client(
        service,
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=key.access_key_id,
        aws_secret_access_key=key.secret_access_key,
        config=NO_RETRIES,
    )


def raw(server: SimulationServer, method: str, path: str, body: bytes = b"",
        headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One HTTP exchange, as sent (status, lower-case headers, body)."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        chunked = (headers or {}).get("Transfer-Encoding") == "chunked"
        connection.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def control(server: SimulationServer, method: str, route: str, body: Any = None,
            query: str = "") -> tuple[int, Any]:
    """A control API call: status and decoded JSON (text for the trace)."""
    payload = b"" if body is None else json.dumps(body).encode()
    status, headers, answer = raw(
        server, method, f"/_slr_fsm{route}" + (f"?{query}" if query else ""), payload,
        {"Content-Type": "application/json"})
    if headers.get("content-type") == "application/x-ndjson":
        return status, [json.loads(line) for line in answer.decode().splitlines()]
    return status, json.loads(answer)


def signed_headers(server: SimulationServer, service: str = "iam", **extra: str) -> dict[str, str]:
    """Headers as a SigV4-signing client sends them (the signature itself is never checked)."""
    key = key_of(server, "management")
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={key.access_key_id}/20260101/us-east-1/"
                         f"{service}/aws4_request, SignedHeaders=host, Signature=0",
        **extra,
    }


def open_socket(server: SimulationServer) -> socket.socket:
    """A plain TCP connection to the server."""
    parts = urlsplit(server.url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)
