"""The catalogue of service-linked roles (slr_fsm.marketplace_roles) against its published
reference (docs/marketplace-roles.md), in a simulation, and RoleSpec's refusals of bad facts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

from slr_fsm import Simulation, UsageError
from slr_fsm.lifecycle import RoleState
from slr_fsm.marketplace_roles import (
    AUTO_SCALING,
    BY_SERVICE_PRINCIPAL,
    DEPLOYMENT,
    ELASTIC_BEANSTALK,
    LICENSE_MANAGEMENT,
    MARKETPLACE_ROLES,
    OTHER_SERVICES,
    PROCUREMENT_INSIGHTS,
    RESALE_AUTHORIZATION,
    role_spec_for,
)
from slr_fsm.role_shapes import created_trust_policy
from slr_fsm.specs import (
    MARKETPLACE_PURCHASE_ORDERS,
    RoleSpec,
    conventional_role_name,
    service_linked_role,
)

DOC = Path(__file__).resolve().parent.parent.joinpath("docs", "marketplace-roles.md").read_text()
CATALOGUE = (*MARKETPLACE_ROLES, *OTHER_SERVICES)
ACCOUNT = "111122223333"
EMPTY_POLICY = '{"Version": "2012-10-17", "Statement": []}'


def documented_policies() -> dict[str, Any]:
    """Each policy block of the reference, parsed, by the name in its marker comment."""
    found = re.findall(r"<!-- policy-document: (\S+) -->\n```json\n(.*?)```", DOC, re.S)
    return {name: json.loads(text) for name, text in found}


def summary_rows() -> dict[str, list[str]]:
    """The reference's summary table: cells of each row, by the slr_fsm constant it names."""
    rows = {}
    for line in DOC.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 7 and cells[0].isdigit():
            constant = re.search(r"`(?:specs|marketplace_roles)\.(\w+)`", cells[6])
            if constant:
                rows[constant.group(1)] = cells
    return rows


def constant_name(spec: RoleSpec) -> str:
    """The module-level name a catalogued spec is published under."""
    import slr_fsm.marketplace_roles as module

    return next(n for n in dir(module) if n.isupper() and getattr(module, n) is spec)


# ---------------------------------------------------------------- the catalogue's contents


def test_the_catalogue_lists_the_six_marketplace_roles_seed_first_and_two_others():
    """MARKETPLACE_ROLES holds the six documented Marketplace roles with the seed's first;
    OTHER_SERVICES holds Auto Scaling's and Elastic Beanstalk's."""
    assert MARKETPLACE_ROLES[0] is MARKETPLACE_PURCHASE_ORDERS
    assert len(MARKETPLACE_ROLES) == 6
    assert all(
        s.service_principal.endswith(".marketplace.amazonaws.com") for s in MARKETPLACE_ROLES
    )
    assert [s.role_name for s in OTHER_SERVICES] == [
        "AWSServiceRoleForAutoScaling",
        "AWSServiceRoleForElasticBeanstalk",
    ]


def test_names_principals_and_policies_are_unique():
    """No two catalogued roles share a role name (case-insensitively, as IAM compares them), a
    service principal or a managed policy."""
    for key in (
        lambda s: s.role_name.lower(),
        lambda s: s.service_principal,
        lambda s: s.managed_policy_name,
    ):
        values = [key(s) for s in CATALOGUE]
        assert len(set(values)) == len(values)


@pytest.mark.parametrize("spec", CATALOGUE, ids=lambda s: s.role_name)
def test_each_spec_has_aws_shaped_arn_path_and_trust_policy(spec):
    """The ARN, path, policy ARN, deletion-task prefix and trust policy follow IAM's forms."""
    path = f"/aws-service-role/{spec.service_principal}/"
    assert spec.path == path
    assert spec.role_arn(ACCOUNT) == f"arn:aws:iam::{ACCOUNT}:role{path}{spec.role_name}"
    assert re.fullmatch(
        r"arn:aws:iam::\d{12}:role/aws-service-role/[a-z0-9.-]+/[\w+=,.@-]{1,64}",
        spec.role_arn(ACCOUNT),
    )
    assert spec.managed_policy_arn == (
        f"arn:aws:iam::aws:policy/aws-service-role/{spec.managed_policy_name}"
    )
    assert spec.deletion_task_prefix() == f"task{path}{spec.role_name}/"
    assert spec.trust_policy() == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": spec.service_principal},
                "Action": "sts:AssumeRole",
            }
        ],
    }


@pytest.mark.parametrize("spec", CATALOGUE, ids=lambda s: s.role_name)
def test_each_policy_document_is_the_one_the_reference_publishes(spec):
    """The spec's managed policy document parses and equals the reference's block for that
    policy, statement for statement."""
    document = spec.managed_policy_document()
    assert document["Version"] == "2012-10-17"
    assert isinstance(document["Statement"], list)
    assert document["Statement"]
    assert document == documented_policies()[spec.managed_policy_name]


def test_the_reference_publishes_a_policy_for_each_spec_and_no_other():
    """Every policy block of the reference belongs to a catalogued role."""
    assert set(documented_policies()) == {s.managed_policy_name for s in CATALOGUE}


@pytest.mark.parametrize("spec", CATALOGUE, ids=lambda s: s.role_name)
def test_the_reference_summary_table_agrees_with_each_spec(spec):
    """The summary table's row for a spec names its role, principal, policy, version and date."""
    cells = summary_rows()[constant_name(spec)]
    assert f"`{spec.role_name}`" in cells[1]
    assert cells[2] == f"`{spec.service_principal}`"
    assert cells[3] == f"`{spec.managed_policy_name}`"
    assert cells[5] == f"{spec.managed_policy_version} ({spec.managed_policy_updated})"


def test_the_reference_example_runs():
    """The Python block at the top of the reference runs as written."""
    block = re.search(r"```python\n(.*?)```", DOC, re.S)
    assert block is not None
    exec(compile(block.group(1), "docs/marketplace-roles.md", "exec"), {})


def test_lookup_by_service_principal():
    """role_spec_for and BY_SERVICE_PRINCIPAL find each catalogued spec by its principal, and
    an unknown principal is refused with a way forward."""
    for spec in CATALOGUE:
        assert role_spec_for(spec.service_principal) is spec
        assert BY_SERVICE_PRINCIPAL[spec.service_principal] is spec
    with pytest.raises(
        UsageError,
        match=r"no catalogued service-linked role trusts .*"
        r"service_linked_role\(\.\.\.\)",
    ):
        role_spec_for("ec2.amazonaws.com")
    with pytest.raises(TypeError):
        BY_SERVICE_PRINCIPAL["x.amazonaws.com"] = DEPLOYMENT  # type: ignore[index]


def test_documented_facts_and_modelling_decisions():
    """The values the reference documents or decides: the procurement role's name, no
    descriptions, a suffix only for Auto Scaling (joined with _), management-account-only
    routes, policy versions."""
    assert PROCUREMENT_INSIGHTS.role_name == "AWSServiceRoleForProcurementInsights"
    assert PROCUREMENT_INSIGHTS.managed_policy_name == "AWSServiceRoleForProcurementInsightsPolicy"
    assert all(s.description is None for s in CATALOGUE)
    assert [s for s in CATALOGUE if s.allows_custom_suffix] == [AUTO_SCALING]
    assert AUTO_SCALING.role_name_with_suffix("mysuffix") == "AWSServiceRoleForAutoScaling_mysuffix"
    assert {s.role_name for s in CATALOGUE if s.management_account_only} == {
        "AWSServiceRoleForMarketplacePurchaseOrders",
        "AWSServiceRoleForPrivateMarketplaceAdmin",
        "AWSServiceRoleForProcurementInsights",
    }
    assert (RESALE_AUTHORIZATION.managed_policy_version, AUTO_SCALING.managed_policy_version) == (
        "v2",
        "v10",
    )
    assert all(s.creation and s.cleanup and s.purpose for s in CATALOGUE)
    assert all(s.max_session_duration == 3600 for s in CATALOGUE)


def test_the_conventional_name_is_the_documented_one_for_most_marketplace_roles():
    """conventional_role_name derives the documented name of four Marketplace roles; for
    Private Marketplace, procurement insights and the other services it is only a guess."""
    derived = {
        s.role_name for s in CATALOGUE if conventional_role_name(s.service_principal) == s.role_name
    }
    assert derived == {
        "AWSServiceRoleForMarketplacePurchaseOrders",
        "AWSServiceRoleForMarketplaceLicenseManagement",
        "AWSServiceRoleForMarketplaceDeployment",
        "AWSServiceRoleForMarketplaceResaleAuthorization",
    }


# ---------------------------------------------------------------- in a simulation


@pytest.mark.parametrize("specs", [MARKETPLACE_ROLES, OTHER_SERVICES], ids=["marketplace", "other"])
def test_a_world_of_the_catalogue_creates_and_deletes_each_role_through_iam(specs):
    """With every catalogued spec in one world, IAM creates each role by its service name (with
    its path, ARN and trust policy), lists it, deletes it with a task that succeeds, and
    creates it again with a new RoleId."""
    sim = Simulation.default(specs=specs)
    iam = sim.iam(ACCOUNT)
    created = {}
    for spec in specs:
        role = iam.create_service_linked_role(AWSServiceName=spec.service_principal)["Role"]
        assert (role["RoleName"], role["Path"], role["Arn"]) == (
            spec.role_name,
            spec.path,
            spec.role_arn(ACCOUNT),
        )
        assert role["AssumeRolePolicyDocument"] == created_trust_policy(spec)
        created[spec.role_name] = role["RoleId"]
    sim.settle()
    listed = {r["RoleName"] for r in iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]}
    assert listed == set(created)
    assert all(r.state is RoleState.ACTIVE for r in sim.roles(ACCOUNT))
    tasks = {s.role_name: iam.delete_service_linked_role(RoleName=s.role_name) for s in specs}
    sim.settle()
    for spec in specs:
        task_id = tasks[spec.role_name]["DeletionTaskId"]
        assert task_id.startswith(spec.deletion_task_prefix())
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)
        assert status["Status"] == "SUCCEEDED"
        with pytest.raises(Exception, match="NoSuchEntity"):
            iam.get_role(RoleName=spec.role_name)
        again = iam.create_service_linked_role(AWSServiceName=spec.service_principal)["Role"]
        assert again["Arn"] == spec.role_arn(ACCOUNT)
        assert again["RoleId"] != created[spec.role_name]


def test_the_seed_console_route_still_works_beside_the_whole_catalogue():
    """In a world of every Marketplace role, the billing integration still creates the seed's
    role (and only it), and its purchase orders still block that role's deletion."""
    sim = Simulation.default(specs=MARKETPLACE_ROLES)
    sim.marketplace(ACCOUNT).configure_billing_integration()
    sim.settle()
    assert sim.role(ACCOUNT, MARKETPLACE_PURCHASE_ORDERS).state is RoleState.ACTIVE
    assert sim.role(ACCOUNT, LICENSE_MANAGEMENT).state is RoleState.ABSENT
    iam = sim.iam(ACCOUNT)
    task = iam.delete_service_linked_role(RoleName=MARKETPLACE_PURCHASE_ORDERS.role_name)
    sim.settle()
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task["DeletionTaskId"])
    assert status["Status"] == "FAILED"


def test_a_catalogue_world_survives_snapshot_and_restore():
    """A snapshot of a world of every catalogued spec restores to the same world."""
    sim = Simulation.default(specs=CATALOGUE)
    for spec in CATALOGUE:
        sim.iam(ACCOUNT).create_service_linked_role(AWSServiceName=spec.service_principal)
    twin = Simulation.restore(json.loads(json.dumps(sim.snapshot())))
    assert twin.snapshot() == sim.snapshot()
    assert twin.specs == sim.specs


def test_a_snapshot_from_before_the_documentation_fields_still_restores():
    """A snapshot whose specs lack description, creation, management_account_only, cleanup and
    custom_suffix_separator (written before they existed) restores: the seed's spec is still
    recognized, so its usage model (purchase orders) is found."""
    sim = Simulation.default()
    sim.marketplace(ACCOUNT).configure_billing_integration()
    snap = json.loads(json.dumps(sim.snapshot()))
    new_fields = {
        "description",
        "creation",
        "management_account_only",
        "cleanup",
        "custom_suffix_separator",
    }
    assert new_fields <= set(snap["specs"][0])
    snap["specs"] = [{k: v for k, v in s.items() if k not in new_fields} for s in snap["specs"]]
    twin = Simulation.restore(snap)
    assert twin.specs == (MARKETPLACE_PURCHASE_ORDERS,)
    assert [u.region for u in twin.role_usage(ACCOUNT)] == ["us-east-1"]


def test_documentation_fields_take_no_part_in_equality():
    """Two specs that differ only in creation, management_account_only or cleanup are equal
    and hash alike; description and the suffix separator do count."""
    plain = attrs.evolve(
        MARKETPLACE_PURCHASE_ORDERS, creation="", cleanup="", management_account_only=False
    )
    assert plain == MARKETPLACE_PURCHASE_ORDERS
    assert hash(plain) == hash(MARKETPLACE_PURCHASE_ORDERS)
    assert attrs.evolve(plain, description="POs") != MARKETPLACE_PURCHASE_ORDERS
    assert attrs.evolve(plain, custom_suffix_separator="-") != MARKETPLACE_PURCHASE_ORDERS


# ---------------------------------------------------------------- defining another service's role


def test_service_linked_role_derives_the_conventional_name_and_keeps_key_order():
    """Without a role name the helper derives the conventional one; a dict policy document is
    held as compact JSON in its own key order."""
    spec = service_linked_role(
        "license-management.marketplace.amazonaws.com",
        managed_policy_name="P",
        policy_document={"Statement": [], "Version": "2012-10-17"},
    )
    assert spec.role_name == "AWSServiceRoleForMarketplaceLicenseManagement"
    assert spec.managed_policy_document_json == '{"Statement":[],"Version":"2012-10-17"}'


def test_service_linked_role_rebuilds_the_catalogued_auto_scaling_spec():
    """The helper, given the documented facts, makes a spec equal to AUTO_SCALING."""
    spec = service_linked_role(
        AUTO_SCALING.service_principal,
        AUTO_SCALING.role_name,
        managed_policy_name=AUTO_SCALING.managed_policy_name,
        policy_document=AUTO_SCALING.managed_policy_document_json,
        allows_custom_suffix=True,
        managed_policy_version="v10",
        managed_policy_updated="2025-11-12",
        purpose=AUTO_SCALING.purpose,
    )
    assert spec == AUTO_SCALING
    assert spec != ELASTIC_BEANSTALK


# ---------------------------------------------------------------- bad RoleSpecs are refused


def make(**changes: Any) -> RoleSpec:
    """A RoleSpec of example values, with some changed."""
    fields: dict[str, Any] = {
        "role_name": "AWSServiceRoleForExample",
        "service_principal": "example.amazonaws.com",
        "managed_policy_name": "ExamplePolicy",
        "managed_policy_document_json": EMPTY_POLICY,
    }
    return RoleSpec(**{**fields, **changes})


REFUSALS = {
    "a role name with a space": (
        {"role_name": "AWSServiceRoleFor Example"},
        r"RoleSpec\(role_name='AWSServiceRoleFor Example'\): a role name is 1 to 64 characters "
        r"matching IAM's pattern \[\\w\+=,\.@-\]\+, and this one has ' '\. Use the name AWS "
        r"documents for the role, or leave role_name out of service_linked_role\(\) to derive "
        r"the conventional one\.",
    ),
    "a role name of 65 characters": ({"role_name": "A" * 65}, r"and this one is 65 long\."),
    "an empty role name": ({"role_name": ""}, r"and this one is empty\."),
    "a role name that is not text": ({"role_name": 7}, r"and this one is not text\."),
    "a non-ASCII letter in a role name": ({"role_name": "AWSServiceRoleForÉ"}, r"this one has 'É'"),
    "an upper-case principal": (
        {"service_principal": "Example.amazonaws.com"},
        r"RoleSpec\(service_principal='Example\.amazonaws\.com'\): a service principal is the "
        r"service's lower-case DNS-like name ending in \.amazonaws\.com, at most 128 characters "
        r"\(IAM's AWSServiceName\)\. Use the principal the service's documentation gives",
    ),
    "a principal of another domain": (
        {"service_principal": "example.amazon.com"},
        r"ending in \.amazonaws\.com",
    ),
    "a principal with a scheme": (
        {"service_principal": "https://example.amazonaws.com"},
        r"never have a scheme",
    ),
    "a policy ARN for a policy name": (
        {"managed_policy_name": "arn:aws:iam::aws:policy/aws-service-role/ExamplePolicy"},
        r"RoleSpec\(managed_policy_name=.*\): a policy name is 1 to 128 characters .* Give the "
        r"AWS managed policy's name alone, not its ARN",
    ),
    "a policy document that is not JSON": (
        {"managed_policy_document_json": "{'Version': '2012-10-17'}"},
        r"RoleSpec\(managed_policy_document_json=.*\): it is not valid JSON \(.*\)\. Pass the "
        r"managed policy's document as AWS publishes it",
    ),
    "a policy document that is a list": (
        {"managed_policy_document_json": "[]"},
        r"a policy document is a JSON object\.",
    ),
    "a policy document without Statement": (
        {"managed_policy_document_json": '{"Version": "2012-10-17"}'},
        r"a policy document needs Statement \(IAM's grammar\)\.",
    ),
    "a policy document without Version or Statement": (
        {"managed_policy_document_json": "{}"},
        r"a policy document needs Version and Statement",
    ),
    "a policy document with the policy's version as Version": (
        {"managed_policy_document_json": '{"Version": "v1", "Statement": []}'},
        r"its Version is 'v1', and IAM's policy language versions are 2012-10-17 and 2008-10-17 "
        r"\(a date, not the policy's own version\)\. Use \"Version\": \"2012-10-17\"; the "
        r"policy's own version goes in managed_policy_version\.",
    ),
    "a policy document whose Statement is text": (
        {"managed_policy_document_json": '{"Version": "2012-10-17", "Statement": "x"}'},
        r"its Statement is neither a statement object nor a list of them",
    ),
    "a policy document given as a dict": (
        {"managed_policy_document_json": {"Version": "2012-10-17", "Statement": []}},
        r"a policy document is JSON text\. .*through service_linked_role\(\), as a dict",
    ),
    "a policy version without its v": (
        {"managed_policy_version": "1"},
        r"RoleSpec\(managed_policy_version='1'\): a policy version id is 'v' and a number from 1",
    ),
    "a date that is not a date": (
        {"managed_policy_updated": "2021-02-30"},
        r"RoleSpec\(managed_policy_updated='2021-02-30'\): .* calendar date YYYY-MM-DD\. Take the "
        r"date of GetPolicyVersion's CreateDate",
    ),
    "a session of a minute": (
        {"max_session_duration": 60},
        r"RoleSpec\(max_session_duration=60\): IAM's MaxSessionDuration is a whole number of "
        r"seconds from 3600 to 43200\. Leave it at 3600",
    ),
    "a session duration that is a bool": ({"max_session_duration": True}, r"from 3600 to 43200"),
    "a suffix flag that is text": (
        {"allows_custom_suffix": "yes"},
        r"RoleSpec\(allows_custom_suffix='yes'\): allows_custom_suffix is a yes-or-no fact\. "
        r"Pass True or False\.",
    ),
    "a management-account flag that is a number": (
        {"management_account_only": 1},
        r"management_account_only is a yes-or-no fact",
    ),
    "a purpose that is not text": ({"purpose": None}, r"RoleSpec\(purpose=None\): purpose is text"),
    "a cleanup that is a list": ({"cleanup": ["a"]}, r"cleanup is text\. Pass a str"),
    "a description of 1001 characters": (
        {"description": "d" * 1001},
        r"RoleSpec\(description=.*\): a role description is at most 1000 characters of printable "
        r"Latin-1 text, or None when AWS documents none\. Copy the Description AWS documents",
    ),
    "a description with a character IAM refuses": ({"description": "✓"}, r"printable Latin-1"),
    "a separator with a space": (
        {"custom_suffix_separator": " "},
        r"RoleSpec\(custom_suffix_separator=' '\): the separator is part of the role's name.*"
        r"Leave it at '_', which IAM uses",
    ),
    "a suffix allowed where the name leaves no room": (
        {"role_name": "A" * 63, "allows_custom_suffix": True},
        r"leaves no room for a suffix within IAM's 64 characters\. Pass allows_custom_suffix=False",
    ),
}


@pytest.mark.parametrize(("changes", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_a_bad_role_spec_is_refused_saying_why_and_what_to_do(changes, message):
    """Each bad field is refused when the spec is made, with a UsageError that quotes the
    value, says why it is not allowed and what to do instead."""
    with pytest.raises(UsageError, match=message):
        make(**changes)


def test_the_example_spec_itself_is_accepted():
    """The example values the refusal tests change are a valid spec (so each refusal is the
    changed field's)."""
    assert make().path == "/aws-service-role/example.amazonaws.com/"


def test_helpers_refuse_what_cannot_be_a_role():
    """service_linked_role refuses a document that is not JSON-able, conventional_role_name a
    principal that is not one, and role_name_with_suffix a suffix the service does not take."""
    with pytest.raises(
        UsageError, match=r"cannot be written as JSON .* Pass a dict of JSON values"
    ):
        service_linked_role(
            "example.amazonaws.com",
            managed_policy_name="P",
            policy_document={"Version": "2012-10-17", "Statement": [object()]},
        )
    with pytest.raises(UsageError, match=r"RoleSpec\(service_principal='Example'\)"):
        conventional_role_name("Example")
    with pytest.raises(
        UsageError, match=r"takes no CustomSuffix, so no role is ever named with 'x'"
    ):
        ELASTIC_BEANSTALK.role_name_with_suffix("x")


def test_a_snapshot_with_a_bad_spec_is_refused_naming_the_field():
    """Restore builds specs through RoleSpec, so a tampered spec in a snapshot is refused with a
    SnapshotError that names the field and carries RoleSpec's reason."""
    snap = json.loads(json.dumps(Simulation.default().snapshot()))
    snap["specs"][0]["service_principal"] = "Purchase-Orders.marketplace.amazonaws.com"
    with pytest.raises(
        UsageError, match=r"Snapshot field specs\[0\]: RoleSpec\(service_principal="
    ):
        Simulation.restore(snap)
