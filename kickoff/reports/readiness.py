"""The deploy-readiness rules over an assembly, as a table of rules and the findings of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kickoff import naming
from kickoff.config import KickoffConfig
from kickoff.planning import DeploymentPlan
from kickoff.reports.table import render_table
from kickoff.rules.engine import TemplateView
from kickoff.rules.params import readiness_params
from kickoff.rules.readiness import RULES, evaluate


@dataclass(frozen=True)
class Finding:
    """One finding: where (``stack/logical-id``) and what."""

    where: str
    detail: str


@dataclass(frozen=True)
class RuleResult:
    """One rule: how many resources it evaluated, and its findings."""

    rule_id: str
    evaluated: int
    findings: list[Finding]

    def grouped(self) -> list[tuple[str, list[str]]]:
        """The findings with the same detail together: (detail, where each was found), in first-seen order."""
        groups: dict[str, list[str]] = {}
        for finding in self.findings:
            groups.setdefault(finding.detail, []).append(finding.where)
        return list(groups.items())


@dataclass(frozen=True)
class ReadinessReport:
    """Every deploy-readiness rule over one assembly, for a deploy at ``deploy_time``."""

    environment: str
    deploy_time: datetime
    rules: list[RuleResult]

    @property
    def failed(self) -> bool:
        return any(r.findings for r in self.rules)


def readiness_report(
    config: KickoffConfig, plan: DeploymentPlan, views: list[TemplateView], deploy_time: datetime
) -> ReadinessReport:
    """Run every deploy-readiness rule over ``views`` with the parameters ``config`` and ``plan`` give."""
    result = evaluate(views, readiness_params(config, plan))
    stack_of = {v.file: v.stack for v in views}
    rules = []
    for rule in RULES:
        evaluations = [e for e in result.evaluations if e.rule.rule_id == rule.rule_id]
        findings = [
            Finding(f"{stack_of[e.template]}/{e.logical_id}", f.detail)
            for e in result.failures
            if e.rule.rule_id == rule.rule_id
            for f in e.findings
        ]
        rules.append(RuleResult(rule.rule_id, len(evaluations), findings))
    return ReadinessReport(naming.environment_key(config.identity), deploy_time, rules)


def render_readiness(report: ReadinessReport, outdir: object) -> str:
    """The table of rules, then one line per distinct finding, naming every resource it was found in."""
    out = [
        f"{report.environment}: deploy readiness of {outdir} for a deploy at {report.deploy_time:%Y-%m-%d %H:%M} UTC",
        render_table(
            ["rule", "evaluated", "findings"], [[r.rule_id, r.evaluated, len(r.findings)] for r in report.rules]
        ),
    ]
    for rule in report.rules:
        for detail, places in rule.grouped():
            where = places[0] if len(places) == 1 else f"{len(places)} resources: {', '.join(places)}"
            out.append(f"{rule.rule_id} {where}: {detail}")
    return "\n".join(out)
