"""How long the check gate takes against a bare CDK app, measured in one run; and how it grows with Regions.

A bare one-stack CDK app (one S3 bucket, Python, the same pinned CLI and aws-cdk-lib) is built in its own folder
and synthesized interleaved with Kickoff, several runs each, so machine load hits both alike. Figures are ratios
to the bare app's ``cdk synth`` in the same run:

  app synth    ``cdk synth -c env=prod`` (every synth-time check: the packs and the plugins, cfn-lint and checkov
               included), cold (empty cfn-lint and checkov caches, as on a fresh clone) and warm (the caches earlier
               runs left)
  full gate    what ``make synth`` does after set-up: the app synth, then ``python -m kickoff check`` (the summary;
               it lints only an assembly synthesized without the cfn-lint plugin)

Peak memory is the largest process's maximum RSS (``/usr/bin/time``), against the bare app's. Configs with 6 and
12 Regions (and one with the most services a cell takes) are generated from config/prod.yaml and its calendar
under ``build/bench/``; each is synthesized once to report time per Region and every template's size and resource
count against CloudFormation's limits (500 resources, 1 MB). The load average before and after each run is recorded.
Writes bench/results/synth.md.

With ``--base REV`` each run also synthesizes prod warm at another commit (a git worktree borrowing this
checkout's .venv, node_modules and agent wheels, with its own caches), interleaved with this tree's, and reports
the difference of the warm synths in pairs that alternate which runs first.

    .venv/bin/python bench/synth.py [--runs 3] [--skip-scaling] [--base REV]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "synth.md"
WORK = ROOT / "build" / "bench"
CDK = ROOT / "node_modules" / ".bin" / "cdk"
PYTHON = ROOT / ".venv" / "bin" / "python"
CDK_FLAGS = ["--quiet", "--no-notices", "--no-version-reporting"]
MAX_RESOURCES = 500
MAX_TEMPLATE_BYTES = 1_000_000
# Regions with at least three AZs named a, b and c, in the order a growing config adds them.
EXTRA_REGIONS = (
    "us-west-2",
    "us-east-2",
    "ca-central-1",
    "eu-west-1",
    "eu-central-1",
    "eu-west-2",
    "ap-northeast-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-south-1",
    "sa-east-1",
)
MAX_SERVICES = 9  # kickoff.config.models.base.MAX_SERVICES

BARE_APP = """
import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

app = cdk.App()
stack = cdk.Stack(app, "Bare", env=cdk.Environment(account="111111111111", region="us-east-1"))
s3.Bucket(stack, "Bucket")
app.synth()
"""


@dataclass
class Sample:
    wall: float
    cpu: float
    max_rss_mib: float


def _env(lint_cache: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    if lint_cache is not None:
        env["KICKOFF_LINT_CACHE"] = str(lint_cache)
        env["KICKOFF_CHECKOV_CACHE"] = str(lint_cache.with_name(lint_cache.name + "-checkov"))
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    env["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    env["PATH"] = f"{PYTHON.parent}:{env['PATH']}"
    return env


class Refused(Exception):
    """A synth that failed; the message names the first finding of its validation report."""


def refusal(out: Path) -> str:
    """The first violation of the validation report in ``out`` (what refused the synth)."""
    report = out / "validation-report.json"
    if not report.is_file():
        return "no validation report"
    for plugin in json.loads(report.read_text()).get("pluginReports", []):
        for violation in plugin.get("violations", []):
            if not violation["ruleName"].startswith("Annotation::"):
                return f"{violation['ruleName']}: {violation['description'].split(': ', 1)[-1]}"
    return "see the validation report"


def _timed(cmd: list[str], cwd: Path, lint_cache: Path | None = None) -> Sample:
    """Run ``cmd`` under /usr/bin/time; wall and CPU seconds, and the largest process's peak RSS."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        result = subprocess.run(
            ["/usr/bin/time", "-o", out.name, "-f", "%e %U %S %M", *cmd],
            cwd=cwd,
            env=_env(lint_cache),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise Refused(f"failed: {' '.join(cmd)}\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
        wall, user, system, rss_kb = out.read().split()[-4:]
    return Sample(float(wall), float(user) + float(system), int(rss_kb) / 1024)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def bare_app() -> Path:
    folder = WORK / "bare"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text(BARE_APP)
    (folder / "cdk.json").write_text(json.dumps({"app": f"{PYTHON} app.py"}))
    return folder


def synth_app(out: Path, lint_cache: Path, config: str | None = None, tree: Path = ROOT) -> Sample:
    """``cdk synth`` of prod (or ``config``) in ``tree`` with the cfn-lint cache at ``lint_cache`` and checkov's
    beside it (empty: a cold run)."""
    context = ["-c", f"config={config}"] if config else ["-c", "env=prod"]
    shutil.rmtree(out, ignore_errors=True)
    return _timed([str(CDK), "synth", *CDK_FLAGS, *context, "-o", str(out)], tree, lint_cache)


def cold_cache() -> Path:
    """Empty cfn-lint and checkov caches: what a fresh clone (or CI) synthesizes with."""
    folder = WORK / "lint-cache-cold"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(folder.with_name(folder.name + "-checkov"), ignore_errors=True)
    return folder


def base_tree(revision: str) -> Path:
    """``revision`` checked out under build/bench/base, borrowing this checkout's environments."""
    tree = WORK / "base"
    subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True, check=False)
    shutil.rmtree(tree, ignore_errors=True)
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(tree), revision], cwd=ROOT, capture_output=True, check=True
    )
    for shared in (".venv", "node_modules", ".checkov-venv"):
        (tree / shared).symlink_to(ROOT / shared)
    (tree / "build").mkdir(exist_ok=True)
    (tree / "build" / "agent-deps").symlink_to(ROOT / "build" / "agent-deps")
    return tree


def stage_seconds(out: Path) -> dict[str, float]:
    """Seconds each timed synth-time stage took, from the assembly's summary (kickoff-guardrails.json)."""
    summary = json.loads((out / "kickoff-guardrails.json").read_text())
    return {name: float(v["seconds"]) for name, v in summary.items() if isinstance(v, dict) and "seconds" in v}


def check(out: Path) -> Sample:
    return _timed([str(PYTHON), "-m", "kickoff", "check", "--outdir", str(out)], ROOT)


def synth_bare(folder: Path) -> Sample:
    shutil.rmtree(folder / "cdk.out", ignore_errors=True)
    return _timed([str(CDK), "synth", *CDK_FLAGS], folder)


def _diff(these: list[Sample], base: list[Sample], field: str) -> float:
    """The median of per-run differences of ``field`` (runs are interleaved, so load hits both alike)."""
    return statistics.median(getattr(a, field) - getattr(b, field) for a, b in zip(these, base))


def _stats(values: list[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


def _fmt(values: list[float], unit: str = "s") -> str:
    low, mid, high = _stats(values)
    return f"{mid:.1f} {unit} ({low:.1f} to {high:.1f})"


# --- generated configs ---------------------------------------------------------------------------------------------


def _shares(regions: list[str]) -> dict[str, float]:
    """Equal shares that sum to exactly 1 at two decimals' precision (the last Region takes the rest)."""
    base = round(1.0 / len(regions), 4)
    shares = {r: base for r in regions[:-1]}
    shares[regions[-1]] = round(1.0 - base * (len(regions) - 1), 4)
    return shares


def generated_config(regions: int, services: int | None = None) -> Path:
    """prod with ``regions`` Regions (and ``services`` services), its calendar re-shared, under build/bench/."""
    data = yaml.safe_load((ROOT / "config" / "prod.yaml").read_text())
    calendar = yaml.safe_load((ROOT / "config" / data["scaling"]["calendar"]).read_text())
    first = data["regions"][0]
    names = [first["name"], *EXTRA_REGIONS][:regions]
    data["regions"] = [
        {
            **copy.deepcopy(first),
            "name": n,
            "vpc_cidr": f"10.{10 * (i + 1)}.0.0/16",
            "availability_zones": [f"{n}{z}" for z in "abc"],
        }
        for i, n in enumerate(names)
    ]
    shares = _shares(names)
    data["scaling"]["baseline"]["region_share"] = shares
    for event in calendar["events"]:
        event["region_share"] = shares
    data["environment"] = f"bench{regions}r" + (f"{services}s" if services else "")
    if data.get("pipeline"):
        data["pipeline"]["canary_region"] = names[-1]
    for region in data["regions"]:  # more Regions share each event: per-Region quotas stay prod's
        region["quotas"] = copy.deepcopy(first["quotas"])
        if services:  # more services use more capacity and table throughput: declare the raised quotas
            for quota in ("fargate_vcpu", "dynamodb_table_read_units", "dynamodb_table_write_units"):
                region["quotas"][quota] = region["quotas"][quota] * 4
    if services:
        template = data["services"][0]
        extra = []
        for i in range(services - len(data["services"])):
            svc = copy.deepcopy(template)
            svc["name"] = f"extra{i + 1}"
            svc["path_patterns"] = [f"/extra{i + 1}/*"]
            svc["health_check_path"] = f"/extra{i + 1}/healthz"
            extra.append(svc)
            data["edge"]["cache_behaviors"].append(
                {"path_pattern": f"/extra{i + 1}/*", "cache_policy": "caching_disabled"}
            )
        catch_all = data["services"][-1]
        data["services"] = [*data["services"][:-1], *extra, catch_all]
    folder = WORK / "config"
    folder.mkdir(parents=True, exist_ok=True)
    calendar_name = f"calendar-{regions}.yaml"
    (folder / calendar_name).write_text(yaml.safe_dump(calendar, sort_keys=False))
    data["scaling"]["calendar"] = calendar_name
    path = folder / f"{data['environment']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def template_sizes(out: Path) -> list[tuple[str, int, int]]:
    sys.path.insert(0, str(ROOT))
    from kickoff.rules.assembly import read_stacks

    return [(s.name, len(s.template().get("Resources", {})), s.size_bytes) for s in read_stacks(out)]


# --- main ----------------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs of the bare app and prod (default 3)")
    parser.add_argument("--skip-scaling", action="store_true", help="skip the 6- and 12-Region and services configs")
    parser.add_argument("--base", help="also time a warm prod synth at this commit, interleaved (a git worktree)")
    parser.add_argument("--compare-runs", type=int, default=6, help="warm pairs with --base, alternating (default 6)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    bare = bare_app()
    synth_bare(bare)  # warm the file cache and the CLI once before timing
    warm = WORK / "lint-cache-warm"  # carried from run to run, as a developer's build/cache is
    prod_out = WORK / "prod.out"
    synth_app(prod_out, warm)
    base = base_tree(args.base) if args.base else None
    base_warm = WORK / "lint-cache-base"
    if base is not None:
        synth_app(WORK / "base.out", base_warm, tree=base)  # its caches warm, as this tree's are
    rows: dict[str, list[Sample]] = {k: [] for k in ("bare", "cold", "cold_check", "warm", "warm_check")}
    loads = []
    stages: list[dict[str, float]] = []
    for run in range(args.runs):
        before = _load()
        rows["bare"].append(synth_bare(bare))
        rows["cold"].append(synth_app(prod_out, cold_cache()))
        rows["cold_check"].append(check(prod_out))
        rows["warm"].append(synth_app(prod_out, warm))
        stages.append(stage_seconds(prod_out))
        rows["warm_check"].append(check(prod_out))
        loads.append(f"run {run + 1}: {before} -> {_load()}")
        print(
            f"run {run + 1}: bare {rows['bare'][-1].wall:.1f} s, app cold {rows['cold'][-1].wall:.1f} s, "
            f"warm {rows['warm'][-1].wall:.1f} s, check {rows['warm_check'][-1].wall:.1f} s",
            flush=True,
        )
    # The comparison with the base runs on its own, warm against warm only, alternating which goes first (a warm
    # synth right after a cold one ran slower in either tree: the cold run's checkov and cache writes linger).
    pairs: list[tuple[Sample, Sample]] = []
    if base is not None:
        for run in range(args.compare_runs):
            order = ("this", "base") if run % 2 == 0 else ("base", "this")
            got = {
                which: synth_app(prod_out, warm)
                if which == "this"
                else synth_app(WORK / "base.out", base_warm, tree=base)
                for which in order
            }
            pairs.append((got["this"], got["base"]))
            print(f"pair {run + 1}: this {got['this'].wall:.1f} s, base {got['base'].wall:.1f} s", flush=True)
        subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, capture_output=True, check=False)
    rows["base"] = [b for _, b in pairs]
    rows["paired"] = [t for t, _ in pairs]
    bare_wall = [s.wall for s in rows["bare"]]
    ratio = lambda xs: statistics.median(x / b for x, b in zip(xs, bare_wall))  # noqa: E731
    bare_rss = statistics.median(s.max_rss_mib for s in rows["bare"])

    def row(label: str, samples: list[Sample], bold: bool = False) -> str:
        wall = [s.wall for s in samples]
        value = f"{ratio(wall):.2f}"
        return (
            f"| {label} | {_fmt(wall)} | {statistics.median(s.cpu for s in samples):.1f} s | "
            f"{statistics.median(s.max_rss_mib for s in samples):.0f} MiB | {f'**{value}**' if bold else value} |"
        )

    def gate(app: str) -> list[Sample]:
        return [
            Sample(a.wall + c.wall, a.cpu + c.cpu, max(a.max_rss_mib, c.max_rss_mib))
            for a, c in zip(rows[app], rows[f"{app}_check"])
        ]

    gate_rss = max(statistics.median(s.max_rss_mib for s in gate(k)) for k in ("cold", "warm"))
    lines = [
        "# Synth and check gate against a bare CDK app (`bench/synth.py`)",
        "",
        f"{args.runs} interleaved runs on {os.cpu_count()} cores; load average (1, 5, 15 min) before -> after "
        "each run:",
        "",
        *(f"- {x}" for x in loads),
        "",
        "Cold: empty cfn-lint and checkov caches (a fresh clone, CI). Warm: the caches the previous runs left (a "
        "developer's next synth: the templates hold no capacity plan, so an unchanged stack's verdicts come from the "
        "caches).",
        "",
        "| what | wall: median (min to max) | CPU median | peak RSS median | ratio to the bare app "
        "(median of per-run ratios) |",
        "|---|---|---|---|---|",
        row("bare app `cdk synth` (one S3 bucket)", rows["bare"]),
        row("Kickoff app synth, cold (`cdk synth -c env=prod`, every synth-time check)", rows["cold"]),
        row("Kickoff app synth, warm", rows["warm"], bold=True),
        row("`kickoff check` (summary)", rows["warm_check"]),
        row("full gate, cold (app synth + check: `make synth` after set-up)", gate("cold")),
        row("full gate, warm", gate("warm"), bold=True),
        f"| peak memory, gate / bare | | | {gate_rss:.0f} MiB | **{gate_rss / bare_rss:.2f}** |",
        *(
            [
                row("Kickoff app synth, warm, in the comparison pairs", rows["paired"]),
                row(f"Kickoff app synth, warm, at {args.base}, in the comparison pairs", rows["base"]),
            ]
            if base is not None
            else []
        ),
        "",
        *(
            [
                f"Warm app synth, this tree minus {args.base}, {len(pairs)} pairs alternating which runs first: "
                + ", ".join(f"{w.wall - b.wall:+.1f} s" for w, b in pairs)
                + f"; median **{_diff(rows['paired'], rows['base'], 'wall'):+.1f} s**"
                + f" (CPU {_diff(rows['paired'], rows['base'], 'cpu'):+.1f} s).",
                "",
            ]
            if base is not None
            else []
        ),
        "The ratios are against a one-bucket app: context only, not a target (about 820 resources against one).",
        "",
        "Synth-time stages of the warm app synth (median of the runs, from the assembly's kickoff-guardrails.json): "
        + ", ".join(
            f"{name} {statistics.median(run.get(name, 0.0) for run in stages):.2f} s"
            for name in sorted({n for run in stages for n in run})
        )
        + ".",
        "",
    ]
    if not args.skip_scaling:
        lines += _scaling()
    elif RESULTS.is_file() and "## Growth with Regions" in (previous := RESULTS.read_text()):
        kept = previous[previous.index("## Growth with Regions") :].rstrip("\n").split("\n")
        heading = kept[0].split(" (kept from")[0]
        lines += [heading + " (kept from the last run without --skip-scaling)", *kept[1:], ""]
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


def _scaling() -> list[str]:
    """Each generated config synthesized cold, then warm; stage times per template; the largest templates."""
    lines = ["## Growth with Regions and services (one cold and one warm run each)", ""]
    lines += [
        "| config | templates | resources | app synth cold | warm | check | per template: synth cold, "
        "cfn-lint cold, Well-Architected, readiness |",
        "|---|---|---|---|---|---|---|",
    ]
    sizes: dict[str, list[tuple[str, int, int]]] = {}
    synths: dict[tuple[int, int | None], tuple[float, float]] = {}
    refused = []
    for regions, services in ((3, None), (6, None), (12, None), (3, MAX_SERVICES), (12, 7), (12, MAX_SERVICES)):
        config = generated_config(regions, services)
        out = WORK / f"{config.stem}.out"
        before = _load()
        cache = cold_cache()
        try:
            cold = synth_app(out, cache, str(config))
        except Refused:
            refused.append(f"- {regions} Regions, {services} services: **refused at synth**, {refusal(out)}")
            print(f"{config.stem}: refused", flush=True)
            continue
        stages = stage_seconds(out)
        warm = synth_app(out, cache, str(config))
        checked = check(out)
        sizes[config.stem] = template_sizes(out)
        templates = len(sizes[config.stem])
        total = sum(r for _, r, _ in sizes[config.stem])
        synths[(regions, services)] = (cold.wall, warm.wall)
        per = " / ".join(
            f"{value / templates:.2f}"
            for value in (
                cold.wall,
                stages.get("CfnLint", 0.0),
                stages.get("WellArchitected", 0.0),
                stages.get("DeployReadiness", 0.0),
            )
        )
        lines.append(
            f"| {regions} Regions"
            + (f", {services} services" if services else "")
            + f" (load {before}) | {templates} | {total} | {cold.wall:.1f} s | {warm.wall:.1f} s | "
            f"{checked.wall:.1f} s | {per} s |"
        )
        print(f"{config.stem}: app cold {cold.wall:.1f} s, warm {warm.wall:.1f} s", flush=True)
    (c3, w3), (c12, w12) = synths[(3, None)], synths[(12, None)]
    lines += ["", *refused] if refused else []
    lines += [
        "",
        f"App synth, 12 Regions / 3 Regions: **{c12 / c3:.2f}** cold, **{w12 / w3:.2f}** warm (target <= 1.3).",
        "",
        "## Template limits (largest template per config)",
        "",
        "| config | largest template | resources (limit 500) | size (limit 1 MB) |",
        "|---|---|---|---|",
    ]
    for name, stacks in sizes.items():
        stack, resources, size = max(stacks, key=lambda s: (s[1], s[2]))
        flag = " **over**" if resources > MAX_RESOURCES or size > MAX_TEMPLATE_BYTES else ""
        lines.append(f"| {name} | {stack} | {resources} | {size / 1e6:.2f} MB{flag} |")
    lines.append("")
    return lines


if __name__ == "__main__":
    sys.exit(main())
