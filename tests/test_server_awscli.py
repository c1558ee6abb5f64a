"""``slr-fsm serve`` with the AWS CLI (the ``awscli`` package, driven in-process exactly as the
``aws`` command drives it): the seed's story, with AWS's exact answers; and a clean stop on
SIGTERM and SIGINT."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import MANAGEMENT, MEMBER, ROLE, SERVICE

awscli = pytest.importorskip("awscli.clidriver", reason="the AWS CLI (awscli) is in the test extra")

ARN = f"arn:aws:iam::{MANAGEMENT}:role/aws-service-role/{SERVICE}/{ROLE}"


class Served:
    """A ``slr-fsm serve`` process, and its endpoint."""

    def __init__(self, process: subprocess.Popen[str], first_line: dict[str, Any]) -> None:
        self.process = process
        self.url = first_line["endpoint_url"]


def start_serve(*options: str) -> Served:
    """``slr-fsm serve --port 0`` in a child process; its first line is the endpoint, as JSON."""
    process = subprocess.Popen(
        [sys.executable, "-m", "slr_fsm.cli", "serve", "--port", "0", "--quiet", *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise AssertionError(f"slr-fsm serve did not start: {process.stderr.read() if process.stderr else ''}")
    return Served(process, json.loads(line))


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    running = start_serve("--seed", "0")
    yield running
    if running.process.poll() is None:
        running.process.terminate()
        running.process.wait(10)


@pytest.fixture
def aws(served: Served, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """``aws(*args)`` as management's admin: (exit code, decoded JSON or text, stderr)."""
    from slr_fsm import Simulation
    from slr_fsm.server import access_keys

    admin = next(k for k in access_keys(Simulation.default(seed=0))
                 if k.account_id == MANAGEMENT and k.principal == "admin")
    for name, value in {
        "AWS_ACCESS_KEY_ID": admin.access_key_id,
        "AWS_SECRET_ACCESS_KEY": admin.secret_access_key,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PAGER": "",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    driver = awscli.create_clidriver()

    def run(*args: str) -> tuple[int, Any, str]:
        capsys.readouterr()
        code = driver.main(["--endpoint-url", served.url, "--region", "us-east-1",
                            "--output", "json", *args])
        out, err = capsys.readouterr()
        return code, json.loads(out) if out.strip() else out, err

    return run


def control(served: Served, method: str, route: str, body: Any = None) -> tuple[int, Any]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{served.url}/_slr_fsm{route}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


def test_the_aws_cli_reproduces_the_seed_story_with_aws_answers(served: Served, aws) -> None:
    """Create through the console control route, blocked deletion with RoleUsageList, clean-up,
    SUCCEEDED, re-creation: each AWS CLI answer in AWS's shape and words."""
    status, refused = control(served, "POST", "/console/configure-billing-integration",
                              {"account": "member-a"})
    assert status == 403
    assert refused["error"]["code"] == "AccessDenied"
    status, created = control(served, "POST", "/console/configure-billing-integration",
                              {"account": "management"})
    assert (status, created["Status"]) == (200, "PENDING")
    control(served, "POST", "/clock/advance", {"seconds": 10})

    code, identity, _ = aws("sts", "get-caller-identity")
    assert code == 0
    assert identity["Arn"] == f"arn:aws:iam::{MANAGEMENT}:user/admin"
    code, org, _ = aws("organizations", "describe-organization")
    assert code == 0
    assert org["Organization"]["MasterAccountId"] == MANAGEMENT

    code, got, _ = aws("iam", "get-role", "--role-name", ROLE)
    role = got["Role"]
    assert code == 0
    assert role["Arn"] == ARN
    assert role["Path"] == f"/aws-service-role/{SERVICE}/"
    assert role["AssumeRolePolicyDocument"] == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}]}
    assert role["CreateDate"] == "2026-01-01T00:00:00Z"  # as AWS writes it; the CLI prints it raw
    assert role["MaxSessionDuration"] == 3600
    first_id = role["RoleId"]
    code, listed, _ = aws("iam", "list-roles", "--path-prefix", "/aws-service-role/")
    assert [r["RoleName"] for r in listed["Roles"]] == [ROLE]
    code, updated, _ = aws("iam", "update-role-description", "--role-name", ROLE,
                           "--description", "Purchase orders for the organization")
    assert updated["Role"]["Description"] == "Purchase orders for the organization"
    code, _, err = aws("iam", "delete-role", "--role-name", ROLE)
    assert code != 0
    assert err.strip() == (
        "An error occurred (UnmodifiableEntity) when calling the DeleteRole operation: Cannot "
        f"perform the operation on the protected role '{ROLE}' - this role is only modifiable by AWS")

    subscriptions = json.loads(_get(served, f"/_slr_fsm/console/subscriptions?account={MEMBER}"))
    subscription = subscriptions[0]["SubscriptionId"]
    assert control(served, "POST", "/console/attach-purchase-order", {
        "account": MEMBER, "subscription_id": subscription, "po_number": "PO-42"})[0] == 200
    code, deleting, _ = aws("iam", "delete-service-linked-role", "--role-name", ROLE)
    task = deleting["DeletionTaskId"]
    assert re.fullmatch(rf"task/aws-service-role/{re.escape(SERVICE)}/{ROLE}/[0-9a-f-]{{36}}", task)
    code, pending, _ = aws("iam", "get-service-linked-role-deletion-status", "--deletion-task-id", task)
    assert pending == {"Status": "NOT_STARTED"}
    control(served, "POST", "/clock/settle")
    code, failed, _ = aws("iam", "get-service-linked-role-deletion-status", "--deletion-task-id", task)
    assert failed["Status"] == "FAILED"
    usage = failed["Reason"]["RoleUsageList"]
    assert [u["Region"] for u in usage] == ["us-east-1"]
    assert usage[0]["Resources"] == [  # the integration itself, and the PO's subscription
        f"arn:aws:aws-marketplace:us-east-1:{MANAGEMENT}:billing-integration/purchase-orders",
        f"arn:aws:aws-marketplace:us-east-1:{MEMBER}:AWSMarketplace/Agreement/{subscription}"]

    control(served, "POST", "/console/detach-purchase-order", {
        "account": MEMBER, "subscription_id": subscription, "po_number": "PO-42"})
    control(served, "POST", "/console/remove-billing-integration", {"account": "management"})
    code, deleting, _ = aws("iam", "delete-service-linked-role", "--role-name", ROLE)
    control(served, "POST", "/clock/settle")
    code, done, _ = aws("iam", "get-service-linked-role-deletion-status",
                        "--deletion-task-id", deleting["DeletionTaskId"])
    assert done == {"Status": "SUCCEEDED"}
    code, _, err = aws("iam", "get-role", "--role-name", ROLE)
    assert code != 0
    assert err.strip() == (
        "An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name "
        f"{ROLE} cannot be found.")

    control(served, "POST", "/console/configure-billing-integration", {"account": "management"})
    control(served, "POST", "/clock/settle")
    code, again, _ = aws("iam", "get-role", "--role-name", ROLE)
    assert again["Role"]["Arn"] == ARN
    assert again["Role"]["RoleId"] != first_id
    code, _, err = aws("iam", "create-service-linked-role", "--aws-service-name", SERVICE)
    assert err.strip() == (
        "An error occurred (InvalidInput) when calling the CreateServiceLinkedRole operation: "
        f"Service role name {ROLE} has been taken in this account, please try a different suffix.")


def _get(served: Served, path: str) -> str:
    import urllib.request

    with urllib.request.urlopen(served.url + path, timeout=10) as answer:
        return str(answer.read().decode())


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_cleanly_on_a_signal(served: Served, signal_number: int) -> None:
    """SIGTERM and SIGINT stop ``slr-fsm serve``: exit code 0, a last word, no traceback, and
    the port is closed."""
    running = served if signal_number == signal.SIGTERM else start_serve()
    assert json.loads(_get(running, "/_slr_fsm/health"))["status"] == "ok"
    running.process.send_signal(signal_number)
    out, err = running.process.communicate(timeout=10)
    assert running.process.returncode == 0, err
    assert out.rstrip().endswith("slr-fsm serve: stopped.")
    assert "Traceback" not in err
    with pytest.raises(OSError, match="refused"):
        _get(running, "/_slr_fsm/health")
