"""The bridge's fast path answers exactly as the straightforward one: per-operation plans with
their compiled policy-document encoders, the face kept while the caller resolves to the same
objects, and the unrolled RequestId."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from slr_fsm import Simulation
from slr_fsm.accounts import Principal
from slr_fsm.boto import iam_client, shared_session, sts_client
from slr_fsm.boto_wire import (
    RequestIds,
    encoded,
    encoder,
    error_form,
    policy_paths,
    request_id,
    wire_form,
)
from slr_fsm.errors import AwsError
from slr_fsm.ids import IdGenerator
from slr_fsm.policy_document import PolicyDocument
from tests.conftest import MANAGEMENT, ROLE, SERVICE


@given(st.integers(min_value=-(2**70), max_value=2**70), st.integers(min_value=1, max_value=2**66))
def test_request_id_is_the_id_generators_uuid_at_the_logs_length(seed, counter):
    """The inlined SplitMix64 gives what ``IdGenerator(seed, counter - 1).uuid()`` gives."""
    assert request_id(seed, counter) == IdGenerator(seed=seed, counter=counter - 1).uuid()


@given(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=1, max_value=2**66),
    st.lists(st.integers(min_value=-3, max_value=40), max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70),
)
def test_request_ids_worked_out_sixteen_at_a_time_are_request_ids_one_by_one(
    seed, counter, steps, other_seed
):
    """Counters that run on, jump past a batch, go back, and a seed that changes midway."""
    ids = RequestIds()
    for number, step in enumerate(steps):
        counter = max(1, counter + step)
        if number == len(steps) // 2:
            seed = other_seed
        assert ids(seed, counter) == request_id(seed, counter)


_IAM = shared_session().get_service_model("iam")
IAM_POLICY_PATHS = sorted(
    {policy_paths(_IAM.operation_model(name).output_shape) for name in _IAM.operation_names} - {()}
)
"""Every way an IAM answer holds policy documents (GetRole's, ListRoles', ...)."""
_LEAVES = st.none() | st.booleans() | st.integers() | st.text(max_size=2)
_DOCUMENTS = st.dictionaries(st.sampled_from(["Version", "Statement"]), _LEAVES | st.lists(_LEAVES))


def _along(path: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """Answers that hold a policy document at ``path``, or stray from it anywhere."""
    if not path:
        inner = _DOCUMENTS
    elif path[0] == "*":
        inner = st.lists(_along(path[1:]), max_size=2)
    else:
        inner = st.fixed_dictionaries({path[0]: _along(path[1:])}, optional={"Other": _LEAVES})
    return inner | _LEAVES


@settings(max_examples=50)
@given(st.data())
def test_compiled_encoder_answers_what_encoded_answers_and_leaves_the_answer_alone(data):
    """The plan's compiled encoder gives what ``encoded(dict(answer), paths)`` gives, a new
    top-level dict every time, and changes nothing in the face's answer."""
    paths = data.draw(st.sampled_from(IAM_POLICY_PATHS))
    answer = data.draw(st.fixed_dictionaries({}, optional={p[0]: _along(p[1:]) for p in paths}))
    before = copy.deepcopy(answer)
    got = encoder(paths)(answer)
    assert got == encoded(dict(answer), paths)
    assert got is not answer
    assert answer == before


def test_a_policy_document_equal_to_one_seen_but_printed_otherwise_is_encoded_as_printed():
    """``{"a": 1} == {"a": True}`` in Python, but JSON prints them differently: each document
    travels as it prints, whichever was encoded before it."""
    paths = (("PolicyDocument",),)
    for first, second in (
        ({"a": True}, {"a": 1}),
        ({"b": 1}, {"b": 1.0}),
        ({"c": 0}, {"c": False}),
    ):
        for document in (first, second, first):
            assert wire_form({"PolicyDocument": document}, None) == {"PolicyDocument": document}
            text = encoded({"PolicyDocument": document}, paths)["PolicyDocument"]
            assert text == quote(json.dumps(document, separators=(",", ":")))


def straightforward(sim: Simulation, client: Any, account: str, principal: Any, face_of: Any):
    """A recorder of what botocore's parser would hand on, worked out the straightforward way
    (a face built for every call, the output shape walked, the RequestId from IdGenerator),
    next to the bridge's own answer recorded before botocore's ``after-call`` decodes it."""
    pairs: list[tuple[Any, Any]] = []

    def record(parsed: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        pairs.append((copy.deepcopy(parsed), context["expected"]))  # before it is decoded

    def expect(model: Any, params: Any, context: dict[str, Any], **_: Any) -> None:
        mapping = client.meta.method_to_api_mapping
        name = next(k for k, v in mapping.items() if v == model.name)
        rid = IdGenerator(seed=sim.seed, counter=len(sim.trace)).uuid()
        fork = sim.fork()  # the same call on a copy: the bridge's own call must still be first
        face = face_of(fork, account, principal)
        try:
            parsed = wire_form(
                dict(getattr(face, name)(**context["slr_fsm.api_params"])), model.output_shape
            )
            status = 200
        except AwsError as error:
            parsed, status = error_form(error, model), error.http_status
        protocol = model.metadata.get("protocol")
        content = "application/x-amz-json-1.1" if protocol == "json" else "text/xml"
        headers = {"x-amzn-requestid": rid, "content-type": content}
        parsed["ResponseMetadata"] = {
            "RequestId": rid,
            "HTTPHeaders": headers,
            "RetryAttempts": 0,
            "HTTPStatusCode": status,
        }
        context["expected"] = parsed

    service_id = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register_first(f"before-call.{service_id}", expect)
    client.meta.events.register_first(f"after-call.{service_id}", record)
    return pairs


ALL_OF_IAM = PolicyDocument.parse(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}],
    }
)


def _iam_face(sim, account, principal):
    return sim.iam(account, principal, unknown_caller="refuse_each_call")


def _calls(client: Any) -> None:
    """Every kind of answer: accepted, refused, a policy document, lists, an unknown caller."""
    for call in (
        lambda: client.create_service_linked_role(AWSServiceName=SERVICE, Description="d"),
        lambda: client.create_service_linked_role(AWSServiceName=SERVICE),
        lambda: client.get_role(RoleName=ROLE),
        lambda: client.list_roles(PathPrefix="/aws-service-role/"),
        lambda: client.update_role_description(RoleName=ROLE, Description="e"),
        lambda: client.tag_role(RoleName=ROLE, Tags=[{"Key": "a", "Value": "b"}]),
        lambda: client.list_role_tags(RoleName=ROLE),
        lambda: client.delete_role(RoleName=ROLE),
        lambda: client.get_role(RoleName="nobody"),
        lambda: client.delete_service_linked_role(RoleName=ROLE),
        lambda: client.get_service_linked_role_deletion_status(
            DeletionTaskId=f"task/aws-service-role/{SERVICE}/{ROLE}/"
            "00000000-0000-4000-8000-000000000000"
        ),
    ):
        with contextlib.suppress(client.exceptions.ClientError):
            call()


def test_bridge_answers_as_the_straightforward_path_for_every_kind_of_call():
    """Accepted and refused calls, for a known caller, for one the world gains midway, and for
    one whose policies the world replaces (as restoring a snapshot does: the kept face is
    dropped when the caller resolves to new objects)."""
    sim = Simulation.default(seed=3)
    for principal in (None, "admin", "readonly", "auditor"):  # None: the default, admin
        client = iam_client(sim, MANAGEMENT, principal)
        pairs = straightforward(sim, client, MANAGEMENT, principal, _iam_face)
        _calls(client)
        if principal == "auditor":
            sim.add_principal(MANAGEMENT, "auditor", [ALL_OF_IAM])
            _calls(client)
        if principal == "readonly":
            sim._directory.replace_principal(Principal("readonly", MANAGEMENT, (ALL_OF_IAM,)))
            _calls(client)
        assert len(pairs) >= 11
        for got, expected in pairs:
            assert got == expected


def test_sts_bridge_answers_as_the_straightforward_path():
    """STS's plan (no policy documents in its shapes) and its own face."""
    sim = Simulation.default(seed=5)
    client = sts_client(sim, MANAGEMENT)
    pairs = straightforward(sim, client, MANAGEMENT, "admin", lambda s, a, p: s.sts(a, p))
    client.get_caller_identity()
    with contextlib.suppress(client.exceptions.ClientError):
        client.assume_role(RoleArn=f"arn:aws:iam::{MANAGEMENT}:role/x", RoleSessionName="session")
    assert len(pairs) == 2
    for got, expected in pairs:
        assert got == expected
