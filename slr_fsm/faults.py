"""Faults to inject, deterministically: failed creations and partial usage reports.

>>> Faults(creation_failures=1).usage_reporting
<UsageReporting.ALL: 'all'>
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import attrs

from slr_fsm.errors import UsageError
from slr_fsm.shown import shown

if TYPE_CHECKING:  # tasks and subscriptions load when first used
    from slr_fsm.tasks import RoleUsage

__all__ = ["Faults", "UsageReporting"]


class UsageReporting(enum.Enum):
    """How much of the resources in use a failed deletion task reports.

    AWS: "the service might report all, some, or none of the resources"; callers clean up what
    is reported and retry. ``SOME`` reports the first half (rounded up) of the resources in use,
    in a stable order.
    """

    ALL = "all"
    SOME = "some"
    NONE = "none"

    def reported(self, usage: tuple[RoleUsage, ...]) -> tuple[RoleUsage, ...]:
        """The part of ``usage`` a failed deletion task reports in this mode."""
        from slr_fsm.tasks import RoleUsage

        if self is UsageReporting.ALL:
            return usage
        if self is UsageReporting.NONE:
            return ()
        flat = [(u.region, r) for u in usage for r in u.resources]
        kept = flat[: (len(flat) + 1) // 2]
        regions: dict[str, list[str]] = {}
        for region, resource in kept:
            regions.setdefault(region, []).append(resource)
        return tuple(RoleUsage(r, tuple(res)) for r, res in regions.items())


def _count(_: object, __: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(f"creation_failures is a count (an int >= 0), got {shown(value)}")


def _reporting(value: object) -> UsageReporting:
    if isinstance(value, UsageReporting):
        return value
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return UsageReporting(str.__str__(value))
    except ValueError:
        choices = [m.value for m in UsageReporting]
        raise UsageError(f"usage reporting is one of {choices}, got {shown(value)}") from None


@attrs.frozen
class Faults:
    """The faults the simulation will inject.

    ``creation_failures``: how many of the next role creations end in ServiceFailure
    (``creating`` falls back to ``absent``). ``usage_reporting``: see :class:`UsageReporting`.
    """

    creation_failures: int = attrs.field(default=0, validator=_count)
    usage_reporting: UsageReporting = attrs.field(default=UsageReporting.ALL, converter=_reporting)
