"""A forecast published to the moto server reaches every dev cell's scheduled actions without deploying a stack.

After the session's deploy (``e2e.harness``), the test publishes a forecast with ``python -m kickoff forecast
publish`` (a subprocess, as an operator or the pipeline runs it), then runs each Region's agent handler in-process
against the server with the settings read from the deployed function, and reads the scheduled actions back with
describe calls. What moto does not do is done here and named:

- its CloudFormation skips ``AWS::ApplicationAutoScaling::ScalableTarget`` and ``AWS::DynamoDB::GlobalTable``
  (``SKIPPED_TYPES``): each cell's scalable targets are registered with the template's range, and the forecast
  table is created in every cell Region with the template's keys;
- it does not replicate a global table: the published item is copied to the other Regions' tables;
- it cannot run the Lambda function (no container runtime), so the nudge is not sent (``--no-nudge``) and the
  handler runs in this process, with the environment variables the deployed function holds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from e2e import harness as h
from e2e.harness import CELL_REGIONS, CONFIG, ROOT, Deployment
from kickoff import naming
from kickoff.agent.handler import AgentEnvironment, run
from kickoff.agent.store import FORECAST_KEY
from kickoff.config import load_config
from kickoff.planning import build_deployment_plan


def _config_with_an_event_tomorrow(tmp_path: Path) -> Path:
    """dev's config and calendar, the rehearsal moved to tomorrow 18:00 UTC (dev's own lies in the past)."""
    data = yaml.safe_load((ROOT / "config" / "dev.yaml").read_text())
    calendar = yaml.safe_load((ROOT / "config" / data["scaling"]["calendar"]).read_text())
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    calendar["events"][0]["kickoff"] = tomorrow.isoformat().replace("+00:00", "Z")
    (tmp_path / "events").mkdir()
    (tmp_path / data["scaling"]["calendar"]).write_text(yaml.safe_dump(calendar, sort_keys=False))
    path = tmp_path / "dev.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _what_moto_skips(deployment: Deployment) -> None:
    """The scalable targets and the forecast table replicas, as the templates declare them."""
    for region in CELL_REGIONS:
        cluster = naming.cluster_name(CONFIG.identity)
        aas = deployment.client("application-autoscaling", region)
        for service in CONFIG.services:
            name = _service_name(deployment, region, service.name)
            aas.register_scalable_target(
                ServiceNamespace="ecs",
                ResourceId=f"service/{cluster}/{name}",
                ScalableDimension="ecs:service:DesiredCount",
                MinCapacity=service.min_tasks,
                MaxCapacity=service.max_tasks,
            )
        deployment.client("dynamodb", region).create_table(
            TableName=naming.forecast_table_name(CONFIG.identity),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "version", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "version", "AttributeType": "N"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )


def _replicate(deployment: Deployment) -> None:
    table = naming.forecast_table_name(CONFIG.identity)
    items = deployment.client("dynamodb", CONFIG.primary_region).scan(TableName=table)["Items"]
    for region in CELL_REGIONS:
        if region != CONFIG.primary_region:
            for item in items:
                deployment.client("dynamodb", region).put_item(TableName=table, Item=item)


def test_a_published_forecast_reaches_every_cells_scheduled_actions(
    deployment: Deployment, tmp_path: Path, cli_seconds: dict[str, float]
) -> None:
    _what_moto_skips(deployment)
    config_path = _config_with_an_event_tomorrow(tmp_path)
    started = time.monotonic()
    published = subprocess.run(
        [sys.executable, "-m", "kickoff", "forecast", "publish", "--no-nudge", "-c", f"config={config_path}"],
        cwd=ROOT,
        env=h.fake_aws_env(deployment.endpoint),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert published.returncode == 0, published.stdout + published.stderr
    assert "published version 1" in published.stdout
    _replicate(deployment)
    now = datetime.now(UTC)
    for region in CELL_REGIONS:
        function = deployment.client("lambda", region).get_function_configuration(
            FunctionName=naming.capacity_agent_name(CONFIG.identity)
        )
        assert function["Runtime"] == "python3.14"
        # moto's CloudFormation model drops Architectures (it answers x86_64): the template says what deploys.
        (declared,) = [
            r["Properties"]
            for r in h.template(h.cell(region))["Resources"].values()
            if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("FunctionName") == function["FunctionName"]
        ]
        assert declared["Architectures"] == ["arm64"]
        settings = AgentEnvironment.from_env(function["Environment"]["Variables"])
        clients = {
            name: deployment.client(name, region)
            for name in ("ssm", "dynamodb", "application-autoscaling", "elbv2", "scheduler", "medialive")
        }
        result = run(now, clients, settings)
        assert result.success, (region, result.problems, result.report.errors, result.report.drift)
        assert result.version == 1
    cli_seconds["publish-to-actions"] = time.monotonic() - started
    plan = build_deployment_plan(load_config(config_path), now)
    aas_of = {region: deployment.client("application-autoscaling", region) for region in CELL_REGIONS}
    for region in CELL_REGIONS:
        actions = aas_of[region].describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"]
        for service in CONFIG.services:
            mine = sorted(
                (a["Schedule"], a["ScalableTargetAction"]["MinCapacity"])
                for a in actions
                if a["ResourceId"].endswith(f"/{_service_name(deployment, region, service.name)}")
            )
            compiled = plan.compiled_target(region, service.name)
            assert mine == sorted((s.expression, s.min_tasks) for s in compiled.steps), (region, service.name)
            assert mine, f"{region}/{service.name}: nothing scheduled for tomorrow's event"
    status = deployment.client("dynamodb", CONFIG.primary_region).get_item(
        TableName=naming.forecast_table_name(CONFIG.identity),
        Key={"pk": {"S": f"applied#{CONFIG.primary_region}"}, "version": {"N": "0"}},
    )
    assert json.loads(status["Item"]["status"]["S"])["version"] == 1
    assert FORECAST_KEY == "forecast"
    _the_agent_starts_and_stops_the_live_channel(deployment, load_config(config_path))


def _the_agent_starts_and_stops_the_live_channel(deployment: Deployment, config) -> None:
    """The deployed channel (moto's record, e2e.moto_media) is started inside its run and stopped after it."""
    (channel,) = config.live.channels
    (region,) = channel.ingest_regions
    event = config.calendar.events[0]
    function = deployment.client("lambda", region).get_function_configuration(
        FunctionName=naming.capacity_agent_name(CONFIG.identity)
    )
    settings = AgentEnvironment.from_env(function["Environment"]["Variables"])
    assert settings.binding.live_channels
    clients = {
        name: deployment.client(name, region)
        for name in ("ssm", "dynamodb", "application-autoscaling", "elbv2", "scheduler", "medialive")
    }
    medialive = clients["medialive"]
    (found,) = [
        c
        for c in medialive.list_channels()["Channels"]
        if c["Name"] == naming.live_resource_name(CONFIG.identity, channel.name)
    ]
    assert medialive.describe_channel(ChannelId=found["Id"])["State"] == "IDLE"
    inside = event.kickoff - timedelta(minutes=channel.start_lead_minutes - 5)
    started = run(inside, clients, settings)
    assert [(w.kind, w.resource) for w in started.channels.writes] == [("channel-start", found["Id"])]
    assert medialive.describe_channel(ChannelId=found["Id"])["State"] == "RUNNING"
    after = event.kickoff + timedelta(
        minutes=event.duration_minutes + event.overtime_minutes + channel.stop_delay_minutes + 5
    )
    stopped = run(after, clients, settings)
    assert [w.kind for w in stopped.channels.writes] == ["channel-stop"]
    assert medialive.describe_channel(ChannelId=found["Id"])["State"] == "IDLE"


def _service_name(deployment: Deployment, region: str, service: str) -> str:
    arns = deployment.client("ecs", region).list_services(cluster=naming.cluster_name(CONFIG.identity))["serviceArns"]
    names = [arn.rsplit("/", 1)[1] for arn in arns]
    return next(n for n in names if service.capitalize() in n or service in n)


def test_the_registration_parameters_are_deployed(deployment: Deployment) -> None:
    path = naming.capacity_parameter_path(CONFIG.identity)
    for region in CELL_REGIONS:
        found = deployment.client("ssm", region).get_parameters_by_path(Path=path, Recursive=True)["Parameters"]
        channels = {f"{path}/channels/{c.name}" for c in CONFIG.live.channels_in(region)}
        assert {p["Name"] for p in found} == {f"{path}/spec"} | {
            f"{path}/services/{s.name}" for s in CONFIG.services
        } | channels
