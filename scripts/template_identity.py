"""Prove that a change altered no template: synthesize the same configs at two revisions and compare bytes.

Synthesized per revision:
- every session-fixture config of ``tests/variants.py`` (prod, dev and the variants the tests
  assert on), in-process with every check attached, at each variant's pinned deploy time;
- prod and dev through the CDK CLI, as ``make synth`` runs them (``cdk synth -c env=… -c plan_from=…``),
  with one deploy time for both revisions (the CLI refuses a time in the past, so it is the next
  midnight UTC).

The base revision is checked out with ``git worktree`` into a temporary folder that borrows this
checkout's ``.venv``, ``node_modules`` and ``build/agent-deps``. The variant table always comes from this checkout, so
both revisions synthesize exactly the same configs.

    .venv/bin/python scripts/template_identity.py --base <rev>      # compare <rev> with the working tree
    .venv/bin/python scripts/template_identity.py --write <dir>     # only synthesize the working tree

Exit 0 when every template is byte-identical (and the two sides hold the same files), 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENT = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "CDK_DISABLE_CLI_TELEMETRY": "true"}

# Runs inside the tree under test (sys.path[0] is that tree): its kickoff, this checkout's variant table.
IN_PROCESS = """
import importlib.util, shutil, sys
from pathlib import Path
tree, variants_file, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
spec = importlib.util.spec_from_file_location("variants_table", variants_file)
table = importlib.util.module_from_spec(spec); sys.modules["variants_table"] = table; spec.loader.exec_module(table)
from kickoff.application import synthesize
from kickoff.config import load_config
for name, variant in table.VARIANTS.items():
    work = out / "_work" / name
    work.mkdir(parents=True)
    config = load_config(variant.write(work / f"{name}.yaml", tree / "config"))
    synthesize(config, str(work / "cdk.out"), checks=True, plan_from=variant.plan_from)
    target = out / "fixtures" / name
    target.mkdir(parents=True)
    for template in sorted((work / "cdk.out").glob("*.template.json")):
        shutil.copy(template, target / template.name)
shutil.rmtree(out / "_work")
"""


def _next_midnight() -> str:
    now = datetime.now(UTC)
    return (now + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z")


def write(tree: Path, out: Path, plan_from: str) -> None:
    """Synthesize every variant and the two CLI synths of ``tree`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    python = ROOT / ".venv" / "bin" / "python"
    subprocess.run(
        [
            str(python),
            "-c",
            f"import sys; sys.path.insert(0, {str(tree)!r})\n" + IN_PROCESS,
            str(tree),
            str(ROOT / "tests" / "variants.py"),
            str(out),
        ],
        cwd=tree,
        env=ENVIRONMENT,
        check=True,
    )
    cdk = ROOT / "node_modules" / ".bin" / "cdk"
    for env in ("prod", "dev"):
        target = out / "cli" / env
        run = subprocess.run(
            [
                str(cdk),
                "synth",
                "--quiet",
                "--no-notices",
                "--no-version-reporting",
                "-o",
                str(target),
                "-c",
                f"env={env}",
                "-c",
                f"plan_from={plan_from}",
            ],
            cwd=tree,
            env={**ENVIRONMENT, "PATH": f"{ROOT / '.venv' / 'bin'}:{ENVIRONMENT['PATH']}"},
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode:
            sys.exit(f"cdk synth -c env={env} failed in {tree}:\n{run.stderr[-4000:]}")
        for extra in target.iterdir():
            if not extra.name.endswith(".template.json"):
                shutil.rmtree(extra) if extra.is_dir() else extra.unlink()


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*.template.json"))
    }


def compare(base: dict[str, str], head: dict[str, str]) -> list[str]:
    problems = [f"only at the base: {name}" for name in sorted(set(base) - set(head))]
    problems += [f"only in the working tree: {name}" for name in sorted(set(head) - set(base))]
    problems += [f"differs: {name}" for name in sorted(set(base) & set(head)) if base[name] != head[name]]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--base", help="revision to compare the working tree with")
    group.add_argument("--write", type=Path, help="only synthesize the working tree into this folder")
    parser.add_argument("--keep", type=Path, help="with --base: keep both sides' templates in this folder")
    args = parser.parse_args()
    plan_from = _next_midnight()
    if args.write:
        write(ROOT, args.write, plan_from)
        print(f"{len(digests(args.write))} templates in {args.write}")
        return 0
    scratch = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="template-identity-"))
    worktree = Path(tempfile.mkdtemp(prefix="template-identity-base-")) / "tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(worktree), args.base],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for shared in (".venv", "node_modules"):
            (worktree / shared).symlink_to(ROOT / shared)
        # The capacity agent's ARM64 dependencies (make setup), which a synth bundles; the base builds its own zip.
        if (ROOT / "build" / "agent-deps").is_dir():
            (worktree / "build").mkdir(exist_ok=True)
            (worktree / "build" / "agent-deps").symlink_to(ROOT / "build" / "agent-deps")
        write(worktree, scratch / "base", plan_from)
        write(ROOT, scratch / "head", plan_from)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False)
    base, head = digests(scratch / "base"), digests(scratch / "head")
    problems = compare(base, head)
    revision = subprocess.run(
        ["git", "rev-parse", "--short", args.base], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    print(
        f"{len(head)} templates from {len({tuple(n.split('/')[:2]) for n in head})} synths (fixtures and CLI), "
        f"deploy time for the CLI synths {plan_from}; base {revision}, templates in {scratch}"
    )
    for problem in problems:
        print(f"  {problem}")
    print("byte-identical" if not problems else f"{len(problems)} difference(s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
