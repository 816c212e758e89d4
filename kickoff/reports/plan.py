"""``kickoff plan``: the capacity plan per Region and service, its reservations, and its cost.

``plan_view`` selects what one run shows (every event window, or one event's) and returns it as data;
``render_plan`` prints it. ``cost_table`` prices the task floor, the ALB reservations and the season's
table warm throughput over the same span.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kickoff import naming
from kickoff.config import KickoffConfig
from kickoff.live_planning import channel_plans
from kickoff.planning import DeploymentPlan
from kickoff.reports.table import render_table
from kickoff.scaling import ALB_RESERVED_LCU_HOUR_USD, plan_costs, plan_table
from kickoff.scaling.report import PlanRow
from kickoff.scaling.schedule import AlbReservation, EventWindow
from kickoff.scaling.spec import ON_DEMAND_BASELINE_READS, ON_DEMAND_BASELINE_WRITES

# Reservations shown beside one event: from six hours before its window to an hour after its restore.
RESERVATION_LEAD = timedelta(hours=6)
RESERVATION_TAIL = timedelta(hours=1)


class UnknownEvent(ValueError):
    """``--event`` names no event of the planning window."""


@dataclass(frozen=True)
class TargetView:
    """One scalable target: its actions in the shown span."""

    region: str
    service: str
    action_count: int
    peak_tasks: int
    peak_vcpu: float
    rows: list[PlanRow]


@dataclass(frozen=True)
class PlanView:
    """What ``kickoff plan`` shows for one config and deploy time."""

    config: KickoffConfig
    plan: DeploymentPlan
    windows: list[EventWindow]
    targets: list[TargetView]
    reservations: list[AlbReservation]
    event: str | None

    @property
    def plotted_event(self) -> str | None:
        """The event a run plots: the one asked for, else the first in the window."""
        return self.event or (self.windows[0].event_ids[0] if self.windows else None)


def plan_view(config: KickoffConfig, plan: DeploymentPlan, event: str | None = None) -> PlanView:
    """The plan's windows, actions and reservations, all of them or ``event``'s only (UnknownEvent if absent)."""
    capacity = plan.capacity
    if capacity is None:
        return PlanView(config, plan, [], [], [], event)
    windows = [w for w in capacity.windows if event in w.event_ids] if event else list(capacity.windows)
    if event and not windows:
        known = ", ".join(e for w in capacity.windows for e in w.event_ids) or "none"
        raise UnknownEvent(f"event {event!r} is not in the planning window (events in it: {known})")
    rows = plan_table(capacity)
    targets = [
        TargetView(
            t.region,
            t.service,
            t.action_count,
            t.peak_tasks,
            t.peak_vcpu,
            [
                r
                for r in rows
                if (r.region, r.service) == (t.region, t.service)
                and (not event or r.at is not None and any(w.start <= r.at <= w.restore for w in windows))
            ],
        )
        for t in capacity.targets
    ]
    reservations = [
        r
        for r in capacity.alb_reservations
        if not event or any(w.start - RESERVATION_LEAD <= r.at <= w.restore + RESERVATION_TAIL for w in windows)
    ]
    return PlanView(config, plan, windows, targets, reservations, event)


def render_plan(view: PlanView) -> str:
    """The plan as printed, the cost table last."""
    plan = view.plan
    out = [
        f"{naming.environment_key(view.config.identity)}: capacity plan {plan.window.start:%Y-%m-%d %H:%M} -> "
        f"{plan.window.end:%Y-%m-%d %H:%M} UTC"
    ]
    if plan.capacity is None:
        out.append("no events in the window and no baseline: nothing is scheduled")
        return "\n".join(out)
    out += [
        f"  event window {', '.join(w.event_ids)}: {w.start:%Y-%m-%d %H:%M} -> {w.restore:%H:%M} UTC"
        for w in view.windows
    ]
    warm = plan.table_warm_throughput
    out.append(
        f"  table warm throughput (season): {warm.read_units_per_second:,} reads/s, "
        f"{warm.write_units_per_second:,} writes/s"
        if warm
        else "  table warm throughput: none (the season needs no more than a new on-demand table sustains)"
    )
    for t in view.targets:
        out.append(
            f"\n{t.region} / {t.service}: {t.action_count} actions, peak {t.peak_tasks} tasks ({t.peak_vcpu:,.0f} vCPU)"
        )
        out.append(
            render_table(
                ["time (UTC)", "min tasks", "max tasks", "vCPU", "USD/h (ARM64)"],
                [
                    [
                        f"{r.at:%Y-%m-%d %H:%M}Z" if r.at else r.when,
                        r.min_tasks,
                        r.max_tasks,
                        f"{r.vcpu:,.1f}",
                        f"{r.cost_per_hour_usd:,.2f}",
                    ]
                    for r in t.rows
                ],
            )
        )
    if view.reservations:
        out.append("")
        out.append(
            render_table(
                ["ALB reservation (UTC)", "region", "LCU"],
                [[f"{r.at:%Y-%m-%d %H:%M}Z", r.region, r.capacity_units or "release"] for r in view.reservations],
            )
        )
    out.append("")
    out.append(cost_table(view.config, plan, view.windows if view.event else None))
    return "\n".join(out)


def cost_span(plan: DeploymentPlan, windows: list[EventWindow] | None) -> tuple[datetime, datetime]:
    """The span a cost table covers: the planning window, or from the chosen windows' reservation raise (the ALB
    lead before the first) to the last one's restore."""
    capacity = plan.capacity
    assert capacity is not None
    if windows:
        return min(w.start for w in windows) - capacity.params.alb.lead, max(w.restore for w in windows)
    return plan.window.start, plan.window.end


def cost_table(config: KickoffConfig, plan: DeploymentPlan, windows: list[EventWindow] | None) -> str:
    """The plan's costs per Region over the planning window (or the chosen event windows): the task floor, the
    ALB reservations, and the season's table warm throughput (priced when ``scaling.warm_throughput_price`` is
    set)."""
    assert plan.capacity is not None
    start, end = cost_span(plan, windows)
    rows = plan_costs(plan.capacity, start, end)
    body = [
        [
            r.region,
            f"{r.task_hours:,.0f}",
            f"{r.task_usd:,.0f}",
            f"{r.reserved_lcu_hours:,.0f}",
            f"{r.reservation_usd:,.0f}",
        ]
        for r in rows
    ]
    body.append(
        [
            "total",
            f"{sum(r.task_hours for r in rows):,.0f}",
            f"{sum(r.task_usd for r in rows):,.0f}",
            f"{sum(r.reserved_lcu_hours for r in rows):,.0f}",
            f"{sum(r.reservation_usd for r in rows):,.0f}",
        ]
    )
    lines = [
        f"cost of the plan {start:%Y-%m-%d %H:%M} -> {end:%Y-%m-%d %H:%M} UTC (us-east-1 prices: Fargate ARM64, "
        f"${ALB_RESERVED_LCU_HOUR_USD}/reserved LCU-hour; target tracking adds what the load needs above the floor)",
        render_table(
            ["region", "task-hours (floor)", "USD (tasks)", "reserved LCU-hours", "USD (ALB reservation)"], body
        ),
    ]
    warm = plan.table_warm_throughput
    if warm:
        lines.append(_warm_throughput_line(config, warm.read_units_per_second, warm.write_units_per_second))
    live = live_table(config, start, end)
    if live:
        lines += ["", live]
    return "\n".join(lines)


def live_table(config: KickoffConfig, start: datetime, end: datetime) -> str:
    """The live channels' runs that meet [start, end) and what they cost: MediaLive channel-hours (every ingest
    Region, billed minutes), MediaPackage ingest and origination, CloudFront delivery of the events they serve."""
    plans = [p for p in channel_plans(config, start, end) if p.runs]
    if not plans:
        return ""
    body = []
    for p in plans:
        c = p.cost
        body.append(
            [
                p.channel,
                len(p.runs),
                ", ".join(e.event_id for e in p.events),
                f"{c.channel_hours:,.1f}",
                f"{c.medialive_usd:,.0f}{'+' if c.lower_bound else ''}",
                f"{c.ingest_gb + c.origination_gb:,.0f}",
                f"{c.mediapackage_usd:,.0f}",
                f"{c.viewer_hours:,.0f}",
                f"{c.delivery_gb / 1024**2:,.1f}",
                f"{c.cloudfront_usd:,.0f}",
            ]
        )
    lower = any(p.cost.lower_bound for p in plans)
    return "\n".join(
        [
            "live channels (runs from start_lead_minutes before each event to its end, overtime and stop delay; "
            "us-east-1 prices, GB = 2^30 bytes; CloudFront priced from the first tier each run)",
            render_table(
                [
                    "channel",
                    "runs",
                    "events",
                    "channel-hours",
                    "USD (MediaLive)",
                    "MediaPackage GB",
                    "USD (MediaPackage)",
                    "viewer-hours",
                    "delivered PB",
                    "USD (CloudFront)",
                ],
                body,
            ),
            *(
                [
                    "+ lower bound: MediaLive's rates for outputs above 30 fps, UHD and audio-only outputs were not "
                    "found, so those outputs are priced at the 30 fps rate or not at all (kickoff/reports/prices.yaml)."
                ]
                if lower
                else []
            ),
        ]
    )


def _warm_throughput_line(config: KickoffConfig, read_units: int, write_units: int) -> str:
    reads = max(0, read_units - ON_DEMAND_BASELINE_READS)
    writes = max(0, write_units - ON_DEMAND_BASELINE_WRITES)
    head = (
        f"table warm throughput: {reads:,} reads/s and {writes:,} writes/s above a new on-demand table's "
        f"{ON_DEMAND_BASELINE_READS:,}/{ON_DEMAND_BASELINE_WRITES:,}, on each of {len(config.regions)} replicas; "
    )
    price = config.scaling.warm_throughput_price
    if price is None:
        return (
            head + "pre-warming is charged when raised, but Kickoff ships no unit price (none found in AWS's "
            "documentation, decision 0019): set scaling.warm_throughput_price from your pricing page to see it "
            "in USD."
        )
    usd = (reads * price.read_unit_usd + writes * price.write_unit_usd) * len(config.regions)
    return (
        head + f"${usd:,.0f} once for the season at scaling.warm_throughput_price "
        f"(${price.read_unit_usd:g}/read unit, ${price.write_unit_usd:g}/write unit, every replica charged)."
    )
