"""AWS's query protocol (IAM, STS), driven by botocore's service model: form parameters in,
XML out.

Written here, as botocore has only the client's half: :func:`read_form` is the inverse of
botocore's ``QuerySerializer`` (``Tags.member.1.Key=...`` back to ``[{"Key": ...}]``, integers,
booleans, timestamps), and :func:`answer_xml` / :func:`error_xml` write the documents botocore's
``QueryParser`` reads (``<GetRoleResponse><GetRoleResult>...``, ``<ErrorResponse>``). The tests
check both halves against botocore itself.

>>> from slr_fsm.server.services import service_named
>>> get_role = service_named("iam").operation("GetRole")
>>> read_form([("RoleName", "R")], get_role.input_shape)
{'RoleName': 'R'}
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from botocore.model import ListShape, MapShape, Shape, StructureShape

from slr_fsm.server.wire_errors import WireError, malformed_query, validation_error

if TYPE_CHECKING:
    from botocore.model import OperationModel

__all__ = ["answer_xml", "decode_form", "error_xml", "read_form"]

_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_RESERVED = frozenset({"Action", "Version"})
_AUTH_PREFIX = "X-Amz-"


def decode_form(text: bytes | str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` text as name-value pairs, strictly: a broken
    percent-escape, bytes that are not UTF-8, or a name given twice is MalformedQueryString."""
    try:
        raw = text.decode("utf-8") if isinstance(text, bytes) else text
    except UnicodeDecodeError:
        raise malformed_query("the form is not UTF-8 text") from None
    if _BAD_ESCAPE.search(raw):
        raise malformed_query("a % is not followed by two hexadecimal digits")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=False, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise malformed_query("a percent-escape does not decode to UTF-8 text") from None
    seen: set[str] = set()
    for name, _ in pairs:
        if name in seen:
            raise malformed_query(f"the parameter {name!r} is given twice")
        seen.add(name)
    return pairs


def read_form(pairs: Iterable[tuple[str, str]], shape: Shape | None) -> dict[str, Any]:
    """The operation's parameters, as boto3 would pass them, from flat form pairs.

    ``Action``, ``Version`` and presigned-URL parameters (``X-Amz-*``) are left out. A name the
    model does not know is kept as it came (as text), so that the simulation's own validation
    refuses it in botocore's words, as it refuses the bridge's unknown parameters.
    """
    flat = {k: v for k, v in pairs if k not in _RESERVED and not k.startswith(_AUTH_PREFIX)}
    used: set[str] = set()
    params = _structure(shape, "", flat, used) if isinstance(shape, StructureShape) else {}
    for name in flat.keys() - used:
        params[name] = flat[name]
    return params


def _member_name(member: Shape, default: str) -> str:
    return str(member.serialization.get("name", default))


def _value(shape: Shape, key: str, flat: dict[str, str], used: set[str]) -> Any:
    """The value at ``key`` (a scalar there, or a structure, list or map under it); ``None``
    when the request holds nothing for it."""
    if isinstance(shape, StructureShape):
        found = _structure(shape, key, flat, used)
        return found if found or key in flat else None
    if isinstance(shape, ListShape):
        return _list(shape, key, flat, used)
    if isinstance(shape, MapShape):
        return _map(shape, key, flat, used)
    if key not in flat:
        return None
    used.add(key)
    return _scalar(shape, key, flat[key])


def _structure(
    shape: StructureShape, prefix: str, flat: dict[str, str], used: set[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        key = _member_name(member, name)
        value = _value(member, f"{prefix}.{key}" if prefix else key, flat, used)
        if value is not None:
            out[name] = value
    if prefix in flat:
        used.add(prefix)
    return out


def _indexed(prefix: str, flat: dict[str, str]) -> list[int]:
    """The item numbers present under ``prefix.`` (1, 2, ...), in order."""
    numbers = set()
    start = prefix + "."
    for key in flat:
        if key.startswith(start):
            head = key[len(start) :].split(".", 1)[0]
            if head.isdigit() and head[0] != "0":
                numbers.add(int(head))
    return sorted(numbers)


def _list(shape: ListShape, key: str, flat: dict[str, str], used: set[str]) -> list[Any] | None:
    member = shape.member
    if shape.serialization.get("flattened"):
        items = key
    else:
        items = f"{key}.{_member_name(member, 'member')}"
    numbers = _indexed(items, flat)
    if not numbers:
        if flat.get(key) == "":  # botocore's form of an empty list
            used.add(key)
            return []
        return None
    if numbers != list(range(1, len(numbers) + 1)):
        raise validation_error(
            f"The list {key} is numbered {numbers}; its items are numbered 1, 2, 3, ... "
            "without gaps."
        )
    return [_value(member, f"{items}.{n}", flat, used) for n in numbers]


def _map(shape: MapShape, key: str, flat: dict[str, str], used: set[str]) -> dict[str, Any] | None:
    entries = key if shape.serialization.get("flattened") else f"{key}.entry"
    key_name = _member_name(shape.key, "key")
    value_name = _member_name(shape.value, "value")
    numbers = _indexed(entries, flat)
    if not numbers:
        return None
    out = {}
    for n in numbers:
        name = _value(shape.key, f"{entries}.{n}.{key_name}", flat, used)
        out[name] = _value(shape.value, f"{entries}.{n}.{value_name}", flat, used)
    return out


def _scalar(shape: Shape, key: str, text: str) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError:
        raise validation_error(f"Value '{text}' at '{key}' is not a number.") from None
    if kind == "boolean":
        if text not in ("true", "false"):
            raise validation_error(f"Value '{text}' at '{key}' is not true or false.")
        return text == "true"
    if kind == "timestamp":
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise validation_error(f"Value '{text}' at '{key}' is not an ISO 8601 time.") from None
    if kind == "blob":
        try:
            return base64.b64decode(text, validate=True)
        except ValueError:
            raise validation_error(f"Value at '{key}' is not base64.") from None
    return text


# ----------------------------------------------------------------------------- XML answers


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry, even escaped (a refusal may quote a caller's bad text)."""


def _escape(text: str) -> str:
    return (
        _NOT_XML.sub("\ufffd", text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;")
    )


def _timestamp(value: dt.datetime) -> str:
    value = value.astimezone(dt.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{value.microsecond:06d}Z" if value.microsecond else "Z")


def _write(out: list[str], shape: Shape, name: str, value: Any) -> None:
    """Append ``<name>value</name>`` as the query protocol writes a value of ``shape``."""
    if isinstance(shape, StructureShape):
        out.append(f"<{name}>")
        _write_members(out, shape, value)
        out.append(f"</{name}>")
    elif isinstance(shape, ListShape):
        member = shape.member
        if shape.serialization.get("flattened"):
            for item in value:
                _write(out, member, _member_name(member, name), item)
        else:
            out.append(f"<{name}>")
            for item in value:
                _write(out, member, _member_name(member, "member"), item)
            out.append(f"</{name}>")
    elif isinstance(shape, MapShape):
        key_name, value_name = _member_name(shape.key, "key"), _member_name(shape.value, "value")
        out.append(f"<{name}>")
        for k, v in value.items():
            out.append("<entry>")
            _write(out, shape.key, key_name, k)
            _write(out, shape.value, value_name, v)
            out.append("</entry>")
        out.append(f"</{name}>")
    else:
        out.append(f"<{name}>{_escape(_text(shape.type_name, value))}</{name}>")


def _text(kind: str, value: Any) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp" and isinstance(value, dt.datetime):
        return _timestamp(value)
    if kind == "blob" and isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    return str(value)


def _write_members(out: list[str], shape: StructureShape, value: dict[str, Any]) -> None:
    for name, member in shape.members.items():
        if name in value and value[name] is not None:
            _write(out, member, _member_name(member, name), value[name])


def answer_xml(operation: OperationModel, result: dict[str, Any], request_id: str) -> bytes:
    """The XML document AWS answers an operation with: ``<OpResponse><OpResult>`` holding the
    output shape's members (in the model's order), then ``<ResponseMetadata>``."""
    namespace = operation.service_model.metadata.get("xmlNamespace", "")
    name = operation.name
    out = [f'<{name}Response xmlns="{_escape(namespace)}">']
    shape = operation.output_shape
    if isinstance(shape, StructureShape):
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        out.append(f"<{wrapper}>")
        _write_members(out, shape, result)
        out.append(f"</{wrapper}>")
    out.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>")
    out.append(f"</{name}Response>")
    return "".join(out).encode("utf-8")


def error_xml(namespace: str, error: WireError, request_id: str) -> bytes:
    """AWS's query-protocol error document: ``<ErrorResponse><Error>`` with the fault's
    ``Type``, the ``Code`` and the ``Message``, then the ``RequestId``."""
    return (
        f'<ErrorResponse xmlns="{_escape(namespace)}"><Error><Type>{error.fault}</Type>'
        f"<Code>{_escape(error.code)}</Code><Message>{_escape(error.message)}</Message>"
        f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
