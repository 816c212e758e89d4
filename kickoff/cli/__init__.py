"""``python -m kickoff <command>``: what operators and maintainers run beside ``cdk synth`` and ``cdk deploy``.

This module holds the parser and the dispatcher. Each command lives in a family module (``plan``, ``forecast``,
``check``, ``synthesized``, ``release``, ``gameday``, ``maintenance``), which loads the config, calls one report
function (``kickoff.reports``) and prints what it returns. The dispatcher loads a command's family module by name
only when the command runs, so ``validate`` answers in about a second without loading the CDK, and
``forecast`` alone loads boto3 (tests/test_architecture.py).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kickoff.config import ConfigError
from kickoff.paths import LOCK_FILE

EXIT_CODES = {
    0: "done, every check passed",
    1: "a check failed (the output names it)",
    2: "bad config, bad context or usage, or nothing to read (the message names the fix)",
}
CONTEXT_HELP = {
    "env": "env=NAME selects config/NAME.yaml (default prod)",
    "config": "config=PATH selects a config file kept anywhere (wins over env)",
    "plan_from": "plan_from=TIME plans for this ISO 8601 UTC time instead of now",
}


@dataclass(frozen=True)
class Command:
    """One command: where it runs, what it says in --help, and its options."""

    name: str
    family: str
    summary: str
    description: str
    examples: tuple[str, ...]
    exit_codes: dict[int, str] = field(default_factory=lambda: dict(EXIT_CODES))
    context: tuple[str, ...] = ("env", "config")
    options: Callable[[argparse.ArgumentParser], None] | None = None
    maintainer: bool = False

    @property
    def function(self) -> str:
        return self.name.replace("-", "_")


def _outdir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--outdir", default="cdk.out", help="the cloud assembly to read (default %(default)s)")


def _plan_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--event", help="only this event's window (and plot it); default every window, plot the first")
    p.add_argument("--png", help="where to write the plot (default build/plan-<event>.png)")
    p.add_argument("--no-png", action="store_true", help="do not write a plot")
    p.add_argument(
        "--diff",
        metavar="DOCUMENT",
        help="what the calendar changes against a forecast document (forecast document --out), per Region",
    )


def _forecast_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("publish", "status", "document"))
    p.add_argument("--dry-run", action="store_true", help="publish: validate and print the difference only")
    p.add_argument("--no-nudge", action="store_true", help="publish: leave the agents to their next run")
    p.add_argument("--source", help="publish: where the calendar came from, for the agents' log (a commit)")
    p.add_argument("--out", help="document: write the JSON here instead of printing it")


def _window_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--at", help="check this ISO 8601 time instead of now")
    p.add_argument(
        "--override",
        metavar="REASON",
        help="deploy inside a window anyway, logging REASON (at least 10 characters; 'none' or empty: no override)",
    )


def _policy_options(p: argparse.ArgumentParser) -> None:
    _outdir(p)
    p.add_argument("--account", help="the account whose stacks it covers (default: the config's account)")
    p.add_argument("--boundary", action="store_true", help="print the permissions boundary every role carries instead")


def _gameday_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--event", help="the event to rehearse against (default: the next one)")
    _outdir(p)


def _twin_options(p: argparse.ArgumentParser) -> None:
    _outdir(p)
    p.add_argument(
        "--full",
        action="store_true",
        help="every moment, forecast error (-30%%, 0, +30%%) and cell, not the gate's set",
    )
    p.add_argument(
        "--sweep",
        action="store_true",
        help="every cell failing and returning every 5 min from kickoff -90 to +220 at -30%%, 0, +30%% (a summary)",
    )


def _lock_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--write",
        action="store_true",
        help="record the stateful resources of config/*.yaml, or of the one config -c names (other entries kept)",
    )
    p.add_argument("--lock-file", default=str(LOCK_FILE), help="the lock to compare or write (default %(default)s)")


COMMANDS = (
    Command(
        "validate",
        "plan",
        "check a config file and plan its capacity, without the CDK",
        "Load a config, run every field and cross-field check, and plan its capacity for a deploy now (or at "
        "-c plan_from), checking the plan against max_tasks and every declared quota. Every problem is reported in "
        "one run with its file, line, field and fix. Nothing is synthesized and AWS is never called.",
        ("python -m kickoff validate -c env=dev", "python -m kickoff validate -c config=../mine/prod.yaml"),
        {0: "the config is valid and its plan fits", 2: "the config or its plan has problems (each one printed)"},
        ("env", "config", "plan_from"),
    ),
    Command(
        "plan",
        "plan",
        "the capacity plan per Region and service, its cost, and a plot of an event",
        "Print the capacity the agents apply for the planning window: every event window, each scalable target's "
        "actions with tasks, vCPU and hourly cost, the ALB reservations, the table's warm throughput, and what "
        "the floor and reservations cost. --event shows one event and plots it; --diff compares the config's "
        "calendar with a published forecast document before anything is published.",
        (
            "python -m kickoff plan -c env=prod --event tnf-2026-w14",
            "python -m kickoff plan -c env=prod -c plan_from=2026-12-10T18:00:00Z --no-png",
            "python -m kickoff plan -c env=prod --diff build/forecast-v7.json",
        ),
        {**EXIT_CODES, 1: "--diff: the new calendar has problems the agents would refuse"},
        ("env", "config", "plan_from"),
        _plan_options,
    ),
    Command(
        "quotas",
        "plan",
        "declared quotas against what the plan needs, the requests to file, and each cell's ceiling",
        "List every quota the config declares per Region beside the most the plan and the whole season need of it "
        "(N-1, the re-arrival surge and each service's deploy surge included), the AWS CLI commands that read the "
        "account's value and request the declared one, how long requests take, and how many viewers one cell "
        "serves before a limit binds.",
        ("python -m kickoff quotas -c env=prod",),
        {0: "printed", 2: "bad config"},
        ("env", "config", "plan_from"),
    ),
    Command(
        "cost",
        "plan",
        "the environment's monthly baseline cost from a synthesized assembly, with sources",
        "Price what the assembly holds between events, line by line (NAT gateways, ALBs, endpoints, health checks, "
        "alarms, canaries, tables, logs, WAF), each price with its source and the date it was checked.",
        ("make synth ENV=dev && python -m kickoff cost -c env=dev",),
        {0: "printed", 2: "no assembly of this config in --outdir"},
        options=_outdir,
    ),
    Command(
        "forecast",
        "forecast",
        "publish the calendar to every cell Region's capacity agent, or show what each applied",
        "publish: validate the calendar as a synth does, print the capacity difference against the published "
        "version, write the next version to the forecast table and nudge each Region's agent (no release). "
        "status: the version each Region applied and until when its plan covers. document: the calendar as a "
        "forecast document for review or plan --diff. publish and status call AWS with the usual credentials.",
        (
            "python -m kickoff forecast publish -c env=prod --dry-run",
            "python -m kickoff forecast publish -c env=prod --source $(git rev-parse HEAD)",
            "python -m kickoff forecast status -c env=prod",
        ),
        {0: "done", 1: "not published or not read (a concurrent publish, or AWS refused)", 2: "bad config"},
        options=_forecast_options,
    ),
    Command(
        "deploy-window",
        "release",
        "exit 1 inside an event window, when nothing may deploy",
        "Check the event freeze: outside every event window a deploy may proceed; inside one it waits until the "
        "window's restore. --override REASON lets an emergency deploy through and prints the reason, the window "
        "and who ran it for the build log. The pipeline runs this check after its approval and before every "
        "deploying stage.",
        (
            "python -m kickoff deploy-window -c env=prod",
            "python -m kickoff deploy-window -c env=prod --override 'INC-1234 hotfix for playback 5xx'",
        ),
        {0: "a deploy may proceed (or is overridden)", 1: "inside an event window", 2: "bad config or a short reason"},
        options=_window_options,
    ),
    Command(
        "execution-policy",
        "release",
        "the scoped CloudFormation execution policy (or permissions boundary) for bootstrap",
        "Compute, from the resource types of an account's stacks in an assembly, the execution policy to pass to "
        "cdk bootstrap --cloudformation-execution-policies, or with --boundary the permissions boundary every "
        "role carries (create it before bootstrapping).",
        (
            "python -m kickoff execution-policy -c env=prod > execution-policy.json",
            "python -m kickoff execution-policy -c env=prod --boundary > boundary.json",
        ),
        {0: "printed", 1: "a resource type with no known service", 2: "no assembly, or no stack in that account"},
        options=_policy_options,
    ),
    Command(
        "gameday",
        "gameday",
        "the game-day plan: experiments in order and their effect on capacity",
        "Read the assembly's FIS experiments and print them in the order to run them (canary Region first, "
        "smallest blast radius first), then what losing an AZ, part of an AZ's tasks and a whole Region does to "
        "capacity at the event's peak. Never calls AWS.",
        ("python -m kickoff gameday -c env=prod --event tnf-2026-w14",),
        {0: "no shortfall", 1: "a service would be short of tasks (each printed)", 2: "no assembly or experiments"},
        ("env", "config", "plan_from"),
        _gameday_options,
    ),
    Command(
        "twin",
        "check",
        "run each failure through an assembly's alarms, health checks, routing and capacity",
        "Run the twin over a synthesized assembly: each failure (a Region lost and returning, a Zone, stalled "
        "replication, 5xx bursts, a broken probe path) through the real alarms, health checks, DNS records, "
        "CloudFront routes and scalable targets, with detection, routing and recovery times. make synth runs "
        "the gate's set for a production config.",
        ("python -m kickoff twin -c env=prod", "python -m kickoff twin -c env=prod --sweep"),
        {0: "every scenario passed", 1: "a scenario failed the gate", 2: "no assembly"},
        ("env", "config", "plan_from"),
        _twin_options,
    ),
    Command(
        "check",
        "check",
        "cfn-lint an assembly and print the per-stack and per-check summary",
        "Summarize an assembly: per stack its resources, size, findings and lint results; per gate (cdk-nag, "
        "Well-Architected, deploy readiness, resilience budget, twin, stateful lock, cfn-lint) its rules, "
        "evaluations and findings. make synth runs it after the synth.",
        ("python -m kickoff check --outdir cdk.out",),
        {0: "checks passed", 1: "a finding, a lint error or a context lookup", 2: "no assembly"},
        (),
        _outdir,
    ),
    Command(
        "readiness",
        "check",
        "run the deploy-readiness rules over an assembly",
        "Run the deploy-readiness rules over an assembly synthesized elsewhere (for example a pipeline's), for a "
        "deploy now or at -c plan_from, and print each rule's evaluations and findings.",
        ("python -m kickoff readiness -c env=prod --outdir cdk.out",),
        {0: "no finding", 1: "a rule found something (each printed)", 2: "bad config or no assembly"},
        ("env", "config", "plan_from"),
        _outdir,
    ),
    Command(
        "resilience",
        "synthesized",
        "the RTO, RPO and N-1 budget computed from the templates",
        "Synthesize the config in-process and compute the failover budget from the templates: detection, DNS, "
        "the origin failover and the alarm path against the RTO, replication against the RPO.",
        ("python -m kickoff resilience -c env=prod",),
        {0: "every objective holds", 1: "an objective is violated (named)", 2: "bad config"},
    ),
    Command(
        "lock",
        "synthesized",
        "compare stateful resources with stateful.lock.json (--write accepts a change)",
        "Synthesize every config (or the one -c names) and compare its stateful resources (tables, keys, "
        "secrets, buckets, log groups) with the lock every synth checks. --write records them after a reviewed "
        "change, keeping the other environments' entries.",
        ("python -m kickoff lock", "python -m kickoff lock -c env=prod --write"),
        {0: "they match, or the lock was written", 1: "a stateful resource would change (named)", 2: "bad config"},
        options=_lock_options,
    ),
    Command(
        "readme",
        "maintenance",
        "regenerate the generated blocks of docs/",
        "Regenerate every generated block in the docs (config and calendar reference, rule tables, failover "
        "budget) from the code. A test fails when one is stale.",
        ("python -m kickoff readme",),
        {0: "written"},
        (),
        maintainer=True,
    ),
    Command(
        "taggable",
        "maintenance",
        "regenerate rules/taggable_types.json from cfn-lint's resource schemas",
        "Regenerate the list of taggable CloudFormation resource types from the installed cfn-lint's schemas, "
        "after upgrading cfn-lint.",
        ("python -m kickoff taggable",),
        {0: "written"},
        (),
        maintainer=True,
    ),
    Command(
        "context",
        "maintenance",
        "regenerate cdk.context.json (AZs per account and Region) from the configs",
        "Write the availability zones of every config/*.yaml (and of the config -c names) into cdk.context.json, "
        "so no synth looks them up in AWS. Run it after adding a Region or an account.",
        ("python -m kickoff context", "python -m kickoff context -c config=../mine/prod.yaml"),
        {0: "written", 2: "bad config"},
        maintainer=True,
    ),
)


def _epilog(command: Command) -> str:
    lines = ["example" + ("s" if len(command.examples) > 1 else "") + ":"]
    lines += [f"  {e}" for e in command.examples]
    lines.append("\nexit codes:")
    lines += [f"  {code}  {meaning}" for code, meaning in sorted(command.exit_codes.items())]
    return "\n".join(lines)


def _overview() -> str:
    width = max(len(c.name) for c in COMMANDS)
    parts = []
    for title, maintainer in (("operator commands", False), ("maintainer commands", True)):
        parts.append(f"{title}:")
        parts += [f"  {c.name:<{width}}  {c.summary}" for c in COMMANDS if c.maintainer == maintainer]
        parts.append("")
    parts.append("python -m kickoff <command> --help shows a command's description, examples and exit codes.")
    return "\n".join(parts)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kickoff",
        description=__doc__.splitlines()[0].strip("`").replace("``", ""),
        epilog=_overview(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="<command>")
    for command in COMMANDS:
        p = sub.add_parser(
            command.name,
            description="\n".join(textwrap.wrap(command.description, 100)),
            epilog=_epilog(command),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if command.context:
            p.add_argument(
                "-c",
                "--context",
                action="append",
                default=[],
                metavar="KEY=VALUE",
                help="; ".join(CONTEXT_HELP[k] for k in command.context),
            )
        else:
            p.set_defaults(context=[])
        if command.options is not None:
            command.options(p)
        p.set_defaults(command_spec=command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command: Command = args.command_spec
    run = getattr(importlib.import_module(f"kickoff.cli.{command.family}"), command.function)
    try:
        return run(args)
    except ConfigError as error:
        print(f"kickoff: {error}", file=sys.stderr)
        return 2
