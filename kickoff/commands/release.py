"""Release commands: the event freeze and staleness check, the stateful lock, CDK context, the execution policy."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kickoff import naming
from kickoff.commands.common import context_pairs, load_selected
from kickoff.config import KickoffConfig

NO_OVERRIDE = ("", "none")
OVERRIDE_MIN_CHARS = 10


def cmd_deploy_window(args: argparse.Namespace) -> int:
    """Exit 1 inside an event window (a deploy then waits), 0 outside; --at checks another time.

    ``--override REASON`` lets a deploy through a window on purpose (an emergency fix): it exits 0
    and prints the reason, the window and who ran it, which the pipeline's build log keeps.
    ``none`` or an empty reason is no override (the pipeline variable's default).
    """
    from kickoff.planning import build_deployment_plan, default_plan_from, parse_plan_from

    config = load_selected(args)
    at = parse_plan_from(args.at) if args.at else default_plan_from()
    override = (args.override or "").strip()
    if override.lower() in NO_OVERRIDE:
        override = ""
    elif len(override) < OVERRIDE_MIN_CHARS:
        print(
            f"kickoff: --override needs a reason of at least {OVERRIDE_MIN_CHARS} characters (got '{override}'). "
            "Fix: say why this deploy cannot wait, e.g. --override 'INC-1234 hotfix for playback 5xx'",
            file=sys.stderr,
        )
        return 2
    env = naming.environment_key(config)
    plan = build_deployment_plan(config, at)
    window = plan.event_window_at(at)
    if window is None:
        upcoming = [w for w in plan.season_windows if w.start > at]
        nxt = (
            f"; the next window opens {upcoming[0].start:%Y-%m-%d %H:%M} UTC ({', '.join(upcoming[0].event_ids)})"
            if upcoming
            else ""
        )
        print(f"{env}: {at:%Y-%m-%d %H:%M} UTC is outside every event window: deploys may proceed{nxt}")
        if override:
            print(f"{env}: the freeze override ('{override}') was not needed")
        return 0
    inside = (
        f"{at:%Y-%m-%d %H:%M} UTC is inside the event window of {', '.join(window.event_ids)} "
        f"({window.start:%Y-%m-%d %H:%M} to {window.restore:%Y-%m-%d %H:%M} UTC)"
    )
    if override:
        who = os.environ.get("CODEBUILD_INITIATOR") or os.environ.get("USER") or "unknown"
        execution = os.environ.get("PIPELINE_EXECUTION_ID", "")
        print(
            f"FREEZE OVERRIDDEN {env}: {inside}; deploying anyway. Reason: {override}. By: {who}"
            + (f". Pipeline execution: {execution}" if execution else "")
        )
        return 0
    emergency = (
        "release again with the pipeline variable FREEZE_OVERRIDE set to the reason (docs/deploy.md)"
        if config.pipeline is not None
        else "run this check again with --override 'REASON' and deploy (docs/deploy.md)"
    )
    print(
        f"{env}: {inside}; deploys wait until {window.restore:%Y-%m-%d %H:%M} UTC. In an emergency, {emergency}",
        file=sys.stderr,
    )
    return 1


def cmd_execution_policy(args: argparse.Namespace) -> int:
    """Print the scoped CloudFormation execution policy for one account's bootstrap, from the synthesized templates."""
    from kickoff.rules.assembly import read_stacks
    from kickoff.rules.execution_policy import UnknownResourceType, execution_policy, permissions_boundary, render

    config = load_selected(args)
    outdir = Path(args.outdir)
    if not (outdir / "manifest.json").is_file():
        print(f"kickoff: {outdir} holds no cloud assembly.\n  Fix: run make synth first", file=sys.stderr)
        return 2
    account = args.account or config.account
    stacks = [s for s in read_stacks(outdir) if s.account == account]
    if not stacks:
        accounts = sorted({s.account for s in read_stacks(outdir)})
        print(f"kickoff: no stack of {outdir} deploys to {account} (accounts: {', '.join(accounts)})", file=sys.stderr)
        return 2
    types = {r["Type"] for s in stacks for r in s.template().get("Resources", {}).values()}
    boundary = naming.permissions_boundary_name(config)
    if args.boundary:
        sys.stdout.write(render(permissions_boundary(account=account, boundary_name=boundary)))
        return 0
    try:
        policy = execution_policy(
            types, account=account, name_prefix=f"{naming.environment_key(config)}-", boundary_name=boundary
        )
    except UnknownResourceType as error:
        print(f"kickoff: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(render(policy))
    return 0


def cmd_context(args: argparse.Namespace) -> int:
    """Regenerate cdk.context.json from config/*.yaml, plus the config -c names (a file kept elsewhere)."""
    from kickoff.config.context import CONTEXT_FILE, availability_zone_context, write_context_file

    extra = availability_zone_context(load_selected(args)) if context_pairs(args.context) else {}
    entries = write_context_file(extra=extra)
    print(f"wrote {len(entries)} availability-zone entries to {CONTEXT_FILE.name}")
    return 0


def _lock_configs(args: argparse.Namespace) -> list[KickoffConfig]:
    """The configs ``lock`` compares: the one -c names, else every config/*.yaml."""
    from kickoff.config import CONFIG_DIR, load_config

    if context_pairs(args.context):
        return [load_selected(args)]
    return [load_config(path) for path in sorted(CONFIG_DIR.glob("*.yaml"))]


def cmd_lock(args: argparse.Namespace) -> int:
    """Compare the stateful resources of the configs with the lock; --write records them (other entries kept)."""
    import tempfile

    from kickoff.application import synthesize_templates
    from kickoff.lockfile import read_lock, write_lock
    from kickoff.rules.stateful_lock import diff, failure_message, inventory

    lock_file = Path(args.lock_file)
    current = {}
    configs = {}
    for config in _lock_configs(args):
        with tempfile.TemporaryDirectory(prefix="kickoff-lock-") as outdir:
            current[naming.environment_key(config)] = inventory(synthesize_templates(config, outdir))
        configs[naming.environment_key(config)] = config
    locked = read_lock(lock_file)
    if args.write:
        write_lock({**locked, **current} if context_pairs(args.context) else current, lock_file)
        count = sum(len(r) for inv in current.values() for r in inv.values())
        print(f"wrote {lock_file.name}: {count} stateful resources of {', '.join(current)}")
        return 0
    failed = False
    for key, inv in current.items():
        problems = diff(locked.get(key, {}), inv, allowed_replica_removals=configs[key].replica_removals_allowed)
        if problems:
            print(failure_message(key, problems), file=sys.stderr)
            failed = True
        else:
            print(f"{key}: stateful resources match {lock_file.name}")
    return 1 if failed else 0
