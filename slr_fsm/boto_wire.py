"""What the bridge hands botocore's parser: an answer or a refusal in the form botocore would
have parsed from AWS's wire response, so botocore's own handlers finish the job.

Policy documents travel URL-encoded (botocore's ``after-call`` handler decodes them); errors
carry ``Error`` (with ``Type`` in the query protocol) and the error shape's modelled members.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import quote

from botocore.model import ListShape, OperationModel, Shape, StructureShape

from slr_fsm.errors import AwsError

__all__ = ["error_form", "wire_form"]

_Path = tuple[str, ...]
_POLICY_PATHS: dict[str, tuple[_Path, ...]] = {}
_QUOTED: tuple[tuple[dict[str, Any], str], ...] = ()


def _policy_paths(shape: Shape, prefix: _Path = ()) -> tuple[_Path, ...]:
    """Where an output shape holds policy documents (``*`` standing for every list item)."""
    found: list[_Path] = []
    if isinstance(shape, StructureShape):
        for name, member in shape.members.items():
            if member.type_name == "string" and member.name == "policyDocumentType":
                found.append((*prefix, name))
            else:
                found.extend(_policy_paths(member, (*prefix, name)))
    elif isinstance(shape, ListShape):
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


def error_form(error: AwsError, model: OperationModel) -> dict[str, Any]:
    """A refusal as botocore's parser hands it on for the service's protocol: ``Error`` (with
    ``Type`` in the query protocol's XML), plus the error shape's modelled ``Message`` and
    ``Reason`` at the top level, as botocore adds them."""
    json_protocol = model.metadata.get("protocol") == "json"
    parsed: dict[str, Any] = {"Error": {"Code": error.code, "Message": error.message}}
    if not json_protocol:
        parsed["Error"]["Type"] = error.fault
    service: Any = model.service_model  # botocore-stubs types the error code as an int
    shape = service.shape_for_error_code(error.code)
    members = shape.members if isinstance(shape, StructureShape) else {}
    if "Message" in members:
        parsed["Message"] = error.message
    if "Reason" in members and getattr(error, "reason", None):
        parsed["Reason"] = error.reason  # type: ignore[attr-defined]
    return parsed
