"""One attribute patched while any block is active, and routed per thread.

Both ways slr_fsm steps into code under test work so: ``simulated_boto3`` replaces botocore's
client factory and virtual time replaces ``time.sleep``. The replacement is installed by the
first block to enter and removed by the last to leave (under a lock, so blocks may overlap
across threads in any order); it asks :meth:`ThreadPatch.current` for the innermost block *of
the calling thread*, and a thread with no block gets the original behaviour. When every block
has left, the attribute is what it was, unless someone else patched over it meanwhile (then
theirs is left in place).

>>> import types
>>> box = types.SimpleNamespace(greet=lambda: "hello")
>>> patch = ThreadPatch(box, "greet", lambda original: lambda: patch.current() or original())
>>> with patch.entered("routed"):
...     box.greet()
'routed'
>>> box.greet()
'hello'
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

__all__ = ["ThreadPatch"]

T = TypeVar("T")


class ThreadPatch(Generic[T]):
    """``owner.name`` replaced by ``make(original)`` while any :meth:`entered` block is active.

    ``make`` receives the attribute as it was when the first block entered and returns the
    replacement; the replacement reads :meth:`current` to route each call.
    """

    def __init__(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        self._owner, self._name, self._make = owner, name, make
        self._lock = threading.Lock()
        self._active = 0
        self._installed: Any = None
        self._local = threading.local()

    def _stack(self) -> list[T]:
        stack: list[T] | None = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def current(self) -> T | None:
        """The innermost block's value in the calling thread (``None``: no block here)."""
        stack: list[T] | None = getattr(self._local, "stack", None)
        return stack[-1] if stack else None

    def depth(self) -> int:
        """How many blocks are active in the calling thread."""
        return len(getattr(self._local, "stack", None) or ())

    @contextlib.contextmanager
    def entered(self, value: T) -> Iterator[T]:
        """While the block runs, :meth:`current` in this thread is ``value``."""
        with self._lock:
            if self._active == 0:
                original = getattr(self._owner, self._name)
                self._installed = self._make(original)
                self._original = original
                setattr(self._owner, self._name, self._installed)
            self._active += 1
        stack = self._stack()
        stack.append(value)
        try:
            yield value
        finally:
            for index in range(len(stack) - 1, -1, -1):  # its own entry, even if exits interleave
                if stack[index] is value:
                    del stack[index]
                    break
            with self._lock:
                self._active -= 1
                if self._active == 0:
                    if getattr(self._owner, self._name) is self._installed:  # else: not ours
                        setattr(self._owner, self._name, self._original)
                    self._installed = self._original = None
