"""What `from slr_fsm import Simulation` leaves unloaded until first use, and that loading it
later changes nothing a caller can see."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from slr_fsm import Simulation
from slr_fsm._world.directory import DEFAULT_PRINCIPALS, default_policies
from slr_fsm.accounts import ADMINISTRATOR_POLICY, READ_ONLY_POLICY
from slr_fsm.errors import UsageError
from slr_fsm.policy import Decision
from slr_fsm.policy_decision import Decision as KernelDecision
from slr_fsm.spec_checks import check_policy_document, known_valid_policy_texts
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS, RoleSpec, service_linked_role

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


def test_importing_simulation_loads_no_json_until_a_trace_is_exported() -> None:
    assert "json" not in _modules_after("from slr_fsm import Simulation")
    exported = _modules_after("from slr_fsm import Simulation\nSimulation.default().trace_jsonl()")
    assert "json" in exported


def test_role_specs_load_without_json() -> None:
    loaded = _modules_after("import slr_fsm.specs")
    assert "slr_fsm.specs" in loaded
    assert "json" not in loaded


def test_each_known_valid_policy_text_passes_the_full_check_and_is_compact_json() -> None:
    known = known_valid_policy_texts()
    assert MARKETPLACE_PURCHASE_ORDERS.managed_policy_document_json in known
    for text in known:
        check_policy_document(text)  # raises if IAM's grammar would refuse it
        assert json.dumps(json.loads(text), separators=(",", ":")) == text


def test_a_spec_with_a_known_text_equals_the_spec_made_from_its_document() -> None:
    spec = MARKETPLACE_PURCHASE_ORDERS
    made = service_linked_role(
        spec.service_principal,
        spec.role_name,
        managed_policy_name=spec.managed_policy_name,
        policy_document=spec.managed_policy_document(),
        managed_policy_updated=spec.managed_policy_updated,
        purpose=spec.purpose,
    )
    assert made == spec
    assert made.managed_policy_document_json == spec.managed_policy_document_json


def test_an_unknown_policy_text_is_still_parsed_and_refused() -> None:
    with pytest.raises(UsageError, match="not valid JSON"):
        RoleSpec("AWSServiceRoleForX", "x.amazonaws.com", "P", "{not json")
    with pytest.raises(UsageError, match="Version"):
        RoleSpec("AWSServiceRoleForX", "x.amazonaws.com", "P", '{"Statement": []}')
