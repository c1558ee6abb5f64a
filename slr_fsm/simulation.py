"""``Simulation``: the world, with its faces (IAM API, Marketplace console, STS) on top.

>>> from slr_fsm import Simulation
>>> sim = Simulation.default(seed=0)
>>> mgmt = sim.organization.management_account
>>> sim.marketplace(mgmt).configure_billing_integration()["Status"]
'PENDING'
>>> _ = sim.settle()
>>> sim.role(mgmt).state
<RoleState.ACTIVE: 'active'>
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slr_fsm.accounts import Organization
from slr_fsm.world import AccountLike, PrincipalLike, World

if TYPE_CHECKING:  # each face is imported when first asked for, not with the simulation
    from slr_fsm.face import UnknownCaller
    from slr_fsm.iam import IamApi
    from slr_fsm.marketplace import MarketplaceConsole
    from slr_fsm.organizations import OrganizationsApi
    from slr_fsm.sts import StsApi

__all__ = ["Simulation"]


class Simulation(World):
    """A simulated AWS world around service-linked roles; the library's main entry point.

    Build one with :meth:`Simulation.default` (or an empty one and ``add_organization`` etc.),
    act through :meth:`iam`, :meth:`marketplace`, :meth:`sts` and ``organizations(account)``,
    move time with ``advance`` and ``settle``, read ``role(account)`` and ``trace``, and
    ``snapshot``/``restore`` the world.
    """

    def iam(
        self,
        account: AccountLike,
        principal: PrincipalLike | None = None,
        *,
        unknown_caller: UnknownCaller = "raise",
    ) -> IamApi:
        """The IAM API as ``principal`` (default ``admin``) in ``account`` sees it.

        A caller the world does not hold is refused here (``InvalidClientTokenId``), or, with
        ``unknown_caller="refuse_each_call"``, by each call, logged, as AWS refuses requests
        signed with bad credentials (see :mod:`slr_fsm.face`)."""
        face = _IAM_API
        if face is None:  # the first IAM face: load the module once, not on every call
            face = _load_iam_api()
        return face(self, account, principal, unknown_caller=unknown_caller)

    def marketplace(
        self,
        account: AccountLike,
        principal: PrincipalLike | None = None,
        *,
        unknown_caller: UnknownCaller = "raise",
    ) -> MarketplaceConsole:
        """The AWS Marketplace console (billing integration, purchase orders) in ``account``."""
        from slr_fsm.marketplace import MarketplaceConsole

        return MarketplaceConsole(self, account, principal, unknown_caller=unknown_caller)

    def sts(
        self,
        account: AccountLike,
        principal: PrincipalLike | None = None,
        *,
        unknown_caller: UnknownCaller = "refuse_each_call",
    ) -> StsApi:
        """STS for a user, or for a service principal such as the role's trusted service (a
        caller the world does not hold is refused by each call, logged)."""
        from slr_fsm.sts import StsApi

        return StsApi(self, account, principal, unknown_caller=unknown_caller)

    @property
    def organizations(self) -> OrganizationsFace:
        """Every organization in the world, as a tuple; called, ``sim.organizations(account,
        principal=None)``, the AWS Organizations API as that principal sees it.

        >>> sim = Simulation.default()
        >>> len(sim.organizations), sim.organizations(sim.organization.management_account)
        (1, <OrganizationsApi admin@111122223333>)
        """
        return OrganizationsFace(super().organizations, self)

    def _repr_html_(self) -> str:
        from slr_fsm.display import html_table

        multi = len(self.specs) > 1 or any(s.allows_custom_suffix for s in self.specs)
        rows = []
        for account in self.accounts[:_SHOWN_ACCOUNTS]:
            for role in self.roles(account):
                rows.append(
                    [
                        account.name or "-",
                        account.account_id,
                        account.organization_id or "-",
                        *([role.name] if multi else []),
                        role.state.value,
                        role.role_id or "-",
                        "yes" if self.integration_configured(account) else "no",
                        sum(len(s.purchase_orders) for s in self.subscriptions_of(account)),
                    ]
                )
        hidden = len(self.accounts) - _SHOWN_ACCOUNTS
        caption = (
            f"Simulation (seed {self.seed}) at {self.now:%Y-%m-%d %H:%M:%S} UTC, "
            f"{len(self.trace)} events, {self.pending_work} pending"
            + (f"; {hidden} more accounts not shown" if hidden > 0 else "")
        )
        headers = [
            "account",
            "id",
            "organization",
            *(["role"] if multi else []),
            "state",
            "RoleId",
            "billing integration",
            "purchase orders",
        ]
        return html_table(headers, rows, caption)

    def __repr__(self) -> str:
        multi = len(self.specs) > 1
        parts = []
        for account in self.accounts[:_SHOWN_ACCOUNTS]:
            roles = self.roles(account)
            if multi or len(roles) > 1:
                states = "/".join(f"{r.name}={r.state.value}" for r in roles)
            else:
                states = roles[0].state.value
            parts.append(f"{account.account_id}:{states}")
        if len(self.accounts) > _SHOWN_ACCOUNTS:
            parts.append(f"... {len(self.accounts) - _SHOWN_ACCOUNTS} more")
        return f"<Simulation seed={self.seed} t={self.clock.elapsed:g}s roles=[{', '.join(parts)}]>"


class OrganizationsFace(tuple[Organization, ...]):
    """The world's organizations (a tuple, as :attr:`World.organizations` gives them) that,
    called like ``sim.iam(...)``, give the AWS Organizations face
    (:class:`~slr_fsm.organizations.OrganizationsApi`)."""

    _sim: Simulation

    def __new__(cls, organizations: Any, sim: Simulation) -> OrganizationsFace:
        made = super().__new__(cls, organizations)
        made._sim = sim
        return made

    def __call__(
        self,
        account: AccountLike,
        principal: PrincipalLike | None = None,
        *,
        unknown_caller: UnknownCaller = "raise",
    ) -> OrganizationsApi:
        """AWS Organizations (read side) as ``principal`` (default ``admin``) in ``account``."""
        from slr_fsm.organizations import OrganizationsApi

        return OrganizationsApi(self._sim, account, principal, unknown_caller=unknown_caller)


_IAM_API: type[IamApi] | None = None
"""The IAM face's class once :mod:`slr_fsm.iam` is loaded (a world of a million accounts asks
for a million faces; an import statement costs about half a microsecond each time)."""


def _load_iam_api() -> type[IamApi]:
    global _IAM_API
    from slr_fsm.iam import IamApi

    _IAM_API = IamApi
    return IamApi


_SHOWN_ACCOUNTS = 20
"""How many accounts a simulation's repr and table show (a world may have millions)."""
