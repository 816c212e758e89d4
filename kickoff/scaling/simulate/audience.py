"""The audience a simulation realises: forecast error, noise, a Region failing, and the load per service."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from kickoff.scaling.audience import AudienceShape, event_fraction
from kickoff.scaling.demand import WEEK_REFERENCE, to_seconds
from kickoff.scaling.model import ServiceModel
from kickoff.scaling.plan import CapacityPlan
from kickoff.scaling.simulate.engine import SimParams

# --- realised audience and load ------------------------------------------------


def ar1_noise(n_minutes: int, sigma: float, tau_min: float, rng: np.random.Generator) -> np.ndarray:
    """Stationary AR(1) relative noise per minute with std-dev ``sigma`` and correlation time ``tau_min``."""
    if sigma == 0.0 or n_minutes == 0:
        return np.zeros(n_minutes)
    phi = math.exp(-1.0 / tau_min)
    shocks = rng.normal(0.0, sigma * math.sqrt(1.0 - phi * phi), n_minutes)
    out = np.empty(n_minutes)
    x = rng.normal(0.0, sigma)
    for i in range(n_minutes):
        x = phi * x + shocks[i]
        out[i] = x
    return out


def _per_step(minute_values: np.ndarray, n_steps: int, step_s: int) -> np.ndarray:
    minutes = np.arange(n_steps) * step_s / 60.0
    return np.interp(minutes, np.arange(len(minute_values)), minute_values)


def event_viewers(
    peak: float,
    kickoff: datetime,
    duration: timedelta,
    shape: AudienceShape,
    start: datetime,
    n_steps: int,
    step_s: int,
) -> np.ndarray:
    """Viewers of one event per step from ``start`` (expected end, no overtime)."""
    k = to_seconds(kickoff) - to_seconds(start)
    dur = duration.total_seconds() / 60.0
    lo, hi = shape.support(dur)
    out = np.zeros(n_steps)
    first = max(0, int(math.floor((k + lo * 60.0) / step_s)))
    last = min(n_steps, int(math.ceil((k + hi * 60.0) / step_s)) + 1)
    for i in range(first, last):
        out[i] = peak * event_fraction(shape, (i * step_s - k) / 60.0, dur)
    return out


def baseline_viewers(hourly: tuple[float, ...], start: datetime, n_steps: int, step_s: int) -> np.ndarray:
    """Baseline viewers per step from ``start``."""
    offset_h = (to_seconds(start) - to_seconds(WEEK_REFERENCE)) / 3600.0
    hours = offset_h + np.arange(n_steps) * step_s / 3600.0
    period = len(hourly)
    x = (hours - 0.5) % period
    i = np.floor(x).astype(int)
    frac = x - i
    values = np.asarray(hourly)
    return values[i] * (1.0 - frac) + values[(i + 1) % period] * frac


def service_load(viewers: np.ndarray, service: ServiceModel, step_s: int) -> np.ndarray:
    """Offered load (requests/s): a x viewers + b x max(d viewers / dt, 0), slope by backward difference."""
    arrivals = np.maximum(np.diff(viewers, prepend=viewers[0]) / step_s, 0.0)
    return service.rps_per_viewer * viewers + service.requests_per_arrival * arrivals


@dataclass(frozen=True)
class RealisedAudience:
    """Realised viewers per region per step.

    Fields:
        start: first step (UTC).
        step_s: step length (s).
        by_region: region -> viewers per step.
    """

    start: datetime
    step_s: int
    by_region: dict[str, np.ndarray]


@dataclass(frozen=True)
class RegionFailure:
    """A Region that fails during the run: from ``at`` + ``detection`` its viewers move to the other Regions
    over ``shift``.

    Nobody moves during ``detection`` (the health checks; default 0); then they leave linearly over ``shift`` and
    land in the other Regions in proportion to the viewers those
    serve at that moment (latency routing sends each to its nearest healthy Region). Each lands as a new
    arrival there (login, entitlement, playback start), so the survivors see the re-arrival surge through
    the slope of their viewer curve. The failed Region serves nothing afterwards.
    """

    region: str
    at: datetime
    shift: timedelta = timedelta(seconds=90)
    detection: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.shift.total_seconds() <= 0:
            raise ValueError(f"the failover shift must be positive, got {self.shift}")
        if self.detection.total_seconds() < 0:
            raise ValueError(f"the detection time cannot be negative, got {self.detection}")


@dataclass(frozen=True)
class Stress:
    """How the realised week departs from the forecast, beyond the forecast error.

    Fields:
        kickoff_shift: every event kicks off this much later than scheduled (negative: earlier). Default 0.
        overrun: every event lasts this much longer than its expected duration (overtime). Default 0.
        failure: a Region failure, or None. Default None.
        baseline_error: the realised baseline is its forecast x (1 + this); the forecast error scales the
            events only. Default 0.
    """

    kickoff_shift: timedelta = timedelta(0)
    overrun: timedelta = timedelta(0)
    failure: RegionFailure | None = None
    baseline_error: float = 0.0


def fail_region(by_region: dict[str, np.ndarray], failure: RegionFailure, start: datetime, step_s: int) -> None:
    """Move the failed Region's viewers to the others, in place (see ``RegionFailure``)."""
    if failure.region not in by_region:
        raise ValueError(f"failed region {failure.region} is not one of {sorted(by_region)}")
    survivors = [r for r in by_region if r != failure.region]
    if not survivors:
        raise ValueError("a single Region cannot fail over")
    n = len(by_region[failure.region])
    t = np.arange(n) * step_s
    begin = to_seconds(failure.at) - to_seconds(start) + failure.detection.total_seconds()
    gone = np.clip((t - begin) / failure.shift.total_seconds(), 0.0, 1.0)
    moved = by_region[failure.region] * gone
    weights = np.array([by_region[r] for r in survivors])
    total = weights.sum(axis=0)
    even = np.full_like(weights, 1.0 / len(survivors))
    fractions = np.divide(weights, total, out=even, where=total > 0)
    for i, r in enumerate(survivors):
        by_region[r] = by_region[r] + moved * fractions[i]
    by_region[failure.region] = by_region[failure.region] - moved


def realise(
    plan: CapacityPlan,
    start: datetime,
    hours: int,
    error: float,
    params: SimParams,
    noise_seed: int | None = None,
    stress: Stress | None = None,
) -> RealisedAudience:
    """The realised audience: each event = forecast shape x peak x (1 + error) x (1 + noise), baseline x (1 + noise).

    Region shares are the forecast shares. Noise is AR(1) per minute, the same
    realisation for every error (common random numbers) unless ``noise_seed`` differs.
    ``stress`` moves the kickoffs, lengthens the games, fails a Region and misses the baseline.
    """
    stress = stress or Stress()
    step = params.step_s
    n_steps = hours * 3600 // step
    rng = np.random.default_rng(params.seed if noise_seed is None else noise_seed)
    n_min = hours * 60 + 1
    regions = [r.name for r in plan.regions]
    by_region = {r: np.zeros(n_steps) for r in regions}
    if plan.baseline is not None:
        noise = 1.0 + _per_step(ar1_noise(n_min, params.noise_sigma, params.noise_tau_min, rng), n_steps, step)
        base = baseline_viewers(plan.baseline.hourly_viewers, start, n_steps, step) * noise
        base *= 1.0 + stress.baseline_error
        for r in regions:
            by_region[r] += base * plan.baseline.region_share.get(r, 0.0)
    for e in plan.events:
        noise = 1.0 + _per_step(ar1_noise(n_min, params.noise_sigma, params.noise_tau_min, rng), n_steps, step)
        v = (
            event_viewers(
                e.peak_viewers * (1.0 + error),
                e.kickoff + stress.kickoff_shift,
                e.duration + stress.overrun,
                plan.params.audience,
                start,
                n_steps,
                step,
            )
            * noise
        )
        for r in regions:
            by_region[r] += v * e.region_share.get(r, 0.0)
    if stress.failure is not None:
        fail_region(by_region, stress.failure, start, step)
    return RealisedAudience(start, step, by_region)
