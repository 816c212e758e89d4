"""``python -m kickoff <command>``: config validation and synth checks.

Commands take CDK-style context (``-c env=dev``, ``-c config=path.yaml``) so the same
words select a config everywhere. Exit codes: 0 ok, 1 a check failed, 2 bad config or usage.

The commands live in ``kickoff.commands``, one module per family; this module parses and dispatches.
Each command imports what it needs when it runs: ``validate`` answers in well under a second
because it never loads the CDK. ``kickoff.cli`` and ``kickoff.commands`` are the only modules where
kickoff imports sit inside functions (tests/test_architecture.py allows it there only).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kickoff.commands.checks import (
    cmd_check,
    cmd_readiness,
    cmd_readme,
    cmd_resilience,
    cmd_taggable,
    cmd_validate,
)
from kickoff.commands.forecast import cmd_forecast
from kickoff.commands.gameday import cmd_gameday
from kickoff.commands.plan import _cost_table, cmd_cost, cmd_plan, cmd_quotas
from kickoff.commands.release import cmd_context, cmd_deploy_window, cmd_execution_policy, cmd_lock
from kickoff.commands.twin import cmd_twin
from kickoff.config import ConfigError
from kickoff.paths import LOCK_FILE

__all__ = ["_cost_table", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kickoff", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def with_context(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "-c",
            "--context",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="env=NAME selects config/NAME.yaml (default prod); config=PATH selects a file",
        )
        return p

    with_context(sub.add_parser("validate", help="validate a config file (no CDK needed)")).set_defaults(
        func=cmd_validate
    )
    with_context(
        sub.add_parser("resilience", help="print the RTO/RPO/N-1 budget computed from synthesized templates")
    ).set_defaults(func=cmd_resilience)
    lock = with_context(
        sub.add_parser("lock", help="compare stateful resources with stateful.lock.json (--write accepts changes)")
    )
    lock.add_argument(
        "--write",
        action="store_true",
        help="record the stateful resources of config/*.yaml, or of the one config -c names (other entries kept)",
    )
    lock.add_argument(
        "--lock-file", default=str(LOCK_FILE), help="the lock to compare with or write (default %(default)s)"
    )
    lock.set_defaults(func=cmd_lock)
    plan = with_context(
        sub.add_parser("plan", help="print the capacity plan per region and service, and plot an event")
    )
    plan.add_argument("--event", help="only this event's window (and plot it); default: all, plot the first")
    plan.add_argument("--png", help="where to write the plot (default build/plan-<event>.png)")
    plan.add_argument(
        "--diff",
        metavar="DOCUMENT",
        help="print what the config's calendar changes against a forecast document (forecast document --out), per "
        "Region: task floor, reservations, cost, peak minimum",
    )
    plan.add_argument("--no-png", action="store_true", help="do not write a plot")
    plan.set_defaults(func=cmd_plan)
    forecast = with_context(
        sub.add_parser(
            "forecast",
            help="publish the calendar to every cell Region's capacity agent (no release), or show what each applied",
        )
    )
    forecast.add_argument("action", choices=("publish", "status", "document"))
    forecast.add_argument("--dry-run", action="store_true", help="publish: validate and print the difference only")
    forecast.add_argument("--no-nudge", action="store_true", help="publish: leave the agents to their next run")
    forecast.add_argument("--source", help="publish: where the calendar came from, for the agents' log (a commit)")
    forecast.add_argument("--out", help="document: write the JSON here instead of printing it")
    forecast.set_defaults(func=cmd_forecast)
    window = with_context(
        sub.add_parser("deploy-window", help="exit 1 inside an event window, when nothing may deploy")
    )
    window.add_argument("--at", help="check this ISO 8601 time instead of now")
    window.add_argument(
        "--override",
        metavar="REASON",
        help="deploy inside a window anyway, logging REASON (at least 10 characters; 'none' or empty: no override)",
    )
    window.set_defaults(func=cmd_deploy_window)
    policy = with_context(
        sub.add_parser(
            "execution-policy", help="print the scoped CloudFormation execution policy of an account's bootstrap"
        )
    )
    policy.add_argument("--outdir", default="cdk.out", help="cloud assembly directory (default cdk.out)")
    policy.add_argument("--account", help="the account whose stacks it covers (default: the config's account)")
    policy.add_argument(
        "--boundary",
        action="store_true",
        help="print the permissions boundary every role carries (create it before cdk bootstrap)",
    )
    policy.set_defaults(func=cmd_execution_policy)
    gameday = with_context(
        sub.add_parser("gameday", help="print the game-day plan: experiments in order, their effect on capacity")
    )
    gameday.add_argument("--event", help="the event to rehearse against (default: the next one)")
    gameday.add_argument("--outdir", default="cdk.out", help="cloud assembly directory (default cdk.out)")
    gameday.set_defaults(func=cmd_gameday)
    twin = with_context(
        sub.add_parser(
            "twin",
            help="run the twin: each failure through the assembly's alarms, health checks, routing and capacity",
        )
    )
    twin.add_argument("--outdir", default="cdk.out", help="cloud assembly directory (default cdk.out)")
    twin.add_argument(
        "--full",
        action="store_true",
        help="every moment, forecast error (-30%%, 0, +30%%) and cell, not the gate's set",
    )
    twin.add_argument(
        "--sweep",
        action="store_true",
        help="every cell failing and returning, every 5 min from kickoff -90 to +220 at -30%%, 0, +30%% (a summary)",
    )
    twin.set_defaults(func=cmd_twin)
    with_context(
        sub.add_parser("quotas", help="declared quotas per Region, what the plan needs, and how to check them")
    ).set_defaults(func=cmd_quotas)
    cost = with_context(
        sub.add_parser("cost", help="the environment's monthly baseline cost from a synthesized assembly, with sources")
    )
    cost.add_argument("--outdir", default="cdk.out", help="cloud assembly directory (default cdk.out)")
    cost.set_defaults(func=cmd_cost)
    readiness = with_context(sub.add_parser("readiness", help="run the deploy-readiness rules over a cloud assembly"))
    readiness.add_argument("--outdir", default="cdk.out", help="cloud assembly directory (default cdk.out)")
    readiness.set_defaults(func=cmd_readiness)
    sub.add_parser(
        "taggable", help="regenerate rules/taggable_types.json from cfn-lint's resource schemas"
    ).set_defaults(func=cmd_taggable)
    with_context(
        sub.add_parser(
            "context",
            help="regenerate cdk.context.json (AZs per account and Region) from config/*.yaml and the config -c names",
        )
    ).set_defaults(func=cmd_context)
    sub.add_parser(
        "readme", help="regenerate the generated blocks of docs/ (config reference, rule tables, failover budget)"
    ).set_defaults(func=cmd_readme)
    check = sub.add_parser("check", help="cfn-lint every template in a cloud assembly and print the summary")
    check.add_argument("--outdir", default="cdk.out", help="cloud assembly directory (default cdk.out)")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as error:
        print(f"kickoff: {error}", file=sys.stderr)
        return 2
