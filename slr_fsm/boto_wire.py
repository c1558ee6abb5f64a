"""What the bridge hands botocore's parser: an answer or a refusal in the form botocore would
have parsed from AWS's wire response, so botocore's own handlers finish the job; and the
answer's RequestId.

Policy documents travel URL-encoded (botocore's ``after-call`` handler decodes them); errors
carry ``Error`` (with ``Type`` in the query protocol) and the error shape's modelled members.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from botocore.model import ListShape, OperationModel, Shape, StructureShape

from slr_fsm.errors import AwsError

__all__ = [
    "RequestIds",
    "encoded",
    "encoder",
    "error_form",
    "policy_paths",
    "request_id",
    "wire_form",
]

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
    """A policy document as AWS sends it: URL-encoded compact JSON. The last few seen whose
    values are all strings (trust policies are) are cached, so a document equal to one of them
    prints as it does (``1 == True`` and ``1 == 1.0`` cannot match one; keys in another order
    can, and travel in the cached order: checking the order would cost more than the cache
    saves, and key order means nothing in a policy document). The cache is an immutable tuple
    swapped whole, so threads never see it half-written."""
    global _QUOTED
    for seen, text in _QUOTED:  # the last added first
        if seen == document:
            return text
    text = quote(json.dumps(document, separators=(",", ":")))
    if _strings_only(document):
        _QUOTED = ((copy.deepcopy(document), text), *_QUOTED[:7])
    return text


def _strings_only(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, dict):
        return all(_strings_only(item) for item in value.values())
    if isinstance(value, list):
        return all(_strings_only(item) for item in value)
    return False


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


def encoder(paths: tuple[Path, ...]) -> Callable[[Any], dict[str, Any]]:
    """:func:`encoded` for ``paths``, worked out once (one closure per step of each path, no
    path walked per call), answering a new top-level dict every time (the bridge adds its
    ``ResponseMetadata`` to it; the face's answer is left as it was). A test holds it equal to
    ``encoded(dict(answer), paths)``.

    >>> encode = encoder((("Role", "AssumeRolePolicyDocument"),))
    >>> encode({"Role": {"AssumeRolePolicyDocument": {"Version": "2012-10-17"}}})
    {'Role': {'AssumeRolePolicyDocument': '%7B%22Version%22%3A%222012-10-17%22%7D'}}
    """
    if not paths:
        return dict
    steps = tuple(_step(path) for path in paths)

    def encode(parsed: Any) -> dict[str, Any]:
        fresh = parsed if type(parsed) is dict else dict(parsed)
        out = fresh
        for step in steps:
            out = step(out)
        return dict(out) if out is parsed else out

    return encode


def _step(path: Path) -> Callable[[Any], Any]:
    """What :func:`_encode_at` does for one ``path``, as a closure."""
    head, rest = path[0], path[1:]
    if head == "*":
        inner = _step(rest)

        def each(value: Any) -> Any:
            return [inner(item) for item in value] if isinstance(value, list) else value

        return each
    if rest:
        below = _step(rest)

        def into(value: Any) -> Any:
            if not isinstance(value, dict) or head not in value:
                return value
            out = dict(value)
            out[head] = below(out[head])
            return out

        return into

    def leaf(value: Any) -> Any:
        if not isinstance(value, dict) or head not in value:
            return value
        out = dict(value)
        if isinstance(out[head], dict):
            out[head] = _quoted(out[head])
        return out

    return leaf


def wire_form(parsed: Any, shape: Shape | None) -> Any:
    """A boto3-shaped value as botocore's parser hands it on: policy documents URL-encoded JSON
    text, as AWS sends them (botocore's own ``after-call`` handler decodes them again)."""
    return encoded(parsed, policy_paths(shape))


def request_id(seed: int, counter: int) -> str:
    """The RequestId of the call that makes a simulation's log ``counter - 1`` events long:
    ``IdGenerator(seed, counter - 1).uuid()`` (:mod:`slr_fsm.ids`), consuming no id of the
    simulation's, computed in one function: SplitMix64 unrolled with its constants inline
    (``0xFFFFFFFFFFFFFFFF`` is 64 bits; the kind ``"uuid"`` mixed in as 117, 117, 105, 100),
    only the two words a UUID uses, one hex string cut in five. A test holds it equal to
    ``IdGenerator``'s.

    >>> from slr_fsm.ids import IdGenerator
    >>> request_id(7, 42) == IdGenerator(seed=7, counter=41).uuid()
    True
    """
    z = (seed * 0x9E3779B97F4A7C15 + counter + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    z ^= z >> 31  # the state after the seed and the counter
    z = ((z ^ 117) + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF  # "u"
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    z ^= z >> 31
    z = ((z ^ 117) + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF  # "u"
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    z ^= z >> 31
    z = ((z ^ 105) + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF  # "i"
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    z ^= z >> 31
    z = ((z ^ 100) + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF  # "d"
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    z ^= z >> 31
    z = (z + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF  # the first word out
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    high = z ^ (z >> 31)
    z = (high + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF  # the second
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    low = z ^ (z >> 31)
    # version 4 (the high nibble of byte 6), the RFC 4122 variant (the top bits of byte 8)
    h = f"{high & 0xFFFFFFFFFFFF0FFF | 0x4000:016x}{low & 0x3FFFFFFFFFFFFFFF | 1 << 63:016x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_LANES = 16
"""RequestIds worked out together: lanes of one integer (see :class:`RequestIds`)."""


def _lanes(value: int) -> int:
    """``value`` in each 128-bit lane of one integer (lane ``i`` at bits ``128 * i``)."""
    return sum(value << (128 * lane) for lane in range(_LANES))


_IN_LANES = _lanes(0xFFFFFFFFFFFFFFFF)
_GAMMAS = _lanes(0x9E3779B97F4A7C15)
_U, _I, _D = _lanes(117), _lanes(105), _lanes(100)
_ONES = _lanes(1)
_STEPS = sum(lane << (128 * lane) for lane in range(_LANES))
_VERSION_KEPT, _VERSION = _lanes(0xFFFFFFFFFFFF0FFF), _lanes(0x4000)
_VARIANT_KEPT, _VARIANT = _lanes(0x3FFFFFFFFFFFFFFF), _lanes(1 << 63)


def _mixed(z: int) -> int:
    """SplitMix64's finalizer in every lane at once. Each lane holds 64 bits, so a product fits
    in its 128; what a shift brings down from the lane above lands at bit 97 or higher, and
    is masked off before any product (the caller masks the result: adding a 64-bit constant
    to it carries at most into bit 64)."""
    z = ((z ^ (z >> 30)) & _IN_LANES) * 0xBF58476D1CE4E5B9 & _IN_LANES
    z = ((z ^ (z >> 27)) & _IN_LANES) * 0x94D049BB133111EB & _IN_LANES
    return z ^ (z >> 31)


def _request_ids(seed: int, counter: int) -> tuple[str, str]:
    """The RequestIds for ``counter`` to ``counter + 15``, as two hex strings: lane ``i`` is
    :func:`request_id`'s arithmetic for ``counter + i``, round by round."""
    first = (seed * 0x9E3779B97F4A7C15 + counter + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = _mixed((first * _ONES + _STEPS) & _IN_LANES)  # lane i: (first + i) mod 2**64
    for char in (_U, _U, _I, _D):  # the kind, "uuid"
        z = _mixed(((z ^ char) + _GAMMAS) & _IN_LANES)
    high = _mixed((z + _GAMMAS) & _IN_LANES) & _IN_LANES
    low = _mixed((high + _GAMMAS) & _IN_LANES) & _IN_LANES
    return (
        f"{high & _VERSION_KEPT | _VERSION:0{32 * _LANES}x}",
        f"{low & _VARIANT_KEPT | _VARIANT:0{32 * _LANES}x}",
    )


class RequestIds:
    """The RequestIds one client's calls need, equal to :func:`request_id`'s, worked out 16
    at a time: the 16 counters from the first asked for, in the lanes of one integer (about a
    third of the arithmetic of 16 single ids), kept until a call's counter falls outside
    them. A client's calls each lengthen the log, so their counters run on from one another.
    A test holds every id equal to :func:`request_id`'s.

    >>> ids = RequestIds()
    >>> [ids(7, n) for n in (42, 43, 60)] == [request_id(7, n) for n in (42, 43, 60)]
    True
    """

    __slots__ = ("_kept",)

    def __init__(self) -> None:
        self._kept: tuple[int, int, str, str] | None = None

    def __call__(self, seed: int, counter: int) -> str:
        """``request_id(seed, counter)``."""
        kept = self._kept
        if kept is None or kept[0] != seed or not 0 <= counter - kept[1] < _LANES:
            kept = self._kept = (seed, counter, *_request_ids(seed, counter))
        at = (_LANES - 1 - (counter - kept[1])) * 32 + 16  # the lane's 16 low hex digits
        high, low = kept[2], kept[3]
        return (
            f"{high[at : at + 8]}-{high[at + 8 : at + 12]}-{high[at + 12 : at + 16]}-"
            f"{low[at : at + 4]}-{low[at + 4 : at + 16]}"
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
