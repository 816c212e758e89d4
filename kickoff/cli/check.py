"""Check commands over a synthesized assembly: ``check`` (the gate summary), ``readiness`` and ``twin``.

They read templates; none loads the CDK.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kickoff.cli.common import analysis_time, config_and_assembly, emit
from kickoff.planning import build_deployment_plan
from kickoff.reports.gate_summary import gate_summary, render_gate_summary
from kickoff.reports.readiness import readiness_report, render_readiness
from kickoff.reports.twin import twin_sweep_text, twin_text
from kickoff.rules.assembly import template_views
from kickoff.rules.summary import read_summary
from kickoff.twin.run import run_twin


def check(args: argparse.Namespace) -> int:
    outdir = Path(args.outdir)
    if not (outdir / "manifest.json").is_file():
        emit(f"kickoff: {outdir} holds no cloud assembly; run `make synth` (or `npx cdk synth`) first", error=True)
        return 2
    summary = gate_summary(outdir)
    out, err = render_gate_summary(summary)
    emit(err, error=True)
    emit(out)
    return 0 if summary.passed else 1


def readiness(args: argparse.Namespace) -> int:
    found = config_and_assembly(args)
    if found is None:
        return 2
    config, outdir = found
    deploy_time = analysis_time(args)
    report = readiness_report(config, build_deployment_plan(config, deploy_time), template_views(outdir), deploy_time)
    emit(render_readiness(report, outdir))
    return 1 if report.failed else 0


def twin(args: argparse.Namespace) -> int:
    found = config_and_assembly(args)
    if found is None:
        return 2
    config, outdir = found
    # The plan the assembly was checked against: -c plan_from, else the deploy time its synth recorded, else now.
    recorded = read_summary(outdir).get("DeployReadiness", {}).get("deploy_time")
    plan = build_deployment_plan(config, analysis_time(args, recorded))
    views = template_views(outdir, lambda s: s.account == config.account)
    report = run_twin(config, plan, views, full=args.full, sweep_every_moment=args.sweep)
    emit(twin_sweep_text(report) if args.sweep else twin_text(report))
    return 1 if report.problems else 0
