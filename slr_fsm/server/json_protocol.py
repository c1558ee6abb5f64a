"""AWS's JSON 1.1 protocol (AWS Organizations), driven by botocore's service model.

Written here, as botocore has only the client's half: :func:`read_json` reads a request body
into boto3's parameters (timestamps from epoch seconds, blobs from base64), :func:`answer_json`
writes an answer as botocore's ``JSONParser`` reads it (timestamps as epoch seconds), and
:func:`error_json` writes AWS's error body (``__type`` and ``Message``, plus the error shape's
other members, e.g. Organizations' ``Reason``).

>>> error_json("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.", {})
b'{"__type": "AWSOrganizationsNotInUseException", "Message": "Your account is not a member of an organization."}'
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from slr_fsm.server.wire_errors import serialization_error

if TYPE_CHECKING:
    from botocore.model import OperationModel

__all__ = ["JSON_CONTENT_TYPES", "answer_json", "error_json", "read_json"]

JSON_CONTENT_TYPES = frozenset(
    {"application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json"}
)
"""The content types a JSON request may come with (the SDKs send the first)."""


def read_json(body: bytes, shape: Shape | None) -> dict[str, Any]:
    """The operation's parameters from a JSON request body (empty body: no parameters); a body
    that is not one JSON object is AWS's SerializationException."""
    if not body.strip():
        return {}
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise serialization_error("the request body is not JSON text (UTF-8)") from None
    if not isinstance(value, dict):
        raise serialization_error("the request body is JSON, but not a JSON object")
    return _from_wire(value, shape) if shape is not None else value


def _from_wire(value: Any, shape: Shape) -> Any:
    kind = shape.type_name
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        members = shape.members
        return {k: _from_wire(v, members[k]) if k in members else v for k, v in value.items()}
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_from_wire(v, shape.member) for v in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {k: _from_wire(v, shape.value) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise serialization_error("a blob is not base64 text") from None
    return value  # left for the simulation's validation to judge


def _to_wire(value: Any, shape: Shape) -> Any:
    kind = shape.type_name
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        members = shape.members
        return {
            k: _to_wire(v, members[k]) for k, v in value.items() if k in members and v is not None
        }
    if isinstance(shape, ListShape):
        return [_to_wire(v, shape.member) for v in value]
    if isinstance(shape, MapShape):
        return {k: _to_wire(v, shape.value) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, dt.datetime):
        return value.timestamp()
    if kind == "blob" and isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    return value


def answer_json(operation: OperationModel, result: dict[str, Any]) -> bytes:
    """The JSON body AWS answers an operation with (only the output shape's members)."""
    shape = operation.output_shape
    wire = _to_wire(result, shape) if shape is not None else {}
    return json.dumps(wire).encode()


def error_json(code: str, message: str, extra: Mapping[str, Any]) -> bytes:
    """AWS's JSON error body: the code as ``__type``, the ``Message``, and ``extra`` members."""
    return json.dumps({"__type": code, "Message": message, **extra}).encode()
