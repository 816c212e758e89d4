"""What each guardrail adds to a synth of the default config: median wall time of fresh processes.

Each variant runs in a new Python process (as `cdk synth` does), built-in CloudFormation
validation off so the packs' own cost is visible, N repetitions, median reported:

  none        build the stacks and synth, no validation plugins
  aws         + cdk-nag AwsSolutionsChecks (and the acknowledgements)
  aws+wa      + Kickoff's Well-Architected pack
  aws+wa+dr   + Kickoff's deploy-readiness pack
  all         + the resilience budget and stateful-lock plugins (what `make synth` runs, minus built-in validation)

Also times cfn-lint and checkov over the resulting templates. Writes bench/results/guardrails.md.

    .venv/bin/python bench/guardrails.py [--runs 3] [--env prod]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "guardrails.md"

SNIPPET = r"""
import os, sys, time
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
t0 = time.perf_counter()
import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from kickoff.application import create_app, pin_availability_zones
from kickoff.rules import params as c
from kickoff.guardrails.acknowledgements import acknowledge_deployment
from kickoff.guardrails.resilience_plugin import ResilienceBudgetPlugin
from kickoff.guardrails.readiness_pack import DeployReadinessChecks
from kickoff.guardrails.rule_pack import StackFacts
from kickoff.guardrails.stateful_lock_plugin import StatefulLockPlugin
from kickoff.guardrails.wa_pack import WellArchitectedChecks
from kickoff.config import load_for_context
from kickoff.planning import build_deployment_plan, default_plan_from
from kickoff.stacks import build_deployment
variant, env, outdir = sys.argv[1:4]
config = load_for_context(env, None)
app = create_app(outdir=outdir, validation=False)
pin_availability_zones(app, config)
plan = build_deployment_plan(config, default_plan_from())
d = build_deployment(app, config, plan)
plugins = []
if variant != "none":
    plugins.append(AwsSolutionsChecks(app)); acknowledge_deployment(d)
facts = {s.template_file: StackFacts(stack=s.stack_name, region=s.region, cell=s.cell_tag, account=s.account)
         for s in d.stacks}
if variant in ("aws+wa", "aws+wa+dr", "all"):
    plugins.append(WellArchitectedChecks(app, params=c.wa_params(config), stacks=facts))
if variant in ("aws+wa+dr", "all"):
    plugins.append(DeployReadinessChecks(app, params=c.readiness_params(config, plan), stacks=facts))
if variant == "all":
    plugins.append(ResilienceBudgetPlugin(config, template_stacks={f: v.stack for f, v in facts.items()}))
    plugins.append(StatefulLockPlugin(config, template_stacks={f: v.stack for f, v in facts.items()}))
if plugins:
    cdk.Validations.of(app).add_plugins(*plugins)
app.synth()
print(f"{time.perf_counter() - t0:.3f}")
"""


def run_variant(variant: str, env: str) -> float:
    with tempfile.TemporaryDirectory() as outdir:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", SNIPPET, variant, env, outdir],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        return time.perf_counter() - started


def time_command(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=ROOT, check=False, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--env", default="prod")
    args = parser.parse_args()
    variants = ["none", "aws", "aws+wa", "aws+wa+dr", "all"]
    samples: dict[str, list[float]] = {v: [] for v in variants}
    for run in range(args.runs):
        for variant in variants:  # interleaved, so machine noise spreads over all variants
            samples[variant].append(run_variant(variant, args.env))
            print(f"bench/guardrails.py: run {run + 1}/{args.runs} {variant}: {samples[variant][-1]:.2f} s", flush=True)
    medians = {v: statistics.median(s) for v, s in samples.items()}

    with tempfile.TemporaryDirectory() as outdir:
        subprocess.run(
            [sys.executable, "-c", SNIPPET, "none", args.env, outdir],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        templates = sorted(str(p) for p in Path(outdir).glob("*.template.json"))
        lint = statistics.median(time_command([str(ROOT / ".venv/bin/cfn-lint"), *templates]) for _ in range(args.runs))
        checkov_bin = ROOT / ".checkov-venv/bin/checkov"
        checkov = (
            statistics.median(
                time_command(
                    [
                        str(checkov_bin),
                        "--framework",
                        "cloudformation",
                        "--skip-download",
                        "--quiet",
                        "--compact",
                        *sum((["-f", t] for t in templates), []),
                    ]
                )
                for _ in range(args.runs)
            )
            if checkov_bin.exists()
            else float("nan")
        )

    lines = [
        "# Guardrail cost per synth",
        "",
        f"Config `{args.env}`, {args.runs} runs per variant (interleaved), median wall time of a fresh Python process "
        "that",
        "builds the stacks and synthesizes them, with aws-cdk-lib's built-in CloudFormation validation off.",
        f"Machine: {os.cpu_count()} cores. Command: `.venv/bin/python bench/guardrails.py --runs {args.runs} --env "
        f"{args.env}`.",
        "",
        "| variant | median s | added over previous | samples s |",
        "|---|---|---|---|",
    ]
    previous = None
    for variant in variants:
        added = "" if previous is None else f"{medians[variant] - medians[previous]:+.2f}"
        lines.append(
            f"| {variant} | {medians[variant]:.2f} | {added} | {', '.join(f'{s:.2f}' for s in samples[variant])} |"
        )
        previous = variant
    lines += [
        "",
        f"- Well-Architected pack: **{medians['aws+wa'] - medians['aws']:+.2f} s** per synth (aws+wa minus aws).",
        f"- Deploy-readiness pack: **{medians['aws+wa+dr'] - medians['aws+wa']:+.2f} s** (aws+wa+dr minus aws+wa).",
        f"- Resilience budget and stateful-lock plugins: {medians['all'] - medians['aws+wa+dr']:+.2f} s.",
        f"- cfn-lint over the {len(templates)} templates (separate process, `make synth`): {lint:.2f} s.",
        f"- checkov over the same templates (separate venv, `make test`): {checkov:.2f} s.",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
