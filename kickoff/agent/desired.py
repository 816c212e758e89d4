"""The state one Region must be in at a time, from the plan of its window (pure).

``plan_window`` opens the agent's window at ``now``; ``desired_region`` turns the plan into what Application Auto
Scaling, Elastic Load Balancing and DynamoDB must hold: each scalable target's range now and its scheduled actions
over the horizon, the ALB reservation now and its later changes, and the table's warm throughput.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kickoff.scaling.horizon import DeploymentPlan, PlanningWindow, apply_window
from kickoff.scaling.schedule import RecurringStep
from kickoff.scaling.spec import CapacitySpec
from kickoff.scaling.table import WarmThroughput

ACTION_PREFIX = "kickoff-"


def plan_window(spec: CapacitySpec, now: datetime) -> PlanningWindow:
    """The window an agent run at ``now`` plans: from ``now`` (rounded up to the minute) for the horizon."""
    return apply_window(now, spec.horizon)


@dataclass(frozen=True)
class Action:
    """A scheduled action as Application Auto Scaling holds it (``at`` for one-time ones, else a cron)."""

    name: str
    schedule: str
    min_tasks: int
    max_tasks: int
    at: datetime | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class DesiredTarget:
    """One scalable target: the range to hold now and the actions after it."""

    service: str
    resource_id: str
    min_now: int
    max_tasks: int
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class DesiredReservation:
    """The cell ALB's reserved LCUs now (0: none) and the changes after the window start."""

    units_now: int
    changes: tuple[tuple[datetime, int], ...]


@dataclass(frozen=True)
class DesiredRegion:
    region: str
    window: PlanningWindow
    targets: tuple[DesiredTarget, ...]
    reservation: DesiredReservation
    warm: WarmThroughput | None


def at_name(at: datetime) -> str:
    return f"{ACTION_PREFIX}at-{at.astimezone(UTC):%Y%m%dT%H%M}Z"


def recurring_name(step: RecurringStep) -> str:
    return f"{ACTION_PREFIX}baseline-{step.hour:02d}{step.minute:02d}-d{''.join(str(d) for d in step.weekdays)}"


def one_time(at: datetime, min_tasks: int, max_tasks: int) -> Action:
    at = at.astimezone(UTC)
    return Action(at_name(at), f"at({at:%Y-%m-%dT%H:%M:%S})", min_tasks, max_tasks, at=at)


def desired_region(plan: DeploymentPlan, region: str, targets: dict[str, str], spec: CapacitySpec) -> DesiredRegion:
    """What ``region`` must hold for ``plan``; ``targets`` maps each registered service to its scalable target's
    resource ID (``service/<cluster>/<service>``). A registered service the plan has no steps for holds its
    configured range."""
    out = []
    models = {s.name: s for s in spec.services}
    for service, resource_id in sorted(targets.items()):
        compiled = plan.compiled_target(region, service)
        model = models[service]
        if compiled is None:
            out.append(DesiredTarget(service, resource_id, model.min_tasks, model.max_tasks, ()))
            continue
        actions = [one_time(s.at, s.min_tasks, s.max_tasks) for s in compiled.steps]
        actions += [
            Action(recurring_name(r), r.expression, r.min_tasks, r.max_tasks, start=r.start.astimezone(UTC), end=r.end)
            for r in compiled.recurring
        ]
        out.append(DesiredTarget(service, resource_id, compiled.min_capacity, compiled.max_capacity, tuple(actions)))
    start = plan.window.start
    changes = sorted((r.at, r.capacity_units) for r in plan.alb_reservations(region))
    units_now = 0
    if plan.capacity is not None:
        before = [r for r in plan.capacity.alb_reservations if r.region == region and r.at <= start]
        units_now = max(before, key=lambda r: r.at).capacity_units if before else 0
    reservation = DesiredReservation(units_now, tuple(c for c in changes if c[0] > start))
    return DesiredRegion(region, plan.window, tuple(out), reservation, plan.table_warm_throughput)


def planned_minimum(plan: DeploymentPlan, region: str, service: str, now: datetime) -> int:
    """The plan's minimum for a service while an event is on at ``now`` (0 outside events): the lowest minimum the
    plan holds from the event's first kickoff to its last expected end, as the "running below plan" alarm reads it."""
    target = plan.target(region, service)
    if target is None:
        return 0
    spans = [(e.first_kickoff, e.last_kickoff + e.duration) for e in plan.events]
    on = [(s, e) for s, e in spans if s <= now <= e]
    return max((target.lowest_min_between(s, e) for s, e in on), default=0)


def expected_reservation(plan: DeploymentPlan, region: str, now: datetime, grace: timedelta) -> int:
    """The LCUs the ALB should hold at ``now``: a raise counts once ``grace`` has passed (AWS fulfils most requests
    within minutes, some within hours), a release at once."""
    if plan.capacity is None:
        return 0
    mine = sorted((r.at, r.capacity_units) for r in plan.capacity.alb_reservations if r.region == region)

    def level(t: datetime) -> int:
        return next((u for at, u in reversed(mine) if at <= t), 0)

    return min(level(now), level(now - grace))
