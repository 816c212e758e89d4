"""checkov as a CDK validation plugin: every synth (and so every deploy) runs checkov's CloudFormation checks.

Any failure that ``kickoff/rules/checkov_skips.yaml`` does not list, with the resource's logical-ID pattern and a
reason, fails the synth. checkov runs from its own virtual environment (``make synth`` and ``make test`` build it
from requirements-checkov.txt) over the templates it has not seen: results are cached per template by its bytes
and checkov's pinned environment (``kickoff.rules.checkov_scan``), and templates do not depend on the time, so a
synth of an unchanged stack costs a hash.
"""

from __future__ import annotations

import time
from pathlib import Path

import aws_cdk as cdk
import jsii

from kickoff.guardrails.plugin import PluginIdentity, violation
from kickoff.guardrails.rule_pack import StackFacts
from kickoff.rules.checkov_scan import SKIP_FILE, run_checkov, unlisted
from kickoff.rules.summary import outdir_of, update_summary

PLUGIN_NAME = "Checkov"
FIX = (
    "Fix the property checkov names; or, where the check does not apply, list its ID with the resource's logical-ID "
    f"pattern and a reason in {SKIP_FILE.relative_to(SKIP_FILE.parents[2])}."
)


@jsii.implements(cdk.IPolicyValidationPlugin)
class CheckovPlugin(PluginIdentity):
    """Runs checkov over the synthesized templates; any failure outside the reasoned skip list fails the synth."""

    PLUGIN_NAME = PLUGIN_NAME

    def __init__(self, *, stacks: dict[str, StackFacts]) -> None:
        self._stacks = stacks  # template file name -> its stack (the packs' mapping)

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        started = time.perf_counter()
        paths = [Path(p) for p in context.template_paths if Path(p).name in self._stacks]
        if not paths:
            return cdk.PolicyValidationPluginReport(success=True, violations=[])
        try:
            summary, failures = run_checkov(paths)
        except (FileNotFoundError, RuntimeError) as error:
            fix = "Run `make setup` (it builds .checkov-venv from requirements-checkov.txt)."
            missing = violation(
                "CheckovDidNotRun", str(error), fix, template=str(paths[0]), logical_id="Checkov", location="(checkov)"
            )
            return cdk.PolicyValidationPluginReport(success=False, violations=[missing])
        uncovered, _unused = unlisted(failures)
        by_file = {p.name: p for p in paths}
        violations = [
            violation(
                f.check_id,
                f"{f.check_name} ({self._stacks[f.file].stack}/{f.logical_id})",
                FIX,
                template=str(by_file[f.file]),
                logical_id=f.logical_id,
                location=f.logical_id,
            )
            for f in uncovered
        ]
        update_summary(
            outdir_of(paths),
            PLUGIN_NAME,
            {
                "templates": len(paths),
                "scanned": summary["scanned"],
                "passed": summary["passed"],
                "failed": len(uncovered),
                "skipped": summary["failed"] - len(uncovered),
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
        return cdk.PolicyValidationPluginReport(success=not violations, violations=violations)
