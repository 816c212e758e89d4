"""Deploy the dev config with the pinned CDK CLI against a local moto server, twice, and read it back.

One session: start ``python -m e2e.moto_server`` (moto 5.2.5 plus ``e2e/moto_patches.py``) on a
free port; create what an operator creates before the first deploy (the hosted zone, the
pull-through cache credentials); ``cdk synth`` once into ``build/e2e/cdk.out``; ``cdk bootstrap``
every Region of the config; ``cdk deploy --all`` from that assembly; ``cdk deploy --all`` again,
which must change nothing. The tests then ask moto with describe calls what exists: the CLI's
status line is not evidence (moto can fail a change set with HTTP 500 while the CLI reports
success). Expected values come from ``config/dev.yaml`` and ``kickoff.naming``.
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
from kickoff.config.models.base import ORIGIN_VERIFY_HEADER

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
    naming.stack_name(CONFIG, "data"): CONFIG.primary_region,
    **{naming.stack_name(CONFIG, "cell", region): region for region in CELL_REGIONS},
    naming.stack_name(CONFIG, "edge"): CONFIG.primary_region,
    naming.stack_name(CONFIG, "observability"): CONFIG.primary_region,
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def _fake_aws_env(endpoint: str) -> dict[str, str]:
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


def _wait_for(server: subprocess.Popen[bytes], endpoint: str, log: Path, timeout: float = 30.0) -> None:
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


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server by its PID: SIGTERM, then SIGKILL if it has not exited after 10 s."""
    if server.poll() is None:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()


def _cdk(deployment: Deployment, step: str, *args: str) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [*CDK, *args],
        cwd=ROOT,
        env=_fake_aws_env(deployment.endpoint),
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        check=False,
    )
    deployment.seconds[step] = time.monotonic() - started
    deployment.output[step] = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"cdk {step} exited with {result.returncode}:\n{deployment.output[step][-5000:]}")


def _seed_prerequisites(deployment: Deployment) -> None:
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
    port = _free_port()
    endpoint = f"http://localhost:{port}"  # not 127.0.0.1: moto reads the CLI's template URL
    log = WORK / "moto.log"
    command = [sys.executable, "-m", "e2e.moto_server", "--port", str(port), "--account", CONFIG.account]
    command += ["--hosted-zone", f"{CONFIG.domain.name}={CONFIG.domain.hosted_zone_id}"]
    with log.open("wb") as sink:
        server = subprocess.Popen(command, cwd=ROOT, env=_fake_aws_env(endpoint), stdout=sink, stderr=subprocess.STDOUT)
    try:
        deployment = Deployment(endpoint=endpoint, server_log=log, seconds=cli_seconds)
        _wait_for(server, endpoint, log)
        _seed_prerequisites(deployment)
        context = ["-c", f"env={CONFIG.environment}", "-c", f"plan_from={PLAN_FROM}"]
        _cdk(deployment, "synth", "synth", "--quiet", *context, "--output", str(ASSEMBLY))
        environments = [f"aws://{CONFIG.account}/{region}" for region in CELL_REGIONS]
        _cdk(deployment, "bootstrap", "bootstrap", "--app", str(ASSEMBLY), *environments)
        for step in ("deploy", "redeploy"):
            _cdk(deployment, step, "deploy", "--app", str(ASSEMBLY), "--all", "--require-approval", "never")
        yield deployment
    finally:
        _stop(server)


@pytest.fixture(scope="session")
def stacks(deployment: Deployment) -> dict[str, str]:
    """Stack name -> Region, from the synthesized assembly."""
    manifest = json.loads((ASSEMBLY / "manifest.json").read_text())
    return {
        artifact.get("displayName", name): artifact["environment"].rsplit("/", 1)[1]
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }


def _template(stack: str) -> dict[str, Any]:
    return json.loads((ASSEMBLY / f"{stack}.template.json").read_text())


def _physical_ids(deployment: Deployment, stack: str, region: str, resource_type: str) -> list[str]:
    summaries = deployment.client("cloudformation", region).list_stack_resources(StackName=stack)
    return [r["PhysicalResourceId"] for r in summaries["StackResourceSummaries"] if r["ResourceType"] == resource_type]


def _outputs(deployment: Deployment, stack: str, region: str) -> dict[str, str]:
    described = deployment.client("cloudformation", region).describe_stacks(StackName=stack)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}


def _cell(region: str) -> str:
    return naming.stack_name(CONFIG, "cell", region)


def _region_config(region: str) -> Any:
    return next(r for r in CONFIG.regions if r.name == region)


# --- the deploy itself -----------------------------------------------------------------------------


def test_the_assembly_holds_the_dev_stacks(stacks: dict[str, str]) -> None:
    assert stacks == STACKS


def test_every_stack_is_created(deployment: Deployment, stacks: dict[str, str]) -> None:
    for stack, region in stacks.items():
        described = deployment.client("cloudformation", region).describe_stacks(StackName=stack)["Stacks"]
        assert [s["StackStatus"] for s in described] == ["CREATE_COMPLETE"], stack


def test_stacks_were_created_in_the_release_order(deployment: Deployment, stacks: dict[str, str]) -> None:
    """Without a pipeline, stack dependencies order `cdk deploy --all`: Data, the cells wave by wave, then the rest."""
    created = {
        stack: deployment.client("cloudformation", region).describe_stacks(StackName=stack)["Stacks"][0]["CreationTime"]
        for stack, region in stacks.items()
    }
    data = naming.stack_name(CONFIG, "data")
    cells = [naming.stack_name(CONFIG, "cell", region) for wave in CONFIG.release_waves for region in wave]
    assert CONFIG.release_waves[0] == (CONFIG.regions[0].name,)  # the first Region is the canary
    ordered = [data, *cells]
    assert sorted(ordered, key=created.__getitem__) == ordered
    last_cell = max(created[c] for c in cells)
    for stack in set(stacks) - set(ordered):  # Edge and the dashboard
        assert created[stack] > last_cell, stack


def test_the_second_deploy_changes_nothing(deployment: Deployment, stacks: dict[str, str]) -> None:
    for stack in stacks:
        assert f"{stack} (no changes)" not in deployment.output["deploy"], f"the first deploy skipped {stack}"
        assert f"{stack} (no changes)" in deployment.output["redeploy"], f"the second deploy changed {stack}"


def test_moto_failed_no_request(deployment: Deployment) -> None:
    log = deployment.server_log.read_text(errors="replace")
    assert "Traceback" not in log, log[max(0, log.index("Traceback") - 2000) :][:6000]


def test_moto_skipped_exactly_the_known_types(deployment: Deployment, stacks: dict[str, str]) -> None:
    """The resources moto did not create are of the SKIPPED_TYPES (the README's list), and of all of them."""
    skipped: set[str] = set()
    for stack, region in stacks.items():
        summaries = deployment.client("cloudformation", region).list_stack_resources(StackName=stack)
        created = {r["LogicalResourceId"] for r in summaries["StackResourceSummaries"] if r["ResourceType"]}
        skipped |= {r["Type"] for logical, r in _template(stack)["Resources"].items() if logical not in created}
    assert skipped == SKIPPED_TYPES


# --- each cell -------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", CELL_REGIONS)
def test_network(deployment: Deployment, region: str) -> None:
    cell = _region_config(region)
    ec2 = deployment.client("ec2", region)
    [vpc_id] = _physical_ids(deployment, _cell(region), region, "AWS::EC2::VPC")
    [vpc] = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert vpc["CidrBlock"] == cell.vpc_cidr
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    zones = sorted(subnet["AvailabilityZone"] for subnet in subnets)
    assert zones == sorted(list(cell.availability_zones) * 2), "a public and a private subnet in each AZ"
    nat_gateways = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"]
    assert len(nat_gateways) == (len(cell.availability_zones) if CONFIG.network.nat_gateways_per_az else 1)
    [flow_log] = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    assert flow_log["TrafficType"] == CONFIG.network.flow_log_traffic
    [bucket] = _physical_ids(deployment, _cell(region), region, "AWS::S3::Bucket")
    assert flow_log["LogDestination"].startswith(f"arn:aws:s3:::{bucket}/")
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    services = {e["ServiceName"].removeprefix(f"com.amazonaws.{region}."): e["VpcEndpointType"] for e in endpoints}
    assert services == {
        "s3": "Gateway",
        "dynamodb": "Gateway",
        "ecr.api": "Interface",
        "ecr.dkr": "Interface",
        "logs": "Interface",
    }


@pytest.mark.parametrize("region", CELL_REGIONS)
def test_load_balancer_serves_https_with_the_cell_certificate(deployment: Deployment, region: str) -> None:
    elbv2 = deployment.client("elbv2", region)
    [alb] = elbv2.describe_load_balancers(Names=[naming.load_balancer_name(CONFIG)])["LoadBalancers"]
    assert alb["Scheme"] == "internet-facing"
    assert sorted(zone["ZoneName"] for zone in alb["AvailabilityZones"]) == sorted(
        _region_config(region).availability_zones
    )
    assert _outputs(deployment, _cell(region), region)["AlbDnsName"] == alb["DNSName"]
    listeners = {
        listener["Port"]: listener
        for listener in elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    }
    assert sorted(listeners) == [443]  # HTTPS only: nothing is admitted on port 80
    https = listeners[443]
    assert https["Protocol"] == "HTTPS"
    assert https["DefaultActions"][0]["FixedResponseConfig"]["StatusCode"] == "403"
    [certificate] = https["Certificates"]
    described = deployment.client("acm", region).describe_certificate(CertificateArn=certificate["CertificateArn"])
    origin = naming.origin_domain(CONFIG)
    assert described["Certificate"]["Status"] == "ISSUED"
    assert described["Certificate"]["DomainName"] == naming.cell_domain(origin, region)
    assert set(described["Certificate"]["SubjectAlternativeNames"]) >= {
        origin,
        naming.secondary_origin_domain(origin),
    }
    attributes = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=alb["LoadBalancerArn"])["Attributes"]
    }
    # Off, so that CloudFormation can always finish a rollback; the production stacks' termination protection guards it.
    assert attributes.get("deletion_protection.enabled", "false") == "false"
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["access_logs.s3.enabled"] == "true"


@pytest.mark.parametrize("region", CELL_REGIONS)
def test_listener_rules_route_each_service_by_its_paths(deployment: Deployment, region: str) -> None:
    elbv2 = deployment.client("elbv2", region)
    [alb] = elbv2.describe_load_balancers(Names=[naming.load_balancer_name(CONFIG)])["LoadBalancers"]
    [https] = [
        listener
        for listener in elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
        if listener["Port"] == 443
    ]
    rules = [rule for rule in elbv2.describe_rules(ListenerArn=https["ListenerArn"])["Rules"] if not rule["IsDefault"]]
    target_groups = {tg["TargetGroupArn"]: tg for tg in elbv2.describe_target_groups()["TargetGroups"]}

    def routed(paths: list[str], header: bool) -> dict[str, Any]:
        """The target group of the one rule matching exactly these paths, with or without the origin header."""
        matches = []
        for rule in rules:
            fields = {condition["Field"]: condition for condition in rule["Conditions"]}
            if fields["path-pattern"]["PathPatternConfig"]["Values"] == paths and ("http-header" in fields) == header:
                if header:
                    assert fields["http-header"]["HttpHeaderConfig"]["HttpHeaderName"] == ORIGIN_VERIFY_HEADER
                matches.append(target_groups[rule["Actions"][0]["TargetGroupArn"]])
        assert len(matches) == 1, f"{len(matches)} rules for {paths}"
        return matches[0]

    for service in CONFIG.services:
        target_group = routed(list(service.path_patterns), header=True)
        assert target_group["Port"] == service.container_port
        assert target_group["TargetType"] == "ip"
        assert target_group["HealthCheckPath"] == service.health_check_path
        # The health path, and the same path under the cell's probe route (its canaries through CloudFront).
        probe = f"{naming.probe_path_prefix(region)}{service.health_check_path}"
        assert routed([service.health_check_path, probe], header=False) == target_group
    assert len(rules) == 2 * len(CONFIG.services)


@pytest.mark.parametrize("region", CELL_REGIONS)
def test_services_run_arm64_tasks_on_fargate(deployment: Deployment, region: str) -> None:
    ecs = deployment.client("ecs", region)
    cluster = naming.cluster_name(CONFIG)
    assert _outputs(deployment, _cell(region), region)["ClusterName"] == cluster
    [described_cluster] = ecs.describe_clusters(clusters=[cluster])["clusters"]
    assert described_cluster["status"] == "ACTIVE"
    arns = ecs.list_services(cluster=cluster)["serviceArns"]
    services = ecs.describe_services(cluster=cluster, services=arns, include=["TAGS"])["services"]
    by_name = {next(t["value"] for t in s["tags"] if t["key"] == "service"): s for s in services}
    assert sorted(by_name) == sorted(service.name for service in CONFIG.services)
    iam = deployment.client("iam")
    for expected in CONFIG.services:
        service = by_name[expected.name]
        assert service["launchType"] == "FARGATE"
        assert service["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
        [load_balancer] = service["loadBalancers"]
        assert load_balancer["containerPort"] == expected.container_port
        task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        assert task["runtimePlatform"] == {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}
        assert task["requiresCompatibilities"] == ["FARGATE"]
        assert (task["cpu"], task["memory"]) == (str(expected.cpu), str(expected.memory_mib))
        assert task["networkMode"] == "awsvpc"
        [container] = task["containerDefinitions"]
        assert container["portMappings"][0]["containerPort"] == expected.container_port
        for role_arn in (task["taskRoleArn"], task["executionRoleArn"]):
            iam.get_role(RoleName=role_arn.rsplit("/", 1)[1])


def _prefix_list_id(deployment: Deployment, region: str, name: str) -> str:
    lists = deployment.client("ec2", region).describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [name]}]
    )["PrefixLists"]
    assert len(lists) == 1, name
    return lists[0]["PrefixListId"]


@pytest.mark.parametrize("region", CELL_REGIONS)
def test_security_groups_admit_https_from_the_managed_prefix_lists_only(deployment: Deployment, region: str) -> None:
    ec2 = deployment.client("ec2", region)
    [alb] = deployment.client("elbv2", region).describe_load_balancers(Names=[naming.load_balancer_name(CONFIG)])[
        "LoadBalancers"
    ]
    groups = {g["GroupId"]: g for g in ec2.describe_security_groups(GroupIds=alb["SecurityGroups"])["SecurityGroups"]}
    sources = {
        _prefix_list_id(deployment, region, "com.amazonaws.global.cloudfront.origin-facing"),
        _prefix_list_id(deployment, region, f"com.amazonaws.{region}.route53-healthchecks"),
    }
    admitted = set()
    for group in groups.values():
        [ingress] = group["IpPermissions"]
        assert (ingress["IpProtocol"], ingress["FromPort"], ingress["ToPort"]) == ("tcp", 443, 443)
        assert ingress["IpRanges"] == [] and ingress["UserIdGroupPairs"] == []
        admitted |= {entry["PrefixListId"] for entry in ingress["PrefixListIds"]}
        egress_ports = {(rule["FromPort"], rule["ToPort"]) for rule in group["IpPermissionsEgress"]}
        assert egress_ports == {(s.container_port, s.container_port) for s in CONFIG.services}
        assert all(rule["IpRanges"] == [] for rule in group["IpPermissionsEgress"]), "egress to the tasks only"
    assert admitted == sources

    ecs = deployment.client("ecs", region)
    cluster = naming.cluster_name(CONFIG)
    services = ecs.describe_services(cluster=cluster, services=ecs.list_services(cluster=cluster)["serviceArns"])
    for service in services["services"]:
        [task_group] = service["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"]
        [ingress] = ec2.describe_security_groups(GroupIds=[task_group])["SecurityGroups"][0]["IpPermissions"]
        assert {pair["GroupId"] for pair in ingress["UserIdGroupPairs"]} == set(groups)
        assert ingress["IpRanges"] == []

    [vpc_id] = _physical_ids(deployment, _cell(region), region, "AWS::EC2::VPC")
    [default] = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    assert (default["IpPermissions"], default["IpPermissionsEgress"]) == ([], [])


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_keys_rotate_logs_expire_buckets_encrypt(deployment: Deployment, stack: str) -> None:
    region = STACKS[stack]
    kms = deployment.client("kms", region)
    for key_id in _physical_ids(deployment, stack, region, "AWS::KMS::Key"):
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
        assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
    logs = deployment.client("logs", region)
    for group in _physical_ids(deployment, stack, region, "AWS::Logs::LogGroup"):
        [described] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        assert described["retentionInDays"] == CONFIG.logging.retention_days, group
    s3 = deployment.client("s3", region)
    for bucket in _physical_ids(deployment, stack, region, "AWS::S3::Bucket"):
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], bucket


@pytest.mark.parametrize("region", CELL_REGIONS)
def test_cell_alarm_topic_and_dashboard(deployment: Deployment, region: str) -> None:
    stack = _cell(region)
    [topic] = _physical_ids(deployment, stack, region, "AWS::SNS::Topic")
    assert topic.endswith(f":{naming.alarm_topic_name(CONFIG)}")
    assert _outputs(deployment, stack, region)["AlarmTopicArn"] == topic
    deployment.client("sns", region).get_topic_attributes(TopicArn=topic)
    dashboards = deployment.client("cloudwatch", region).list_dashboards()["DashboardEntries"]
    assert naming.cell_name_prefix(CONFIG, region) in {d["DashboardName"] for d in dashboards}


# --- DNS and the edge ------------------------------------------------------------------------------


def test_latency_records_point_at_each_cell_behind_its_health_check(deployment: Deployment) -> None:
    route53 = deployment.client("route53")
    records = route53.list_resource_record_sets(HostedZoneId=CONFIG.domain.hosted_zone_id)["ResourceRecordSets"]
    origin = naming.origin_domain(CONFIG)

    def named(name: str) -> list[dict[str, Any]]:
        return [r for r in records if r["Name"].rstrip(".") == name]

    latency = {record["Region"]: record for record in named(origin)}
    assert sorted(latency) == sorted(CELL_REGIONS)
    for region in CELL_REGIONS:
        [alb] = deployment.client("elbv2", region).describe_load_balancers(Names=[naming.load_balancer_name(CONFIG)])[
            "LoadBalancers"
        ]
        target = f"dualstack.{alb['DNSName']}".lower()
        record = latency[region]
        assert record["SetIdentifier"] == region
        assert record["AliasTarget"]["DNSName"].rstrip(".").lower() == target
        assert record["AliasTarget"]["HostedZoneId"] == alb["CanonicalHostedZoneId"]
        health_check_id = _outputs(deployment, _cell(region), region)["HealthCheckId"]
        assert record["HealthCheckId"] == health_check_id
        [cell_record] = named(naming.cell_domain(origin, region))
        assert cell_record["AliasTarget"]["DNSName"].rstrip(".").lower() == target

        calculated = route53.get_health_check(HealthCheckId=health_check_id)["HealthCheck"]["HealthCheckConfig"]
        assert calculated["Type"] == "CALCULATED"
        children = [
            route53.get_health_check(HealthCheckId=child)["HealthCheck"]["HealthCheckConfig"]
            for child in calculated["ChildHealthChecks"]
        ]
        assert calculated["HealthThreshold"] == len(children), "every child must be healthy"
        hold = CONFIG.routing.failback_hold_seconds
        holds = [c for c in children if c["Type"] == "HTTPS" and c["FailureThreshold"] * c["RequestInterval"] == hold]
        assert len(holds) == 1, "the failback hold-down: every 30 s, failback_hold_seconds of answers to pass"
        https = [child for child in children if child["Type"] == "HTTPS" and child not in holds]
        assert sorted(child["ResourcePath"] for child in https) == sorted(s.health_check_path for s in CONFIG.services)
        https += holds
        assert {(child["FullyQualifiedDomainName"], child["Port"], child["EnableSNI"]) for child in https} == {
            (naming.cell_domain(origin, region), 443, True)
        }
        assert all(child["Type"] in ("HTTPS", "CLOUDWATCH_METRIC") for child in children)

        secondary = [r for r in named(naming.secondary_origin_domain(origin)) if r["SetIdentifier"] == region]
        assert [r["ResourceRecords"][0]["Value"] for r in secondary] == [naming.except_domain(origin, region)]
        for other in CELL_REGIONS:
            if other != region:
                [excepting] = [r for r in named(naming.except_domain(origin, other)) if r["SetIdentifier"] == region]
                assert excepting["HealthCheckId"] == health_check_id


def test_viewers_reach_the_distribution_behind_the_web_acl(deployment: Deployment) -> None:
    edge = naming.stack_name(CONFIG, "edge")
    outputs = _outputs(deployment, edge, CONFIG.primary_region)
    cloudfront = deployment.client("cloudfront")
    config = cloudfront.get_distribution(Id=outputs["DistributionId"])["Distribution"]
    distribution = config["DistributionConfig"]
    assert config["DomainName"] == outputs["DistributionDomainName"]
    assert distribution["Aliases"]["Items"] == [CONFIG.domain.name]
    assert distribution["PriceClass"] == CONFIG.edge.price_class
    origin = naming.origin_domain(CONFIG)
    cells = {naming.cell_domain(origin, r) for r in CONFIG.region_names}  # the probe routes, one per cell
    assert {o["DomainName"] for o in distribution["Origins"]["Items"]} == {
        origin,
        naming.secondary_origin_domain(origin),
        *cells,
    }
    for item in distribution["Origins"]["Items"]:
        [header] = item["CustomHeaders"]["Items"]
        assert header["HeaderName"] == ORIGIN_VERIFY_HEADER
        assert header["HeaderValue"].startswith("{{resolve:secretsmanager:"), "never a literal secret"
    behaviors = {b["PathPattern"] for b in distribution["CacheBehaviors"].get("Items", [])}
    probes = {f"{naming.probe_path_prefix(r)}/*" for r in CONFIG.region_names}
    assert behaviors == {b.path_pattern for b in CONFIG.edge.cache_behaviors} | probes

    certificate = distribution["ViewerCertificate"]["ACMCertificateArn"]
    assert certificate.startswith("arn:aws:acm:us-east-1:"), "CloudFront takes certificates from us-east-1 only"
    described = deployment.client("acm", "us-east-1").describe_certificate(CertificateArn=certificate)
    assert described["Certificate"]["DomainName"] == CONFIG.domain.name

    [web_acl] = deployment.client("wafv2", "us-east-1").list_web_acls(Scope="CLOUDFRONT")["WebACLs"]
    assert web_acl["Name"] == naming.web_acl_name(CONFIG)
    assert distribution["WebACLId"] == web_acl["ARN"]

    records = deployment.client("route53").list_resource_record_sets(HostedZoneId=CONFIG.domain.hosted_zone_id)
    viewer = [r for r in records["ResourceRecordSets"] if r["Name"].rstrip(".") == CONFIG.domain.name]
    aliases = {r["Type"]: r["AliasTarget"]["DNSName"].rstrip(".") for r in viewer if "AliasTarget" in r}
    assert aliases == {"A": config["DomainName"], "AAAA": config["DomainName"]}


def test_observability_and_data_stacks(deployment: Deployment) -> None:
    dashboards = deployment.client("cloudwatch").list_dashboards()["DashboardEntries"]
    assert naming.cross_region_dashboard_name(CONFIG) in {d["DashboardName"] for d in dashboards}
    outputs = _outputs(deployment, naming.stack_name(CONFIG, "data"), CONFIG.primary_region)
    assert outputs == {"TableName": naming.table_name(CONFIG), "OriginSecretName": naming.origin_secret_name(CONFIG)}
