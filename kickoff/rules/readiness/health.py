"""Routing health: a cell leaves DNS when any of its services fails, not only the one Route 53 happens to check."""

from __future__ import annotations

from kickoff.rules.engine import Finding, Resource, TemplateView, props, references
from kickoff.rules.failover_terms import watched_alarm
from kickoff.rules.readiness.rule import ReadinessRule

ENDPOINT_TYPES = {"HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH"}
PLAIN_TYPES = {"HTTP", "HTTP_STR_MATCH", "TCP"}


def _service_health_paths(view: TemplateView) -> dict[str, str]:
    """Target group logical ID -> health path, for every HTTP(S) target group a listener rule forwards to."""
    forwarded = set()
    for rule in view.of_type("AWS::ElasticLoadBalancingV2::ListenerRule").values():
        forwarded |= references(props(rule).get("Actions"))
    out = {}
    for logical_id, group in view.of_type("AWS::ElasticLoadBalancingV2::TargetGroup").items():
        p = props(group)
        if logical_id in forwarded and p.get("Protocol") in ("HTTP", "HTTPS") and p.get("HealthCheckPath"):
            out[logical_id] = p["HealthCheckPath"]
    return out


def _covers_services(
    logical_id: str, resource: Resource, view: TemplateView, readiness: object
) -> list[Finding] | None:
    p = props(resource)
    if "SetIdentifier" not in p or not p.get("HealthCheckId"):
        return None
    checks = view.of_type("AWS::Route53::HealthCheck")
    ids = references(p.get("HealthCheckId"))
    if not ids or any(i not in checks for i in ids):
        return None
    findings = []
    checked: set[str] = set()
    for check_id in ids:
        config = props(checks[check_id]).get("HealthCheckConfig", {})
        children = [config]
        if config.get("Type") == "CALCULATED":
            child_ids = references(config.get("ChildHealthChecks"))
            children = [props(checks[c]).get("HealthCheckConfig", {}) for c in child_ids if c in checks]
            threshold = config.get("HealthThreshold", 1)
            if threshold < len(child_ids):
                findings.append(
                    Finding(
                        "HealthThreshold",
                        f"the calculated check needs {threshold} of {len(child_ids)} "
                        "children healthy, so a cell with a failed service stays in DNS",
                    )
                )
        checked |= {c.get("ResourcePath", "/") for c in children if c.get("Type") in ENDPOINT_TYPES}
        plain = sorted({c.get("Type") for c in children if c.get("Type") in PLAIN_TYPES})
        if plain and view.of_type("AWS::ElasticLoadBalancingV2::Listener"):
            findings.append(
                Finding(
                    "Protocol",
                    f"a {'/'.join(plain)} check does not prove HTTPS works: viewers reach the cell over "
                    "HTTPS, and a plain check passes on a redirect or tests another port entirely",
                )
            )
    missing = sorted(set(_service_health_paths(view).values()) - checked)
    if missing:
        findings.append(
            Finding(
                "Services",
                f"{p.get('Name')} ({p.get('SetIdentifier')}) stays routed while "
                f"{', '.join(missing)} fail: no health check requests them",
            )
        )
    return findings


HEALTH_COVERS_SERVICES = ReadinessRule(
    "Route53HealthCheckCoversServices",
    "A routed record's health check covers the health path of every service the cell serves",
    "Check every service's health path (a calculated check over one endpoint check per service, needing all of them).",
    "Route 53 developer guide: calculated health checks (HealthThreshold)",
    frozenset({"AWS::Route53::RecordSet"}),
    _covers_services,
)


def _secondary_other_cell(
    logical_id: str, resource: Resource, view: TemplateView, readiness: object
) -> list[Finding] | None:
    """A latency CNAME (the secondary origin) must lead to a set that excludes its own cell."""
    p = props(resource)
    if p.get("Type") != "CNAME" or "SetIdentifier" not in p:
        return None
    own_albs = set(view.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"))
    targets = {str(v).lower().rstrip(".") for v in p.get("ResourceRecords", [])}
    back = [
        rid
        for rid, record in view.of_type("AWS::Route53::RecordSet").items()
        if str(props(record).get("Name", "")).lower().rstrip(".") in targets
        and references((props(record).get("AliasTarget") or {}).get("DNSName")) & own_albs
    ]
    return (
        [
            Finding(
                "",
                f"{p.get('Name')} ({p.get('SetIdentifier')}) leads to {', '.join(sorted(targets))}, which holds this "
                f"cell's own ALB ({', '.join(back)}): the secondary origin can be the primary's cell",
            )
        ]
        if back
        else []
    )


SECONDARY_OTHER_CELL = ReadinessRule(
    "Route53SecondaryOriginOtherCell",
    "A cell's secondary-origin CNAME leads to a latency set that excludes the cell itself",
    "Point the cell's secondary CNAME at except-<its Region>, a set that every other cell, and only they, write "
    "(decision 0006).",
    "Route 53 latency routing: a resolver picks the same Region's record in two sets with the same health checks",
    frozenset({"AWS::Route53::RecordSet"}),
    _secondary_other_cell,
)

# Route 53 health checks of type CLOUDWATCH_METRIC read one standard-resolution metric with one of these
# statistics (Route 53 API reference, AlarmIdentifier.Name); a composite or metric math alarm has no such metric.
ROUTE53_ALARM_STATISTICS = {"Average", "Minimum", "Maximum", "Sum", "SampleCount"}


def _alarm_problem(alarm: Resource | None) -> str | None:
    if alarm is None:
        return "names no alarm of this template (Route 53 reads the alarm when the check is created)"
    if alarm["Type"] == "AWS::CloudWatch::CompositeAlarm":
        return "watches a composite alarm, which has no metric for Route 53 to read"
    p = props(alarm)
    if p.get("Metrics"):
        return "watches a metric math alarm; Route 53 reads only single-metric alarms"
    if p.get("ExtendedStatistic") or p.get("Statistic") not in ROUTE53_ALARM_STATISTICS:
        return (
            f"watches an alarm on statistic {p.get('ExtendedStatistic') or p.get('Statistic')}; Route 53 reads only "
            + (", ".join(sorted(ROUTE53_ALARM_STATISTICS)))
        )
    if int(p.get("Period", 60)) < 60:
        return "watches a high-resolution alarm (period under 60 s); Route 53 reads only standard resolution"
    return None


def _alarm_check_readable(
    logical_id: str, resource: Resource, view: TemplateView, readiness: object
) -> list[Finding] | None:
    config = props(resource).get("HealthCheckConfig", {})
    if config.get("Type") != "CLOUDWATCH_METRIC":
        return None
    identifier = config.get("AlarmIdentifier") or {}
    problem = _alarm_problem(watched_alarm(resource, view.resources))
    if problem is None and identifier.get("Region") != view.region:
        problem = f"names Region {identifier.get('Region')}, but its alarm is in {view.region}"
    return [] if problem is None else [Finding("", f"the health check {problem}")]


ALARM_CHECK_READABLE = ReadinessRule(
    "Route53AlarmHealthCheckReadable",
    "A CLOUDWATCH_METRIC health check watches a single-metric, standard-resolution alarm of its own stack",
    "Point the check at one of the critical alarms (one metric, Average/Minimum/Maximum/Sum/SampleCount, period of "
    "60 s or more) by Ref, so the alarm exists first; keep composites and metric math for people and FIS.",
    "Route 53 API reference: AlarmIdentifier (supported alarm features); CreateHealthCheck",
    frozenset({"AWS::Route53::HealthCheck"}),
    _alarm_check_readable,
)

# Metrics that count what traffic does (requests, errors, throttles): their Sum grows with the audience.
_TRAFFIC_COUNT_STATISTICS = {"Sum", "SampleCount"}
# Gauges that end in "Count" but say how many targets are up, whatever the traffic.
_GAUGES = {"HealthyHostCount", "UnHealthyHostCount", "RunningTaskCount", "DesiredTaskCount", "PendingTaskCount"}


def _traffic_count(alarm: Resource) -> str | None:
    p = props(alarm)
    metric = str(p.get("MetricName", ""))
    if metric in _GAUGES or p.get("Metrics"):
        return None
    if p.get("Statistic") in _TRAFFIC_COUNT_STATISTICS and p.get("Namespace", "").startswith("AWS/"):
        return (
            f"{p.get('Namespace')} {metric} ({p.get('Statistic')}) above {p.get('Threshold')} per {p.get('Period')} s"
        )
    return None


def _alarm_not_a_count(
    logical_id: str, resource: Resource, view: TemplateView, readiness: object
) -> list[Finding] | None:
    alarm = watched_alarm(resource, view.resources)
    if alarm is None or alarm["Type"] != "AWS::CloudWatch::Alarm":
        return None
    counted = _traffic_count(alarm)
    if counted is None:
        return []
    return [
        Finding(
            "",
            f"routing follows {counted}: an absolute count of traffic. At a kickoff's arrivals or a game's end a "
            "healthy cell crosses it and leaves DNS, and its viewers push the next cell over the same threshold",
        )
    ]


ALARM_CHECK_NOT_A_COUNT = ReadinessRule(
    "Route53AlarmNotATrafficCount",
    "A health check that routes on an alarm watches a signal of the cell's own health (a gauge such as healthy "
    "targets, or an operator's switch), never a Sum of requests or errors",
    "Route on HealthyHostCount (Minimum) or a switch metric; judge errors as a rate in the region-impaired composite "
    "(it pages, stops FIS and the bake) instead of routing on a count.",
    "Route 53 CLOUDWATCH_METRIC health checks read one metric and a fixed threshold; ALB HTTPCode_* and RequestCount "
    "are per-period sums that grow with the audience",
    frozenset({"AWS::Route53::HealthCheck"}),
    _alarm_not_a_count,
)

RULES: tuple[ReadinessRule, ...] = (
    HEALTH_COVERS_SERVICES,
    SECONDARY_OTHER_CELL,
    ALARM_CHECK_READABLE,
    ALARM_CHECK_NOT_A_COUNT,
)
