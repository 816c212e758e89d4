"""The gate summary ``make synth`` ends with: one row per stack and one per check, read from a cloud assembly.

The synth's plugins record what they found (``kickoff.rules.summary``) and the validation report counts every
pack's findings (``kickoff.rules.assembly``); this module turns both into rows and says whether the gate passed.
An in-process synth without the cfn-lint plugin is linted here instead.
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from kickoff.reports.table import render_table
from kickoff.rules.assembly import missing_context, read_stacks, validation_counts
from kickoff.rules.cfn_lint import IGNORED_RULES, LintFinding, lint_stacks
from kickoff.rules.summary import read_summary

STACK_HEADERS = [
    "stack",
    "region",
    "resources",
    "template KB",
    "nag findings",
    "acknowledged",
    "lint errors",
    "lint warnings",
]
CHECK_HEADERS = ["check", "rules", "evaluated", "findings", "acknowledged", "notes"]


@dataclass(frozen=True)
class StackRow:
    """One stack of the assembly: its size and what every check found in it."""

    stack: str
    region: str
    resources: int
    size_kb: float
    findings: int
    acknowledged: int
    lint_errors: int
    lint_warnings: int


@dataclass(frozen=True)
class GateSummary:
    """Every stack and check of an assembly, and why the gate failed (empty when it passed)."""

    stacks: list[StackRow]
    checks: list[list[Any]]
    lint: list[LintFinding] = field(default_factory=list)
    missing_context: list[str] = field(default_factory=list)

    @property
    def open_findings(self) -> int:
        return sum(r.findings for r in self.stacks)

    @property
    def passed(self) -> bool:
        return not (self.lint or self.missing_context or self.open_findings)


def aws_solutions_rule_count() -> int:
    """Rules in cdk-nag's AwsSolutions pack: its applyRule calls, read from the installed bundle."""
    # Found, not imported: importing cdk_nag starts the jsii runtime (half a second).
    spec = find_spec("cdk_nag")
    assert spec is not None and spec.submodule_search_locations, "cdk-nag is not installed"
    package = Path(next(iter(spec.submodule_search_locations)))
    bundle = next(p for p in (package / "_jsii").iterdir() if p.name.endswith(".jsii.tgz"))
    with tarfile.open(str(bundle)) as archive:
        member = archive.extractfile("package/lib/packs/aws-solutions.js")
        assert member is not None
        source = member.read().decode()
    return source.count("this.applyRule(")


def gate_summary(outdir: Path) -> GateSummary:
    """The summary of the assembly in ``outdir`` (which must hold a manifest)."""
    stacks = read_stacks(outdir)
    linted = read_summary(outdir).get("CfnLint")
    # The synth linted every template already (the CfnLint plugin) unless it was an in-process synth without it.
    lint = [] if linted else lint_stacks(stacks)
    lint_counts = linted["stacks"] if linted else {}
    counts = validation_counts(outdir)
    nag_packs = [name for name in counts if name not in ("CloudFormation Validate", "CfnLint", "Checkov")]
    rows = []
    for stack in stacks:
        own = lint_counts.get(stack.name, {})
        rows.append(
            StackRow(
                stack=stack.name,
                region=stack.region,
                resources=len(stack.template().get("Resources", {})),
                size_kb=stack.size_bytes / 1024,
                findings=sum(counts[p].open[stack.name] for p in nag_packs),
                acknowledged=sum(counts[p].acknowledged[stack.name] for p in nag_packs),
                lint_errors=own.get("errors", sum(1 for f in lint if f.stack == stack.name and f.level == "error")),
                lint_warnings=own.get("warnings", sum(1 for f in lint if f.stack == stack.name and f.level != "error")),
            )
        )
    checks = check_rows(outdir, counts, sum(r.resources for r in rows))
    return GateSummary(rows, checks, lint, missing_context(outdir))


def check_rows(outdir: Path, counts: dict, resources: int) -> list[list[Any]]:
    """One row per gate: rules, what they evaluated, findings, acknowledgements and a note."""
    summary = read_summary(outdir)
    rows: list[list[Any]] = []
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
        note = f"{linted['seconds']:.2f} s, every core; ignored {', '.join(linted['ignored'])}"
        rows.append(["CfnLint", "-", f"{linted['templates']} templates", found, "-", note])
    scanned = summary.get("Checkov")
    if scanned:
        note = f"{scanned['seconds']:.2f} s, {scanned['scanned']} scanned, the rest cached; {scanned['passed']} passed"
        rows.append(["Checkov", "-", f"{scanned['templates']} templates", scanned["failed"], scanned["skipped"], note])
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
    rb = summary.get("ResilienceBudget")
    if rb:
        rows.append(_budget_row(rb, twin.get("rto_measured_seconds") if twin else None))
    if twin and not twin.get("skipped"):
        note = f"{twin['seconds']:.2f} s; python -m kickoff twin prints them"
        rows.append(["Twin", twin["rules"], f"{twin['scenarios']} failure scenarios", twin["failed"], "-", note])
    order = summary.get("ReleaseOrder")
    if order:
        note = "stack dependencies and termination protection" if order["manifest"] else "no manifest to read"
        rows.append(
            [
                "ReleaseOrder",
                order["rules"],
                f"{order['stacks']} stacks in the manifest",
                order["violations"],
                "-",
                note,
            ]
        )
    lock = summary.get("StatefulLock")
    if lock:
        state = (
            "not in the lock: not checked"
            if lock["locked"] is None
            else f"{lock['locked']} locked, {lock['current']} synthesized"
            + (f", {len(lock['unlocked'])} not in the lock" if lock["unlocked"] else "")
        )
        where = f"{lock['environment']} vs stateful.lock.json"
        rows.append(["StatefulLock", lock["rules"], where, lock["violations"], "-", state])
    return rows


def _budget_row(rb: dict[str, Any], measured: float | None) -> list[Any]:
    rto = (
        f"RTO {measured:g}/{rb['rto_objective']} s measured by the twin (arithmetic {rb['rto_seconds']:g} s)"
        if measured is not None
        else f"RTO {rb['rto_seconds']:g}/{rb['rto_objective']} s"
    )
    rpo = "unknown" if rb["rpo_seconds"] is None else format(rb["rpo_seconds"], "g")
    note = (
        f"{rto}, alarm path {rb.get('impaired_rto_seconds', 0):g}/{rb.get('impaired_rto_objective', '-')} s, "
        f"RPO {rpo}/{rb['rpo_objective']} s"
    )
    return ["ResilienceBudget", rb["rules"], "RTO, RPO, N-1", rb["violations"], "-", note]


def render_gate_summary(summary: GateSummary) -> tuple[str, str]:
    """The summary as printed: (stdout, stderr). Lint findings and missing context go to stderr."""
    stack_rows = [
        [
            r.stack,
            r.region,
            r.resources,
            f"{r.size_kb:.1f}",
            r.findings,
            r.acknowledged,
            r.lint_errors,
            r.lint_warnings,
        ]
        for r in summary.stacks
    ]
    out = [
        render_table(STACK_HEADERS, stack_rows),
        "",
        render_table(CHECK_HEADERS, summary.checks),
        "",
        f"cfn-lint rules ignored (see kickoff/rules/cfn_lint.py): {', '.join(sorted(IGNORED_RULES))}",
        "checks: passed" if summary.passed else "checks: FAILED",
    ]
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for f in summary.lint:
        grouped.setdefault((f.rule, f.level, f.message), []).append(f.location)
    err = [
        f"cfn-lint {rule} ({level}) {places[0] if len(places) == 1 else f'{len(places)} places: ' + ', '.join(places)}"
        f": {message}"
        for (rule, level, message), places in grouped.items()
    ]
    if summary.missing_context:
        err.append(f"kickoff: synth needed context it would look up in AWS: {', '.join(summary.missing_context)}")
    return "\n".join(out), "\n".join(err)
