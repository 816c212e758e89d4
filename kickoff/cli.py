"""``python -m kickoff <command>``: config validation and synth checks.

Commands take CDK-style context (``-c env=dev``, ``-c config=path.yaml``) so the same
words select a config everywhere. Exit codes: 0 ok, 1 a check failed, 2 bad config or usage.

Each command imports what it needs when it runs: ``validate`` answers in well under a second
because it never loads the CDK. This is the one module where kickoff imports sit inside
functions (tests/test_architecture.py allows it here only).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from kickoff import naming
from kickoff.config import ConfigError, KickoffConfig, load_for_context
from kickoff.config.context import parse_context_pair
from kickoff.paths import LOCK_FILE


def _context(pairs: Sequence[str]) -> dict[str, str]:
    context: dict[str, str] = {}
    for pair in pairs:
        context.update(parse_context_pair(pair))
    return context


def _load(args: argparse.Namespace) -> KickoffConfig:
    context = _context(args.context)
    return load_for_context(context.get("env"), context.get("config"))


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain fixed-width table; numbers right-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    numeric = [all(_is_number(r[i]) for r in cells) and bool(cells) for i in range(len(headers))]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(row, widths, numeric)).rstrip()

    return "\n".join([fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in cells)])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def aws_solutions_rule_count() -> int:
    """Rules in cdk-nag's AwsSolutions pack: its applyRule calls, read from the installed bundle."""
    import tarfile
    from importlib.util import find_spec

    # Found, not imported: importing cdk_nag starts the jsii runtime (half a second).
    spec = find_spec("cdk_nag")
    assert spec is not None and spec.submodule_search_locations, "cdk-nag is not installed"
    package = Path(next(iter(spec.submodule_search_locations)))
    bundle = next(p for p in (package / "_jsii").iterdir() if p.name.endswith(".jsii.tgz"))
    with tarfile.open(str(bundle)) as archive:
        source = archive.extractfile("package/lib/packs/aws-solutions.js").read().decode()
    return source.count("this.applyRule(")


def _pack_rows(outdir: Path, counts: dict, resources: int) -> list[list[object]]:
    from kickoff.rules.summary import read_summary

    summary = read_summary(outdir)
    rows: list[list[object]] = []
    for name, pack in counts.items():
        open_findings = sum(pack.open.values())
        acknowledged = sum(pack.acknowledged.values())
        if name == "AwsSolutions":
            rules = aws_solutions_rule_count()
            rows.append([name, rules, f"{rules} x {resources} resources", open_findings, acknowledged, "cdk-nag 3"])
        elif name == "CloudFormation Validate":
            rows.append([name, "-", f"{resources} resources", open_findings, acknowledged, "aws-cdk-lib built-in"])
    linted = summary.get("CfnLint")
    if linted:
        found = sum(c["errors"] + c["warnings"] for c in linted["stacks"].values())
        rows.append(
            [
                "CfnLint",
                "-",
                f"{linted['templates']} templates",
                found,
                "-",
                f"{linted['seconds']:.2f} s, every core; ignored {', '.join(linted['ignored'])}",
            ]
        )
    for name in ("WellArchitected", "DeployReadiness"):  # Kickoff's template packs write the same summary
        data, pack = summary.get(name), counts.get(name)
        if not data:
            continue
        notes = f"{data['seconds']:.2f} s" + (f"; deploy time {data['deploy_time']}" if "deploy_time" in data else "")
        rows.append(
            [
                name,
                data["rules"],
                f"{data['evaluations']} rule x resource",
                sum(pack.open.values()) if pack else 0,
                sum(pack.acknowledged.values()) if pack else 0,
                notes,
            ]
        )
    rb = summary.get("ResilienceBudget")
    if rb:
        rows.append(
            [
                "ResilienceBudget",
                rb["rules"],
                "RTO, RPO, N-1",
                rb["violations"],
                "-",
                f"RTO {rb['rto_seconds']:g}/{rb['rto_objective']} s, "
                f"alarm path {rb.get('impaired_rto_seconds', 0):g}/{rb.get('impaired_rto_objective', '-')} s, RPO "
                f"{'unknown' if rb['rpo_seconds'] is None else format(rb['rpo_seconds'], 'g')}/{rb['rpo_objective']} s",
            ]
        )
    lock = summary.get("StatefulLock")
    if lock:
        state = (
            "not in the lock: not checked"
            if lock["locked"] is None
            else f"{lock['locked']} locked, {lock['current']} synthesized"
            + (f", {len(lock['unlocked'])} new (not yet locked)" if lock["unlocked"] else "")
        )
        rows.append(
            [
                "StatefulLock",
                lock["rules"],
                f"{lock['environment']} vs stateful.lock.json",
                lock["violations"],
                "-",
                state,
            ]
        )
    return rows


def _cost_table(config, plan, windows) -> str:
    """The plan's costs per Region over the planning window (or the chosen event windows): the task floor, the
    ALB reservations, and the season's table warm throughput (priced when ``scaling.warm_throughput_price`` is
    set)."""
    from kickoff.plan_limits import ON_DEMAND_BASELINE_READS, ON_DEMAND_BASELINE_WRITES
    from kickoff.scaling import ALB_RESERVED_LCU_HOUR_USD, plan_costs

    capacity = plan.capacity
    if windows:
        # From the reservation's raise, the ALB lead before the window, to the window's restore.
        start = min(w.start for w in windows) - capacity.params.alb.lead
        end = max(w.restore for w in windows)
    else:
        start, end = plan.window.start, plan.window.end
    rows = plan_costs(capacity, start, end)
    body = [
        [
            r.region,
            f"{r.task_hours:,.0f}",
            f"{r.task_usd:,.0f}",
            f"{r.reserved_lcu_hours:,.0f}",
            f"{r.reservation_usd:,.0f}",
        ]
        for r in rows
    ]
    body.append(
        [
            "total",
            f"{sum(r.task_hours for r in rows):,.0f}",
            f"{sum(r.task_usd for r in rows):,.0f}",
            f"{sum(r.reserved_lcu_hours for r in rows):,.0f}",
            f"{sum(r.reservation_usd for r in rows):,.0f}",
        ]
    )
    lines = [
        f"cost of the plan {start:%Y-%m-%d %H:%M} -> {end:%Y-%m-%d %H:%M} UTC (us-east-1 prices: Fargate ARM64, "
        f"${ALB_RESERVED_LCU_HOUR_USD}/reserved LCU-hour; target tracking adds what the load needs above the floor)",
        render_table(
            ["region", "task-hours (floor)", "USD (tasks)", "reserved LCU-hours", "USD (ALB reservation)"], body
        ),
    ]
    warm = plan.table_warm_throughput
    if warm:
        reads = max(0, warm.read_units_per_second - ON_DEMAND_BASELINE_READS)
        writes = max(0, warm.write_units_per_second - ON_DEMAND_BASELINE_WRITES)
        head = (
            f"table warm throughput: {reads:,} reads/s and {writes:,} writes/s above a new on-demand table's "
            f"{ON_DEMAND_BASELINE_READS:,}/{ON_DEMAND_BASELINE_WRITES:,}, on each of {len(config.regions)} replicas; "
        )
        price = config.scaling.warm_throughput_price
        if price is None:
            lines.append(
                head + "pre-warming is charged when raised, but Kickoff ships no unit price (none found in AWS's "
                "documentation, decision 0019): set scaling.warm_throughput_price from your pricing page to see it "
                "in USD."
            )
        else:
            usd = (reads * price.read_unit_usd + writes * price.write_unit_usd) * len(config.regions)
            lines.append(
                head + f"${usd:,.0f} once for the season at scaling.warm_throughput_price "
                f"(${price.read_unit_usd:g}/read unit, ${price.write_unit_usd:g}/write unit, every replica charged)."
            )
    return "\n".join(lines)


def cmd_plan(args: argparse.Namespace) -> int:
    from kickoff.planning import build_deployment_plan, default_plan_from, parse_plan_from
    from kickoff.scaling import plan_table

    config = _load(args)
    context = _context(args.context)
    plan = build_deployment_plan(
        config, parse_plan_from(context["plan_from"]) if context.get("plan_from") else default_plan_from()
    )
    capacity = plan.capacity
    print(
        f"{naming.environment_key(config)}: capacity plan {plan.window.start:%Y-%m-%d %H:%M} -> "
        f"{plan.window.end:%Y-%m-%d %H:%M} UTC"
    )
    if capacity is None:
        print("no events in the window and no baseline: nothing is scheduled")
        return 0
    windows = [w for w in capacity.windows if args.event in w.event_ids] if args.event else list(capacity.windows)
    if args.event and not windows:
        known = ", ".join(e for w in capacity.windows for e in w.event_ids) or "none"
        print(f"kickoff: event {args.event!r} is not in the planning window (events in it: {known})", file=sys.stderr)
        return 2
    for window in windows:
        print(
            f"  event window {', '.join(window.event_ids)}: {window.start:%Y-%m-%d %H:%M} -> {window.restore:%H:%M} UTC"
        )
    if plan.table_warm_throughput:
        warm = plan.table_warm_throughput
        print(
            f"  table warm throughput (season): {warm.read_units_per_second:,} reads/s, "
            f"{warm.write_units_per_second:,} writes/s"
        )
    else:
        print("  table warm throughput: none (the season needs no more than a new on-demand table sustains)")
    rows = plan_table(capacity)
    for target in capacity.targets:
        mine = [
            r
            for r in rows
            if (r.region, r.service) == (target.region, target.service)
            and (not args.event or r.at is not None and any(w.start <= r.at <= w.restore for w in windows))
        ]
        print(
            f"\n{target.region} / {target.service}: {target.action_count} actions, peak {target.peak_tasks} tasks "
            f"({target.peak_vcpu:,.0f} vCPU)"
        )
        print(
            render_table(
                ["time (UTC)", "min tasks", "max tasks", "vCPU", "USD/h (ARM64)"],
                [
                    [
                        f"{r.at:%Y-%m-%d %H:%M}Z" if r.at else r.when,
                        r.min_tasks,
                        r.max_tasks,
                        f"{r.vcpu:,.1f}",
                        f"{r.cost_per_hour_usd:,.2f}",
                    ]
                    for r in mine
                ],
            )
        )
    reservations = [
        r
        for r in capacity.alb_reservations
        if not args.event
        or any(w.start - timedelta(hours=6) <= r.at <= w.restore + timedelta(hours=1) for w in windows)
    ]
    if reservations:
        print()
        print(
            render_table(
                ["ALB reservation (UTC)", "region", "LCU"],
                [[f"{r.at:%Y-%m-%d %H:%M}Z", r.region, r.capacity_units or "release"] for r in reservations],
            )
        )
    print()
    print(_cost_table(config, plan, windows if args.event else None))
    event_id = args.event or windows[0].event_ids[0] if windows else None
    if event_id and not args.no_png:
        from kickoff.scaling.plot import plot_event

        out = Path(args.png or f"build/plan-{event_id}.png")
        out.parent.mkdir(parents=True, exist_ok=True)
        print(f"\nwrote {plot_event(capacity, event_id, out)}")
    return 0


def cmd_taggable(args: argparse.Namespace) -> int:
    from kickoff.rules.taggable import TABLE_FILE, write_table

    print(f"wrote {TABLE_FILE.name}: {write_table()} taggable resource types (from cfn-lint's schemas)")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from kickoff.planning import build_deployment_plan

    config = _load(args)
    # The capacity plan checks quotas, max_tasks and action limits: a config that validates also plans.
    plan = build_deployment_plan(config, _plan_from(args, config))
    print(
        f"{naming.environment_key(config)}: valid. {len(config.regions)} cells "
        f"({', '.join(config.region_names)}; primary {config.primary_region}), "
        f"{len(config.services)} services, table {naming.table_name(config)} "
        f"({config.table.consistency}, {config.table.encryption}). Capacity plan for a deploy at "
        f"{plan.window.deploy_time:%Y-%m-%d %H:%M} UTC fits the declared quotas."
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from kickoff.rules.assembly import missing_context, read_stacks, validation_counts
    from kickoff.rules.cfn_lint import IGNORED_RULES, lint_stacks
    from kickoff.rules.summary import read_summary

    outdir = Path(args.outdir)
    if not (outdir / "manifest.json").is_file():
        print(
            f"kickoff: {outdir} holds no cloud assembly; run `make synth` (or `npx cdk synth`) first", file=sys.stderr
        )
        return 2
    stacks = read_stacks(outdir)
    linted = read_summary(outdir).get("CfnLint")
    # The synth linted every template already (the CfnLint plugin) unless it was an in-process synth without it.
    lint = [] if linted else lint_stacks(stacks)
    lint_counts = linted["stacks"] if linted else {}
    counts = validation_counts(outdir)
    nag_packs = [name for name in counts if name not in ("CloudFormation Validate", "CfnLint")]
    rows = []
    for stack in stacks:
        template = stack.template()
        open_findings = sum(counts[p].open[stack.name] for p in nag_packs)
        acknowledged = sum(counts[p].acknowledged[stack.name] for p in nag_packs)
        own = lint_counts.get(stack.name, {})
        errors = own.get("errors", sum(1 for f in lint if f.stack == stack.name and f.level == "error"))
        warnings = own.get("warnings", sum(1 for f in lint if f.stack == stack.name and f.level != "error"))
        rows.append(
            [
                stack.name,
                stack.region,
                len(template.get("Resources", {})),
                f"{stack.size_bytes / 1024:.1f}",
                open_findings,
                acknowledged,
                errors,
                warnings,
            ]
        )
    print(
        render_table(
            [
                "stack",
                "region",
                "resources",
                "template KB",
                "nag findings",
                "acknowledged",
                "lint errors",
                "lint warnings",
            ],
            rows,
        )
    )
    print()
    print(
        render_table(
            ["check", "rules", "evaluated", "findings", "acknowledged", "notes"],
            _pack_rows(outdir, counts, sum(r[2] for r in rows)),
        )
    )
    print(f"\ncfn-lint rules ignored (see kickoff/rules/cfn_lint.py): {', '.join(sorted(IGNORED_RULES))}")
    failed = False
    for finding in lint:
        print(f"cfn-lint {finding.rule} ({finding.level}) {finding.location}: {finding.message}", file=sys.stderr)
        failed = True
    missing = missing_context(outdir)
    if missing:
        print(f"kickoff: synth needed context it would look up in AWS: {', '.join(missing)}", file=sys.stderr)
        failed = True
    if any(r[4] for r in rows):
        failed = True
    print("checks: FAILED" if failed else "checks: passed")
    return 1 if failed else 0


def _plan_from(args: argparse.Namespace, config: KickoffConfig):
    from kickoff.planning import resolve_plan_from

    return resolve_plan_from(config, _context(args.context).get("plan_from"))


NO_OVERRIDE = ("", "none")
OVERRIDE_MIN_CHARS = 10


def cmd_deploy_window(args: argparse.Namespace) -> int:
    """Exit 1 inside an event window (a deploy then waits), 0 outside; --at checks another time.

    ``--override REASON`` lets a deploy through a window on purpose (an emergency fix): it exits 0
    and prints the reason, the window and who ran it, which the pipeline's build log keeps.
    ``none`` or an empty reason is no override (the pipeline variable's default).
    """
    from kickoff.planning import build_deployment_plan, default_plan_from, parse_plan_from

    config = _load(args)
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
    if args.assembly:
        stale = _stale_assembly(Path(args.assembly), at, config)
        if stale is not None:
            code, message = stale
            print(f"{env}: {message}", file=sys.stderr)
            return code
        print(f"{env}: {args.assembly} is still deployable at {at:%Y-%m-%d %H:%M} UTC (its first action is later)")
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
    print(
        f"{env}: {inside}; deploys wait until {window.restore:%Y-%m-%d %H:%M} UTC. In an emergency, release again "
        "with the pipeline variable FREEZE_OVERRIDE set to the reason (docs/deploy.md)",
        file=sys.stderr,
    )
    return 1


def _stale_assembly(outdir: Path, at: datetime, config: KickoffConfig) -> tuple[int, str] | None:
    """Exit code and why the cloud assembly in ``outdir`` cannot deploy at ``at``, or None while it can.

    A synth compiles no scheduled action before its ``earliest_action`` (deploy time + margin, +
    the pipeline's release minutes); a deploy at ``at`` needs every action after ``at`` + margin.
    """
    from kickoff.rules.summary import read_summary

    readiness = read_summary(outdir).get("DeployReadiness", {})
    if "earliest_action" not in readiness:
        return 2, (
            f"{outdir} has no deploy-readiness summary (kickoff-guardrails.json).\n"
            "  Fix: point --assembly at the output of a synth with checks (make synth)"
        )
    earliest = datetime.fromisoformat(readiness["earliest_action"].replace("Z", "+00:00"))
    ready_by = at + timedelta(minutes=config.scaling.deploy_margin_minutes)
    if ready_by <= earliest:
        return None
    return 1, (
        f"{outdir} was synthesized for a deploy at {readiness['deploy_time']}; its first scheduled action takes "
        f"effect at {earliest:%Y-%m-%d %H:%M} UTC, before this deploy could finish ({ready_by:%Y-%m-%d %H:%M} UTC "
        "with the deploy margin), so AWS would reject it or capacity would be missing. The release took longer "
        "than pipeline.release_minutes: release again, which synthesizes for the new time"
    )


def cmd_execution_policy(args: argparse.Namespace) -> int:
    """Print the scoped CloudFormation execution policy for one account's bootstrap, from the synthesized templates."""
    from kickoff.rules.assembly import read_stacks
    from kickoff.rules.execution_policy import UnknownResourceType, execution_policy, permissions_boundary, render

    config = _load(args)
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


def cmd_gameday(args: argparse.Namespace) -> int:
    """Print the game-day plan: the experiments in order and their expected effect (never calls AWS)."""
    from kickoff.planning import build_deployment_plan, default_plan_from, parse_plan_from
    from kickoff.rules.assembly import template_views
    from kickoff.rules.gameday import (
        EFFECT,
        capacity_after_evacuation,
        capacity_after_loss,
        event_window,
        read_experiments,
        replication_exposure_seconds,
    )

    config = _load(args)
    outdir = Path(args.outdir)
    if not (outdir / "manifest.json").is_file():
        print(
            f"kickoff: {outdir} holds no cloud assembly.\n  Fix: run make synth ENV={config.environment} first",
            file=sys.stderr,
        )
        return 2
    # An analysis, not a deploy: any -c plan_from is accepted (the plan is the one a deploy then would compile).
    context = _context(args.context)
    plan_from = parse_plan_from(context["plan_from"]) if context.get("plan_from") else default_plan_from()
    plan = build_deployment_plan(config, plan_from)
    try:
        window = event_window(plan, args.event)
    except ValueError as error:
        print(f"kickoff: {error}", file=sys.stderr)
        return 2
    cells = set(config.region_names)
    views = template_views(outdir, lambda s: s.account == config.account and s.region in cells)
    experiments = read_experiments(views)
    if not experiments:
        print(
            "kickoff: the assembly has no FIS experiment templates.\n  Fix: set fault_injection.enabled: true and "
            "synthesize again",
            file=sys.stderr,
        )
        return 2
    faults = config.fault_injection
    order = [config.canary_region, *(r for r in config.region_names if r != config.canary_region)]
    env = naming.environment_key(config)
    print(
        f"{env} game day for {'+'.join(window.event_ids)}: event window {window.start:%Y-%m-%d %H:%M} to "
        f"{window.restore:%Y-%m-%d %H:%M} UTC; run it in the weeks before, never inside a window "
        f"(python -m kickoff deploy-window). Runbooks: docs/runbooks/game-day.md and one per experiment."
    )
    print(
        "\nExperiments, in order (canary Region first, smallest blast radius first); each stops when its alarm is "
        "in ALARM:"
    )
    rows = []
    step = 0
    for region in order:
        for e in (e for e in experiments if e.region == region):
            step += 1
            rows.append(
                [
                    step,
                    e.region,
                    e.name,
                    e.action,
                    e.availability_zone or "-",
                    e.selection,
                    f"{e.duration_minutes} min" if e.duration_minutes else "instant",
                    e.stop_alarm,
                ]
            )
    print(render_table(["#", "region", "experiment", "action", "AZ", "targets", "duration", "stop condition"], rows))
    print("\nExpected effect of each action: " + "; ".join(f"{a}: {t}" for a, t in EFFECT.items()) + ".")
    shortfalls = 0
    for title, share in (
        ("a whole AZ lost (network, zonal shift) at the event's peak", 1.0),
        (
            f"{faults.task_share_percent}% of one AZ's tasks stopped at the event's peak",
            faults.task_share_percent / 100,
        ),
    ):
        print(
            f"\nCapacity with {title}: planned = scheduled floor at the Region's peak, need = tasks at 100% of a "
            "task's requests/s for the Region's own peak (upper band); the other AZs absorb the lost tasks' traffic."
        )
        table = []
        for region in order:
            for row in capacity_after_loss(config, plan, window, region, share):
                shortfalls += row.shortfall > 0
                table.append(
                    [
                        row.region,
                        row.service,
                        f"{row.peak_at:%m-%d %H:%M}",
                        f"{row.peak_rps:,.0f}",
                        row.planned,
                        row.lost,
                        row.remaining,
                        row.need,
                        f"SHORT {row.shortfall}" if row.shortfall else "ok",
                    ]
                )
        print(
            render_table(
                ["region", "service", "peak (UTC)", "peak rps", "planned", "lost", "remaining", "need", "verdict"],
                table,
            )
        )
    print(
        "\nRouting: the cell stays in DNS while every service keeps a healthy target (its calculated health check); "
        "the experiment stops first if the region-impaired alarm fires (no healthy target, ELB 5xx above "
        f"{config.monitoring.load_balancer.critical_5xx_percent:g}% of requests, or the cell failing while the others "
        "answer)."
    )
    exposure = replication_exposure_seconds(faults.replication_pause_minutes)
    print(
        f"\nReplication pause ({faults.replication_pause_minutes} min, replication may continue up to 5 min after "
        f"the start): writes to the paused replica are at risk for up to {exposure} s if its Region failed meanwhile, "
        f"against resilience.rpo_seconds {config.resilience.rpo_seconds} s; the ReplicationLatency alarms "
        f"(threshold {config.replication_alarm_seconds or '-'} s) fire as designed. Run it outside events only."
    )
    print(
        "\nEvacuating a Region (planned: evacuate: true and a deploy of that cell; incident: its ARC routing control "
        "off; docs/runbooks/evacuate-region.md): survivors at their peak after its viewers move"
    )
    table = []
    for evacuated in order:
        for row in capacity_after_evacuation(config, plan, window, evacuated):
            shortfalls += row.shortfall > 0
            table.append(
                [
                    evacuated,
                    row.region,
                    row.service,
                    f"{row.peak_rps:,.0f}",
                    row.planned,
                    row.need,
                    f"SHORT {row.shortfall}" if row.shortfall else "ok",
                ]
            )
    print(render_table(["evacuated", "survivor", "service", "peak rps", "planned", "need", "verdict"], table))
    print(
        f"\n{shortfalls} shortfall(s)."
        + (
            " A shortfall drops requests until reactive scaling adds tasks: raise the "
            "floor (min_tasks, the forecast band) or rehearse outside the event's peak."
            if shortfalls
            else ""
        )
    )
    return 1 if shortfalls else 0


def cmd_quotas(args: argparse.Namespace) -> int:
    """The quotas the config declares per Region, what the plan and the season need, and each cell's ceiling."""
    from kickoff.planning import build_deployment_plan
    from kickoff.reports.quotas import quota_report

    config = _load(args)
    plan = build_deployment_plan(config, _plan_from(args, config))
    report = quota_report(config, plan)
    print(
        f"{naming.environment_key(config)}: declared quotas against the plan for "
        f"{plan.window.deploy_time:%Y-%m-%d %H:%M} UTC and the whole season (N-1, the re-arrival surge and each "
        "service's deploy surge included)\n"
    )
    rows = [[r.region, r.quota, r.code, f"{r.declared:,}", f"{r.needed:,.0f}", r.command] for r in report.rows]
    print(render_table(["region", "quota", "code", "declared", "needed", "check the account's value"], rows))
    print(
        "\nOne cell's ceiling: concurrent viewers it serves at the target utilisation before a limit binds (a steady "
        "audience; the kickoff's arrival surge comes on top). Past the first limit, raise it; past max_tasks and "
        "the quotas AWS grants, add a cell.\n"
    )
    ceiling_rows = [
        [
            region,
            limits[0].limit,
            f"{limits[0].viewers:,.0f}",
            "; ".join(f"{c.limit} {c.viewers:,.0f}" for c in limits[1:3]),
        ]
        for region, limits in report.ceilings.items()
    ]
    print(render_table(["region", "binding limit", "viewers", "next limits"], ceiling_rows))
    return 0


def cmd_readiness(args: argparse.Namespace) -> int:
    """Run the deploy-readiness rules over an existing cloud assembly (for example one synthesized elsewhere)."""
    from kickoff.planning import build_deployment_plan, default_plan_from, parse_plan_from
    from kickoff.rules.assembly import template_views
    from kickoff.rules.params import readiness_params
    from kickoff.rules.readiness import RULES, evaluate

    config = _load(args)
    context = _context(args.context)
    deploy_time = parse_plan_from(context["plan_from"]) if context.get("plan_from") else default_plan_from()
    outdir = Path(args.outdir)
    if not (outdir / "manifest.json").is_file():
        print(f"kickoff: {outdir} holds no cloud assembly", file=sys.stderr)
        return 2
    params = readiness_params(config, build_deployment_plan(config, deploy_time))
    views = template_views(outdir)
    result = evaluate(views, params)
    by_rule: dict[str, list] = {rule.rule_id: [] for rule in RULES}
    for evaluation in result.failures:
        by_rule[evaluation.rule.rule_id].append(evaluation)
    print(
        f"{naming.environment_key(config)}: deploy readiness of {outdir} for a deploy at {deploy_time:%Y-%m-%d %H:%M} "
        "UTC"
    )
    print(
        render_table(
            ["rule", "evaluated", "findings"],
            [
                [rid, sum(1 for e in result.evaluations if e.rule.rule_id == rid), sum(len(e.findings) for e in evs)]
                for rid, evs in by_rule.items()
            ],
        )
    )
    for rid, evaluations in by_rule.items():
        for evaluation in evaluations:
            stack = next(v.stack for v in views if v.file == evaluation.template)
            for finding in evaluation.findings:
                print(f"{rid} {stack}/{evaluation.logical_id}: {finding.detail}")
    return 1 if result.failures else 0


def cmd_context(args: argparse.Namespace) -> int:
    from kickoff.config.context import CONTEXT_FILE, write_context_file

    entries = write_context_file()
    print(f"wrote {len(entries)} availability-zone entries to {CONTEXT_FILE.name}")
    return 0


def cmd_readme(args: argparse.Namespace) -> int:
    from kickoff.readme import README, update_readme

    changed = update_readme()
    print(f"{README.name}: {'updated ' + ', '.join(changed) if changed else 'generated blocks already current'}")
    return 0


def cmd_resilience(args: argparse.Namespace) -> int:
    import tempfile

    from kickoff.application import synthesize_templates
    from kickoff.rules.resilience import budget_rows, compute_budget

    config = _load(args)
    with tempfile.TemporaryDirectory(prefix="kickoff-resilience-") as outdir:
        budget = compute_budget(config, synthesize_templates(config, outdir))
    print(f"{naming.environment_key(config)}: resilience budget (from the synthesized templates)\n")
    print(render_table(["objective", "term", "value", "source / verdict"], budget_rows(budget)))
    if budget.rpo_assumption:
        print(f"\nassumption: {budget.rpo_assumption}")
    for objective, message in budget.violations:
        print(f"VIOLATED {objective}: {message}", file=sys.stderr)
    return 1 if budget.violations else 0


def cmd_lock(args: argparse.Namespace) -> int:
    import tempfile

    from kickoff.application import synthesize_templates
    from kickoff.config import CONFIG_DIR, load_config
    from kickoff.lockfile import read_lock, write_lock
    from kickoff.rules.stateful_lock import diff, failure_message, inventory

    lock_file = Path(args.lock_file)
    current = {}
    configs = {}
    for path in sorted(CONFIG_DIR.glob("*.yaml")):
        config = load_config(path)
        with tempfile.TemporaryDirectory(prefix="kickoff-lock-") as outdir:
            current[naming.environment_key(config)] = inventory(synthesize_templates(config, outdir))
        configs[naming.environment_key(config)] = config
    if args.write:
        write_lock(current, lock_file)
        count = sum(len(r) for inv in current.values() for r in inv.values())
        print(f"wrote {lock_file.name}: {count} stateful resources in {len(current)} environments")
        return 0
    locked = read_lock(lock_file)
    failed = False
    for key, inv in current.items():
        problems = diff(locked.get(key, {}), inv, allowed_replica_removals=configs[key].replica_removals_allowed)
        if problems:
            print(failure_message(key, problems), file=sys.stderr)
            failed = True
        else:
            print(f"{key}: stateful resources match {lock_file.name}")
    return 1 if failed else 0


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
    lock = sub.add_parser("lock", help="compare stateful resources with stateful.lock.json (--write accepts changes)")
    lock.add_argument("--write", action="store_true", help="regenerate stateful.lock.json from config/*.yaml")
    lock.add_argument(
        "--lock-file", default=str(LOCK_FILE), help="the lock to compare with or write (default %(default)s)"
    )
    lock.set_defaults(func=cmd_lock)
    plan = with_context(
        sub.add_parser("plan", help="print the capacity plan per region and service, and plot an event")
    )
    plan.add_argument("--event", help="only this event's window (and plot it); default: all, plot the first")
    plan.add_argument("--png", help="where to write the plot (default build/plan-<event>.png)")
    plan.add_argument("--no-png", action="store_true", help="do not write a plot")
    plan.set_defaults(func=cmd_plan)
    window = with_context(
        sub.add_parser("deploy-window", help="exit 1 inside an event window, when nothing may deploy")
    )
    window.add_argument("--at", help="check this ISO 8601 time instead of now")
    window.add_argument(
        "--assembly",
        metavar="DIR",
        help="also exit 1 when the cloud assembly in DIR (make synth's output) is too old to deploy now",
    )
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
    with_context(
        sub.add_parser("quotas", help="declared quotas per Region, what the plan needs, and how to check them")
    ).set_defaults(func=cmd_quotas)
    readiness = with_context(sub.add_parser("readiness", help="run the deploy-readiness rules over a cloud assembly"))
    readiness.add_argument("--outdir", default="cdk.out", help="cloud assembly directory (default cdk.out)")
    readiness.set_defaults(func=cmd_readiness)
    sub.add_parser(
        "taggable", help="regenerate rules/taggable_types.json from cfn-lint's resource schemas"
    ).set_defaults(func=cmd_taggable)
    sub.add_parser(
        "context", help="regenerate cdk.context.json (AZs per account and Region) from config/*.yaml"
    ).set_defaults(func=cmd_context)
    sub.add_parser("readme", help="regenerate README.md's config reference and guardrail rule table").set_defaults(
        func=cmd_readme
    )
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
