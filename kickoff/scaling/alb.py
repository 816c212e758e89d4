"""ALB LCU reservations per event window, and DynamoDB warm throughput for the season.

Both are sized on the same viewer curves as the tasks (upper band and N-1), so
a region that takes over a failed region's viewers also has the load balancer
and table capacity for them.

LCU dimensions (Elastic Load Balancing pricing, Application Load Balancer): an
LCU is 25 new connections/s, 3,000 active connections/min, 1 GB processed per
hour (EC2, container and IP targets) or 1,000 rule evaluations/s; the largest
dimension decides. Reservations can be raised at any time but lowered only twice
per day per load balancer, so windows that are close share one reservation.

Warm throughput cannot be lowered and applies to every replica of a global
table: writes are replicated to every replica, so they are sized on the global
write rate; reads are served locally, so they are sized on the worst region's
N-1 share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from kickoff.scaling.demand import (
    SECONDS_PER_WEEK,
    WEEK_REFERENCE,
    Grid,
    Source,
    baseline_source,
    region_curves,
    relevant_events,
    to_seconds,
    window_sources,
)
from kickoff.scaling.model import BaselineForecast, EventForecast, PlanParams, ServiceModel
from kickoff.scaling.schedule import AlbReservation, EventWindow, WarmThroughput

LCU_NEW_CONNECTIONS_PER_S = 25.0
LCU_ACTIVE_CONNECTIONS = 3000.0
LCU_GB_PER_HOUR = 1.0
LCU_RULE_EVALUATIONS_PER_S = 1000.0
BYTES_PER_GB = 1e9


def _arrivals(curve: Sequence[float], k: int, dt: float) -> float:
    left = (curve[k] - curve[k - 1]) / dt if k > 0 else 0.0
    right = (curve[k + 1] - curve[k]) / dt if k + 1 < len(curve) else 0.0
    return max(left, right, 0.0)


def _rps(services: Sequence[ServiceModel], viewers: float, arrivals: float, weight: str | None = None) -> float:
    total = 0.0
    for s in services:
        rps = s.rps_per_viewer * viewers + s.requests_per_arrival * arrivals
        if weight == "reads":
            rps *= s.table_reads_per_request
        elif weight == "writes":
            rps *= s.table_writes_per_request
        total += rps
    return total


def lcu_needed(services: Sequence[ServiceModel], viewers: float, arrivals: float, params: PlanParams) -> float:
    """LCUs for ``viewers`` concurrent and ``arrivals`` new viewers/s (the largest LCU dimension)."""
    alb = params.alb
    rps = _rps(services, viewers, arrivals)
    return max(
        arrivals * alb.new_connections_per_arrival / LCU_NEW_CONNECTIONS_PER_S,
        viewers * alb.active_connections_per_viewer / LCU_ACTIVE_CONNECTIONS,
        rps * alb.bytes_per_request * 3600.0 / BYTES_PER_GB / LCU_GB_PER_HOUR,
        rps * alb.billable_rule_evaluations_per_request / LCU_RULE_EVALUATIONS_PER_S,
    )


def _window_sources(window: EventWindow, events: Sequence[EventForecast], baseline: BaselineForecast | None,
                    params: PlanParams) -> tuple[Grid, list[Source]]:
    a, b = to_seconds(window.start), to_seconds(window.restore)
    grid = Grid.covering(a, b, int(params.resolution.total_seconds()))
    return grid, window_sources(relevant_events(events, a, b, params), baseline, grid, params)


def _window_lcu(window: EventWindow, grid: Grid, sources: Sequence[Source], services: Sequence[ServiceModel],
                region: str, regions: Sequence[str], params: PlanParams) -> int:
    curves = region_curves(sources, region, regions, params, params.n_minus_1 and len(regions) > 1)
    a, b = to_seconds(window.start), to_seconds(window.restore)
    best = 0.0
    for c in curves:
        for k in range(1, grid.n - 1):
            if a <= grid.time(k) <= b:
                best = max(best, lcu_needed(services, c[k], _arrivals(c, k, grid.step_s), params))
    return max(params.alb.minimum_lcu, math.ceil(best * (1.0 + params.alb.margin)))


def alb_reservations(windows: Sequence[EventWindow], events: Sequence[EventForecast],
                     baseline: BaselineForecast | None, services: Sequence[ServiceModel],
                     regions: Sequence[str], params: PlanParams) -> list[AlbReservation]:
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
                groups[i:i + 2] = [groups[i] + groups[i + 1]]
                merged = True
                break
        if not merged:
            merged = _merge_for_decrease_limit(groups, alb.max_decreases_per_day)
    spans = {id(w): _window_sources(w, events, baseline, params) for w in windows}
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
            i = min((j for j in indices if j + 1 < len(groups)),
                    key=lambda j: groups[j + 1][0].start - groups[j][-1].restore)
            groups[i:i + 2] = [groups[i] + groups[i + 1]]
            return True
    return False


def warm_throughput(windows: Sequence[EventWindow], events: Sequence[EventForecast],
                    baseline: BaselineForecast | None, services: Sequence[ServiceModel],
                    regions: Sequence[str], params: PlanParams) -> WarmThroughput:
    """Season warm throughput: max reads over regions (N-1) and max global writes, over windows and baseline."""
    spans: list[tuple[Grid, list[Source]]] = [_window_sources(w, events, baseline, params) for w in windows]
    if baseline is not None:
        ref = to_seconds(WEEK_REFERENCE)
        grid = Grid.covering(ref, ref + SECONDS_PER_WEEK, int(params.resolution.total_seconds()))
        spans.append((grid, [baseline_source(baseline, grid)]))
    reads = writes = 0.0
    for grid, sources in spans:
        dt = grid.step_s
        total = [sum(s.values[k] * (1.0 + s.uncertainty) for s in sources) for k in range(grid.n)]
        for k in range(1, grid.n - 1):
            writes = max(writes, _rps(services, total[k], _arrivals(total, k, dt), "writes"))
        for region in regions:
            # Reads are always sized for N-1: warm throughput is one setting for the whole season.
            for c in region_curves(sources, region, regions, params, len(regions) > 1):
                for k in range(1, grid.n - 1):
                    reads = max(reads, _rps(services, c[k], _arrivals(c, k, dt), "reads"))
    return WarmThroughput(max(1, math.ceil(reads)), max(1, math.ceil(writes)))


__all__ = ["alb_reservations", "lcu_needed", "warm_throughput"]
