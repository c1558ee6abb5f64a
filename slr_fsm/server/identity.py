"""Who is calling: a deterministic access key pair for every simulated principal, and the
access key id a request is signed with.

Every IAM user of the world (``admin``, ``readonly``, and any added) and, in every account, each
simulated role's trusted service principal (so a client can call ``sts assume-role`` as AWS
Marketplace does) has one key pair, derived from the world's seed, the account id and the
principal's name: the same world gives the same keys, run after run, machine after machine.

The server reads the access key id from the SigV4 ``Authorization`` header (or a presigned URL's
``X-Amz-Credential``) and looks up its principal. **The signature is not verified**: anyone who
knows an access key id is that principal, so serve on loopback (the default) or a network you
trust. An unknown key id is refused as AWS refuses one (``InvalidClientTokenId``).

>>> from slr_fsm import Simulation
>>> keys = access_keys(Simulation.default(seed=0))
>>> admin = next(k for k in keys if k.account_name == "management" and k.principal == "admin")
>>> admin.access_key_id, len(admin.secret_access_key)
('AKIA2AMEKGEEOGAXCHVZ', 40)
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections.abc import Mapping
from typing import Any

import attrs

from slr_fsm.simulation import Simulation

__all__ = ["AccessKey", "KeyRing", "access_keys", "signed_credential"]

_CREDENTIAL = re.compile(
    r"Credential=(?P<key>[^/,\s]+)/(?P<date>[^/,\s]*)/(?P<region>[^/,\s]*)/(?P<service>[^/,\s]*)/"
)


@attrs.frozen
class AccessKey:
    """One principal's access key pair, and who it belongs to."""

    account_id: str
    account_name: str
    principal: str
    kind: str
    """``user`` (an IAM user of the world) or ``service`` (a role's trusted service)."""
    access_key_id: str
    secret_access_key: str

    def to_json_value(self) -> dict[str, str]:
        """The key as plain JSON data (the control API's and the CLI's listing)."""
        return {
            "account_id": self.account_id,
            "account_name": self.account_name,
            "principal": self.principal,
            "kind": self.kind,
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
        }


def _pair(seed: int, account_id: str, principal: str) -> tuple[str, str]:
    """AWS's shapes: ``AKIA`` and 16 base-32 characters; a 40-character base-64 secret."""
    digest = hashlib.blake2b(
        f"slr-fsm access key|{seed}|{account_id}|{principal}".encode(), digest_size=40
    ).digest()
    return "AKIA" + base64.b32encode(digest[:10]).decode(), base64.b64encode(digest[10:]).decode()


def access_keys(sim: Simulation) -> tuple[AccessKey, ...]:
    """Every principal's key pair: per account (in the world's order), its users, then the
    trusted service principal of each simulated role."""
    keys = []
    with sim.atomic():
        services = sorted({spec.service_principal for spec in sim.specs})
        for account in sim.accounts:
            for name, kind in [(n, "user") for n in sim.principal_names(account)] + [
                (s, "service") for s in services
            ]:
                key_id, secret = _pair(sim.seed, account.account_id, name)
                keys.append(AccessKey(account.account_id, account.name, name, kind, key_id, secret))
    return tuple(keys)


class KeyRing:
    """Access key id to (account id, principal name), for one simulation; rebuilt when a key is
    not found (the world may have gained principals since)."""

    def __init__(self, sim: Simulation) -> None:
        self._sim = sim
        self._lock = threading.Lock()
        self._by_id: Mapping[str, AccessKey] = {}

    def find(self, access_key_id: str) -> AccessKey | None:
        """The key with this id, or ``None``."""
        found = self._by_id.get(access_key_id)
        if found is None:
            with self._lock:
                self._by_id = {k.access_key_id: k for k in access_keys(self._sim)}
            found = self._by_id.get(access_key_id)
        return found


def signed_credential(
    headers: Mapping[str, str], query: Mapping[str, Any]
) -> tuple[str, str] | None:
    """The access key id and the credential scope's service name a request is signed with
    (SigV4 ``Authorization`` header, or a presigned URL's ``X-Amz-Credential``), or ``None``.
    ``headers`` has lower-case names."""
    for text in (
        headers.get("authorization", ""),
        f"Credential={query.get('X-Amz-Credential', '')}",
    ):
        match = _CREDENTIAL.search(text)
        if match is not None:
            return match["key"], match["service"]
    return None
