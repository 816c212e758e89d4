"""Everything a capacity plan needs besides the calendar and the time, and the one function that plans a horizon.

A ``CapacitySpec`` is static: the planner's knobs, the services' load models and bounds, the cells with their
quotas, the baseline. A calendar (``CalendarEvent``) is the forecast, which changes without a release. A synth
(``kickoff.planning``) and a capacity agent (``kickoff.agent``) both call ``plan_horizon`` with the two and a
``PlanningWindow``, so the plan a Region applies is the plan ``kickoff plan`` prints. Pure: no config, no CDK.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from kickoff.scaling.alb import alb_reservations
from kickoff.scaling.horizon import DeploymentPlan, PlanningWindow
from kickoff.scaling.model import (
    BandCombination,
    BaselineForecast,
    EventForecast,
    PlanError,
    PlanParams,
    RegionModel,
    ServiceModel,
)
from kickoff.scaling.plan import CapacityPlan, build_plan, event_windows
from kickoff.scaling.schedule import AlbReservation
from kickoff.scaling.season import check_season
from kickoff.scaling.table import WarmThroughput, warm_throughput

# A new on-demand table (and each replica) already sustains this much without pre-warming
# (DynamoDB developer guide, "Understanding warm throughput"); asking for less is useless.
ON_DEMAND_BASELINE_READS = 12_000
ON_DEMAND_BASELINE_WRITES = 4_000


@dataclass(frozen=True)
class RegionLimits:
    """What a cell declares beyond the planner's model: its ALB reservation and table quotas."""

    name: str
    alb_reserved_lcu_per_region: int
    alb_reserved_lcu_per_alb: int
    dynamodb_table_read_units: int
    dynamodb_table_write_units: int


@dataclass(frozen=True)
class BaselineSpec:
    """The daily audience outside events: hourly viewers (24 or 168 values), shares by cell, forecast band."""

    hourly_viewers: tuple[float, ...]
    region_share: Mapping[str, float]
    uncertainty: float


@dataclass(frozen=True)
class CapacitySpec:
    """The static half of a plan.

    Fields:
        params: the planner's knobs.
        services: every service a cell runs, with its load model and bounds.
        regions: every cell, in config order, as the planner sees it.
        routed: the cells in routing (an evacuated cell is planned with no viewers).
        limits: each cell's reservation and table quotas, in the order of ``regions``.
        horizon: how far ahead a plan schedules.
        alb_reservations, warm_throughput: whether the plan reserves ALB capacity and pre-warms the table.
        n_minus_1_utilization: the survivors' utilisation under N-1 (None: each service's target).
        baseline: the audience outside events, if declared.
    """

    params: PlanParams
    services: tuple[ServiceModel, ...]
    regions: tuple[RegionModel, ...]
    routed: tuple[str, ...]
    limits: tuple[RegionLimits, ...]
    horizon: timedelta
    alb_reservations: bool = True
    warm_throughput: bool = True
    n_minus_1_utilization: float | None = None
    baseline: BaselineSpec | None = None

    @property
    def region_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.regions)

    def routed_regions(self) -> list[RegionModel]:
        return [r for r in self.regions if r.name in self.routed]


@dataclass(frozen=True)
class CalendarEvent:
    """One event of the calendar as reviewed in Git: shares over every cell, not yet over the routed ones."""

    event_id: str
    kickoff: datetime
    duration: timedelta
    overtime: timedelta
    peak_viewers: int
    uncertainty: float
    region_share: Mapping[str, float]
    earliest_kickoff: datetime | None = None
    latest_kickoff: datetime | None = None


def routed_shares(shares: Mapping[str, float], cells: Sequence[str]) -> dict[str, float]:
    """Shares over ``cells``: an evacuated cell's viewers go to the others, pro rata (evenly when none has any)."""
    routed = {r: shares.get(r, 0.0) for r in cells}
    total = sum(routed.values())
    if total <= 0:
        return {r: 1 / len(routed) for r in routed}
    return {r: v / total for r, v in routed.items()}


def forecast_of(spec: CapacitySpec, event: CalendarEvent, cells: Sequence[str] | None = None) -> EventForecast:
    """One calendar event as the planner's forecast, its viewers shared over ``cells`` (default: the routed ones)."""
    return forecast_over(event, spec.routed if cells is None else cells)


def forecast_over(event: CalendarEvent, cells: Sequence[str]) -> EventForecast:
    """One calendar event as the planner's forecast, its viewers shared over ``cells``."""
    return EventForecast(
        event_id=event.event_id,
        kickoff=event.kickoff,
        duration=event.duration,
        overtime=event.overtime,
        peak_viewers=event.peak_viewers,
        uncertainty=event.uncertainty,
        region_share=routed_shares(event.region_share, cells),
        earliest_kickoff=event.earliest_kickoff,
        latest_kickoff=event.latest_kickoff,
    )


def baseline_of(spec: CapacitySpec, window: PlanningWindow, cells: Sequence[str] | None = None) -> BaselineForecast:
    """The baseline over the window, shared over ``cells`` (default: the routed ones)."""
    assert spec.baseline is not None
    return baseline_over(spec.baseline, window, spec.routed if cells is None else cells)


def baseline_over(base: BaselineSpec, window: PlanningWindow, cells: Sequence[str]) -> BaselineForecast:
    """The baseline over the window, shared over ``cells``."""
    return BaselineForecast(
        hourly_viewers=base.hourly_viewers,
        region_share=routed_shares(base.region_share, cells),
        valid_from=window.deploy_time,
        valid_until=window.end,
        uncertainty=base.uncertainty,
    )


@dataclass(frozen=True)
class QuotaExcess:
    """A need above a declared quota: ``field`` is the cell's quota field (``regions[].quotas.<field>``)."""

    region: str
    field: str
    needed: int
    quota: int


def n_minus_1_excess(spec: CapacitySpec, season: Sequence[EventForecast]) -> tuple[str, float, float] | None:
    """(event, its band, survivors' utilisation) when ``n_minus_1_utilization`` drops requests inside an event's own
    forecast band: with ``band_combination: max`` N-1 is sized on the expected audience, so at the top of the band
    with a Region failed the survivors run at ``utilization x (1 + band)``. None when that stays at or below 100%."""
    utilization = spec.n_minus_1_utilization
    if utilization is None or spec.params.band_combination != BandCombination.MAX:
        return None
    bands = [(e.event_id, e.uncertainty) for e in season]
    if spec.baseline is not None and spec.params.baseline_n_minus_1:
        bands.append(("the baseline", spec.baseline.uncertainty))
    if not bands:
        return None
    name, widest = max(bands, key=lambda b: b[1])
    hot = utilization * (1.0 + widest)
    return (name, widest, hot) if hot > 1.0 else None


def reservation_excess(spec: CapacitySpec, reservations: Sequence[AlbReservation]) -> list[QuotaExcess]:
    """Each cell's highest ALB reservation above its declared LCU reservation quotas (one ALB per cell)."""
    out = []
    for limits in spec.limits:
        needed = max((r.capacity_units for r in reservations if r.region == limits.name), default=0)
        for name in ("alb_reserved_lcu_per_region", "alb_reserved_lcu_per_alb"):
            if needed > getattr(limits, name):
                out.append(QuotaExcess(limits.name, name, needed, getattr(limits, name)))
    return out


def needs_warm_throughput(need: WarmThroughput | None) -> bool:
    """Whether the season needs more than a new on-demand table (and each replica) already sustains."""
    return need is not None and (
        need.read_units_per_second > ON_DEMAND_BASELINE_READS or need.write_units_per_second > ON_DEMAND_BASELINE_WRITES
    )


def warm_excess(spec: CapacitySpec, need: WarmThroughput | None) -> list[QuotaExcess]:
    """Warm throughput above a replica Region's table-level quota (it applies to every replica)."""
    if need is None or not needs_warm_throughput(need):
        return []
    out = []
    for limits in spec.limits:
        for needed, name in (
            (need.read_units_per_second, "dynamodb_table_read_units"),
            (need.write_units_per_second, "dynamodb_table_write_units"),
        ):
            if needed > getattr(limits, name):
                out.append(QuotaExcess(limits.name, name, needed, getattr(limits, name)))
    return out


def table_warm_throughput(need: WarmThroughput | None) -> WarmThroughput | None:
    """The warm throughput to set on the table: None when a new on-demand table already has enough."""
    if need is None or not needs_warm_throughput(need):
        return None
    return WarmThroughput(
        max(need.read_units_per_second, ON_DEMAND_BASELINE_READS),
        max(need.write_units_per_second, ON_DEMAND_BASELINE_WRITES),
    )


@dataclass(frozen=True)
class HorizonOutcome:
    """What planning one window found, in the order a report names it.

    ``plan`` is None when any error below is set. ``horizon_error`` stops the horizon's plan; then
    ``unchecked_reservations`` are its ALB reservations, checked anyway so one run names every problem.
    ``warm_error`` and ``season_error`` come from the season's warm throughput and the season check (every event
    on the cells as designed). ``reservations`` and ``warm`` are what the quota checks read.
    """

    plan: DeploymentPlan | None
    horizon_error: PlanError | None = None
    unchecked_reservations: tuple[AlbReservation, ...] = ()
    warm_error: PlanError | None = None
    season_error: PlanError | None = None
    reservations: tuple[AlbReservation, ...] = ()
    warm: WarmThroughput | None = None
    quota_excess: tuple[QuotaExcess, ...] = field(default=())

    @property
    def errors(self) -> tuple[PlanError, ...]:
        return tuple(e for e in (self.horizon_error, self.warm_error, self.season_error) if e is not None)


def plan_horizon(spec: CapacitySpec, calendar: Sequence[CalendarEvent], window: PlanningWindow) -> HorizonOutcome:
    """Plan the events whose windows meet ``window`` (and the baseline), check the whole season, size warm throughput.

    The season is checked on the cells as designed (an evacuation is temporary, and the horizon's plan already
    carries it); the horizon's plan shares viewers over the routed cells. Every problem is collected, none raised.
    """
    params = spec.params
    services = list(spec.services)
    regions = spec.routed_regions()
    names = [r.name for r in regions]
    season = [forecast_of(spec, e) for e in calendar]
    season_windows = event_windows(season, params)
    planned = {
        eid for w in season_windows if w.start < window.end and w.restore > window.deploy_time for eid in w.event_ids
    }
    in_window = [e for e in season if e.event_id in planned]
    baseline = baseline_of(spec, window) if spec.baseline is not None else None
    capacity: CapacityPlan | None = None
    horizon_error = warm_error = season_error = None
    unchecked: list[AlbReservation] = []
    try:
        capacity = (
            build_plan(in_window, services, regions, params, baseline=baseline) if in_window or baseline else None
        )
    except PlanError as error:
        horizon_error = error
        if spec.alb_reservations and in_window:
            unchecked = alb_reservations(event_windows(in_window, params), in_window, baseline, services, names, params)
    warm = None
    try:
        warm = (
            warm_throughput(season_windows, season, baseline, services, names, params) if spec.warm_throughput else None
        )
    except PlanError as error:
        warm_error = error
    try:
        check_season(
            [forecast_of(spec, e, spec.region_names) for e in calendar],
            services,
            list(spec.regions),
            params,
            baseline=baseline_of(spec, window, spec.region_names) if spec.baseline is not None else None,
        )
    except PlanError as error:
        season_error = error
    reservations = tuple(capacity.alb_reservations) if capacity is not None and spec.alb_reservations else ()
    excess = tuple(reservation_excess(spec, unchecked or reservations) + warm_excess(spec, warm))
    if capacity is not None and not spec.alb_reservations:
        # The plan holds what is applied: without reservations, no tool prices or shows any.
        capacity = replace(capacity, alb_reservations=())
    failed = horizon_error or warm_error or season_error or excess
    plan = (
        None
        if failed
        else DeploymentPlan(window, capacity, table_warm_throughput(warm), tuple(season_windows), tuple(in_window))
    )
    return HorizonOutcome(plan, horizon_error, tuple(unchecked), warm_error, season_error, reservations, warm, excess)
