"""The AWS endpoint: one HTTP request in AWS's wire protocol, answered by the simulation's faces
exactly as the in-process boto3 bridge (:mod:`slr_fsm.boto`) answers the same call.

A request with an ``X-Amz-Target`` header is JSON 1.1 (AWS Organizations); any other is the
query protocol (IAM and STS, told apart by ``Version``). The access key id it is signed with
names the caller (:mod:`slr_fsm.server.identity`); the call runs under the simulation's lock
(one request at a time per simulation, the kernel's guarantee), after the clock catches up in
the wall clock mode. Refusals are AWS's error documents, with the HTTP status and fault that
botocore's model gives the error code (the simulation's own status where the model has none).

An operation AWS has but the simulation does not model is answered HTTP 501 with the code
``OperationNotSimulated`` (a request it cannot answer from what it holds: ``RequestNotSimulated``),
never with a guessed answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.model import StructureShape

from slr_fsm.boto_wire import wire_form
from slr_fsm.errors import AwsError, OperationNotSimulated, RequestNotSimulated, UsageError
from slr_fsm.server.exchange import WireRequest, WireResponse
from slr_fsm.server.identity import AccessKey, signed_credential
from slr_fsm.server.json_protocol import JSON_CONTENT_TYPES, answer_json, error_json, read_json
from slr_fsm.server.query_protocol import answer_xml, decode_form, error_xml, read_form
from slr_fsm.server.served import ServedWorld
from slr_fsm.server.services import (
    Service,
    service_for_target_prefix,
    service_for_version,
    service_named,
)
from slr_fsm.server.wire_errors import (
    WireError,
    invalid_action,
    missing_action,
    missing_authentication,
    not_simulated,
    serialization_error,
    unknown_operation,
    unrecognized_client,
    validation_error,
)

if TYPE_CHECKING:
    from botocore.model import OperationModel

__all__ = ["answer_aws", "wire_error_response"]

_FORM = "application/x-www-form-urlencoded"


def answer_aws(served: ServedWorld, request: WireRequest) -> WireResponse:
    """Answer one AWS API request (never raises a WireError: it becomes AWS's error body)."""
    request_id = served.request_id()
    if "x-amz-target" in request.headers:
        return _json_call(served, request, request_id)
    return _query_call(served, request, request_id)


def wire_error_response(
    request: WireRequest, error: WireError, request_id: str, extra: dict[str, Any] | None = None
) -> WireResponse:
    """``error`` as AWS's error document in the request's protocol."""
    if "x-amz-target" in request.headers:
        body = error_json(error.code, error.message, extra or {})
        content_type = "application/x-amz-json-1.1"
    else:
        body = error_xml(_query_namespace(request), error, request_id)
        content_type = "text/xml"
    headers: tuple[tuple[str, str], ...] = (
        ("Content-Type", content_type),
        ("x-amzn-RequestId", request_id),
    )
    if error.status == 413:
        headers = (*headers, ("Connection", "close"))
    return WireResponse(error.status, headers, body)


def _query_namespace(request: WireRequest) -> str:
    """The XML namespace of the service a query request is for (IAM's when it is unclear)."""
    try:
        pairs = dict(decode_form(request.query_string))
        if request.content_type == _FORM:
            pairs.update(decode_form(request.body))
    except WireError:
        pairs = {}
    service = service_for_version(pairs.get("Version", ""))
    if service is None:
        credential = signed_credential(request.headers, pairs)
        name = credential[1] if credential is not None else "iam"
        service = service_named(name if name == "sts" else "iam")
    return service.xml_namespace


def _caller(served: ServedWorld, request: WireRequest, params: Any, json: bool) -> AccessKey:
    credential = signed_credential(request.headers, params)
    if credential is None:
        raise missing_authentication(json)
    key = served.keys.find(credential[0])
    if key is None:
        raise unrecognized_client(json, credential[0])
    return key


def _query_call(served: ServedWorld, request: WireRequest, request_id: str) -> WireResponse:
    try:
        pairs = decode_form(request.query_string)
        if request.body and request.content_type == _FORM:
            pairs += decode_form(request.body)
        flat = dict(pairs)
        if len(flat) != len(pairs):
            raise WireError(
                "MalformedQueryString",
                "The query string contains a syntax error. (slr_fsm: a parameter is given in "
                "both the URL and the body)",
                404,
            )
        action = flat.get("Action")
        if not action:
            raise _no_action(request)
        key = _caller(served, request, flat, json=False)
        version = flat.get("Version")
        service = service_for_version(version) if version else None
        operation = service.operation(action) if service is not None else None
        if service is None or operation is None:
            raise invalid_action(action, version)
        params = read_form(pairs, operation.input_shape)
        result = _call(served, service, operation, key, params)
    except WireError as error:
        return wire_error_response(request, error, request_id)
    except _Refused as refused:
        return wire_error_response(request, refused.error, request_id)
    body = answer_xml(operation, result, request_id)
    return WireResponse(200, (("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)), body)


def _no_action(request: WireRequest) -> WireError:
    error = missing_action()
    if request.body and request.content_type != _FORM:
        return WireError(
            error.code,
            f"{error.message} (slr_fsm: a query-protocol request carries its parameters in the "
            f"URL or form-encoded, Content-Type {_FORM}; the body came as "
            f"{request.content_type or 'no content type'} and was not read)",
        )
    return error


def _json_call(served: ServedWorld, request: WireRequest, request_id: str) -> WireResponse:
    try:
        target = request.header("X-Amz-Target")
        prefix, _, name = target.partition(".")
        service = service_for_target_prefix(prefix)
        operation = service.operation(name) if service is not None else None
        if service is None or operation is None:
            raise unknown_operation(f"no operation {target!r} (X-Amz-Target)")
        if request.content_type not in JSON_CONTENT_TYPES:
            raise serialization_error(
                "a JSON 1.1 request is sent as application/x-amz-json-1.1, got "
                f"{request.content_type or 'no content type'}"
            )
        key = _caller(served, request, dict(decode_form(request.query_string)), json=True)
        params = read_json(request.body, operation.input_shape)
        result = _call(served, service, operation, key, params)
    except WireError as error:
        return wire_error_response(request, error, request_id)
    except _Refused as refused:
        return wire_error_response(request, refused.error, request_id, refused.extra)
    headers = (("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", request_id))
    return WireResponse(200, headers, answer_json(operation, result))


class _Refused(Exception):
    """The simulation refused the call: its error as the wire carries it."""

    def __init__(self, error: WireError, extra: dict[str, Any]) -> None:
        super().__init__(str(error))
        self.error = error
        self.extra = extra


def _call(
    served: ServedWorld,
    service: Service,
    operation: OperationModel,
    key: AccessKey,
    params: dict[str, Any],
) -> dict[str, Any]:
    if not service.simulates(operation.name):
        raise not_simulated(
            "OperationNotSimulated",
            f"{service.model.service_id} {operation.name} is not simulated by slr_fsm, so this "
            f"server cannot answer it (it never answers with an empty response). Simulated: "
            f"{', '.join(sorted(service.methods))}.",
        )
    sim = served.sim
    try:
        with sim.atomic():
            served.catch_up(sim)
            result = service.answer(sim, key.account_id, key.principal, operation.name, params)
    except AwsError as error:
        raise _refusal(error, operation) from None
    except (OperationNotSimulated, RequestNotSimulated) as error:
        raise not_simulated(type(error).__name__, str(error)) from None
    except UsageError as error:
        raise validation_error(str(error)) from None
    return dict(wire_form(result, operation.output_shape))


def _refusal(error: AwsError, operation: OperationModel) -> _Refused:
    """The simulation's refusal, with the HTTP status and fault of botocore's model for the
    code (the simulation's own where the model has none, e.g. for the common AccessDenied)."""
    service: Any = operation.service_model  # botocore-stubs types the error code as an int
    shape = service.shape_for_error_code(error.code)
    modelled = shape.metadata.get("error", {}) if shape is not None else {}
    status = int(modelled.get("httpStatusCode", error.http_status))
    fault = error.fault
    if "senderFault" in modelled:
        fault = "Sender" if modelled["senderFault"] else "Receiver"
    extra: dict[str, Any] = {}
    reason = getattr(error, "reason", None)
    if isinstance(shape, StructureShape) and "Reason" in shape.members and reason:
        extra["Reason"] = reason
    return _Refused(WireError(error.code, error.message, status, fault), extra)
