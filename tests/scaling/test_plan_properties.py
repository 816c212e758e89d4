"""Property tests of the planner: coverage, hold-through-overtime, quota, time zones, N-1."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kickoff.scaling import EventForecast, PlanError, PlanParams, build_plan, plan_table, window_demand
from kickoff.scaling.audience import event_fraction
from kickoff.scaling.demand import to_seconds

PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
PROBE_STEP_S = 60


def _probe_times(start_s: float, end_s: float, offset_s: float) -> list[float]:
    n = int((end_s - start_s) // PROBE_STEP_S)
    return [start_s + offset_s + i * PROBE_STEP_S for i in range(n) if start_s + offset_s + i * PROBE_STEP_S < end_s]


@PROPERTY_SETTINGS
@given(data=st.data())
def test_planned_capacity_covers_required_capacity_throughout_the_event(data, calendar_strategy, services, regions_for):
    events = data.draw(calendar_strategy)
    params = PlanParams()
    plan = build_plan(events, services, regions_for(events[0].region_share), params)
    lead = params.lead_time.total_seconds()
    offset = data.draw(st.floats(min_value=0.0, max_value=PROBE_STEP_S - 1e-3))
    for window in plan.windows:
        first_load = min(
            to_seconds(e.kickoff) - params.audience.pregame_start * 60 for e in events if e.event_id in window.event_ids
        )
        end = max(to_seconds(e.latest_end) for e in events if e.event_id in window.event_ids)
        for target in plan.targets:
            demand = window_demand(plan, window, target.region, target.service)
            for t in _probe_times(first_load, end, offset) + [end]:
                required = demand.tasks_at(t)
                assert target.min_tasks_at(t) >= required, (target.region, target.service, t)
                # Scheduled at least lead_time earlier, so the tasks are running when the load arrives.
                assert target.min_tasks_at(t - lead) >= required, (target.region, target.service, t)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_step_down_never_before_end_plus_overtime(data, calendar_strategy, services, regions_for):
    events = data.draw(calendar_strategy)
    plan = build_plan(events, services, regions_for(events[0].region_share))
    for window in plan.windows:
        latest = max(e.latest_end for e in events if e.event_id in window.event_ids)
        assert window.restore >= latest
        for target in plan.targets:
            restore = [s for s in target.steps if s.at == window.restore]
            assert len(restore) == 1
            elevated = [s for s in target.steps if window.start <= s.at < window.restore]
            # Every step inside the window is still sized for the event, never the baseline restore.
            assert all(s.min_tasks >= restore[0].min_tasks for s in elevated)
            assert all(target.min_tasks_at(s.at) == s.min_tasks for s in elevated)


@settings(PROPERTY_SETTINGS, max_examples=20)
@given(data=st.data())
def test_actions_per_target_within_quota_or_plan_error(data, forecast_strategy, services, regions_for):
    base = data.draw(forecast_strategy)
    count = data.draw(st.integers(min_value=1, max_value=30))
    spacing = timedelta(hours=data.draw(st.integers(min_value=6, max_value=48)))
    events = [
        EventForecast(
            f"g{i}",
            base.kickoff + i * spacing,
            base.duration,
            base.overtime,
            base.peak_viewers,
            base.uncertainty,
            base.region_share,
        )
        for i in range(count)
    ]
    quota = data.draw(st.integers(min_value=2, max_value=200))
    try:
        plan = build_plan(events, services, regions_for(base.region_share), PlanParams(max_actions_per_target=quota))
    except PlanError as error:
        assert "action" in str(error) and "region" in str(error)
        return
    for target in plan.targets:
        assert target.action_count <= quota


@PROPERTY_SETTINGS
@given(data=st.data(), zone=st.sampled_from([ZoneInfo("America/New_York"), ZoneInfo("Europe/London")]))
def test_time_zones_plan_the_same_utc_actions(data, forecast_strategy, services, regions_for, zone):
    event = data.draw(forecast_strategy)
    local = replace(event, kickoff=event.kickoff.astimezone(zone))
    utc = replace(event, kickoff=event.kickoff.astimezone(UTC))
    regions = regions_for(event.region_share)
    from_local = build_plan([local], services, regions)
    from_utc = build_plan([utc], services, regions)
    assert plan_table(from_local) == plan_table(from_utc)
    assert from_local.targets == from_utc.targets
    assert all(s.at.tzinfo == UTC for t in from_local.targets for s in t.steps)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_survivors_carry_the_whole_load_when_any_region_fails(data, calendar_strategy, services, regions_for):
    events = data.draw(calendar_strategy)
    params = PlanParams()
    regions = regions_for(events[0].region_share)
    plan = build_plan(events, services, regions, params)
    dt = params.resolution.total_seconds()
    for window in plan.windows:
        mine = [e for e in events if e.event_id in window.event_ids]
        start = math.ceil(min(to_seconds(e.kickoff) - params.audience.pregame_start * 60 for e in mine) / dt) * dt
        end = max(to_seconds(e.latest_end) for e in mine)

        def viewers(t: float, mine: list = mine) -> float:
            # Expected (not banded) audience, with the planner's latest-end assumption.
            return sum(
                e.peak_viewers
                * event_fraction(
                    params.audience,
                    (t - to_seconds(e.kickoff)) / 60.0,
                    (e.duration + e.overtime).total_seconds() / 60.0,
                )
                for e in mine
            )

        t = start
        while t <= end:
            v = viewers(t)
            arrivals = max((v - viewers(t - dt)) / dt, (viewers(t + dt) - v) / dt, 0.0)
            for svc in services:
                load = svc.rps_per_viewer * v + svc.requests_per_arrival * arrivals
                for failed in regions:
                    survivors = sum(
                        plan.target(r.name, svc.name).min_tasks_at(t) for r in regions if r.name != failed.name
                    )
                    assert survivors * svc.rps_per_task_at_target >= load * (1 - 1e-9), (svc.name, failed.name, t)
            t += dt * 7


def test_every_action_is_a_whole_second_in_utc(make_event, services, regions):
    plan = build_plan([make_event()], services, regions)
    for target in plan.targets:
        for step in target.steps:
            assert step.at.tzinfo == UTC
            assert step.at.microsecond == 0


@pytest.mark.parametrize("combination", ["max", "product"])
def test_band_combination_product_is_never_below_max(make_event, services, regions, combination):
    from kickoff.scaling import BandCombination

    event = make_event()
    chosen = build_plan([event], services, regions, PlanParams(band_combination=BandCombination(combination)))
    reference = build_plan([event], services, regions, PlanParams(band_combination=BandCombination.MAX))
    for a, b in zip(chosen.targets, reference.targets):
        assert a.peak_tasks >= b.peak_tasks


@settings(PROPERTY_SETTINGS, max_examples=8)
@given(data=st.data())
def test_coverage_holds_with_a_baseline_and_recurring_steps(data, calendar_strategy, services, regions_for):
    from datetime import timedelta as td

    from kickoff.scaling import BaselineForecast, diurnal_profile

    events = data.draw(calendar_strategy)
    shares = events[0].region_share
    first = min(e.kickoff for e in events)
    baseline = BaselineForecast(
        diurnal_profile(data.draw(st.floats(min_value=0.0, max_value=5e6)), 0.6, 1.0),
        shares,
        first - td(days=2),
        first + td(days=5),
    )
    params = PlanParams()
    plan = build_plan(events, services, regions_for(shares), params, baseline=baseline)
    lead = params.lead_time.total_seconds()
    for window in plan.windows:
        for target in plan.targets:
            demand = window_demand(plan, window, target.region, target.service)
            for t in _probe_times(to_seconds(window.start) + lead, to_seconds(window.restore), 0.0)[::3]:
                assert target.min_tasks_at(t - lead) >= demand.tasks_at(t), (target.region, target.service, t)
        for target in plan.targets:
            for r in target.recurring:
                f = r.next_after(to_seconds(window.start) - 1)
                assert f is None or f >= to_seconds(window.restore)


@settings(PROPERTY_SETTINGS, max_examples=15)
@given(data=st.data(), recurring=st.booleans())
def test_no_floor_the_schedule_can_reach_is_below_the_configured_minimum(
    data, calendar_strategy, services, regions_for, recurring
):
    """Every floor the plan can put in force (each one-time step, each recurring step, each restore) is at least the
    service's configured min_tasks. The config check holds min_tasks against the AZs (kickoff.config.operability),
    so no floor the agent applies, now or at any later point of the season, is below one task per AZ."""
    from kickoff.scaling import BaselineForecast, diurnal_profile

    events = data.draw(calendar_strategy)
    shares = events[0].region_share
    first = min(e.kickoff for e in events)
    baseline = (
        BaselineForecast(
            diurnal_profile(data.draw(st.floats(min_value=0.0, max_value=5e6)), 0.6, 1.0),
            shares,
            first - timedelta(days=2),
            first + timedelta(days=5),
        )
        if recurring
        else None
    )
    plan = build_plan(events, services, regions_for(shares), PlanParams(), baseline=baseline)
    configured = {s.name: s.min_tasks for s in services}
    for target in plan.targets:
        floors = [s.min_tasks for s in target.steps] + [r.min_tasks for r in target.recurring]
        assert floors and min(floors) >= configured[target.service], (target.region, target.service)
