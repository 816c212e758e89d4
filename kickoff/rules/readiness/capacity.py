"""Capacity in the templates and the account's quotas.

- No at() schedule or scheduled action in a template lies before the time the checks plan for: AWS rejects ones in
  the past (the templates hold none; the capacity agent writes them at run time).
- Every ECS scalable target is registered with its Region's capacity agent.
- What a plan needs stays within the quotas the config declares for each Region.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, props, references, tags
from kickoff.rules.readiness.context import Readiness, parse_at, parse_time
from kickoff.rules.readiness.rule import ReadinessRule
from kickoff.scaling.spec import ON_DEMAND_BASELINE_READS, ON_DEMAND_BASELINE_WRITES

SCALABLE_TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"


def ecs_service(view: TemplateView, target: Resource) -> tuple[str, Resource] | None:
    p = props(target)
    if p.get("ScalableDimension") != "ecs:service:DesiredCount":
        return None
    for logical_id in references(p.get("ResourceId")):
        resource = view.resources.get(logical_id)
        if resource and resource["Type"] == "AWS::ECS::Service":
            return logical_id, resource
    return None


def service_name(view: TemplateView, target: Resource) -> str | None:
    found = ecs_service(view, target)
    name = tags(props(found[1]).get("Tags")).get("service") if found else None
    return name if isinstance(name, str) else None


def task_vcpu(view: TemplateView, service: Resource) -> float | None:
    for logical_id in references(props(service).get("TaskDefinition")):
        task = view.resources.get(logical_id)
        if task and task["Type"] == "AWS::ECS::TaskDefinition":
            try:
                return int(props(task).get("Cpu")) / 1024
            except (TypeError, ValueError):
                return None
    return None


def _when(action: dict[str, Any]) -> datetime | None:
    """When a scheduled action first takes effect: its at() time, or a cron's StartTime."""
    return parse_at(action.get("Schedule")) or parse_time(action.get("StartTime"))


# --- schedules after the deploy -----------------------------------------------------------


def _after_deploy(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    earliest = readiness.params.earliest_action
    p = props(resource)
    if resource["Type"] == SCALABLE_TARGET:
        actions = p.get("ScheduledActions") or []
        if not actions:
            return None
        late = [
            (a.get("ScheduledActionName", "?"), when)
            for a in actions
            if (when := _when(a)) is not None and when < earliest
        ]
    else:
        when = parse_at(p.get("ScheduleExpression")) or parse_time(p.get("StartDate"))
        if when is None:
            return []
        late = [(logical_id, when)] if when < earliest else []
    return [
        Finding(
            f"Schedule::{name}",
            f"{name} takes effect at {when:%Y-%m-%dT%H:%MZ}, before {earliest:%Y-%m-%dT%H:%MZ} "
            f"(deploy time {readiness.params.deploy_time:%Y-%m-%dT%H:%MZ} + margin)",
        )
        for name, when in late
    ]


SCHEDULE_AFTER_DEPLOY = ReadinessRule(
    "ScheduleAfterDeployTime",
    "No at() schedule, scheduled action or reservation takes effect before the template can be deployed",
    "Synthesize for the actual deploy time: omit -c plan_from (it defaults to now) or pass the time of the deploy. "
    "Steps due before the deploy margin are rendered into the range written at deploy time instead.",
    "Application Auto Scaling and EventBridge Scheduler reject schedules in the past (docs/decisions/0008)",
    frozenset({SCALABLE_TARGET, "AWS::Scheduler::Schedule"}),
    _after_deploy,
)


# --- every scalable target registered with the capacity agent ------------------------------------


def _registered(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    params = readiness.params
    found = ecs_service(view, resource)
    if found is None or params.registry_path is None or view.region not in params.planned_regions:
        return None
    prefix = f"{params.registry_path}/services/"
    for parameter in view.of_type("AWS::SSM::Parameter").values():
        p = props(parameter)
        name = p.get("Name")
        if isinstance(name, str) and name.startswith(prefix) and found[0] in references(p.get("Value")):
            return []
    return [
        Finding(
            "",
            f"the scalable target of {service_name(view, resource) or found[0]} is not registered under {prefix}: the "
            "capacity agent never plans it, so no event pre-scales it (target tracking alone meets the kickoff)",
        )
    ]


SCALABLE_TARGET_REGISTERED = ReadinessRule(
    "ScalableTargetRegistered",
    "Every ECS scalable target of a routed cell is registered with the Region's capacity agent",
    "Give the service its scaling through PrescaledService (kickoff.constructs.prescaled_service), which registers "
    "its load model, bounds and scalable target under the agent's SSM path.",
    "docs/decisions/0022-runtime-capacity-plans.md",
    frozenset({SCALABLE_TARGET}),
    _registered,
)


# --- declared quotas --------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """A scalable target's minimum over time, parsed once: the written minimum, its at() steps, its crons."""

    base: int
    steps: tuple[tuple[datetime, int], ...]  # (when, minimum), in time order
    crons: tuple[tuple[datetime | None, datetime | None, int], ...]  # (start, end, minimum)

    @classmethod
    def of(cls, target: dict[str, Any]) -> Schedule:
        steps, crons = [], []
        for action in target.get("ScheduledActions") or []:
            low = (action.get("ScalableTargetAction") or {}).get("MinCapacity")
            if not isinstance(low, int):
                continue
            when = parse_at(action.get("Schedule"))
            if when is not None:
                steps.append((when, low))
            else:
                crons.append((parse_time(action.get("StartTime")), parse_time(action.get("EndTime")), low))
        return cls(int(target.get("MinCapacity", 0)), tuple(sorted(steps)), tuple(crons))

    def upper_floor(self, at: datetime) -> int:
        """An upper bound of the minimum in force at ``at``: the latest at() step (or the written minimum),
        and every cron whose validity covers ``at`` (it may have fired last)."""
        index = bisect.bisect_right(self.steps, (at, float("inf"))) - 1
        value = self.steps[index][1] if index >= 0 else self.base
        active = [low for start, end, low in self.crons if (start is None or start <= at) and (end is None or at < end)]
        return max([value, *active])

    def instants(self) -> set[datetime]:
        return {t for t, _ in self.steps} | {t for start, end, _ in self.crons for t in (start, end) if t is not None}


# Fixed per-account (or per-Region) limits on how many of a type may exist: (limit, per Region, source).
COUNT_LIMITS: dict[str, tuple[int, bool, str]] = {
    "AWS::CloudFront::CachePolicy": (20, False, "CloudFront quotas: custom cache policies per account"),
    "AWS::CloudFront::OriginRequestPolicy": (
        20,
        False,
        "CloudFront quotas: custom origin request policies per account",
    ),
    "AWS::Route53::HealthCheck": (200, False, "Route 53 quotas: health checks per account"),
    "AWS::ECR::PullThroughCacheRule": (50, True, "Amazon ECR quotas: pull through cache rules per registry"),
}


def _count_limit(resource_type: str, view: TemplateView, readiness: Readiness) -> list[Finding]:
    limit, per_region, source = COUNT_LIMITS[resource_type]
    count = sum(len(v.of_type(resource_type)) for v in readiness.views if not per_region or v.region == view.region)
    if count <= limit:
        return []
    where = f" in {view.region}" if per_region else " in the account"
    return [
        Finding(
            f"Count::{resource_type}",
            f"the deployment creates {count} {resource_type}{where}, over the limit of "
            f"{limit} ({source}); other deployments in the account count too",
        )
    ]


def _quotas(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    quotas = readiness.params.quotas
    p = props(resource)
    if resource["Type"] in COUNT_LIMITS:
        return _count_limit(resource["Type"], view, readiness)
    if resource["Type"] == SCALABLE_TARGET:
        count = len(p.get("ScheduledActions") or [])
        limit = readiness.params.max_scheduled_actions
        return (
            []
            if count <= limit
            else [
                Finding(
                    "ScheduledActions", f"{count} scheduled actions, over the {limit}-action limit per scalable target"
                )
            ]
        )
    warm = p.get("WarmThroughput") or {}
    if not warm:
        return []
    regions = {view.region} | {r.get("Region") for r in p.get("Replicas", []) if isinstance(r.get("Region"), str)}
    findings = []
    for region in sorted(regions):
        quota = quotas.get(region)
        if quota is None:
            continue
        for kind, key, limit, code in (
            ("read", "ReadUnitsPerSecond", quota.dynamodb_table_read_units, "L-CF0CBE56"),
            ("write", "WriteUnitsPerSecond", quota.dynamodb_table_write_units, "L-AB614373"),
        ):
            asked = warm.get(key)
            if isinstance(asked, int) and asked > limit:
                findings.append(
                    Finding(
                        f"{code}::{region}",
                        f"warm throughput of {asked:,} {kind} units/s exceeds the "
                        f"declared table-level {kind} quota of {limit:,} in {region} ({code})",
                    )
                )
    return findings


QUOTA_WITHIN_DECLARED = ReadinessRule(
    "QuotaWithinDeclared",
    "What the templates ask for fits the quotas declared per Region (table warm throughput) and AWS's "
    "fixed limits (scheduled actions per target, cache policies, health checks, pull-through cache rules)",
    "Request the increase in Service Quotas and declare the granted value in regions[].quotas, or plan less.",
    "Service Quotas: L-CF0CBE56 / L-AB614373 (DynamoDB table-level throughput); "
    "Application Auto Scaling: 200 scheduled actions per scalable target; CloudFront, Route 53 and ECR quotas pages",
    frozenset({SCALABLE_TARGET, "AWS::DynamoDB::GlobalTable", "AWS::DynamoDB::Table", *COUNT_LIMITS}),
    _quotas,
)


def _warm_above_baseline(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    warm = props(resource).get("WarmThroughput") or {}
    if not warm:
        return None
    findings = []
    for key, floor in (
        ("ReadUnitsPerSecond", ON_DEMAND_BASELINE_READS),
        ("WriteUnitsPerSecond", ON_DEMAND_BASELINE_WRITES),
    ):
        asked = warm.get(key)
        if isinstance(asked, int) and asked < floor:
            findings.append(Finding(key, f"{key} {asked:,} is below the {floor:,} a new on-demand table already has"))
    return findings


WARM_THROUGHPUT_USEFUL = ReadinessRule(
    "DynamoWarmThroughputAboveBaseline",
    "Table warm throughput, when set, is above what a new on-demand table already sustains (12,000 reads, 4,000 "
    "writes/s)",
    "Leave warm throughput unset when the season needs no more than the on-demand baseline, and set each value to at "
    "least the baseline when it does.",
    "DynamoDB developer guide, 'Understanding warm throughput'",
    frozenset({"AWS::DynamoDB::GlobalTable", "AWS::DynamoDB::Table"}),
    _warm_above_baseline,
)


def _desired_count(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    scaled = any(logical_id in references(props(t).get("ResourceId")) for t in view.of_type(SCALABLE_TARGET).values())
    if not scaled:
        return None
    count = props(resource).get("DesiredCount")
    return (
        []
        if count is None
        else [
            Finding(
                "",
                f"DesiredCount {count} is written on every deploy, resetting a service "
                "that scaled out for an event; leave it to Application Auto Scaling",
            )
        ]
    )


DESIRED_COUNT_UNSET = ReadinessRule(
    "EcsServiceDesiredCountUnset",
    "A service that Application Auto Scaling scales has no DesiredCount in its template",
    "Leave desired_count unset on the FargateService (decision 0003); the scalable target's minimum sets the count.",
    "Amazon ECS UpdateService: a template DesiredCount overrides the running count on every update",
    frozenset({"AWS::ECS::Service"}),
    _desired_count,
)

RULES: tuple[ReadinessRule, ...] = (
    SCHEDULE_AFTER_DEPLOY,
    SCALABLE_TARGET_REGISTERED,
    DESIRED_COUNT_UNSET,
    QUOTA_WITHIN_DECLARED,
    WARM_THROUGHPUT_USEFUL,
)
