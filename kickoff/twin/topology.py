"""What the twin reads from a synthesized deployment: alarms, health checks, records, origins, capacity.

Everything is read from the templates (through the deploy-readiness context, which already resolves DNS names
to load balancers and follows a prober's path), never from config: the twin judges what would deploy. Each
alarm's metrics are bound to a *signal* of the simulated world by what the metric's dimensions reference:

- AWS/ApplicationELB HealthyHostCount, UnHealthyHostCount, RequestCount, HTTPCode_Target_5XX_Count by target
  group: (``healthy_hosts`` / ``unhealthy_hosts`` / ``requests`` / ``target_5xx``, Region, service);
- AWS/ApplicationELB RequestCount, HTTPCode_ELB_5XX_Count by load balancer: (``requests`` / ``elb_5xx``,
  Region, ``*``);
- AWS/ECS CPUUtilization by service: (``cpu``, Region, service);
- ECS/ContainerInsights RunningTaskCount, DesiredTaskCount: (``running`` / ``desired``, Region, service);
- AWS/DynamoDB ReplicationLatency: (``replication_latency``, Region, receiving Region);
- CloudWatchSynthetics SuccessPercent, Duration: (``canary_success`` / ``canary_duration``, Region, canary);
- Kickoff EvacuateCell: (``evacuate``, Region);
- Kickoff/CapacityAgent Success: (``agent_success``, Region): the agent succeeds while its Region is up.

Any other metric is ``unmodelled``: the twin gives it no datapoints, and says so wherever such an alarm matters.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from kickoff.rules.engine import TemplateView, literal, props, references, tags
from kickoff.rules.failover_terms import origin_retries
from kickoff.rules.readiness.context import Readiness
from kickoff.rules.readiness.edge import behaviors
from kickoff.rules.readiness.probers import INTERNET, ROUTE53, Request, canary_target, reach
from kickoff.twin.alarms import AlarmSpec, CompositeSpec, MetricRef, children_of
from kickoff.twin.specs import (
    ALIAS_TTL,
    CanarySpec,
    HealthCheckSpec,
    RecordSpec,
    ServiceRoute,
    TargetSpec,
    Topology,
)
from kickoff.web import path_pattern_matches

_COUNT_METRICS = {"RequestCount", "HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"}


def _service_of(view: TemplateView, logical_id: str, via: str) -> str | None:
    """The ``service`` tag of the ECS service a target group or service reference leads to."""
    for lid, resource in view.of_type("AWS::ECS::Service").items():
        p = props(resource)
        if via == "service" and lid == logical_id:
            return tags(p.get("Tags")).get("service")
        if via == "target_group" and any(
            logical_id in references(lb.get("TargetGroupArn")) for lb in p.get("LoadBalancers", [])
        ):
            return tags(p.get("Tags")).get("service")
    return None


def _signal(view: TemplateView, metric: dict[str, Any], canaries: dict[str, CanarySpec]) -> tuple[str, ...]:
    namespace, name = metric.get("Namespace", ""), metric.get("MetricName", "")
    dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
    region = view.region
    if namespace == "AWS/ApplicationELB":
        kinds = {
            "HealthyHostCount": "healthy_hosts",
            "UnHealthyHostCount": "unhealthy_hosts",
            "RequestCount": "requests",
            "HTTPCode_Target_5XX_Count": "target_5xx",
            "HTTPCode_ELB_5XX_Count": "elb_5xx",
        }
        if name in kinds:
            if "TargetGroup" in dims:
                service = next(
                    (s for lid in references(dims["TargetGroup"]) if (s := _service_of(view, lid, "target_group"))),
                    None,
                )
                if service:
                    return (kinds[name], region, service)
            elif name in ("RequestCount", "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count"):
                return (kinds[name], region, "*")
    if namespace in ("AWS/ECS", "ECS/ContainerInsights") and "ServiceName" in dims:
        service = next((s for lid in references(dims["ServiceName"]) if (s := _service_of(view, lid, "service"))), None)
        kinds = {"CPUUtilization": "cpu", "RunningTaskCount": "running", "DesiredTaskCount": "desired"}
        if service and name in kinds:
            return (kinds[name], region, service)
    if namespace == "AWS/ApplicationELB" and name == "ReservedLCUs":
        return ("reserved_lcu", region)
    if namespace == "AWS/DynamoDB" and name == "ReplicationLatency" and "ReceivingRegion" in dims:
        return ("replication_latency", region, str(dims["ReceivingRegion"]))
    if namespace == "CloudWatchSynthetics" and name in ("SuccessPercent", "Duration") and "CanaryName" in dims:
        canary = next((c for c in references(dims["CanaryName"]) if f"{region}/{c}" in canaries), None)
        if canary:
            return ("canary_success" if name == "SuccessPercent" else "canary_duration", region, canary)
    if namespace == "Kickoff" and name == "EvacuateCell":
        return ("evacuate", region)
    if namespace == "Kickoff/CapacityAgent" and name == "Success":
        return ("agent_success", region)
    return ("unmodelled", namespace, name)


def _alarm(view: TemplateView, logical_id: str, p: dict[str, Any], canaries: dict[str, CanarySpec]) -> AlarmSpec:
    metrics: list[MetricRef] = []
    expression = None
    if "Metrics" in p:
        for query in p["Metrics"]:
            if "Expression" in query:
                if query.get("ReturnData", True):
                    expression = query["Expression"] if isinstance(query["Expression"], str) else None
                    if expression is None:
                        raise ValueError(f"{logical_id}: an expression that is not a literal string")
                continue
            stat = query["MetricStat"]
            metrics.append(
                MetricRef(
                    query["Id"],
                    _signal(view, stat["Metric"], canaries),
                    stat.get("Stat", "Average"),
                    int(stat.get("Period", 60)),
                    query.get("Label", ""),
                )
            )
            if query.get("ReturnData", True) and expression is None and len(p["Metrics"]) == 1:
                expression = None
        period = max((m.period for m in metrics), default=60)
        if expression is None and len(metrics) != 1:
            raise ValueError(f"{logical_id}: no expression returns data")
    else:
        metric = {k: p.get(k) for k in ("Namespace", "MetricName")} | {"Dimensions": p.get("Dimensions", [])}
        period = int(p.get("Period", 60))
        stat = p.get("Statistic") or p.get("ExtendedStatistic") or "Average"
        metrics.append(MetricRef("m", _signal(view, metric, canaries), stat, period))
    name = literal(p.get("AlarmName"), view) or logical_id
    treat = p.get("TreatMissingData", "missing")
    if any(m.signal[0] == "replication_latency" or m.signal[1:2] == ("AWS/DynamoDB",) for m in metrics):
        treat = "ignore"  # CloudWatch: alarms on AWS/DynamoDB metrics always ignore missing data
    return AlarmSpec(
        logical_id=logical_id,
        name=name,
        region=view.region,
        metrics=tuple(metrics),
        expression=expression,
        threshold=float(p.get("Threshold", 0)),
        comparison=p.get("ComparisonOperator", "GreaterThanThreshold"),
        period=period,
        evaluation_periods=int(p.get("EvaluationPeriods", 1)),
        datapoints_to_alarm=int(p.get("DatapointsToAlarm", p.get("EvaluationPeriods", 1))),
        treat_missing=treat,
        description=str(p.get("AlarmDescription", "")),
    )


def _rule_text(value: Any) -> str:
    """A composite rule with each child alarm's ARN written as its logical ID."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(_rule_text(part) for part in parts)
    if isinstance(value, dict) and ("Fn::GetAtt" in value or "Ref" in value):
        return next(iter(references(value)))
    return json.dumps(value)


def _health_check(view: TemplateView, logical_id: str, p: dict[str, Any]) -> HealthCheckSpec:
    config = p.get("HealthCheckConfig", {})
    kind = config.get("Type", "")
    children = tuple(f"{view.region}/{c}" for c in sorted(references(config.get("ChildHealthChecks"))))
    ordered = [f"{view.region}/{next(iter(references(c)))}" for c in config.get("ChildHealthChecks", []) or []]
    alarm = next(iter(references((config.get("AlarmIdentifier") or {}).get("Name"))), None)
    return HealthCheckSpec(
        logical_id=logical_id,
        region=view.region,
        kind=kind,
        interval=int(config.get("RequestInterval", 30)),
        failure_threshold=int(config.get("FailureThreshold", 3)),
        host=literal(config.get("FullyQualifiedDomainName"), view) or "",
        path=config.get("ResourcePath", "/"),
        port=int(config.get("Port", 443 if kind.startswith("HTTPS") else 80)),
        alarm=alarm,
        insufficient=config.get("InsufficientDataHealthStatus", "LastKnownStatus"),
        children=tuple(ordered) or children,
        health_threshold=int(config.get("HealthThreshold", 1)),
        inverted=bool(config.get("Inverted", False)),
        disabled=bool(config.get("Disabled", False)),
    )


def _rate_seconds(expression: str) -> int:
    """Seconds between runs of a ``rate(N unit)`` schedule (300 for anything else)."""
    match = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours)\)", expression.strip())
    if not match:
        return 300
    return int(match.group(1)) * (60 if match.group(2).startswith("minute") else 3600)


def _canaries(readiness: Readiness, probe_prefix: dict[str, str]) -> dict[str, CanarySpec]:
    out = {}
    for located in readiness.all_of_type("AWS::Synthetics::Canary"):
        view = located.view
        target = canary_target(located.resource)
        cell, problems = None, []
        if target is None:
            problems = ["its script names no HOST and PATHS"]
        else:
            host, paths = target
            for region, prefix in probe_prefix.items():
                if any(p.startswith(prefix) for p in paths):
                    cell = region
            direct = readiness.resolve_load_balancers(host) or []
            if cell is None and len({a.view.region for a in direct}) == 1:
                cell = direct[0].view.region  # it calls one cell by name
            for path in paths:
                problems += list(dict.fromkeys(reach(readiness, Request(INTERNET, host, path), view.region)))
        p = props(located.resource)
        out[f"{view.region}/{located.logical_id}"] = CanarySpec(
            located.logical_id,
            view.region,
            cell,
            not problems,
            "; ".join(problems),
            _rate_seconds(str((p.get("Schedule") or {}).get("Expression", "rate(5 minutes)"))),
            int((p.get("RunConfig") or {}).get("TimeoutInSeconds", 60)),
        )
    return out


def _routes(readiness: Readiness, viewer_host: str, service_paths: dict[str, tuple[str, ...]]) -> list[ServiceRoute]:
    from_edge = [
        d
        for d in readiness.all_of_type("AWS::CloudFront::Distribution")
        if viewer_host in (props(d.resource).get("DistributionConfig", {}).get("Aliases") or [])
    ] or list(readiness.all_of_type("AWS::CloudFront::Distribution"))
    out = []
    for service, patterns in service_paths.items():
        sample = patterns[0].replace("*", "twin") if patterns else "/"
        for distribution in from_edge[:1]:
            ordered = behaviors(distribution.resource)
            behavior = next((b for b in ordered[1:] if path_pattern_matches(b.path, sample)), ordered[0])
            config = props(distribution.resource).get("DistributionConfig", {})
            codes: tuple[int, ...] = ()
            if behavior.group:
                group = next(
                    g
                    for g in config.get("OriginGroups", {}).get("Items", [])
                    if g.get("Id") == behavior.config.get("TargetOriginId")
                )
                codes = tuple((group.get("FailoverCriteria") or {}).get("StatusCodes", {}).get("Items", []))
            primary = behavior.origins[0] if behavior.origins else {}
            retry = origin_retries(primary)[0] if primary else 0
            out.append(ServiceRoute(service, behavior.path, behavior.group and bool(codes), codes, float(retry)))
    return out


def _targets(view: TemplateView) -> dict[tuple[str, str], TargetSpec]:
    out = {}
    policies: dict[str, list[tuple[str, float]]] = {}
    cooldowns: dict[str, tuple[int, int]] = {}
    for policy in view.of_type("AWS::ApplicationAutoScaling::ScalingPolicy").values():
        p = props(policy)
        tracking = p.get("TargetTrackingScalingPolicyConfiguration")
        if tracking:
            metric = (tracking.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType", "custom")
            for target in references(p.get("ScalingTargetId")):
                policies.setdefault(target, []).append((metric, float(tracking.get("TargetValue", 0))))
                if metric == "ECSServiceAverageCPUUtilization":
                    cooldowns[target] = (
                        int(tracking.get("ScaleOutCooldown", 300)),
                        int(tracking.get("ScaleInCooldown", 300)),
                    )
    for lid, target in view.of_type("AWS::ApplicationAutoScaling::ScalableTarget").items():
        p = props(target)
        service = next((s for ref in references(p.get("ResourceId")) if (s := _service_of(view, ref, "service"))), None)
        if service is None:
            continue
        actions = []
        for action in p.get("ScheduledActions", []):
            when = parse_at(str(action.get("Schedule", "")))
            bounds = action.get("ScalableTargetAction", {})
            if when is not None:
                actions.append((when, int(bounds.get("MinCapacity", -1)), int(bounds.get("MaxCapacity", -1))))
        out[(view.region, service)] = TargetSpec(
            view.region,
            service,
            int(p.get("MinCapacity", 0)),
            int(p.get("MaxCapacity", 0)),
            tuple(sorted(actions)),
            tuple(policies.get(lid, [])),
            cooldowns.get(lid, (300, 300)),
        )
    return out


def _reservations(view: TemplateView) -> tuple[tuple[int, int], ...]:
    """The load balancer capacity reservations the cell's schedules set: (epoch s, LCU; 0 for a reset)."""
    out = []
    for schedule in view.of_type("AWS::Scheduler::Schedule").values():
        p = props(schedule)
        arn = json.dumps((p.get("Target") or {}).get("Arn", ""))
        when = parse_at(str(p.get("ScheduleExpression", "")))
        if "modifyCapacityReservation" not in arn or when is None:
            continue
        text = json.dumps((p.get("Target") or {}).get("Input", ""))
        units = re.search(r'CapacityUnits\\":(\d+)', text)
        out.append((when, int(units.group(1)) if units else 0))
    return tuple(sorted(out))


def parse_at(schedule: str) -> int | None:
    """Epoch seconds of an ``at(YYYY-MM-DDTHH:MM:SS)`` schedule (UTC: Kickoff sets no time zone); None otherwise."""
    if not (schedule.startswith("at(") and schedule.endswith(")")):
        return None
    return int(datetime.fromisoformat(schedule[3:-1]).replace(tzinfo=UTC).timestamp())


def read_topology(
    views: list[TemplateView],
    readiness: Readiness,
    *,
    origin_name: str,
    viewer_host: str,
    probe_prefix: dict[str, str],
    service_paths: dict[str, tuple[str, ...]],
) -> Topology:
    """The twin's view of a deployment: ``views`` are its templates (a pipeline's stages included).

    ``origin_name`` is the latency-routed origin name, ``viewer_host`` the distribution's alias,
    ``probe_prefix`` each cell's probe path prefix, ``service_paths`` each service's path patterns.
    """
    topo = Topology(origin_name=origin_name)
    topo.canaries = _canaries(readiness, probe_prefix)
    for view in views:
        for lid, resource in view.resources.items():
            kind, p = resource.get("Type"), props(resource)
            key = f"{view.region}/{lid}"
            try:
                if kind == "AWS::CloudWatch::Alarm":
                    topo.alarms[key] = _alarm(view, lid, p, topo.canaries)
                elif kind == "AWS::CloudWatch::CompositeAlarm":
                    rule = _rule_text(p.get("AlarmRule", ""))
                    topo.composites[key] = CompositeSpec(
                        lid, literal(p.get("AlarmName"), view) or lid, view.region, rule, children_of(rule)
                    )
                elif kind == "AWS::Route53::HealthCheck":
                    topo.health_checks[key] = _health_check(view, lid, p)
            except ValueError as error:
                topo.unreadable.append(f"{view.stack}/{lid}: {error}")
        for p in (props(r) for r in view.of_type("AWS::Route53::RecordSet").values()):
            if "SetIdentifier" not in p:
                continue
            name = str(p.get("Name", "")).rstrip(".")
            check = next(iter(references(p.get("HealthCheckId"))), None)
            alias = p.get("AliasTarget")
            cell = view.region if alias else ""
            target = "" if alias else ",".join(str(v) for v in p.get("ResourceRecords", []))
            ttl = ALIAS_TTL if alias else int(p.get("TTL", 300))
            topo.records.append(
                RecordSpec(
                    name, str(p["SetIdentifier"]), cell, f"{view.region}/{check}" if check else None, ttl, target
                )
            )
        topo.targets.update(_targets(view))
        reservations = _reservations(view)
        if reservations:
            topo.reservations[view.region] = reservations
    topo.routes = _routes(readiness, viewer_host, service_paths)
    for key, check in list(topo.health_checks.items()):
        if check.host:
            topo.health_checks[key] = _endpoint(check, readiness, service_paths)
        alarm = topo.alarms.get(f"{check.region}/{check.alarm}") if check.alarm else None
        if alarm is not None and (alarm.expression is not None or len(alarm.metrics) != 1):
            topo.problems.append(
                f"health check {check.logical_id} ({check.region}) watches {alarm.name}, a metric-math alarm: "
                "Route 53 reads a single metric's data for CLOUDWATCH_METRIC checks, so this check cannot work; "
                "use a single-metric alarm"
            )
    return topo


def _endpoint(
    check: HealthCheckSpec, readiness: Readiness, service_paths: dict[str, tuple[str, ...]]
) -> HealthCheckSpec:
    """An endpoint check with the cell and service it calls, and whether the checkers reach it."""
    albs = readiness.resolve_load_balancers(check.host) or []
    cell = albs[0].view.region if len(albs) == 1 else ""
    service = next(
        (
            s
            for s, patterns in service_paths.items()
            if any(path_pattern_matches(p, check.path) for p in patterns if p != "/*")
        ),
        next((s for s, patterns in service_paths.items() if "/*" in patterns), ""),
    )
    problems = list(dict.fromkeys(reach(readiness, Request(ROUTE53, check.host, check.path, check.port), check.region)))
    return replace(check, cell=cell, service=service, reachable=not problems, problem="; ".join(problems))
