"""The scaling policies a simulation compares (no pre-scaling, the careful human, reactive tracking, Kickoff's
plan), their floors, and how each one runs and is scored."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

import numpy as np

from kickoff.scaling.demand import arrival_rates, to_seconds
from kickoff.scaling.model import ServiceModel
from kickoff.scaling.plan import CapacityPlan
from kickoff.scaling.prices import FargatePrice
from kickoff.scaling.scenarios import window_grid_sources
from kickoff.scaling.schedule import TargetPlan
from kickoff.scaling.simulate.audience import RealisedAudience, Stress, service_load
from kickoff.scaling.simulate.engine import POLICY_STREAMS, SimParams, simulate_region

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
    CAREFUL_N1: a careful team that holds what the plan holds at its peak (N-1, the re-arrival surge and the
        band) in every Region from ``CAREFUL_BEFORE`` before the earliest kickoff to ``CAREFUL_AFTER`` after the
        latest end plus overtime; tracking on top. The fair comparator for KICKOFF: the same resilience, held
        flat by hand instead of following the audience.
    """

    STATIC = "a"
    HUMAN = "b"
    REACTIVE = "c"
    KICKOFF = "d"
    CAREFUL = "e"
    CAREFUL_N1 = "f"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return {
            "a": "(a) static at peak",
            "b": "(b0) human, old: N-1 peak +/-24 h",
            "c": "(c) reactive target tracking",
            "d": "(d) Kickoff plan + target tracking",
            "e": "(b) careful human: forecast peak +30%",
            "f": "(b-N1) careful human holding N-1",
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


def careful_n1_floor(
    plan: CapacityPlan, target: TargetPlan, service: ServiceModel, start: datetime, periods: int, period_s: int
) -> np.ndarray:
    """The careful N-1 team's minimum per metric period for one target (``Policy.CAREFUL_N1``): the plan's
    highest floor of each event window, held flat over the careful human's hours around it."""
    floor = plan_floor(target, start, periods, period_s)
    mins = np.full(periods, service.min_tasks, dtype=np.int64)
    times = to_seconds(start) + np.arange(periods) * period_s
    for window in plan.windows:
        inside = (times >= to_seconds(window.start)) & (times < to_seconds(window.restore))
        if not inside.any():
            continue
        chosen = [e for e in plan.events if e.event_id in window.event_ids]
        first = min(to_seconds(e.first_kickoff) for e in chosen) - CAREFUL_BEFORE.total_seconds()
        last = max(to_seconds(e.latest_end) for e in chosen) + CAREFUL_AFTER.total_seconds()
        hold = (times >= first) & (times < last)
        mins[hold] = np.maximum(mins[hold], int(floor[inside].max()))
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
    if policy is Policy.CAREFUL_N1:
        return careful_n1_floor(plan, target, service, start, periods, period_s), top, True
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
