"""Operational excellence: failed deployments roll back, every cluster reports its telemetry, and every
service, load balancer and table replica has an alarm that reaches people."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, literal, references
from kickoff.rules.engine import props as _props
from kickoff.rules.well_architected.rule import Params, WaRule


def _circuit_breaker(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    props = _props(resource)
    if (props.get("DeploymentController") or {}).get("Type") in ("CODE_DEPLOY", "EXTERNAL"):
        return None
    breaker = (props.get("DeploymentConfiguration") or {}).get("DeploymentCircuitBreaker") or {}
    return (
        []
        if breaker.get("Enable") is True and breaker.get("Rollback") is True
        else [Finding("", "the deployment circuit breaker with rollback is off")]
    )


ECS_DEPLOYMENT_CIRCUIT_BREAKER = WaRule(
    "OPS-EcsDeploymentCircuitBreaker",
    "OPS06-BP04",
    "Automate testing and rollback",
    "ECS services roll back failed deployments automatically",
    "A bad image or config otherwise keeps replacing tasks until a human notices. Enable the circuit breaker with "
    "rollback.",
    frozenset({"AWS::ECS::Service"}),
    _circuit_breaker,
)


def _container_insights(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    settings = {s.get("Name"): s.get("Value") for s in _props(resource).get("ClusterSettings", [])}
    return (
        []
        if settings.get("containerInsights") in ("enabled", "enhanced")
        else [Finding("", "Container Insights is off")]
    )


ECS_CLUSTER_CONTAINER_INSIGHTS = WaRule(
    "OPS-EcsClusterContainerInsights",
    "OPS04-BP02",
    "Implement application telemetry",
    "Container Insights is on for every ECS cluster",
    "Task- and service-level CPU, memory and network metrics are needed to compare cells and tune scaling. Enable it.",
    frozenset({"AWS::ECS::Cluster"}),
    _container_insights,
)


ALARM_TYPES = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")


def _acts(resource: Resource) -> bool:
    p = _props(resource)
    return bool(p.get("AlarmActions")) and p.get("ActionsEnabled", True) is not False


def _alarm_dimensions(resource: Resource) -> Iterator[dict[str, Any]]:
    """Every dimension (Name, Value) an alarm reads, whether one metric or a metric math alarm's metrics."""
    p = _props(resource)
    yield from p.get("Dimensions", [])
    for query in p.get("Metrics", []):
        yield from ((query.get("MetricStat") or {}).get("Metric") or {}).get("Dimensions", [])


def alarm_index(views: Iterable[TemplateView]) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """What the alarms with an action read, from one pass over every template: per template file, the logical
    IDs of their dimensions' Ref/GetAtt; per Region, the literal ``TableName`` dimensions (a table's replicas
    are watched from the cells' templates, not the table's)."""
    watched: dict[str, set[str]] = {}
    tables: dict[str, set[str]] = {}
    for view in views:
        ids = watched.setdefault(view.file, set())
        for resource in view.of_type("AWS::CloudWatch::Alarm").values():
            if not _acts(resource):
                continue
            for dimension in _alarm_dimensions(resource):
                ids |= references(dimension.get("Value"))
                if dimension.get("Name") == "TableName" and (name := literal(dimension.get("Value"), view)):
                    tables.setdefault(view.region, set()).add(name)
    return (
        {file: frozenset(ids) for file, ids in watched.items()},
        {region: frozenset(names) for region, names in tables.items()},
    )


def _alarmed(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    if resource["Type"] == "AWS::DynamoDB::GlobalTable":
        name = literal(_props(resource).get("TableName"), view)
        if name is None:
            return None
        regions = [r.get("Region") for r in _props(resource).get("Replicas", [])]
        return [
            Finding(f"[Replica::{region}]", f"no alarm with an action watches the replica in {region}")
            for region in regions
            if name not in params.alarmed_tables.get(region, frozenset())
        ]
    if logical_id in params.alarmed_ids.get(view.file, frozenset()):
        return []
    return [Finding("", "no alarm with an action reads a metric of it")]


ALARMED_RESOURCES = WaRule(
    "OPS-AlarmedResources",
    "OPS08-BP04",
    "Create actionable alerts",
    "Every ECS service, load balancer and table replica has an alarm with an action",
    "A failure nobody is told about lasts until a viewer complains. Add an alarm on one of its metrics (the cell "
    "monitoring does) whose action notifies the Region's alarm topic.",
    frozenset({"AWS::ECS::Service", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::DynamoDB::GlobalTable"}),
    _alarmed,
)


def _notifies(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    return [] if _acts(resource) else [Finding("", "the alarm has no action (or its actions are disabled)")]


ALARM_HAS_ACTION = WaRule(
    "OPS-AlarmHasAction",
    "OPS08-BP04",
    "Create actionable alerts",
    "Every alarm has an action",
    "An alarm without an action changes state in a console nobody watches. Give it the Region's alarm topic "
    "(or the action the alarm exists for).",
    frozenset(ALARM_TYPES),
    _notifies,
)


RULES: tuple[WaRule, ...] = (
    ECS_DEPLOYMENT_CIRCUIT_BREAKER,
    ECS_CLUSTER_CONTAINER_INSIGHTS,
    ALARMED_RESOURCES,
    ALARM_HAS_ACTION,
)
