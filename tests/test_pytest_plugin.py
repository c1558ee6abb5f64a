"""The pytest plugin as a user meets it: namespaced fixtures that never shadow the user's, a
marker and options that configure the simulation, and clean hypothesis counterexamples when
the code under test raises boto3's exceptions."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_a_fixture_the_user_forgot_is_not_found_rather_than_simulated(pytester):
    """A moto-style test without its own ``iam_client`` fixture gets pytest's error, not slr_fsm."""
    pytester.makepyfile(test_moto_style="def test_it(iam_client):\n    iam_client.create_role()\n")
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'iam_client' not found*"])


def test_the_marker_configures_the_simulation(pytester):
    pytester.makepyfile(
        test_marker="""
import pytest
from slr_fsm.clock import Latencies

pytestmark = pytest.mark.slr_fsm(seed=3)

@pytest.mark.slr_fsm(seed=7, latencies=Latencies(creation=0),
                     account_ids={"management": "123456789012", "standalone": "210987654321"},
                     usage_reporting="none")
def test_closest_marker_wins(slr_sim, slr_iam, slr_sts):
    assert slr_sim.seed == 7
    assert slr_sts.get_caller_identity()["Account"] == "123456789012"
    slr_iam.create_service_linked_role(AWSServiceName="purchase-orders.marketplace.amazonaws.com")
    assert slr_sim.role("123456789012").state.value == "active"   # zero creation latency
    assert slr_sim.faults.usage_reporting.value == "none"

def test_module_marker(slr_sim):
    assert slr_sim.seed == 3

@pytest.mark.slr_fsm(sede=1)
def test_a_misspelt_keyword_is_refused(slr_sim):
    pass
"""
    )
    result = run(pytester)
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*slr_fsm does not know sede*"])


def test_seed_precedence_is_marker_then_command_line_then_ini(pytester):
    pytester.makeini("[pytest]\nslr_fsm_seed = 5\n")
    pytester.makepyfile(
        test_seed="""
import pytest

def test_ini_or_command_line(slr_sim, request):
    assert slr_sim.seed == int(request.config.getoption("--slr-fsm-seed") or 5)

@pytest.mark.slr_fsm(seed=1)
def test_marker(slr_sim):
    assert slr_sim.seed == 1
"""
    )
    run(pytester).assert_outcomes(passed=2)
    run(pytester, "--slr-fsm-seed", "9").assert_outcomes(passed=2)


def test_the_client_fixtures_and_virtual_time(pytester):
    pytester.makepyfile(
        test_clients="""
import time

def test_clients(slr_iam, slr_sts, slr_organizations, slr_client):
    assert slr_organizations.describe_organization()["Organization"]["MasterAccountId"] == "111122223333"
    assert slr_sts.get_caller_identity()["Arn"].endswith(":user/admin")
    readonly = slr_client("iam", "444455556666", "readonly")
    try:
        readonly.create_service_linked_role(AWSServiceName="purchase-orders.marketplace.amazonaws.com")
    except readonly.exceptions.ClientError as refused:
        assert refused.response["Error"]["Code"] == "AccessDenied"
    else:
        raise AssertionError("a read-only principal created the role")
    assert slr_iam.exceptions.NoSuchEntityException is readonly.exceptions.NoSuchEntityException

def test_virtual_time(slr_virtual_time):
    started = time.monotonic()
    time.sleep(86400)
    assert slr_virtual_time.clock.elapsed == 86400
    assert time.monotonic() - started < 5
"""
    )
    run(pytester).assert_outcomes(passed=2)


def test_a_machine_around_code_that_raises_client_errors_gives_a_clean_counterexample(pytester):
    """The README's pattern (a client built in ``__init__``), code under test that lets a boto3
    ``ClientError`` subclass escape: hypothesis reports a shrunk counterexample, not
    ``FlakyFailure`` (every bridged client shares its exception classes)."""
    pytester.makepyfile(
        test_machine="""
from hypothesis import settings
from hypothesis.stateful import rule

from slr_fsm.boto import iam_client
from slr_fsm.testing import RoleLifecycleMachine

ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"


def describe(iam):
    return iam.get_role(RoleName=ROLE)["Role"]["Arn"]   # bug: NoSuchEntity escapes


class Machine(RoleLifecycleMachine):
    def __init__(self):
        super().__init__()
        self.iam = iam_client(self.sim)

    @rule()
    def describe_the_role(self):
        describe(self.iam)


Machine.TestCase.settings = settings(max_examples=50, derandomize=True)
TestMachine = Machine.TestCase
"""
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "FlakyFailure" not in output
    assert "NoSuchEntityException" in output
    assert "state.describe_the_role()" in output


def test_a_marker_on_a_test_that_builds_no_simulation_is_warned_about(pytester):
    """The marker on a test without slr_sim (nor a fixture built on it) would do nothing: a
    warning says so; on a test that uses slr_iam, or on a module, it is quiet."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.slr_fsm(seed=3)
        def test_without_a_simulation():
            pass

        @pytest.mark.slr_fsm(seed=3)
        def test_through_a_client(slr_iam):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(  # pointing at the first test's marker, line 3
        ["*.py:3: PytestWarning: @pytest.mark.slr_fsm configures*the marker has no effect here"]
    )
