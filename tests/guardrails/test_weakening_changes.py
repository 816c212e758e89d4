"""One-line code changes that weaken the stack are refused by the app itself, not only by pytest.

``cdk synth`` and ``cdk deploy`` run ``app.py`` and its validation plugins, never the tests. Each
case below copies the app (``app.py``, ``kickoff/``, ``config/``, the lock and the context),
applies one weakening edit to the copy's source, and runs ``app.py`` as the CDK CLI does. The run
must fail, and the report must name the rule that holds the invariant, reported against the
stack the edit changed. An unedited copy must pass under the real CDK CLI, so a failure is the
edits' doing.

Edits that a plugin catches are synthesized together in batches, as long as no two in a batch
answer to the same rule: each rule in a batch's report then has one edit to answer for, and
the stack it names pins it to that edit. An edit caught outside the plugins (a context lookup,
reported after the synth) runs alone. Five synths prove twenty-four edits (four of dev, one of prod), and a sixth
runs the unedited copy.

The edits are the ones a review made, as a careless colleague would: each protects data, access,
routing, failover or capacity, and each was caught only by pytest before.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from kickoff.rules.cfn_lint import LINT_CACHE_DIR, LINT_CACHE_ENV
from tests.support import PLAN_FROM

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "node_modules" / ".bin" / "cdk"
COPIED = (
    *("app.py", "cdk.json", "cdk.context.json", "stateful.lock.json", "package.json", "requirements-checkov.txt"),
    *("kickoff", "config"),
)


@dataclass(frozen=True)
class Weakening:
    """An edit: in ``file``, replace ``old`` (which must occur exactly once) with ``new``.

    ``rule`` is what the synth's report must name, or (with a space in it) a message the app must print when no
    plugin catches it. ``stack``, when set, is part of the name of the stack the rule must report. ``batch`` names
    the synth it shares with other edits: chosen by hand, because edits can interact (without the header condition
    on the listener rules there is no secret for the CloudFront header to leak), and a test checks that no two
    edits of a batch answer to the same rule.
    """

    file: str
    old: str
    new: str
    rule: str
    env: str = "dev"
    stack: str | None = None
    batch: str = ""

    @property
    def by_plugin(self) -> bool:
        return " " not in self.rule


WEAKENINGS: dict[str, Weakening] = {
    "a replica removed": Weakening(
        "kickoff/constructs/global_table.py",
        "            replicas=replicas,",
        "            replicas=replicas[:-1],",
        "StatefulResourceKept",
        stack="-data",
        batch="A",
    ),
    "the table's construct ID renamed": Weakening(
        "kickoff/stacks/data.py",
        '            "GlobalTable",',
        '            "SessionsTable",',
        "StatefulResourceKept",
        stack="-data",
        batch="B",
    ),
    "a literal secret in the origin header": Weakening(
        "kickoff/constructs/edge_distribution.py",
        "custom_headers=origin_headers,",
        'custom_headers={name: "s3cr3t" for name in origin_headers},',
        "DR-OriginSecretNeverLiteral",
        stack="-edge",
        batch="A",
    ),
    "the X-Origin-Verify condition removed from listener rules": Weakening(
        "kickoff/constructs/service.py",
        "                    if required_header\n                    else []",
        "                    if False\n                    else []",
        "DR-AlbServesOnlyTheOrigin",
        stack="-cell-",
        batch="B",
    ),
    "the listener's default answer 200 instead of 403": Weakening(
        "kickoff/constructs/load_balancer.py",
        "fixed_response(\n                403,",
        "fixed_response(\n                200,",
        "DR-AlbServesOnlyTheOrigin",
        stack="-cell-",
        batch="C",
    ),
    "tasks given public IPs in public subnets": Weakening(
        "kickoff/constructs/service.py",
        "subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),\n            assign_public_ip=False,",
        "subnet_type=ec2.SubnetType.PUBLIC),\n            assign_public_ip=True,",
        "WA-SEC-EcsServicePrivate",
        stack="-cell-",
        batch="A",
    ),
    "a service registered outside its capacity agent's path": Weakening(
        "kickoff/constructs/prescaled_service.py",
        'parameter_name=f"{registry.parameter_path}/services/{name}",',
        'parameter_name=f"/elsewhere/services/{name}",',
        "DR-ScalableTargetRegistered",
        stack="-cell-",
        batch="A",
    ),
    "the WAF rate rule counting instead of blocking": Weakening(
        "kickoff/constructs/web_acl.py",
        "action=wafv2.CfnWebACL.RuleActionProperty(block={}),",
        "action=wafv2.CfnWebACL.RuleActionProperty(count={}),",
        "DR-WafRateLimitAdmitsSharedIp",
        stack="-edge",
        batch="B",
    ),
    "the health check moved to /": Weakening(
        "kickoff/constructs/cell_routing.py",
        "resource_path=target.path,",
        'resource_path="/",',
        "DR-Route53HealthCheckCoversServices",
        stack="-cell-",
        batch="A",
    ),
    "the health check on plain HTTP": Weakening(
        "kickoff/constructs/cell_routing.py",
        'f"HealthCheck{pascal(target.service)}",\n                type=route53.HealthCheckType.HTTPS,\n'
        "                fqdn=cell_name,\n                port=443,",
        'f"HealthCheck{pascal(target.service)}",\n                type=route53.HealthCheckType.HTTP,\n'
        "                fqdn=cell_name,\n                port=80,",
        "DR-Route53HealthCheckCoversServices",
        stack="-cell-",
        batch="C",
    ),
    "the secondary CNAME's TTL raised to 300 s": Weakening(
        "kickoff/constructs/cell_routing.py",
        "ttl=Duration.seconds(secondary_ttl_seconds),",
        "ttl=Duration.seconds(300),",
        "RTO",
        batch="B",
    ),
    "a hosted zone looked up in AWS at synth": Weakening(
        "kickoff/stacks/cell.py",
        "        zone = route53.HostedZone.from_hosted_zone_attributes(\n",
        '        route53.HostedZone.from_lookup(self, "LookedUp", domain_name=config.domain.name)\n'
        "        zone = route53.HostedZone.from_hosted_zone_attributes(\n",
        "the synth needed context that the CDK CLI would look up in AWS: hosted-zone:",
    ),
    "the calculated health check satisfied by one healthy child": Weakening(
        "kickoff/constructs/cell_routing.py",
        "health_threshold=len(children),",
        "health_threshold=1,",
        "FailureScenarios",
        env="prod",
        batch="P",
    ),
    "a managed WAF rule group removed": Weakening(
        "kickoff/constructs/web_acl.py",
        '    (30, "AWSManagedRulesKnownBadInputsRuleSet"),\n',
        "",
        "CKV_AWS_192",
        stack="-edge",
        batch="C",
    ),
    "the default behaviour serving plain HTTP": Weakening(
        "kickoff/constructs/edge_distribution.py",
        "viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,",
        "viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.ALLOW_ALL,",
        "CKV_AWS_34",
        stack="-edge",
        batch="A",
    ),
    "the alarm topic unencrypted": Weakening(
        "kickoff/constructs/alarm_topic.py",
        "topic_name=topic_name, master_key=self.key,",
        "topic_name=topic_name,",
        "CKV_AWS_26",
        stack="-cell-",
        batch="B",
    ),
    "the region-impaired alarm without the 5xx rate": Weakening(
        "kickoff/constructs/cell_monitoring.py",
        "members = {**self.critical_alarms, **self.impaired_alarms, **(differs or {})}",
        "members = {**self.critical_alarms, **(differs or {})}",
        "DR-CloudWatchRegionImpairedHoldsItsSignals",
        stack="-cell-",
        batch="C",
    ),
    "a cell wave without its freeze check": Weakening(
        "kickoff/constructs/release_pipeline.py",
        "            pre.append(freeze)\n",
        '            pre += [freeze] if not step.name.startswith("Cell-us-east-1") else []\n',
        "DR-PipelineFreezeBeforeEveryDeploy",
        env="prod",
        stack="-pipeline",
        batch="P",
    ),
    "the bake watching another Region's alarm": Weakening(
        "kickoff/stacks/deployment.py",
        "alarm_name=naming.region_impaired_alarm_name(config.identity, canary),",
        'alarm_name=naming.region_impaired_alarm_name(config.identity, "us-east-1"),',
        "DR-PipelineBakeWatchesTheCanary",
        env="prod",
        stack="-pipeline",
        batch="P",
    ),
    "a SINGLE_PIPELINE channel in production": Weakening(
        "kickoff/constructs/live_channel.py",
        "            channel_class=live.channel_class,\n",
        '            channel_class="SINGLE_PIPELINE",\n',
        "WA-REL-MediaLiveChannelStandard",
        env="prod",
        stack="Cell-us-",  # the live stacks deploy in their cell's stage
        batch="P",
    ),
    "a live origin group without one of the ingest Regions": Weakening(
        "kickoff/constructs/live_edge.py",
        "fallback_origin=origin(regions[1], segment_seconds),",
        "fallback_origin=origin(regions[0], segment_seconds),",
        "DR-CloudFrontLiveOriginGroupCoversIngestRegions",
        env="prod",
        stack="Edge",
        batch="P",
    ),
    "an input security group open to the internet": Weakening(
        "kickoff/constructs/live_channel.py",
        "for c in inputs.source_cidrs",
        'for c in (*inputs.source_cidrs, "0.0.0.0/0")',
        "DR-MediaLiveInputSecurityGroupClosed",
        stack="-live-",
        batch="B",
    ),
    "a channel started too late for the events it serves": Weakening(
        "kickoff/stacks/live.py",
        "start_lead_minutes=live.start_lead_minutes,",
        "start_lead_minutes=5,",
        "DR-MediaLiveChannelScheduleCoversEvents",
        stack="-live-",
        batch="C",
    ),
    "the ReplicationLatency alarms removed": Weakening(
        "kickoff/constructs/cell_monitoring.py",
        "if replication_alarm_seconds is not None and receiving_regions:",
        "if False:",
        "RPO",
        batch="A",
    ),
}


def _copy_app(destination: Path) -> Path:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, destination / name)
    # The agent's ARM64 dependencies (make setup), as the copy's synth bundles them.
    (destination / "build").mkdir()
    (destination / "build" / "agent-deps").symlink_to(ROOT / "build" / "agent-deps")
    # Its zip too, built once per digest of the agent's sources (no edit here touches them).
    (destination / "build" / "agent-bundle").symlink_to(ROOT / "build" / "agent-bundle")
    # checkov's own venv, and the repository's caches: keyed by content, so only what an edit changed is linted and
    # scanned again.
    (destination / ".checkov-venv").symlink_to(ROOT / ".checkov-venv")
    (ROOT / "build" / "cache").mkdir(parents=True, exist_ok=True)
    (destination / "build" / "cache").symlink_to(ROOT / "build" / "cache")
    return destination


# The app refuses a plan_from in the past, and the tests pin one (tests.support.PLAN_FROM) so that
# their templates do not depend on the day they run. The runner sets the app's clock to that time
# and then runs app.py unchanged, as `cdk synth` would (CDK_OUTDIR is what the CLI sets).
RUNNER = """
import functools, runpy, sys
from datetime import datetime
import kickoff.planning as planning
planning.resolve_plan_from = functools.partial(planning.resolve_plan_from, now=datetime.fromisoformat(sys.argv[1]))
sys.argv = ["app.py", *sys.argv[2:]]
runpy.run_path("app.py", run_name="__main__")
"""


def _run(app_dir: Path, argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in the copy, with the repository's cfn-lint cache (keyed by content: only what an edit changed
    is linted) and the copy's own kickoff (no PYTHONPATH)."""
    environment = {
        **os.environ,
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        LINT_CACHE_ENV: os.environ.get(LINT_CACHE_ENV) or str(LINT_CACHE_DIR),
        **env,
    }
    environment.pop("PYTHONPATH", None)
    return subprocess.run(argv, cwd=app_dir, env=environment, capture_output=True, text=True, timeout=600, check=False)


def _run_app(app_dir: Path, env: str) -> subprocess.CompletedProcess[str]:
    # CDK_VALIDATION=false (what `cdk synth --no-validation` sets) skips aws-cdk-lib's schema validation,
    # half of each run's time and none of the invariants here; the validation plugins run regardless.
    argv = [sys.executable, "-c", RUNNER, PLAN_FROM.isoformat(), "-c", f"env={env}"]
    argv += ["-c", f"plan_from={PLAN_FROM:%Y-%m-%dT%H:%MZ}"]
    return _run(app_dir, argv, CDK_OUTDIR=str(app_dir / "cdk.out"), CDK_VALIDATION="false", PYTHONDONTWRITEBYTECODE="1")


def _report(app_dir: Path, run: subprocess.CompletedProcess[str]) -> str:
    report = app_dir / "cdk.out" / "validation-report.json"
    return run.stdout + run.stderr + (report.read_text() if report.is_file() else "")


def _violations(app_dir: Path) -> dict[str, set[str]]:
    """Rule name (without cdk-nag's [finding] suffix) -> the stacks (template files or construct paths) it names."""
    report = app_dir / "cdk.out" / "validation-report.json"
    found: dict[str, set[str]] = {}
    if not report.is_file():
        return found
    for plugin in json.loads(report.read_text()).get("pluginReports", []):
        for violation in plugin.get("violations", []):
            files = found.setdefault(re.sub(r"\[.*\]$", "", violation["ruleName"]), set())
            files.update(Path(r.get("templatePath", "")).name for r in violation.get("violatingResources", []))
            for construct in violation.get("violatingConstructs", []):
                resource = construct.get("cloudFormationResource") or {}
                files.add(
                    construct.get("constructPath", "").split("/")[0] or Path(resource.get("templatePath", "")).name
                )
    return found


@dataclass(frozen=True)
class Outcome:
    returncode: int
    violations: dict[str, set[str]]
    output: str


def batches() -> list[tuple[str, ...]]:
    """The edits grouped into synths by their ``batch``; an edit without one runs alone."""
    groups: dict[str, list[str]] = {}
    for name in sorted(WEAKENINGS):
        groups.setdefault(WEAKENINGS[name].batch or name, []).append(name)
    return [tuple(g) for g in groups.values()]


def _synth_batch(root: Path, names: tuple[str, ...]) -> Outcome:
    app_dir = _copy_app(root)
    for name in names:
        weakening = WEAKENINGS[name]
        source = app_dir / weakening.file
        text = source.read_text()
        if text.count(weakening.old) != 1:
            return Outcome(-1, {}, f"{name}: the edit no longer applies to {weakening.file}; update the case")
        source.write_text(text.replace(weakening.old, weakening.new))
    run = _run_app(app_dir, WEAKENINGS[names[0]].env)
    return Outcome(run.returncode, _violations(app_dir), _report(app_dir, run))


def _cdk_synth(root: Path) -> Outcome:
    """The unedited copy under the real CDK CLI, as users and pipelines run it (the context reaches app.py through
    CDK_CONTEXT_JSON, the deploy time is now)."""
    app_dir = _copy_app(root)
    argv = [str(CDK), "synth", "--quiet", "--no-notices", "-c", "env=dev", "-o", str(app_dir / "cdk.out")]
    run = _run(app_dir, argv, PATH=f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}", CDK_DISABLE_CLI_TELEMETRY="true")
    return Outcome(run.returncode, _violations(app_dir), _report(app_dir, run))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], Outcome]:
    """The unedited app (key ``()``) and every batch, synthesized as many at a time as there are cores, or one at a
    time under pytest-xdist (whose other worker keeps the second core busy)."""
    work: list[tuple[str, ...]] = [(), *batches()]
    workers = 1 if os.environ.get("PYTEST_XDIST_WORKER") else os.cpu_count() or 2
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            names: pool.submit(
                _synth_batch if names else lambda root, _: _cdk_synth(root), tmp_path_factory.mktemp("weakening"), names
            )
            for names in work
        }
        return {names: future.result() for names, future in futures.items()}


def test_the_unedited_app_synthesizes_under_the_cdk_cli(outcomes) -> None:
    unedited = outcomes[()]
    assert unedited.returncode == 0, unedited.output[-3000:]
    assert unedited.violations == {}


def test_the_edits_need_few_synths() -> None:
    """Every edit is in exactly one batch, and no batch holds two edits answering to the same rule."""
    grouped = batches()
    assert sorted(n for g in grouped for n in g) == sorted(WEAKENINGS)
    for group in grouped:
        assert len({WEAKENINGS[n].rule for n in group}) == len(group)
        assert len({WEAKENINGS[n].env for n in group}) == 1
        assert len(group) == 1 or all(WEAKENINGS[n].by_plugin for n in group)
    assert len(grouped) < len(WEAKENINGS) / 2


@pytest.mark.parametrize("name", sorted(WEAKENINGS))
def test_the_app_refuses_a_weakening_change(outcomes, name) -> None:
    weakening = WEAKENINGS[name]
    outcome = next(o for names, o in outcomes.items() if name in names)
    assert outcome.returncode != -1, outcome.output
    assert outcome.returncode != 0, f"{name}: the app synthesized the weakened stack"
    if not weakening.by_plugin:
        assert weakening.rule in outcome.output, f"{name}: the synth failed, but not with {weakening.rule!r}"
        return
    assert weakening.rule in outcome.violations, (
        f"{name}: the synth failed, but not on {weakening.rule}:\n{outcome.output[-3000:]}"
    )
    if weakening.stack is not None:
        assert any(weakening.stack in file for file in outcome.violations[weakening.rule]), (
            f"{name}: {weakening.rule} names {sorted(outcome.violations[weakening.rule])}, not {weakening.stack}"
        )
