"""The virtual clock and the latencies of the work AWS does in the background.

Time in a simulation only moves when asked (``sim.advance(seconds)``, ``sim.settle()``), so runs
are deterministic: same seed and same calls give the same timestamps.

>>> clock = VirtualClock()
>>> clock.advance(90)
>>> clock.now().isoformat()
'2026-01-01T00:01:30+00:00'
"""

from __future__ import annotations

import datetime as dt
import math

import attrs

from slr_fsm.errors import UsageError
from slr_fsm.shown import shown

__all__ = ["DEFAULT_START", "MAX_SECONDS", "Latencies", "VirtualClock", "checked_seconds"]

DEFAULT_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
"""When every simulation's clock starts unless told otherwise."""


MAX_SECONDS = 1000 * 365.25 * 86400
"""The longest step a clock takes or a latency lasts: a thousand years."""


def checked_seconds(value: object) -> float:
    """``value`` as a number of seconds from 0 to :data:`MAX_SECONDS`; a UsageError otherwise."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 <= value <= MAX_SECONDS  # before isfinite: a huge int is simply too large
        or not math.isfinite(value)
    ):
        raise UsageError(
            f"Seconds are a number from 0 to {MAX_SECONDS:.0f} (time only moves forward); "
            f"got {shown(value)}"
        )
    return float(value)


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    try:
        checked_seconds(value)
    except UsageError:
        raise UsageError(
            f"Latencies.{attribute.name} must be a finite number of seconds >= 0, got "
            f"{shown(value)}"
        ) from None


def _optional_non_negative(
    _: object, attribute: attrs.Attribute[float | None], value: float | None
) -> None:
    if value is not None:
        _non_negative(_, attribute, value)  # type: ignore[arg-type]


@attrs.frozen
class Latencies:
    """How long, in virtual seconds, AWS takes for each piece of background work.

    ``creation``: from the create request until the service can use the role.
    ``deletion_start``: until a submitted deletion task turns IN_PROGRESS.
    ``deletion_run``: from IN_PROGRESS until the task ends SUCCEEDED or FAILED.
    ``task_retention``: how long a finished task can still be queried (``None``: forever);
    real AWS may purge finished tasks quickly, after which a query gives NoSuchEntity.
    Zero latencies make the work finish within the request that started it.
    """

    creation: float = attrs.field(default=10.0, validator=_non_negative)
    deletion_start: float = attrs.field(default=2.0, validator=_non_negative)
    deletion_run: float = attrs.field(default=8.0, validator=_non_negative)
    task_retention: float | None = attrs.field(default=None, validator=_optional_non_negative)


@attrs.define
class VirtualClock:
    """Virtual time: a fixed start plus the seconds elapsed since."""

    start: dt.datetime = DEFAULT_START
    elapsed: float = 0.0
    _last: tuple[dt.datetime, float, dt.datetime] | None = attrs.field(
        default=None, init=False, eq=False, repr=False
    )
    """The last :meth:`now` answered, with the start and elapsed time it was for (time stands
    still between most calls, and every logged attempt asks)."""

    def copy(self) -> VirtualClock:
        """An independent clock at the same time."""
        return VirtualClock(self.start, self.elapsed)

    def now(self) -> dt.datetime:
        """The current virtual time (timezone-aware, UTC)."""
        last, start, elapsed = self._last, self.start, self.elapsed
        if last is not None and last[0] is start and last[1] == elapsed:
            return last[2]
        now = self._last = (start, elapsed, self.at(elapsed))
        return now[2]

    def at(self, elapsed: float) -> dt.datetime:
        """The virtual time ``elapsed`` seconds after the start."""
        return self.start + dt.timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> None:
        """Move time forward; it never goes back."""
        self.elapsed += checked_seconds(seconds)
