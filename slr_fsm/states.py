"""The five states of a service-linked role, as the seed describes its life.

A plain enum at the bottom of the library, so data values (roles, events) can name a state
without depending on the lifecycle engine; :mod:`slr_fsm.lifecycle` re-exports it.

>>> [s.value for s in RoleState if s.exists]
['creating', 'active', 'deleting_blocked']
"""

from __future__ import annotations

import enum

__all__ = ["RoleState"]


class RoleState(enum.Enum):
    """Where a service-linked role is in its life, in one account."""

    ABSENT = "absent"
    """Never created, or its creation failed."""
    CREATING = "creating"
    """Requested; IAM has it, but the service cannot use it yet."""
    ACTIVE = "active"
    """Exists and the service uses it."""
    DELETING_BLOCKED = "deleting_blocked"
    """A deletion failed because resources are in use; the role is kept and still usable."""
    DELETED = "deleted"
    """Deleted after clean-up; the same route re-creates it."""

    @property
    def exists(self) -> bool:
        """Whether IAM holds the role (GetRole finds it)."""
        return self in _EXISTING

    @property
    def usable_by_service(self) -> bool:
        """Whether the trusted service can assume the role and act through it."""
        return self in _USABLE

    def __str__(self) -> str:
        return self.value


_EXISTING = frozenset({RoleState.CREATING, RoleState.ACTIVE, RoleState.DELETING_BLOCKED})
_USABLE = frozenset({RoleState.ACTIVE, RoleState.DELETING_BLOCKED})
