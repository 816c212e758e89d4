"""From validated config to the pure planner (kickoff.scaling), and back to what stacks compile.

Keeps ``kickoff.scaling`` free of pydantic and CDK: this module converts config models into
the planner's dataclasses over the planning window (kickoff.deploy_time), and exposes the slices each stack
needs (a cell's targets and ALB reservations; the Data stack's season warm throughput).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from kickoff import naming
from kickoff.config.errors import ConfigError
from kickoff.config.loader import load_for_context
from kickoff.config.models import EventConfig, KickoffConfig
from kickoff.deploy_time import (
    PlanningWindow,
    default_plan_from,
    manual_deploy_minutes,
    parse_plan_from,
    planning_window,
    resolve_plan_from,
)
from kickoff.plan_limits import (
    alb_reservation_problems,
    check_n_minus_1_utilization,
    plan_params,
    plan_problems,
    region_models,
    service_models,
    table_warm_throughput,
    warm_throughput_problems,
)
from kickoff.scaling import (
    AlbReservation,
    BaselineForecast,
    CapacityPlan,
    EventForecast,
    EventWindow,
    PlanError,
    RecurringStep,
    ScheduledStep,
    TargetPlan,
    WarmThroughput,
    build_plan,
    check_season,
    event_windows,
)
from kickoff.scaling.alb import alb_reservations
from kickoff.scaling.demand import from_seconds, to_seconds
from kickoff.scaling.table import warm_throughput


def _routed_shares(
    config: KickoffConfig, shares: dict[str, float], cells: tuple[str, ...] | None = None
) -> dict[str, float]:
    """Shares over ``cells`` (default: the routed cells): an evacuated cell's viewers go to the others, pro rata."""
    routed = {r: shares.get(r, 0.0) for r in (config.routed_regions if cells is None else cells)}
    total = sum(routed.values())
    if total <= 0:
        return {r: 1 / len(routed) for r in routed}
    return {r: v / total for r, v in routed.items()}


def event_forecast(config: KickoffConfig, event: EventConfig, cells: tuple[str, ...] | None = None) -> EventForecast:
    """One calendar event as the planner's forecast, its viewers shared over ``cells`` (default: the routed
    cells)."""
    return EventForecast(
        event_id=event.id,
        kickoff=event.kickoff,
        duration=timedelta(minutes=event.duration_minutes),
        overtime=timedelta(minutes=event.overtime_minutes),
        peak_viewers=event.peak_viewers,
        uncertainty=event.uncertainty,
        region_share=_routed_shares(config, event.region_share, cells),
        earliest_kickoff=event.earliest_kickoff,
        latest_kickoff=event.latest_kickoff,
    )


@dataclass(frozen=True)
class CompiledTarget:
    """What one scalable target's template holds for a deploy at ``PlanningWindow.deploy_time``.

    Fields:
        min_capacity, max_capacity: the range written at deploy time. Every deploy writes it
            again, so it is the highest minimum the plan holds between the deploy time and the
            first compiled action: a deploy inside an event window never lowers the floor.
        steps: one-time actions at or after the window start; when steps between the deploy
            and the window start were dropped, a catch-up step at the window start sets what
            they would have left in force.
        recurring: baseline crons, their StartTime no earlier than the window start.
    """

    region: str
    service: str
    min_capacity: int
    max_capacity: int
    steps: tuple[ScheduledStep, ...]
    recurring: tuple[RecurringStep, ...]


@dataclass(frozen=True)
class FloorLevel:
    """From ``start`` to ``end`` (UTC) the plan keeps at least ``min_tasks`` running."""

    start: datetime
    end: datetime
    min_tasks: int

    @property
    def value(self) -> int:
        return self.min_tasks


@dataclass(frozen=True)
class ReservationLevel:
    """From ``start`` to ``end`` (UTC) the plan expects the ALB to hold ``capacity_units`` reserved LCUs."""

    start: datetime
    end: datetime
    capacity_units: int

    @property
    def value(self) -> int:
        return self.capacity_units


@dataclass(frozen=True)
class DeploymentPlan:
    """What the stacks compile: the capacity plan for the window and the season's warm throughput.

    ``season_windows`` are the planner's event windows over the whole calendar (deploy
    freezes and checks use them); ``table_warm_throughput`` is None when the season needs no
    more than a new on-demand table already has.
    """

    window: PlanningWindow
    capacity: CapacityPlan | None
    table_warm_throughput: WarmThroughput | None
    season_windows: tuple[EventWindow, ...] = ()
    events: tuple[EventForecast, ...] = ()

    def event_dates(self, limit: int = 15) -> list[str]:
        """UTC dates (``YYYY-MM-DD``) on which an event window of the planning window is open, the first ``limit``."""
        dates: list[str] = []
        for w in self.season_windows:
            if w.restore <= self.window.deploy_time or w.start >= self.window.end:
                continue
            day = w.start.astimezone(UTC).date()
            while day <= w.restore.astimezone(UTC).date():
                if day.isoformat() not in dates:
                    dates.append(day.isoformat())
                day += timedelta(days=1)
        return sorted(dates)[:limit]

    def target(self, region: str, service: str) -> TargetPlan | None:
        """The scheduled steps of one scalable target, if any event or baseline is planned."""
        if self.capacity is None:
            return None
        return next((t for t in self.capacity.targets if t.region == region and t.service == service), None)

    def compiled_target(self, region: str, service: str) -> CompiledTarget | None:
        """The scalable target's range at deploy time and its compiled actions (None: nothing planned)."""
        plan = self.target(region, service)
        if plan is None:
            return None
        start, deploy = self.window.start, self.window.deploy_time
        probes = [deploy] + [s.at for s in plan.steps if deploy < s.at < start]
        for r in plan.recurring:
            f = r.next_after(to_seconds(deploy))
            while f is not None and f < to_seconds(start):
                probes.append(from_seconds(f))
                f = r.next_after(f)
        floor = max(plan.min_tasks_at(t) for t in probes)
        steps = [s for s in plan.steps if s.at >= start]
        at_start = plan.min_tasks_at(start)
        if at_start != floor and not any(s.at == start for s in steps):
            steps.insert(0, ScheduledStep(start, at_start, plan.default_max))
        recurring = tuple(
            replace(r, start=max(r.start, start)) for r in plan.recurring if r.end is None or r.end > start
        )
        return CompiledTarget(region, service, floor, plan.default_max, tuple(steps), recurring)

    def alb_reservations(self, region: str) -> list[AlbReservation]:
        """The ALB capacity-unit changes of one cell that are compiled: none before the window starts.

        A reservation raised before the window start and released after it is raised again at
        the window start, so a first deploy during the lead time still reserves the capacity.
        """
        if self.capacity is None:
            return []
        mine = sorted((r for r in self.capacity.alb_reservations if r.region == region), key=lambda r: r.at)
        before = [r for r in mine if r.at < self.window.start]
        compiled = [r for r in mine if r.at >= self.window.start]
        if before and before[-1].capacity_units > 0 and not any(r.at == self.window.start for r in compiled):
            compiled.insert(0, AlbReservation(region, self.window.start, before[-1].capacity_units))
        return compiled

    def reservation_levels(self, region: str, grace: timedelta) -> tuple[ReservationLevel, ...]:
        """What one cell's ALB must have reserved, ``grace`` after each compiled raise until the next change (AWS
        fulfils most requests within minutes, some within hours): the check that the reservation is in force
        before kickoff. Empty without reservations."""
        changes = self.alb_reservations(region)
        levels = []
        for change, following in zip(changes, changes[1:]):
            start = change.at + grace
            if change.capacity_units > 0 and start < following.at:
                levels.append(ReservationLevel(start, following.at, change.capacity_units))
        return tuple(levels)

    def floor_levels(self, region: str, service: str) -> tuple[FloorLevel, ...]:
        """The plan's minimum while each compiled event is on, for the "running below plan" alarm.

        One level per span of overlapping events, from the first kickoff to the last scheduled
        end, that starts at or after the window start (earlier ones are not compiled): the lowest
        minimum the plan holds anywhere in the span (``TargetPlan.lowest_min_between``), so the level never
        exceeds what the scheduled actions set. By kickoff every step of the ramp has fired
        (lead_minutes earlier), so running tasks below it mean the pre-scaled capacity is not there.
        An event with a flex window spans its earliest kickoff to its latest kickoff's expected end,
        because the plan ramps for the earliest and holds through the latest.
        """
        plan = self.target(region, service)
        if plan is None:
            return ()
        spans: list[list[datetime]] = []
        for event in sorted(self.events, key=lambda e: e.first_kickoff):
            start, end = event.first_kickoff, event.last_kickoff + event.duration
            if start < self.window.start:
                continue
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
        levels = []
        for start, end in spans:
            low = plan.lowest_min_between(start, end)
            if low > 0:
                levels.append(FloorLevel(start, end, low))
        return tuple(levels)

    def event_window_at(self, at: datetime) -> EventWindow | None:
        """The season's event window that holds ``at`` (start inclusive, restore exclusive), if any."""
        return next((w for w in self.season_windows if w.start <= at < w.restore), None)


def season_baseline(config: KickoffConfig, window: PlanningWindow) -> BaselineForecast | None:
    """The baseline under the season's events, shared over every cell as designed (no evacuation)."""
    base = config.scaling.baseline
    if base is None:
        return None
    return BaselineForecast(
        hourly_viewers=base.hourly_viewers,
        region_share=_routed_shares(config, base.region_share, config.region_names),
        valid_from=window.deploy_time,
        valid_until=window.end,
        uncertainty=base.uncertainty,
    )


def build_deployment_plan(config: KickoffConfig, plan_from: datetime) -> DeploymentPlan:
    """Plan the events in the window (and the baseline) for a deploy at ``plan_from``.

    Raises one ConfigError listing every reason the plan cannot run: the horizon's plan (scheduled actions,
    max_tasks, and every per-task quota with the deploy surge: vCPU, load balancer targets, network interfaces,
    subnet addresses), the whole season on the cells as designed, the ALB reservations and the table's warm
    throughput against their declared quotas.
    """
    window = planning_window(config, plan_from)
    calendar = config.calendar
    if calendar is None:
        return DeploymentPlan(window, None, None)
    params = plan_params(config)
    services = service_models(config)
    regions = region_models(config, routed_only=True)
    season = [event_forecast(config, e) for e in calendar.events]
    check_n_minus_1_utilization(config, season)
    # The planner's own windows (lead time to ramp-down, doubleheaders merged) decide what is compiled.
    season_windows = event_windows(season, params)
    # Every window not over by the deploy: one under way (or ramping down) inside the margin sets the floor at deploy.
    compiled = {
        eid for w in season_windows if w.start < window.end and w.restore > window.deploy_time for eid in w.event_ids
    }
    in_window = [e for e in season if e.event_id in compiled]
    baseline = None
    if config.scaling.baseline is not None:
        base = config.scaling.baseline
        baseline = BaselineForecast(
            hourly_viewers=base.hourly_viewers,
            region_share=_routed_shares(config, base.region_share),
            valid_from=window.deploy_time,
            valid_until=window.end,
            uncertainty=base.uncertainty,
        )
    problems: list[str] = []
    capacity = warm = None
    horizon = f"the horizon {window.start:%Y-%m-%d %H:%M} UTC + {config.scaling.horizon_days} days"
    try:
        capacity = (
            build_plan(in_window, services, regions, params, baseline=baseline) if in_window or baseline else None
        )
    except PlanError as error:
        problems += [f"{p} ({horizon})" for p in plan_problems(config, error)]
        if config.scaling.alb_reservations and in_window:
            # The reservations need no scheduled actions: check them too, so one run names every problem.
            problems += alb_reservation_problems(
                config,
                alb_reservations(
                    event_windows(in_window, params), in_window, baseline, services, [r.name for r in regions], params
                ),
            )
    try:
        warm = (
            warm_throughput(season_windows, season, baseline, services, [r.name for r in regions], params)
            if config.scaling.warm_throughput
            else None
        )
    except PlanError as error:
        problems += plan_problems(config, error)
    # The season is checked on the cells as designed: an evacuation is temporary, and the horizon's plan above
    # already carries it; a deploy during an incident must not be refused for a game weeks away.
    try:
        check_season(
            [event_forecast(config, e, config.region_names) for e in calendar.events],
            services,
            region_models(config, routed_only=False),
            params,
            baseline=season_baseline(config, window),
        )
    except PlanError as error:
        seen = set(problems)
        problems += [p for p in plan_problems(config, error) if p not in seen]
    if capacity is not None and config.scaling.alb_reservations:
        problems += alb_reservation_problems(config, capacity.alb_reservations)
    problems += warm_throughput_problems(config, warm)
    if problems:
        raise ConfigError(
            f"{naming.environment_key(config)}: the capacity plan cannot run ({len(problems)} "
            f"problem{'s' if len(problems) != 1 else ''}; {config.scaling.calendar}):\n  "
            + "\n  ".join(problems)
            + "\n  Fix: request the increases in Service Quotas and declare the granted values in regions[].quotas "
            "(python -m kickoff quotas prints the commands), raise max_tasks, lower services[].deploy_max_percent, "
            "or revise the forecast in the calendar. Every event of the season is checked now, so a later one can be "
            "fixed before the event enters the planning horizon; a problem in the horizon can also wait by "
            "shortening scaling.horizon_days."
        )
    if capacity is not None and not config.scaling.alb_reservations:
        # The plan holds what the templates create: without reservations, no tool prices or shows any.
        capacity = replace(capacity, alb_reservations=())
    return DeploymentPlan(window, capacity, table_warm_throughput(warm), tuple(season_windows), tuple(in_window))


def load_and_plan(context: Mapping[str, Any]) -> tuple[KickoffConfig, DeploymentPlan]:
    """The config the context selects (``env``, ``config``) and its capacity plan for the deploy time
    (``plan_from``, default now). Pure and quick, so a bad config fails before the CDK loads (ConfigError)."""
    config = load_for_context(context.get("env"), context.get("config"))
    return config, build_deployment_plan(config, resolve_plan_from(config, context.get("plan_from")))


__all__ = [
    "CompiledTarget",
    "DeploymentPlan",
    "FloorLevel",
    "PlanningWindow",
    "ReservationLevel",
    "build_deployment_plan",
    "default_plan_from",
    "event_forecast",
    "load_and_plan",
    "manual_deploy_minutes",
    "parse_plan_from",
    "planning_window",
    "resolve_plan_from",
    "season_baseline",
]
