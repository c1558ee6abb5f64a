"""The lesson's exercises and quiz (notebook 04), graded against the simulation itself.

No answer is written down here: :func:`check` runs the exercise's step on a fresh simulated
world and compares what AWS answered with the student's prediction, and the quiz's answers are
read from the transition table or from the world. So the lesson cannot disagree with the
library, and the notebook shows nothing of an answer until the student has given one.

>>> check(1, None)
Exercise 1: write your prediction in prediction_1 first, then run this cell again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

import attrs
from nbhelpers import ROLE, SERVICE, outcome

from slr_fsm import TRANSITIONS, Simulation
from slr_fsm.lifecycle import Cause, RoleState

__all__ = ["EXERCISES", "QUIZ", "check", "grade_quiz", "show_quiz"]

MANAGEMENT, MEMBER = "111122223333", "444455556666"
_PROTECTED: dict[str, tuple[str, dict[str, Any]]] = {
    "a": ("update_role_description", {"Description": "Purchase orders for everyone"}),
    "b": ("attach_role_policy", {"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
    "c": ("update_assume_role_policy", {"PolicyDocument": '{"Version": "2012-10-17"}'}),
    "d": ("delete_role", {}),
    "e": ("update_role", {"MaxSessionDuration": 7200}),
}


def _world(*, active: bool = False) -> Simulation:
    sim = Simulation.default(seed=0)
    if active:
        sim.marketplace(MANAGEMENT).configure_billing_integration()
        sim.settle()
    return sim


def _blocked(region: str = "us-east-1") -> tuple[Simulation, str, str]:
    """An active role, a purchase order on the member's subscription in ``region``, and a
    deletion requested; returns the world, the subscription and the task (not yet run)."""
    sim = _world(active=True)
    sub = next(s for s in sim.subscriptions_of(MEMBER) if s.region == region).subscription_id
    sim.marketplace(MEMBER).attach_purchase_order(sub, "PO-1")
    task = sim.iam(MANAGEMENT).delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    return sim, sub, task


def _member_console() -> object:
    return outcome(lambda: _world().marketplace(MEMBER).configure_billing_integration())


def _member_iam() -> object:
    iam = _world().iam(MEMBER)
    return outcome(lambda: iam.create_service_linked_role(AWSServiceName=SERVICE))


def _state_after_set_up() -> object:
    sim = _world()
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    return sim.role(MANAGEMENT).state.value


def _edits_allowed() -> object:
    iam = _world(active=True).iam(MANAGEMENT)
    return {
        letter
        for letter, (method, params) in _PROTECTED.items()
        if outcome(partial(getattr(iam, method), RoleName=ROLE, **params)) == "ok"
    }


def _delete_answers_at_once() -> object:
    sim = _world(active=True)
    sub = sim.subscriptions_of(MEMBER)[0].subscription_id
    sim.marketplace(MEMBER).attach_purchase_order(sub, "PO-1")
    iam = sim.iam(MANAGEMENT)
    return outcome(lambda: iam.delete_service_linked_role(RoleName=ROLE))


def _task_status() -> object:
    sim, _, task = _blocked()
    sim.settle()
    status = sim.iam(MANAGEMENT).get_service_linked_role_deletion_status(DeletionTaskId=task)
    return status["Status"]


def _usage_regions() -> object:
    sim, _, task = _blocked("eu-west-1")
    sim.settle()
    status = sim.iam(MANAGEMENT).get_service_linked_role_deletion_status(DeletionTaskId=task)
    return sorted(usage["Region"] for usage in status["Reason"]["RoleUsageList"])


def _state_after_clean_up() -> object:
    sim, sub, _ = _blocked()
    sim.settle()
    sim.marketplace(MEMBER).detach_purchase_order(sub, "PO-1")
    sim.marketplace(MANAGEMENT).remove_billing_integration()
    sim.settle()
    return sim.role(MANAGEMENT).state.value


def _re_created() -> object:
    sim = _world(active=True)
    first = sim.role(MANAGEMENT)
    sim.marketplace(MANAGEMENT).remove_billing_integration()
    sim.iam(MANAGEMENT).delete_service_linked_role(RoleName=ROLE)
    sim.settle()
    sim.marketplace(MANAGEMENT).configure_billing_integration()
    sim.settle()
    again = sim.role(MANAGEMENT)
    same_arn, same_id = again.arn == first.arn, again.role_id == first.role_id
    return {(True, True): "a", (True, False): "b", (False, True): "c", (False, False): "d"}[
        (same_arn, same_id)
    ]


@attrs.frozen
class Exercise:
    """A question's step, run on a fresh world, and why it answers as it does."""

    run: Callable[[], object] = attrs.field(repr=False)
    why: str


EXERCISES: dict[int, Exercise] = {
    1: Exercise(
        _member_console,
        "Inside an organization only the management account sets up "
        "the AWS Billing integration (the console says so); it then covers every member.",
    ),
    2: Exercise(
        _member_iam,
        "IAM's own CreateServiceLinkedRole knows nothing of the Marketplace "
        "rule: the member gets a role of its own, which no integration uses.",
    ),
    3: Exercise(
        _state_after_set_up,
        "Creation is asynchronous: IAM shows the role at once, but "
        "AWS Marketplace can use it only once the clock has run (10 s here).",
    ),
    4: Exercise(
        _edits_allowed,
        "A service-linked role is protected: only its description (and "
        "tags) may change; everything else is UnmodifiableEntity, even for an admin.",
    ),
    5: Exercise(
        _delete_answers_at_once,
        "DeleteServiceLinkedRole only submits a deletion task "
        "and answers with its DeletionTaskId; the verdict comes later.",
    ),
    6: Exercise(
        _task_status,
        "The task checks, when it runs, whether resources still use the "
        "role; a purchase order does, so the task FAILED and the role is kept.",
    ),
    7: Exercise(
        _usage_regions,
        "RoleUsageList names resources per Region: the billing "
        "integration lives in us-east-1, the purchase order where its subscription is.",
    ),
    8: Exercise(
        _state_after_clean_up,
        "Cleaning up does not move the role back: it stays "
        "deleting_blocked (and usable) until a new deletion task succeeds.",
    ),
    9: Exercise(
        _re_created,
        "Re-creation gives the same name, path and ARN, but a new RoleId: "
        "policies naming the ARN keep working, anything that kept the RoleId is stale.",
    ),
}
"""The lesson's exercises, by number."""


def _normal(value: object) -> object:
    """A prediction or answer in one comparable form: a string lower-cased, a collection a
    sorted tuple of those (a comma-separated string counts as one)."""
    if isinstance(value, RoleState):
        value = value.value
    if isinstance(value, str) and "," in value:
        value = value.split(",")
    if isinstance(value, Iterable) and not isinstance(value, str):
        return tuple(sorted({str(_normal(v)) for v in value}))
    return str(value).strip().lower()


def _same(prediction: object, answer: object) -> bool:
    given, expected = _normal(prediction), _normal(answer)
    if isinstance(expected, tuple) and isinstance(given, str):
        given = (given,)  # one item, without a list around it
    return given == expected


def _shown(value: object) -> str:
    return repr(sorted(value)) if isinstance(value, set) else repr(value)


def check(number: int, prediction: object) -> None:
    """Grade the prediction for exercise ``number``: run its step, say what AWS answered and
    why. Without a prediction (``None``) it reveals nothing."""
    exercise = EXERCISES[number]
    if prediction is None:
        print(
            f"Exercise {number}: write your prediction in prediction_{number} first, "
            "then run this cell again."
        )
        return
    answer = exercise.run()
    right = _same(prediction, answer)
    verdict = "Right!" if right else "Not quite."
    print(
        f"Exercise {number}: you predicted {_shown(prediction)}; AWS answered "
        f"{_shown(answer)}. {verdict}"
    )
    print(f"Why: {exercise.why}")


def _triggers_from(state: RoleState) -> set[str]:
    return {row.trigger for row in TRANSITIONS if state in row.sources}


def _clock_triggers() -> set[str]:
    return {row.trigger for row in TRANSITIONS if row.cause is Cause.CLOCK}


def _creates_from() -> set[str]:
    return {s.value for row in TRANSITIONS if row.trigger == "create" for s in row.sources}


def _after_failed_creation() -> str:
    row = next(r for r in TRANSITIONS if "creation_fault_injected" in r.guards)
    return (row.dest or RoleState.CREATING).value


def _who_sets_up() -> str:
    allowed = set()
    for account in _world().organization.accounts:
        console = _world().marketplace(account)
        if outcome(console.configure_billing_integration) == "ok":
            allowed.add(account.name)
    return "a" if allowed == {"management"} else "b" if len(allowed) > 1 else "c"


def _usable_while_blocked() -> str:
    sim, _, _ = _blocked()
    sim.settle()
    arn = sim.role(MANAGEMENT).arn
    sts = sim.sts(MANAGEMENT, SERVICE)
    used = outcome(lambda: sts.assume_role(RoleArn=arn, RoleSessionName="po"))
    return "yes" if used == "ok" else "no"


QUIZ: dict[int, tuple[str, Callable[[], object]]] = {
    1: (
        "Which triggers can fire from 'deleting_blocked'? (a set of trigger names)",
        lambda: _triggers_from(RoleState.DELETING_BLOCKED),
    ),
    2: ("From which states can 'create' start? (a set of states)", _creates_from),
    3: ("Which triggers does the clock fire, rather than a caller? (a set)", _clock_triggers),
    4: ("AWS fails to create the role. Which state is it in afterwards?", _after_failed_creation),
    5: (
        "Who may set up the billing integration in an organization? a) the management account "
        "only  b) any account of the organization  c) none of them",
        _who_sets_up,
    ),
    6: (
        "A deletion task FAILED. May AWS Marketplace still assume the role? (yes/no)",
        _usable_while_blocked,
    ),
}
"""The quiz: each question, and how its answer is read from the table or the world."""


def show_quiz() -> None:
    """Print the quiz's questions."""
    for number, (question, _) in QUIZ.items():
        print(f"{number}. {question}")


def grade_quiz(answers: Mapping[int, object]) -> None:
    """Grade ``answers`` (question number to answer; ``None`` for one not answered yet): a
    line per question, the right answer shown only for questions answered, then the score."""
    score = 0
    for number, (_, read) in QUIZ.items():
        given = answers.get(number)
        if given is None:
            print(f"{number}. not answered yet")
            continue
        answer = read()
        if _same(given, answer):
            score += 1
            print(f"{number}. right")
        else:
            print(f"{number}. you said {_shown(given)}; the answer is {_shown(answer)}")
    print(f"Score: {score}/{len(QUIZ)}")
