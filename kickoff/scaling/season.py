"""The whole season against the cells as designed: every event, not only the compiled horizon.

``build_plan`` checks the events it compiles (the planning horizon); ``check_season`` checks the whole
calendar, so an event the cells cannot carry is refused at the first synth that sees it, not when it enters
the horizon. Every problem of every event is reported in one pass (``PlanProblems``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kickoff.scaling.demand import from_seconds, to_seconds
from kickoff.scaling.footprint import Peak, describe, footprint_peaks
from kickoff.scaling.model import (
    BaselineForecast,
    EventForecast,
    PlanError,
    PlanParams,
    PlanProblems,
    RegionModel,
    ServiceModel,
)
from kickoff.scaling.plan import _check_inputs, _window_demands, event_windows


@dataclass(frozen=True)
class SeasonPeaks:
    """The season's worst instant per Region and quota, and what else the season needs fixed.

    Fields:
        worst: (Region, quota) -> the highest peak over every event window and the event(s) it falls in.
        over: (Region, quota) -> every event whose peak exceeds the quota.
        max_tasks: one message per event, Region and service that needs more than ``max_tasks``.
    """

    worst: dict[tuple[str, str], tuple[Peak, str]]
    over: dict[tuple[str, str], list[str]]
    max_tasks: list[str]


def season_peaks(
    events: Sequence[EventForecast],
    services: Sequence[ServiceModel],
    regions: Sequence[RegionModel],
    params: PlanParams | None = None,
    baseline: BaselineForecast | None = None,
) -> SeasonPeaks:
    """Every event window of the season on ``regions``, N-1 and its re-arrival surge included."""
    params = params or PlanParams()
    _check_inputs(events, services, regions, baseline)
    names = [r.name for r in regions]
    result = SeasonPeaks({}, {}, [])
    for window in event_windows(events, params):
        demands = _window_demands(window, events, baseline, services, names, params)
        label = "+".join(window.event_ids)
        for region in regions:
            tasks = {}
            for svc in services:
                demand = demands[(region.name, svc.name)]
                try:  # names the event, the Region, the service and max_tasks
                    demand.max_tasks(to_seconds(window.start), to_seconds(window.restore))
                except PlanError as error:
                    result.max_tasks.append(str(error))
                tasks[svc.name] = demand.tasks_at_points()
            grid = demands[(region.name, services[0].name)].grid
            times = grid.start_s + grid.step_s * np.arange(grid.n, dtype=float)
            for peak in footprint_peaks(region, services, tasks, times):
                key = (region.name, peak.quota)
                if peak.need > peak.limit + 1e-9:
                    result.over.setdefault(key, []).append(label)
                if key not in result.worst or peak.need > result.worst[key][0].need:
                    result.worst[key] = (peak, label)
    return result


def check_season(
    events: Sequence[EventForecast],
    services: Sequence[ServiceModel],
    regions: Sequence[RegionModel],
    params: PlanParams | None = None,
    baseline: BaselineForecast | None = None,
) -> None:
    """Raise ``PlanProblems`` if any event of the season needs more than a service's ``max_tasks`` or any per-task
    quota a Region declares (vCPU, load balancer targets, network interfaces, subnet addresses), N-1, its
    re-arrival surge and the deploy surge included, at any instant of its window. One problem per Region and
    quota, at the season's worst event, naming the others."""
    peaks = season_peaks(events, services, regions, params, baseline)
    problems = list(peaks.max_tasks)
    by_name = {r.name: r for r in regions}
    for key, labels in peaks.over.items():
        peak, label = peaks.worst[key]
        others = [e for e in labels if e != label]
        more = ""
        if others:
            listed = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            more = f" (and {len(others)} more event{'s' if len(others) != 1 else ''}: {listed})"
        problems.append(
            describe(
                by_name[key[0]],
                peak,
                f"event {label}{more}: ",
                lambda t_s: from_seconds(t_s).isoformat(),
                "N-1, its re-arrival surge and the deploy surge included",
            )
        )
    PlanProblems.raise_if_any(problems)
