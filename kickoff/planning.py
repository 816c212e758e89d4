"""From validated config to the pure planner (kickoff.scaling), and back to what stacks compile.

Keeps ``kickoff.scaling`` free of pydantic and CDK: this module turns config into the planner's static half
(``CapacitySpec``) and its calendar, plans the window of a deploy time (kickoff.deploy_time) with
``kickoff.scaling.spec.plan_horizon`` (the function a capacity agent runs too), and names every problem with the
config field its fix goes into.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from kickoff import naming
from kickoff.agent.document import ForecastDocument
from kickoff.config.errors import ConfigError
from kickoff.config.loader import load_for_context
from kickoff.config.models import EventConfig, KickoffConfig
from kickoff.deploy_time import (
    default_plan_from,
    parse_plan_from,
    planning_window,
    resolve_plan_from,
)
from kickoff.plan_limits import (
    alb_reservation_problems,
    baseline_spec,
    capacity_spec,
    check_n_minus_1_utilization,
    plan_params,
    plan_problems,
    service_models,
    warm_throughput_problems,
)
from kickoff.scaling import BaselineForecast, EventForecast, event_windows
from kickoff.scaling.horizon import CompiledTarget, DeploymentPlan, PlanningWindow
from kickoff.scaling.spec import (
    CalendarEvent,
    CapacitySpec,
    baseline_over,
    forecast_of,
    forecast_over,
    plan_horizon,
)


def calendar_event(event: EventConfig) -> CalendarEvent:
    """One event of the validated calendar as the planner's raw calendar entry."""
    return CalendarEvent(
        event_id=event.id,
        kickoff=event.kickoff,
        duration=timedelta(minutes=event.duration_minutes),
        overtime=timedelta(minutes=event.overtime_minutes),
        peak_viewers=event.peak_viewers,
        uncertainty=event.uncertainty,
        region_share=dict(event.region_share),
        earliest_kickoff=event.earliest_kickoff,
        latest_kickoff=event.latest_kickoff,
    )


def calendar_events(config: KickoffConfig) -> tuple[CalendarEvent, ...]:
    """The config's calendar (empty without one)."""
    return tuple(calendar_event(e) for e in config.calendar.events) if config.calendar is not None else ()


def event_forecast(config: KickoffConfig, event: EventConfig, cells: tuple[str, ...] | None = None) -> EventForecast:
    """One calendar event as the planner's forecast, its viewers shared over ``cells`` (default: the routed
    cells)."""
    return forecast_over(calendar_event(event), config.routed_regions if cells is None else cells)


def season_baseline(config: KickoffConfig, window: PlanningWindow) -> BaselineForecast | None:
    """The baseline under the season's events, shared over every cell as designed (no evacuation)."""
    base = baseline_spec(config)
    return baseline_over(base, window, config.region_names) if base is not None else None


def build_deployment_plan(config: KickoffConfig, plan_from: datetime) -> DeploymentPlan:
    """Plan the events in the window (and the baseline) for a deploy at ``plan_from``.

    Raises one ConfigError listing every reason the plan cannot run: the horizon's plan (scheduled actions,
    max_tasks, and every per-task quota with the deploy surge: vCPU, load balancer targets, network interfaces,
    subnet addresses), the whole season on the cells as designed, the ALB reservations and the table's warm
    throughput against their declared quotas.
    """
    window = planning_window(config, plan_from)
    if config.calendar is None:
        return DeploymentPlan(window, None, None)
    spec = capacity_spec(config)
    calendar = calendar_events(config)
    check_n_minus_1_utilization(config, [forecast_of(spec, e) for e in calendar])
    outcome = plan_horizon(spec, calendar, window)
    if outcome.plan is not None:
        return outcome.plan
    problems: list[str] = []
    horizon = f"the horizon {window.start:%Y-%m-%d %H:%M} UTC + {config.scaling.horizon_days} days"
    if outcome.horizon_error is not None:
        problems += [f"{p} ({horizon})" for p in plan_problems(config, outcome.horizon_error)]
        problems += alb_reservation_problems(config, outcome.unchecked_reservations)
    if outcome.warm_error is not None:
        problems += plan_problems(config, outcome.warm_error)
    if outcome.season_error is not None:
        seen = set(problems)
        problems += [p for p in plan_problems(config, outcome.season_error) if p not in seen]
    if outcome.horizon_error is None:
        problems += alb_reservation_problems(config, outcome.reservations)
    problems += warm_throughput_problems(config, outcome.warm)
    raise ConfigError(
        f"{naming.environment_key(config.identity)}: the capacity plan cannot run ({len(problems)} "
        f"problem{'s' if len(problems) != 1 else ''}; {config.scaling.calendar}):\n  "
        + "\n  ".join(problems)
        + "\n  Fix: request the increases in Service Quotas and declare the granted values in regions[].quotas "
        "(python -m kickoff quotas prints the commands), raise max_tasks, lower services[].deploy_max_percent, "
        "or revise the forecast in the calendar. Every event of the season is checked now, so a later one can be "
        "fixed before the event enters the planning horizon; a problem in the horizon can also wait by "
        "shortening scaling.horizon_days."
    )


def forecast_document(config: KickoffConfig, version: int, published_at: datetime, source: str) -> ForecastDocument:
    """The config's calendar as forecast document ``version`` (validated by loading the config and planning it)."""
    return ForecastDocument(
        naming.environment_key(config.identity), version, published_at, source, calendar_events(config)
    )


WEEK_MINUTES = 7 * 24 * 60
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_BLOCKED_WINDOWS = 15


def blocked_windows(config: KickoffConfig) -> list[str]:
    """Weekly UTC windows (``Thu:23:00-Fri:06:00``) that hold every event window of the calendar, whole hours, at
    most 15 (the closest are merged): zonal autoshift's practice runs stay off them. Weekly, so the template does
    not depend on the time; a flexed or added event whose slot is new needs a release (the season check names no
    such thing, so keep the calendar's slots in view when adding events)."""
    if config.calendar is None:
        return []
    spec = capacity_spec(config)
    windows = event_windows([forecast_of(spec, e) for e in calendar_events(config)], spec.params)
    spans: list[list[int]] = []
    for w in windows:
        start = w.start.astimezone(UTC)
        minute = start.weekday() * 1440 + start.hour * 60
        length = -(-(w.restore - start.replace(minute=0, second=0, microsecond=0)).total_seconds() // 3600) * 60
        spans.append([minute, minute + min(int(length), WEEK_MINUTES - 60)])
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    while len(merged) > MAX_BLOCKED_WINDOWS:
        _gap, i = min((merged[i + 1][0] - merged[i][1], i) for i in range(len(merged) - 1))
        merged[i : i + 2] = [[merged[i][0], max(merged[i][1], merged[i + 1][1])]]

    def at(minute: int) -> str:
        minute %= WEEK_MINUTES
        return f"{DAYS[minute // 1440]}:{minute % 1440 // 60:02d}:{minute % 60:02d}"

    return [f"{at(a)}-{at(b)}" for a, b in merged]


def load_and_plan(context: Mapping[str, Any]) -> tuple[KickoffConfig, DeploymentPlan]:
    """The config the context selects (``env``, ``config``) and its capacity plan for the deploy time
    (``plan_from``, default now). Pure and quick, so a bad config fails before the CDK loads (ConfigError)."""
    config = load_for_context(context.get("env"), context.get("config"))
    return config, build_deployment_plan(config, resolve_plan_from(config, context.get("plan_from")))


__all__ = [
    "CalendarEvent",
    "CapacitySpec",
    "CompiledTarget",
    "DeploymentPlan",
    "PlanningWindow",
    "build_deployment_plan",
    "blocked_windows",
    "calendar_events",
    "forecast_document",
    "capacity_spec",
    "default_plan_from",
    "event_forecast",
    "load_and_plan",
    "parse_plan_from",
    "plan_params",
    "planning_window",
    "resolve_plan_from",
    "season_baseline",
    "service_models",
]
