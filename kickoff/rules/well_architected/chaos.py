"""Reliability: every cell has its fault-injection experiments, each stopped by an alarm of that cell."""

from __future__ import annotations

from kickoff.rules.engine import Finding, Resource, TemplateView, references
from kickoff.rules.engine import props as _props
from kickoff.rules.well_architected.rule import Params, WaRule

FIS_TEMPLATE = "AWS::FIS::ExperimentTemplate"
ALARM_TYPES = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")


def _fault_injection(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    if resource["Type"] == FIS_TEMPLATE:
        alarms = {a for t in ALARM_TYPES for a in view.of_type(t)}
        stops = [
            s
            for s in _props(resource).get("StopConditions", [])
            if s.get("Source") == "aws:cloudwatch:alarm" and references(s.get("Value")) & alarms
        ]
        if stops:
            return []
        return [
            Finding(
                "StopCondition",
                "the experiment has no stop condition on an alarm of its own cell: nothing halts it when the cell "
                "is impaired",
            )
        ]
    if not params.fault_actions:
        return None
    present = {
        a.get("ActionId")
        for template in view.of_type(FIS_TEMPLATE).values()
        for a in _props(template).get("Actions", {}).values()
    }
    return [
        Finding(f"Action::{action}", f"the cell has no experiment template with {action}")
        for action in params.fault_actions
        if action not in present
    ]


FAULT_INJECTION_EXPERIMENTS = WaRule(
    "REL-FaultInjectionExperiments",
    "REL12-BP04",
    "Test resiliency using chaos engineering",
    "Every cell has its fault-injection experiments, each stopped by an alarm of that cell",
    "An untested failover is a hope. Each cell (its ECS cluster marks it) needs AWS FIS templates for losing an AZ's "
    "tasks, an AZ's network, the AZ behind its load balancer and replication, and every template needs a stop "
    "condition on an alarm in the same template, so an experiment ends when the cell it tests is impaired "
    "(fault_injection in config; docs/runbooks/game-day.md).",
    frozenset({"AWS::ECS::Cluster", FIS_TEMPLATE}),
    _fault_injection,
)


RULES: tuple[WaRule, ...] = (FAULT_INJECTION_EXPERIMENTS,)
