"""Check commands: validate a config, cfn-lint and summarize an assembly, run the readiness rules, the resilience
budget, and regenerate the generated files (the docs' generated blocks, taggable types)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kickoff import naming
from kickoff.commands.common import context_pairs, load_selected, plan_from_of
from kickoff.reports.table import render_table


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
    twin = summary.get("Twin")
    measured = twin.get("rto_measured_seconds") if twin else None
    rb = summary.get("ResilienceBudget")
    if rb:
        rto = (
            f"RTO {measured:g}/{rb['rto_objective']} s measured by the twin (arithmetic {rb['rto_seconds']:g} s)"
            if measured is not None
            else f"RTO {rb['rto_seconds']:g}/{rb['rto_objective']} s"
        )
        rows.append(
            [
                "ResilienceBudget",
                rb["rules"],
                "RTO, RPO, N-1",
                rb["violations"],
                "-",
                f"{rto}, "
                f"alarm path {rb.get('impaired_rto_seconds', 0):g}/{rb.get('impaired_rto_objective', '-')} s, RPO "
                f"{'unknown' if rb['rpo_seconds'] is None else format(rb['rpo_seconds'], 'g')}/{rb['rpo_objective']} s",
            ]
        )
    if twin and not twin.get("skipped"):
        rows.append(
            [
                "Twin",
                twin["rules"],
                f"{twin['scenarios']} failure scenarios",
                twin["failed"],
                "-",
                f"{twin['seconds']:.2f} s; python -m kickoff twin prints them",
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


def cmd_taggable(args: argparse.Namespace) -> int:
    from kickoff.rules.taggable import TABLE_FILE, write_table

    print(f"wrote {TABLE_FILE.name}: {write_table()} taggable resource types (from cfn-lint's schemas)")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from kickoff.planning import build_deployment_plan

    config = load_selected(args)
    # The capacity plan checks quotas, max_tasks and action limits: a config that validates also plans.
    plan = build_deployment_plan(config, plan_from_of(args, config))
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


def cmd_readiness(args: argparse.Namespace) -> int:
    """Run the deploy-readiness rules over an existing cloud assembly (for example one synthesized elsewhere)."""
    from kickoff.planning import build_deployment_plan, default_plan_from, parse_plan_from
    from kickoff.rules.assembly import template_views
    from kickoff.rules.params import readiness_params
    from kickoff.rules.readiness import RULES, evaluate

    config = load_selected(args)
    context = context_pairs(args.context)
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


def cmd_readme(args: argparse.Namespace) -> int:
    """Regenerate the docs' generated blocks (the command keeps its name: they began in the README)."""
    from kickoff.readme import update_docs

    changed = update_docs()
    print(f"docs: {'updated ' + ', '.join(changed) if changed else 'generated blocks already current'}")
    return 0


def cmd_resilience(args: argparse.Namespace) -> int:
    import tempfile

    from kickoff.application import synthesize_templates
    from kickoff.rules.resilience import budget_rows, compute_budget

    config = load_selected(args)
    with tempfile.TemporaryDirectory(prefix="kickoff-resilience-") as outdir:
        budget = compute_budget(config, synthesize_templates(config, outdir))
    print(f"{naming.environment_key(config)}: resilience budget (from the synthesized templates)\n")
    print(render_table(["objective", "term", "value", "source / verdict"], budget_rows(budget)))
    if budget.rpo_assumption:
        print(f"\nassumption: {budget.rpo_assumption}")
    for objective, message in budget.violations:
        print(f"VIOLATED {objective}: {message}", file=sys.stderr)
    return 1 if budget.violations else 0
