"""Persistent maps: a fork costs the same whatever the map's size, and a write after it copies
one small bucket, never the map.

A world's containers are :class:`PersistentMap` values: :data:`BUCKETS` small ``dict`` buckets
(a key's bucket is its hash's low bits) held in an ``immutables.Map`` (a hash array mapped
trie). Forking shares the trie and every bucket; a write copies its bucket (at a million entries,
about 250 of them, a few microseconds) and one path of the trie; a map that nobody shares writes its own buckets in
place, so building a large world costs what building dicts does. Buckets rather than one trie
entry per key: ``immutables``' trie of a million keys is about 650,000 nodes, each an object the
garbage collector walks on every full collection (1.5 s a collection); 4,096 buckets are 4,096 dicts.

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

import functools
import itertools
import operator
from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

import immutables

__all__ = ["BUCKETS", "CHUNK", "PersistentMap"]

K = TypeVar("K")
V = TypeVar("V")
BUCKETS = 1 << 12
"""Buckets of a map: at a million entries, a write after a fork copies about 250 entries (a few
microseconds); at 100,000 a bucket holds about 25, so dicts are well filled from there on."""
_MASK = BUCKETS - 1
CHUNK = 64
"""Keys per chunk of the order vector: an append copies at most this many pointers."""
_GONE: Any = object()
"""Where a popped key was in the order vector."""


class PersistentMap(Generic[K, V]):
    """An insertion-ordered map whose forks share storage: fork O(1), a write after a fork
    copies one bucket and a path of the trie.

    ``deletable=False`` (accounts, roles: nothing is ever removed) keeps no position per key;
    a deletable map keeps each key's position, so that a pop leaves a hole in the order."""

    __slots__ = (
        "_chunks",
        "_frozen",
        "_mutation",
        "_owned",
        "_read",
        "_size",
        "_slots",
        "_tail",
    )

    def __init__(self, data: Mapping[K, V] | None = None, *, deletable: bool = False) -> None:
        self._frozen: immutables.Map[int, dict[K, V]] | None = immutables.Map()
        self._mutation: Any = None  # an immutables.MapMutation while nobody shares the trie
        self._read: Any = self._frozen  # whichever of the two is current, for reading
        self._owned: dict[int, dict[K, V]] = {}
        """The buckets this map alone holds (it writes them in place); none after a fork."""
        self._size = 0
        self._chunks: immutables.Map[int, tuple[Any, ...]] = immutables.Map()
        self._tail: tuple[Any, ...] = ()
        self._slots: immutables.Map[K, int] | None = immutables.Map() if deletable else None
        for key, value in (data or {}).items():
            self.set(key, value)

    # ----------------------------------------------------------------- copies

    def fork(self) -> PersistentMap[K, V]:
        """A copy in O(1): both sides share every bucket, and copy one when they write to it."""
        twin: PersistentMap[K, V] = object.__new__(PersistentMap)
        twin._frozen = twin._read = self._freeze()
        twin._mutation = None
        twin._owned = {}
        self._owned = {}  # shared from now on, on both sides
        twin._size = self._size
        twin._chunks = self._chunks
        twin._tail = self._tail
        twin._slots = self._slots
        return twin

    def _freeze(self) -> immutables.Map[int, dict[K, V]]:
        if self._mutation is not None:
            self._frozen = self._read = self._mutation.finish()
            self._mutation = None
        assert self._frozen is not None
        return self._frozen

    def _own(self, number: int) -> dict[K, V]:
        """Bucket ``number``, this map's own to write (copied if shared, made if absent)."""
        bucket = self._owned.get(number)
        if bucket is None:
            shared = self._read.get(number)
            bucket = {} if shared is None else dict(shared)
            self._owned[number] = bucket
            self._writable()[number] = bucket
        return bucket

    def _writable(self) -> Any:
        """The trie, to write (in place: nodes are copied on their first write only)."""
        if self._mutation is None:
            self._mutation = self._read = self._read.mutate()
            self._frozen = None
        return self._mutation

    # ----------------------------------------------------------------- writing

    def set(self, key: K, value: V) -> None:
        """Store ``value`` under ``key`` (a new key goes last in the order)."""
        bucket = self._own(hash(key) & _MASK)
        if key not in bucket:
            self._append(key)
            self._size += 1
        bucket[key] = value

    def pop(self, key: K) -> V | None:
        """Remove ``key``; return its value, or ``None`` if it was absent (nothing is copied)."""
        number = hash(key) & _MASK
        shared = self._read.get(number)
        if shared is None or key not in shared:
            return None
        if self._slots is None:
            raise TypeError("this map keeps no positions: it was not made deletable")
        bucket = self._own(number)
        value = bucket.pop(key)
        if not bucket:  # no empty buckets: equal contents make equal tries
            del self._owned[number]
            del self._writable()[number]
        position = self._slots[key]
        self._slots = self._slots.delete(key)
        self._put_at(position, _GONE)
        self._size -= 1
        return value

    def replace_all(self, items: Mapping[K, V]) -> None:
        """Replace the whole content (keeps the given order)."""
        fresh: PersistentMap[K, V] = PersistentMap(items, deletable=self._slots is not None)
        for name in self.__slots__:
            setattr(self, name, getattr(fresh, name))

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
        bucket = self._read.get(hash(key) & _MASK)
        return default if bucket is None else bucket.get(key, default)

    def __getitem__(self, key: K) -> V:
        bucket = self._read.get(hash(key) & _MASK)
        if bucket is None:
            raise KeyError(key)
        found: V = bucket[key]
        return found

    def __contains__(self, key: object) -> bool:
        bucket = self._read.get(hash(key) & _MASK)
        return bucket is not None and key in bucket

    def __len__(self) -> int:
        return self._size

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
        read = self._read
        for key in self.keys():
            yield read[hash(key) & _MASK][key]

    def items(self) -> Iterator[tuple[K, V]]:
        """The items, in insertion order."""
        read = self._read
        for key in self.keys():
            yield key, read[hash(key) & _MASK][key]

    def value_list(self) -> list[V]:
        """Every value, in insertion order, as one list: what reading a whole map (a snapshot)
        wants, several times cheaper a value than :meth:`values`.

        Within a bucket, a dict's order is the map's order (a key set again keeps its place in
        both; a key popped and set again goes last in both; a copied bucket keeps its order), so
        the values of all buckets are read front to back into one list, and a key's value is the
        next one not yet taken of its bucket's run there: no lookup of a key, no walk of the
        trie a key (``tests/test_persistent_map.py`` checks this against dicts given the same
        writes, forks and pops)."""
        if self._size <= _MASK:  # fewer keys than buckets: looking each up is cheaper
            return list(self.values())
        read = self._read
        flat: list[V] = []
        starts: list[int] = []  # where each bucket's run begins in ``flat``, then its next one
        for number in range(_MASK + 1):
            starts.append(len(flat))
            bucket = read.get(number)
            if bucket is not None:
                flat += bucket.values()
        values: list[V] = []
        append = values.append
        for number in map(_MASK.__and__, map(hash, self._ordered_keys())):  # each key's bucket
            at = starts[number]
            starts[number] = at + 1
            append(flat[at])
        return values

    def key_list(self) -> list[K]:
        """Every key, in insertion order, as one list (read from the order vector in C)."""
        return list(self._ordered_keys())

    def unordered_values(self) -> Iterator[V]:
        """Every value, bucket by bucket, in no useful order: the cheapest way to read them
        all, for a question whose answer does not depend on order."""
        if self._size <= _MASK:  # fewer keys than buckets: looking each up is cheaper
            yield from self.values()
            return
        read = self._read
        for number in range(_MASK + 1):
            bucket = read.get(number)
            if bucket is not None:
                yield from bucket.values()

    def _ordered_keys(self) -> Iterator[K]:
        chunks = self._chunks
        keys: Iterator[K] = itertools.chain(
            itertools.chain.from_iterable(map(chunks.__getitem__, range(len(chunks)))),
            self._tail,
        )
        if self._slots is not None:
            keys = filter(functools.partial(operator.is_not, _GONE), keys)
        return keys

    def same(self, other: PersistentMap[K, V]) -> bool:
        """Whether both hold equal content (order aside, as ``dict``'s ``==``); O(1) when
        neither has written since they were forked from one another."""
        mine, theirs = self._freeze(), other._freeze()
        return mine is theirs or (self._size == other._size and mine == theirs)

    def __repr__(self) -> str:
        return f"PersistentMap({dict(self.items())!r})"
