"""Hostile input over every public entry point: a typed slr_fsm error or a success, never a
crash; a refusal changes nothing; an attempt through a face is logged exactly once; the world
stays one that could happen (it snapshots to strict JSON and restores to itself) and keeps
every registered invariant.

The inputs are drawn from one pool of hostile values (ints of thousands of digits, NaN, lists
nested deeper than the recursion limit, strings with lone surrogates, objects whose ``repr``
raises, values of the wrong type that look right) mixed into well-formed calls, so that the
checks behind validation are reached too. ``check_input`` judges one input; hypothesis drives
it in the normal suite, and ``benchmarks/hostile_run.py`` drives it for the long run (or set
``SLR_FSM_HOSTILE_EXAMPLES`` to run more examples here).
"""

from __future__ import annotations

import datetime as dt
import decimal
import fractions
import json
import math
import os
import random
import threading
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slr_fsm import (
    Account,
    Faults,
    Latencies,
    PolicyDocument,
    Principal,
    ServicePrincipal,
    Simulation,
    SlrFsmError,
)
from slr_fsm.clock import VirtualClock
from slr_fsm.errors import AwsError, error_class_for_code
from slr_fsm.iam_operations import IAM_OPERATIONS
from slr_fsm.invariants import INVARIANTS, Step, as_invariant, resolve_invariants
from slr_fsm.lifecycle import LIFECYCLE, GuardFacts, RoleState
from slr_fsm.marketplace import CONSOLE_OPERATIONS
from slr_fsm.marketplace_roles import AUTO_SCALING
from slr_fsm.moves import (
    FACES,
    Move,
    default_moves,
    face,
    face_of,
    resolve_params,
    small_world,
    well_formed_params,
)
from slr_fsm.organizations import ORGANIZATIONS_OPERATIONS
from slr_fsm.policy import evaluate, trust_allows, wildcard_match
from slr_fsm.policy_statement import Condition, Effect, Statement
from slr_fsm.scenario import SEED_STORY, format_story, run_story
from slr_fsm.shown import shown
from slr_fsm.specs import (
    MARKETPLACE_PURCHASE_ORDERS,
    RoleSpec,
    conventional_role_name,
    service_linked_role,
)
from tests.conftest import MANAGEMENT, MEMBER, ROLE, SERVICE, STANDALONE

# ------------------------------------------------------------------------------ hostile values


class HostileRepr:
    """An object whose ``repr``, ``str``, ``==`` and ``hash`` all raise."""

    def __repr__(self) -> str:
        raise RuntimeError("repr refused")

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq refused")

    def __hash__(self) -> int:
        raise RuntimeError("hash refused")


class HostileStr(str):
    """A string whose ``repr`` raises (and whose ``lower`` lies)."""

    def __repr__(self) -> str:
        raise RuntimeError("repr refused")

    def lower(self) -> str:  # type: ignore[override]
        return "purchase-orders.marketplace.amazonaws.com"


class RaisingStr(str):
    """A string whose case methods raise (a caller's subclass must not reach the kernel's
    keys: the library folds case with ``str``'s own methods)."""

    def lower(self) -> str:  # type: ignore[override]
        raise RuntimeError("lower refused")

    def upper(self) -> str:  # type: ignore[override]
        raise RuntimeError("upper refused")

    def casefold(self) -> str:  # type: ignore[override]
        raise RuntimeError("casefold refused")


def _nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def _nested_dict(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"k": value}
    return value


TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}
    ],
}
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
ROLE_ARN = f"arn:aws:iam::{MANAGEMENT}:role/aws-service-role/{SERVICE}/{ROLE}"
TASK_ID = f"task/aws-service-role/{SERVICE}/{ROLE}/00000000-0000-4000-8000-000000000000"

ATOMS: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    1,
    -1,
    7,
    3600,
    2**63,
    -(2**63),
    10**5000,
    -(10**5000),
    0.0,
    -0.0,
    1.5,
    1e308,
    math.nan,
    math.inf,
    -math.inf,
    "",
    " ",
    "x",
    "a" * 65,
    "x" * 5000,
    "\ud800",
    "\x00",
    "é",
    "*",
    "?",
    "${aws:username}",
    "1" * 5000,
    "o-",
    "o-abc",
    "o-" + "a" * 40,
    "o-ABCDEFGHIJ",
    "r-ab12",
    "PO-1",
    "all",
    "some",
    "none",
    "iam:GetRole",
    "sts:AssumeRole",
    "us-east-1",
    "admin",
    "readonly",
    "ghost",
    "ADMIN",
    ROLE,
    ROLE.upper(),
    ROLE + "_x",
    SERVICE,
    SERVICE.upper(),
    "ec2.amazonaws.com",
    MANAGEMENT,
    MEMBER,
    STANDALONE,
    "999999999999",
    "12345678901",
    ROLE_ARN,
    TASK_ID,
    json.dumps(ALLOW_ALL),
    json.dumps(TRUST),
    '{"Version": NaN}',
    "[" * 5000,
    b"bytes",
    bytearray(b"x"),
    HostileRepr(),
    HostileStr(SERVICE),
    HostileStr(MANAGEMENT),
    RaisingStr(ROLE),
    RaisingStr(SERVICE),
    _nested(5000, 1),
    _nested(5000, "x"),
    _nested_dict(3000),
    [10**5000],
    {"k": math.nan},
    {},
    [],
    (),
    set(),
    frozenset({1}),
    {10**5000: 1},
    {(): 1},
    Account(MANAGEMENT, "management"),
    Account("999999999999"),
    Principal("admin", MANAGEMENT),
    Principal("ghost", MANAGEMENT),
    ServicePrincipal(SERVICE),
    ServicePrincipal("ec2.amazonaws.com"),
    PolicyDocument.allow_all(),
    PolicyDocument.parse(TRUST, kind="trust"),
    ALLOW_ALL,
    TRUST,
    MARKETPLACE_PURCHASE_ORDERS,
    AUTO_SCALING,
    Latencies(),
    Faults(),
    dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    dt.datetime(2026, 1, 1),
    object(),
    print,
    int,
    Ellipsis,
    complex(1, 2),
    decimal.Decimal("NaN"),
    fractions.Fraction(1, 3),
)
"""Values no entry point should crash on, and some it should accept."""


def random_value(rng: random.Random, depth: int = 0) -> Any:
    """A hostile value: mostly an atom, sometimes a small list or dict of them."""
    roll = rng.random()
    if depth < 2 and roll < 0.08:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if depth < 2 and roll < 0.14:
        return {rng.choice(_KEYS): random_value(rng, depth + 1) for _ in range(rng.randrange(4))}
    return rng.choice(ATOMS)


_KEYS = ("Key", "Value", "k", "", "Version", "Statement", "Effect", "Action", "Resource", "x")


def hostile_values() -> st.SearchStrategy[Any]:
    """Recipes of hostile values for hypothesis: indices into :data:`ATOMS`, in small lists and
    dicts. Hypothesis shrinks and prints a recipe (it cannot print an int of 5,001 digits
    itself); :func:`made` builds the value."""
    index = st.integers(0, len(ATOMS) - 1)
    return st.recursive(
        index,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=3)
        ),
        max_leaves=4,
    )


def made(recipe: Any) -> Any:
    """The hostile value a :func:`hostile_values` recipe stands for."""
    if isinstance(recipe, int):
        return ATOMS[recipe]
    if isinstance(recipe, list):
        return [made(item) for item in recipe]
    return {key: made(item) for key, item in recipe.items()}


# ------------------------------------------------------------------------------ worlds


def _active() -> Simulation:
    sim = Simulation.default(seed=1)
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    sim.settle()
    sub = sim.subscriptions_of(MEMBER)[0].subscription_id
    sim.marketplace(MEMBER).attach_purchase_order(sub, "PO-1")
    return sim


def _deleting() -> Simulation:
    sim = _active()
    sim.iam(MANAGEMENT).delete_service_linked_role(RoleName=ROLE)
    sim.advance(3)
    return sim


def _suffixes() -> Simulation:
    sim = Simulation.default(seed=2, specs=[MARKETPLACE_PURCHASE_ORDERS, AUTO_SCALING])
    sim.iam(MANAGEMENT).create_service_linked_role(
        AWSServiceName=AUTO_SCALING.service_principal, CustomSuffix="blue"
    )
    return sim


WORLDS: dict[str, Callable[[], Simulation]] = {
    "default": lambda: Simulation.default(seed=0),
    "active": _active,
    "deleting": _deleting,
    "suffixes": _suffixes,
    "small": small_world,
}
_BUILT: dict[str, Simulation] = {}


def world(name: str) -> Simulation:
    """A fresh copy of a named base world (built once, then forked: copy-on-write)."""
    if name not in _BUILT:
        _BUILT[name] = WORLDS[name]()
    return _BUILT[name].fork()


# ------------------------------------------------------------------------------ entry points


@attrs.frozen
class EntryPoint:
    """One public entry point: how to call it with drawn arguments, on which world."""

    name: str
    call: Callable[..., Any] = attrs.field(eq=False, repr=False)
    draw: Callable[[random.Random], tuple[Any, ...]] = attrs.field(eq=False, repr=False)
    operation: str | None = None
    """The face method it calls, if any: ``call`` then builds the face and returns the call to
    make, whose attempt must be logged exactly once (building the face logs nothing)."""
    may_log: bool = False
    """Whether it may call a face itself (a move does), so log an attempt of its own."""


ENTRY_POINTS: list[EntryPoint] = []

_CALLERS = (
    (MANAGEMENT, "admin"),
    (MANAGEMENT, "readonly"),
    (MEMBER, "admin"),
    (STANDALONE, "admin"),
    (MANAGEMENT, SERVICE),
    (MANAGEMENT, None),
)


def _caller(rng: random.Random) -> tuple[Any, Any]:
    if rng.random() < 0.85:
        return rng.choice(_CALLERS)
    if rng.random() < 0.5:
        return random_value(rng), rng.choice(("admin", None))
    return MANAGEMENT, random_value(rng)


def _kwargs(
    rng: random.Random,
    names: Sequence[str],
    valid: dict[str, Any],
    value: Callable[[random.Random], Any] = random_value,
) -> dict[str, Any]:
    """Well-formed parameters, some replaced by hostile values, maybe a bogus one added."""
    kwargs = dict(valid)
    optional = [n for n in names if n not in kwargs]
    for name in rng.sample(optional, min(len(optional), rng.randrange(3))):
        kwargs[name] = value(rng)
    for name in rng.sample(sorted(kwargs), min(len(kwargs), rng.randrange(3))):
        kwargs[name] = value(rng)
    if rng.random() < 0.1:
        kwargs[rng.choice(("Bogus", "roleName", "x" * 300))] = value(rng)
    if rng.random() < 0.1 and kwargs:
        del kwargs[rng.choice(sorted(kwargs))]
    return kwargs


def _face_entry(face_name: str, method: str, names: Sequence[str], valid: dict[str, Any]) -> None:
    def call(sim: Simulation, account: Any, principal: Any, kwargs: dict[str, Any]) -> Any:
        kwargs = resolve_params(sim, MANAGEMENT, kwargs)
        built = face(sim, face_name, account, principal)
        return lambda: getattr(built, method)(**kwargs)

    def draw(rng: random.Random) -> tuple[Any, ...]:
        return (*_caller(rng), _kwargs(rng, names, valid))

    ENTRY_POINTS.append(EntryPoint(f"{face_name}.{method}", call, draw, method))


for _op in IAM_OPERATIONS:
    _face_entry("iam", _op.method, [p.name for p in _op.params], well_formed_params(_op))
for _method in ORGANIZATIONS_OPERATIONS.values():
    _face_entry("organizations", _method, ["NextToken", "MaxResults", "AccountId"], {})
_face_entry(
    "sts",
    "assume_role",
    ["DurationSeconds", "ExternalId", "Tags"],
    {"RoleArn": ROLE_ARN, "RoleSessionName": "po"},
)
_face_entry("sts", "get_caller_identity", [], {})


_CLIENTS = threading.local()
_CLIENTS_LOCK = threading.Lock()


def _client(service: str) -> Any:
    """An unattached boto3 client of ``service`` from slr_fsm's shared botocore session, one per
    thread (built once, a few milliseconds; each input attaches it to its world for its one
    call, and detaches it)."""
    from slr_fsm.boto import shared_session

    built = _CLIENTS.__dict__.setdefault("built", {})
    if service not in built:
        with _CLIENTS_LOCK:  # a botocore session is not thread-safe; its clients are
            built[service] = shared_session().create_client(
                service,
                region_name="us-east-1",
                aws_access_key_id="slr-fsm",
                aws_secret_access_key="slr-fsm",
            )
    return built[service]


def _bridge_entry(service: str, method: str, names: Sequence[str], valid: dict[str, Any]) -> None:
    """The same call through a real boto3 client the simulation answers (botocore checks the
    request first: what it refuses never reaches the simulation, so nothing is logged)."""

    def call(sim: Simulation, account: Any, principal: Any, kwargs: dict[str, Any]) -> Any:
        from slr_fsm.boto import attach

        kwargs = resolve_params(sim, MANAGEMENT, kwargs)
        client = _client(service)

        def made() -> Any:
            binding = attach(client, sim, account, principal)  # this world's, for this call
            try:
                return getattr(client, method)(**kwargs)
            finally:
                binding.detach()

        return made

    def draw(rng: random.Random) -> tuple[Any, ...]:
        return (*rng.choice(_CALLERS[:4]), _kwargs(rng, names, valid, botocore_value))

    ENTRY_POINTS.append(EntryPoint(f"boto3 {service}.{method}", call, draw, method))


def botocore_value(rng: random.Random) -> Any:
    """A hostile value botocore itself can put in its own error report: botocore formats a
    refused parameter with ``str()`` and raises ValueError or RecursionError, before any
    request and whatever answers it, for an int of 5001 digits, a list nested past the
    recursion limit or an object whose repr raises. Those stay out of the bridge's inputs."""
    while True:
        value = random_value(rng)
        try:
            str(value), repr(value)
        except Exception:
            continue
        return value


for _op in IAM_OPERATIONS:
    _bridge_entry("iam", _op.method, [p.name for p in _op.params], well_formed_params(_op))
_bridge_entry(
    "sts",
    "assume_role",
    ["DurationSeconds", "ExternalId"],
    {"RoleArn": ROLE_ARN, "RoleSessionName": "po"},
)
_bridge_entry("organizations", "describe_account", ["AccountId"], {"AccountId": MEMBER})


def _console_entry(method: str) -> None:
    def call(sim: Simulation, account: Any, principal: Any, args: tuple[Any, ...]) -> Any:
        built = sim.marketplace(account, principal)
        return lambda: getattr(built, method)(*args)

    def draw(rng: random.Random) -> tuple[Any, ...]:
        if method in ("attach_purchase_order", "detach_purchase_order"):
            args = ["<subscription>", "PO-1"]
            for n in rng.sample(range(2), rng.randrange(3)):
                args[n] = random_value(rng)
        else:
            args = []
        return (*_caller(rng), tuple(args))

    def resolved(sim: Simulation, account: Any, principal: Any, args: tuple[Any, ...]) -> Any:
        subs = [s.subscription_id for s in sim.subscriptions] or ["none"]
        args = tuple(subs[-1] if isinstance(a, str) and a == "<subscription>" else a for a in args)
        return call(sim, account, principal, args)

    ENTRY_POINTS.append(EntryPoint(f"console.{method}", resolved, draw, method))


for _method in CONSOLE_OPERATIONS:
    _console_entry(_method)


def helper(
    name: str,
    arity: int,
    fixed: Callable[[random.Random], list[Any]] | None = None,
    *,
    may_log: bool = False,
):
    """Register a helper called with ``arity`` drawn values (well-formed ones from ``fixed``,
    some replaced by hostile values)."""

    def register(call: Callable[..., Any]) -> Callable[..., Any]:
        def draw(rng: random.Random) -> tuple[Any, ...]:
            args = fixed(rng) if fixed is not None else [random_value(rng) for _ in range(arity)]
            for n in rng.sample(range(arity), rng.randrange(1, arity + 1) if arity else 0):
                args[n] = random_value(rng)
            return tuple(args)

        ENTRY_POINTS.append(EntryPoint(name, call, draw, may_log=may_log))
        return call

    return register


def _pick(*choices: Any) -> Callable[[random.Random], list[Any]]:
    return lambda rng: [rng.choice(c) if isinstance(c, tuple) else c for c in choices]


# The world: building it, its clock, its faults.
helper("sim.advance", 1, _pick((0, 1, 5, 10, 60.5)))(lambda sim, s: sim.advance(s))
helper("sim.settle", 0)(lambda sim: sim.settle())
helper("sim.run_next", 0)(lambda sim: sim.run_next())
helper("sim.add_account", 2, _pick(("210987654321", "999999999999", MANAGEMENT), ("x", "")))(
    lambda sim, a, n: sim.add_account(a, n)
)
helper(
    "sim.add_organization",
    3,
    _pick(("210987654321", MANAGEMENT), (["999999999998"], [], [MEMBER]), (None, "o-abcdefghij")),
)(lambda sim, m, members, org_id: sim.add_organization(m, members, organization_id=org_id))
helper(
    "sim.add_principal",
    3,
    _pick((MANAGEMENT, STANDALONE), ("auditor", "admin", SERVICE), ([ALLOW_ALL], [], ALLOW_ALL)),
)(lambda sim, a, n, p: sim.add_principal(a, n, p))
helper(
    "sim.add_subscription",
    4,
    _pick((MANAGEMENT, MEMBER), ("us-east-1",), ("Suite",), (None, "agmt-abc")),
)(lambda sim, a, r, p, s: sim.add_subscription(a, r, p, s))
helper("sim.inject_creation_failure", 1, _pick((0, 1, 3)))(
    lambda sim, n: sim.inject_creation_failure(n)
)
helper("sim.set_usage_reporting", 1, _pick(("all", "some", "none")))(
    lambda sim, m: sim.set_usage_reporting(m)
)
# Reads.
for _read in (
    "role",
    "roles",
    "role_usage",
    "subscriptions_of",
    "find_subscription",
    "task",
    "account",
    "find_account",
    "integration_owner",
    "served_accounts",
    "integration_configured",
    "purchase_orders_enabled",
    "in_management_account_or_standalone",
    "principal_names",
    "spec_for_service",
    "spec_for_role_name",
    "usage_model",
    "usage_context",
):
    helper(f"sim.{_read}", 1, _pick((MANAGEMENT, SERVICE, ROLE)))(
        lambda sim, x, _read=_read: getattr(sim, _read)(x)
    )
helper(
    "sim.role(account, service)", 2, _pick((MANAGEMENT,), (SERVICE, MARKETPLACE_PURCHASE_ORDERS))
)(lambda sim, a, s: sim.role(a, s))
helper("sim.state_of", 2, _pick((MANAGEMENT,), (ROLE, None)))(lambda sim, a, r: sim.state_of(a, r))
helper("sim.caller", 2, _pick((MANAGEMENT,), ("admin", SERVICE)))(
    lambda sim, a, p: sim.caller(a, p)
)
helper("sim.same_state", 1)(lambda sim, other: sim.same_state(other))
helper("sim.decide", 3, _pick((Principal("admin", MANAGEMENT),), ("iam:GetRole",), ("*",)))(
    lambda sim, c, a, r: sim.decide(c, a, r)
)
# Whole worlds: construction, restore.
helper("Simulation()", 3, _pick((0, 1), (None,), (None,)))(
    lambda sim, seed, latencies, faults: Simulation(seed, latencies=latencies, faults=faults)
)
helper("Simulation(start=...)", 1, _pick((dt.datetime(2026, 1, 1, tzinfo=dt.UTC),)))(
    lambda sim, start: Simulation(start=start)
)
helper("Simulation(specs=...)", 1, _pick(([MARKETPLACE_PURCHASE_ORDERS], [AUTO_SCALING])))(
    lambda sim, specs: Simulation(specs=specs)
)
helper("Simulation.default(account_ids=...)", 2, _pick((0,), (None, {"management": MANAGEMENT})))(
    lambda sim, seed, ids: Simulation.default(seed, account_ids=ids)
)
helper("Simulation.restore", 1)(lambda sim, snap: Simulation.restore(snap))
helper("Simulation.restore(usage_models=...)", 1)(
    lambda sim, models: Simulation.restore(sim.snapshot(), usage_models=models)
)
helper("Latencies", 4, _pick((10,), (2,), (8,), (None, 60)))(
    lambda sim, c, s, r, t: Latencies(
        creation=c, deletion_start=s, deletion_run=r, task_retention=t
    )
)
helper("Faults", 2, _pick((0, 1), ("all", "some")))(lambda sim, c, u: Faults(c, u))
helper("Account", 3, _pick((MANAGEMENT,), ("x",), (None,)))(lambda sim, a, n, o: Account(a, n, o))
helper("Principal", 3, _pick(("admin",), (MANAGEMENT,), ((),)))(
    lambda sim, n, a, p: Principal(n, a, p)
)
helper(
    "service_linked_role", 3, _pick(("example.amazonaws.com",), ("ExamplePolicy",), (ALLOW_ALL,))
)(lambda sim, s, n, d: service_linked_role(s, managed_policy_name=n, policy_document=d))
helper("RoleSpec", 4, _pick((ROLE,), (SERVICE,), ("P",), (json.dumps(ALLOW_ALL),)))(
    lambda sim, n, s, p, d: RoleSpec(n, s, p, d)
)
helper("Simulation(usage_models=...)", 1, _pick(([],)))(
    lambda sim, models: Simulation(usage_models=models)
)
helper("Simulation(lifecycle=...)", 1, _pick((LIFECYCLE,)))(
    lambda sim, lifecycle: Simulation(lifecycle=lifecycle)
)
helper("Simulation.default(specs=...)", 1, _pick(([AUTO_SCALING],)))(
    lambda sim, specs: Simulation.default(specs=specs)
)
helper("sim.role_usage(account, spec)", 2, _pick((MANAGEMENT,), (MARKETPLACE_PURCHASE_ORDERS,)))(
    lambda sim, a, spec: sim.role_usage(a, spec)
)
helper("RoleSpec.with_custom_suffix", 1, _pick(("blue",)))(
    lambda sim, suffix: AUTO_SCALING.with_custom_suffix(suffix)
)
helper("RoleSpec.role_name_with_suffix", 1, _pick(("blue", None)))(
    lambda sim, suffix: AUTO_SCALING.role_name_with_suffix(suffix)
)
helper("RoleSpec.role_arn", 1, _pick((MANAGEMENT,)))(
    lambda sim, account: MARKETPLACE_PURCHASE_ORDERS.role_arn(account)
)
helper("conventional_role_name", 1, _pick(("example.amazonaws.com",)))(
    lambda sim, service: conventional_role_name(service)
)
helper("LIFECYCLE.fire", 3, _pick((RoleState.ACTIVE,), ("request_deletion",), (GuardFacts(),)))(
    lambda sim, state, trigger, facts: LIFECYCLE.fire(state, trigger, facts)
)
helper("VirtualClock.advance", 1, _pick((1.0,)))(lambda sim, s: VirtualClock().advance(s))
helper("Statement", 3, _pick(((("iam:GetRole",)),), (("*",),), ((),)))(
    lambda sim, actions, resources, conditions: Statement(
        effect=Effect.ALLOW, actions=actions, resources=resources, conditions=conditions
    )
)
helper("Condition", 3, _pick(("StringEquals",), ("iam:AWSServiceName",), ((SERVICE,),)))(
    lambda sim, operator, key, values: Condition(operator, key, values)
)
helper("run_story", 1, _pick((SEED_STORY,)), may_log=True)(lambda sim, steps: run_story(sim, steps))
helper("format_story", 2, _pick(([],), (None,)))(
    lambda sim, lines, names: format_story(lines, names)
)
# Policies.
helper("PolicyDocument.parse", 2, _pick((ALLOW_ALL, TRUST), ("identity", "trust")))(
    lambda sim, doc, kind: PolicyDocument.parse(doc, kind=kind)
)
helper(
    "evaluate",
    4,
    _pick(
        (PolicyDocument.allow_all(), [PolicyDocument.allow_all()]),
        ("iam:GetRole",),
        ("*", ROLE_ARN),
        (None,),
    ),
)(lambda sim, p, a, r, c: evaluate(p, a, r, c))
helper(
    "trust_allows",
    4,
    _pick((PolicyDocument.parse(TRUST, kind="trust"),), (SERVICE,), ("sts:AssumeRole",), (None,)),
)(lambda sim, p, s, a, c: trust_allows(p, service=s, action=a, context=c))
helper("wildcard_match", 3, _pick(("iam:*",), ("iam:GetRole",), (True, False)))(
    lambda sim, p, v, c: wildcard_match(p, v, case_sensitive=c)
)
helper("error_class_for_code", 1, _pick(("NoSuchEntity",)))(lambda sim, c: error_class_for_code(c))
# The vocabulary: moves, faces by name, invariants.
helper(
    "Move(...).apply",
    5,
    _pick(
        ("iam", "console", "clock", "fault"),
        ("get_role", "configure_billing_integration"),
        (MANAGEMENT,),
        ("admin",),
        ((("RoleName", ROLE),),),
    ),
    may_log=True,
)(lambda sim, f, o, a, p, params: Move(f, o, a, p, params).apply(sim))
helper("Move.apply(sim=...)", 1, may_log=True)(
    lambda sim, other: default_moves(sim)[0].apply(other)
)
helper("face", 3, _pick(tuple(FACES), (MANAGEMENT,), ("admin",)))(
    lambda sim, name, a, p: face(sim, name, a, p)
)
helper("face_of", 1, _pick(("get_role",)))(lambda sim, op: face_of(op))
helper("resolve_params", 2, _pick((MANAGEMENT,), ({"DeletionTaskId": "<latest task>"},)))(
    lambda sim, a, p: resolve_params(sim, a, p)
)
helper("as_invariant", 1, _pick(tuple(INVARIANTS)))(lambda sim, rule: as_invariant(rule))
helper("resolve_invariants", 1, _pick((None, list(INVARIANTS))))(
    lambda sim, rules: resolve_invariants(rules)
)


# ------------------------------------------------------------------------------ judging one input


@attrs.frozen
class Verdict:
    """What one input did: ``kind`` is ``ok``, ``refused`` or a problem (``crash``,
    ``changed on refusal``, ``logged wrong``, ``corrupted``, ``invariant broken``)."""

    kind: str
    signature: str = ""
    detail: str = ""

    @property
    def problem(self) -> bool:
        return self.kind not in ("ok", "refused")


STATE_CHECKS = tuple(i for i in INVARIANTS.values() if i.on == "state")
STEP_CHECKS = tuple(i for i in INVARIANTS.values() if i.on == "step")
_WORK = ("finish_creation", "start_deletion", "finish_deletion", "purge_task")


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _describe(error: BaseException) -> str:
    import traceback

    lines = traceback.format_exception(type(error), error, error.__traceback__, limit=-6)
    return "".join(lines)[-1500:]


def make_call(entry: EntryPoint, args: tuple[Any, ...], sim: Simulation) -> tuple[str, bool]:
    """Call an entry point on ``sim``: its outcome (``ok``, an AWS error code, or the class of a
    typed slr_fsm or botocore refusal) and whether a face was called (so an attempt must be
    logged). Anything else is raised: a crash."""
    attempted = False
    try:
        result = entry.call(sim, *args)
        if entry.operation is not None:
            attempted = True
            result()
    except AwsError as refusal:
        return refusal.code, attempted
    except SlrFsmError as refusal:
        return type(refusal).__name__, attempted
    except ClientError as refusal:  # the simulation's refusal, as botocore raises it
        return str(refusal.response["Error"]["Code"]), attempted
    except ParamValidationError:  # botocore refused it: it never reached the simulation
        return "ParamValidationError", False
    return "ok", attempted


def check_input(entry: EntryPoint, args: tuple[Any, ...], world_name: str = "active") -> Verdict:
    """Call one entry point with ``args`` on a fresh copy of a base world and judge the result."""
    sim = world(world_name)
    before = sim.snapshot()
    before_world = sim.fork()
    try:
        outcome, attempted = make_call(entry, args, sim)
    except Exception as crash:  # what this whole module is about
        return Verdict("crash", f"{type(crash).__name__}: {shown(crash, 60)}", _describe(crash))
    try:
        after = sim.snapshot()
        if outcome != "ok" and after != before:
            changed = sorted(k for k in after if after[k] != before.get(k))
            return Verdict("changed on refusal", str(changed), f"{entry.name} {outcome}")
        attempts = [e for e in sim.trace if e.operation not in _WORK]
        if attempted and (
            len(attempts) != 1
            or attempts[0].operation != entry.operation
            or attempts[0].outcome != outcome
            or sim.trace[0] != attempts[0]  # the attempt is the first entry (seq 0)
        ):
            logged = [(e.operation, e.outcome) for e in sim.trace]
            return Verdict("logged wrong", outcome, f"{entry.name}: {logged}")
        if not attempted and attempts and not entry.may_log:
            return Verdict("logged wrong", outcome, f"{entry.name}: logged without a call")
        for line in sim.trace_jsonl().splitlines():
            _strict_json(line)
        _strict_json(json.dumps(after, allow_nan=False))
        if Simulation.restore(after, usage_models=()).snapshot() != after:
            return Verdict("corrupted", "restore differs", entry.name)
        step = Step(before_world, None, outcome, sim)
        checks = (*STATE_CHECKS, *STEP_CHECKS) if outcome == "ok" else STEP_CHECKS
        for check in checks:
            if not check.holds_in(step if check.on == "step" else sim):
                return Verdict("invariant broken", check.name, f"{entry.name} {outcome}")
    except Exception as crash:
        return Verdict("corrupted", f"{type(crash).__name__}: {shown(crash, 60)}", _describe(crash))
    return Verdict("ok" if outcome == "ok" else "refused")


def draw_input(rng: random.Random) -> tuple[EntryPoint, tuple[Any, ...], str]:
    """One input: an entry point, its drawn arguments, and the world to call it on."""
    entry = rng.choice(ENTRY_POINTS)
    return entry, entry.draw(rng), rng.choice(sorted(WORLDS))


# ------------------------------------------------------------------------------ the tests

EXAMPLES = int(os.environ.get("SLR_FSM_HOSTILE_EXAMPLES", "1000"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_entry_point_answers_or_refuses_and_a_refusal_changes_nothing(seed):
    """Any drawn input to any entry point ends in a success or a typed slr_fsm error; a refusal
    leaves the world as it was, a face logs the attempt once, and the world stays possible."""
    entry, args, world_name = draw_input(random.Random(seed))
    verdict = check_input(entry, args, world_name)
    assert not verdict.problem, (entry.name, verdict)


# ------------------------------------------------------------------------------ each cause, pinned

BIG = 10**5000
DEEP = _nested(5000, 1)
HOSTILE = {
    "an int of 5001 digits": BIG,
    "a list nested 5000 deep": DEEP,
    "an object whose repr raises": HostileRepr(),
    "a string of 100,000 characters": "x" * 100_000,
    "NaN": math.nan,
}
hostile = pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))


def _refused_once(sim: Simulation, call: Callable[[], Any], operation: str) -> AwsError:
    """Make a face call that must be refused: typed, logged once, changing nothing."""
    before = sim.snapshot()
    with pytest.raises(AwsError) as refused:
        call()
    assert sim.snapshot() == before
    assert [(e.operation, e.outcome) for e in sim.trace] == [(operation, refused.value.code)]
    assert len(str(refused.value)) < 4000  # the value is shown bounded, never whole
    _strict_json(sim.trace_jsonl())
    return refused.value


FACE_CALLS: dict[str, tuple[str, Callable[[Simulation, Any], Any]]] = {
    "get_role(RoleName=v)": ("get_role", lambda s, v: s.iam(MANAGEMENT).get_role(RoleName=v)),
    "list_roles(MaxItems=v)": ("list_roles", lambda s, v: s.iam(MANAGEMENT).list_roles(MaxItems=v)),
    "tag_role(Tags=[{Key: v}])": (
        "tag_role",
        lambda s, v: s.iam(MANAGEMENT).tag_role(RoleName=ROLE, Tags=[{"Key": v, "Value": "x"}]),
    ),
    "simulate_principal_policy(ActionNames=[v])": (
        "simulate_principal_policy",
        lambda s, v: s.iam(MANAGEMENT).simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{MANAGEMENT}:user/admin", ActionNames=[v]
        ),
    ),
    "attach_purchase_order(v, v)": (
        "attach_purchase_order",
        lambda s, v: s.marketplace(MEMBER).attach_purchase_order(v, v),
    ),
    "assume_role(RoleArn=v)": (
        "assume_role",
        lambda s, v: s.sts(MANAGEMENT).assume_role(RoleArn=v, RoleSessionName="x"),
    ),
    "describe_account(AccountId=v)": (
        "describe_account",
        lambda s, v: s.organizations(MANAGEMENT).describe_account(AccountId=v),
    ),
}


@hostile
@pytest.mark.parametrize("call", list(FACE_CALLS), ids=list(FACE_CALLS))
def test_a_face_refuses_a_hostile_value_before_showing_it(call, value):
    """Cause 2: a face formats a caller's value only in a bounded, safe form, so an int of
    thousands of digits, a list nested past the recursion limit or an object whose repr raises
    is refused with AWS's ValidationError (logged once, nothing changed), never a ValueError or
    RecursionError."""
    operation, make = FACE_CALLS[call]
    sim = world("active")
    if call == "list_roles(MaxItems=v)" and isinstance(value, str):
        value = BIG  # a long string is a type error here, shown like any other value
    refused = _refused_once(sim, lambda: make(sim, value), operation)
    assert refused.code in ("ValidationError", "InvalidInputException", "AccessDenied")


@hostile
def test_world_helpers_refuse_a_hostile_value_with_a_usage_error(value):
    """Cause 2 and 3: the helpers outside the faces check their arguments and show them bounded:
    a UsageError (or InvalidClientTokenId for a caller) that changes nothing."""
    sim = world("active")
    before = sim.snapshot()
    for call in (
        lambda: sim.iam(value),
        lambda: sim.marketplace(MANAGEMENT, value),
        lambda: sim.advance(value),
        lambda: sim.advance([value]),
        lambda: sim.add_account(value),
        lambda: sim.add_principal(MANAGEMENT, value),
        lambda: sim.add_principal(MANAGEMENT, "p", value),
        lambda: sim.add_organization(value),
        lambda: sim.add_subscription(MANAGEMENT, value, "Suite"),
        lambda: sim.inject_creation_failure(value),
        lambda: sim.set_usage_reporting(value),
        lambda: sim.role(MANAGEMENT, value),
        lambda: sim.add_subscription(MANAGEMENT, "us-east-1", value),
        lambda: sim.same_state(value),
        lambda: Simulation.restore(value),
        lambda: Latencies(creation=value),
        lambda: Move("iam", "get_role", MANAGEMENT, "admin", value),
        lambda: resolve_invariants(value),
    ):
        with pytest.raises(SlrFsmError) as refused:
            call()
        assert len(str(refused.value)) < 4000
    assert sim.snapshot() == before
    assert len(sim.trace) == 0


HELPER_CALLS: dict[str, Callable[[Simulation], Any]] = {
    "sim.advance(10**400)": lambda sim: sim.advance(10**400),
    "Latencies(creation=-10**5000)": lambda sim: Latencies(creation=-(10**5000)),
    "evaluate(doc, 5, '*')": lambda sim: evaluate(PolicyDocument.allow_all(), 5, "*"),
    "evaluate(5, action, '*')": lambda sim: evaluate(5, "iam:GetRole", "*"),
    "evaluate('{}', action, '*')": lambda sim: evaluate("{}", "iam:GetRole", "*"),
    "evaluate(doc, action, None)": lambda sim: evaluate(
        PolicyDocument.allow_all(), "iam:GetRole", None
    ),
    "evaluate(doc, action, '*', {'k': 5})": lambda sim: evaluate(
        PolicyDocument.allow_all(), "iam:GetRole", "*", {"k": 5}
    ),
    "sim.add_principal(M, 'p', 5)": lambda sim: sim.add_principal(MANAGEMENT, "p", 5),
    "trust_allows('x', service='y')": lambda sim: trust_allows("x", service="y"),
    "trust_allows(trust, service=None)": lambda sim: trust_allows(
        PolicyDocument.parse(TRUST, kind="trust"), service=None
    ),
    "sim.add_account(0)": lambda sim: sim.add_account(0),
    "resolve_invariants(5)": lambda sim: resolve_invariants(5),
    "Move(..., params=5).apply": lambda sim: Move("iam", "get_role", MANAGEMENT, "admin", 5).apply(
        sim
    ),
    "Move('iam', 5, M).apply": lambda sim: Move("iam", 5, MANAGEMENT).apply(sim),
    "Move('clock', ['x'])": lambda sim: Move("clock", ["x"]),
    "sim.decide('admin', ...)": lambda sim: sim.decide("admin", "iam:GetRole", "*"),
    "wildcard_match(..., case_sensitive='yes')": lambda sim: wildcard_match(
        "*", "x", case_sensitive="yes"
    ),
    "error_class_for_code([...])": lambda sim: error_class_for_code(["NoSuchEntity"]),
    "face_of([...])": lambda sim: face_of(["get_role"]),
    "resolve_params(sim, M, 5)": lambda sim: resolve_params(sim, MANAGEMENT, 5),
    "Faults(0, {})": lambda sim: Faults(0, {}),
    "sim.add_subscription(M, 'x' * 5000, 'p')": lambda sim: sim.add_subscription(
        MANAGEMENT, "x" * 5000, "p"
    ),
}


@pytest.mark.parametrize("call", list(HELPER_CALLS), ids=list(HELPER_CALLS))
def test_helpers_check_their_arguments(call):
    """Cause 3: each helper the issue found crashing (OverflowError, TypeError, AttributeError)
    or answering ``None`` with ALLOW refuses its bad argument with a UsageError instead."""
    sim = world("default")
    with pytest.raises(SlrFsmError):
        HELPER_CALLS[call](sim)
    assert len(sim.trace) == 0


def test_add_organization_never_replaces_one_with_the_same_id():
    """Cause 5: an organization id already in the world is refused, and the world keeps its
    organization (its management account is never turned into a member)."""
    sim = world("default")
    org = sim.organization
    before = sim.snapshot()
    with pytest.raises(SlrFsmError, match="already in this world"):
        sim.add_organization("210987654321", ["310987654321"], organization_id=org.organization_id)
    assert sim.snapshot() == before
    assert sim.organizations == (org,)
    assert sim.served_accounts(org.management_account) == tuple(a.account_id for a in org.accounts)


@pytest.mark.parametrize("org_id", ["o-", "o-x", "o-ABCDEFGHIJ", "o-" + "a" * 33, "o-é" * 6, "x"])
def test_add_organization_refuses_an_id_aws_would_not_issue(org_id):
    """Cause 5: an organization id matches ``^o-[a-z0-9]{10,32}$``, so every world snapshots and
    restores (an id AWS would never issue used to break ``snapshot()`` later)."""
    sim = world("default")
    before = sim.snapshot()
    with pytest.raises(SlrFsmError, match="organization id"):
        sim.add_organization("210987654321", organization_id=org_id)
    assert sim.snapshot() == before
    added = sim.add_organization("210987654321", organization_id="o-" + "a" * 32)
    assert Simulation.restore(sim.snapshot()).organizations[-1] == added


def test_a_user_named_like_the_service_never_hides_the_service():
    """Cause 6: an IAM user may be named like a service principal (IAM's user-name pattern
    allows it), but the string still names the service, so the service assumes its role and
    no invariant reports a false counterexample; the user is reached through its Principal."""
    sim = world("active")
    user = sim.add_principal(MANAGEMENT, SERVICE, [ALLOW_ALL])
    arn = sim.role(MANAGEMENT).arn
    answer = sim.sts(MANAGEMENT, SERVICE).assume_role(RoleArn=arn, RoleSessionName="po")
    assert answer["AssumedRoleUser"]["Arn"].endswith(f"/{ROLE}/po")
    with pytest.raises(AwsError, match="AccessDenied"):
        sim.sts(MANAGEMENT, user).assume_role(RoleArn=arn, RoleSessionName="po")
    assert sim.iam(MANAGEMENT, user).get_role(RoleName=ROLE)["Role"]["Arn"] == arn
    broken = [i.name for i in STATE_CHECKS if not i.holds_in(sim)]
    assert broken == []
    assert Simulation.restore(sim.snapshot()).snapshot() == sim.snapshot()


@pytest.mark.parametrize(
    "variant", [SERVICE.upper(), SERVICE.title(), SERVICE.replace("orders", "Orders")]
)
def test_a_service_principal_in_another_case_is_not_the_service(variant):
    """Cause 6: service principals are case-sensitive (IAM's API reference, AWSServiceName:
    "Service principals are unique and case-sensitive"), so a variant in another case is not
    the trusted service: it cannot assume the role, and the refusal is logged."""
    sim = world("active")
    arn = sim.role(MANAGEMENT).arn
    with pytest.raises(AwsError) as refused:
        sim.sts(MANAGEMENT, variant).assume_role(RoleArn=arn, RoleSessionName="po")
    assert refused.value.code in ("AccessDenied", "InvalidClientTokenId")
    assert [e.outcome for e in sim.trace] == [refused.value.code]


def test_user_names_are_unique_regardless_of_case():
    """IAM user names are unique in an account regardless of case (CreateUser: "Names are not
    distinguished by case"): ADMIN beside admin is refused, and a caller is named exactly."""
    sim = world("default")
    with pytest.raises(SlrFsmError, match="regardless of case"):
        sim.add_principal(MANAGEMENT, "ADMIN")
    with pytest.raises(AwsError, match="named exactly as the user was added"):
        sim.iam(MANAGEMENT, "ADMIN")
    assert sim.add_principal(STANDALONE, "ADMIN2").name == "ADMIN2"


@pytest.mark.parametrize("face_name", ["iam", "console", "organizations", "sts"])
def test_an_unknown_caller_can_be_refused_call_by_call_and_logged(face_name):
    """Cause 9: with ``unknown_caller="refuse_each_call"`` (how AWS treats bad credentials, and
    STS's default), a face for a caller the world lacks is built, and each call is refused with
    InvalidClientTokenId and logged once."""
    sim = world("active")
    builders = {
        "iam": lambda: sim.iam("999999999999", unknown_caller="refuse_each_call").list_roles,
        "console": lambda: (
            sim.marketplace(MANAGEMENT, "ghost", unknown_caller="refuse_each_call").subscriptions
        ),
        "organizations": lambda: (
            sim.organizations(
                "999999999999", unknown_caller="refuse_each_call"
            ).describe_organization
        ),
        "sts": lambda: sim.sts("999999999999").get_caller_identity,
    }
    call = builders[face_name]()
    for _ in range(2):
        with pytest.raises(AwsError, match="security token"):
            call()
    assert [e.outcome for e in sim.trace] == ["InvalidClientTokenId"] * 2
    assert [e.operation for e in sim.trace] == [call.__name__] * 2


def test_a_refusal_of_the_librarys_own_is_logged_too():
    """Cause 9: an attempt refused by a RequestNotSimulated (a UsageError raised inside the
    attempt) is logged once, under its class name, like an AWS refusal."""
    sim = world("active")
    with pytest.raises(SlrFsmError):
        sim.iam(MANAGEMENT).get_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert [(e.operation, e.outcome) for e in sim.trace] == [("get_policy", "RequestNotSimulated")]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_the_log_is_strict_json_even_for_nan(value):
    """Cause 9: a NaN or an infinity given as a parameter is logged in a bounded text form, so
    ``trace_jsonl()`` writes strict JSON (``NaN`` is not JSON)."""
    sim = world("active")
    with pytest.raises(AwsError):
        sim.iam(MANAGEMENT).list_roles(MaxItems=value)
    (line,) = sim.trace_jsonl().splitlines()
    assert _strict_json(line)["parameters"] == {"MaxItems": str(value)}
    json.dumps(sim.snapshot(), allow_nan=False)


FACE_ENTRIES = [e for e in ENTRY_POINTS if e.operation is not None and " " not in e.name]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entry=st.sampled_from(FACE_ENTRIES),
    values=st.dictionaries(
        st.sampled_from(["RoleName", "Description", "MaxItems", "Tags", "RoleArn", "AccountId"]),
        hostile_values(),
        max_size=3,
    ),
)
def test_a_face_call_with_hostile_parameters_is_answered_or_refused_once(entry, values):
    """A face call with hostile values in place of its parameters (hypothesis shrinks a failure
    to the simplest one) answers or refuses with a typed error, logged once, changing nothing
    on refusal."""
    rng = random.Random(0)
    *_, kwargs = entry.draw(rng)
    if isinstance(kwargs, dict):
        kwargs = {**kwargs, **{name: made(recipe) for name, recipe in values.items()}}
    verdict = check_input(entry, (MANAGEMENT, "admin", kwargs), "active")
    assert not verdict.problem, verdict


# ------------------------------------------------------------------------------ the bridge and replays


@pytest.mark.parametrize("service", ["iam", "organizations"])
def test_bridged_calls_of_an_unknown_caller_are_logged(service):
    """Cause 9, through boto3: each bridged call of an unknown caller is refused and logged."""
    from botocore.exceptions import ClientError

    from slr_fsm.boto import iam_client, organizations_client

    sim = world("active")
    client = (iam_client if service == "iam" else organizations_client)(sim, "999999999999")
    call = client.list_roles if service == "iam" else client.describe_organization
    with pytest.raises(ClientError):
        call()
    assert [e.outcome for e in sim.trace] == ["InvalidClientTokenId"]


def test_replay_log_replays_every_logged_refusal():
    """Cause 9: every attempt is logged, so a log may hold an unknown caller's refused calls and
    the library's own refusals (RequestNotSimulated); replaying it makes them again."""
    from slr_fsm.trace import replay_log

    sim = world("active")
    start = sim.snapshot()
    with pytest.raises(SlrFsmError):
        sim.iam(MANAGEMENT).get_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    with pytest.raises(AwsError):
        sim.iam("999999999999", unknown_caller="refuse_each_call").list_roles()
    again = replay_log(start, sim.trace)
    assert again.trace_jsonl() == sim.trace_jsonl()


def test_a_bridged_client_for_a_hostile_account_refuses_per_call():
    """Cause 2, through boto3: building a client never formats a hostile account value."""
    from botocore.exceptions import ClientError

    from slr_fsm.boto import iam_client

    client = iam_client(world("active"), BIG)
    with pytest.raises(ClientError):
        client.list_roles()


@pytest.mark.parametrize("bound", ["max_states", "max_seconds"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -1, 0])
def test_explore_refuses_bounds_that_are_not_finite_and_positive(bound, value):
    """Cause 7: NaN or infinity would switch the explorer's bounds off; they are refused."""
    from slr_fsm.explore import explore

    with pytest.raises(SlrFsmError):
        explore(small_world(), depth=1, **{bound: value})


def test_explore_takes_a_huge_int_bound_without_overflowing():
    """Cause 7: a bound of 10**400 states is finite and positive: accepted, not a crash."""
    from slr_fsm.explore import explore

    assert explore(small_world(), depth=1, max_states=10**400).complete


def test_the_cli_refuses_a_nan_bound(capsys):
    """Cause 7: ``slr-fsm explore --max-seconds nan`` is refused (exit 2), never run unbounded."""
    from slr_fsm.cli import main

    assert main(["explore", "--depth", "1", "--max-seconds", "nan", "--quiet"]) == 2
    assert "max_seconds" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["missing/dir/x.mmd", "a directory.mmd"])
def test_the_cli_reports_an_unwritable_out_file(where, tmp_path, capsys):
    """Cause 8: ``slr-fsm diagram --out`` into a missing directory or onto a directory is a
    one-line error and exit 2, never a traceback."""
    from slr_fsm.cli import main

    (tmp_path / "a directory.mmd").mkdir()
    assert main(["diagram", "--out", str(tmp_path / where)]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err.lower()
    assert err.count("\n") == 1
