"""What every command shares: reading -c context, the config it selects, the deploy time, the assembly."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from kickoff.config import KickoffConfig, load_for_context
from kickoff.config.context import parse_context_pair
from kickoff.planning import default_plan_from, parse_plan_from, resolve_plan_from
from kickoff.reports.assembly import missing_assembly


def context_pairs(args: argparse.Namespace) -> dict[str, str]:
    """The ``-c KEY=VALUE`` pairs a command was given."""
    context: dict[str, str] = {}
    for pair in args.context:
        context.update(parse_context_pair(pair))
    return context


def load_selected(args: argparse.Namespace) -> KickoffConfig:
    """The config ``-c env=NAME`` or ``-c config=PATH`` selects (default config/prod.yaml)."""
    context = context_pairs(args)
    return load_for_context(context.get("env"), context.get("config"))


def plan_from_of(args: argparse.Namespace, config: KickoffConfig) -> datetime:
    """The deploy time -c plan_from gives (default now), as a synth would resolve it."""
    return resolve_plan_from(config, context_pairs(args).get("plan_from"))


def analysis_time(args: argparse.Namespace, recorded: str | None = None) -> datetime:
    """The time an analysis plans for: -c plan_from, else ``recorded`` (what a synth recorded), else now. Any time
    is accepted: an analysis deploys nothing."""
    chosen = context_pairs(args).get("plan_from") or recorded
    return parse_plan_from(chosen) if chosen else default_plan_from()


def config_and_assembly(args: argparse.Namespace) -> tuple[KickoffConfig, Path] | None:
    """The selected config and ``--outdir``, when it holds a cloud assembly; otherwise None, after saying how to
    make one (the command then exits 2)."""
    config = load_selected(args)
    outdir = Path(args.outdir)
    problem = missing_assembly(config, outdir)
    if problem:
        print(f"kickoff: {problem}", file=sys.stderr)
        return None
    return config, outdir


def emit(text: str, *, error: bool = False) -> None:
    """Print a rendered report (stderr for a failure's message); nothing for an empty one."""
    if text:
        print(text, file=sys.stderr if error else sys.stdout)
