"""The resilience budget as a CDK validation plugin: synth fails when an objective is not met."""

from __future__ import annotations

import json
import math
from pathlib import Path

import aws_cdk as cdk
import jsii

from kickoff.config.models import KickoffConfig
from kickoff.guardrails.plugin import PluginIdentity, violation
from kickoff.rules.resilience import ResilienceBudget, compute_budget
from kickoff.rules.summary import outdir_of, update_summary

PLUGIN_NAME = "ResilienceBudget"


@jsii.implements(cdk.IPolicyValidationPlugin)
class ResilienceBudgetPlugin(PluginIdentity):
    """Checks RTO, RPO and N-1 capacity declared in config against the synthesized templates."""

    PLUGIN_NAME = PLUGIN_NAME
    RULE_IDS = ("RTO", "RPO", "StaticStability")

    def __init__(self, config: KickoffConfig, *, template_stacks: dict[str, str]) -> None:
        self._config = config
        self._stacks = template_stacks  # template file name -> stack name
        self.budget: ResilienceBudget | None = None

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        paths = {Path(p).name: p for p in context.template_paths}
        templates = {
            self._stacks[name]: json.loads(Path(path).read_text())
            for name, path in paths.items()
            if name in self._stacks
        }
        self.budget = compute_budget(self._config, templates)
        any_template = next(iter(paths.values()), "")
        fix = "Change the config objective, or the routing, replication-alarm or capacity settings named here."
        violations = [
            violation(
                objective,
                f"{objective}: {message}",
                fix,
                template=any_template,
                logical_id="ResilienceBudget",
                location="(budget)",
            )
            for objective, message in self.budget.violations
        ]
        if paths:
            budget = self.budget
            update_summary(
                outdir_of(paths.values()),
                PLUGIN_NAME,
                {
                    "rules": 3,
                    "rto_seconds": budget.rto_seconds,
                    "rto_objective": budget.rto_objective,
                    "impaired_rto_seconds": budget.impaired_rto_seconds,
                    "impaired_rto_objective": budget.impaired_rto_objective,
                    "rpo_seconds": None if math.isinf(budget.rpo_bound) else budget.rpo_bound,
                    "rpo_objective": budget.rpo_objective,
                    "rpo_assumption": budget.rpo_assumption,
                    "violations": len(budget.violations),
                },
            )
        return cdk.PolicyValidationPluginReport(success=not violations, violations=violations)
