"""Exhaustive, breadth-first exploration of a small world, TLC-style.

Where hypothesis samples sequences at random, :func:`explore` visits *every* state reachable
within a bound, checks named invariants on each, and for each broken invariant returns the
shortest sequence of moves that breaks it (breadth-first order makes the first one found the
shortest). States are compared on an abstract fingerprint (role states, resources, integration,
task statuses, pending work), not on ids or timestamps, so re-creations that differ only in ids
collapse into one state.

>>> result = explore(depth=3)
>>> result.complete, result.violations
(True, {})
>>> result.states > 10
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from typing import Any

from slr_fsm.errors import UsageError
from slr_fsm.invariants import Invariant, resolve_invariants
from slr_fsm.lifecycle import RoleState
from slr_fsm.moves import FAULT_MOVE, LATEST_TASK, Move, default_moves, small_world
from slr_fsm.shown import shown
from slr_fsm.simulation import Simulation
from slr_fsm.trace import Trace, TraceStep, replay

from .result import ExploreProgress, ExploreResult
from .serial import Settings, search

__all__ = [
    "FAULT_MOVE",
    "LATEST_TASK",
    "ExploreProgress",
    "ExploreResult",
    "Move",
    "Trace",
    "TraceStep",
    "default_moves",
    "explore",
    "fingerprint",
    "replay",
    "role_state_is",
    "small_world",
]


def fingerprint(world: Simulation) -> tuple[Any, ...]:
    """The state a world is in, for the explorer: its :meth:`~slr_fsm.world.World.abstract_state`
    (role states, integrations, purchase orders, unfinished tasks, pending work, faults; not
    ids, times, descriptions or finished tasks)."""
    return world.abstract_state()


def explore(
    world: Simulation | None = None,
    *,
    depth: int = 6,
    invariants: Iterable[Invariant | Callable[..., bool] | str] | None = None,
    moves: Sequence[Move] | None = None,
    max_states: int = 100_000,
    max_seconds: float = 300.0,
    progress: Callable[[ExploreProgress], None] | None = None,
    progress_every: float = 1.0,
    executor: Executor | None = None,
) -> ExploreResult:
    """Explore every state of ``world`` (default :func:`small_world`) reachable in ``depth``
    moves, breadth-first, checking ``invariants`` (default: the whole library).

    The default depth, 6, reaches 4,599 states of the small world (each depth multiplies the
    states by about 2.5). ``moves`` defaults to :func:`default_moves`. The search stops
    cleanly once it has ``max_states`` distinct states (it finishes the state it is expanding,
    so a few more may be found) or after ``max_seconds`` (positive, finite); ``progress`` gets
    an :class:`ExploreProgress` about every ``progress_every`` seconds.

    Your own checks are invariants too: a function of the world runs on a copy of each new
    state, a function of a ``step`` after every move, and may run your code against that
    copy (``iam_client(world)`` from :mod:`slr_fsm.boto`, for instance). A check breaks when
    it returns a false value, fails an ``assert`` or raises anything (a ``ClientError`` your
    code let escape, say); the counterexample's ``failure`` says which.

    ``executor`` (any :class:`concurrent.futures.Executor`) spreads the search over other
    processes, in chunks of states of one depth, with the serial search's results: the same
    states in the same order, the same moves and the same shortest counterexamples (this process
    keeps no world but the start meanwhile: the result makes a state's world from its parent's
    when first asked for, by ``result.world(i)``, say). A process
    pool's checks must be defined at the top level of a module (pickle sends them by name); a
    dask client's executor sends any function::

        with ProcessPoolExecutor(2) as pool:
            result = explore(depth=8, executor=pool)

        client = distributed.Client(cluster)  # a dask cluster
        result = explore(depth=8, executor=client.get_executor())
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise UsageError(f"depth is a number of moves >= 0, got {shown(depth)}")
    if world is not None and not isinstance(world, Simulation):
        raise UsageError(f"explore() takes a Simulation (e.g. small_world()), got {shown(world)}")
    for name, bound in (("max_states", max_states), ("max_seconds", max_seconds)):
        if not _finite(bound) or bound <= 0:
            raise UsageError(f"{name} is a positive, finite number, got {shown(bound)}")
    if not _finite(progress_every) or progress_every < 0:
        raise UsageError(f"progress_every is a finite number >= 0, got {shown(progress_every)}")
    if progress is not None and not callable(progress):
        raise UsageError(f"progress is a function of an ExploreProgress, got {shown(progress)}")
    if moves is not None and not all(isinstance(m, Move) for m in moves):
        raise UsageError("moves are Move values (see default_moves())")
    if executor is not None and not isinstance(executor, Executor):
        raise UsageError(
            f"executor is a concurrent.futures.Executor (a ProcessPoolExecutor, or a dask "
            f"client's get_executor()), got {shown(executor)}"
        )
    start_world = (world if world is not None else small_world()).fork()
    settings = Settings(
        depth,
        tuple(moves) if moves is not None else default_moves(start_world),
        resolve_invariants(invariants),
        max_states,
        max_seconds,
        progress,
        progress_every,
    )
    if executor is None:
        return search(start_world, settings)
    from .parallel import parallel_search  # only a parallel search needs it

    return parallel_search(start_world, settings, executor)


def _finite(bound: object) -> bool:
    """Whether ``bound`` is an int (however large: math.isfinite would overflow on it) or a
    finite float, not a bool, NaN or an infinity."""
    if isinstance(bound, bool):
        return False
    return isinstance(bound, int) or (isinstance(bound, float) and math.isfinite(bound))


def role_state_is(
    account: str, state: RoleState, service: str | None = None
) -> Callable[[Simulation], bool]:
    """A target for :meth:`ExploreResult.cannot_reach`: the role in ``account`` (of ``service``,
    when the world simulates several) is in ``state``."""
    return lambda world: world.role(account, service).state is state
