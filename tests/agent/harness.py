"""One cell Region in moto (in-process), set up as a deploy leaves it, for the capacity agent to run against.

What CloudFormation would have created: the ECS cluster and services, their scalable targets at the configured range,
the registration parameters, the forecast table, the schedule group, and (in the owner Region) the application table
for warm throughput. ``publish`` writes a forecast version as ``kickoff forecast publish`` does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import boto3

from e2e import moto_capacity as moto_patches
from kickoff import naming
from kickoff.agent.apply import Binding
from kickoff.agent.document import ForecastDocument, document_json
from kickoff.agent.handler import AgentEnvironment, RunResult, run
from kickoff.agent.registration import service_parameter, spec_parameter
from kickoff.agent.store import put_version
from kickoff.config.models import KickoffConfig
from kickoff.planning import capacity_spec, forecast_document

ACCOUNT = "123456789012"
CLIENTS = ("ssm", "dynamodb", "application-autoscaling", "elbv2", "scheduler", "ecs", "medialive")


def _at(schedule: str) -> datetime | None:
    if not schedule.startswith("at("):
        return None
    return datetime.fromisoformat(schedule[3:-1]).replace(tzinfo=UTC)


def resource_id(config: KickoffConfig, service: str) -> str:
    return f"service/{naming.environment_key(config.identity)}/{service}"


@dataclass
class Cell:
    config: KickoffConfig
    region: str
    clients: dict[str, Any]
    settings: AgentEnvironment

    def run(self, now: datetime, **kwargs: Any) -> RunResult:
        """Let AWS do what it does until ``now`` (``elapse``), then run the agent."""
        self.elapse(now)
        return run(now, self.clients, self.settings, **kwargs)

    def elapse(self, now: datetime) -> None:
        """What Application Auto Scaling and EventBridge Scheduler do by ``now`` (moto runs neither): each target
        takes the range of its latest one-time action due, and the latest reservation schedule due is applied."""
        aas = self.clients["application-autoscaling"]
        for service in self.config.services:
            due = [
                (at, a["ScalableTargetAction"])
                for a in self.actions(service.name).values()
                if (at := _at(a["Schedule"])) is not None and at <= now
            ]
            if due:
                action = max(due, key=lambda d: d[0])[1]
                aas.register_scalable_target(
                    ServiceNamespace="ecs",
                    ResourceId=resource_id(self.config, service.name),
                    ScalableDimension="ecs:service:DesiredCount",
                    MinCapacity=action["MinCapacity"],
                    MaxCapacity=action["MaxCapacity"],
                )
        due_schedules = [
            (at, json.loads(s["Target"]["Input"]), s["Name"])
            for s in self.reservation_schedules().values()
            if (at := _at(s["ScheduleExpression"])) is not None and at <= now
        ]
        for _when, body, name in sorted(due_schedules, key=lambda d: d[0]):
            self.clients["elbv2"].modify_capacity_reservation(**body)
            # ActionAfterCompletion DELETE: a schedule that ran is gone.
            self.clients["scheduler"].delete_schedule(GroupName=self.settings.binding.schedule_group, Name=name)

    def publish(self, document: ForecastDocument | dict[str, Any], version: int | None = None) -> None:
        data = document_json(document) if isinstance(document, ForecastDocument) else document
        put_version(self.clients["dynamodb"], self.settings.forecast_table, version or data["version"], data)

    def publish_config(self, config: KickoffConfig, version: int, at: datetime) -> ForecastDocument:
        document = forecast_document(config, version, at, "test")
        self.publish(document)
        return document

    def actions(self, service: str) -> dict[str, dict[str, Any]]:
        pages = (
            self.clients["application-autoscaling"]
            .get_paginator("describe_scheduled_actions")
            .paginate(ServiceNamespace="ecs", ResourceId=resource_id(self.config, service))
        )
        return {a["ScheduledActionName"]: a for page in pages for a in page["ScheduledActions"]}

    def range(self, service: str) -> tuple[int, int]:
        found = self.clients["application-autoscaling"].describe_scalable_targets(
            ServiceNamespace="ecs", ResourceIds=[resource_id(self.config, service)]
        )["ScalableTargets"][0]
        return found["MinCapacity"], found["MaxCapacity"]

    def reservation(self) -> int:
        found = self.clients["elbv2"].describe_capacity_reservation(
            LoadBalancerArn=self.settings.binding.load_balancer_arn
        )
        return found.get("MinimumLoadBalancerCapacity", {}).get("CapacityUnits", 0)

    def reservation_schedules(self) -> dict[str, dict[str, Any]]:
        scheduler = self.clients["scheduler"]
        group = self.settings.binding.schedule_group
        names = [s["Name"] for s in scheduler.list_schedules(GroupName=group)["Schedules"]]
        return {n: scheduler.get_schedule(GroupName=group, Name=n) for n in names}


def make_cell(config: KickoffConfig, region: str, *, warm_owner: bool = True) -> Cell:
    """Create the Region's resources in the active moto mock and return the cell."""
    moto_patches.install()
    clients = {name: boto3.client(name, region_name=region) for name in CLIENTS}
    key = naming.environment_key(config.identity)
    ecs = clients["ecs"]
    ecs.create_cluster(clusterName=key)
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "App", "image": "x", "memory": 512}])
    path = f"/kickoff/{key}/capacity"
    ssm = clients["ssm"]
    spec = capacity_spec(config)
    ssm.put_parameter(Name=f"{path}/spec", Value=spec_parameter(spec, key), Type="String", Tier="Advanced")
    for model, service in zip(spec.services, config.services, strict=True):
        ecs.create_service(cluster=key, serviceName=service.name, taskDefinition="app", desiredCount=service.min_tasks)
        clients["application-autoscaling"].register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=resource_id(config, service.name),
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=service.min_tasks,
            MaxCapacity=service.max_tasks,
        )
        ssm.put_parameter(
            Name=f"{path}/services/{service.name}",
            Value=json.dumps(service_parameter(model, resource_id(config, service.name))),
            Type="String",
        )
    table = f"{key}-forecast"
    clients["dynamodb"].create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "version", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "version", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    app_table = None
    if warm_owner:
        app_table = naming.table_name(config.identity)
        clients["dynamodb"].create_table(
            TableName=app_table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    group = f"{key}-capacity"
    clients["scheduler"].create_schedule_group(Name=group)
    binding = Binding(
        region=region,
        load_balancer_arn=f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:loadbalancer/app/{key}/0123456789abcdef",
        schedule_group=group,
        scheduler_role_arn=f"arn:aws:iam::{ACCOUNT}:role/{key}-{region}-reservations",
        dead_letter_arn=f"arn:aws:sqs:{region}:{ACCOUNT}:{key}-reservations-dlq",
        warm_throughput_table=app_table,
        live_channels=config.live is not None and region in config.live.ingest_regions,
    )
    settings = AgentEnvironment(key, region, path, table, binding)
    return Cell(config, region, clients, replace(settings))
