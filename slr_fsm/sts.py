"""STS ``AssumeRole`` (the trust policy decides: only the trusted service is trusted) and
``GetCallerIdentity``.

>>> from slr_fsm import Simulation
>>> sim = Simulation.default(); mgmt = sim.organization.management_account
>>> _ = sim.marketplace(mgmt).configure_billing_integration(); _ = sim.settle()
>>> arn = sim.role(mgmt).arn
>>> service = sim.sts(mgmt, "purchase-orders.marketplace.amazonaws.com")
>>> service.assume_role(RoleArn=arn, RoleSessionName="po")["AssumedRoleUser"]["Arn"]
'arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForMarketplacePurchaseOrders/po'
>>> sim.sts(mgmt, "admin").assume_role(RoleArn=arn, RoleSessionName="me")
Traceback (most recent call last):
...
slr_fsm.errors.AccessDenied: AccessDenied: User: arn:aws:iam::111122223333:user/admin is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/aws-service-role/purchase-orders.marketplace.amazonaws.com/AWSServiceRoleForMarketplacePurchaseOrders
>>> sim.sts(mgmt, "readonly").get_caller_identity()["Arn"]
'arn:aws:iam::111122223333:user/readonly'

As AWS refuses bad credentials, STS refuses an unknown account or principal per call
(``InvalidClientTokenId``), and the refusal is logged like any other.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import re
from typing import Any

from slr_fsm.accounts import ServicePrincipal
from slr_fsm.errors import AccessDenied, InvalidClientTokenId
from slr_fsm.face import Face
from slr_fsm.policy import PolicyDocument, trust_allows
from slr_fsm.roles import Role
from slr_fsm.specs import RoleSpec
from slr_fsm.validation import Param, validate

__all__ = ["STS_OPERATIONS", "StsApi"]

STS_OPERATIONS: dict[str, str] = {
    "AssumeRole": "assume_role",
    "GetCallerIdentity": "get_caller_identity",
}
"""Each STS operation slr_fsm answers, by AWS name, and the face's method for it."""

_ASSUME_ROLE = (
    Param(
        "RoleArn",
        required=True,
        min_length=20,
        max_length=2048,
        pattern=r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+",
    ),
    Param("RoleSessionName", required=True, min_length=2, max_length=64, pattern=r"[\w+=,.@-]*"),
    Param("PolicyArns", kind=list),
    Param("Policy", min_length=1, pattern=r"[\u0009\u000A\u000D\u0020-\u00FF]+"),
    Param("DurationSeconds", kind=int, min_value=900, max_value=43200),
    Param("Tags", kind=list, max_length=50),
    Param("TransitiveTagKeys", kind=list, max_length=50),
    Param("ExternalId", min_length=2, max_length=1224, pattern=r"[\w+=,.@:\/-]*"),
    Param("SerialNumber", min_length=9, max_length=256, pattern=r"[\w+=/:,.@-]*"),
    Param("TokenCode", min_length=6, max_length=6, pattern=r"[\d]*"),
    Param("SourceIdentity", min_length=2, max_length=256, pattern=r"[\w+=,.@-]*"),
    Param("ProvidedContexts", kind=list, min_length=1, max_length=5),
    Param("MinimumSessionTokenSize", kind=int, min_value=0, max_value=4096),
)
"""AssumeRole's parameters (as in STS's API model); only the trust policy decides here."""
_ROLE_ARN = re.compile(
    r"arn:aws:iam::(?P<account>\d{12}):role(?P<path>/(?:[^/]+/)*)(?P<name>[^/]+)"
)


@functools.cache
def _trust_policy(spec: RoleSpec) -> PolicyDocument:
    return PolicyDocument.parse(spec.trust_policy(), kind="trust")


class StsApi(Face):
    """STS as one principal (a user, or a service principal) sees it: ``sim.sts(account, who)``.

    An account or principal the world does not hold is refused by each call, logged, with
    ``InvalidClientTokenId`` (a value that cannot even name one is refused here, unlogged).
    """

    _unknown_caller = "refuse_each_call"

    def get_caller_identity(self, **kwargs: Any) -> dict[str, Any]:
        """GetCallerIdentity: who is calling. It needs no permission (AWS: "No permissions are
        required to perform this operation", even under an explicit deny); a service principal
        has no credentials of its own to ask with (``InvalidClientTokenId``)."""

        def body() -> dict[str, Any]:
            validate((), kwargs)
            if isinstance(self.principal, ServicePrincipal):
                raise InvalidClientTokenId(
                    "The security token included in the request is invalid. (slr_fsm: a "
                    "service principal has no credentials of its own to ask with.)",
                    guard="credentials",
                )
            arn = self.principal.arn
            digest = hashlib.blake2b(arn.encode(), digest_size=20).digest()
            user_id = base64.b32encode(digest).decode("ascii")[:17]  # A-Z2-7, as IAM's ids
            return {"UserId": f"AIDA{user_id}", "Account": self.account.account_id, "Arn": arn}

        return self._attempt("get_caller_identity", kwargs, body)

    def assume_role(self, **kwargs: Any) -> dict[str, Any]:
        """AssumeRole: allowed only to the role's trusted service, once the role is usable."""

        def body() -> dict[str, Any]:
            validate(_ASSUME_ROLE, kwargs)
            role = self._target(kwargs["RoleArn"])
            self._require_trust_for_extras(role, kwargs)
            # Only the service may assume a service-linked role, and "the maximum session
            # duration setting doesn't limit sessions assumed by AWS services" (IAM and AWS STS
            # quotas): any DurationSeconds STS's model accepts (900 to 43200) is granted.
            duration = kwargs.get("DurationSeconds") or 3600
            return self._credentials(role, kwargs["RoleSessionName"], duration)

        account_id, role_name = self._role_concerned(kwargs.get("RoleArn"))
        return self._attempt(
            "assume_role", kwargs, body, role_account_id=account_id, role_name=role_name
        )

    def _role_concerned(self, role_arn: object) -> tuple[str, str | None]:
        """The account and simulated role an ARN names (for the log), else the caller's."""
        match = _ROLE_ARN.fullmatch(role_arn) if isinstance(role_arn, str) else None
        if match is None or self._world.find_account(match["account"]) is None:
            return self.account.account_id, None
        spec = self._world.spec_for_role_name(match["name"])
        return match["account"], None if spec is None else spec.role_name

    def _target(self, role_arn: str) -> Role:
        """The role the ARN names, if this caller may assume it now; AccessDenied otherwise."""
        kind = "Service" if isinstance(self.principal, ServicePrincipal) else "User"
        denied = AccessDenied(
            f"{kind}: {self.principal.arn} is not authorized to perform: sts:AssumeRole on "
            f"resource: {role_arn}",
            guard="trust_policy",
        )
        match = _ROLE_ARN.fullmatch(role_arn)
        spec = None if match is None else self._world.spec_for_role_name(match["name"])
        if match is None or spec is None or role_arn != spec.role_arn(match["account"]):
            raise denied
        if self._world.find_account(match["account"]) is None:
            raise denied
        role = self._world.role(match["account"], spec)
        caller = self.principal
        trusted = isinstance(caller, ServicePrincipal) and trust_allows(
            _trust_policy(spec), service=caller.name
        )
        if not trusted or not role.state.usable_by_service:
            raise denied
        return role

    def _require_trust_for_extras(self, role: Role, kwargs: dict[str, Any]) -> None:
        """Session tags need ``sts:TagSession`` and a source identity ``sts:SetSourceIdentity``
        in the role's trust policy besides ``sts:AssumeRole`` (IAM User Guide, session tags and
        source identity); a service-linked role's trust policy allows only ``sts:AssumeRole``,
        so AWS refuses the call naming the missing action."""
        needed = []
        if kwargs.get("Tags") or kwargs.get("TransitiveTagKeys"):
            needed.append("sts:TagSession")
        if kwargs.get("SourceIdentity") is not None:
            needed.append("sts:SetSourceIdentity")
        for action in needed:
            if not trust_allows(
                _trust_policy(role.spec), service=self.principal.name, action=action
            ):
                raise AccessDenied(
                    f"Service: {self.principal.arn} is not authorized to perform: {action} on "
                    f"resource: {role.arn}",
                    guard="trust_policy",
                )

    def _credentials(self, role: Role, session: str, duration: int) -> dict[str, Any]:
        """Deterministic temporary credentials, derived from the role, session and time."""
        now = self._world.now
        seed = f"{self._world.seed}:{role.role_id}:{session}:{now.isoformat()}".encode()
        digest = hashlib.blake2b(seed, digest_size=48).hexdigest().upper()
        return {
            "Credentials": {
                "AccessKeyId": "ASIA" + digest[:16],
                "SecretAccessKey": digest[16:56],
                "SessionToken": digest,
                "Expiration": now + dt.timedelta(seconds=duration),
            },
            "AssumedRoleUser": {
                "AssumedRoleId": f"{role.role_id}:{session}",
                "Arn": f"arn:aws:sts::{role.account_id}:assumed-role/{role.name}/{session}",
            },
        }
