"""Typed clients: with boto3-stubs installed, a user's code and tests that use slr_fsm's clients
and fixtures type-check under ``mypy --strict`` without casts (the ``dev`` extra installs both;
elsewhere the test says why it is skipped)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent / "typed_user_project"
NEEDED = ("mypy", "mypy_boto3_iam", "mypy_boto3_sts", "mypy_boto3_organizations")


def test_a_users_typed_project_passes_mypy_strict_without_casts():
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}: pip install -e '.[dev]'")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir=/dev/null", str(PROJECT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cast(" not in "".join(p.read_text() for p in PROJECT.glob("*.py"))
