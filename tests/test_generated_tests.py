"""Tests written by ``Trace.to_pytest()`` and by ``examples/planted_bug.py --write`` are
self-contained: generated into one folder, they run from another (one pytest subprocess for all
of them), read as a few lines of calls, and assert the broken invariant by name."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from slr_fsm import Simulation, UsageError
from slr_fsm.explore import FAULT_MOVE, Trace, TraceStep, default_moves, explore, small_world
from slr_fsm.trace import role_states

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MANAGEMENT, MEMBER = "111122223333", "444455556666"

USER_CODE = '''
from slr_fsm.boto import iam_client
from slr_fsm.lifecycle import RoleState

ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"


def role_description(iam):
    """The code under test: the role's description, or '' when it has none."""
    try:
        return iam.get_role(RoleName=ROLE)["Role"]["Description"]  # bug: KeyError when none set
    except iam.exceptions.NoSuchEntityException:
        return ""


def description_is_readable(world):
    """role_description() answers in every reachable state."""
    role_description(iam_client(world))


def the_clock_never_deletes_a_role(step):
    """The clock never takes a role to deleted."""
    if step.move.face != "clock":
        return True
    return all(role.state is not RoleState.DELETED for role in step.after.known_roles())
'''


def load(path: Path, name: str) -> ModuleType:
    """Import a file as a user's module (not importable from any other folder)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def management_moves(world: Simulation):
    """The management administrator's moves and the clock: a small space, explored fast."""
    return [
        m
        for m in default_moves(world)
        if m.face == "clock" or (m.account_id == MANAGEMENT and m.principal == "admin")
    ]


def trace_of(world: Simulation, moves, broken=None) -> Trace:
    """The trace of making ``moves`` on ``world`` (a path, not a counterexample)."""
    start = world.snapshot()
    steps = [TraceStep(m, m.apply(world), role_states(world)) for m in moves]
    return Trace(start, tuple(steps), broken)


def pick(world: Simulation, operation: str, account: str = MANAGEMENT, principal: str = "admin"):
    return next(
        m
        for m in default_moves(world)
        if m.operation == operation and m.account_id == account and m.principal == principal
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Every kind of generated test, written into one folder and run by pytest from another;
    returns (sources by file name, pytest's verdict by file name, pytest's output)."""
    project = tmp_path_factory.mktemp("project")  # a user's folder, on no path of a new process
    (project / "mycode.py").write_text(USER_CODE)
    mycode = load(project / "mycode.py", "mycode")
    out = tmp_path_factory.mktemp("generated")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    sources: dict[str, str] = {}

    written = subprocess.run(  # the example script, as a user runs it
        [
            sys.executable,
            str(EXAMPLES / "planted_bug.py"),
            "--depth",
            "4",
            "--write",
            str(out / "test_planted.py"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=project,
    )
    assert written.returncode == 1, written.stderr
    sources["test_planted.py"] = (out / "test_planted.py").read_text()

    planted = load(EXAMPLES / "planted_bug.py", "planted_bug")
    trace = explore(
        planted.planted_world(), depth=4, invariants=["never_deleted_while_in_use"]
    ).violations["never_deleted_while_in_use"]
    sources["test_fixed.py"] = trace.to_pytest("test_fixed", world=small_world)

    found = explore(small_world(), depth=1, invariants=[mycode.description_is_readable])
    sources["test_user_check.py"] = found.violations["description_is_readable"].to_pytest(
        "test_description_is_readable"
    )

    world = small_world()
    found = explore(
        world,
        depth=4,
        moves=management_moves(world),
        invariants=[mycode.the_clock_never_deletes_a_role],
    )
    sources["test_step_check.py"] = found.violations["the_clock_never_deletes_a_role"].to_pytest(
        "test_the_clock_never_deletes_a_role"
    )

    default = Simulation.default(seed=3)
    clock = pick(default, "run the next background work", "", "")
    moves = [
        pick(default, "create_service_linked_role"),
        pick(default, "tag_role"),
        pick(default, "simulate_principal_policy"),
        pick(default, "delete_service_linked_role", MANAGEMENT, "readonly"),
        pick(default, "delete_service_linked_role"),
        pick(default, "get_service_linked_role_deletion_status"),
        FAULT_MOVE,
        FAULT_MOVE,
        *[clock] * 6,
    ]
    sources["test_markers.py"] = trace_of(default, moves).to_pytest("test_markers")

    custom = small_world()
    custom.add_principal(MANAGEMENT, "auditor")
    sources["test_restored.py"] = trace_of(
        custom, [pick(custom, "create_service_linked_role")]
    ).to_pytest("test_restored")

    for name, source in sources.items():
        (out / name).write_text(source)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "--tb=short", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=elsewhere,
    )
    verdicts = {
        file: verdict
        for verdict, file in re.findall(r"^(PASSED|FAILED) \S*?(test_\w+\.py)::", run.stdout, re.M)
    }
    return sources, verdicts, run.stdout


def test_the_planted_bug_example_writes_a_failing_test_that_runs_anywhere(generated):
    """``planted_bug.py --write`` writes a test that fails, from another folder, on the
    broken invariant by name; its planted lifecycle is written into it (no ``from planted_bug
    import``), it has no JSON blob, and its trace is four lines of calls."""
    sources, verdicts, output = generated
    source = sources["test_planted.py"]
    assert verdicts["test_planted.py"] == "FAILED"
    assert "never_deleted_while_in_use broke: never deleted while resources are in use" in output
    assert "planted_bug" not in source
    assert "json" not in source
    assert "def planted_lifecycle() -> Lifecycle:" in source
    assert "def planted_world() -> Simulation:" in source
    body = source.split("def test_deletion_waits_for_clean_up() -> None:")[1].split('."""\n')[1]
    assert body.splitlines() == [
        "    sim = planted_world()",
        '    sim.marketplace(MANAGEMENT, "admin").configure_billing_integration()',
        '    sim.iam(MANAGEMENT, "admin").delete_service_linked_role(RoleName=ROLE)',
        "    sim.run_next()  # the clock: the next background work",
        "    sim.run_next()  # the clock: the next background work",
        '    assert never_deleted_while_in_use(sim), "never_deleted_while_in_use broke: never '
        'deleted while resources are in use"',
    ]
    assert len(source) < 2000
    assert "it needs attrs, pytest, slr_fsm installed" in " ".join(source.split())


def test_the_same_trace_under_the_real_lifecycle_passes(generated):
    """Given the real world's builder, the same moves replay and the invariant holds: the
    generated test passes once the bug is fixed."""
    sources, verdicts, _ = generated
    assert "from slr_fsm.moves import small_world" in sources["test_fixed.py"]
    assert verdicts["test_fixed.py"] == "PASSED"


def test_a_user_check_is_written_out_and_fails_as_it_did(generated):
    """A user's check from a module no other folder can import is written into the test with
    what it uses (its helper, its constant, the bridge's import) and fails there as it did in
    the explorer: by raising KeyError."""
    sources, verdicts, output = generated
    source = sources["test_user_check.py"]
    assert verdicts["test_user_check.py"] == "FAILED"
    assert "KeyError: 'Description'" in output
    assert "from mycode" not in source
    for part in (
        "def role_description(iam):",
        "def description_is_readable(world):",
        'ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"',
        "from slr_fsm.boto import iam_client",
        "verdict = description_is_readable(sim)",
    ):
        assert part in source
    assert "it needs boto3 (the slr-fsm[boto] extra), pytest, slr_fsm" in " ".join(source.split())


def test_a_user_step_check_gets_the_step_it_broke_on(generated):
    """A check of a step is asserted on the last step, rebuilt with the world before it, the
    Move itself and its outcome, and fails there."""
    sources, verdicts, output = generated
    source = sources["test_step_check.py"]
    assert verdicts["test_step_check.py"] == "FAILED"
    assert (
        "the_clock_never_deletes_a_role broke: The clock never takes a role to deleted." in output
    )
    assert "    before = sim.fork()" in source
    assert "verdict = the_clock_never_deletes_a_role(Step(before, Move(" in source


def test_markers_refusals_the_clock_and_faults_replay_as_calls(generated):
    """A path with every kind of move replays as calls that answer as recorded: lists and the
    caller's user written out, the latest deletion task looked up, a refusal in
    pytest.raises, faults and the clock, idle or not; Simulation.default(seed=3) recognised."""
    sources, verdicts, _ = generated
    source = sources["test_markers.py"]
    assert verdicts["test_markers.py"] == "PASSED"
    for part in (
        "sim = Simulation.default(seed=3)",
        'Tags=[{"Key": "slr-fsm", "Value": "explored"}]',
        'PolicySourceArn="arn:aws:iam::111122223333:user/admin"',
        '**resolve_params(sim, MANAGEMENT, {"DeletionTaskId": "<latest task of ',
        'with pytest.raises(AwsError, match="^AccessDenied:"):',
        "sim.inject_creation_failure(1)",
        "assert sim.faults.creation_failures  # a creation failure is planned already",
    ):
        assert part in source
    assert "verdict" not in source  # a path breaks nothing: no assertion at the end


def test_a_world_of_its_own_is_restored_from_a_readable_snapshot(generated):
    """A start that is neither small_world() nor Simulation.default() is written as an
    indented snapshot literal and restored; the test passes."""
    sources, verdicts, _ = generated
    source = sources["test_restored.py"]
    assert verdicts["test_restored.py"] == "PASSED"
    assert "sim = Simulation.restore(START)" in source
    assert "'auditor'" in source
    start = source.split("START = ", 1)[1].split("\n    sim = ", 1)[0]
    assert start.count("\n") > 20  # a literal, a field a line
    assert "json.loads" not in source


def test_what_cannot_be_written_out_is_refused_with_a_reason():
    """A lambda, a closure, a world that is not the trace's, a planted trace without its
    world, a user invariant the trace does not carry, or a bad test name: a UsageError
    saying what to do."""
    never = explore(depth=0, invariants=[lambda world: False]).violations["<lambda>"]
    with pytest.raises(UsageError, match="define it with def"):
        never.to_pytest()
    limit = 0

    def closure(world):
        return limit > 0

    with pytest.raises(UsageError, match="uses limit from the function it is defined in"):
        explore(depth=0, invariants=[closure]).violations["closure"].to_pytest()
    typed_at_a_prompt: dict[str, object] = {}
    exec("def typed(world):\n    return False", typed_at_a_prompt)  # no file holds its source
    with pytest.raises(UsageError, match=r"typed at a prompt.*any other file .* is copied"):
        explore(depth=0, invariants=[typed_at_a_prompt["typed"]]).violations["typed"].to_pytest()
    path = trace_of(small_world(), [])
    with pytest.raises(UsageError, match="does not build the world this trace started from"):
        path.to_pytest(world=lambda: Simulation.default())
    planted = load(EXAMPLES / "planted_bug.py", "planted_bug")
    trace = explore(planted.planted_world(), depth=1, invariants=[lambda w: False]).violations[
        "<lambda>"
    ]
    with pytest.raises(UsageError, match="lifecycle of its own"):
        trace.to_pytest(invariant="deletion_always_ends")
    with pytest.raises(UsageError, match="not a library invariant"):
        Trace(path.start, (), "mine").to_pytest()
    with pytest.raises(UsageError, match="starting 'test'"):
        path.to_pytest("check it")


def test_a_users_module_constant_and_the_writers_constant_share_a_name_safely(tmp_path):
    """The writer names the role ROLE; a user's ROLE of the same value is one constant, and one
    of another value keeps its name while the writer's becomes ROLE_2."""
    for value, expected in (("AWSServiceRoleForMarketplacePurchaseOrders", 1), ("Other", 2)):
        (tmp_path / f"same_{expected}.py").write_text(
            textwrap.dedent(f'''
            ROLE = "{value}"


            def role_named(world):
                return ROLE != ""
        ''')
        )
        module = load(tmp_path / f"same_{expected}.py", f"same_{expected}")
        trace = trace_of(small_world(), [pick(small_world(), "get_role")], broken="role_named")
        source = trace.to_pytest(invariant=module.role_named)
        assert source.count("ROLE = ") + source.count("ROLE_2 = ") == expected
        assert f'ROLE = "{value}"' in source
        compile(source, "generated.py", "exec")
