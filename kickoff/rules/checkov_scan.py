"""Run checkov (its own virtual environment) over synthesized templates and apply the skip file."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kickoff.paths import CACHE_DIR, CHECKOV, REPO_ROOT
from kickoff.rules import content_cache

SKIP_FILE = Path(__file__).with_name("checkov_skips.yaml")
CHECKOV_REQUIREMENTS = REPO_ROOT / "requirements-checkov.txt"
CHECKOV_CACHE_DIR = CACHE_DIR / "checkov"
CHECKOV_CACHE_ENV = "KICKOFF_CHECKOV_CACHE"  # another cache folder (a benchmark's cold run), as KICKOFF_LINT_CACHE
CHECKOV_CACHE_ENTRIES = 256


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


def _cache_key(path: Path) -> str:
    """The template's bytes and checkov's pinned environment (requirements-checkov.txt): what a result depends on."""
    digest = hashlib.sha256(CHECKOV_REQUIREMENTS.read_bytes() + b"\0")
    digest.update(path.read_bytes())
    return digest.hexdigest()


def _scan(paths: list[Path]) -> dict[str, dict[str, Any]]:
    """checkov offline over ``paths`` in one process; per resolved path: passed count and failed checks."""
    args = [str(CHECKOV), "--framework", "cloudformation", "--skip-download", "-o", "json"]
    for path in paths:
        args += ["-f", str(path)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed ({result.returncode}): {result.stderr[-2000:]}")
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    per_file: dict[str, dict[str, Any]] = {str(p.resolve()): {"passed": 0, "failed": []} for p in paths}
    for report in reports:
        results = report.get("results", {})
        for check in results.get("passed_checks", []):
            per_file[str(Path(check["file_abs_path"]).resolve())]["passed"] += 1
        for check in results.get("failed_checks", []):
            per_file[str(Path(check["file_abs_path"]).resolve())]["failed"].append(
                [check["check_id"], check["check_name"], check["resource"].split(".", 1)[1]]
            )
    return per_file


def run_checkov(template_files: list[Path], *, cache: bool = True) -> tuple[dict[str, int], list[CheckovFailure]]:
    """checkov over ``template_files``: its summary (passed, failed, resources, scanned) and every failure.

    Results are cached per template in ``build/cache/checkov`` by the template's bytes and checkov's pinned
    environment, so only templates checkov has not seen are scanned (one process for all of them).
    """
    if not CHECKOV.exists():
        raise FileNotFoundError(
            f"{CHECKOV} is missing; `make test` creates .checkov-venv from requirements-checkov.txt"
        )
    paths = [Path(p) for p in template_files]
    keys = {p: _cache_key(p) for p in paths}
    results: dict[Path, dict[str, Any]] = {}
    directory = (Path(os.environ.get(CHECKOV_CACHE_ENV) or CHECKOV_CACHE_DIR)) if cache else None
    for path in paths:
        hit = content_cache.read(directory, keys[path])
        if isinstance(hit, dict):
            results[path] = hit
    missing = [p for p in paths if p not in results]
    if missing:
        scanned = _scan(missing)
        for path in missing:
            results[path] = scanned[str(path.resolve())]
        content_cache.write(directory, {keys[p]: results[p] for p in missing}, keep=CHECKOV_CACHE_ENTRIES)
    summary = {
        "passed": sum(r["passed"] for r in results.values()),
        "failed": sum(len(r["failed"]) for r in results.values()),
        "resources": sum(len(json.loads(p.read_text()).get("Resources", {})) for p in paths),
        "scanned": len(missing),
    }
    failures = [
        CheckovFailure(check_id, check_name, logical_id, path.name)
        for path in paths
        for check_id, check_name, logical_id in results[path]["failed"]
    ]
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
