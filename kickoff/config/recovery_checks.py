"""Cross-field checks of how an environment recovers: table consistency, RTO and RPO from the settings, N-1
capacity, evacuations, and the release pipeline that carries a fix.

Each raises ``FieldProblem`` with the field path and the fix; ``kickoff.config.checks.check_config`` runs them.
The config is the argument, never imported here at run time.
"""

from __future__ import annotations

from kickoff.config.errors import FieldProblem
from kickoff.config.models.root import ConfigFields
from kickoff.config.regions import MRSC_REGION_SETS, mrsc_region_set
from kickoff.failover import (
    ALARM_PERIOD_SECONDS,
    ServiceSpec,
    cell_capacity_rps,
    failover_times,
    fastest_possible,
    n_minus_1,
    rto_budget,
)

# The least a release needs besides its bake: synth checks, self-mutation, assets, freeze checks, deploys.
RELEASE_BEYOND_BAKE_MINUTES = 30


def check_resilience(config: ConfigFields) -> None:
    """The objectives the resilience budget will hold the templates to, checked on the settings first, with
    the same arithmetic (kickoff.failover), so that a config ``validate`` accepts also synthesizes."""
    resilience, health, edge = config.resilience, config.routing.health_check, config.edge
    times = failover_times(
        interval=health.request_interval_seconds,
        threshold=health.failure_threshold,
        secondary_ttl=config.routing.secondary_ttl_seconds,
        connect=edge.origin_connection_timeout_seconds,
        read=edge.origin_read_timeout_seconds,
        attempts=edge.origin_connection_attempts,
    )
    if times.worst > resilience.rto_seconds:
        fastest = fastest_possible().worst
        if fastest > resilience.rto_seconds:
            fix = (
                f"no setting can meet it: the fastest failover any health-check, DNS and CloudFront setting allows "
                f"is {fastest} s (10 s x 1 detection; 60 s alias TTL, or a 5 s secondary CNAME before it; one "
                f"1 s + 1 s CloudFront attempt); raise rto_seconds"
            )
        else:
            fix = (
                "lower routing.health_check.request_interval_seconds or failure_threshold, "
                "routing.secondary_ttl_seconds, or edge.origin_* timeouts and attempts, or raise rto_seconds"
            )
        raise FieldProblem(
            ("resilience", "rto_seconds"),
            f"{resilience.rto_seconds} s cannot be met: traffic leaves a failed cell after {times.detection} s "
            "detection "
            f"+ {times.dns} s DNS + {times.retries} s CloudFront retries = {times.primary} s, and the secondary origin "
            f"is re-pointed after {times.detection} s + {times.secondary_dns} s = {times.secondary} s",
            fix,
        )
    if config.monitoring.route_on_alarms:
        datapoints = config.monitoring.datapoints_to_alarm
        alarm = rto_budget(
            detection=ALARM_PERIOD_SECONDS * datapoints,
            retries=times.retries,
            secondary_ttl=config.routing.secondary_ttl_seconds,
        )
        if alarm.primary > resilience.impaired_rto_seconds:
            raise FieldProblem(
                ("resilience", "impaired_rto_seconds"),
                f"{resilience.impaired_rto_seconds} s cannot be met: a cell whose own alarms fire leaves routing after "
                f"{datapoints} x {ALARM_PERIOD_SECONDS} s alarm detection + {alarm.dns} s DNS + {alarm.retries} s "
                f"CloudFront retries = {alarm.primary} s",
                "lower monitoring.datapoints_to_alarm or the edge.origin_* timeouts and attempts, "
                "or raise impaired_rto_seconds",
            )
    if config.table.consistency == "eventual":
        if resilience.rpo_seconds < 1:
            raise FieldProblem(
                ("resilience", "rpo_seconds"),
                "RPO 0 needs every write committed in two Regions, which eventual consistency does not do",
                "set table.consistency: strong (MRSC), or an RPO of at least 1 s",
            )
        alarm = resilience.replication_alarm_seconds
        if alarm is not None and alarm > resilience.rpo_seconds:
            raise FieldProblem(
                ("resilience", "replication_alarm_seconds"),
                f"an alarm at {alarm} s lets replication lag beyond the RPO of {resilience.rpo_seconds} s",
                "set it to rpo_seconds or less, or leave it out (default: rpo_seconds)",
            )
    specs = [
        ServiceSpec(s.name, s.vcpu, s.requests_per_second_per_task * s.target_utilization_percent / 100)
        for s in config.services
    ]
    per_cell = {
        r: cell_capacity_rps(
            {s.name: s.max_tasks for s in config.services}, specs, config.region(r).quotas.fargate_vcpu
        )[0]
        for r in config.routed_regions
    }
    for i, svc in enumerate(config.services):
        if len(per_cell) < 2:
            break
        lost, remaining = n_minus_1(per_cell, svc.name)
        if remaining < svc.peak_requests_per_second:
            raise FieldProblem(
                ("services", i, "max_tasks"),
                f"with {lost} lost, the other cells serve {remaining:,.0f} req/s of {svc.name} at max_tasks "
                f"(within their Fargate vCPU quotas), below its peak of {svc.peak_requests_per_second:,.0f} req/s",
                "raise max_tasks (and the Regions' fargate_vcpu quotas if they cap it), or add a cell",
            )


def check_evacuation(config: ConfigFields) -> None:
    evacuated = [i for i, r in enumerate(config.regions) if r.evacuate]
    if not evacuated:
        return
    first = evacuated[0]
    if len(evacuated) == len(config.regions):
        raise FieldProblem(
            ("regions", first, "evacuate"),
            "every cell is evacuated, so viewers would have nowhere to go",
            "keep at least one cell in routing (set evacuate: false on one Region)",
        )
    remaining = [r.name for r in config.regions if not r.evacuate]
    shortfalls = []
    for svc in config.services:
        capacity = len(remaining) * svc.cell_capacity_rps
        if capacity < svc.peak_requests_per_second:
            missing = svc.peak_requests_per_second - capacity
            per_cell = svc.requests_per_second_per_task * svc.target_utilization_percent / 100
            shortfalls.append(
                f"{svc.name}: {len(remaining)} cell(s) x {svc.max_tasks} tasks serve {capacity:,.0f} req/s < peak "
                f"{svc.peak_requests_per_second:,.0f} (short {missing:,.0f} req/s, about "
                f"{-(-missing // (per_cell * len(remaining))):,.0f} more max_tasks per cell)"
            )
    if shortfalls:
        raise FieldProblem(
            ("regions", first, "evacuate"),
            f"the remaining cells ({', '.join(remaining)}) cannot absorb the peak: " + "; ".join(shortfalls),
            "evacuate fewer Regions, or raise max_tasks of the services named",
        )


def check_consistency(config: ConfigFields, names: list[str]) -> None:
    table = config.table
    if len(names) < 2:
        raise FieldProblem(
            ("regions",),
            "a global table and active-active cells need at least 2 Regions",
            "list at least 2 regions",
        )
    if table.consistency != "strong":
        return
    regions = set(names) | ({table.witness_region} if table.witness_region else set())
    region_set = mrsc_region_set(regions)
    sets = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in MRSC_REGION_SETS.items())
    if region_set is None:
        raise FieldProblem(
            ("table", "consistency"),
            f"strong consistency needs all Regions in one MRSC Region set, but {', '.join(sorted(regions))} are not",
            f"pick cells (and witness) from one set ({sets}), or use consistency: eventual",
        )
    if table.witness_region in names:
        raise FieldProblem(
            ("table", "witness_region"),
            "the witness Region is also a cell",
            "choose a witness Region that holds no replica",
        )
    if table.witness_region is None and len(names) != 3:
        raise FieldProblem(
            ("table", "consistency"),
            f"strong consistency needs exactly 3 replicas, or 2 plus a witness; this config has {len(names)} Regions",
            "use 3 regions, or 2 regions plus table.witness_region, or consistency: eventual",
        )
    if table.witness_region is not None and len(names) != 2:
        raise FieldProblem(
            ("table", "witness_region"),
            f"a witness is only allowed with exactly 2 replicas; this config has {len(names)} Regions",
            "remove witness_region (3 replicas need none)",
        )


def check_pipeline(config: ConfigFields, names: list[str]) -> None:
    pipeline = config.pipeline
    if pipeline is None:
        return
    if pipeline.canary_region not in names:
        raise FieldProblem(
            ("pipeline", "canary_region"),
            f"canary Region '{pipeline.canary_region}' is not one of the cells ({', '.join(names)})",
            "set canary_region to the cell that should deploy first and alone, usually the one with the fewest viewers",
        )
    if pipeline.release_minutes < pipeline.bake_minutes + RELEASE_BEYOND_BAKE_MINUTES:
        raise FieldProblem(
            ("pipeline", "release_minutes"),
            f"a release of at most {pipeline.release_minutes} min cannot hold a {pipeline.bake_minutes} min bake and "
            f"deploy the stages around it",
            f"set release_minutes to at least {pipeline.bake_minutes + RELEASE_BEYOND_BAKE_MINUTES} "
            f"(bake_minutes + {RELEASE_BEYOND_BAKE_MINUTES})",
        )
