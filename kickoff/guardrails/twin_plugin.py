"""The twin as a CDK validation plugin: for a production config, synth fails when a failure scenario does."""

from __future__ import annotations

import time
from pathlib import Path

import aws_cdk as cdk
import jsii

from kickoff.config.models import KickoffConfig
from kickoff.guardrails.plugin import PluginIdentity, violation
from kickoff.guardrails.rule_pack import StackFacts
from kickoff.planning import DeploymentPlan
from kickoff.rules.engine import load_view
from kickoff.rules.summary import outdir_of, update_summary
from kickoff.twin.run import TwinReport, run_twin

PLUGIN_NAME = "Twin"
FIX = (
    "Read the scenario's figure: routing (routing.health_check, the calculated check), alarms "
    "(monitoring.*), capacity (scaling.departure_profiles, n_minus_1_utilization, max_tasks) or the failback "
    "guard (routing.failback_hold_seconds). python -m kickoff twin prints every scenario."
)


@jsii.implements(cdk.IPolicyValidationPlugin)
class TwinPlugin(PluginIdentity):
    """Runs the twin's gate scenarios over the synthesized templates when ``config.production`` is true."""

    PLUGIN_NAME = PLUGIN_NAME
    RULE_IDS = ("FailureScenarios",)

    def __init__(self, config: KickoffConfig, plan: DeploymentPlan, *, stacks: dict[str, StackFacts]) -> None:
        self._config = config
        self._plan = plan
        self._stacks = stacks
        self.report: TwinReport | None = None

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        paths = [Path(p) for p in context.template_paths]
        if not self._config.production or not paths:
            return cdk.PolicyValidationPluginReport(success=True, violations=[])
        started = time.perf_counter()
        views = [
            load_view(p.name, p.read_text(), stack=f.stack, region=f.region, cell=f.cell, account=f.account)
            for p in paths
            if (f := self._stacks.get(p.name)) is not None
        ]
        self.report = report = run_twin(self._config, self._plan, views)
        violations = [
            violation("FailureScenarios", problem, FIX, template=str(paths[0]), logical_id="Twin", location="(twin)")
            for problem in report.problems
        ]
        fails = [o for o in report.outcomes if o.scenario.kind == "region-fails" and o.route_away_s is not None]
        update_summary(
            outdir_of(paths),
            PLUGIN_NAME,
            {
                "rules": 1,
                "scenarios": len(report.outcomes),
                "failed": len(report.problems),
                "rto_measured_seconds": max((o.route_away_s or 0 for o in fails), default=None),
                "rto_objective": self._config.resilience.rto_seconds,
                "seconds": round(time.perf_counter() - started, 3),
                "skipped": report.skipped or None,
                "judged": report.judged or None,
            },
        )
        return cdk.PolicyValidationPluginReport(success=not violations, violations=violations)
