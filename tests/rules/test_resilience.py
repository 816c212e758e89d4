"""The resilience budget read back from the synthesized templates, and the synth gate on it."""

from __future__ import annotations

import json
import math

import pytest

from kickoff.rules.resilience import compute_budget

pytestmark = pytest.mark.not_a_rule("the ResilienceBudget gate's own cases: seeded defects it must report")


def _templates(synth):
    return {name: synth.template(name) for name in synth.stack_names}


@pytest.mark.held_by("ResilienceBudget")
def test_prod_budget_terms_come_from_the_templates(prod) -> None:
    budget = compute_budget(prod.config, _templates(prod))
    assert [(p.name, p.seconds) for p in budget.rto_parts] == [
        ("health-check detection", 30),
        ("DNS TTL", 60),
        ("client retries", 30),
    ]
    # A hung origin: each of 2 attempts may take the 5 s connection timeout, then the 10 s response timeout.
    assert budget.rto_parts[2].source == "CloudFront origin 2 attempts x (5 s connection + 10 s response timeout)"
    assert budget.rto_seconds == 120 <= prod.config.resilience.rto_seconds
    assert budget.rpo_bound == prod.config.resilience.rpo_seconds == 15
    assert budget.rpo_assumption is None
    assert budget.violations == []
    assert {c.service: c.ok for c in budget.capacity} == {
        "api": True,
        "playback": True,
        "interactive": True,
        "web": True,
    }


@pytest.mark.held_by("ResilienceBudget")
def test_strong_consistency_has_rpo_zero(strong) -> None:
    budget = compute_budget(strong.config, _templates(strong))
    assert budget.rpo_bound == 0 and "strong" in budget.rpo_source


def test_a_missing_replication_alarm_never_improves_the_rpo(prod) -> None:
    """Without an alarm nothing bounds the lag: the RPO is unknown, and the budget fails and says why."""
    templates = json.loads(json.dumps(_templates(prod)))
    cell = templates[prod.cell("us-west-2")]
    cell["Resources"] = {k: v for k, v in cell["Resources"].items() if v["Type"] != "AWS::CloudWatch::Alarm"}
    budget = compute_budget(prod.config, templates)
    assert math.isinf(budget.rpo_bound) and budget.rpo_bound > prod.config.resilience.rpo_seconds
    assert "no ReplicationLatency alarm for us-west-2->us-east-1" in budget.rpo_assumption
    (violation,) = [v for v in budget.violations if v[0] == "RPO"]
    assert "RPO 15 s cannot be shown" in violation[1]


def test_the_secondary_cname_ttl_counts_against_the_rto(prod) -> None:
    """A 300 s secondary CNAME keeps CloudFront's secondary on the new primary's cell far past the RTO."""
    templates = json.loads(json.dumps(_templates(prod)))
    for record in templates[prod.cell("us-east-2")]["Resources"].values():
        if record["Type"] == "AWS::Route53::RecordSet" and record["Properties"].get("Type") == "CNAME":
            record["Properties"]["TTL"] = "300"
    budget = compute_budget(prod.config, templates)
    (violation,) = [v for v in budget.violations if v[0] == "RTO"]
    assert "30 s detection + 300 s secondary CNAME TTL + 60 s alias TTL = 390 s" in violation[1]


def test_replication_alarms_use_the_per_minute_maximum(prod) -> None:
    alarms = [
        a["Properties"]
        for a in prod.resources(prod.cell("us-east-2"), "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("MetricName") == "ReplicationLatency"
    ]
    assert sorted({d["Value"] for a in alarms for d in a["Dimensions"] if d["Name"] == "ReceivingRegion"}) == [
        "us-east-1",
        "us-west-2",
    ]
    for alarm in alarms:
        assert alarm["Statistic"] == "Maximum" and alarm["Period"] == 60 and alarm["Threshold"] == 15000


def test_config_refuses_an_rto_its_settings_cannot_meet(write_config) -> None:
    from kickoff.config import ConfigError, load_config

    with pytest.raises(ConfigError, match=r"resilience\.rto_seconds: 60 s cannot be met: .* = 120 s"):
        load_config(write_config("dev", {"resilience": {"rto_seconds": 60}}))
    with pytest.raises(ConfigError, match="no setting can meet it: the fastest failover .* is 75 s"):
        load_config(write_config("dev", {"resilience": {"rto_seconds": 30}}))


@pytest.mark.slow
def test_synth_fails_naming_the_objective_and_the_numbers(tmp_path) -> None:
    """RTO 60 s cannot be met by 10 s x 3 + 60 s + 2 x (5 s + 10 s): the synth gate refuses, with the numbers,
    even for a config that skipped validation (a construct or a test that builds one by hand)."""
    from kickoff.application import synthesize as synthesize_config
    from kickoff.config import load_config
    from tests.support import CONFIG_DIR, PLAN_FROM

    dev = load_config(CONFIG_DIR / "dev.yaml")
    config = dev.model_copy(update={"resilience": dev.resilience.model_copy(update={"rto_seconds": 60})})
    config.attach_calendar(dev.calendar)
    outdir = tmp_path / "cdk.out"
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        synthesize_config(config, str(outdir), checks=True, plan_from=PLAN_FROM)
    report = json.loads((outdir / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == "ResilienceBudget"]
    violation, secondary = plugin["violations"]
    assert violation["ruleName"] == secondary["ruleName"] == "RTO"
    assert "is not met by the secondary origin: 30 s detection + 30 s secondary CNAME TTL" in secondary["description"]
    assert violation["description"] == (
        "RTO: RTO 60 s is not met: worst-case failover is 30 s health-check detection + 60 s DNS TTL + 30 s client "
        "retries = 120 s"
    )


def test_static_stability_violation_names_service_and_numbers(dev) -> None:
    config = dev.config.model_copy(
        update={
            "services": tuple(
                s.model_copy(update={"peak_requests_per_second": 5000}) if s.name == "api" else s
                for s in dev.config.services
            )
        }
    )
    budget = compute_budget(config, _templates(dev))
    (violation,) = budget.violations
    assert violation == (
        "StaticStability",
        "with us-east-1 lost, api has 1,200 req/s of capacity < peak 5,000 req/s; raise max_tasks or add a cell",
    )
