"""Output types of the planner and the semantics of a schedule of scheduled actions.

A target's minimum capacity at time t is set by the latest scheduled action that
ran at or before t: a one-time ``ScheduledStep`` or a firing of a
``RecurringStep`` (cron, UTC). Before any action the service's configured
minimum applies. The planner never lets two actions with different values fire
at the same instant; if they coincide, the one-time step is taken as the later.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from kickoff.scaling.demand import to_seconds

CRON_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
EPOCH_WEEKDAY = 3
"""1970-01-01 was a Thursday (Monday = 0)."""
DAYS_TO_SCAN = 8
"""A weekly cron fires at least once in any 8 consecutive days if it fires at all."""


@dataclass(frozen=True)
class ScheduledStep:
    """A one-time scheduled action: from ``at`` (UTC) the target's capacity range is [min_tasks, max_tasks]."""

    at: datetime
    min_tasks: int
    max_tasks: int

    @property
    def expression(self) -> str:
        """Application Auto Scaling schedule expression, e.g. ``at(2024-09-12T23:45:00)`` (UTC)."""
        return f"at({self.at.strftime('%Y-%m-%dT%H:%M:%S')})"


@dataclass(frozen=True)
class RecurringStep:
    """A recurring scheduled action: at hour:minute UTC on ``weekdays`` (0 = Monday), set [min_tasks, max_tasks].

    It fires only within [start, end) (the action's StartTime and EndTime).
    """

    hour: int
    minute: int
    weekdays: tuple[int, ...]
    min_tasks: int
    max_tasks: int
    start: datetime
    end: datetime

    @property
    def expression(self) -> str:
        """Application Auto Scaling cron expression (UTC), e.g. ``cron(0 21 ? * MON,TUE *)``."""
        days = "*" if len(self.weekdays) == len(CRON_DAYS) else ",".join(CRON_DAYS[d] for d in self.weekdays)
        return f"cron({self.minute} {self.hour} ? * {days} *)"

    @cached_property
    def _bounds(self) -> tuple[float, float, int, frozenset[int]]:
        offset = self.hour * 3600 + self.minute * 60
        return to_seconds(self.start), to_seconds(self.end), offset, frozenset(self.weekdays)

    def _candidates(self, t_s: float, direction: int) -> Iterator[float]:
        """Firings on the ``DAYS_TO_SCAN`` days from ``t_s``'s day on, forwards (1) or backwards (-1), in order."""
        _, _, offset, weekdays = self._bounds
        day0 = math.floor(t_s / 86400) * 86400
        for i in range(DAYS_TO_SCAN):
            day = day0 + direction * i * 86400
            if (int(day // 86400) + EPOCH_WEEKDAY) % 7 in weekdays:
                yield day + offset

    def next_after(self, t_s: float) -> float | None:
        """Epoch seconds of the first firing strictly after ``t_s``, or None."""
        start, end, _, _ = self._bounds
        for f in self._candidates(max(t_s, start - 1), 1):
            if f > t_s and f >= start:
                return f if f < end else None
        return None

    def last_at_or_before(self, t_s: float) -> float | None:
        """Epoch seconds of the latest firing at or before ``t_s``, or None."""
        start, end, _, _ = self._bounds
        for f in self._candidates(min(t_s, end), -1):
            if f <= t_s and start <= f < end:
                return f
        return None

    def fires_at(self, t_s: float) -> bool:
        """Whether the step fires exactly at ``t_s``."""
        return self.last_at_or_before(t_s) == t_s


@dataclass(frozen=True)
class TargetPlan:
    """Scheduled actions of one scalable target (one service in one region).

    Fields:
        region, service: the target.
        steps: one-time actions in time order.
        recurring: cron actions for the baseline (empty without a baseline forecast).
        default_min, default_max: the service's configured range, in force before any action.
        peak_tasks: the highest minimum the plan sets.
        peak_vcpu: ``peak_tasks`` times the task's vCPU.
        merged_steps: steps merged away to fit the action quota (0 when the shape fits).
    """

    region: str
    service: str
    steps: tuple[ScheduledStep, ...]
    recurring: tuple[RecurringStep, ...]
    default_min: int
    default_max: int
    peak_tasks: int
    peak_vcpu: float
    merged_steps: int = 0
    _times: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_times", tuple(to_seconds(s.at) for s in self.steps))

    @property
    def action_count(self) -> int:
        """Scheduled actions this target needs (each cron action counts once)."""
        return len(self.steps) + len(self.recurring)

    def min_tasks_at(self, t: datetime | float) -> int:
        """The minimum capacity in force at ``t`` (datetime or epoch seconds)."""
        t_s = to_seconds(t) if isinstance(t, datetime) else float(t)
        i = bisect.bisect_right(self._times, t_s) - 1
        best_time, best_value = (self._times[i], self.steps[i].min_tasks) if i >= 0 else (None, self.default_min)
        for r in self.recurring:
            f = r.last_at_or_before(t_s)
            if f is not None and (best_time is None or f > best_time):
                best_time, best_value = f, r.min_tasks
        return best_value

    def _changes(self, s: float, e: float) -> list[float]:
        """Instants in (s, e] at which an action fires, in time order."""
        changes = set(self._times[bisect.bisect_right(self._times, s) : bisect.bisect_right(self._times, e)])
        for r in self.recurring:
            f = r.next_after(s)
            while f is not None and f <= e:
                changes.add(f)
                f = r.next_after(f)
        return sorted(changes)

    def lowest_min_between(self, start: datetime | float, end: datetime | float) -> int:
        """The lowest minimum in force anywhere in [start, end] (datetimes or epoch seconds).

        The minimum changes only when an action fires, so this reads it at ``start`` and at every
        firing inside the span rather than sampling the span.
        """
        s = to_seconds(start) if isinstance(start, datetime) else float(start)
        e = to_seconds(end) if isinstance(end, datetime) else float(end)
        return min([self.min_tasks_at(s), *(self.min_tasks_at(t) for t in self._changes(s, e))])

    def min_task_hours_between(self, start: datetime | float, end: datetime | float) -> float:
        """Task-hours the scheduled minimum holds over [start, end) (what runs even without load)."""
        s = to_seconds(start) if isinstance(start, datetime) else float(start)
        e = to_seconds(end) if isinstance(end, datetime) else float(end)
        edges = [s, *(t for t in self._changes(s, e) if t < e), e]
        return sum(self.min_tasks_at(a) * (b - a) for a, b in zip(edges, edges[1:])) / 3600.0


@dataclass(frozen=True)
class EventWindow:
    """A period of elevated capacity for one event or several overlapping ones.

    Fields:
        event_ids: the events in the window.
        start: first one-time step (UTC).
        restore: the restore step, at or after every event's latest end plus ramp-down.
        anchors: each event's kickoff minus lead time.
    """

    event_ids: tuple[str, ...]
    start: datetime
    restore: datetime
    anchors: tuple[datetime, ...]


@dataclass(frozen=True)
class AlbReservation:
    """From ``at`` the region's ALB reserves ``capacity_units`` LCUs; 0 cancels the reservation."""

    region: str
    at: datetime
    capacity_units: int
