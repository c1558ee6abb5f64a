"""The user's tests, typed: the plugin's fixtures are IAMClient / STSClient for mypy."""

from __future__ import annotations

from mypy_boto3_iam import IAMClient
from mypy_boto3_organizations import OrganizationsClient
from mypy_boto3_sts import STSClient

from slr_fsm import Simulation

from .role_admin import delete_and_wait, ensure_role, who_am_i


def test_ensure_then_delete(slr_iam: IAMClient, slr_virtual_time: Simulation) -> None:
    arn = ensure_role(slr_iam)
    assert arn.endswith("/AWSServiceRoleForMarketplacePurchaseOrders")
    assert delete_and_wait(slr_iam) == "SUCCEEDED"
    assert slr_virtual_time.clock.elapsed > 0


def test_identity(slr_sts: STSClient, slr_organizations: OrganizationsClient) -> None:
    assert who_am_i(slr_sts, slr_organizations) == ("111122223333", "111122223333")
