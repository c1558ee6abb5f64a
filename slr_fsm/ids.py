"""Seeded, deterministic identifiers: RoleIds, task UUIDs and the like.

Each id is a hash of the seed and a counter, so the generator's whole state is one integer
(it snapshots as JSON) and the same seed and calls always give the same ids.

>>> ids = IdGenerator(seed=0)
>>> role_id = ids.role_id()
>>> (role_id[:4], len(role_id))
('AROA', 21)
"""

from __future__ import annotations

import hashlib
import uuid

import attrs

__all__ = ["IdGenerator"]

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@attrs.define
class IdGenerator:
    """Hands out ids derived from ``(seed, counter)``; ``counter`` is its only state."""

    seed: int = 0
    counter: int = 0

    def _digest(self, kind: str) -> bytes:
        self.counter += 1
        return hashlib.blake2b(
            f"{self.seed}:{self.counter}:{kind}".encode(), digest_size=32
        ).digest()

    def role_id(self) -> str:
        """A RoleId: ``AROA`` and 17 base-32 characters, as IAM gives roles."""
        digest = self._digest("role")
        return "AROA" + "".join(_BASE32[b % 32] for b in digest[:17])

    def uuid(self) -> str:
        """A version-4-shaped UUID, as AWS puts in deletion task ids."""
        return str(uuid.UUID(bytes=self._digest("uuid")[:16], version=4))

    def short(self, prefix: str, length: int = 10) -> str:
        """A lowercase id with a prefix, e.g. ``o-`` organization ids."""
        digest = self._digest(prefix)
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        return prefix + "".join(alphabet[b % 36] for b in digest[:length])
