"""cfn-lint over every synthesized template, against the template's own Region.

``IGNORED_RULES`` is the one place a cfn-lint rule may be ignored, each with its reason.
Errors always fail; warnings that are not ignored fail too, so the list stays honest.
"""

from __future__ import annotations

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


def lint_stacks(stacks: list[StackArtifact]) -> list[LintFinding]:
    """Lint every stack's template for its Region; ignored rules are left out."""
    # cfn-lint is imported here: it takes about a second to load, and config-only commands never need it.
    from cfnlint.api import ManualArgs, lint_file

    findings: list[LintFinding] = []
    for stack in stacks:
        matches = lint_file(
            Path(stack.template_path),
            config=ManualArgs(regions=[stack.region], ignore_checks=sorted(IGNORED_RULES)),
        )
        for match in matches:
            rule_id = match.rule.id
            level = {"E": "error", "W": "warning", "I": "informational"}.get(rule_id[0], "error")
            findings.append(
                LintFinding(
                    stack=stack.name,
                    rule=rule_id,
                    level=level,
                    message=match.message,
                    location=f"{Path(stack.template_path).name}:{match.linenumber}",
                )
            )
    return findings
