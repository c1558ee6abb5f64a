"""Housekeeping for an AWS service-linked role, written as a team would for production.

Plain boto3 and nothing else: each function takes a boto3 IAM client (``boto3.client("iam")``),
or, for :func:`attached_policy_documents`, a boto3 IAM resource (``boto3.resource("iam")``). It
knows nothing of any simulator; tests/test_user_iam_code.py runs it, unchanged, against
slr_fsm's boto3 bridge.

Typical use, for AWS Marketplace's purchase-orders role::

    iam = boto3.client("iam")
    role = ensure_service_linked_role(
        iam, "purchase-orders.marketplace.amazonaws.com",
        "AWSServiceRoleForMarketplacePurchaseOrders")
    tag_role(iam, role["RoleName"], {"team": "procurement"})
    outcome = delete_service_linked_role(iam, role["RoleName"])
    if outcome["Status"] == "FAILED":
        print(blocking_resources(outcome))  # {region: [resource ARN, ...]}
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from botocore.exceptions import ClientError

FINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED"})
"""GetServiceLinkedRoleDeletionStatus's statuses after which nothing changes any more."""


def ensure_service_linked_role(
    iam: Any, service: str, role_name: str, description: str | None = None
) -> dict[str, Any]:
    """Create ``service``'s service-linked role unless it exists; return it as GetRole shows it.

    IAM answers a second CreateServiceLinkedRole for the same service with ``InvalidInput``
    ("Service role name ... has been taken in this account, please try a different suffix."),
    not ``EntityAlreadyExists``: that answer means the role is there already. Every other error
    (no permission, an unknown service) is the caller's to see.
    """
    request: dict[str, str] = {"AWSServiceName": service}
    if description is not None:
        request["Description"] = description
    try:
        iam.create_service_linked_role(**request)
    except ClientError as error:
        answer = error.response["Error"]
        if answer["Code"] != "InvalidInput" or "has been taken" not in answer["Message"]:
            raise
    return describe_role(iam, role_name)


def describe_role(iam: Any, role_name: str) -> dict[str, Any]:
    """The role as GetRole returns it (raises ``NoSuchEntityException`` once it is gone)."""
    role: dict[str, Any] = iam.get_role(RoleName=role_name)["Role"]
    return role


def tag_role(iam: Any, role_name: str, tags: Mapping[str, str]) -> None:
    """Add or overwrite tags on the role (service-linked roles take tags like any role)."""
    iam.tag_role(RoleName=role_name, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


def untag_role(iam: Any, role_name: str, keys: Iterable[str]) -> None:
    """Remove the tags with these keys."""
    iam.untag_role(RoleName=role_name, TagKeys=list(keys))


def role_tags(iam: Any, role_name: str) -> dict[str, str]:
    """Every tag of the role, following ListRoleTags's pages."""
    pages = iam.get_paginator("list_role_tags").paginate(RoleName=role_name)
    return {tag["Key"]: tag["Value"] for page in pages for tag in page["Tags"]}


def service_linked_roles(
    iam: Any, service: str | None = None, page_size: int = 100
) -> list[dict[str, Any]]:
    """The account's service-linked roles (only ``service``'s, if given), by path prefix."""
    prefix = "/aws-service-role/" if service is None else f"/aws-service-role/{service}/"
    pages = iam.get_paginator("list_roles").paginate(
        PathPrefix=prefix, PaginationConfig={"PageSize": page_size}
    )
    return [role for page in pages for role in page["Roles"]]


def attached_policy_documents(iam_resource: Any, role_name: str) -> dict[str, Any]:
    """Each managed policy attached to the role, by ARN, with its default version's document
    (boto3's resource API: ``Role.attached_policies``, ``Policy.default_version``)."""
    role = iam_resource.Role(role_name)
    return {policy.arn: policy.default_version.document for policy in role.attached_policies.all()}


def managed_policy_document(iam: Any, policy_arn: str) -> dict[str, Any]:
    """The document of a managed policy's default version (GetPolicy, then GetPolicyVersion)."""
    policy = iam.get_policy(PolicyArn=policy_arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=policy_arn, VersionId=policy["DefaultVersionId"])
    document: dict[str, Any] = version["PolicyVersion"]["Document"]
    return document


def permission_decisions(
    iam: Any, principal_arn: str, actions: Iterable[str], resource_arn: str
) -> dict[str, str]:
    """What IAM's policy simulator decides for each action of ``principal_arn`` on one
    resource: ``allowed``, ``explicitDeny`` or ``implicitDeny``."""
    pages = iam.get_paginator("simulate_principal_policy").paginate(
        PolicySourceArn=principal_arn, ActionNames=list(actions), ResourceArns=[resource_arn]
    )
    return {
        result["EvalActionName"]: result["EvalDecision"]
        for page in pages
        for result in page["EvaluationResults"]
    }


def delete_service_linked_role(
    iam: Any, role_name: str, *, delay: float = 10.0, max_attempts: int = 60
) -> dict[str, Any]:
    """Ask IAM to delete the role and wait for the deletion task to end.

    Returns ``{"DeletionTaskId": ..., "Status": "SUCCEEDED" | "FAILED"}`` and, for a failed
    task, the ``Reason`` IAM gives (the resources still using the role, per Region).
    """
    task_id = iam.delete_service_linked_role(RoleName=role_name)["DeletionTaskId"]
    return wait_for_deletion(iam, task_id, delay=delay, max_attempts=max_attempts)


def wait_for_deletion(
    iam: Any, task_id: str, *, delay: float = 10.0, max_attempts: int = 60
) -> dict[str, Any]:
    """Poll GetServiceLinkedRoleDeletionStatus every ``delay`` seconds until the task ends."""
    for _ in range(max_attempts):
        answer = iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)
        if answer["Status"] in FINAL_STATUSES:
            outcome = {"DeletionTaskId": task_id, "Status": answer["Status"]}
            if "Reason" in answer:
                outcome["Reason"] = answer["Reason"]
            return outcome
        time.sleep(delay)
    raise TimeoutError(
        f"Deletion task {task_id} had not ended after {max_attempts} checks {delay}s apart"
    )


def blocking_resources(outcome: Mapping[str, Any]) -> dict[str, list[str]]:
    """From a failed deletion's outcome, the resources that still use the role, by Region."""
    usage = outcome.get("Reason", {}).get("RoleUsageList", [])
    return {entry["Region"]: list(entry.get("Resources", [])) for entry in usage}
