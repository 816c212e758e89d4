"""Plan commands: ``validate``, ``plan``, ``quotas`` and ``cost``. None of them loads the CDK."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kickoff import naming
from kickoff.agent.document import DocumentError, read_document
from kickoff.cli.common import analysis_time, emit, load_selected, plan_from_of
from kickoff.config import KickoffConfig
from kickoff.planning import DeploymentPlan, build_deployment_plan, calendar_events, capacity_spec
from kickoff.reports.cost_render import cost_main
from kickoff.reports.forecast_diff import diff_text, forecast_diff
from kickoff.reports.plan import UnknownEvent, plan_view, render_plan
from kickoff.reports.quotas import quota_report, render_quotas
from kickoff.scaling.plot import plot_event


def validate(args: argparse.Namespace) -> int:
    config = load_selected(args)
    # The capacity plan checks quotas, max_tasks and action limits: a config that validates also plans.
    plan = build_deployment_plan(config, plan_from_of(args, config))
    emit(validation_line(config, plan))
    return 0


def validation_line(config: KickoffConfig, plan: DeploymentPlan) -> str:
    return (
        f"{naming.environment_key(config.identity)}: valid. {len(config.regions)} cells "
        f"({', '.join(config.region_names)}; primary {config.primary_region}), "
        f"{len(config.services)} services, table {naming.table_name(config.identity)} "
        f"({config.table.consistency}, {config.table.encryption}). Capacity plan for a deploy at "
        f"{plan.window.deploy_time:%Y-%m-%d %H:%M} UTC fits the declared quotas."
    )


def plan(args: argparse.Namespace) -> int:
    config = load_selected(args)
    deployment_plan = build_deployment_plan(config, analysis_time(args))  # the synth's checks first
    if args.diff:
        return _plan_diff(args, config, deployment_plan)
    try:
        view = plan_view(config, deployment_plan, args.event)
    except UnknownEvent as error:
        emit(f"kickoff: {error}", error=True)
        return 2
    emit(render_plan(view))
    event_id = view.plotted_event
    if event_id and deployment_plan.capacity is not None and not args.no_png:
        out = Path(args.png or f"build/plan-{event_id}.png")
        out.parent.mkdir(parents=True, exist_ok=True)
        emit(f"\nwrote {plot_event(deployment_plan.capacity, event_id, out)}")
    return 0


def _plan_diff(args: argparse.Namespace, config: KickoffConfig, deployment_plan: DeploymentPlan) -> int:
    """``plan --diff DOCUMENT``: the config's calendar against a forecast document, before anything is published."""
    spec = capacity_spec(config)
    env = naming.environment_key(config.identity)
    try:
        base = read_document(json.loads(Path(args.diff).read_text()), spec, env)
    except (OSError, json.JSONDecodeError, DocumentError) as error:
        emit(
            f"kickoff: {args.diff}: not a forecast document of {env}: {error}\n"
            f"  Fix: write one with python -m kickoff forecast document -c env={config.environment} --out FILE",
            error=True,
        )
        return 2
    emit(f"{env}: {config.scaling.calendar} against {args.diff} (version {base.version})")
    diff = forecast_diff(spec, base.events, calendar_events(config), deployment_plan.window.deploy_time)
    emit(diff_text(diff))
    return 1 if diff.problems else 0


def quotas(args: argparse.Namespace) -> int:
    config = load_selected(args)
    deployment_plan = build_deployment_plan(config, plan_from_of(args, config))
    emit(render_quotas(config, deployment_plan, quota_report(config, deployment_plan)))
    return 0


def cost(args: argparse.Namespace) -> int:
    code, text = cost_main(load_selected(args), Path(args.outdir))
    emit(text, error=bool(code))
    return code
