"""The simulated world: a short composition of the kernel's components, behind one lock.

:class:`World` holds a :class:`~slr_fsm._world.state.WorldState` and the components that work on
it: the directory (who is who), role operations (judge and apply, and the clock's work), the
journal (the event log and the lock) and persistence. It knows nothing of the faces (IAM, the
console, STS); :class:`slr_fsm.simulation.Simulation` adds them.

**Thread safety.** A world may be shared by threads. Every attempt (validation, authorization,
judgement, change, log entry, and the clock work it triggers), every move of the clock, and every
read runs under the world's own re-entrant lock, so it is atomic; separate worlds share no mutable
state (only bounded memos of pure answers: policy decisions, role keys, parameter texts known to
match their pattern).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Self, TypeVar

import attrs

from slr_fsm._world.catalogue import Catalogue
from slr_fsm._world.directory import AccountLike, Caller, Directory, PrincipalLike
from slr_fsm._world.journal import Journal, locked
from slr_fsm._world.kernel_api import KernelApi
from slr_fsm._world.reads import WorldReads
from slr_fsm._world.role_ops import RoleOps
from slr_fsm._world.scheduler import MAX_ELAPSED
from slr_fsm._world.state import WorldState
from slr_fsm.accounts import ORGANIZATION_ID, Account, Organization, Principal
from slr_fsm.clock import DEFAULT_START, Latencies, VirtualClock
from slr_fsm.errors import UsageError
from slr_fsm.events import Event, EventLog
from slr_fsm.faults import Faults, UsageReporting
from slr_fsm.ids import IdGenerator
from slr_fsm.lifecycle import LIFECYCLE, Lifecycle
from slr_fsm.shown import shown
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS, RoleSpec
from slr_fsm.usage import UsageModel

if TYPE_CHECKING:  # tasks and subscriptions load when first used
    from slr_fsm.subscriptions import Subscription

__all__ = [
    "DEFAULT_ACCOUNT_IDS",
    "DEFAULT_REGIONS",
    "AccountLike",
    "Caller",
    "EventLog",
    "PrincipalLike",
    "World",
]

DEFAULT_REGIONS = ("us-east-1", "eu-west-1")
DEFAULT_ACCOUNT_IDS = {
    "management": "111122223333",
    "member-a": "444455556666",
    "member-b": "777788889999",
    "standalone": "123456789012",
}
"""The default world's accounts, by name (``Simulation.default(account_ids=...)`` changes them)."""
_LATEST_START = dt.datetime(9999, 1, 1, tzinfo=dt.UTC) - dt.timedelta(seconds=2 * MAX_ELAPSED)
"""A clock may start no later than this: it can then run its whole range, and work may be
scheduled up to as far again, inside ``datetime``'s calendar."""
R = TypeVar("R")


class World(KernelApi, WorldReads):
    """All the simulation's state, and the work the clock runs. See ``Simulation`` for the API."""

    def __init__(
        self,
        seed: int = 0,
        *,
        specs: Sequence[RoleSpec] | None = None,
        latencies: Latencies | None = None,
        faults: Faults | None = None,
        start: dt.datetime = DEFAULT_START,
        lifecycle: Lifecycle | None = None,
        usage_models: Iterable[UsageModel] = (),
    ) -> None:
        """``specs`` default to the built-in Marketplace role's (``MARKETPLACE_PURCHASE_ORDERS``),
        ``lifecycle`` to the shared ``LIFECYCLE``; the rest as each says."""
        specs = (MARKETPLACE_PURCHASE_ORDERS,) if specs is None else specs
        lifecycle = LIFECYCLE if lifecycle is None else lifecycle
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise UsageError(f"seed must be an int, got {shown(seed)}")
        for name, value, kind in (
            ("latencies", latencies, Latencies),
            ("faults", faults, Faults),
        ):
            if value is not None and not isinstance(value, kind):
                raise UsageError(f"{name} must be a {kind.__name__} value, got {shown(value)}")
        if not isinstance(start, dt.datetime) or start.tzinfo is None:
            raise UsageError(f"start must be a timezone-aware datetime, got {shown(start)}")
        if start > _LATEST_START:
            raise UsageError(
                f"start must leave the clock room to run ({MAX_ELAPSED:.0f} seconds): no later "
                f"than {_LATEST_START:%Y-%m-%d}, got {start.isoformat()}"
            )
        catalogue = Catalogue(specs, usage_models)
        state = WorldState(
            clock=VirtualClock(start=start), ids=IdGenerator(seed=seed), faults=faults or Faults()
        )
        self._compose(seed, catalogue, latencies or Latencies(), lifecycle, state)

    def _compose(
        self,
        seed: int,
        catalogue: Catalogue,
        latencies: Latencies,
        lifecycle: Lifecycle,
        state: WorldState,
    ) -> None:
        if not isinstance(lifecycle, Lifecycle):
            raise UsageError(f"lifecycle must be a Lifecycle, got {shown(lifecycle)}")
        self.seed = seed
        self.latencies = latencies
        self.lifecycle = lifecycle
        self._catalogue = catalogue
        self._state = state
        self._journal = Journal(state.clock)  # a state keeps its clock (a fork copies it)
        self._directory = Directory(state)
        self._roles = RoleOps(
            state, self._directory, catalogue, lifecycle, latencies, self._journal
        )
        self._run_due_now = self._roles.scheduler.run_due_now

    @classmethod
    def default(
        cls,
        seed: int = 0,
        *,
        latencies: Latencies | None = None,
        lifecycle: Lifecycle | None = None,
        specs: Sequence[RoleSpec] | None = None,
        usage_models: Iterable[UsageModel] = (),
        account_ids: Mapping[str, str] | None = None,
    ) -> Self:
        """A ready world: an organization (management account and two members), a standalone
        account, ``admin`` and ``readonly`` principals in each, and one subscription per account
        in each of two Regions. ``account_ids`` changes the ids by account name, e.g. to line
        the management account up with moto's default account:

        >>> from slr_fsm import Simulation
        >>> [a.name for a in Simulation.default(seed=0).accounts]
        ['management', 'member-a', 'member-b', 'standalone']
        >>> sim = Simulation.default(
        ...     account_ids={"management": "123456789012", "standalone": "111122223333"})
        >>> sim.organization.management_account.account_id
        '123456789012'
        """
        ids = dict(DEFAULT_ACCOUNT_IDS)
        if account_ids is not None:
            if not isinstance(account_ids, Mapping) or not set(account_ids) <= set(ids):
                raise UsageError(
                    f"account_ids maps some of {list(ids)} to 12-digit ids, got "
                    f"{shown(account_ids)}"
                )
            ids.update(account_ids)
        taken = [n for n, i in ids.items() if list(ids.values()).count(i) > 1]
        if taken:
            raise UsageError(
                f"Accounts {taken} would share the id {shown(ids[taken[0]])}: each default "
                "account needs its own; move the others too (e.g. the standalone account when "
                "the management account takes 123456789012)."
            )
        world = cls(
            seed, latencies=latencies, lifecycle=lifecycle, specs=specs, usage_models=usage_models
        )
        world.add_organization(
            Account(ids["management"], "management"),
            [Account(ids["member-a"], "member-a"), Account(ids["member-b"], "member-b")],
        )
        world.add_account(Account(ids["standalone"], "standalone"))
        for account in world.accounts:
            for region in DEFAULT_REGIONS:
                world.add_subscription(account, region, f"Analytics suite ({region})")
        return world

    # ----------------------------------------------------------------- building a world

    @locked
    def add_account(self, account: Account | str, name: str = "") -> Account:
        """Add a standalone account (in no organization), with ``admin`` and ``readonly``."""
        return self._directory.add_account(_as_account(account, name))

    @locked
    def add_organization(
        self,
        management: Account | str,
        members: Iterable[Account | str] = (),
        *,
        organization_id: str | None = None,
    ) -> Organization:
        """Add an organization with its management account and member accounts."""
        if isinstance(members, str | Account) or not isinstance(members, Iterable):
            raise UsageError(f"members is a list of accounts, got {shown(members)}")
        accounts = [_as_account(a) for a in (management, *members)]
        if organization_id is not None and not (
            isinstance(organization_id, str) and ORGANIZATION_ID.fullmatch(organization_id)
        ):
            raise UsageError(
                "An organization id is 'o-' and 10 to 32 lower-case letters or digits (AWS "
                f"Organizations' pattern), got {shown(organization_id)}"
            )
        for account in accounts:  # before an id is drawn: a refused edit consumes none
            if self._directory.find_account(account) is not None:
                raise UsageError(f"Account {account.account_id} is already in this world.")
        if organization_id is not None and organization_id in self._state.organizations:
            raise UsageError(f"Organization {organization_id} is already in this world.")
        if len({a.account_id for a in accounts}) != len(accounts):
            raise UsageError("An account can appear only once in an organization.")
        org_id = organization_id or self._state.ids.short("o-")
        return self._directory.add_organization(accounts, org_id)

    @locked
    def add_principal(self, account: AccountLike, name: str, policies: Any = ()) -> Principal:
        """Add an IAM user with identity policies (documents, dicts or JSON text).

        >>> from slr_fsm import Simulation
        >>> sim = Simulation.default()
        >>> p = sim.add_principal(sim.standalone_accounts[0], "auditor", [
        ...     {"Version": "2012-10-17",
        ...      "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]}])
        >>> p.arn
        'arn:aws:iam::123456789012:user/auditor'
        """
        return self._directory.add_principal(account, name, policies)

    @locked
    def add_subscription(
        self, account: AccountLike, region: str, product: str, subscription_id: str | None = None
    ) -> Subscription:
        """Add a Marketplace subscription in an account and Region, with no purchase orders."""
        self._directory.account(account)
        if subscription_id is not None and not isinstance(subscription_id, str):
            raise UsageError(f"subscription_id is a string, got {shown(subscription_id)}")
        self._directory.check_subscription(region, product, subscription_id or "agmt-")
        sub_id = subscription_id or self._state.ids.short("agmt-", 16)  # drawn once all is well
        return self._directory.add_subscription(account, region, product, sub_id)

    # ----------------------------------------------------------------- faults and the clock

    @locked
    def inject_creation_failure(self, count: int = 1) -> None:
        """Make the next ``count`` role creations requested fail with ServiceFailure.

        >>> from slr_fsm import Simulation
        >>> sim = Simulation.default()
        >>> sim.inject_creation_failure()
        >>> sim.faults.creation_failures
        1
        """
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1 << 30:
            raise UsageError(f"count must be an int from 0 to 2**30, got {shown(count)}")
        faults = self._state.faults
        self._state.faults = attrs.evolve(
            faults, creation_failures=faults.creation_failures + count
        )

    @locked
    def set_usage_reporting(self, mode: UsageReporting | str) -> None:
        """Choose how much of the resources in use failed deletions report: all, some or none."""
        self._state.faults = attrs.evolve(self._state.faults, usage_reporting=mode)

    @locked
    def advance(self, seconds: float) -> tuple[Event, ...]:
        """Move the clock forward, running the background work that falls due; return its log.

        >>> from slr_fsm import Simulation
        >>> Simulation.default().advance(60)
        ()
        """
        first = len(self._journal.events)
        self._roles.scheduler.advance(seconds)
        return tuple(self._journal.events[first:])

    @locked
    def settle(self) -> tuple[Event, ...]:
        """Run the clock until no background work is left; return what ran."""
        first = len(self._journal.events)
        self._roles.scheduler.settle()
        return tuple(self._journal.events[first:])

    @locked
    def run_next(self) -> tuple[Event, ...]:
        """Move the clock to the next piece of pending work and run what is due then."""
        first = len(self._journal.events)
        self._roles.scheduler.run_next()
        return tuple(self._journal.events[first:])

    # ----------------------------------------------------------------- copies and comparisons

    @locked
    def fork(self) -> Self:
        """An independent copy of the world as it is now (with an empty event log), in time
        independent of the world's size: containers are shared until either side writes.

        >>> from slr_fsm import Simulation
        >>> sim = Simulation.default()
        >>> twin = sim.fork()
        >>> _ = twin.marketplace("111122223333").configure_billing_integration()
        >>> sim.role("111122223333").state.value, twin.role("111122223333").state.value
        ('absent', 'creating')
        """
        twin = type(self).__new__(type(self))
        twin._compose(
            self.seed, self._catalogue, self.latencies, self.lifecycle, self._state.fork()
        )
        return twin

    def same_state(self, other: World) -> bool:
        """Whether two worlds are in the same state, event log aside (what decides their
        future), without building snapshots. Holds both worlds' locks (in a fixed order)."""
        if not isinstance(other, World):
            raise UsageError(f"same_state() compares two worlds, got {shown(other)}")
        first, second = sorted((self, other), key=id)
        with first._journal.lock, second._journal.lock:
            return self._state.same_as(other._state)

    @locked
    def abstract_state(self) -> tuple[Any, ...]:
        """What decides how the world behaves from now on, ids and times aside: the roles'
        states, the usage records, unfinished tasks' statuses, pending work in run order, and
        the planned faults. Its cost grows with what happened, not with the world's size."""
        return self._state.fingerprint()

    # ----------------------------------------------------------------- snapshot and restore

    @locked
    def snapshot(self) -> dict[str, Any]:
        """The whole world's state as plain JSON data (the event log apart).

        >>> from slr_fsm import Simulation
        >>> sim = Simulation.default(seed=3)
        >>> Simulation.restore(sim.snapshot()).snapshot() == sim.snapshot()
        True
        """
        from slr_fsm._world.persistence import snapshot_of  # with its checks, when first used

        return snapshot_of(self._state, self.seed, self._catalogue, self.latencies)

    @classmethod
    def restore(
        cls,
        snapshot: Mapping[str, Any],
        *,
        lifecycle: Lifecycle = LIFECYCLE,
        usage_models: Iterable[UsageModel] = (),
    ) -> Self:
        """A new world in exactly the state a :meth:`snapshot` recorded (with an empty log).
        ``usage_models``: the models of roles whose usage the library does not know (as given
        to the world that was snapshotted); a missing one is refused, never dropped.

        A malformed snapshot, or one describing an impossible world, is refused with a
        :class:`~slr_fsm.errors.SnapshotError` naming the field."""
        from slr_fsm._world.persistence import restore_parts

        parts = restore_parts(snapshot, usage_models)
        world = cls.__new__(cls)
        world._compose(parts.seed, parts.catalogue, parts.latencies, lifecycle, parts.state)
        return world


def _as_account(account: object, name: object = "") -> Account:
    if isinstance(account, Account):
        return account
    if isinstance(account, str):
        if not isinstance(name, str):
            raise UsageError(f"An account's name is a string, got {shown(name)}")
        return Account(account, name)
    raise UsageError(f"An account is an Account or a 12-digit id string, got {shown(account)}")
