"""Every log group a template creates has a writer.

A log group nothing writes to costs a key grant, a retention setting and a review line, and worse, it is where an
operator looks for logs that went elsewhere. The classic case: every ``AwsCustomResource`` of a stack runs in one
shared provider function, which logs only to the group the first of them was given, so the groups given to the
others stay empty. A writer is a resource that names the group (a function's logging configuration, a task
definition's log driver, a fault-injection template, a web ACL's logging configuration, a flow log, a query log
config), by reference or by an ARN built from the group's own name, or a function whose default group
(``/aws/lambda/<name>``) the group's literal name is. Policies, alarms, filters and dashboards only read or grant.
"""

from __future__ import annotations

import json

from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props, references
from kickoff.rules.readiness.context import Readiness
from kickoff.rules.readiness.rule import ReadinessRule

LOG_GROUP = "AWS::Logs::LogGroup"
# Types that name a log group to grant on it, read it or watch it: never a writer.
NOT_WRITERS = frozenset(
    {
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::Role",
        "AWS::KMS::Key",
        "AWS::Logs::MetricFilter",
        "AWS::Logs::SubscriptionFilter",
        "AWS::Logs::QueryDefinition",
        "AWS::CloudWatch::Alarm",
        "AWS::CloudWatch::Dashboard",
        LOG_GROUP,
    }
)


def _default_group_of_function(name: str | None, view: TemplateView) -> bool:
    if not name or not name.startswith("/aws/lambda/"):
        return False
    wanted = name.removeprefix("/aws/lambda/")
    return any(
        literal(props(f).get("FunctionName"), view) == wanted for f in view.of_type("AWS::Lambda::Function").values()
    )


def _written(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding]:
    # A writer names the group by reference, or builds its ARN from the group's own name expression.
    name = props(resource).get("LogGroupName")
    spelled = json.dumps(name, sort_keys=True) if name is not None else None
    for other_id, other in view.resources.items():
        if other_id == logical_id or other.get("Type") in NOT_WRITERS:
            continue
        if logical_id in references(other.get("Properties")):
            return []
        if spelled and spelled in json.dumps(other.get("Properties"), sort_keys=True):
            return []
    if _default_group_of_function(literal(props(resource).get("LogGroupName"), view), view):
        return []
    return [
        Finding(
            "",
            "nothing in the stack writes to this log group: no function, task, experiment or logging "
            "configuration names it",
        )
    ]


LOG_GROUP_WRITTEN = ReadinessRule(
    "LogGroupHasWriter",
    "Every log group has a writer in its stack: a function, task definition, experiment or logging configuration "
    "that names it",
    "Give the writer this group, or remove the group. The AwsCustomResource constructs of one stack share one "
    "provider function: give them all the stack's one custom-resource log group (custom_resource_log_group).",
    "CDK custom_resources: AwsCustomResource runs in a singleton provider function per stack; CloudWatch Logs "
    "receives only what a writer sends to the group it names",
    frozenset({LOG_GROUP}),
    _written,
)

RULES: tuple[ReadinessRule, ...] = (LOG_GROUP_WRITTEN,)
