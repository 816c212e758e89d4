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

The audience a run meets is ``kickoff.scaling.simulate.audience``'s; the policies compared and their scoring,
``kickoff.scaling.simulate.policies``'.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kickoff.scaling.model import ServiceModel


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


@dataclass(frozen=True)
class Disruption:
    """Tasks lost and launches held: ``stop`` maps a minute to the fraction of every service's tasks (running
    and starting) that stop at its start; no task launches in a minute of ``hold`` (start, end) ranges.
    ECS replaces the stopped tasks (the desired count is unchanged) once launches are possible."""

    stop: dict[int, float]
    hold: tuple[tuple[int, int], ...] = ()

    def holds(self, minute: int) -> bool:
        return any(a <= minute < b for a, b in self.hold)


def _stop_fraction(t: _Target, fraction: float, now_step: int) -> None:
    """Stop ``fraction`` of the running and starting tasks (rounded up) without changing the desired count."""
    running = math.ceil(t.running * fraction - 1e-9)
    pending = math.ceil(t.pending * fraction - 1e-9)
    desired = t.desired
    if pending:
        _remove(t, pending, now_step)  # cancels starting tasks first
    if running:
        t.running -= running
        t.running_delta[now_step] -= running
        t.stopped[now_step] += running
    t.desired = desired


POLICY_STREAMS = "abcdef"
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
    disruption: Disruption | None = None,
) -> list[TargetRun]:
    """Simulate one region's services, which share the Fargate launch rate.

    ``loads[i]`` is service i's offered load per step; ``mins[i]``/``maxs[i]``
    the scheduled capacity range per metric period. ``initial`` is the task count
    at the start (default: what the first minute's load needs at the target,
    within the range), all running. ``disruption`` stops tasks and holds launches (a Zone or the Region
    failing).
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
            if disruption is not None and m in disruption.stop:
                _stop_fraction(t, disruption.stop[m], first)
            if disruption is None or not disruption.holds(m):
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
            if t.running == 0 and disruption is not None and disruption.holds(m):
                # No task runs and none can start: ECS reports no CPU datapoint, the tracking alarms have no
                # data, and target tracking neither scales in nor out until tasks run again.
                t.history.clear()
                continue
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
