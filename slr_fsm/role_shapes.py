"""Roles as IAM's API answers show them (what boto3 returns): the role's fields, its trust
policy as CreateServiceLinkedRole and as GetRole print it, and its tags."""

from __future__ import annotations

from typing import Any

from slr_fsm.roles import Role, Tag
from slr_fsm.specs import RoleSpec

__all__ = ["created_trust_policy", "role_to_aws", "tags_to_aws"]


def created_trust_policy(spec: RoleSpec) -> dict[str, Any]:
    """The trust policy as CreateServiceLinkedRole's answer shows it: the action and the
    service in one-item lists, as the AWS CLI reference's and the EC2 Auto Scaling User
    Guide's create-service-linked-role examples print it (GetRole and ListRoles show plain
    strings, :meth:`RoleSpec.trust_policy`)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Action": ["sts:AssumeRole"],
                "Effect": "Allow",
                "Principal": {"Service": [spec.service_principal]},
            }
        ],
    }


def role_to_aws(
    role: Role, *, with_last_used: bool = False, as_created: bool = False
) -> dict[str, Any]:
    """A role as boto3 returns it (``CreateDate`` a datetime, the trust policy a dict);
    ``as_created``: as CreateServiceLinkedRole's answer shows it."""
    spec = role.spec  # read once: the role's name, path and ARN are all the spec's
    shape: dict[str, Any] = {
        "Path": spec.path,
        "RoleName": spec.role_name,
        "RoleId": role.role_id,
        "Arn": spec.role_arn(role.account_id),
        "CreateDate": role.create_date,
        "AssumeRolePolicyDocument": (
            created_trust_policy(spec) if as_created else spec.trust_policy()
        ),
    }
    if role.description:
        shape["Description"] = role.description
    shape["MaxSessionDuration"] = spec.max_session_duration
    if with_last_used:  # GetRole's own fields
        if role.tags:
            shape["Tags"] = tags_to_aws(role.tags)
        shape["RoleLastUsed"] = {}
    return shape


def tags_to_aws(tags: tuple[Tag, ...]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags]
