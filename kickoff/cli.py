"""``python -m kickoff <command>``: config validation and synth checks.

Commands take CDK-style context (``-c env=dev``, ``-c config=path.yaml``) so the same
words select a config everywhere. Exit codes: 0 ok, 1 a check failed, 2 bad config or usage.
"""

from __future__ import annotations

import argparse
import sys
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
    print(f"\nnag packs: {', '.join(nag_packs) or 'none'}; cfn-lint rules ignored (see kickoff/compliance/cfn_lint.py): "
          f"{', '.join(sorted(IGNORED_RULES))}")
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


def cmd_reference(args: argparse.Namespace) -> int:
    from kickoff.config.readme import README, update_readme
    from kickoff.config.reference import render

    if args.write:
        changed = update_readme()
        print(f"{README.name}: config reference {'updated' if changed else 'already current'}")
    else:
        print(render())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kickoff", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def with_context(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("-c", "--context", action="append", default=[], metavar="KEY=VALUE",
                       help="env=NAME selects config/NAME.yaml (default prod); config=PATH selects a file")
        return p

    with_context(sub.add_parser("validate", help="validate a config file (no CDK needed)")).set_defaults(func=cmd_validate)
    sub.add_parser(
        "context", help="regenerate cdk.context.json (AZs per account and Region) from config/*.yaml"
    ).set_defaults(func=cmd_context)
    reference = sub.add_parser("reference", help="print the config reference (Markdown) embedded in README.md")
    reference.add_argument("--write", action="store_true", help="rewrite the block in README.md instead of printing")
    reference.set_defaults(func=cmd_reference)
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
