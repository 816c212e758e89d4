"""The resilience budget: RTO, RPO and static stability, read back from synthesized templates.

Pure Python over template dicts, so the same numbers serve the synth gate
(``ResilienceBudgetPlugin``), the CLI (``python -m kickoff resilience``) and the tests.

- **RTO** (worst case for traffic to leave a failed cell): Route 53 health-check
  interval x failure threshold, plus the DNS TTL resolvers may still cache (60 s for
  alias records), plus the client retry allowance (CloudFront's origin connection
  attempts x (connection timeout + response timeout)).
- **RPO**: 0 with multi-Region strong consistency; under eventual consistency, the
  threshold of the ReplicationLatency alarms on every (writer, receiver) pair of
  Regions. A pair without an alarm has no bound: the RPO cannot be shown, and the budget
  fails rather than assume a typical lag.
- **The secondary origin**: after a failover, the secondary CNAME's TTL plus the alias
  behind it bounds how long CloudFront's secondary may still be the new primary's cell;
  that path must fit the RTO as well (kickoff.failover).
- **Static stability**: with the largest routed cell lost, the other cells' max
  capacity (template MaxCapacity, within each Region's Fargate vCPU quota) still
  carries every service's configured peak.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from kickoff import naming
from kickoff.config.models import KickoffConfig
from kickoff.failover import (
    ALIAS_TTL_SECONDS,
    ServiceSpec,
    cell_capacity_rps,
    n_minus_1,
    rto_budget,
)
from kickoff.naming import stack_name
from kickoff.rules.engine import references, tags
from kickoff.rules.failover_terms import origin_retries, routing_detection

# Without a ReplicationLatency alarm nothing bounds how far a replica lags: the RPO is unknown, never better.
NO_EVIDENCE = math.inf

Template = dict[str, Any]


@dataclass(frozen=True)
class Part:
    """One term of a budget: what it is, how many seconds, where the number came from."""

    name: str
    seconds: float
    source: str


@dataclass(frozen=True)
class ServiceCapacity:
    """Static stability of one service: capacity left with the largest cell lost."""

    service: str
    peak_rps: float
    capacity_rps: float
    lost_cell: str
    limited_by_quota: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.capacity_rps >= self.peak_rps


@dataclass
class ResilienceBudget:
    """The computed budget and every objective it violates."""

    rto_objective: int
    rto_parts: list[Part]
    impaired_rto_objective: int
    impaired_parts: list[Part]
    rpo_objective: int
    rpo_bound: float
    rpo_source: str
    rpo_assumption: str | None
    capacity: list[ServiceCapacity]
    violations: list[tuple[str, str]] = field(default_factory=list)  # (objective, message)

    @property
    def rto_seconds(self) -> float:
        return sum(p.seconds for p in self.rto_parts)

    @property
    def impaired_rto_seconds(self) -> float:
        """The alarm path: a cell whose own alarms fire leaves routing (0 when no check watches an alarm)."""
        return sum(p.seconds for p in self.impaired_parts)


def _resources(template: Template, resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template.get("Resources", {}).items() if v.get("Type") == resource_type}


def _routed_detection(
    config: KickoffConfig, cell_templates: dict[str, Template], *, alarms: bool = False
) -> tuple[float, str] | None:
    """Slowest detection among routed cells' latency-record health checks, and where it comes from: the endpoint
    checks, or with ``alarms`` the checks that watch the cells' own alarms."""
    worst: tuple[float, str] | None = None
    for region, template in cell_templates.items():
        checks = _resources(template, "AWS::Route53::HealthCheck")
        for record in _resources(template, "AWS::Route53::RecordSet").values():
            props = record.get("Properties", {})
            if props.get("Name") != f"{naming.origin_domain(config.identity)}." or "SetIdentifier" not in props:
                continue
            (check_id,) = references(props.get("HealthCheckId")) or {None}
            check = checks.get(check_id or "")
            if check is None:
                continue
            detection = routing_detection(check, template["Resources"], alarms=alarms)
            if detection is not None and (worst is None or detection[0] > worst[0]):
                worst = (detection[0], f"{region}: {detection[1]}")
    return worst


def _retry_allowance(edge: Template | None) -> Part:
    """CloudFront's longest time on a failed primary origin before it tries the secondary, per origin."""
    if edge is None:
        return Part("client retries", 0, "no Edge stack")
    worst, source = 0, "CloudFront origin timeouts"
    for dist in _resources(edge, "AWS::CloudFront::Distribution").values():
        for origin in dist["Properties"]["DistributionConfig"].get("Origins", []):
            seconds, how = origin_retries(origin)
            if seconds > worst:
                worst, source = seconds, how
    return Part("client retries", worst, source)


def _secondary_ttl(config: KickoffConfig, cell_templates: dict[str, Template]) -> tuple[int, str] | None:
    """The longest TTL of the secondary origin's CNAME records, and where it comes from."""
    worst: tuple[int, str] | None = None
    for region, template in cell_templates.items():
        for record in _resources(template, "AWS::Route53::RecordSet").values():
            props = record.get("Properties", {})
            if (
                props.get("Name") == f"{naming.secondary_origin_domain(naming.origin_domain(config.identity))}."
                and props.get("Type") == "CNAME"
            ):
                ttl = int(props.get("TTL", 0))
                if worst is None or ttl > worst[0]:
                    worst = (ttl, f"{region}: secondary CNAME TTL {ttl} s + {ALIAS_TTL_SECONDS} s alias")
    return worst


def _rpo(config: KickoffConfig, data: Template, cell_templates: dict[str, Template]) -> tuple[float, str, str | None]:
    tables = _resources(data, "AWS::DynamoDB::GlobalTable")
    if any(t["Properties"].get("MultiRegionConsistency") == "STRONG" for t in tables.values()):
        return 0.0, "multi-Region strong consistency: a write commits in at least two Regions", None
    replica_regions = sorted({r["Region"] for t in tables.values() for r in t["Properties"].get("Replicas", [])})
    thresholds: dict[tuple[str, str], float] = {}
    for region, template in cell_templates.items():
        for alarm in _resources(template, "AWS::CloudWatch::Alarm").values():
            props = alarm["Properties"]
            if props.get("MetricName") != "ReplicationLatency" or props.get("Namespace") != "AWS/DynamoDB":
                continue
            dims = {d["Name"]: d["Value"] for d in props.get("Dimensions", [])}
            if (
                dims.get("TableName") == naming.table_name(config.identity)
                and props.get("ComparisonOperator") == "GreaterThanThreshold"
            ):
                thresholds[(region, dims["ReceivingRegion"])] = float(props["Threshold"]) / 1000
    pairs = [(a, b) for a in replica_regions for b in replica_regions if a != b]
    missing = [p for p in pairs if p not in thresholds]
    if not missing and pairs:
        worst = max(thresholds[p] for p in pairs)
        return worst, f"ReplicationLatency alarms (per-minute max) on all {len(pairs)} Region pairs", None
    shown = ", ".join(f"{a}->{b}" for a, b in missing[:4]) + (" ..." if len(missing) > 4 else "")
    return (
        NO_EVIDENCE,
        "no evidence",
        (f"no ReplicationLatency alarm for {shown}: nothing bounds how far those replicas lag, so no RPO can be shown"),
    )


def _max_tasks_by_service(template: Template) -> dict[str, float]:
    """MaxCapacity of each ECS service's scalable target, by the service's ``service`` tag."""
    out: dict[str, float] = {}
    resources = template.get("Resources", {})
    for target in _resources(template, "AWS::ApplicationAutoScaling::ScalableTarget").values():
        for logical_id in references(target["Properties"].get("ResourceId")):
            service = resources.get(logical_id)
            if service and service["Type"] == "AWS::ECS::Service":
                name = tags(service.get("Properties", {}).get("Tags")).get("service")
                if isinstance(name, str):
                    out[name] = target["Properties"]["MaxCapacity"]
    return out


def service_specs(config: KickoffConfig) -> list[ServiceSpec]:
    """The configured services as the N-1 arithmetic sees them."""
    return [
        ServiceSpec(s.name, s.vcpu, s.requests_per_second_per_task * s.target_utilization_percent / 100)
        for s in config.services
    ]


def _capacity(config: KickoffConfig, cell_templates: dict[str, Template]) -> list[ServiceCapacity]:
    routed = [r for r in config.routed_regions if r in cell_templates]
    specs = service_specs(config)
    per_cell: dict[str, dict[str, float]] = {}
    quota_limited: set[str] = set()
    for region in routed:
        per_cell[region], limited = cell_capacity_rps(
            _max_tasks_by_service(cell_templates[region]), specs, config.region(region).quotas.fargate_vcpu
        )
        if limited:
            quota_limited.add(region)
    result = []
    for svc in config.services:
        if not per_cell:
            continue
        lost, remaining = n_minus_1(per_cell, svc.name)
        result.append(
            ServiceCapacity(
                svc.name,
                svc.peak_requests_per_second,
                remaining,
                lost,
                tuple(sorted(r for r in quota_limited if r != lost)),
            )
        )
    return result


def compute_budget(config: KickoffConfig, templates: dict[str, Template]) -> ResilienceBudget:
    """The budget for ``config`` from its synthesized templates (stack name -> template)."""
    cells = {r: templates[n] for r in config.region_names if (n := stack_name(config.identity, "cell", r)) in templates}
    data = templates.get(stack_name(config.identity, "data"), {})
    edge = templates.get(stack_name(config.identity, "edge"))
    violations: list[str] = []

    parts: list[Part] = []
    detection = _routed_detection(config, cells)
    if detection is None:
        violations.append(
            ("RTO", "no routed cell has a health-checked latency record, so a failed cell is never removed")
        )
    retries = _retry_allowance(edge)
    secondary = _secondary_ttl(config, cells)
    times = rto_budget(
        detection=detection[0] if detection else 0,
        retries=retries.seconds,
        secondary_ttl=secondary[0] if secondary else 0,
    )
    if detection is not None:
        parts.append(Part("health-check detection", times.detection, detection[1]))
    dns = Part("DNS TTL", times.dns, "alias records to ALBs (fixed by Route 53)")
    parts.append(dns)
    parts.append(retries)
    rto = times.primary
    if rto > config.resilience.rto_seconds:
        terms = " + ".join(f"{p.seconds:g} s {p.name}" for p in parts)
        violations.append(
            ("RTO", f"RTO {config.resilience.rto_seconds} s is not met: worst-case failover is {terms} = {rto:g} s")
        )
    if detection is not None and secondary is not None and times.secondary > config.resilience.rto_seconds:
        violations.append(
            (
                "RTO",
                (
                    f"RTO {config.resilience.rto_seconds} s is not met by the secondary origin: {times.detection:g} s "
                    "detection + "
                    f"{secondary[0]} s secondary CNAME TTL + {ALIAS_TTL_SECONDS} s alias TTL = {times.secondary:g} s "
                    "during which "
                    "CloudFront's secondary may still be the new primary's cell; lower routing.secondary_ttl_seconds"
                ),
            )
        )

    impaired_parts: list[Part] = []
    alarm = _routed_detection(config, cells, alarms=True)
    if alarm is not None:
        # The same path as an endpoint failure, detected by the alarms instead.
        impaired = rto_budget(detection=alarm[0], retries=retries.seconds, secondary_ttl=0).primary
        impaired_parts = [Part("alarm detection", alarm[0], alarm[1]), dns, retries]
        if impaired > config.resilience.impaired_rto_seconds:
            violations.append(
                (
                    "RTO",
                    f"impaired RTO {config.resilience.impaired_rto_seconds} s is not met: a cell whose own alarms fire "
                    f"leaves routing after {alarm[0]:g} s alarm detection ({alarm[1]}) + {times.dns:g} s DNS + "
                    f"{retries.seconds:g} s client retries = {impaired:g} s; lower monitoring.datapoints_to_alarm",
                )
            )

    rpo, rpo_source, assumption = _rpo(config, data, cells)
    if assumption is not None:
        violations.append(
            (
                "RPO",
                f"RPO {config.resilience.rpo_seconds} s cannot be shown: {assumption}; "
                "keep a ReplicationLatency alarm for every Region pair",
            )
        )
    elif rpo > config.resilience.rpo_seconds:
        violations.append(
            ("RPO", f"RPO {config.resilience.rpo_seconds} s is not met: replication can lag {rpo:g} s ({rpo_source})")
        )

    capacity = _capacity(config, cells)
    for svc in capacity:
        if not svc.ok:
            quota = f"; Fargate vCPU quota limits {', '.join(svc.limited_by_quota)}" if svc.limited_by_quota else ""
            violations.append(
                (
                    "StaticStability",
                    f"with {svc.lost_cell} lost, {svc.service} has {svc.capacity_rps:,.0f} req/s of capacity "
                    f"< peak {svc.peak_rps:,.0f} req/s{quota}; raise max_tasks or add a cell",
                )
            )
    if len(config.routed_regions) < 2:
        violations.append(("StaticStability", "fewer than 2 cells are routed, so losing one loses everything"))
    return ResilienceBudget(
        rto_objective=config.resilience.rto_seconds,
        rto_parts=parts,
        impaired_rto_objective=config.resilience.impaired_rto_seconds,
        impaired_parts=impaired_parts,
        rpo_objective=config.resilience.rpo_seconds,
        rpo_bound=rpo,
        rpo_source=rpo_source,
        rpo_assumption=assumption,
        capacity=capacity,
        violations=violations,
    )


def budget_rows(budget: ResilienceBudget) -> list[list[str]]:
    """Table rows for the CLI: objective, term, seconds / value, source."""
    rows = [["RTO", p.name, f"{p.seconds:g} s", p.source] for p in budget.rto_parts]
    rows.append(
        [
            "RTO",
            "worst case",
            f"{budget.rto_seconds:g} s",
            f"objective {budget.rto_objective} s: "
            + ("met" if budget.rto_seconds <= budget.rto_objective else "NOT MET"),
        ]
    )
    if budget.impaired_parts:
        rows += [["RTO (alarm path)", p.name, f"{p.seconds:g} s", p.source] for p in budget.impaired_parts]
        rows.append(
            [
                "RTO (alarm path)",
                "worst case",
                f"{budget.impaired_rto_seconds:g} s",
                f"objective {budget.impaired_rto_objective} s: "
                + ("met" if budget.impaired_rto_seconds <= budget.impaired_rto_objective else "NOT MET"),
            ]
        )
    rows.append(
        ["RPO", "bound", "unknown" if math.isinf(budget.rpo_bound) else f"{budget.rpo_bound:g} s", budget.rpo_source]
    )
    rows.append(
        [
            "RPO",
            "objective",
            f"{budget.rpo_objective} s",
            "met" if budget.rpo_bound <= budget.rpo_objective else "NOT MET",
        ]
    )
    for svc in budget.capacity:
        rows.append(
            [
                "N-1",
                svc.service,
                f"{svc.capacity_rps:,.0f} req/s",
                f"without {svc.lost_cell}; peak {svc.peak_rps:,.0f} req/s: " + ("met" if svc.ok else "NOT MET"),
            ]
        )
    return rows
