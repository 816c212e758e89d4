"""DynamoDB warm throughput for the season, sized on the same viewer curves as the tasks.

Warm throughput cannot be lowered and applies to every replica of a global table:
writes are replicated to every replica, so they are sized on the global write rate;
reads are served locally, so they are sized on the worst region's N-1 share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from kickoff.scaling.demand import (
    SECONDS_PER_WEEK,
    WEEK_REFERENCE,
    Grid,
    Source,
    arrival_rate,
    baseline_source,
    region_curves,
    request_rate,
    to_seconds,
    window_grid_sources,
)
from kickoff.scaling.model import BaselineForecast, EventForecast, PlanParams, ServiceModel
from kickoff.scaling.schedule import EventWindow


@dataclass(frozen=True)
class WarmThroughput:
    """DynamoDB warm throughput for the season, applied to every replica.

    Fields:
        read_units_per_second: reads sized on the worst regional N-1 share.
        write_units_per_second: writes sized on the global total (every replica applies every write).
    """

    read_units_per_second: int
    write_units_per_second: int


def warm_throughput(
    windows: Sequence[EventWindow],
    events: Sequence[EventForecast],
    baseline: BaselineForecast | None,
    services: Sequence[ServiceModel],
    regions: Sequence[str],
    params: PlanParams,
) -> WarmThroughput:
    """Season warm throughput: max reads over regions (N-1) and max global writes, over windows and baseline."""
    spans: list[tuple[Grid, list[Source]]] = [
        window_grid_sources(w.start, w.restore, events, baseline, params) for w in windows
    ]
    if baseline is not None:
        ref = to_seconds(WEEK_REFERENCE)
        grid = Grid.covering(ref, ref + SECONDS_PER_WEEK, int(params.resolution.total_seconds()))
        spans.append((grid, [baseline_source(baseline, grid)]))
    reads = writes = 0.0
    for grid, sources in spans:
        dt = grid.step_s
        total = [sum(s.values[k] * (1.0 + s.uncertainty) for s in sources) for k in range(grid.n)]
        for k in range(1, grid.n - 1):
            writes = max(writes, request_rate(services, total[k], arrival_rate(total, k, dt), "writes"))
        for region in regions:
            # Reads are always sized for N-1: warm throughput is one setting for the whole season.
            for c in region_curves(sources, region, regions, params, len(regions) > 1):
                for k in range(1, grid.n - 1):
                    reads = max(reads, request_rate(services, c[k], arrival_rate(c, k, dt), "reads"))
    return WarmThroughput(max(1, math.ceil(reads)), max(1, math.ceil(writes)))


__all__ = ["WarmThroughput", "warm_throughput"]
