"""Cell stacks: VPC, ALB, ECS services on Graviton, autoscaling, least-privilege table access."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match

from kickoff import naming
from kickoff.constructs.prescaled_service import requests_per_target_per_minute
from kickoff.constructs.service import load_model


def _cells(synth):
    return [(region, synth.cell(region)) for region in synth.config.region_names]


@pytest.mark.not_a_rule("the deployment object's stack list (config echo), not a template")
def test_one_cell_stack_per_region(synthesized) -> None:
    assert sorted(synthesized.deployment.cells) == sorted(synthesized.config.region_names)
    for region, name in _cells(synthesized):
        assert synthesized.deployment.cells[region].region == region
        assert name.endswith(region)


# ARM64 (WA-SUS-EcsTaskGraviton), a read-only root file system and a non-root user (WA-SEC rules) are held at synth
# by the Well-Architected pack and proved by its rule pairs; what is left here is what no rule states.


@pytest.mark.held_by("DR-EcsReadOnlyContainerHasWritableTmp")
def test_a_read_only_container_still_has_a_writable_tmp(synthesized) -> None:
    for _, name in _cells(synthesized):
        task_defs = synthesized.resources(name, "AWS::ECS::TaskDefinition")
        assert len(task_defs) == len(synthesized.config.services)
        for task_def in task_defs.values():
            (container,) = task_def["Properties"]["ContainerDefinitions"]
            assert {"ContainerPath": "/tmp", "SourceVolume": "tmp", "ReadOnly": False} in container["MountPoints"]


@pytest.mark.not_a_rule("config echo: CPU and memory equal the configured values")
def test_task_sizes_match_config(prod) -> None:
    template = prod.assertions(prod.cell("us-east-1"))
    for service in prod.config.services:
        template.has_resource_properties(
            "AWS::ECS::TaskDefinition",
            {
                "Cpu": str(service.cpu),
                "Memory": str(service.memory_mib),
                "ContainerDefinitions": [
                    Match.object_like(
                        {"Environment": Match.array_with([{"Name": "KICKOFF_SERVICE", "Value": service.name}])}
                    )
                ],
            },
        )


@pytest.mark.held_by("DR-EcsImageFromRegionalEcr")
@pytest.mark.parametrize("region", ["us-east-1", "us-west-2"])
def test_images_come_through_the_cell_regions_pull_through_cache(prod, region) -> None:
    """docker.io/traefik/whoami@sha256:... is pulled as <account>.dkr.ecr.<region>/<prefix>/traefik/whoami@sha256:..."""
    name = prod.cell(region)
    (rule,) = prod.resources(name, "AWS::ECR::PullThroughCacheRule").values()
    assert rule["Properties"]["UpstreamRegistry"] == "docker-hub"
    assert rule["Properties"]["UpstreamRegistryUrl"] == "registry-1.docker.io"
    prefix = rule["Properties"]["EcrRepositoryPrefix"]
    assert prefix == "kickoff-prod-docker-hub"
    # The credential secret's full ARN (random suffix) is looked up by name at deploy time.
    assert rule["Properties"]["CredentialArn"]["Fn::GetAtt"][1] == "ARN"
    for task in prod.resources(name, "AWS::ECS::TaskDefinition").values():
        (container,) = task["Properties"]["ContainerDefinitions"]
        parts = container["Image"]["Fn::Join"][1]
        env = {e["Name"]: e["Value"] for e in container["Environment"]}
        service = next(s for s in prod.config.services if s.name == env["KICKOFF_SERVICE"])
        reference = service.image_reference
        assert parts[0] == f"{prod.config.account}.dkr.ecr.{region}."
        assert parts[2] == f"/{prefix}/{reference.repository}@{reference.digest}"


@pytest.mark.not_a_rule(
    "a cost and dependency choice: with NAT gateways tasks reach ECR and Logs anyway, so nothing fails without it"
)
def test_tasks_reach_ecr_and_logs_through_vpc_endpoints(prod) -> None:
    endpoints = prod.resources(prod.cell("us-east-2"), "AWS::EC2::VPCEndpoint").values()
    services = sorted(json.dumps(e["Properties"]["ServiceName"]) for e in endpoints)
    for wanted in ("ecr.api", "ecr.dkr", "logs", "s3", "dynamodb"):
        assert any(wanted in s for s in services), wanted
    for endpoint in endpoints:
        if endpoint["Properties"].get("VpcEndpointType") == "Interface":
            assert endpoint["Properties"]["PrivateDnsEnabled"] is True


@pytest.mark.held_by(
    "WA-REL-EcsServiceMultiAz", "DR-EcsServiceDesiredCountUnset", "WA-OPS-EcsDeploymentCircuitBreaker", "Config"
)
def test_services_and_min_tasks_match_config(synthesized) -> None:
    for region, name in _cells(synthesized):
        services = synthesized.resources(name, "AWS::ECS::Service")
        assert len(services) == len(synthesized.config.services)
        targets = synthesized.resources(name, "AWS::ApplicationAutoScaling::ScalableTarget")
        bounds = sorted((t["Properties"]["MinCapacity"], t["Properties"]["MaxCapacity"]) for t in targets.values())
        # The floor written at deploy is the plan's (the baseline or an event under way), never below min_tasks.
        plan = synthesized.deployment.plan
        expected = []
        for svc in synthesized.config.services:
            compiled = plan.compiled_target(region, svc.name)
            floor = compiled.min_capacity if compiled is not None else svc.min_tasks
            assert floor >= svc.min_tasks
            expected.append((floor, svc.max_tasks))
        assert bounds == sorted(expected)
        for service in services.values():
            props = service["Properties"]
            # No DesiredCount (DR-EcsServiceDesiredCountUnset), no public IP (WA-SEC-EcsServicePrivate) and the
            # circuit breaker (WA-OPS-EcsDeploymentCircuitBreaker) are held at synth by their rules.
            assert props["LaunchType"] == "FARGATE"
            assert props["DeploymentConfiguration"]["MinimumHealthyPercent"] == 100
            assert props["HealthCheckGracePeriodSeconds"] > 0
            assert props["AvailabilityZoneRebalancing"] == "ENABLED"


@pytest.mark.held_by("WA-SEC-EcsServicePrivate", "WA-REL-EcsServiceMultiAz")
def test_services_run_in_private_subnets(prod) -> None:
    template = prod.template(prod.cell("us-east-1"))
    private = {k for k, v in template["Resources"].items() if v["Type"] == "AWS::EC2::Subnet" and "Private" in k}
    assert len(private) == 3
    for service in prod.resources(prod.cell("us-east-1"), "AWS::ECS::Service").values():
        subnets = {s["Ref"] for s in service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"]}
        assert subnets == private


@pytest.mark.held_by("WA-REL-EcsServiceTargetTracking")
def test_target_tracking_on_cpu_and_requests(synthesized) -> None:
    for _, name in _cells(synthesized):
        policies = synthesized.resources(name, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
        kinds = [
            p["Properties"]["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"][
                "PredefinedMetricType"
            ]
            for p in policies
        ]
        assert sorted(kinds) == sorted(
            ["ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"] * len(synthesized.config.services)
        )


@pytest.mark.not_a_rule("arithmetic of config values (requests per task x utilisation): config echo")
def test_request_tracking_target_is_per_minute_at_target_utilisation(prod) -> None:
    api = prod.config.services[0]
    expected = requests_per_target_per_minute(load_model(api))
    assert expected == int(api.requests_per_second_per_task * 0.6 * 60)
    prod.assertions(prod.cell("us-east-2")).has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "TargetTrackingScalingPolicyConfiguration": Match.object_like(
                {
                    "TargetValue": expected,
                    "PredefinedMetricSpecification": Match.object_like(
                        {"PredefinedMetricType": "ALBRequestCountPerTarget"}
                    ),
                }
            )
        },
    )


@pytest.mark.held_by(
    "DR-AlbListenerPortAdmitted", "DR-AlbServesOnlyTheOrigin", "Checkov:CKV_AWS_103", "Checkov:CKV_AWS_2"
)
def test_https_listener_only(synthesized) -> None:
    for _, name in _cells(synthesized):
        template = synthesized.assertions(name)
        template.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::Listener",
            {
                "Port": 443,
                "Protocol": "HTTPS",
                "SslPolicy": Match.string_like_regexp("TLS13"),
                "Certificates": Match.any_value(),
                "DefaultActions": [Match.object_like({"Type": "fixed-response"})],
            },
        )
        ports = sorted(
            listener["Properties"]["Port"]
            for listener in synthesized.resources(name, "AWS::ElasticLoadBalancingV2::Listener").values()
        )
        assert ports == [443]  # CloudFront and the health checkers reach HTTPS only


@pytest.mark.held_by("Checkov:CKV_AWS_131", "Checkov:CKV_AWS_91", "AwsSolutions-ELB2", "DR-DeletionProtectionRetained")
def test_alb_hardening_and_access_logs(synthesized) -> None:
    for _, name in _cells(synthesized):
        (alb,) = synthesized.resources(name, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
        attributes = {a["Key"]: a["Value"] for a in alb["Properties"]["LoadBalancerAttributes"]}
        assert attributes["deletion_protection.enabled"] == "false"  # a rollback can always delete it
        assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
        assert attributes["access_logs.s3.enabled"] == "true"
        assert alb["Properties"]["Scheme"] == "internet-facing"


@pytest.mark.not_a_rule("config echo: the validation zone is the configured hosted zone")
def test_certificate_is_dns_validated_in_the_configured_zone(prod) -> None:
    prod.assertions(prod.cell("us-west-2")).has_resource_properties(
        "AWS::CertificateManager::Certificate",
        {
            "DomainName": "us-west-2.origin.live.example.com",
            "SubjectAlternativeNames": ["origin.live.example.com", "secondary.origin.live.example.com"],
            "ValidationMethod": "DNS",
            "DomainValidationOptions": Match.array_with(
                [Match.object_like({"HostedZoneId": prod.config.domain.hosted_zone_id})]
            ),
        },
    )


@pytest.mark.held_by("WA-SUS-S3LogBucketLifecycle", "AwsSolutions-S10", "Checkov:CKV_AWS_53")
def test_log_bucket_is_encrypted_private_and_expiring(synthesized) -> None:
    days = synthesized.config.logging.access_log_expiration_days
    for _, name in _cells(synthesized):
        (bucket,) = synthesized.resources(name, "AWS::S3::Bucket").values()
        props = bucket["Properties"]
        assert (
            props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
                "SSEAlgorithm"
            ]
            == "AES256"
        )
        assert props["PublicAccessBlockConfiguration"] == {
            k: True for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
        }
        assert props["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == days
        assert bucket["DeletionPolicy"] == "Retain"
        policy = json.dumps(synthesized.resources(name, "AWS::S3::BucketPolicy"))
        assert '"aws:SecureTransport": "false"' in policy


@pytest.mark.held_by("WA-REL-VpcNatGatewayPerAz", "AwsSolutions-VPC7", "WA-REL-EcsServiceMultiAz")
def test_vpc_spans_configured_azs_with_nat_per_az_and_flow_logs(synthesized) -> None:
    config = synthesized.config
    for region, name in _cells(synthesized):
        zones = set(config.region(region).zones)
        subnets = synthesized.resources(name, "AWS::EC2::Subnet").values()
        assert {s["Properties"]["AvailabilityZone"] for s in subnets} == zones
        assert len(subnets) == 2 * len(zones)
        nat = synthesized.resources(name, "AWS::EC2::NatGateway")
        assert len(nat) == (len(zones) if config.network.nat_gateways_per_az else 1)
        (flow_log,) = synthesized.resources(name, "AWS::EC2::FlowLog").values()
        assert flow_log["Properties"]["LogDestinationType"] == "s3"
        assert flow_log["Properties"]["TrafficType"] == config.network.flow_log_traffic
        (vpc,) = synthesized.resources(name, "AWS::EC2::VPC").values()
        assert vpc["Properties"]["CidrBlock"] == config.region(region).vpc_cidr


@pytest.mark.not_a_rule("config echo: a non-production config may share one NAT gateway")
def test_dev_uses_a_single_nat_gateway(dev) -> None:
    for region in dev.config.region_names:
        assert len(dev.resources(dev.cell(region), "AWS::EC2::NatGateway")) == 1


@pytest.mark.held_by("WA-OPS-EcsClusterContainerInsights")
def test_container_insights_at_the_configured_level(synthesized) -> None:
    """Standard by default (service-level metrics the alarms read); enhanced, per task and container, by choice."""
    level = {"standard": "enabled", "enhanced": "enhanced"}[synthesized.config.monitoring.container_insights]
    for _, name in _cells(synthesized):
        (cluster,) = synthesized.resources(name, "AWS::ECS::Cluster").values()
        assert {"Name": "containerInsights", "Value": level} in cluster["Properties"]["ClusterSettings"]


@pytest.mark.held_by("WA-SUS-LogsLogGroupRetention")
def test_every_log_group_has_the_configured_retention(synthesized) -> None:
    for _, name in _cells(synthesized):
        groups = synthesized.resources(name, "AWS::Logs::LogGroup")
        services = [k for k in groups if "ServiceLogs" in k]
        assert len(services) == len(synthesized.config.services)
        assert {g["Properties"]["RetentionInDays"] for g in groups.values()} == {
            synthesized.config.logging.retention_days
        }


@pytest.mark.held_by("DR-CloudFrontBehaviorPathServed", "CfnLint")
def test_listener_rules_route_each_service_by_path(prod) -> None:
    health_rules = len(prod.config.services)  # priorities 1..n are the Route 53 health-check rules
    rules = [
        r
        for r in prod.resources(prod.cell("us-east-1"), "AWS::ElasticLoadBalancingV2::ListenerRule").values()
        if r["Properties"]["Priority"] > health_rules
    ]
    patterns = sorted(tuple(r["Properties"]["Conditions"][0]["PathPatternConfig"]["Values"]) for r in rules)
    assert patterns == sorted(tuple(s.path_patterns) for s in prod.config.services)
    assert len({r["Properties"]["Priority"] for r in rules}) == len(prod.config.services)


@pytest.mark.held_by("WA-REL-ElbTargetGroupHealthCheckPath")
def test_target_groups_check_the_configured_health_path(prod) -> None:
    groups = prod.resources(prod.cell("us-east-1"), "AWS::ElasticLoadBalancingV2::TargetGroup").values()
    assert {g["Properties"]["HealthCheckPath"] for g in groups} == {s.health_check_path for s in prod.config.services}
    for group in groups:
        assert group["Properties"]["TargetType"] == "ip"
        assert group["Properties"]["HealthCheckIntervalSeconds"] == 10


@pytest.mark.held_by("WA-SEC-IamTaskRoleItemAccessOnly", "DR-DynamoReplicaWhereUsed", "DR-CellNamesOnlyItsRegion")
@pytest.mark.parametrize("region", ["us-east-1", "us-east-2", "us-west-2"])
def test_task_role_reaches_only_its_own_replica(prod, region) -> None:
    name = prod.cell(region)
    policies = [p for k, p in prod.resources(name, "AWS::IAM::Policy").items() if "TaskRole" in k]
    assert len(policies) == len(prod.config.services)
    for policy in policies:
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        dynamo = [s for s in statements if any(a.startswith("dynamodb:") for a in s["Action"])]
        assert len(dynamo) == 1
        assert (
            dynamo[0]["Resource"]
            == f"arn:aws:dynamodb:{region}:{prod.config.account}:table/{naming.table_name(prod.config.identity)}"
        )
        assert not any(a in dynamo[0]["Action"] for a in ("dynamodb:*", "dynamodb:DeleteTable", "dynamodb:UpdateTable"))
        kms = [s for s in statements if any(a.startswith("kms:") for a in s["Action"])]
        assert len(kms) == 1
        assert kms[0]["Condition"]["StringEquals"]["kms:ViaService"] == f"dynamodb.{region}.amazonaws.com"
        assert kms[0]["Condition"]["ForAnyValue:StringEquals"]["kms:ResourceAliases"] == naming.table_key_alias(
            prod.config.identity
        )
        assert not any("*" in a for a in kms[0]["Action"])


@pytest.mark.not_a_rule("config echo: with the AWS managed key there is no key to grant")
def test_aws_managed_key_needs_no_kms_statement(dev) -> None:
    for region in dev.config.region_names:
        for key, policy in dev.resources(dev.cell(region), "AWS::IAM::Policy").items():
            if "TaskRole" in key:
                assert "kms:" not in json.dumps(policy)


@pytest.mark.held_by("WA-COST-CostAllocationTags")
def test_cost_allocation_tags_on_cells(prod) -> None:
    prod.assertions(prod.cell("us-east-2")).has_resource_properties(
        "AWS::ECS::Service",
        {
            "Tags": Match.array_with(
                [
                    {"Key": "app", "Value": "kickoff"},
                    {"Key": "cell", "Value": "us-east-2"},
                    {"Key": "env", "Value": "prod"},
                    {"Key": "region", "Value": "us-east-2"},
                    {"Key": "service", "Value": "api"},
                ]
            ),
            "PropagateTags": "SERVICE",
        },
    )


@pytest.mark.held_by("DR-PhysicalNameUnique")
def test_dashboard_names_are_unique_in_the_account(prod) -> None:
    """CloudWatch dashboards are global per account: each cell names its own after its Region."""
    names = [
        d["Properties"]["DashboardName"]
        for r in prod.config.region_names
        for d in prod.resources(prod.cell(r), "AWS::CloudWatch::Dashboard").values()
    ]
    assert names == [f"kickoff-prod-{r}" for r in prod.config.region_names]


@pytest.mark.held_by("WA-SEC-LogsLogGroupEncrypted", "WA-SEC-KmsKeyPolicySeparatesDuties")
def test_log_groups_are_encrypted_with_the_cells_key(prod) -> None:
    name = prod.cell("us-east-1")
    # The cell's log key; the other key in the cell encrypts its alarm topic (test_observability).
    (key_id,) = [k for k in prod.resources(name, "AWS::KMS::Key") if k.startswith("LogKey")]
    for group in prod.resources(name, "AWS::Logs::LogGroup").values():
        assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    statements = prod.resources(name, "AWS::KMS::Key")[key_id]["Properties"]["KeyPolicy"]["Statement"]
    assert {s["Sid"] for s in statements} == {"AdministerKeyThroughIam", "UseByCloudWatchLogsInThisRegion"}


@pytest.mark.held_by("WA-SEC-IamServiceRoleSourceCondition")
def test_task_roles_trust_only_this_accounts_ecs_tasks(prod) -> None:
    for logical_id, role in prod.resources(prod.cell("us-east-2"), "AWS::IAM::Role").items():
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        if "TaskRole" in logical_id:
            assert statement["Condition"] == {
                "StringEquals": {"aws:SourceAccount": "111111111111"},
                "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-2:111111111111:*"},
            }
