"""Virtual time for code under test: inside the block, ``time.sleep(s)`` advances a simulation's
clock by ``s`` instead of sleeping.

Code that polls AWS (a deletion-status loop, a botocore waiter, botocore's retries) sleeps
with ``time.sleep``. Against a simulation, whose clock moves only when told, real sleeping
would wait forever for work that is due in virtual time. Inside :func:`virtual_time` (which
``simulated_boto3`` enters by default), a sleep in the thread that entered the block runs the
simulation forward instead, so the loop sees what AWS would show after that long, in
microseconds of wall time.

- Only the thread that entered the block is affected; other threads sleep for real (they are
  never frozen). Blocks nest, and overlap across threads; the innermost block of the sleeping
  thread decides. When every block has left, ``time.sleep`` is Python's own again.
- Only calls through the module attribute are seen (``time.sleep(...)``, which botocore's
  waiters and retries use); a name bound earlier with ``from time import sleep`` still sleeps
  for real. ``asyncio.sleep`` is not affected, nor are ``time.time()`` and
  ``time.monotonic()`` (wall time does not jump).
- A value ``time.sleep`` itself refuses (negative, NaN, not a number) gets Python's own error.

>>> import time
>>> from slr_fsm import Simulation
>>> sim = Simulation.default()
>>> with virtual_time(sim):
...     time.sleep(3600)   # returns at once
>>> sim.clock.elapsed
3600.0
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from typing import Any, SupportsIndex

from slr_fsm.errors import UsageError
from slr_fsm.shown import shown
from slr_fsm.simulation import Simulation
from slr_fsm.thread_patch import ThreadPatch

__all__ = ["virtual_time", "virtual_time_active"]

_Sleep = Callable[[float | SupportsIndex], None]


def _seconds(value: Any) -> float | None:
    """The sleep's length, or ``None`` for a value Python's ``time.sleep`` must judge itself."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        seconds = float(value)
    except OverflowError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _virtual_sleep(original: _Sleep) -> _Sleep:
    def sleep(value: float | SupportsIndex) -> None:
        sim = _PATCH.current()
        seconds = None if sim is None else _seconds(value)
        if sim is None or seconds is None:
            original(value)  # no block in this thread, or a value for Python's own error
            return
        sim.advance(seconds)

    return sleep


_PATCH: ThreadPatch[Simulation] = ThreadPatch(time, "sleep", _virtual_sleep)


def virtual_time_active() -> bool:
    """Whether a sleep in this thread would advance a simulation's clock now."""
    return _PATCH.current() is not None


@contextlib.contextmanager
def virtual_time(sim: Simulation) -> Iterator[Simulation]:
    """While the block runs, ``time.sleep(s)`` in this thread advances ``sim`` by ``s``.

    >>> import time
    >>> from slr_fsm import Simulation
    >>> from slr_fsm.boto import iam_client
    >>> sim = Simulation.default()
    >>> iam = iam_client(sim)
    >>> _ = iam.create_service_linked_role(
    ...     AWSServiceName="purchase-orders.marketplace.amazonaws.com")
    >>> with virtual_time(sim):
    ...     task = iam.delete_service_linked_role(
    ...         RoleName="AWSServiceRoleForMarketplacePurchaseOrders")["DeletionTaskId"]
    ...     while (status := iam.get_service_linked_role_deletion_status(
    ...             DeletionTaskId=task)["Status"]) in ("NOT_STARTED", "IN_PROGRESS"):
    ...         time.sleep(5)
    >>> status, sim.clock.elapsed
    ('SUCCEEDED', 10.0)
    """
    if not isinstance(sim, Simulation):
        raise UsageError(f"virtual_time() takes a Simulation, got {shown(sim)}")
    with _PATCH.entered(sim):
        yield sim
