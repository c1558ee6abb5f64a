"""The README's test examples run, as written, as a user's own test files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parent.parent.joinpath("README.md").read_text()


def example(name: str) -> str:
    """The Python block between the README's ``<!-- name:start -->`` and ``:end`` markers."""
    block = README.split(f"<!-- {name}:start -->", 1)[1].split(f"<!-- {name}:end -->", 1)[0]
    found = re.search(r"```python\n(.*?)```", block, re.S)
    assert found, f"no python block in README section {name}"
    return found.group(1)


@pytest.mark.parametrize(("name", "tests"), [("pytest-example", 6), ("machine-example", 1)])
def test_readme_test_example_passes_as_a_users_test_file(pytester, name, tests):
    """Written to a file and run by pytest with the installed plugin, the README's example
    passes: the fixtures, the bridge and the subclassed machine all work as documented."""
    pytester.makepyfile(**{f"test_{name.replace('-', '_')}": example(name)})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=tests)


def test_the_machine_example_catches_a_cache_of_the_role_id(pytester):
    """Caching the RoleId instead of the ARN is a real bug (re-creation changes it); the same
    machine finds it."""
    buggy = example("machine-example").replace('["Role"]["Arn"]', '["Role"]["RoleId"]').replace(
        "self.sim.organization.management_account).arn",
        "self.sim.organization.management_account).role_id").replace(
        "machine_settings(max_examples=30)",
        "machine_settings(max_examples=300, derandomize=True, phases=[Phase.generate])").replace(
        "from hypothesis.stateful import", "from hypothesis import Phase\nfrom hypothesis.stateful import")
    pytester.makepyfile(test_role_id_cache=buggy)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)


def test_the_plugin_seed_option(pytester):
    """--slr-fsm-seed seeds the slr_sim fixture."""
    pytester.makepyfile(test_seed="def test_seed(slr_sim):\n    assert slr_sim.seed == 7\n")
    pytester.runpytest_subprocess("--slr-fsm-seed", "7", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_pytest_plugin_loads_without_hypothesis_or_the_simulation():
    """pytest loads the plugin in every run: it must import neither hypothesis nor the core."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('hypothesis', 'boto3', 'botocore'):\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import slr_fsm.testing.pytest_plugin\n"
        "print('slr_fsm.simulation' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
