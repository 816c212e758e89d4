"""Operational excellence: failed deployments roll back, and every cluster reports its telemetry."""

from __future__ import annotations

from kickoff.rules.engine import Finding, Resource, TemplateView
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


RULES: tuple[WaRule, ...] = (
    ECS_DEPLOYMENT_CIRCUIT_BREAKER,
    ECS_CLUSTER_CONTAINER_INSIGHTS,
)
