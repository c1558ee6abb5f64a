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

import attrs

from slr_fsm.errors import InvalidInput, NoSuchEntity
from slr_fsm.iam_operations import IAM_OPERATIONS, IAM_OPERATIONS_BY_METHOD, IamOperation
from slr_fsm.lifecycle import GuardFacts
from slr_fsm.policy import Decision
from slr_fsm.refusals import access_denied, protected_role, refusal_error, role_not_found
from slr_fsm.roles import Role
from slr_fsm.specs import SERVICE_ROLE_PATH_PREFIX, RoleSpec
from slr_fsm.validation import NAME_PATTERN, validate
from slr_fsm.world import AccountLike, PrincipalLike, World

__all__ = ["IAM_OPERATIONS", "IamApi", "IamOperation"]

_OPERATIONS = IAM_OPERATIONS_BY_METHOD

_TASK_ID = re.compile(
    rf"task/aws-service-role/(?P<service>{NAME_PATTERN})/(?P<role>{NAME_PATTERN})/"
    r"(?P<uuid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})",
    re.ASCII,
)


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


class IamApi:
    """IAM as one principal in one account sees it; get one from ``sim.iam(account, principal)``.

    Methods take keyword arguments only, as boto3's do, and return what boto3 returns.
    """

    def __init__(self, world: World, account: AccountLike, principal: PrincipalLike | None = None):
        self._world = world
        self.account, self.principal = world.caller(account, principal)

    def __repr__(self) -> str:
        return f"<IamApi {self.principal.name}@{self.account.account_id}>"

    # ------------------------------------------------------------------ plumbing

    def _call(
        self,
        method: str,
        kwargs: Mapping[str, Any],
        body: Callable[[IamOperation, Mapping[str, Any]], dict[str, Any]],
    ) -> dict[str, Any]:
        op = _OPERATIONS[method]

        def attempt() -> dict[str, Any]:
            validate(op.params, kwargs)
            return body(op, kwargs)

        return self._world._attempt(
            self.account,
            self.principal,
            method,
            kwargs,
            self.account.account_id,
            attempt,
            spec=self._spec_concerned(kwargs),
        )

    def _spec_concerned(self, kwargs: Mapping[str, Any]) -> RoleSpec | None:
        """The spec whose role a call is about, for the log (None: the world's first)."""
        service, name = kwargs.get("AWSServiceName"), kwargs.get("RoleName")
        if isinstance(service, str):
            return self._world.spec_for_service(service)
        if isinstance(name, str):
            return self._world.spec_for_role_name(name)
        return None

    def _authorize(self, op: IamOperation, resource: str) -> None:
        self._world._authorize(self.principal, op.action, resource)

    def _role_arn(self, role_name: str) -> str:
        spec = self._world.spec_for_role_name(role_name)
        if spec is not None:
            return spec.role_arn(self.account.account_id)
        return f"arn:aws:iam::{self.account.account_id}:role/{role_name}"

    def _existing_role(self, role_name: str) -> Role:
        """The service-linked role of that name in this account, if IAM holds it now."""
        spec = self._world.spec_for_role_name(role_name)
        role = None if spec is None else self._world.role(self.account, spec)
        if role is None or not role.exists:
            raise role_not_found(role_name)
        return role

    def _judge(
        self,
        op: IamOperation,
        role_name: str,
        trigger: str,
        context: Mapping[str, str] | None = None,
    ) -> Role:
        """Authorize and fire ``trigger`` for the named role; raise the refusal, if any.

        The caller's permission is judged first (as AWS authorizes before looking the role up),
        then the lifecycle decides from the role's state. Nothing is changed here.
        """
        resource = self._role_arn(role_name)
        decision = self._world.allowed(self.principal, op.action, resource, context)
        spec = self._world.spec_for_role_name(role_name)
        if spec is None:
            if decision is not Decision.ALLOW:
                raise access_denied(self.principal, op.action, resource, decision)
            raise role_not_found(role_name)
        role = self._world.role(self.account, spec)
        outcome = self._world._judge(
            role, trigger, GuardFacts(caller_allowed=decision is Decision.ALLOW)
        )
        if not outcome.ok:
            raise refusal_error(
                outcome, role, caller=self.principal, action=op.action, decision=decision
            )
        return role

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
        self._judge(op, spec.role_name, "create", {"iam:AWSServiceName": service})
        created = self._world._begin_role_creation(
            self.account.account_id, spec, kw.get("Description")
        )
        return {"Role": role_to_aws(created)}

    def delete_service_linked_role(self, **kwargs: Any) -> dict[str, Any]:
        """DeleteServiceLinkedRole: submit a deletion task (or get the unfinished one's id)."""
        return self._call("delete_service_linked_role", kwargs, self._delete)

    def _delete(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        role = self._judge(op, kw["RoleName"], "request_deletion")
        task = self._world._submit_deletion(self.account.account_id, role.spec)
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
        role = self._judge(op, kw["RoleName"], "update_description")
        updated = attrs.evolve(role, description=kw["Description"] or None)
        self._world._put_role(updated)
        return {"Role": role_to_aws(updated)}

    def update_role(self, **kwargs: Any) -> dict[str, Any]:
        """UpdateRole: the description may change; MaxSessionDuration is protected."""
        return self._call("update_role", kwargs, self._update_role)

    def _update_role(self, op: IamOperation, kw: Mapping[str, Any]) -> dict[str, Any]:
        if kw.get("MaxSessionDuration") is not None:
            self._authorize(op, self._role_arn(kw["RoleName"]))
            raise protected_role(self._existing_role(kw["RoleName"]).name)
        role = self._judge(op, kw["RoleName"], "update_description")
        if kw.get("Description") is not None:
            self._world._put_role(attrs.evolve(role, description=kw["Description"] or None))
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
            for role in (self._world.role(self.account, spec) for spec in self._world.specs)
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
