"""Fixtures for the pre-scaling tests: small service/region sets and hypothesis strategies.

Strategies are handed out by session-scoped fixtures; property tests draw from
them with ``st.data()``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import strategies as st

from kickoff.scaling import EventForecast, RegionModel, ServiceModel

REGION_NAMES = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1")
ZONES = (UTC, ZoneInfo("America/New_York"), ZoneInfo("Europe/London"), ZoneInfo("Asia/Kolkata"))
UNLIMITED_QUOTA = 1e12


@pytest.fixture(scope="session")
def services() -> tuple[ServiceModel, ...]:
    """An arrival-heavy API and a viewer-heavy playback service, with room to scale."""
    return (
        ServiceModel(
            "api",
            cpu_units=1024,
            memory_mib=2048,
            min_tasks=2,
            max_tasks=1_000_000,
            rps_per_task=500,
            target_utilization=0.6,
            rps_per_viewer=0.004,
            requests_per_arrival=4.0,
            table_reads_per_request=1.0,
            table_writes_per_request=0.05,
        ),
        ServiceModel(
            "playback",
            cpu_units=2048,
            memory_mib=4096,
            min_tasks=3,
            max_tasks=1_000_000,
            rps_per_task=800,
            target_utilization=0.6,
            rps_per_viewer=1 / 30,
            requests_per_arrival=2.0,
            table_reads_per_request=0.2,
            table_writes_per_request=0.5,
        ),
    )


@pytest.fixture(scope="session")
def regions() -> tuple[RegionModel, ...]:
    """Three regions with an effectively unlimited vCPU quota."""
    return tuple(RegionModel(n, UNLIMITED_QUOTA) for n in REGION_NAMES[:3])


@pytest.fixture(scope="session")
def shares() -> dict[str, float]:
    """East-heavy shares over the three ``regions``."""
    return {"us-east-1": 0.4, "us-east-2": 0.3, "us-west-2": 0.3}


@pytest.fixture(scope="session")
def make_event(shares: dict[str, float]) -> Callable[..., EventForecast]:
    """Build a TNF-like event; keyword arguments override the defaults."""

    def make(**overrides: object) -> EventForecast:
        fields: dict[str, object] = {
            "event_id": "tnf",
            "kickoff": datetime(2024, 9, 13, 0, 15, tzinfo=UTC),
            "duration": timedelta(minutes=190),
            "overtime": timedelta(minutes=30),
            "peak_viewers": 18_090_000,
            "uncertainty": 0.2,
            "region_share": shares,
        }
        fields.update(overrides)
        return EventForecast(**fields)  # type: ignore[arg-type]

    return make


@st.composite
def _shares(draw: st.DrawFn) -> dict[str, float]:
    n = draw(st.integers(min_value=2, max_value=3))
    weights = draw(st.lists(st.integers(min_value=0, max_value=100), min_size=n, max_size=n))
    # At least two regions carry viewers, so every region's failure can be absorbed.
    if sum(1 for w in weights if w > 0) < 2:
        weights = [w + 1 for w in weights]
    total = sum(weights)
    out = {REGION_NAMES[i]: w / total for i, w in enumerate(weights)}
    out[REGION_NAMES[0]] += 1.0 - sum(out.values())
    return out


@st.composite
def _forecast(draw: st.DrawFn, event_id: str = "e0", shares: dict[str, float] | None = None) -> EventForecast:
    kickoff = draw(
        st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.sampled_from(ZONES))
    )
    return EventForecast(
        event_id=event_id,
        kickoff=kickoff,
        duration=timedelta(minutes=draw(st.integers(min_value=30, max_value=300))),
        overtime=timedelta(seconds=draw(st.integers(min_value=0, max_value=3600))),
        peak_viewers=draw(st.integers(min_value=0, max_value=30_000_000)),
        uncertainty=draw(st.floats(min_value=0.0, max_value=0.5)),
        region_share=shares if shares is not None else draw(_shares()),
    )


@st.composite
def _calendar(draw: st.DrawFn) -> list[EventForecast]:
    """One to three events sharing region shares, sometimes overlapping (doubleheaders)."""
    shares = draw(_shares())
    first = draw(_forecast("e0", shares))
    events = [first]
    for i in range(1, draw(st.integers(min_value=1, max_value=3))):
        gap = timedelta(minutes=draw(st.integers(min_value=0, max_value=600)))
        nxt = draw(_forecast(f"e{i}", shares))
        events.append(
            EventForecast(
                nxt.event_id, first.kickoff + gap, nxt.duration, nxt.overtime, nxt.peak_viewers, nxt.uncertainty, shares
            )
        )
    return events


@pytest.fixture(scope="session")
def forecast_strategy() -> st.SearchStrategy[EventForecast]:
    """Any valid single forecast: random time zone, shares over 2-3 regions, 0-30M peak."""
    return _forecast()


@pytest.fixture(scope="session")
def calendar_strategy() -> st.SearchStrategy[list[EventForecast]]:
    """One to three events with common shares, possibly overlapping."""
    return _calendar()


@pytest.fixture(scope="session")
def regions_for() -> Callable[[dict[str, float]], tuple[RegionModel, ...]]:
    """Regions named in a share mapping, with an unlimited vCPU quota."""

    def make(share_map: dict[str, float]) -> tuple[RegionModel, ...]:
        return tuple(RegionModel(n, UNLIMITED_QUOTA) for n in share_map)

    return make
