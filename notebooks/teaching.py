# %% [markdown]
# # 04 · Lesson: how a service-linked role lives and dies
#
# **After this lesson you can predict what AWS answers at every step of the role's life**:
# who may create it, what may be changed, how deletion works and what re-creation gives back.
#
# Each exercise asks you to **predict first**: write your prediction in the cell below the
# question, then run the check cell under it. The check runs that step in a simulated AWS
# (no account needed), tells you what AWS answered, whether you were right, and why. Nothing
# gives the answer away before you have predicted. The quiz at the end is graded the same way.
#
# Run the cells in order (Shift+Enter). Each exercise starts from a fresh simulated world, so
# you may run a check again with a new prediction.

# %%
from lesson import check, grade_quiz, show_quiz

from slr_fsm.diagram import lifecycle_diagram

lifecycle_diagram()

# %% [markdown]
# ### Key ideas
# 1. A **service-linked role** is defined by AWS and trusted by one service only (here
#    `purchase-orders.marketplace.amazonaws.com`); you never write its policies.
# 2. It is **created by setting up a feature** (here: the AWS Billing integration, on the AWS
#    Marketplace console).
# 3. It is **protected**: you cannot change what it may do.
# 4. **Deletion is a task** that AWS runs in the background.
#
# In the diagram, `(clock)` marks what AWS does by itself as time passes; the names in brackets
# are the conditions (*guards*) a transition needs.
#
# The world: an organization with a **management account** `111122223333` and member accounts
# (`444455556666` is `member-a`), each with subscriptions to an AWS Marketplace product in
# `us-east-1` and `eu-west-1`.
#
# ## Who creates the role
#
# ### Exercise 1
# The member account `444455556666` opens the AWS Marketplace console and sets up the billing
# integration: `sim.marketplace(member).configure_billing_integration()`. Does AWS answer `"ok"`,
# or refuse with an error code (which one)?

# %%
prediction_1 = None  # for example "ok", or an error code such as "NoSuchEntity"

# %% tags=["solution"]
prediction_1 = "AccessDenied"

# %%
check(1, prediction_1)

# %% [markdown]
# ### Exercise 2
# The same member account calls IAM directly instead:
# `iam.create_service_linked_role(AWSServiceName="purchase-orders.marketplace.amazonaws.com")`.
# `"ok"`, or which error code?

# %%
prediction_2 = None

# %% tags=["solution"]
prediction_2 = "ok"

# %%
check(2, prediction_2)

# %% [markdown]
# ### Exercise 3
# Now the management account sets up the integration. Straight after the call, which state is
# the role in: `absent`, `creating`, `active`, `deleting_blocked` or `deleted`?

# %%
prediction_3 = None

# %% tags=["solution"]
prediction_3 = "creating"

# %%
check(3, prediction_3)

# %% [markdown]
# ## What can be changed
#
# ### Exercise 4
# The role is active. The account's administrator (allowed everything) tries five calls on it.
# Which of them succeed? Answer with the set of letters, for example `{"a", "c"}`.
#
# - a) `update_role_description(Description="Purchase orders for everyone")`
# - b) `attach_role_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")`
# - c) `update_assume_role_policy(PolicyDocument=...)` (change who may assume it)
# - d) `delete_role()`
# - e) `update_role(MaxSessionDuration=7200)`

# %%
prediction_4 = None

# %% tags=["solution"]
prediction_4 = {"a"}

# %%
check(4, prediction_4)

# %% [markdown]
# ## How deletion works
#
# ### Exercise 5
# A member attaches a purchase order to its `us-east-1` subscription. Then the management
# account calls `delete_service_linked_role(RoleName=...)`. What does that call answer at once:
# `"ok"`, or which error code?

# %%
prediction_5 = None

# %% tags=["solution"]
prediction_5 = "ok"

# %%
check(5, prediction_5)

# %% [markdown]
# ### Exercise 6
# Time passes and the deletion task runs. What `Status` does
# `get_service_linked_role_deletion_status` report in the end: `SUCCEEDED` or `FAILED`?

# %%
prediction_6 = None

# %% tags=["solution"]
prediction_6 = "FAILED"

# %%
check(6, prediction_6)

# %% [markdown]
# ### Exercise 7
# Same again, but the purchase order is on the member's **`eu-west-1`** subscription. A failed
# task lists what still uses the role, Region by Region, in its `RoleUsageList`. Which Regions
# does it name? (A list, for example `["us-east-1"]`.)

# %%
prediction_7 = None

# %% tags=["solution"]
prediction_7 = ["eu-west-1", "us-east-1"]

# %%
check(7, prediction_7)

# %% [markdown]
# ### Exercise 8
# After that failed task, the member detaches the purchase order and the management account
# removes the billing integration: nothing uses the role any more. Nobody asks for a new
# deletion. Which state is the role in now?

# %%
prediction_8 = None

# %% tags=["solution"]
prediction_8 = "deleting_blocked"

# %%
check(8, prediction_8)

# %% [markdown]
# ## Re-creation
#
# ### Exercise 9
# The role is deleted after clean-up, and the management account sets up the integration again.
# Compared with the first role, the new one has:
#
# - a) the same ARN and the same RoleId
# - b) the same ARN and a new RoleId
# - c) a new ARN and the same RoleId
# - d) a new ARN and a new RoleId

# %%
prediction_9 = None

# %% tags=["solution"]
prediction_9 = "b"

# %%
check(9, prediction_9)

# %% [markdown]
# ## Quiz
#
# The first questions are read from the library's transition table (the diagram above), the
# others from the simulated world, so the quiz can never disagree with either. Answer in the
# cell below the questions, then run the grading cell.

# %%
show_quiz()

# %%
answers: dict[int, object] = {1: None, 2: None, 3: None, 4: None, 5: None, 6: None}

# %% tags=["solution"]
answers = {
    1: {"update_description", "request_deletion", "finish_deletion"},
    2: {"absent", "deleted"},
    3: {"finish_creation", "finish_deletion"},
    4: "absent",
    5: "a",
    6: "yes",
}

# %%
grade_quiz(answers)

# %% [markdown]
# ## What to remember
#
# - The **management account** sets the feature up; IAM itself would let any account create
#   the role.
# - Only the **description** (and tags) of a service-linked role may change.
# - Deleting is **asynchronous**: the call submits a task; a `FAILED` task names what still
#   uses the role in its `RoleUsageList`, and the role stays (`deleting_blocked`) until a later
#   task succeeds.
# - **Re-creation** keeps the name and ARN, with a **new RoleId**.
