"""Config to the planner's inputs, and the plan against the quotas config declares (pure, no CDK).

``kickoff.planning`` builds the plan; this module turns config into the planner's dataclasses
(services with their deploy surge, Regions with every per-task quota and the cell's own network
interfaces) and holds the checks of a plan against what config declares: N-1 utilisation against
the forecast band, ALB reservations and table warm throughput against their quotas. Every check
names the config field a fix goes into, and reports every problem in one run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from kickoff.cell_layout import other_network_interfaces, task_addresses_per_zone
from kickoff.config.errors import ConfigError
from kickoff.config.models import QUOTA_CODES, KickoffConfig, RegionConfig
from kickoff.config.models.departure import DepartureProfile
from kickoff.scaling import (
    AlbParams,
    AlbReservation,
    BandCombination,
    EventForecast,
    PlanError,
    PlanParams,
    PlanProblems,
    RegionModel,
    ServiceModel,
    WarmThroughput,
)
from kickoff.scaling.spec import (
    BaselineSpec,
    CapacitySpec,
    QuotaExcess,
    RegionLimits,
    n_minus_1_excess,
    reservation_excess,
    warm_excess,
)


def region_model(config: KickoffConfig, region: RegionConfig) -> RegionModel:
    """One cell as the planner sees it: its declared quotas and the interfaces that are not tasks."""
    zones = len(region.zones)
    quotas = region.quotas
    return RegionModel(
        region.name,
        quotas.fargate_vcpu,
        alb_targets_quota=quotas.alb_targets,
        target_group_targets_quota=quotas.targets_per_target_group,
        network_interfaces_quota=quotas.network_interfaces,
        other_network_interfaces=other_network_interfaces(zones, zones if config.network.nat_gateways_per_az else 1),
        zones=zones,
        task_addresses_per_zone=task_addresses_per_zone(),
    )


def region_models(config: KickoffConfig, *, routed_only: bool) -> list[RegionModel]:
    """The cells (only those in routing with ``routed_only``) as the planner sees them."""
    return [region_model(config, r) for r in config.regions if not (routed_only and r.evacuate)]


# Which config field a fix of each quota goes into (regions[].quotas.<field>), by the planner's quota wording.
QUOTA_FIELDS = {
    "L-3032A538": "fargate_vcpu",
    "L-7E6692B2": "alb_targets",
    "L-A0D0B863": "targets_per_target_group",
    "L-DF5E4CA3": "network_interfaces",
}


def plan_problems(config: KickoffConfig, error: PlanError) -> list[str]:
    """Each problem of a plan, prefixed with the config field its fix goes into (``file:line: field``)."""
    problems = error.problems if isinstance(error, PlanProblems) else (str(error),)
    out = []
    for problem in problems:
        where = _quota_field(config, problem)
        out.append(f"{where}: {problem}" if where else problem)
    return out


def _quota_field(config: KickoffConfig, problem: str) -> str | None:
    for index, region in enumerate(config.regions):
        if not re.search(rf"region {re.escape(region.name)}[ ,]", problem):
            continue
        for code, field in QUOTA_FIELDS.items():
            if f"({code})" in problem:
                return config.locate(("regions", index, "quotas", field))
        for i, service in enumerate(config.services):
            if f"service {service.name} needs" in problem and "max_tasks" in problem:
                return config.locate(("services", i, "max_tasks"))
    return None


def service_models(config: KickoffConfig) -> list[ServiceModel]:
    """The configured services as the planner sees them."""
    return [
        ServiceModel(
            name=s.name,
            cpu_units=s.cpu,
            memory_mib=s.memory_mib,
            min_tasks=s.min_tasks,
            max_tasks=s.max_tasks,
            rps_per_task=s.requests_per_second_per_task,
            target_utilization=s.target_utilization_percent / 100,
            rps_per_viewer=s.requests_per_viewer_per_second,
            requests_per_arrival=s.requests_per_arrival,
            table_reads_per_request=s.table_reads_per_request,
            table_writes_per_request=s.table_writes_per_request,
            deploy_surge=s.deploy_max_percent / 100,
        )
        for s in config.services
    ]


def failover_shift(profiles: Sequence[DepartureProfile]) -> timedelta | None:
    """The even departure the planner sizes the re-arrival surge with: the worst profile's (highest peak rate);
    None when no profile is declared (no surge)."""
    if not profiles:
        return None
    worst = min(p.equivalent_spread_seconds for p in profiles)
    return timedelta(seconds=worst)


def plan_params(config: KickoffConfig) -> PlanParams:
    """Planner knobs from config.scaling."""
    scaling = config.scaling
    return PlanParams(
        lead_time=timedelta(minutes=scaling.lead_time_minutes),
        step=timedelta(minutes=scaling.step_minutes),
        ramp_down=timedelta(minutes=scaling.ramp_down_minutes),
        band_combination=BandCombination(scaling.band_combination),
        n_minus_1_min_audience=scaling.n_minus_1_min_audience,
        baseline_n_minus_1=scaling.baseline_n_minus_1,
        baseline_steps=scaling.baseline.recurring_steps if scaling.baseline is not None else True,
        failover_shift=failover_shift(scaling.departure_profiles),
        n_minus_1_utilization=scaling.n_minus_1_utilization,
        alb=AlbParams(minimum_lcu=scaling.alb_minimum_lcu),
    )


def region_limits(config: KickoffConfig) -> tuple[RegionLimits, ...]:
    """Each cell's ALB reservation and table quotas, as the pure checks read them."""
    return tuple(
        RegionLimits(
            r.name,
            r.quotas.alb_reserved_lcu_per_region,
            r.quotas.alb_reserved_lcu_per_alb,
            r.quotas.dynamodb_table_read_units,
            r.quotas.dynamodb_table_write_units,
        )
        for r in config.regions
    )


def check_n_minus_1_utilization(config: KickoffConfig, season: Sequence[EventForecast]) -> None:
    """Refuse an ``n_minus_1_utilization`` that drops requests inside an event's own forecast band
    (``kickoff.scaling.spec.n_minus_1_excess``); ``product`` sizes N-1 on the upper band and has no such edge."""
    excess = n_minus_1_excess(capacity_spec(config), season)
    if excess is None:
        return
    name, widest, hot = excess
    utilization = config.scaling.n_minus_1_utilization
    raise ConfigError(
        f"{config.locate(('scaling', 'n_minus_1_utilization'))}: {utilization:g} sizes N-1 on the expected "
        f"audience, so when {name} reaches the top of its +/-{widest:.0%} band with a Region failed the "
        f"survivors run at {hot:.0%} of their capacity and drop requests.\n"
        f"  Fix: set scaling.n_minus_1_utilization to at most {1.0 / (1.0 + widest):.2f} "
        f"(0.85 / (1 + error) keeps them below 85%), or scaling.band_combination: product."
    )


def _where(config: KickoffConfig, excess: QuotaExcess) -> str:
    index = next(i for i, r in enumerate(config.regions) if r.name == excess.region)
    return config.locate(("regions", index, "quotas", excess.field))


def alb_reservation_problems(config: KickoffConfig, reservations: Sequence[AlbReservation]) -> list[str]:
    """Each cell's ALB reservation against the Region's declared LCU reservation quotas (one ALB per cell)."""
    return [
        f"{_where(config, e)}: ({e.region}) the plan reserves {e.needed:,} ALB capacity units before an event, above "
        f"the declared quota of {e.quota:,} ({QUOTA_CODES[e.field]}); or set scaling.alb_reservations: false"
        for e in reservation_excess(capacity_spec(config), reservations)
    ]


def warm_throughput_problems(config: KickoffConfig, need: WarmThroughput | None) -> list[str]:
    """Warm throughput applies to every replica and DynamoDB pre-warms only up to the per-table quota of each
    replica Region, so a need above any Region's declared quota is a config error."""
    return [
        f"{_where(config, e)}: ({e.region}) the season needs {e.needed:,} table "
        f"{'read' if 'read' in e.field else 'write'} units/s of warm throughput on every replica, above the "
        f"declared table-level {'read' if 'read' in e.field else 'write'} quota of {e.quota:,} "
        f"({QUOTA_CODES[e.field]}); or set scaling.warm_throughput: false and accept throttling above the "
        "on-demand baseline"
        for e in warm_excess(capacity_spec(config), need)
    ]


def baseline_spec(config: KickoffConfig) -> BaselineSpec | None:
    """config.scaling.baseline as the planner's baseline."""
    base = config.scaling.baseline
    return BaselineSpec(base.hourly_viewers, dict(base.region_share), base.uncertainty) if base is not None else None


def capacity_spec(config: KickoffConfig) -> CapacitySpec:
    """The static half of every plan of ``config``: knobs, services, cells with their quotas, the baseline."""
    return CapacitySpec(
        params=plan_params(config),
        services=tuple(service_models(config)),
        regions=tuple(region_models(config, routed_only=False)),
        routed=tuple(config.routed_regions),
        limits=region_limits(config),
        horizon=timedelta(days=config.scaling.horizon_days),
        alb_reservations=config.scaling.alb_reservations,
        warm_throughput=config.scaling.warm_throughput,
        n_minus_1_utilization=config.scaling.n_minus_1_utilization,
        baseline=baseline_spec(config),
    )
