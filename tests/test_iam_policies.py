"""Issue 10's IAM operations: inline policies, tags, the managed policy, attaching it elsewhere,
and SimulatePrincipalPolicy; exact AWS shapes and errors, the kernel, snapshots and moves."""

from __future__ import annotations

import datetime as dt
import re

import boto3
import botocore.session
import pytest
from botocore.validate import ParamValidator

from slr_fsm import (
    AccessDenied,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
    Simulation,
    UnmodifiableEntity,
    UsageError,
    ValidationError,
)
from slr_fsm.boto import attach, iam_client, wire_form
from slr_fsm.errors import PolicyNotAttachable, RequestNotSimulated, SnapshotError
from slr_fsm.iam_operations import IAM_OPERATIONS_BY_METHOD
from slr_fsm.iam_policies import policy_id
from slr_fsm.invariants import INVARIANTS, Step
from slr_fsm.marketplace_roles import AUTO_SCALING
from slr_fsm.moves import default_moves, resolve_params, small_world
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS as SPEC
from tests.conftest import MANAGEMENT, MEMBER, ROLE, SERVICE
from tests.snapshot_formats import format_two

POLICY = SPEC.managed_policy_arn
DOCUMENT = {
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
NEW = ("ListRolePolicies", "TagRole", "UntagRole", "ListRoleTags", "GetPolicy",
       "GetPolicyVersion", "AttachUserPolicy", "AttachGroupPolicy", "SimulatePrincipalPolicy")
IAM_MODEL = botocore.session.get_session().get_service_model("iam")
USER = f"arn:aws:iam::{MANAGEMENT}:user"


def tags(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in pairs]


# ----------------------------------------------------------------------------- ListRolePolicies

def test_a_service_linked_role_has_no_inline_policies(active_sim):
    """ListRolePolicies answers an empty list, not truncated; NoSuchEntity once the role is
    gone (and before it exists)."""
    iam = active_sim.iam(MANAGEMENT)
    assert iam.list_role_policies(RoleName=ROLE) == {"PolicyNames": [], "IsTruncated": False}
    with pytest.raises(NoSuchEntity, match=f"The role with name {ROLE} cannot be found."):
        active_sim.iam(MEMBER).list_role_policies(RoleName=ROLE)


# ----------------------------------------------------------------------------- tags

def test_tags_are_listed_by_key_and_shown_by_get_role_only(active_sim):
    """TagRole answers nothing; ListRoleTags lists Key/Value pairs (by key, case-insensitively);
    GetRole carries them as Tags; ListRoles does not."""
    iam = active_sim.iam(MANAGEMENT)
    assert iam.tag_role(RoleName=ROLE, Tags=tags(("team", "billing"), ("Env", ""))) == {}
    assert iam.list_role_tags(RoleName=ROLE) == {
        "Tags": tags(("Env", ""), ("team", "billing")), "IsTruncated": False}
    assert iam.get_role(RoleName=ROLE)["Role"]["Tags"] == tags(("team", "billing"), ("Env", ""))
    assert "Tags" not in iam.list_roles()["Roles"][0]
    page = iam.list_role_tags(RoleName=ROLE, MaxItems=1)
    assert page == {"Tags": tags(("Env", "")), "IsTruncated": True, "Marker": "team"}
    assert iam.list_role_tags(RoleName=ROLE, Marker="team")["Tags"] == tags(("team", "billing"))


def test_role_tag_keys_are_case_insensitive_and_the_later_tag_wins(active_sim):
    """IAM User Guide: role tag keys are not case sensitive; Department=finance then
    department=hr leaves one tag, department=hr. UntagRole matches keys in any case too."""
    iam = active_sim.iam(MANAGEMENT)
    iam.tag_role(RoleName=ROLE, Tags=tags(("Department", "finance"), ("x", "1")))
    iam.tag_role(RoleName=ROLE, Tags=tags(("department", "hr")))
    assert active_sim.role(MANAGEMENT).tags == (("department", "hr"), ("x", "1"))
    iam.untag_role(RoleName=ROLE, TagKeys=["DEPARTMENT", "never-there"])
    assert active_sim.role(MANAGEMENT).tags == (("x", "1"),)


def test_fifty_tags_at_most_then_limit_exceeded_changing_nothing(active_sim):
    """A role carries at most 50 tags; the call that would exceed it is LimitExceeded (409) and
    adds none; overwriting an existing key at 50 is fine."""
    iam = active_sim.iam(MANAGEMENT)
    iam.tag_role(RoleName=ROLE, Tags=tags(*((f"k{n}", "") for n in range(50))))
    with pytest.raises(LimitExceeded, match="maximum limit") as refused:
        iam.tag_role(RoleName=ROLE, Tags=tags(("one-more", "")))
    assert refused.value.http_status == 409
    assert len(active_sim.role(MANAGEMENT).tags) == 50
    iam.tag_role(RoleName=ROLE, Tags=tags(("K0", "again")))
    assert active_sim.role(MANAGEMENT).tags[0] == ("K0", "again")


@pytest.mark.parametrize(("given", "error", "message"), [
    (tags(("a", ""), ("A", "")), InvalidInput,
     "Duplicate tag keys found. Please note that Tag keys are case insensitive."),
    (tags(("aws:team", "")), InvalidInput, "reserved"),
    (tags(("NOWAY!", "")), ValidationError,
     r"Value 'NOWAY!' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy "
     r"regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+"),
    (tags(("ok", "x" * 257)), ValidationError, "length less than or equal to 256"),
    ([{"Key": "k"}], ValidationError, "Key and Value"),
    (tags(*((f"k{n}", "") for n in range(51))), ValidationError,
     "Member must have length less than or equal to 50"),
])
def test_bad_tags_are_refused_before_permission_and_change_nothing(active_sim, given, error,
                                                                   message):
    """Malformed tags are ValidationError (botocore's model); repeated or reserved keys are
    InvalidInput, judged on the request alone, so even a read-only caller sees them."""
    before = active_sim.fork()
    with pytest.raises(error) as refused:
        active_sim.iam(MANAGEMENT, "readonly").tag_role(RoleName=ROLE, Tags=given)
    assert message in refused.value.message
    assert active_sim.same_state(before)


def test_tag_edits_need_permission_and_an_existing_role(sim):
    """TagRole/UntagRole are judged like a description edit: AccessDenied for the read-only
    principal, NoSuchEntity for an absent role; reads of tags need iam:ListRoleTags."""
    iam = sim.iam(MANAGEMENT)
    with pytest.raises(NoSuchEntity):
        iam.tag_role(RoleName=ROLE, Tags=tags(("a", "")))
    iam.create_service_linked_role(AWSServiceName=SERVICE)  # creating: IAM holds it already
    iam.tag_role(RoleName=ROLE, Tags=tags(("a", "")))
    with pytest.raises(AccessDenied, match="iam:UntagRole"):
        sim.iam(MANAGEMENT, "readonly").untag_role(RoleName=ROLE, TagKeys=["a"])
    assert sim.iam(MANAGEMENT, "readonly").list_role_tags(RoleName=ROLE)["Tags"] == tags(("a", ""))
    assert [e.operation for e in sim.trace][-3:] == ["tag_role", "untag_role", "list_role_tags"]


def test_tags_are_reset_by_re_creation_and_by_a_failed_creation(active_sim):
    """A re-created role starts without tags; so does a role whose creation failed."""
    iam = active_sim.iam(MANAGEMENT)
    iam.tag_role(RoleName=ROLE, Tags=tags(("a", "")))
    active_sim.marketplace(MANAGEMENT).remove_billing_integration()
    iam.delete_service_linked_role(RoleName=ROLE)
    active_sim.settle()
    assert active_sim.role(MANAGEMENT).tags == (("a", ""),)  # kept with the deleted role's values
    iam.create_service_linked_role(AWSServiceName=SERVICE)
    assert active_sim.role(MANAGEMENT).tags == ()
    active_sim.inject_creation_failure()
    member = active_sim.iam(MEMBER)
    member.create_service_linked_role(AWSServiceName=SERVICE)
    member.tag_role(RoleName=ROLE, Tags=tags(("b", "")))
    active_sim.settle()
    assert active_sim.role(MEMBER).tags == ()


def test_world_change_tags_runs_only_inside_an_attempt(active_sim):
    """The kernel's tag edit changes the world, so it needs World.attempt (faces do that)."""
    admin = active_sim.caller(MANAGEMENT)[1]
    with pytest.raises(UsageError, match=r"inside World\.attempt"):
        active_sim.change_tags(MANAGEMENT, admin, ROLE, "iam:TagRole", add=[("a", "")])


# ----------------------------------------------------------------------------- snapshots

def test_tags_survive_a_snapshot_and_older_snapshots_have_none(active_sim):
    active_sim.iam(MANAGEMENT).tag_role(RoleName=ROLE, Tags=tags(("Team", "po"), ("x", "")))
    snap = active_sim.snapshot()
    assert snap["roles"]["tags"] == [[0, [["Team", "po"], ["x", ""]]]]
    assert Simulation.restore(snap).snapshot() == snap
    older = format_two(snap)
    del older["roles"][0]["tags"]
    assert Simulation.restore(older).role(MANAGEMENT).tags == ()


@pytest.mark.parametrize(("tamper", "problem"), [
    (lambda r: r.update(tags={"a": "b"}), "expected [[key, value], ...]"),
    (lambda r: r.update(tags=[["a"]]), "expected [[key, value], ...]"),
    (lambda r: r.update(tags=[["a", ""], ["A", ""]]), "ignore case"),
    (lambda r: r.update(tags=[["aws:x", ""]]), "aws:"),
    (lambda r: r.update(tags=[["bad!", ""]]), "regular expression"),
    (lambda r: r.update(tags=[[f"k{n}", ""] for n in range(51)]), "more than the 50"),
    (lambda r: r.update(state="absent", role_id=None, create_date=None, tags=[["a", ""]]),
     "an absent role has no tags"),
])
def test_restore_refuses_tags_no_role_could_carry(active_sim, tamper, problem):
    snap = format_two(active_sim.snapshot())
    tamper(snap["roles"][0])
    with pytest.raises(SnapshotError) as refused:
        Simulation.restore(snap)
    assert refused.value.field.startswith("roles[0]")
    assert problem in str(refused.value)


# ----------------------------------------------------------------------------- GetPolicy

def test_get_policy_returns_the_managed_policy_as_aws_shapes_it(active_sim):
    """GetPolicy: AWS's fields, a PolicyId hashed from the ARN, the service-role path,
    ``IsAttachable`` true as AWS lists service-role policies, attached once in the caller's
    account (where the role exists)."""
    assert active_sim.iam(MANAGEMENT, "readonly").get_policy(PolicyArn=POLICY) == {"Policy": {
        "PolicyName": "AWSMarketplacePurchaseOrdersServiceRolePolicy",
        "PolicyId": policy_id(POLICY),
        "Arn": POLICY,
        "Path": "/aws-service-role/",
        "DefaultVersionId": "v1",
        "AttachmentCount": 1,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": dt.datetime(2021, 10, 27, tzinfo=dt.UTC),
        "UpdateDate": dt.datetime(2021, 10, 27, tzinfo=dt.UTC),
    }}
    assert policy_id(POLICY) == "ANPAGZDY3FYYVTETOHYAC"  # the same in every world
    assert active_sim.iam(MEMBER).get_policy(PolicyArn=POLICY)["Policy"]["AttachmentCount"] == 0


def test_get_policy_version_returns_the_document_of_the_default_version(active_sim):
    iam = active_sim.iam(MANAGEMENT)
    assert iam.get_policy_version(PolicyArn=POLICY, VersionId="v1") == {"PolicyVersion": {
        "Document": DOCUMENT,
        "VersionId": "v1",
        "IsDefaultVersion": True,
        "CreateDate": dt.datetime(2021, 10, 27, tzinfo=dt.UTC),
    }}
    with pytest.raises(NoSuchEntity, match=f"Policy {POLICY} version v2 does not exist"):
        iam.get_policy_version(PolicyArn=POLICY, VersionId="v2")


def test_a_later_default_version_has_no_create_date_and_earlier_versions_are_not_held():
    """Auto Scaling's policy is at v10: its UpdateDate is known, its CreateDate (v1's) is not
    and is left out; v1 to v9 exist in AWS but are not held (RequestNotSimulated)."""
    sim = Simulation.default(specs=(SPEC, AUTO_SCALING))
    iam = sim.iam(MANAGEMENT)
    policy = iam.get_policy(PolicyArn=AUTO_SCALING.managed_policy_arn)["Policy"]
    assert (policy["DefaultVersionId"], "CreateDate" in policy) == ("v10", False)
    assert policy["UpdateDate"] == dt.datetime(2025, 11, 12, tzinfo=dt.UTC)
    with pytest.raises(RequestNotSimulated, match="holds only the default version"):
        iam.get_policy_version(PolicyArn=AUTO_SCALING.managed_policy_arn, VersionId="v9")
    with pytest.raises(NoSuchEntity):
        iam.get_policy_version(PolicyArn=AUTO_SCALING.managed_policy_arn, VersionId="v11")


def test_policies_the_world_does_not_hold(sim):
    """A customer managed policy does not exist here (NoSuchEntity, AWS's wording); a string
    that is no policy ARN is InvalidInput; another AWS managed policy is not held, so the
    simulation refuses to guess (a UsageError, never an AWS answer)."""
    iam = sim.iam(MANAGEMENT)
    customer = f"arn:aws:iam::{MANAGEMENT}:policy/mine"
    with pytest.raises(NoSuchEntity, match=re.escape(f"NoSuchEntity: Policy {customer} was not found.") + "$"):
        iam.get_policy(PolicyArn=customer)
    with pytest.raises(InvalidInput, match="is not valid"):
        iam.get_policy(PolicyArn="arn:aws:s3:::some-bucket-name")
    with pytest.raises(RequestNotSimulated, match="does not hold"):
        iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    sim.add_principal(MANAGEMENT, "nobody")
    with pytest.raises(AccessDenied, match=f"iam:GetPolicy on resource: {POLICY}"):
        sim.iam(MANAGEMENT, "nobody").get_policy(PolicyArn=POLICY)


# ----------------------------------------------------------------------------- attaching

@pytest.mark.parametrize(("method", "params", "target"), [
    ("attach_user_policy", {"UserName": "admin"}, "User"),
    ("attach_user_policy", {"UserName": "nobody-here"}, "User"),
    ("attach_group_policy", {"GroupName": "admins"}, "Group"),
    ("attach_role_policy", {"RoleName": "MyCustomerRole"}, "Customer Role"),
])
def test_the_service_role_policy_is_not_attachable_elsewhere(active_sim, method, params, target):
    """Attached to a user, a group or a role that is not the service-linked role, the managed
    policy is PolicyNotAttachable (HTTP 400) in IAM's words; nothing changes."""
    before = active_sim.fork()
    with pytest.raises(PolicyNotAttachable) as refused:
        getattr(active_sim.iam(MANAGEMENT), method)(**params, PolicyArn=POLICY)
    assert refused.value.message == f"Cannot attach a Service Role Policy to a {target}."
    assert (refused.value.code, refused.value.http_status) == ("PolicyNotAttachable", 400)
    assert active_sim.same_state(before)


def test_on_the_service_linked_role_attach_stays_unmodifiable(active_sim):
    with pytest.raises(UnmodifiableEntity):
        active_sim.iam(MANAGEMENT).attach_role_policy(RoleName=ROLE.lower(), PolicyArn=POLICY)


def test_other_attachments_are_refused_honestly(active_sim):
    """Another AWS managed policy on a user of the world is not modelled (a UsageError saying
    so, never a silent success); an unknown user or group, or a customer policy (the world holds
    none), is NoSuchEntity."""
    iam = active_sim.iam(MANAGEMENT)
    with pytest.raises(RequestNotSimulated, match="not modelled"):
        iam.attach_user_policy(UserName="readonly", PolicyArn="arn:aws:iam::aws:policy/IAMFullAccess")
    with pytest.raises(NoSuchEntity, match=r"The user with name ghost cannot be found\."):
        iam.attach_user_policy(UserName="ghost", PolicyArn="arn:aws:iam::aws:policy/IAMFullAccess")
    with pytest.raises(NoSuchEntity, match=r"The group with name admins cannot be found\."):
        iam.attach_group_policy(GroupName="admins", PolicyArn="arn:aws:iam::aws:policy/X")
    with pytest.raises(NoSuchEntity, match="does not exist or is not attachable"):
        iam.attach_user_policy(UserName="admin", PolicyArn=f"arn:aws:iam::{MANAGEMENT}:policy/p")
    with pytest.raises(AccessDenied, match=f"on resource: {USER}/admin"):
        active_sim.iam(MANAGEMENT, "readonly").attach_user_policy(UserName="admin",
                                                                  PolicyArn=POLICY)


# ----------------------------------------------------------------------------- simulation

def test_simulate_principal_policy_evaluates_each_action_and_resource(sim):
    """The read-only user may get but not delete; results come action by action, resource by
    resource, in AWS's EvaluationResult shape."""
    found = sim.iam(MANAGEMENT).simulate_principal_policy(
        PolicySourceArn=f"{USER}/readonly", ActionNames=["iam:GetRole", "iam:DeleteRole"],
        ResourceArns=["*", SPEC.role_arn(MANAGEMENT)])
    assert [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"])
            for r in found["EvaluationResults"]] == [
        ("iam:GetRole", "*", "allowed"), ("iam:GetRole", SPEC.role_arn(MANAGEMENT), "allowed"),
        ("iam:DeleteRole", "*", "implicitDeny"),
        ("iam:DeleteRole", SPEC.role_arn(MANAGEMENT), "implicitDeny")]
    assert found["EvaluationResults"][0] == {
        "EvalActionName": "iam:GetRole", "EvalResourceName": "*", "EvalDecision": "allowed",
        "MatchedStatements": [{"SourcePolicyId": "policy1", "SourcePolicyType": "user"}],
        "MissingContextValues": []}
    assert found["IsTruncated"] is False


def test_simulation_reports_explicit_denies_and_missing_context(sim):
    """A Deny wins (explicitDeny, the deny statement matched); a condition on
    iam:AWSServiceName without a context entry is reported missing; with one, it decides."""
    sim.add_principal(MANAGEMENT, "creator", [{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
         "Condition": {"StringLike": {"iam:AWSServiceName": "*.marketplace.amazonaws.com"}}}]},
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "iam:DeleteServiceLinkedRole", "Resource": "*"}]}])
    iam = sim.iam(MANAGEMENT)
    bare = iam.simulate_principal_policy(
        PolicySourceArn=f"{USER}/creator",
        ActionNames=["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole"],
    )["EvaluationResults"]
    assert [r["EvalDecision"] for r in bare] == ["implicitDeny", "explicitDeny"]
    assert bare[0]["MissingContextValues"] == ["iam:AWSServiceName"]
    assert bare[1]["MatchedStatements"] == [{"SourcePolicyId": "policy2",
                                             "SourcePolicyType": "user"}]
    given = iam.simulate_principal_policy(
        PolicySourceArn=f"{USER}/creator", ActionNames=["iam:CreateServiceLinkedRole"],
        ContextEntries=[{"ContextKeyName": "iam:AWSServiceName", "ContextKeyValues": [SERVICE],
                         "ContextKeyType": "string"}])["EvaluationResults"][0]
    assert (given["EvalDecision"], given["MissingContextValues"]) == ("allowed", [])


def test_simulation_pages_with_max_items_and_marker(sim):
    iam = sim.iam(MANAGEMENT)
    actions = ["iam:GetRole", "iam:TagRole", "iam:ListRoles"]
    first = iam.simulate_principal_policy(PolicySourceArn=f"{USER}/admin", ActionNames=actions,
                                          MaxItems=2)
    assert (len(first["EvaluationResults"]), first["IsTruncated"], first["Marker"]) == (2, True, "2")
    rest = iam.simulate_principal_policy(PolicySourceArn=f"{USER}/admin", ActionNames=actions,
                                         Marker=first["Marker"])
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == ["iam:ListRoles"]
    with pytest.raises(InvalidInput, match="Marker"):
        iam.simulate_principal_policy(PolicySourceArn=f"{USER}/admin", ActionNames=actions,
                                      Marker="nope")


@pytest.mark.parametrize(("params", "error", "message"), [
    ({"PolicySourceArn": f"{USER}/ghost"}, NoSuchEntity, "The user with name ghost"),
    ({"PolicySourceArn": f"arn:aws:iam::{MEMBER}:user/admin"}, NoSuchEntity, "user with name"),
    ({"PolicySourceArn": "not an arn at all, really"}, InvalidInput, "is not valid"),
    ({"ContextEntries": [{"ContextKeyName": "aws:username", "ContextKeyValues": ["x"]}]},
     InvalidInput, "iam:AWSServiceName"),
    ({"ContextEntries": [{"ContextKeyName": "iam:AWSServiceName", "ContextKeyValues": ["a", "b"],
                          "ContextKeyType": "stringList"}]}, InvalidInput, "one value"),
    ({"ContextEntries": [{"ContextKeyName": "iam:AWSServiceName", "ContextKeyType": "nope"}]},
     ValidationError, "ContextEntries"),
    ({"ActionNames": ["x"]}, ValidationError, "length between 3 and 128"),
    ({"PolicySourceArn": f"arn:aws:iam::{MANAGEMENT}:role/{ROLE}"}, RequestNotSimulated,
     "simulates the world's users"),
    ({"PolicyInputList": ["{}"]}, RequestNotSimulated, "PolicyInputList"),
])
def test_simulation_refusals(sim, params, error, message):
    """Unknown users are NoSuchEntity; context keys the evaluator cannot use are InvalidInput
    (it never ignores one); what slr_fsm does not simulate is a UsageError that says so."""
    call = {"PolicySourceArn": f"{USER}/admin", "ActionNames": ["iam:GetRole"], **params}
    with pytest.raises(error, match=message):
        sim.iam(MANAGEMENT).simulate_principal_policy(**call)


# ----------------------------------------------------------------------------- through boto3

def assert_valid_output(operation: str, response: dict) -> None:
    shape = IAM_MODEL.operation_model(operation).output_shape
    if shape is None:
        assert set(response) == {"ResponseMetadata"}
        return
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    report = ParamValidator().validate(wire_form(body, shape), shape)
    assert not report.has_errors(), report.generate_report()


def test_every_new_operation_fits_botocores_output_shape(active_sim):
    iam = iam_client(active_sim)
    responses = {
        "ListRolePolicies": iam.list_role_policies(RoleName=ROLE),
        "TagRole": iam.tag_role(RoleName=ROLE, Tags=tags(("team", "po"))),
        "ListRoleTags": iam.list_role_tags(RoleName=ROLE),
        "UntagRole": iam.untag_role(RoleName=ROLE, TagKeys=["team"]),
        "GetPolicy": iam.get_policy(PolicyArn=POLICY),
        "GetPolicyVersion": iam.get_policy_version(PolicyArn=POLICY, VersionId="v1"),
        "SimulatePrincipalPolicy": iam.simulate_principal_policy(
            PolicySourceArn=f"{USER}/readonly", ActionNames=["iam:GetRole"]),
    }
    for operation, response in responses.items():
        assert_valid_output(operation, response)
    iam.tag_role(RoleName=ROLE, Tags=tags(("team", "po")))
    assert_valid_output("GetRole", iam.get_role(RoleName=ROLE))
    assert iam.get_policy_version(PolicyArn=POLICY, VersionId="v1")["PolicyVersion"][
        "Document"] == DOCUMENT  # URL-encoded on the wire, decoded by botocore as for AWS
    for method in ("attach_user_policy", "attach_group_policy"):
        name = {"attach_user_policy": "UserName", "attach_group_policy": "GroupName"}[method]
        with pytest.raises(iam.exceptions.PolicyNotAttachableException):
            getattr(iam, method)(**{name: "admin"}, PolicyArn=POLICY)
    assert set(NEW) <= {op.name for op in IAM_OPERATIONS_BY_METHOD.values()}


def test_the_boto3_resource_api_reaches_the_policy_document(active_sim):
    """boto3.resource("iam"): a role's attached policies, their default version's document, and
    its (empty) inline policies, all answered by the simulation."""
    resource = boto3.session.Session(
        region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    ).resource("iam")
    attach(resource.meta.client, active_sim)
    role = resource.Role(ROLE)
    (policy,) = role.attached_policies.all()
    assert (policy.arn, policy.default_version_id, policy.attachment_count) == (POLICY, "v1", 1)
    assert policy.default_version.document == DOCUMENT
    assert list(role.policies.all()) == []


def test_limit_exceeded_reaches_boto3_as_its_modelled_exception(active_sim):
    iam = iam_client(active_sim)
    iam.tag_role(RoleName=ROLE, Tags=tags(*((f"k{n}", "") for n in range(50))))
    with pytest.raises(iam.exceptions.LimitExceededException):
        iam.tag_role(RoleName=ROLE, Tags=tags(("more", "")))


# ----------------------------------------------------------------------------- moves, invariant

def test_every_default_move_of_the_new_operations_is_answered():
    """The explorer's moves of the new operations (markers resolved) get an AWS answer in the
    small world, before and after the role exists: never a UsageError."""
    world = small_world()
    for phase in ("absent", "active"):
        if phase == "active":
            world.iam("111122223333").create_service_linked_role(AWSServiceName=SERVICE)
            world.settle()
        for move in default_moves(world):
            if move.face == "iam" and IAM_OPERATIONS_BY_METHOD[move.operation].name in NEW:
                move.apply(world.fork())
    resolved = resolve_params(world, "111122223333", dict(next(
        m for m in default_moves(world) if m.operation == "simulate_principal_policy").params))
    assert resolved["PolicySourceArn"] == "arn:aws:iam::111122223333:user/admin"
    assert resolved["ActionNames"] == ["iam:GetRole"]


def test_the_edit_invariant_allows_tags_and_still_catches_other_changes(active_sim):
    rule = INVARIANTS["only_the_description_ever_changes"]
    before = active_sim.fork()
    active_sim.iam(MANAGEMENT).tag_role(RoleName=ROLE, Tags=tags(("a", "")))
    assert rule.holds_in(Step(before, "tag", "ok", active_sim))
    snap = active_sim.snapshot()
    snap["roles"]["create_date"][0] = "2025-01-01T00:00:00+00:00"
    assert not rule.holds_in(Step(before, "tamper", "ok", Simulation.restore(snap)))
