"""The live channels against the calendar: when each runs, and what its runs and events cost (pure, no CDK).

The config's ``live`` section and calendar in, ``kickoff.scaling.live`` and ``kickoff.scaling.live_cost`` out: the
same channel runs the capacity agent starts and stops at run time, priced for ``kickoff plan`` and the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kickoff.config.models import KickoffConfig, LiveChannelConfig
from kickoff.planning import event_forecast
from kickoff.scaling.live import ChannelRun, ChannelSchedule, channel_runs
from kickoff.scaling.live_cost import (
    LIVE_US_EAST_1,
    LadderModel,
    LiveCost,
    LivePrices,
    Rendition,
    gigabytes,
    live_cost,
)
from kickoff.scaling.model import EventForecast


def channel_schedule(channel: LiveChannelConfig) -> ChannelSchedule:
    """The events ``channel`` serves and how long before and after them it runs."""
    return ChannelSchedule(
        channel.events, timedelta(minutes=channel.start_lead_minutes), timedelta(minutes=channel.stop_delay_minutes)
    )


def ladder_model(channel: LiveChannelConfig) -> LadderModel:
    """What ``channel``'s cost depends on."""
    return LadderModel(
        tuple(Rendition(r.height, r.bitrate_kbps, r.viewer_share) for r in channel.ladder),
        channel.audio_bitrate_kbps,
        float(channel.frame_rate) > 30,
        channel.pipelines,
        len(channel.ingest_regions),
    )


@dataclass(frozen=True)
class ChannelPlan:
    """One channel over a span: its runs, the events they serve, and their cost."""

    channel: str
    runs: tuple[ChannelRun, ...]
    events: tuple[EventForecast, ...]
    cost: LiveCost


def calendar_forecasts(config: KickoffConfig) -> tuple[EventForecast, ...]:
    """The calendar's events as the planner sees them (every cell Region shares)."""
    if config.calendar is None:
        return ()
    return tuple(event_forecast(config, e, config.region_names) for e in config.calendar.events)


def channel_plans(
    config: KickoffConfig, start: datetime | None = None, end: datetime | None = None
) -> list[ChannelPlan]:
    """Every live channel's runs that start in [start, end) (default: the whole calendar) and their cost."""
    if config.live is None:
        return []
    events = calendar_forecasts(config)
    out = []
    for channel in config.live.channels:
        schedule = channel_schedule(channel)
        runs = tuple(
            r
            for r in channel_runs(schedule, events)
            if (start is None or r.stop > start) and (end is None or r.start < end)
        )
        served = tuple(e for e in events if any(e.event_id in r.events for r in runs))
        ladder = ladder_model(channel)
        out.append(ChannelPlan(channel.name, runs, served, live_cost(ladder, runs, served)))
    return out


@dataclass(frozen=True)
class HourCost:
    """One channel's cost for each hour it runs, and for each viewer-hour delivered (list prices, us-east-1)."""

    channel: str
    regions: int
    medialive_usd: float
    ingest_gb: float
    origination_gb: float
    mediapackage_usd: float
    gb_per_viewer_hour: float
    cloudfront_first_tier_usd: float
    cloudfront_last_tier_usd: float
    lower_bound: bool


def hour_costs(config: KickoffConfig, prices: LivePrices = LIVE_US_EAST_1) -> list[HourCost]:
    """Per channel: one running hour in every ingest Region (priced by ``live_cost``, as a run of an hour), and one
    viewer-hour at the ladder's bitrate mix."""
    start = datetime(2026, 1, 1, tzinfo=UTC)  # any hour: a run's cost does not depend on when it runs
    hour = ChannelRun(start, start + timedelta(hours=1), ())
    out = []
    for channel in config.live.channels if config.live is not None else ():
        ladder = ladder_model(channel)
        cost = live_cost(ladder, [hour], [], prices)
        per_viewer = gigabytes(ladder.viewer_kbps, 1)
        out.append(
            HourCost(
                channel.name,
                ladder.regions,
                cost.medialive_usd,
                cost.ingest_gb,
                cost.origination_gb,
                cost.mediapackage_usd,
                per_viewer,
                per_viewer * prices.cloudfront_tiers[0][1],
                per_viewer * prices.cloudfront_tiers[-1][1],
                cost.lower_bound,
            )
        )
    return out
