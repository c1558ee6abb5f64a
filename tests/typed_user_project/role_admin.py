"""A user's module typed with boto3-stubs: mypy --strict must accept it with slr_fsm's clients
and fixtures, without casts (tests/test_typing.py runs it)."""

from __future__ import annotations

import time

from mypy_boto3_iam import IAMClient
from mypy_boto3_organizations import OrganizationsClient
from mypy_boto3_sts import STSClient

from slr_fsm import Simulation
from slr_fsm.boto import iam_client, organizations_client, sts_client

ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"
SERVICE = "purchase-orders.marketplace.amazonaws.com"


def ensure_role(iam: IAMClient) -> str:
    try:
        return iam.get_role(RoleName=ROLE)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        return iam.create_service_linked_role(AWSServiceName=SERVICE)["Role"]["Arn"]


def delete_and_wait(iam: IAMClient) -> str:
    task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    while True:
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"]
        if status in ("SUCCEEDED", "FAILED"):
            return status
        time.sleep(5)


def who_am_i(sts: STSClient, orgs: OrganizationsClient) -> tuple[str, str]:
    account = sts.get_caller_identity()["Account"]
    return account, orgs.describe_organization()["Organization"]["MasterAccountId"]


def main() -> None:
    sim = Simulation.default()
    iam: IAMClient = iam_client(sim)
    print(ensure_role(iam), who_am_i(sts_client(sim), organizations_client(sim)))
