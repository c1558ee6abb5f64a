"""Faults to inject, deterministically: failed creations and partial usage reports.

>>> Faults(creation_failures=1).usage_reporting
<UsageReporting.ALL: 'all'>
"""

from __future__ import annotations

import enum

import attrs

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


@attrs.frozen
class Faults:
    """The faults the simulation will inject.

    ``creation_failures``: how many of the next role creations end in ServiceFailure
    (``creating`` falls back to ``absent``). ``usage_reporting``: see :class:`UsageReporting`.
    """

    creation_failures: int = 0
    usage_reporting: UsageReporting = UsageReporting.ALL
