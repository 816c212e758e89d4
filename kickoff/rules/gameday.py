"""The game-day plan: the cells' FIS experiments in order, and what each does to routing, capacity and RPO.

Computed from the synthesized templates (which experiments exist, their targets, durations and
stop conditions), the config and the capacity plan (what an event needs and what the plan holds
at its peak). Nothing here calls AWS.

Capacity arithmetic for losing tasks in one AZ of a cell during an event, per service:

- ``planned``: the scheduled floor at the event's peak in that Region (``TargetPlan.min_tasks_at``);
  the plan sizes it for N-1 (another Region failing), so it is more than the Region's own need;
- ``lost``: the tasks the experiment takes away: ``ceil(planned / AZs)`` for a whole AZ (ECS spreads a
  service's tasks evenly over its AZs), times the share for the task-loss experiment;
- ``need``: the tasks that carry the Region's own forecast peak (upper band, no other Region failed) at
  100% of a task's requests/s, the point where requests are dropped;
- the other AZs absorb ``lost`` tasks' traffic; a shortfall is ``need - (planned - lost)`` when positive.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from kickoff.config.models import KickoffConfig
from kickoff.config.models.fault_injection import (
    AZ_TAG,
    DISRUPT_NETWORK,
    PAUSE_REPLICATION,
    STOP_TASK,
    ZONAL_SHIFT,
)
from kickoff.planning import DeploymentPlan
from kickoff.rules.engine import TemplateView, props, references
from kickoff.scaling.demand import TargetDemand, from_seconds, to_seconds
from kickoff.scaling.plan import window_demand
from kickoff.scaling.schedule import EventWindow

FIS_TEMPLATE = "AWS::FIS::ExperimentTemplate"
# FIS documents that replication may continue for up to 5 minutes after the pause starts.
REPLICATION_PAUSE_LAG_MINUTES = 5
# Game-day order: the smallest blast radius first, the Region-wide paths last.
ORDER = (STOP_TASK, ZONAL_SHIFT, DISRUPT_NETWORK, PAUSE_REPLICATION)
EFFECT = {
    STOP_TASK: "ECS replaces the stopped tasks; the ALB routes to the remaining targets meanwhile",
    ZONAL_SHIFT: "the ALB stops routing to the AZ's targets for the duration; they keep running",
    DISRUPT_NETWORK: "the AZ's subnets lose traffic to the rest of the VPC: its targets fail health checks",
    PAUSE_REPLICATION: "writes to this replica stop reaching the others (and theirs stop arriving here)",
}


@dataclass(frozen=True)
class ExperimentRow:
    """One experiment template as synthesized."""

    region: str
    name: str
    action: str
    availability_zone: str | None
    selection: str
    duration_minutes: int | None
    stop_alarm: str
    logical_id: str


@dataclass(frozen=True)
class CapacityRow:
    """One service in one cell when an experiment takes ``lost`` of its ``planned`` tasks at the event's peak."""

    region: str
    service: str
    planned: int
    lost: int
    need: int
    peak_rps: float
    peak_at: datetime

    @property
    def remaining(self) -> int:
        return self.planned - self.lost

    @property
    def shortfall(self) -> int:
        return max(0, self.need - self.remaining)


def _duration_minutes(parameters: dict) -> int | None:
    match = re.fullmatch(r"PT(\d+)M", parameters.get("duration", ""))
    return int(match.group(1)) if match else None


def read_experiments(views: list[TemplateView]) -> list[ExperimentRow]:
    """Every FIS template of every cell, with the name of the alarm that stops it."""
    rows = []
    for view in views:
        alarm_names = {
            logical_id: props(resource).get("AlarmName", logical_id)
            for logical_id, resource in view.resources.items()
            if resource["Type"] in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
        }
        for logical_id, resource in view.of_type(FIS_TEMPLATE).items():
            p = props(resource)
            (action,) = p["Actions"].values()
            (target,) = p["Targets"].values()
            parameters = action.get("Parameters", {})
            zone = p.get("Tags", {}).get(AZ_TAG)
            stops = [
                alarm_names[ref]
                for stop in p.get("StopConditions", [])
                for ref in references(stop.get("Value"))
                if ref in alarm_names
            ]
            rows.append(
                ExperimentRow(
                    region=view.region,
                    name=p.get("Tags", {}).get("Name", logical_id),
                    action=action["ActionId"],
                    availability_zone=zone,
                    selection=target.get("SelectionMode", "ALL"),
                    duration_minutes=_duration_minutes(parameters),
                    stop_alarm=", ".join(stops) or "NONE",
                    logical_id=logical_id,
                )
            )
    return sorted(rows, key=lambda r: (r.region, ORDER.index(r.action), r.availability_zone or ""))


def event_window(plan: DeploymentPlan, event_id: str | None) -> EventWindow:
    """The compiled window of ``event_id``, or of the first event after the deploy time."""
    if plan.capacity is None:
        raise ValueError("the plan compiles no event (no calendar, or none in the planning window)")
    windows = sorted(plan.capacity.windows, key=lambda w: w.start)
    if event_id is None:
        upcoming = [w for w in windows if w.restore > plan.window.deploy_time]
        if not upcoming:
            raise ValueError("no event window after the deploy time in the planning window")
        return upcoming[0]
    for window in windows:
        if event_id in window.event_ids:
            return window
    compiled = sorted({e for w in windows for e in w.event_ids})
    raise ValueError(
        f"event {event_id} is not in the planning window ({plan.window.deploy_time:%Y-%m-%d} + horizon); "
        f"compiled: {', '.join(compiled) or 'none'}. Pass -c plan_from=<a time less than the horizon before it>"
    )


def _at_peak(
    plan: DeploymentPlan,
    window: EventWindow,
    region: str,
    service: str,
    failed: str | None,
    share: float,
    zones: int,
) -> CapacityRow:
    """One service of ``region`` at the peak of its load curves with ``failed`` down (None: every Region up; every
    planned kickoff of a flex window), losing ``share`` of one of its ``zones`` AZs' tasks."""
    assert plan.capacity is not None
    demand = window_demand(plan.capacity, window, region, service)
    chosen = tuple(c for c in demand.curves if c.failed == failed)
    one = TargetDemand(demand.region, demand.service, demand.grid, chosen, demand.label)
    rps, when = one.max_rps(to_seconds(window.start), to_seconds(window.restore))
    planned = plan.capacity.target(region, service).min_tasks_at(when)
    return CapacityRow(
        region=region,
        service=service,
        planned=planned,
        lost=math.ceil(math.ceil(planned / zones) * share),
        need=math.ceil(rps / plan.capacity.service(service).rps_per_task),
        peak_rps=rps,
        peak_at=from_seconds(when),
    )


def capacity_after_loss(
    config: KickoffConfig, plan: DeploymentPlan, window: EventWindow, region: str, share: float
) -> list[CapacityRow]:
    """Each service of ``region`` at the event's peak when ``share`` of one AZ's tasks is gone."""
    zones = len(config.region(region).availability_zones)
    return [_at_peak(plan, window, region, s.name, None, share, zones) for s in config.services]


def capacity_after_evacuation(
    config: KickoffConfig, plan: DeploymentPlan, window: EventWindow, evacuated: str
) -> list[CapacityRow]:
    """Each service of every other routed cell at its peak once ``evacuated``'s viewers moved to it.

    ``planned`` is the survivor's scheduled floor at that peak (sized for N-1), ``lost`` 0, and
    ``need`` the tasks for the survivor's curve after ``evacuated`` fails, at 100% per task.
    """
    assert plan.capacity is not None
    regions = [r.name for r in plan.capacity.regions]
    rows = []
    for region in regions:
        if region == evacuated:
            continue
        failed = evacuated if plan.capacity.params.n_minus_1 else None
        rows += [_at_peak(plan, window, region, s.name, failed, 0.0, 1) for s in config.services]
    return rows


def replication_exposure_seconds(minutes: int) -> int:
    """Writes at risk if the Region failed during the pause: its length plus FIS's documented lag."""
    return (minutes + REPLICATION_PAUSE_LAG_MINUTES) * 60
