"""An independent reference model of AWSServiceRoleForMarketplacePurchaseOrders' expected outcomes.

Written from the AWS page in the seed, the domain notes (sections 1-4) and the README's "What is
modelled" and "Modelling decisions", without reading the simulation's lifecycle, world or faces.
It predicts the outcome of each call ("ok" or an AWS error code) as plain if/else rules, checked in
the README's order (decision 14): parameters, service name and suffix, permissions, the role's
existence and state, then guards. Tests run it beside the real ``Simulation`` and compare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

__all__ = ["CONSOLE_OPS", "IAM_OPS", "ReferenceModel", "check_agreement", "run_and_compare"]

ROLE_NAME = "AWSServiceRoleForMarketplacePurchaseOrders"
SERVICE = "purchase-orders.marketplace.amazonaws.com"

# The default principals' identity policies (slr_fsm/accounts.py): allowed action patterns.
DEFAULT_POLICIES = {
    "admin": ("*",),
    "readonly": ("iam:Get*", "iam:List*", "purchase-orders:View*", "sts:GetCallerIdentity"),
}

_NAME = re.compile(r"[\w+=,.@-]+")
_PO_NUMBER = re.compile(r"[A-Za-z0-9 ._/#-]{1,50}")
_TASK_ID = re.compile(r"task/aws-service-role/[\w+=,.@-]+/[\w+=,.@-]+/[0-9a-fA-F-]{36}")

# operation -> (required params, optional params); every IAM operation names its IAM action.
IAM_OPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "create_service_linked_role": (("AWSServiceName",), ("Description", "CustomSuffix")),
    "delete_service_linked_role": (("RoleName",), ()),
    "get_service_linked_role_deletion_status": (("DeletionTaskId",), ()),
    "update_role_description": (("RoleName", "Description"), ()),
    "update_role": (("RoleName",), ("Description", "MaxSessionDuration")),
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
}
#: The operations only AWS may perform on a service-linked role (domain notes, section 3).
PROTECTED_OPS = frozenset(list(IAM_OPS)[8:])
CONSOLE_OPS: dict[str, tuple[tuple[str, ...], str]] = {
    "configure_billing_integration": ((), "iam:CreateServiceLinkedRole"),
    "remove_billing_integration": ((), "purchase-orders:ModifyPurchaseOrders"),
    "subscriptions": ((), "purchase-orders:ViewPurchaseOrders"),
    "attach_purchase_order": (("subscription_id", "po_number"), "purchase-orders:ModifyPurchaseOrders"),
    "detach_purchase_order": (("subscription_id", "po_number"), "purchase-orders:ModifyPurchaseOrders"),
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


@dataclass
class _Task:
    task_id: str
    account_id: str
    submitted: float
    status: str = "NOT_STARTED"
    regions: tuple[str, ...] = ()  # regions that blocked it, when FAILED
    reporting: str = "all"  # the usage-reporting mode when it finished


class ReferenceModel:
    """Expected outcomes of the default world's calls, and the state they leave behind."""

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
        self.accounts = (*organizations, *(m for ms in organizations.values() for m in ms), *standalone)
        self.subscription_of = dict(subscriptions)  # id -> (account id, region)
        self.pos: dict[str, tuple[str, ...]] = {sub: () for sub in subscriptions}
        self.latency = (creation, deletion_start, deletion_run, task_retention)
        self.roles = {a: _Role() for a in self.accounts}
        self.integration = {a: False for a in self.accounts}
        self.principals = {(a, p): DEFAULT_POLICIES[p] for a in self.accounts for p in DEFAULT_POLICIES}
        self.tasks: dict[str, _Task] = {}
        self.creation_failures = 0
        self.requests = 0
        self.usage_reporting = "all"
        self.now = 0.0

    @classmethod
    def mirror(cls, sim: Any) -> ReferenceModel:
        """A model of ``sim``'s world as it was built (organizations, accounts, subscriptions)."""
        orgs = {o.management_account.account_id: tuple(m.account_id for m in o.member_accounts)
                for o in sim.organizations}
        alone = tuple(a.account_id for a in sim.accounts if a.organization_id is None)
        subs = {s.subscription_id: (s.account_id, s.region) for s in sim.subscriptions}
        lat = sim.latencies
        return cls(orgs, alone, subs, lat.creation, lat.deletion_start, lat.deletion_run,
                   lat.task_retention)

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

    def blocking_regions(self, account_id: str) -> tuple[str, ...]:
        """Regions where something uses the role in ``account_id`` now (decision 7)."""
        regions = {"us-east-1"} if self.integration[account_id] else set()
        served = self.served(account_id)
        for sub, (acct, region) in self.subscription_of.items():
            if acct in served and self.pos[sub]:
                regions.add(region)
        return tuple(sorted(regions))

    def allowed(self, account_id: str, principal: str, action: str) -> bool:
        patterns = self.principals[(account_id, principal)]
        return any(fnmatchcase(action.lower(), p.lower()) for p in patterns)

    # ---- predictions ----------------------------------------------------------------------
    def expect(self, operation: str, account_id: str, principal: str, params: dict[str, Any]) -> str:
        """The outcome of the call, "ok" or an AWS error code; the model does not change."""
        if (account_id, principal) not in self.principals:
            return "InvalidClientTokenId"
        if operation in CONSOLE_OPS:
            return self._expect_console(operation, account_id, principal, params)
        return self._expect_iam(operation, account_id, principal, params)

    def _expect_iam(self, op: str, account_id: str, principal: str, params: dict[str, Any]) -> str:
        required, optional = IAM_OPS[op]
        if set(required) - set(params) or set(params) - set(required) - set(optional):
            return "ValidationError"
        if not _params_valid(params):
            return "ValidationError"
        if op == "create_service_linked_role":
            if params["AWSServiceName"] != SERVICE or "CustomSuffix" in params:
                return "InvalidInput"
        if op == "get_service_linked_role_deletion_status" and not _TASK_ID.fullmatch(
            params["DeletionTaskId"]
        ):
            return "InvalidInput"
        if not self.allowed(account_id, principal, _iam_action(op)):
            return "AccessDenied"
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
        if op in PROTECTED_OPS or (op == "update_role" and "MaxSessionDuration" in params):
            return "UnmodifiableEntity"
        if op in ("get_role", "list_attached_role_policies"):
            return "ok"
        # update_role_description, update_role (description only), delete_service_linked_role
        return "ConcurrentModification" if state == "creating" else "ok"

    def _expect_console(self, op: str, account_id: str, principal: str, params: dict[str, Any]) -> str:
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
    def apply(self, operation: str, account_id: str, principal: str, params: dict[str, Any],
              response: Any = None) -> None:
        """Update the model after the real call succeeded (``response`` only for new ids)."""
        role = self.roles[account_id]
        if operation == "create_service_linked_role":
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
            self.tasks[task_id] = _Task(task_id, account_id, self.now)

    def _begin_creation(self, account_id: str, role_id: str | None) -> None:
        role = self.roles[account_id]
        role.state = "creating"
        role.ready_at = self.now + self.latency[0]
        self.requests += 1
        role.requested = self.requests
        if role_id is not None:
            self.note_role_id(account_id, role_id)
        if self.latency[0] == 0:
            self._finish_creation(account_id)

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
        creation, start, run, retention = self.latency
        work = [(r.ready_at, r.requested, "creation", a) for a, r in self.roles.items()
                if r.state == "creating" and r.ready_at is not None]
        for t in self.tasks.values():
            if t.status == "NOT_STARTED":
                work.append((t.submitted + start, 0, "start", t.task_id))
            elif t.status == "IN_PROGRESS":
                work.append((t.submitted + start + run, 0, "finish", t.task_id))
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
            regions = self.blocking_regions(task.account_id)
            in_use = bool(regions)
            task.status = "FAILED" if in_use else "SUCCEEDED"
            task.regions, task.reporting = regions, self.usage_reporting
            self.roles[task.account_id].state = "deleting_blocked" if in_use else "deleted"

    def _finish_creation(self, account_id: str) -> None:
        role = self.roles[account_id]
        role.ready_at = None
        if self.creation_failures > 0:
            self.creation_failures -= 1
            role.state = "absent"
            self.integration[account_id] = False  # decision 5: a pending integration is off
        else:
            role.state = "active"

    def inject_creation_failure(self, n: int = 1) -> None:
        """The next ``n`` creations to finish fail (decision 5)."""
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


def _params_valid(params: dict[str, Any]) -> bool:
    """botocore-level checks: types, lengths and patterns of the parameters the model knows."""
    limits = {"RoleName": 64, "AWSServiceName": 128, "CustomSuffix": 64, "PolicyName": 128}
    for name, value in params.items():
        if name == "MaxSessionDuration":
            if type(value) is not int or not 3600 <= value <= 43200:
                return False
        elif name == "MaxItems":
            if type(value) is not int or not 1 <= value <= 1000:
                return False
        elif not isinstance(value, str):
            return False
        elif name in limits and (len(value) > limits[name] or not _NAME.fullmatch(value)):
            return False
        elif name == "Description" and len(value) > 1000:
            return False
        elif name == "DeletionTaskId" and not 1 <= len(value) <= 1000:
            return False
    return True


def run_and_compare(sim: Any, model: ReferenceModel, op: str, account: str, principal: str,
                    params: dict[str, Any]) -> Any:
    """Call ``op`` on the simulation, assert its outcome is the model's, and apply it if accepted.

    Returns the simulation's response (``None`` when refused).
    """
    from slr_fsm import AwsError

    expected = model.expect(op, account, principal, params)
    open_task = model.open_task(account)
    face = sim.marketplace(account, principal) if op in CONSOLE_OPS else sim.iam(account, principal)
    try:
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
        if op == "delete_service_linked_role" and open_task is not None:
            assert response["DeletionTaskId"] == open_task, "a second delete must return the open task"
        if model.role_state(account) in EXISTS and before not in EXISTS:
            model.note_role_id(account, sim.role(account).role_id)
    return response


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
        if account == model.owner(account):
            assert sim.integration_configured(account) == model.integration_configured(account), (
                f"integration of {account}: simulation {sim.integration_configured(account)}"
            )
    known = {t.task_id for t in sim.deletion_tasks}
    assert known == set(model.tasks), f"tasks: simulation {known}, model {set(model.tasks)}"
    for task_id, task in model.tasks.items():
        real = sim.task(task_id)
        assert real.status.value == task.status, f"task {task_id}: {real.status.value} vs {task.status}"
        if task.status == "FAILED" and task.reporting != "some":
            regions = tuple(sorted({u.region for u in real.role_usage}))
            wanted = task.regions if task.reporting == "all" else ()
            assert regions == wanted, f"task {task_id} usage: {regions} vs {wanted}"
    for sub in sim.subscriptions:
        assert tuple(sub.purchase_orders) == model.purchase_orders(sub.subscription_id), (
            f"POs of {sub.subscription_id}: {sub.purchase_orders} vs {model.pos[sub.subscription_id]}"
        )
