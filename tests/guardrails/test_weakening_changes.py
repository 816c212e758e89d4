"""One-line code changes that weaken the stack are refused by the app itself, not only by pytest.

``cdk synth`` and ``cdk deploy`` run ``app.py`` and its validation plugins, never the tests. Each
case below copies the app (``app.py``, ``kickoff/``, ``config/``, the lock and the context),
applies one weakening edit to the copy's source, and runs ``app.py`` as the CDK CLI does. The run
must fail, and the report must name the rule that holds the invariant. An unedited copy must
pass, so a failure is the edit's doing.

The edits are the ones the review of issue 9 made, as a careless colleague would: each protects
data, access, routing, failover or capacity, and each was caught only by pytest before.
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
COPIED = ("app.py", "cdk.json", "cdk.context.json", "stateful.lock.json", "package.json", "kickoff", "config")


@dataclass(frozen=True)
class Weakening:
    """An edit: in ``file``, replace ``old`` (which must occur exactly once) with ``new``."""

    file: str
    old: str
    new: str
    rule: str  # what the synth's report must name, or a message the app must print when it is not a plugin
    env: str = "dev"


WEAKENINGS: dict[str, Weakening] = {
    "a replica removed": Weakening(
        "kickoff/constructs/global_table.py",
        "            replicas=replicas,",
        "            replicas=replicas[:-1],",
        "StatefulResourceKept",
    ),
    "the table's construct ID renamed": Weakening(
        "kickoff/stacks/data.py", '            "GlobalTable",', '            "SessionsTable",', "StatefulResourceKept"
    ),
    "a literal secret in the origin header": Weakening(
        "kickoff/constructs/edge_distribution.py",
        "custom_headers=origin_headers,",
        'custom_headers={name: "s3cr3t" for name in origin_headers},',
        "DR-OriginSecretNeverLiteral",
    ),
    "the X-Origin-Verify condition removed from listener rules": Weakening(
        "kickoff/constructs/service.py",
        "                    if required_header\n                    else []",
        "                    if False\n                    else []",
        "DR-AlbServesOnlyTheOrigin",
    ),
    "the listener's default answer 200 instead of 403": Weakening(
        "kickoff/constructs/load_balancer.py",
        "fixed_response(\n                403,",
        "fixed_response(\n                200,",
        "DR-AlbServesOnlyTheOrigin",
    ),
    "tasks given public IPs in public subnets": Weakening(
        "kickoff/constructs/service.py",
        "subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),\n            assign_public_ip=False,",
        "subnet_type=ec2.SubnetType.PUBLIC),\n            assign_public_ip=True,",
        "WA-SEC-EcsServicePrivate",
    ),
    "a service registered outside its capacity agent's path": Weakening(
        "kickoff/constructs/prescaled_service.py",
        'parameter_name=f"{registry.parameter_path}/services/{name}",',
        'parameter_name=f"/elsewhere/services/{name}",',
        "DR-ScalableTargetRegistered",
    ),
    "the WAF rate rule counting instead of blocking": Weakening(
        "kickoff/constructs/web_acl.py",
        "action=wafv2.CfnWebACL.RuleActionProperty(block={}),",
        "action=wafv2.CfnWebACL.RuleActionProperty(count={}),",
        "DR-WafRateLimitAdmitsSharedIp",
    ),
    "the health check moved to /": Weakening(
        "kickoff/constructs/cell_routing.py",
        "resource_path=target.path,",
        'resource_path="/",',
        "DR-Route53HealthCheckCoversServices",
    ),
    "the health check on plain HTTP": Weakening(
        "kickoff/constructs/cell_routing.py",
        'f"HealthCheck{pascal(target.service)}",\n                type=route53.HealthCheckType.HTTPS,\n'
        "                fqdn=cell_name,\n                port=443,",
        'f"HealthCheck{pascal(target.service)}",\n                type=route53.HealthCheckType.HTTP,\n'
        "                fqdn=cell_name,\n                port=80,",
        "DR-Route53HealthCheckCoversServices",
    ),
    "the secondary CNAME's TTL raised to 300 s": Weakening(
        "kickoff/constructs/cell_routing.py",
        "ttl=Duration.seconds(secondary_ttl_seconds),",
        "ttl=Duration.seconds(300),",
        "RTO",
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
    ),
    "the ReplicationLatency alarms removed": Weakening(
        "kickoff/constructs/cell_monitoring.py",
        "if replication_alarm_seconds is not None and receiving_regions:",
        "if False:",
        "RPO",
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


def _run_app(app_dir: Path, env: str) -> subprocess.CompletedProcess[str]:
    # CDK_VALIDATION=false (what `cdk synth --no-validation` sets) skips aws-cdk-lib's schema validation,
    # half of each run's time and none of the invariants here; the validation plugins run regardless.
    environment = {
        **os.environ,
        "CDK_OUTDIR": str(app_dir / "cdk.out"),
        "CDK_VALIDATION": "false",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "PYTHONDONTWRITEBYTECODE": "1",
        # The copies share the repository's cfn-lint cache (keyed by content): only what an edit changed is linted.
        LINT_CACHE_ENV: os.environ.get(LINT_CACHE_ENV) or str(LINT_CACHE_DIR),
    }
    environment.pop("PYTHONPATH", None)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            RUNNER,
            PLAN_FROM.isoformat(),
            "-c",
            f"env={env}",
            "-c",
            f"plan_from={PLAN_FROM:%Y-%m-%dT%H:%MZ}",
        ],
        cwd=app_dir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _report(app_dir: Path, run: subprocess.CompletedProcess[str]) -> str:
    report = app_dir / "cdk.out" / "validation-report.json"
    return run.stdout + run.stderr + (report.read_text() if report.is_file() else "")


def _violated_rules(app_dir: Path) -> set[str]:
    """Rule names in the synth's validation report, without cdk-nag's [finding] suffix."""
    report = app_dir / "cdk.out" / "validation-report.json"
    if not report.is_file():
        return set()
    return {
        re.sub(r"\[.*\]$", "", violation["ruleName"])
        for plugin in json.loads(report.read_text()).get("pluginReports", [])
        for violation in plugin.get("violations", [])
    }


@dataclass(frozen=True)
class Outcome:
    returncode: int
    rules: frozenset[str]
    output: str


def _synth_case(root: Path, name: str | None) -> Outcome:
    app_dir = _copy_app(root)
    if name is not None:
        weakening = WEAKENINGS[name]
        source = app_dir / weakening.file
        text = source.read_text()
        if text.count(weakening.old) != 1:
            return Outcome(-1, frozenset(), f"the edit no longer applies to {weakening.file}; update the case")
        source.write_text(text.replace(weakening.old, weakening.new))
    run = _run_app(app_dir, WEAKENINGS[name].env if name else "dev")
    return Outcome(run.returncode, frozenset(_violated_rules(app_dir)), _report(app_dir, run))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str | None, Outcome]:
    """Every case synthesized once, as many at a time as there are cores (each run is a separate process)."""
    cases: list[str | None] = [None, *sorted(WEAKENINGS)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {case: pool.submit(_synth_case, tmp_path_factory.mktemp("weakening"), case) for case in cases}
        return {case: future.result() for case, future in futures.items()}


def test_the_unedited_app_synthesizes(outcomes) -> None:
    assert outcomes[None].returncode == 0, outcomes[None].output[-3000:]


@pytest.mark.parametrize("name", sorted(WEAKENINGS))
def test_the_app_refuses_a_weakening_change(outcomes, name) -> None:
    outcome, rule = outcomes[name], WEAKENINGS[name].rule
    assert outcome.returncode != -1, outcome.output
    assert outcome.returncode != 0, f"{name}: the app synthesized the weakened stack"
    assert rule in outcome.rules or " " in rule and rule in outcome.output, (
        f"{name}: the synth failed, but not on {rule}:\n{outcome.output[-3000:]}"
    )
