"""Commands that synthesize the app in-process and read the templates back: ``resilience`` and ``lock``.

They load the CDK (about 1.5 s before the first construct).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from kickoff import naming
from kickoff.application import synthesize_templates
from kickoff.cli.common import context_pairs, emit, load_selected
from kickoff.config import CONFIG_DIR, KickoffConfig, load_config
from kickoff.lockfile import read_lock, write_lock
from kickoff.reports.table import render_table
from kickoff.rules.resilience import budget_rows, compute_budget
from kickoff.rules.stateful_lock import diff, failure_message, inventory


def resilience(args: argparse.Namespace) -> int:
    config = load_selected(args)
    with tempfile.TemporaryDirectory(prefix="kickoff-resilience-") as outdir:
        budget = compute_budget(config, synthesize_templates(config, outdir))
    out = [
        f"{naming.environment_key(config.identity)}: resilience budget (from the synthesized templates)\n",
        render_table(["objective", "term", "value", "source / verdict"], budget_rows(budget)),
    ]
    if budget.rpo_assumption:
        out.append(f"\nassumption: {budget.rpo_assumption}")
    emit("\n".join(out))
    emit("\n".join(f"VIOLATED {objective}: {message}" for objective, message in budget.violations), error=True)
    return 1 if budget.violations else 0


def _lock_configs(args: argparse.Namespace) -> list[KickoffConfig]:
    """The configs ``lock`` compares: the one -c names, else every config/*.yaml."""
    if context_pairs(args):
        return [load_selected(args)]
    return [load_config(path) for path in sorted(CONFIG_DIR.glob("*.yaml"))]


def lock(args: argparse.Namespace) -> int:
    lock_file = Path(args.lock_file)
    current = {}
    configs = {}
    for config in _lock_configs(args):
        key = naming.environment_key(config.identity)
        with tempfile.TemporaryDirectory(prefix="kickoff-lock-") as outdir:
            current[key] = inventory(synthesize_templates(config, outdir))
        configs[key] = config
    locked = read_lock(lock_file)
    if args.write:
        write_lock({**locked, **current} if context_pairs(args) else current, lock_file)
        count = sum(len(r) for inv in current.values() for r in inv.values())
        emit(f"wrote {lock_file.name}: {count} stateful resources of {', '.join(current)}")
        return 0
    failed = False
    for key, inv in current.items():
        problems = diff(locked.get(key, {}), inv, allowed_replica_removals=configs[key].replica_removals_allowed)
        if problems:
            emit(failure_message(key, problems), error=True)
            failed = True
        else:
            emit(f"{key}: stateful resources match {lock_file.name}")
    return 1 if failed else 0
