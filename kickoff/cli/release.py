"""Release commands: ``deploy-window`` (the event freeze) and ``execution-policy`` (what bootstrap grants)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kickoff.cli.common import emit, load_selected
from kickoff.planning import build_deployment_plan, default_plan_from, parse_plan_from
from kickoff.reports.execution import account_policy
from kickoff.reports.freeze import freeze_verdict, override_reason, refused_override


def deploy_window(args: argparse.Namespace) -> int:
    config = load_selected(args)
    at = parse_plan_from(args.at) if args.at else default_plan_from()
    verdict = refused_override(args.override) or freeze_verdict(
        config, build_deployment_plan(config, at), at, override_reason(args.override), os.environ
    )
    emit(verdict.message, error=verdict.code != 0)
    return verdict.code


def execution_policy(args: argparse.Namespace) -> int:
    document = account_policy(load_selected(args), Path(args.outdir), args.account, boundary=args.boundary)
    if document.code:
        emit(document.text, error=True)
    else:
        print(document.text, end="")
    return document.code
