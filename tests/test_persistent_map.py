"""The world's containers behave as insertion-ordered dicts that forks copy: the same content and
the same order as a ``dict`` given the same writes, whatever the forks in between."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm import Simulation
from slr_fsm._world import containers
from slr_fsm._world.containers import PersistentMap

KEYS = st.integers(0, 40)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.integers(0, 7), KEYS, st.integers()),
        st.tuples(st.just("pop"), st.integers(0, 7), KEYS, st.none()),
        st.tuples(st.just("fork"), st.integers(0, 7), st.none(), st.none()),
    ),
    max_size=120,
)


def _agrees(mine: PersistentMap[int, int], model: dict[int, int]) -> None:
    assert list(mine.items()) == list(model.items())
    assert list(mine) == list(model)
    assert list(mine.values()) == list(model.values())
    assert mine.value_list() == list(model.values())  # the bulk reads a snapshot uses
    assert mine.key_list() == list(model)
    assert sorted(mine.unordered_values()) == sorted(model.values())
    assert len(mine) == len(model)
    for key in range(41):
        assert (key in mine) == (key in model)
        assert mine.get(key) == model.get(key)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(OPS)
def test_a_persistent_map_and_its_forks_agree_with_dicts_given_the_same_writes(ops):
    """set, pop (of present and absent keys) and fork, on any of the forks, in any order: each
    map holds what a dict copied at the same moments holds, in the same order (read key by key
    and all at once with ``value_list`` and ``key_list``), and ``same``
    answers as ``==`` on those dicts. Chunks of 3 keys make every path of the order vector run
    (a full chunk, a hole in a full chunk and in the tail, a key popped and set again), and 4
    buckets make keys share them (a bucket copied, emptied, written in place)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(containers, "CHUNK", 3)
        patch.setattr(containers, "_MASK", 3)
        maps: list[tuple[PersistentMap[int, int], dict[int, int]]] = [
            (PersistentMap(deletable=True), {})
        ]
        for op, which, key, value in ops:
            mine, model = maps[which % len(maps)]
            if op == "set":
                mine.set(key, value)
                model[key] = value
            elif op == "pop":
                assert mine.pop(key) == model.pop(key, None)
            else:
                maps.append((mine.fork(), dict(model)))
            for other, other_model in maps:
                _agrees(other, other_model)
            first, first_model = maps[0]
            assert mine.same(first) == (model == first_model)


def test_a_map_made_without_positions_refuses_a_pop_and_keeps_its_content():
    """Accounts and roles are never removed, so their maps keep no positions: a pop of a key
    they hold is a programming error, and changes nothing."""
    grown: PersistentMap[str, int] = PersistentMap({"a": 1, "b": 2})
    with pytest.raises(TypeError, match="deletable"):
        grown.pop("a")
    assert grown.pop("zz") is None
    assert list(grown.items()) == [("a", 1), ("b", 2)]


def test_replace_all_keeps_the_given_order_and_the_kind_of_map():
    """``replace_all`` (restore's way to put accounts in their recorded order) takes the order
    given, and a deletable map stays deletable."""
    tasks: PersistentMap[str, int] = PersistentMap({"x": 1}, deletable=True)
    tasks.replace_all({"c": 3, "a": 1})
    assert list(tasks) == ["c", "a"]
    assert tasks.pop("c") == 3
    assert list(tasks.items()) == [("a", 1)]


def test_a_fork_of_a_world_keeps_every_listing_in_the_order_things_were_added():
    """Accounts, principals and subscriptions list in the order added, in a world and in its
    fork after both have written."""
    sim = Simulation.default()
    twin = sim.fork()
    sim.add_account("210987654321")
    twin.add_account("000000000001")
    twin.add_principal("000000000001", "zed")
    twin.add_principal("000000000001", "amy")
    assert [a.account_id for a in sim.accounts][-2:] == ["123456789012", "210987654321"]
    assert [a.account_id for a in twin.accounts][-2:] == ["123456789012", "000000000001"]
    assert twin.principal_names("000000000001") == ("admin", "readonly", "zed", "amy")
    assert sim.principal_names("123456789012") == ("admin", "readonly")
    assert [s.account_id for s in twin.subscriptions] == [s.account_id for s in sim.subscriptions]


def test_every_account_has_admin_and_readonly_without_storing_them():
    """The default principals exist in every account (equal to the ones a caller names), are
    unique regardless of case like any IAM user, and are left out of snapshots."""
    sim = Simulation()
    sim.add_account("123456789012")
    _, admin = sim.caller("123456789012")
    assert sim.caller("123456789012", admin)[1] == admin
    assert sim.caller("123456789012", "readonly")[1].name == "readonly"
    with pytest.raises(Exception, match="already has a principal named 'admin'"):
        sim.add_principal("123456789012", "ADMIN")
    assert sim.snapshot()["principals"] == []
    assert len(sim._state.principals) == 0
