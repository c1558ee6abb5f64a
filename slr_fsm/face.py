"""What every face (IAM, the Marketplace console, STS, Organizations) shares: a caller, and
logged attempts.

A face is a thin adapter: it turns AWS parameters into calls of the world's kernel API
(:meth:`slr_fsm.world.World.attempt` and the role operations) and outcomes into AWS answers.

A caller the world does not hold (an account id or a user name it lacks) has no credentials.
``unknown_caller="raise"`` refuses it when the face is built (``InvalidClientTokenId``, not
logged: no call was made); ``unknown_caller="refuse_each_call"`` builds the face and refuses
each call instead, logged like any other refusal, as AWS refuses each request signed with bad
credentials (the boto3 bridge and STS work this way). A value that cannot name a caller at all
(not a 12-digit id, not a name IAM accepts) is refused when the face is built either way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

from slr_fsm.accounts import Account, Principal
from slr_fsm.errors import InvalidClientTokenId, UsageError
from slr_fsm.shown import shown
from slr_fsm.world import AccountLike, PrincipalLike, World

__all__ = ["UNKNOWN_CALLER", "Face", "UnknownCaller"]

T = TypeVar("T")
UnknownCaller = Literal["raise", "refuse_each_call"]
UNKNOWN_CALLER: tuple[UnknownCaller, ...] = ("raise", "refuse_each_call")
"""How a face treats a caller the world does not hold (see the module's docstring)."""


class Face:
    """One principal in one account, calling one face of the simulated AWS."""

    _unknown_caller: UnknownCaller = "raise"
    """This face's default for ``unknown_caller``."""

    def __init__(
        self,
        world: World,
        account: AccountLike,
        principal: PrincipalLike | None = None,
        *,
        unknown_caller: UnknownCaller | None = None,
    ) -> None:
        if not isinstance(world, World):
            raise UsageError(f"A face is built on a World (a Simulation), got {shown(world)}")
        mode = self._unknown_caller if unknown_caller is None else unknown_caller
        if mode is not UNKNOWN_CALLER[0] and (  # the default itself needs no check
            not isinstance(mode, str) or mode not in UNKNOWN_CALLER
        ):
            raise UsageError(f"unknown_caller is one of {list(UNKNOWN_CALLER)}, got {shown(mode)}")
        self._world = world
        specs = world.specs  # a world's specs never change
        self._only_role = specs[0].role_name if len(specs) == 1 else None
        """The world's role when it simulates only one (what a call naming none concerns)."""
        self._refused: InvalidClientTokenId | None = None
        try:
            self.account, self.principal = world.caller(account, principal)
        except InvalidClientTokenId as refused:
            stranger = _stranger(account, principal) if mode == "refuse_each_call" else None
            if stranger is None:
                raise
            self._refused = refused
            self.account, self.principal = stranger

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.principal.name}@{self.account.account_id}>"

    def _check_credentials(self) -> None:
        """Refuse the call of a caller the world does not hold, as AWS refuses bad credentials."""
        if self._refused is not None:
            raise InvalidClientTokenId(self._refused.message, guard="credentials")

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
        the world's role when it simulates only one and the call names none). A caller the
        world does not hold is refused first."""
        role = (
            role_account_id or self.account.account_id,
            self._only_role if role_name is None else role_name,
        )
        if self._refused is not None:

            def refused() -> T:
                self._check_credentials()
                return body()

            body = refused
        return self._world.attempt(self.account, self.principal, operation, parameters, role, body)


def _stranger(account: object, principal: object) -> tuple[Account, Principal] | None:
    """The caller an unknown account and principal name (to log their refused calls), or
    ``None`` when the values cannot name one."""
    if isinstance(account, Account):
        account_id = account.account_id
    elif isinstance(account, str) and re.fullmatch(r"\d{12}", account, re.ASCII):
        account_id = str.__str__(account)
    else:
        return None
    name = principal.name if isinstance(principal, Principal) else principal
    if name is None:
        name = "admin"
    if not isinstance(name, str):
        return None
    try:
        return Account(account_id), Principal(str.__str__(name), account_id)
    except UsageError:
        return None
