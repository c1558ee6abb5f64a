"""The slr-fsm command line: the story in text that fits 100 columns and as JSON lines, scenarios
of one's own, honest explore summaries, and every mistake one line on stderr with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from slr_fsm.cli import EXIT_USAGE, main
from slr_fsm.cli.explore_command import EXIT_STOPPED
from slr_fsm.cli.story import WIDTH


def test_simulate_tells_the_whole_story_under_a_header_within_100_columns(capsys):
    assert main(["simulate"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["#", "time", "caller", "operation", "outcome"]
    assert lines[2].split()[:5] == [
        "1",
        "00:00:00",
        "member-a/admin",
        "configure_billing_integration",
        "AccessDenied",
    ]
    # within WIDTH, but an ARN longer than that stays whole (copyable) on its own line
    assert all(len(line) <= WIDTH or len(line.split()) == 1 for line in lines)
    assert (
        "arn:aws:iam::111122223333:role/aws-service-role/purchase-orders.marketplace.amazonaws.com/"
        "AWSServiceRoleForMarketplacePurchaseOrders" in out.split()
    )
    for expected in (
        "absent -> creating",
        "UnmodifiableEntity: Cannot perform the operation on the protected role",
        "AccessDenied: User: arn:aws:iam::111122223333:user/readonly is not authorized",
        "active -> deleting_blocked",
        "deleting_blocked -> deleted",
        "NoSuchEntity: The role with name AWSServiceRoleForMarketplacePurchaseOrders cannot be found.",
        "deleted -> creating",
    ):
        assert expected in " ".join(out.split())  # wrapped lines read as one text
    # the step that reads the failed task shows the resources in use, per Region
    assert "in use in us-east-1:" in out
    assert (
        "arn:aws:aws-marketplace:us-east-1:111122223333:billing-integration/purchase-orders" in out
    )
    assert "earlier RoleIds: AROA" in lines[-1]


def test_simulate_json_numbers_events_as_the_text_does_and_carries_the_answers(capsys):
    main(["simulate"])
    text = capsys.readouterr().out.splitlines()
    numbered = [line.split()[0] for line in text[2:] if line[:3].strip().isdigit()]
    main(["simulate", "--json"])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [str(r["seq"]) for r in records] == numbered
    assert records[0]["seq"] == 1
    status = next(r for r in records if r["operation"] == "get_service_linked_role_deletion_status")
    assert status["answer"]["Status"] == "FAILED"
    assert status["answer"]["Reason"]["RoleUsageList"][0]["Region"] == "us-east-1"
    refused = records[0]
    assert refused["answer"]["Error"]["Code"] == "AccessDenied"
    created = next(
        r
        for r in records
        if r["operation"] == "configure_billing_integration" and r["outcome"] == "ok"
    )
    assert created["narration"].startswith("The management account sets it up")


def test_simulate_json_is_seeded(capsys):
    main(["simulate", "--json", "--seed", "1"])
    first = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    main(["simulate", "--json", "--seed", "2"])
    second = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["outcome"] for e in first] == [e["outcome"] for e in second]
    assert first != second


def test_run_prints_a_scenario_of_ones_own_like_simulate(tmp_path, capsys):
    scenario = tmp_path / "story.json"
    scenario.write_text(
        json.dumps(
            [
                {
                    "face": "console",
                    "operation": "configure_billing_integration",
                    "account": "management",
                    "say": "Set up the billing integration.",
                },
                {"settle": True, "say": "The role becomes active."},
                {
                    "face": "iam",
                    "operation": "update_role",
                    "account": "management",
                    "parameters": {
                        "RoleName": "AWSServiceRoleForMarketplacePurchaseOrders",
                        "MaxSessionDuration": 7200,
                    },
                },
                {"advance": 5},
                {
                    "face": "sts",
                    "operation": "get_caller_identity",
                    "account": "444455556666",
                    "principal": "readonly",
                },
            ]
        )
    )
    assert main(["run", str(scenario)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "absent -> creating - Set up the billing integration." in out
    assert "creating -> active - The role becomes active." in out
    assert "UnmodifiableEntity: Cannot perform the operation on the protected role" in out
    assert "member-a/readonly get_caller_identity ok" in out
    assert main(["run", str(scenario), "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records[-1]["answer"]["Arn"] == "arn:aws:iam::444455556666:user/readonly"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("not json", "cannot read the scenario"),
        ('{"face": "iam"}', "A scenario is a JSON list of steps"),
        ('[{"face": "s3", "operation": "x", "account": "a"}]', "Scenario step 1: 'face' is one of"),
        ('[{"face": "iam", "operation": "drop_table", "account": "a"}]', "iam has no operation"),
        ('[{"advance": "soon"}]', "'advance' is a number of seconds"),
        ('[{"settle": true, "advance": 1}]', "a clock step is"),
        ('[{"face": "iam", "operation": "get_role", "account": "a", "colour": 1}]', "unknown keys"),
        (
            '[{"face": "iam", "operation": "get_role", "account": "nobody"}]',
            "Scenario step 1: no account 'nobody' in this world; it holds management (111122223333)",
        ),
        (
            '[{"settle": true}, {"face": "iam", "operation": "list_roles",'
            ' "account": "management", "principal": "bob"}]',
            "Scenario step 2: InvalidClientTokenId: ",
        ),
    ],
)
def test_a_bad_scenario_is_one_line_and_exit_code_2(tmp_path, capsys, content, says):
    scenario = tmp_path / "bad.json"
    scenario.write_text(content)
    assert main(["run", str(scenario)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("slr-fsm run: ")
    assert says in err
    assert err.count("\n") == 1


def test_an_unknown_invariant_name_is_one_line_listing_the_library_s(capsys):
    assert main(["explore", "--invariant", "nope", "--depth", "1"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("slr-fsm explore: --invariant 'nope' is not one of the library's")
    assert "never_deleted_while_in_use" in err
    assert err.count("\n") == 1


def test_a_missing_scenario_file_is_one_line(capsys):
    assert main(["run", "/nonexistent/story.json"]) == EXIT_USAGE
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        ["explore", "--depth", "many"],
        ["simulate", "--seed", "x"],
        ["diagram", "--format", "gif"],
        ["serve", "--port", "http"],
    ],
)
def test_every_bad_argument_is_one_line_on_stderr_with_exit_code_2(capsys, argv):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("slr-fsm")
    assert "--help" in err


def test_version(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("slr-fsm ")


def test_diagram_format_follows_the_extension_and_bad_paths_are_one_line(tmp_path, capsys):
    assert main(["diagram", "--out", str(tmp_path / "life.mmd")]) == 0
    assert (tmp_path / "life.mmd").read_text().startswith("stateDiagram")
    assert main(["diagram", "--out", str(tmp_path / "life.dot")]) == 0
    assert "digraph" in (tmp_path / "life.dot").read_text()
    assert main(["diagram", "--out", str(tmp_path / "life.png")]) == 0
    assert (tmp_path / "life.png").read_bytes().startswith(b"\x89PNG")
    for bad in (tmp_path / "missing" / "x.mmd", tmp_path, tmp_path / "life.gif"):
        capsys.readouterr()
        assert main(["diagram", "--out", str(bad)]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert err.startswith("slr-fsm diagram: ")
        assert err.count("\n") == 1


def test_explore_says_honestly_when_a_bound_stopped_it(capsys):
    code = main(["explore", "--depth", "12", "--max-states", "50", "--quiet"])
    out = capsys.readouterr().out
    assert code == EXIT_STOPPED
    assert out.startswith("stopped before finishing depth ")
    assert " of 12 " in out.splitlines()[0]
    assert "the invariants held in the" in out
    assert main(["explore", "--depth", "12", "--max-states", "50", "--json"]) == EXIT_STOPPED
    record = json.loads(capsys.readouterr().out)
    assert (record["complete"], record["frontier"]) == (False, None)  # unknown, not -1
    assert record["states"] >= 50


@pytest.mark.parametrize("module", ["slr_fsm.cli", "slr_fsm"])
def test_the_installed_entry_point_runs(module):
    """`python -m slr_fsm.cli simulate` and `python -m slr_fsm simulate` work as a separate
    process."""
    done = subprocess.run(
        [sys.executable, "-m", module, "simulate"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "deleted -> creating" in done.stdout


def test_a_story_step_refused_before_any_call_is_a_usage_error_not_a_silent_gap():
    from slr_fsm import Simulation
    from slr_fsm.errors import UsageError
    from slr_fsm.scenario import Step, run_story

    sim = Simulation.default()
    before = len(sim.trace)
    stranger = Step("A stranger reads the role.", lambda s: s.iam("999999999999").list_roles())
    with pytest.raises(UsageError, match=r"'A stranger reads the role\.' was refused before any"):
        run_story(sim, [stranger])
    assert len(sim.trace) == before


@pytest.mark.parametrize(
    ("argv", "missing"), [(["serve", "--port", "0"], "werkzeug"), (["access-keys"], "botocore")]
)
def test_a_missing_server_extra_is_one_line_naming_the_extra(argv, missing):
    blocked = f"import sys; sys.modules[{missing!r}] = None; from slr_fsm.cli import main; "
    run = subprocess.run(
        [sys.executable, "-c", blocked + f"sys.exit(main({argv!r}))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == EXIT_USAGE
    assert run.stderr == (
        f"slr-fsm {argv[0]}: slr-fsm {argv[0]} needs the server extra ({missing} is not "
        "installed): pip install 'slr-fsm[server]'\n"
    )


def test_access_keys_table_columns_line_up_whatever_the_names(capsys):
    assert main(["access-keys"]) == 0
    lines = capsys.readouterr().out.splitlines()
    starts = [lines[0].index(title) for title in ("principal", "AccessKeyId", "SecretAccessKey")]
    for line in lines[1:]:
        assert all(line[start - 2 : start] == "  " and line[start] != " " for start in starts)
    assert any(line.startswith("management (111122223333)  admin ") for line in lines)
