"""A usage model's view of one world: its own records in the world's state, and who is who."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from slr_fsm._world.directory import Directory
from slr_fsm._world.state import WorldState
from slr_fsm.errors import UsageError
from slr_fsm.lifecycle import RoleState

if TYPE_CHECKING:  # tasks and subscriptions load when first used
    from slr_fsm.subscriptions import Subscription

__all__ = ["BoundUsageContext"]


class BoundUsageContext:
    """:class:`slr_fsm.usage.UsageContext` for one role spec of one world state."""

    def __init__(
        self,
        state: WorldState,
        directory: Directory,
        service: str,
        role_state: Callable[[str], RoleState],
        may_write: Callable[[], bool] = lambda: True,
    ) -> None:
        self._may_write = may_write
        self._state = state
        self._directory = directory
        self._service = service
        self._role_state = role_state

    def get(self, kind: str, key: str) -> Any:
        """The record under ``(kind, key)``, or ``None``."""
        return self._state.usage.get((self._service, kind, key))

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store a record; ``None`` or an empty tuple removes it."""
        if not self._may_write():
            raise UsageError(
                "A usage record changes the world: change it inside sim.attempt(...) (logged) or "
                "`with sim.atomic():`, so no other thread sees it half-done."
            )
        if value is None or value == ():
            self._state.usage.pop((self._service, kind, key))
        else:
            self._state.usage.set((self._service, kind, key), value)

    def keys(self, kind: str) -> Iterator[str]:
        """The keys of this model's records of one kind."""
        service = self._service  # the keys taken when iteration starts, as before: a model
        # may change its records while it walks them
        yield from [k for s, r, k in self._state.usage if s == service and r == kind]

    def role_state(self, account_id: str) -> RoleState:
        """The state of this model's role in an account."""
        return self._role_state(account_id)

    def integration_owner(self, account_id: str) -> str:
        """The organization's management account, or the account itself when standalone."""
        return self._directory.integration_owner(account_id)

    def served_accounts(self, owner: str) -> tuple[str, ...]:
        """The accounts an owner's organization-wide setting serves."""
        return self._directory.served_accounts(owner)

    def subscription(self, subscription_id: str) -> Subscription | None:
        """A Marketplace subscription by id."""
        return self._directory.find_subscription(subscription_id)
