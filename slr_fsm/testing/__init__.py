"""Testing kit: a hypothesis state machine to subclass, strategies, and a pytest plugin.

>>> from slr_fsm.testing import RoleLifecycleMachine
>>> class Mine(RoleLifecycleMachine):
...     pass
>>> TestMine = Mine.TestCase

Needs hypothesis (``pip install "slr-fsm[test]"``). The pytest plugin
(:mod:`slr_fsm.testing.pytest_plugin`) loads by itself once slr-fsm is installed.
"""

from slr_fsm.testing import strategies
from slr_fsm.testing.machine import RoleLifecycleMachine

__all__ = ["RoleLifecycleMachine", "strategies"]
