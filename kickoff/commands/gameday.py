"""``gameday``: the experiments of a game day in order, and what each does to capacity (never calls AWS)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kickoff import naming
from kickoff.commands.common import assembly_dir, context_pairs, load_selected, synth_command
from kickoff.config import KickoffConfig
from kickoff.reports.table import render_table


def _no_experiments(config: KickoffConfig, outdir: Path, views: list) -> str:
    """Why an assembly holds no experiment of ``config``'s cells, and the fix that applies."""
    from kickoff.rules.assembly import read_stacks

    prefix = naming.environment_key(config)
    if not views or not any(s.name.startswith(prefix) for s in read_stacks(outdir)):
        others = sorted({s.name.split("-cell-")[0] for s in read_stacks(outdir) if "-cell-" in s.name})
        return (
            f"{outdir} was synthesized from another config ({', '.join(others) or 'no cells'}), not {prefix}.\n"
            f"  Fix: run {synth_command(config)}, or pass the same -c options as that synth"
        )
    if not config.fault_injection.enabled:
        return (
            f"{prefix} turns fault injection off, so its cells have no experiments.\n"
            f"  Fix: set {config.locate(('fault_injection', 'enabled'))} to true and run {synth_command(config)}"
        )
    return f"{outdir} holds no experiment templates of {prefix}.\n  Fix: run {synth_command(config)}"


def cmd_gameday(args: argparse.Namespace) -> int:
    """Print the game-day plan: the experiments in order and their expected effect (never calls AWS)."""
    from kickoff.planning import build_deployment_plan, default_plan_from, parse_plan_from
    from kickoff.rules.assembly import template_views
    from kickoff.rules.gameday import (
        EFFECT,
        capacity_after_evacuation,
        capacity_after_loss,
        event_window,
        read_experiments,
        replication_exposure_seconds,
    )

    config = load_selected(args)
    outdir = assembly_dir(args, config)
    if outdir is None:
        return 2
    # An analysis, not a deploy: any -c plan_from is accepted (the plan is the one a deploy then would compile).
    context = context_pairs(args.context)
    plan_from = parse_plan_from(context["plan_from"]) if context.get("plan_from") else default_plan_from()
    plan = build_deployment_plan(config, plan_from)
    try:
        window = event_window(plan, args.event)
    except ValueError as error:
        print(f"kickoff: {error}", file=sys.stderr)
        return 2
    cells = set(config.region_names)
    views = template_views(outdir, lambda s: s.account == config.account and s.region in cells)
    experiments = read_experiments(views)
    if not experiments:
        print(f"kickoff: {_no_experiments(config, outdir, views)}", file=sys.stderr)
        return 2
    faults = config.fault_injection
    order = [config.canary_region, *(r for r in config.region_names if r != config.canary_region)]
    env = naming.environment_key(config)
    print(
        f"{env} game day for {'+'.join(window.event_ids)}: event window {window.start:%Y-%m-%d %H:%M} to "
        f"{window.restore:%Y-%m-%d %H:%M} UTC; run it in the weeks before, never inside a window "
        f"(python -m kickoff deploy-window). Runbooks: docs/runbooks/game-day.md and one per experiment."
    )
    print(
        "\nExperiments, in order (canary Region first, smallest blast radius first); each stops when its alarm is "
        "in ALARM:"
    )
    rows = []
    step = 0
    for region in order:
        for e in (e for e in experiments if e.region == region):
            step += 1
            rows.append(
                [
                    step,
                    e.region,
                    e.name,
                    e.action,
                    e.availability_zone or "-",
                    e.selection,
                    f"{e.duration_minutes} min" if e.duration_minutes else "instant",
                    e.stop_alarm,
                ]
            )
    print(render_table(["#", "region", "experiment", "action", "AZ", "targets", "duration", "stop condition"], rows))
    print("\nExpected effect of each action: " + "; ".join(f"{a}: {t}" for a, t in EFFECT.items()) + ".")
    shortfalls = 0
    for title, share in (
        ("a whole AZ lost (network, zonal shift) at the event's peak", 1.0),
        (
            f"{faults.task_share_percent}% of one AZ's tasks stopped at the event's peak",
            faults.task_share_percent / 100,
        ),
    ):
        print(
            f"\nCapacity with {title}: planned = scheduled floor at the Region's peak, need = tasks at 100% of a "
            "task's requests/s for the Region's own peak (upper band); the other AZs absorb the lost tasks' traffic."
        )
        table = []
        for region in order:
            for row in capacity_after_loss(config, plan, window, region, share):
                shortfalls += row.shortfall > 0
                table.append(
                    [
                        row.region,
                        row.service,
                        f"{row.peak_at:%m-%d %H:%M}",
                        f"{row.peak_rps:,.0f}",
                        row.planned,
                        row.lost,
                        row.remaining,
                        row.need,
                        f"SHORT {row.shortfall}" if row.shortfall else "ok",
                    ]
                )
        print(
            render_table(
                ["region", "service", "peak (UTC)", "peak rps", "planned", "lost", "remaining", "need", "verdict"],
                table,
            )
        )
    print(
        "\nRouting: the cell stays in DNS while every service keeps a healthy target (its calculated health check); "
        "the experiment stops first if the region-impaired alarm fires (no healthy target, ELB 5xx above "
        f"{config.monitoring.load_balancer.critical_5xx_percent:g}% of requests, or the cell failing while the others "
        "answer)."
    )
    exposure = replication_exposure_seconds(faults.replication_pause_minutes)
    print(
        f"\nReplication pause ({faults.replication_pause_minutes} min, replication may continue up to 5 min after "
        f"the start): writes to the paused replica are at risk for up to {exposure} s if its Region failed meanwhile, "
        f"against resilience.rpo_seconds {config.resilience.rpo_seconds} s; the ReplicationLatency alarms "
        f"(threshold {config.replication_alarm_seconds or '-'} s) fire as designed. Run it outside events only."
    )
    print(
        "\nEvacuating a Region (planned: evacuate: true and a deploy of that cell; incident: its ARC routing control "
        "off; docs/runbooks/evacuate-region.md): survivors at their peak after its viewers move"
    )
    table = []
    for evacuated in order:
        for row in capacity_after_evacuation(config, plan, window, evacuated):
            shortfalls += row.shortfall > 0
            table.append(
                [
                    evacuated,
                    row.region,
                    row.service,
                    f"{row.peak_rps:,.0f}",
                    row.planned,
                    row.need,
                    f"SHORT {row.shortfall}" if row.shortfall else "ok",
                ]
            )
    print(render_table(["evacuated", "survivor", "service", "peak rps", "planned", "need", "verdict"], table))
    print(
        f"\n{shortfalls} shortfall(s)."
        + (
            " A shortfall drops requests until reactive scaling adds tasks: raise the "
            "floor (min_tasks, the forecast band) or rehearse outside the event's peak."
            if shortfalls
            else ""
        )
    )
    return 1 if shortfalls else 0
