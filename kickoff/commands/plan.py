"""``plan`` and ``quotas``: the capacity plan, its costs, and the declared quotas against what it needs."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from kickoff import naming
from kickoff.commands.common import context_pairs, load_selected, plan_from_of
from kickoff.reports.table import render_table


def _cost_table(config, plan, windows) -> str:
    """The plan's costs per Region over the planning window (or the chosen event windows): the task floor, the
    ALB reservations, and the season's table warm throughput (priced when ``scaling.warm_throughput_price`` is
    set)."""
    from kickoff.scaling import ALB_RESERVED_LCU_HOUR_USD, plan_costs
    from kickoff.scaling.spec import ON_DEMAND_BASELINE_READS, ON_DEMAND_BASELINE_WRITES

    capacity = plan.capacity
    if windows:
        # From the reservation's raise, the ALB lead before the window, to the window's restore.
        start = min(w.start for w in windows) - capacity.params.alb.lead
        end = max(w.restore for w in windows)
    else:
        start, end = plan.window.start, plan.window.end
    rows = plan_costs(capacity, start, end)
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
        reads = max(0, warm.read_units_per_second - ON_DEMAND_BASELINE_READS)
        writes = max(0, warm.write_units_per_second - ON_DEMAND_BASELINE_WRITES)
        head = (
            f"table warm throughput: {reads:,} reads/s and {writes:,} writes/s above a new on-demand table's "
            f"{ON_DEMAND_BASELINE_READS:,}/{ON_DEMAND_BASELINE_WRITES:,}, on each of {len(config.regions)} replicas; "
        )
        price = config.scaling.warm_throughput_price
        if price is None:
            lines.append(
                head + "pre-warming is charged when raised, but Kickoff ships no unit price (none found in AWS's "
                "documentation, decision 0019): set scaling.warm_throughput_price from your pricing page to see it "
                "in USD."
            )
        else:
            usd = (reads * price.read_unit_usd + writes * price.write_unit_usd) * len(config.regions)
            lines.append(
                head + f"${usd:,.0f} once for the season at scaling.warm_throughput_price "
                f"(${price.read_unit_usd:g}/read unit, ${price.write_unit_usd:g}/write unit, every replica charged)."
            )
    return "\n".join(lines)


def _plan_diff(args: argparse.Namespace, config, now) -> int:  # noqa: ANN001
    """``plan --diff DOCUMENT``: the config's calendar against a forecast document, before anything is published."""
    import json

    from kickoff.agent.document import DocumentError, read_document
    from kickoff.planning import calendar_events, capacity_spec
    from kickoff.reports.forecast_diff import diff_text, forecast_diff

    spec = capacity_spec(config)
    try:
        data = json.loads(Path(args.diff).read_text())
        base = read_document(data, spec, naming.environment_key(config))
    except (OSError, json.JSONDecodeError, DocumentError) as error:
        print(
            f"kickoff: {args.diff}: not a forecast document of {naming.environment_key(config)}: {error}\n"
            f"  Fix: write one with python -m kickoff forecast document -c env={config.environment} --out FILE",
            file=sys.stderr,
        )
        return 2
    print(f"{naming.environment_key(config)}: {config.scaling.calendar} against {args.diff} (version {base.version})")
    diff = forecast_diff(spec, base.events, calendar_events(config), now)
    print(diff_text(diff))
    return 1 if diff.problems else 0


def cmd_plan(args: argparse.Namespace) -> int:
    from kickoff.planning import build_deployment_plan, default_plan_from, parse_plan_from
    from kickoff.scaling import plan_table

    config = load_selected(args)
    context = context_pairs(args.context)
    if args.diff:
        when = parse_plan_from(context["plan_from"]) if context.get("plan_from") else default_plan_from()
        build_deployment_plan(config, when)  # the calendar must pass the synth's checks first
        return _plan_diff(args, config, when)
    plan = build_deployment_plan(
        config, parse_plan_from(context["plan_from"]) if context.get("plan_from") else default_plan_from()
    )
    capacity = plan.capacity
    print(
        f"{naming.environment_key(config)}: capacity plan {plan.window.start:%Y-%m-%d %H:%M} -> "
        f"{plan.window.end:%Y-%m-%d %H:%M} UTC"
    )
    if capacity is None:
        print("no events in the window and no baseline: nothing is scheduled")
        return 0
    windows = [w for w in capacity.windows if args.event in w.event_ids] if args.event else list(capacity.windows)
    if args.event and not windows:
        known = ", ".join(e for w in capacity.windows for e in w.event_ids) or "none"
        print(f"kickoff: event {args.event!r} is not in the planning window (events in it: {known})", file=sys.stderr)
        return 2
    for window in windows:
        print(
            f"  event window {', '.join(window.event_ids)}: {window.start:%Y-%m-%d %H:%M} -> {window.restore:%H:%M} UTC"
        )
    if plan.table_warm_throughput:
        warm = plan.table_warm_throughput
        print(
            f"  table warm throughput (season): {warm.read_units_per_second:,} reads/s, "
            f"{warm.write_units_per_second:,} writes/s"
        )
    else:
        print("  table warm throughput: none (the season needs no more than a new on-demand table sustains)")
    rows = plan_table(capacity)
    for target in capacity.targets:
        mine = [
            r
            for r in rows
            if (r.region, r.service) == (target.region, target.service)
            and (not args.event or r.at is not None and any(w.start <= r.at <= w.restore for w in windows))
        ]
        print(
            f"\n{target.region} / {target.service}: {target.action_count} actions, peak {target.peak_tasks} tasks "
            f"({target.peak_vcpu:,.0f} vCPU)"
        )
        print(
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
                    for r in mine
                ],
            )
        )
    reservations = [
        r
        for r in capacity.alb_reservations
        if not args.event
        or any(w.start - timedelta(hours=6) <= r.at <= w.restore + timedelta(hours=1) for w in windows)
    ]
    if reservations:
        print()
        print(
            render_table(
                ["ALB reservation (UTC)", "region", "LCU"],
                [[f"{r.at:%Y-%m-%d %H:%M}Z", r.region, r.capacity_units or "release"] for r in reservations],
            )
        )
    print()
    print(_cost_table(config, plan, windows if args.event else None))
    event_id = args.event or windows[0].event_ids[0] if windows else None
    if event_id and not args.no_png:
        from kickoff.scaling.plot import plot_event

        out = Path(args.png or f"build/plan-{event_id}.png")
        out.parent.mkdir(parents=True, exist_ok=True)
        print(f"\nwrote {plot_event(capacity, event_id, out)}")
    return 0


def cmd_quotas(args: argparse.Namespace) -> int:
    """The quotas the config declares per Region, what the plan and the season need, and each cell's ceiling."""
    from kickoff.planning import build_deployment_plan
    from kickoff.reports.quotas import quota_report

    config = load_selected(args)
    plan = build_deployment_plan(config, plan_from_of(args, config))
    report = quota_report(config, plan)
    print(
        f"{naming.environment_key(config)}: declared quotas against the plan for "
        f"{plan.window.deploy_time:%Y-%m-%d %H:%M} UTC and the whole season (N-1, the re-arrival surge and each "
        "service's deploy surge included)\n"
    )
    rows = [[r.region, r.quota, r.code, f"{r.declared:,}", f"{r.needed:,.0f}", r.command] for r in report.rows]
    print(render_table(["region", "quota", "code", "declared", "needed", "check the account's value"], rows))
    print(
        "\nOne cell's ceiling: concurrent viewers it serves at the target utilisation before a limit binds (a steady "
        "audience; the kickoff's arrival surge comes on top). Past the first limit, raise it; past max_tasks and "
        "the quotas AWS grants, add a cell.\n"
    )
    ceiling_rows = [
        [
            region,
            limits[0].limit,
            f"{limits[0].viewers:,.0f}",
            "; ".join(f"{c.limit} {c.viewers:,.0f}" for c in limits[1:3]),
        ]
        for region, limits in report.ceilings.items()
    ]
    print(render_table(["region", "binding limit", "viewers", "next limits"], ceiling_rows))
    return 0


def cmd_cost(args: argparse.Namespace) -> int:
    """The environment's monthly baseline from a synthesized assembly, line by line, each price with its source."""
    from kickoff.reports.cost_render import cost_main

    code, text = cost_main(load_selected(args), Path(args.outdir))
    print(text, file=sys.stderr if code else sys.stdout)
    return code
