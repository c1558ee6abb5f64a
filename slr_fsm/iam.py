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
changes nothing. Responses carry no ``ResponseMetadata`` (the boto3 bridge adds it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from slr_fsm.errors import InvalidInput, NoSuchEntity
from slr_fsm.face import Face
from slr_fsm.iam_operations import IAM_OPERATIONS, IAM_OPERATIONS_BY_METHOD, IamOperation
from slr_fsm.refusals import protected_role
from slr_fsm.roles import Role
from slr_fsm.specs import SERVICE_ROLE_PATH_PREFIX, RoleSpec
from slr_fsm.validation import NAME_PATTERN, validate

__all__ = ["IAM_OPERATIONS", "IamApi", "IamOperation"]

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


def role_to_aws(role: Role, *, with_last_used: bool = False) -> dict[str, Any]:
    """A role as boto3 returns it (``CreateDate`` a datetime, the trust policy a dict)."""
    shape: dict[str, Any] = {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.role_id,
        "Arn": role.arn,
        "CreateDate": role.create_date,
        "AssumeRolePolicyDocument": role.spec.trust_policy(),
    }
    if role.description:
        shape["Description"] = role.description
    shape["MaxSessionDuration"] = role.spec.max_session_duration
    if with_last_used:
        shape["RoleLastUsed"] = {}
    return shape


class IamApi(Face):
    """IAM as one principal in one account sees it; get one from ``sim.iam(account, principal)``.

    Methods take keyword arguments only, as boto3's do, and return what boto3 returns.
    """

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
            return body(op, kwargs)

        return self._attempt(method, kwargs, attempt, role_name=self._role_concerned(kwargs))

    def _role_concerned(self, kwargs: Mapping[str, Any]) -> str | None:
        """The name of the simulated role a call is about, for the log (``None``: none)."""
        service, name = kwargs.get("AWSServiceName"), kwargs.get("RoleName")
        task = kwargs.get("DeletionTaskId")
        match = _TASK_ID.fullmatch(task) if isinstance(task, str) else None
        if match is not None:
            name = match["role"]
        spec = self._world.spec_for_service(service) if isinstance(service, str) else None
        if spec is None and isinstance(name, str):
            spec = self._world.spec_for_role_name(name)
        return None if spec is None else spec.role_name

    def _authorize(self, op: IamOperation, resource: str) -> None:
        self._world.authorize(self.principal, op.action, resource)

    def _role_arn(self, role_name: str) -> str:
        return self._world.role_arn(self.account.account_id, role_name)

    def _existing_role(self, role_name: str) -> Role:
        return self._world.existing_role(self.account.account_id, role_name)

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
        if kw.get("CustomSuffix") is not None and not spec.allows_custom_suffix:
            raise InvalidInput(
                f"Custom suffix is not allowed for {spec.service_principal}", guard="custom_suffix"
            )
        created = self._world.request_creation(
            self.account.account_id,
            self.principal,
            spec,
            action=op.action,
            description=kw.get("Description"),
        )
        return {"Role": role_to_aws(created)}

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
        self._authorize(op, f"arn:aws:iam::{self.account.account_id}:role/")
        prefix = kw.get("PathPrefix") or "/"
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
        """AttachRolePolicy: refused, only the service's own policy is attached."""
        return self._protected("attach_role_policy", kwargs)

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
