"""explore(..., executor=...) finds what the serial search finds: the same states in the same
order, the same moves and outcomes, the same shortest counterexamples, on a process pool and on
a local dask cluster; `slr-fsm explore --workers N` says the same as one process."""

from __future__ import annotations

import json
from concurrent.futures import Executor, Future, ProcessPoolExecutor

import pytest

from slr_fsm import UsageError
from slr_fsm.cli import main
from slr_fsm.explore import ExploreResult, default_moves, explore, small_world
from slr_fsm.explore.result import Rebuild
from slr_fsm.explore.worker import PortableWorld, Search, Task
from slr_fsm.invariants import resolve_invariants
from tests.test_explore import MEMBER, planted_world

ADMIN_MOVES = [m for m in default_moves(small_world()) if m.principal != "readonly"]
"""The administrators' moves and the clock: the planted bug's space, half the moves."""


def same_search(serial: ExploreResult, parallel: ExploreResult) -> None:
    """Both searches found the same states in the same order, by the same moves, and the same
    counterexamples (steps, how they failed, in the same order)."""
    assert [n.world.abstract_state() for n in parallel.nodes] == [
        n.world.abstract_state() for n in serial.nodes
    ]
    assert [(n.depth, n.parent, n.via, n.outcome) for n in parallel.nodes] == [
        (n.depth, n.parent, n.via, n.outcome) for n in serial.nodes
    ]
    assert parallel.edges == serial.edges
    assert list(parallel.violations) == list(serial.violations)
    for name, trace in serial.violations.items():
        assert parallel.violations[name].steps == trace.steps
        assert parallel.violations[name].failure == trace.failure
    assert (parallel.complete, parallel.stopped_because) == (
        serial.complete,
        serial.stopped_because,
    )
    assert parallel.summary(timings=False) == serial.summary(timings=False)


def no_member_role_exists(world):
    """Breaks as soon as the member account's role exists (a state check)."""
    return not world.role(MEMBER).exists


def no_conflict_answered(step):
    """Breaks on the first move answered ConflictException (a step check)."""
    return step.outcome != "ConflictException"


def no_deletion_task(world):
    """Breaks once any deletion task exists (a state check, two moves deep)."""
    return not world.deletion_tasks


CHECKS = [
    "never_deleted_while_in_use",
    no_member_role_exists,
    no_conflict_answered,
    no_deletion_task,
]


@pytest.fixture(scope="module")
def pool():
    with ProcessPoolExecutor(2) as executor:
        yield executor


def test_a_process_pool_finds_the_planted_bugs_shortest_counterexample_as_serial_does(pool):
    serial = explore(planted_world(), depth=4, moves=ADMIN_MOVES, invariants=CHECKS)
    parallel = explore(
        planted_world(), depth=4, moves=ADMIN_MOVES, invariants=CHECKS, executor=pool
    )
    names = [inv if isinstance(inv, str) else inv.__name__ for inv in CHECKS]
    assert set(serial.violations) == set(names)
    assert len(serial.violations["never_deleted_while_in_use"]) == 4
    same_search(serial, parallel)


@pytest.mark.parametrize("max_states", [1, 40, 150])
def test_a_bound_stops_the_parallel_search_where_it_stops_the_serial_one(pool, max_states):
    serial = explore(depth=6, max_states=max_states, moves=ADMIN_MOVES, invariants=CHECKS)
    parallel = explore(
        depth=6, max_states=max_states, moves=ADMIN_MOVES, invariants=CHECKS, executor=pool
    )
    assert not serial.complete
    same_search(serial, parallel)


class InOrder(Executor):
    """An executor that runs each task when it is submitted, in this process: the parallel
    algorithm alone, without processes."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_the_level_by_level_search_equals_the_serial_one_at_every_depth(depth):
    serial = explore(depth=depth, moves=ADMIN_MOVES, invariants=CHECKS)
    in_order = explore(depth=depth, moves=ADMIN_MOVES, invariants=CHECKS, executor=InOrder())
    same_search(serial, in_order)


def test_a_local_dask_cluster_gives_the_serial_results():
    distributed = pytest.importorskip("distributed")
    checks = [*CHECKS, lambda world: world.pending_work < 5]  # cloudpickle sends a lambda
    serial = explore(planted_world(), depth=2, moves=ADMIN_MOVES, invariants=checks)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        parallel = explore(
            planted_world(),
            depth=2,
            moves=ADMIN_MOVES,
            invariants=checks,
            executor=client.get_executor(),
        )
    same_search(serial, parallel)


def test_what_a_process_pool_cannot_send_is_refused_before_any_work(pool):
    with pytest.raises(UsageError, match="cannot send these invariants"):
        explore(depth=1, invariants=[lambda world: True], executor=pool)
    with pytest.raises(UsageError, match=r"concurrent\.futures\.Executor"):
        explore(depth=1, executor="two processes")


def test_cli_workers_say_what_one_process_says(capsys):
    def answer(workers: str) -> dict:
        assert main(["explore", "--depth", "2", "--json", "--workers", workers]) == 0
        report = json.loads(capsys.readouterr().out)
        del report["elapsed_seconds"]
        return report

    assert answer("2") == answer("1")


@pytest.mark.parametrize("workers", ["0", "-1", "two", "62"])
def test_cli_bad_workers_are_one_line_with_exit_code_2(capsys, workers):
    with pytest.raises(SystemExit) as exited:
        main(["explore", "--workers", workers])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--workers" in err


class Recording(InOrder):
    """InOrder, keeping how many states each task carried."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def submit(self, fn, /, *args, **kwargs):
        self.sizes.append(len(args[0].paths))
        return super().submit(fn, *args, **kwargs)


def test_states_waiting_while_nothing_is_in_flight_go_in_two_halves():
    recording = Recording()
    parallel = explore(depth=2, executor=recording)
    assert [sum(1 for n in parallel.nodes if n.depth == d) for d in range(3)] == [1, 5, 26]
    # the start alone; its 5 successors as 3 and 2; each depth-1 task's successors arrive
    # while the other task is still out, so depth 2 waits for both, then goes as 13 and 13
    assert recording.sizes[:5] == [1, 3, 2, 13, 13]
    assert sum(recording.sizes) == parallel.states


def test_a_process_rebuilds_a_searchs_start_once_and_hands_out_forks(monkeypatch):
    start = small_world()
    portable = PortableWorld.of(start)
    rebuilt = []
    rebuild = PortableWorld.rebuild
    monkeypatch.setattr(PortableWorld, "rebuild", lambda self: rebuilt.append(1) or rebuild(self))
    first, second = portable.start(), portable.start()
    assert len(rebuilt) == 1
    assert first is not second
    assert first.abstract_state() == second.abstract_state() == start.abstract_state()
    assert first.same_state(start)
    first.iam(MEMBER).create_service_linked_role(
        AWSServiceName="purchase-orders.marketplace.amazonaws.com"
    )
    assert portable.start().same_state(start)  # a task's changes stay in its fork
    other = PortableWorld.of(planted_world())
    assert other.token != portable.token
    assert other == PortableWorld.of(planted_world())  # the token is not part of the value
    before = len(rebuilt)
    assert other.start().same_state(planted_world())
    assert len(rebuilt) == before + 1  # another search's start replaces the one kept


def test_a_parallel_result_makes_each_world_when_first_asked_and_keeps_it(monkeypatch):
    made = []
    get = Rebuild.get
    monkeypatch.setattr(Rebuild, "get", lambda self: made.append(self) or get(self))
    serial = explore(depth=2, moves=ADMIN_MOVES, invariants=CHECKS)
    parallel = explore(depth=2, moves=ADMIN_MOVES, invariants=CHECKS, executor=InOrder())
    text = parallel.summary(timings=False)  # role states came from the workers' reports
    assert made == []
    assert text == serial.summary(timings=False)
    last = parallel.nodes[-1]
    world = last.world
    assert last.world is world  # made once, then kept
    assert world.abstract_state() == serial.nodes[-1].world.abstract_state()
    assert parallel.nodes[last.parent].world is parallel.nodes[last.parent].world
    assert last.role_states == serial.nodes[-1].role_states


def test_a_world_that_answers_a_move_differently_when_rebuilt_is_refused():
    parallel = explore(depth=1, moves=ADMIN_MOVES, invariants=CHECKS, executor=InOrder())
    start, first = parallel.nodes[0].world, parallel.nodes[1]
    key = first.world.abstract_state()
    assert Rebuild(start, first.via, first.outcome, key).get().abstract_state() == key
    with pytest.raises(UsageError, match="differently twice"):
        Rebuild(start, first.via, "NoSuchOutcome", key).get()
    with pytest.raises(UsageError, match="deterministic world"):
        Rebuild(start, first.via, first.outcome, start.abstract_state()).get()


def test_a_search_travels_pickled_once_and_each_process_unpickles_it_once():
    portable = PortableWorld.of(small_world())
    moves = tuple(ADMIN_MOVES)
    search = Search(portable, moves, (), ())
    packed = search.packed()
    assert isinstance(packed, bytes)
    first = Task(packed, portable.token, ((),), True, frozenset())
    second = Task(packed, portable.token, ((0,),), True, frozenset())
    kept = first.unpacked()
    assert kept is not search  # unpickled
    assert kept.moves == moves
    assert kept.start.token == portable.token
    assert second.unpacked() is kept  # one search, unpickled once here
    other = PortableWorld.of(planted_world())
    other_search = Task(Search(other, moves, (), ()).packed(), other.token, (), True, frozenset())
    assert other_search.unpacked().start.token == other.token  # replaces the one kept
    assert Task(packed, portable.token, (), True, frozenset()).unpacked() is not kept


def test_a_search_pickle_cannot_send_travels_as_itself_for_the_executors_serializer():
    (check,) = resolve_invariants([lambda world: True])
    search = Search(PortableWorld.of(small_world()), tuple(ADMIN_MOVES), (check,), ())
    assert search.packed() is search
    assert Task(search, search.start.token, (), True, frozenset()).unpacked() is search


def test_a_world_a_caller_changes_changes_no_other_state_of_a_parallel_result():
    serial = explore(depth=2, moves=ADMIN_MOVES, invariants=CHECKS)
    parallel = explore(depth=2, moves=ADMIN_MOVES, invariants=CHECKS, executor=InOrder())
    for result in (serial, parallel):  # the start's and a depth-1 state's worlds, changed
        for changed in (result.nodes[0], result.nodes[1]):
            changed.world.iam(MEMBER).create_service_linked_role(
                AWSServiceName="purchase-orders.marketplace.amazonaws.com"
            )
    made = [n.world.abstract_state() for n in parallel.nodes[2:]]  # made after the changes
    assert made == [n.world.abstract_state() for n in serial.nodes[2:]]


def test_a_state_thousands_of_moves_deep_makes_its_world_without_recursion():
    start = small_world()
    key = start.abstract_state()

    def unchanged(move) -> bool:
        world = start.fork()
        move.apply(world)
        return world.abstract_state() == key

    still = next(m for m in ADMIN_MOVES if unchanged(m))  # e.g. a read
    outcome = still.apply(start.fork())
    chain: Rebuild | object = start
    for _ in range(1_500):  # deeper than Python's default recursion limit
        chain = Rebuild(chain, still, outcome, key)
    assert chain.get().abstract_state() == key


def test_threads_asking_for_a_parallel_results_worlds_get_each_one_world():
    import threading

    parallel = explore(depth=2, moves=ADMIN_MOVES, invariants=CHECKS, executor=InOrder())
    seen: list[list[object]] = [[], []]
    failures: list[BaseException] = []

    def ask(mine: list[object]) -> None:
        try:
            mine.extend(node.world for node in reversed(parallel.nodes))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=ask, args=(seen[n],)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert all(a is b for a, b in zip(seen[0], seen[1], strict=True))  # made once, kept
