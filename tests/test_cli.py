"""The slr-fsm command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from slr_fsm.cli import main


def test_simulate_tells_the_whole_story(capsys):
    """`slr-fsm simulate` prints one line a step, from the refused member to the re-creation."""
    assert main(["simulate"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "member-a/admin" in lines[0]
    assert "AccessDenied" in lines[0]
    for expected in ("absent -> creating", "UnmodifiableEntity", "active -> deleting_blocked",
                     "deleting_blocked -> deleted", "NoSuchEntity", "deleted -> creating"):
        assert expected in out
    assert "earlier RoleIds: AROA" in lines[-1]


def test_simulate_json_is_one_event_a_line_and_seeded(capsys):
    """--json prints the trace as JSON lines; --seed changes ids but not the story."""
    main(["simulate", "--json", "--seed", "1"])
    first = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    main(["simulate", "--json", "--seed", "2"])
    second = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["outcome"] for e in first] == [e["outcome"] for e in second]
    assert first != second
    assert {"step", "time", "principal", "operation", "outcome", "state_before", "state_after"} <= set(first[0])


def test_unknown_command_exits_with_usage():
    """An unknown sub-command is argparse's usage error (exit 2)."""
    with pytest.raises(SystemExit) as exited:
        main(["frobnicate"])
    assert exited.value.code == 2


def test_the_installed_entry_point_runs():
    """`python -m slr_fsm.cli simulate` works as a separate process."""
    done = subprocess.run([sys.executable, "-m", "slr_fsm.cli", "simulate"], capture_output=True,
                          text=True, check=True, timeout=60)
    assert "deleted -> creating" in done.stdout
