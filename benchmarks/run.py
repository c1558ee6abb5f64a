"""slr_fsm's benchmarks, each side by side with what it is compared with, in one run.

    python benchmarks/run.py            # every benchmark; rewrites docs/performance.md
    python benchmarks/run.py --quick    # a fast pass (CI), printed only

Every figure is the median over repeats, with the spread (min to max) beside it; ratios are
medians divided by medians. Nothing here asserts a time: targets are reported, met or missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import attrs
from harness import Row

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("bench_kernel", "bench_boto", "bench_world", "bench_explorer", "server_load")
"""Each module's rows, in the table's order (every module has ``rows(quick)``); each runs in a
fresh interpreter, so that no area's leftovers (moto and botocore loaded, the heap of a
million-role world, processes forked from it) weigh on another's figures."""
NOTES = ("kernel", "boto", "world", "explorer", "server")
"""benchmarks/notes/NAME.md, in this order, follow the table: what was measured, missed, changed."""


# --------------------------------------------------------------------------- report

def render(rows: list[Row], seconds: float, quick: bool) -> str:
    lines = [
        "# Performance",
        "",
        "Measured by `python benchmarks/run.py` (this page is its output; do not edit by hand)"
        + (" in quick mode" if quick else "") + f", in {seconds:,.0f} s, on "
        f"{platform.machine()} with {os.cpu_count()} cores, Python {platform.python_version()}.",
        "Each figure is a median over repeats, with the spread (fastest–slowest repeat) in "
        "brackets; ratios divide medians. Targets come from the project's issue on benchmarks.",
        "",
        "| what | slr_fsm | compared with | them | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        met = {True: "yes", False: "**no**", None: "-"}[row.met]
        note = f" ({row.note})" if row.note else ""
        lines.append(f"| {row.what} | {row.ours} | {row.compared_with}{note} | {row.theirs} | "
                     f"{row.ratio:,.2f}× | {row.target} | {met} |")
    lines += ["", "## Notes: what was measured, what was missed, what was changed", "",
              "Each area's notes were written where the work was done, often on a loaded machine: "
              "they quote their own measurements to show shares and before/after ratios. Where a "
              "figure differs from the table above, the table (this run) is the measurement."]
    for name in NOTES:
        notes = ROOT / "benchmarks" / "notes" / f"{name}.md"
        if notes.exists():
            lines += ["", notes.read_text().strip()]
    return "\n".join(lines) + "\n"


def section_rows(module: str, quick: bool) -> list[Row]:
    """``module.rows(quick)``, measured in a fresh interpreter (its rows come back as JSON on the
    last line of its output; its progress goes to stderr as it runs)."""
    code = (
        f"import json, attrs, {module}; "
        f"print(json.dumps([attrs.asdict(r) for r in {module}.rows({quick!r})]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return [Row(**row) for row in json.loads(done.stdout.splitlines()[-1])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes")
    parser.add_argument("--out", help="where to write the Markdown (default: docs/performance.md, "
                        "or stdout only in quick mode)")
    parser.add_argument("--json", help="also write the raw rows as JSON to this file")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    rows: list[Row] = []
    for section in SECTIONS:
        print(f"running {section} ...", file=sys.stderr)
        rows += section_rows(section, args.quick)
    text = render(rows, time.perf_counter() - began, args.quick)
    print(text)
    out = args.out or (None if args.quick else str(ROOT / "docs" / "performance.md"))
    if out:
        Path(out).write_text(text)
    if args.json:
        Path(args.json).write_text(json.dumps([attrs.asdict(r) for r in rows], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
