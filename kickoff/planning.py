"""From validated config to the pure planner (kickoff.scaling), and back to what stacks compile.

Keeps ``kickoff.scaling`` free of pydantic and CDK: this module converts config models into
the planner's dataclasses, chooses the planning window, and exposes the slices each stack
needs (a cell's targets and ALB reservations; the Data stack's season warm throughput).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from kickoff.config.errors import ConfigError
from kickoff.config.models import EventConfig, KickoffConfig
from kickoff.scaling import (
    AlbReservation,
    BandCombination,
    BaselineForecast,
    CapacityPlan,
    EventForecast,
    PlanError,
    PlanParams,
    RegionModel,
    ServiceModel,
    TargetPlan,
    WarmThroughput,
    build_plan,
    event_windows,
)
from kickoff.scaling.alb import warm_throughput


def default_plan_from(now: datetime | None = None) -> datetime:
    """The start of the current UTC day: stable for a day, so repeated synths agree."""
    now = now or datetime.now(UTC)
    return datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)


def parse_plan_from(value: str) -> datetime:
    """``-c plan_from=...``: ISO 8601 with a zone (``Z`` allowed)."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"-c plan_from={value}: not an ISO 8601 time.\n  Fix: use a form like 2026-11-26T00:00:00Z.") from None
    if parsed.tzinfo is None:
        raise ConfigError(f"-c plan_from={value}: no time zone.\n  Fix: add one, e.g. {value}Z.")
    return parsed


def _routed_shares(config: KickoffConfig, shares: dict[str, float]) -> dict[str, float]:
    """Shares over routed cells only: an evacuated cell's viewers go to the others, pro rata."""
    routed = {r: shares.get(r, 0.0) for r in config.routed_regions}
    total = sum(routed.values())
    if total <= 0:
        return {r: 1 / len(routed) for r in routed}
    return {r: v / total for r, v in routed.items()}


def event_forecast(config: KickoffConfig, event: EventConfig) -> EventForecast:
    """One calendar event as the planner's forecast."""
    return EventForecast(
        event_id=event.id,
        kickoff=event.kickoff,
        duration=timedelta(minutes=event.duration_minutes),
        overtime=timedelta(minutes=event.overtime_minutes),
        peak_viewers=event.peak_viewers,
        uncertainty=event.uncertainty,
        region_share=_routed_shares(config, event.region_share),
    )


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
        )
        for s in config.services
    ]


def plan_params(config: KickoffConfig) -> PlanParams:
    """Planner knobs from config.scaling."""
    scaling = config.scaling
    return PlanParams(
        lead_time=timedelta(minutes=scaling.lead_time_minutes),
        step=timedelta(minutes=scaling.step_minutes),
        ramp_down=timedelta(minutes=scaling.ramp_down_minutes),
        band_combination=BandCombination(scaling.band_combination),
    )


@dataclass(frozen=True)
class PlanningWindow:
    """Which events are compiled: those whose capacity window meets [start, end).

    ``start`` is plan_from plus the deploy margin: nothing earlier is compiled.
    """

    start: datetime
    end: datetime


def planning_window(config: KickoffConfig, plan_from: datetime | None = None) -> PlanningWindow:
    """``plan_from`` (context) wins over ``scaling.plan_from`` (config), then the start of today (UTC)."""
    start = (plan_from or config.scaling.plan_from or default_plan_from()).astimezone(UTC)
    start += timedelta(minutes=config.scaling.deploy_margin_minutes)
    return PlanningWindow(start, start + timedelta(days=config.scaling.horizon_days))


@dataclass(frozen=True)
class DeploymentPlan:
    """What the stacks compile: the capacity plan for the window and the season's warm throughput."""

    window: PlanningWindow
    capacity: CapacityPlan | None
    season_warm_throughput: WarmThroughput | None

    def target(self, region: str, service: str) -> TargetPlan | None:
        """The scheduled steps of one scalable target, if any event or baseline is planned."""
        if self.capacity is None:
            return None
        return next((t for t in self.capacity.targets if t.region == region and t.service == service), None)

    def alb_reservations(self, region: str) -> list[AlbReservation]:
        """The ALB capacity-unit changes of one cell that are compiled: none before the window starts."""
        if self.capacity is None:
            return []
        return [r for r in self.capacity.alb_reservations if r.region == region and r.at >= self.window.start]


def build_deployment_plan(config: KickoffConfig, plan_from: datetime | None = None) -> DeploymentPlan:
    """Plan the events in the window (and the baseline); raise ConfigError when the plan cannot run."""
    window = planning_window(config, plan_from)
    calendar = config.calendar
    if calendar is None:
        return DeploymentPlan(window, None, None)
    params = plan_params(config)
    services = service_models(config)
    regions = [RegionModel(r.name, r.fargate_vcpu_quota) for r in config.regions if not r.evacuate]
    season = [event_forecast(config, e) for e in calendar.events]
    # The planner's own windows (lead time to ramp-down, doubleheaders merged) decide what is compiled.
    season_windows = event_windows(season, params)
    compiled = {eid for w in season_windows if w.start < window.end and w.restore > window.start for eid in w.event_ids}
    in_window = [e for e in season if e.event_id in compiled]
    baseline = None
    if config.scaling.baseline is not None:
        base = config.scaling.baseline
        baseline = BaselineForecast(
            hourly_viewers=base.hourly_viewers,
            region_share=_routed_shares(config, base.region_share),
            valid_from=window.start,
            valid_until=window.end,
            uncertainty=base.uncertainty,
        )
    try:
        capacity = build_plan(in_window, services, regions, params, baseline=baseline) if in_window or baseline else None
        warm = (
            warm_throughput(season_windows, season, baseline, services, [r.name for r in regions], params)
            if config.scaling.warm_throughput
            else None
        )
    except PlanError as error:
        raise ConfigError(
            f"{config.environment_key}: the capacity plan for {window.start:%Y-%m-%d %H:%M} UTC + "
            f"{config.scaling.horizon_days} days cannot run: {error}.\n"
            "  Fix: raise max_tasks or fargate_vcpu_quota as named, shorten scaling.horizon_days, "
            "or revise the forecast in the calendar."
        ) from None
    return DeploymentPlan(window, capacity, warm)

