"""docs/fidelity.md's "Operation by operation" cannot drift from the code.

Every operation the simulation answers (the IAM, STS, Organizations and console tables) has its
entry, and an entry lists exactly the codes (and ``RequestNotSimulated``) its operation answers
with: a probe below reaches each listed code, and every probe's request, made in every state of the
role by every kind of caller, answers only listed codes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from slr_fsm import AwsError, RequestNotSimulated, Simulation
from slr_fsm.errors import error_class_for_code
from slr_fsm.iam_operations import IAM_OPERATIONS
from slr_fsm.marketplace import CONSOLE_OPERATIONS
from slr_fsm.organizations import ORGANIZATIONS_OPERATIONS
from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS as SPEC
from slr_fsm.sts import STS_OPERATIONS

DOC = Path(__file__).resolve().parent.parent / "docs" / "fidelity.md"
SECTION = "## Operation by operation"
NOT_SIMULATED = "RequestNotSimulated"

MGMT, MEMBER, STANDALONE = "111122223333", "444455556666", "123456789012"
ROLE, SERVICE, POLICY = SPEC.role_name, SPEC.service_principal, SPEC.managed_policy_arn
TASK = SPEC.deletion_task_prefix() + "00000000-0000-4000-8000-000000000000"
OTHER_AWS_POLICY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
CUSTOMER_POLICY = f"arn:aws:iam::{MGMT}:policy/Mine"
BAD_ARN = "not-an-arn-but-long-enough"
SUBSCRIPTION = "<the caller's first subscription>"
CALLERS: dict[str, tuple[str, str]] = {
    "admin": (MGMT, "admin"),
    "readonly": (MGMT, "readonly"),
    "nobody": (MGMT, "nobody"),
    "ghost": (MGMT, "ghost"),
    "member": (MEMBER, "admin"),
    "standalone": (STANDALONE, "admin"),
    "service": (MGMT, SERVICE),
}
"""Who calls: an account and a principal (``nobody`` has no policies; ``ghost`` does not exist)."""


def _world(state: str) -> Simulation:
    sim = Simulation.default(seed=1)
    sim.add_principal(MGMT, "nobody")
    if state == "absent":
        return sim
    sim.marketplace(MGMT).configure_billing_integration()
    if state == "creating":
        return sim
    sim.settle()
    if state == "tagged":  # active, carrying the 50 tags a role may have
        tags = [{"Key": f"k{n}", "Value": "v"} for n in range(50)]
        sim.iam(MGMT).tag_role(RoleName=ROLE, Tags=tags)
    elif state in ("blocked", "deleted"):
        if state == "deleted":
            sim.marketplace(MGMT).remove_billing_integration()
        sim.iam(MGMT).delete_service_linked_role(RoleName=ROLE)
        sim.settle()
    return sim


STATES = ("absent", "creating", "active", "tagged", "blocked", "deleted")
WORLDS = {state: _world(state) for state in STATES}


METHODS = {
    **{op.name: ("iam", op.method) for op in IAM_OPERATIONS},
    **{name: ("sts", method) for name, method in STS_OPERATIONS.items()},
    **{name: ("organizations", method) for name, method in ORGANIZATIONS_OPERATIONS.items()},
    **{name: ("marketplace", name) for name in CONSOLE_OPERATIONS},
}
"""Each operation, by the name its entry carries: the face and the method that answer it."""


def _face(sim: Simulation, operation: str, who: str) -> Callable[..., Any]:
    """The method answering ``operation`` for ``who`` (an unknown caller is refused per call)."""
    face, method = METHODS[operation]
    caller = getattr(sim, face)(*CALLERS[who], unknown_caller="refuse_each_call")
    return getattr(caller, method)


def _outcome(state: str, operation: str, who: str, params: Mapping[str, Any]) -> str:
    """What the call answers: ``ok``, an AWS error code, or ``RequestNotSimulated``."""
    sim = WORLDS[state].fork()
    account = CALLERS[who][0]
    subs = sim.subscriptions_of(account) if sim.find_account(account) else ()
    given = {k: (subs[0].subscription_id if v == SUBSCRIPTION else v) for k, v in params.items()}
    try:
        _face(sim, operation, who)(**given)
    except AwsError as refused:
        return refused.code
    except RequestNotSimulated:
        return NOT_SIMULATED
    return "ok"


@attrs.frozen
class Probe:
    """A call that must answer ``code``: ``operation`` by ``who`` with the role ``state``."""

    operation: str
    code: str
    state: str
    who: str
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=dict)


Case = tuple[str, str, str, Mapping[str, Any]]
"""A probe of one operation: the code, the role's state, who calls, and the parameters changed."""


def _probes(
    operation: str,
    base: Mapping[str, Any],
    bad: Mapping[str, Any] | None,
    *cases: Case,
    denied: tuple[str, str] = ("active", "nobody"),
) -> list[Probe]:
    """Probes of one operation, each case's parameters laid over ``base``; with ``bad`` (a
    change that breaks a parameter), the refusals every call can get too: no permission (in
    ``denied``'s state, by its caller), a malformed parameter, unknown credentials."""
    if bad is not None:
        cases = (
            ("AccessDenied", *denied, {}),
            ("ValidationError", "active", "admin", bad),
            ("InvalidClientTokenId", "active", "ghost", {}),
            *cases,
        )
    return [
        Probe(operation, code, state, who, {**base, **changes})
        for code, state, who, changes in cases
    ]


def _role_probes(operation: str, base: Mapping[str, Any], *cases: Case) -> list[Probe]:
    """The refusals every call naming the role can get (no such role too), and ``cases``."""
    role = {"RoleName": ROLE, **base}
    missing: Case = ("NoSuchEntity", "absent", "admin", {})
    return _probes(operation, role, {"RoleName": "no spaces"}, missing, *cases)


PROTECTED = {
    "UpdateAssumeRolePolicy": {"PolicyDocument": "{}"},
    "AttachRolePolicy": {"PolicyArn": POLICY},
    "DetachRolePolicy": {"PolicyArn": POLICY},
    "PutRolePolicy": {"PolicyName": "p", "PolicyDocument": "{}"},
    "DeleteRolePolicy": {"PolicyName": "p"},
    "DeleteRole": {},
    "PutRolePermissionsBoundary": {"PermissionsBoundary": POLICY},
    "DeleteRolePermissionsBoundary": {},
}
USER_ARN = f"arn:aws:iam::{MGMT}:user/readonly"
ODD_CONTEXT = {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["1.2.3.4"]}


def _iam_probes() -> list[Probe]:
    probes = [
        *_probes(
            "CreateServiceLinkedRole",
            {"AWSServiceName": SERVICE},
            {"AWSServiceName": "no spaces"},
            ("InvalidInput", "absent", "admin", {"AWSServiceName": "nothing.amazonaws.com"}),
            ("InvalidInput", "active", "admin", {}),
            ("InvalidInput", "absent", "admin", {"CustomSuffix": "x"}),
            denied=("absent", "readonly"),
        ),
        *_role_probes("DeleteServiceLinkedRole", {}),
        *_probes(
            "GetServiceLinkedRoleDeletionStatus",
            {"DeletionTaskId": TASK},
            {"DeletionTaskId": ""},
            ("InvalidInput", "active", "admin", {"DeletionTaskId": "task/nonsense"}),
            ("NoSuchEntity", "active", "admin", {}),
        ),
        *_role_probes("UpdateRoleDescription", {"Description": "d"}),
        *_role_probes(
            "UpdateRole",
            {"Description": "d"},
            ("UnmodifiableEntity", "active", "admin", {"MaxSessionDuration": 7200}),
        ),
        *_role_probes("GetRole", {}),
        *_probes("ListRoles", {}, {"MaxItems": 0}),
        *_role_probes("ListAttachedRolePolicies", {}),
        *_role_probes("ListRolePolicies", {}),
        *_role_probes(
            "TagRole",
            {"Tags": [{"Key": "team", "Value": "finance"}]},
            ("InvalidInput", "active", "admin", {"Tags": [{"Key": "aws:x", "Value": "v"}]}),
            ("LimitExceeded", "tagged", "admin", {}),
        ),
        *_role_probes("UntagRole", {"TagKeys": ["team"]}),
        *_role_probes("ListRoleTags", {}),
        *_probes(
            "AttachRolePolicy",
            {"RoleName": "MyRole", "PolicyArn": POLICY},
            None,
            ("PolicyNotAttachable", "active", "admin", {}),
            ("InvalidInput", "active", "admin", {"PolicyArn": BAD_ARN}),
        ),
    ]
    for operation, base in PROTECTED.items():
        probes += _role_probes(operation, base, ("UnmodifiableEntity", "active", "admin", {}))
    for operation, base in (("GetPolicy", {}), ("GetPolicyVersion", {"VersionId": "v1"})):
        probes += _probes(
            operation,
            {"PolicyArn": POLICY, **base},
            {"PolicyArn": "short"},
            ("InvalidInput", "active", "admin", {"PolicyArn": BAD_ARN}),
            ("NoSuchEntity", "active", "admin", {"PolicyArn": CUSTOMER_POLICY}),
            (NOT_SIMULATED, "active", "admin", {"PolicyArn": OTHER_AWS_POLICY}),
        )
    probes += _probes(
        "GetPolicyVersion",
        {"PolicyArn": POLICY},
        None,
        ("NoSuchEntity", "active", "admin", {"VersionId": "v9"}),
    )
    for operation, entity in (("AttachUserPolicy", "UserName"), ("AttachGroupPolicy", "GroupName")):
        probes += _probes(
            operation,
            {entity: "readonly", "PolicyArn": POLICY},
            {entity: "no spaces"},
            ("PolicyNotAttachable", "active", "admin", {}),
            ("InvalidInput", "active", "admin", {"PolicyArn": BAD_ARN}),
            ("NoSuchEntity", "active", "admin", {"PolicyArn": CUSTOMER_POLICY}),
            ("NoSuchEntity", "active", "admin", {entity: "someone", "PolicyArn": OTHER_AWS_POLICY}),
            denied=("active", "readonly"),
        )
    probes += _probes(
        "AttachUserPolicy",
        {"UserName": "readonly"},
        None,
        (NOT_SIMULATED, "active", "admin", {"PolicyArn": OTHER_AWS_POLICY}),
    )
    return probes + _probes(
        "SimulatePrincipalPolicy",
        {"PolicySourceArn": USER_ARN, "ActionNames": ["iam:GetRole"]},
        {"ActionNames": ["x"]},
        ("InvalidInput", "active", "admin", {"PolicySourceArn": BAD_ARN}),
        ("InvalidInput", "active", "admin", {"ContextEntries": [ODD_CONTEXT]}),
        ("InvalidInput", "active", "admin", {"Marker": "not a marker"}),
        ("NoSuchEntity", "active", "admin", {"PolicySourceArn": USER_ARN + "x"}),
        (NOT_SIMULATED, "active", "admin", {"PolicySourceArn": SPEC.role_arn(MGMT)}),
        (NOT_SIMULATED, "active", "admin", {"PolicyInputList": ["{}"]}),
        denied=("active", "readonly"),
    )


def _organizations_probes(operation: str) -> list[Probe]:
    account = {"AccountId": MEMBER} if operation == "DescribeAccount" else {}
    cases: list[Case] = [
        ("AccessDeniedException", "active", "readonly", {}),
        ("AWSOrganizationsNotInUseException", "active", "standalone", {}),
        ("ValidationError", "active", "admin", {"Unknown": 1}),
        ("InvalidClientTokenId", "active", "ghost", {}),
    ]
    if operation != "DescribeOrganization":  # the management account's alone
        cases.append(("AccessDeniedException", "active", "member", {}))
    if operation == "DescribeAccount":
        cases.append(("InvalidInputException", "active", "admin", {"AccountId": "abc"}))
        cases.append(("AccountNotFoundException", "active", "admin", {"AccountId": "9" * 12}))
    elif operation != "DescribeOrganization":  # paginated
        cases.append(("InvalidInputException", "active", "admin", {"MaxResults": 0}))
        cases.append(("InvalidInputException", "active", "admin", {"NextToken": "forged"}))
    return _probes(operation, account, None, *cases)


def _other_probes() -> list[Probe]:
    probes = [
        *_probes(
            "AssumeRole",
            {"RoleArn": SPEC.role_arn(MGMT), "RoleSessionName": "po"},
            {"RoleSessionName": "x"},
            ("AccessDenied", "creating", "service", {}),
            ("ValidationError", "active", "service", {"DurationSeconds": 43201}),
            denied=("active", "admin"),
        ),
        *_probes(
            "GetCallerIdentity",
            {},
            None,
            ("ValidationError", "active", "admin", {"Unknown": 1}),
            ("InvalidClientTokenId", "active", "ghost", {}),
            ("InvalidClientTokenId", "active", "service", {}),
        ),
    ]
    for operation in ORGANIZATIONS_OPERATIONS:
        probes += _organizations_probes(operation)
    order = {"subscription_id": SUBSCRIPTION, "po_number": "PO-1"}
    for operation in ("attach_purchase_order", "detach_purchase_order"):
        probes += _probes(
            operation,
            order,
            {"po_number": "!"},
            ("ResourceNotFoundException", "active", "admin", {"subscription_id": "agmt-none"}),
            denied=("active", "readonly"),
        )
    return [
        *probes,
        Probe("attach_purchase_order", "ConflictException", "absent", "admin", order),
        Probe("detach_purchase_order", "ResourceNotFoundException", "active", "admin", order),
        Probe("configure_billing_integration", "AccessDenied", "absent", "member"),
        Probe("configure_billing_integration", "AccessDenied", "absent", "readonly"),
        Probe("configure_billing_integration", "InvalidClientTokenId", "absent", "ghost"),
        Probe("remove_billing_integration", "AccessDenied", "active", "member"),
        Probe("remove_billing_integration", "AccessDenied", "active", "readonly"),
        Probe("remove_billing_integration", "ConflictException", "absent", "admin"),
        Probe("remove_billing_integration", "InvalidClientTokenId", "active", "ghost"),
        Probe("subscriptions", "AccessDenied", "active", "nobody"),
        Probe("subscriptions", "InvalidClientTokenId", "active", "ghost"),
    ]


PROBES: tuple[Probe, ...] = (*_iam_probes(), *_other_probes())

OPERATIONS: tuple[str, ...] = tuple(METHODS)


# ---------------------------------------------------------------------------- the section, parsed


def _section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n{SECTION}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _entries() -> dict[str, str]:
    """Each operation's entry, by the name its ``#### `Name``` heading gives (an operation with
    no heading has an empty entry, which lists nothing)."""
    parts = re.split(r"^#### `([^`]+)`[ \t]*$", _section(), flags=re.M)
    found = {
        name: body.split("\n### ")[0] for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }
    return {operation: found.get(operation, "") for operation in OPERATIONS} | found


def _listed_codes(body: str) -> set[str]:
    """The codes an entry's ``- **Errors:**`` bullet lists (its backticked capitalised words)."""
    found = re.search(r"^- \*\*Errors:\*\*(.*?)(?=^- \*\*|\Z)", body, flags=re.M | re.S)
    return set() if found is None else set(re.findall(r"`([A-Z][A-Za-z]+)`", found.group(1)))


def _probed() -> dict[str, set[str]]:
    codes: dict[str, set[str]] = defaultdict(set)
    for probe in PROBES:
        codes[probe.operation].add(probe.code)
    return codes


# ---------------------------------------------------------------------------- the tests


def test_every_operation_the_simulation_answers_has_exactly_one_entry():
    """The section names each operation of the IAM, STS and Organizations tables and each console
    operation once, and nothing else."""
    headings = re.findall(r"^#### `([^`]+)`", _section(), flags=re.M)
    assert sorted(headings) == sorted(OPERATIONS)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_each_entry_gives_permission_simulated_facts_and_errors(operation):
    """Every entry says what permission the call needs, what is simulated, and its errors."""
    body = _entries()[operation]
    for bullet in ("- **Permission:**", "- **Simulated:**", "- **Errors:**"):
        assert bullet in body, f"{operation}: no {bullet!r}"
    for code in _listed_codes(body) - {NOT_SIMULATED}:
        error_class_for_code(code)  # a UsageError names a word that is no AWS error code


def test_every_probe_answers_the_code_it_is_written_for():
    """Each probe's call, made as written, answers exactly its code: every code an entry lists
    is one the simulation really answers."""
    wrong = [
        (probe, got)
        for probe in PROBES
        if (got := _outcome(probe.state, probe.operation, probe.who, probe.params)) != probe.code
    ]
    assert not wrong, wrong


def test_each_entry_lists_exactly_the_codes_its_probes_reach():
    """An entry lists a code if and only if a probe of that operation reaches it."""
    entries, probed = _entries(), _probed()
    differences = {
        operation: {
            "listed, not probed": sorted(_listed_codes(entries[operation]) - probed[operation]),
            "probed, not listed": sorted(probed[operation] - _listed_codes(entries[operation])),
        }
        for operation in OPERATIONS
        if _listed_codes(entries[operation]) != probed[operation]
    }
    assert not differences, differences


def test_no_request_in_any_state_by_any_caller_answers_an_unlisted_code():
    """Every probe's request (and an AWS operation's call without parameters), made in every
    state of the role by every kind of caller, answers ``ok`` or a code its operation's entry
    lists."""
    entries = _entries()
    requests: dict[str, list[Mapping[str, Any]]] = {
        operation: [] if operation in CONSOLE_OPERATIONS else [{}] for operation in OPERATIONS
    }
    for probe in PROBES:
        if probe.params not in requests[probe.operation]:
            requests[probe.operation].append(probe.params)
    unlisted: dict[str, set[str]] = defaultdict(set)
    for operation in OPERATIONS:
        allowed = _listed_codes(entries[operation]) | {"ok"}
        for params in requests[operation]:
            for state in STATES:
                for who in CALLERS:
                    if (got := _outcome(state, operation, who, params)) not in allowed:
                        unlisted[operation].add(got)
    assert not unlisted, dict(unlisted)


def test_every_listed_aws_code_is_one_aws_models_for_the_operation_or_a_common_error():
    """The codes listed for IAM, STS and Organizations operations are in botocore's model of the
    operation, or are ValidationError, AccessDenied or InvalidClientTokenId, which IAM's, STS's
    and Organizations' common-errors pages list."""
    import botocore.session

    session = botocore.session.get_session()
    common = {"ValidationError", "AccessDenied", "InvalidClientTokenId", NOT_SIMULATED}
    entries = _entries()
    stray = {}
    for operation, (service, _) in METHODS.items():
        if service == "marketplace":
            continue
        model = session.get_service_model(service).operation_model(operation)
        modelled = {shape.error_code or shape.name for shape in model.error_shapes}
        if extra := _listed_codes(entries[operation]) - modelled - common:
            stray[operation] = sorted(extra)
    assert not stray, stray


def test_every_decision_the_section_cites_is_in_the_readme_list():
    """Each "decision N" points at an item of README's numbered "Modelling decisions" list."""
    readme = (DOC.parent.parent / "README.md").read_text(encoding="utf-8")
    decisions = readme.split("## Modelling decisions", 1)[1].split("\n## ", 1)[0]
    count = len(re.findall(r"^\d+\. \*\*", decisions, flags=re.M))
    cited = {
        int(n)
        for group in re.findall(
            r"decisions?(?::\*\*)? ((?:\d+(?:, | and )?)+)", _section(), flags=re.I
        )
        for n in re.findall(r"\d+", group)
    }
    assert cited, "the section cites no decision"
    assert max(cited) <= count, (sorted(cited), count)


def test_every_source_link_of_the_section_is_defined():
    """Each reference-style link ``[text][key]`` has its ``[key]: URL`` line."""
    section = _section()
    used = set(re.findall(r"\]\[([a-z0-9-]+)\]", section))
    defined = set(re.findall(r"^\[([a-z0-9-]+)\]: https://", section, flags=re.M))
    assert used <= defined, sorted(used - defined)
