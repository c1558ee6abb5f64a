"""The reference model's rules for tags, managed policies and SimulatePrincipalPolicy.

Written from AWS's documentation and API model (and the project's modelling decisions for the
role: see the report of issue 10), without reading the simulation: botocore's input shapes for
what is a ValidationError, the IAM User Guide's tagging rules (role tag keys are
case-insensitive, 50 tags at most, no ``aws:`` prefix), the domain notes' managed policy (section
1: it cannot be attached to any other IAM entity), and IAM's evaluation order for the default
principals' policies. ``tests/reference_model.py`` calls these; they never change the model.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

__all__ = [
    "EXTRA_OPS",
    "POLICY_ARN",
    "POLICY_DOCUMENT",
    "expect_extra",
    "extra_param_valid",
    "merge_tags",
    "refused_before_permission",
    "resolve_markers",
    "simulation_decisions",
    "without_tags",
]

POLICY_ARN = (
    "arn:aws:iam::aws:policy/aws-service-role/AWSMarketplacePurchaseOrdersServiceRolePolicy"
)
POLICY_DOCUMENT = {  # domain notes, section 1
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowPurchaseOrderActions",
            "Effect": "Allow",
            "Action": ["purchase-orders:ViewPurchaseOrders", "purchase-orders:ModifyPurchaseOrders"],
            "Resource": ["*"],
        }
    ],
}
NOT_SIMULATED = "RequestNotSimulated"
"""What the model predicts for a request the simulation refuses as not modelled (a UsageError,
no AWS code): the walks never make one, so a prediction of it is a bug in the walk."""

EXTRA_OPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "list_role_policies": (("RoleName",), ("Marker", "MaxItems")),
    "tag_role": (("RoleName", "Tags"), ()),
    "untag_role": (("RoleName", "TagKeys"), ()),
    "list_role_tags": (("RoleName",), ("Marker", "MaxItems")),
    "get_policy": (("PolicyArn",), ()),
    "get_policy_version": (("PolicyArn", "VersionId"), ()),
    "attach_user_policy": (("UserName", "PolicyArn"), ()),
    "attach_group_policy": (("GroupName", "PolicyArn"), ()),
    "simulate_principal_policy": (
        ("PolicySourceArn", "ActionNames"),
        ("ResourceArns", "ContextEntries", "MaxItems", "Marker"),
    ),
}

_NAME = r"[\w+=,.@-]+"
_POLICY = re.compile(rf"arn:aws:iam::(aws|\d{{12}}):policy(/{_NAME})*/{_NAME}", re.ASCII)
_USER = re.compile(rf"arn:aws:iam::(\d{{12}}):(user|role|group)(/{_NAME})*/({_NAME})", re.ASCII)
_VERSION = re.compile(r"v[1-9][0-9]*(\.[A-Za-z0-9-]*)?")
_CONTEXT_TYPES = {f"{t}{s}" for t in ("string", "numeric", "boolean", "ip", "binary", "date")
                  for s in ("", "List")}


# ---- the harness's markers (slr_fsm.moves writes them; the machine resolves them on calls) -----

def resolve_markers(params: dict[str, Any], account_id: str) -> dict[str, Any]:
    """Parameters as the call receives them: ``<json:...>`` list values decoded, and
    ``<user NAME of the calling account>`` as that user's ARN."""
    out = dict(params)
    for name in ("Tags", "TagKeys", "ActionNames", "ResourceArns", "ContextEntries"):
        value = out.get(name)
        if isinstance(value, str) and value.startswith("<json:") and value.endswith(">"):
            out[name] = json.loads(value[6:-1])
    source = out.get("PolicySourceArn")
    found = re.fullmatch(r"<user (.+) of the calling account>", source or "") if isinstance(
        source, str) else None
    if found:
        out["PolicySourceArn"] = f"arn:aws:iam::{account_id}:user/{found[1]}"
    return out


# ---- parameters (botocore's shapes) -------------------------------------------------------------

def _tag_text(text: Any, key: bool) -> bool:
    """IAM's tag key (1-128) or value (0-256): letters, separators, numbers, ``_.:/=+-@``."""
    return (isinstance(text, str) and (1 if key else 0) <= len(text) <= (128 if key else 256)
            and all(unicodedata.category(c)[0] in "LZN" or c in "_.:/=+-@" for c in text))


def extra_param_valid(name: str, value: Any) -> bool | None:
    """Whether botocore's model accepts a new parameter's value (``None``: not one of these)."""
    if name == "Tags":
        return isinstance(value, list) and len(value) <= 50 and all(
            isinstance(t, dict) and set(t) == {"Key", "Value"} and _tag_text(t["Key"], True)
            and _tag_text(t["Value"], False) for t in value)
    if name == "TagKeys":
        return isinstance(value, list) and len(value) <= 50 and all(
            _tag_text(k, True) for k in value)
    if name == "ActionNames":
        return isinstance(value, list) and all(
            isinstance(a, str) and 3 <= len(a) <= 128 for a in value)
    if name == "ResourceArns":
        return isinstance(value, list) and all(
            isinstance(r, str) and 1 <= len(r) <= 2048 for r in value)
    if name == "ContextEntries":
        return isinstance(value, list) and all(
            isinstance(e, dict) and set(e) <= {"ContextKeyName", "ContextKeyValues", "ContextKeyType"}
            and isinstance(e.get("ContextKeyValues", []), list)
            and all(isinstance(v, str) for v in e.get("ContextKeyValues", []))
            and e.get("ContextKeyType", "string") in _CONTEXT_TYPES for e in value)
    if name == "VersionId":
        return isinstance(value, str) and bool(_VERSION.fullmatch(value))
    if name == "PolicySourceArn":
        return isinstance(value, str) and 20 <= len(value) <= 2048
    return None


# ---- checks made before the caller's permission --------------------------------------------------

def refused_before_permission(op: str, params: dict[str, Any]) -> str | None:
    """InvalidInput that the request alone decides: TagRole's keys twice in any case, or with
    the reserved ``aws:`` prefix; SimulatePrincipalPolicy's context keys the evaluator cannot
    evaluate (only iam:AWSServiceName, one string value, once)."""
    if op == "tag_role":
        keys = [t["Key"].lower() for t in params["Tags"]]
        if len(set(keys)) != len(keys) or any(k.startswith("aws:") for k in keys):
            return "InvalidInput"
    if op == "simulate_principal_policy":
        seen = set()
        for entry in params.get("ContextEntries", []):
            key = entry.get("ContextKeyName")
            values = entry.get("ContextKeyValues", [])
            if (not isinstance(key, str) or key.lower() != "iam:awsservicename"
                    or entry.get("ContextKeyType", "string") != "string" or len(values) != 1
                    or key.lower() in seen):
                return "InvalidInput"
            seen.add(key.lower())
    return None


# ---- tags on the role (IAM User Guide: role tag keys are case-insensitive) ----------------------

def merge_tags(tags: list[tuple[str, str]], new: list[dict[str, str]]) -> list[tuple[str, str]]:
    """A later tag replaces one whose key matches in any case, in its place."""
    out = list(tags)
    for tag in new:
        at = [n for n, (k, _) in enumerate(out) if k.lower() == tag["Key"].lower()]
        if at:
            out[at[0]] = (tag["Key"], tag["Value"])
        else:
            out.append((tag["Key"], tag["Value"]))
    return out


def without_tags(tags: list[tuple[str, str]], keys: list[str]) -> list[tuple[str, str]]:
    gone = {k.lower() for k in keys}
    return [t for t in tags if t[0].lower() not in gone]


# ---- predictions after the permission check -----------------------------------------------------

def _policy_refusal(arn: str) -> str | None:
    """How a PolicyArn other than the role's own policy is refused: a malformed ARN is
    InvalidInput, a customer managed policy does not exist in the world (NoSuchEntity), another
    AWS managed policy is not held by the simulation."""
    match = _POLICY.fullmatch(arn)
    if match is None:
        return "InvalidInput"
    return "NoSuchEntity" if match[1] != "aws" else None


def expect_extra(model: Any, op: str, account_id: str, params: dict[str, Any]) -> str | None:
    """The outcome of a new operation once the caller is allowed (``None``: the role-existence
    rules of the model's other role operations decide; TagRole's limit comes after them)."""
    if op in ("get_policy", "get_policy_version"):
        if params["PolicyArn"] != POLICY_ARN:
            return _policy_refusal(params["PolicyArn"]) or NOT_SIMULATED
        return "ok" if op == "get_policy" or params["VersionId"] == "v1" else "NoSuchEntity"
    attach = {"attach_user_policy": "UserName", "attach_group_policy": "GroupName"}
    role_elsewhere = op == "attach_role_policy" and params["RoleName"].lower() != (
        model.role_name.lower())
    if op in attach or role_elsewhere:
        if params["PolicyArn"] == POLICY_ARN:  # domain notes: attachable to no other entity
            return "PolicyNotAttachable"
        refusal = _policy_refusal(params["PolicyArn"])
        if refusal is not None:
            return refusal
        if op == "attach_user_policy" and (account_id, params["UserName"]) in model.principals:
            return NOT_SIMULATED
        return "NoSuchEntity"  # no such user; the world has no groups and no customer roles
    if op == "simulate_principal_policy":
        match = _USER.fullmatch(params["PolicySourceArn"])
        if match is None:
            return "InvalidInput"
        if match[2] != "user":
            return NOT_SIMULATED
        if match[1] != account_id or match[3] or (account_id, match[4]) not in model.principals:
            return "NoSuchEntity"
        count = len(params["ActionNames"]) * len(params.get("ResourceArns") or ["*"])
        marker = params.get("Marker")
        if marker is not None and not (marker.isdigit() and int(marker) <= count):
            return "InvalidInput"
        return "ok"
    return None


def simulation_decisions(model: Any, account_id: str, params: dict[str, Any]) -> list[str]:
    """The EvalDecision of every action x resource, in that order: the default principals'
    policies hold no Deny and no condition, so an action is allowed or implicitly denied."""
    user = _USER.fullmatch(params["PolicySourceArn"])[4]  # type: ignore[index]
    return [
        "allowed" if model.allowed(account_id, user, action) else "implicitDeny"
        for action in params["ActionNames"]
        for _ in params.get("ResourceArns") or ["*"]
    ]
