"""Tabular views of a capacity plan for a CLI or a pipeline log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kickoff.scaling.model import ServiceModel
from kickoff.scaling.plan import CapacityPlan
from kickoff.scaling.prices import FARGATE_ARM64_US_EAST_1, FargatePrice
from kickoff.scaling.schedule import AlbReservation, TargetPlan


@dataclass(frozen=True)
class PlanRow:
    """One scheduled action as a table row.

    Fields:
        when: ISO-8601 UTC time of a one-time step, or the cron expression of a recurring one.
        region, service: the scalable target.
        min_tasks, max_tasks: the capacity range the action sets.
        vcpu: vCPU held by ``min_tasks`` tasks.
        cost_per_hour_usd: USD per hour of ``min_tasks`` tasks at the given Fargate price.
        at: the UTC time of a one-time step; None for a recurring one.
    """

    when: str
    region: str
    service: str
    min_tasks: int
    max_tasks: int
    vcpu: float
    cost_per_hour_usd: float
    at: datetime | None = None


def _row(
    target: TargetPlan,
    svc: ServiceModel,
    price: FargatePrice,
    when: str,
    min_tasks: int,
    max_tasks: int,
    at: datetime | None = None,
) -> PlanRow:
    return PlanRow(
        when,
        target.region,
        target.service,
        min_tasks,
        max_tasks,
        min_tasks * svc.vcpu,
        min_tasks * price.task_hour(svc),
        at,
    )


def plan_table(plan: CapacityPlan, price: FargatePrice = FARGATE_ARM64_US_EAST_1) -> list[PlanRow]:
    """Rows for every scheduled action: one-time steps in time order, then recurring steps."""
    timed: list[PlanRow] = []
    recurring: list[PlanRow] = []
    for t in plan.targets:
        svc = plan.service(t.service)
        timed += [
            _row(t, svc, price, s.at.strftime("%Y-%m-%dT%H:%M:%SZ"), s.min_tasks, s.max_tasks, s.at) for s in t.steps
        ]
        recurring += [_row(t, svc, price, r.expression, r.min_tasks, r.max_tasks) for r in t.recurring]
    timed.sort(key=lambda r: (r.at, r.region, r.service))
    return timed + recurring


def format_plan_table(rows: list[PlanRow]) -> str:
    """Fixed-width text rendering of ``plan_table`` rows."""
    header = ("when", "region", "service", "min", "max", "vCPU", "USD/h")
    body = [
        (
            r.when,
            r.region,
            r.service,
            str(r.min_tasks),
            str(r.max_tasks),
            f"{r.vcpu:,.1f}",
            f"{r.cost_per_hour_usd:,.2f}",
        )
        for r in rows
    ]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *body)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in body]
    return "\n".join(lines)


ALB_RESERVED_LCU_HOUR_USD = 0.008
"""USD per reserved LCU-hour, us-east-1: the ALB LCU-hour rate, which reserved LCUs are billed at whether used
or not. Sources in bench/README.md ("Prices")."""


@dataclass(frozen=True)
class CostRow:
    """What one Region's plan costs over a span, by kind.

    Fields:
        region: the Region.
        task_hours: task-hours the scheduled minimums hold (target tracking adds what the load needs above).
        task_usd: those task-hours at the Fargate price.
        reserved_lcu_hours: LCU-hours the ALB reservations hold.
        reservation_usd: those LCU-hours at ``ALB_RESERVED_LCU_HOUR_USD``.
    """

    region: str
    task_hours: float
    task_usd: float
    reserved_lcu_hours: float
    reservation_usd: float


def reserved_lcu_hours(reservations: Sequence[AlbReservation], region: str, start: datetime, end: datetime) -> float:
    """LCU-hours ``region``'s reservations hold within [start, end) (a reservation runs until the next change)."""
    mine = sorted((r for r in reservations if r.region == region), key=lambda r: r.at)
    total = 0.0
    for r, nxt in zip(mine, [*mine[1:], None]):
        since = max(r.at, start)
        until = min(nxt.at if nxt is not None else end, end)
        if until > since:
            total += r.capacity_units * (until - since).total_seconds() / 3600.0
    return total


def plan_costs(
    plan: CapacityPlan,
    start: datetime,
    end: datetime,
    price: FargatePrice = FARGATE_ARM64_US_EAST_1,
    lcu_hour_usd: float = ALB_RESERVED_LCU_HOUR_USD,
) -> list[CostRow]:
    """Per Region, the scheduled task floor and the ALB reservations over [start, end), in hours and USD."""
    rows = []
    for region in plan.regions:
        hours = usd = 0.0
        for t in plan.targets:
            if t.region != region.name:
                continue
            held = t.min_task_hours_between(start, end)
            hours += held
            usd += held * price.task_hour(plan.service(t.service))
        lcu = reserved_lcu_hours(plan.alb_reservations, region.name, start, end)
        rows.append(CostRow(region.name, hours, usd, lcu, lcu * lcu_hour_usd))
    return rows
