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
from collections.abc import Sequence
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
        peak: the event's forecast peak viewers; 0 for the baseline.
        extra_arrivals: arrivals/s at each grid point to count on top of the slope of ``values`` (the
            baseline's slope bound when flexed kickoffs are sampled, see ``scenarios.window_scenarios``), or None.
    """

    name: str
    shares: dict[str, float]
    uncertainty: float
    values: tuple[float, ...]
    peak: float = 0.0
    extra_arrivals: tuple[float, ...] | None = None


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


def event_source(
    event: EventForecast, grid: Grid, params: PlanParams, realised_end: bool = False, kickoff: datetime | None = None
) -> Source:
    """The event's expected viewers on ``grid``, kicking off at ``kickoff`` (default: the scheduled kickoff).

    The planner assumes the latest end (expected end + overtime) so capacity is
    held through the allowance; ``realised_end`` uses the expected end instead.
    """
    kickoff_s = to_seconds(kickoff or event.kickoff)
    end = event.duration if realised_end else event.duration + event.overtime
    duration_min = end.total_seconds() / 60.0
    values = tuple(
        event.peak_viewers * event_fraction(params.audience, (grid.time(k) - kickoff_s) / 60.0, duration_min)
        for k in range(grid.n)
    )
    return Source(event.event_id, dict(event.region_share), event.uncertainty, values, float(event.peak_viewers))


def baseline_source(baseline: BaselineForecast, grid: Grid) -> Source:
    """The baseline's expected viewers on ``grid``."""
    ref = to_seconds(WEEK_REFERENCE)
    values = tuple(baseline_level(baseline.hourly_viewers, (grid.time(k) - ref) / 3600.0) for k in range(grid.n))
    return Source("baseline", dict(baseline.region_share), baseline.uncertainty, values)


def baseline_envelope(baseline: BaselineForecast, grid: Grid, spacing_s: int) -> Source:
    """The baseline as seen from a kickoff up to ``spacing_s`` off the sampled one (``scenarios.window_scenarios``).

    At grid point x it holds the most viewers the baseline has in [x, x + spacing] (a sampled kickoff δ
    earlier than the real one sees the real event at x = t - δ, and the real baseline at t), and it counts
    twice the steepest baseline slope in [x - step, x + spacing + step] as extra arrivals: that bounds both
    the envelope's own slope and the real one, whatever their signs.
    """
    ref = to_seconds(WEEK_REFERENCE)
    ahead = spacing_s // grid.step_s + 1
    times = grid.start_s + (np.arange(grid.n + ahead + 2) - 1) * grid.step_s
    level = np.array([baseline_level(baseline.hourly_viewers, (t - ref) / 3600.0) for t in times.tolist()])
    slope = np.abs(np.diff(level)) / grid.step_s
    values = [float(level[k + 1 : k + 1 + ahead].max()) for k in range(grid.n)]
    extra = [2.0 * float(slope[k : k + ahead + 1].max()) for k in range(grid.n)]
    return Source("baseline", dict(baseline.region_share), baseline.uncertainty, tuple(values), 0.0, tuple(extra))


def _n_minus_1_coefficient(source: Source, region: str, failed: str) -> float:
    rest = 1.0 - source.shares.get(failed, 0.0)
    if rest <= 0.0:
        raise PlanError(
            f"{source.name}: region {failed} carries 100% of the viewers, so no other region "
            f"can take them over when it fails; N-1 sizing is impossible"
        )
    return source.shares.get(region, 0.0) / rest


@dataclass(frozen=True, eq=False)
class LoadCurve:
    """One way a Region can be loaded, on a grid: the viewers it serves and the arrivals that come with them.

    Fields:
        viewers: viewers the Region serves at each grid point.
        surge: arrivals/s at each grid point on top of the curve's own slope (a failed Region's viewers
            arriving again here), or None.
        active: grid points where the curve counts (N-1 is held only while the event audience is above
            ``PlanParams.n_minus_1_min_audience``), or None for every point.
        failed: the Region whose failure the curve describes; None for every Region up.
    """

    viewers: np.ndarray
    surge: np.ndarray | None = None
    active: np.ndarray | None = None
    failed: str | None = None

    def arrivals(self, dt: float) -> np.ndarray:
        """New viewers/s at every grid point: the steeper neighbouring slope (``arrival_rates``) plus the surge."""
        rates = arrival_rates(self.viewers, dt)
        return rates if self.surge is None else rates + self.surge

    def is_active(self, k: int) -> bool:
        """Whether the curve counts at grid point ``k``."""
        return self.active is None or bool(self.active[k])


def region_curves(
    sources: Sequence[Source],
    region: str,
    regions: Sequence[str],
    params: PlanParams,
    n_minus_1: bool,
    min_audience: float | None = None,
) -> list[LoadCurve]:
    """Viewer curves region ``region`` must be able to serve; its need is their maximum load.

    Always the upper band of its share; with N-1, also for every other region j
    the curve after j fails and its viewers move to the survivors in proportion
    to their shares (``s_r / (1 - s_j)``), with their re-arrival surge
    (``PlanParams.failover_shift``), where some event's audience is at least
    ``min_audience`` (default ``PlanParams.n_minus_1_min_audience``) of its peak.
    With ``BandCombination.PRODUCT`` the N-1 curves are taken on the upper band too.
    """
    n = len(sources[0].values) if sources else 0
    threshold = params.n_minus_1_min_audience if min_audience is None else min_audience
    values = [np.asarray(s.values, dtype=float) for s in sources]
    extras = [np.zeros(n) if s.extra_arrivals is None else np.asarray(s.extra_arrivals, dtype=float) for s in sources]
    has_extra = any(s.extra_arrivals is not None for s in sources)
    band = [1.0 + s.uncertainty if params.band_combination is BandCombination.PRODUCT else 1.0 for s in sources]
    upper = [s.shares.get(region, 0.0) * (1.0 + s.uncertainty) for s in sources]
    curves = [LoadCurve(_weighted(values, upper, n), _weighted(extras, upper, n) if has_extra else None)]
    if not n_minus_1:
        return curves
    active = _n_minus_1_active(sources, values, threshold, n)
    if active is not None and not active.any():
        return curves
    shift = params.failover_shift.total_seconds() if params.failover_shift is not None else None
    for failed in regions:
        if failed == region:
            continue
        coefficients = [_n_minus_1_coefficient(s, region, failed) * b for s, b in zip(sources, band)]
        surge = _weighted(extras, coefficients, n) if has_extra else None
        if shift is not None:
            moved = [c * s.shares.get(failed, 0.0) / shift for c, s in zip(coefficients, sources)]
            rearrival = _weighted(values, moved, n)
            surge = rearrival if surge is None else surge + rearrival
        curves.append(LoadCurve(_weighted(values, coefficients, n), surge, active, failed))
    return curves


def _weighted(values: Sequence[np.ndarray], weights: Sequence[float], n: int) -> np.ndarray:
    # Elementwise in source order: the same float operations, in the same order, as a loop over k.
    curve = np.zeros(n)
    for w, vals in zip(weights, values):
        if w:
            curve += w * vals
    return curve


def _n_minus_1_active(
    sources: Sequence[Source], values: Sequence[np.ndarray], threshold: float, n: int
) -> np.ndarray | None:
    """Grid points where some event's expected audience is at least ``threshold`` of its peak; None: all."""
    if threshold <= 0.0:
        return None
    active = np.zeros(n, dtype=bool)
    for s, vals in zip(sources, values):
        if s.peak > 0:
            active |= vals >= threshold * s.peak
    return active


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
        curves: load curves (``region_curves``); the need is the max load over the active ones.
        label: what the demand covers (event ids or "baseline"), for error messages.
        n_minus_1_utilization: utilisation the curves of a failed Region are sized at
            (``PlanParams.n_minus_1_utilization``); None: the service's target. Their load counts as
            ``load x target / n_minus_1_utilization`` in ``rps_at_point`` and ``rps_at``, which are the load that
            the target utilisation is sized for.
    """

    region: str
    service: ServiceModel
    grid: Grid
    curves: tuple[LoadCurve, ...]
    label: str
    n_minus_1_utilization: float | None = None
    _points: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_points", tuple(self._rps_at_points().tolist()))

    def _load(self, viewers: float, slope: float) -> float:
        return self.service.rps_per_viewer * viewers + self.service.requests_per_arrival * max(slope, 0.0)

    def _weight(self, curve: LoadCurve) -> float:
        """Factor from ``curve``'s load to the load at the target utilisation that needs the same tasks."""
        if curve.failed is None or self.n_minus_1_utilization is None:
            return 1.0
        return self.service.target_utilization / self.n_minus_1_utilization

    def tasks_at_points(self) -> np.ndarray:
        """Required tasks at every grid point: ``_ceil_tasks`` of ``rps_at_point``, clamped to min_tasks (not
        checked against max_tasks)."""
        raw = np.asarray(self._points) / self.service.rps_per_task_at_target
        return np.maximum(np.ceil(raw * (1.0 - CEIL_TOLERANCE)), self.service.min_tasks)

    def rps_at_point(self, k: int) -> float:
        """Max load (requests/s) at grid point ``k``, using both neighbouring slopes (N-1 curves weighted by
        ``n_minus_1_utilization``)."""
        return self._points[k]

    def _rps_at_points(self) -> np.ndarray:
        """``_load`` at every grid point with the steeper neighbouring slope, the maximum over the curves."""
        dt = self.grid.step_s
        best = np.zeros(self.grid.n)
        for curve in self.curves:
            load = self.service.rps_per_viewer * curve.viewers + self.service.requests_per_arrival * curve.arrivals(dt)
            load = load * self._weight(curve)
            if curve.active is not None:
                load = np.where(curve.active, load, 0.0)
            best = np.maximum(best, load)
        return best

    def rps_at(self, t_s: float) -> float:
        """Max load (requests/s) at an arbitrary instant (epoch seconds) inside the grid, weighted as
        ``rps_at_point``."""
        x = (t_s - self.grid.start_s) / self.grid.step_s
        k = int(math.floor(x))
        if k < 0 or k >= self.grid.n - 1:
            raise ValueError(f"instant {from_seconds(t_s).isoformat()} is outside the demand grid")
        frac = x - k
        if frac == 0.0:
            return self.rps_at_point(k)
        best = 0.0
        for curve in self.curves:
            if not (curve.is_active(k) or curve.is_active(k + 1)):
                continue
            c = curve.viewers
            viewers = c[k] + (c[k + 1] - c[k]) * frac
            surge = 0.0 if curve.surge is None else max(curve.surge[k], curve.surge[k + 1])
            load = self._load(viewers, (c[k + 1] - c[k]) / self.grid.step_s + surge)
            best = max(best, load * self._weight(curve))
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


def arrival_rates(curve: np.ndarray, dt: float) -> np.ndarray:
    """New viewers per second at every step of a viewer curve: the steeper neighbouring slope, never negative."""
    step = np.diff(curve) / dt
    return np.maximum(np.maximum(np.concatenate(([0.0], step)), np.concatenate((step, [0.0]))), 0.0)


def request_rate(
    services: Sequence[ServiceModel],
    viewers: float | np.ndarray,
    arrivals: float | np.ndarray,
    weight: str | None = None,
) -> float | np.ndarray:
    """Requests/s of ``viewers`` watching and ``arrivals`` arriving (numbers, or numpy arrays elementwise).

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
