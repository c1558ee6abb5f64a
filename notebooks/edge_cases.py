# %% [markdown]
# # 02 · Edge cases
#
# Each section asks one question about the role and answers it with a runnable cell.

# %%
from functools import partial

import attrs
from IPython.display import display
from nbhelpers import ROLE, SERVICE, outcome

from slr_fsm import TRANSITIONS, Lifecycle, RoleState, Simulation
from slr_fsm.explore import explore
from slr_fsm.marketplace_roles import AUTO_SCALING

sim = Simulation.default(seed=1)
management = sim.organization.management_account
member = sim.organization.member_accounts[0]

# %% [markdown]
# ## What happens if a member account tries to set up the integration?

# %%
before = sim.snapshot()
print(outcome(lambda: sim.marketplace(member).configure_billing_integration()))
print("world unchanged:", sim.snapshot() == before)

# %% [markdown]
# ## ... and if it calls IAM's `CreateServiceLinkedRole` itself?
#
# The management-account rule belongs to the console's billing integration, not to IAM: IAM's
# own API creates the role in the member account. No integration uses that role, so nothing
# ever blocks its deletion (the README's modelling decision 2).

# %%
member_iam = sim.iam(member)
print(outcome(lambda: member_iam.create_service_linked_role(AWSServiceName=SERVICE)))
sim.settle()
print(sim.role(member).state)
task = member_iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
sim.settle()
print(member_iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"])

# %% [markdown]
# ## Can anything but the description be edited? And does a refusal change anything?

# %%
sim.marketplace(management).configure_billing_integration()
sim.settle()
iam = sim.iam(management)
before = sim.snapshot()
attempts = {
    "UpdateAssumeRolePolicy": lambda: iam.update_assume_role_policy(
        RoleName=ROLE, PolicyDocument="{}"
    ),
    "PutRolePolicy": lambda: iam.put_role_policy(
        RoleName=ROLE, PolicyName="x", PolicyDocument="{}"
    ),
    "UpdateRole (MaxSessionDuration)": lambda: iam.update_role(
        RoleName=ROLE, MaxSessionDuration=7200
    ),
    "DeleteRole": lambda: iam.delete_role(RoleName=ROLE),
}
for name, call in attempts.items():
    print(f"{name:32} {outcome(call)}")
print("world unchanged:", sim.snapshot() == before)
described = outcome(lambda: iam.update_role_description(RoleName=ROLE, Description="ok"))
print(f"{'UpdateRoleDescription':32} {described}")

# %% [markdown]
# ## Can the role get a custom suffix, like some services' roles?
#
# `CreateServiceLinkedRole` takes a `CustomSuffix` only for services that allow one. AWS
# Marketplace does not; Auto Scaling does, and each suffix is a role of its own, with its own
# lifecycle, beside the plain one.

# %%
print(outcome(lambda: iam.create_service_linked_role(AWSServiceName=SERVICE, CustomSuffix="x")))
scaling = Simulation.default(seed=1, specs=[AUTO_SCALING])
scaling_iam = scaling.iam(scaling.accounts[0])
for suffix in ("team-a", "TEAM-A"):
    created = outcome(
        partial(
            scaling_iam.create_service_linked_role,
            AWSServiceName="autoscaling.amazonaws.com",
            CustomSuffix=suffix,
        )
    )
    print(f"suffix {suffix}: {created}")
print([role.name for role in scaling.roles(scaling.accounts[0])])

# %% [markdown]
# The second suffix differs only in case, and IAM matches role names regardless of case, so it
# is refused (`InvalidInput`).
#
# ## Can I delete the role while a purchase order is attached? What does AWS tell me?

# %%
for sub in sim.subscriptions_of(member):
    sim.marketplace(member).attach_purchase_order(sub.subscription_id, "PO-7")
task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
sim.settle()
status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
print(status["Status"], "-", status["Reason"]["Reason"])
for usage in status["Reason"]["RoleUsageList"]:
    print(" ", usage["Region"], usage["Resources"])
print(sim.role(management).state)

# %% [markdown]
# ## What if the service reports only some of the resources?
#
# AWS warns that a service may report all, some, or none of them: clean up what is reported,
# retry, and repeat.

# %%
sim.set_usage_reporting("some")
rounds = 0
while sim.role(management).state is not RoleState.DELETED:
    rounds += 1
    task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    sim.settle()
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    usages = status.get("Reason", {}).get("RoleUsageList", [])
    reported = [arn for usage in usages for arn in usage["Resources"]]
    print(f"round {rounds}: {status['Status']}, reported {len(reported)}")
    for arn in reported:
        if "billing-integration" in arn:
            sim.marketplace(management).remove_billing_integration()
        else:
            sim.marketplace(member).detach_purchase_order(arn.rsplit("/", 1)[-1], "PO-7")
print(sim.role(management).state)

# %% [markdown]
# ## What if AWS fails to create the role?

# %%
sim.set_usage_reporting("all")
sim.inject_creation_failure()
sim.marketplace(management).configure_billing_integration()
for event in sim.settle():
    print(event.operation, event.outcome, event.state_change)
print("integration on:", sim.integration_configured(management))

# %% [markdown]
# ## Does re-creation give the same role back?

# %%
gone = sim.role(management)
sim.marketplace(management).configure_billing_integration()
sim.settle()
back = sim.role(management)
print("same ARN:", back.arn == gone.arn)
print("RoleIds so far:", back.previous_role_ids, "now", back.role_id)

# %% [markdown]
# ## Can this *ever* happen? Ask the explorer
#
# Random tests sample; the explorer visits *every* state of a small world within a bound, and
# checks named invariants in each.

# %%
explore(depth=4)

# %% [markdown]
# Every invariant holds. To see what a broken rule looks like, plant a bug: a copy of the
# lifecycle table where deletion forgets to check the resources in use, in a world of one
# standalone account (an account in no organization may set the integration up for itself).

# %%
broken = Lifecycle(
    tuple(
        attrs.evolve(row, guards=())
        if row.trigger == "finish_deletion" and row.dest is RoleState.DELETED
        else row
        for row in TRANSITIONS
    )
)
solo = Simulation(seed=0, lifecycle=broken)
solo.add_account("123456789012", "solo")
found = explore(solo, depth=5, invariants=["never_deleted_while_in_use"])
trace = found.violations["never_deleted_while_in_use"]
display(trace)

# %% [markdown]
# The shortest counterexample, drawn: the integration still uses the role when the deletion
# task ends, and the broken table deletes it anyway.

# %%
trace.diagram()
