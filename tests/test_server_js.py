"""The AWS SDK for JavaScript v3 (``@aws-sdk/client-iam`` and ``@aws-sdk/client-sts``, installed
by ``.ci/npm-install``) against the server: create, get, list, update the description of, delete
the role, poll the deletion status with real sleeps (wall clock mode), and the SDK's own
exception classes for AWS's refusals. Skipped, saying why, only without Node.js or the packages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from slr_fsm import Simulation
from slr_fsm.server import ClockMode, SimulationServer
from tests.conftest import MANAGEMENT, ROLE, SERVICE
from tests.server_helpers import key_of

MODULES = Path(__file__).resolve().parent.parent / ".ci" / "js" / "node_modules"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="Node.js is not installed (node not on PATH)"),
    pytest.mark.skipif(
        not (MODULES / "@aws-sdk" / "client-iam").is_dir()
        or not (MODULES / "@aws-sdk" / "client-sts").is_dir(),
        reason=f"the AWS SDK for JavaScript v3 is not installed in {MODULES}: run .ci/npm-install",
    ),
]

SCRIPT = r"""
const { IAMClient, CreateServiceLinkedRoleCommand, GetRoleCommand, ListRolesCommand,
        UpdateRoleDescriptionCommand, DeleteRoleCommand, DeleteServiceLinkedRoleCommand,
        GetServiceLinkedRoleDeletionStatusCommand } = require("@aws-sdk/client-iam");
const { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } = require("@aws-sdk/client-sts");

const [endpoint, keyId, secret, serviceKeyId, serviceSecret] = process.argv.slice(2);
const config = (id, key) => ({ endpoint, region: "us-east-1",
                               credentials: { accessKeyId: id, secretAccessKey: key } });
const iam = new IAMClient(config(keyId, secret));
const out = (step, value) => console.log(JSON.stringify({ step, value }));
const refusal = (e) => ({ name: e.name, status: e.$metadata.httpStatusCode, message: e.message });
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const ROLE = "AWSServiceRoleForMarketplacePurchaseOrders";

(async () => {
  out("identity", await new STSClient(config(keyId, secret)).send(new GetCallerIdentityCommand({})));
  try { await iam.send(new GetRoleCommand({ RoleName: ROLE })); }
  catch (e) { out("get absent", refusal(e)); }
  const created = await iam.send(new CreateServiceLinkedRoleCommand({
    AWSServiceName: "purchase-orders.marketplace.amazonaws.com", Description: "from JS" }));
  out("create", created.Role);
  await sleep(50);
  const got = await iam.send(new GetRoleCommand({ RoleName: ROLE }));
  out("get", { ...got.Role, CreateDate: got.Role.CreateDate.toISOString(),
               Trust: JSON.parse(decodeURIComponent(got.Role.AssumeRolePolicyDocument)) });
  out("list", (await iam.send(new ListRolesCommand({ PathPrefix: "/aws-service-role/" })))
                .Roles.map((r) => r.RoleName));
  out("update", (await iam.send(new UpdateRoleDescriptionCommand({
    RoleName: ROLE, Description: "edited <from> JS & more" }))).Role.Description);
  try { await iam.send(new DeleteRoleCommand({ RoleName: ROLE })); }
  catch (e) { out("delete-role", refusal(e)); }
  const assumed = await new STSClient(config(serviceKeyId, serviceSecret)).send(
    new AssumeRoleCommand({ RoleArn: got.Role.Arn, RoleSessionName: "po" }));
  out("assume", assumed.AssumedRoleUser);
  const task = (await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: ROLE }))).DeletionTaskId;
  out("delete", task);
  const statuses = [];
  for (let i = 0; i < 200; i++) {
    const status = (await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({
      DeletionTaskId: task }))).Status;
    if (statuses[statuses.length - 1] !== status) statuses.push(status);
    if (status === "SUCCEEDED" || status === "FAILED") break;
    await sleep(10);
  }
  out("statuses", statuses);
})().catch((e) => { console.error(e); process.exit(1); });
"""


@pytest.fixture(scope="module")
def server() -> Iterator[SimulationServer]:
    """A server whose clock follows wall time, 200 virtual seconds a second."""
    with SimulationServer(Simulation.default(seed=0), clock=ClockMode.wall(200)) as running:
        yield running


def test_the_javascript_sdk_manages_the_role_against_the_server(
        server: SimulationServer, tmp_path: Path) -> None:
    """The JavaScript SDK's own protocol code and exception classes, end to end."""
    script = tmp_path / "story.cjs"
    script.write_text(SCRIPT)
    admin, service = key_of(server, "management"), key_of(server, "management", SERVICE)
    done = subprocess.run(
        [str(NODE), str(script), server.url, admin.access_key_id, admin.secret_access_key,
         service.access_key_id, service.secret_access_key],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "NODE_PATH": str(MODULES), "AWS_SDK_LOAD_CONFIG": "0"},
    )
    assert done.returncode == 0, done.stderr
    steps = {}
    for line in done.stdout.splitlines():
        record = json.loads(line)
        steps[record["step"]] = record["value"]
    assert steps["identity"]["Arn"] == f"arn:aws:iam::{MANAGEMENT}:user/admin"
    assert steps["get absent"] == {
        "name": "NoSuchEntityException", "status": 404,
        "message": f"The role with name {ROLE} cannot be found."}
    assert steps["create"]["RoleName"] == ROLE
    assert steps["get"]["Arn"] == server.sim.role(MANAGEMENT).arn
    assert steps["get"]["Trust"]["Statement"][0]["Principal"] == {"Service": SERVICE}
    assert steps["get"]["Description"] == "from JS"
    assert steps["list"] == [ROLE]
    assert steps["update"] == "edited <from> JS & more"
    assert steps["delete-role"]["name"] == "UnmodifiableEntityException"
    assert steps["delete-role"]["status"] == 400
    assert steps["assume"]["Arn"] == f"arn:aws:sts::{MANAGEMENT}:assumed-role/{ROLE}/po"
    assert steps["delete"].startswith(f"task/aws-service-role/{SERVICE}/{ROLE}/")
    assert steps["statuses"][-1] == "SUCCEEDED"
    assert server.sim.role(MANAGEMENT).state.value == "deleted"
