"""Seeded discrete-time simulation of scaling policies against a realised audience.

Time advances in ``SimParams.step_s`` (10 s) steps. Each (region, service)
target has a desired count, running tasks and starting tasks:

* A scheduled minimum/maximum is applied at each minute boundary: desired is
  raised to the minimum or lowered to the maximum at once.
* Target tracking (when enabled) sees one CPU-utilisation datapoint per minute:
  the mean over the minute of min(1, load / (running x rps_per_task)) — CPU
  cannot exceed 100%. It scales out when the last 3 datapoints are above the
  target, to ceil(running x metric / target) (the datapoint averages over the
  running tasks). Within the 300 s scale-out cooldown a further scale-out is
  applied only if it adds more than the one that started the cooldown ("a
  larger scale out"). It scales in when the last 15 datapoints are below 90% of
  the target, to ceil(desired x metric / target), at most once per 300 s
  scale-in cooldown. (Application Auto Scaling target tracking; the 90%
  low-alarm threshold stands for "usually 10% lower" in its documentation.)
* New tasks launch at most 20 per second per region (shared by the region's
  services) and start serving a uniformly random 60-180 s after launch.
  Tasks are billed from launch. Scale-in cancels starting tasks first.

Under-provisioned means load > running tasks x rps_per_task x target
utilisation (the literal definition), counted per 10 s step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

import numpy as np

from kickoff.scaling.audience import AudienceShape, event_fraction
from kickoff.scaling.demand import WEEK_REFERENCE, arrival_rates, to_seconds, window_grid_sources
from kickoff.scaling.model import ServiceModel
from kickoff.scaling.plan import CapacityPlan
from kickoff.scaling.prices import FargatePrice
from kickoff.scaling.schedule import TargetPlan


@dataclass(frozen=True)
class SimParams:
    """Simulator constants (defaults from the issue and the AWS docs, see bench/README.md).

    Fields:
        step_s: simulation step (s). Default 10.
        metric_period_s: CloudWatch datapoint period (s). Default 60.
        scale_out_datapoints: consecutive high datapoints before scale-out. Default 3.
        scale_in_datapoints: consecutive low datapoints before scale-in. Default 15.
        scale_in_threshold: low alarm threshold as a fraction of the target. Default 0.9.
        scale_out_cooldown_s: default 300 (ECS services).
        scale_in_cooldown_s: default 300 (ECS services).
        task_start_min_s, task_start_max_s: task start time range (s). Default 60-180.
        launch_rate_per_s: Fargate task launches per second per region. Default 20.
        noise_sigma: std-dev of the realised audience's relative noise. Default 0: the
            issue defines the realised audience as forecast x (1 + error); the
            benchmark adds a 3% sensitivity run.
        noise_tau_min: correlation time of that noise (minutes). Default 30.
        metric_saturates: the tracked metric is CPU utilisation, which cannot exceed
            100%. Default True. False models a request-count metric (ALB requests
            per target), which keeps growing with the load.
        seed: random seed. Default 20240912.
    """

    step_s: int = 10
    metric_period_s: int = 60
    scale_out_datapoints: int = 3
    scale_in_datapoints: int = 15
    scale_in_threshold: float = 0.9
    scale_out_cooldown_s: int = 300
    scale_in_cooldown_s: int = 300
    task_start_min_s: float = 60.0
    task_start_max_s: float = 180.0
    launch_rate_per_s: float = 20.0
    noise_sigma: float = 0.0
    noise_tau_min: float = 30.0
    metric_saturates: bool = True
    seed: int = 20240912

    def __post_init__(self) -> None:
        if self.metric_period_s % self.step_s:
            raise ValueError("metric_period_s must be a multiple of step_s")
        if not 0 < self.task_start_min_s <= self.task_start_max_s:
            raise ValueError("need 0 < task_start_min_s <= task_start_max_s")

    @property
    def steps_per_period(self) -> int:
        """Simulation steps per metric period."""
        return self.metric_period_s // self.step_s


@dataclass
class TargetRun:
    """Per-step result of one simulated target.

    Fields:
        running: tasks serving, per step.
        provisioned: tasks billed (running + starting), per step.
        load: offered load (requests/s), per step.
        capacity_at_target: running x rps_per_task x target_utilization, per step.
        capacity: running x rps_per_task (what the running tasks serve at 100%), per step.
    """

    running: np.ndarray
    provisioned: np.ndarray
    load: np.ndarray
    capacity_at_target: np.ndarray
    capacity: np.ndarray

    def above(self, fraction: float) -> np.ndarray:
        """Boolean per step: load above ``fraction`` of the running capacity (1.0: requests are dropped)."""
        return self.load > self.capacity * fraction * (1.0 + 1e-12)

    @property
    def dropped(self) -> np.ndarray:
        """Requests/s the running tasks cannot serve (load above 100% of their capacity), per step."""
        return np.maximum(self.load - self.capacity, 0.0)

    @property
    def under(self) -> np.ndarray:
        """Boolean per step: load above running capacity at the target utilisation."""
        return self.load > self.capacity_at_target * (1.0 + 1e-12)

    @property
    def shortfall(self) -> np.ndarray:
        """Missing request capacity (requests/s) per step."""
        return np.maximum(self.load - self.capacity_at_target, 0.0)


class _Target:
    """Mutable state of one target during a run."""

    def __init__(
        self,
        service: ServiceModel,
        load: np.ndarray,
        mins: np.ndarray,
        maxs: np.ndarray,
        n_steps: int,
        per: int,
        horizon: int,
        initial: int,
    ) -> None:
        self.mins, self.maxs = mins, maxs
        self.target = service.target_utilization
        self.rpt = service.rps_per_task
        periods = n_steps // per
        shaped = load[: periods * per].reshape(periods, per)
        self.period_sum = (shaped.sum(axis=1) / per).tolist()
        self.period_max = shaped.max(axis=1).tolist()
        self.load_list = load.tolist()
        self.ready = [0] * horizon  # tasks becoming ready at each step
        self.running_delta = [0] * horizon
        self.started = [0] * horizon  # tasks launched (billed) at each step
        self.stopped = [0] * horizon  # billed tasks stopped at each step
        self.initial_running = initial
        self.running = initial
        self.pending = 0
        self.pending_last = -1
        self.desired = initial
        self.history: list[float] = []
        self.out_cooldown_until = -1.0
        self.last_increase = 0
        self.in_cooldown_until = -1.0


def _launch(
    t: _Target, count: int, now: float, launcher: list[float], params: SimParams, rng: np.random.Generator
) -> None:
    step = params.step_s
    gap = 1.0 / params.launch_rate_per_s
    first = max(now, launcher[0])
    launches = first + gap * np.arange(count)
    launcher[0] = first + gap * count
    delays = rng.uniform(params.task_start_min_s, params.task_start_max_s, count)
    ready_steps = np.ceil((launches + delays) / step).astype(int)
    launch_steps = np.floor(launches / step).astype(int)
    n = len(t.ready)
    for s in ready_steps.tolist():
        if s < n:
            t.ready[s] += 1
            t.pending_last = max(t.pending_last, s)
    for s in launch_steps.tolist():
        if s < n:
            t.started[s] += 1
    t.pending += count


def _remove(t: _Target, count: int, now_step: int) -> None:
    """Scale in by ``count``: cancel starting tasks (latest first), then stop running ones."""
    n = len(t.ready)
    s = min(t.pending_last, n - 1)
    while count > 0 and t.pending > 0 and s >= now_step:
        take = min(count, t.ready[s])
        if take:
            t.ready[s] -= take
            t.pending -= take
            count -= take
            t.stopped[now_step] += take
        if t.ready[s] == 0:
            s -= 1
    t.pending_last = s
    if count > 0:
        count = min(count, t.running)
        t.running -= count
        t.running_delta[now_step] -= count
        t.stopped[now_step] += count


def _reconcile(t: _Target, now_step: int, launcher: list[float], params: SimParams, rng: np.random.Generator) -> None:
    have = t.running + t.pending
    if t.desired > have:
        _launch(t, t.desired - have, now_step * params.step_s, launcher, params, rng)
    elif t.desired < have:
        _remove(t, have - t.desired, now_step)


def _target_tracking(t: _Target, now_s: float, params: SimParams) -> None:
    hist = t.history
    metric = hist[-1]
    n_out, n_in = params.scale_out_datapoints, params.scale_in_datapoints
    if len(hist) >= n_out and all(v > t.target for v in hist[-n_out:]):
        # The datapoint averages over running tasks, so they are the capacity it scales.
        wanted = math.ceil(t.running * metric / t.target - 1e-9)
        increase = wanted - t.desired
        in_cooldown = now_s < t.out_cooldown_until
        if increase > 0 and (not in_cooldown or increase > t.last_increase):
            t.desired = wanted
            t.last_increase = increase
            t.out_cooldown_until = now_s + params.scale_out_cooldown_s
        return
    low = t.target * params.scale_in_threshold
    if len(hist) >= n_in and all(v < low for v in hist[-n_in:]) and now_s >= t.in_cooldown_until:
        wanted = math.ceil(t.desired * metric / t.target - 1e-9)
        if wanted < t.desired:
            t.desired = wanted
            t.in_cooldown_until = now_s + params.scale_in_cooldown_s


POLICY_STREAMS = "abcde"
"""Each policy's random stream (task start times) is seeded by its position here."""

UNBOUNDED_METRIC_CAP = 10.0
"""Largest utilisation reported by a non-saturating metric (only reached with no running task)."""


def _utilisation(load: float, capacity: float, ceiling: float) -> float:
    if capacity > 0:
        return min(ceiling, load / capacity)
    return ceiling if load > 0 else 0.0


def simulate_region(
    loads: Sequence[np.ndarray],
    services: Sequence[ServiceModel],
    mins: Sequence[np.ndarray],
    maxs: Sequence[np.ndarray],
    target_tracking: bool,
    params: SimParams,
    rng: np.random.Generator,
    initial: Sequence[int] | None = None,
) -> list[TargetRun]:
    """Simulate one region's services, which share the Fargate launch rate.

    ``loads[i]`` is service i's offered load per step; ``mins[i]``/``maxs[i]``
    the scheduled capacity range per metric period. ``initial`` is the task count
    at the start (default: what the first minute's load needs at the target,
    within the range), all running.
    """
    per = params.steps_per_period
    n_steps = len(loads[0])
    periods = n_steps // per
    horizon = n_steps + 1
    targets = []
    for i, svc in enumerate(services):
        if initial is not None:
            start = initial[i]
        else:
            need = math.ceil(float(loads[i][:per].max()) / (svc.rps_per_task * svc.target_utilization))
            start = min(max(need, int(mins[i][0])), int(maxs[i][0]))
        targets.append(_Target(svc, loads[i], mins[i], maxs[i], n_steps, per, horizon, start))
    launcher = [0.0]
    # With no running task, a saturating metric reads 100%; an unbounded one is capped at 10x.
    ceiling = 1.0 if params.metric_saturates else UNBOUNDED_METRIC_CAP
    for m in range(periods):
        first = m * per
        now_s = first * params.step_s
        for t in targets:
            lo, hi = int(t.mins[m]), int(t.maxs[m])
            if t.desired < lo:
                t.desired = lo
            elif t.desired > hi:
                t.desired = hi
            _reconcile(t, first, launcher, params, rng)
            ready = t.ready
            if t.pending and any(ready[first : first + per]):
                util = 0.0
                for s in range(first, first + per):
                    if ready[s]:
                        t.running += ready[s]
                        t.running_delta[s] += ready[s]
                        t.pending -= ready[s]
                    util += _utilisation(t.load_list[s], t.running * t.rpt, ceiling)
                dp = util / per
            else:
                cap = t.running * t.rpt
                if cap > 0 and t.period_max[m] <= cap * ceiling:
                    dp = t.period_sum[m] / cap
                else:
                    dp = sum(_utilisation(x, cap, ceiling) for x in t.load_list[first : first + per]) / per
            t.history.append(dp)
            if len(t.history) > params.scale_in_datapoints:
                del t.history[0]
            if target_tracking:
                _target_tracking(t, now_s + params.metric_period_s, params)
                t.desired = min(max(t.desired, lo), hi)
    runs = []
    for t, svc, load in zip(targets, services, loads):
        running = t.initial_running + np.cumsum(np.array(t.running_delta[:n_steps], dtype=np.int64))
        billed = t.initial_running + np.cumsum(
            np.array(t.started[:n_steps], dtype=np.int64) - np.array(t.stopped[:n_steps], dtype=np.int64)
        )
        capacity = running * svc.rps_per_task
        runs.append(TargetRun(running, billed, load[:n_steps], capacity * svc.target_utilization, capacity))
    return runs


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
    """A Region that fails during the run: from ``at`` its viewers move to the other Regions over ``shift``.

    They leave linearly over ``shift`` and land in the other Regions in proportion to the viewers those
    serve at that moment (latency routing sends each to its nearest healthy Region). Each lands as a new
    arrival there (login, entitlement, playback start), so the survivors see the re-arrival surge through
    the slope of their viewer curve. The failed Region serves nothing afterwards.
    """

    region: str
    at: datetime
    shift: timedelta = timedelta(seconds=90)

    def __post_init__(self) -> None:
        if self.shift.total_seconds() <= 0:
            raise ValueError(f"the failover shift must be positive, got {self.shift}")


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
    begin = to_seconds(failure.at) - to_seconds(start)
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


# --- policies --------------------------------------------------------------------


class Policy(Enum):
    """The compared policies.

    STATIC: the plan's peak, all week, no tracking.
    HUMAN: the pre-v2 human policy: every Region holds the plan's peak (N-1 plus band) from a day before
        each kickoff to a day after, tracking on top.
    CAREFUL: what a careful team does by hand (``careful_floor``): each Region sized on its own forecast
        peak load plus ``CAREFUL_MARGIN``, from ``CAREFUL_BEFORE`` before the earliest kickoff to
        ``CAREFUL_AFTER`` after the latest end plus overtime, decided days ahead; tracking on top.
    REACTIVE: target tracking alone, from the configured minimum.
    KICKOFF: the Kickoff plan's scheduled floor, tracking on top.
    """

    STATIC = "a"
    HUMAN = "b"
    REACTIVE = "c"
    KICKOFF = "d"
    CAREFUL = "e"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return {
            "a": "(a) static at peak",
            "b": "(b0) human, old: N-1 peak +/-24 h",
            "c": "(c) reactive target tracking",
            "d": "(d) Kickoff plan + target tracking",
            "e": "(b) careful human: forecast peak +30%",
        }[self.value]


CAREFUL_MARGIN = 0.3
"""The careful human's safety margin over its Region's forecast peak load: the forecast band (+/-20% on the
calendar's events) plus 10% for what the forecast does not know."""
CAREFUL_BEFORE = timedelta(hours=4)
"""How long before the earliest kickoff the careful human has the capacity up (a change window that ends
well before the pre-game show)."""
CAREFUL_AFTER = timedelta(hours=2)
"""How long after the latest end plus overtime the careful human brings capacity back down (after the
post-game show, once someone has looked)."""


def careful_floor(
    plan: CapacityPlan, region: str, service: ServiceModel, start: datetime, periods: int, period_s: int
) -> np.ndarray:
    """The careful human's minimum per metric period for one target (``Policy.CAREFUL``)."""
    mins = np.full(periods, service.min_tasks, dtype=np.int64)
    times = to_seconds(start) + np.arange(periods) * period_s
    for window in plan.windows:
        grid, scenarios = window_grid_sources(window.start, window.restore, plan.events, plan.baseline, plan.params)
        viewers = np.zeros(grid.n)
        for source in scenarios[0]:
            viewers += np.asarray(source.values) * source.shares.get(region, 0.0)
        load = service.rps_per_viewer * viewers + service.requests_per_arrival * arrival_rates(viewers, grid.step_s)
        need = math.ceil(float(load.max()) * (1.0 + CAREFUL_MARGIN) / service.rps_per_task_at_target - 1e-9)
        need = min(max(need, service.min_tasks), service.max_tasks)
        chosen = [e for e in plan.events if e.event_id in window.event_ids]
        first = min(to_seconds(e.first_kickoff) for e in chosen) - CAREFUL_BEFORE.total_seconds()
        last = max(to_seconds(e.latest_end) for e in chosen) + CAREFUL_AFTER.total_seconds()
        hold = (times >= first) & (times < last)
        mins[hold] = np.maximum(mins[hold], need)
    return mins


def plan_floor(target: TargetPlan, start: datetime, periods: int, period_s: int) -> np.ndarray:
    """The plan's minimum capacity per metric period from ``start`` (value at each period start)."""
    t0 = to_seconds(start)
    times = t0 + np.arange(periods) * period_s
    actions = [(to_seconds(s.at), 1, s.min_tasks) for s in target.steps]
    for r in target.recurring:
        f = r.last_at_or_before(t0)
        if f is None:
            f = r.next_after(t0)
        while f is not None and f <= times[-1]:
            actions.append((f, 0, r.min_tasks))
            f = r.next_after(f)
    # On equal times the one-time step (1) sorts after the recurring one (0) and wins.
    actions.sort()
    out = np.full(periods, target.default_min, dtype=np.int64)
    idx = np.searchsorted(np.array([a[0] for a in actions]), times, side="right") - 1
    values = np.array([a[2] for a in actions] or [target.default_min], dtype=np.int64)
    has = idx >= 0
    out[has] = values[idx[has]]
    return out


def policy_ranges(
    policy: Policy, plan: CapacityPlan, region: str, service: ServiceModel, start: datetime, periods: int, period_s: int
) -> tuple[np.ndarray, np.ndarray, bool]:
    """(minimum per period, maximum per period, target tracking on?) of a policy for one target."""
    target = plan.target(region, service.name)
    peak = np.full(periods, target.peak_tasks, dtype=np.int64)
    top = np.full(periods, service.max_tasks, dtype=np.int64)
    if policy is Policy.STATIC:
        return peak, peak.copy(), False
    if policy is Policy.REACTIVE:
        return np.full(periods, service.min_tasks, dtype=np.int64), top, True
    if policy is Policy.KICKOFF:
        return plan_floor(target, start, periods, period_s), top, True
    if policy is Policy.CAREFUL:
        return careful_floor(plan, region, service, start, periods, period_s), top, True
    mins = np.full(periods, service.min_tasks, dtype=np.int64)
    times = to_seconds(start) + np.arange(periods) * period_s
    for e in plan.events:
        k = to_seconds(e.kickoff)
        mins[(times >= k - 86400) & (times < k + 86400)] = target.peak_tasks
    return mins, top, True


@dataclass(frozen=True)
class PolicyMetrics:
    """Week metrics of one policy at one forecast error.

    Fields:
        policy: which policy.
        error: forecast error (realised = forecast x (1 + error)).
        task_hours: billed task-hours, all targets.
        cost_arm64, cost_x86: USD for those task-hours at the two Fargate prices.
        vcpu_hours: billed vCPU-hours.
        under_seconds: seconds during which at least one target was under-provisioned: load above its running
            capacity at the target utilisation (where target tracking holds it by design).
        under_target_seconds: under-provisioned seconds summed over targets.
        above_85_seconds: seconds during which at least one target ran above 85% of its running capacity.
        above_100_seconds: seconds during which at least one target's load exceeded its running capacity.
        dropped_requests: requests above the running capacity, summed over targets (they fail).
        under_seconds_in_events, above_85_seconds_in_events, above_100_seconds_in_events,
        dropped_requests_in_events: the same, counted only while an event has an audience (``event_mask``).
        peak_shortfall_rps: largest missing request capacity, summed over targets (requests/s).
        missing_requests: integrated missing request capacity (requests).
        hours_near_peak: hours with billed vCPU >= 90% of the plan's peak vCPU (all targets).
    """

    policy: Policy
    error: float
    task_hours: float
    cost_arm64: float
    cost_x86: float
    vcpu_hours: float
    under_seconds: float
    under_target_seconds: float
    peak_shortfall_rps: float
    missing_requests: float
    hours_near_peak: float
    above_85_seconds: float
    above_100_seconds: float
    dropped_requests: float
    under_seconds_in_events: float
    above_85_seconds_in_events: float
    above_100_seconds_in_events: float
    dropped_requests_in_events: float


def run_policy(
    policy: Policy,
    plan: CapacityPlan,
    audience: RealisedAudience,
    params: SimParams,
    prices: tuple[FargatePrice, FargatePrice],
    error: float,
    stress: Stress | None = None,
) -> PolicyMetrics:
    """Simulate ``policy`` on every target of ``plan`` against ``audience`` (realised with ``stress``, which
    places the event windows of the in-event measures)."""
    step = audience.step_s
    n_steps = len(next(iter(audience.by_region.values())))
    per = params.steps_per_period
    periods = n_steps // per
    n_steps = periods * per
    arm, x86 = prices
    task_hours = cost_arm = cost_x86 = vcpu_hours = under_target = 0.0
    any_under = np.zeros(n_steps, dtype=bool)
    any_85 = np.zeros(n_steps, dtype=bool)
    any_100 = np.zeros(n_steps, dtype=bool)
    dropped = np.zeros(n_steps)
    shortfall = np.zeros(n_steps)
    vcpu_total = np.zeros(n_steps)
    for ri, region in enumerate(plan.regions):
        loads, mins, maxs = [], [], []
        tt = True
        for svc in plan.services:
            loads.append(service_load(audience.by_region[region.name][:n_steps], svc, step))
            lo, hi, tt = policy_ranges(policy, plan, region.name, svc, audience.start, periods, params.metric_period_s)
            mins.append(lo)
            maxs.append(hi)
        rng = np.random.default_rng([params.seed, ri, POLICY_STREAMS.index(policy.value)])
        initial = [int(m[0]) for m in mins] if policy is Policy.STATIC else None
        runs = simulate_region(loads, plan.services, mins, maxs, tt, params, rng, initial)
        for svc, run in zip(plan.services, runs):
            hours = float(run.provisioned.sum()) * step / 3600.0
            task_hours += hours
            cost_arm += hours * arm.task_hour(svc)
            cost_x86 += hours * x86.task_hour(svc)
            vcpu_hours += hours * svc.vcpu
            under = run.under
            under_target += float(under.sum()) * step
            any_under |= under
            any_85 |= run.above(0.85)
            any_100 |= run.above(1.0)
            dropped += run.dropped
            shortfall += run.shortfall
            vcpu_total += run.provisioned * svc.vcpu
    peak_vcpu = sum(t.peak_vcpu for t in plan.targets)
    on = event_mask(plan, audience.start, n_steps, step, stress)
    return PolicyMetrics(
        policy=policy,
        error=error,
        task_hours=task_hours,
        cost_arm64=cost_arm,
        cost_x86=cost_x86,
        vcpu_hours=vcpu_hours,
        under_seconds=float(any_under.sum()) * step,
        under_target_seconds=under_target,
        peak_shortfall_rps=float(shortfall.max()),
        missing_requests=float(shortfall.sum()) * step,
        hours_near_peak=float((vcpu_total >= 0.9 * peak_vcpu).sum()) * step / 3600.0,
        above_85_seconds=float(any_85.sum()) * step,
        above_100_seconds=float(any_100.sum()) * step,
        dropped_requests=float(dropped.sum()) * step,
        under_seconds_in_events=float((any_under & on).sum()) * step,
        above_85_seconds_in_events=float((any_85 & on).sum()) * step,
        above_100_seconds_in_events=float((any_100 & on).sum()) * step,
        dropped_requests_in_events=float(np.where(on, dropped, 0.0).sum()) * step,  # same summation as the total
    )


def event_mask(
    plan: CapacityPlan, start: datetime, n_steps: int, step_s: int, stress: Stress | None = None
) -> np.ndarray:
    """Boolean per step: an event of ``plan`` has an audience (its pre-game arrivals to its last viewers, over the
    planned duration plus overtime, ``AudienceShape.support``, for every kickoff of its flex window and the
    stressed kickoff and overrun)."""
    stress = stress or Stress()
    t = to_seconds(start) + np.arange(n_steps) * step_s
    on = np.zeros(n_steps, dtype=bool)
    shift = stress.kickoff_shift.total_seconds()
    for e in plan.events:
        lo, hi = plan.params.audience.support((e.duration + e.overtime + stress.overrun).total_seconds() / 60.0)
        first = min(to_seconds(e.first_kickoff), to_seconds(e.kickoff) + shift)
        last = max(to_seconds(e.last_kickoff), to_seconds(e.kickoff) + shift)
        on |= (t >= first + lo * 60.0) & (t < last + hi * 60.0)
    return on
