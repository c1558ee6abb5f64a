"""The snapshot writer as it was before format 3 (one object a role, an ``[id, name]`` pair an
account), kept here only to measure the current writer against it side by side on one world.

It reads the world's state the way the old writer did (``values()`` key by key); everything
but the roles and accounts sections is written as the current writer writes it.
"""

from __future__ import annotations

from typing import Any

import attrs


def format_two_snapshot(sim: Any) -> dict[str, Any]:
    """``sim.snapshot()`` as format 2 wrote it (restores to the same world)."""
    from slr_fsm._world.directory import default_policies

    state, catalogue = sim._state, sim._catalogue
    standalone = [a for a in state.accounts.values() if a.organization_id is None]
    return {
        "format": 2,
        "seed": sim.seed,
        "specs": [attrs.asdict(s) for s in catalogue.specs],
        "usage_models": catalogue.model_names(),
        "clock": {"start": state.clock.start.isoformat(), "elapsed": state.clock.elapsed},
        "ids": state.ids.counter,
        "latencies": attrs.asdict(sim.latencies),
        "faults": {
            "creation_failures": state.faults.creation_failures,
            "usage_reporting": state.faults.usage_reporting.value,
        },
        "organizations": [
            {"id": o.organization_id, "accounts": [[a.account_id, a.name] for a in o.accounts]}
            for o in state.organizations.values()
        ],
        "standalone_accounts": [[a.account_id, a.name] for a in standalone],
        "account_order": list(state.accounts),
        "principals": [
            p.to_json_value()
            for p in state.principals.values()
            if p.policies != default_policies(p.name)
        ],
        "subscriptions": [
            [s.subscription_id, s.account_id, s.region, s.product]
            for s in state.subscriptions.values()
        ],
        "usage": [
            [service, kind, key, list(value) if isinstance(value, tuple) else value]
            for (service, kind, key), value in state.usage.items()
        ],
        "roles": [r.to_json_value() for r in state.roles.values()],
        "tasks": [t.to_json_value() for t in state.tasks.values()],
        "pending": [list(p) for p in sorted(state.pending)],
        "pending_seq": state.pending_seq,
    }
