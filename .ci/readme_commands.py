"""Print the commands of the README's Quickstart block, one a line, so CI runs them verbatim.

Usage: python .ci/readme_commands.py [install|test]
"""

from __future__ import annotations

import pathlib
import re
import sys

readme = pathlib.Path(__file__).resolve().parent.parent.joinpath("README.md").read_text()
section = readme.split("## Quickstart", 1)[1]
block = re.search(r"```bash\n(.*?)```", section, re.S)
if block is None:
    sys.exit("README.md: no ```bash block under '## Quickstart'")
commands = [line for line in block.group(1).splitlines() if line.strip()]
if len(commands) != 2:
    sys.exit(f"README.md: the Quickstart block must hold exactly two commands, found {commands}")
which = sys.argv[1] if len(sys.argv) > 1 else "test"
print(commands[0] if which == "install" else commands[1])
