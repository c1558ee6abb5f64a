"""Errors: the simulated AWS's refusals (one class per AWS error code) and misuse of the library.

Every refusal the simulation returns is an :class:`AwsError` carrying AWS's ``code``, a message in
AWS's wording where AWS's wording is known, and the HTTP status AWS answers with. Class names are
the AWS codes themselves, so ``except NoSuchEntity`` reads like the AWS documentation.

>>> from slr_fsm.errors import NoSuchEntity
>>> err = NoSuchEntity("The role with name Foo cannot be found.")
>>> (err.code, err.http_status, str(err))
('NoSuchEntity', 404, 'NoSuchEntity: The role with name Foo cannot be found.')
"""

from __future__ import annotations

from typing import Any, ClassVar

from slr_fsm.shown import shown

__all__ = [
    "AWSOrganizationsNotInUseException",
    "AccessDenied",
    "AccessDeniedException",
    "AccountNotFoundException",
    "AwsError",
    "ConcurrentModification",
    "ConflictException",
    "InvalidClientTokenId",
    "InvalidInput",
    "InvalidInputException",
    "LimitExceeded",
    "MalformedPolicyDocument",
    "ManagementAccountRequired",
    "NoSuchEntity",
    "OperationNotSimulated",
    "PolicyNotAttachable",
    "RequestNotSimulated",
    "ResourceNotFoundException",
    "ServiceFailure",
    "ServiceNotSimulated",
    "SlrFsmError",
    "SnapshotError",
    "UnmodifiableEntity",
    "UnsupportedPolicyFeature",
    "UsageError",
    "ValidationError",
    "error_class_for_code",
]


class SlrFsmError(Exception):
    """Base class of every exception slr_fsm raises on purpose."""


class AwsError(SlrFsmError):
    """A refusal by the simulated AWS: an AWS error ``code``, its ``message`` and ``http_status``.

    ``guard`` names the lifecycle guard or check that refused, when one did, so a refusal can be
    traced back to the rule that caused it.
    """

    code: ClassVar[str] = "InternalFailure"
    http_status: ClassVar[int] = 500
    #: "Sender" for the caller's fault (4xx), "Receiver" for AWS's (5xx), as in AWS's error XML.
    fault: ClassVar[str] = "Sender"

    def __init__(self, message: str, *, guard: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.guard = guard

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def to_response(self) -> dict[str, Any]:
        """The error as botocore parses it from AWS (``ClientError.response``)."""
        return {
            "Error": {"Type": self.fault, "Code": self.code, "Message": self.message},
            "ResponseMetadata": {"HTTPStatusCode": self.http_status},
        }


class InvalidInput(AwsError):
    """IAM ``InvalidInput``: a parameter is invalid (duplicate create, unknown service, bad id)."""

    code = "InvalidInput"
    http_status = 400


class NoSuchEntity(AwsError):
    """IAM ``NoSuchEntity``: the role, or the deletion task, does not exist."""

    code = "NoSuchEntity"
    http_status = 404


class UnmodifiableEntity(AwsError):
    """IAM ``UnmodifiableEntity``: the service-linked role is protected; only AWS may change it."""

    code = "UnmodifiableEntity"
    http_status = 400


class AccessDenied(AwsError):
    """``AccessDenied``: the caller's policies do not allow the action, or a trust policy refuses."""

    code = "AccessDenied"
    http_status = 403


class ManagementAccountRequired(AccessDenied):
    """The AWS Billing integration was attempted from an organization's member account.

    The seed: "Within AWS Organizations, this setting only works in the management account."
    """


class LimitExceeded(AwsError):
    """IAM ``LimitExceeded``: an account quota would be exceeded."""

    code = "LimitExceeded"
    http_status = 409


class ServiceFailure(AwsError):
    """IAM ``ServiceFailure``: the request failed on AWS's side (injected as a fault here)."""

    code = "ServiceFailure"
    http_status = 500
    fault = "Receiver"


class MalformedPolicyDocument(AwsError):
    """IAM ``MalformedPolicyDocument``: a policy document is not valid JSON or not a valid policy."""

    code = "MalformedPolicyDocument"
    http_status = 400


class ValidationError(AwsError):
    """``ValidationError``: a parameter is missing, of the wrong type, too long or off-pattern."""

    code = "ValidationError"
    http_status = 400


class ConcurrentModification(AwsError):
    """IAM ``ConcurrentModification``: the role is still being created; retry when it is active."""

    code = "ConcurrentModification"
    http_status = 409


class InvalidClientTokenId(AwsError):
    """``InvalidClientTokenId``: the calling account or principal does not exist in the world."""

    code = "InvalidClientTokenId"
    http_status = 403


class ResourceNotFoundException(AwsError):
    """AWS Marketplace ``ResourceNotFoundException``: no such subscription or purchase order."""

    code = "ResourceNotFoundException"
    http_status = 404


class ConflictException(AwsError):
    """AWS Marketplace ``ConflictException``: purchase-order support is off, or a PO is attached."""

    code = "ConflictException"
    http_status = 409


class PolicyNotAttachable(AwsError):
    """IAM ``PolicyNotAttachable``: a service-role policy attached to a user, group or role that
    is not the service's own service-linked role (HTTP 400)."""

    code = "PolicyNotAttachable"
    http_status = 400


class AccessDeniedException(AccessDenied):
    """AWS Organizations' ``AccessDeniedException`` (HTTP 400, as its API Reference lists it):
    the caller's policies do not allow the action, or only the management account may call it."""

    code = "AccessDeniedException"
    http_status = 400


class AWSOrganizationsNotInUseException(AwsError):
    """AWS Organizations: the calling account is not a member of an organization (HTTP 400)."""

    code = "AWSOrganizationsNotInUseException"
    http_status = 400


class AccountNotFoundException(AwsError):
    """AWS Organizations: no account with that id in the caller's organization (HTTP 400)."""

    code = "AccountNotFoundException"
    http_status = 400


class InvalidInputException(InvalidInput):
    """AWS Organizations' ``InvalidInputException`` (HTTP 400), with its ``reason`` (e.g.
    ``INVALID_PATTERN``), which boto3 shows as the response's ``Reason``."""

    code = "InvalidInputException"
    http_status = 400

    def __init__(
        self, message: str, *, reason: str | None = None, guard: str | None = None
    ) -> None:
        super().__init__(message, guard=guard)
        self.reason = reason


class UsageError(SlrFsmError, ValueError):
    """A mistake in how the library itself is used (a negative clock step, a bad snapshot)."""


class RequestNotSimulated(UsageError):
    """A request AWS would answer from something the simulation does not hold (an AWS managed
    policy no simulated role uses, a policy version before the default, a parameter such as
    SimulatePrincipalPolicy's ``PolicyInputList``): refused, never answered from a guess."""


class OperationNotSimulated(UsageError):
    """A bridged client was asked for an AWS operation the simulation does not answer."""


class ServiceNotSimulated(UsageError):
    """Inside ``simulated_boto3``, a client was asked for a service the simulation does not
    answer (it would reach AWS), and the block does not hand such clients to moto."""


class SnapshotError(UsageError):
    """A snapshot that cannot be restored: malformed, or describing an impossible world.

    ``field`` names where in the snapshot the problem is, e.g. ``roles.role_id[0]``
    (``roles[0].role_id`` in a format 2 snapshot).
    """

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"Snapshot field {field}: {problem}")
        self.field = field
        self.problem = problem


class UnsupportedPolicyFeature(UsageError):
    """A policy uses an IAM feature this simulator does not evaluate (it never ignores one)."""


_BY_CODE: dict[str, type[AwsError]] = {
    cls.code: cls
    for cls in (
        InvalidInput,
        NoSuchEntity,
        UnmodifiableEntity,
        AccessDenied,
        LimitExceeded,
        ServiceFailure,
        MalformedPolicyDocument,
        ValidationError,
        ConcurrentModification,
        InvalidClientTokenId,
        ResourceNotFoundException,
        ConflictException,
        AccessDeniedException,
        AWSOrganizationsNotInUseException,
        AccountNotFoundException,
        InvalidInputException,
        PolicyNotAttachable,
    )
}


def error_class_for_code(code: str) -> type[AwsError]:
    """The exception class for an AWS error code, e.g. ``"NoSuchEntity"``.

    >>> error_class_for_code("InvalidInput").__name__
    'InvalidInput'
    """
    found = _BY_CODE.get(code) if isinstance(code, str) else None
    if found is None:
        known = ", ".join(sorted(_BY_CODE))
        raise UsageError(f"{shown(code)} is not an AWS error code slr_fsm models; known: {known}")
    return found
