"""``python -m kickoff <command>``: config validation and synth checks.

Commands take CDK-style context (``-c env=dev``, ``-c config=path.yaml``) so the same
words select a config everywhere. Exit codes: 0 ok, 1 a check failed, 2 bad config or usage.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from collections.abc import Sequence
from pathlib import Path

from kickoff.config import ConfigError, KickoffConfig, load_for_context


def _context(pairs: Sequence[str]) -> dict[str, str]:
    context = {}
    for pair in pairs:
        if "=" not in pair:
            raise SystemExit(f"kickoff: context {pair!r} must be key=value, e.g. -c env=dev")
        key, value = pair.split("=", 1)
        context[key] = value
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
    from importlib import resources

    bundle = next(p for p in resources.files("cdk_nag").joinpath("_jsii").iterdir() if p.name.endswith(".jsii.tgz"))
    with tarfile.open(str(bundle)) as archive:
        source = archive.extractfile("package/lib/packs/aws-solutions.js").read().decode()
    return source.count("this.applyRule(")


def _pack_rows(outdir: Path, counts: dict, resources: int) -> list[list[object]]:
    from kickoff.compliance.summary import read_summary

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
    wa = summary.get("WellArchitected")
    if wa:
        pack = counts.get("WellArchitected")
        rows.append(["WellArchitected", wa["rules"], f"{wa['evaluations']} rule x resource",
                     sum(pack.open.values()) if pack else 0, sum(pack.acknowledged.values()) if pack else 0,
                     f"{wa['seconds']:.2f} s"])
    rb = summary.get("ResilienceBudget")
    if rb:
        rows.append(["ResilienceBudget", rb["rules"], "RTO, RPO, N-1", rb["violations"], "-",
                     f"RTO {rb['rto_seconds']:g}/{rb['rto_objective']} s, RPO {rb['rpo_seconds']:g}/{rb['rpo_objective']} s"])
    return rows


def cmd_plan(args: argparse.Namespace) -> int:
    from kickoff.planning import build_deployment_plan, parse_plan_from
    from kickoff.scaling import plan_table

    config = _load(args)
    context = _context(args.context)
    plan = build_deployment_plan(config, parse_plan_from(context["plan_from"]) if "plan_from" in context else None)
    capacity = plan.capacity
    print(f"{config.environment_key}: capacity plan {plan.window.start:%Y-%m-%d %H:%M} -> {plan.window.end:%Y-%m-%d %H:%M} UTC")
    if capacity is None:
        print("no events in the window and no baseline: nothing is scheduled")
        return 0
    windows = [w for w in capacity.windows if args.event in w.event_ids] if args.event else list(capacity.windows)
    if args.event and not windows:
        known = ", ".join(e for w in capacity.windows for e in w.event_ids) or "none"
        print(f"kickoff: event {args.event!r} is not in the planning window (events in it: {known})", file=sys.stderr)
        return 2
    for window in windows:
        print(f"  event window {', '.join(window.event_ids)}: {window.start:%Y-%m-%d %H:%M} -> {window.restore:%H:%M} UTC")
    if plan.season_warm_throughput:
        warm = plan.season_warm_throughput
        print(f"  table warm throughput (season): {warm.read_units_per_second:,} reads/s, {warm.write_units_per_second:,} writes/s")
    rows = plan_table(capacity)
    for target in capacity.targets:
        mine = [r for r in rows if (r.region, r.service) == (target.region, target.service)
                and (not args.event or r.at is not None and any(w.start <= r.at <= w.restore for w in windows))]
        print(f"\n{target.region} / {target.service}: {target.action_count} actions, peak {target.peak_tasks} tasks "
              f"({target.peak_vcpu:,.0f} vCPU)")
        print(render_table(
            ["time (UTC)", "min tasks", "max tasks", "vCPU", "USD/h (ARM64)"],
            [[f"{r.at:%Y-%m-%d %H:%M}Z" if r.at else r.when, r.min_tasks, r.max_tasks, f"{r.vcpu:,.1f}",
              f"{r.cost_per_hour_usd:,.2f}"] for r in mine],
        ))
    reservations = [r for r in capacity.alb_reservations if not args.event or any(
        w.start - timedelta(hours=6) <= r.at <= w.restore + timedelta(hours=1) for w in windows)]
    if reservations:
        print()
        print(render_table(["ALB reservation (UTC)", "region", "LCU"],
                           [[f"{r.at:%Y-%m-%d %H:%M}Z", r.region, r.capacity_units or "release"] for r in reservations]))
    event_id = args.event or windows[0].event_ids[0] if windows else None
    if event_id and not args.no_png:
        from kickoff.scaling.plot import plot_event

        out = Path(args.png or f"build/plan-{event_id}.png")
        out.parent.mkdir(parents=True, exist_ok=True)
        print(f"\nwrote {plot_event(capacity, event_id, out)}")
    return 0


def cmd_taggable(args: argparse.Namespace) -> int:
    from kickoff.compliance.taggable import TABLE_FILE, write_table

    print(f"wrote {TABLE_FILE.name}: {write_table()} taggable resource types (from cfn-lint's schemas)")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    config = _load(args)
    print(
        f"{config.app}-{config.environment}: valid. {len(config.regions)} cells "
        f"({', '.join(config.region_names)}; primary {config.primary_region}), "
        f"{len(config.services)} services, table {config.table_name} "
        f"({config.table.consistency}, {config.table.encryption})."
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from kickoff.compliance.assembly import missing_context, read_stacks, validation_counts
    from kickoff.compliance.cfn_lint import IGNORED_RULES, lint_stacks

    outdir = Path(args.outdir)
    if not (outdir / "manifest.json").is_file():
        print(f"kickoff: {outdir} holds no cloud assembly; run `make synth` (or `npx cdk synth`) first", file=sys.stderr)
        return 2
    stacks = read_stacks(outdir)
    lint = lint_stacks(stacks)
    counts = validation_counts(outdir)
    nag_packs = [name for name in counts if name != "CloudFormation Validate"]
    rows = []
    for stack in stacks:
        template = stack.template()
        open_findings = sum(counts[p].open[stack.name] for p in nag_packs)
        acknowledged = sum(counts[p].acknowledged[stack.name] for p in nag_packs)
        errors = sum(1 for f in lint if f.stack == stack.name and f.level == "error")
        warnings = sum(1 for f in lint if f.stack == stack.name and f.level != "error")
        rows.append(
            [stack.name, stack.region, len(template.get("Resources", {})), f"{stack.size_bytes / 1024:.1f}",
             open_findings, acknowledged, errors, warnings]
        )
    print(render_table(
        ["stack", "region", "resources", "template KB", "nag findings", "acknowledged", "lint errors", "lint warnings"],
        rows,
    ))
    print()
    print(render_table(["check", "rules", "evaluated", "findings", "acknowledged", "notes"],
                       _pack_rows(outdir, counts, sum(r[2] for r in rows))))
    print(f"\ncfn-lint rules ignored (see kickoff/compliance/cfn_lint.py): {', '.join(sorted(IGNORED_RULES))}")
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


def cmd_context(args: argparse.Namespace) -> int:
    from kickoff.config.context import CONTEXT_FILE, write_context_file

    entries = write_context_file()
    print(f"wrote {len(entries)} availability-zone entries to {CONTEXT_FILE.name}")
    return 0


def cmd_readme(args: argparse.Namespace) -> int:
    from kickoff.config.readme import README, update_readme

    changed = update_readme()
    print(f"{README.name}: {'updated ' + ', '.join(changed) if changed else 'generated blocks already current'}")
    return 0


def synthesize_quietly(config: KickoffConfig, outdir: str) -> dict[str, dict]:
    """Synthesize ``config`` into ``outdir`` without validation plugins; stack name -> template."""
    import json

    from kickoff.application import synthesize

    deployment = synthesize(config, outdir, checks=False)
    return {s.stack_name: json.loads((Path(outdir) / s.template_file).read_text()) for s in deployment.stacks}


def cmd_resilience(args: argparse.Namespace) -> int:
    import tempfile

    from kickoff.compliance.resilience import budget_rows, compute_budget

    config = _load(args)
    with tempfile.TemporaryDirectory(prefix="kickoff-resilience-") as outdir:
        budget = compute_budget(config, synthesize_quietly(config, outdir))
    print(f"{config.app}-{config.environment}: resilience budget (from the synthesized templates)\n")
    print(render_table(["objective", "term", "value", "source / verdict"], budget_rows(budget)))
    if budget.rpo_assumption:
        print(f"\nassumption: {budget.rpo_assumption}")
    for objective, message in budget.violations:
        print(f"VIOLATED {objective}: {message}", file=sys.stderr)
    return 1 if budget.violations else 0


def cmd_lock(args: argparse.Namespace) -> int:
    import tempfile

    from kickoff.compliance.stateful_lock import LOCK_FILE, diff, failure_message, inventory, read_lock, write_lock
    from kickoff.config import CONFIG_DIR, load_config

    current = {}
    configs = {}
    for path in sorted(CONFIG_DIR.glob("*.yaml")):
        config = load_config(path)
        with tempfile.TemporaryDirectory(prefix="kickoff-lock-") as outdir:
            current[config.environment_key] = inventory(synthesize_quietly(config, outdir))
        configs[config.environment_key] = config
    if args.write:
        write_lock(current)
        count = sum(len(r) for inv in current.values() for r in inv.values())
        print(f"wrote {LOCK_FILE.name}: {count} stateful resources in {len(current)} environments")
        return 0
    locked = read_lock()
    failed = False
    for key, inv in current.items():
        problems = diff(locked.get(key, {}), inv, allowed_replica_removals=configs[key].replica_removals_allowed)
        if problems:
            print(failure_message(key, problems), file=sys.stderr)
            failed = True
        else:
            print(f"{key}: stateful resources match {LOCK_FILE.name}")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kickoff", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def with_context(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("-c", "--context", action="append", default=[], metavar="KEY=VALUE",
                       help="env=NAME selects config/NAME.yaml (default prod); config=PATH selects a file")
        return p

    with_context(sub.add_parser("validate", help="validate a config file (no CDK needed)")).set_defaults(func=cmd_validate)
    with_context(sub.add_parser("resilience", help="print the RTO/RPO/N-1 budget computed from synthesized templates")
                 ).set_defaults(func=cmd_resilience)
    lock = sub.add_parser("lock", help="compare stateful resources with stateful.lock.json (--write accepts changes)")
    lock.add_argument("--write", action="store_true", help="regenerate stateful.lock.json from config/*.yaml")
    lock.set_defaults(func=cmd_lock)
    plan = with_context(sub.add_parser("plan", help="print the capacity plan per region and service, and plot an event"))
    plan.add_argument("--event", help="only this event's window (and plot it); default: all, plot the first")
    plan.add_argument("--png", help="where to write the plot (default build/plan-<event>.png)")
    plan.add_argument("--no-png", action="store_true", help="do not write a plot")
    plan.set_defaults(func=cmd_plan)
    sub.add_parser("taggable", help="regenerate compliance/taggable_types.json from cfn-lint's resource schemas"
                   ).set_defaults(func=cmd_taggable)
    sub.add_parser(
        "context", help="regenerate cdk.context.json (AZs per account and Region) from config/*.yaml"
    ).set_defaults(func=cmd_context)
    sub.add_parser("readme", help="regenerate README.md's config reference and guardrail rule table"
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
