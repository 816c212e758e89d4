"""What a live channel costs per event: MediaLive channel hours, MediaPackage ingest and origination, CloudFront
delivery to the viewers at the ladder's bitrate mix (pure; prices as in ``kickoff/reports/prices.yaml``).

- **MediaLive** bills a running STANDARD channel per input and per output (each rendition, and the audio) per hour,
  rounded up to the minute with ten minutes at least per run, in every ingest Region. Outputs are priced by class:
  SD below 720 lines, HD to 1080 lines. The rates found are for AVC up to 10 Mbps and 30 fps; outputs above them
  (59.94 fps, UHD) and audio-only outputs cost more or were not found, so such a line is a lower bound and says so.
- **MediaPackage** bills every GB ingested (both pipelines of every Region) and every GB it originates to CloudFront.
  Origination is estimated as one copy of every rendition per CloudFront regional edge cache that asks for it
  (``ORIGIN_FETCH_COPIES``); the other Region's HEAD requests (media-quality-based selection) carry no body.
- **CloudFront** bills data transfer out by the GB, tiered by the month's volume (North America); an event's volume is
  priced as if it were the month's first, an upper bound for a month with several events.

GB here are 2^30 bytes, as AWS bills data transfer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kickoff.scaling.audience import AudienceShape, event_fraction
from kickoff.scaling.live import ChannelRun, billed_hours
from kickoff.scaling.model import EventForecast

GB = 2**30
ORIGIN_FETCH_COPIES = 13
"""Copies of each rendition MediaPackage originates per hour: one per CloudFront regional edge cache (an estimate;
the real count depends on where viewers are and on Origin Shield, which Kickoff does not enable)."""


@dataclass(frozen=True)
class LivePrices:
    """us-east-1 list prices (USD) of the live path; the same figures as ``kickoff/reports/prices.yaml``."""

    input_hd_hour: float = 0.294
    output_sd_hour: float = 0.354
    output_hd_hour: float = 0.702
    ingest_gb: float = 0.03
    origination_gb: float = 0.05
    # CloudFront data transfer out, US/Mexico/Canada: (GB up to which the tier applies, USD per GB).
    cloudfront_tiers: tuple[tuple[float, float], ...] = (
        (10 * 1024, 0.085),
        (50 * 1024, 0.080),
        (150 * 1024, 0.060),
        (500 * 1024, 0.040),
        (1024 * 1024, 0.030),
        (5 * 1024 * 1024, 0.025),
        (float("inf"), 0.020),
    )


LIVE_US_EAST_1 = LivePrices()


@dataclass(frozen=True)
class Rendition:
    """One video rendition as priced: its lines, its bitrate and its share of viewer-hours."""

    height: int
    bitrate_kbps: int
    viewer_share: float


@dataclass(frozen=True)
class LadderModel:
    """What a channel's cost depends on (from ``live.channels[]``)."""

    renditions: tuple[Rendition, ...]
    audio_kbps: int
    above_30_fps: bool
    pipelines: int
    regions: int

    @property
    def ingest_kbps(self) -> int:
        """What one pipeline writes to MediaPackage: every rendition and the audio."""
        return sum(r.bitrate_kbps for r in self.renditions) + self.audio_kbps

    @property
    def lower_bound(self) -> bool:
        """MediaLive's price omits what has no published rate here: outputs above 30 fps, UHD, audio-only outputs."""
        return self.above_30_fps or self.audio_kbps > 0 or any(r.height > 1080 for r in self.renditions)

    @property
    def viewer_kbps(self) -> float:
        """What one viewer receives on average: the renditions weighted by their viewer share, and the audio."""
        return sum(r.viewer_share * r.bitrate_kbps for r in self.renditions) + self.audio_kbps


@dataclass(frozen=True)
class LiveCost:
    """One channel's cost over some runs (and the viewer-hours of the events they serve)."""

    channel_hours: float
    medialive_usd: float
    ingest_gb: float
    origination_gb: float
    mediapackage_usd: float
    viewer_hours: float
    delivery_gb: float
    cloudfront_usd: float
    lower_bound: bool
    """MediaLive's line omits what has no published rate here (audio outputs, above 30 fps, UHD)."""

    @property
    def total_usd(self) -> float:
        return self.medialive_usd + self.mediapackage_usd + self.cloudfront_usd


def gigabytes(kbps: float, hours: float) -> float:
    return kbps * 1000 / 8 * 3600 * hours / GB


def region_hour_usd(ladder: LadderModel, prices: LivePrices = LIVE_US_EAST_1) -> float:
    """MediaLive USD for one Region's channel running one hour: the input and every video output."""
    outputs = sum(prices.output_hd_hour if r.height >= 720 else prices.output_sd_hour for r in ladder.renditions)
    return prices.input_hd_hour + outputs


def cloudfront_usd(delivery_gb: float, prices: LivePrices = LIVE_US_EAST_1) -> float:
    """Data transfer out for ``delivery_gb`` through the tiers, from the first."""
    usd, floor = 0.0, 0.0
    for ceiling, rate in prices.cloudfront_tiers:
        if delivery_gb <= floor:
            break
        usd += (min(delivery_gb, ceiling) - floor) * rate
        floor = ceiling
    return usd


PLANNED_AUDIENCE = AudienceShape()


def viewer_hours(event: EventForecast, shape: AudienceShape = PLANNED_AUDIENCE) -> float:
    """The event's viewer-hours by the planner's audience curve (its peak times the area under the curve)."""
    duration = event.duration.total_seconds() / 60
    start, stop = shape.support(duration)
    minutes = range(int(start), int(stop) + 1)
    return event.peak_viewers * sum(event_fraction(shape, m, duration) for m in minutes) / 60


def live_cost(
    ladder: LadderModel,
    runs: Sequence[ChannelRun],
    events: Sequence[EventForecast],
    prices: LivePrices = LIVE_US_EAST_1,
) -> LiveCost:
    """What ``runs`` of a channel cost in every ingest Region, and what delivering ``events`` to viewers costs."""
    billed = billed_hours(runs)
    running = sum((r.stop - r.start).total_seconds() for r in runs) / 3600
    medialive = billed * ladder.regions * region_hour_usd(ladder, prices)
    ingest = gigabytes(ladder.ingest_kbps, running) * ladder.pipelines * ladder.regions
    origination = gigabytes(ladder.ingest_kbps, running) * ORIGIN_FETCH_COPIES
    audience = sum(viewer_hours(e) for e in events)
    delivery = gigabytes(ladder.viewer_kbps, audience)
    return LiveCost(
        channel_hours=billed * ladder.regions,
        medialive_usd=medialive,
        ingest_gb=ingest,
        origination_gb=origination,
        mediapackage_usd=ingest * prices.ingest_gb + origination * prices.origination_gb,
        viewer_hours=audience,
        delivery_gb=delivery,
        cloudfront_usd=cloudfront_usd(delivery, prices),
        lower_bound=ladder.lower_bound,
    )
