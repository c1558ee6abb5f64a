"""What every benchmark module shares: timings (median and spread), side-by-side measuring, and
the result table's row."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

import attrs

ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"
SERVICE = "purchase-orders.marketplace.amazonaws.com"


@attrs.frozen
class Timing:
    """Seconds per operation: the median over repeats, and the fastest and slowest repeat."""

    median: float
    low: float
    high: float

    def us(self) -> str:
        return f"{self.median * 1e6:,.2f} µs ({self.low * 1e6:,.2f}–{self.high * 1e6:,.2f})"

    def s(self) -> str:
        return f"{self.median:,.3f} s ({self.low:,.3f}–{self.high:,.3f})"


def measure(fn: Callable[[], Any], *, number: int, repeat: int) -> Timing:
    """Seconds per call of ``fn`` (called ``number`` times a repeat)."""
    samples = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return Timing(statistics.median(samples), min(samples), max(samples))


def measure_side_by_side(fns: dict[str, Callable[[], Any]], *, number: int, repeat: int
                         ) -> dict[str, Timing]:
    """Like :func:`measure` for several functions, interleaved repeat by repeat, so that each
    sees the same machine (a noisy neighbour slows all of them, not one)."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number)
    return {name: Timing(statistics.median(v), min(v), max(v)) for name, v in samples.items()}


@attrs.frozen
class Row:
    """One line of the results table."""

    what: str
    ours: str
    compared_with: str
    theirs: str
    ratio: float
    target: str
    met: bool | None
    note: str = ""


def per(t: Timing, k: int) -> str:
    """A timing of ``k`` operations, shown per operation."""
    return Timing(t.median / k, t.low / k, t.high / k).us()


