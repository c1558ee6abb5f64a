"""Persistent maps: a fork costs the same whatever the map's size, and so does a write after it.

A world's containers are :class:`PersistentMap` values, built on ``immutables``' hash array mapped
trie (HAMT): forking shares the whole trie, and a write copies one path of it (a few nodes of at
most 32 entries), never the map. A map that nobody shares is written in place (the trie's own
mutation), which is what makes building a large world cheap.

Each map keeps insertion order as a ``dict`` does (a key set again keeps its place; a key
popped and set again moves to the end), because the world's listings, its snapshot and its
error messages show things in the order they were added. The order is a persistent vector of
keys: full chunks of :data:`CHUNK` keys (tuples, shared by every fork) and a short tail tuple.

>>> a = PersistentMap({"x": 1})
>>> b = a.fork()
>>> b.set("y", 2)
>>> (dict(a.items()), dict(b.items()), a.same(a.fork()))
({'x': 1}, {'x': 1, 'y': 2}, True)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

import immutables

__all__ = ["CHUNK", "PersistentMap"]

K = TypeVar("K")
V = TypeVar("V")
CHUNK = 64
"""Keys per chunk of the order vector: an append copies at most this many pointers."""
_GONE: Any = object()
"""Where a popped key was in the order vector."""


class PersistentMap(Generic[K, V]):
    """An insertion-ordered map whose forks share storage: fork O(1), set and pop O(log n).

    ``deletable=False`` (accounts, roles: nothing is ever removed) keeps no position per key;
    a deletable map keeps each key's position, so that a pop leaves a hole in the order."""

    __slots__ = ("_chunks", "_frozen", "_mutation", "_slots", "_tail")

    def __init__(self, data: Mapping[K, V] | None = None, *, deletable: bool = False) -> None:
        self._frozen: immutables.Map[K, V] | None = immutables.Map()
        self._mutation: Any = None  # an immutables.MapMutation while nobody shares the trie
        self._chunks: immutables.Map[int, tuple[Any, ...]] = immutables.Map()
        self._tail: tuple[Any, ...] = ()
        self._slots: immutables.Map[K, int] | None = immutables.Map() if deletable else None
        for key, value in (data or {}).items():
            self.set(key, value)

    # ----------------------------------------------------------------- copies

    def fork(self) -> PersistentMap[K, V]:
        """A copy in O(1): both sides share the trie and the order, and copy a path on a write."""
        twin: PersistentMap[K, V] = object.__new__(PersistentMap)
        twin._frozen = self._freeze()
        twin._mutation = None
        twin._chunks = self._chunks
        twin._tail = self._tail
        twin._slots = self._slots
        return twin

    def _freeze(self) -> immutables.Map[K, V]:
        if self._mutation is not None:
            self._frozen = self._mutation.finish()
            self._mutation = None
        assert self._frozen is not None
        return self._frozen

    def _values(self) -> Any:
        """The trie, for reading (frozen or being written in place)."""
        return self._frozen if self._mutation is None else self._mutation

    def _writable(self) -> Any:
        if self._mutation is None:
            assert self._frozen is not None
            self._mutation = self._frozen.mutate()  # copies each node on its first write only
            self._frozen = None
        return self._mutation

    # ----------------------------------------------------------------- writing

    def set(self, key: K, value: V) -> None:
        """Store ``value`` under ``key`` (a new key goes last in the order)."""
        values = self._writable()
        if key not in values:
            self._append(key)
        values[key] = value

    def pop(self, key: K) -> V | None:
        """Remove ``key``; return its value, or ``None`` if it was absent (nothing is copied)."""
        if key not in self._values():
            return None
        if self._slots is None:
            raise TypeError("this map keeps no positions: it was not made deletable")
        position = self._slots[key]
        self._slots = self._slots.delete(key)
        self._put_at(position, _GONE)
        value: V = self._writable().pop(key)
        return value

    def replace_all(self, items: Mapping[K, V]) -> None:
        """Replace the whole content (keeps the given order)."""
        fresh: PersistentMap[K, V] = PersistentMap(items, deletable=self._slots is not None)
        self._frozen, self._mutation = fresh._freeze(), None
        self._chunks, self._tail, self._slots = fresh._chunks, fresh._tail, fresh._slots

    def _append(self, key: K) -> None:
        if self._slots is not None:
            self._slots = self._slots.set(key, len(self._chunks) * CHUNK + len(self._tail))
        tail = (*self._tail, key)
        if len(tail) == CHUNK:
            self._chunks = self._chunks.set(len(self._chunks), tail)
            tail = ()
        self._tail = tail

    def _put_at(self, position: int, key: Any) -> None:
        chunk, at = divmod(position, CHUNK)
        if chunk == len(self._chunks):
            self._tail = (*self._tail[:at], key, *self._tail[at + 1 :])
        else:
            old = self._chunks[chunk]
            self._chunks = self._chunks.set(chunk, (*old[:at], key, *old[at + 1 :]))

    # ----------------------------------------------------------------- reading

    def get(self, key: K, default: V | None = None) -> V | None:
        """The value under ``key``, or ``default``."""
        found: V | None = self._values().get(key, default)
        return found

    def __getitem__(self, key: K) -> V:
        found: V = self._values()[key]
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._values()

    def __len__(self) -> int:
        return len(self._values())

    def __iter__(self) -> Iterator[K]:
        return self.keys()

    def keys(self) -> Iterator[K]:
        """The keys, in insertion order."""
        chunks, tail, holes = self._chunks, self._tail, self._slots is not None
        for n in range(len(chunks)):
            for key in chunks[n]:
                if not holes or key is not _GONE:
                    yield key
        for key in tail:
            if not holes or key is not _GONE:
                yield key

    def values(self) -> Iterator[V]:
        """The values, in insertion order."""
        values = self._values()
        for key in self.keys():
            yield values[key]

    def items(self) -> Iterator[tuple[K, V]]:
        """The items, in insertion order."""
        values = self._values()
        for key in self.keys():
            yield key, values[key]

    def same(self, other: PersistentMap[K, V]) -> bool:
        """Whether both hold equal content (order aside, as ``dict``'s ``==``); O(1) when
        neither has written since they were forked from one another."""
        mine, theirs = self._freeze(), other._freeze()
        return mine is theirs or mine == theirs

    def __repr__(self) -> str:
        return f"PersistentMap({dict(self.items())!r})"
