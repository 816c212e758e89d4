"""cfn-lint over every synthesized template, against the template's own Region.

``IGNORED_RULES`` is the one place a cfn-lint rule may be ignored, each with its reason.
Errors always fail; warnings that are not ignored fail too, so the list stays honest.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kickoff.rules.assembly import StackArtifact

IGNORED_RULES: dict[str, str] = {
    "W3010": (
        "Avoid hardcoding availability zones: cells pin their AZs in config on purpose, so synth needs "
        "no AWS lookup and a cell's subnets never move between AZs on a redeploy."
    ),
    "W3005": (
        "Redundant DependsOn: emitted by aws-cdk-lib's own custom-resource provider "
        "(Custom::VpcRestrictDefaultSG), not by Kickoff code; harmless."
    ),
}


@dataclass(frozen=True)
class LintFinding:
    """One cfn-lint match."""

    stack: str
    rule: str
    level: str  # "error", "warning" or "informational"
    message: str
    location: str


def _lint_one(template_path: str, region: str, stack: str) -> list[LintFinding]:
    """cfn-lint one template for its Region (runs in a worker process)."""
    # cfn-lint is imported here: it takes about a second to load, and config-only commands never need it.
    from cfnlint.api import ManualArgs, lint_file

    matches = lint_file(Path(template_path), config=ManualArgs(regions=[region], ignore_checks=sorted(IGNORED_RULES)))
    return [
        LintFinding(
            stack=stack,
            rule=match.rule.id,
            level={"E": "error", "W": "warning", "I": "informational"}.get(match.rule.id[0], "error"),
            message=match.message,
            location=f"{Path(template_path).name}:{match.linenumber}",
        )
        for match in matches
    ]


def lint_stacks(stacks: list[StackArtifact], workers: int | None = None) -> list[LintFinding]:
    """Lint every stack's template for its Region, on every core; ignored rules are left out.

    cfn-lint is single-threaded and a cell template takes seconds, so templates are spread over
    ``workers`` processes (default: one per core), the largest first. Spawned, not forked: the
    caller may hold jsii's threads. Findings come back in the stacks' order.
    """
    workers = min(len(stacks), workers or os.cpu_count() or 1)
    jobs = [(s.template_path, s.region, s.name) for s in stacks]
    if workers <= 1:
        return [f for job in jobs for f in _lint_one(*job)]
    order = sorted(range(len(jobs)), key=lambda i: -Path(jobs[i][0]).stat().st_size)
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {i: pool.submit(_lint_one, *jobs[i]) for i in order}
        return [f for i in range(len(jobs)) for f in futures[i].result()]
