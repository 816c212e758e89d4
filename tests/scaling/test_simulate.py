"""The simulator against hand-computed cases, and the policies on a one-day run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from kickoff.scaling import FARGATE_ARM64_US_EAST_1, FARGATE_X86_64_US_EAST_1, ServiceModel, build_plan
from kickoff.scaling.demand import to_seconds
from kickoff.scaling.simulate.audience import realise, service_load
from kickoff.scaling.simulate.engine import SimParams, simulate_region
from kickoff.scaling.simulate.policies import Policy, plan_floor, run_policy

STEPS_PER_HOUR = 360
FIXED_START = SimParams(task_start_min_s=120, task_start_max_s=120)


@pytest.fixture
def small() -> ServiceModel:
    """100 requests/s per task, target 50%: 50 requests/s per task at target."""
    return ServiceModel("s", 1024, 2048, 1, 10_000, 100, 0.5, 0.0, 0.0)


def _run(load, svc, lo=1, hi=10_000, tt=True, params=FIXED_START, initial=None):
    periods = len(load) // params.steps_per_period
    return simulate_region(
        [np.asarray(load, dtype=float)],
        [svc],
        [np.full(periods, lo)],
        [np.full(periods, hi)],
        tt,
        params,
        np.random.default_rng(0),
        initial,
    )[0]


def test_constant_load_holds_steady_without_under_provisioning(small):
    run = _run(np.full(STEPS_PER_HOUR, 100.0), small)
    assert (run.running == 2).all()
    assert not run.under.any()
    assert run.provisioned.sum() * 10 / 3600 == pytest.approx(2.0)


def test_step_load_is_under_provisioned_for_the_known_reactive_delay(small):
    load = np.full(STEPS_PER_HOUR, 100.0)
    load[60:] = 150.0  # +50% at 600 s: utilisation 75% against a 50% target
    run = _run(load, small)
    # High datapoints for minutes 10, 11, 12 -> scale-out at 780 s to ceil(2 x 0.75 / 0.5) = 3 tasks,
    # which start 120 s later: under-provisioned from 600 s to 900 s.
    assert run.under.sum() * 10 == 300
    assert np.flatnonzero(run.under)[[0, -1]].tolist() == [60, 89]
    assert run.running[89] == 2 and run.running[90] == 3
    assert run.provisioned[78] == 3  # billed from launch at 780 s


def test_static_policy_task_hours(small):
    run = _run(np.full(STEPS_PER_HOUR, 100.0), small, lo=5, hi=5, tt=False, initial=[5])
    assert run.provisioned.sum() * 10 / 3600 == pytest.approx(5.0)
    assert (run.running == 5).all()


def test_saturated_cpu_and_cooldown_limit_scale_out(small):
    load = np.full(STEPS_PER_HOUR, 1000.0)  # 10x the two initial tasks' target load
    run = _run(load, small, initial=[2], params=SimParams(task_start_min_s=60, task_start_max_s=60))
    # CPU saturates at 100%, so each scale-out at most doubles the running tasks (target 50%), once
    # the previous tasks run (60 s): 2 -> 4 at 180 s, 4 -> 8 at 300 s, 8 -> 16 at 420 s. At 540 s the
    # 16 tasks read 62.5% and want 20, a smaller step than the last (+8), so it waits for the
    # cooldown that started at 420 s to end at 720 s.
    assert run.provisioned[17] == 2 and run.provisioned[18] == 4
    assert run.provisioned[29] == 4 and run.provisioned[30] == 8
    assert run.provisioned[41] == 8 and run.provisioned[42] == 16
    assert run.provisioned[71] == 16 and run.provisioned[72] == 20


def test_scale_in_waits_for_fifteen_low_datapoints(small):
    load = np.full(STEPS_PER_HOUR, 200.0)
    load[60:] = 50.0  # from 600 s, four tasks run at 12.5% against a 50% target
    run = _run(load, small)
    assert run.running[0] == 4
    # Low datapoints for minutes 10..24 -> scale-in decided at 1500 s to ceil(4 x 0.125 / 0.5) = 1.
    assert run.running[149] == 4 and run.running[150] == 1


def test_launch_rate_limit_spreads_a_big_raise(small):
    load = np.full(60, 10.0)
    run = _run(load, small, lo=2001, params=SimParams(task_start_min_s=60, task_start_max_s=60), initial=[1])
    # 2,000 launches at 20/s take 100 s; each task serves 60 s after its launch.
    assert run.running[5] == 1
    assert run.running[15] < 2001 and run.running[16] == 2001


def test_service_load_counts_only_arrivals():
    svc = ServiceModel("s", 1024, 2048, 1, 10, 100, 0.5, rps_per_viewer=0.01, requests_per_arrival=3.0)
    viewers = np.array([1000.0, 1000.0, 2000.0, 1500.0])
    load = service_load(viewers, svc, step_s=10)
    assert load.tolist() == pytest.approx([10.0, 10.0, 20.0 + 3.0 * 100.0, 15.0])


def test_policies_over_one_day_at_zero_error(make_event, services, regions):
    event = make_event()
    plan = build_plan([event], services, regions)
    start = datetime(2024, 9, 12, 12, tzinfo=UTC)
    params = SimParams()
    audience = realise(plan, start, 24, 0.0, params)
    prices = (FARGATE_ARM64_US_EAST_1, FARGATE_X86_64_US_EAST_1)
    result = {p: run_policy(p, plan, audience, params, prices, 0.0) for p in Policy}
    assert result[Policy.STATIC].under_seconds == 0
    assert result[Policy.KICKOFF].under_seconds == 0
    assert result[Policy.REACTIVE].under_seconds > 600
    assert result[Policy.KICKOFF].task_hours < result[Policy.STATIC].task_hours
    static_hours = sum(t.peak_tasks for t in plan.targets) * 24
    assert result[Policy.STATIC].task_hours == pytest.approx(static_hours)
    assert result[Policy.STATIC].hours_near_peak == pytest.approx(24.0)
    assert result[Policy.KICKOFF].cost_arm64 < result[Policy.KICKOFF].cost_x86


def test_realised_audience_scales_the_event_by_the_error(make_event, services, regions):
    plan = build_plan([make_event()], services, regions)
    start = datetime(2024, 9, 12, 22, tzinfo=UTC)
    base = realise(plan, start, 6, 0.0, SimParams())
    more = realise(plan, start, 6, 0.25, SimParams())
    for region in base.by_region:
        assert more.by_region[region] == pytest.approx(base.by_region[region] * 1.25)


def test_plan_floor_matches_the_schedule_semantics(make_event, services, regions):
    plan = build_plan([make_event()], services, regions)
    target = plan.target("us-east-2", "api")
    start = datetime(2024, 9, 12, 20, tzinfo=UTC)
    floors = plan_floor(target, start, 12 * 60, 60)
    for m in range(0, 12 * 60, 7):
        assert floors[m] == target.min_tasks_at(to_seconds(start) + m * 60)


def test_plot_writes_a_png(make_event, services, regions, tmp_path: Path):
    from kickoff.scaling.plot import plot_event

    plan = build_plan([make_event()], services, regions)
    out = plot_event(plan, "tnf", tmp_path / "event.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(KeyError):
        plot_event(plan, "missing", tmp_path / "x.png")


def test_the_three_measures_of_under_provisioning_by_hand(small):
    """One task (100 requests/s at 100%, 50 at the 50% target), tracking off: 40, 60, 90 and 130 requests/s."""
    load = np.repeat([40.0, 60.0, 90.0, 130.0], 6)
    run = _run(load, small, lo=1, hi=1, tt=False, initial=[1])
    assert run.under.tolist() == [False] * 6 + [True] * 18
    assert run.above(0.85).tolist() == [False] * 12 + [True] * 12
    assert run.above(1.0).tolist() == [False] * 18 + [True] * 6
    assert run.dropped.tolist() == [0.0] * 18 + [30.0] * 6


def test_the_measures_nest_and_count_inside_events(make_event, services, regions):
    event = make_event()
    plan = build_plan([event], services, regions)
    start = datetime(2024, 9, 12, 12, tzinfo=UTC)
    params = SimParams()
    prices = (FARGATE_ARM64_US_EAST_1, FARGATE_X86_64_US_EAST_1)
    audience = realise(plan, start, 24, 0.3, params)
    for policy in Policy:
        m = run_policy(policy, plan, audience, params, prices, 0.3)
        assert m.above_100_seconds <= m.above_85_seconds
        assert m.above_100_seconds_in_events <= m.above_100_seconds
        assert m.above_85_seconds_in_events <= m.above_85_seconds
        assert m.under_seconds_in_events <= m.under_seconds
        assert m.dropped_requests_in_events <= m.dropped_requests
        assert (m.dropped_requests > 0) == (m.above_100_seconds > 0)
    reactive = run_policy(Policy.REACTIVE, plan, audience, params, prices, 0.3)
    # Reactive runs hot, and drops requests, when the event's audience arrives.
    assert reactive.under_seconds_in_events > 0
    assert reactive.above_100_seconds_in_events > 0 and reactive.dropped_requests_in_events > 0
