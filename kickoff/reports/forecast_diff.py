"""What a forecast change does to each Region's capacity and cost, before it is published.

The two calendars are planned with the same ``CapacitySpec`` over the same window (the agent's, opening at ``now``),
so the difference is the forecast's alone. Per Region: the task-hours the scheduled minimums hold and their cost,
the reserved LCU-hours and their cost, each service's highest minimum; and which events were added, removed or
changed. ``forecast_diff`` returns data; ``diff_text`` renders it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kickoff.reports.table import render_table
from kickoff.scaling.horizon import DeploymentPlan, apply_window
from kickoff.scaling.report import plan_costs
from kickoff.scaling.spec import CalendarEvent, CapacitySpec, plan_horizon


@dataclass(frozen=True)
class RegionDiff:
    """One Region before and after: (old, new) pairs."""

    region: str
    task_hours: tuple[float, float]
    task_usd: tuple[float, float]
    reserved_lcu_hours: tuple[float, float]
    reservation_usd: tuple[float, float]
    peak_tasks: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class ForecastDiff:
    """The whole change. ``problems`` are why the new calendar cannot be planned (then ``regions`` is empty)."""

    start: datetime
    end: datetime
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    regions: tuple[RegionDiff, ...]
    problems: tuple[str, ...] = ()

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _plan(
    spec: CapacitySpec, events: Sequence[CalendarEvent], now: datetime
) -> tuple[DeploymentPlan | None, list[str]]:
    outcome = plan_horizon(spec, events, apply_window(now, spec.horizon))
    problems = [str(e) for e in outcome.errors] + [
        f"{e.region}: needs {e.needed:,} against the declared {e.field} of {e.quota:,}" for e in outcome.quota_excess
    ]
    return outcome.plan, problems


def forecast_diff(
    spec: CapacitySpec, old: Sequence[CalendarEvent], new: Sequence[CalendarEvent], now: datetime
) -> ForecastDiff:
    """``old`` (e.g. the published version; empty for none) against ``new`` over the horizon opening at ``now``."""
    before = {e.event_id: e for e in old}
    after = {e.event_id: e for e in new}
    added = tuple(sorted(set(after) - set(before)))
    removed = tuple(sorted(set(before) - set(after)))
    changed = tuple(sorted(k for k in set(before) & set(after) if before[k] != after[k]))
    window = apply_window(now, spec.horizon)
    old_plan, _ = _plan(spec, old, now)
    new_plan, problems = _plan(spec, new, now)
    if new_plan is None:
        return ForecastDiff(window.start, window.end, added, removed, changed, (), tuple(problems))
    rows = []
    for region in spec.routed:
        costs = []
        for plan in (old_plan, new_plan):
            found = (
                next((r for r in plan_costs(plan.capacity, window.start, window.end) if r.region == region), None)
                if plan is not None and plan.capacity is not None
                else None
            )
            costs.append(found)
        peaks = {}
        for service in spec.services:
            pair = []
            for plan in (old_plan, new_plan):
                target = plan.target(region, service.name) if plan is not None else None
                pair.append(target.peak_tasks if target is not None else service.min_tasks)
            peaks[service.name] = (pair[0], pair[1])

        def pair(attr: str, costs: list = costs) -> tuple[float, float]:
            old_value, new_value = (getattr(c, attr) if c is not None else 0.0 for c in costs)
            return old_value, new_value

        rows.append(
            RegionDiff(
                region,
                pair("task_hours"),
                pair("task_usd"),
                pair("reserved_lcu_hours"),
                pair("reservation_usd"),
                peaks,
            )
        )
    return ForecastDiff(window.start, window.end, added, removed, changed, tuple(rows))


def _delta(pair: tuple[float, float], fmt: str = "{:,.0f}") -> str:
    old, new = pair
    change = new - old
    sign = "+" if change > 0 else ""
    return f"{fmt.format(old)} -> {fmt.format(new)} ({sign}{fmt.format(change)})"


def diff_text(diff: ForecastDiff) -> str:
    """The change as an operator reads it: events, then per Region the floor, the reservations and their cost."""
    lines = [f"forecast change over {diff.start:%Y-%m-%d %H:%M} -> {diff.end:%Y-%m-%d %H:%M} UTC"]
    for label, ids in (("added", diff.added), ("removed", diff.removed), ("changed", diff.changed)):
        if ids:
            lines.append(f"  events {label}: {', '.join(ids)}")
    if diff.unchanged:
        lines.append("  no event changed")
    if diff.problems:
        lines.append("  the new calendar cannot be planned:")
        lines += [f"    {p}" for p in diff.problems]
        return "\n".join(lines)
    body = [
        [
            r.region,
            _delta(r.task_hours),
            _delta(r.task_usd),
            _delta(r.reserved_lcu_hours),
            _delta(r.reservation_usd),
            ", ".join(f"{s} {a}->{b}" for s, (a, b) in r.peak_tasks.items() if a != b) or "unchanged",
        ]
        for r in diff.regions
    ]
    lines.append(
        render_table(
            ["region", "task-hours (floor)", "USD (tasks)", "reserved LCU-hours", "USD (ALB)", "peak minimum"], body
        )
    )
    return "\n".join(lines)
