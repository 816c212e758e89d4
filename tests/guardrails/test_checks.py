"""cdk-nag and cfn-lint: zero open findings, every acknowledgement reasoned and narrow."""

from __future__ import annotations

import json

import pytest

from kickoff.rules.assembly import read_stacks
from kickoff.rules.cfn_lint import IGNORED_RULES, lint_stacks


def _report(synth):
    return json.loads((synth.outdir / "validation-report.json").read_text())


def _plugin(synth, name):
    (plugin,) = [p for p in _report(synth)["pluginReports"] if p["pluginName"] == name]
    return plugin


@pytest.mark.held_by("AwsSolutions")
def test_aws_solutions_pack_ran_with_zero_open_findings(synthesized) -> None:
    plugin = _plugin(synthesized, "AwsSolutions")
    assert plugin["conclusion"] == "success"
    assert plugin["violations"] == []


@pytest.mark.held_by("Acknowledgement")
def test_every_acknowledgement_has_a_specific_reason_at_construct_scope(synthesized) -> None:
    suppressed = _plugin(synthesized, "AwsSolutions")["suppressedViolations"]
    assert suppressed, "expected the reviewed findings to be present as acknowledgements"
    stacks = set(synthesized.stack_names)
    for item in suppressed:
        assert len(item["reason"]) >= 80, item
        assert item["acknowledgedAt"] not in stacks, f"{item['ruleName']} acknowledged at stack scope"
        assert "/" in item["acknowledgedAt"]


def test_unacknowledged_finding_fails_synth(tmp_path) -> None:
    """The gate is real: the same cell without its acknowledgements does not synthesize."""
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    from kickoff.application import create_app, pin_availability_zones
    from kickoff.config import load_config
    from kickoff.config.loader import CONFIG_DIR
    from kickoff.stacks.cell import CellStack

    config = load_config(CONFIG_DIR / "dev.yaml")
    app = create_app(outdir=str(tmp_path), validation=False)
    pin_availability_zones(app, config)
    CellStack(app, config=config, region="us-east-1")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    assert {v["ruleName"] for v in plugin["violations"]} >= {"AwsSolutions-S1", "AwsSolutions-ECS2"}


@pytest.mark.held_by("CfnLint")
def test_cfn_lint_reports_zero_errors_and_no_unlisted_warnings(synthesized) -> None:
    findings = lint_stacks(read_stacks(synthesized.outdir))
    assert findings == [], "\n".join(f"{f.rule} {f.location}: {f.message}" for f in findings)


def test_every_ignored_lint_rule_is_a_warning_with_a_reason() -> None:
    for rule, reason in IGNORED_RULES.items():
        assert rule.startswith("W"), f"{rule}: errors may never be ignored"
        assert len(reason) > 40


@pytest.mark.not_a_rule("checks the pack's own run summary (rules, deploy time), not a template property")
def test_deploy_readiness_pack_runs_on_every_synth(synthesized) -> None:
    from kickoff.rules.readiness import RULES
    from kickoff.rules.summary import read_summary

    summary = read_summary(synthesized.outdir)["DeployReadiness"]
    assert summary["rules"] == len(RULES) >= 15
    assert summary["evaluations"] > 100 and summary["non_compliant"] == 0
    assert summary["deploy_time"] == "2026-11-26T00:00:00Z"


def test_a_readiness_finding_fails_synth_through_cdk_nag(tmp_path) -> None:
    """Services registered under one path, checked against an agent reading another: the synth fails."""
    from dataclasses import replace

    import aws_cdk as cdk

    from kickoff.application import compose, create_app
    from kickoff.config import load_config
    from kickoff.config.loader import CONFIG_DIR
    from kickoff.guardrails.readiness_pack import PACK_NAME, DeployReadinessChecks
    from kickoff.guardrails.rule_pack import StackFacts
    from kickoff.planning import build_deployment_plan
    from kickoff.rules.params import readiness_params
    from tests.support import PLAN_FROM

    config = load_config(CONFIG_DIR / "dev.yaml")
    app = create_app(outdir=str(tmp_path), validation=False)
    deployment = compose(app, config, build_deployment_plan(config, PLAN_FROM), checks=False)
    stale = replace(readiness_params(config, build_deployment_plan(config, PLAN_FROM)), registry_path="/elsewhere")
    stacks = {s.template_file: StackFacts(s.stack_name, s.region, s.cell_tag, s.account) for s in deployment.stacks}
    cdk.Validations.of(app).add_plugins(DeployReadinessChecks(app, params=stale, stacks=stacks))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == PACK_NAME]
    rules = {v["ruleName"].split("[")[0] for v in plugin["violations"]}
    assert "DR-ScalableTargetRegistered" in rules


def test_an_acknowledgement_with_a_short_reason_is_refused_at_construction() -> None:
    """The synth-time side of the reason check above: the acknowledgement cannot be made, so no synth carries it."""
    from kickoff.guardrails.acknowledgement import MIN_REASON_CHARACTERS, Acknowledgement

    with pytest.raises(ValueError, match="at least 80"):
        Acknowledgement("AwsSolutions", "AwsSolutions-S1", "a log bucket")
    assert Acknowledgement("AwsSolutions", "AwsSolutions-S1", "x" * MIN_REASON_CHARACTERS).reason
