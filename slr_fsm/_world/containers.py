"""Copy-on-write maps: a fork shares its parent's data until either side writes.

A world's containers are :class:`CowMap` values, so forking a world costs the same whatever its
size, and comparing two forks skips every container neither has written since (the same dict).

>>> a = CowMap({"x": 1})
>>> b = a.fork()
>>> b.set("y", 2)
>>> (dict(a.items()), dict(b.items()), a.same(a.fork()))
({'x': 1}, {'x': 1, 'y': 2}, True)
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Generic, TypeVar

__all__ = ["CowMap"]

K = TypeVar("K")
V = TypeVar("V")


class CowMap(Generic[K, V]):
    """An insertion-ordered map whose copies share storage until written (copy on write)."""

    __slots__ = ("_data", "_owned")

    def __init__(self, data: Mapping[K, V] | None = None) -> None:
        self._data: dict[K, V] = dict(data) if data else {}
        self._owned = True

    def fork(self) -> CowMap[K, V]:
        """A copy in O(1): both sides copy the shared data on their next write."""
        twin: CowMap[K, V] = object.__new__(CowMap)
        twin._data = self._data
        twin._owned = False
        self._owned = False
        return twin

    def _writable(self) -> dict[K, V]:
        if not self._owned:
            self._data = dict(self._data)
            self._owned = True
        return self._data

    def set(self, key: K, value: V) -> None:
        """Store ``value`` under ``key``."""
        self._writable()[key] = value

    def pop(self, key: K) -> V | None:
        """Remove ``key``; return its value, or ``None`` if it was absent (nothing is copied)."""
        if key not in self._data:
            return None
        return self._writable().pop(key)

    def replace_all(self, items: Mapping[K, V]) -> None:
        """Replace the whole content (keeps the given order)."""
        self._data = dict(items)
        self._owned = True

    def get(self, key: K, default: V | None = None) -> V | None:
        """The value under ``key``, or ``default``."""
        return self._data.get(key, default)

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def keys(self) -> KeysView[K]:
        """The keys, in insertion order."""
        return self._data.keys()

    def values(self) -> ValuesView[V]:
        """The values, in insertion order."""
        return self._data.values()

    def items(self) -> ItemsView[K, V]:
        """The items, in insertion order."""
        return self._data.items()

    def same(self, other: CowMap[K, V]) -> bool:
        """Whether both hold equal content; O(1) when neither has written since a fork."""
        return self._data is other._data or self._data == other._data

    def __repr__(self) -> str:
        return f"CowMap({self._data!r})"
