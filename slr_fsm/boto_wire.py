"""What the bridge hands botocore's parser: an answer or a refusal in the form botocore would
have parsed from AWS's wire response, so botocore's own handlers finish the job; and the
answer's RequestId.

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

__all__ = ["encoded", "error_form", "policy_paths", "request_id", "wire_form"]

Path = tuple[str, ...]
"""Where a value sits in an answer: keys, with ``*`` standing for every item of a list."""
_POLICY_PATHS: dict[str, tuple[Path, ...]] = {}
_QUOTED: tuple[tuple[dict[str, Any], str], ...] = ()


def _policy_paths(shape: Shape, prefix: Path = ()) -> tuple[Path, ...]:
    """Where an output shape holds policy documents (``*`` standing for every list item)."""
    found: list[Path] = []
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


def _encode_at(value: Any, path: Path) -> Any:
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


def policy_paths(shape: Shape | None) -> tuple[Path, ...]:
    """Where answers of an output shape hold policy documents (worked out once per shape)."""
    if shape is None:
        return ()
    paths = _POLICY_PATHS.get(shape.name)
    if paths is None:
        paths = _POLICY_PATHS.setdefault(shape.name, _policy_paths(shape))
    return paths


def encoded(parsed: Any, paths: tuple[Path, ...]) -> Any:
    """``parsed`` with the policy documents at ``paths`` URL-encoded (the dicts on the way to
    them copied; ``parsed`` itself is left as it was)."""
    for path in paths:
        parsed = _encode_at(parsed, path)
    return parsed


def wire_form(parsed: Any, shape: Shape | None) -> Any:
    """A boto3-shaped value as botocore's parser hands it on: policy documents URL-encoded JSON
    text, as AWS sends them (botocore's own ``after-call`` handler decodes them again)."""
    return encoded(parsed, policy_paths(shape))


_MASK = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15
_UUID_KIND = tuple(map(ord, "uuid"))


def request_id(seed: int, counter: int) -> str:
    """The RequestId of the call that makes a simulation's log ``counter - 1`` events long:
    ``IdGenerator(seed, counter - 1).uuid()`` (:mod:`slr_fsm.ids`), consuming no id of the
    simulation's, computed in one function (SplitMix64 inlined, only the two words a UUID
    uses): about 2x faster, and a test holds it equal to ``IdGenerator``'s.

    >>> from slr_fsm.ids import IdGenerator
    >>> request_id(7, 42) == IdGenerator(seed=7, counter=41).uuid()
    True
    """
    z = (seed * _GAMMA + counter + _GAMMA) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    state = z ^ (z >> 31)
    for char in _UUID_KIND:
        z = ((state ^ char) + _GAMMA) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        state = z ^ (z >> 31)
    z = (state + _GAMMA) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    high = z ^ (z >> 31)
    z = (high + _GAMMA) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    low = z ^ (z >> 31)
    high = (high & ~0xF000) | 0x4000  # version 4 (the high nibble of byte 6)
    low = (low & ~(0xC0 << 56)) | (0x80 << 56)  # RFC 4122 variant (the top bits of byte 8)
    return (
        f"{high >> 32:08x}-{(high >> 16) & 0xFFFF:04x}-{high & 0xFFFF:04x}-"
        f"{low >> 48:04x}-{low & 0xFFFFFFFFFFFF:012x}"
    )


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
