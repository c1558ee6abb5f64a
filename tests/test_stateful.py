"""A hypothesis state machine over every operation, checking the lifecycle's invariants.

Its rules are derived from the operation tables (``IAM_OPERATIONS``, ``CONSOLE_OPERATIONS``) and
the parameter specs they carry; nothing here retypes the lifecycle.
"""

from __future__ import annotations

from collections import Counter

import attrs
from hypothesis import HealthCheck, event, settings, target
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from slr_fsm import AwsError, RoleState, Simulation, UsageReporting
from slr_fsm.iam import IAM_OPERATIONS, IamOperation
from slr_fsm.lifecycle import LIFECYCLE, TRANSITIONS, Cause
from slr_fsm.marketplace import CONSOLE_OPERATIONS
from tests.conftest import ROLE, SERVICE
from tests.reference_model import ReferenceModel, check_agreement

PRINCIPALS = ("admin", "readonly", "nobody")
PO_NUMBERS = ("PO-1", "PO-2")
UNKNOWN_TASK = f"task/aws-service-role/{SERVICE}/{ROLE}/00000000-0000-4000-8000-000000000000"
TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'

#: Valid values first (hypothesis shrinks towards them), then the invalid ones worth trying.
PARAM_VALUES: dict[str, st.SearchStrategy[object]] = {
    "AWSServiceName": st.sampled_from([SERVICE, "example.amazonaws.com", "bad name!"]),
    "RoleName": st.sampled_from([ROLE, ROLE.lower(), "SomeOtherRole", "x" * 65]),
    "Description": st.sampled_from(["", "purchase orders", "d" * 1001]),
    "CustomSuffix": st.sampled_from(["suffix", ""]),
    "PolicyDocument": st.just(TRUST),
    "PolicyArn": st.just("arn:aws:iam::aws:policy/ReadOnlyAccess"),
    "PolicyName": st.just("extra"),
    "PermissionsBoundary": st.just("arn:aws:iam::aws:policy/ReadOnlyAccess"),
    "MaxSessionDuration": st.sampled_from([3600, 7200, 60]),
    "PathPrefix": st.sampled_from(["/", "/aws-service-role/", "/other/"]),
    "Marker": st.just(ROLE),
    "MaxItems": st.sampled_from([1, 100, 0]),
}
CALLER_TRIGGERS = {r.trigger for r in TRANSITIONS if r.cause is Cause.CALLER}
VALID = {"AWSServiceName": SERVICE, "RoleName": ROLE, "Description": "purchase orders"}
NEVER_OMITTED = {"AWSServiceName", "RoleName", "DeletionTaskId"}

RUN_STATS: Counter[str] = Counter()
"""What runs reached, across examples: proof that re-creation after deletion is explored."""


def note(label: str) -> None:
    """Record a hypothesis event (statistics), also when a rule is called by hand."""
    if currently_in_test_context():
        event(label)


def params_for(op: IamOperation, task_ids: st.SearchStrategy[str]) -> st.SearchStrategy[dict]:
    """Keyword arguments for an IAM operation, derived from its parameter specs."""
    fields = {}
    for param in op.params:
        values = task_ids if param.name == "DeletionTaskId" else PARAM_VALUES[param.name]
        always = param.name in NEVER_OMITTED or (param.required and param.name != "Description")
        fields[param.name] = values if always else st.none() | values
    return st.fixed_dictionaries(fields).map(lambda d: {k: v for k, v in d.items() if v is not None})


def role_facts(sim: Simulation) -> dict[str, dict]:
    """Each account's role, as plain data (everything but its state and description)."""
    return {a.account_id: attrs.asdict(sim.role(a), recurse=False) for a in sim.accounts}


class RoleLifecycle(RuleBasedStateMachine):
    """Random sequences over every operation, account, principal and fault."""

    tasks = Bundle("tasks")

    def __init__(self) -> None:
        super().__init__()
        self.sim = Simulation.default(seed=0)
        for account in self.sim.accounts:
            self.sim.add_principal(account, "nobody")
        self.accounts = [a.account_id for a in self.sim.accounts]
        self.members = {a.account_id for a in self.sim.organization.member_accounts}
        self.model = ReferenceModel.mirror(self.sim)
        for account in self.accounts:
            self.model.add_principal(account, "nobody")
        self.seen_role_ids: dict[str, set[str]] = {a: set() for a in self.accounts}
        self.last_roles = role_facts(self.sim)
        self.recreations = 0
        self.deletions = 0

    # ---------------------------------------------------------------- one attempt, checked

    def attempt(self, op: str, account: str, principal: str, params: dict):
        """Make one call, as the reference model predicts it: its outcome must be the model's,
        and a refusal must leave the snapshot unchanged and add exactly one log entry."""
        expected = self.model.expect(op, account, principal, params)
        before = self.sim.snapshot()
        log_size = len(self.sim.trace)
        states = {a: self.sim.role(a).state for a in self.accounts}
        face = (self.sim.marketplace(account, principal) if op in CONSOLE_OPERATIONS
                else self.sim.iam(account, principal))
        try:
            result, outcome = getattr(face, op)(**params), "ok"
        except AwsError as refused:
            result, outcome = None, refused.code
        assert outcome == expected, (
            f"{op}({params}) by {principal}@{account}: the reference model expects {expected}, "
            f"the simulation answered {outcome}")
        note(f"{op}: {outcome}")
        if outcome != "ok":
            assert self.sim.snapshot() == before, f"{op} was refused ({outcome}) but changed the world"
            assert len(self.sim.trace) == log_size + 1
            return None
        self.model.apply(op, account, principal, params, result)
        for acct, state in states.items():
            now = self.sim.role(acct).state
            if now.exists and not state.exists:
                self.model.note_role_id(acct, self.sim.role(acct).role_id)
            if state is RoleState.DELETED and now is RoleState.CREATING:
                self.recreations += 1
                RUN_STATS["re-created after deletion"] += 1
                note("re-created after deletion")
        return result

    def run_clock(self, seconds: float | None = None) -> None:
        """Advance (or settle) the simulation and the reference model together."""
        if seconds is None:
            self.sim.settle()
            self.model.settle()
        else:
            self.sim.advance(seconds)
            self.model.advance(seconds)

    # ---------------------------------------------------------------- rules

    @initialize()
    def start(self) -> None:
        RUN_STATS["runs"] += 1

    @rule(target=tasks, data=st.data(), op=st.sampled_from(IAM_OPERATIONS),
          account=st.sampled_from(("111122223333", "444455556666", "777788889999", "123456789012")),
          principal=st.sampled_from(PRINCIPALS))
    def iam_call(self, data, op, account, principal):
        """Any IAM operation, by any principal in any account, with derived parameters."""
        known = list(self.sim.deletion_tasks)
        task_ids = st.sampled_from([t.task_id for t in known] + [UNKNOWN_TASK, "not-a-task"])
        params = data.draw(params_for(op, task_ids), label="params")
        result = self.attempt(op.method, account, principal, params)
        if result and "DeletionTaskId" in result:
            return result["DeletionTaskId"]
        return multiple()

    @rule(data=st.data(),
          account=st.sampled_from(("111122223333", "444455556666", "123456789012")))
    def walk_the_table(self, data, account):
        """Take one edge of the lifecycle table from the role's current state: an
        administrator's well-formed call that fires a caller trigger allowed there, or the clock
        when only clock triggers leave it. Runs thus often reach deletion and re-creation."""
        state = self.sim.role(account).state
        triggers = sorted(t for t in LIFECYCLE.triggers_from(state) if t in CALLER_TRIGGERS)
        if not triggers:
            self.run_clock()
            return
        trigger = data.draw(st.sampled_from(triggers), label="trigger")
        op = data.draw(st.sampled_from([o for o in IAM_OPERATIONS if o.trigger == trigger]),
                       label="operation")
        params = {p.name: VALID[p.name] for p in op.params if p.required}
        self.attempt(op.method, account, "admin", params)

    @rule(op=st.sampled_from(sorted(CONSOLE_OPERATIONS)),
          account=st.sampled_from(("111122223333", "444455556666", "777788889999", "123456789012")),
          principal=st.sampled_from(PRINCIPALS), region=st.sampled_from((0, 1)),
          po=st.sampled_from(PO_NUMBERS))
    def console_call(self, op, account, principal, region, po):
        """Any console operation: set-up, removal, listing, attaching and detaching POs."""
        params = {}
        if op in ("attach_purchase_order", "detach_purchase_order"):
            sub = self.sim.subscriptions_of(account)[region].subscription_id
            params = {"subscription_id": sub, "po_number": po}
        self.attempt(op, account, principal, params)

    @rule(seconds=st.sampled_from((1, 2, 5, 10, 30)))
    def advance(self, seconds):
        """Let the clock run."""
        self.run_clock(seconds)

    @rule()
    def settle(self):
        """Run the clock until nothing is pending: every deletion task has then finished."""
        self.run_clock()
        assert all(t.status.finished for t in self.sim.deletion_tasks)

    @rule(task=consumes(tasks))
    def finished_task_answers_with_its_final_status(self, task):
        """Once settled, a task's status is SUCCEEDED or FAILED, FAILED with a RoleUsageList."""
        self.run_clock()
        found = self.sim.task(task)
        assert found is not None
        status = self.sim.iam(found.account_id).get_service_linked_role_deletion_status(
            DeletionTaskId=task)
        assert status["Status"] in ("SUCCEEDED", "FAILED")
        assert ("Reason" in status) == (status["Status"] == "FAILED")

    @rule(count=st.integers(1, 2))
    def inject_creation_failure(self, count):
        """Plan the next creations to fail."""
        self.sim.inject_creation_failure(count)
        self.model.inject_creation_failure(count)

    @rule(mode=st.sampled_from(UsageReporting))
    def usage_reporting(self, mode):
        """Choose how much of the resources in use failed deletions report."""
        self.sim.set_usage_reporting(mode)
        self.model.set_usage_reporting(mode.value)

    # ---------------------------------------------------------------- invariants

    @invariant()
    def the_reference_model_agrees(self):
        """Role states, RoleIds, integrations, tasks and purchase orders match the model's."""
        check_agreement(self.sim, self.model)

    @invariant()
    def never_deleted_while_resources_in_use(self):
        """A deleted role has nothing left that uses it."""
        for account in self.accounts:
            role = self.sim.role(account)
            if role.state is RoleState.DELETED:
                assert self.sim.role_usage(account, role.spec) == ()

    @invariant()
    def only_the_description_ever_changes_on_an_existing_role(self):
        """Between steps, a role that keeps its RoleId changes at most state and description;
        name and ARN never change; a new RoleId is never one seen before."""
        now = role_facts(self.sim)
        for account, role in now.items():
            old = self.last_roles[account]
            assert self.sim.role(account).name == ROLE
            assert self.sim.role(account).arn.endswith(f":role/aws-service-role/{SERVICE}/{ROLE}")
            if role["role_id"] is not None and role["role_id"] == old["role_id"]:
                keep = {k: v for k, v in role.items() if k not in ("state", "description")}
                assert keep == {k: v for k, v in old.items() if k not in ("state", "description")}
            elif role["role_id"] is not None:
                assert role["role_id"] not in self.seen_role_ids[account]
                self.seen_role_ids[account].add(role["role_id"])
        self.last_roles = now

    @invariant()
    def a_member_account_never_owns_the_integration(self):
        """No member account ever has a billing integration of its own, nor the console's role."""
        for member in self.members:
            assert not self.sim.integration_configured(member)

    @invariant()
    def the_trust_policy_never_changes(self):
        """Only the trusted service may assume any existing role, whatever happened."""
        for account in self.accounts:
            role = self.sim.role(account)
            if role.exists:
                doc = self.sim.iam(account).get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
                assert doc == role.spec.trust_policy()

    def teardown(self):
        """Steer hypothesis towards runs that delete and re-create roles."""
        if currently_in_test_context():
            deleted = sum(self.sim.role(a).state is RoleState.DELETED for a in self.accounts)
            target(float(self.recreations * 2 + deleted), label="re-creations")


RoleLifecycle.TestCase.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestRoleLifecycle = RoleLifecycle.TestCase


def test_runs_reach_re_creation_after_deletion():
    """A derandomized run of the machine re-creates a deleted role at least once."""
    RUN_STATS.clear()
    run_state_machine_as_test(RoleLifecycle, settings=settings(
        max_examples=150, stateful_step_count=40, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck)))
    assert RUN_STATS["runs"] > 0
    assert RUN_STATS["re-created after deletion"] > 0, RUN_STATS


def test_the_machine_walks_the_re_creation_path_deterministically():
    """Driven by hand through set-up, deletion and re-creation, the machine's checks all pass."""
    machine = RoleLifecycle()
    machine.start()
    mgmt = "111122223333"
    machine.console_call("configure_billing_integration", mgmt, "admin", 0, "PO-1")
    machine.settle()
    machine.console_call("remove_billing_integration", mgmt, "admin", 0, "PO-1")
    machine.attempt("delete_service_linked_role", mgmt, "admin", {"RoleName": ROLE})
    machine.settle()
    assert machine.sim.role(mgmt).state is RoleState.DELETED
    machine.only_the_description_ever_changes_on_an_existing_role()
    machine.console_call("configure_billing_integration", mgmt, "admin", 0, "PO-1")
    machine.settle()
    for check in (machine.never_deleted_while_resources_in_use,
                  machine.only_the_description_ever_changes_on_an_existing_role,
                  machine.a_member_account_never_owns_the_integration,
                  machine.the_trust_policy_never_changes,
                  machine.the_reference_model_agrees):
        check()
    assert machine.recreations == 1
    machine.teardown()
