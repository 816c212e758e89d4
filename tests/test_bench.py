"""The benchmarks still run: a refactor once broke bench/prescaling.py and nothing noticed for weeks.

Each benchmark is loaded from its file and its report is written from a short run into a temporary folder;
the figures themselves are never asserted (speed is measured by the benchmarks, not by tests).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tests.support import REPO_ROOT


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO_ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses in the module resolve their own module
    spec.loader.exec_module(module)
    return module


def test_prescaling_writes_its_report_from_one_day(tmp_path, monkeypatch) -> None:
    bench = _load("prescaling")
    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    monkeypatch.setattr(bench, "WEEK_HOURS", 24)
    monkeypatch.setattr(bench, "WEEK_START", bench.EVENT.kickoff.replace(hour=0, minute=0))
    monkeypatch.setattr(bench, "ERRORS", (0.0,))
    monkeypatch.setattr(bench, "STRESS_HOURS", 18)
    metrics, _ = bench.run_error(0.0)
    # Every stress case at its first error only: each builds its own plan and realises its own day.
    stress = {i: [bench.run_stress((i, case.errors[0]))[1]] for i, case in enumerate(bench.stress_cases())}
    overhead = [(bench.CLIENT_CONTRACT, 0.25, 0.1, tuple(0.0 for _ in bench.FAILURES), (0.0, 0.0), 0.12)]
    baseline_runs = [bench.run_baseline_error((0.0, 0.1))]
    report: Path = bench.write_markdown(bench.make_plan(), metrics, metrics, metrics, overhead, stress, baseline_runs)
    text = report.read_text()
    assert "## Under-provisioning, three measures side by side" in text
    assert "## Cost at zero error: task-hours, vCPU-hours and USD" in text and "(b-N1)" in text
    assert "## Stress cases" in text and "fails at the peak" in text
    assert "## The benchmark's targets" in text
    assert "## Sensitivity: the baseline misses its forecast" in text


def test_synth_bench_builds_its_configs(monkeypatch, tmp_path) -> None:
    bench = _load("synth")
    monkeypatch.setattr(bench, "WORK", tmp_path)
    config = bench.generated_config(6, 5)
    assert config.is_file() and "bench6r5s" in config.name


def test_the_agent_benchmark_writes_its_report(tmp_path, monkeypatch) -> None:
    bench = _load("agent")
    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    text = bench.write_markdown(bench.measure(1), 1).read_text()
    assert "first run: plan, read, write" in text and "next run, nothing to change" in text
