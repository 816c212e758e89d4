"""Planner behaviour on hand-built cases: errors, baseline steps, doubleheaders, ALB, DynamoDB, tables."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from kickoff.scaling import (
    FARGATE_ARM64_US_EAST_1,
    AlbParams,
    BaselineForecast,
    PlanError,
    PlanParams,
    RegionModel,
    ServiceModel,
    baseline_demand,
    build_plan,
    diurnal_profile,
    format_plan_table,
    plan_table,
    window_demand,
)
from kickoff.scaling.alb import lcu_needed
from kickoff.scaling.demand import SECONDS_PER_WEEK, WEEK_REFERENCE, to_seconds

WEEK_START = datetime(2024, 9, 9, tzinfo=UTC)


@pytest.fixture
def baseline(shares) -> BaselineForecast:
    return BaselineForecast(diurnal_profile(2.0e6, 0.6, 1.0), shares, WEEK_START, WEEK_START + timedelta(days=7))


def test_vcpu_quota_violation_names_region_and_numbers(make_event, services, shares):
    regions = [RegionModel(n, 100) for n in shares]
    with pytest.raises(PlanError, match=r"region us-east-1 needs [\d,]+ Fargate vCPU .* quota \(L-3032A538\) is 100"):
        build_plan([make_event()], services, regions)


def test_max_tasks_violation_names_event_service_and_numbers(make_event, services, regions):
    small = ServiceModel("api", 1024, 2048, 2, 50, 500, 0.6, 0.004, 4.0)
    with pytest.raises(PlanError, match=r"event tnf: region us-east-1, service api needs \d+ tasks .* max_tasks is 50"):
        build_plan([make_event()], [small], regions)


def test_n_minus_1_is_impossible_when_one_region_holds_everything(make_event, services, regions):
    event = make_event(region_share={"us-east-1": 1.0, "us-east-2": 0.0})
    with pytest.raises(PlanError, match="us-east-1 carries 100%"):
        build_plan([event], services, regions[:2])


def test_too_many_windows_for_the_action_quota(make_event, services, regions):
    events = [
        make_event(event_id=f"g{i}", kickoff=datetime(2024, 9, 1, tzinfo=UTC) + timedelta(days=i)) for i in range(12)
    ]
    with pytest.raises(PlanError, match="region us-east-1, service api: needs at least 12 one-time steps"):
        build_plan(events, services, regions, PlanParams(max_actions_per_target=20))


def test_shape_is_merged_to_fit_the_quota_and_still_covers(make_event, services, regions):
    events = [
        make_event(event_id=f"g{i}", kickoff=datetime(2024, 9, 1, tzinfo=UTC) + timedelta(days=i)) for i in range(6)
    ]
    params = PlanParams(max_actions_per_target=40)
    plan = build_plan(events, services, regions, params)
    for target in plan.targets:
        assert target.action_count <= 40
        assert target.merged_steps > 0
    window = plan.windows[2]
    demand = window_demand(plan, window, "us-west-2", "playback")
    target = plan.target("us-west-2", "playback")
    t = to_seconds(window.start) + params.lead_time.total_seconds()
    while t < to_seconds(window.restore):
        assert target.min_tasks_at(t - params.lead_time.total_seconds()) >= demand.tasks_at(t)
        t += 60


def test_plan_follows_the_forecast_rather_than_holding_the_peak(make_event, services, regions):
    plan = build_plan([make_event()], services, regions)
    target = plan.target("us-east-1", "playback")
    elevated = [s.min_tasks for s in target.steps[:-1]]
    assert len(set(elevated)) >= 5
    assert elevated[0] < 0.5 * target.peak_tasks
    assert target.steps[-1].min_tasks == target.default_min


def test_doubleheader_windows_merge_and_cover_the_summed_audience(make_event, services, regions):
    first = make_event(event_id="early")
    second = make_event(event_id="late", kickoff=first.kickoff + timedelta(hours=3))
    plan = build_plan([first, second], services, regions)
    assert len(plan.windows) == 1
    window = plan.windows[0]
    assert window.event_ids == ("early", "late")
    assert window.restore >= second.latest_end
    single = build_plan([second], services, regions)
    both_peak = plan.target("us-east-1", "playback").min_tasks_at(second.kickoff + timedelta(minutes=5))
    one_peak = single.target("us-east-1", "playback").min_tasks_at(second.kickoff + timedelta(minutes=5))
    assert both_peak > one_peak


def test_recurring_baseline_steps_skip_event_windows_and_cover_the_week(make_event, services, regions, baseline):
    params = PlanParams()
    plan = build_plan([make_event()], services, regions, params, baseline=baseline)
    window = plan.windows[0]
    lead = params.lead_time.total_seconds()
    for target in plan.targets:
        assert 24 <= len(target.recurring) <= 30
        for r in target.recurring:
            f = r.next_after(to_seconds(window.start) - 1)
            assert f is None or f >= to_seconds(window.restore)
        demand = baseline_demand(plan, target.region, target.service)
        t = to_seconds(WEEK_START) + lead
        while t < to_seconds(baseline.valid_until):
            if not to_seconds(window.start) <= t < to_seconds(window.restore):
                shifted = t - math.floor((t - to_seconds(WEEK_REFERENCE)) / SECONDS_PER_WEEK) * SECONDS_PER_WEEK
                assert target.min_tasks_at(t - lead) >= demand.tasks_at(shifted), (target.service, t)
            t += 900
        assert target.min_tasks_at(baseline.valid_until) == target.default_min
    event_demand = window_demand(plan, window, "us-east-1", "api")
    target = plan.target("us-east-1", "api")
    t = to_seconds(window.start) + lead
    while t < to_seconds(window.restore):
        assert target.min_tasks_at(t - lead) >= event_demand.tasks_at(t)
        t += 60


def test_lcu_dimensions_by_hand(services):
    params = PlanParams(
        alb=AlbParams(
            new_connections_per_arrival=2,
            active_connections_per_viewer=1,
            bytes_per_request=0,
            billable_rule_evaluations_per_request=0,
        )
    )
    assert lcu_needed(services, 3_000_000, 0.0, params) == pytest.approx(1000)
    assert lcu_needed(services, 0.0, 50_000, params) == pytest.approx(4000)
    bytes_only = PlanParams(
        alb=AlbParams(active_connections_per_viewer=0, new_connections_per_arrival=0, bytes_per_request=1e9 / 3600)
    )
    rps = sum(s.rps_per_viewer * 1000 for s in services)
    assert lcu_needed(services, 1000, 0.0, bytes_only) == pytest.approx(rps)


def test_alb_reservations_raise_before_and_release_after(make_event, services, regions):
    event = make_event()
    plan = build_plan([event], services, regions)
    window = plan.windows[0]
    east = [r for r in plan.alb_reservations if r.region == "us-east-1"]
    assert [r.at for r in east] == [window.start - plan.params.alb.lead, window.restore]
    assert east[0].capacity_units >= plan.params.alb.minimum_lcu and east[1].capacity_units == 0


def test_alb_merges_close_events_and_respects_two_decreases_a_day(make_event, services, regions):
    day = datetime(2024, 11, 28, tzinfo=UTC)
    events = [
        make_event(
            event_id=f"g{i}",
            kickoff=day + timedelta(hours=i * 7),
            duration=timedelta(minutes=60),
            overtime=timedelta(0),
        )
        for i in range(3)
    ]
    params = PlanParams(alb=AlbParams(merge_gap=timedelta(0), lead=timedelta(minutes=30)))
    plan = build_plan(events, services, regions, params)
    releases = [r for r in plan.alb_reservations if r.region == "us-east-1" and r.capacity_units == 0]
    per_day: dict = {}
    for r in releases:
        per_day[r.at.date()] = per_day.get(r.at.date(), 0) + 1
    assert max(per_day.values()) <= 2
    close = build_plan(events, services, regions)
    assert len([r for r in close.alb_reservations if r.region == "us-east-1"]) == 2


def test_plan_table_rows_cost_and_order(make_event, services, regions, baseline):
    plan = build_plan([make_event()], services, regions, baseline=baseline)
    rows = plan_table(plan)
    assert len(rows) == sum(t.action_count for t in plan.targets)
    timed = [r for r in rows if not r.when.startswith("cron(")]
    assert [r.when for r in timed] == sorted(r.when for r in timed)
    api = plan.service("api")
    for r in rows:
        svc = plan.service(r.service)
        assert r.vcpu == pytest.approx(r.min_tasks * svc.vcpu)
        assert r.cost_per_hour_usd == pytest.approx(
            r.min_tasks
            * (svc.vcpu * FARGATE_ARM64_US_EAST_1.per_vcpu_hour + svc.memory_gb * FARGATE_ARM64_US_EAST_1.per_gb_hour)
        )
    assert api.vcpu == 1.0
    text = format_plan_table(rows[:3])
    assert text.splitlines()[0].split()[:3] == ["when", "region", "service"]


def test_baseline_validity_boundaries_inside_a_window_do_not_cut_the_event(make_event, services, regions, shares):
    event = make_event()
    params = PlanParams()
    baseline = BaselineForecast(
        diurnal_profile(2.0e6, 0.6, 1.0),
        shares,
        event.kickoff - timedelta(minutes=30),
        event.kickoff + timedelta(hours=2),
    )
    plan = build_plan([event], services, regions, params, baseline=baseline)
    window = plan.windows[0]
    lead = params.lead_time.total_seconds()
    for target in plan.targets:
        demand = window_demand(plan, window, target.region, target.service)
        t = to_seconds(window.start) + lead
        while t < to_seconds(event.latest_end):
            assert target.min_tasks_at(t - lead) >= demand.tasks_at(t)
            t += 120
        assert target.min_tasks_at(window.restore) == target.default_min
