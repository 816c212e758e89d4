"""From audience forecasts to the tasks each (region, service) target needs.

The forecast is a time series on a regular grid (``PlanParams.resolution``),
linear between grid points. That makes every derived quantity exact: viewers
are piecewise linear, arrivals (the positive slope) piecewise constant, so the
maximum load over any interval is reached at the interval's ends or at grid
points inside it, where both neighbouring slopes are considered.

Load per service: ``load = a * viewers + b * max(d viewers / dt, 0)`` (requests/s),
with ``a`` = rps_per_viewer and ``b`` = requests_per_arrival.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from kickoff.scaling.audience import baseline_level, event_fraction
from kickoff.scaling.model import (
    BandCombination,
    BaselineForecast,
    EventForecast,
    PlanError,
    PlanParams,
    ServiceModel,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WEEK_REFERENCE = datetime(2024, 1, 1, tzinfo=UTC)
"""A Monday 00:00 UTC: hour-of-week origin for baseline profiles."""

SECONDS_PER_WEEK = 7 * 86400
CEIL_TOLERANCE = 1e-9
"""Relative slack so float noise (5.000000001 tasks) does not add a task."""


def to_seconds(t: datetime) -> float:
    """Seconds since the Unix epoch of a tz-aware datetime."""
    return (t - EPOCH).total_seconds()


def from_seconds(s: float) -> datetime:
    """UTC datetime from seconds since the Unix epoch."""
    return EPOCH + timedelta(seconds=s)


@dataclass(frozen=True)
class Source:
    """One audience on the planning grid.

    Fields:
        name: event id, or "baseline".
        shares: region -> share of this audience.
        uncertainty: forecast band half-width (fraction).
        values: expected viewers at each grid point.
    """

    name: str
    shares: dict[str, float]
    uncertainty: float
    values: tuple[float, ...]


@dataclass(frozen=True)
class Grid:
    """Regular time grid: ``start_s + k * step_s`` for k in [0, n)."""

    start_s: int
    step_s: int
    n: int

    def time(self, k: int) -> int:
        """Epoch seconds of grid point ``k``."""
        return self.start_s + k * self.step_s

    @staticmethod
    def covering(start_s: float, end_s: float, step_s: int) -> Grid:
        """A grid aligned to multiples of ``step_s`` that covers [start_s, end_s] with one point to spare."""
        first = int(math.floor(start_s / step_s)) * step_s - step_s
        last = int(math.ceil(end_s / step_s)) * step_s + step_s
        return Grid(first, step_s, (last - first) // step_s + 1)


def event_source(event: EventForecast, grid: Grid, params: PlanParams, realised_end: bool = False) -> Source:
    """The event's expected viewers on ``grid``.

    The planner assumes the latest end (expected end + overtime) so capacity is
    held through the allowance; ``realised_end`` uses the expected end instead.
    """
    kickoff_s = to_seconds(event.kickoff)
    end = event.duration if realised_end else event.duration + event.overtime
    duration_min = end.total_seconds() / 60.0
    values = tuple(
        event.peak_viewers * event_fraction(params.audience, (grid.time(k) - kickoff_s) / 60.0, duration_min)
        for k in range(grid.n)
    )
    return Source(event.event_id, dict(event.region_share), event.uncertainty, values)


def baseline_source(baseline: BaselineForecast, grid: Grid) -> Source:
    """The baseline's expected viewers on ``grid``."""
    ref = to_seconds(WEEK_REFERENCE)
    values = tuple(baseline_level(baseline.hourly_viewers, (grid.time(k) - ref) / 3600.0) for k in range(grid.n))
    return Source("baseline", dict(baseline.region_share), baseline.uncertainty, values)


def _n_minus_1_coefficient(source: Source, region: str, failed: str) -> float:
    rest = 1.0 - source.shares.get(failed, 0.0)
    if rest <= 0.0:
        raise PlanError(
            f"{source.name}: region {failed} carries 100% of the viewers, so no other region "
            f"can take them over when it fails; N-1 sizing is impossible"
        )
    return source.shares.get(region, 0.0) / rest


def region_curves(
    sources: Sequence[Source], region: str, regions: Sequence[str], params: PlanParams, n_minus_1: bool
) -> list[list[float]]:
    """Viewer curves region ``region`` must be able to serve; its need is their maximum load.

    Always the upper band of its share; with N-1, also for every other region j
    the curve after j fails and its viewers move to the survivors in proportion
    to their shares (``s_r / (1 - s_j)``). With ``BandCombination.PRODUCT`` the
    N-1 curves are taken on the upper band too.
    """
    n = len(sources[0].values) if sources else 0
    weightings: list[list[float]] = [[s.shares.get(region, 0.0) * (1.0 + s.uncertainty) for s in sources]]
    if n_minus_1:
        for failed in regions:
            if failed == region:
                continue
            band = [1.0 + s.uncertainty if params.band_combination is BandCombination.PRODUCT else 1.0 for s in sources]
            weightings.append([_n_minus_1_coefficient(s, region, failed) * b for s, b in zip(sources, band)])
    values = [np.asarray(s.values, dtype=float) for s in sources]
    curves = []
    for weights in weightings:
        # Elementwise in source order: the same float operations, in the same order, as a loop over k.
        curve = np.zeros(n)
        for w, vals in zip(weights, values):
            if w:
                curve += w * vals
        curves.append(curve.tolist())
    return curves


def _ceil_tasks(rps: float, service: ServiceModel) -> int:
    raw = rps / service.rps_per_task_at_target
    return max(0, math.ceil(raw * (1.0 - CEIL_TOLERANCE)))


@dataclass(frozen=True)
class TargetDemand:
    """Required tasks of one service in one region over a grid (see module docstring).

    Fields:
        region: region name.
        service: the service.
        grid: the time grid of ``curves``.
        curves: viewer curves (``region_curves``); the need is the max load over them.
        label: what the demand covers (event ids or "baseline"), for error messages.
    """

    region: str
    service: ServiceModel
    grid: Grid
    curves: tuple[tuple[float, ...], ...]
    label: str
    _points: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_points", tuple(self._rps_at_points().tolist()))

    def _load(self, viewers: float, slope: float) -> float:
        return self.service.rps_per_viewer * viewers + self.service.requests_per_arrival * max(slope, 0.0)

    def rps_at_point(self, k: int) -> float:
        """Max load (requests/s) at grid point ``k``, using both neighbouring slopes."""
        return self._points[k]

    def _rps_at_points(self) -> np.ndarray:
        """``_load`` at every grid point with the steeper neighbouring slope, the maximum over the curves."""
        dt = self.grid.step_s
        best = np.zeros(self.grid.n)
        for curve in self.curves:
            c = np.asarray(curve, dtype=float)
            load = self.service.rps_per_viewer * c + self.service.requests_per_arrival * arrival_rates(c, dt)
            best = np.maximum(best, load)
        return best

    def rps_at(self, t_s: float) -> float:
        """Max load (requests/s) at an arbitrary instant (epoch seconds) inside the grid."""
        x = (t_s - self.grid.start_s) / self.grid.step_s
        k = int(math.floor(x))
        if k < 0 or k >= self.grid.n - 1:
            raise ValueError(f"instant {from_seconds(t_s).isoformat()} is outside the demand grid")
        frac = x - k
        if frac == 0.0:
            return self.rps_at_point(k)
        best = 0.0
        for c in self.curves:
            viewers = c[k] + (c[k + 1] - c[k]) * frac
            best = max(best, self._load(viewers, (c[k + 1] - c[k]) / self.grid.step_s))
        return best

    def tasks_for(self, rps: float, when_s: float) -> int:
        """Tasks serving ``rps`` at the target utilisation, clamped to min_tasks; > max_tasks is an error."""
        tasks = max(self.service.min_tasks, _ceil_tasks(rps, self.service))
        if tasks > self.service.max_tasks:
            raise PlanError(
                f"{self.label}: region {self.region}, service {self.service.name} needs {tasks} tasks "
                f"({rps:,.0f} requests/s at {self.service.rps_per_task_at_target:g} per task) at "
                f"{from_seconds(when_s).isoformat()} but max_tasks is {self.service.max_tasks}"
            )
        return tasks

    def tasks_at(self, t_s: float) -> int:
        """Required tasks at an arbitrary instant (epoch seconds)."""
        return self.tasks_for(self.rps_at(t_s), t_s)

    def max_rps(self, a_s: float, b_s: float) -> tuple[float, float]:
        """Max load over [a_s, b_s] and an instant where it is reached."""
        best, when = self.rps_at(a_s), a_s
        end = self.rps_at(b_s)
        if end > best:
            best, when = end, b_s
        first = max(int(math.floor((a_s - self.grid.start_s) / self.grid.step_s)) + 1, 0)
        last = min(int(math.ceil((b_s - self.grid.start_s) / self.grid.step_s)) - 1, self.grid.n - 1)
        if last >= first:
            inside = self._points[first : last + 1]
            top = max(inside)
            if top > best:
                best, when = top, self.grid.time(first + inside.index(top))
        return best, when

    def max_tasks(self, a_s: float, b_s: float) -> int:
        """Tasks needed to cover every instant of [a_s, b_s]."""
        rps, when = self.max_rps(a_s, b_s)
        return self.tasks_for(rps, when)


def relevant_events(
    events: Iterable[EventForecast], start_s: float, end_s: float, params: PlanParams
) -> list[EventForecast]:
    """Events whose audience overlaps [start_s, end_s]."""
    chosen = []
    for e in events:
        lo, hi = params.audience.support((e.duration + e.overtime).total_seconds() / 60.0)
        k = to_seconds(e.kickoff)
        if k + hi * 60.0 >= start_s and k + lo * 60.0 <= end_s:
            chosen.append(e)
    return chosen


def window_sources(
    events: Sequence[EventForecast], baseline: BaselineForecast | None, grid: Grid, params: PlanParams
) -> list[Source]:
    """All audiences (events and baseline) on ``grid``."""
    sources = [event_source(e, grid, params) for e in events]
    if baseline is not None:
        sources.append(baseline_source(baseline, grid))
    return sources


def region_demands(
    services: Sequence[ServiceModel],
    regions: Sequence[str],
    sources: Sequence[Source],
    grid: Grid,
    params: PlanParams,
    n_minus_1: bool,
    label: str,
) -> dict[tuple[str, str], TargetDemand]:
    """``TargetDemand`` of every (region, service) over ``grid``; each region's curves are built once."""
    out = {}
    for region in regions:
        curves = region_curves(sources, region, regions, params, n_minus_1 and len(regions) > 1)
        frozen = tuple(tuple(c) for c in curves)
        for service in services:
            out[(region, service.name)] = TargetDemand(region, service, grid, frozen, label)
    return out


def arrival_rate(curve: Sequence[float], k: int, dt: float) -> float:
    """New viewers per second at step ``k`` of a viewer curve (the steeper side, never negative)."""
    left = (curve[k] - curve[k - 1]) / dt if k > 0 else 0.0
    right = (curve[k + 1] - curve[k]) / dt if k + 1 < len(curve) else 0.0
    return max(left, right, 0.0)


def arrival_rates(curve: np.ndarray, dt: float) -> np.ndarray:
    """``arrival_rate`` at every step of a viewer curve, elementwise (the same float operations)."""
    step = np.diff(curve) / dt
    return np.maximum(np.maximum(np.concatenate(([0.0], step)), np.concatenate((step, [0.0]))), 0.0)


def request_rate(services: Sequence[ServiceModel], viewers: float, arrivals: float, weight: str | None = None) -> float:
    """Requests/s of ``viewers`` watching and ``arrivals`` arriving.

    ``weight`` ("reads" or "writes") turns them into table reads or writes.
    """
    total = 0.0
    for s in services:
        rps = s.rps_per_viewer * viewers + s.requests_per_arrival * arrivals
        if weight == "reads":
            rps *= s.table_reads_per_request
        elif weight == "writes":
            rps *= s.table_writes_per_request
        total += rps
    return total


def window_grid_sources(
    start: datetime,
    restore: datetime,
    events: Sequence[EventForecast],
    baseline: BaselineForecast | None,
    params: PlanParams,
) -> tuple[Grid, list[Source]]:
    """The grid over an event window (``start`` to ``restore``) and the audience sources that overlap it."""
    a, b = to_seconds(start), to_seconds(restore)
    grid = Grid.covering(a, b, int(params.resolution.total_seconds()))
    return grid, window_sources(relevant_events(events, a, b, params), baseline, grid, params)
