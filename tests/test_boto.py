"""The boto3 bridge: real botocore clients, answered by the simulation, shaped as AWS answers."""

from __future__ import annotations

import datetime as dt
import re

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from botocore.validate import ParamValidator

from slr_fsm import RoleState, Simulation
from slr_fsm.boto import (
    OperationNotSimulated,
    attach,
    iam_client,
    simulated,
    simulated_boto3,
    sts_client,
    wire_form,
)
from slr_fsm.errors import ValidationError
from slr_fsm.iam import IAM_OPERATIONS
from tests.conftest import MANAGEMENT, MEMBER, ROLE, SERVICE

IAM_MODEL = botocore.session.get_session().get_service_model("iam")
STS_MODEL = botocore.session.get_session().get_service_model("sts")
ARN = f"arn:aws:iam::{MANAGEMENT}:role/aws-service-role/{SERVICE}/{ROLE}"


def assert_valid_output(model, operation: str, response: dict) -> None:
    """The response, in the form botocore's parser hands on, fits botocore's output shape."""
    shape = model.operation_model(operation).output_shape
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    if shape is None:  # TagRole, UntagRole: AWS answers nothing but the metadata
        assert body == {}
    else:
        report = ParamValidator().validate(wire_form(body, shape), shape)
        assert not report.has_errors(), report.generate_report()
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def error_of(call) -> dict:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response


@pytest.fixture
def iam(sim):
    return iam_client(sim)


def full_cycle(sim, iam) -> dict[str, dict]:
    """Every simulated IAM operation once, with responses by operation name."""
    out = {}
    out["CreateServiceLinkedRole"] = iam.create_service_linked_role(
        AWSServiceName=SERVICE, Description="POs")
    sim.settle()
    out["GetRole"] = iam.get_role(RoleName=ROLE)
    out["ListRoles"] = iam.list_roles(PathPrefix="/aws-service-role/")
    out["ListAttachedRolePolicies"] = iam.list_attached_role_policies(RoleName=ROLE)
    out["UpdateRoleDescription"] = iam.update_role_description(RoleName=ROLE, Description="d")
    out["UpdateRole"] = iam.update_role(RoleName=ROLE, Description="e")
    out["ListRolePolicies"] = iam.list_role_policies(RoleName=ROLE)
    out["TagRole"] = iam.tag_role(RoleName=ROLE, Tags=[{"Key": "team", "Value": "po"}])
    out["ListRoleTags"] = iam.list_role_tags(RoleName=ROLE)
    out["UntagRole"] = iam.untag_role(RoleName=ROLE, TagKeys=["team"])
    policy = out["ListAttachedRolePolicies"]["AttachedPolicies"][0]["PolicyArn"]
    out["GetPolicy"] = iam.get_policy(PolicyArn=policy)
    out["GetPolicyVersion"] = iam.get_policy_version(PolicyArn=policy, VersionId="v1")
    out["SimulatePrincipalPolicy"] = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{MANAGEMENT}:user/readonly", ActionNames=["iam:GetRole"])
    out["DeleteServiceLinkedRole"] = iam.delete_service_linked_role(RoleName=ROLE)
    sim.settle()
    out["GetServiceLinkedRoleDeletionStatus"] = iam.get_service_linked_role_deletion_status(
        DeletionTaskId=out["DeleteServiceLinkedRole"]["DeletionTaskId"])
    return out


def test_every_answered_operation_fits_botocores_output_shape(sim, iam):
    """Each non-protected IAM operation's response validates against botocore's own shape."""
    responses = full_cycle(sim, iam)
    never_succeed = {"AttachUserPolicy", "AttachGroupPolicy"}  # a service-role policy: refused
    answered = {op.name for op in IAM_OPERATIONS if not op.protected} - never_succeed
    assert set(responses) == answered
    for operation, response in responses.items():
        assert_valid_output(IAM_MODEL, operation, response)


def test_responses_carry_aws_types(sim, iam):
    """Dates are timezone-aware datetimes; the trust policy arrives decoded, as boto3 gives it:
    in one-item lists in CreateServiceLinkedRole's answer (as AWS's CLI reference and EC2 Auto
    Scaling User Guide print it), with plain strings from GetRole."""
    role = iam.create_service_linked_role(AWSServiceName=SERVICE)["Role"]
    assert isinstance(role["CreateDate"], dt.datetime)
    assert role["CreateDate"].utcoffset() == dt.timedelta(0)
    assert role["AssumeRolePolicyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [{"Action": ["sts:AssumeRole"], "Effect": "Allow",
                       "Principal": {"Service": [SERVICE]}}],
    }
    assert iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": SERVICE},
                       "Action": "sts:AssumeRole"}],
    }
    assert role["Arn"] == ARN


@pytest.mark.parametrize("op", [op for op in IAM_OPERATIONS if op.protected], ids=lambda o: o.name)
def test_protected_operations_raise_unmodifiable_entity(sim, iam, op):
    """Each protected operation raises the client's UnmodifiableEntityException, HTTP 400."""
    iam.create_service_linked_role(AWSServiceName=SERVICE)
    sim.settle()
    params = {p.name: _valid(p.name) for p in op.params if p.required}
    with pytest.raises(iam.exceptions.UnmodifiableEntityException) as raised:
        getattr(iam, op.method)(**params)
    error = raised.value.response
    assert error["Error"]["Code"] == "UnmodifiableEntity"
    assert error["Error"]["Message"] == (
        f"Cannot perform the operation on the protected role '{ROLE}' - this role is only "
        "modifiable by AWS")
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def _valid(name: str) -> str:
    return {"RoleName": ROLE, "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "PolicyName": "extra", "PolicyDocument": "{}"}[name]


def test_duplicate_create_is_invalid_input_exception(sim, iam):
    """A second create raises InvalidInputException with AWS's message, not EntityAlreadyExists."""
    iam.create_service_linked_role(AWSServiceName=SERVICE)
    with pytest.raises(iam.exceptions.InvalidInputException, match="has been taken in this account"):
        iam.create_service_linked_role(AWSServiceName=SERVICE)


def test_missing_role_and_task_are_no_such_entity_exception(iam):
    """GetRole on an absent role and a status query for an unknown task: NoSuchEntity (404)."""
    error = error_of(lambda: iam.get_role(RoleName=ROLE))
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("NoSuchEntity", 404)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_service_linked_role_deletion_status(
            DeletionTaskId=f"task/aws-service-role/{SERVICE}/{ROLE}/00000000-0000-4000-8000-000000000000")
    with pytest.raises(iam.exceptions.InvalidInputException):
        iam.get_service_linked_role_deletion_status(DeletionTaskId="not-a-task")


def test_botocore_validates_first_and_the_simulation_adds_aws_limits(iam):
    """botocore refuses what its model knows (missing, too short); the simulation refuses what
    only AWS checks (too long, off-pattern) with ValidationError."""
    with pytest.raises(ParamValidationError):
        iam.create_service_linked_role()
    with pytest.raises(ParamValidationError):
        iam.get_role(RoleName="")
    too_long = error_of(lambda: iam.get_role(RoleName="x" * 65))
    assert too_long["Error"]["Code"] == "ValidationError"
    assert "Member must have length less than or equal to 64" in too_long["Error"]["Message"]
    pattern = error_of(lambda: iam.create_service_linked_role(AWSServiceName="bad name!"))
    assert "regular expression pattern" in pattern["Error"]["Message"]


def test_deletion_blocked_then_succeeds_through_boto3(sim, iam):
    """The whole deletion story through boto3: FAILED with a RoleUsageList, clean-up, SUCCEEDED."""
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    sim.settle()
    sub = sim.subscriptions_of(MEMBER)[0]
    sim.marketplace(MEMBER).attach_purchase_order(sub.subscription_id, "PO-9")
    task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    assert iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"] == task
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "NOT_STARTED"
    sim.settle()
    failed = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert_valid_output(IAM_MODEL, "GetServiceLinkedRoleDeletionStatus", failed)
    assert failed["Status"] == "FAILED"
    assert {u["Region"] for u in failed["Reason"]["RoleUsageList"]} == {"us-east-1"}
    sim.marketplace(MEMBER).detach_purchase_order(sub.subscription_id, "PO-9")
    sim.marketplace(MANAGEMENT).remove_billing_integration()
    task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    sim.settle()
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=ROLE)
    first_id = sim.role(MANAGEMENT).role_id
    again = iam.create_service_linked_role(AWSServiceName=SERVICE)["Role"]
    assert (again["Arn"], again["RoleName"]) == (ARN, ROLE)
    assert again["RoleId"] != first_id


def test_other_principals_and_accounts(sim):
    """iam_client takes an account and a principal by name; the read-only principal is denied
    changes with AccessDenied (403)."""
    readonly = iam_client(sim, MEMBER, "readonly")
    error = error_of(lambda: readonly.create_service_linked_role(AWSServiceName=SERVICE))
    assert error["Error"]["Code"] == "AccessDenied"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert f"arn:aws:iam::{MEMBER}:user/readonly" in error["Error"]["Message"]
    assert readonly.list_roles()["Roles"] == []


def test_unmodelled_operations_say_they_are_not_simulated(iam):
    """Any other IAM operation fails loudly, naming itself; never an empty answer."""
    with pytest.raises(OperationNotSimulated, match="IAM ListUsers is not simulated"):
        iam.list_users()


def test_attach_and_detach_an_existing_client(sim):
    """A client the user built answers from the simulation while attached, then goes back."""
    client = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    with simulated(client, sim):
        assert client.list_roles()["Roles"] == []
    binding = attach(client, sim, MEMBER)
    client.create_service_linked_role(AWSServiceName=SERVICE)
    binding.detach()
    assert sim.role(MEMBER).state is RoleState.CREATING
    model = client.meta.service_model.operation_model("ListRoles")
    _, answer = client.meta.events.emit_until_response(
        "before-call.iam.ListRoles", model=model, params={}, context={})
    assert answer is None  # detached: nothing answers in place of the network any more


def test_simulated_boto3_covers_clients_built_by_code_under_test(sim):
    """Inside simulated_boto3, boto3.client('iam') and boto3.Session().client('iam') are
    answered by the simulation; outside, creation is untouched."""
    def code_under_test() -> str:
        iam = boto3.client("iam")
        return iam.create_service_linked_role(AWSServiceName=SERVICE)["Role"]["RoleId"]

    with simulated_boto3(sim):
        role_id = code_under_test()
        other = boto3.Session(region_name="eu-west-1").client("iam")
        assert other.get_role(RoleName=ROLE)["Role"]["RoleId"] == role_id
    assert sim.role(MANAGEMENT).role_id == role_id
    assert botocore.session.Session.create_client.__qualname__ == "Session.create_client"


def test_sts_assume_role_only_for_the_trusted_service(sim):
    """AssumeRole through boto3: the service principal gets credentials, a user AccessDenied."""
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    sim.settle()
    service = sts_client(sim, MANAGEMENT, SERVICE)
    creds = service.assume_role(RoleArn=ARN, RoleSessionName="po")
    assert_valid_output(STS_MODEL, "AssumeRole", creds)
    admin = sts_client(sim)
    error = error_of(lambda: admin.assume_role(RoleArn=ARN, RoleSessionName="me"))
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("AccessDenied", 403)
    identity = admin.get_caller_identity()
    assert_valid_output(STS_MODEL, "GetCallerIdentity", identity)
    assert identity["Arn"] == f"arn:aws:iam::{MANAGEMENT}:user/admin"


def test_request_ids_are_deterministic():
    """Same seed and calls give the same RequestIds."""
    def ids():
        sim = Simulation.default(seed=4)
        iam = iam_client(sim)
        return [iam.list_roles()["ResponseMetadata"]["RequestId"] for _ in range(3)]

    assert ids() == ids()
    assert len(set(ids())) == 3


def test_unknown_callers_are_refused_per_call_as_client_errors(sim):
    """An unknown account or principal is InvalidClientTokenId (403) on each call, as AWS
    answers bad credentials, inside simulated_boto3 too; building the client works."""
    for client in (iam_client(sim, "999999999999"), iam_client(sim, MANAGEMENT, "nobody")):
        error = error_of(lambda c=client: c.list_roles())
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
            "InvalidClientTokenId", 403)
    with simulated_boto3(sim, MANAGEMENT, "ghost"):
        error = error_of(lambda: boto3.client("iam").get_role(RoleName=ROLE))
    assert error["Error"]["Code"] == "InvalidClientTokenId"
    error = error_of(lambda: sts_client(sim, MANAGEMENT, SERVICE).get_caller_identity())
    assert error["Error"]["Code"] == "InvalidClientTokenId"


def test_get_caller_identity_is_answered_and_logged_by_the_simulation(sim):
    """GetCallerIdentity goes through the STS face: logged, needing no permission (even under an
    explicit deny); unknown callers and a service principal are refused, and logged too."""
    from slr_fsm.trace import replay_log

    sim.add_principal(MANAGEMENT, "denied", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "sts:GetCallerIdentity", "Resource": "*"}]})
    start = sim.snapshot()  # replay_log makes the logged calls again, unknown callers' too
    identity = sts_client(sim, MANAGEMENT, "denied").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{MANAGEMENT}:user/denied"
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", identity["UserId"])  # as IAM's unique ids
    for account, principal in (("999999999999", "admin"), (MANAGEMENT, "ghost"),
                               (MANAGEMENT, SERVICE)):
        error = error_of(sts_client(sim, account, principal).get_caller_identity)
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
            "InvalidClientTokenId", 403)
    logged = [(e.account_id, e.principal, e.operation, e.outcome) for e in sim.trace]
    assert logged == [
        (MANAGEMENT, "denied", "get_caller_identity", "ok"),
        ("999999999999", "admin", "get_caller_identity", "InvalidClientTokenId"),
        (MANAGEMENT, "ghost", "get_caller_identity", "InvalidClientTokenId"),
        (MANAGEMENT, SERVICE, "get_caller_identity", "InvalidClientTokenId"),
    ]
    sim.add_principal(MANAGEMENT, "ghost")  # known now: its next call is answered
    assert sts_client(sim, MANAGEMENT, "ghost").get_caller_identity()["Account"] == MANAGEMENT
    with pytest.raises(ValidationError):  # the face's own parameters: none
        sim.sts(MANAGEMENT).get_caller_identity(Extra=1)
    replayed = replay_log(start, sim.trace[:4])
    assert [e.outcome for e in replayed.trace] == [e.outcome for e in sim.trace[:4]]


def test_an_unknown_caller_of_assume_role_is_refused_per_call_and_logged(sim):
    """sim.sts(...) for an account the world lacks answers every call with InvalidClientTokenId;
    a value that cannot be an account is refused at once."""
    from slr_fsm.errors import InvalidClientTokenId

    ghost = sim.sts("999999999999", SERVICE.replace("purchase-orders", "ghost"))
    for _ in range(2):
        with pytest.raises(InvalidClientTokenId, match="no account '999999999999'"):
            ghost.assume_role(RoleArn=ARN, RoleSessionName="po")
    assert [e.outcome for e in sim.trace] == ["InvalidClientTokenId"] * 2
    with pytest.raises(InvalidClientTokenId):
        sim.sts("not an account")
