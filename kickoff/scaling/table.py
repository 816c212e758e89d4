"""DynamoDB warm throughput for the season, sized on the same viewer curves as the tasks.

Warm throughput cannot be lowered and applies to every replica of a global table:
writes are replicated to every replica, so they are sized on the global write rate;
reads are served locally, so they are sized on the worst region's N-1 share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kickoff.scaling.demand import (
    SECONDS_PER_WEEK,
    WEEK_REFERENCE,
    Grid,
    LoadCurve,
    Source,
    baseline_source,
    request_rate,
    to_seconds,
)
from kickoff.scaling.model import BaselineForecast, EventForecast, PlanParams, ServiceModel
from kickoff.scaling.scenarios import scenario_curves, window_grid_sources
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


def _peak_rate(services: Sequence[ServiceModel], curve: LoadCurve, dt: float, weight: str) -> float:
    """``request_rate`` (table ``weight``) at every inner point of a load curve (its slopes and surge), its
    maximum."""
    return float(np.max(request_rate(services, curve.viewers[1:-1], curve.arrivals(dt)[1:-1], weight)))


def warm_throughput(
    windows: Sequence[EventWindow],
    events: Sequence[EventForecast],
    baseline: BaselineForecast | None,
    services: Sequence[ServiceModel],
    regions: Sequence[str],
    params: PlanParams,
) -> WarmThroughput:
    """Season warm throughput: max reads over regions (N-1) and max global writes, over windows and baseline."""
    spans: list[tuple[Grid, list[list[Source]]]] = [
        window_grid_sources(w.start, w.restore, events, baseline, params) for w in windows
    ]
    if baseline is not None:
        ref = to_seconds(WEEK_REFERENCE)
        grid = Grid.covering(ref, ref + SECONDS_PER_WEEK, int(params.resolution.total_seconds()))
        spans.append((grid, [[baseline_source(baseline, grid)]]))
    reads = writes = 0.0
    for grid, scenarios in spans:
        if grid.n < 3:
            continue
        for sources in scenarios:
            total = np.zeros(grid.n)
            extra = np.zeros(grid.n)
            for source in sources:
                total += np.asarray(source.values, dtype=float) * (1.0 + source.uncertainty)
                if source.extra_arrivals is not None:
                    extra += np.asarray(source.extra_arrivals, dtype=float) * (1.0 + source.uncertainty)
            writes = max(writes, _peak_rate(services, LoadCurve(total, extra), grid.step_s, "writes"))
        for region in regions:
            # Reads are always sized for N-1, whatever the audience: warm throughput is one setting for the season.
            for curve in scenario_curves(scenarios, region, regions, params, True, min_audience=0.0):
                reads = max(reads, _peak_rate(services, curve, grid.step_s, "reads"))
    return WarmThroughput(max(1, math.ceil(reads)), max(1, math.ceil(writes)))


__all__ = ["WarmThroughput", "warm_throughput"]
