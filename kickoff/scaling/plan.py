"""Turn an event calendar and a viewer forecast into scheduled capacity.

For every (region, service) scalable target the plan is a set of Application
Auto Scaling scheduled actions that set the minimum (and maximum) capacity:

* one-time steps per event window: from ``kickoff - pregame - lead_time`` the
  minimum follows the forecast envelope in ``step`` intervals; each step covers
  the largest requirement from its own time until ``lead_time`` after the next
  step, so capacity is running before the load arrives. The last step restores
  the baseline at ``expected end + overtime + ramp_down``.
* recurring (cron) steps for the predictable baseline when a
  ``BaselineForecast`` is given, suppressed on the weekdays where they would
  fire inside an event window.

Overlapping or touching event windows (doubleheaders) are planned as one window
on the summed audience. If a target needs more actions than the quota allows,
adjacent steps are merged where that costs the fewest task-hours; if even one
step per window does not fit, ``PlanError`` is raised.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from kickoff.scaling.alb import alb_reservations
from kickoff.scaling.budget import merge_to_budget
from kickoff.scaling.demand import (
    SECONDS_PER_WEEK,
    WEEK_REFERENCE,
    Grid,
    TargetDemand,
    baseline_source,
    from_seconds,
    to_seconds,
)
from kickoff.scaling.footprint import compiled_footprint_problems
from kickoff.scaling.model import (
    BaselineForecast,
    EventForecast,
    PlanError,
    PlanParams,
    PlanProblems,
    RegionModel,
    ServiceModel,
)
from kickoff.scaling.scenarios import region_demands, relevant_events, window_scenarios
from kickoff.scaling.schedule import (
    AlbReservation,
    EventWindow,
    RecurringStep,
    ScheduledStep,
    TargetPlan,
)

WEEKDAY_COUNT = 7


@dataclass(frozen=True)
class CapacityPlan:
    """The full plan and the inputs it was built from.

    Fields:
        targets: one ``TargetPlan`` per (region, service), regions then services in input order.
        alb_reservations: per-region LCU reservation changes in time order.
        windows: the event windows (merged for overlapping events).
        events, services, regions, baseline, params: the inputs.
    """

    targets: tuple[TargetPlan, ...]
    alb_reservations: tuple[AlbReservation, ...]
    windows: tuple[EventWindow, ...]
    events: tuple[EventForecast, ...]
    services: tuple[ServiceModel, ...]
    regions: tuple[RegionModel, ...]
    baseline: BaselineForecast | None
    params: PlanParams

    def target(self, region: str, service: str) -> TargetPlan:
        """The plan of one scalable target."""
        for t in self.targets:
            if t.region == region and t.service == service:
                return t
        raise KeyError(f"no target for region {region}, service {service}")

    def service(self, name: str) -> ServiceModel:
        """The input model of service ``name``."""
        for s in self.services:
            if s.name == name:
                return s
        raise KeyError(f"no service {name}")


def _check_inputs(
    events: Sequence[EventForecast],
    services: Sequence[ServiceModel],
    regions: Sequence[RegionModel],
    baseline: BaselineForecast | None,
) -> None:
    names = [r.name for r in regions]
    if not names:
        raise PlanError("no regions given")
    if len(set(names)) != len(names):
        raise PlanError(f"region names repeat: {names}")
    svc = [s.name for s in services]
    if len(set(svc)) != len(svc):
        raise PlanError(f"service names repeat: {svc}")
    ids = [e.event_id for e in events]
    if len(set(ids)) != len(ids):
        raise PlanError(f"event ids repeat: {ids}")
    known = set(names)
    for e in events:
        unknown = set(e.region_share) - known
        if unknown:
            raise PlanError(f"event {e.event_id}: region_share names unknown regions {sorted(unknown)}")
    if baseline is not None and set(baseline.region_share) - known:
        raise PlanError(f"baseline: region_share names unknown regions {sorted(set(baseline.region_share) - known)}")


def event_windows(events: Sequence[EventForecast], params: PlanParams) -> list[EventWindow]:
    """Event windows in time order; overlapping or touching windows are merged.

    A window starts ``lead_time`` before the pregame audience of the earliest
    kickoff begins, on the step grid anchored at ``earliest kickoff - lead_time``,
    and ends (restore) at ``latest kickoff + duration + overtime + ramp_down``,
    rounded up to a whole second. Without a flex window both are the kickoff.
    """
    step = params.step.total_seconds()
    lead = params.lead_time.total_seconds()
    raw = []
    for e in events:
        anchor = math.floor(to_seconds(e.first_kickoff) - lead)
        earliest = to_seconds(e.first_kickoff) - params.audience.pregame_start * 60.0 - lead
        start = anchor - math.ceil((anchor - earliest) / step) * step
        restore = math.ceil(to_seconds(e.latest_end) + params.ramp_down.total_seconds())
        raw.append((start, restore, anchor, e.event_id))
    raw.sort()
    merged: list[list] = []
    for start, restore, anchor, eid in raw:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], restore)
            merged[-1][2].append(anchor)
            merged[-1][3].append(eid)
        else:
            merged.append([start, restore, [anchor], [eid]])
    return [
        EventWindow(tuple(ids), from_seconds(s), from_seconds(r), tuple(from_seconds(a) for a in anchors))
        for s, r, anchors, ids in merged
    ]


def _step_times(window: EventWindow, params: PlanParams) -> list[float]:
    step = params.step.total_seconds()
    start, restore = to_seconds(window.start), to_seconds(window.restore)
    times = set()
    t = start
    while t < restore:
        times.add(t)
        t += step
    # Every kickoff - lead_time gets its own step, also inside merged windows.
    times.update(to_seconds(a) for a in window.anchors)
    return sorted(times)


def _window_demands(
    window: EventWindow,
    events: Sequence[EventForecast],
    baseline: BaselineForecast | None,
    services: Sequence[ServiceModel],
    regions: Sequence[str],
    params: PlanParams,
) -> dict[tuple[str, str], TargetDemand]:
    lead = params.lead_time.total_seconds()
    a, b = to_seconds(window.start), to_seconds(window.restore) + lead
    grid = Grid.covering(a, b, int(params.resolution.total_seconds()))
    chosen = relevant_events(events, a, b, params)
    scenarios = window_scenarios(chosen, baseline, grid, params)
    return region_demands(
        services, regions, scenarios, grid, params, params.n_minus_1, "event " + "+".join(window.event_ids)
    )


def _window_steps(demand: TargetDemand, window: EventWindow, params: PlanParams) -> list[tuple[float, int]]:
    lead = params.lead_time.total_seconds()
    times = _step_times(window, params)
    bounds = times[1:] + [to_seconds(window.restore)]
    steps = [(t, demand.max_tasks(t, nxt + lead)) for t, nxt in zip(times, bounds)]
    collapsed = [steps[0]]
    for t, v in steps[1:]:
        if v != collapsed[-1][1]:
            collapsed.append((t, v))
    return collapsed


def _inside(t_s: float, windows: Sequence[EventWindow]) -> bool:
    return any(to_seconds(w.start) <= t_s < to_seconds(w.restore) for w in windows)


# --- baseline (recurring) steps -------------------------------------------------


def _weekly_firings(windows: Sequence[EventWindow], params: PlanParams) -> list[tuple[int, int]]:
    """(slot, weekday) pairs of the recurring baseline steps that do not fire inside a window."""
    slot_s = int(params.baseline_step.total_seconds())
    slots = 86400 // slot_s
    excluded: set[tuple[int, int]] = set()
    for w in windows:
        start, restore = to_seconds(w.start), to_seconds(w.restore)
        day = math.floor(start / 86400) * 86400
        while day < restore:
            weekday = from_seconds(day).weekday()
            for slot in range(slots):
                fire = day + slot * slot_s
                if start <= fire < restore:
                    excluded.add((slot, weekday))
            day += 86400
    return [(slot, wd) for wd in range(WEEKDAY_COUNT) for slot in range(slots) if (slot, wd) not in excluded]


def _baseline_demands(
    baseline: BaselineForecast, services: Sequence[ServiceModel], regions: Sequence[str], params: PlanParams
) -> dict[tuple[str, str], TargetDemand]:
    lead = params.lead_time.total_seconds()
    ref = to_seconds(WEEK_REFERENCE)
    # Two weeks so a firing late on Sunday can look into the next Monday.
    grid = Grid.covering(ref, ref + 2 * SECONDS_PER_WEEK + lead, int(params.resolution.total_seconds()))
    return region_demands(
        services, regions, [[baseline_source(baseline, grid)]], grid, params, params.baseline_n_minus_1, "baseline"
    )


def _recurring_steps(
    demand: TargetDemand, firings: Sequence[tuple[int, int]], baseline: BaselineForecast, params: PlanParams
) -> list[RecurringStep]:
    if not firings:
        return []
    lead = params.lead_time.total_seconds()
    slot_s = int(params.baseline_step.total_seconds())
    ref = to_seconds(WEEK_REFERENCE)
    offsets = sorted(wd * 86400 + slot * slot_s for slot, wd in firings)
    by_slot: dict[int, dict[int, list[int]]] = {}
    for i, off in enumerate(offsets):
        nxt = offsets[i + 1] if i + 1 < len(offsets) else offsets[0] + SECONDS_PER_WEEK
        tasks = demand.max_tasks(ref + off, ref + nxt + lead)
        slot, wd = (off % 86400) // slot_s, off // 86400
        by_slot.setdefault(slot, {}).setdefault(tasks, []).append(wd)
    svc = demand.service
    steps = []
    for slot in sorted(by_slot):
        minute_of_day = slot * slot_s // 60
        for tasks, days in sorted(by_slot[slot].items()):
            steps.append(
                RecurringStep(
                    hour=minute_of_day // 60,
                    minute=minute_of_day % 60,
                    weekdays=tuple(sorted(days)),
                    min_tasks=tasks,
                    max_tasks=svc.max_tasks,
                    start=baseline.valid_from,
                    end=baseline.valid_until,
                )
            )
    return steps


def _baseline_value_after(
    t_s: float,
    demand: TargetDemand | None,
    recurring: Sequence[RecurringStep],
    service: ServiceModel,
    baseline: BaselineForecast | None,
    params: PlanParams,
) -> int:
    """Minimum to restore at ``t_s`` so the baseline is covered until the next recurring step takes over."""
    if demand is None or baseline is None:
        return service.min_tasks
    if not (to_seconds(baseline.valid_from) <= t_s < to_seconds(baseline.valid_until)):
        return service.min_tasks
    nxt = next_firing(recurring, t_s)
    # Without a firing within a week the restore must cover a whole weekly cycle.
    end = min(t_s + SECONDS_PER_WEEK, to_seconds(baseline.valid_until) if nxt is None else nxt)
    ref = to_seconds(WEEK_REFERENCE)
    shift = math.floor((t_s - ref) / SECONDS_PER_WEEK) * SECONDS_PER_WEEK
    return demand.max_tasks(t_s - shift, end - shift + params.lead_time.total_seconds())


def next_firing(recurring: Sequence[RecurringStep], after_s: float) -> float | None:
    """Epoch seconds of the first recurring firing strictly after ``after_s``, if any."""
    best = None
    for r in recurring:
        f = r.next_after(after_s)
        if f is not None and (best is None or f < best):
            best = f
    return best


# --- the planner --------------------------------------------------------------------


def build_plan(
    events: Sequence[EventForecast],
    services: Sequence[ServiceModel],
    regions: Sequence[RegionModel],
    params: PlanParams | None = None,
    baseline: BaselineForecast | None = None,
) -> CapacityPlan:
    """Build the capacity plan (pure; raises ``PlanError`` when it cannot be executed)."""
    params = params or PlanParams()
    _check_inputs(events, services, regions, baseline)
    region_names = [r.name for r in regions]
    windows = event_windows(events, params)
    demands = [_window_demands(w, events, baseline, services, region_names, params) for w in windows]
    stepped = baseline if params.baseline_steps else None  # the baseline counts in the windows either way
    base_demands = _baseline_demands(stepped, services, region_names, params) if stepped else {}
    firings = _weekly_firings(windows, params) if stepped else []

    targets: list[TargetPlan] = []
    problems: list[str] = []
    for region in regions:
        for svc in services:
            try:
                key = (region.name, svc.name)
                recurring = _recurring_steps(base_demands[key], firings, stepped, params) if stepped else []
                per_window = [_window_steps(d[key], w, params) for d, w in zip(demands, windows)]
                restore_times = [to_seconds(w.restore) for w in windows]
                extra = []
                if stepped is not None:
                    # Inside a window the window's own restore step sets the baseline value instead.
                    start, until = to_seconds(stepped.valid_from), to_seconds(stepped.valid_until)
                    if not any(r.fires_at(start) for r in recurring) and not _inside(start, windows):
                        value = _baseline_value_after(start, base_demands[key], recurring, svc, stepped, params)
                        extra.append((start, value))
                    if not _inside(until, windows):
                        extra.append((until, svc.min_tasks))
                fixed = len(recurring) + len(windows) + len(extra)
                label = f"region {region.name}, service {svc.name}"
                per_window, merges = merge_to_budget(
                    per_window, restore_times, params.max_actions_per_target - fixed, label
                )
                steps = []
                for w_steps, restore in zip(per_window, restore_times):
                    steps.extend(ScheduledStep(from_seconds(t), v, svc.max_tasks) for t, v in w_steps)
                    value = _baseline_value_after(restore, base_demands.get(key), recurring, svc, stepped, params)
                    steps.append(ScheduledStep(from_seconds(restore), value, svc.max_tasks))
                steps.extend(ScheduledStep(from_seconds(t), v, svc.max_tasks) for t, v in extra)
                steps.sort(key=lambda s: s.at)
                peak = max([s.min_tasks for s in steps] + [r.min_tasks for r in recurring] + [svc.min_tasks])
                targets.append(
                    TargetPlan(
                        region=region.name,
                        service=svc.name,
                        steps=tuple(steps),
                        recurring=tuple(recurring),
                        default_min=svc.min_tasks,
                        default_max=svc.max_tasks,
                        peak_tasks=peak,
                        peak_vcpu=peak * svc.vcpu,
                        merged_steps=merges,
                    )
                )
                if targets[-1].action_count > params.max_actions_per_target:
                    raise PlanError(
                        f"{label}: plan needs {targets[-1].action_count} scheduled actions, over the "
                        f"{params.max_actions_per_target}-action limit per scalable target"
                    )
            except PlanError as error:  # every target is planned, so one run reports every problem
                problems.append(str(error))

    if not problems:
        problems = compiled_footprint_problems(targets, services, regions, baseline)
    PlanProblems.raise_if_any(problems)
    return CapacityPlan(
        targets=tuple(targets),
        alb_reservations=tuple(alb_reservations(windows, events, baseline, services, region_names, params)),
        windows=tuple(windows),
        events=tuple(events),
        services=tuple(services),
        regions=tuple(regions),
        baseline=baseline,
        params=params,
    )


def window_demand(plan: CapacityPlan, window: EventWindow, region: str, service: str) -> TargetDemand:
    """What ``plan`` must hold for one target during ``window`` (for checks, reports and charts)."""
    regions = [r.name for r in plan.regions]
    svc = plan.service(service)
    return _window_demands(window, plan.events, plan.baseline, [svc], regions, plan.params)[(region, service)]


def baseline_demand(plan: CapacityPlan, region: str, service: str) -> TargetDemand:
    """What the recurring baseline steps must hold for one target, on a grid over two generic weeks.

    The grid starts at ``demand.WEEK_REFERENCE``; shift an instant by whole weeks into it.
    """
    if plan.baseline is None:
        raise ValueError("the plan has no baseline forecast")
    regions = [r.name for r in plan.regions]
    return _baseline_demands(plan.baseline, [plan.service(service)], regions, plan.params)[(region, service)]
