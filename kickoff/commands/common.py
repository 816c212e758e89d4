"""What every command shares: reading -c context, loading the config it selects, tables, advice."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

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


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain fixed-width table; numbers right-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    numeric = [all(is_number(r[i]) for r in cells) and bool(cells) for i in range(len(headers))]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(row, widths, numeric)).rstrip()

    return "\n".join([fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in cells)])


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def plan_from_of(args: argparse.Namespace, config: KickoffConfig):  # noqa: ANN201 - a datetime
    """The deploy time -c plan_from gives (default now), as a synth would resolve it."""
    from kickoff.planning import resolve_plan_from

    return resolve_plan_from(config, context_pairs(args.context).get("plan_from"))
