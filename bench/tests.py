"""How long ``make test`` and ``.ci/run`` take, with the machine's load recorded beside every figure.

Runs what ``make test`` runs after set-up (``ruff check``, ``ruff format --check``, then ``pytest``, which uses one
pytest-xdist worker per core) in this checkout, and optionally ``.ci/run`` in a fresh clone of HEAD (set-up from
the package registries included). For each run it records the wall time, the one-minute load average before and
after, the core count, the test count and pytest's 15 slowest tests. Timings are never asserted by a test: the
load changes them several-fold (a busy machine is recorded as such, not hidden).

Each run appends one row to the history table of ``bench/results/tests.md``, so earlier figures stay beside the new
ones, and the slowest tests of the latest run replace the previous list.

    .venv/bin/python bench/tests.py            # make test's steps, warm (the venv and caches as they are)
    .venv/bin/python bench/tests.py --ci       # also .ci/run from a fresh clone of HEAD
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "tests.md"
PYTHON = ROOT / ".venv" / "bin" / "python"
HISTORY_HEADER = "| date (UTC) | commit | what | wall s | tests | cores | load before | load after | notes |"
SLOWEST = 15


@dataclass
class Run:
    what: str
    wall: float
    load_before: float
    load_after: float
    tests: str
    slowest: list[str]
    returncode: int
    notes: str = ""
    commit: str = ""


def _load() -> float:
    return os.getloadavg()[0]


def _commit(tree: Path = ROOT) -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=tree, capture_output=True, text=True).stdout.strip()
    return found.stdout.strip() + ("+changes" if dirty else "")


def _timed(what: str, commands: list[list[str]], cwd: Path, env: dict[str, str]) -> Run:
    print(f"bench/tests.py: {what} ...", flush=True)
    before = _load()
    started = time.perf_counter()
    output = ""
    code = 0
    for command in commands:
        print(f"  $ {' '.join(command)}", flush=True)
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        output += done.stdout + done.stderr
        code = done.returncode
        if code:
            break
    wall = time.perf_counter() - started
    after = _load()
    # Every pytest summary of the run (.ci/run has two: make test's and make e2e's).
    summary = re.findall(r"^=*\s*(\d+ (?:passed|failed).*? in [\d.]+s)", output, flags=re.MULTILINE)
    slowest = re.findall(r"^([\d.]+s (?:call|setup|teardown)\s+\S+)$", output, flags=re.MULTILINE)[:SLOWEST]
    print(f"bench/tests.py: {what}: {wall:.0f} s, exit {code}, load {before:.2f} -> {after:.2f}", flush=True)
    if code:
        print(output[-4000:], file=sys.stderr)
    return Run(what, wall, before, after, "; ".join(summary) or "-", slowest, code, commit=_commit(cwd))


def make_test() -> Run:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return _timed(
        "make test (warm)",
        [
            [str(PYTHON), "-m", "ruff", "check", "."],
            [str(PYTHON), "-m", "ruff", "format", "--check", "."],
            [str(PYTHON), "-m", "pytest", "-p", "no:cacheprovider", f"--durations={SLOWEST}", "-q"],
        ],
        ROOT,
        env,
    )


def ci_run() -> Run:
    """``.ci/run`` in a fresh clone of HEAD, as CI runs it (the package caches of this machine stay)."""
    work = Path(tempfile.mkdtemp(prefix="kickoff-ci-"))
    try:
        subprocess.run(["git", "clone", "-q", str(ROOT), str(work / "kickoff")], check=True)
        env = {**os.environ, "CI": "true", "PYTEST_ADDOPTS": f"--durations={SLOWEST}"}
        return _timed(".ci/run (fresh clone)", [["bash", ".ci/run"]], work / "kickoff", env)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write(runs: list[Run]) -> Path:
    text = RESULTS.read_text() if RESULTS.exists() else ""
    history = [line for line in text.splitlines() if line.startswith("| 20")]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    for run in runs:
        notes = "FAILED" if run.returncode else run.notes
        history.append(
            f"| {stamp} | {run.commit} | {run.what} | {run.wall:.0f} | {run.tests} | {os.cpu_count()} | "
            f"{run.load_before:.2f} | {run.load_after:.2f} | {notes} |"
        )
    lines = [
        "# Test loop",
        "",
        "Written by `bench/tests.py`: wall time of `make test`'s steps (warm: the venv and caches in place) and of",
        "`.ci/run` from a fresh clone, with the one-minute load average before and after. A run on a loaded machine is",
        "slower by about the load; compare rows with similar load.",
        "",
        HISTORY_HEADER,
        "|---|---|---|---|---|---|---|---|---|",
        *history,
        "",
    ]
    for run in runs:
        if run.slowest:
            lines += [f"## Slowest {SLOWEST} tests, {run.what}, {stamp}", "", "```", *run.slowest, "```", ""]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines))
    return RESULTS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ci", action="store_true", help="also run .ci/run in a fresh clone of HEAD")
    parser.add_argument("--skip-make-test", action="store_true", help="only the fresh-clone .ci/run")
    args = parser.parse_args()
    runs = [] if args.skip_make_test else [make_test()]
    if args.ci:
        runs.append(ci_run())
    print(f"wrote {write(runs)}")
    return max((r.returncode for r in runs), default=0)


if __name__ == "__main__":
    sys.exit(main())
