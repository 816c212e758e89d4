"""The schedule semantics: the lowest minimum over a span, read at change points, equals minute sampling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kickoff.scaling.schedule import RecurringStep, ScheduledStep, TargetPlan

BASE = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday
WEEK_MINUTES = 7 * 24 * 60


@st.composite
def target_plans(draw) -> TargetPlan:
    minutes = sorted(draw(st.sets(st.integers(0, WEEK_MINUTES), max_size=12)))
    steps = tuple(ScheduledStep(BASE + timedelta(minutes=m), draw(st.integers(0, 50)), 60) for m in minutes)
    recurring = []
    for _ in range(draw(st.integers(0, 4))):
        start = BASE + timedelta(minutes=draw(st.integers(0, WEEK_MINUTES)))
        recurring.append(
            RecurringStep(
                hour=draw(st.integers(0, 23)),
                minute=draw(st.sampled_from((0, 15, 30, 45))),
                weekdays=tuple(sorted(draw(st.sets(st.integers(0, 6), min_size=1)))),
                min_tasks=draw(st.integers(0, 50)),
                max_tasks=60,
                start=start,
                end=start + timedelta(minutes=draw(st.integers(60, 2 * WEEK_MINUTES))),
            )
        )
    return TargetPlan("us-east-1", "api", steps, tuple(recurring), draw(st.integers(0, 5)), 60, 50, 25.0)


@settings(max_examples=150, deadline=None)
@given(plan=target_plans(), start=st.integers(0, WEEK_MINUTES), length=st.integers(0, 24 * 60))
def test_lowest_minimum_over_a_span_equals_sampling_every_minute(plan, start, length):
    begin = BASE + timedelta(minutes=start)
    sampled = min(plan.min_tasks_at(begin + timedelta(minutes=m)) for m in range(length + 1))
    assert plan.lowest_min_between(begin, begin + timedelta(minutes=length)) == sampled


def test_a_drop_inside_the_span_counts_and_one_after_it_does_not():
    steps = (ScheduledStep(BASE, 20, 60), ScheduledStep(BASE + timedelta(hours=2), 5, 60))
    plan = TargetPlan("us-east-1", "api", steps, (), 1, 60, 20, 10.0)
    assert plan.lowest_min_between(BASE, BASE + timedelta(hours=2)) == 5
    assert plan.lowest_min_between(BASE, BASE + timedelta(hours=2) - timedelta(minutes=1)) == 20
    assert plan.lowest_min_between(BASE - timedelta(minutes=1), BASE) == 1
