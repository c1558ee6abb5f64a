"""The server's wire protocols against botocore's own halves: every simulated operation's input,
as botocore's serializer sends it, reads back to the same parameters; every output and error
document the server writes parses, with botocore's parser, back to the same answer."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from slr_fsm.server.json_protocol import answer_json, error_json, read_json
from slr_fsm.server.query_protocol import answer_xml, decode_form, error_xml, read_form
from slr_fsm.server.services import SERVICE_NAMES, service_named
from slr_fsm.server.wire_errors import WireError

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def sample(shape: Shape, name: str = "v", depth: int = 0) -> Any:
    """A value of every member of ``shape`` (two items a list), with text XML must escape."""
    if isinstance(shape, StructureShape):
        if depth > 5:
            return {}
        return {n: sample(m, n, depth + 1) for n, m in shape.members.items()}
    if isinstance(shape, ListShape):
        return [sample(shape.member, name, depth + 1) for _ in range(2)]
    if isinstance(shape, MapShape):
        return {"key-1": sample(shape.value, name, depth + 1)}
    return {
        "integer": 7, "long": 7, "boolean": True, "timestamp": WHEN, "blob": b"\x00\x01",
        "double": 1.5, "float": 1.5,
    }.get(shape.type_name, (getattr(shape, "enum", None) or [f"{name} & <{name}> 'é'"])[0])


def operations(protocol: str) -> list[OperationModel]:
    found = []
    for name in SERVICE_NAMES:
        service = service_named(name)
        if service.protocol == protocol:
            found += [service.operation(op) for op in sorted(service.methods)]
    return found


@pytest.mark.parametrize("operation", operations("query"), ids=lambda op: op.name)
def test_query_form_reads_back_what_botocore_serializes(operation: OperationModel) -> None:
    """botocore's QuerySerializer, then read_form: the same parameters, typed as boto3's."""
    params = sample(operation.input_shape) if operation.input_shape is not None else {}
    request = create_serializer("query", include_validation=False).serialize_to_request(params, operation)
    pairs = decode_form(urlencode(request["body"]))
    assert read_form(pairs, operation.input_shape) == params


@pytest.mark.parametrize("operation", operations("query"), ids=lambda op: op.name)
def test_query_answer_parses_back_with_botocores_parser(operation: OperationModel) -> None:
    """answer_xml, then botocore's QueryParser: the same answer, and the request id."""
    result = sample(operation.output_shape) if operation.output_shape is not None else {}
    body = answer_xml(operation, result, "req-1")
    parsed = create_parser("query").parse(
        {"body": body, "headers": {}, "status_code": 200}, operation.output_shape)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-1"
    assert parsed == result


@pytest.mark.parametrize("operation", operations("json"), ids=lambda op: op.name)
def test_json_answers_and_requests_round_trip_with_botocore(operation: OperationModel) -> None:
    """botocore's JSON serializer, then read_json; answer_json, then botocore's JSON parser."""
    params = sample(operation.input_shape) if operation.input_shape is not None else {}
    request = create_serializer("json", include_validation=False).serialize_to_request(params, operation)
    assert read_json(request["body"], operation.input_shape) == params
    result = sample(operation.output_shape) if operation.output_shape is not None else {}
    parsed = create_parser("json").parse(
        {"body": answer_json(operation, result), "headers": {}, "status_code": 200},
        operation.output_shape)
    parsed.pop("ResponseMetadata", None)
    assert parsed == result


def test_query_error_document_parses_as_aws_error() -> None:
    """error_xml: botocore reads the code, message, fault type and request id."""
    error = WireError("NoSuchEntity", "The role with name <R> cannot be found.", 404)
    body = error_xml("https://iam.amazonaws.com/doc/2010-05-08/", error, "req-2")
    parsed = create_parser("query").parse({"body": body, "headers": {}, "status_code": 404}, None)
    assert parsed["Error"] == {"Code": "NoSuchEntity", "Type": "Sender",
                               "Message": "The role with name <R> cannot be found."}
    assert parsed["ResponseMetadata"]["RequestId"] == "req-2"


def test_json_error_document_carries_type_message_and_modelled_members() -> None:
    """error_json: ``__type``, ``Message`` and the error shape's other members (Reason)."""
    body = error_json("InvalidInputException", "bad", {"Reason": "INVALID_PATTERN"})
    assert json.loads(body) == {"__type": "InvalidInputException", "Message": "bad",
                                "Reason": "INVALID_PATTERN"}


@pytest.mark.parametrize(("form", "problem"), [
    ("RoleName=%ZZ", "two hexadecimal digits"),
    ("RoleName=%FF%FE", "UTF-8"),
    ("RoleName=a&RoleName=b", "given twice"),
])
def test_malformed_forms_are_malformed_query_string(form: str, problem: str) -> None:
    """A broken escape, text that is not UTF-8, a name given twice: MalformedQueryString, 404."""
    with pytest.raises(WireError, match=problem) as raised:
        decode_form(form)
    assert (raised.value.code, raised.value.status) == ("MalformedQueryString", 404)


def test_typed_values_that_do_not_parse_are_validation_errors() -> None:
    """An integer parameter that is not a number is refused before the simulation sees it."""
    list_roles = service_named("iam").operation("ListRoles")
    with pytest.raises(WireError, match="is not a number") as raised:
        read_form([("MaxItems", "ten")], list_roles.input_shape)
    assert raised.value.code == "ValidationError"


def test_unknown_parameters_reach_the_simulation_to_be_refused_in_botocores_words() -> None:
    """A name the model does not know is passed on as text (the face refuses it, as it does the
    bridge's), and an empty list arrives as an empty list."""
    untag = service_named("iam").operation("UntagRole")
    params = read_form([("RoleName", "R"), ("TagKeys", ""), ("Colour", "blue")], untag.input_shape)
    assert params == {"RoleName": "R", "TagKeys": [], "Colour": "blue"}
