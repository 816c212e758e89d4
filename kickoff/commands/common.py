"""What every command shares: reading -c context, loading the config it selects, tables, advice."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kickoff.config import KickoffConfig, load_for_context
from kickoff.config.context import parse_context_pair


def context_pairs(pairs: Sequence[str]) -> dict[str, str]:
    context: dict[str, str] = {}
    for pair in pairs:
        context.update(parse_context_pair(pair))
    return context


def load_selected(args: argparse.Namespace) -> KickoffConfig:
    context = context_pairs(args.context)
    return load_for_context(context.get("env"), context.get("config"))


def synth_command(config: KickoffConfig) -> str:
    """The make command that synthesizes ``config``: ``ENV=`` for a file in config/, ``CONFIG=`` for any other."""
    from kickoff.paths import CONFIG_DIR

    path = config.source_path
    if path is None or path.resolve().parent == CONFIG_DIR.resolve():
        return f"make synth ENV={config.environment}" if path is None else f"make synth ENV={path.stem}"
    return f"make synth CONFIG={path}"


def plan_from_of(args: argparse.Namespace, config: KickoffConfig):  # noqa: ANN201 - a datetime
    """The deploy time -c plan_from gives (default now), as a synth would resolve it."""
    from kickoff.planning import resolve_plan_from

    return resolve_plan_from(config, context_pairs(args.context).get("plan_from"))


def assembly_dir(args: argparse.Namespace, config: KickoffConfig) -> Path | None:
    """``--outdir`` when it holds a cloud assembly; otherwise None, after saying how to make one."""
    outdir = Path(args.outdir)
    if (outdir / "manifest.json").is_file():
        return outdir
    print(f"kickoff: {outdir} holds no cloud assembly.\n  Fix: run {synth_command(config)} first", file=sys.stderr)
    return None
