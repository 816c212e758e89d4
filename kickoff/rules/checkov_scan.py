"""Run checkov (its own virtual environment) over synthesized templates and apply the skip file."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kickoff.paths import CHECKOV

SKIP_FILE = Path(__file__).with_name("checkov_skips.yaml")


@dataclass(frozen=True)
class CheckovFailure:
    """A failed checkov check on one resource of one template."""

    check_id: str
    check_name: str
    logical_id: str
    file: str


def skips() -> dict[str, dict[str, Any]]:
    """The skip file: check ID -> {title, reason, resources}."""
    return yaml.safe_load(SKIP_FILE.read_text())


def run_checkov(template_files: list[Path]) -> tuple[dict[str, int], list[CheckovFailure]]:
    """Run checkov offline over ``template_files``; returns its summary and every failure."""
    if not CHECKOV.exists():
        raise FileNotFoundError(
            f"{CHECKOV} is missing; `make test` creates .checkov-venv from requirements-checkov.txt"
        )
    args = [str(CHECKOV), "--framework", "cloudformation", "--skip-download", "--quiet", "--compact", "-o", "json"]
    for path in template_files:
        args += ["-f", str(path)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed ({result.returncode}): {result.stderr[-2000:]}")
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    summary = {"passed": 0, "failed": 0, "resources": 0}
    failures = []
    for report in reports:
        summary["passed"] += report["summary"]["passed"]
        summary["failed"] += report["summary"]["failed"]
        summary["resources"] += report["summary"]["resource_count"]
        for check in report["results"]["failed_checks"]:
            failures.append(
                CheckovFailure(
                    check["check_id"],
                    check["check_name"],
                    check["resource"].split(".", 1)[1],
                    Path(check["file_path"]).name,
                )
            )
    return summary, failures


def unlisted(failures: list[CheckovFailure]) -> tuple[list[CheckovFailure], set[str]]:
    """Failures the skip file does not cover, and skip entries that matched nothing."""
    table = skips()
    used: set[str] = set()
    uncovered = []
    for failure in failures:
        entry = table.get(failure.check_id)
        if entry and any(re.fullmatch(p, failure.logical_id) for p in entry["resources"]):
            used.add(failure.check_id)
        else:
            uncovered.append(failure)
    return uncovered, set(table) - used
