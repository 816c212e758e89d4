"""Observability by difference, on the synthesized templates: per-cell alarms with their threshold sources,
alarms that act, the "region impaired" alarms that drive routing, divergence alarms per Region, the RPO
alarm, and the cross-Region dashboard."""

from __future__ import annotations

import json
import re

import pytest

from kickoff import naming
from kickoff.agent.handler import METRIC_NAMESPACE
from kickoff.rules.resilience import compute_budget


def _resources(template: dict, resource_type: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def _templates(synth) -> dict[str, dict]:
    return {name: synth.template(name) for name in synth.stack_names}


def _cell(synth, region: str) -> dict:
    return synth.template(synth.cell(region))


def _alarms(synth, region: str) -> dict[str, dict]:
    """Alarm name -> properties, for one cell."""
    out = {}
    for resource in _resources(_cell(synth, region), "AWS::CloudWatch::Alarm").values():
        out[resource["Properties"]["AlarmName"]] = resource["Properties"]
    return out


@pytest.mark.held_by("WA-OPS-AlarmedResources", "WA-OPS-AlarmHasAction")
def test_each_service_has_its_alarms_in_every_region_with_thresholds_from_config(synthesized) -> None:
    config = synthesized.config
    m = config.monitoring
    for region in config.region_names:
        alarms = _alarms(synthesized, region)
        prefix = naming.cell_name_prefix(config.identity, region)
        for service in config.services:
            assert alarms[f"{prefix}-{service.name}-CPU-Usage-Warning"]["Threshold"] == m.services.cpu_percent
            assert alarms[f"{prefix}-{service.name}-Memory-Usage-Warning"]["Threshold"] == m.services.memory_percent
            below = alarms[f"{prefix}-{service.name}-Tasks-{service.name}-BelowDesired-Warning"]
            assert below["EvaluationPeriods"] == m.services.tasks_below_desired_minutes
            assert alarms[f"{prefix}-{service.name}-no-healthy-target"]["Statistic"] == "Minimum"
            assert f"{prefix}-{service.name}-Unhealthy-Tasks-Warning" in alarms
        assert alarms[f"{prefix}-LoadBalancer-ELB5xxrate-Warning"]["Threshold"] == m.load_balancer.elb_5xx_percent
        assert alarms[f"{prefix}-LoadBalancer-Target5xxrate-Warning"]["Threshold"] == m.load_balancer.target_5xx_percent
        assert (
            alarms[f"{prefix}-LoadBalancer-TargetResponseTime-p99-Warning"]["Threshold"]
            == m.load_balancer.p99_ms / 1000
        )
        assert alarms[f"{prefix}-LoadBalancer-TargetResponseTime-p50-Warning"]["ExtendedStatistic"] == "p50"
        rate = alarms[f"{prefix}-load-balancer-5xx-rate"]
        assert rate["Threshold"] == m.load_balancer.critical_5xx_percent
        assert f"IF(requests >= {m.load_balancer.min_requests}, 100 * FILL(elb, 0) / requests, 0)" in json.dumps(rate)
        assert alarms[f"{prefix}-Table-SystemError-Count-Warning"]["Threshold"] == m.table.system_errors
        assert f"{prefix}-Table-Read-Throttled-Events-Warning" in alarms
        assert f"{prefix}-Table-Latency-Average-GetItem-Warning" in alarms


@pytest.mark.not_a_rule(
    "the exact metric-math expression and period of one alarm: config echo, behaviour tested by the twin"
)
def test_running_below_plan_alarm_compares_with_the_agents_planned_minimum(prod) -> None:
    region = prod.config.region_names[0]
    prefix = naming.cell_name_prefix(prod.config.identity, region)
    alarm = _alarms(prod, region)[f"{prefix}-api-Tasks-api-BelowPlan-Critical"]
    (expression,) = [q["Expression"] for q in alarm["Metrics"] if "Expression" in q]
    assert expression == "FILL(planned, 0) - lowest"  # no time in the template: the agent publishes the minimum
    planned = next(q for q in alarm["Metrics"] if q["Id"] == "planned")["MetricStat"]
    assert planned["Metric"]["Namespace"] == METRIC_NAMESPACE
    assert planned["Metric"]["MetricName"] == "PlannedMinimum"
    assert {d["Name"]: d["Value"] for d in planned["Metric"]["Dimensions"]} == {
        "Environment": naming.environment_key(prod.config.identity),
        "Service": "api",
    }
    assert planned["Period"] == prod.config.scaling.agent.rate_minutes * 60


@pytest.mark.held_by("DR-CloudWatchAlarmActsOnOwnTopic", "WA-OPS-AlarmHasAction")
def test_every_alarm_acts_on_its_regions_topic(synthesized) -> None:
    for region in synthesized.config.region_names:
        cell = _cell(synthesized, region)
        (topic_id,) = _resources(cell, "AWS::SNS::Topic")
        for alarm_type in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
            for logical_id, alarm in _resources(cell, alarm_type).items():
                assert alarm["Properties"].get("AlarmActions") == [{"Ref": topic_id}], logical_id


@pytest.mark.held_by(
    "WA-SEC-KmsKeyPolicySeparatesDuties", "WA-SEC-ResourcePolicyServiceSourceCondition", "Checkov:CKV_AWS_26"
)
def test_alarm_topic_key_lets_cloudwatch_publish_and_nothing_else_use_it(synthesized) -> None:
    cell = _cell(synthesized, synthesized.config.region_names[0])
    (topic,) = _resources(cell, "AWS::SNS::Topic").values()
    key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    statements = cell["Resources"][key_id]["Properties"]["KeyPolicy"]["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["CloudWatchAlarmsPublish"]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert "kms:*" not in json.dumps(statements)


@pytest.mark.held_by("Config")
def test_subscriptions_come_from_config_and_the_topic_exists_without_any(prod, dev) -> None:
    for synth in (prod, dev):
        cell = _cell(synth, synth.config.region_names[0])
        subscriptions = _resources(cell, "AWS::SNS::Subscription")
        assert len(subscriptions) == len(synth.config.monitoring.notifications)
        assert len(_resources(cell, "AWS::SNS::Topic")) == 1


@pytest.mark.held_by(
    "DR-CloudWatchRegionImpairedHoldsItsSignals",
    "DR-Route53HealthCheckCoversServices",
    "DR-Route53AlarmNotATrafficCount",
)
def test_region_impaired_composite_feeds_the_calculated_check_of_every_latency_record(synthesized) -> None:
    config = synthesized.config
    for region in config.routed_regions:
        cell = _cell(synthesized, region)
        (composite,) = _resources(cell, "AWS::CloudWatch::CompositeAlarm").values()
        assert composite["Properties"]["AlarmName"] == naming.region_impaired_alarm_name(config.identity, region)
        rule_text = json.dumps(composite["Properties"]["AlarmRule"])
        checks = _resources(cell, "AWS::Route53::HealthCheck")
        alarm_children = {
            logical_id: c["Properties"]["HealthCheckConfig"]["AlarmIdentifier"]["Name"]["Ref"]
            for logical_id, c in checks.items()
            if c["Properties"]["HealthCheckConfig"]["Type"] == "CLOUDWATCH_METRIC"
        }
        assert alarm_children
        assert len(alarm_children) == len(config.services) + 1
        switch = naming.cell_name_prefix(config.identity, region) + "-evacuation-switch"
        for alarm_id in alarm_children.values():
            properties = cell["Resources"][alarm_id]["Properties"]
            # Routing never follows a count of traffic: the healthy-target gauges, and the operator's switch,
            # which pages but does not make the Region "impaired".
            if properties["AlarmName"] == switch:
                assert properties["MetricName"] == naming.EVACUATION_METRIC and alarm_id not in rule_text
                continue
            assert alarm_id in rule_text, f"{alarm_id} feeds routing but not the composite"
            assert properties["MetricName"] == "HealthyHostCount"
        # The composite also holds what pages but does not route: the 5xx rate and the own cell's divergence.
        alarms = _resources(cell, "AWS::CloudWatch::Alarm")
        extra = {
            alarms[i]["Properties"]["AlarmName"].removeprefix(naming.cell_name_prefix(config.identity, region) + "-")
            for i in re.findall(r'"Fn::GetAtt": \["(\w+)", "Arn"\]', rule_text)
            if i not in alarm_children.values()
        }
        expected = {"load-balancer-5xx-rate"}
        if config.monitoring.canaries.enabled and len(config.region_names) > 1:
            expected.add(f"Probes-Diverges-{region}-Divergence")
        assert extra == expected
        for record in _resources(cell, "AWS::Route53::RecordSet").values():
            props = record["Properties"]
            if "SetIdentifier" not in props:
                continue
            calculated = checks[props["HealthCheckId"]["Ref"]]["Properties"]["HealthCheckConfig"]
            assert calculated["Type"] == "CALCULATED"
            children = {c["Ref"] for c in calculated["ChildHealthChecks"]}
            assert set(alarm_children) <= children
            assert calculated["HealthThreshold"] == len(children)


@pytest.mark.held_by("DR-Route53HealthCheckCoversServices", "DR-AlbServesOnlyTheOrigin", "DR-ProberReachesItsTarget")
def test_every_services_health_path_is_checked_and_served_without_the_secret(synthesized) -> None:
    config = synthesized.config
    for region in config.region_names:
        cell = _cell(synthesized, region)
        paths = {
            c["Properties"]["HealthCheckConfig"].get("ResourcePath")
            for c in _resources(cell, "AWS::Route53::HealthCheck").values()
        }
        assert {s.health_check_path for s in config.services} <= paths
        unsecret = [
            r["Properties"]["Conditions"]
            for r in _resources(cell, "AWS::ElasticLoadBalancingV2::ListenerRule").values()
            if "http-header" not in json.dumps(r["Properties"]["Conditions"]).lower()
        ]
        served = {v for c in unsecret for cond in c for v in (cond.get("PathPatternConfig") or {}).get("Values", [])}
        health = {s.health_check_path for s in config.services}
        probes = {f"{naming.probe_path_prefix(region)}{p}" for p in health}
        assert served == health | (probes if config.monitoring.canaries.enabled else set())


@pytest.mark.held_by("DR-SyntheticsCanaryPerProbedName")
def test_a_divergence_alarm_per_probed_name_in_each_region_reads_only_that_regions_canaries(synthesized) -> None:
    config = synthesized.config
    if not config.monitoring.canaries.enabled:
        return
    for region in config.region_names:
        cell = _cell(synthesized, region)
        canary_ids = _resources(cell, "AWS::Synthetics::Canary")
        canaries = {c["Properties"]["Name"] for c in canary_ids.values()}
        assert canaries == {naming.canary_name(config.identity, r) for r in config.region_names} | {
            naming.canary_name(config.identity, naming.VIEWER_PROBE)
        }
        divergence = {n: a for n, a in _alarms(synthesized, region).items() if "Diverges" in n}
        expected = len(config.region_names) + 1 if len(config.region_names) > 1 else 1
        assert len(divergence) == expected
        for alarm in divergence.values():
            metrics = [q["MetricStat"]["Metric"] for q in alarm["Metrics"] if "MetricStat" in q]
            assert 4 <= len(metrics) <= 10
            for metric in metrics:
                assert metric["Namespace"] == "CloudWatchSynthetics"
                assert "AccountId" not in metric and "Region" not in json.dumps(metric)
                (dimension,) = metric["Dimensions"]
                assert dimension["Value"]["Ref"] in canary_ids


@pytest.mark.held_by("ResilienceBudget", "WA-OPS-AlarmHasAction")
def test_replication_alarm_threshold_is_the_rpo_and_the_budget_reads_it(prod) -> None:
    config = prod.config
    for region in config.region_names:
        replication = [a for n, a in _alarms(prod, region).items() if "ReplicationLatency" in n]
        assert len(replication) == len(config.region_names) - 1
        for alarm in replication:
            assert alarm["Threshold"] == config.replication_alarm_seconds * 1000
            assert alarm["AlarmActions"]
    budget = compute_budget(config, _templates(prod))
    assert budget.rpo_bound == config.replication_alarm_seconds


@pytest.mark.held_by("ResilienceBudget")
def test_budget_reports_the_alarm_path_from_the_templates(prod) -> None:
    budget = compute_budget(prod.config, _templates(prod))
    m = prod.config.monitoring
    assert budget.impaired_parts[0].seconds == 60 * m.datapoints_to_alarm
    assert budget.impaired_rto_seconds == 60 * m.datapoints_to_alarm + 60 + budget.rto_parts[-1].seconds
    assert budget.impaired_rto_seconds <= prod.config.resilience.impaired_rto_seconds
    assert not budget.violations


def _dashboard_body(synth) -> dict:
    template = synth.template(synth.deployment.observability.stack_name)
    (dashboard,) = _resources(template, "AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]
    text = "".join(p if isinstance(p, str) else "0" for p in body["Fn::Join"][1]) if isinstance(body, dict) else body
    assert dashboard["Properties"]["DashboardName"] == naming.cross_region_dashboard_name(synth.config.identity)
    return json.loads(text)


@pytest.mark.not_a_rule("presentation (graph titles, lines, annotations): nothing deploys or fails on it")
def test_cross_region_dashboard_has_one_line_per_region_and_marks_each_kickoff(prod) -> None:
    config = prod.config
    body = _dashboard_body(prod)
    graphs = [w for w in body["widgets"] if w["type"] == "metric"]
    titles = {g["properties"]["title"] for g in graphs}
    for wanted in ("Requests per minute", "5xx, % of requests", "Target response time p99 (s)", "Running tasks"):
        assert wanted in titles
    assert any("Replication" in t for t in titles) and any("Probe" in t for t in titles)
    kickoffs = {e.id for e in config.calendar.events}  # the calendar as deployed: no time in the template
    for graph in graphs:
        lines = [
            m for m in graph["properties"]["metrics"] if not (isinstance(m[-1], dict) and m[-1].get("visible") is False)
        ]
        # A line's region is its own ("region"), or the dashboard's Region (us-east-1) when omitted.
        regions = [m[-1].get("region", "us-east-1") if len(m) > 1 else m[-1].get("label") for m in lines]
        title = graph["properties"]["title"]
        # The live rows have a line per ingest Region, the others one per cell.
        expected = config.live.ingest_regions if title.startswith("Live:") else config.region_names
        assert sorted(m[-1]["label"] for m in lines) == sorted(expected), title
        assert set(regions) <= set(config.region_names)
        labels = {a["label"] for a in graph["properties"]["annotations"]["vertical"]}
        assert labels == {f"kickoff {e}" for e in kickoffs}
    status, live = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert len(status["properties"]["alarms"]) == len(config.region_names)
    # every live alarm of each ingest Region, by the name the live stack gives it: 6 per STANDARD channel
    assert len(live["properties"]["alarms"]) == 6 * len(config.live.ingest_regions)
    assert all(":alarm:kickoff-prod-" in a and "-live-tnf-" in a for a in live["properties"]["alarms"])


@pytest.mark.held_by("WA-REL-Route53RoutedRecordHealthCheck", "Twin")
def test_shared_dependency_failure_cannot_take_every_region_out(prod) -> None:
    """Every cell's alarms fire at once (a shared dependency): every latency record is unhealthy, and Route 53
    then answers as if all were healthy (fail-open), so viewers keep reaching the nearest cell."""
    from tests.constructs.test_cell_routing import _resolve

    regions = list(prod.config.region_names)
    primary, secondary = _resolve(prod, healthy=set(), latency_order=regions)
    assert primary == regions[0]
    for region in regions:
        checks = _resources(_cell(prod, region), "AWS::Route53::HealthCheck")
        kinds = {c["Properties"]["HealthCheckConfig"]["Type"] for c in checks.values()}
        assert "CLOUDWATCH_METRIC" in kinds and "CALCULATED" in kinds


@pytest.mark.held_by("DR-RecoveryControlKeepsACellOn")
def test_arc_keeps_at_least_one_cell_on_when_routing_controls_join_the_alarms(with_arc) -> None:
    template = with_arc.template(with_arc.deployment.recovery.stack_name)
    (rule,) = _resources(template, "AWS::Route53RecoveryControl::SafetyRule").values()
    assertion = rule["Properties"]["AssertionRule"]
    assert rule["Properties"]["RuleConfig"]["Type"] == "ATLEAST" and rule["Properties"]["RuleConfig"]["Threshold"] >= 1
    assert len(assertion["AssertedControls"]) == len(with_arc.config.region_names)


def test_region_codes_are_short_and_distinct_for_every_commercial_region() -> None:
    regions = [
        *("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1", "mx-central-1"),
        *("sa-east-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1"),
        *("eu-south-1", "eu-south-2", "il-central-1", "me-south-1", "me-central-1", "af-south-1", "ap-east-1"),
        *("ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4"),
        *("ap-southeast-5", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3"),
    ]
    codes = [naming.region_code(r) for r in regions]
    assert len(set(codes)) == len(codes)
    assert naming.region_code("us-east-1") == "use1" and naming.region_code("ap-southeast-2") == "apse2"
    assert max(map(len, codes)) <= 6


def test_divergence_alarms_fit_cloudwatchs_metric_limit_with_many_cells() -> None:
    """A metric math alarm reads at most 10 metrics (aws-cdk-lib refuses more at synth): with 12 cells, this
    Region's own divergence alarm compares with the first MAX_REFERENCES other cells, not with all 11."""
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3
    from aws_cdk.assertions import Template
    from cdk_monitoring_constructs import MonitoringFacade

    from kickoff.constructs.region_probes import ALARM_METRICS_LIMIT, MAX_REFERENCES, ProbeTarget, RegionProbes

    regions = [f"r{i}-east-1" for i in range(12)]
    app = cdk.App()
    stack = cdk.Stack(app, "Probes", env=cdk.Environment(account="111111111111", region="us-east-1"))
    targets = [ProbeTarget(r, f"probe-{r}", f"{r}.origin.example.com", ("/healthz",)) for r in regions]
    targets.append(ProbeTarget("viewer", "probe-viewer", "example.com", ("/healthz",)))
    RegionProbes(
        stack,
        "Probes",
        region=regions[0],
        targets=targets,
        rate_minutes=5,
        failed_runs=2,
        slow_ms=3000,
        facade=MonitoringFacade(stack, "Facade"),
        artifacts_bucket=s3.Bucket(stack, "Artifacts"),
        viewer_key="viewer",
    )
    alarms = Template.from_stack(stack).find_resources("AWS::CloudWatch::Alarm")
    divergence = [a for a in alarms.values() if "Divergence" in a["Properties"].get("AlarmDescription", "")]
    assert len(divergence) == len(targets)
    for alarm in divergence:
        metrics = [m for m in alarm["Properties"]["Metrics"] if "MetricStat" in m]
        assert len(metrics) <= ALARM_METRICS_LIMIT
    own = next(a for a in divergence if "this Region's cell" in a["Properties"]["AlarmDescription"])
    assert len([m for m in own["Properties"]["Metrics"] if "MetricStat" in m]) == 2 + 2 * MAX_REFERENCES == 10


@pytest.mark.held_by("WA-OPS-AlarmedResources", "WA-OPS-AlarmHasAction")
def test_capacity_reservations_that_fail_or_are_not_in_force_alarm_before_kickoff(prod) -> None:
    config = prod.config
    region = config.region_names[0]
    cell = _cell(prod, region)
    prefix = naming.cell_name_prefix(config.identity, region)
    alarms = _alarms(prod, region)
    (queue_id,) = _resources(cell, "AWS::SQS::Queue")
    # The agent's reservation schedules carry the dead-letter queue in its binding (kickoff.agent.apply).
    (function,) = [
        f
        for f in _resources(cell, "AWS::Lambda::Function").values()
        if f["Properties"].get("FunctionName") == naming.capacity_agent_name(config.identity)
    ]
    binding = json.dumps(function["Properties"]["Environment"]["Variables"]["KICKOFF_BINDING"])
    assert queue_id in binding and "scheduler_role_arn" in binding
    failed = json.dumps(alarms[f"{prefix}-reservation-change-failed"])
    for metric in ("TargetErrorCount", "InvocationDroppedCount", "ApproximateNumberOfMessagesVisible"):
        assert metric in failed
    not_in_force = alarms[f"{prefix}-reservation-not-in-force"]
    (expression,) = [q["Expression"] for q in not_in_force["Metrics"] if "Expression" in q]
    assert "ReservedLCUs" in json.dumps(not_in_force)
    assert expression.startswith("FILL(expected, 0) - 60 * FILL(reserved")
    assert "ReservationExpectedLCU" in json.dumps(not_in_force) and not_in_force["AlarmActions"]


@pytest.mark.held_by("WA-OPS-AlarmedResources", "WA-OPS-AlarmHasAction")
def test_the_agents_alarms_say_when_forecasts_stop_reaching_the_region(prod) -> None:
    config = prod.config
    region = config.region_names[0]
    prefix = naming.cell_name_prefix(config.identity, region)
    alarms = _alarms(prod, region)
    agent = config.scaling.agent
    failing = alarms[f"{prefix}-capacity-agent-agent-failing"]
    assert failing["Period"] == agent.failing_minutes * 60 and failing["TreatMissingData"] == "breaching"
    short = alarms[f"{prefix}-capacity-agent-plan-coverage-short"]
    assert short["Threshold"] == config.scaling.horizon_days * 24 - agent.coverage_margin_hours
    assert alarms[f"{prefix}-capacity-agent-plan-drift"]["EvaluationPeriods"] == 2
    assert f"{prefix}-capacity-agent-forecast-refused" in alarms
    for key in ("agent-failing", "plan-coverage-short", "plan-drift", "forecast-refused"):
        assert alarms[f"{prefix}-capacity-agent-{key}"]["AlarmActions"]


@pytest.mark.not_a_rule("a feature the config turns off (config echo): its absence breaks nothing")
def test_without_reservations_no_reservation_is_watched(dev) -> None:
    config = dev.config
    region = config.region_names[0]
    alarms = _alarms(dev, region)
    prefix = naming.cell_name_prefix(config.identity, region)
    assert f"{prefix}-capacity-agent-agent-failing" in alarms
    assert not [n for n in alarms if "reservation" in n]
    assert not _resources(_cell(dev, region), "AWS::SQS::Queue")
