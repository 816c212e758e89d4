"""The twin on the shipped prod deployment, and seeded defects it must catch.

Each defect is seeded into the synthesized templates (a copy of the views), never hand-written metric series:
the twin drives every alarm and health check from the simulator's load and capacity.
"""

from __future__ import annotations

import copy
import re
from dataclasses import replace

import pytest

from kickoff.config import load_config
from kickoff.planning import calendar_events, capacity_spec, forecast_of
from kickoff.rules.assembly import template_views
from kickoff.rules.summary import read_summary
from kickoff.twin.run import objectives_of, profile_problems, run_one, run_twin, setting_of, topology_of
from kickoff.twin.scenarios import Scenario
from tests.support import Synth

pytestmark = pytest.mark.not_a_rule("the Twin gate's own cases: seeded defects it must catch")

EAST = "us-east-1"


@pytest.fixture(scope="module")
def prod_views(prod: Synth):
    return template_views(prod.outdir, lambda s: s.account == prod.config.account)


def _run(prod: Synth, views, *scenarios: Scenario):
    plan = prod.deployment.plan
    topo = topology_of(prod.config, plan, views)
    setting = setting_of(prod.config, plan)
    assert setting is not None
    return topo, [run_one(topo, setting, s, objectives_of(prod.config)) for s in scenarios]


def _cell(views, region: str):
    return next(v for v in views if v.region == region and "cell" in v.stack)


@pytest.mark.held_by("Twin")
def test_prod_reads_every_alarm_check_and_record_and_evaluates_them_all(prod: Synth, prod_views) -> None:
    topo, (outcome,) = _run(prod, prod_views, Scenario("steady", "peak", 0.0))
    assert not topo.unreadable and not topo.problems
    assert len(topo.composites) == 3 and len(topo.health_checks) == 33  # 11 per cell
    assert {r.cell for r in topo.records if r.name == topo.origin_name} == {"us-east-1", "us-east-2", "us-west-2"}
    assert outcome.ok, outcome.problems
    assert not outcome.withdrawn and not outcome.alarms


@pytest.mark.held_by("Twin", "ResilienceBudget")
def test_a_region_failing_is_detected_by_its_endpoint_checks_and_routed_away_within_the_rto(
    prod: Synth, prod_views
) -> None:
    _, (outcome,) = _run(prod, prod_views, Scenario("region-fails", "kickoff", 0.0, EAST))
    assert outcome.detect_s == 30  # 10 s interval x 3 failures, at the worst phase
    assert outcome.route_away_s == 90  # then one 60 s alias TTL
    assert outcome.route_away_s <= prod.config.resilience.rto_seconds
    assert outcome.lost > 0  # what viewers sent before routing moved them
    names = [name for name, _ in outcome.alarms]
    assert f"kickoff-prod-{EAST}-api-no-healthy-target" in names


@pytest.mark.held_by("Twin")
def test_benign_scenarios_evacuate_nothing(prod: Synth, prod_views) -> None:
    _, outcomes = _run(
        prod,
        prod_views,
        Scenario("error-blip", "kickoff", 0.3, EAST),
        Scenario("steady-errors", "peak", 0.3, EAST),
        Scenario("canary-breaks", "peak", 0.0, EAST),
        Scenario("zone-fails", "peak", 0.3, EAST),
    )
    for outcome in outcomes:
        assert not outcome.withdrawn, outcome.scenario.label
        assert outcome.ok, outcome.problems
    assert outcomes[2].detect_s == 600  # the divergence alarm: two five-minute probe datapoints, then it pages


@pytest.mark.held_by("Twin")
def test_the_replication_alarm_fires_on_the_first_datapoint_past_the_rpo(prod: Synth, prod_views) -> None:
    _, (outcome,) = _run(prod, prod_views, Scenario("replication-stalls", "peak", 0.0, "us-west-2"))
    assert outcome.ok, outcome.problems
    assert outcome.rpo_alarm_s is not None and 0 < outcome.rpo_alarm_s <= 60


# --- seeded defects ----------------------------------------------------------------------------------


def test_a_canary_that_calls_its_cell_directly_cannot_reach_it_and_pages_with_nothing_failed(
    prod: Synth, prod_views
) -> None:
    views = copy.deepcopy(prod_views)
    for view in views:
        for canary in view.of_type("AWS::Synthetics::Canary").values():
            script = canary["Properties"]["Code"]["Script"]
            if f"/_probe/{EAST}/" in script:  # the ALB admits only CloudFront: the canary's own address is refused
                script = re.sub(r"const HOST = [^;]*;", f'const HOST = "{EAST}.origin.live.example.com";', script)
                canary["Properties"]["Code"]["Script"] = script.replace(f"/_probe/{EAST}/", "/")
    topo, (outcome,) = _run(prod, views, Scenario("steady", "peak", 0.0))
    refused = [c for c in topo.canaries.values() if not c.reachable]
    assert [c.target_cell for c in refused] == [EAST] * 3
    assert all("security groups admit no traffic from the internet" in c.problem for c in refused)
    assert any("pages" in p and "nothing failed" in p for p in outcome.problems), outcome.problems


def test_a_5xx_count_that_routes_evacuates_a_healthy_cell(prod: Synth, prod_views) -> None:
    views = copy.deepcopy(prod_views)
    cell = _cell(views, EAST)
    cell.resources["SeededFiveXxCount"] = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": "seeded-5xx-count",
            "Namespace": "AWS/ApplicationELB",
            "MetricName": "HTTPCode_ELB_5XX_Count",
            "Dimensions": [{"Name": "LoadBalancer", "Value": {"Fn::GetAtt": ["X", "LoadBalancerFullName"]}}],
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 1000,
            "ComparisonOperator": "GreaterThanThreshold",
        },
    }
    cell.resources["SeededFiveXxCheck"] = {
        "Type": "AWS::Route53::HealthCheck",
        "Properties": {
            "HealthCheckConfig": {
                "Type": "CLOUDWATCH_METRIC",
                "AlarmIdentifier": {"Name": {"Ref": "SeededFiveXxCount"}, "Region": EAST},
                "InsufficientDataHealthStatus": "LastKnownStatus",
            }
        },
    }
    parent = next(
        r
        for r in cell.of_type("AWS::Route53::HealthCheck").values()
        if r["Properties"]["HealthCheckConfig"]["Type"] == "CALCULATED"
    )
    config = parent["Properties"]["HealthCheckConfig"]
    config["ChildHealthChecks"].append({"Ref": "SeededFiveXxCheck"})
    config["HealthThreshold"] += 1
    _, (outcome,) = _run(prod, views, Scenario("steady-errors", "peak", 0.3, EAST))
    assert any("false evacuation" in p and "SeededFiveXxCheck" in p for p in outcome.problems), outcome.problems


def test_a_calculated_check_that_never_goes_unhealthy_never_routes_away(prod: Synth, prod_views) -> None:
    views = copy.deepcopy(prod_views)
    for resource in _cell(views, EAST).of_type("AWS::Route53::HealthCheck").values():
        if resource["Properties"]["HealthCheckConfig"]["Type"] == "CALCULATED":
            resource["Properties"]["HealthCheckConfig"]["HealthThreshold"] = 1
    _, (outcome,) = _run(prod, views, Scenario("region-fails", "kickoff", 0.0, EAST))
    assert outcome.route_away_s is None
    assert any("never" in p and "RTO" in p for p in outcome.problems), outcome.problems


def test_a_routing_check_on_a_metric_math_alarm_is_a_problem(prod: Synth, prod_views) -> None:
    views = copy.deepcopy(prod_views)
    cell = _cell(views, EAST)
    rate = next(k for k, r in cell.of_type("AWS::CloudWatch::Alarm").items() if "5xxRate" in k)
    check = next(
        r
        for r in cell.of_type("AWS::Route53::HealthCheck").values()
        if r["Properties"]["HealthCheckConfig"]["Type"] == "CLOUDWATCH_METRIC"
    )
    check["Properties"]["HealthCheckConfig"]["AlarmIdentifier"]["Name"] = {"Ref": rate}
    topo, _ = _run(prod, views)
    assert any("metric-math alarm" in p for p in topo.problems)


@pytest.mark.held_by("Twin")
def test_prod_passes_the_gate_and_every_synth_runs_it(prod: Synth, prod_views) -> None:
    """The compliant case of the gate: the prod synth (checks on) ran the twin and it found nothing."""
    summary = read_summary(prod.outdir)["Twin"]
    assert summary["failed"] == 0 and summary["scenarios"] == 16
    assert summary["rto_measured_seconds"] == 90 <= summary["rto_objective"]
    report = run_twin(prod.config, prod.deployment.plan, prod_views)
    assert report.problems == []
    returns = [o for o in report.outcomes if o.scenario.kind == "region-returns"]
    assert returns and all(o.recover_s is not None and o.dropped == 0 for o in returns)


def test_a_cell_without_a_failback_guard_takes_viewers_back_before_its_tasks(prod: Synth, prod_views) -> None:
    views = copy.deepcopy(prod_views)
    cell = _cell(views, EAST)
    for resource in cell.of_type("AWS::Route53::HealthCheck").values():
        config = resource["Properties"]["HealthCheckConfig"]
        if config["Type"] == "CALCULATED":  # no hold-down, and no routing on the no-healthy-target alarms
            kept = [c for c in config["ChildHealthChecks"] if not re.search("FailbackHold|NoHealthyTarget", c["Ref"])]
            config["HealthThreshold"] -= len(config["ChildHealthChecks"]) - len(kept)
            config["ChildHealthChecks"] = kept
    _, (outcome,) = _run(prod, views, Scenario("region-returns", "peak", 0.3, EAST, "dns"))
    assert any("no failback guard" in p and "takes viewers back" in p for p in outcome.problems), outcome.problems


def test_a_departure_profile_slower_than_routing_or_detection_faster_than_it_is_a_finding(
    prod: Synth, prod_views, write_config
) -> None:
    profiles = [{"name": "slow", "shape": "detection_then_even", "detection_seconds": 10, "spread_seconds": 90}]
    config = load_config(write_config(overrides={"scaling": {"departure_profiles": profiles}}))
    topo, (outcome,) = _run(prod, prod_views, Scenario("region-fails", "kickoff", 0.0, EAST))
    problems = profile_problems(config, topo, [outcome])
    assert any("over 90 s" in p and "60 s TTL" in p for p in problems), problems
    assert any("detection_seconds 10" in p and "30 s" in p for p in problems), problems


@pytest.mark.held_by("Twin")
def test_the_gate_judges_the_seasons_largest_event_still_to_come(prod: Synth, prod_views) -> None:
    """What is in force now is not all the gate judges: a deploy between small events must not hide the largest."""
    plan = prod.deployment.plan
    spec = capacity_spec(prod.config)
    upcoming = [forecast_of(spec, e) for e in calendar_events(prod.config)]
    largest = max((e for e in upcoming if e.kickoff > plan.window.start), key=lambda e: e.peak_viewers)
    assert largest.event_id not in {e.event_id for e in plan.capacity.events}  # the window does not hold it
    report = run_twin(prod.config, plan, prod_views)
    assert report.judged.startswith(f"{largest.event_id} (") and report.moments["kickoff"] == largest.kickoff
    assert report.problems == [] and len(report.outcomes) == 16


@pytest.mark.parametrize("defect", [False, True])
def test_a_window_without_an_event_still_runs_every_scenario(prod: Synth, prod_views, defect: bool) -> None:
    """The pair: with no event in the planning window the gate used to skip, so a defect the twin finds passed."""
    plan = prod.deployment.plan
    quiet = replace(plan, capacity=replace(plan.capacity, events=()))
    views = copy.deepcopy(prod_views)
    if defect:  # the calculated check of a cell that never goes unhealthy
        for resource in _cell(views, EAST).of_type("AWS::Route53::HealthCheck").values():
            if resource["Properties"]["HealthCheckConfig"]["Type"] == "CALCULATED":
                resource["Properties"]["HealthCheckConfig"]["HealthThreshold"] = 1
    report = run_twin(prod.config, quiet, views)
    assert not report.skipped and report.judged and len(report.outcomes) == 16
    assert bool(report.problems) == defect


@pytest.mark.held_by("Twin")
def test_an_evacuation_in_force_judges_the_window_and_says_why(evacuated: Synth) -> None:
    """With us-east-2 evacuated, the two other cells cannot carry the season's largest event at max_tasks: the synth
    still goes through (an evacuation is when fixes are released), judging the window and saying why."""
    summary = read_summary(evacuated.outdir)["Twin"]
    assert summary["failed"] == 0 and summary["scenarios"] > 0
    assert "cannot be planned on the cells routed now" in summary["judged"]
    assert "max_tasks is 2800" in summary["judged"]
