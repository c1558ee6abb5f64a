# %% [markdown]
# # 01 · The life of a service-linked role
#
# AWS Marketplace's **`AWSServiceRoleForMarketplacePurchaseOrders`** is a *service-linked role*:
# an IAM role that AWS defines and that only AWS Marketplace may use, to attach purchase-order
# numbers to your subscriptions in AWS Billing. Nobody creates it by hand: it appears when an
# organization's management account sets up the *AWS Billing integration*. It cannot be edited
# (except its description), and it cannot be deleted while purchase orders still depend on it.
#
# This notebook follows the role through its whole life in a simulated world, with no AWS
# account.

# %%
from IPython.display import display
from nbhelpers import ROLE, outcome

from slr_fsm import Simulation
from slr_fsm.diagram import lifecycle_diagram, trace_diagram

sim = Simulation.default(seed=0)
management = sim.organization.management_account
member = sim.organization.member_accounts[0]
display(sim)

# %% [markdown]
# The default world: an organization (a management account and two members), one standalone
# account, and Marketplace subscriptions in two Regions. No role exists yet.
#
# ## The lifecycle
#
# Five states, and the events (*triggers*) that move the role between them. The names in
# brackets are the *guards*: conditions that must hold for the move to happen; `(clock)` marks
# what AWS does by itself as time passes. The diagram is drawn from the library's transition
# table itself, so it cannot drift from what the simulation does.

# %%
lifecycle_diagram()

# %% [markdown]
# ## 1. A member account tries to set it up
#
# Inside an organization, only the management account may configure the billing integration.

# %%
print(outcome(lambda: sim.marketplace(member).configure_billing_integration()))
print(sim.role(management).state)

# %% [markdown]
# ## 2. The management account sets it up: AWS Marketplace creates the role

# %%
print(sim.marketplace(management).configure_billing_integration())
print(sim.role(management).state)

# %% [markdown]
# The role is **creating**: it exists, but AWS Marketplace cannot use it yet. Time in the
# simulation only moves when we say so.

# %%
sim.advance(10)
sim.role(management)

# %% [markdown]
# ## 3. Only the description may change
#
# Editing the description works. Every other change (the trust policy, extra policies, plain
# `DeleteRole`) is refused with `UnmodifiableEntity`.

# %%
iam = sim.iam(management)
edited = iam.update_role_description(RoleName=ROLE, Description="Purchase orders for everyone")
print(edited["Role"]["Description"])
admin_access = "arn:aws:iam::aws:policy/AdministratorAccess"
print(outcome(lambda: iam.attach_role_policy(RoleName=ROLE, PolicyArn=admin_access)))
print(outcome(lambda: iam.delete_role(RoleName=ROLE)))

# %% [markdown]
# ## 4. Deleting it while purchase orders are attached
#
# A member attaches a purchase order to one of its subscriptions; then the management account
# asks IAM to delete the role. Deletion is a *task* that runs in the background: the call only
# submits it.

# %%
subscription = sim.subscriptions_of(member)[0].subscription_id
sim.marketplace(member).attach_purchase_order(subscription, "PO-2026-0042")
task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
print(iam.get_service_linked_role_deletion_status(DeletionTaskId=task))
sim.settle()
status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
print(status["Status"])
for usage in status["Reason"]["RoleUsageList"]:
    print(usage["Region"], usage["Resources"])
print(sim.role(management).state)

# %% [markdown]
# The task **FAILED**, naming the resources still in use per Region (its `RoleUsageList`), and
# the role is kept (**deleting_blocked**), still working.
#
# ## 5. Clean up, then delete

# %%
sim.marketplace(member).detach_purchase_order(subscription, "PO-2026-0042")
sim.marketplace(management).remove_billing_integration()
task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
sim.settle()
print(iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"])
first = sim.role(management)
print(first.state)

# %% [markdown]
# ## 6. Re-created by the same route: same name and ARN, a new RoleId

# %%
sim.marketplace(management).configure_billing_integration()
sim.settle()
again = sim.role(management)
print("same ARN:", again.arn == first.arn)
print("new RoleId:", first.role_id, "->", again.role_id)

# %% [markdown]
# ## The road the role took
#
# The same diagram, with the role's current state filled in and every transition it took
# drawn thick and numbered in order (`path=` reads the event log).

# %%
lifecycle_diagram(current=sim.role(management), path=sim.trace)

# %% [markdown]
# ## The event log
#
# Every attempt (refused ones included) and every step the clock ran, with the role's state
# before and after: as a table, then as a sequence diagram of who asked what.

# %%
display(sim.trace)
trace_diagram(sim.trace)

# %% [markdown]
# Any diagram can be saved for slides or a wiki: `lifecycle_diagram().save("lifecycle.svg")`
# (also `.png`, `.mmd` for Mermaid, `.dot` for Graphviz).
