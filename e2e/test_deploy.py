"""The dev config deployed twice with the pinned CDK CLI against a local moto server (``e2e.harness``), read back.

The tests ask moto with describe calls what exists: the CLI's status line is not evidence (moto can fail a change set
with HTTP 500 while the CLI reports success). Expected values come from ``config/dev.yaml`` and ``kickoff.naming``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from e2e import harness as h
from e2e.harness import CELL_REGIONS, CONFIG, SKIPPED_TYPES, STACKS, Deployment
from kickoff import naming
from kickoff.config.models.base import ORIGIN_VERIFY_HEADER

# --- the deploy itself -----------------------------------------------------------------------------


def test_the_assembly_holds_the_dev_stacks(stacks: dict[str, str]) -> None:
    assert stacks == STACKS


def test_every_stack_is_created(deployment: Deployment, stacks: dict[str, str]) -> None:
    for stack, region in stacks.items():
        described = deployment.client("cloudformation", region).describe_stacks(StackName=stack)["Stacks"]
        assert [s["StackStatus"] for s in described] == ["CREATE_COMPLETE"], stack


def test_stacks_were_created_in_the_release_order(deployment: Deployment, stacks: dict[str, str]) -> None:
    """Without a pipeline, stack dependencies order `cdk deploy --all`: Data, the cells wave by wave (each ingest
    Region's live stack right after its cell), then the rest."""
    created = {
        stack: deployment.client("cloudformation", region).describe_stacks(StackName=stack)["Stacks"][0]["CreationTime"]
        for stack, region in stacks.items()
    }
    data = naming.stack_name(CONFIG.identity, "data")
    waves = [
        name
        for wave in CONFIG.release_waves
        for region in wave
        for name in (
            naming.stack_name(CONFIG.identity, "cell", region),
            *([naming.stack_name(CONFIG.identity, "live", region)] if region in CONFIG.live.ingest_regions else []),
        )
    ]
    assert CONFIG.release_waves[0] == (CONFIG.regions[0].name,)  # the first Region is the canary
    ordered = [data, *waves]
    assert sorted(ordered, key=created.__getitem__) == ordered
    last_cell = max(created[c] for c in waves)
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
        skipped |= {r["Type"] for logical, r in h.template(stack)["Resources"].items() if logical not in created}
    assert skipped == SKIPPED_TYPES


# --- each cell -------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", CELL_REGIONS)
def test_network(deployment: Deployment, region: str) -> None:
    cell = h.region_config(region)
    ec2 = deployment.client("ec2", region)
    [vpc_id] = h.physical_ids(deployment, h.cell(region), region, "AWS::EC2::VPC")
    [vpc] = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert vpc["CidrBlock"] == cell.vpc_cidr
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    zones = sorted(subnet["AvailabilityZone"] for subnet in subnets)
    assert zones == sorted(list(cell.availability_zones) * 2), "a public and a private subnet in each AZ"
    nat_gateways = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"]
    assert len(nat_gateways) == (len(cell.availability_zones) if CONFIG.network.nat_gateways_per_az else 1)
    [flow_log] = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    assert flow_log["TrafficType"] == CONFIG.network.flow_log_traffic
    [bucket] = h.physical_ids(deployment, h.cell(region), region, "AWS::S3::Bucket")
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
    [alb] = elbv2.describe_load_balancers(Names=[naming.load_balancer_name(CONFIG.identity)])["LoadBalancers"]
    assert alb["Scheme"] == "internet-facing"
    assert sorted(zone["ZoneName"] for zone in alb["AvailabilityZones"]) == sorted(
        h.region_config(region).availability_zones
    )
    assert h.outputs(deployment, h.cell(region), region)["AlbDnsName"] == alb["DNSName"]
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
    origin = naming.origin_domain(CONFIG.identity)
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
    [alb] = elbv2.describe_load_balancers(Names=[naming.load_balancer_name(CONFIG.identity)])["LoadBalancers"]
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
    cluster = naming.cluster_name(CONFIG.identity)
    assert h.outputs(deployment, h.cell(region), region)["ClusterName"] == cluster
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
    [alb] = deployment.client("elbv2", region).describe_load_balancers(
        Names=[naming.load_balancer_name(CONFIG.identity)]
    )["LoadBalancers"]
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
    cluster = naming.cluster_name(CONFIG.identity)
    services = ecs.describe_services(cluster=cluster, services=ecs.list_services(cluster=cluster)["serviceArns"])
    for service in services["services"]:
        [task_group] = service["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"]
        [ingress] = ec2.describe_security_groups(GroupIds=[task_group])["SecurityGroups"][0]["IpPermissions"]
        assert {pair["GroupId"] for pair in ingress["UserIdGroupPairs"]} == set(groups)
        assert ingress["IpRanges"] == []

    [vpc_id] = h.physical_ids(deployment, h.cell(region), region, "AWS::EC2::VPC")
    [default] = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    assert (default["IpPermissions"], default["IpPermissionsEgress"]) == ([], [])


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_keys_rotate_logs_expire_buckets_encrypt(deployment: Deployment, stack: str) -> None:
    region = STACKS[stack]
    kms = deployment.client("kms", region)
    for key_id in h.physical_ids(deployment, stack, region, "AWS::KMS::Key"):
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
        assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
    logs = deployment.client("logs", region)
    for group in h.physical_ids(deployment, stack, region, "AWS::Logs::LogGroup"):
        [described] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        assert described["retentionInDays"] == CONFIG.logging.retention_days, group
    s3 = deployment.client("s3", region)
    for bucket in h.physical_ids(deployment, stack, region, "AWS::S3::Bucket"):
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], bucket


@pytest.mark.parametrize("region", CELL_REGIONS)
def test_cell_alarm_topic_and_dashboard(deployment: Deployment, region: str) -> None:
    stack = h.cell(region)
    [topic] = h.physical_ids(deployment, stack, region, "AWS::SNS::Topic")
    assert topic.endswith(f":{naming.alarm_topic_name(CONFIG.identity)}")
    assert h.outputs(deployment, stack, region)["AlarmTopicArn"] == topic
    deployment.client("sns", region).get_topic_attributes(TopicArn=topic)
    dashboards = deployment.client("cloudwatch", region).list_dashboards()["DashboardEntries"]
    assert naming.cell_name_prefix(CONFIG.identity, region) in {d["DashboardName"] for d in dashboards}


# --- DNS and the edge ------------------------------------------------------------------------------


def test_latency_records_point_at_each_cell_behind_its_health_check(deployment: Deployment) -> None:
    route53 = deployment.client("route53")
    records = route53.list_resource_record_sets(HostedZoneId=CONFIG.domain.hosted_zone_id)["ResourceRecordSets"]
    origin = naming.origin_domain(CONFIG.identity)

    def named(name: str) -> list[dict[str, Any]]:
        return [r for r in records if r["Name"].rstrip(".") == name]

    latency = {record["Region"]: record for record in named(origin)}
    assert sorted(latency) == sorted(CELL_REGIONS)
    for region in CELL_REGIONS:
        [alb] = deployment.client("elbv2", region).describe_load_balancers(
            Names=[naming.load_balancer_name(CONFIG.identity)]
        )["LoadBalancers"]
        target = f"dualstack.{alb['DNSName']}".lower()
        record = latency[region]
        assert record["SetIdentifier"] == region
        assert record["AliasTarget"]["DNSName"].rstrip(".").lower() == target
        assert record["AliasTarget"]["HostedZoneId"] == alb["CanonicalHostedZoneId"]
        health_check_id = h.outputs(deployment, h.cell(region), region)["HealthCheckId"]
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
    edge = naming.stack_name(CONFIG.identity, "edge")
    outputs = h.outputs(deployment, edge, CONFIG.primary_region)
    cloudfront = deployment.client("cloudfront")
    config = cloudfront.get_distribution(Id=outputs["DistributionId"])["Distribution"]
    distribution = config["DistributionConfig"]
    assert config["DomainName"] == outputs["DistributionDomainName"]
    assert distribution["Aliases"]["Items"] == [CONFIG.domain.name]
    assert distribution["PriceClass"] == CONFIG.edge.price_class
    origin = naming.origin_domain(CONFIG.identity)
    cells = {naming.cell_domain(origin, r) for r in CONFIG.region_names}  # the probe routes, one per cell
    # The live channels' origins: each ingest Region's egress domain, read at deploy time by the channel group's name.
    group = naming.live_channel_group_name(CONFIG.identity)
    egress = {
        deployment.client("mediapackagev2", r).get_channel_group(ChannelGroupName=group)["EgressDomain"]
        for r in CONFIG.live.ingest_regions
    }
    assert {o["DomainName"] for o in distribution["Origins"]["Items"]} == {
        origin,
        naming.secondary_origin_domain(origin),
        *cells,
        *egress,
    }
    for item in distribution["Origins"]["Items"]:
        if item["DomainName"] in egress:
            assert not item.get("CustomHeaders", {}).get("Items"), "MediaPackage never sees the origin secret"
            continue
        [header] = item["CustomHeaders"]["Items"]
        assert header["HeaderName"] == ORIGIN_VERIFY_HEADER
        assert header["HeaderValue"].startswith("{{resolve:secretsmanager:"), "never a literal secret"
    behaviors = {b["PathPattern"] for b in distribution["CacheBehaviors"].get("Items", [])}
    probes = {f"{naming.probe_path_prefix(r)}/*" for r in CONFIG.region_names}
    live = {f"{CONFIG.live.prefix}/{c.name}/*" for c in CONFIG.live.channels}
    assert behaviors == {b.path_pattern for b in CONFIG.edge.cache_behaviors} | probes | live

    certificate = distribution["ViewerCertificate"]["ACMCertificateArn"]
    assert certificate.startswith("arn:aws:acm:us-east-1:"), "CloudFront takes certificates from us-east-1 only"
    described = deployment.client("acm", "us-east-1").describe_certificate(CertificateArn=certificate)
    assert described["Certificate"]["DomainName"] == CONFIG.domain.name

    [web_acl] = deployment.client("wafv2", "us-east-1").list_web_acls(Scope="CLOUDFRONT")["WebACLs"]
    assert web_acl["Name"] == naming.web_acl_name(CONFIG.identity)
    assert distribution["WebACLId"] == web_acl["ARN"]

    records = deployment.client("route53").list_resource_record_sets(HostedZoneId=CONFIG.domain.hosted_zone_id)
    viewer = [r for r in records["ResourceRecordSets"] if r["Name"].rstrip(".") == CONFIG.domain.name]
    aliases = {r["Type"]: r["AliasTarget"]["DNSName"].rstrip(".") for r in viewer if "AliasTarget" in r}
    assert aliases == {"A": config["DomainName"], "AAAA": config["DomainName"]}


def test_each_ingest_region_holds_its_channels_idle(deployment: Deployment) -> None:
    """The live stack's channel group, MediaPackage channel and MediaLive channel (moto's records, e2e.moto_media),
    and the registration that names the channel's ID to the Region's agent."""
    path = naming.capacity_parameter_path(CONFIG.identity)
    for region in CONFIG.live.ingest_regions:
        mediapackage = deployment.client("mediapackagev2", region)
        medialive = deployment.client("medialive", region)
        group = naming.live_channel_group_name(CONFIG.identity)
        for channel in CONFIG.live.channels_in(region):
            assert mediapackage.get_channel(ChannelGroupName=group, ChannelName=channel.name)["ChannelName"]
            (found,) = [
                c
                for c in medialive.list_channels()["Channels"]
                if c["Name"] == naming.live_resource_name(CONFIG.identity, channel.name)
            ]
            assert found["State"] == "IDLE" and found["ChannelClass"] == channel.channel_class
            registered = deployment.client("ssm", region).get_parameter(Name=f"{path}/channels/{channel.name}")
            assert json.loads(registered["Parameter"]["Value"])["channel_id"] == found["Id"]


def test_observability_and_data_stacks(deployment: Deployment) -> None:
    dashboards = deployment.client("cloudwatch").list_dashboards()["DashboardEntries"]
    assert naming.cross_region_dashboard_name(CONFIG.identity) in {d["DashboardName"] for d in dashboards}
    outputs = h.outputs(deployment, naming.stack_name(CONFIG.identity, "data"), CONFIG.primary_region)
    assert outputs == {
        "TableName": naming.table_name(CONFIG.identity),
        "OriginSecretName": naming.origin_secret_name(CONFIG.identity),
    }
