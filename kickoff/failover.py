"""How long traffic may keep reaching a failed cell: the one home of the failover arithmetic (pure).

The resilience budget computes it from the synthesized templates, the Well-Architected RTO
rule per health check, and config validation from the settings before CDK runs; all three
use these functions, and CloudFormation's and Route 53's defaults are written down once here.

- Detection: Route 53 marks an endpoint unhealthy after interval x failure threshold; on the
  alarm path (a cell whose own critical alarms fire), after the alarm period x breaching datapoints.
- DNS: a resolver may keep an answer for its TTL: 60 s for alias records (fixed by Route 53);
  a CNAME in front of an alias adds its own TTL.
- Client retries: CloudFront spends up to attempts x (connection timeout + response timeout)
  on a failed origin before it tries the secondary (an origin may accept the connection and
  then hang; each attempt may pay both timeouts).
- The secondary origin: after a failover, a resolver may keep the secondary CNAME's answer for
  its TTL and the alias behind it for 60 s; until then the secondary may be the new primary,
  so the next failure has no failover. That path must fit the RTO too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Route 53 answers alias records to AWS targets (ALB, CloudFront) with a fixed 60 s TTL.
ALIAS_TTL_SECONDS = 60
# Route 53 health-check defaults (CloudFormation HealthCheckConfig).
DEFAULT_HEALTH_CHECK_INTERVAL = 30
DEFAULT_HEALTH_CHECK_THRESHOLD = 3
# CloudFront origin defaults (CloudFormation Origin / CustomOriginConfig).
DEFAULT_CONNECTION_TIMEOUT = 10
DEFAULT_READ_TIMEOUT = 30
DEFAULT_CONNECTION_ATTEMPTS = 3
# Period of the cells' critical alarms, which Route 53 watches: the shortest standard-resolution period
# (Route 53 reads no high-resolution alarm), so an alarm fires after this x monitoring.datapoints_to_alarm.
ALARM_PERIOD_SECONDS = 60
# The fastest settings that exist: 10 s interval, 1 failure; 1 attempt of 1 s connection + 1 s response.
FASTEST_DETECTION_SECONDS = 10
FASTEST_RETRY_SECONDS = 2


def detection_seconds(
    interval: int = DEFAULT_HEALTH_CHECK_INTERVAL, threshold: int = DEFAULT_HEALTH_CHECK_THRESHOLD
) -> int:
    """Seconds for Route 53 to mark an endpoint unhealthy."""
    return interval * threshold


def retry_seconds(
    connect: int = DEFAULT_CONNECTION_TIMEOUT,
    read: int = DEFAULT_READ_TIMEOUT,
    attempts: int = DEFAULT_CONNECTION_ATTEMPTS,
) -> int:
    """Seconds CloudFront may spend on a failed origin before it tries the next one."""
    return attempts * (connect + read)


@dataclass(frozen=True)
class FailoverTimes:
    """The two paths the RTO must cover, in seconds."""

    detection: int | float
    dns: int | float
    retries: int | float
    secondary_dns: int | float

    @property
    def primary(self) -> int | float:
        """Traffic leaves a failed cell: detection, then cached answers expire, then CloudFront gives up on it."""
        return self.detection + self.dns + self.retries

    @property
    def secondary(self) -> int | float:
        """The secondary origin is again a cell other than the primary: detection, then the CNAME chain expires."""
        return self.detection + self.secondary_dns

    @property
    def worst(self) -> int | float:
        return max(self.primary, self.secondary)


def rto_budget(*, detection: int | float, retries: int | float, secondary_ttl: int | float) -> FailoverTimes:
    """The RTO budget: the one function that adds the terms up. The resilience budget (from the
    templates), the Well-Architected RTO rule (per health check) and config validation (from the
    settings) all call it; ``failover_times`` is its form for settings."""
    return FailoverTimes(detection, ALIAS_TTL_SECONDS, retries, secondary_ttl + ALIAS_TTL_SECONDS)


def failover_times(
    *, interval: int, threshold: int, secondary_ttl: int, connect: int, read: int, attempts: int
) -> FailoverTimes:
    """The failover times of one set of routing and edge settings."""
    return rto_budget(
        detection=detection_seconds(interval, threshold),
        retries=retry_seconds(connect, read, attempts),
        secondary_ttl=secondary_ttl,
    )


def fastest_possible(secondary_ttl_minimum: int = 5) -> FailoverTimes:
    """The shortest failover any setting allows; an RTO below it can never be met."""
    return rto_budget(
        detection=FASTEST_DETECTION_SECONDS, retries=FASTEST_RETRY_SECONDS, secondary_ttl=secondary_ttl_minimum
    )


@dataclass(frozen=True)
class ServiceSpec:
    """What N-1 capacity needs to know of a service."""

    name: str
    vcpu: float
    rps_at_target: float  # requests/s one task serves at the target utilisation


def cell_capacity_rps(
    max_tasks: Mapping[str, float], services: Sequence[ServiceSpec], vcpu_quota: float
) -> tuple[dict[str, float], bool]:
    """Requests/s each service of one cell serves at its max tasks, scaled down when scaling every service to
    its max would exceed the Region's Fargate vCPU quota; and whether the quota limited it."""
    vcpu = sum(max_tasks.get(s.name, 0) * s.vcpu for s in services)
    scale = min(1.0, vcpu_quota / vcpu) if vcpu else 1.0
    return {s.name: max_tasks.get(s.name, 0) * scale * s.rps_at_target for s in services}, scale < 1.0


def n_minus_1(capacity_by_cell: Mapping[str, Mapping[str, float]], service: str) -> tuple[str, float]:
    """With the cell that serves the most of ``service`` lost: which cell, and what the others serve."""
    capacities = {cell: by_service[service] for cell, by_service in capacity_by_cell.items()}
    lost = max(capacities, key=capacities.get)
    return lost, sum(v for cell, v in capacities.items() if cell != lost)
