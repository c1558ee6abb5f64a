"""simulated_boto3 is sealed (no client made inside it reaches AWS) and thread-aware (one shared,
reference-counted patch of botocore, each thread routed to its own innermost block)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import boto3
import botocore.endpoint
import botocore.session
import pytest

from slr_fsm import Simulation
from slr_fsm.boto import (
    SIMULATED_SERVICES,
    OperationNotSimulated,
    ServiceNotSimulated,
    simulated_boto3,
)
from slr_fsm.boto_patch import active_routes
from slr_fsm.errors import UsageError
from tests.conftest import MANAGEMENT, SERVICE

ORIGINAL_CREATE_CLIENT = botocore.session.Session.create_client
ORIGINAL_SEND = botocore.endpoint.Endpoint._send


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def no_network(monkeypatch) -> Iterator[list[object]]:
    """Fail the test if anything opens a connection; yield the attempts seen."""
    attempts: list[object] = []

    def connect(self, address, *args, **kwargs):
        attempts.append(address)
        raise AssertionError(f"a socket tried to connect to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    yield attempts
    assert attempts == []


@pytest.fixture(autouse=True)
def botocore_untouched_after() -> Iterator[None]:
    """Every test leaves botocore's client factory as it found it."""
    yield
    assert botocore.session.Session.create_client is ORIGINAL_CREATE_CLIENT
    assert botocore.endpoint.Endpoint._send is ORIGINAL_SEND
    assert active_routes() == 0


def answered_by_simulation(client) -> bool:
    """Whether something answers the client's calls at ``before-call`` (the bridge does)."""
    model = client.meta.service_model.operation_model(client.meta.service_model.operation_names[0])
    _, answer = client.meta.events.emit_until_response(
        f"before-call.{client.meta.service_model.service_id.hyphenize()}.{model.name}",
        model=model, params={}, context={})
    return answer is not None


# ----------------------------------------------------------------------------- sealed


@pytest.mark.parametrize("service", ["s3", "ec2", "dynamodb"])
def test_other_services_are_refused_when_the_client_is_created(sim, no_network, service):
    """boto3.client / boto3.resource / Session().client for a service not simulated: a clear
    ServiceNotSimulated (a UsageError), before any client exists."""
    with simulated_boto3(sim):
        for make in (lambda: boto3.client(service, region_name="us-east-1"),
                     lambda: boto3.Session(region_name="us-east-1").client(service),
                     lambda: botocore.session.Session().create_client(service, "us-east-1")):
            with pytest.raises(ServiceNotSimulated, match=f"does not simulate '{service}'") as no:
                make()
            assert isinstance(no.value, UsageError)
            assert "others='moto'" in str(no.value)


def test_simulated_clients_never_touch_the_network(sim, no_network):
    """IAM, STS and Organizations clients pointed at a closed local port are answered anyway;
    no socket is opened, not even to look credentials up."""
    url = f"http://127.0.0.1:{closed_port()}"
    with simulated_boto3(sim):
        iam = boto3.client("iam", endpoint_url=url)
        assert iam.create_service_linked_role(AWSServiceName=SERVICE)["Role"]["Path"]
        sts = boto3.client("sts", endpoint_url=url)
        assert sts.get_caller_identity()["Account"] == MANAGEMENT
        orgs = boto3.client("organizations", endpoint_url=url)
        assert orgs.describe_organization()["Organization"]["MasterAccountId"] == MANAGEMENT
    assert set(SIMULATED_SERVICES) == {"iam", "sts", "organizations"}


@pytest.mark.parametrize(("service", "call"), [
    ("iam", lambda c: c.list_users()),
    ("sts", lambda c: c.get_session_token()),
    ("organizations", lambda c: c.list_policies(Filter="SERVICE_CONTROL_POLICY")),
])
def test_unmodelled_operations_of_simulated_services_raise(sim, no_network, service, call):
    """An operation slr_fsm does not answer is OperationNotSimulated, never the network."""
    with simulated_boto3(sim):
        client = boto3.client(service, endpoint_url=f"http://127.0.0.1:{closed_port()}")
        with pytest.raises(OperationNotSimulated, match="is not simulated by slr_fsm"):
            call(client)


def test_others_must_be_none_or_moto(sim):
    with pytest.raises(UsageError, match="others is None"), simulated_boto3(sim, others="s3"):
        pass


def test_others_moto_needs_an_active_mock(sim):
    """Handing clients to moto is refused when moto is not answering (they would reach AWS)."""
    with pytest.raises(UsageError, match="mock_aws must be active"), simulated_boto3(
            sim, others="moto"):
        pass


def test_others_go_to_moto_and_nothing_reaches_the_network(sim, no_network):
    """Inside mock_aws, others="moto" lets moto answer S3 while the simulation answers IAM; a
    request moto does not answer (a local endpoint, or after mock_aws ends) is refused."""
    moto = pytest.importorskip("moto")
    with moto.mock_aws(), simulated_boto3(sim, others="moto"):
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="slr-fsm-bucket")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["slr-fsm-bucket"]
        boto3.client("iam").create_service_linked_role(AWSServiceName=SERVICE)
        local = boto3.client("s3", region_name="us-east-1",
                             endpoint_url=f"http://127.0.0.1:{closed_port()}")
        with pytest.raises(ServiceNotSimulated, match="was about to send a request"):
            local.list_buckets()
    assert sim.role(MANAGEMENT).state.value == "creating"  # the simulation, not moto, had IAM
    with pytest.raises(ServiceNotSimulated, match="was about to send a request"):
        s3.list_buckets()  # made inside the block: moto gone, still no network


class _Wire:
    """An HTTP session that records what would have gone over the network."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, request):
        self.sent.append(request.url)
        raise ConnectionRefusedError("recorded, not sent")


def _client_made_before_any_block():
    client = boto3.client(
        "iam", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    wire = client._endpoint.http_session = _Wire()
    return client, wire


def test_a_client_made_before_the_block_sends_nothing_inside_it(sim):
    """Inside simulated_boto3, a request from a client created before the block is refused
    before it leaves the process (nothing answered it); after the block it is botocore's again."""
    client, wire = _client_made_before_any_block()
    events = len(sim.trace)
    with simulated_boto3(sim):
        with pytest.raises(ServiceNotSimulated, match="from a client created outside the block"):
            client.list_roles()
        assert boto3.client("iam").list_roles()["Roles"] == []  # clients made inside answer
        other_thread: list[BaseException] = []
        worker = threading.Thread(target=lambda: other_thread.append(error_or_none(client)))
        worker.start()
        worker.join()
    assert wire.sent == ["https://iam.amazonaws.com/"]  # only the thread with no block sent
    assert isinstance(other_thread[0], Exception)
    assert len(sim.trace) == events + 1  # the inside client's list_roles, nothing else
    assert error_or_none(client) is not None  # after the block, botocore's own again
    assert len(wire.sent) == 2
    assert botocore.endpoint.Endpoint._send is ORIGINAL_SEND


def error_or_none(client) -> BaseException | None:
    try:
        client.list_roles()
    except Exception as error:
        return error
    return None


def test_credentials_are_never_looked_up(sim, monkeypatch, no_network):
    """With no credentials anywhere (and the instance metadata service reachable in principle),
    simulated clients get dummy ones instead of a lookup."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    with simulated_boto3(sim):
        client = boto3.Session().client("organizations")
        assert client._request_signer._credentials.access_key == "slr-fsm"
        assert client.list_roots()["Roots"][0]["Name"] == "Root"


# ----------------------------------------------------------------------------- threads


def test_overlapping_blocks_in_two_threads(fast_switching):
    """A enters, B enters, A leaves, B leaves: each thread's clients answer from its own
    simulation, a thread with no block gets plain botocore throughout, and afterwards
    Session.create_client is botocore's own function and a new client is plain."""
    sim_a, sim_b = Simulation.default(seed=1), Simulation.default(seed=2)
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, object] = {}
    errors: list[BaseException] = []

    def run(name, body):
        try:
            body()
        except BaseException as error:  # reported below
            errors.append(error)

    def thread_a():
        with simulated_boto3(sim_a):
            a_in.set()
            b_in.wait(10)
            boto3.client("iam").create_service_linked_role(AWSServiceName=SERVICE)
        a_out.set()
        seen["a after"] = answered_by_simulation(boto3.client("iam", region_name="us-east-1"))

    def thread_b():
        a_in.wait(10)
        with simulated_boto3(sim_b):
            b_in.set()
            a_out.wait(10)  # A has left; B's block must still answer B's clients
            iam = boto3.client("iam")
            seen["b roles"] = iam.list_roles()["Roles"]
            seen["b identity"] = boto3.client("sts").get_caller_identity()["Account"]

    def bystander():
        b_in.wait(10)  # both blocks active: this thread has none
        client = botocore.session.Session().create_client(
            "s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        seen["bystander"] = (answered_by_simulation(client), type(client._endpoint.http_session))

    threads = [threading.Thread(target=run, args=(n, f))
               for n, f in (("a", thread_a), ("b", thread_b), ("c", bystander))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert sim_a.role(MANAGEMENT).state.value == "creating"
    assert sim_b.role(MANAGEMENT).state.value == "absent"
    assert seen["b roles"] == []
    assert seen["b identity"] == MANAGEMENT
    assert seen["a after"] is False
    assert seen["bystander"][0] is False
    assert seen["bystander"][1].__name__ == "URLLib3Session"
    assert botocore.session.Session.create_client is ORIGINAL_CREATE_CLIENT
    assert not answered_by_simulation(boto3.client("iam", region_name="us-east-1"))


def test_many_threads_enter_and_leave_at_random(fast_switching):
    """Sixteen threads, each entering and leaving its own block many times, interleaved: every
    client answers from its own thread's simulation, and botocore ends unpatched."""
    sims = [Simulation.default(seed=n) for n in range(16)]
    wrong: list[int] = []
    barrier = threading.Barrier(len(sims))

    def work(n: int) -> None:
        session = botocore.session.Session()  # botocore sessions are not shared across threads
        barrier.wait()
        for _ in range(5):
            with simulated_boto3(sims[n], principal="readonly" if n % 2 else "admin"):
                client = session.create_client("sts")
                arn = client.get_caller_identity()["Arn"]
                if arn.rsplit("/", 1)[1] != ("readonly" if n % 2 else "admin"):
                    wrong.append(n)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(sims))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert wrong == []
    assert all(len(s.trace) == 5 for s in sims)  # each simulation answered its own thread only


def test_nested_blocks_route_to_the_innermost(no_network):
    """In one thread, the innermost block answers; leaving it, the outer one answers again."""
    outer, inner = Simulation.default(seed=1), Simulation.default(seed=2)
    with simulated_boto3(outer):
        with simulated_boto3(inner, principal="readonly"):
            assert boto3.client("sts").get_caller_identity()["Arn"].endswith("user/readonly")
            assert active_routes() == 2
        assert boto3.client("sts").get_caller_identity()["Arn"].endswith("user/admin")
    assert (len(outer.trace), len(inner.trace)) == (1, 1)


def test_an_error_inside_the_block_still_unpatches(sim):
    with pytest.raises(RuntimeError), simulated_boto3(sim):
        raise RuntimeError("code under test failed")
