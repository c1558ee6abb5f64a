"""An event's parameters cannot change, and equal ones are shared without changing the log."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from slr_fsm import Latencies, Simulation
from slr_fsm.errors import UsageError, ValidationError
from slr_fsm.events import NO_PARAMETERS, Parameters

SERVICE = "purchase-orders.marketplace.amazonaws.com"

_CHANGES: list[Callable[[dict[str, Any]], object]] = [
    lambda p: p.__setitem__("AWSServiceName", "x"),
    lambda p: p.__delitem__("AWSServiceName"),
    lambda p: p.update(Other="x"),
    lambda p: p.setdefault("Other", "x"),
    lambda p: p.pop("AWSServiceName"),
    lambda p: p.popitem(),
    lambda p: p.clear(),
    lambda p: p.__ior__({"Other": "x"}),
]


@pytest.mark.parametrize("change", _CHANGES)
def test_a_logged_events_parameters_refuse_every_change(
    change: Callable[[dict[str, Any]], object],
) -> None:
    """Every way of changing a dict is refused with a UsageError and leaves the event as it was."""
    sim = Simulation(latencies=Latencies(creation=0))
    sim.add_account("111111111111")
    sim.iam("111111111111").create_service_linked_role(AWSServiceName=SERVICE)
    created = sim.trace[-2]
    with pytest.raises(UsageError, match="cannot be changed"):
        change(created.parameters)
    assert created.parameters == {"AWSServiceName": SERVICE}
    assert sim.trace[-1].parameters == {}
    with pytest.raises(UsageError):
        change(sim.trace[-1].parameters)


def test_equal_parameters_of_plain_strings_are_one_shared_value() -> None:
    """Two creations with the same request log one parameters value; the clock's work logs the
    shared empty one; different requests keep their own."""
    sim = Simulation(latencies=Latencies(creation=0))
    accounts = ["111111111111", "222222222222"]
    for account in accounts:
        sim.add_account(account)
        sim.iam(account).create_service_linked_role(AWSServiceName=SERVICE)
    first, finished, second = sim.trace[-4], sim.trace[-3], sim.trace[-2]
    assert first.operation == second.operation == "create_service_linked_role"
    assert first.parameters is second.parameters
    assert finished.parameters is NO_PARAMETERS
    sim.iam(accounts[0]).list_roles(MaxItems=5)
    assert sim.trace[-1].parameters == {"MaxItems": 5}


def test_values_equal_in_python_but_not_in_json_are_never_shared() -> None:
    """1 == True and the same names in another order are equal dicts; the log keeps each as
    given (its JSON and its order differ)."""
    sim = Simulation.default()
    iam = sim.iam(sim.organization.management_account)
    iam.list_roles(MaxItems=1)
    with pytest.raises(ValidationError):  # a bool is no integer to IAM: refused, logged as given
        iam.list_roles(MaxItems=True)
    one, true = sim.trace[-2].parameters, sim.trace[-1].parameters
    assert json.dumps(one) == '{"MaxItems": 1}'
    assert json.dumps(true) == '{"MaxItems": true}'
    iam.list_roles(PathPrefix="/", Marker="m")
    iam.list_roles(Marker="m", PathPrefix="/")
    assert list(sim.trace[-2].parameters) == ["PathPrefix", "Marker"]
    assert list(sim.trace[-1].parameters) == ["Marker", "PathPrefix"]


def test_parameters_read_print_copy_and_pickle_as_a_dict() -> None:
    """A Parameters is a dict to every reader: repr, JSON, equality, a changeable copy, and
    pickle/copy round trips that stay unchangeable."""
    p = Parameters({"RoleName": "r", "Tags": [{"Key": "k", "Value": "v"}]})
    assert isinstance(p, dict)
    assert repr(p) == repr(dict(p))
    assert json.dumps(p) == json.dumps(dict(p))
    assert p == dict(p)
    mutable = dict(p)
    mutable["RoleName"] = "s"
    assert p["RoleName"] == "r"
    for twin in (pickle.loads(pickle.dumps(p)), copy.copy(p), copy.deepcopy(p)):
        assert type(twin) is Parameters
        assert twin == p
        with pytest.raises(UsageError):
            twin["RoleName"] = "s"
