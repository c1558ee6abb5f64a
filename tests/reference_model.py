"""An independent reference model of AWSServiceRoleForMarketplacePurchaseOrders' expected outcomes.

Written from the AWS page in the seed, the domain notes (sections 1-4) and the README's "What is
modelled" and "Modelling decisions", without reading the simulation's lifecycle, world or faces.
It predicts the outcome of each call ("ok" or an AWS error code) as plain if/else rules, checked in
the README's order (decision 14): parameters, service name and suffix, permissions, the role's
existence and state, then guards. Tests run it beside the real ``Simulation`` and compare. The
rules for tags, managed policies and SimulatePrincipalPolicy are in ``tests/reference_policies.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from tests.reference_policies import (
    EXTRA_OPS,
    POLICY_DOCUMENT,
    expect_extra,
    extra_param_valid,
    merge_tags,
    refused_before_permission,
    resolve_markers,
    simulation_decisions,
    without_tags,
)

__all__ = ["CONSOLE_OPS", "IAM_OPS", "ReferenceModel", "check_agreement", "run_and_compare"]

ROLE_NAME = "AWSServiceRoleForMarketplacePurchaseOrders"
SERVICE = "purchase-orders.marketplace.amazonaws.com"

# The default principals' identity policies (slr_fsm/accounts.py): allowed action patterns.
DEFAULT_POLICIES = {
    "admin": ("*",),
    "readonly": ("iam:Get*", "iam:List*", "purchase-orders:View*", "sts:GetCallerIdentity"),
}

_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)  # AWS's \w is ASCII-only
_NAME_LIMITS = {"RoleName": 64, "AWSServiceName": 128, "CustomSuffix": 64, "PolicyName": 128,
                "UserName": 64, "GroupName": 128}
_PO_NUMBER = re.compile(r"[A-Za-z0-9 ._/#-]{1,50}")
_TASK_ID = re.compile(r"task/aws-service-role/[\w+=,.@-]+/[\w+=,.@-]+/[0-9a-fA-F-]{36}")
_OUR_TASK_ID = re.compile(
    rf"task/aws-service-role/{re.escape(SERVICE)}/{ROLE_NAME}/[0-9a-f-]{{36}}"
)
_ROLE_ID = re.compile(r"AROA[A-Z2-7]{17}")  # decision 15: AROA + 17 base-32 characters

# operation -> (required params, optional params); every IAM operation names its IAM action.
IAM_OPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "create_service_linked_role": (("AWSServiceName",), ("Description", "CustomSuffix")),
    "delete_service_linked_role": (("RoleName",), ()),
    "get_service_linked_role_deletion_status": (("DeletionTaskId",), ()),
    "update_role_description": (("RoleName", "Description"), ()),
    "update_role": (
        ("RoleName",),
        ("Description", "MaxSessionDuration", "MaxSigninSessionDuration",
         "ResetMaxSigninSessionDuration"),
    ),
    "get_role": (("RoleName",), ()),
    "list_roles": ((), ("PathPrefix", "Marker", "MaxItems")),
    "list_attached_role_policies": (("RoleName",), ("PathPrefix", "Marker", "MaxItems")),
    "update_assume_role_policy": (("RoleName", "PolicyDocument"), ()),
    "attach_role_policy": (("RoleName", "PolicyArn"), ()),
    "detach_role_policy": (("RoleName", "PolicyArn"), ()),
    "put_role_policy": (("RoleName", "PolicyName", "PolicyDocument"), ()),
    "delete_role_policy": (("RoleName", "PolicyName"), ()),
    "delete_role": (("RoleName",), ()),
    "put_role_permissions_boundary": (("RoleName", "PermissionsBoundary"), ()),
    "delete_role_permissions_boundary": (("RoleName",), ()),
    **EXTRA_OPS,
}
#: The operations only AWS may perform on a service-linked role (domain notes, section 3).
PROTECTED_OPS = frozenset(
    {
        "update_assume_role_policy",
        "attach_role_policy",
        "detach_role_policy",
        "put_role_policy",
        "delete_role_policy",
        "delete_role",
        "put_role_permissions_boundary",
        "delete_role_permissions_boundary",
    }
)
CONSOLE_OPS: dict[str, tuple[tuple[str, ...], str]] = {
    "configure_billing_integration": ((), "iam:CreateServiceLinkedRole"),
    "remove_billing_integration": ((), "purchase-orders:ModifyPurchaseOrders"),
    "subscriptions": ((), "purchase-orders:ViewPurchaseOrders"),
    "attach_purchase_order": (
        ("subscription_id", "po_number"),
        "purchase-orders:ModifyPurchaseOrders",
    ),
    "detach_purchase_order": (
        ("subscription_id", "po_number"),
        "purchase-orders:ModifyPurchaseOrders",
    ),
}
EXISTS = ("creating", "active", "deleting_blocked")


def _iam_action(op: str) -> str:
    return "iam:" + "".join(word.capitalize() for word in op.split("_"))


@dataclass
class _Role:
    state: str = "absent"
    role_ids: list[str] = field(default_factory=list)
    ready_at: float | None = None  # when a creation in progress finishes
    requested: int = 0  # order of the creation request, to break ties between finishes
    doomed: bool = False  # an injected failure was planned before this creation was requested
    tags: list[tuple[str, str]] = field(default_factory=list)  # none on each (re-)creation


@dataclass
class _Task:
    """A deletion task: NOT_STARTED, IN_PROGRESS, then SUCCEEDED or FAILED (decision 6)."""

    task_id: str
    account_id: str
    submitted: float
    status: str = "NOT_STARTED"
    usage: tuple[tuple[str, str], ...] = ()  # (region, resource ARN) that blocked it, if FAILED
    reporting: str = "all"  # the usage-reporting mode when it finished
    requested: int = 0  # order of the request: same-time work runs in request order


class ReferenceModel:
    """Expected outcomes of the default world's calls, and the state they leave behind."""

    role_name = ROLE_NAME

    def __init__(
        self,
        organizations: dict[str, tuple[str, ...]],
        standalone: tuple[str, ...],
        subscriptions: dict[str, tuple[str, str]],
        creation: float = 10.0,
        deletion_start: float = 2.0,
        deletion_run: float = 8.0,
        task_retention: float | None = None,
    ) -> None:
        # organizations: management account id -> member account ids.
        self.organizations = organizations
        self.standalone = standalone
        self.accounts = (
            *organizations,
            *(m for ms in organizations.values() for m in ms),
            *standalone,
        )
        self.subscription_of = dict(subscriptions)  # id -> (account id, region)
        self.pos: dict[str, tuple[str, ...]] = dict.fromkeys(subscriptions, ())
        self.latency = (creation, deletion_start, deletion_run, task_retention)
        self.roles = {a: _Role() for a in self.accounts}
        self.integration = dict.fromkeys(self.accounts, False)
        self.principals = {
            (a, p): DEFAULT_POLICIES[p] for a in self.accounts for p in DEFAULT_POLICIES
        }
        self.tasks: dict[str, _Task] = {}
        self.creation_failures = 0
        self.requests = 0
        self.usage_reporting = "all"
        self.now = 0.0

    @classmethod
    def mirror(cls, sim: Any) -> ReferenceModel:
        """A model of ``sim``'s world as it was built (organizations, accounts, subscriptions)."""
        orgs = {
            o.management_account.account_id: tuple(m.account_id for m in o.member_accounts)
            for o in sim.organizations
        }
        alone = tuple(a.account_id for a in sim.accounts if a.organization_id is None)
        subs = {s.subscription_id: (s.account_id, s.region) for s in sim.subscriptions}
        lat = sim.latencies
        return cls(
            orgs,
            alone,
            subs,
            lat.creation,
            lat.deletion_start,
            lat.deletion_run,
            lat.task_retention,
        )

    def add_principal(self, account_id: str, name: str) -> None:
        """Know a principal with no policies (the test adds the same one to the simulation)."""
        self.principals[(account_id, name)] = ()

    # ---- the organization rule ------------------------------------------------------------
    def owner(self, account_id: str) -> str:
        """The account whose billing integration serves ``account_id`` (management or itself)."""
        for management, members in self.organizations.items():
            if account_id == management or account_id in members:
                return management
        return account_id

    def served(self, owner_id: str) -> tuple[str, ...]:
        """The accounts whose purchase orders the owner's role serves; none for a member."""
        if owner_id in self.organizations:
            return (owner_id, *self.organizations[owner_id])
        return (owner_id,) if owner_id in self.standalone else ()

    def support_on(self, account_id: str) -> bool:
        owner = self.owner(account_id)
        return self.integration[owner] and self.roles[owner].state in ("active", "deleting_blocked")

    def blocking_usage(self, account_id: str) -> tuple[tuple[str, str], ...]:
        """(Region, resource ARN) of everything using the role in ``account_id`` now (decision 7)."""
        usage = []
        if self.integration[account_id]:
            usage.append(
                (
                    "us-east-1",
                    f"arn:aws:aws-marketplace:us-east-1:{account_id}:"
                    "billing-integration/purchase-orders",
                )
            )
        served = self.served(account_id)
        for sub, (acct, region) in self.subscription_of.items():
            if acct in served and self.pos[sub]:
                usage.append(
                    (
                        region,
                        f"arn:aws:aws-marketplace:{region}:{acct}:AWSMarketplace/Agreement/{sub}",
                    )
                )
        return tuple(sorted(usage))

    def allowed(self, account_id: str, principal: str, action: str) -> bool:
        patterns = self.principals[(account_id, principal)]
        return any(fnmatchcase(action.lower(), p.lower()) for p in patterns)

    # ---- predictions ----------------------------------------------------------------------
    def expect(
        self, operation: str, account_id: str, principal: str, params: dict[str, Any]
    ) -> str:
        """The outcome of the call, "ok" or an AWS error code; the model does not change."""
        if (account_id, principal) not in self.principals:
            return "InvalidClientTokenId"
        if operation in CONSOLE_OPS:
            return self._expect_console(operation, account_id, principal, params)
        return self._expect_iam(operation, account_id, principal, params)

    def _expect_iam(self, op: str, account_id: str, principal: str, params: dict[str, Any]) -> str:
        params = resolve_markers(params, account_id)
        required, optional = IAM_OPS[op]
        if set(required) - set(params) or set(params) - set(required) - set(optional):
            return "ValidationError"
        if not _params_valid(params):
            return "ValidationError"
        if op == "create_service_linked_role" and (
            params["AWSServiceName"] != SERVICE or "CustomSuffix" in params
        ):
            return "InvalidInput"
        if op == "get_service_linked_role_deletion_status" and not _TASK_ID.fullmatch(
            params["DeletionTaskId"]
        ):
            return "InvalidInput"
        early = refused_before_permission(op, params)
        if early is not None:
            return early
        if not self.allowed(account_id, principal, _iam_action(op)):
            return "AccessDenied"
        extra = expect_extra(self, op, account_id, params)
        if extra is not None:
            return extra
        state = self.roles[account_id].state
        if op == "create_service_linked_role":
            return "InvalidInput" if state in EXISTS else "ok"
        if op == "list_roles":
            return "ok"
        if op == "get_service_linked_role_deletion_status":
            task = self.tasks.get(params["DeletionTaskId"])
            return "ok" if task is not None and task.account_id == account_id else "NoSuchEntity"
        if params["RoleName"].lower() != ROLE_NAME.lower() or state not in EXISTS:
            return "NoSuchEntity"
        if op in PROTECTED_OPS or (op == "update_role" and _PROTECTED_UPDATES & set(params)):
            return "UnmodifiableEntity"
        if op == "tag_role" and len(merge_tags(self.roles[account_id].tags, params["Tags"])) > 50:
            return "LimitExceeded"  # IAM's quota: 50 tags a role
        if op in ("get_role", "list_attached_role_policies"):
            return "ok"
        # update_role_description, update_role (description only), delete_service_linked_role:
        # IAM holds the role from the moment it is created, creating or not
        return "ok"

    def _expect_console(
        self, op: str, account_id: str, principal: str, params: dict[str, Any]
    ) -> str:
        required, action = CONSOLE_OPS[op]
        if set(params) != set(required) or not all(isinstance(v, str) for v in params.values()):
            return "ValidationError"
        if "po_number" in params and not _PO_NUMBER.fullmatch(params["po_number"]):
            return "ValidationError"
        if not self.allowed(account_id, principal, action):
            return "AccessDenied"
        if op in ("configure_billing_integration", "remove_billing_integration"):
            if self.owner(account_id) != account_id:
                return "AccessDenied"  # decision 3: a member account is refused
            if op == "remove_billing_integration" and not self.integration[account_id]:
                return "ConflictException"
            return "ok"
        if op == "subscriptions":
            return "ok"
        sub = params["subscription_id"]
        if self.subscription_of.get(sub, ("",))[0] != account_id:
            return "ResourceNotFoundException"
        attached = params["po_number"] in self.pos[sub]
        if op == "detach_purchase_order":
            return "ok" if attached else "ResourceNotFoundException"
        if not self.support_on(account_id) or attached:
            return "ConflictException"
        return "ok"

    # ---- applying an accepted call --------------------------------------------------------
    def apply(
        self,
        operation: str,
        account_id: str,
        principal: str,
        params: dict[str, Any],
        response: Any = None,
    ) -> None:
        """Update the model after the real call succeeded (``response`` only for new ids)."""
        role = self.roles[account_id]
        params = resolve_markers(params, account_id)
        if operation == "tag_role":
            role.tags = merge_tags(role.tags, params["Tags"])
        elif operation == "untag_role":
            role.tags = without_tags(role.tags, params["TagKeys"])
        elif operation == "create_service_linked_role":
            self._begin_creation(account_id, response["Role"]["RoleId"] if response else None)
        elif operation == "configure_billing_integration" and not self.integration[account_id]:
            self.integration[account_id] = True
            if role.state not in EXISTS:
                self._begin_creation(account_id, None)
        elif operation == "remove_billing_integration":
            self.integration[account_id] = False
        elif operation == "attach_purchase_order":
            self.pos[params["subscription_id"]] += (params["po_number"],)
        elif operation == "detach_purchase_order":
            sub = params["subscription_id"]
            self.pos[sub] = tuple(po for po in self.pos[sub] if po != params["po_number"])
        elif operation == "delete_service_linked_role" and self.open_task(account_id) is None:
            task_id = response["DeletionTaskId"]
            self.requests += 1
            self.tasks[task_id] = _Task(task_id, account_id, self.now, requested=self.requests)
        self.advance(0)  # work with zero latency is done when the call returns (decision 4)

    def _begin_creation(self, account_id: str, role_id: str | None) -> None:
        role = self.roles[account_id]
        role.state = "creating"
        role.tags = []  # a new role: no tags
        role.ready_at = self.now + self.latency[0]
        self.requests += 1
        role.requested = self.requests
        role.doomed = self.creation_failures > 0  # decision 5: requested after the injection
        if role.doomed:
            self.creation_failures -= 1
        if role_id is not None:
            self.note_role_id(account_id, role_id)

    def note_role_id(self, account_id: str, role_id: str) -> None:
        """Record the RoleId the role was given (the console's answer does not carry it)."""
        ids = self.roles[account_id].role_ids
        if not ids or ids[-1] != role_id:
            ids.append(role_id)

    def open_task(self, account_id: str) -> str | None:
        """The unfinished deletion task of the account's role, if any."""
        for task in self.tasks.values():
            if task.account_id == account_id and task.status in ("NOT_STARTED", "IN_PROGRESS"):
                return task.task_id
        return None

    # ---- the clock ------------------------------------------------------------------------
    def _due(self) -> list[tuple[float, int, str, str]]:
        """Pending clock work as (time, order, kind, key), soonest first."""
        _, start, run, retention = self.latency
        work = [
            (r.ready_at, r.requested, "creation", a)
            for a, r in self.roles.items()
            if r.state == "creating" and r.ready_at is not None
        ]
        for t in self.tasks.values():
            if t.status == "NOT_STARTED":
                work.append((t.submitted + start, t.requested, "start", t.task_id))
            elif t.status == "IN_PROGRESS":
                work.append((t.submitted + start + run, t.requested, "finish", t.task_id))
            elif retention is not None:
                work.append((t.submitted + start + run + retention, 0, "purge", t.task_id))
        return sorted(work)

    def advance(self, seconds: float) -> None:
        """Move the model's clock forward, doing every piece of work that falls due."""
        target = self.now + seconds
        while (work := self._due()) and work[0][0] <= target:
            when, _, kind, key = work[0]
            self.now = max(self.now, when)
            self._do(kind, key)
        self.now = target

    def settle(self) -> None:
        """Run the clock until no work is pending (purges of finished tasks included)."""
        while work := self._due():
            self.advance(max(0.0, work[0][0] - self.now))

    def _do(self, kind: str, key: str) -> None:
        if kind == "creation":
            self._finish_creation(key)
        elif kind == "start":
            self.tasks[key].status = "IN_PROGRESS"
        elif kind == "purge":
            del self.tasks[key]
        else:
            task = self.tasks[key]
            if self.roles[task.account_id].state not in EXISTS:  # its creation failed first
                task.status = "SUCCEEDED"
                return
            usage = self.blocking_usage(task.account_id)
            in_use = bool(usage)
            task.status = "FAILED" if in_use else "SUCCEEDED"
            task.usage, task.reporting = usage, self.usage_reporting
            self.roles[task.account_id].state = "deleting_blocked" if in_use else "deleted"

    def _finish_creation(self, account_id: str) -> None:
        role = self.roles[account_id]
        role.ready_at = None
        if role.doomed:
            role.doomed = False
            role.state = "absent"
            role.tags = []
            self.integration[account_id] = False  # decision 5: a pending integration is off
        else:
            role.state = "active"

    def inject_creation_failure(self, n: int = 1) -> None:
        """The next ``n`` creations requested fail when they finish (decision 5)."""
        self.creation_failures += n

    def set_usage_reporting(self, mode: str) -> None:
        """How much of the blocking usage a FAILED task reports ("all", "some", "none")."""
        self.usage_reporting = mode

    # ---- queries --------------------------------------------------------------------------
    def role_state(self, account_id: str) -> str:
        return self.roles[account_id].state

    def task_status(self, task_id: str) -> str | None:
        task = self.tasks.get(task_id)
        return task.status if task else None

    def purchase_orders(self, subscription_id: str) -> tuple[str, ...]:
        return self.pos[subscription_id]

    def integration_configured(self, owner_account_id: str) -> bool:
        return self.integration[owner_account_id]

    def role_ids(self, account_id: str) -> list[str]:
        return list(self.roles[account_id].role_ids)

    def role_tags(self, account_id: str) -> list[tuple[str, str]]:
        return list(self.roles[account_id].tags)


def _params_valid(params: dict[str, Any]) -> bool:
    """botocore-level checks: types, lengths and patterns of the parameters the model knows."""
    return all(_param_valid(name, value) for name, value in params.items())


_PROTECTED_UPDATES = {
    "MaxSessionDuration", "MaxSigninSessionDuration", "ResetMaxSigninSessionDuration"}


def _param_valid(name: str, value: Any) -> bool:
    extra = extra_param_valid(name, value)
    if extra is not None:
        return extra
    if name == "MaxSigninSessionDuration":
        return type(value) is int and 3600 <= value <= 7776000
    if name == "ResetMaxSigninSessionDuration":
        return type(value) is bool
    if name in ("MaxSessionDuration", "MaxItems"):
        low, high = (3600, 43200) if name == "MaxSessionDuration" else (1, 1000)
        return type(value) is int and low <= value <= high
    if not isinstance(value, str):
        return False
    if name in _NAME_LIMITS:
        return len(value) <= _NAME_LIMITS[name] and bool(_NAME.fullmatch(value))
    if name == "Description":  # IAM's roleDescriptionType
        return len(value) <= 1000 and all(
            c in "\t\n\r" or " " <= c <= "~" or "\xa1" <= c <= "\xff" for c in value)
    if name == "DeletionTaskId":
        return 1 <= len(value) <= 1000
    if name in ("PolicyArn", "PermissionsBoundary"):  # arnType
        return 20 <= len(value) <= 2048
    if name == "PolicyDocument":
        return 1 <= len(value) <= 131072
    if name == "PathPrefix":  # a slash, then printable ASCII
        return 1 <= len(value) <= 512 and value[0] == "/" and all("!" <= c <= "\x7f" for c in value)
    if name == "Marker":
        return 1 <= len(value) <= 320
    return True


def run_and_compare(
    sim: Any, model: ReferenceModel, op: str, account: str, principal: str, params: dict[str, Any]
) -> Any:
    """Call ``op`` on the simulation, assert its outcome is the model's, and apply it if accepted.

    Returns the simulation's response (``None`` when refused).
    """
    from slr_fsm import AwsError

    expected = model.expect(op, account, principal, params)
    open_task = model.open_task(account)
    try:  # an unknown caller is refused when the face is made
        face = (
            sim.marketplace(account, principal)
            if op in CONSOLE_OPS
            else sim.iam(account, principal)
        )
        response = getattr(face, op)(**params)
        actual = "ok"
    except AwsError as refused:
        response, actual = None, refused.code
    before = model.role_state(account)
    assert actual == expected, (
        f"{op}({params}) by {principal} in {account} with the role {before}: "
        f"model expects {expected}, simulation answered {actual}"
    )
    if actual == "ok":
        model.apply(op, account, principal, params, response)
        if op == "delete_service_linked_role":
            task_id = response["DeletionTaskId"]
            assert _OUR_TASK_ID.fullmatch(task_id), f"malformed DeletionTaskId {task_id}"
            assert open_task in (None, task_id), "a second delete must return the open task"
        if model.role_state(account) in EXISTS and before not in EXISTS:
            model.note_role_id(account, sim.role(account).role_id)
        _check_response(model, op, account, response, params)
    return response


def _check_response(
    model: ReferenceModel, op: str, account: str, response: Any, params: dict[str, Any]
) -> None:
    """What an accepted read returns: the role while it exists (decision 4), the caller's POs,
    the role's tags, its managed policy, and the simulated decisions."""
    params = resolve_markers(params, account)
    tags = [{"Key": k, "Value": v} for k, v in sorted(
        model.role_tags(account), key=lambda t: t[0].lower())]
    if op == "get_role":
        assert response["Role"]["RoleId"] == model.role_ids(account)[-1], "GetRole's RoleId"
        assert response["Role"]["Arn"] == role_arn(account), "GetRole's Arn"
        shown = sorted(response["Role"].get("Tags", []), key=lambda t: t["Key"].lower())
        assert shown == tags, f"GetRole's Tags {shown} vs {tags}"
    elif op == "list_role_tags" and "Marker" not in params:
        assert response["Tags"] == tags[: params.get("MaxItems", 100)], "ListRoleTags"
    elif op == "list_role_policies":
        assert response == {"PolicyNames": [], "IsTruncated": False}, "ListRolePolicies"
    elif op == "get_policy":
        policy = response["Policy"]
        assert policy["AttachmentCount"] == (model.role_state(account) in EXISTS), "attached"
        assert (policy["DefaultVersionId"], policy["IsAttachable"]) == ("v1", True)
        assert re.fullmatch(r"ANPA[A-Z2-7]{17}", policy["PolicyId"]), policy["PolicyId"]
    elif op == "get_policy_version":
        assert response["PolicyVersion"]["Document"] == POLICY_DOCUMENT, "the policy's document"
    elif op == "simulate_principal_policy":
        got = [r["EvalDecision"] for r in response["EvaluationResults"]]
        start = int(params.get("Marker", 0))
        wanted = simulation_decisions(model, account, params)[start:][: params.get("MaxItems", 100)]
        assert got == wanted, f"SimulatePrincipalPolicy: {got} vs {wanted}"
    elif op == "list_roles":
        listed = [r["RoleName"] for r in response["Roles"]].count(ROLE_NAME)
        assert listed == (model.role_state(account) in EXISTS), (
            f"ListRoles lists the role {listed}x"
        )
    elif op == "subscriptions":
        got = {s["SubscriptionId"]: tuple(s["PurchaseOrders"]) for s in response}
        wanted = {
            sub: model.pos[sub]
            for sub, (acct, _) in model.subscription_of.items()
            if acct == account
        }
        assert got == wanted, f"subscriptions(): {got} vs {wanted}"


def role_arn(account_id: str) -> str:
    """The role's ARN: the same every time the role is (re-)created (domain notes, section 1)."""
    return f"arn:aws:iam::{account_id}:role/aws-service-role/{SERVICE}/{ROLE_NAME}"


def check_agreement(sim: Any, model: ReferenceModel) -> None:
    """Assert the simulation's roles, tasks, integrations and purchase orders are the model's."""
    for account in model.accounts:
        role = sim.role(account)
        assert role.state.value == model.role_state(account), (
            f"role in {account}: simulation {role.state.value}, model {model.role_state(account)}"
        )
        ids = model.role_ids(account)
        assert len(set(ids)) == len(ids), f"a RoleId was reused in {account}: {ids}"
        if model.role_state(account) in EXISTS:
            assert role.role_id == ids[-1], f"RoleId in {account}: {role.role_id} vs {ids[-1]}"
            assert _ROLE_ID.fullmatch(role.role_id), f"malformed RoleId {role.role_id}"
            assert role.arn == role_arn(account), f"Arn in {account}: {role.arn}"
            assert list(role.tags) == model.role_tags(account), (
                f"tags in {account}: {role.tags} vs {model.role_tags(account)}"
            )
        if account == model.owner(account):
            assert sim.integration_configured(account) == model.integration_configured(account), (
                f"integration of {account}: simulation {sim.integration_configured(account)}"
            )
    known = {t.task_id for t in sim.deletion_tasks}
    assert known == set(model.tasks), f"tasks: simulation {known}, model {set(model.tasks)}"
    for task_id, task in model.tasks.items():
        real = sim.task(task_id)
        assert real.status.value == task.status, (
            f"task {task_id}: {real.status.value} vs {task.status}"
        )
        if task.status == "FAILED":
            reported = {(u.region, arn) for u in real.role_usage for arn in u.resources}
            wanted = {"all": len(task.usage), "some": (len(task.usage) + 1) // 2, "none": 0}
            assert reported <= set(task.usage), (
                f"task {task_id} reports {reported}, not {task.usage}"
            )
            assert len(reported) == wanted[task.reporting], (
                f"task {task_id} ({task.reporting}) reports {reported} of {task.usage}"
            )
    for sub in sim.subscriptions:
        assert tuple(sub.purchase_orders) == model.purchase_orders(sub.subscription_id), (
            f"POs of {sub.subscription_id}: {sub.purchase_orders} vs {model.pos[sub.subscription_id]}"
        )
