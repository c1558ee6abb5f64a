"""Our operations' parameter specs are the installed botocore's input shapes, so they cannot drift.

``IAM_OPERATIONS`` (and STS AssumeRole's parameters) are hand-copied from AWS's API model; these
tests compare every parameter with botocore's model: names (in the model's order, which botocore's
"Unknown parameter" message lists), required flags, types, length and value bounds, and patterns
(verbatim; :data:`~slr_fsm.validation.PATTERN_TRANSLATIONS` says how Python reads the few that
``re`` would misread).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import botocore.session
from botocore import xform_name

from slr_fsm.iam_operations import IAM_OPERATIONS
from slr_fsm.sts import _ASSUME_ROLE
from slr_fsm.validation import PATTERN_TRANSLATIONS, Param, python_pattern

_SESSION = botocore.session.get_session()
IAM_MODEL = _SESSION.get_service_model("iam")
STS_MODEL = _SESSION.get_service_model("sts")

# botocore shape type -> the Python type Param.kind must be
KINDS: dict[str, type] = {
    "string": str,
    "integer": int,
    "long": int,
    "boolean": bool,
    "list": list,
    "structure": dict,
    "map": dict,
}
_SIZED = ("string", "list", "blob", "map")  # botocore's min/max bound a length for these
# AWS's model writes code points above U+FFFF as \u10000..\u10FFFF; Python's re reads only four
# hex digits after \u, so such a pattern compiles but means another character class.
_LONG_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{5,6})")


def differences(operation: str, ours: Sequence[Param], model: Any) -> list[str]:
    """Every way our params differ from botocore's input shape of ``operation``."""
    shape = model.operation_model(operation).input_shape
    members = dict(shape.members) if shape is not None else {}
    required = set(shape.required_members) if shape is not None else set()
    by_name = {p.name: p for p in ours}
    found = []

    def differ(param: str, field: str, mine: Any, theirs: Any) -> None:
        if mine != theirs:
            found.append(f"{operation}.{param}: {field}: ours {mine!r}, botocore {theirs!r}")

    for name in members.keys() - by_name.keys():
        found.append(f"{operation}.{name}: missing from ours (botocore has it)")
    for name in by_name.keys() - members.keys():
        found.append(f"{operation}.{name}: ours only (botocore has no such member)")
    common = [n for n in members if n in by_name]
    differ("*", "order", [p.name for p in ours if p.name in members], common)
    for name in common:
        param, member = by_name[name], members[name]
        meta = member.metadata
        differ(name, "required", param.required, name in required)
        differ(name, "kind", param.kind, KINDS.get(member.type_name, member.type_name))
        sized = member.type_name in _SIZED
        differ(name, "min_length", param.min_length, meta.get("min", 0) if sized else 0)
        differ(name, "max_length", param.max_length, meta.get("max") if sized else None)
        differ(name, "min_value", param.min_value, None if sized else meta.get("min"))
        differ(name, "max_value", param.max_value, None if sized else meta.get("max"))
        differ(name, "pattern", param.pattern, meta.get("pattern"))
    return found


def _modelled_patterns() -> set[str]:
    """Every pattern of the botocore input members our operations cover."""
    shapes = [IAM_MODEL.operation_model(op.name).input_shape for op in IAM_OPERATIONS]
    shapes.append(STS_MODEL.operation_model("AssumeRole").input_shape)
    return {
        member.metadata["pattern"]
        for shape in shapes
        for member in shape.members.values()
        if "pattern" in member.metadata
    }


def _widen(pattern: str) -> str:
    r"""``\u10000`` (a code point above U+FFFF, as AWS's model writes it) as ``\U00010000``."""
    return _LONG_ESCAPE.sub(lambda m: f"\\U{int(m[1], 16):08X}", pattern)


def test_every_iam_operation_exists_in_botocores_iam_model() -> None:
    unknown = [op.name for op in IAM_OPERATIONS if op.name not in IAM_MODEL.operation_names]
    assert not unknown, f"not in botocore's IAM model: {unknown}"


def test_every_iam_operation_method_is_boto3s_name_for_it() -> None:
    wrong = [
        (op.method, xform_name(op.name))
        for op in IAM_OPERATIONS
        if op.method != xform_name(op.name)
    ]
    assert not wrong, f"(ours, boto3's): {wrong}"


def test_iam_operation_params_match_botocores_input_shapes() -> None:
    found = [d for op in IAM_OPERATIONS for d in differences(op.name, op.params, IAM_MODEL)]
    assert not found, "IAM params drifted from botocore:\n" + "\n".join(found)


def test_assume_role_params_match_botocores_input_shape() -> None:
    found = differences("AssumeRole", _ASSUME_ROLE, STS_MODEL)
    assert not found, "STS AssumeRole params drifted from botocore:\n" + "\n".join(found)


def test_botocores_patterns_compile_as_python_regexes_after_documented_translations() -> None:
    problems = []
    for pattern in sorted(_modelled_patterns()):
        translated = python_pattern(pattern)
        try:
            re.compile(translated, re.ASCII)
        except re.error as error:
            problems.append(f"{pattern!r} does not compile ({error}): add a translation")
        if _LONG_ESCAPE.search(translated):
            problems.append(f"{pattern!r} has a \\u escape of 5+ hex digits: add a translation")
    assert not problems, "\n".join(problems)


def test_pattern_translations_are_used_and_only_widen_long_escapes() -> None:
    modelled = _modelled_patterns()
    for aws, python in PATTERN_TRANSLATIONS.items():
        assert aws in modelled, f"stale translation (no covered member uses it): {aws!r}"
        assert python == _widen(aws), f"not the minimal translation of {aws!r}: {python!r}"
