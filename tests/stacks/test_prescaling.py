"""Pre-scaling: the templates register every service with its Region's agent and hold no plan; the plan itself."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from kickoff import naming
from kickoff.agent.desired import planned_minimum
from kickoff.config import ConfigError, load_config
from kickoff.planning import build_deployment_plan, event_forecast, parse_plan_from, plan_params, service_models
from kickoff.scaling import PlanError, RegionModel, check_season
from kickoff.scaling.table import warm_throughput
from tests.support import CONFIG_DIR, PLAN_FROM, REPO_ROOT, config_data


def _targets(synth, region):
    return synth.resources(synth.cell(region), "AWS::ApplicationAutoScaling::ScalableTarget")


@pytest.mark.held_by("DR-ScalableTargetRegistered", "DR-ScheduleAfterDeployTime")
def test_every_service_is_registered_with_its_agent_and_no_schedule_is_compiled(prod) -> None:
    """The templates hold the agent, not the plan: each scalable target keeps its configured range and has no
    scheduled action; each service's load model, bounds and scalable target are registered under the agent's path."""
    path = naming.capacity_parameter_path(prod.config.identity)
    for region in prod.config.region_names:
        for logical_id, target in _targets(prod, region).items():
            service = next(s for s in prod.config.services if logical_id.startswith(s.name.capitalize()))
            assert "ScheduledActions" not in target["Properties"]
            assert (target["Properties"]["MinCapacity"], target["Properties"]["MaxCapacity"]) == (
                service.min_tasks,
                service.max_tasks,
            )
        parameters = {
            p["Properties"]["Name"]: p["Properties"]["Value"]
            for p in prod.resources(prod.cell(region), "AWS::SSM::Parameter").values()
        }
        assert set(parameters) == {f"{path}/spec"} | {f"{path}/services/{s.name}" for s in prod.config.services}
        spec = json.loads(parameters[f"{path}/spec"])
        assert spec["environment"] == naming.environment_key(prod.config.identity)
        assert spec["spec"]["routed"] == list(prod.config.routed_regions)
        for model in service_models(prod.config):
            registered = _resolved_json(parameters[f"{path}/services/{model.name}"])
            assert registered["service"]["rps_per_viewer"] == model.rps_per_viewer
            assert registered["service"]["max_tasks"] == model.max_tasks
            assert registered["resource_id"] == "<token>"


def _resolved_json(value):
    """A parameter value that ``Stack.to_json_string`` wrote (a string, or an Fn::Join with tokens) as JSON, each
    token read as ``<token>``."""
    if isinstance(value, str):
        return json.loads(value)
    parts = value["Fn::Join"][1]
    return json.loads("".join(p if isinstance(p, str) else "<token>" for p in parts))


def _agent_function(synth, region):
    functions = synth.resources(synth.cell(region), "AWS::Lambda::Function").values()
    (function,) = [
        f for f in functions if f["Properties"].get("FunctionName") == naming.capacity_agent_name(synth.config.identity)
    ]
    return function


@pytest.mark.not_a_rule(
    "the plan's numbers, which the agent applies at run time: the planner's property tests prove them"
)
def test_pre_scaling_raises_capacity_before_kickoff_and_holds_through_overtime(prod) -> None:
    steps = prod.deployment.plan.compiled_target("us-east-1", "playback").steps
    timeline = sorted((s.at.astimezone(UTC), s.min_tasks) for s in steps)
    event = next(e for e in prod.config.calendar.events if e.id == "black-friday-2026")
    kickoff = event.kickoff.astimezone(UTC)
    latest_end = kickoff + timedelta(minutes=event.duration_minutes + event.overtime_minutes)
    before = [m for t, m in timeline if t <= kickoff]
    during = [m for t, m in timeline if kickoff < t < latest_end]
    assert before[-1] >= 0.5 * max(during), "most of the peak capacity is in place at kickoff"
    step_downs = [t for t, m in timeline if kickoff < t and m <= 50]
    assert step_downs and min(step_downs) >= latest_end, "the step down never comes before end + overtime"


@pytest.mark.held_by("WA-REL-EcsServiceTargetTracking")
def test_target_tracking_stays_on_top_of_the_schedule(prod) -> None:
    policies = prod.resources(prod.cell("us-east-1"), "AWS::ApplicationAutoScaling::ScalingPolicy")
    assert len(policies) == 2 * len(prod.config.services)


@pytest.mark.held_by("DR-ScheduleAfterDeployTime", "WA-SEC-IamServiceRoleSourceCondition")
def test_the_reservation_role_and_the_agents_run_are_all_the_schedules_a_cell_holds(prod) -> None:
    for region in prod.config.region_names:
        (schedule,) = [s["Properties"] for s in prod.resources(prod.cell(region), "AWS::Scheduler::Schedule").values()]
        assert schedule["ScheduleExpression"] == f"rate({prod.config.scaling.agent.rate_minutes} minutes)"
        policies = [p for k, p in prod.resources(prod.cell(region), "AWS::IAM::Policy").items() if "AlbCapacity" in k]
        # The role the agent's reservation schedules run with may change this load balancer's reservation, and
        # send what failed to its dead-letter queue.
        statements = {
            a: s["Resource"]
            for s in policies[0]["Properties"]["PolicyDocument"]["Statement"]
            for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        }
        assert statements["elasticloadbalancing:ModifyCapacityReservation"]["Ref"].startswith("LoadBalancerAlb")
        assert statements["sqs:SendMessage"]["Fn::GetAtt"][0].startswith("AlbCapacityDeadLetters")
        assert set(statements) <= {
            "elasticloadbalancing:ModifyCapacityReservation",
            "sqs:SendMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
        }


@pytest.mark.not_a_rule(
    "the plan's numbers, which the agent applies at run time: the planner's property tests prove them"
)
def test_decreases_respect_the_two_per_day_limit(prod) -> None:
    for region in prod.config.region_names:
        releases = [r.at.date() for r in prod.deployment.plan.alb_reservations(region) if r.capacity_units == 0]
        assert all(releases.count(day) <= 2 for day in releases)


def _app_table(synth):
    tables = synth.resources(synth.data, "AWS::DynamoDB::GlobalTable").values()
    (table,) = [t for t in tables if t["Properties"]["TableName"] == naming.table_name(synth.config.identity)]
    return table


@pytest.mark.held_by("DR-DynamoWarmThroughputAboveBaseline", "DR-QuotaWithinDeclared")
def test_warm_throughput_is_sized_on_the_season_and_left_to_the_primary_regions_agent(prod) -> None:
    assert "WarmThroughput" not in _app_table(prod)["Properties"]
    for region in prod.config.region_names:
        function = _agent_function(prod, region)
        binding = _resolved_json(function["Properties"]["Environment"]["Variables"]["KICKOFF_BINDING"])
        owner = region == prod.config.primary_region
        assert binding.get("warm_throughput_table") == (naming.table_name(prod.config.identity) if owner else None)
    warm = prod.deployment.plan.table_warm_throughput
    # The season (17 games) is larger than the 14-day window (2 games): reads are sized on the biggest game.
    season_peak = max(e.peak_viewers for e in prod.config.calendar.events)
    window_peak = max(e.peak_viewers for e in prod.deployment.plan.capacity.events)
    assert season_peak > window_peak
    capacity = prod.deployment.plan.capacity
    window_only = warm_throughput(
        capacity.windows,
        capacity.events,
        capacity.baseline,
        capacity.services,
        [r.name for r in capacity.regions],
        capacity.params,
    )
    assert warm.read_units_per_second > window_only.read_units_per_second
    # Within the declared table-level quotas of every replica Region.
    for region in prod.config.regions:
        assert warm.read_units_per_second <= region.quotas.dynamodb_table_read_units
        assert warm.write_units_per_second <= region.quotas.dynamodb_table_write_units


@pytest.mark.held_by("DR-DynamoWarmThroughputAboveBaseline")
def test_no_warm_throughput_below_what_a_new_on_demand_table_has(dev) -> None:
    """dev's season needs a few hundred units/s; a new on-demand table already sustains 12,000 / 4,000."""
    assert "WarmThroughput" not in _app_table(dev)["Properties"]
    assert dev.deployment.plan.table_warm_throughput is None


def test_warm_throughput_over_the_table_quota_is_a_config_error(write_config) -> None:
    data = config_data("prod")
    for region in data["regions"]:
        region["quotas"] = {**region["quotas"], "dynamodb_table_read_units": 40000}
    config = load_config(write_config(text=yaml.safe_dump(data), name="table-quota.yaml"))
    with pytest.raises(ConfigError) as caught:
        build_deployment_plan(config, PLAN_FROM)
    message = str(caught.value)
    # The file, the line and the field of the quota, the Region, the need and the quota code.
    assert re.search(
        r"table-quota\.yaml:\d+: regions\[0\]\.quotas\.dynamodb_table_read_units: \(us-east-1\) "
        r"the season needs 645,705 table read units/s",
        message,
    ), message
    assert "declared table-level read quota of 40,000 (L-CF0CBE56)" in message
    assert "Fix: request the increases in Service Quotas" in message


def test_alb_reservation_over_the_lcu_quota_is_a_config_error(write_config) -> None:
    """AWS's default per-Region LCU reservation quota is 0: a plan with reservations needs it raised."""
    data = config_data("prod")
    for region in data["regions"]:
        region["quotas"] = {k: v for k, v in region["quotas"].items() if not k.startswith("alb_reserved_")}
    config = load_config(write_config(text=yaml.safe_dump(data), name="lcu-quota.yaml"))
    with pytest.raises(ConfigError) as caught:
        build_deployment_plan(config, PLAN_FROM)
    message = str(caught.value)
    assert re.search(
        r"lcu-quota\.yaml:\d+: regions\[0\]\.quotas\.alb_reserved_lcu_per_region: \(us-east-1\) "
        r"the plan reserves",
        message,
    ), message
    assert "above the declared quota of 0 (L-8A66D0E6)" in message


@pytest.mark.not_a_rule("the plan's shares (config and plan objects), not a template")
def test_evacuated_cell_gets_no_pre_scaling_and_others_absorb_its_share(prod, evacuated) -> None:
    path = naming.capacity_parameter_path(evacuated.config.identity)
    (spec,) = [
        p["Properties"]["Value"]
        for p in evacuated.resources(evacuated.cell("us-east-2"), "AWS::SSM::Parameter").values()
        if p["Properties"]["Name"] == f"{path}/spec"
    ]
    assert "us-east-2" not in json.loads(spec)["spec"]["routed"]
    assert evacuated.deployment.plan.target("us-east-2", "playback") is None
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
    """2,700 vCPU still carries every peak with a cell lost (the config check), but not the scheduled peak."""
    data = config_data("prod")
    for region in data["regions"]:
        region["quotas"] = {**region["quotas"], "fargate_vcpu": 2700}
    config = load_config(write_config(text=yaml.safe_dump(data), name="quota.yaml"))
    with pytest.raises(ConfigError) as caught:
        build_deployment_plan(config, PLAN_FROM)
    message = str(caught.value)
    assert "cannot run" in message and "vCPU" in message and "2,700" in message and "Fix:" in message
    assert re.search(r"quota\.yaml:\d+: regions\[0\]\.quotas\.fargate_vcpu: plan: region us-east-1 needs", message), (
        message
    )


CALENDAR_ERRORS = [
    ("naive-kickoff", {"kickoff": "2026-12-03T20:15:00"}, "events[0].kickoff", "has no time zone"),
    (
        "shares-not-one",
        {"region_share": {"us-east-1": 0.5, "us-east-2": 0.3, "us-west-2": 0.1}},
        "events[0].region_share",
        "sum to 0.9",
    ),
    (
        "unknown-region",
        {"region_share": {"us-east-1": 0.5, "eu-west-1": 0.5}},
        "events[0].region_share.eu-west-1",
        "not a cell Region",
    ),
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
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kickoff",
            "plan",
            "-c",
            "plan_from=2026-11-26T00:00:00Z",
            "--event",
            "tnf-2026-w13",
            "--png",
            str(png),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for header in (
        "us-east-1 / api:",
        "us-west-2 / interactive:",
        "time (UTC)",
        "min tasks",
        "vCPU",
        "USD/h (ARM64)",
        "ALB reservation (UTC)",
    ):
        assert header in result.stdout
    assert png.stat().st_size > 20_000 and png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.held_by("DR-RetainedNameRebuildable", "WA-SEC-IamServiceRoleSourceCondition")
def test_alb_capacity_schedules_are_rebuildable_and_scoped(prod) -> None:
    """The schedule group is deleted with the stack (a rebuilt cell can create it again), and its role may be
    assumed only for this account's group."""
    name = prod.cell("us-east-1")
    ((group_id, group),) = prod.resources(name, "AWS::Scheduler::ScheduleGroup").items()
    assert group["DeletionPolicy"] == "Delete"
    (role,) = [r for k, r in prod.resources(name, "AWS::IAM::Role").items() if k.startswith("AlbCapacityRole")]
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": prod.config.account}
    assert statement["Condition"]["ArnEquals"] == {"aws:SourceArn": {"Fn::GetAtt": [group_id, "Arn"]}}


def _season_with(tmp_path, event_id: str, **changes) -> None:
    calendar = yaml.safe_load((CONFIG_DIR / "events" / "nfl-2026.yaml").read_text())
    next(e for e in calendar["events"] if e["id"] == event_id).update(changes)
    (tmp_path / "events").mkdir(exist_ok=True)
    (tmp_path / "events" / "season.yaml").write_text(yaml.safe_dump(calendar, sort_keys=False))


def test_a_season_event_beyond_the_horizon_the_cells_cannot_carry_is_refused_now(tmp_path, write_config) -> None:
    """The plan compiles 14 days, but every event of the calendar is checked with N-1 and its re-arrival surge:
    a game the cells cannot carry is refused at the first synth that sees it, weeks ahead."""
    _season_with(tmp_path, "sat-2026-w17-late", peak_viewers=44_000_000)
    overrides = {"scaling": {"calendar": "events/season.yaml", "warm_throughput": False}}
    config = load_config(write_config(overrides=overrides, name="season.yaml"))
    with pytest.raises(ConfigError) as caught:
        build_deployment_plan(config, PLAN_FROM)
    message = str(caught.value)
    assert re.search(
        r"season\.yaml:\d+: services\[1\]\.max_tasks: event sat-2026-w17-early\+sat-2026-w17-late", message
    )
    assert "but max_tasks is" in message and "events/season.yaml" in message
    assert "before the event enters the planning horizon" in message


def test_the_season_is_checked_on_the_cells_as_designed_not_the_evacuation(tmp_path, write_config) -> None:
    """An evacuation is temporary: a deploy during it is not refused for a game weeks away that two cells could
    not carry (the horizon's plan, which does carry the evacuation, is checked as before)."""
    _season_with(tmp_path, "sat-2026-w17-late", peak_viewers=24_000_000)
    overrides = {"scaling": {"calendar": "events/season.yaml", "warm_throughput": False}}
    whole = load_config(write_config(overrides=overrides, name="whole.yaml"))
    build_deployment_plan(whole, PLAN_FROM)
    data = yaml.safe_load((tmp_path / "whole.yaml").read_text())
    next(r for r in data["regions"] if r["name"] == "us-east-2")["evacuate"] = True
    evacuated = load_config(write_config(text=yaml.safe_dump(data), name="evacuated.yaml"))
    with pytest.raises(PlanError):
        check_season(
            [event_forecast(evacuated, e) for e in evacuated.calendar.events],
            service_models(evacuated),
            [RegionModel(r, evacuated.region(r).quotas.fargate_vcpu) for r in evacuated.routed_regions],
            plan_params(evacuated),
        )
    build_deployment_plan(evacuated, PLAN_FROM)


def test_the_running_below_plan_level_spans_a_flex_window(tmp_path, write_config) -> None:
    """The plan ramps for the earliest kickoff and holds through the latest: the minimum the agent publishes for the
    "running below plan" alarm spans both."""
    _season_with(
        tmp_path,
        "tnf-2026-w13",
        earliest_kickoff="2026-12-03T19:30:00-05:00",
        latest_kickoff="2026-12-03T21:00:00-05:00",
    )
    config = load_config(write_config(overrides={"scaling": {"calendar": "events/season.yaml"}}, name="flex.yaml"))
    plan = build_deployment_plan(config, PLAN_FROM)
    earliest = datetime(2026, 12, 4, 0, 30, tzinfo=UTC)
    latest_end = datetime(2026, 12, 4, 2, 0, tzinfo=UTC) + timedelta(minutes=190)
    target = plan.capacity.target("us-east-1", "playback")
    held = target.lowest_min_between(earliest, latest_end)
    assert held > target.default_min
    for at in (earliest, earliest + timedelta(minutes=90), latest_end):
        assert planned_minimum(plan, "us-east-1", "playback", at) == held
    assert planned_minimum(plan, "us-east-1", "playback", latest_end + timedelta(minutes=1)) == 0


def test_n_minus_1_sized_past_an_events_band_is_refused(write_config) -> None:
    """Sized on the expected audience at 85%, the survivors would run at 106% at the top of Black Friday's
    +/-25% band with a Region failed: the config is refused, naming the field, the event and the bound."""
    config = load_config(write_config(overrides={"scaling": {"n_minus_1_utilization": 0.85}}, name="hot.yaml"))
    with pytest.raises(ConfigError) as caught:
        build_deployment_plan(config, PLAN_FROM)
    message = str(caught.value)
    assert re.search(r"hot\.yaml:\d+: scaling\.n_minus_1_utilization: 0\.85 sizes N-1", message), message
    assert "black-friday-2026" in message and "106%" in message and "at most 0.80" in message
    product = {"scaling": {"n_minus_1_utilization": 0.85, "band_combination": "product"}}
    build_deployment_plan(load_config(write_config(overrides=product, name="product.yaml")), PLAN_FROM)
