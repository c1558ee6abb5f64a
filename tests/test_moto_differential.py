"""The same call sequences against moto and against the bridged simulation.

For each point AWS documents, slr_fsm must match AWS; where moto matches AWS too, the two must
agree; and docs/fidelity.md must say, for every point, whether moto agrees, as observed here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import boto3
import pytest
from botocore.exceptions import ClientError

from slr_fsm import Simulation
from slr_fsm.boto import iam_client
from tests.conftest import ROLE, SERVICE

moto = pytest.importorskip("moto", reason="moto is a test dependency (the test extra)")

TASK_ID = re.compile(rf"task/aws-service-role/{re.escape(SERVICE)}/[\w+=,.@-]+/[0-9a-f-]{{36}}")
FIDELITY = Path(__file__).resolve().parent.parent / "docs" / "fidelity.md"


@attrs.frozen
class Env:
    """An IAM client, and how to let background work (deletion tasks) finish."""

    iam: Any
    finish: Callable[[], None]


@pytest.fixture(params=["slr_fsm", "moto"])
def env(request) -> Iterator[Env]:
    if request.param == "moto":
        with moto.mock_aws():
            yield Env(boto3.client("iam", region_name="us-east-1", aws_access_key_id="x",
                                   aws_secret_access_key="x"), lambda: None)
    else:
        sim = Simulation.default()
        yield Env(iam_client(sim), sim.settle)


def code(call: Callable[[], Any]) -> str:
    """'ok', or the AWS error code the call raised."""
    try:
        call()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "ok"


def created(env: Env) -> dict[str, Any]:
    role = env.iam.create_service_linked_role(AWSServiceName=SERVICE)["Role"]
    env.finish()
    return role


def _deleted_then_get_role(env: Env) -> str:
    name = created(env)["RoleName"]
    env.iam.delete_service_linked_role(RoleName=name)
    env.finish()
    return code(lambda: env.iam.get_role(RoleName=name))


def _recreated(env: Env) -> tuple[bool, bool]:
    first = created(env)
    env.iam.delete_service_linked_role(RoleName=first["RoleName"])
    env.finish()
    again = created(env)
    return again["Arn"] == first["Arn"], again["RoleId"] != first["RoleId"]


def _protected(method: str, **params: Any) -> Callable[[Env], str]:
    def scenario(env: Env) -> str:
        name = created(env)["RoleName"]
        return code(lambda: getattr(env.iam, method)(RoleName=name, **params))

    return scenario


POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}]}

#: point -> (what AWS documents, the scenario that observes it)
POINTS: dict[str, tuple[Any, Callable[[Env], Any]]] = {
    "role-name": (ROLE, lambda env: created(env)["RoleName"]),
    "path": (f"/aws-service-role/{SERVICE}/", lambda env: created(env)["Path"]),
    "trust-policy-shape": (
        TRUST,
        lambda env: env.iam.get_role(RoleName=created(env)["RoleName"])["Role"][
            "AssumeRolePolicyDocument"
        ],
    ),
    "managed-policy-attached": (
        ["AWSMarketplacePurchaseOrdersServiceRolePolicy"],
        lambda env: [p["PolicyName"] for p in env.iam.list_attached_role_policies(
            RoleName=created(env)["RoleName"])["AttachedPolicies"]]),
    "duplicate-create": ("InvalidInput", lambda env: created(env) and code(
        lambda: env.iam.create_service_linked_role(AWSServiceName=SERVICE))),
    "deletion-task-id-format": (True, lambda env: bool(TASK_ID.fullmatch(
        env.iam.delete_service_linked_role(RoleName=created(env)["RoleName"])["DeletionTaskId"]))),
    "deletion-is-asynchronous": (True, lambda env: env.iam.get_service_linked_role_deletion_status(
        DeletionTaskId=env.iam.delete_service_linked_role(
            RoleName=created(env)["RoleName"])["DeletionTaskId"])["Status"] in (
                "NOT_STARTED", "IN_PROGRESS")),
    "unknown-task-status": ("NoSuchEntity", lambda env: code(
        lambda: env.iam.get_service_linked_role_deletion_status(
            DeletionTaskId=f"task/aws-service-role/{SERVICE}/{ROLE}/00000000-0000-4000-8000-000000000000"))),
    "update-assume-role-policy": ("UnmodifiableEntity", _protected(
        "update_assume_role_policy", PolicyDocument=json.dumps(TRUST))),
    "attach-role-policy": ("UnmodifiableEntity", _protected(
        "attach_role_policy", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")),
    "put-role-policy": ("UnmodifiableEntity", _protected(
        "put_role_policy", PolicyName="extra", PolicyDocument=POLICY)),
    "max-session-duration": ("UnmodifiableEntity", _protected(
        "update_role", MaxSessionDuration=7200)),
    "plain-delete-role": ("UnmodifiableEntity", _protected("delete_role")),
    "edit-description": ("ok", _protected("update_role_description", Description="edited")),
    "get-role-after-deletion": ("NoSuchEntity", _deleted_then_get_role),
    "re-creation-same-arn-new-role-id": ((True, True), _recreated),
}


def documented_moto_agreement() -> dict[str, bool]:
    """Per point, whether docs/fidelity.md says moto agrees with AWS."""
    rows = re.findall(r"^\| `([a-z-]+)` \|.*\| (agrees|differs)[^|]*\|\s*$", FIDELITY.read_text(),
                      re.M)
    return {key: verdict == "agrees" for key, verdict in rows}


@pytest.mark.parametrize("point", sorted(POINTS))
def test_each_point_against_aws(env, request, point):
    """slr_fsm does what AWS documents; moto agrees exactly where docs/fidelity.md says so."""
    aws, scenario = POINTS[point]
    observed = scenario(env)
    which = request.node.callspec.params["env"]
    if which == "slr_fsm":
        assert observed == aws, f"{point}: slr_fsm gave {observed!r}, AWS documents {aws!r}"
    else:
        documented = documented_moto_agreement()
        assert point in documented, f"docs/fidelity.md has no row for {point}"
        assert (observed == aws) == documented[point], (
            f"{point}: moto gave {observed!r} (AWS: {aws!r}); docs/fidelity.md says "
            f"{'agrees' if documented[point] else 'differs'}")


def test_fidelity_doc_lists_every_point():
    """docs/fidelity.md covers exactly the points compared here."""
    assert set(documented_moto_agreement()) == set(POINTS)
