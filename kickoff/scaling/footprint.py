"""What a cell's tasks occupy beyond vCPU, and the quotas that bound it, at every instant of a plan.

Pure (numpy). Each Fargate task in awsvpc mode is one load balancer target, one network interface and one
address in its AZ's subnet, and a rolling deployment runs up to ``ServiceModel.deploy_surge`` times the
planned tasks at once. ``footprint_problems`` checks one Region's task counts, per service and instant,
against every per-task quota the Region declares (``RegionModel``):

- Fargate vCPU (L-3032A538): the sum of tasks x vCPU;
- targets per Application Load Balancer (L-7E6692B2): every service's tasks, one ALB per cell;
- targets per target group (L-A0D0B863): one target group per service;
- network interfaces per Region (L-DF5E4CA3): every task, plus the cell's other interfaces;
- addresses per task subnet: tasks spread evenly over the AZs (ECS's spread placement), rounded up.

Each problem names the Region, the quota and its code, the peak with the deploy surge, the instant and the
services that make it up, so one run lists everything to raise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kickoff.scaling.demand import SECONDS_PER_WEEK, from_seconds, to_seconds
from kickoff.scaling.model import BaselineForecast, RegionModel, ServiceModel
from kickoff.scaling.schedule import TargetPlan

# Quota codes by the RegionModel field that declares them.
QUOTA_CODES = {
    "fargate_vcpu_quota": "L-3032A538",
    "alb_targets_quota": "L-7E6692B2",
    "target_group_targets_quota": "L-A0D0B863",
    "network_interfaces_quota": "L-DF5E4CA3",
}


@dataclass(frozen=True)
class Peak:
    """The largest need for one quota over a plan, and where it happens."""

    quota: str
    need: float
    limit: float
    at_s: float
    parts: str


def footprint_peaks(
    region: RegionModel,
    services: Sequence[ServiceModel],
    tasks: Mapping[str, np.ndarray],
    times_s: np.ndarray,
) -> list[Peak]:
    """The peak of every per-task quota ``region`` declares, with the deploy surge, over ``times_s``.

    ``tasks`` maps each service to its planned tasks at every instant of ``times_s``.
    """
    if len(times_s) == 0:
        return []
    surged = {s.name: np.asarray(tasks[s.name], dtype=float) * s.deploy_surge for s in services}
    peaks: list[Peak] = []

    def peak(quota: str, limit: float | None, need: np.ndarray, parts: Callable[[int], str]) -> None:
        if limit is None:
            return
        k = int(np.argmax(need))
        peaks.append(Peak(quota, float(need[k]), float(limit), float(times_s[k]), parts(k)))

    def one(s: ServiceModel, k: int, per_task: float = 1.0) -> str:
        surge = f" x {s.deploy_surge:g}" if s.deploy_surge != 1 else ""
        size = f" x {per_task:g} vCPU" if per_task != 1 else ""
        return f"{s.name} {tasks[s.name][k]:,.0f}{surge}{size}"

    def breakdown(k: int, vcpu: bool = False) -> str:
        return ", ".join(one(s, k, s.vcpu if vcpu else 1.0) for s in services)

    total = sum(surged.values())
    peak(
        "fargate_vcpu_quota",
        region.fargate_vcpu_quota,
        sum(surged[s.name] * s.vcpu for s in services),
        lambda k: breakdown(k, vcpu=True),
    )
    peak("alb_targets_quota", region.alb_targets_quota, total, breakdown)
    for s in services:
        peak(
            f"target_group_targets_quota:{s.name}",
            region.target_group_targets_quota,
            surged[s.name],
            lambda k, s=s: one(s, k),
        )
    peak(
        "network_interfaces_quota",
        region.network_interfaces_quota,
        total + region.other_network_interfaces,
        lambda k: breakdown(k) + f", and {region.other_network_interfaces:,} other interfaces",
    )
    per_zone = sum(np.ceil(surged[s.name] / region.zones) for s in services)
    peak(
        "task_addresses_per_zone",
        region.task_addresses_per_zone,
        per_zone,
        lambda k: f"{breakdown(k)}, over {region.zones} AZs",
    )
    return peaks


def exceeded(peaks: Sequence[Peak]) -> list[Peak]:
    """The peaks above their quota."""
    return [p for p in peaks if p.need > p.limit + 1e-9]


def describe(
    region: RegionModel,
    peak: Peak,
    label: str,
    when: Callable[[float], str],
    included: str = "deploy surge included",
) -> str:
    """One line for a peak above its quota: who, what, when, made of what, against which quota."""
    field, _, service = peak.quota.partition(":")
    code = QUOTA_CODES.get(field)
    what = {
        "fargate_vcpu_quota": "Fargate vCPU",
        "alb_targets_quota": "targets on its load balancer",
        "target_group_targets_quota": f"targets in the {service} target group",
        "network_interfaces_quota": "network interfaces",
        "task_addresses_per_zone": "addresses in one AZ's task subnet",
    }[field]
    quota = f"quota ({code}) is {peak.limit:,.0f}" if code else f"subnets hold {peak.limit:,.0f}"
    return (
        f"{label}region {region.name} needs {math.ceil(peak.need - 1e-9):,} {what} at {when(peak.at_s)} "
        f"({peak.parts}; {included}) but the {quota}"
    )


def footprint_problems(
    region: RegionModel,
    services: Sequence[ServiceModel],
    tasks: Mapping[str, np.ndarray],
    times_s: np.ndarray,
    label: str,
    when: Callable[[float], str],
    included: str = "deploy surge included",
) -> list[str]:
    """One message per quota ``region`` declares that the tasks (with the deploy surge) exceed."""
    peaks = exceeded(footprint_peaks(region, services, tasks, times_s))
    return [describe(region, p, label, when, included) for p in peaks]


def compiled_peaks(
    targets: Sequence[TargetPlan],
    services: Sequence[ServiceModel],
    regions: Sequence[RegionModel],
    baseline: BaselineForecast | None,
) -> dict[str, list[Peak]]:
    """Region -> the peak of every per-task quota it declares (vCPU, targets, interfaces, addresses) over the
    scheduled minimums, at every instant one of them changes (a week of recurring steps included), deploy
    surge included."""
    out = {}
    for region in regions:
        mine = [t for t in targets if t.region == region.name]
        instants = {to_seconds(s.at) for t in mine for s in t.steps}
        if baseline is not None:
            first = to_seconds(baseline.valid_from)
            for t in mine:
                for r in t.recurring:
                    f = r.next_after(first - 1)
                    while f is not None and f < first + SECONDS_PER_WEEK:
                        instants.add(f)
                        f = r.next_after(f)
        times = np.array(sorted(instants), dtype=float)
        tasks = {t.service: np.array([t.min_tasks_at(x) for x in times], dtype=float) for t in mine}
        out[region.name] = footprint_peaks(region, services, tasks, times)
    return out


def compiled_footprint_problems(
    targets: Sequence[TargetPlan],
    services: Sequence[ServiceModel],
    regions: Sequence[RegionModel],
    baseline: BaselineForecast | None,
) -> list[str]:
    by_name = {r.name: r for r in regions}
    return [
        describe(by_name[region], peak, "plan: ", lambda t_s: from_seconds(t_s).isoformat())
        for region, peaks in compiled_peaks(targets, services, regions, baseline).items()
        for peak in exceeded(peaks)
    ]


@dataclass(frozen=True)
class CeilingLimit:
    """How many concurrent viewers one cell serves before a limit binds (steady audience, at target utilisation)."""

    limit: str
    viewers: float


def cell_ceiling(region: RegionModel, services: Sequence[ServiceModel]) -> list[CeilingLimit]:
    """Every limit of one cell as a viewer count, lowest (binding) first.

    A steady audience of ``v`` viewers in the cell makes ``rps_per_viewer x v`` requests/s per service, served
    at the target utilisation; services that follow no steady audience keep their ``min_tasks``. Each per-task
    quota counts the tasks with their deploy surge, as the plan's checks do. Arrivals (the kickoff surge) come
    on top, which is why the plan, not this figure, decides an event's capacity.
    """
    following = [s for s in services if s.rps_per_viewer > 0]
    fixed = [s for s in services if s.rps_per_viewer <= 0]

    def per_viewer(weight: Callable[[ServiceModel], float]) -> float:
        return sum(weight(s) * s.rps_per_viewer / s.rps_per_task_at_target for s in following)

    def constant(weight: Callable[[ServiceModel], float]) -> float:
        return sum(weight(s) * s.min_tasks for s in fixed)

    limits = [
        CeilingLimit(f"{s.name} max_tasks", s.max_tasks * s.rps_per_task_at_target / s.rps_per_viewer)
        for s in following
    ]

    def total(name: str, quota: float | None, weight: Callable[[ServiceModel], float], other: float = 0.0) -> None:
        rate = per_viewer(weight)
        if quota is not None and rate > 0:
            limits.append(CeilingLimit(name, max(0.0, quota - other - constant(weight)) / rate))

    total(
        f"Fargate vCPU ({QUOTA_CODES['fargate_vcpu_quota']})",
        region.fargate_vcpu_quota,
        lambda s: s.deploy_surge * s.vcpu,
    )
    total(f"targets per ALB ({QUOTA_CODES['alb_targets_quota']})", region.alb_targets_quota, lambda s: s.deploy_surge)
    total(
        f"network interfaces ({QUOTA_CODES['network_interfaces_quota']})",
        region.network_interfaces_quota,
        lambda s: s.deploy_surge,
        region.other_network_interfaces,
    )
    if region.task_addresses_per_zone is not None:
        total("task subnet addresses", region.task_addresses_per_zone * region.zones, lambda s: s.deploy_surge)
    if region.target_group_targets_quota is not None:
        code = QUOTA_CODES["target_group_targets_quota"]
        limits += [
            CeilingLimit(
                f"{s.name} targets per target group ({code})",
                region.target_group_targets_quota / s.deploy_surge * s.rps_per_task_at_target / s.rps_per_viewer,
            )
            for s in following
        ]
    return sorted(limits, key=lambda c: c.viewers)
