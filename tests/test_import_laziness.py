"""What `from slr_fsm import Simulation` leaves unloaded until first use, and that loading it
later changes nothing a caller can see."""

from __future__ import annotations

import subprocess
import sys

from slr_fsm import Simulation
from slr_fsm._world.directory import DEFAULT_PRINCIPALS, default_policies
from slr_fsm.accounts import ADMINISTRATOR_POLICY, READ_ONLY_POLICY
from slr_fsm.policy import Decision
from slr_fsm.policy_decision import Decision as KernelDecision

_POLICY_LANGUAGE = ("slr_fsm.policy", "slr_fsm.policy_document", "slr_fsm.policy_statement")
_DEFERRED = (*_POLICY_LANGUAGE, "slr_fsm.tasks", "slr_fsm.subscriptions")


def _modules_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return set(out.stdout.split())


def test_importing_simulation_loads_neither_policies_nor_tasks_nor_subscriptions() -> None:
    loaded = _modules_after("from slr_fsm import Simulation")
    assert "slr_fsm.world" in loaded
    assert not loaded.intersection(_DEFERRED)


def test_the_first_call_loads_the_policy_language_and_is_judged_by_it() -> None:
    loaded = _modules_after(
        "from slr_fsm import Simulation\n"
        "sim = Simulation()\n"
        "account = sim.add_account('111122223333')\n"
        "sim.iam(account).create_service_linked_role(AWSServiceName="
        "'purchase-orders.marketplace.amazonaws.com')"
    )
    assert loaded.issuperset(_POLICY_LANGUAGE)


def test_deleting_a_role_loads_tasks_and_records_its_task() -> None:
    loaded = _modules_after(
        "from slr_fsm import Simulation\n"
        "sim = Simulation()\n"
        "account = sim.add_account('111122223333')\n"
        "iam = sim.iam(account)\n"
        "iam.create_service_linked_role(AWSServiceName="
        "'purchase-orders.marketplace.amazonaws.com')\n"
        "task = iam.delete_service_linked_role("
        "RoleName='AWSServiceRoleForMarketplacePurchaseOrders')['DeletionTaskId']\n"
        "assert sim.task(task) is not None, task"
    )
    assert "slr_fsm.tasks" in loaded


def test_default_principals_keep_one_policy_tuple_each() -> None:
    assert DEFAULT_PRINCIPALS == ("admin", "readonly")
    assert default_policies("admin") == (ADMINISTRATOR_POLICY,)
    assert default_policies("readonly") == (READ_ONLY_POLICY,)
    assert default_policies("admin") is default_policies("admin")
    assert default_policies("someone") is None


def test_default_principals_get_the_default_policies() -> None:
    sim = Simulation()
    account = sim.add_account("111122223333")
    assert sim.caller(account)[1].policies is default_policies("admin")
    assert sim.caller(account, "readonly")[1].policies == (READ_ONLY_POLICY,)


def test_the_policy_module_re_exports_the_kernels_decision() -> None:
    assert Decision is KernelDecision
    assert Decision.ALLOW.value == "Allow"
