"""What a cell's Fargate tasks occupy, from the template: vCPU, load balancer targets, network interfaces.

The plan's checks (``kickoff.planning``) hold the config's forecast to the declared quotas; this rule holds
the template itself, so a code change that raises a deployment's surge or a schedule's minimum is refused
too. Every ECS service's scheduled minimums are read at every instant one of them changes and multiplied by
its ``DeploymentConfiguration.MaximumPercent`` (a rolling deploy runs up to that many tasks at once):

- Fargate vCPU (L-3032A538): the sum over services of tasks x task vCPU;
- targets per Application Load Balancer (L-7E6692B2): every service behind the cell's load balancer;
- targets per target group (L-A0D0B863): each service's own target group;
- network interfaces per Region (L-DF5E4CA3): every task, plus the cell's other interfaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kickoff.rules.engine import Finding, Resource, TemplateView, props
from kickoff.rules.readiness.capacity import SCALABLE_TARGET, Schedule, ecs_service, service_name, task_vcpu
from kickoff.rules.readiness.context import Readiness
from kickoff.rules.readiness.rule import ReadinessRule

# ECS's default maximumPercent for a rolling deployment of a service behind a load balancer.
DEFAULT_MAXIMUM_PERCENT = 200


@dataclass(frozen=True)
class _Service:
    name: str
    schedule: Schedule
    vcpu: float
    surge: float


def _services(view: TemplateView) -> list[_Service]:
    found = []
    for target in view.of_type(SCALABLE_TARGET).values():
        service = ecs_service(view, target)
        vcpu = task_vcpu(view, service[1]) if service else None
        if service is None or vcpu is None:
            continue
        deployment = props(service[1]).get("DeploymentConfiguration") or {}
        percent = deployment.get("MaximumPercent", DEFAULT_MAXIMUM_PERCENT)
        surge = percent / 100 if isinstance(percent, int) else DEFAULT_MAXIMUM_PERCENT / 100
        found.append(_Service(service_name(view, target) or service[0], Schedule.of(props(target)), vcpu, surge))
    return found


def _peaks(view: TemplateView, readiness: Readiness) -> dict[str, tuple[float, datetime | None, str]]:
    """Quota -> (the highest need, when, made of what), over every instant a scheduled minimum changes."""
    services = _services(view)
    quota = readiness.params.quotas.get(view.region)
    other = quota.other_network_interfaces if quota else 0
    instants = {readiness.params.deploy_time}.union(*(s.schedule.instants() for s in services))
    best: dict[str, tuple[float, datetime | None, str]] = {}
    for t in sorted(instants):
        tasks = {s.name: s.schedule.upper_floor(t) * s.surge for s in services}
        parts = ", ".join(f"{s.name} {s.schedule.upper_floor(t):,} x {s.surge:g}" for s in services)
        needs = {
            "L-3032A538": sum(tasks[s.name] * s.vcpu for s in services),
            "L-7E6692B2": sum(tasks.values()),
            "L-DF5E4CA3": sum(tasks.values()) + other,
            **{f"L-A0D0B863::{name}": value for name, value in tasks.items()},
        }
        for key, value in needs.items():
            if key not in best or value > best[key][0]:
                best[key] = (value, t, parts)
    return best


def _tasks_fit(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    quota = readiness.params.quotas.get(view.region)
    if quota is None:
        return None
    peaks = readiness.memo(f"tasks:{view.file}", lambda: _peaks(view, readiness))
    limits = {
        "L-3032A538": ("Fargate vCPU", quota.fargate_vcpu),
        "L-7E6692B2": ("targets on the load balancer", quota.alb_targets),
        "L-DF5E4CA3": ("network interfaces", quota.network_interfaces),
    }
    findings = []
    for key, (need, when, parts) in sorted(peaks.items()):
        code, _, service = key.partition("::")
        what, limit = (
            (f"targets in the {service} target group", quota.targets_per_target_group) if service else limits[code]
        )
        if limit is not None and need > limit:
            at = f" at {when:%Y-%m-%dT%H:%MZ}" if when else ""
            findings.append(
                Finding(
                    key,
                    f"scheduled minimums with each service's deploy surge reach {need:,.0f} {what} in "
                    f"{view.region}{at} ({parts}), above the declared quota of {limit:,.0f} ({code})",
                )
            )
    return findings


TASKS_WITHIN_QUOTAS = ReadinessRule(
    "EcsTasksWithinDeclaredQuotas",
    "A cell's scheduled tasks, with each service's deploy surge (MaximumPercent), fit the declared Fargate vCPU, "
    "load balancer target and network interface quotas",
    "Request the increases in Service Quotas and declare the granted values in regions[].quotas, lower "
    "services[].deploy_max_percent, or plan less.",
    "Service Quotas L-3032A538, L-7E6692B2, L-A0D0B863 (Elastic Load Balancing quotas), L-DF5E4CA3 (Amazon VPC "
    "quotas); ECS rolling updates start up to maximumPercent of the desired count",
    frozenset({"AWS::ECS::Cluster"}),
    _tasks_fit,
)

RULES: tuple[ReadinessRule, ...] = (TASKS_WITHIN_QUOTAS,)
