"""Seeded, deterministic identifiers: RoleIds, task UUIDs and the like.

Each id is a hash of the seed and a counter, so the generator's whole state is one integer
(it snapshots as JSON) and the same seed and calls always give the same ids. The hash is
SplitMix64 (pure Python, so importing this module imports nothing heavy); ids are
unpredictable-looking, not secret.

>>> ids = IdGenerator(seed=0)
>>> role_id = ids.role_id()
>>> (role_id[:4], len(role_id))
('AROA', 21)
"""

from __future__ import annotations

import attrs

__all__ = ["IdGenerator"]

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_MASK = (1 << 64) - 1
_BASE32_BYTES = bytes(ord(_BASE32[b % 32]) for b in range(256))
"""Each byte value's base-32 character (``b % 32``), for ``bytes.translate``."""


def _mix(value: int) -> int:
    """SplitMix64's finalizer: a well-spread 64-bit hash of a 64-bit value."""
    z = (value + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


@attrs.define
class IdGenerator:
    """Hands out ids derived from ``(seed, counter)``; ``counter`` is its only state."""

    seed: int = 0
    counter: int = 0

    def copy(self) -> IdGenerator:
        """An independent generator at the same point (it will hand out the same ids)."""
        return IdGenerator(self.seed, self.counter)

    def _digest(self, kind: str, words: int = 4) -> bytes:
        """``8 * words`` pseudo-random bytes (32 by default) from the seed, the next counter
        value and the kind of id: SplitMix64 words, big-endian, after mixing in the seed,
        counter and kind (fewer words are the first bytes of more)."""
        self.counter += 1
        # _mix, inlined (a call per round costs more than its arithmetic)
        state = _mix(self.seed * 0x9E3779B97F4A7C15 + self.counter)
        for char in kind:
            z = ((state ^ ord(char)) + 0x9E3779B97F4A7C15) & _MASK
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
            state = z ^ (z >> 31)
        value = 0
        for _ in range(words):
            z = (state + 0x9E3779B97F4A7C15) & _MASK
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
            state = z ^ (z >> 31)
            value = (value << 64) | state
        return value.to_bytes(8 * words, "big")

    def role_id(self) -> str:
        """A RoleId: ``AROA`` and 17 base-32 characters, as IAM gives roles."""
        return "AROA" + self._digest("role", 3)[:17].translate(_BASE32_BYTES).decode("ascii")

    def uuid(self) -> str:
        """A version-4-shaped UUID, as AWS puts in deletion task ids."""
        raw = bytearray(self._digest("uuid")[:16])
        raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
        h = raw.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def short(self, prefix: str, length: int = 10) -> str:
        """A lowercase id with a prefix, e.g. ``o-`` organization ids."""
        digest = self._digest(prefix)
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        return prefix + "".join(alphabet[b % 36] for b in digest[:length])
