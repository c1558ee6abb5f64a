"""``RoleLifecycleMachine``: a hypothesis state machine over the simulation, made to be extended.

It drives every operation (both creation routes, every account and principal, purchase orders,
the integration, the clock, injected faults) and checks the lifecycle's invariants after every
step. Subclass it to run your own code alongside:

>>> from hypothesis.stateful import invariant, rule
>>> class MyCode(RoleLifecycleMachine):
...     def __init__(self):
...         super().__init__()
...         self.known_arns = {}
...
...     @rule()  # a rule of your own; the inherited ones still run
...     def refresh_cache(self):
...         for account in self.accounts:
...             role = self.sim.role(account)
...             self.known_arns[account] = role.arn if role.exists else None
...
...     @invariant()
...     def cache_is_never_wrong(self):
...         for account, arn in self.known_arns.items():
...             assert arn in (None, self.sim.role(account).arn)
>>> TestMyCode = MyCode.TestCase  # collected by pytest

Pitfall: to change an inherited rule, override it *with its decorator*: a plain method of the
same name replaces the rule with a method hypothesis never calls. To extend what every call
does, override :meth:`call` (a plain method) and call ``super().call(...)``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, ClassVar

from hypothesis import Phase, Verbosity, event, settings, target
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from slr_fsm.errors import AwsError
from slr_fsm.faults import UsageReporting
from slr_fsm.iam_operations import IAM_OPERATIONS, IAM_OPERATIONS_BY_METHOD
from slr_fsm.invariants import INVARIANTS, Invariant, Step
from slr_fsm.lifecycle import RoleState
from slr_fsm.marketplace import CONSOLE_TRIGGERS
from slr_fsm.moves import face, face_of, resolve_params, well_formed_params
from slr_fsm.simulation import Simulation
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS, RoleSpec
from slr_fsm.testing.strategies import (
    CALLER_TRIGGERS,
    console_operations,
    iam_operation_names,
    operation_params,
)
from slr_fsm.trace import describe_world

__all__ = ["RoleLifecycleMachine", "machine_settings"]

_ACCOUNT_SLOTS = st.integers(0, 63)
_PRINCIPAL_SLOTS = st.integers(0, 7)
_PO_NUMBERS = ("PO-1", "PO-2")


def machine_settings(**changes: Any) -> settings:
    """Hypothesis settings for a :class:`RoleLifecycleMachine`'s ``TestCase``, with your
    ``changes`` (any :class:`hypothesis.settings` argument). Every subclass starts with
    ``machine_settings()``; assigning ``TestCase.settings = settings(...)`` yourself starts
    from your profile instead, so use this to change one thing and keep the other two:

    - ``deadline=None``, as hypothesis itself has for a state machine: a deadline is per
      example, and an example here is a whole run of up to ``stateful_step_count`` steps, so
      its duration counts the steps drawn, not a slow one;
    - no ``Phase.explain``: once a case fails, that phase traces every line the simulation
      runs while shrinking (a failure then takes minutes, not seconds), to print lines of
      slr_fsm's internals as "the explanation";
    - health checks on, the deadline aside (hypothesis turns them all off for a state
      machine; none fires on this one).

    >>> machine_settings(max_examples=30).max_examples, machine_settings().deadline
    (30, None)
    """
    quick = tuple(phase for phase in Phase if phase is not Phase.explain)
    return settings(settings(deadline=None, phases=quick), **changes)


def _note(label: str) -> None:
    """Record a hypothesis event (for ``--hypothesis-show-statistics``), also outside a test."""
    if currently_in_test_context():
        event(label)


class RoleLifecycleMachine(RuleBasedStateMachine):
    """Random sequences over the whole simulation, with the lifecycle's invariants checked.

    ``self.sim`` is the simulation (from :meth:`make_simulation`), ``self.accounts`` its account
    ids. Every call goes through :meth:`call`, which also checks that a refused call changed
    nothing but the event log. ``stats`` counts, across runs, how often a role was re-created
    after deletion.

    A failing case reads quietly: hypothesis's ``state.<invariant>()`` lines after every step
    are left out (``verbosity=Verbosity.verbose`` shows them), and the failure says which
    invariant broke, after which step, and the world's state then (:func:`~slr_fsm.trace.
    describe_world`). Every rule can run in every state (none needs a bundle or a
    precondition), so hypothesis never gives up on a step.
    """

    stats: ClassVar[Counter[str]] = Counter()
    steer_to_re_creation: ClassVar[bool] = False
    """Set True to have hypothesis's target phase seek runs that delete and re-create roles:
    about two runs in three then do (one in twenty does anyway, walking the lifecycle table),
    but a run takes about twice as long and shrinking a failure up to seven times."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Give each subclass's ``TestCase`` :func:`machine_settings` (yours replace them)."""
        super().__init_subclass__(**kwargs)
        cls.TestCase.settings = machine_settings()

    def __init__(self) -> None:
        super().__init__()
        self.sim = self.make_simulation()
        self.accounts = [a.account_id for a in self.sim.accounts]
        self.principals = self._common_principals()
        self.members = {a.account_id for org in self.sim.organizations for a in org.member_accounts}
        self.recreations = 0
        self._checks = 0  # hypothesis checks the invariants before the first step, then after each

    def make_simulation(self) -> Simulation:
        """The world each run starts from: ``Simulation.default(seed=0)`` and, in every account,
        a principal ``nobody`` with no policies. Override to start elsewhere."""
        sim = Simulation.default(seed=0)
        for account in sim.accounts:
            sim.add_principal(account, "nobody")
        return sim

    def _common_principals(self) -> list[str]:
        """Principal names found in every account (``admin`` first), for the rules to pick."""
        names = None
        for account in self.accounts:
            here = set(self.sim.principal_names(account))
            names = here if names is None else names & here
        return sorted(names or {"admin"}, key=lambda n: (n != "admin", n))

    # ------------------------------------------------------------------ what every step does

    def call(
        self, operation: str, account: str, principal: str, params: dict[str, Any]
    ) -> tuple[Any, str]:
        """Call an IAM or console operation; return ``(response, outcome)``, where outcome is
        ``"ok"`` or the AWS error code. A refusal must leave the world unchanged and add exactly
        one log entry; the step invariants are checked on every call."""
        before = self.sim.fork()
        log_size = len(self.sim.trace)
        params = resolve_params(self.sim, account, params)
        try:
            target = face(self.sim, face_of(operation), account, principal)
            response, outcome = getattr(target, operation)(**params), "ok"
        except AwsError as refused:
            response, outcome = None, refused.code
        _note(f"{operation}: {outcome}")
        self._check_step(before, f"{principal}@{account} {operation}", outcome)
        if outcome != "ok":
            if not self.sim.same_state(before):
                raise AssertionError(f"{operation} was refused ({outcome}) but changed the world")
            if len(self.sim.trace) != log_size + 1:
                raise AssertionError(f"{operation} was refused ({outcome}) but not logged once")
            return response, outcome
        for role in before.known_roles():
            if (
                role.state is RoleState.DELETED
                and self.sim.role(role.account_id, role.spec).state is RoleState.CREATING
            ):
                self.recreations += 1
                self.stats["re-created after deletion"] += 1
                _note("re-created after deletion")
        return response, outcome

    def run_clock(self, seconds: float | None = None) -> None:
        """Advance the clock by ``seconds``, or settle it when ``None``."""
        before = self.sim.fork()
        if seconds is None:
            self.sim.settle()
        else:
            self.sim.advance(seconds)
        self._check_step(before, "the clock", "ok")

    def _draw_spec(self, data: st.DataObject) -> RoleSpec:
        """One of the world's role specs (drawn, by role name, only when there are several)."""
        specs = self.sim.specs
        if len(specs) == 1:
            return specs[0]
        name = data.draw(st.sampled_from([s.role_name for s in specs]), label="role")
        return next(s for s in specs if s.role_name == name)

    def checked_invariants(self) -> tuple[Invariant, ...]:
        """The library invariants this machine checks (all of :data:`slr_fsm.invariants.
        INVARIANTS`); override to check fewer or more."""
        return tuple(INVARIANTS.values())

    def _check_step(self, before: Simulation, move: str, outcome: str) -> None:
        after = self.sim.fork()
        for inv in self.checked_invariants():
            if inv.on != "step":
                continue
            if inv.forks_itself:
                step = Step(before, move, outcome, after)
            else:  # a check of your own gets copies: it cannot change the run
                step = Step(before.fork(), move, outcome, after.fork())
            if not inv.holds_in(step):
                where = f" in step {self._checks}" if self._checks else ""
                raise AssertionError(
                    f"{inv.name} broke{where}, at {move} => {outcome} ({inv.summary}); "
                    f"the world after it: {describe_world(after)}"
                )

    def check_invariants(self, settings: Any, output: Callable[[str], object], *rest: Any) -> None:
        """Hypothesis's check of the ``@invariant`` methods after each step, made quiet: the
        ``state.<invariant>()`` lines are printed only at ``Verbosity.verbose`` or above, and
        a check that fails gets a note naming it, the step, and the world's state."""
        loud = settings.verbosity >= Verbosity.verbose
        checked: list[str] = []

        def quiet(line: str) -> object:
            if line.startswith("state.") and line.endswith("()"):
                checked.append(line.removeprefix("state.").removesuffix("()"))
                if not loud:
                    return None
            return output(line)

        self._checks += 1
        try:
            super().check_invariants(settings, quiet, *rest)
        except Exception as failure:
            step = self._checks - 1
            where = f"after step {step} (the last one shown)" if step else "before the first step"
            name = checked[-1] if checked else "an invariant"
            failure.add_note(
                f"{name} failed {where}; the world then: {describe_world(self.sim)}"
                f"{self._last_event()}"
            )
            raise

    def _last_event(self) -> str:
        trace = self.sim.trace
        return f"; its last event: {trace[-1].describe()}" if len(trace) else ""

    # ------------------------------------------------------------------ rules

    @initialize()
    def count_run(self) -> None:
        """Count runs, for :attr:`stats`."""
        self.stats["runs"] += 1

    @rule(data=st.data(), name=iam_operation_names(), slot=_ACCOUNT_SLOTS, who=_PRINCIPAL_SLOTS)
    def iam_call(self, data: st.DataObject, name: str, slot: int, who: int) -> None:
        """Any IAM operation (by its boto3 name), by any principal in any account, with derived
        parameters (a DeletionTaskId is one of the world's tasks when it has any)."""
        op = IAM_OPERATIONS_BY_METHOD[name]
        account = self.accounts[slot % len(self.accounts)]
        principal = self.principals[who % len(self.principals)]
        spec = self._draw_spec(data)
        known = [t.task_id for t in self.sim.deletion_tasks]
        task_ids = st.sampled_from(known) if known else None
        params = data.draw(operation_params(op, spec=spec, task_ids=task_ids), label="params")
        self.call(op.method, account, principal, params)

    @rule(data=st.data(), slot=_ACCOUNT_SLOTS)
    def walk_the_table(self, data: st.DataObject, slot: int) -> None:
        """Take one edge of the lifecycle table from the role's current state: an
        administrator's well-formed call, by either route, of an operation that fires a caller
        trigger allowed there, or the clock (settled) when a clock trigger leaves the state and
        work is pending. This is what makes runs reach deletion and re-creation often."""
        account = self.accounts[slot % len(self.accounts)]
        spec = self._draw_spec(data)
        state = self.sim.role(account, spec).state
        leaving = self.sim.lifecycle.triggers_from(state)
        triggers = sorted(t for t in leaving if t in CALLER_TRIGGERS)
        if self.sim.pending_work and any(t not in CALLER_TRIGGERS for t in leaving):
            triggers.append("the clock")
        if not triggers:
            self.run_clock()
            return
        trigger = data.draw(st.sampled_from(triggers), label="trigger")
        if trigger == "the clock":
            self.run_clock()
            return
        routes = [
            (o.method, well_formed_params(o, spec)) for o in IAM_OPERATIONS if o.trigger == trigger
        ]
        if spec == MARKETPLACE_PURCHASE_ORDERS:
            routes += [(name, {}) for name, t in CONSOLE_TRIGGERS.items() if t == trigger]
        operation, params = data.draw(st.sampled_from(routes), label="route")
        self.call(operation, account, self.principals[0], params)

    @rule(
        op=console_operations(),
        slot=_ACCOUNT_SLOTS,
        who=_PRINCIPAL_SLOTS,
        subscription=st.integers(0, 7),
        po=st.sampled_from(_PO_NUMBERS),
    )
    def console_call(self, op: str, slot: int, who: int, subscription: int, po: str) -> None:
        """Any console operation: set-up, removal, listing, attaching and detaching POs."""
        if self.sim.spec_for_service(MARKETPLACE_PURCHASE_ORDERS.service_principal) is None:
            return  # no console in a world without the purchase-order role
        account = self.accounts[slot % len(self.accounts)]
        principal = self.principals[who % len(self.principals)]
        params: dict[str, Any] = {}
        if op in ("attach_purchase_order", "detach_purchase_order"):
            subs = self.sim.subscriptions_of(account)
            if not subs:
                return
            params = {
                "subscription_id": subs[subscription % len(subs)].subscription_id,
                "po_number": po,
            }
        self.call(op, account, principal, params)

    @rule(seconds=st.sampled_from((1, 2, 5, 10, 30)))
    def advance(self, seconds: int) -> None:
        """Let the clock run."""
        self.run_clock(seconds)

    @rule()
    def settle(self) -> None:
        """Run the clock until nothing is pending: every deletion task has then finished."""
        self.run_clock()
        assert all(t.status.finished for t in self.sim.deletion_tasks)

    @rule(data=st.data())
    def finished_task_reports_its_end(self, data: st.DataObject) -> None:
        """Once settled, a task is SUCCEEDED or FAILED, and FAILED carries a RoleUsageList
        (one of the world's tasks; nothing to check before there is one)."""
        known = [t.task_id for t in self.sim.deletion_tasks]
        if not known:
            return
        task = data.draw(st.sampled_from(known), label="task")
        self.run_clock()
        found = self.sim.task(task)
        if found is None:  # purged (Latencies.task_retention)
            return
        status = found.to_aws()
        assert status["Status"] in ("SUCCEEDED", "FAILED")
        assert ("Reason" in status) == (status["Status"] == "FAILED")

    @rule(count=st.integers(1, 2))
    def inject_creation_failure(self, count: int) -> None:
        """Plan the next creations requested to fail."""
        self.sim.inject_creation_failure(count)

    @rule(mode=st.sampled_from(UsageReporting))
    def usage_reporting(self, mode: UsageReporting) -> None:
        """Choose how much of the resources in use failed deletions report."""
        self.sim.set_usage_reporting(mode)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def library_invariants_hold(self) -> None:
        """Every state invariant of the library (:mod:`slr_fsm.invariants`) holds; checks work
        on forks, so checking never writes to the simulation's log."""
        for inv in self.checked_invariants():
            if inv.on == "state":  # a check of your own gets a copy: it cannot change the run
                world = self.sim if inv.forks_itself else self.sim.fork()
                if not inv.holds_in(world):
                    raise AssertionError(f"{inv.name} broke: {inv.summary}")

    def teardown(self) -> None:
        """With :attr:`steer_to_re_creation`, steer hypothesis towards runs that delete and
        re-create roles."""
        if self.steer_to_re_creation and currently_in_test_context():
            deleted = sum(r.state is RoleState.DELETED for r in self.sim.known_roles())
            target(float(self.recreations * 2 + deleted), label="re-creations")


RoleLifecycleMachine.TestCase.settings = machine_settings()
