"""Testing kit: a hypothesis state machine to subclass, strategies, and a pytest plugin.

>>> from slr_fsm.testing import RoleLifecycleMachine, machine_settings
>>> class Mine(RoleLifecycleMachine):
...     pass
>>> Mine.TestCase.settings = machine_settings(max_examples=30)  # the defaults, 30 examples
>>> TestMine = Mine.TestCase

Needs hypothesis (``pip install "slr-fsm[test]"``). The names load on first use, so that pytest
can load the plugin (:mod:`slr_fsm.testing.pytest_plugin`, registered for every pytest run once
slr-fsm is installed) without hypothesis installed. Also here, without hypothesis:
:mod:`~slr_fsm.testing.pytest_writer` (a trace as a self-contained pytest file, what
``Trace.to_pytest()`` writes) and :mod:`~slr_fsm.testing.source_export` (your functions as
source such a file imports or carries).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slr_fsm.testing import strategies as strategies
    from slr_fsm.testing.machine import RoleLifecycleMachine as RoleLifecycleMachine
    from slr_fsm.testing.machine import machine_settings as machine_settings

__all__ = ["RoleLifecycleMachine", "machine_settings", "strategies"]


def __getattr__(name: str) -> Any:
    """Load ``RoleLifecycleMachine``, ``machine_settings`` or ``strategies`` (and hypothesis)
    on first use."""
    if name == "strategies":
        value: Any = importlib.import_module("slr_fsm.testing.strategies")
    elif name in ("RoleLifecycleMachine", "machine_settings"):
        value = getattr(importlib.import_module("slr_fsm.testing.machine"), name)
    else:
        raise AttributeError(f"module 'slr_fsm.testing' has no attribute {name!r}")
    globals()[name] = value
    return value
