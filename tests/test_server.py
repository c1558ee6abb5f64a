"""The server's own behaviour: who is calling (access keys), the control API, the clock modes,
and robustness under bad input, slow or broken connections and concurrent clients."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from slr_fsm import Simulation
from slr_fsm.cli import main
from slr_fsm.server import ClockMode, SimulationServer, access_keys
from tests.conftest import MANAGEMENT, MEMBER, ROLE, SERVICE
from tests.server_helpers import client, control, open_socket, raw, signed_headers

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


@pytest.fixture(scope="module")
def server() -> Iterator[SimulationServer]:
    with SimulationServer(Simulation.default(seed=0), client_timeout=1.0) as running:
        yield running


@pytest.fixture
def fresh(server: SimulationServer) -> SimulationServer:
    """The module's server, reset to its starting world."""
    assert control(server, "POST", "/reset")[0] == 200
    return server


def query(server: SimulationServer, form: str, **headers: str) -> tuple[int, str]:
    status, _, body = raw(server, "POST", "/", form.encode(), {**FORM, **signed_headers(server), **headers})
    return status, body.decode()


def xml_error(body: str) -> tuple[str, str]:
    code = re.search(r"<Code>(.*?)</Code>", body)
    message = re.search(r"<Message>(.*?)</Message>", body, re.S)
    assert code is not None, body
    assert message is not None, body
    return code[1], message[1]


# ----------------------------------------------------------------------------- identity


def test_each_principal_calls_with_its_own_access_key(fresh: SimulationServer) -> None:
    """The access key id picks the caller: STS names each user, readonly may read but not edit,
    and the trusted service may assume the role while an administrator may not."""
    for account in (MANAGEMENT, MEMBER):
        for principal in ("admin", "readonly"):
            arn = client(fresh, "sts", account, principal).get_caller_identity()["Arn"]
            assert arn == f"arn:aws:iam::{account}:user/{principal}"
    control(fresh, "POST", "/console/configure-billing-integration", {"account": "management"})
    control(fresh, "POST", "/clock/settle")
    readonly = client(fresh, "iam", "management", "readonly")
    assert readonly.get_role(RoleName=ROLE)["Role"]["RoleName"] == ROLE
    with pytest.raises(ClientError, match="AccessDenied"):
        readonly.update_role_description(RoleName=ROLE, Description="x")
    arn = fresh.sim.role(MANAGEMENT).arn
    assumed = client(fresh, "sts", "management", SERVICE).assume_role(RoleArn=arn, RoleSessionName="po")
    assert assumed["AssumedRoleUser"]["Arn"].endswith(f"assumed-role/{ROLE}/po")


def test_unknown_or_missing_credentials_are_refused_as_aws_refuses_them(server: SimulationServer) -> None:
    """An unknown key: InvalidClientTokenId (403) from IAM, UnrecognizedClientException (400)
    from Organizations; no Authorization at all: MissingAuthenticationToken (403)."""
    stranger = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIANOBODY/20260101/us-east-1/iam/"
                                 "aws4_request, SignedHeaders=host, Signature=0"}
    status, _, body = raw(server, "POST", "/", b"Action=ListRoles&Version=2010-05-08", {**FORM, **stranger})
    assert status == 403
    assert xml_error(body.decode())[0] == "InvalidClientTokenId"
    status, _, body = raw(server, "POST", "/", b"{}", {
        **stranger, "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts",
        "Content-Type": "application/x-amz-json-1.1"})
    assert (status, json.loads(body)["__type"]) == (400, "UnrecognizedClientException")
    status, _, body = raw(server, "POST", "/", b"Action=ListRoles&Version=2010-05-08", FORM)
    assert (status, xml_error(body.decode())[0]) == (403, "MissingAuthenticationToken")


def test_access_keys_are_derived_from_seed_account_and_principal(capsys: pytest.CaptureFixture[str]) -> None:
    """Same world, same keys (the CLI lists them); another seed, other keys; AWS's shapes."""
    keys = access_keys(Simulation.default(seed=0))
    assert keys == access_keys(Simulation.default(seed=0))
    assert {k.access_key_id for k in keys}.isdisjoint(
        k.access_key_id for k in access_keys(Simulation.default(seed=1)))
    assert all(re.fullmatch(r"AKIA[A-Z2-7]{16}", k.access_key_id) for k in keys)
    assert all(len(k.secret_access_key) == 40 for k in keys)
    assert main(["access-keys", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [k.to_json_value() for k in keys]


def test_a_presigned_url_is_answered_as_its_signer(fresh: SimulationServer) -> None:
    """A presigned GET (the key in X-Amz-Credential) is the query protocol too."""
    url = client(fresh, "iam").generate_presigned_url("list_roles", Params={"PathPrefix": "/"})
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert b"<ListRolesResponse" in answer.read()


# ----------------------------------------------------------------------------- control API


def test_control_api_drives_the_console_and_the_clock(fresh: SimulationServer) -> None:
    """Console set-up as a member is AccessDenied (403); as management it creates the role,
    which the clock makes active; the trace and roles routes show it."""
    status, refused = control(fresh, "POST", "/console/configure-billing-integration", {"account": MEMBER})
    assert (status, refused["error"]["code"]) == (403, "AccessDenied")
    status, answer = control(fresh, "POST", "/console/configure-billing-integration",
                             {"account": "management", "principal": "admin"})
    assert answer["Status"] == "PENDING"
    status, moved = control(fresh, "POST", "/clock/advance", {"seconds": 10})
    assert [e["operation"] for e in moved["events"]] == ["finish_creation"]
    assert moved["now"] == "2026-01-01T00:00:10+00:00"
    roles = control(fresh, "GET", "/roles")[1]["roles"]
    assert [(r["account_id"], r["state"]) for r in roles] == [(MANAGEMENT, "active")]
    trace = control(fresh, "GET", "/trace", query="since=1")[1]
    assert [e["operation"] for e in trace] == ["configure_billing_integration", "finish_creation"]
    health = control(fresh, "GET", "/health")[1]
    assert (health["status"], health["events"], health["pending_work"]) == ("ok", 3, 0)
    for since in (1.5, float("inf"), True, "x"):  # no event number: 400, not cut or a crash
        status, refused = control(fresh, "GET", "/trace", {"since": since})
        assert status == 400
        assert "since is an event number" in refused["error"]["message"]


def test_snapshot_restore_and_reset(fresh: SimulationServer) -> None:
    """A snapshot restores the world it describes; reset brings back the starting world; a bad
    snapshot is a 400 naming the field, and changes nothing."""
    control(fresh, "POST", "/console/configure-billing-integration", {"account": "management"})
    control(fresh, "POST", "/clock/settle")
    status, snapshot = control(fresh, "GET", "/snapshot")
    control(fresh, "POST", "/reset")
    assert fresh.sim.role(MANAGEMENT).state.value == "absent"
    assert control(fresh, "POST", "/restore", snapshot)[0] == 200
    assert client(fresh, "iam").get_role(RoleName=ROLE)["Role"]["RoleName"] == ROLE
    status, refused = control(fresh, "POST", "/restore", {**snapshot, "seed": "x"})
    assert (status, refused["error"]["code"]) == (400, "UsageError")
    assert "seed" in refused["error"]["message"]
    assert fresh.sim.role(MANAGEMENT).state.value == "active"


def test_control_mistakes_are_plain_json_errors(server: SimulationServer) -> None:
    """A negative step, an unknown account, bad JSON, an unknown route and a wrong method."""
    assert control(server, "POST", "/clock/advance", {"seconds": -1})[0] == 400
    status, error = control(server, "GET", "/console/subscriptions", query="account=nobody")
    assert (status, error["error"]["code"]) == (400, "UsageError")
    status, _, body = raw(server, "POST", "/_slr_fsm/clock/advance", b"{not json")
    assert (status, json.loads(body)["error"]["code"]) == (400, "UsageError")
    assert control(server, "GET", "/nowhere")[0] == 404
    assert control(server, "GET", "/reset")[0] == 405


def test_faults_route_injects_a_creation_failure(fresh: SimulationServer) -> None:
    """POST /faults arms a failed creation: the role falls back to absent."""
    assert control(fresh, "POST", "/faults", {"creation_failures": 1})[1]["creation_failures"] == 1
    client(fresh, "iam").create_service_linked_role(AWSServiceName=SERVICE)
    control(fresh, "POST", "/clock/settle")
    assert fresh.sim.role(MANAGEMENT).state.value == "absent"


# ----------------------------------------------------------------------------- clock modes


def test_wall_clock_lets_a_polling_client_see_the_deletion_finish() -> None:
    """In the wall clock mode (here 500 virtual seconds a second) a client that polls with real
    sleeps sees creation and deletion finish, with no control call."""
    with SimulationServer(Simulation.default(), clock=ClockMode.wall(500)) as running:
        iam = client(running, "iam")
        iam.create_service_linked_role(AWSServiceName=SERVICE)
        time.sleep(0.05)
        task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
        statuses = []
        for _ in range(100):
            statuses.append(iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"])
            if statuses[-1] == "SUCCEEDED":
                break
            time.sleep(0.005)
        assert statuses[-1] == "SUCCEEDED"
        assert running.sim.role(MANAGEMENT).state.value == "deleted"


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("form", "status", "code", "message"), [
    ("Action=GetRoel&Version=2010-05-08", 400, "InvalidAction",
     "Could not find operation GetRoel for version 2010-05-08"),
    ("Action=GetRole", 400, "InvalidAction",
     "Could not find operation GetRole for version NO_VERSION_SPECIFIED"),
    ("Version=2010-05-08&RoleName=R", 400, "MissingAction", "Missing Action"),
    ("Action=GetRole&Version=2010-05-08&RoleName=%ZZ", 404, "MalformedQueryString", None),
    ("Action=ListRoles&Version=2010-05-08&MaxItems=many", 400, "ValidationError", None),
    ("Action=GetRole&Version=2010-05-08", 400, "ValidationError", None),
    ("Action=CreateUser&Version=2010-05-08&UserName=u", 501, "OperationNotSimulated", None),
])
def test_malformed_query_requests_get_aws_errors(server: SimulationServer, form: str, status: int,
                                                 code: str, message: str | None) -> None:
    """Unknown action, no version, no action, bad encoding, an untyped value, a missing
    parameter, an operation not simulated: AWS's error document, never a traceback."""
    got_status, body = query(server, form)
    assert got_status == status
    assert xml_error(body)[0] == code
    if message is not None:
        assert xml_error(body)[1] == message
    assert "Traceback" not in body


def test_a_json_body_sent_to_the_query_protocol_is_not_read(server: SimulationServer) -> None:
    """The query protocol reads form bodies only: a JSON body leaves no Action (and says why)."""
    status, body = query(server, '{"Action": "GetRole"}', **{"Content-Type": "application/json"})
    assert status == 400
    assert xml_error(body)[0] == "MissingAction"
    assert "application/json" in xml_error(body)[1]


@pytest.mark.parametrize(("target", "content_type", "body", "code"), [
    ("AWSOrganizationsV20161128.Explode", "application/x-amz-json-1.1", b"{}", "UnknownOperationException"),
    ("Nope.ListAccounts", "application/x-amz-json-1.1", b"{}", "UnknownOperationException"),
    ("AWSOrganizationsV20161128.ListAccounts", "application/x-amz-json-1.1", b"[1]", "SerializationException"),
    ("AWSOrganizationsV20161128.ListAccounts", "application/x-amz-json-1.1", b"\xff", "SerializationException"),
    ("AWSOrganizationsV20161128.ListAccounts", "text/plain", b"{}", "SerializationException"),
])
def test_malformed_json_requests_get_aws_errors(server: SimulationServer, target: str,
                                                content_type: str, body: bytes, code: str) -> None:
    """JSON 1.1: an unknown target, a body that is not a JSON object, the wrong content type."""
    status, _, answer = raw(server, "POST", "/", body, {
        **signed_headers(server, "organizations"), "X-Amz-Target": target, "Content-Type": content_type})
    assert (status, json.loads(answer)["__type"]) == (400, code)


def test_oversized_bodies_are_refused_with_413(server: SimulationServer) -> None:
    """Over the bound (1 MiB), by Content-Length or while reading a chunked body: 413."""
    big = b"Action=ListRoles&Version=2010-05-08&Marker=" + b"a" * (1 << 20)
    status, body = query(server, big.decode())
    assert status == 413
    assert xml_error(body)[0] == "RequestEntityTooLargeException"

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"a" * 65536

    status, _, answer = raw(server, "POST", "/", chunks(),  # type: ignore[arg-type]
                            {**FORM, **signed_headers(server), "Transfer-Encoding": "chunked"})
    assert status == 413
    assert xml_error(answer.decode())[0] == "RequestEntityTooLargeException"


def test_an_unforeseen_failure_is_internal_failure_without_a_traceback(
        server: SimulationServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug behind the endpoint is AWS's InternalFailure (500); the details stay in the log."""
    def explode(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("slr_fsm.iam.IamApi.list_roles", explode)
    status, body = query(server, "Action=ListRoles&Version=2010-05-08")
    assert (status, xml_error(body)[0]) == (500, "InternalFailure")
    assert "secret" not in body
    assert "Traceback" not in body


def test_broken_and_silent_connections_do_not_hold_the_server(server: SimulationServer) -> None:
    """A client that sends half a body and goes away, and one that sends half a request line and
    falls silent (dropped after the client timeout), leave the server answering others."""
    broken = open_socket(server)
    broken.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n"
                   b"Content-Type: application/x-www-form-urlencoded\r\n\r\nAction=List")
    broken.close()
    silent = open_socket(server)
    silent.sendall(b"POST / HTT")
    started = time.monotonic()
    assert control(server, "GET", "/health")[1]["status"] == "ok"  # answered meanwhile
    silent.settimeout(5)
    assert silent.recv(1024) == b""  # closed by the server, after its timeout (1 s here)
    assert 0.7 < time.monotonic() - started < 3.5
    silent.close()


def test_concurrent_clients_are_served_one_request_at_a_time(fresh: SimulationServer) -> None:
    """Threads creating, reading and deleting at once: every call answered (no 5xx) and logged
    exactly once, in one sequence (requests were serialized)."""
    errors: list[str] = []

    def work(account: str) -> None:
        iam = client(fresh, "iam", account)
        for _ in range(4):
            for call in (lambda: iam.create_service_linked_role(AWSServiceName=SERVICE),
                         lambda: iam.get_role(RoleName=ROLE),
                         lambda: iam.delete_service_linked_role(RoleName=ROLE)):
                try:
                    call()
                except ClientError as refused:
                    if refused.response["ResponseMetadata"]["HTTPStatusCode"] >= 500:
                        errors.append(str(refused))

    threads = [threading.Thread(target=work, args=(a.account_id,)) for a in fresh.sim.accounts
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    trace = fresh.sim.trace
    assert len(trace) == len(threads) * 12
    assert [e.seq for e in trace] == list(range(len(trace)))
