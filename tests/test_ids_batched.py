"""RoleIds and task ids worked out 16 counters at a time are exactly the ids worked out one at
a time from ``(seed, counter, kind)``: across batches, seeds, kinds interleaved, copies, forks
and worlds restored from snapshots (whose id state is still one integer)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm import Latencies, Simulation
from slr_fsm.ids import IdGenerator

_SERVICE = "purchase-orders.marketplace.amazonaws.com"
_SEEDS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 7, 2**64 - 1, 2**64, -1]),
)
_DRAWS = st.lists(st.sampled_from(["role", "uuid", "copy", "jump", "seed"]), max_size=60)


def _draw(ids: IdGenerator, kind: str) -> str:
    return ids.role_id() if kind == "role" else ids.uuid()


def _reference(ids: IdGenerator, kind: str) -> str:
    return ids._one_role_id() if kind == "role" else ids._one_uuid()


@settings(max_examples=150, deadline=None)
@given(
    seeds=st.lists(_SEEDS, min_size=1, max_size=3),
    start=st.integers(min_value=-40, max_value=2**66),  # a public generator may start anywhere
    draws=_DRAWS,
    jumps=st.lists(st.integers(min_value=-40, max_value=40), min_size=1, max_size=5),
)
def test_batched_ids_equal_ids_worked_out_alone(
    seeds: list[int], start: int, draws: list[str], jumps: list[int]
) -> None:
    fast, slow = IdGenerator(seeds[0], start), IdGenerator(seeds[0], start)
    copies: list[IdGenerator] = []
    for n, step in enumerate(draws):
        if step == "copy":  # a copy hands out the same ids, whatever the other does meanwhile
            copies.append(fast.copy())
        elif step == "jump":  # a counter moved (a restored snapshot), back or forward
            counter = fast.counter + jumps[n % len(jumps)]
            fast.counter = slow.counter = counter
        elif step == "seed":  # another world's seed in between (the kept batch is shared)
            other = seeds[n % len(seeds)]
            assert IdGenerator(other, start).role_id() == IdGenerator(other, start)._one_role_id()
        else:
            assert _draw(fast, step) == _reference(slow, step)
            assert fast.counter == slow.counter
    for twin in copies:
        reference = IdGenerator(twin.seed, twin.counter)
        for kind in ("uuid", "role", "role", "uuid"):
            assert _draw(twin, kind) == _reference(reference, kind)


def test_generators_used_in_turn_each_get_the_ids_worked_out_alone() -> None:
    """More generators of other seeds in turn than batches are remembered (the recent batches
    are forgotten and worked out again): each still gets its own ids, the first ones included
    (seed 0 at counter -16 is no batch kept before any was worked out)."""
    fast = [IdGenerator(seed, -16 + 7 * seed) for seed in range(12)]
    slow = [IdGenerator(seed, -16 + 7 * seed) for seed in range(12)]
    for _ in range(40):
        for mine, reference in zip(fast, slow, strict=True):
            assert mine.uuid() == reference._one_uuid()
            assert mine.role_id() == reference._one_role_id()


def test_ids_of_every_counter_across_three_batches_equal_ids_worked_out_alone() -> None:
    for kind in ("role", "uuid"):
        for counter in range(50):
            assert _draw(IdGenerator(5, counter), kind) == _reference(IdGenerator(5, counter), kind)


def test_worlds_forks_and_restored_worlds_hand_out_the_ids_worked_out_alone() -> None:
    sim = Simulation(seed=11, latencies=Latencies(creation=0, deletion_start=0, deletion_run=0))
    accounts = [f"{100000000000 + n}" for n in range(20)]
    for account in accounts:
        sim.add_account(account)
    reference = IdGenerator(11)
    for account in accounts[:10]:  # interleaved kinds: a role, then its deletion task
        iam = sim.iam(account)
        role = iam.create_service_linked_role(AWSServiceName=_SERVICE)["Role"]
        assert role["RoleId"] == reference._one_role_id()
        task = iam.delete_service_linked_role(RoleName=role["RoleName"])["DeletionTaskId"]
        assert task.endswith(reference._one_uuid())
    snapshot = sim.snapshot()
    assert snapshot["ids"] == reference.counter  # the id state is still one integer
    for twin in (sim.fork(), Simulation.restore(snapshot)):
        mine = IdGenerator(11, reference.counter)
        for account in accounts[10:13]:
            created = twin.iam(account).create_service_linked_role(AWSServiceName=_SERVICE)
            assert created["Role"]["RoleId"] == mine._one_role_id()
