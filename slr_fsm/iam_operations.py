"""The IAM operations the simulation answers, as data: names, parameters, and what each may change.

Parameter constraints are AWS's, from the IAM API model that botocore ships; a test compares them
with the installed botocore so they cannot drift.

>>> next(op for op in IAM_OPERATIONS if op.method == "get_role").action
'iam:GetRole'
"""

from __future__ import annotations

import attrs

from slr_fsm.validation import NAME_PATTERN, Param

__all__ = ["IAM_OPERATIONS", "IAM_OPERATIONS_BY_METHOD", "IamOperation"]

_DESCRIPTION = r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*"
_ROLE_NAME = Param("RoleName", required=True, min_length=1, max_length=64, pattern=NAME_PATTERN)
_PATH_PREFIX = Param("PathPrefix", min_length=1, max_length=512, pattern=r"\u002F[\u0021-\u007F]*")
_POLICY_PATH_PREFIX = Param(
    "PathPrefix", min_length=1, max_length=512, pattern=r"((/[A-Za-z0-9\.,\+@=_-]+)*)/"
)
_MARKER = Param("Marker", min_length=1, max_length=320, pattern=r"[\u0020-\u00FF]+")
_MAX_ITEMS = Param("MaxItems", kind=int, min_value=1, max_value=1000)
_POLICY_ARN = Param("PolicyArn", required=True, min_length=20, max_length=2048)
_POLICY_NAME = Param(
    "PolicyName", required=True, min_length=1, max_length=128, pattern=NAME_PATTERN
)
_POLICY_DOCUMENT = Param(
    "PolicyDocument",
    required=True,
    min_length=1,
    max_length=131072,
    pattern=r"[\u0009\u000A\u000D\u0020-\u00FF]+",
)


_USER_NAME = Param("UserName", required=True, min_length=1, max_length=64, pattern=NAME_PATTERN)


@attrs.frozen
class IamOperation:
    """One IAM operation the simulation answers: its names, parameters and what it may change.

    ``trigger`` is the lifecycle trigger it fires, if any; ``protected`` operations are always
    refused on a service-linked role (UnmodifiableEntity). ``unsimulated`` names parameters
    AWS accepts but the simulation cannot honour: giving one raises a
    :class:`~slr_fsm.errors.UsageError` saying so, never a silent answer that ignores it.
    """

    method: str
    name: str
    params: tuple[Param, ...]
    trigger: str | None = None
    protected: bool = False
    unsimulated: tuple[str, ...] = ()
    action: str = attrs.field(init=False, eq=False, repr=False)
    """The IAM action a caller's policy must allow, e.g. ``iam:GetRole``."""

    @action.default
    def _action(self) -> str:
        return f"iam:{self.name}"


IAM_OPERATIONS: tuple[IamOperation, ...] = (
    IamOperation(
        "create_service_linked_role",
        "CreateServiceLinkedRole",
        (
            Param(
                "AWSServiceName", required=True, min_length=1, max_length=128, pattern=NAME_PATTERN
            ),
            Param("Description", max_length=1000, pattern=_DESCRIPTION),
            Param("CustomSuffix", min_length=1, max_length=64, pattern=NAME_PATTERN),
        ),
        trigger="create",
    ),
    IamOperation(
        "delete_service_linked_role",
        "DeleteServiceLinkedRole",
        (_ROLE_NAME,),
        trigger="request_deletion",
    ),
    IamOperation(
        "get_service_linked_role_deletion_status",
        "GetServiceLinkedRoleDeletionStatus",
        (Param("DeletionTaskId", required=True, min_length=1, max_length=1000),),
    ),
    IamOperation(
        "update_role_description",
        "UpdateRoleDescription",
        (
            _ROLE_NAME,
            Param("Description", required=True, max_length=1000, pattern=_DESCRIPTION),
        ),
        trigger="update_description",
    ),
    IamOperation(
        "update_role",
        "UpdateRole",
        (
            _ROLE_NAME,
            Param("Description", max_length=1000, pattern=_DESCRIPTION),
            Param("MaxSessionDuration", kind=int, min_value=3600, max_value=43200),
            Param("MaxSigninSessionDuration", kind=int, min_value=3600, max_value=7776000),
            Param("ResetMaxSigninSessionDuration", kind=bool),
        ),
        trigger="update_description",
    ),
    IamOperation("get_role", "GetRole", (_ROLE_NAME,)),
    IamOperation("list_roles", "ListRoles", (_PATH_PREFIX, _MARKER, _MAX_ITEMS)),
    IamOperation(
        "list_attached_role_policies",
        "ListAttachedRolePolicies",
        (_ROLE_NAME, _POLICY_PATH_PREFIX, _MARKER, _MAX_ITEMS),
    ),
    IamOperation(
        "update_assume_role_policy",
        "UpdateAssumeRolePolicy",
        (_ROLE_NAME, _POLICY_DOCUMENT),
        protected=True,
    ),
    IamOperation(
        "attach_role_policy",
        "AttachRolePolicy",
        (_ROLE_NAME, _POLICY_ARN),
        protected=True,
    ),
    IamOperation(
        "detach_role_policy",
        "DetachRolePolicy",
        (_ROLE_NAME, _POLICY_ARN),
        protected=True,
    ),
    IamOperation(
        "put_role_policy",
        "PutRolePolicy",
        (_ROLE_NAME, _POLICY_NAME, _POLICY_DOCUMENT),
        protected=True,
    ),
    IamOperation(
        "delete_role_policy",
        "DeleteRolePolicy",
        (_ROLE_NAME, _POLICY_NAME),
        protected=True,
    ),
    IamOperation("delete_role", "DeleteRole", (_ROLE_NAME,), protected=True),
    IamOperation(
        "put_role_permissions_boundary",
        "PutRolePermissionsBoundary",
        (
            _ROLE_NAME,
            Param("PermissionsBoundary", required=True, min_length=20, max_length=2048),
        ),
        protected=True,
    ),
    IamOperation(
        "delete_role_permissions_boundary",
        "DeleteRolePermissionsBoundary",
        (_ROLE_NAME,),
        protected=True,
    ),
    IamOperation("list_role_policies", "ListRolePolicies", (_ROLE_NAME, _MARKER, _MAX_ITEMS)),
    IamOperation(
        "tag_role",
        "TagRole",
        (_ROLE_NAME, Param("Tags", kind=list, required=True, max_length=50)),
        trigger="update_description",
    ),
    IamOperation(
        "untag_role",
        "UntagRole",
        (_ROLE_NAME, Param("TagKeys", kind=list, required=True, max_length=50)),
        trigger="update_description",
    ),
    IamOperation("list_role_tags", "ListRoleTags", (_ROLE_NAME, _MARKER, _MAX_ITEMS)),
    IamOperation("get_policy", "GetPolicy", (_POLICY_ARN,)),
    IamOperation(
        "get_policy_version",
        "GetPolicyVersion",
        (_POLICY_ARN, Param("VersionId", required=True, pattern=r"v[1-9][0-9]*(\.[A-Za-z0-9-]*)?")),
    ),
    IamOperation("attach_user_policy", "AttachUserPolicy", (_USER_NAME, _POLICY_ARN)),
    IamOperation(
        "attach_group_policy",
        "AttachGroupPolicy",
        (
            Param("GroupName", required=True, min_length=1, max_length=128, pattern=NAME_PATTERN),
            _POLICY_ARN,
        ),
    ),
    IamOperation(
        "simulate_principal_policy",
        "SimulatePrincipalPolicy",
        (
            Param("PolicySourceArn", required=True, min_length=20, max_length=2048),
            Param("PolicyInputList", kind=list),
            Param("PermissionsBoundaryPolicyInputList", kind=list),
            Param("PolicyExclusionList", kind=list, max_length=256),
            Param("ActionNames", kind=list, required=True),
            Param("ResourceArns", kind=list),
            Param(
                "ResourcePolicy",
                min_length=1,
                max_length=131072,
                pattern=r"[\u0009\u000A\u000D\u0020-\u00FF]+",
            ),
            Param("ResourceOwner", min_length=1, max_length=2048),
            Param("CallerArn", min_length=1, max_length=2048),
            Param("ContextEntries", kind=list),
            Param("ResourceHandlingOption", min_length=1, max_length=64),
            _MAX_ITEMS,
            _MARKER,
        ),
        unsimulated=(
            "PolicyInputList",
            "PermissionsBoundaryPolicyInputList",
            "PolicyExclusionList",
            "ResourcePolicy",
            "ResourceOwner",
            "CallerArn",
            "ResourceHandlingOption",
        ),
    ),
)
"""Every IAM operation the simulation answers, as data."""

IAM_OPERATIONS_BY_METHOD: dict[str, IamOperation] = {op.method: op for op in IAM_OPERATIONS}
"""The operations by boto3 method name."""
