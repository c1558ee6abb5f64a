"""Refusals of the HTTP front end, before a request reaches the simulation: AWS's common errors.

The simulation's own refusals are :class:`~slr_fsm.errors.AwsError` values from its faces; a
request that cannot even be read as an AWS call (no action, an unknown one, bad form encoding,
no credentials, a body too large) is refused here, with the code and HTTP status AWS lists among
the errors common to every action ("Common Errors" in each service's API Reference).

>>> error = invalid_action("GetRoel", "2010-05-08")
>>> error.code, error.status, error.message
('InvalidAction', 400, 'Could not find operation GetRoel for version 2010-05-08')
"""

from __future__ import annotations

import attrs

__all__ = [
    "NO_VERSION",
    "WireError",
    "body_too_large",
    "internal_failure",
    "invalid_action",
    "malformed_query",
    "missing_action",
    "missing_authentication",
    "not_simulated",
    "serialization_error",
    "unknown_operation",
    "unrecognized_client",
    "validation_error",
]

NO_VERSION = "NO_VERSION_SPECIFIED"
"""How an InvalidAction message names the version of a request that gave none."""


@attrs.frozen
class WireError(Exception):
    """An AWS error answered by the front end: its code, message, HTTP status and fault."""

    code: str
    message: str
    status: int = 400
    fault: str = "Sender"

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def missing_action() -> WireError:
    """A query request with no ``Action``."""
    return WireError("MissingAction", "Missing Action")


def invalid_action(action: str, version: str | None) -> WireError:
    """An ``Action`` the service at that ``Version`` does not have (or no ``Version`` at all)."""
    return WireError(
        "InvalidAction", f"Could not find operation {action} for version {version or NO_VERSION}"
    )


def malformed_query(detail: str) -> WireError:
    """A query string or form body that cannot be decoded (HTTP 404, as AWS lists it)."""
    return WireError(
        "MalformedQueryString",
        f"The query string contains a syntax error. (slr_fsm: {detail})",
        404,
    )


def validation_error(detail: str) -> WireError:
    """A parameter whose text cannot be read as its modelled type (an integer, a boolean)."""
    return WireError("ValidationError", detail)


def missing_authentication(json: bool) -> WireError:
    """A request with no SigV4 ``Authorization`` header (nor a presigned ``X-Amz-Credential``)."""
    if json:
        return WireError("MissingAuthenticationTokenException", "Missing Authentication Token", 400)
    return WireError(
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
        403,
    )


def unrecognized_client(json: bool, key_id: str) -> WireError:
    """An access key id that names no principal of the simulated world: AWS's message, word for
    word (``slr-fsm access-keys`` lists the keys that do; docs/server.md says so)."""
    del key_id  # AWS does not echo the key; neither does the simulation
    message = "The security token included in the request is invalid."
    if json:
        return WireError("UnrecognizedClientException", message, 400)
    return WireError("InvalidClientTokenId", message, 403)


def unknown_operation(detail: str) -> WireError:
    """A JSON request whose ``X-Amz-Target`` names no operation of an answered service."""
    return WireError("UnknownOperationException", f"slr_fsm: {detail}")


def serialization_error(detail: str) -> WireError:
    """A JSON request whose body is not a JSON object (or is not sent as JSON)."""
    return WireError("SerializationException", f"slr_fsm: {detail}")


def body_too_large(limit: int) -> WireError:
    """A request body over the server's bound (HTTP 413)."""
    return WireError(
        "RequestEntityTooLargeException",
        f"Request body too large (slr_fsm: this server accepts at most {limit} bytes; see "
        "--max-body-bytes)",
        413,
    )


def not_simulated(code: str, message: str) -> WireError:
    """An operation (or a request) AWS answers but the simulation does not model: HTTP 501,
    with slr_fsm's own code, never a guessed answer."""
    return WireError(code, message, 501, "Receiver")


def internal_failure() -> WireError:
    """Anything unforeseen: AWS's InternalFailure, with no detail of the server's internals."""
    return WireError(
        "InternalFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
        500,
        "Receiver",
    )
