"""What every face (IAM, the Marketplace console, STS) shares: a caller, and logged attempts.

A face is a thin adapter: it turns AWS parameters into calls of the world's kernel API
(:meth:`slr_fsm.world.World.attempt` and the role operations) and outcomes into AWS answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from slr_fsm.world import AccountLike, PrincipalLike, World

__all__ = ["Face"]

T = TypeVar("T")


class Face:
    """One principal in one account, calling one face of the simulated AWS."""

    def __init__(self, world: World, account: AccountLike, principal: PrincipalLike | None = None):
        self._world = world
        self.account, self.principal = world.caller(account, principal)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.principal.name}@{self.account.account_id}>"

    def _attempt(
        self,
        operation: str,
        parameters: Mapping[str, Any],
        body: Callable[[], T],
        *,
        role_account_id: str | None = None,
        role_name: str | None = None,
    ) -> T:
        """Run ``body`` as one logged, atomic attempt about a role (default: in this account;
        the world's role when it simulates only one and the call names none)."""
        if role_name is None and len(self._world.specs) == 1:
            role_name = self._world.specs[0].role_name
        role = (role_account_id or self.account.account_id, role_name)
        return self._world.attempt(self.account, self.principal, operation, parameters, role, body)
