"""The world: snapshots, determinism, the clock, lookups and misuse."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from slr_fsm import AccessDenied, Account, Latencies, RoleState, Simulation, UsageError
from slr_fsm.faults import Faults
from slr_fsm.scenario import SEED_STORY, run_story
from tests.conftest import MANAGEMENT, ROLE, SERVICE


def story_trace(seed: int) -> str:
    sim = Simulation.default(seed=seed)
    run_story(sim, SEED_STORY)
    return sim.trace_jsonl()


def test_same_seed_same_calls_same_trace():
    """The whole story's trace, ids and timestamps included, is identical for the same seed."""
    assert story_trace(7) == story_trace(7)


def test_a_different_seed_gives_different_ids():
    """RoleIds and task ids depend on the seed."""
    assert story_trace(1) != story_trace(2)


def test_snapshot_round_trips_through_json_at_every_step_of_the_story():
    """After each step, restoring a JSON round trip of the snapshot gives the same snapshot, and
    the restored world behaves identically from there."""
    sim = Simulation.default(seed=3)
    for step in SEED_STORY:
        run_story(sim, [step])
        snap = sim.snapshot()
        restored = Simulation.restore(json.loads(json.dumps(snap)))
        assert restored.snapshot() == snap
    twin = Simulation.restore(sim.snapshot())
    for world in (sim, twin):
        world.iam(MANAGEMENT).update_role_description(RoleName=ROLE, Description="after")
        world.marketplace(MANAGEMENT).remove_billing_integration()
        world.iam(MANAGEMENT).delete_service_linked_role(RoleName=ROLE)
        world.settle()
    assert twin.snapshot() == sim.snapshot()
    def without_seq(events):
        return [{k: v for k, v in e.to_json_value().items() if k != "seq"} for e in events]

    assert without_seq(twin.trace) == without_seq(sim.trace[-len(twin.trace):])


def test_snapshot_keeps_pending_work_and_custom_principals(sim):
    """A snapshot taken mid-creation, with a custom principal, restores both."""
    sim.add_principal(MANAGEMENT, "nobody")
    sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)
    twin = Simulation.restore(sim.snapshot())
    assert twin.pending_work == 1
    twin.settle()
    assert twin.role(MANAGEMENT).state is RoleState.ACTIVE
    assert twin.caller(MANAGEMENT, "nobody")[1].policies == ()


@pytest.mark.parametrize("bad", [None, {}, {"format": 1}, {"format": 99}, "text", [1, 2]])
def test_restoring_something_else_is_a_usage_error(bad):
    """restore() refuses a value that is not a snapshot with UsageError, never KeyError."""
    with pytest.raises(UsageError, match=r"(?i)snapshot"):
        Simulation.restore(bad)


def test_the_clock_runs_only_when_told(sim):
    """Nothing happens until advance/settle; advance returns the work it ran."""
    sim.iam(MANAGEMENT).create_service_linked_role(AWSServiceName=SERVICE)
    assert sim.advance(9.5) == ()
    assert sim.role(MANAGEMENT).state is RoleState.CREATING
    events = sim.advance(0.5)
    assert [e.operation for e in events] == ["finish_creation"]
    assert sim.now.isoformat() == "2026-01-01T00:00:10+00:00"


@pytest.mark.parametrize("seconds", [-1, "10", None, True])
def test_the_clock_never_goes_back(sim, seconds):
    """advance() refuses negative or non-numeric steps with UsageError."""
    with pytest.raises(UsageError):
        sim.advance(seconds)


@pytest.mark.parametrize("bad", [{"creation": -1}, {"deletion_run": "x"}, {"task_retention": -5}])
def test_latencies_must_be_non_negative_numbers(bad):
    """Latencies refuses negative or non-numeric values."""
    with pytest.raises(UsageError):
        Latencies(**bad)


def test_accounts_are_taken_as_objects_or_ids(sim):
    """Every method that takes an account accepts its object or its 12-digit id."""
    mgmt = sim.organization.management_account
    assert sim.role(mgmt) == sim.role(MANAGEMENT)
    assert sim.iam(mgmt).account == sim.iam(MANAGEMENT).account
    assert mgmt.organization_id == sim.organization.organization_id


def test_lookups_of_unknown_things_are_usage_errors(sim):
    """Unknown accounts, services, duplicate names and bad seeds are clear UsageErrors."""
    with pytest.raises(UsageError, match="No account"):
        sim.role("000000000000")
    with pytest.raises(UsageError, match="No role spec"):
        sim.role(MANAGEMENT, "ec2.amazonaws.com")
    with pytest.raises(UsageError, match="already"):
        sim.add_account(MANAGEMENT)
    with pytest.raises(UsageError, match="already has a principal"):
        sim.add_principal(MANAGEMENT, "admin")
    with pytest.raises(UsageError, match="12 digits"):
        Account("12")
    with pytest.raises(UsageError, match="seed"):
        Simulation(seed="zero")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="usage reporting"):
        sim.set_usage_reporting("most")
    with pytest.raises(UsageError):
        sim.inject_creation_failure(-1)


def test_an_empty_world_is_built_step_by_step():
    """A world built by hand works like the default one."""
    sim = Simulation(seed=1)
    org = sim.add_organization("210987654321", ["111111111111"])
    sim.add_account("222222222222", "solo")
    assert sim.organization == org
    assert [a.account_id for a in sim.standalone_accounts] == ["222222222222"]
    sim.marketplace("210987654321").configure_billing_integration()
    sim.settle()
    assert sim.purchase_orders_enabled("111111111111")


def test_a_world_without_organization_says_so():
    """Asking for the organization of a world without one is a UsageError, not an IndexError."""
    with pytest.raises(UsageError, match="no organization"):
        _ = Simulation().organization


def test_every_attempt_is_logged_with_states_before_and_after(active_sim):
    """The event log records time, account, principal, operation, parameters, outcome and the
    role's state before and after, refused attempts included."""
    with pytest.raises(AccessDenied):
        active_sim.iam(MANAGEMENT, "readonly").delete_role(RoleName=ROLE)
    last = active_sim.trace[-1].to_json_value()
    assert last == {
        "seq": last["seq"],
        "time": "2026-01-01T00:00:10+00:00",
        "account_id": MANAGEMENT,
        "principal": "readonly",
        "operation": "delete_role",
        "parameters": {"RoleName": ROLE},
        "outcome": "AccessDenied",
        "message": last["message"],
        "role_account_id": MANAGEMENT,
        "state_before": "active",
        "state_after": "active",
        "role_name": ROLE,
    }
    assert json.loads(active_sim.trace_jsonl().splitlines()[-1]) == last


def test_account_queries_take_objects_or_ids(sim):
    """Every query that takes an account gives the same answer for its object and its id."""
    member = sim.organization.member_accounts[0]
    mgmt = sim.organization.management_account
    for query in (sim.subscriptions_of, sim.integration_owner, sim.served_accounts,
                  sim.in_management_account_or_standalone, sim.purchase_orders_enabled,
                  sim.integration_configured, sim.role_usage):
        assert query(member) == query(member.account_id)
        assert query(mgmt) == query(mgmt.account_id)
    assert len(sim.subscriptions_of(member)) == 2


def test_the_clock_refuses_steps_beyond_a_thousand_years(sim):
    """A huge step is a UsageError and leaves the world usable (no datetime overflow later)."""
    with pytest.raises(UsageError):
        sim.advance(3e11)
    with pytest.raises(UsageError):
        Latencies(creation=1e15)
    sim.advance(10)
    assert sim.now.year == 2026


@pytest.mark.parametrize("bad", [{"creation_failures": "2"}, {"creation_failures": -1},
                                 {"usage_reporting": "most"}])
def test_faults_are_validated(bad):
    """Faults refuses a bad count or reporting mode with UsageError."""
    from slr_fsm import Faults

    with pytest.raises(UsageError):
        Faults(**bad)


def test_a_world_with_its_own_spec_snapshots_and_logs_that_role():
    """A custom RoleSpec survives snapshot/restore, and the log records its role's states; the
    Marketplace console refuses a world without the Marketplace role."""
    from slr_fsm import RoleSpec

    spec = RoleSpec("AWSServiceRoleForExample", "example.amazonaws.com", "ExamplePolicy",
                    '{"Version":"2012-10-17","Statement":[]}')
    sim = Simulation(specs=[spec])
    sim.add_account("210987654321")
    sim.iam("210987654321").create_service_linked_role(AWSServiceName="example.amazonaws.com")
    assert sim.trace[-1].state_change == "absent -> creating"
    twin = Simulation.restore(json.loads(json.dumps(sim.snapshot())))
    assert twin.snapshot() == sim.snapshot()
    twin.settle()
    assert twin.role("210987654321").state is RoleState.ACTIVE
    with pytest.raises(UsageError, match="Marketplace console"):
        sim.marketplace("210987654321")


def test_zero_latency_console_reports_configured_at_once():
    """With zero creation latency, set-up answers CONFIGURED: the role is active on return."""
    sim = Simulation.default(latencies=Latencies(creation=0))
    assert sim.marketplace(MANAGEMENT).configure_billing_integration()["Status"] == "CONFIGURED"


def test_a_refused_world_edit_consumes_no_ids(sim):
    """add_organization refused for a duplicate account changes nothing, the id counter included."""
    before = sim.snapshot()
    with pytest.raises(UsageError):
        sim.add_organization("555555555555", [MANAGEMENT])
    assert sim.snapshot() == before


def test_principals_take_one_policy_or_many_but_never_a_trust_policy(sim):
    """add_principal accepts a single policy as well as a list, and refuses a trust policy."""
    from slr_fsm import PolicyDocument

    doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}'
    assert len(sim.add_principal(MANAGEMENT, "one", doc).policies) == 1
    trust = PolicyDocument.parse({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}]},
        kind="trust")
    with pytest.raises(UsageError, match="trust policy"):
        sim.add_principal(MANAGEMENT, "two", [trust])


def test_the_trace_is_a_read_only_view(active_sim):
    """sim.trace is a sequence view of the log: indexable, sliceable, sized, not a mutable list."""
    trace = active_sim.trace
    assert len(trace) == 2
    assert trace[-1].operation == "finish_creation"
    assert [e.seq for e in trace[:2]] == [0, 1]
    assert not hasattr(trace, "append")


@pytest.mark.parametrize(
    "call",
    [
        lambda: Simulation.default().advance(10**400),
        lambda: Simulation.default().add_account(10**5000),
        lambda: Simulation.default().add_account("1" * 10_000),
        lambda: Latencies(creation=10**400),
        lambda: Faults(creation_failures=-(10**5000)),
        lambda: Simulation(start=dt.datetime(9999, 12, 31, tzinfo=dt.UTC)),
    ],
    ids=["huge step", "huge account id", "long account id", "huge latency", "huge count",
         "start at the calendar's end"],
)
def test_hostile_values_are_refused_with_a_bounded_usage_error(call):
    """Huge ints, long strings and a clock with no room to run are refused as UsageError, with a
    message of bounded size (never OverflowError, ValueError or a 10,000-character message)."""
    with pytest.raises(UsageError) as refused:
        call()
    assert len(str(refused.value)) < 400


def test_replaying_the_log_rebuilds_the_world_and_the_log():
    """``replay_log`` on the starting snapshot gives back the same world and the same log, for
    the seed's story with its refusals, STS calls and clock moves."""
    from slr_fsm.trace import replay_log

    sim = Simulation.default(seed=2)
    start = sim.snapshot()
    run_story(sim, SEED_STORY)
    sim.sts(MANAGEMENT, SERVICE).assume_role(RoleArn=sim.role(MANAGEMENT).arn, RoleSessionName="po")
    sim.advance(7)
    again = replay_log(start, sim.trace, until=sim.clock.elapsed)
    assert again.snapshot() == sim.snapshot()
    assert again.trace_jsonl() == sim.trace_jsonl()


def test_replaying_something_else_than_events_is_refused():
    """``replay_log`` names what it cannot replay."""
    from slr_fsm.trace import replay_log

    with pytest.raises(UsageError, match="Events"):
        replay_log(Simulation.default().snapshot(), ["not an event"])


def test_the_default_worlds_account_ids_can_be_chosen():
    """``account_ids`` renames the default accounts by name (to line up with moto's
    123456789012), and refuses unknown names or ids two accounts would share."""
    sim = Simulation.default(account_ids={"management": "123456789012", "standalone": "999999999999"})
    assert [a.account_id for a in sim.accounts] == [
        "123456789012", "444455556666", "777788889999", "999999999999"]
    sim.marketplace("123456789012").configure_billing_integration()
    assert sim.role("123456789012").exists
    with pytest.raises(UsageError, match="share the id"):
        Simulation.default(account_ids={"management": "123456789012"})
    with pytest.raises(UsageError, match="account_ids"):
        Simulation.default(account_ids={"boss": "123456789012"})


def test_the_entry_points_signatures_read_in_help_without_the_built_in_specs_spelled_out():
    """help(Simulation) shows short defaults (None: the built-in role spec and the shared
    lifecycle), and the defaults build what the explicit values build."""
    import inspect

    from slr_fsm.lifecycle import LIFECYCLE
    from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS

    for entry in (Simulation, Simulation.default):
        assert len(str(inspect.signature(entry))) < 400
    explicit = Simulation.default(specs=[MARKETPLACE_PURCHASE_ORDERS], lifecycle=LIFECYCLE)
    assert Simulation.default().snapshot() == explicit.snapshot()
    assert Simulation().lifecycle is LIFECYCLE
