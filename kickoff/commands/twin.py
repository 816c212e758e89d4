"""``python -m kickoff twin``: run the twin over a synthesized assembly and print what each failure does."""

from __future__ import annotations

import argparse

from kickoff.commands.common import assembly_dir, context_pairs, load_selected


def cmd_twin(args: argparse.Namespace) -> int:
    """Print the twin's table for the assembly in ``--outdir``; exit 1 when a scenario fails the gate."""
    from kickoff.planning import build_deployment_plan, default_plan_from, parse_plan_from
    from kickoff.reports.twin import twin_sweep_text, twin_text
    from kickoff.rules.assembly import template_views
    from kickoff.rules.summary import read_summary
    from kickoff.twin.run import run_twin

    config = load_selected(args)
    outdir = assembly_dir(args, config)
    if outdir is None:
        return 2
    # The plan the assembly was compiled for: -c plan_from, else the deploy time its synth recorded, else now.
    context = context_pairs(args.context)
    recorded = read_summary(outdir).get("DeployReadiness", {}).get("deploy_time")
    chosen = context.get("plan_from") or recorded
    plan_from = parse_plan_from(chosen) if chosen else default_plan_from()
    plan = build_deployment_plan(config, plan_from)
    views = template_views(outdir, lambda s: s.account == config.account)
    report = run_twin(config, plan, views, full=args.full, sweep_every_moment=args.sweep)
    print(twin_sweep_text(report) if args.sweep else twin_text(report))
    return 1 if report.problems else 0
