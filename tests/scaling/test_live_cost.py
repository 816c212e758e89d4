"""The live channel's cost arithmetic: MediaLive hours, MediaPackage GB, CloudFront tiers, viewer-hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kickoff.scaling.live import ChannelRun
from kickoff.scaling.live_cost import (
    GB,
    LIVE_US_EAST_1,
    LadderModel,
    Rendition,
    cloudfront_usd,
    gigabytes,
    live_cost,
    region_hour_usd,
    viewer_hours,
)
from kickoff.scaling.model import EventForecast

PROD_LADDER = LadderModel(
    (Rendition(1080, 7800, 0.45), Rendition(720, 4500, 0.30), Rendition(540, 2500, 0.15), Rendition(360, 1000, 0.10)),
    128,
    above_30_fps=True,
    pipelines=2,
    regions=2,
)
T0 = datetime(2026, 12, 10, 23, 15, tzinfo=UTC)


def test_one_megabit_for_an_hour_is_450_million_bytes() -> None:
    assert gigabytes(1000, 1) * GB == pytest.approx(450_000_000)


def test_a_region_hour_is_the_input_and_each_video_output_by_class() -> None:
    assert region_hour_usd(PROD_LADDER) == pytest.approx(0.294 + 2 * 0.702 + 2 * 0.354)


def test_cloudfront_prices_each_gb_in_its_tier() -> None:
    assert cloudfront_usd(5 * 1024) == pytest.approx(5 * 1024 * 0.085)
    assert cloudfront_usd(20 * 1024) == pytest.approx(10 * 1024 * 0.085 + 10 * 1024 * 0.080)
    top = 6 * 1024 * 1024
    assert cloudfront_usd(top) == pytest.approx(
        10 * 1024 * 0.085
        + 40 * 1024 * 0.080
        + 100 * 1024 * 0.060
        + 350 * 1024 * 0.040
        + 524 * 1024 * 0.030
        + (5 * 1024 * 1024 - 1024 * 1024) * 0.025
        + 1024 * 1024 * 0.020
    )
    assert cloudfront_usd(0) == 0


def test_a_run_is_billed_in_whole_minutes_with_ten_at_least_in_every_region() -> None:
    short = ChannelRun(T0, T0 + timedelta(minutes=3, seconds=1), ("e",))
    cost = live_cost(PROD_LADDER, [short], [])
    assert cost.channel_hours == pytest.approx(2 * 10 / 60)
    assert cost.medialive_usd == pytest.approx(2 * 10 / 60 * region_hour_usd(PROD_LADDER))
    assert cost.viewer_hours == 0 and cost.cloudfront_usd == 0


def test_ingest_counts_both_pipelines_of_both_regions_and_origination_each_regional_cache() -> None:
    hour = ChannelRun(T0, T0 + timedelta(hours=1), ("e",))
    cost = live_cost(PROD_LADDER, [hour], [])
    one = gigabytes(PROD_LADDER.ingest_kbps, 1)
    assert cost.ingest_gb == pytest.approx(4 * one)
    assert cost.origination_gb == pytest.approx(13 * one)
    assert cost.mediapackage_usd == pytest.approx(4 * one * 0.03 + 13 * one * 0.05)


def test_a_ladder_above_30_fps_or_with_audio_is_a_lower_bound() -> None:
    assert live_cost(PROD_LADDER, [], []).lower_bound
    plain = LadderModel((Rendition(720, 3000, 1.0),), 0, above_30_fps=False, pipelines=2, regions=2)
    assert not live_cost(plain, [], []).lower_bound


def test_viewer_hours_follow_the_planners_audience_curve() -> None:
    event = EventForecast("e", T0, timedelta(minutes=190), timedelta(minutes=30), 1_000_000, 0.2, {"us-east-1": 1.0})
    hours = viewer_hours(event)
    # below the peak held over the whole support (90 min before to 90 min after 190 min), above the game at 60%
    assert 0.6 * 1_000_000 * 190 / 60 < hours < 1_000_000 * (90 + 190 + 90) / 60
    assert LIVE_US_EAST_1.cloudfront_tiers[-1][1] == 0.020
