"""IAM's policy side, as a service-linked role's world sees it, and the plumbing of every IAM call.

:class:`IamPolicies` is the base of :class:`slr_fsm.iam.IamApi` (``sim.iam(...)``): it validates,
authorizes and logs each call (``_call``), and answers

- ``GetPolicy`` and ``GetPolicyVersion`` for the AWS managed policy of every role the world
  simulates (any other AWS managed policy is not held: :class:`RequestNotSimulated`);
- ``AttachUserPolicy``, ``AttachGroupPolicy`` (and ``AttachRolePolicy`` for a role that is not
  a service-linked role): a service-role policy is refused with ``PolicyNotAttachable``;
- ``SimulatePrincipalPolicy`` for the world's users, with :func:`slr_fsm.policy.evaluate`.

>>> from slr_fsm import Simulation
>>> sim = Simulation.default()
>>> arn = sim.specs[0].managed_policy_arn
>>> sim.iam(sim.organization.management_account).get_policy(PolicyArn=arn)["Policy"]["Path"]
'/aws-service-role/'
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from slr_fsm.accounts import Principal
from slr_fsm.errors import (
    InvalidInput,
    NoSuchEntity,
    PolicyNotAttachable,
    RequestNotSimulated,
    ValidationError,
)
from slr_fsm.face import Face
from slr_fsm.iam_operations import IAM_OPERATIONS_BY_METHOD, IamOperation
from slr_fsm.policy import SUPPORTED_CONDITION_KEYS, Decision, evaluate
from slr_fsm.roles import Role
from slr_fsm.shown import shown, shown_text
from slr_fsm.specs import RoleSpec
from slr_fsm.validation import NAME_PATTERN, validate

__all__ = ["IamPolicies", "policy_id"]

_POLICY_ARN = re.compile(
    rf"arn:aws:iam::(?P<owner>aws|\d{{12}}):policy(?P<path>(?:/{NAME_PATTERN})*/)(?P<name>"
    rf"{NAME_PATTERN})",
    re.ASCII,
)
_ENTITY_ARN = re.compile(
    rf"arn:aws:iam::(?P<account>\d{{12}}):(?P<kind>user|group|role)(?P<path>(?:/{NAME_PATTERN})*/)"
    rf"(?P<name>{NAME_PATTERN})",
    re.ASCII,
)
_VERSION = re.compile(r"v(?P<number>[1-9][0-9]*)(?P<suffix>\..*)?")
_DECISIONS = {
    Decision.ALLOW: "allowed",
    Decision.EXPLICIT_DENY: "explicitDeny",
    Decision.IMPLICIT_DENY: "implicitDeny",
}
_CONTEXT_TYPES = frozenset(
    f"{kind}{plural}"
    for kind in ("string", "numeric", "boolean", "ip", "binary", "date")
    for plural in ("", "List")
)
_SUPPORTED_KEYS = {key.lower(): key for key in SUPPORTED_CONDITION_KEYS}


def policy_id(arn: str) -> str:
    """A managed policy's PolicyId: ``ANPA`` and 17 base-32 characters hashed from its ARN, so
    the same policy has the same id in every world.

    >>> policy_id("arn:aws:iam::aws:policy/aws-service-role/X") == policy_id(
    ...     "arn:aws:iam::aws:policy/aws-service-role/X")
    True
    """
    digest = hashlib.sha256(arn.encode()).digest()
    return "ANPA" + base64.b32encode(digest).decode()[:17]


def _date(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


class IamPolicies(Face):
    """The plumbing of every IAM call, and IAM's managed-policy and simulation operations."""

    _last_named: tuple[str | None, RoleSpec | None] = (None, None)
    """The last RoleName asked about and its spec: the world's specs never change, and a
    caller usually names the same role call after call."""

    # ------------------------------------------------------------------ plumbing

    def _call(
        self,
        method: str,
        kwargs: Mapping[str, Any],
        body: Callable[[IamOperation, Mapping[str, Any]], dict[str, Any]],
    ) -> dict[str, Any]:
        op = IAM_OPERATIONS_BY_METHOD[method]

        def attempt() -> dict[str, Any]:
            validate(op.params, kwargs)
            given = op.unsimulated and [n for n in op.unsimulated if kwargs.get(n) is not None]
            if given:
                raise RequestNotSimulated(
                    f"{op.name}: slr_fsm does not simulate {', '.join(given)} (it evaluates the "
                    "principal's own identity policies only); leave it out."
                )
            return body(op, kwargs)

        return self._attempt(method, kwargs, attempt, role_name=self._role_concerned(kwargs))

    def _role_concerned(self, kwargs: Mapping[str, Any]) -> str | None:
        """The simulated role a call is about, for the log (``None``: none)."""
        name = kwargs.get("RoleName")
        named = self._last_named
        if type(name) is str and name == named[0]:
            spec = named[1]
        else:
            spec = self._world.spec_for_role_name(name) if isinstance(name, str) else None
            if type(name) is str:
                self._last_named = (name, spec)
        arn = kwargs.get("PolicyArn")
        if spec is None and isinstance(arn, str):
            spec = self._managed_policy(arn)
        return None if spec is None else spec.role_name

    def _authorize(self, op: IamOperation, resource: str) -> None:
        self._world.authorize(self.principal, op.action, resource)

    def _role_arn(self, role_name: str) -> str:
        return self._world.role_arn(self.account.account_id, role_name)

    def _existing_role(self, role_name: str) -> Role:
        return self._world.existing_role(self.account.account_id, role_name)

    def _managed_policy(self, arn: str) -> RoleSpec | None:
        """The simulated role whose AWS managed policy has this ARN."""
        return next((s for s in self._world.specs if s.managed_policy_arn == arn), None)

    def _held_policy(self, arn: str) -> RoleSpec:
        """The spec of a managed policy the world holds; IAM's refusal for any other ARN."""
        spec = self._managed_policy(arn)
        if spec is not None:
            return spec
        match = _POLICY_ARN.fullmatch(arn)
        if match is None:
            raise InvalidInput(f"ARN {arn} is not valid.", guard="policy_arn")
        if match["owner"] != "aws":  # the world holds no customer managed policies
            raise NoSuchEntity(f"Policy {arn} was not found.", guard="known_policy")
        raise self._not_held(arn)

    def _not_held(self, arn: str) -> RequestNotSimulated:
        held = ", ".join(s.managed_policy_arn for s in self._world.specs)
        return RequestNotSimulated(
            f"{arn} is an AWS managed policy slr_fsm does not hold: it knows only the managed "
            f"policies of the roles it simulates ({held}), and will not guess another's answer."
        )

    # ------------------------------------------------------------------ managed policies

    def get_policy(self, **kwargs: Any) -> dict[str, Any]:
        """GetPolicy: a simulated role's AWS managed policy (``IsAttachable`` true, as AWS lists
        service-role policies, though attaching one elsewhere is ``PolicyNotAttachable``)."""
        return self._call("get_policy", kwargs, self._get_policy)

    def _get_policy(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        self._authorize(op, kw["PolicyArn"])
        spec = self._held_policy(kw["PolicyArn"])
        attached = self._world.role(self.account, spec).exists
        policy: dict[str, Any] = {
            "PolicyName": spec.managed_policy_name,
            "PolicyId": policy_id(spec.managed_policy_arn),
            "Arn": spec.managed_policy_arn,
            "Path": "/aws-service-role/",
            "DefaultVersionId": spec.managed_policy_version,
            "AttachmentCount": int(attached),
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,  # as AWS lists service-role policies (attaching is still refused)
        }
        if spec.managed_policy_updated:  # created with v1; later versions' dates are not held
            if spec.managed_policy_version == "v1":
                policy["CreateDate"] = _date(spec.managed_policy_updated)
            policy["UpdateDate"] = _date(spec.managed_policy_updated)
        return {"Policy": policy}

    def get_policy_version(self, **kwargs: Any) -> dict[str, Any]:
        """GetPolicyVersion: the default version's document (earlier versions are not held)."""
        return self._call("get_policy_version", kwargs, self._get_policy_version)

    def _get_policy_version(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        arn, version_id = kw["PolicyArn"], kw["VersionId"]
        self._authorize(op, arn)
        spec = self._held_policy(arn)
        default = spec.managed_policy_version
        if version_id != default:
            match = _VERSION.fullmatch(version_id)
            if (
                match is not None
                and not match["suffix"]
                and int(match["number"]) < int(default[1:])
            ):
                raise RequestNotSimulated(
                    f"{arn} version {version_id} exists in AWS, but slr_fsm holds only the "
                    f"default version ({default}) of a managed policy."
                )
            raise NoSuchEntity(
                f"Policy {arn} version {version_id} does not exist or is not attachable.",
                guard="known_policy_version",
            )
        version: dict[str, Any] = {
            "Document": spec.managed_policy_document(),
            "VersionId": default,
            "IsDefaultVersion": True,
        }
        if spec.managed_policy_updated:
            version["CreateDate"] = _date(spec.managed_policy_updated)
        return {"PolicyVersion": version}

    # ------------------------------------------------------------------ attaching elsewhere

    def attach_user_policy(self, **kwargs: Any) -> dict[str, Any]:
        """AttachUserPolicy: a service-role policy is PolicyNotAttachable."""
        return self._call(
            "attach_user_policy",
            kwargs,
            lambda op, kw: self._attach_elsewhere(op, "user", kw["UserName"], kw["PolicyArn"]),
        )

    def attach_group_policy(self, **kwargs: Any) -> dict[str, Any]:
        """AttachGroupPolicy: a service-role policy is PolicyNotAttachable (the world has no
        groups)."""
        return self._call(
            "attach_group_policy",
            kwargs,
            lambda op, kw: self._attach_elsewhere(op, "group", kw["GroupName"], kw["PolicyArn"]),
        )

    def _attach_elsewhere(self, op: IamOperation, kind: str, name: str, arn: str) -> dict[str, Any]:
        """Attach a policy to a user, a group, or a role that is no service-linked role. The
        policy is judged before the entity is looked up (the world holds no groups and no
        customer roles, so a service-role policy is refused whatever the name)."""
        self._authorize(op, f"arn:aws:iam::{self.account.account_id}:{kind}/{name}")
        if self._managed_policy(arn) is not None:
            target = {"role": "Customer Role", "user": "User", "group": "Group"}[kind]
            raise PolicyNotAttachable(
                f"Cannot attach a Service Role Policy to a {target}.", guard="attachable"
            )
        match = _POLICY_ARN.fullmatch(arn)
        if match is None:
            raise InvalidInput(f"ARN {arn} is not valid.", guard="policy_arn")
        if match["owner"] != "aws":
            raise NoSuchEntity(
                f"Policy {arn} does not exist or is not attachable.", guard="known_policy"
            )
        if kind != "user" or name not in self._world.principal_names(self.account):
            raise NoSuchEntity(f"The {kind} with name {name} cannot be found.", guard="state")
        raise RequestNotSimulated(
            f"Attaching {arn} to user {name} is not modelled: slr_fsm's users carry fixed "
            "identity policies (sim.add_principal(..., policies)); only the simulated roles' "
            "own policies are judged (PolicyNotAttachable)."
        )

    # ------------------------------------------------------------------ SimulatePrincipalPolicy

    def simulate_principal_policy(self, **kwargs: Any) -> dict[str, Any]:
        """SimulatePrincipalPolicy: a user's identity policies, per action and resource."""
        return self._call("simulate_principal_policy", kwargs, self._simulate)

    def _simulate(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        actions = _strings(kw["ActionNames"], "actionNames", 3, 128)
        resources = _strings(kw.get("ResourceArns") or ["*"], "resourceArns", 1, 2048)
        context = _context(kw.get("ContextEntries") or [])
        source = kw["PolicySourceArn"]
        self._authorize(op, source)
        user = self._source_user(source)
        results = [
            _result(user, action, resource, context) for action in actions for resource in resources
        ]
        marker = kw.get("Marker")
        start = 0
        if marker is not None:
            if not marker.isdigit() or int(marker) > len(results):
                raise InvalidInput(f"Invalid Marker: {marker}", guard="marker")
            start = int(marker)
        end = start + (kw.get("MaxItems") or 100)
        page: dict[str, Any] = {
            "EvaluationResults": results[start:end],
            "IsTruncated": end < len(results),
        }
        if end < len(results):
            page["Marker"] = str(end)
        return page

    def _source_user(self, arn: str) -> Principal:
        match = _ENTITY_ARN.fullmatch(arn)
        if match is None:
            raise InvalidInput(f"ARN {arn} is not valid.", guard="policy_source_arn")
        if match["kind"] != "user":
            raise RequestNotSimulated(
                f"SimulatePrincipalPolicy simulates the world's users; {arn} is a "
                f"{match['kind']}, whose policies slr_fsm does not evaluate."
            )
        account, name = self.account.account_id, match["name"]
        if (
            match["account"] != account
            or match["path"] != "/"
            or name not in self._world.principal_names(account)
        ):
            raise NoSuchEntity(f"The user with name {name} cannot be found.", guard="state")
        found = self._world.caller(account, name)[1]
        assert isinstance(found, Principal)
        return found


def _strings(values: list[Any], field: str, low: int, high: int) -> list[str]:
    for n, value in enumerate(values, 1):
        if not isinstance(value, str):
            raise ValidationError(
                f"Parameter validation failed:\nInvalid type for parameter {field}[{n - 1}], "
                f"value: {shown(value)}, type: {type(value)}, valid types: {str}"
            )
        if not low <= len(value) <= high:
            raise ValidationError(
                f"1 validation error detected: Value '{shown_text(value)}' at '{field}.{n}.member' "
                "failed to "
                f"satisfy constraint: Member must have length between {low} and {high}"
            )
    return list(values)


def _context(entries: list[Any]) -> dict[str, str]:
    """The request context from ContextEntries: the keys slr_fsm evaluates, one string each.
    Every entry's shape is checked (ValidationError) before any entry's meaning (InvalidInput)."""
    fields = {"ContextKeyName", "ContextKeyValues", "ContextKeyType"}
    for entry in entries:
        if (
            not isinstance(entry, Mapping)
            or set(entry) - fields
            or entry.get("ContextKeyType", "string") not in _CONTEXT_TYPES
            or not isinstance(entry.get("ContextKeyValues", []), list)
            or not all(isinstance(v, str) for v in entry.get("ContextKeyValues", []))
        ):
            raise ValidationError(
                "Parameter validation failed:\nA ContextEntries item is a dict of "
                "ContextKeyName, ContextKeyValues (a list of strings) and ContextKeyType (one of "
                f"{', '.join(sorted(_CONTEXT_TYPES))}), got {shown(entry)}"
            )
    context: dict[str, str] = {}
    for entry in entries:
        key, values = entry.get("ContextKeyName"), entry.get("ContextKeyValues", [])
        if not isinstance(key, str) or key.lower() not in _SUPPORTED_KEYS:
            raise InvalidInput(
                f"Context key {shown(key)} cannot be evaluated: slr_fsm supplies only "
                f"{', '.join(SUPPORTED_CONDITION_KEYS)} to its policy evaluation.",
                guard="context_key",
            )
        if entry.get("ContextKeyType", "string") != "string" or len(values) != 1:
            raise InvalidInput(
                f"Context key {key} takes one value of type string.", guard="context_key"
            )
        if key.lower() in {k.lower() for k in context}:
            raise InvalidInput(f"Context key {key} is given twice.", guard="context_key")
        context[key] = values[0]
    return context


def _result(user: Principal, action: str, resource: str, context: dict[str, str]) -> dict[str, Any]:
    """One EvaluationResult: the decision, the statements that made it, and the condition keys
    that statements about this action and resource name but the context lacks."""
    decision = evaluate(user.policies, action, resource, context)
    folded = {k.lower(): v for k, v in context.items()}
    matched, missing = [], []
    for n, policy in enumerate(user.policies, 1):
        for statement in policy.statements:
            bare = attrs.evolve(statement, conditions=())
            if not bare.applies(action, resource, folded):
                continue
            for condition in statement.conditions:
                if condition.key.lower() not in folded and condition.key not in missing:
                    missing.append(condition.key)
            deciding = decision is not Decision.IMPLICIT_DENY
            effect = "Deny" if decision is Decision.EXPLICIT_DENY else "Allow"
            if (
                deciding
                and statement.effect.value == effect
                and statement.applies(action, resource, folded)
            ):
                matched.append({"SourcePolicyId": f"policy{n}", "SourcePolicyType": "user"})
    return {
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": _DECISIONS[decision],
        "MatchedStatements": matched,
        "MissingContextValues": missing,
    }
