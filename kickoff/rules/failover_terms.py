"""The terms of the RTO budget as the templates hold them, with CloudFormation's defaults for
absent properties (``kickoff.failover`` writes the defaults down; this module reads templates).

Used by the resilience budget (over every cell and the edge) and by the Well-Architected RTO
rule (per health check); both add the terms up with ``kickoff.failover.rto_budget``.
"""

from __future__ import annotations

from typing import Any

from kickoff.failover import (
    DEFAULT_CONNECTION_ATTEMPTS,
    DEFAULT_CONNECTION_TIMEOUT,
    DEFAULT_HEALTH_CHECK_INTERVAL,
    DEFAULT_HEALTH_CHECK_THRESHOLD,
    DEFAULT_READ_TIMEOUT,
    detection_seconds,
    retry_seconds,
)
from kickoff.rules.engine import Resource, props, references

ENDPOINT_HEALTH_CHECK_TYPES = {"HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"}


def health_check_detection(health_check: Resource) -> tuple[int, str] | None:
    """Seconds for Route 53 to mark the endpoint unhealthy, and how; None for checks that call no endpoint."""
    config = props(health_check).get("HealthCheckConfig", {})
    if config.get("Type") not in ENDPOINT_HEALTH_CHECK_TYPES:
        return None
    interval = int(config.get("RequestInterval", DEFAULT_HEALTH_CHECK_INTERVAL))
    threshold = int(config.get("FailureThreshold", DEFAULT_HEALTH_CHECK_THRESHOLD))
    return detection_seconds(interval, threshold), f"{interval} s interval x {threshold} failures"


def origin_retries(origin: dict[str, Any]) -> tuple[int, str]:
    """Seconds CloudFront may spend on one failed origin before it tries the next, and how."""
    connect = int(origin.get("ConnectionTimeout", DEFAULT_CONNECTION_TIMEOUT))
    read = int((origin.get("CustomOriginConfig") or {}).get("OriginReadTimeout", DEFAULT_READ_TIMEOUT))
    attempts = int(origin.get("ConnectionAttempts", DEFAULT_CONNECTION_ATTEMPTS))
    return (
        retry_seconds(connect, read, attempts),
        f"CloudFront origin {attempts} attempts x ({connect} s connection + {read} s response timeout)",
    )


def watched_alarm(health_check: Resource, resources: dict[str, Resource]) -> Resource | None:
    """The alarm (of ``resources``) a CLOUDWATCH_METRIC check names by Ref; None for other checks or no such alarm."""
    config = props(health_check).get("HealthCheckConfig", {})
    if config.get("Type") != "CLOUDWATCH_METRIC":
        return None
    names = references((config.get("AlarmIdentifier") or {}).get("Name"))
    return resources.get(next(iter(names), ""))


def alarm_detection(health_check: Resource, resources: dict[str, Resource]) -> tuple[int, str] | None:
    """Seconds for a CLOUDWATCH_METRIC check's alarm to fire (period x breaching datapoints), and how; None for
    other checks. Route 53 then reads the alarm's state on its next evaluation (not documented; not added)."""
    alarm = watched_alarm(health_check, resources)
    if alarm is None:
        return None
    p = props(alarm)
    period = int(p.get("Period", 60))
    datapoints = int(p.get("DatapointsToAlarm", p.get("EvaluationPeriods", 1)))
    return period * datapoints, f"alarm {p.get('AlarmName', '?')}: {datapoints} x {period} s"


def routing_detection(
    health_check: Resource, resources: dict[str, Resource], *, alarms: bool = False
) -> tuple[int, str] | None:
    """Seconds for a routing health check to turn unhealthy when its endpoints stop answering, and how (with
    ``alarms``: when any one of its alarms fires, the slowest such alarm); None when no child of that kind can
    turn it.

    A CALCULATED check turns unhealthy once more than ``children - HealthThreshold`` children are unhealthy.
    A failed cell fails all its endpoint checks at once, so with every child required the fastest decides, and
    a slow child (a failback hold-down) only delays the return. An alarm fires alone, so each alarm child must
    turn the check by itself, and the slowest is the bound. Children of the other kind neither speed nor slow it.
    """
    config = props(health_check).get("HealthCheckConfig", {})
    detect = (lambda c: alarm_detection(c, resources)) if alarms else health_check_detection
    if config.get("Type") != "CALCULATED":
        return detect(health_check)
    children = [resources[c] for c in references(config.get("ChildHealthChecks")) if c in resources]
    must_fail = max(1, len(children) - int(config.get("HealthThreshold", 1)) + 1)
    times = sorted((d for c in children if (d := detect(c)) is not None), key=lambda d: d[0])
    if alarms:
        return times[-1] if times and must_fail == 1 else None
    if len(times) < must_fail:
        return None
    return times[must_fail - 1]
