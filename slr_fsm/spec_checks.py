"""The checks a role spec's fields must pass, with hypothesis-style messages: what was given,
why it is not allowed, what to do instead.

>>> from slr_fsm.specs import RoleSpec
>>> RoleSpec("bad name", "x.amazonaws.com", "P", "{}")
Traceback (most recent call last):
...
slr_fsm.errors.UsageError: RoleSpec(role_name='bad name'): ...
"""

from __future__ import annotations

import contextlib
import datetime
import re
from typing import TYPE_CHECKING

from slr_fsm.errors import UsageError
from slr_fsm.shown import shown

if TYPE_CHECKING:
    from slr_fsm.specs import RoleSpec

__all__ = [
    "PRINCIPAL",
    "ROLE_NAME",
    "check_fields",
    "check_policy_document",
    "check_suffix_text",
    "known_valid_policy_text",
    "known_valid_policy_texts",
    "refuse",
    "what_is_wrong",
]

ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
_POLICY_NAME = re.compile(r"[\w+=,.@-]{1,128}", re.ASCII)
_SEPARATOR = re.compile(r"[\w+=,.@-]{0,8}", re.ASCII)
PRINCIPAL = re.compile(
    r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.amazonaws\.com"
)
_POLICY_VERSION = re.compile(r"v[1-9][0-9]*")
_DESCRIPTION = re.compile(r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*")
_POLICY_LANGUAGE_VERSIONS = ("2012-10-17", "2008-10-17")
_KNOWN_VALID_POLICY_TEXTS: set[str] = set()


def known_valid_policy_text(text: str) -> str:
    """Record ``text`` as a policy document that passes :func:`check_policy_document`, and
    return it: for the library's own specs, whose texts are literals that a test checks in
    full, so a spec made from one is not parsed again and ``json`` loads only when another
    text must be parsed (``from slr_fsm import Simulation`` builds one spec).
    """
    _KNOWN_VALID_POLICY_TEXTS.add(text)
    return text


def known_valid_policy_texts() -> frozenset[str]:
    """The texts recorded by :func:`known_valid_policy_text` (for the test that checks them)."""
    return frozenset(_KNOWN_VALID_POLICY_TEXTS)


def refuse(field: str, value: object, why: str, instead: str) -> UsageError:
    """A hypothesis-style refusal: what was given, why it is not allowed, what to do instead."""
    return UsageError(f"RoleSpec({field}={shown(value)}): {why}. {instead}")


def _check_text(field: str, value: object) -> None:
    if not isinstance(value, str):
        raise refuse(field, value, f"{field} is text", "Pass a str (use '' for none).")


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def check_policy_document(text: object) -> None:
    """Refuse a managed policy document text IAM's grammar would not take: not a JSON object,
    no ``Version`` or ``Statement``, a ``Version`` that is not a policy language version, or a
    ``Statement`` that is neither an object nor a list."""
    import json  # here, not at import: the library's own specs' texts are known valid

    field = "managed_policy_document_json"
    instead = (
        "Pass the managed policy's document as AWS publishes it (GetPolicyVersion's Document, or "
        "the AWS Managed Policy Reference page), as JSON text or, through "
        "service_linked_role(), as a dict."
    )
    if not isinstance(text, str):
        raise refuse(field, text, "a policy document is JSON text", instead)
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise refuse(field, text, f"it is not valid JSON ({str(error)[:200]})", instead) from None
    if not isinstance(document, dict):
        raise refuse(field, text, "a policy document is a JSON object", instead)
    missing = [key for key in ("Version", "Statement") if key not in document]
    if missing:
        raise refuse(
            field, text, f"a policy document needs {' and '.join(missing)} (IAM's grammar)", instead
        )
    if document["Version"] not in _POLICY_LANGUAGE_VERSIONS:
        raise refuse(
            field,
            text,
            f"its Version is {shown(document['Version'])}, and IAM's policy language versions are "
            f"{' and '.join(_POLICY_LANGUAGE_VERSIONS)} (a date, not the policy's own version)",
            'Use "Version": "2012-10-17"; the policy\'s own version goes in managed_policy_version.',
        )
    if not isinstance(document["Statement"], (list, dict)):
        raise refuse(
            field, text, "its Statement is neither a statement object nor a list of them", instead
        )


def check_fields(spec: RoleSpec) -> None:
    """Raise a UsageError for the first field of ``spec`` AWS would not accept."""
    name = spec.role_name
    if not isinstance(name, str) or not ROLE_NAME.fullmatch(name):
        raise refuse(
            "role_name",
            name,
            "a role name is 1 to 64 characters matching IAM's pattern [\\w+=,.@-]+, and "
            + what_is_wrong(name),
            "Use the name AWS documents for the role, or leave role_name out of "
            "service_linked_role() to derive the conventional one.",
        )
    principal = spec.service_principal
    if not isinstance(principal, str) or len(principal) > 128 or not PRINCIPAL.fullmatch(principal):
        raise refuse(
            "service_principal",
            principal,
            "a service principal is the service's lower-case DNS-like name ending in "
            ".amazonaws.com, at most 128 characters (IAM's AWSServiceName)",
            "Use the principal the service's documentation gives, e.g. "
            "'autoscaling.amazonaws.com'; principals are case-sensitive and never have a "
            "scheme or a trailing dot.",
        )
    policy = spec.managed_policy_name
    if not isinstance(policy, str) or not _POLICY_NAME.fullmatch(policy):
        raise refuse(
            "managed_policy_name",
            policy,
            "a policy name is 1 to 128 characters matching IAM's pattern [\\w+=,.@-]+",
            "Give the AWS managed policy's name alone, not its ARN (the ARN is derived: "
            "arn:aws:iam::aws:policy/aws-service-role/<name>).",
        )
    document = spec.managed_policy_document_json
    if type(document) is not str or document not in _KNOWN_VALID_POLICY_TEXTS:
        check_policy_document(document)
    version = spec.managed_policy_version
    if not isinstance(version, str) or not _POLICY_VERSION.fullmatch(version):
        raise refuse(
            "managed_policy_version",
            version,
            "a policy version id is 'v' and a number from 1, as GetPolicy's DefaultVersionId",
            "Use e.g. 'v1' or 'v10'.",
        )
    _check_date(spec.managed_policy_updated)
    duration = spec.max_session_duration
    if type(duration) is not int or not 3600 <= duration <= 43200:
        raise refuse(
            "max_session_duration",
            duration,
            "IAM's MaxSessionDuration is a whole number of seconds from 3600 to 43200",
            "Leave it at 3600, which service-linked roles are created with.",
        )
    for flag in ("allows_custom_suffix", "management_account_only"):
        value = getattr(spec, flag)
        if not isinstance(value, bool):
            raise refuse(flag, value, f"{flag} is a yes-or-no fact", "Pass True or False.")
    for text in ("purpose", "creation", "cleanup"):
        _check_text(text, getattr(spec, text))
    description = spec.description
    if description is not None and (
        not isinstance(description, str)
        or len(description) > 1000
        or not _DESCRIPTION.fullmatch(description)
    ):
        raise refuse(
            "description",
            description,
            "a role description is at most 1000 characters of printable Latin-1 text, or "
            "None when AWS documents none",
            "Copy the Description AWS documents for the role, or pass None.",
        )
    separator = spec.custom_suffix_separator
    if not isinstance(separator, str) or not _SEPARATOR.fullmatch(separator):
        raise refuse(
            "custom_suffix_separator",
            separator,
            "the separator is part of the role's name, so at most 8 characters of IAM's name "
            "pattern [\\w+=,.@-]",
            "Leave it at '_', which IAM uses (AWSServiceRoleForAutoScaling_mysuffix).",
        )
    _check_suffix(spec, separator)


def _check_suffix(spec: RoleSpec, separator: str) -> None:
    suffix, name = spec.custom_suffix, spec.role_name
    if suffix is None:
        if spec.allows_custom_suffix and len(name) + len(separator) >= 64:
            raise refuse(
                "allows_custom_suffix",
                True,
                f"{name}{separator} leaves no room for a suffix within IAM's 64 characters",
                "Pass allows_custom_suffix=False, or check the role name.",
            )
        return
    if not spec.allows_custom_suffix:
        raise refuse(
            "custom_suffix",
            suffix,
            f"{spec.service_principal} takes no CustomSuffix",
            "Leave custom_suffix at None, or use a spec whose service allows a suffix.",
        )
    check_suffix_text(suffix)
    if not name.endswith(separator + suffix) or len(name) == len(separator + suffix):
        raise refuse(
            "role_name",
            name,
            f"a role created with CustomSuffix {shown(suffix)} is named <service's name>"
            f"{separator}{suffix}",
            "Derive the spec with RoleSpec.with_custom_suffix(suffix).",
        )


def what_is_wrong(name: object) -> str:
    """Why a role name does not match IAM's pattern, in a few words."""
    if not isinstance(name, str):
        return "this one is not text"
    if not name:
        return "this one is empty"
    if len(name) > 64:
        return f"this one is {len(name)} long"
    return f"this one has {shown(next(c for c in name if not ROLE_NAME.fullmatch(c)))}"


def _check_date(value: object) -> None:
    if value == "":
        return
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        with contextlib.suppress(ValueError):  # 2021-02-30 has the shape, not the date
            datetime.date.fromisoformat(value)
            return
    raise refuse(
        "managed_policy_updated",
        value,
        "the date the policy's default version was created is a calendar date YYYY-MM-DD",
        "Take the date of GetPolicyVersion's CreateDate (e.g. '2021-10-27'), or pass '' if "
        "you do not model it.",
    )


def check_suffix_text(suffix: object) -> None:
    """Refuse a CustomSuffix IAM would not accept (1 to 64 characters of its name pattern)."""
    if not isinstance(suffix, str) or not ROLE_NAME.fullmatch(suffix):
        raise refuse(
            "custom_suffix",
            suffix,
            "a CustomSuffix is 1 to 64 characters matching IAM's pattern [\\w+=,.@-]+",
            "Pass a suffix such as 'mysuffix' or '-debug'.",
        )
