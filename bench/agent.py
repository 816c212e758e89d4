"""How long the capacity agent takes: planning prod's horizon, and a run against moto (first run, then a run with
nothing to change). ``.venv/bin/python bench/agent.py`` writes bench/results/agent.md; about 30 s on 2 cores.

The run is in-process against moto (tests/agent/harness.py sets a cell up as a deploy leaves it), so it measures
the agent's own work and one call per change; on AWS each call adds its network latency.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moto import mock_aws  # noqa: E402

from e2e import moto_capacity  # noqa: E402
from kickoff.agent.desired import plan_window  # noqa: E402
from kickoff.config.loader import load_for_context  # noqa: E402
from kickoff.planning import calendar_events, capacity_spec  # noqa: E402
from kickoff.scaling.spec import plan_horizon  # noqa: E402
from tests.agent.harness import make_cell  # noqa: E402

RESULTS = ROOT / "bench" / "results"
AT = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)  # two days before a prod game: two games in the horizon


def measure(runs: int) -> dict[str, list[float] | int]:
    prod = load_for_context("prod", None)
    spec = capacity_spec(prod)
    plans = []
    for i in range(runs):
        started = time.perf_counter()
        plan_horizon(spec, calendar_events(prod), plan_window(spec, AT + timedelta(minutes=5 * i)))
        plans.append(time.perf_counter() - started)
        print(f"bench/agent.py: plan {i + 1}/{runs}: {plans[-1]:.2f} s", flush=True)
    first, steady, writes = [], [], 0
    for _ in range(runs):
        moto_capacity.reset()
        with mock_aws():
            cell = make_cell(prod, "us-east-1")
            cell.publish_config(prod, 1, AT)
            started = time.perf_counter()
            result = cell.run(AT)
            first.append(time.perf_counter() - started)
            assert result.success, result.problems + result.report.errors
            writes = len(result.report.writes)
            started = time.perf_counter()
            again = cell.run(AT + timedelta(minutes=5))
            steady.append(time.perf_counter() - started)
            assert again.success and not again.report.writes
            print(
                f"bench/agent.py: apply {len(first)}/{runs}: first {first[-1]:.2f} s, steady {steady[-1]:.2f} s",
                flush=True,
            )
    return {"plan": plans, "first": first, "steady": steady, "writes": writes}


def write_markdown(figures: dict[str, list[float] | int], runs: int) -> Path:
    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} s ({min(values):.2f} to {max(values):.2f})"

    lines = [
        "# The capacity agent's run time (`bench/agent.py`)",
        "",
        f"{runs} runs on {os.cpu_count()} cores, prod's config and calendar, the agent run at {AT:%Y-%m-%d %H:%M} UTC "
        "(two games in its 14 days), us-east-1, in-process against moto.",
        "",
        "| what | median (min to max) |",
        "|---|---|",
        f"| plan prod's horizon (`plan_horizon`, every cell and service) | {cell(figures['plan'])} |",  # type: ignore[arg-type]
        f"| first run: plan, read, write {figures['writes']} changes, read back | {cell(figures['first'])} |",  # type: ignore[arg-type]
        f"| next run, nothing to change: plan, read, compare | {cell(figures['steady'])} |",  # type: ignore[arg-type]
        "",
        "On AWS each of the first run's calls adds its latency (tens of milliseconds), so a first run takes seconds; "
        "the Lambda function's timeout is 5 minutes.",
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "agent.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement (default 5)")
    args = parser.parse_args()
    print(f"wrote {write_markdown(measure(args.runs), args.runs).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
