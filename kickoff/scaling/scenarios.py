"""What a planning window is sized against: the events it meets, the audiences of every sampled kickoff, and the
target demands they make."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from datetime import datetime

from kickoff.scaling.demand import (
    Grid,
    LoadCurve,
    Source,
    TargetDemand,
    baseline_envelope,
    baseline_source,
    event_source,
    region_curves,
    to_seconds,
)
from kickoff.scaling.model import (
    BaselineForecast,
    EventForecast,
    PlanError,
    PlanParams,
    ServiceModel,
)


def relevant_events(
    events: Iterable[EventForecast], start_s: float, end_s: float, params: PlanParams
) -> list[EventForecast]:
    """Events whose audience, at any kickoff of their flex window, overlaps [start_s, end_s]."""
    chosen = []
    for e in events:
        lo, hi = params.audience.support((e.duration + e.overtime).total_seconds() / 60.0)
        if to_seconds(e.last_kickoff) + hi * 60.0 >= start_s and to_seconds(e.first_kickoff) + lo * 60.0 <= end_s:
            chosen.append(e)
    return chosen


def window_scenarios(
    events: Sequence[EventForecast], baseline: BaselineForecast | None, grid: Grid, params: PlanParams
) -> list[list[Source]]:
    """The audiences on ``grid`` for every combination of the events' sampled kickoffs; the scheduled one first.

    Each flexing event is sampled every ``params.step`` across its flex window
    (``EventForecast.kickoffs``). A step covers at least ``step + lead_time``, and two
    neighbouring samples, ``step`` apart, together cover that interval's event load for
    every kickoff between them, because a shifted kickoff's event curve is the same curve
    shifted. The baseline does not shift with it, so when any event flexes the baseline is
    replaced by ``baseline_envelope``, which bounds it from every kickoff up to ``step``
    away (a property test checks the plan against a plan for the real kickoff, with a
    baseline). ``PlanError`` if the combinations exceed ``params.max_flex_scenarios``.
    """
    options = [e.kickoffs(params.step) for e in events]
    count = math.prod(len(o) for o in options)
    if count > params.max_flex_scenarios:
        detail = ", ".join(f"{e.event_id} {len(o)}" for e, o in zip(events, options) if len(o) > 1)
        raise PlanError(
            f"events {'+'.join(e.event_id for e in events)}: their flex windows give {count} kickoff combinations "
            f"({detail} kickoffs, every {params.step}), over the {params.max_flex_scenarios} one window is planned "
            "over. Fix: narrow the earliest_kickoff..latest_kickoff windows, or split the events apart."
        )
    flexing = any(len(o) > 1 for o in options)
    base: list[Source] = []
    if baseline is not None:
        spacing = int(params.step.total_seconds())
        base = [baseline_envelope(baseline, grid, spacing) if flexing else baseline_source(baseline, grid)]
    cache: dict[tuple[str, datetime], Source] = {}

    def source(event: EventForecast, kickoff: datetime) -> Source:
        key = (event.event_id, kickoff)
        if key not in cache:
            cache[key] = event_source(event, grid, params, kickoff=kickoff)
        return cache[key]

    scheduled = tuple(e.kickoff for e in events)
    combos = [scheduled] + [c for c in itertools.product(*options) if c != scheduled]
    return [[source(e, k) for e, k in zip(events, combo)] + base for combo in combos]


def scenario_curves(
    scenarios: Sequence[Sequence[Source]],
    region: str,
    regions: Sequence[str],
    params: PlanParams,
    n_minus_1: bool,
    min_audience: float | None = None,
) -> list[LoadCurve]:
    """``region_curves`` of every scenario, concatenated (the scheduled kickoffs' curves first)."""
    return [
        curve
        for sources in scenarios
        for curve in region_curves(sources, region, regions, params, n_minus_1 and len(regions) > 1, min_audience)
    ]


def region_demands(
    services: Sequence[ServiceModel],
    regions: Sequence[str],
    scenarios: Sequence[Sequence[Source]],
    grid: Grid,
    params: PlanParams,
    n_minus_1: bool,
    label: str,
) -> dict[tuple[str, str], TargetDemand]:
    """``TargetDemand`` of every (region, service) over ``grid``; each region's curves are built once."""
    out = {}
    for region in regions:
        frozen = tuple(scenario_curves(scenarios, region, regions, params, n_minus_1))
        for service in services:
            out[(region, service.name)] = TargetDemand(
                region, service, grid, frozen, label, params.n_minus_1_utilization
            )
    return out


def window_grid_sources(
    start: datetime,
    restore: datetime,
    events: Sequence[EventForecast],
    baseline: BaselineForecast | None,
    params: PlanParams,
) -> tuple[Grid, list[Source]]:
    """The grid over an event window (``start`` to ``restore``) and the audience scenarios that overlap it."""
    a, b = to_seconds(start), to_seconds(restore)
    grid = Grid.covering(a, b, int(params.resolution.total_seconds()))
    return grid, window_scenarios(relevant_events(events, a, b, params), baseline, grid, params)
