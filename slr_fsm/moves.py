"""One vocabulary of actions: faces by name, well-formed parameters, and moves.

The explorer, the hypothesis state machine and the strategies all act on a simulation through
what this module defines, so they agree on what an action is and on its default parameters:

- :func:`face` picks a face (``"iam"``, ``"console"``, ``"sts"``) of a simulation by name;
- :func:`well_formed_params` is the simplest valid request of an IAM operation, aimed at one
  role spec's role (values a move resolves when it is made, such as the latest deletion task,
  the caller's own user, or a list parameter, are markers: plain strings, so moves stay
  hashable and print as Python);
- a :class:`Move` is one operation by one principal in one account, the clock running, or a
  fault; :func:`default_moves` derives every move of a world from the operation tables, the
  lifecycle table and the world's role specs.

>>> from slr_fsm.moves import default_moves, small_world
>>> moves = default_moves(small_world())
>>> sorted({m.face for m in moves})
['clock', 'console', 'iam']
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from slr_fsm.accounts import Account
from slr_fsm.errors import AwsError, UsageError
from slr_fsm.face import UnknownCaller
from slr_fsm.iam_operations import IAM_OPERATIONS, IamOperation
from slr_fsm.lifecycle import LIFECYCLE, TRANSITIONS, Cause, Lifecycle
from slr_fsm.marketplace import CONSOLE_OPERATIONS
from slr_fsm.shown import shown
from slr_fsm.simulation import Simulation
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS, RoleSpec

__all__ = [
    "FACES",
    "FAULT_MOVE",
    "LATEST_TASK",
    "PO_NUMBER",
    "Move",
    "caller_user_marker",
    "default_moves",
    "face",
    "face_of",
    "json_marker",
    "latest_task_marker",
    "resolve_params",
    "small_world",
    "well_formed_params",
]

FACES: dict[str, frozenset[str]] = {
    "iam": frozenset(op.method for op in IAM_OPERATIONS),
    "console": frozenset(CONSOLE_OPERATIONS),
    "sts": frozenset({"assume_role", "get_caller_identity"}),
    "organizations": frozenset(
        {
            "describe_organization",
            "list_accounts",
            "describe_account",
            "list_roots",
            "list_aws_service_access_for_organization",
        }
    ),
}
"""Each face of a simulation, by name, and the operations it answers."""

LATEST_TASK = "<latest task>"
"""A DeletionTaskId parameter meaning: the account's most recent deletion task (any role)."""
PO_NUMBER = "PO-1"
"""The purchase-order number moves attach and detach."""

_JSON = "<json:"
_LISTS = frozenset({"Tags", "TagKeys", "ActionNames", "ResourceArns", "ContextEntries"})
"""The list parameters a move carries as a :func:`json_marker`."""


def json_marker(value: Any) -> str:
    """A list (or other JSON) parameter as a move carries it: text, resolved when the move is
    made (a move's parameters stay hashable, and print as Python a generated test can use).

    >>> json_marker(["slr-fsm"])
    '<json:["slr-fsm"]>'
    """
    return f"{_JSON}{json.dumps(value, separators=(',', ':'))}>"


def caller_user_marker(name: str) -> str:
    """A PolicySourceArn meaning: the ARN of user ``name`` in the calling account (resolved when
    the move is made)."""
    return f"<user {name} of the calling account>"


_FILLERS: dict[str, str] = {
    "Description": "edited by slr_fsm",
    "PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "PolicyName": "extra",
    "PolicyDocument": '{"Version":"2012-10-17","Statement":[]}',
    "UserName": "admin",
    "GroupName": "admins",
    "PolicySourceArn": caller_user_marker("admin"),
    "Tags": json_marker([{"Key": "slr-fsm", "Value": "explored"}]),
    "TagKeys": json_marker(["slr-fsm"]),
    "ActionNames": json_marker(["iam:GetRole"]),
}
"""Well-formed values for parameters that do not name the role."""


def latest_task_marker(spec: RoleSpec) -> str:
    """A DeletionTaskId parameter meaning: the account's most recent deletion task of ``spec``'s
    role (resolved when the move is made)."""
    return f"<latest task of {spec.role_name}>"


def face(
    sim: Simulation,
    name: str,
    account: object,
    principal: object = None,
    *,
    unknown_caller: UnknownCaller | None = None,
) -> Any:
    """A face of ``sim`` by name, as ``principal`` in ``account``: ``sim.iam(...)`` for
    ``"iam"``, ``sim.marketplace(...)`` for ``"console"``, ``sim.sts(...)`` for ``"sts"``,
    ``sim.organizations(...)`` for ``"organizations"``. ``unknown_caller`` (default: the
    face's own) says how it treats a caller the world does not hold (see
    :mod:`slr_fsm.face`): a replay of a log passes ``"refuse_each_call"``, so that such a
    caller's logged refusals are made, and logged, again."""
    if not isinstance(sim, Simulation):
        raise UsageError(f"face() takes a Simulation, got {shown(sim)}")
    given: object = name
    if not isinstance(given, str):  # compared below with strings only: no hostile __eq__ runs
        raise UsageError(f"A face is one of {sorted(FACES)}, got {shown(given)}")
    builder = _FACE_BUILDERS.get(str.__str__(name))
    if builder is not None:
        mode = {} if unknown_caller is None else {"unknown_caller": unknown_caller}
        return getattr(sim, builder)(account, principal, **mode)
    raise UsageError(f"A face is one of {sorted(FACES)}, got {shown(name)}")


def face_of(operation: str) -> str:
    """The face that answers an operation (IAM's and the console's names do not overlap)."""
    for name, operations in FACES.items():
        if isinstance(operation, str) and str.__str__(operation) in operations:
            return name
    raise UsageError(f"No face answers {shown(operation)}.")


def well_formed_params(
    op: IamOperation, spec: RoleSpec = MARKETPLACE_PURCHASE_ORDERS
) -> dict[str, Any]:
    """The simplest well-formed request of ``op``: its required parameters only, aimed at
    ``spec``'s role and its managed policy (a DeletionTaskId is :func:`latest_task_marker`, a
    PolicySourceArn :func:`caller_user_marker`, a list a :func:`json_marker`: a move resolves
    them, see :func:`resolve_params`).

    >>> from slr_fsm.iam_operations import IAM_OPERATIONS_BY_METHOD as OPS
    >>> well_formed_params(OPS["delete_service_linked_role"])
    {'RoleName': 'AWSServiceRoleForMarketplacePurchaseOrders'}
    """
    named = {
        "AWSServiceName": spec.service_principal,
        "RoleName": spec.role_name,
        "DeletionTaskId": latest_task_marker(spec),
        "PolicyArn": spec.managed_policy_arn,
        "VersionId": spec.managed_policy_version,
    }
    return {p.name: named.get(p.name, _FILLERS.get(p.name, "x")) for p in op.params if p.required}


def small_world(seed: int = 0, *, lifecycle: Lifecycle = LIFECYCLE) -> Simulation:
    """The explorer's default world: an organization (management account and one member), one
    standalone account, ``admin`` and ``readonly`` in each, and the member's two subscriptions,
    one in each of two Regions."""
    sim = Simulation(seed, lifecycle=lifecycle)
    sim.add_organization(Account("111122223333", "management"), [Account("444455556666", "member")])
    sim.add_account(Account("123456789012", "standalone"))
    for region in ("us-east-1", "eu-west-1"):
        sim.add_subscription("444455556666", region, f"Analytics suite ({region})")
    return sim


@attrs.frozen
class Move:
    """One operation by one principal in one account, or the clock running, or a fault."""

    face: str
    operation: str
    account_id: str = ""
    principal: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.face, str) or self.face not in (*FACES, "clock", "fault"):
            raise UsageError(
                f"A move's face is one of {[*FACES, 'clock', 'fault']}; got {shown(self.face)}"
            )
        known = FACES.get(str.__str__(self.face))
        if not isinstance(self.operation, str) or (
            known is not None and str.__str__(self.operation) not in known
        ):
            raise UsageError(
                f"{self.face} has no operation {shown(self.operation)}; it has "
                f"{sorted(known or ())}."
            )
        if not isinstance(self.params, tuple) or not all(
            isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in self.params
        ):
            raise UsageError(f"A move's params are (name, value) pairs, got {shown(self.params)}")
        for label, value in (("account_id", self.account_id), ("principal", self.principal)):
            if not isinstance(value, str):
                raise UsageError(f"A move's {label} is a string, got {shown(value)}")

    def __str__(self) -> str:
        if self.face in ("clock", "fault"):
            return self.operation
        args = ", ".join(f"{k}={_python(v)}" for k, v in self.params)
        return f"{self.principal}@{self.account_id} {self.face}.{self.operation}({args})"

    def apply(self, sim: Simulation, faces: dict[tuple[str, str, str], Any] | None = None) -> str:
        """Make the move on ``sim``; return ``"ok"``, the AWS error code, or ``"idle"`` for a
        clock with nothing to run (or a fault already planned).

        ``faces``: where to keep the face this move builds, and find it again, for further
        moves on the same ``sim`` (as a caller keeps a client for many calls); the explorer
        passes one a world, and a fresh one whenever the world's state changed."""
        if not isinstance(sim, Simulation):
            raise UsageError(f"A move is made on a Simulation, got {shown(sim)}")
        if self.face == "clock":
            if not sim.pending_work:
                return "idle"
            sim.run_next()
            return "ok"
        if self.face == "fault":
            if sim.faults.creation_failures:
                return "idle"
            sim.inject_creation_failure(1)
            return "ok"
        try:
            given, markers = _prepared(self)
        except TypeError:  # a parameter value that cannot be hashed: nothing kept for it
            given, markers = _prepared.__wrapped__(self)
        params = resolve_params(sim, self.account_id, given) if markers else dict(given)
        caller = (self.face, self.account_id, self.principal)
        built = None if faces is None else faces.get(caller)
        if built is None:
            built = getattr(sim, _FACE_BUILDERS[self.face])(self.account_id, self.principal)
            if faces is not None:
                faces[caller] = built
        _check_takes(type(built), self.operation, frozenset(params))
        try:
            getattr(built, self.operation)(**params)
        except AwsError as refused:
            return refused.code
        return "ok"

    def to_json_value(self) -> dict[str, Any]:
        """The move as plain JSON data."""
        return {
            "face": self.face,
            "operation": self.operation,
            "account_id": self.account_id,
            "principal": self.principal,
            "params": dict(self.params),
        }


_FACE_BUILDERS = {
    "iam": "iam",
    "console": "marketplace",
    "sts": "sts",
    "organizations": "organizations",
}
"""The :class:`~slr_fsm.simulation.Simulation` method that builds each face (see :func:`face`)."""


@functools.lru_cache(maxsize=4096)
def _prepared(move: Move) -> tuple[dict[str, Any], bool]:
    """A move's parameters, and whether any of them is a marker :func:`resolve_params` must
    resolve when the move is made (most moves carry none: they skip it)."""
    params = dict(move.params)
    markers = any(
        isinstance(value, str) and value.startswith(("<json:", "<user ", "<latest task"))
        for value in params.values()
    )
    return params, markers


@functools.lru_cache(maxsize=4096)
def _mismatch(face_type: type, operation: str, names: frozenset[str]) -> str | None:
    """Why a face's method cannot take parameters of these names, or ``None`` (its signature
    depends on the names alone, so the answer is kept)."""
    try:
        inspect.signature(getattr(face_type, operation)).bind(None, **dict.fromkeys(names))
    except TypeError as mismatch:
        return str(mismatch)
    return None


def _check_takes(face_type: type, operation: str, names: frozenset[str]) -> None:
    """Refuse parameters a face's method cannot take at all (the console's methods take named
    arguments of their own; the AWS faces take any, and validate them as AWS does)."""
    mismatch = _mismatch(face_type, operation, names)
    if mismatch is not None:
        raise UsageError(
            f"{face_type.__name__}.{operation}() cannot take {shown(sorted(names))}: {mismatch}"
        )


def _python(value: Any) -> str:
    """A parameter as Python source (``repr``), or a bounded placeholder when it has none."""
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__, an int too long to print, a list nested too deep
        return shown(value)
    return text if isinstance(text, str) else shown(value)


def resolve_params(sim: Simulation, account_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with their markers resolved: a latest-task marker by that task's id (or by a
    well-formed id of no task, when the account has none), a :func:`caller_user_marker` by the
    user's ARN in ``account_id``, a :func:`json_marker` by its value."""
    if not isinstance(sim, Simulation):
        raise UsageError(f"resolve_params() takes a Simulation, got {shown(sim)}")
    if not isinstance(params, Mapping):
        raise UsageError(f"params map parameter names to values, got {shown(params)}")
    if not isinstance(account_id, str):
        raise UsageError(f"account_id is a 12-digit string, got {shown(account_id)}")
    params = dict(params)
    for name in _LISTS & params.keys():
        value = params[name]
        if isinstance(value, str) and value.startswith(_JSON) and value.endswith(">"):
            try:
                params[name] = json.loads(value[len(_JSON) : -1])
            except (ValueError, RecursionError):
                raise UsageError(f"{name}: not a JSON marker, {shown(value)}") from None
    source = params.get("PolicySourceArn")
    if (
        isinstance(source, str)
        and source.startswith("<user ")
        and source.endswith(" of the calling account>")
    ):
        user = source.removeprefix("<user ").removesuffix(" of the calling account>")
        params["PolicySourceArn"] = f"arn:aws:iam::{account_id}:user/{user}"
    marker = params.get("DeletionTaskId")
    if not isinstance(marker, str) or not marker.startswith("<latest task"):
        return params
    specs = [s for s in sim.specs if marker in (LATEST_TASK, latest_task_marker(s))]
    names = {s.role_name for s in specs}
    tasks = [t for t in sim.deletion_tasks if t.account_id == account_id and t.role_name in names]
    spec = specs[0] if specs else sim.specs[0]
    task_id = (
        tasks[-1].task_id
        if tasks
        else f"{spec.deletion_task_prefix()}00000000-0000-4000-8000-000000000000"
    )
    return {**params, "DeletionTaskId": task_id}


def default_moves(
    world: Simulation, principals: Sequence[str] = ("admin", "readonly")
) -> tuple[Move, ...]:
    """Every move in ``world``, derived from the operation tables, the lifecycle table and the
    world's role specs: each IAM operation (well-formed, aimed at each role) and each console
    operation by each principal in each account, and the clock, since the table has
    clock-fired triggers. Add :data:`FAULT_MOVE` to explore injected creation failures too."""
    moves: list[Move] = []
    console = world.spec_for_service(MARKETPLACE_PURCHASE_ORDERS.service_principal) is not None
    for account in world.accounts:
        acct = account.account_id
        for principal in principals:
            for op in IAM_OPERATIONS:
                seen: set[tuple[tuple[str, Any], ...]] = set()
                for spec in world.specs:
                    params = tuple(well_formed_params(op, spec).items())
                    if params not in seen:  # an operation that names no role: once
                        seen.add(params)
                        moves.append(Move("iam", op.method, acct, principal, params))
            if console:
                moves.extend(_console_moves(world, acct, principal))
    if any(row.cause is Cause.CLOCK for row in TRANSITIONS):
        moves.append(Move("clock", "run the next background work"))
    return tuple(moves)


def _console_moves(world: Simulation, account_id: str, principal: str) -> list[Move]:
    moves: list[Move] = []
    for name in CONSOLE_OPERATIONS:
        if name in ("attach_purchase_order", "detach_purchase_order"):
            moves.extend(
                Move(
                    "console",
                    name,
                    account_id,
                    principal,
                    (("subscription_id", sub.subscription_id), ("po_number", PO_NUMBER)),
                )
                for sub in world.subscriptions_of(account_id)
            )
        else:
            moves.append(Move("console", name, account_id, principal))
    return moves


FAULT_MOVE = Move("fault", "plan one creation failure")
"""A move that plans one creation failure (when none is planned already)."""
