"""AWS Organizations, read side: the face (sim.organizations(...)) and bridged boto3 clients."""

from __future__ import annotations

import contextlib
import re

import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from slr_fsm import Simulation
from slr_fsm.accounts import Account
from slr_fsm.boto import organizations_client, simulated_boto3, wire_form
from slr_fsm.errors import (
    AccessDenied,
    AccessDeniedException,
    AccountNotFoundException,
    AWSOrganizationsNotInUseException,
    InvalidClientTokenId,
    InvalidInputException,
)
from slr_fsm.moves import FACES
from slr_fsm.organizations import ORGANIZATIONS_OPERATIONS, root_id
from tests.conftest import MANAGEMENT, MEMBER, SERVICE, STANDALONE

MODEL = botocore.session.get_session().get_service_model("organizations")
MANAGEMENT_ONLY = ("list_accounts", "describe_account", "list_roots",
                   "list_aws_service_access_for_organization")
ARGS = {"describe_account": {"AccountId": MEMBER}}


def call(client, method: str):
    return getattr(client, method)(**ARGS.get(method, {}))


def refusal(client, method: str) -> dict:
    with pytest.raises(ClientError) as raised:
        call(client, method)
    return raised.value.response


def assert_fits(operation: str, response: dict) -> None:
    shape = MODEL.operation_model(operation).output_shape
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    report = ParamValidator().validate(wire_form(body, shape), shape)
    assert not report.has_errors(), report.generate_report()


def test_every_operation_fits_botocores_output_shape(sim):
    """Each answered operation's response validates against botocore's own output shape, with
    AWS's ARN and id patterns; the face answers exactly the operations the bridge maps."""
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    orgs = organizations_client(sim)
    for operation, method in ORGANIZATIONS_OPERATIONS.items():
        response = call(orgs, method)
        assert_fits(operation, response)
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    org = orgs.describe_organization()["Organization"]
    org_id = sim.organization.organization_id
    assert org == {
        "Id": org_id,
        "Arn": f"arn:aws:organizations::{MANAGEMENT}:organization/{org_id}",
        "FeatureSet": "ALL",
        "MasterAccountArn": f"arn:aws:organizations::{MANAGEMENT}:account/{org_id}/{MANAGEMENT}",
        "MasterAccountId": MANAGEMENT,
        "MasterAccountEmail": "management@example.com",
        "AvailablePolicyTypes": [],
    }
    for shape, value in (("OrganizationId", org["Id"]), ("OrganizationArn", org["Arn"]),
                         ("AccountArn", org["MasterAccountArn"]),
                         ("RootId", orgs.list_roots()["Roots"][0]["Id"]),
                         ("RootArn", orgs.list_roots()["Roots"][0]["Arn"])):
        assert re.match(MODEL.shape_for(shape).metadata["pattern"], value), (shape, value)
    assert set(FACES["organizations"]) == set(ORGANIZATIONS_OPERATIONS.values())


def test_accounts_and_root(sim):
    """ListAccounts: management first, ACTIVE, INVITED for the management account and CREATED for
    members, joined at the clock's start; DescribeAccount gives the same record; one root."""
    orgs = sim.organizations(MANAGEMENT)
    accounts = orgs.list_accounts()["Accounts"]
    assert [a["Id"] for a in accounts] == [a.account_id for a in sim.organization.accounts]
    assert [a["JoinedMethod"] for a in accounts] == ["INVITED", "CREATED", "CREATED"]
    assert {(a["Status"], a["State"], a["JoinedTimestamp"]) for a in accounts} == {
        ("ACTIVE", "ACTIVE", sim.clock.start)}
    assert orgs.describe_account(AccountId=MEMBER)["Account"] == accounts[1]
    (root,) = orgs.list_roots()["Roots"]
    assert root["Id"] == root_id(sim.organization.organization_id)
    assert re.fullmatch(r"r-[a-z0-9]{4}", root["Id"])
    assert (root["Name"], root["PolicyTypes"]) == ("Root", [])
    assert Simulation.default().organizations(MANAGEMENT).list_roots() == orgs.list_roots()


def test_a_standalone_account_is_in_no_organization(sim):
    """Every operation from an account in no organization: AWSOrganizationsNotInUseException,
    HTTP 400, AWS's message."""
    orgs = organizations_client(sim, STANDALONE)
    for method in ORGANIZATIONS_OPERATIONS.values():
        error = refusal(orgs, method)
        assert error["Error"] == {"Code": "AWSOrganizationsNotInUseException",
                                  "Message": "Your account is not a member of an organization."}
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(orgs.exceptions.AWSOrganizationsNotInUseException):
        orgs.describe_organization()
    with pytest.raises(AWSOrganizationsNotInUseException):
        sim.organizations(STANDALONE).describe_organization()


def test_a_member_account_may_only_describe_the_organization(sim):
    """A member describes its organization; the four management-only operations are
    AccessDeniedException (400)."""
    orgs = organizations_client(sim, MEMBER)
    assert orgs.describe_organization()["Organization"]["MasterAccountId"] == MANAGEMENT
    for method in MANAGEMENT_ONLY:
        error = refusal(orgs, method)
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
            "AccessDeniedException", 400)
        assert error["Error"]["Message"] == "You don't have permissions to access this resource."
    with pytest.raises(AccessDeniedException) as refused:
        sim.organizations(MEMBER).list_roots()
    assert refused.value.guard == "management_account_only"


def test_the_callers_iam_permissions_decide_first(sim):
    """readonly has no organizations:* permission; a principal allowed DescribeOrganization only
    gets that; an explicit deny wins. Denials are AccessDeniedException (an AccessDenied)."""
    with pytest.raises(AccessDeniedException) as refused:
        sim.organizations(MANAGEMENT, "readonly").describe_organization()
    assert refused.value.guard == "caller_allowed"
    assert isinstance(refused.value, AccessDenied)
    sim.add_principal(MANAGEMENT, "auditor", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "organizations:DescribeOrganization", "Resource": "*"}]})
    auditor = organizations_client(sim, MANAGEMENT, "auditor")
    assert auditor.describe_organization()["Organization"]["Id"]
    assert refusal(auditor, "list_accounts")["Error"]["Code"] == "AccessDeniedException"
    sim.add_principal(MANAGEMENT, "lister", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "organizations:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "organizations:DescribeAccount",
         "Resource": f"arn:aws:organizations::{MANAGEMENT}:account/*/{MEMBER}"}]})
    lister = organizations_client(sim, MANAGEMENT, "lister")
    assert lister.describe_account(AccountId=MANAGEMENT)["Account"]["Id"] == MANAGEMENT
    assert refusal(lister, "describe_account")["Error"]["Code"] == "AccessDeniedException"
    with pytest.raises(AccessDeniedException):  # denied before the organization is looked at
        sim.organizations(STANDALONE, "readonly").describe_organization()


def test_describe_account_errors(sim):
    """Another organization's or an unknown account: AccountNotFoundException; a malformed id:
    InvalidInputException with Reason INVALID_PATTERN (botocore does not check patterns)."""
    sim.add_organization(Account("210987654321", "other"))
    orgs = organizations_client(sim)
    for account_id in ("210987654321", STANDALONE, "999999999999"):
        with pytest.raises(orgs.exceptions.AccountNotFoundException):
            orgs.describe_account(AccountId=account_id)
    with pytest.raises(orgs.exceptions.InvalidInputException) as raised:
        orgs.describe_account(AccountId="12345")
    assert raised.value.response["Reason"] == "INVALID_PATTERN"
    assert raised.value.response["Error"]["Message"] == (
        "You provided a value that does not match the required pattern.")
    with pytest.raises(AccountNotFoundException):
        sim.organizations(MANAGEMENT).describe_account(AccountId=STANDALONE)


def test_pages(sim):
    """MaxResults pages through the accounts with NextToken; a token not issued, or MaxResults
    out of AWS's 1..20, is InvalidInputException with AWS's reason."""
    orgs = organizations_client(sim)
    ids, token = [], None
    while True:
        page = orgs.list_accounts(MaxResults=1, **({"NextToken": token} if token else {}))
        ids += [a["Id"] for a in page["Accounts"]]
        token = page.get("NextToken")
        if token is None:
            break
    assert ids == [a.account_id for a in sim.organization.accounts]
    paginated = orgs.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 2})
    assert [len(p["Accounts"]) for p in paginated] == [2, 1]
    for kwargs, reason in (({"NextToken": "forged"}, "INVALID_NEXT_TOKEN"),
                           ({"MaxResults": 21}, "MAX_VALUE_EXCEEDED")):
        with pytest.raises(orgs.exceptions.InvalidInputException) as raised:
            orgs.list_accounts(**kwargs)
        assert raised.value.response["Reason"] == reason
    with pytest.raises(InvalidInputException):
        sim.organizations(MANAGEMENT).list_roots(MaxResults=0)


def test_enabled_service_access_follows_the_billing_integration(sim):
    """While the management account has the purchase-orders integration configured, its service
    principal is enabled, since the set-up's time; removed, it is not."""
    orgs = sim.organizations(MANAGEMENT)
    assert orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"] == []
    sim.advance(30)
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    configured_at = sim.now
    sim.advance(60)
    enabled = orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert enabled == [{"ServicePrincipal": SERVICE, "DateEnabled": configured_at}]
    assert sim.fork().organizations(MANAGEMENT).list_aws_service_access_for_organization()[
        "EnabledServicePrincipals"] == [{"ServicePrincipal": SERVICE, "DateEnabled": sim.clock.start}]
    sim.marketplace(MANAGEMENT).remove_billing_integration()
    assert orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"] == []


def test_every_call_is_logged_and_changes_nothing(sim):
    """Accepted and refused calls are logged once each, by name, and leave the world as it was."""
    before, log = sim.snapshot(), len(sim.trace)
    for account in (MANAGEMENT, MEMBER, STANDALONE):
        for method in ORGANIZATIONS_OPERATIONS.values():
            with contextlib.suppress(AccessDeniedException, AWSOrganizationsNotInUseException):
                call(sim.organizations(account), method)
    events = sim.trace[log:]
    assert len(events) == 15
    assert [e.operation for e in events[:5]] == list(ORGANIZATIONS_OPERATIONS.values())
    assert [e.outcome for e in events[5:10]] == ["ok"] + ["AccessDeniedException"] * 4
    assert {e.outcome for e in events[10:]} == {"AWSOrganizationsNotInUseException"}
    assert sim.snapshot() == before


def test_unknown_callers_and_simulated_boto3(sim):
    """An unknown account is InvalidClientTokenId per call; inside simulated_boto3,
    boto3.client("organizations") answers as the block's caller."""
    import boto3

    ghost = organizations_client(sim, "999999999999")
    assert refusal(ghost, "describe_organization")["Error"]["Code"] == "InvalidClientTokenId"
    with pytest.raises(InvalidClientTokenId):
        sim.organizations("999999999999")
    with simulated_boto3(sim, MEMBER):
        client = boto3.client("organizations")
        assert client.describe_organization()["Organization"]["MasterAccountId"] == MANAGEMENT
        with pytest.raises(client.exceptions.AccessDeniedException):
            client.list_accounts()


def test_sim_organizations_is_still_the_tuple_of_organizations(sim):
    """sim.organizations stays the world's organizations (a tuple); called, it is the face."""
    assert sim.organizations == (sim.organization,)
    assert isinstance(sim.organizations, tuple)
    assert sim.organizations[0] is sim.organization
    assert not Simulation().organizations
    assert repr(sim.organizations(MANAGEMENT, "readonly")) == (
        f"<OrganizationsApi readonly@{MANAGEMENT}>")


def test_replay_log_replays_organizations_calls(sim):
    """A log with Organizations calls replays to the same world and log."""
    from slr_fsm.trace import replay_log

    start = sim.snapshot()
    sim.organizations(MANAGEMENT).describe_organization()
    assert replay_log(start, sim.trace).snapshot() == sim.snapshot()


def test_every_refusal_is_an_error_aws_models_for_the_operation(sim):
    """Each error code the face answered with is one botocore's model lists for that operation
    (or InvalidClientTokenId, which any call may get)."""
    names = {method: name for name, method in ORGANIZATIONS_OPERATIONS.items()}
    sim.add_organization(Account("210987654321", "other"))
    for account in (MANAGEMENT, MEMBER, STANDALONE):
        for principal in ("admin", "readonly"):
            face = sim.organizations(account, principal)
            for method, kwargs in [(m, {}) for m in names] + [
                ("describe_account", {"AccountId": "210987654321"}),
                ("describe_account", {"AccountId": "x"}),
                ("list_accounts", {"NextToken": "x"}),
                ("list_roots", {"MaxResults": 99}),
            ]:
                with contextlib.suppress(AccessDenied, AccountNotFoundException, AWSOrganizationsNotInUseException, InvalidInputException):
                    getattr(face, method)(**(kwargs or ARGS.get(method, {})))
    for event in sim.trace:
        if event.outcome != "ok":
            modelled = {s.name for s in MODEL.operation_model(names[event.operation]).error_shapes}
            assert event.outcome in modelled, (event.operation, event.outcome)
    assert {e.outcome for e in sim.trace} == {
        "ok", "AccessDeniedException", "AWSOrganizationsNotInUseException",
        "AccountNotFoundException", "InvalidInputException"}
