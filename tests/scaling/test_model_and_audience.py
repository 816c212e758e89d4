"""Input validation, the audience shape's anchors, and schedule semantics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kickoff.scaling import (
    AudienceShape,
    BaselineForecast,
    PlanParams,
    RecurringStep,
    ScheduledStep,
    ServiceModel,
    TargetPlan,
    diurnal_profile,
    event_fraction,
)
from kickoff.scaling.audience import baseline_level
from kickoff.scaling.demand import to_seconds

OPENER_PEAK = 18_090_000
OPENER_AVERAGE = 14_960_000


def test_kickoff_is_normalised_to_utc(make_event):
    local = datetime(2024, 9, 12, 20, 15, tzinfo=ZoneInfo("America/New_York"))
    event = make_event(kickoff=local)
    assert event.kickoff == datetime(2024, 9, 13, 0, 15, tzinfo=UTC)
    assert event.kickoff.tzinfo == UTC
    assert event.latest_end == event.kickoff + timedelta(minutes=220)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"kickoff": datetime(2024, 9, 13, 0, 15)}, "timezone-aware"),
        ({"region_share": {"us-east-1": 0.5, "us-east-2": 0.4}}, "sum to 0.9"),
        ({"region_share": {"us-east-1": 1.2, "us-east-2": -0.2}}, r"within \[0, 1\]"),
        ({"uncertainty": 1.0}, "uncertainty"),
        ({"duration": timedelta(0)}, "duration"),
        ({"overtime": timedelta(minutes=-1)}, "overtime"),
    ],
)
def test_invalid_forecasts_are_rejected(make_event, overrides, message):
    with pytest.raises(ValueError, match=message):
        make_event(**overrides)


def test_invalid_service_and_params_are_rejected():
    with pytest.raises(ValueError, match="min_tasks <= max_tasks"):
        ServiceModel("x", 1024, 2048, 5, 4, 100, 0.5, 0.1, 1.0)
    with pytest.raises(ValueError, match="target_utilization"):
        ServiceModel("x", 1024, 2048, 1, 4, 100, 0.0, 0.1, 1.0)
    with pytest.raises(ValueError, match="multiple of resolution"):
        PlanParams(step=timedelta(seconds=90))
    with pytest.raises(ValueError, match="divide a day"):
        PlanParams(baseline_step=timedelta(minutes=7))


def test_baseline_needs_24_or_168_hours(shares):
    start = datetime(2024, 9, 9, tzinfo=UTC)
    with pytest.raises(ValueError, match="24 or 168"):
        BaselineForecast((1.0,) * 23, shares, start, start + timedelta(days=7))


def _curve(shape: AudienceShape, duration: float, step: float = 0.25) -> list[tuple[float, float]]:
    lo, hi = shape.support(duration)
    n = int((hi - lo) / step)
    return [(lo + i * step, event_fraction(shape, lo + i * step, duration)) for i in range(n + 1)]


def test_default_shape_reproduces_the_2024_opener_anchors():
    shape = AudienceShape()
    curve = _curve(shape, 190.0)
    t_peak, peak = max(curve, key=lambda p: p[1])
    assert peak == pytest.approx(1.0, abs=1e-3)
    assert 60.0 <= t_peak <= 75.0
    game = [v for t, v in curve if 0.0 <= t < 190.0]
    assert sum(game) / len(game) == pytest.approx(OPENER_AVERAGE / OPENER_PEAK, abs=0.02)
    fastest = max((b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(curve, curve[1:]))
    assert fastest * OPENER_PEAK == pytest.approx(1_000_000, rel=0.05)
    assert event_fraction(shape, -20.0, 190.0) == pytest.approx(shape.pregame_level, abs=0.01)


def test_event_audience_starts_at_zero_and_ends_after_the_post_window():
    shape = AudienceShape()
    lo, hi = shape.support(190.0)
    assert event_fraction(shape, lo, 190.0) == pytest.approx(0.0, abs=1e-12)
    assert event_fraction(shape, lo - 1.0, 190.0) == 0.0
    assert event_fraction(shape, hi + 1.0, 190.0) == 0.0
    assert event_fraction(shape, 200.0, 190.0) < 0.2


def test_diurnal_profile_and_baseline_interpolation():
    hourly = diurnal_profile(2.0e6, 0.6, peak_hour_utc=1.0)
    assert sum(hourly) / 24 == pytest.approx(2.0e6)
    assert max(hourly) == pytest.approx(hourly[0]) or max(hourly) == pytest.approx(hourly[1])
    assert baseline_level(hourly, 5.5) == pytest.approx(hourly[5])
    assert baseline_level(hourly, 6.0) == pytest.approx((hourly[5] + hourly[6]) / 2)
    assert baseline_level(hourly, 5.5 + 24 * 9) == pytest.approx(hourly[5])


def test_recurring_step_expression_and_firings():
    start = datetime(2024, 9, 9, tzinfo=UTC)  # a Monday
    step = RecurringStep(21, 30, (0, 2), 10, 50, start, start + timedelta(days=14))
    assert step.expression == "cron(30 21 ? * MON,WED *)"
    monday = to_seconds(start)
    assert step.next_after(monday) == monday + 21.5 * 3600
    assert step.next_after(monday + 21.5 * 3600) == monday + 2 * 86400 + 21.5 * 3600
    assert step.last_at_or_before(monday + 86400) == monday + 21.5 * 3600
    assert step.last_at_or_before(monday) is None
    assert step.next_after(monday + 13 * 86400) is None
    every_day = RecurringStep(0, 0, tuple(range(7)), 1, 2, start, start + timedelta(days=1))
    assert every_day.expression == "cron(0 0 ? * * *)"


def test_min_capacity_follows_the_latest_action_and_one_time_wins_ties():
    start = datetime(2024, 9, 9, tzinfo=UTC)
    cron = RecurringStep(12, 0, tuple(range(7)), 7, 50, start, start + timedelta(days=7))
    at_noon = start + timedelta(hours=12)
    target = TargetPlan(
        "r",
        "s",
        (ScheduledStep(at_noon, 20, 50), ScheduledStep(at_noon + timedelta(hours=1), 9, 50)),
        (cron,),
        default_min=2,
        default_max=50,
        peak_tasks=20,
        peak_vcpu=20.0,
    )
    assert target.min_tasks_at(start) == 2
    assert target.min_tasks_at(at_noon) == 20
    assert target.min_tasks_at(at_noon + timedelta(hours=2)) == 9
    assert target.min_tasks_at(at_noon + timedelta(days=1)) == 7
    assert target.action_count == 3
    assert ScheduledStep(at_noon, 1, 2).expression == "at(2024-09-09T12:00:00)"
