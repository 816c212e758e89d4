"""The pre-scaling guarantees hold on what the agent writes, at any time it runs (hypothesis, against moto).

What the agent leaves in force (each target's range and its one-time actions, read back) is the planner's minimum at
every instant of the window, so the planner's property tests (N-1 with the re-arrival surge, flex windows: tests/
scaling) carry over; the declared vCPU quota holds at every change; and a forecast lowered at any moment of an event
lowers nothing in force before the window closes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from e2e import moto_capacity as moto_patches
from kickoff.agent.desired import plan_window
from kickoff.config.loader import load_for_context
from kickoff.planning import calendar_events, capacity_spec
from kickoff.scaling.spec import plan_horizon
from tests.agent.harness import make_cell
from tests.agent.test_apply import in_force, minimum_at, with_peaks

PROD = load_for_context("prod", None)
SEASON_START = datetime(2026, 11, 20, tzinfo=UTC)
RUNS = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _changes_between(changes, start, end):
    return sorted({start} | {t for t, _ in changes if start <= t < end})


@RUNS
@given(offset_minutes=st.integers(min_value=0, max_value=30 * 24 * 60))
def test_what_the_agent_leaves_in_force_is_the_plan_at_every_instant(offset_minutes: int) -> None:
    now = SEASON_START + timedelta(minutes=offset_minutes)
    spec = capacity_spec(PROD)
    plan = plan_horizon(spec, calendar_events(PROD), plan_window(spec, now)).plan
    moto_patches.reset()
    with mock_aws():
        cell = make_cell(PROD, "us-east-1")
        cell.publish_config(PROD, 1, now)
        result = cell.run(now)
        assert result.success, (result.problems, result.report.errors)
        window = plan.window
        vcpu: dict[datetime, float] = {}
        for service in PROD.services:
            target = plan.target("us-east-1", service.name)
            changes = in_force(cell, service.name, window.deploy_time)
            for t in _changes_between(changes + [(s.at, 0) for s in target.steps], window.start, window.end):
                assert minimum_at(changes, t) == target.min_tasks_at(t), (service.name, t)
            for t in _changes_between(changes, window.deploy_time, window.end):
                vcpu[t] = vcpu.get(t, 0.0) + minimum_at(changes, t) * service.cpu / 1024
        quota = PROD.region("us-east-1").quotas.fargate_vcpu
        assert max(vcpu.values()) <= quota


def _event_moments():
    """(an event of the horizon, minutes into its window) pairs to lower the forecast at."""
    return st.tuples(st.sampled_from(["tnf-2026-w14", "tnf-2026-w15", "black-friday-2026"]), st.integers(0, 400))


@RUNS
@given(moment=_event_moments(), factor=st.sampled_from([0.1, 0.5, 0.8]))
def test_a_lowered_forecast_lowers_nothing_in_force_before_the_window_closes(moment, factor) -> None:
    event_id, minutes = moment
    event = next(e for e in PROD.calendar.events if e.id == event_id)
    before = event.kickoff.astimezone(UTC) - timedelta(days=1)
    moto_patches.reset()
    with mock_aws():
        cell = make_cell(PROD, "us-east-1")
        cell.publish_config(PROD, 1, before)
        first = cell.run(before)
        window = next(w for w in first.plan.season_windows if event_id in w.event_ids)
        during = min(window.start + timedelta(minutes=minutes), window.restore - timedelta(minutes=1))
        cell.elapse(during)
        held = {s.name: in_force(cell, s.name, during) for s in PROD.services}
        cell.publish_config(with_peaks(PROD, lambda peak: int(peak * factor)), 2, during)
        result = cell.run(during)
        assert result.success and result.version == 2
        for service in PROD.services:
            after = in_force(cell, service.name, during)
            for t in _changes_between(held[service.name] + after, during, window.restore):
                assert minimum_at(after, t) >= minimum_at(held[service.name], t), (service.name, t)


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_the_agents_plan_is_kickoff_plans_for_both_configs(env: str) -> None:
    """For prod and dev, at the first kickoff of each calendar minus a day: the agent's desired actions are the
    plan's compiled steps, Region by Region (the moto runs above prove what is written is what is desired)."""
    from kickoff.agent.desired import desired_region
    from kickoff.planning import build_deployment_plan

    config = load_for_context(env, None)
    spec = capacity_spec(config)
    now = min(e.kickoff for e in config.calendar.events).astimezone(UTC) - timedelta(days=1)
    agent_plan = plan_horizon(spec, calendar_events(config), plan_window(spec, now)).plan
    cli_plan = build_deployment_plan(config, now)
    assert agent_plan == cli_plan
    for region in config.routed_regions:
        desired = desired_region(agent_plan, region, {s.name: "" for s in config.services}, spec)
        for target in desired.targets:
            compiled = cli_plan.compiled_target(region, target.service)
            assert target.min_now == compiled.min_capacity
            assert [(a.at, a.min_tasks) for a in target.actions if a.at] == [
                (s.at, s.min_tasks) for s in compiled.steps
            ]
