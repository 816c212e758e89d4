"""ALB LCU reservations per event window.

Sized on the same viewer curves as the tasks (upper band and N-1), so a region that
takes over a failed region's viewers also has the load balancer capacity for them
(``kickoff.scaling.table`` sizes the table the same way).

LCU dimensions (Elastic Load Balancing pricing, Application Load Balancer): an
LCU is 25 new connections/s, 3,000 active connections/min, 1 GB processed per
hour (EC2, container and IP targets) or 1,000 rule evaluations/s; the largest
dimension decides. Reservations can be raised at any time but lowered only twice
per day per load balancer, so windows that are close share one reservation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from kickoff.scaling.demand import Grid, Source, request_rate, to_seconds
from kickoff.scaling.model import BaselineForecast, EventForecast, PlanParams, ServiceModel
from kickoff.scaling.scenarios import scenario_curves, window_grid_sources
from kickoff.scaling.schedule import AlbReservation, EventWindow

LCU_NEW_CONNECTIONS_PER_S = 25.0
LCU_ACTIVE_CONNECTIONS = 3000.0
LCU_GB_PER_HOUR = 1.0
LCU_RULE_EVALUATIONS_PER_S = 1000.0
BYTES_PER_GB = 1e9


def lcu_needed(
    services: Sequence[ServiceModel], viewers: float | np.ndarray, arrivals: float | np.ndarray, params: PlanParams
) -> float | np.ndarray:
    """LCUs for ``viewers`` concurrent and ``arrivals`` new viewers/s (the largest LCU dimension).

    Numbers or numpy arrays (elementwise, the same float operations).
    """
    alb = params.alb
    rps = request_rate(services, viewers, arrivals)
    return np.maximum.reduce(
        [
            arrivals * alb.new_connections_per_arrival / LCU_NEW_CONNECTIONS_PER_S,
            viewers * alb.active_connections_per_viewer / LCU_ACTIVE_CONNECTIONS,
            rps * alb.bytes_per_request * 3600.0 / BYTES_PER_GB / LCU_GB_PER_HOUR,
            rps * alb.billable_rule_evaluations_per_request / LCU_RULE_EVALUATIONS_PER_S,
        ]
    )


def _window_lcu(
    window: EventWindow,
    grid: Grid,
    scenarios: Sequence[Sequence[Source]],
    services: Sequence[ServiceModel],
    region: str,
    regions: Sequence[str],
    params: PlanParams,
) -> int:
    curves = scenario_curves(scenarios, region, regions, params, params.n_minus_1)
    times = grid.start_s + np.arange(grid.n) * grid.step_s
    inside = (times >= to_seconds(window.start)) & (times <= to_seconds(window.restore))
    inside[0] = inside[-1] = False  # the grid's spare ends have one-sided slopes
    best = 0.0
    for curve in curves:
        counted = inside if curve.active is None else inside & curve.active
        if counted.any():
            lcu = lcu_needed(services, curve.viewers, curve.arrivals(grid.step_s), params)
            best = max(best, float(lcu[counted].max()))
    return max(params.alb.minimum_lcu, math.ceil(best * (1.0 + params.alb.margin)))


def alb_reservations(
    windows: Sequence[EventWindow],
    events: Sequence[EventForecast],
    baseline: BaselineForecast | None,
    services: Sequence[ServiceModel],
    regions: Sequence[str],
    params: PlanParams,
) -> list[AlbReservation]:
    """Per-region LCU reservation changes: raise ``alb.lead`` before each window, cancel after it.

    Windows closer than ``alb.merge_gap`` share a reservation, and further
    windows are merged until no UTC day has more than ``alb.max_decreases_per_day``
    decreases.
    """
    alb = params.alb
    groups = [[w] for w in windows]
    merged = True
    while merged:
        merged = False
        for i in range(len(groups) - 1):
            if groups[i + 1][0].start - alb.lead - groups[i][-1].restore < alb.merge_gap:
                groups[i : i + 2] = [groups[i] + groups[i + 1]]
                merged = True
                break
        if not merged:
            merged = _merge_for_decrease_limit(groups, alb.max_decreases_per_day)
    spans = {id(w): window_grid_sources(w.start, w.restore, events, baseline, params) for w in windows}
    out = []
    for region in regions:
        for group in groups:
            units = max(_window_lcu(w, *spans[id(w)], services, region, regions, params) for w in group)
            out.append(AlbReservation(region, group[0].start - alb.lead, units))
            out.append(AlbReservation(region, group[-1].restore, 0))
    return sorted(out, key=lambda r: (r.at, r.region))


def _merge_for_decrease_limit(groups: list[list[EventWindow]], limit: int) -> bool:
    by_day: dict[object, list[int]] = {}
    for i, g in enumerate(groups):
        by_day.setdefault(g[-1].restore.date(), []).append(i)
    for indices in by_day.values():
        if len(indices) > limit:
            # Keep the reservation through the shortest gap of that day.
            i = min(
                (j for j in indices if j + 1 < len(groups)),
                key=lambda j: groups[j + 1][0].start - groups[j][-1].restore,
            )
            groups[i : i + 2] = [groups[i] + groups[i + 1]]
            return True
    return False


__all__ = ["alb_reservations", "lcu_needed"]
