"""Seeded, deterministic identifiers: RoleIds, task UUIDs and the like.

Each id is a hash of the seed and a counter, so the generator's whole state is one integer
(it snapshots as JSON) and the same seed and calls always give the same ids. The hash is
SplitMix64 (pure Python, so importing this module imports nothing heavy); ids are
unpredictable-looking, not secret. RoleIds and task ids are worked out 16 counters at a time
(SplitMix64 in the lanes of one integer, about a sixth of the work of 16 single ids) and kept
until a counter leaves them; ``tests/test_ids_batched.py`` holds them equal to single ids.

>>> ids = IdGenerator(seed=0)
>>> role_id = ids.role_id()
>>> (role_id[:4], len(role_id))
('AROA', 21)
"""

from __future__ import annotations

from typing import Any

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
        self.counter += 1  # _digest("role", 3)'s arithmetic, worked out 16 counters at a time
        counter, seed = self.counter, self.seed
        kept = _kept_role_ids
        if kept[0] != seed or not 0 <= counter - kept[1] < _LANES:
            kept = _role_ids(seed, counter)
        at = (_LANES - 1 - (counter - kept[1])) * 16 + 8  # the lane's low 8 bytes
        return "AROA" + kept[2][at : at + 8] + kept[3][at : at + 8] + kept[4][at]

    def uuid(self) -> str:
        """A version-4-shaped UUID, as AWS puts in deletion task ids."""
        self.counter += 1  # _digest("uuid")'s arithmetic, worked out 16 counters at a time
        counter, seed = self.counter, self.seed
        kept = _kept_uuids
        if kept[0] != seed or not 0 <= counter - kept[1] < _LANES:
            kept = _uuids(seed, counter)
        at = (_LANES - 1 - (counter - kept[1])) * 32 + 16  # the lane's 16 low hex digits
        high, low = kept[2], kept[3]
        return (
            f"{high[at : at + 8]}-{high[at + 8 : at + 12]}-{high[at + 12 : at + 16]}-"
            f"{low[at : at + 4]}-{low[at + 4 : at + 16]}"
        )

    def _one_role_id(self) -> str:
        """:meth:`role_id` worked out alone (the reference the batched ids are tested against)."""
        return "AROA" + self._digest("role", 3)[:17].translate(_BASE32_BYTES).decode("ascii")

    def _one_uuid(self) -> str:
        """:meth:`uuid` worked out alone (the reference the batched ids are tested against)."""
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


# ---------------------------------------------------------------- ids worked out 16 at a time

_LANES = 16
"""Counters worked out together, in the 128-bit lanes of one integer."""


def _lanes(value: int) -> int:
    """``value`` in each 128-bit lane of one integer (lane ``i`` at bits ``128 * i``)."""
    return sum(value << (128 * lane) for lane in range(_LANES))


_IN_LANES = _lanes(_MASK)
_GAMMAS = _lanes(0x9E3779B97F4A7C15)
_ONES = _lanes(1)
_STEPS = sum(lane << (128 * lane) for lane in range(_LANES))
_ROLE = tuple(_lanes(ord(char)) for char in "role")
_UUID = tuple(_lanes(ord(char)) for char in "uuid")
_VERSION_KEPT, _VERSION = _lanes(0xFFFFFFFFFFFF0FFF), _lanes(0x4000)
_VARIANT_KEPT, _VARIANT = _lanes(0x3FFFFFFFFFFFFFFF), _lanes(1 << 63)


def _mixed(z: int) -> int:
    """SplitMix64's finalizer in every lane at once. Each lane holds 64 bits, so a product fits
    in its 128; what a shift brings down from the lane above lands at bit 97 or higher and is
    masked off before any product (the caller masks the result)."""
    z = ((z ^ (z >> 30)) & _IN_LANES) * 0xBF58476D1CE4E5B9 & _IN_LANES
    z = ((z ^ (z >> 27)) & _IN_LANES) * 0x94D049BB133111EB & _IN_LANES
    return z ^ (z >> 31)


def _state_after(seed: int, first: int, kind: tuple[int, ...]) -> int:
    """In lane ``i``: :meth:`IdGenerator._digest`'s state after mixing in the seed, the
    counter ``first + i`` and the kind (the kind's characters, each in every lane)."""
    start = (seed * 0x9E3779B97F4A7C15 + first + 0x9E3779B97F4A7C15) & _MASK
    z = _mixed((start * _ONES + _STEPS) & _IN_LANES) & _IN_LANES  # lane i: start + i mod 2**64
    for char in kind:
        z = _mixed(((z ^ char) + _GAMMAS) & _IN_LANES) & _IN_LANES
    return z


def _role_ids(seed: int, counter: int) -> tuple[int | None, int, str, str, str]:
    """The RoleIds' characters for the 16 counters from ``counter`` (rounded down to a multiple
    of 16, so every generator of a seed shares them), kept for the next calls: the base-32
    characters of each lane's three words, lane ``i`` at ``(15 - i) * 16 + 8``."""
    global _kept_role_ids
    first = counter - counter % _LANES
    kept = _RECENT_ROLE_IDS.get((seed, first))
    if kept is None:
        z = _state_after(seed, first, _ROLE)
        words = []
        for _ in range(3):
            z = _mixed((z + _GAMMAS) & _IN_LANES) & _IN_LANES
            words.append(z.to_bytes(16 * _LANES, "big").translate(_BASE32_BYTES).decode("ascii"))
        kept = (seed, first, words[0], words[1], words[2])
        _remember(_RECENT_ROLE_IDS, (seed, first), kept)
    _kept_role_ids = kept
    return kept


def _uuids(seed: int, counter: int) -> tuple[int | None, int, str, str]:
    """The task UUIDs' hex digits for the 16 counters from ``counter`` (rounded down to a
    multiple of 16), version and variant set, kept for the next calls."""
    global _kept_uuids
    first = counter - counter % _LANES
    kept = _RECENT_UUIDS.get((seed, first))
    if kept is None:
        z = _state_after(seed, first, _UUID)
        high = _mixed((z + _GAMMAS) & _IN_LANES) & _IN_LANES
        low = _mixed((high + _GAMMAS) & _IN_LANES) & _IN_LANES
        kept = (
            seed,
            first,
            f"{high & _VERSION_KEPT | _VERSION:0{32 * _LANES}x}",
            f"{low & _VARIANT_KEPT | _VARIANT:0{32 * _LANES}x}",
        )
        _remember(_RECENT_UUIDS, (seed, first), kept)
    _kept_uuids = kept
    return kept


_RECENT = 8
"""Batches of each kind remembered besides the last one, so that a few generators used in
turn (two worlds of other seeds; a server's RequestIds beside its world's task ids) do not
work each other's batches out again on every id."""
_RECENT_ROLE_IDS: dict[tuple[int, int], tuple[int | None, int, str, str, str]] = {}
_RECENT_UUIDS: dict[tuple[int, int], tuple[int | None, int, str, str]] = {}


def _remember(recent: dict[tuple[int, int], Any], key: tuple[int, int], batch: Any) -> None:
    """Keep ``batch`` among the recent ones (all forgotten at once past :data:`_RECENT`: one
    atomic step, so threads sharing the dict never see it half cleared)."""
    if len(recent) >= _RECENT:
        recent.clear()
    recent[key] = batch


_kept_role_ids: tuple[int | None, int, str, str, str] = (None, 0, "", "", "")
"""The last 16 RoleIds' characters worked out (seed, first counter, three words' characters),
shared by every generator: a pure function of the seed and the counters, so worlds, copies,
forks and restored snapshots all read the same answers (replaced whole, never changed)."""
_kept_uuids: tuple[int | None, int, str, str] = (None, 0, "", "")
"""The last 16 task UUIDs' hex digits worked out (seed, first counter, high and low words)."""
