"""``gameday``: the experiments of a game day in order, and what each does to capacity (never calls AWS)."""

from __future__ import annotations

import argparse

from kickoff.cli.common import analysis_time, config_and_assembly, emit
from kickoff.planning import build_deployment_plan
from kickoff.reports.assembly import no_experiments
from kickoff.reports.gameday import game_day, render_game_day
from kickoff.rules.assembly import template_views
from kickoff.rules.gameday import event_window, read_experiments
from kickoff.twin.run import live_channel_outcomes


def gameday(args: argparse.Namespace) -> int:
    found = config_and_assembly(args)
    if found is None:
        return 2
    config, outdir = found
    plan = build_deployment_plan(config, analysis_time(args))
    try:
        window = event_window(plan, args.event)
    except ValueError as error:
        emit(f"kickoff: {error}", error=True)
        return 2
    cells = set(config.region_names)
    views = template_views(outdir, lambda s: s.account == config.account and s.region in cells)
    experiments = read_experiments(views)
    if not experiments:
        emit(f"kickoff: {no_experiments(config, outdir, views)}", error=True)
        return 2
    day = game_day(config, plan, window, experiments, live_channel_outcomes(config, views))
    emit(render_game_day(day))
    return 1 if day.shortfalls else 0
