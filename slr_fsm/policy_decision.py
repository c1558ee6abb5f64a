"""The outcome of evaluating a request against IAM policies.

Its own small module so that the kernel can compare decisions (``decision is Decision.ALLOW``)
without loading the policy language (:mod:`slr_fsm.policy`, which re-exports it) until a policy
is first parsed or evaluated.

>>> Decision("Allow") is Decision.ALLOW
True
"""

from __future__ import annotations

import enum

__all__ = ["Decision"]


class Decision(enum.Enum):
    """The outcome of evaluating a request: allowed, explicitly denied, or denied by default."""

    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"
