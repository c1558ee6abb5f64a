"""The world's population count (``Simulation.population_changes``) and the boto3 bridge's face
kept while it stands still: the count moves whenever accounts, organizations or principals
change, and a face kept across such a change is rebuilt."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm import Simulation
from slr_fsm.accounts import Principal
from slr_fsm.boto import _Binding
from slr_fsm.errors import AwsError, UsageError
from slr_fsm.policy_document import PolicyDocument
from tests.conftest import MANAGEMENT, MEMBER, SERVICE, STANDALONE

ALL_OF_IAM = PolicyDocument.parse(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}],
    }
)


def _population(sim: Simulation) -> tuple[Any, ...]:
    state = sim._state
    return (
        dict(state.accounts.items()),
        dict(state.organizations.items()),
        dict(state.principals.items()),
    )


_ACCOUNTS = ("210987654321", "310987654321", "410987654321")
_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("account"), st.sampled_from(_ACCOUNTS)),
        st.tuples(st.just("organization"), st.sampled_from(_ACCOUNTS)),
        st.tuples(st.just("principal"), st.sampled_from((MANAGEMENT, MEMBER, "999999999999"))),
        st.tuples(st.just("replace"), st.sampled_from(("readonly", "Readonly", "auditor"))),
        st.tuples(st.just("role"), st.sampled_from((MANAGEMENT, STANDALONE))),
    ),
    max_size=8,
)


def _step(sim: Simulation, kind: str, arg: str) -> None:
    if kind == "account":
        sim.add_account(arg)
    elif kind == "organization":
        sim.add_organization(arg, organization_id="o-" + arg[:10])
    elif kind == "principal":
        sim.add_principal(arg, "auditor", [ALL_OF_IAM])
    elif kind == "replace":
        sim._directory.replace_principal(Principal(arg, MANAGEMENT, (ALL_OF_IAM,)))
    else:
        sim.iam(arg).create_service_linked_role(AWSServiceName=SERVICE)


@settings(max_examples=40, deadline=None)
@given(_STEPS)
def test_the_count_moves_whenever_accounts_organizations_or_principals_change(steps):
    """Every writer of the population (refused writes included: they change nothing) moves the
    count when, and only when, what it holds changes; other writes leave it alone."""
    sim = Simulation.default(seed=1)
    for kind, arg in steps:
        before, count = _population(sim), sim.population_changes
        with contextlib.suppress(UsageError, AwsError):
            _step(sim, kind, arg)
        after = _population(sim)
        if after != before:
            assert sim.population_changes > count
        elif kind == "role":
            assert sim.population_changes == count


def test_a_fork_and_a_restored_world_hold_their_own_count():
    """A fork's and a restored world's population changes count in that world alone."""
    sim = Simulation.default(seed=2)
    twin, restored = sim.fork(), Simulation.restore(sim.snapshot())
    counts = (sim.population_changes, twin.population_changes, restored.population_changes)
    twin.add_principal(MANAGEMENT, "auditor")
    restored.add_account("210987654321")
    assert sim.population_changes == counts[0]
    assert twin.population_changes > counts[1]
    assert restored.population_changes > counts[2]


def test_a_face_kept_across_a_population_change_is_rebuilt():
    """The bridge keeps one face while the count stands still, builds a new one after an
    account, a principal or a principal's policies change (so the new policies decide), and
    one per call for a caller the world does not hold."""
    sim = Simulation.default(seed=3)
    binding = _Binding(sim, MANAGEMENT, "readonly", "iam")
    first = binding.face()
    assert binding.face() is first
    sim.add_account("210987654321")
    second = binding.face()
    assert second is not first
    assert binding.face() is second
    sim._directory.replace_principal(Principal("readonly", MANAGEMENT, (ALL_OF_IAM,)))
    third = binding.face()
    assert third is not second
    assert third.principal.policies == (ALL_OF_IAM,)
    third.create_service_linked_role(AWSServiceName=SERVICE)  # allowed by the new policies
    unknown = _Binding(sim, MANAGEMENT, "auditor", "iam")
    assert unknown.face() is not unknown.face()
    sim.add_principal(MANAGEMENT, "auditor")
    assert unknown.face() is unknown.face()
