"""The capacity agent's handler, in-process against moto: what it writes, and what it never does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from moto import mock_aws

from e2e import moto_capacity as moto_patches
from kickoff.agent.apply import MAX_ACTIONS_PER_TARGET
from kickoff.agent.desired import plan_window
from kickoff.agent.document import document_json
from kickoff.agent.handler import log_lines
from kickoff.config.loader import load_for_context
from kickoff.planning import build_deployment_plan, calendar_events, capacity_spec
from kickoff.scaling.spec import plan_horizon
from tests.agent.harness import Cell, make_cell, resource_id

pytestmark = pytest.mark.not_a_rule(
    "tests the capacity agent's run against moto, with the synthesized registrations as its input"
)

# Two days before the prod calendar's tnf-2026-w14 (2026-12-11T01:15Z) and its doubleheader on 12-26.
BEFORE_GAME = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)
KICKOFF_W14 = datetime(2026, 12, 11, 1, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def prod():
    return load_for_context("prod", None)


@pytest.fixture
def aws() -> Iterator[None]:
    moto_patches.reset()
    with mock_aws():
        yield


@pytest.fixture
def cell(prod, aws) -> Cell:
    return make_cell(prod, "us-east-1")


def with_peaks(config, peak):
    """``config`` with every event's peak viewers replaced by ``peak(old)``."""
    events = tuple(e.model_copy(update={"peak_viewers": peak(e.peak_viewers)}) for e in config.calendar.events)
    copy = config.model_copy()
    copy.attach_calendar(config.calendar.model_copy(update={"events": events}))
    assert copy.calendar.events[0].peak_viewers == peak(config.calendar.events[0].peak_viewers)
    return copy


def in_force(cell: Cell, service: str, now: datetime) -> list[tuple[datetime, int]]:
    """The minimum in force from ``now`` on, as (time, minimum) changes, read back from Application Auto Scaling."""
    changes = [(now, cell.range(service)[0])]
    for action in cell.actions(service).values():
        if action["Schedule"].startswith("at("):
            at = datetime.fromisoformat(action["Schedule"][3:-1]).replace(tzinfo=UTC)
            if at > now:
                changes.append((at, action["ScalableTargetAction"]["MinCapacity"]))
    return sorted(changes)


def minimum_at(changes: list[tuple[datetime, int]], t: datetime) -> int:
    return [v for at, v in changes if at <= t][-1]


def test_the_agent_writes_the_plan_kickoff_plan_computes(prod, cell):
    cell.publish_config(prod, 1, BEFORE_GAME)
    result = cell.run(BEFORE_GAME)
    assert result.success, (result.problems, result.report.errors, result.report.drift)
    spec = capacity_spec(prod)
    expected = plan_horizon(spec, calendar_events(prod), plan_window(spec, BEFORE_GAME)).plan
    synth = build_deployment_plan(prod, BEFORE_GAME)  # the same planner, for a deploy at the same time
    for service in prod.services:
        compiled = expected.compiled_target("us-east-1", service.name)
        assert cell.range(service.name) == (compiled.min_capacity, compiled.max_capacity)
        written = {
            a["Schedule"]: (a["ScalableTargetAction"]["MinCapacity"], a["ScalableTargetAction"]["MaxCapacity"])
            for a in cell.actions(service.name).values()
        }
        assert written == {s.expression: (s.min_tasks, s.max_tasks) for s in compiled.steps} | {
            r.expression: (r.min_tasks, r.max_tasks) for r in compiled.recurring
        }
        # Past the synth's later window start, the steps are the ones a synth compiles.
        later = synth.compiled_target("us-east-1", service.name)
        assert [s for s in compiled.steps if s.at > later.steps[0].at] == [
            s for s in later.steps if s.at > later.steps[0].at
        ]
    assert result.covered_until == expected.window.end


def test_a_second_run_writes_nothing(prod, cell):
    cell.publish_config(prod, 1, BEFORE_GAME)
    first = cell.run(BEFORE_GAME)
    assert first.report.writes
    second = cell.run(BEFORE_GAME + timedelta(minutes=5))
    assert second.success
    assert second.report.writes == []


def test_a_forecast_lowered_during_the_event_lowers_nothing_in_force_until_the_window_closes(prod, cell):
    cell.publish_config(prod, 1, BEFORE_GAME)
    assert cell.run(BEFORE_GAME).success
    during = KICKOFF_W14 + timedelta(minutes=20)
    cell.elapse(during)
    before = {s.name: in_force(cell, s.name, during) for s in prod.services}
    lowered = with_peaks(prod, lambda peak: peak // 4)
    cell.publish_config(lowered, 2, during)
    result = cell.run(during)
    assert result.success and result.version == 2
    restore = max(w.restore for w in result.plan.season_windows if w.start <= during < w.restore)
    # Without the guard the new plan would hold less now: the test is not vacuous.
    assert any(
        result.plan.compiled_target("us-east-1", s.name).min_capacity < minimum_at(before[s.name], during)
        for s in prod.services
    )
    for service in prod.services:
        after = in_force(cell, service.name, during)
        probes = sorted({t for t, _ in before[service.name] + after if during <= t < restore} | {during})
        for t in probes:
            assert minimum_at(after, t) >= minimum_at(before[service.name], t), (service.name, t)
    # Once the window has closed, the lower forecast is what holds.
    later = restore + timedelta(hours=1)
    assert cell.run(later).success
    spec = capacity_spec(lowered)
    plan = plan_horizon(spec, calendar_events(lowered), plan_window(spec, later)).plan
    for service in prod.services:
        assert cell.range(service.name)[0] == plan.compiled_target("us-east-1", service.name).min_capacity


def test_a_bad_document_is_refused_and_the_last_good_one_kept(prod, cell):
    cell.publish_config(prod, 1, BEFORE_GAME)
    assert cell.run(BEFORE_GAME).success
    bad = document_json(cell_document(prod, 2))
    bad["events"][0]["region_share"] = {"us-east-1": 0.9, "us-east-2": 0.3}
    cell.publish(bad)
    tampered = document_json(cell_document(prod, 3))
    tampered["events"][-1]["peak_viewers"] *= 2  # digest no longer matches
    cell.publish(tampered)
    result = cell.run(BEFORE_GAME + timedelta(minutes=5))
    assert result.version == 1
    assert set(result.refused) == {2, 3}
    assert any("sum to 1.2" in p for p in result.refused[2])
    assert any("digest" in p for p in result.refused[3])
    assert result.report.writes == []


def test_a_forecast_the_planner_refuses_is_not_applied(prod, cell):
    cell.publish_config(prod, 1, BEFORE_GAME)
    huge = with_peaks(prod, lambda peak: 400_000_000)
    cell.publish_config(huge, 2, BEFORE_GAME)
    result = cell.run(BEFORE_GAME)
    assert result.version == 1 and result.success
    assert any("max_tasks" in p or "quota" in p.lower() for p in result.refused[2])


def cell_document(config, version):
    from kickoff.planning import forecast_document

    return forecast_document(config, version, BEFORE_GAME, "test")


def test_the_200_action_quota_stops_one_target_and_not_the_others(prod, cell):
    service = prod.services[0].name
    aas = cell.clients["application-autoscaling"]
    for i in range(MAX_ACTIONS_PER_TARGET - 3):
        aas.put_scheduled_action(
            ServiceNamespace="ecs",
            ScheduledActionName=f"team-{i:03d}",
            ResourceId=resource_id(prod, service),
            ScalableDimension="ecs:service:DesiredCount",
            Schedule=f"at({(BEFORE_GAME + timedelta(days=30, minutes=i)):%Y-%m-%dT%H:%M:%S})",
            ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 10},
        )
    cell.publish_config(prod, 1, BEFORE_GAME)
    result = cell.run(BEFORE_GAME)
    assert not result.success
    assert any(resource_id(prod, service) in e and "200 per scalable target" in e for e in result.report.errors)
    assert not any(n.startswith("kickoff-") for n in cell.actions(service))
    assert any(n.startswith("kickoff-") for n in cell.actions(prod.services[1].name))
    assert result.metrics()["Success"] == 0.0


def test_the_reservation_is_raised_before_the_event_and_its_release_is_scheduled(prod, cell):
    cell.publish_config(prod, 1, BEFORE_GAME)
    first_run = cell.run(BEFORE_GAME)
    assert first_run.success
    assert cell.reservation() == 0
    schedules = cell.reservation_schedules()
    assert schedules, "the raise before tnf-2026-w14 is scheduled"
    first = min(schedules.values(), key=lambda s: s["ScheduleExpression"])
    body = json.loads(first["Target"]["Input"])
    assert body["MinimumLoadBalancerCapacity"]["CapacityUnits"] >= prod.scaling.alb_minimum_lcu
    assert first["Target"]["RoleArn"] == cell.settings.binding.scheduler_role_arn
    assert first["ActionAfterCompletion"] == "DELETE"
    units = body["MinimumLoadBalancerCapacity"]["CapacityUnits"]
    raised = KICKOFF_W14 - timedelta(minutes=30)
    cell.elapse(raised)
    assert cell.reservation() == units
    # The schedule ran and failed (its dead-letter queue has it): the next run puts the reservation in force.
    cell.clients["elbv2"].modify_capacity_reservation(
        LoadBalancerArn=cell.settings.binding.load_balancer_arn, ResetCapacityReservation=True
    )
    result = cell.run(raised)
    assert result.success
    assert cell.reservation() == units
    kinds = [w.kind for w in result.report.writes]
    assert kinds.count("modify-capacity-reservation") == 1
    # Besides it: actions that have run are cleared away (they count toward the quota), and the events that entered
    # the horizon since the first run are scheduled. Nothing already planned changes.
    horizon_then = first_run.plan.window.end
    for write in result.report.writes:
        if write.kind == "delete-scheduled-action":
            assert write.before[0] <= f"at({raised:%Y-%m-%dT%H:%M:%S})"
        elif write.kind == "put-scheduled-action":
            assert write.before is None and write.after[0] >= f"at({horizon_then:%Y-%m-%dT%H:%M:%S})"
        elif write.kind in ("create-schedule", "delete-schedule"):
            assert (write.after or write.before)[0] >= horizon_then or write.kind == "delete-schedule"


def test_warm_throughput_is_raised_by_the_owner_region_only(prod, aws):
    owner = make_cell(prod, "us-east-1", warm_owner=True)
    other = make_cell(prod, "us-west-2", warm_owner=False)
    for cell in (owner, other):
        cell.publish_config(prod, 1, BEFORE_GAME)
        assert cell.run(BEFORE_GAME).success
    table = owner.clients["dynamodb"].describe_table(TableName=owner.settings.binding.warm_throughput_table)["Table"]
    spec = capacity_spec(prod)
    need = plan_horizon(spec, calendar_events(prod), plan_window(spec, BEFORE_GAME)).plan.table_warm_throughput
    assert table["WarmThroughput"]["ReadUnitsPerSecond"] == need.read_units_per_second
    assert not [w for w in other.run(BEFORE_GAME).report.writes if w.kind == "update-table"]


def test_every_run_logs_its_changes_and_one_metric_line(prod, cell):
    cell.publish_config(prod, 1, BEFORE_GAME)
    result = cell.run(BEFORE_GAME)
    lines = [json.loads(line) for line in log_lines(result, cell.settings)]
    changes = [line for line in lines if "change" in line]
    assert len(changes) == len(result.report.writes) > 0
    metric = next(line for line in lines if "Success" in line)
    names = {m["Name"] for m in metric["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert names == {
        "Success",
        "Errors",
        "ActionsWritten",
        "Drift",
        "RefusedDocuments",
        "HorizonCoveredHours",
        "ForecastVersion",
        "ReservationExpectedLCU",
    }
    per_service = [line for line in lines if "PlannedMinimum" in line]
    assert {line["Service"] for line in per_service} == {s.name for s in prod.services}
    assert metric["HorizonCoveredHours"] == pytest.approx(prod.scaling.horizon_days * 24 + 2 / 60, abs=0.05)


def test_a_failed_run_still_reports_how_long_the_plan_in_force_covers(prod, cell):
    cell.publish_config(prod, 1, BEFORE_GAME)
    assert cell.run(BEFORE_GAME).success
    cell.clients["ssm"].delete_parameter(Name=f"{cell.settings.parameter_path}/spec")
    later = BEFORE_GAME + timedelta(days=3)
    result = cell.run(later)
    assert not result.success
    assert result.metrics()["HorizonCoveredHours"] == pytest.approx(
        (prod.scaling.horizon_days - 3) * 24 + 2 / 60, abs=0.05
    )
