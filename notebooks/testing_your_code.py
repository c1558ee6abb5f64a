# %% [markdown]
# # 03 · Testing your own code
#
# Your code talks to AWS through boto3. slr_fsm gives it real boto3 clients that the
# simulation answers, so the code under test meets the real behaviour of this role, with no
# AWS account and no network.

# %%
import contextlib
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from hypothesis import HealthCheck
from hypothesis.stateful import invariant, rule, run_state_machine_as_test
from IPython.display import display
from nbhelpers import ROLE, SERVICE

from slr_fsm import Simulation
from slr_fsm.boto import attach, simulated_boto3
from slr_fsm.testing import RoleLifecycleMachine, machine_settings


def ensure_role(iam: Any) -> str:
    """Code under test: make sure the role exists; return its ARN."""
    try:
        arn: str = iam.get_role(RoleName=ROLE)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        arn = iam.create_service_linked_role(AWSServiceName=SERVICE)["Role"]["Arn"]
    return arn


sim = Simulation.default(seed=0)
with simulated_boto3(sim):
    print(ensure_role(boto3.client("iam")))
    print(ensure_role(boto3.client("iam")))  # found the second time
display(sim.trace)

# %% [markdown]
# ## Code that polls, in no time
#
# Deleting the role is asynchronous: production code polls the deletion task, sleeping between
# calls. Inside `simulated_boto3`, `time.sleep(s)` moves the simulation's clock by `s` instead
# of sleeping (*virtual time*), so the loop sees what AWS would show after that long, at once.


# %%
def delete_role(iam: Any, poll_every: float = 5.0) -> dict[str, Any]:
    """Code under test: delete the role and wait for the deletion task's verdict."""
    task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    while True:
        status: dict[str, Any] = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
        if status["Status"] in ("SUCCEEDED", "FAILED"):
            return status
        time.sleep(poll_every)


started = time.perf_counter()
with simulated_boto3(sim):
    verdict = delete_role(boto3.client("iam"))
print(verdict["Status"], "after", sim.clock.elapsed, "simulated seconds")
print("wall clock under a second:", time.perf_counter() - started < 1)

# %% [markdown]
# ## The same, as pytest tests
#
# The package brings a pytest plugin with fixtures named `slr_*`: `slr_sim` (a fresh default
# world), `slr_iam` (a bridged IAM client for the management account's administrator),
# `slr_client(...)` for any account and principal, and `slr_virtual_time` (`slr_sim` with
# virtual time on). Here a test file is written out and run by pytest, as it would be in your
# project.

# %%
TESTS = """
import pytest

ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"
SERVICE = "purchase-orders.marketplace.amazonaws.com"


def test_the_role_is_created_once(slr_iam):
    arn = slr_iam.create_service_linked_role(AWSServiceName=SERVICE)["Role"]["Arn"]
    assert slr_iam.get_role(RoleName=ROLE)["Role"]["Arn"] == arn


def test_the_role_cannot_be_edited(slr_iam):
    slr_iam.create_service_linked_role(AWSServiceName=SERVICE)
    with pytest.raises(slr_iam.exceptions.UnmodifiableEntityException):
        slr_iam.delete_role(RoleName=ROLE)


def test_a_read_only_member_is_denied(slr_client):
    iam = slr_client("iam", "444455556666", "readonly")
    with pytest.raises(iam.exceptions.ClientError, match="AccessDenied"):
        iam.create_service_linked_role(AWSServiceName=SERVICE)


def test_deletion_waits_for_the_integration(slr_iam, slr_virtual_time):
    sim = slr_virtual_time
    sim.marketplace(sim.organization.management_account).configure_billing_integration()
    slr_iam.get_waiter("role_exists").wait(RoleName=ROLE)  # polls in virtual time
    task = slr_iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    sim.settle()
    status = slr_iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert status["Status"] == "FAILED"
"""

with tempfile.TemporaryDirectory() as folder:
    Path(folder, "test_role.py").write_text(TESTS)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "--color=no",
            "-p",
            "no:cacheprovider",
            "test_role.py",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
print(re.sub(r" in [0-9.]+s", "", run.stdout.strip().splitlines()[-1]))

# %% [markdown]
# ## A bug that only shows up in the right sequence
#
# This cache looks the role up once and then trusts its answer. It looks fine... until the
# role changes behind its back.


# %%
class RoleIdCache:
    """Code under test: remembers the role's RoleId after the first successful lookup."""

    def __init__(self, iam: Any) -> None:
        self.iam = iam
        self.role_id: str | None = None

    def lookup(self) -> str | None:
        if self.role_id is None:
            with contextlib.suppress(self.iam.exceptions.NoSuchEntityException):
                self.role_id = self.iam.get_role(RoleName=ROLE)["Role"]["RoleId"]
        return self.role_id


# %% [markdown]
# `RoleLifecycleMachine` drives the whole simulation at random (every operation, the clock,
# faults) and checks the lifecycle's invariants. Subclass it, add your code as a rule, and say
# what must stay true. This world has a single account, so every step touches our role; one
# boto3 client is made once and attached to each run's simulation (making clients is the slow
# part).

# %%
# The text below depends on hypothesis's version (its search and shrinking change); the
# notebook test checks that this cell runs, not what it prints.
CLIENT = boto3.client(
    "iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
)


class CacheStaysRight(RoleLifecycleMachine):
    binding: Any = None

    def make_simulation(self) -> Simulation:
        sim = Simulation(seed=0)
        sim.add_account("123456789012", "mine")
        return sim

    def __init__(self) -> None:
        super().__init__()
        if CacheStaysRight.binding is not None:
            CacheStaysRight.binding.detach()
        CacheStaysRight.binding = attach(CLIENT, self.sim, "123456789012")
        self.cache = RoleIdCache(CLIENT)

    @rule()
    def look_up(self) -> None:
        self.cache.lookup()

    @invariant()
    def cached_role_id_is_current(self) -> None:
        if self.cache.role_id is not None:
            role = self.sim.role("123456789012")
            assert role.exists, "the cache holds the RoleId of a deleted role"


CHECKS = {"library_invariants_hold", "cached_role_id_is_current"}
try:
    run_state_machine_as_test(
        CacheStaysRight,
        settings=machine_settings(  # no deadline and no explain phase, as every machine has
            max_examples=300,
            stateful_step_count=12,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    print("no sequence broke the cache")
except AssertionError as failure:
    print(str(failure).splitlines()[0], end="\n\n")
    for note in getattr(failure, "__notes__", []):
        for line in note.splitlines():
            if line.strip().removeprefix("state.").removesuffix("()") not in CHECKS:
                print(line)

# %% [markdown]
# Hypothesis found a sequence that breaks the cache and shrank it to the shortest it could.
# The cache holds the RoleId of a role that is gone (deleted, or whose creation failed), or
# of an earlier incarnation: re-creation keeps the name and ARN but gives a new RoleId. The
# fix: cache nothing that deletion or re-creation invalidates, or check again before trusting
# it. (Caching the **ARN** is safer, since it survives re-creation, see the README's
# `RoleArnCache`; but it too can name a role that is gone.)
