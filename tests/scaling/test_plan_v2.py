"""Pre-scaling v2 (issue 15): flex windows, the re-arrival surge of a failed Region, N-1 thresholds.

Property tests draw the new inputs; the simulator tests fail a Region and move kickoffs, and check what the
plan holds against what the realised day needs.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kickoff.scaling import PlanError, PlanParams, build_plan, check_season, window_demand
from kickoff.scaling.audience import baseline_level, diurnal_profile, event_fraction
from kickoff.scaling.demand import WEEK_REFERENCE, to_seconds
from kickoff.scaling.model import BaselineForecast, EventForecast
from kickoff.scaling.prices import FARGATE_ARM64_US_EAST_1, FARGATE_X86_64_US_EAST_1
from kickoff.scaling.report import plan_costs, reserved_lcu_hours
from kickoff.scaling.simulate.audience import RegionFailure, Stress, fail_region, realise
from kickoff.scaling.simulate.engine import SimParams
from kickoff.scaling.simulate.policies import Policy, event_mask, run_policy

PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
PRICES = (FARGATE_ARM64_US_EAST_1, FARGATE_X86_64_US_EAST_1)
PROBE_S = 60


def _flexed(event: EventForecast, early_min: int, late_min: int) -> EventForecast:
    return replace(
        event,
        earliest_kickoff=event.kickoff - timedelta(minutes=early_min),
        latest_kickoff=event.kickoff + timedelta(minutes=late_min),
    )


def _window_span(events: list[EventForecast], params: PlanParams) -> tuple[float, float]:
    start = min(to_seconds(e.kickoff) - params.audience.pregame_start * 60 for e in events)
    end = max(to_seconds(e.kickoff + e.duration + e.overtime) for e in events)
    return start, end


# --- flex windows -------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_flexed_plan_covers_every_kickoff_in_its_window(data, forecast_strategy, services, regions_for):
    """Whatever kickoff in [earliest, latest] happens, the flexed plan holds what a plan made for exactly that
    kickoff would need, lead time ahead, with or without a baseline audience under the event."""
    base = data.draw(forecast_strategy)
    early = data.draw(st.integers(min_value=0, max_value=90))
    late = data.draw(st.integers(min_value=0, max_value=90))
    flexed = _flexed(base, early, late)
    actual = flexed.first_kickoff + timedelta(seconds=data.draw(st.integers(0, (early + late) * 60)))
    params = PlanParams()
    regions = regions_for(base.region_share)
    baseline = None
    if data.draw(st.booleans()):
        # The baseline does not move with the kickoff: the sampled kickoffs must still cover it.
        mean = data.draw(st.floats(min_value=1e4, max_value=5e6))
        profile = diurnal_profile(mean, 0.6, data.draw(st.floats(min_value=0, max_value=23)))
        baseline = BaselineForecast(
            profile, base.region_share, base.kickoff - timedelta(days=2), base.kickoff + timedelta(days=2)
        )
    plan = build_plan([flexed], services, regions, params, baseline=baseline)
    exact_event = replace(base, kickoff=actual)
    exact = build_plan([exact_event], services, regions, params, baseline=baseline)
    lead = params.lead_time.total_seconds()
    start, end = _window_span([exact_event], params)
    offset = data.draw(st.floats(min_value=0.0, max_value=PROBE_S - 1e-3))
    for target in plan.targets:
        demand = window_demand(exact, exact.windows[0], target.region, target.service)
        t = start + offset
        while t < end:
            need = demand.tasks_at(t)
            assert target.min_tasks_at(t) >= need, (target.region, target.service, t)
            assert target.min_tasks_at(t - lead) >= need, (target.region, target.service, t)
            t += PROBE_S * 3


@PROPERTY_SETTINGS
@given(data=st.data())
def test_an_event_without_a_flex_window_plans_as_before(data, forecast_strategy, services, regions_for):
    base = data.draw(forecast_strategy)
    pinned = replace(base, earliest_kickoff=base.kickoff, latest_kickoff=base.kickoff)
    regions = regions_for(base.region_share)
    assert build_plan([pinned], services, regions).targets == build_plan([base], services, regions).targets


def test_the_flex_window_sets_the_window_edges(make_event, services, regions) -> None:
    event = _flexed(make_event(), 45, 45)
    params = PlanParams()
    plan = build_plan([event], services, regions, params)
    window = plan.windows[0]
    earliest_load = event.first_kickoff - timedelta(minutes=params.audience.pregame_start) - params.lead_time
    assert earliest_load - params.step < window.start <= earliest_load
    assert window.restore == event.last_kickoff + event.duration + event.overtime + params.ramp_down
    assert event.latest_end == window.restore - params.ramp_down


def test_flex_window_checks_its_order(make_event) -> None:
    with pytest.raises(ValueError, match="must contain the kickoff"):
        replace(make_event(), earliest_kickoff=make_event().kickoff + timedelta(minutes=1))


def test_too_many_flex_combinations_is_a_plan_error(make_event, services, regions) -> None:
    first = _flexed(make_event(event_id="a"), 120, 120)
    second = _flexed(make_event(event_id="b", kickoff=first.kickoff + timedelta(hours=2)), 120, 120)
    with pytest.raises(PlanError, match="kickoff combinations .* narrow the earliest_kickoff"):
        build_plan([first, second], services, regions, PlanParams(max_flex_scenarios=100))


def test_an_undeclared_early_kickoff_is_what_the_flex_window_fixes(make_event, services, regions) -> None:
    """45 minutes early: without a window (d) runs hot at the surge; with one it does not."""
    sim = SimParams()
    start = datetime(2024, 9, 12, 12, tzinfo=UTC)
    stress = Stress(kickoff_shift=timedelta(minutes=-45))
    hot = {}
    for name, event in (("fixed", make_event()), ("flexed", _flexed(make_event(), 45, 45))):
        plan = build_plan([event], services, regions)
        audience = realise(plan, start, 24, 0.0, sim, stress=stress)
        hot[name] = run_policy(Policy.KICKOFF, plan, audience, sim, PRICES, 0.0, stress).above_85_seconds
    assert hot["fixed"] > 0
    assert hot["flexed"] == 0


# --- the re-arrival surge of a failed Region -------------------------------------------------------


def _expected(events: list[EventForecast], params: PlanParams, t: float) -> float:
    return sum(
        e.peak_viewers
        * event_fraction(
            params.audience, (t - to_seconds(e.kickoff)) / 60.0, (e.duration + e.overtime).total_seconds() / 60.0
        )
        for e in events
    )


def _assert_survivors_hold(plan, events, params, regions, services, stride: int, threshold: float = 0.0) -> None:
    """For every failed Region j and survivor r, at every ``stride``-th minute of the events' span where the
    audience is at least ``threshold`` of the peak: r's floor serves its N-1 share of the expected load (its
    own arrivals included) plus its share of j's viewers arriving again over the failover shift, at
    ``params.n_minus_1_utilization`` (or each service's target)."""
    shares = events[0].region_share
    shift = params.failover_shift.total_seconds()
    peak = max(e.peak_viewers for e in events)
    dt = params.resolution.total_seconds()
    start, end = _window_span(events, params)
    t = math.ceil(start / dt) * dt
    while t <= end:
        v = _expected(events, params, t)
        if threshold <= 0 or (peak and v >= threshold * peak):
            arrivals = max(
                (v - _expected(events, params, t - dt)) / dt, (_expected(events, params, t + dt) - v) / dt, 0
            )
            for failed in regions:
                s_j = shares.get(failed.name, 0.0)
                for r in regions:
                    if r.name == failed.name or s_j >= 1:
                        continue
                    k = shares.get(r.name, 0.0) / (1 - s_j)
                    for svc in services:
                        own = arrivals * k if threshold <= 0 else 0.0
                        load = svc.rps_per_viewer * k * v + svc.requests_per_arrival * (own + k * s_j * v / shift)
                        at = params.n_minus_1_utilization or svc.target_utilization
                        held = plan.target(r.name, svc.name).min_tasks_at(t) * svc.rps_per_task * at
                        assert held >= load * (1 - 1e-9), (svc.name, failed.name, r.name, t)
        t += dt * stride


@PROPERTY_SETTINGS
@given(data=st.data())
def test_each_survivor_holds_its_share_and_the_re_arrival_surge(data, calendar_strategy, services, regions_for):
    events = data.draw(calendar_strategy)
    shift = data.draw(st.sampled_from([30, 90, 300]))
    params = PlanParams(failover_shift=timedelta(seconds=shift))
    regions = regions_for(events[0].region_share)
    plan = build_plan(events, services, regions, params)
    for window in plan.windows:
        mine = [e for e in events if e.event_id in window.event_ids]
        _assert_survivors_hold(plan, mine, params, regions, services, stride=11)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_n_minus_1_sized_hotter_holds_the_survivors_below_that_utilisation_for_less(
    data, calendar_strategy, services, regions_for
):
    events = data.draw(calendar_strategy)
    utilization = data.draw(st.sampled_from([0.65, 0.8, 1.0]))
    params = PlanParams(n_minus_1_utilization=utilization)
    regions = regions_for(events[0].region_share)
    plan = build_plan(events, services, regions, params)
    at_target = build_plan(events, services, regions, PlanParams())
    for window in plan.windows:
        mine = [e for e in events if e.event_id in window.event_ids]
        _assert_survivors_hold(plan, mine, params, regions, services, stride=11)
    for target in plan.targets:
        assert target.peak_tasks <= at_target.target(target.region, target.service).peak_tasks


def test_n_minus_1_at_the_target_utilisation_is_the_default(make_event, services, regions) -> None:
    event = make_event()
    default = build_plan([event], services, regions)
    explicit = build_plan([event], services, regions, PlanParams(n_minus_1_utilization=0.6))
    hotter = build_plan([event], services, regions, PlanParams(n_minus_1_utilization=0.9))
    assert [t.steps for t in explicit.targets] == [t.steps for t in default.targets]
    assert sum(t.peak_tasks for t in hotter.targets) < sum(t.peak_tasks for t in default.targets)
    with pytest.raises(ValueError, match="n_minus_1_utilization"):
        PlanParams(n_minus_1_utilization=1.2)


def test_the_surge_is_what_the_failover_shift_makes_it(make_event, services, regions) -> None:
    event = make_event()
    peaks = {}
    for shift in (None, 300, 90):
        params = PlanParams(failover_shift=None if shift is None else timedelta(seconds=shift))
        peaks[shift] = build_plan([event], services, regions, params).target("us-east-1", "api").peak_tasks
    # api is arrival-heavy: a shorter shift is a steeper surge.
    assert peaks[None] < peaks[300] < peaks[90]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(region=st.sampled_from(["us-east-1", "us-east-2", "us-west-2"]), minutes=st.integers(-80, 230))
def test_a_region_failing_any_time_in_the_event_drops_nothing_under_the_plan(
    make_event, services, regions, region, minutes
) -> None:
    event = make_event()
    plan = build_plan([event], services, regions)
    stress = Stress(failure=RegionFailure(region, event.kickoff + timedelta(minutes=minutes)))
    sim = SimParams()
    audience = realise(plan, datetime(2024, 9, 12, 18, tzinfo=UTC), 12, 0.0, sim, stress=stress)
    metrics = run_policy(Policy.KICKOFF, plan, audience, sim, PRICES, 0.0, stress)
    assert metrics.dropped_requests == 0
    assert metrics.above_85_seconds == 0


def test_fail_region_moves_every_viewer_and_keeps_the_total() -> None:
    start = datetime(2024, 9, 12, tzinfo=UTC)
    by_region = {"a": np.full(100, 400.0), "b": np.full(100, 300.0), "c": np.full(100, 100.0)}
    before = sum(by_region.values())
    fail_region(by_region, RegionFailure("a", start + timedelta(seconds=200), timedelta(seconds=90)), start, 10)
    assert np.allclose(sum(by_region.values()), before)
    assert by_region["a"][19] == 400.0 and by_region["a"][29] == 0.0  # gone 90 s after the failure
    # Survivors take it in proportion to their own viewers: 3:1.
    assert by_region["b"][-1] == pytest.approx(300 + 300) and by_region["c"][-1] == pytest.approx(100 + 100)


def test_a_baseline_error_scales_the_baseline_only(make_event, services, regions, shares) -> None:
    start = datetime(2024, 9, 9, tzinfo=UTC)
    baseline = BaselineForecast(diurnal_profile(2.0e6, 0.6, 1.0), shares, start, start + timedelta(days=7))
    plan = build_plan([make_event()], services, regions, baseline=baseline)
    sim = SimParams()
    quiet = datetime(2024, 9, 10, tzinfo=UTC)  # two days before the game: baseline only
    exact = realise(plan, quiet, 6, 0.0, sim)
    missed = realise(plan, quiet, 6, 0.0, sim, stress=Stress(baseline_error=0.25))
    for region in exact.by_region:
        assert np.allclose(missed.by_region[region], exact.by_region[region] * 1.25)
    game = datetime(2024, 9, 13, tzinfo=UTC)
    both = realise(plan, game, 4, 0.0, sim, stress=Stress(baseline_error=0.25))
    alone = realise(replace(plan, baseline=None), game, 4, 0.0, sim)
    base = realise(plan, game, 4, 0.0, sim)
    for region in both.by_region:
        event_only = alone.by_region[region]
        assert np.allclose(both.by_region[region], event_only + (base.by_region[region] - event_only) * 1.25)


def test_a_failure_needs_a_survivor() -> None:
    start = datetime(2024, 9, 12, tzinfo=UTC)
    with pytest.raises(ValueError, match="cannot fail over"):
        fail_region({"a": np.ones(10)}, RegionFailure("a", start), start, 10)
    with pytest.raises(ValueError, match="not one of"):
        fail_region({"a": np.ones(10), "b": np.ones(10)}, RegionFailure("z", start), start, 10)


# --- N-1 thresholds ---------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_threshold_never_raises_the_plan_and_keeps_n_minus_1_above_it(data, forecast_strategy, services, regions_for):
    event = data.draw(forecast_strategy)
    threshold = data.draw(st.floats(min_value=0.05, max_value=1.0))
    regions = regions_for(event.region_share)
    full = build_plan([event], services, regions, PlanParams())
    params = PlanParams(n_minus_1_min_audience=threshold)
    thin = build_plan([event], services, regions, params)
    for t_full, t_thin in zip(full.targets, thin.targets):
        for step in t_full.steps + t_thin.steps:
            assert t_thin.min_tasks_at(step.at) <= t_full.min_tasks_at(step.at)
    # Where the audience is at or above the threshold, every survivor still holds its N-1 share and surge (its own
    # arrivals left out: at the edge of the mask the slope is taken from a neighbour below the threshold).
    _assert_survivors_hold(thin, [event], params, regions, services, stride=7, threshold=threshold)


def test_threshold_one_keeps_n_minus_1_only_at_the_peak(make_event, services, regions) -> None:
    event = make_event()
    zero = build_plan([event], services, regions, PlanParams()).target("us-east-1", "playback")
    one = build_plan([event], services, regions, PlanParams(n_minus_1_min_audience=1.0)).target("us-east-1", "playback")
    pregame = event.kickoff - timedelta(minutes=30)
    assert one.min_tasks_at(pregame) < zero.min_tasks_at(pregame)
    assert one.peak_tasks == zero.peak_tasks


# --- stress in the simulator, and the plan's costs -----------------------------------------------------


def test_the_event_mask_follows_the_flex_window_and_the_stress(make_event, services, regions) -> None:
    event = _flexed(make_event(), 45, 0)
    plan = build_plan([event], services, regions)
    start = datetime(2024, 9, 12, 12, tzinfo=UTC)
    plain = event_mask(plan, start, 8640, 10)
    late = event_mask(plan, start, 8640, 10, Stress(kickoff_shift=timedelta(minutes=30), overrun=timedelta(minutes=20)))
    first = int(np.argmax(plain))
    assert first * 10 == pytest.approx(to_seconds(event.first_kickoff) - to_seconds(start) - 90 * 60, abs=10)
    assert late.sum() - plain.sum() == (30 + 20) * 6


def test_costs_add_the_reservations_and_the_floor(make_event, services, regions) -> None:
    plan = build_plan([make_event()], services, regions)
    start, end = plan.windows[0].start - timedelta(hours=6), plan.windows[0].restore + timedelta(hours=6)
    rows = plan_costs(plan, start, end)
    for row in rows:
        raised = next(r for r in plan.alb_reservations if r.region == row.region and r.capacity_units)
        released = next(r for r in plan.alb_reservations if r.region == row.region and not r.capacity_units)
        assert row.reserved_lcu_hours == pytest.approx(
            raised.capacity_units * (released.at - raised.at).total_seconds() / 3600
        )
        assert row.reservation_usd == pytest.approx(row.reserved_lcu_hours * 0.008)
        floor = sum(
            t.min_tasks_at(start + timedelta(minutes=m)) / 60
            for t in plan.targets
            if t.region == row.region
            for m in range(int((end - start).total_seconds() // 60))
        )
        assert row.task_hours == pytest.approx(floor, rel=1e-3)
    assert reserved_lcu_hours(plan.alb_reservations, "us-east-1", start - timedelta(days=1), start) == 0
    # Clipped to the span: half the reservation's hours, half its LCU-hours.
    raised = next(r for r in plan.alb_reservations if r.region == "us-east-1" and r.capacity_units)
    released = next(r for r in plan.alb_reservations if r.region == "us-east-1" and not r.capacity_units)
    middle = raised.at + (released.at - raised.at) / 2
    half = reserved_lcu_hours(plan.alb_reservations, "us-east-1", middle, end)
    assert half == pytest.approx(raised.capacity_units * (released.at - middle).total_seconds() / 3600)


def test_baseline_n_minus_1_holds_the_surge_outside_events(services, regions, shares) -> None:
    """With ``baseline_n_minus_1`` the recurring steps hold each survivor's N-1 share and the re-arrival surge of
    the baseline audience; without it they hold the band only (the default, issue 15)."""
    start = datetime(2024, 9, 9, tzinfo=UTC)
    baseline = BaselineForecast(diurnal_profile(2.0e6, 0.6, 1.0), shares, start, start + timedelta(days=7))
    params = PlanParams(baseline_n_minus_1=True)
    plain = build_plan([], services, regions, PlanParams(), baseline=baseline)
    stable = build_plan([], services, regions, params, baseline=baseline)
    at = start + timedelta(days=1, hours=1)  # the daily peak
    ref = to_seconds(at) - to_seconds(WEEK_REFERENCE)
    viewers = baseline_level(baseline.hourly_viewers, ref / 3600.0)
    shift = params.failover_shift.total_seconds()
    for failed in regions:
        s_j = shares[failed.name]
        for r in regions:
            if r.name == failed.name:
                continue
            k = shares[r.name] / (1 - s_j)
            for svc in services:
                load = svc.rps_per_viewer * k * viewers + svc.requests_per_arrival * k * s_j * viewers / shift
                held = stable.target(r.name, svc.name).min_tasks_at(at) * svc.rps_per_task_at_target
                assert held >= load
                assert plain.target(r.name, svc.name).min_tasks_at(at) < stable.target(r.name, svc.name).min_tasks_at(
                    at
                )


def test_the_season_check_names_the_event_over_a_vcpu_quota(make_event, services, regions) -> None:
    far = make_event(event_id="late-season", kickoff=datetime(2024, 12, 26, 1, 15, tzinfo=UTC))
    small = [replace(r, fargate_vcpu_quota=500) for r in regions]
    check_season([far], services, regions)  # unlimited quota: fine
    with pytest.raises(
        PlanError, match=r"event late-season: region us-east-1 needs [\d,]+ Fargate vCPU .* quota \(L-3032A538\) is 500"
    ):
        check_season([far], services, small)
