"""What one plan over a horizon holds: the scalable targets' ranges and actions, the ALB reservations,
the levels the alarms watch (pure; no config, no CDK).

``DeploymentPlan`` is the capacity plan of one planning window: what a capacity agent applies at the time it runs,
and what a synth's checks and ``kickoff plan`` read for a time. Both build it with
``kickoff.scaling.spec.plan_horizon``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from kickoff.scaling.demand import from_seconds, to_seconds
from kickoff.scaling.model import EventForecast
from kickoff.scaling.plan import CapacityPlan
from kickoff.scaling.schedule import AlbReservation, EventWindow, RecurringStep, ScheduledStep, TargetPlan
from kickoff.scaling.table import WarmThroughput


@dataclass(frozen=True)
class PlanningWindow:
    """Which events are planned: those whose capacity window meets [start, end).

    ``deploy_time`` is when the plan is put in force (a synth's ``plan_from``, or the time a capacity agent runs).
    ``start`` is the first instant an action may be scheduled at; nothing is scheduled before it, and what the
    plan holds between ``deploy_time`` and ``start`` is written as the range in force.
    """

    deploy_time: datetime
    start: datetime
    end: datetime


# Nothing is scheduled sooner than this after a plan is put in force: what the plan holds until then is written as the
# range in force. Application Auto Scaling and EventBridge Scheduler both want a time still ahead when the call lands.
APPLY_MARGIN = timedelta(minutes=2)


def apply_window(now: datetime, horizon: timedelta) -> PlanningWindow:
    """The window a plan put in force at ``now`` covers: from ``now`` (rounded up to the minute) for ``horizon``."""
    now = now.astimezone(UTC)
    rounded = now.replace(second=0, microsecond=0)
    deploy = rounded if rounded == now else rounded + timedelta(minutes=1)
    start = deploy + APPLY_MARGIN
    return PlanningWindow(deploy, start, start + horizon)


@dataclass(frozen=True)
class CompiledTarget:
    """What one scalable target's template holds for a deploy at ``PlanningWindow.deploy_time``.

    Fields:
        min_capacity, max_capacity: the range written at deploy time. Every deploy writes it
            again, so it is the highest minimum the plan holds between the deploy time and the
            first compiled action: a deploy inside an event window never lowers the floor.
        steps: one-time actions at or after the window start; when steps between the deploy
            and the window start were dropped, a catch-up step at the window start sets what
            they would have left in force.
        recurring: baseline crons, their StartTime no earlier than the window start.
    """

    region: str
    service: str
    min_capacity: int
    max_capacity: int
    steps: tuple[ScheduledStep, ...]
    recurring: tuple[RecurringStep, ...]


@dataclass(frozen=True)
class DeploymentPlan:
    """The capacity plan for the window and the season's warm throughput.

    ``season_windows`` are the planner's event windows over the whole calendar (deploy
    freezes and checks use them); ``table_warm_throughput`` is None when the season needs no
    more than a new on-demand table already has.
    """

    window: PlanningWindow
    capacity: CapacityPlan | None
    table_warm_throughput: WarmThroughput | None
    season_windows: tuple[EventWindow, ...] = ()
    events: tuple[EventForecast, ...] = ()

    def target(self, region: str, service: str) -> TargetPlan | None:
        """The scheduled steps of one scalable target, if any event or baseline is planned."""
        if self.capacity is None:
            return None
        return next((t for t in self.capacity.targets if t.region == region and t.service == service), None)

    def compiled_target(self, region: str, service: str) -> CompiledTarget | None:
        """The scalable target's range at deploy time and its compiled actions (None: nothing planned)."""
        plan = self.target(region, service)
        if plan is None:
            return None
        start, deploy = self.window.start, self.window.deploy_time
        probes = [deploy] + [s.at for s in plan.steps if deploy < s.at < start]
        for r in plan.recurring:
            f = r.next_after(to_seconds(deploy))
            while f is not None and f < to_seconds(start):
                probes.append(from_seconds(f))
                f = r.next_after(f)
        floor = max(plan.min_tasks_at(t) for t in probes)
        steps = [s for s in plan.steps if s.at >= start]
        at_start = plan.min_tasks_at(start)
        if at_start != floor and not any(s.at == start for s in steps):
            steps.insert(0, ScheduledStep(start, at_start, plan.default_max))
        recurring = tuple(
            replace(r, start=max(r.start, start)) for r in plan.recurring if r.end is None or r.end > start
        )
        return CompiledTarget(region, service, floor, plan.default_max, tuple(steps), recurring)

    def alb_reservations(self, region: str) -> list[AlbReservation]:
        """The ALB capacity-unit changes of one cell that are compiled: none before the window starts.

        A reservation raised before the window start and released after it is raised again at
        the window start, so a first deploy during the lead time still reserves the capacity.
        """
        if self.capacity is None:
            return []
        mine = sorted((r for r in self.capacity.alb_reservations if r.region == region), key=lambda r: r.at)
        before = [r for r in mine if r.at < self.window.start]
        compiled = [r for r in mine if r.at >= self.window.start]
        if before and before[-1].capacity_units > 0 and not any(r.at == self.window.start for r in compiled):
            compiled.insert(0, AlbReservation(region, self.window.start, before[-1].capacity_units))
        return compiled

    def event_window_at(self, at: datetime) -> EventWindow | None:
        """The season's event window that holds ``at`` (start inclusive, restore exclusive), if any."""
        return next((w for w in self.season_windows if w.start <= at < w.restore), None)
