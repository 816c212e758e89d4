"""cfn-lint as a CDK validation plugin: every synth (and so every deploy) lints every template, on every core.

It replaces aws-cdk-lib's built-in CloudFormation validation, which reports cfn-lint's own rule IDs and caught
nothing cfn-lint missed over twelve seeded defect classes (``bench/validation_defects.py``, decision 0017), at
half a prod synth's CPU. The findings per stack go into the assembly's summary, so ``kickoff check`` prints
them without linting the same templates again.
"""

from __future__ import annotations

import time
from pathlib import Path

import aws_cdk as cdk
import jsii

from kickoff.guardrails.plugin import PluginIdentity
from kickoff.guardrails.rule_pack import StackFacts
from kickoff.rules.assembly import StackArtifact
from kickoff.rules.cfn_lint import IGNORED_RULES, lint_stacks
from kickoff.rules.summary import outdir_of, update_summary

PLUGIN_NAME = "CfnLint"
FIX = "Fix the template property cfn-lint names, or list the rule with its reason in kickoff/rules/cfn_lint.py."


@jsii.implements(cdk.IPolicyValidationPlugin)
class CfnLintPlugin(PluginIdentity):
    """Lints the synthesized templates; any error, and any warning not in ``IGNORED_RULES``, fails the synth."""

    PLUGIN_NAME = PLUGIN_NAME

    def __init__(self, *, stacks: dict[str, StackFacts]) -> None:
        self._stacks = stacks  # template file name -> its stack (the packs' mapping)

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        started = time.perf_counter()
        paths = {Path(p).name: p for p in context.template_paths if Path(p).name in self._stacks}
        stacks = [
            StackArtifact(
                name=self._stacks[name].stack,
                region=self._stacks[name].region,
                account="",
                template_path=path,
                dependencies=(),
            )
            for name, path in paths.items()
        ]
        findings = lint_stacks(stacks)
        by_stack = {s.name: s.template_path for s in stacks}
        violations = [
            cdk.PolicyViolation(
                rule_name=f.rule,
                description=f"{f.message} ({f.location})",
                fix=FIX,
                severity="error" if f.level == "error" else "warning",
                violating_resources=[
                    cdk.PolicyViolatingResource(
                        locations=[f.location], template_path=by_stack[f.stack], resource_logical_id=f.location
                    )
                ],
            )
            for f in findings
        ]
        if paths:
            counts = {
                s.name: {
                    "errors": sum(1 for f in findings if f.stack == s.name and f.level == "error"),
                    "warnings": sum(1 for f in findings if f.stack == s.name and f.level != "error"),
                }
                for s in stacks
            }
            update_summary(
                outdir_of(paths.values()),
                PLUGIN_NAME,
                {
                    "templates": len(stacks),
                    "stacks": counts,
                    "ignored": sorted(IGNORED_RULES),
                    "seconds": round(time.perf_counter() - started, 3),
                },
            )
        return cdk.PolicyValidationPluginReport(success=not violations, violations=violations)
