"""The e2e session: a moto server, the dev config deployed twice with the pinned CDK CLI, and the helpers that read it.

``deployment`` starts ``python -m e2e.moto_server`` (moto 5.2.5 plus ``e2e/moto_patches.py``) on a free port, creates
what an operator creates before the first deploy, synthesizes once into ``build/e2e/cdk.out``, bootstraps every
Region, deploys ``--all`` twice, and stops moto in every case. The test modules read what exists with describe calls.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from kickoff import naming
from kickoff.config import load_config

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config(ROOT / "config" / "dev.yaml")
WORK = ROOT / "build" / "e2e"
ASSEMBLY = WORK / "cdk.out"
CDK = [str(ROOT / "node_modules" / ".bin" / "cdk"), "--no-notices", "--no-version-reporting"]
CELL_REGIONS = [region.name for region in CONFIG.regions]
# Fixed for the run and in the future: the app refuses a deploy time in the past.
PLAN_FROM = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z")
CLI_TIMEOUT_SECONDS = 300
# The stacks the dev config deploys, name -> Region.
STACKS = {
    naming.stack_name(CONFIG.identity, "data"): CONFIG.primary_region,
    **{naming.stack_name(CONFIG.identity, "cell", region): region for region in CELL_REGIONS},
    **{naming.stack_name(CONFIG.identity, "live", region): region for region in CONFIG.live.ingest_regions},
    naming.stack_name(CONFIG.identity, "edge"): CONFIG.primary_region,
    naming.stack_name(CONFIG.identity, "observability"): CONFIG.primary_region,
}

# Types moto 5.2.5 has no CloudFormation model for, which the patches leave unimplemented: moto
# skips them (a Ref to one resolves to nothing). The README section lists what that leaves unproven.
SKIPPED_TYPES = {
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::CloudFront::CachePolicy",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::CompositeAlarm",
    "AWS::DynamoDB::GlobalTable",
    "AWS::ECR::PullThroughCacheRule",
    "AWS::FIS::ExperimentTemplate",
    "AWS::MediaPackageV2::OriginEndpoint",
    "AWS::MediaPackageV2::OriginEndpointPolicy",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SecretsManager::Secret",
    "AWS::Synthetics::Canary",
    "AWS::WAFv2::LoggingConfiguration",
}


@dataclass
class Deployment:
    """What the session did: the moto endpoint, the CLI's output per step, and how long each took."""

    endpoint: str
    server_log: Path
    output: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def client(self, service: str, region: str = CONFIG.primary_region) -> Any:
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def fake_aws_env(endpoint: str) -> dict[str, str]:
    """The caller's environment without its AWS settings, pointed at moto with fake credentials."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=CONFIG.primary_region,
        AWS_REGION=CONFIG.primary_region,
        AWS_ENDPOINT_URL=endpoint,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        MOTO_ACCOUNT_ID=CONFIG.account,
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
        CDK_DISABLE_CLI_TELEMETRY="true",
        # cdk.json runs `python3 app.py`: the venv's python3 comes first.
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


def wait_for(server: subprocess.Popen[bytes], endpoint: str, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the moto server exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the moto server did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server by its PID: SIGTERM, then SIGKILL if it has not exited after 10 s."""
    if server.poll() is None:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()


def cdk(deployment: Deployment, step: str, *args: str) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [*CDK, *args],
        cwd=ROOT,
        env=fake_aws_env(deployment.endpoint),
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        check=False,
    )
    deployment.seconds[step] = time.monotonic() - started
    deployment.output[step] = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"cdk {step} exited with {result.returncode}:\n{deployment.output[step][-5000:]}")


def seed_prerequisites(deployment: Deployment) -> None:
    """What an operator creates before the first deploy, which the templates name but do not create.

    The hosted zone (the templates carry its ID; the server hands this ID to the zone) and, in
    every cell Region, the Secrets Manager secrets the pull-through cache rules read their
    registry credentials from (the cells look them up with ``describeSecret``).
    """
    deployment.client("route53").create_hosted_zone(Name=CONFIG.domain.name, CallerReference="e2e")
    for region in CELL_REGIONS:
        secrets = deployment.client("secretsmanager", region)
        for secret_name in CONFIG.images.credentials.values():
            secrets.create_secret(Name=secret_name, SecretString='{"username":"e2e","accessToken":"e2e"}')


@pytest.fixture(scope="session")
def deployment(cli_seconds: dict[str, float]) -> Iterator[Deployment]:
    """Start moto, deploy the dev config twice with the pinned CDK CLI; stop moto in every case."""
    WORK.mkdir(parents=True, exist_ok=True)
    port = free_port()
    endpoint = f"http://localhost:{port}"  # not 127.0.0.1: moto reads the CLI's template URL
    log = WORK / "moto.log"
    command = [sys.executable, "-m", "e2e.moto_server", "--port", str(port), "--account", CONFIG.account]
    command += ["--hosted-zone", f"{CONFIG.domain.name}={CONFIG.domain.hosted_zone_id}"]
    with log.open("wb") as sink:
        server = subprocess.Popen(command, cwd=ROOT, env=fake_aws_env(endpoint), stdout=sink, stderr=subprocess.STDOUT)
    try:
        deployment = Deployment(endpoint=endpoint, server_log=log, seconds=cli_seconds)
        wait_for(server, endpoint, log)
        seed_prerequisites(deployment)
        context = ["-c", f"env={CONFIG.environment}", "-c", f"plan_from={PLAN_FROM}"]
        cdk(deployment, "synth", "synth", "--quiet", *context, "--output", str(ASSEMBLY))
        environments = [f"aws://{CONFIG.account}/{region}" for region in CELL_REGIONS]
        cdk(deployment, "bootstrap", "bootstrap", "--app", str(ASSEMBLY), *environments)
        for step in ("deploy", "redeploy"):
            cdk(deployment, step, "deploy", "--app", str(ASSEMBLY), "--all", "--require-approval", "never")
        yield deployment
    finally:
        stop(server)


@pytest.fixture(scope="session")
def stacks(deployment: Deployment) -> dict[str, str]:
    """Stack name -> Region, from the synthesized assembly."""
    manifest = json.loads((ASSEMBLY / "manifest.json").read_text())
    return {
        artifact.get("displayName", name): artifact["environment"].rsplit("/", 1)[1]
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }


def template(stack: str) -> dict[str, Any]:
    return json.loads((ASSEMBLY / f"{stack}.template.json").read_text())


def physical_ids(deployment: Deployment, stack: str, region: str, resource_type: str) -> list[str]:
    summaries = deployment.client("cloudformation", region).list_stack_resources(StackName=stack)
    return [r["PhysicalResourceId"] for r in summaries["StackResourceSummaries"] if r["ResourceType"] == resource_type]


def outputs(deployment: Deployment, stack: str, region: str) -> dict[str, str]:
    described = deployment.client("cloudformation", region).describe_stacks(StackName=stack)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}


def cell(region: str) -> str:
    return naming.stack_name(CONFIG.identity, "cell", region)


def region_config(region: str) -> Any:
    return next(r for r in CONFIG.regions if r.name == region)
