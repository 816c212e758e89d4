"""Pre-scaling compiled into the templates: scheduled actions, ALB reservations, warm throughput."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from kickoff.config import ConfigError, load_config
from kickoff.planning import build_deployment_plan, parse_plan_from
from tests.support import REPO_ROOT, config_data

AT = re.compile(r"at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)")


def _targets(synth, region):
    return synth.resources(synth.cell(region), "AWS::ApplicationAutoScaling::ScalableTarget")


def _actions_by_service(synth, region):
    out = {}
    for logical_id, target in _targets(synth, region).items():
        service = next(s.name for s in synth.config.services if logical_id.startswith(s.name.capitalize()))
        out[service] = target["Properties"].get("ScheduledActions", [])
    return out


def test_every_service_gets_the_plans_scheduled_actions(prod) -> None:
    plan = prod.deployment.plan
    start = plan.window.start
    for region in prod.config.region_names:
        for service, actions in _actions_by_service(prod, region).items():
            target = plan.target(region, service)
            expected_at = [s for s in target.steps if s.at >= start]
            one_time = [a for a in actions if a["Schedule"].startswith("at(")]
            recurring = [a for a in actions if a["Schedule"].startswith("cron(")]
            assert len(one_time) == len(expected_at) > 20
            assert len(recurring) == len(target.recurring)
            assert len(actions) <= 200
            for action, step in zip(sorted(one_time, key=lambda a: a["Schedule"]), expected_at):
                when = datetime.fromisoformat(AT.fullmatch(action["Schedule"]).group(1)).replace(tzinfo=UTC)
                assert when == step.at.astimezone(UTC) >= start
                assert action["ScalableTargetAction"] == {"MinCapacity": step.min_tasks, "MaxCapacity": step.max_tasks}
            for action in recurring:
                assert action["Schedule"].endswith("*)") and action["StartTime"] and action["EndTime"]


def test_pre_scaling_raises_capacity_before_kickoff_and_holds_through_overtime(prod) -> None:
    actions = _actions_by_service(prod, "us-east-1")["playback"]
    timeline = sorted((datetime.fromisoformat(AT.fullmatch(a["Schedule"]).group(1)).replace(tzinfo=UTC),
                       a["ScalableTargetAction"]["MinCapacity"]) for a in actions if a["Schedule"].startswith("at("))
    event = next(e for e in prod.config.calendar.events if e.id == "black-friday-2026")
    kickoff = event.kickoff.astimezone(UTC)
    latest_end = kickoff + __import__("datetime").timedelta(minutes=event.duration_minutes + event.overtime_minutes)
    before = [m for t, m in timeline if t <= kickoff]
    during = [m for t, m in timeline if kickoff < t < latest_end]
    assert before[-1] >= 0.5 * max(during), "most of the peak capacity is in place at kickoff"
    step_downs = [t for t, m in timeline if kickoff < t and m <= 50]
    assert step_downs and min(step_downs) >= latest_end, "the step down never comes before end + overtime"


def test_target_tracking_stays_on_top_of_the_schedule(prod) -> None:
    policies = prod.resources(prod.cell("us-east-1"), "AWS::ApplicationAutoScaling::ScalingPolicy")
    assert len(policies) == 2 * len(prod.config.services)


def test_alb_reservation_schedules(prod) -> None:
    plan = prod.deployment.plan
    for region in prod.config.region_names:
        schedules = [s["Properties"] for s in prod.resources(prod.cell(region), "AWS::Scheduler::Schedule").values()]
        expected = [r for r in plan.alb_reservations(region) if r.at >= plan.window.start]
        assert len(schedules) == len(expected) >= 2
        for props, reservation in zip(sorted(schedules, key=lambda p: p["ScheduleExpression"]), expected):
            assert props["ScheduleExpression"] == f"at({reservation.at.astimezone(UTC):%Y-%m-%dT%H:%M:%S})"
            assert props["ScheduleExpressionTimezone"] == "Etc/UTC"
            target = props["Target"]
            assert target["Arn"]["Fn::Join"][1][-1] == ":scheduler:::aws-sdk:elasticloadbalancingv2:modifyCapacityReservation"
            body = "".join(p if isinstance(p, str) else "<ALB>" for p in target["Input"]["Fn::Join"][1])
            if reservation.capacity_units:
                assert f'"MinimumLoadBalancerCapacity":{{"CapacityUnits":{reservation.capacity_units}}}' in body
            else:
                assert '"ResetCapacityReservation":true' in body
            assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 5}
        policies = [p for k, p in prod.resources(prod.cell(region), "AWS::IAM::Policy").items() if "AlbCapacity" in k]
        (statement,) = policies[0]["Properties"]["PolicyDocument"]["Statement"]
        assert statement["Action"] == "elasticloadbalancing:ModifyCapacityReservation"
        assert statement["Resource"]["Ref"].startswith("LoadBalancerAlb")


def test_decreases_respect_the_two_per_day_limit(prod) -> None:
    for region in prod.config.region_names:
        releases = [r.at.date() for r in prod.deployment.plan.alb_reservations(region) if r.capacity_units == 0]
        assert all(releases.count(day) <= 2 for day in releases)


def test_warm_throughput_is_sized_on_the_season(prod, dev) -> None:
    for synth in (prod, dev):
        (table,) = synth.resources(synth.data, "AWS::DynamoDB::GlobalTable").values()
        warm = synth.deployment.plan.season_warm_throughput
        assert table["Properties"]["WarmThroughput"] == {
            "ReadUnitsPerSecond": warm.read_units_per_second, "WriteUnitsPerSecond": warm.write_units_per_second}
    # The season (17 games) is larger than the 14-day window (2 games): reads are sized on the biggest game.
    season_peak = max(e.peak_viewers for e in prod.config.calendar.events)
    window_peak = max(e.peak_viewers for e in prod.deployment.plan.capacity.events)
    assert season_peak > window_peak
    assert prod.deployment.plan.season_warm_throughput.read_units_per_second > prod.deployment.plan.capacity.warm_throughput.read_units_per_second


def test_evacuated_cell_gets_no_pre_scaling_and_others_absorb_its_share(prod, evacuated) -> None:
    assert all(not a for a in _actions_by_service(evacuated, "us-east-2").values())
    assert not evacuated.resources(evacuated.cell("us-east-2"), "AWS::Scheduler::Schedule")
    base = prod.deployment.plan.target("us-east-1", "playback").peak_tasks
    assert evacuated.deployment.plan.target("us-east-1", "playback").peak_tasks > base


def test_doubleheader_windows_merge() -> None:
    config = load_config(REPO_ROOT / "config" / "prod.yaml")
    plan = build_deployment_plan(config, parse_plan_from("2026-12-24T00:00:00Z"))
    assert ("sat-2026-w17-early", "sat-2026-w17-late") in [w.event_ids for w in plan.capacity.windows]


def test_plan_from_context_moves_the_window() -> None:
    config = load_config(REPO_ROOT / "config" / "prod.yaml")
    later = build_deployment_plan(config, parse_plan_from("2026-12-09T00:00:00Z"))
    assert [w.event_ids for w in later.capacity.windows][0] == ("tnf-2026-w14",)
    with pytest.raises(ConfigError, match="no time zone"):
        parse_plan_from("2026-12-09T00:00:00")


def test_plan_that_exceeds_the_vcpu_quota_is_a_clear_error(write_config) -> None:
    data = config_data("prod")
    for region in data["regions"]:
        region["fargate_vcpu_quota"] = 500
    config = load_config(write_config(text=yaml.safe_dump(data), name="quota.yaml"))
    with pytest.raises(ConfigError) as caught:
        build_deployment_plan(config)
    message = str(caught.value)
    assert "cannot run" in message and "vCPU" in message and "500" in message and "Fix:" in message


CALENDAR_ERRORS = [
    ("naive-kickoff", {"kickoff": "2026-12-03T20:15:00"}, "events[0].kickoff", "has no time zone"),
    ("shares-not-one", {"region_share": {"us-east-1": 0.5, "us-east-2": 0.3, "us-west-2": 0.1}}, "events[0].region_share", "sum to 0.9"),
    ("unknown-region", {"region_share": {"us-east-1": 0.5, "eu-west-1": 0.5}}, "events[0].region_share.eu-west-1", "not a cell Region"),
    ("negative-peak", {"peak_viewers": -5}, "events[0].peak_viewers", "greater than 0"),
    ("typo", {"overtime_minute": 30}, "events[0].overtime_minute", "did you mean 'overtime_minutes'"),
]


@pytest.mark.parametrize(("case", "change", "field", "fragment"), CALENDAR_ERRORS, ids=[c[0] for c in CALENDAR_ERRORS])
def test_malformed_calendar_names_file_field_and_fix(write_config, tmp_path, case, change, field, fragment) -> None:
    calendar = yaml.safe_load((REPO_ROOT / "config" / "events" / "nfl-2026.yaml").read_text())
    calendar["events"][0].update(change)
    (tmp_path / "events").mkdir(exist_ok=True)
    (tmp_path / "events" / f"{case}.yaml").write_text(yaml.safe_dump(calendar, sort_keys=False))
    path = write_config("prod", {"scaling": {"calendar": f"events/{case}.yaml"}}, name=f"{case}-config.yaml")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert re.search(rf"{case}\.yaml:\d+: {re.escape(field)}: ", message), message
    assert fragment in message and "Fix: " in message


def test_duplicate_event_ids_are_rejected(write_config, tmp_path) -> None:
    calendar = yaml.safe_load((REPO_ROOT / "config" / "events" / "nfl-2026.yaml").read_text())
    calendar["events"][1]["id"] = calendar["events"][0]["id"]
    (tmp_path / "events").mkdir(exist_ok=True)
    (tmp_path / "events" / "dup.yaml").write_text(yaml.safe_dump(calendar, sort_keys=False))
    with pytest.raises(ConfigError, match=r"events\[1\]\.id: event ID 'tnf-2026-w02' is used twice"):
        load_config(write_config("prod", {"scaling": {"calendar": "events/dup.yaml"}}, name="dup-config.yaml"))


def test_plan_cli_prints_tables_and_writes_the_plot(tmp_path) -> None:
    png = tmp_path / "plan.png"
    result = subprocess.run([sys.executable, "-m", "kickoff", "plan", "--event", "tnf-2026-w13", "--png", str(png)],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for header in ("us-east-1 / api:", "us-west-2 / interactive:", "time (UTC)", "min tasks", "vCPU", "USD/h (ARM64)",
                   "ALB reservation (UTC)"):
        assert header in result.stdout
    assert png.stat().st_size > 20_000 and png.read_bytes()[:4] == b"\x89PNG"
