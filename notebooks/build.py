"""Write the notebooks from the cells below and run them, so they are committed with outputs.

    python notebooks/build.py          # rewrite and execute every notebook (needs the notebooks extra)

The cells are kept here, as plain text, so that a change to a notebook is a readable diff;
``tests/test_notebooks.py`` re-runs the committed notebooks in a fresh kernel and checks that
they raise nothing and print exactly what is committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
HIDDEN = {"jupyter": {"source_hidden": True, "outputs_hidden": True}}


def md(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text.strip())


def code(text: str, *, hidden: bool = False) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(text.strip())
    if hidden:
        cell.metadata.update(HIDDEN)
    return cell


TOUR = [
    md("""
# 01 · The life of a service-linked role

AWS Marketplace's **`AWSServiceRoleForMarketplacePurchaseOrders`** is a *service-linked role*: an
IAM role that AWS defines and that only AWS Marketplace may use, to attach purchase-order numbers
to your subscriptions in AWS Billing. Nobody creates it by hand: it appears when an organization's
management account sets up the *AWS Billing integration*. It cannot be edited (except its
description), and it cannot be deleted while purchase orders still depend on it.

This notebook follows the role through its whole life in a simulated world, with no AWS account.
"""),
    code("""
from slr_fsm import AwsError, Simulation
from slr_fsm.diagram import lifecycle_diagram

sim = Simulation.default(seed=0)
management = sim.organization.management_account
member = sim.organization.member_accounts[0]
ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"
sim
"""),
    md("""
The default world: an organization (a management account and two members), one standalone
account, and Marketplace subscriptions in two Regions. No role exists yet.

## The lifecycle

Five states, and the events (triggers) that move the role between them. The names in brackets
are the *guards*: conditions that must hold for the move to happen. This diagram is drawn from
the library's transition table itself.
"""),
    code("lifecycle_diagram()"),
    md("""
## 1. A member account tries to set it up

Inside an organization, only the management account may configure the billing integration.
"""),
    code("""
try:
    sim.marketplace(member).configure_billing_integration()
except AwsError as refused:
    print(refused.code, "-", refused.message)
sim.role(management).state
"""),
    md("## 2. The management account sets it up: AWS Marketplace creates the role"),
    code("""
print(sim.marketplace(management).configure_billing_integration())
sim.role(management).state
"""),
    md("""
The role is **creating**: it exists, but AWS Marketplace cannot use it yet. Time in the
simulation only moves when we say so.
"""),
    code("""
sim.advance(10)
sim.role(management)
"""),
    md("""
## 3. Only the description may change

Editing the description works. Every other change (the trust policy, extra policies, plain
`DeleteRole`) is refused with `UnmodifiableEntity`.
"""),
    code("""
iam = sim.iam(management)
print(iam.update_role_description(RoleName=ROLE, Description="Purchase orders for everyone")["Role"]["Description"])
for attempt in (lambda: iam.attach_role_policy(RoleName=ROLE, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"),
                lambda: iam.delete_role(RoleName=ROLE)):
    try:
        attempt()
    except AwsError as refused:
        print(refused.code)
"""),
    md("""
## 4. Deleting it while purchase orders are attached

A member attaches a purchase order to one of its subscriptions; then the management account asks
IAM to delete the role. Deletion is a *task* that runs in the background.
"""),
    code("""
subscription = sim.subscriptions_of(member)[0].subscription_id
sim.marketplace(member).attach_purchase_order(subscription, "PO-2026-0042")
task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
print(iam.get_service_linked_role_deletion_status(DeletionTaskId=task))
sim.settle()
status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
print(status["Status"])
for usage in status["Reason"]["RoleUsageList"]:
    print(usage["Region"], usage["Resources"])
sim.role(management).state
"""),
    md("""
The task **FAILED**, naming the resources still in use per Region, and the role is kept
(**deleting_blocked**), still working.

## 5. Clean up, then delete
"""),
    code("""
sim.marketplace(member).detach_purchase_order(subscription, "PO-2026-0042")
sim.marketplace(management).remove_billing_integration()
task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
sim.settle()
print(iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"])
first = sim.role(management)
first.state
"""),
    md("## 6. Re-created by the same route: same name and ARN, a new RoleId"),
    code("""
sim.marketplace(management).configure_billing_integration()
sim.settle()
again = sim.role(management)
print("same ARN:", again.arn == first.arn)
print("new RoleId:", first.role_id, "->", again.role_id)
"""),
    md("""
## The event log

Every attempt (refused ones included) and every step the clock ran, with the role's state before
and after.
"""),
    code("sim.trace"),
]

EDGE_CASES = [
    md("""
# 02 · Edge cases

Each section asks one question about the role and answers it with a runnable cell.
"""),
    code("""
from slr_fsm import AwsError, Simulation
from slr_fsm.explore import explore, small_world
sim = Simulation.default(seed=1)
management = sim.organization.management_account
member = sim.organization.member_accounts[0]
ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"

def outcome(call):
    try:
        call()
        return "ok"
    except AwsError as refused:
        return refused.code
"""),
    md("## What happens if a member account tries to set up the integration?"),
    code("""
before = sim.snapshot()
print(outcome(lambda: sim.marketplace(member).configure_billing_integration()))
print("world unchanged:", sim.snapshot() == before)
"""),
    md("## Can anything but the description be edited? And does a refusal change anything?"),
    code("""
sim.marketplace(management).configure_billing_integration(); sim.settle()
iam = sim.iam(management)
before = sim.snapshot()
for name, call in {
    "UpdateAssumeRolePolicy": lambda: iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument="{}"),
    "PutRolePolicy": lambda: iam.put_role_policy(RoleName=ROLE, PolicyName="x", PolicyDocument="{}"),
    "UpdateRole (MaxSessionDuration)": lambda: iam.update_role(RoleName=ROLE, MaxSessionDuration=7200),
    "DeleteRole": lambda: iam.delete_role(RoleName=ROLE),
}.items():
    print(f"{name:32} {outcome(call)}")
print("world unchanged:", sim.snapshot() == before)
print(f"{'UpdateRoleDescription':32} {outcome(lambda: iam.update_role_description(RoleName=ROLE, Description='ok'))}")
"""),
    md("## Can I delete the role while a purchase order is attached? What does AWS tell me?"),
    code("""
subs = sim.subscriptions_of(member)
for sub in subs:
    sim.marketplace(member).attach_purchase_order(sub.subscription_id, "PO-7")
task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
sim.settle()
status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
print(status["Status"], "-", status["Reason"]["Reason"])
for usage in status["Reason"]["RoleUsageList"]:
    print(" ", usage["Region"], usage["Resources"])
sim.role(management).state
"""),
    md("""
## What if the service reports only some of the resources?

AWS warns that a service may report all, some, or none of them: clean up what is reported,
retry, and repeat.
"""),
    code("""
sim.set_usage_reporting("some")
rounds = 0
while sim.role(management).state.value != "deleted":
    rounds += 1
    task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    sim.settle()
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    reported = [r for u in status.get("Reason", {}).get("RoleUsageList", []) for r in u["Resources"]]
    print(f"round {rounds}: {status['Status']}, reported {len(reported)}")
    for arn in reported:
        if "billing-integration" in arn:
            sim.marketplace(management).remove_billing_integration()
        else:
            sub_id = arn.rsplit("/", 1)[-1]
            sim.marketplace(member).detach_purchase_order(sub_id, "PO-7")
sim.role(management).state
"""),
    md("## What if AWS fails to create the role?"),
    code("""
sim.set_usage_reporting("all")
sim.inject_creation_failure()
sim.marketplace(management).configure_billing_integration()
for event in sim.settle():
    print(event.operation, event.outcome, event.state_change)
print("integration on:", sim.integration_configured(management))
"""),
    md("## Does re-creation give the same role back?"),
    code("""
gone = sim.role(management)
sim.marketplace(management).configure_billing_integration(); sim.settle()
back = sim.role(management)
print("same ARN:", back.arn == gone.arn)
print("RoleIds so far:", back.previous_role_ids, "now", back.role_id)
"""),
    md("""
## Can this *ever* happen? Ask the explorer

Random tests sample; the explorer visits *every* state of a small world within a bound, and
checks named invariants in each.
"""),
    code("""
result = explore(depth=5)
result
"""),
    md("""
Every invariant holds. To see what a broken rule looks like, plant a bug: a copy of the
lifecycle table where deletion forgets to check resources in use.
"""),
    code("""
import attrs
from slr_fsm import TRANSITIONS, Lifecycle, RoleState

broken = Lifecycle(tuple(
    attrs.evolve(row, guards=()) if row.trigger == "finish_deletion" and row.dest is RoleState.DELETED else row
    for row in TRANSITIONS))
found = explore(small_world(lifecycle=broken), depth=5, invariants=["never_deleted_while_in_use"])
trace = found.violations["never_deleted_while_in_use"]
trace
"""),
    md("The shortest counterexample, drawn:"),
    code("trace.diagram()"),
]

TESTING = [
    md("""
# 03 · Testing your own code

Your code talks to AWS through boto3. slr_fsm gives it real boto3 clients that the simulation
answers, so the code under test meets the real behaviour of this role.
"""),
    code("""
import boto3
from slr_fsm import Simulation
from slr_fsm.boto import simulated_boto3

ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"
SERVICE = "purchase-orders.marketplace.amazonaws.com"

def ensure_role(iam):
    \"\"\"Code under test: make sure the role exists; return its ARN.\"\"\"
    try:
        return iam.get_role(RoleName=ROLE)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        return iam.create_service_linked_role(AWSServiceName=SERVICE)["Role"]["Arn"]

sim = Simulation.default(seed=0)
with simulated_boto3(sim):
    print(ensure_role(boto3.client("iam")))
    print(ensure_role(boto3.client("iam")))  # found the second time
sim.trace
"""),
    md("""
## A bug that only shows up in the right sequence

This cache looks the role up once and then trusts its answer. It looks fine... until the role
is deleted behind its back.
"""),
    code("""
class RoleIdCache:
    \"\"\"Code under test: remembers the role's RoleId after the first successful lookup.\"\"\"

    def __init__(self, iam):
        self.iam, self.role_id = iam, None

    def lookup(self):
        if self.role_id is None:
            try:
                self.role_id = self.iam.get_role(RoleName=ROLE)["Role"]["RoleId"]
            except self.iam.exceptions.NoSuchEntityException:
                pass
        return self.role_id
"""),
    md("""
`RoleLifecycleMachine` drives the whole simulation at random (every operation, the clock,
faults) and checks the lifecycle's invariants. Subclass it, add your code as a rule, and say
what must stay true. This world has a single account, so every step touches our role; one boto3
client is made once and attached to each run's simulation (making clients is the slow part).
"""),
    code("""
# The text below depends on hypothesis's version (its search and shrinking change); the
# notebook test checks that this cell runs, not what it prints.
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant, rule, run_state_machine_as_test
from slr_fsm.boto import attach
from slr_fsm.testing import RoleLifecycleMachine

CLIENT = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")

class CacheStaysRight(RoleLifecycleMachine):
    binding = None

    def make_simulation(self):
        sim = Simulation(seed=0)
        sim.add_account("123456789012", "mine")
        return sim

    def __init__(self):
        super().__init__()
        if CacheStaysRight.binding is not None:
            CacheStaysRight.binding.detach()
        CacheStaysRight.binding = attach(CLIENT, self.sim, "123456789012")
        self.cache = RoleIdCache(CLIENT)

    @rule()
    def look_up(self):
        self.cache.lookup()

    @invariant()
    def cached_role_id_is_current(self):
        if self.cache.role_id is not None:
            assert self.sim.role("123456789012").exists, "the cache holds the RoleId of a deleted role"

CHECKS = {"library_invariants_hold", "cached_role_id_is_current"}
try:
    run_state_machine_as_test(CacheStaysRight, settings=settings(
        max_examples=1000, stateful_step_count=12, derandomize=True, database=None, deadline=None,
        suppress_health_check=list(HealthCheck)))
    print("no sequence broke the cache")
except AssertionError as failure:
    print(str(failure).splitlines()[0], end="\\n\\n")
    for note in getattr(failure, "__notes__", []):
        for line in note.splitlines():
            if line.strip().removeprefix("state.").removesuffix("()") not in CHECKS:
                print(line)
"""),
    md("""
Hypothesis found a sequence that breaks the cache and shrank it to the shortest it could. It
is not even the deletion story we had in mind: plan a creation failure, create the role, look it
up while it is still `creating` (IAM already shows it), then let the clock run. The creation
fails, so the role never came to be, and the cache holds the RoleId of a role that does not
exist. The fix: cache nothing that deletion or a failed creation invalidates, or check again
before trusting it. (Caching the **ARN** is safer: it survives re-creation, see the README's
`RoleArnCache`; but it too can name a role that is gone.) """),
]

TEACHING = [
    md("""
# 04 · Lesson: how a service-linked role lives and dies

**Goal:** after this lesson you can predict what AWS answers at every step of the role's life.
Each exercise asks you to *predict first*, then run the cell. Answers are in the collapsed cells
(click to expand) and in the answers section at the end.
"""),
    code("""
from slr_fsm import TRANSITIONS, AwsError, Simulation
from slr_fsm.diagram import lifecycle_diagram
from slr_fsm.lifecycle import RoleState

sim = Simulation.default(seed=0)
management = sim.organization.management_account
member = sim.organization.member_accounts[0]
ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"

def attempt(call):
    try:
        call()
        return "ok"
    except AwsError as refused:
        return refused.code

lifecycle_diagram()
"""),
    md("""
### Key ideas
1. A **service-linked role** is defined by AWS and trusted only by one service; you never write its
   policies.
2. It is **created by setting up a feature** (here: the AWS Billing integration), only from the
   organization's **management account**.
3. Only its **description** can be edited.
4. **Deletion is a task** that fails while resources still use the role.

### Exercise 1
The member account `444455556666` sets up the billing integration. What happens?
"""),
    code("attempt(lambda: sim.marketplace(member).configure_billing_integration())"),
    code("""
# Answer: AccessDenied. Inside an organization only the management account may set up the
# integration; it then covers every member account.
""", hidden=True),
    md("""
### Exercise 2
The management account sets it up. Straight away, is the role `active`?
"""),
    code("""
sim.marketplace(management).configure_billing_integration()
sim.role(management).state
"""),
    code("""
# Answer: no, it is `creating`: AWS needs a moment before the service can use it.
# After sim.advance(10) it is `active`.
""", hidden=True),
    md("""
### Exercise 3
Once active, an administrator runs `delete_role` (not `delete_service_linked_role`). Outcome?
"""),
    code("""
sim.advance(10)
attempt(lambda: sim.iam(management).delete_role(RoleName=ROLE))
"""),
    code("""
# Answer: UnmodifiableEntity. A service-linked role is protected; it is deleted only through
# DeleteServiceLinkedRole, and only after its resources are cleaned up.
""", hidden=True),
    md("""
### Exercise 4
A member attaches a purchase order; then the deletion is requested and the clock runs. What is
the task's status, and the role's state?
"""),
    code("""
sub = sim.subscriptions_of(member)[0].subscription_id
sim.marketplace(member).attach_purchase_order(sub, "PO-1")
task = sim.iam(management).delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
sim.settle()
sim.iam(management).get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"], sim.role(management).state
"""),
    code("""
# Answer: FAILED, and the role is deleting_blocked (kept, still working) until the purchase
# order is detached and the integration removed.
""", hidden=True),
    md("""
## Quiz: which triggers can fire from each state?

These questions are generated from the library's transition table, so they can never disagree
with it. Think of your answer, then look below.
"""),
    code("""
for state in RoleState:
    print(f"From '{state.value}', which triggers can move the role?")
"""),
    md("## Answers"),
    code("""
for state in RoleState:
    moves = sorted({f"{row.trigger} -> {(row.dest or state).value} ({row.cause.value})"
                    for row in TRANSITIONS if state in row.sources})
    print(f"{state.value}:")
    for move in moves:
        print("   ", move)
""", hidden=True),
    code("""
print("1. AccessDenied: only the management account sets up the integration.")
print("2. creating, then active once the clock runs.")
print("3. UnmodifiableEntity: use DeleteServiceLinkedRole.")
print("4. FAILED and deleting_blocked, until the clean-up.")
""", hidden=True),
]

NOTEBOOKS = {
    "01-lifecycle-tour.ipynb": TOUR,
    "02-edge-cases.ipynb": EDGE_CASES,
    "03-testing-your-code.ipynb": TESTING,
    "04-teaching.ipynb": TEACHING,
}


def build(name: str, cells: list[nbformat.NotebookNode]) -> None:
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    for cell in notebook.cells:
        cell.pop("id", None)
        if cell.cell_type == "code":
            cell.metadata.pop("execution", None)
            cell.outputs = [o for o in cell.outputs  # the platform's font warnings are noise
                            if not (o.output_type == "stream" and "Fontconfig" in o.text)]
    notebook.nbformat_minor = 4
    nbformat.write(notebook, HERE / name)
    print(f"wrote {name}")


def main() -> int:
    for name, cells in NOTEBOOKS.items():
        if len(sys.argv) > 1 and name not in sys.argv[1:]:
            continue
        build(name, cells)
    return 0


if __name__ == "__main__":
    sys.exit(main())
