"""The IAM route: boto3's method names, AWS's parameter names, boto3-shaped responses.

>>> from slr_fsm import Simulation
>>> sim = Simulation.default()
>>> iam = sim.iam(sim.organization.management_account)
>>> iam.create_service_linked_role(AWSServiceName="purchase-orders.marketplace.amazonaws.com")[
...     "Role"]["RoleName"]
'AWSServiceRoleForMarketplacePurchaseOrders'
>>> iam.delete_role(RoleName="AWSServiceRoleForMarketplacePurchaseOrders")
Traceback (most recent call last):
...
slr_fsm.errors.UnmodifiableEntity: UnmodifiableEntity: Cannot perform the operation on the protected role 'AWSServiceRoleForMarketplacePurchaseOrders' - this role is only modifiable by AWS

Every call is validated (ValidationError), authorized against the caller's policies
(AccessDenied), judged by the lifecycle, and logged, whether accepted or refused. A refused call
changes nothing. Responses carry no ``ResponseMetadata`` (the boto3 bridge adds it). The managed
policies, attaching them elsewhere and SimulatePrincipalPolicy are in :mod:`slr_fsm.iam_policies`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from slr_fsm.errors import InvalidInput, NoSuchEntity, ValidationError
from slr_fsm.iam_operations import IAM_OPERATIONS, IamOperation
from slr_fsm.iam_policies import IamPolicies
from slr_fsm.refusals import protected_role
from slr_fsm.role_shapes import role_to_aws, tags_to_aws
from slr_fsm.roles import Tag, plain_tag, tag_text_problem
from slr_fsm.shown import shown, shown_text
from slr_fsm.specs import SERVICE_ROLE_PATH_PREFIX, RoleSpec
from slr_fsm.validation import NAME_PATTERN

__all__ = [
    "IAM_OPERATIONS",
    "IamApi",
    "IamOperation",
]

_TASK_ID = re.compile(
    rf"task/aws-service-role/(?P<service>{NAME_PATTERN})/(?P<role>{NAME_PATTERN})/"
    r"(?P<uuid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})",
    re.ASCII,
)


_PROTECTED_UPDATES = (
    "MaxSessionDuration",
    "MaxSigninSessionDuration",
    "ResetMaxSigninSessionDuration",
)
"""UpdateRole's parameters that a service-linked role refuses (UnmodifiableEntity): only its
description may change. For the two sign-in session parameters AWS documents nothing; treating
them like MaxSessionDuration is a modelling decision."""


def _tag_text(text: Any, field: str, n: int, part: str = "", *, key: bool = True) -> str:
    """One tag key or value, checked as IAM checks it (ValidationError in its wording)."""
    if not isinstance(text, str):
        raise ValidationError(
            f"Parameter validation failed:\nInvalid type for parameter {field}[{n - 1}]"
            f"{part and '.' + part.capitalize()}, value: {shown(text)}, type: {type(text)}, "
            f"valid types: {str}"
        )
    if (problem := tag_text_problem(text, key=key)) is not None:
        where = f"{field}.{n}.member" + (f".{part}" if part else "")
        raise ValidationError(
            f"1 validation error detected: Value '{shown_text(text)}' at '{where}' failed to "
            "satisfy "
            f"constraint: Member {problem}"
        )
    return text


def _tags_given(values: list[Any]) -> list[Tag]:
    """TagRole's Tags, checked: each a dict of Key and Value (ValidationError), no key twice in
    any case and none starting ``aws:`` (InvalidInput)."""
    tags: list[Tag] = []
    for n, item in enumerate(values, 1):
        if type(item) is dict and len(item) == 2:  # the usual tag, checked at once
            key, value = item.get("Key"), item.get("Value")
            if plain_tag(key, value):
                tags.append((key, value))  # type: ignore[arg-type]  # both plain str
                continue
        if not (isinstance(item, Mapping) and set(item) == {"Key", "Value"}):
            raise ValidationError(
                "Parameter validation failed:\nA tag is a dict of exactly Key and Value, got "
                f"{shown(item)}"
            )
        key = _tag_text(item["Key"], "tags", n, "key")
        tags.append((key, _tag_text(item["Value"], "tags", n, "value", key=False)))
    keys = [key.lower() for key, _ in tags]
    if len(set(keys)) != len(keys):
        raise InvalidInput(
            "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            guard="tag_keys",
        )
    if any(key.startswith("aws:") for key in keys):
        raise InvalidInput(
            "Tag keys starting with 'aws:' are reserved for internal use.", guard="tag_keys"
        )
    return tags


class IamApi(IamPolicies):
    """IAM as one principal in one account sees it; get one from ``sim.iam(account, principal)``.

    Methods take keyword arguments only, as boto3's do, and return what boto3 returns.
    """

    def _role_concerned(self, kwargs: Mapping[str, Any]) -> str | None:
        """The name of the simulated role a call is about, for the log (``None``: none)."""
        if "AWSServiceName" not in kwargs and "DeletionTaskId" not in kwargs:
            return super()._role_concerned(kwargs)  # what the rest answers
        service, task = kwargs.get("AWSServiceName"), kwargs.get("DeletionTaskId")
        match = _TASK_ID.fullmatch(task) if isinstance(task, str) else None
        spec = self._world.spec_for_service(service) if isinstance(service, str) else None
        suffix = kwargs.get("CustomSuffix")
        if spec is not None and isinstance(suffix, str) and spec.allows_custom_suffix:
            spec = self._world.spec_for_role_name(spec.role_name_with_suffix(suffix)) or spec
        if spec is None and match is not None:
            spec = self._world.spec_for_role_name(match["role"])
        return spec.role_name if spec is not None else super()._role_concerned(kwargs)

    # ------------------------------------------------------------------ creation and deletion

    def create_service_linked_role(self, **kwargs: Any) -> dict[str, Any]:
        """CreateServiceLinkedRole: request the role; it is ``creating`` until the clock runs."""
        return self._call("create_service_linked_role", kwargs, self._create)

    def _create(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        service = kw["AWSServiceName"]
        spec = self._world.spec_for_service(service)
        if spec is None:
            raise InvalidInput(
                f"Invalid service name {service}: no service-linked role is defined for it.",
                guard="known_service",
            )
        suffix = kw.get("CustomSuffix")
        if suffix is not None:
            spec = self._suffixed(spec, suffix)
        created = self._world.request_creation(
            self.account.account_id,
            self.principal,
            spec,
            action=op.action,
            description=kw.get("Description"),
        )
        return {"Role": role_to_aws(created, as_created=True)}

    @staticmethod
    def _suffixed(spec: RoleSpec, suffix: str) -> RoleSpec:
        """The spec of the role named with ``suffix``, or IAM's refusal of the suffix."""
        if not spec.allows_custom_suffix:
            raise InvalidInput(
                f"Custom suffix is not allowed for {spec.service_principal}", guard="custom_suffix"
            )
        name = spec.role_name_with_suffix(suffix)
        if len(name) > 64:  # modelling decision: IAM's own length message for roleName
            raise ValidationError(
                f"1 validation error detected: Value '{name}' at 'roleName' failed to satisfy "
                "constraint: Member must have length less than or equal to 64",
                guard="custom_suffix",
            )
        return spec.with_custom_suffix(suffix)

    def delete_service_linked_role(self, **kwargs: Any) -> dict[str, Any]:
        """DeleteServiceLinkedRole: submit a deletion task (or get the unfinished one's id)."""
        return self._call("delete_service_linked_role", kwargs, self._delete)

    def _delete(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        task = self._world.request_deletion(
            self.account.account_id, self.principal, kw["RoleName"], op.action
        )
        return {"DeletionTaskId": task.task_id}

    def get_service_linked_role_deletion_status(self, **kwargs: Any) -> dict[str, Any]:
        """GetServiceLinkedRoleDeletionStatus: NOT_STARTED, IN_PROGRESS, SUCCEEDED or FAILED."""
        return self._call("get_service_linked_role_deletion_status", kwargs, self._status)

    def _status(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        task_id = kw["DeletionTaskId"]
        match = _TASK_ID.fullmatch(task_id)
        if match is None:
            raise InvalidInput(f"Invalid deletion task id: {task_id}", guard="task_id_format")
        resource = (
            f"arn:aws:iam::{self.account.account_id}:role{SERVICE_ROLE_PATH_PREFIX}"
            f"{match['service']}/{match['role']}"
        )
        self._authorize(op, resource)
        task = self._world.task(task_id)
        if task is None or task.account_id != self.account.account_id:
            raise NoSuchEntity(
                f"Deletion task with id {task_id} does not exist.", guard="known_task"
            )
        return task.to_aws()

    # ------------------------------------------------------------------ the one editable field

    def update_role_description(self, **kwargs: Any) -> dict[str, Any]:
        """UpdateRoleDescription: the one change a service-linked role accepts."""
        return self._call("update_role_description", kwargs, self._update_description)

    def _update_description(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        updated = self._world.update_description(
            self.account.account_id, self.principal, kw["RoleName"], kw["Description"], op.action
        )
        return {"Role": role_to_aws(updated)}

    def update_role(self, **kwargs: Any) -> dict[str, Any]:
        """UpdateRole: the description may change; the session durations are protected."""
        return self._call("update_role", kwargs, self._update_role)

    def _update_role(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        if any(kw.get(name) is not None for name in _PROTECTED_UPDATES):
            self._authorize(op, self._role_arn(kw["RoleName"]))
            raise protected_role(self._existing_role(kw["RoleName"]).name)
        self._world.update_description(
            self.account.account_id,
            self.principal,
            kw["RoleName"],
            kw.get("Description"),
            op.action,
        )
        return {}

    # ------------------------------------------------------------------ reads

    def get_role(self, **kwargs: Any) -> dict[str, Any]:
        """GetRole: the role with its trust policy, or NoSuchEntity."""
        return self._call("get_role", kwargs, self._get_role)

    def _get_role(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        self._authorize(op, self._role_arn(kw["RoleName"]))
        return {"Role": role_to_aws(self._existing_role(kw["RoleName"]), with_last_used=True)}

    def list_roles(self, **kwargs: Any) -> dict[str, Any]:
        """ListRoles: the account's existing roles under ``PathPrefix`` (default ``/``)."""
        return self._call("list_roles", kwargs, self._list_roles)

    def _list_roles(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        prefix = kw.get("PathPrefix") or "/"  # AWS judges the request on role<PathPrefix>
        self._authorize(op, f"arn:aws:iam::{self.account.account_id}:role{prefix}")
        roles = [
            role_to_aws(role)
            for role in self._world.roles(self.account)
            if role.exists and role.path.startswith(prefix)
        ]
        roles.sort(key=lambda r: str(r["RoleName"]).lower())
        return _page(roles, "Roles", kw, key="RoleName")

    def list_attached_role_policies(self, **kwargs: Any) -> dict[str, Any]:
        """ListAttachedRolePolicies: the service's managed policy, the only one attached."""
        return self._call("list_attached_role_policies", kwargs, self._list_attached)

    def _list_attached(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        self._authorize(op, self._role_arn(kw["RoleName"]))
        spec: RoleSpec = self._existing_role(kw["RoleName"]).spec
        prefix = kw.get("PathPrefix") or "/"
        attached = [{"PolicyName": spec.managed_policy_name, "PolicyArn": spec.managed_policy_arn}]
        if not SERVICE_ROLE_PATH_PREFIX.startswith(prefix):  # the policy's path
            attached = []
        return _page(attached, "AttachedPolicies", kw, key="PolicyName")

    def list_role_policies(self, **kwargs: Any) -> dict[str, Any]:
        """ListRolePolicies: a service-linked role has no inline policies."""
        return self._call("list_role_policies", kwargs, self._list_inline)

    def _list_inline(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        self._authorize(op, self._role_arn(kw["RoleName"]))
        self._existing_role(kw["RoleName"])
        return {"PolicyNames": [], "IsTruncated": False}

    # ------------------------------------------------------------------ tags

    def tag_role(self, **kwargs: Any) -> dict[str, Any]:
        """TagRole: add tags (a key the role has, in any case, is overwritten); 50 at most."""
        return self._call("tag_role", kwargs, self._tag)

    def _tag(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        tags = _tags_given(kw["Tags"])
        self._world.change_tags(
            self.account.account_id, self.principal, kw["RoleName"], op.action, add=tags
        )
        return {}

    def untag_role(self, **kwargs: Any) -> dict[str, Any]:
        """UntagRole: remove the tags of these keys (in any case); unknown keys are ignored."""
        return self._call("untag_role", kwargs, self._untag)

    def _untag(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        keys = [_tag_text(key, "tagKeys", n) for n, key in enumerate(kw["TagKeys"], 1)]
        self._world.change_tags(
            self.account.account_id, self.principal, kw["RoleName"], op.action, remove=keys
        )
        return {}

    def list_role_tags(self, **kwargs: Any) -> dict[str, Any]:
        """ListRoleTags: the role's tags, by key (case-insensitive order)."""
        return self._call("list_role_tags", kwargs, self._list_tags)

    def _list_tags(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        self._authorize(op, self._role_arn(kw["RoleName"]))
        tags = tags_to_aws(self._existing_role(kw["RoleName"]).tags)
        tags.sort(key=lambda tag: tag["Key"].lower())
        return _page(tags, "Tags", kw, key="Key")

    # ------------------------------------------------------------------ protected: always refused

    def _protected(self, method: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        def body(op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
            self._authorize(op, self._role_arn(kw["RoleName"]))
            raise protected_role(self._existing_role(kw["RoleName"]).name)

        return self._call(method, kwargs, body)

    def update_assume_role_policy(self, **kwargs: Any) -> dict[str, Any]:
        """UpdateAssumeRolePolicy: refused, the trust policy belongs to AWS."""
        return self._protected("update_assume_role_policy", kwargs)

    def attach_role_policy(self, **kwargs: Any) -> dict[str, Any]:
        """AttachRolePolicy: refused on a service-linked role (only the service's own policy is
        attached); on any other role a service-role policy is PolicyNotAttachable."""
        name = kwargs.get("RoleName")
        if not isinstance(name, str) or self._world.spec_for_role_name(name) is not None:
            return self._protected("attach_role_policy", kwargs)
        return self._call(
            "attach_role_policy",
            kwargs,
            lambda op, kw: self._attach_elsewhere(op, "role", kw["RoleName"], kw["PolicyArn"]),
        )

    def detach_role_policy(self, **kwargs: Any) -> dict[str, Any]:
        """DetachRolePolicy: refused."""
        return self._protected("detach_role_policy", kwargs)

    def put_role_policy(self, **kwargs: Any) -> dict[str, Any]:
        """PutRolePolicy: refused."""
        return self._protected("put_role_policy", kwargs)

    def delete_role_policy(self, **kwargs: Any) -> dict[str, Any]:
        """DeleteRolePolicy: refused."""
        return self._protected("delete_role_policy", kwargs)

    def delete_role(self, **kwargs: Any) -> dict[str, Any]:
        """DeleteRole: refused; use DeleteServiceLinkedRole."""
        return self._protected("delete_role", kwargs)

    def put_role_permissions_boundary(self, **kwargs: Any) -> dict[str, Any]:
        """PutRolePermissionsBoundary: refused."""
        return self._protected("put_role_permissions_boundary", kwargs)

    def delete_role_permissions_boundary(self, **kwargs: Any) -> dict[str, Any]:
        """DeleteRolePermissionsBoundary: refused."""
        return self._protected("delete_role_permissions_boundary", kwargs)


def _page(
    items: list[dict[str, Any]], field: str, kw: Mapping[str, Any], *, key: str
) -> dict[str, Any]:
    """One page of a list, IAM-style. ``Marker`` is the key (lower-cased order) where the page
    starts: a previous page's ``Marker``, or any text to start from there."""
    marker = kw.get("Marker")
    if marker is not None:
        items = [item for item in items if str(item[key]).lower() >= marker.lower()]
    limit = kw.get("MaxItems") or 100
    page: dict[str, Any] = {field: items[:limit], "IsTruncated": len(items) > limit}
    if len(items) > limit:
        page["Marker"] = str(items[limit][key])
    return page
