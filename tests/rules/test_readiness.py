"""Every deploy-readiness rule, tested both ways on minimal constructs.

One app holds, per rule, a compliant and a non-compliant case, each in stacks of its own
with names of its own. The app is synthesized once, and the readiness rules run over all
its templates at once, as they do over a deployment. For each rule, the non-compliant case
must get a finding, and the compliant case must be evaluated by the rule and get none.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import CfnTag, Duration, Fn, RemovalPolicy
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_synthetics as synthetics
from aws_cdk import aws_wafv2 as wafv2

from kickoff.rules.engine import load_view
from kickoff.rules.readiness import RULES, EventWindowFacts, ReadinessParams, RegionQuotas, evaluate

ACCOUNT = "123456789012"
EAST, WEST = "us-east-1", "us-west-2"
DEPLOY = datetime(2026, 11, 26, tzinfo=UTC)
WINDOW = EventWindowFacts(
    ("game",), datetime(2026, 11, 27, 18, 0, tzinfo=UTC), datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
)
ALL = ("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE")
PARAMS = ReadinessParams(
    deploy_time=DEPLOY,
    earliest_action=DEPLOY + timedelta(minutes=30),
    horizon_end=DEPLOY + timedelta(days=14),
    quotas={
        r: RegionQuotas(
            fargate_vcpu=100,
            dynamodb_table_read_units=40_000,
            dynamodb_table_write_units=40_000,
            alb_targets=30,
            targets_per_target_group=25,
            network_interfaces=60,
            other_network_interfaces=20,
        )
        for r in (EAST, WEST)
    },
    service_methods={"api": ALL, "web": ("GET", "HEAD", "OPTIONS")},
    floors={(EAST, "api"): 10},
    event_windows=(WINDOW,),
    planned_regions=frozenset({EAST}),
    shared_ip_viewers=1000,
    requests_per_viewer={300: 20.0},
    permissions_boundary="test-boundary",
)
SECRET = "app/test/origin-verify"
VERSION = "rotation-20261126T000000Z-0123456789abcdef"


def _vpc(scope: cdk.Stack) -> ec2.Vpc:
    return ec2.Vpc(
        scope,
        "Vpc",
        availability_zones=["us-east-1a", "us-east-1b"],
        nat_gateways=0,
        restrict_default_security_group=False,
    )


def _stack(app: cdk.App, name: str, region: str = EAST) -> cdk.Stack:
    return cdk.Stack(app, name, env=cdk.Environment(account=ACCOUNT, region=region))


def _ref(case: str, version: str | None = None, stage: str | None = None) -> str:
    secret = f"{case}/{SECRET}"
    value = (
        cdk.SecretValue.secrets_manager(secret, version_id=version)
        if version
        else cdk.SecretValue.secrets_manager(secret, version_stage=stage or "AWSCURRENT")
    )
    return value.unsafe_unwrap()


# --- builders: each takes (app, case) and creates the case's stacks ---------------------------


def _dashboards(app: cdk.App, case: str, *, unique: bool) -> None:
    for region in (EAST, WEST):
        stack = _stack(app, f"{case}-{region}", region)
        cloudwatch.Dashboard(stack, "Dashboard", dashboard_name=f"{case}-{region}" if unique else f"{case}-dashboard")


def _schedule_group(app: cdk.App, case: str, *, retained: bool) -> None:
    scheduler.ScheduleGroup(
        _stack(app, case),
        "Group",
        schedule_group_name=f"{case}-group",
        removal_policy=RemovalPolicy.RETAIN if retained else RemovalPolicy.DESTROY,
    )


def _named_group(app: cdk.App, case: str, *, length: int) -> None:
    scheduler.ScheduleGroup(
        _stack(app, case),
        "Group",
        removal_policy=RemovalPolicy.DESTROY,
        schedule_group_name=(case + "-" + "x" * 64)[:length],
    )


def _schedule(app: cdk.App, case: str, *, at: datetime) -> None:
    scheduler.CfnSchedule(
        _stack(app, case),
        "Schedule",
        flexible_time_window={"mode": "OFF"},
        schedule_expression=f"at({at:%Y-%m-%dT%H:%M:%S})",
        schedule_expression_timezone="Etc/UTC",
        target=scheduler.CfnSchedule.TargetProperty(
            arn="arn:aws:scheduler:::aws-sdk:sqs:sendMessage", role_arn=f"arn:aws:iam::{ACCOUNT}:role/scheduler"
        ),
    )


def _scaled_service(
    app: cdk.App,
    case: str,
    *,
    min_capacity: int = 10,
    actions: list[datetime] = (),
    cpu: str = "1024",
    desired_count: int | None = None,
    maximum_percent: int | None = None,
    peak: int | None = None,
) -> None:
    stack = _stack(app, case)
    task = ecs.CfnTaskDefinition(stack, "Task", cpu=cpu, memory="2048", requires_compatibilities=["FARGATE"])
    service = ecs.CfnService(
        stack,
        "Service",
        task_definition=task.ref,
        tags=[CfnTag(key="service", value="api")],
        desired_count=desired_count,
        deployment_configuration=ecs.CfnService.DeploymentConfigurationProperty(
            maximum_percent=maximum_percent, minimum_healthy_percent=100
        )
        if maximum_percent
        else None,
    )
    appscaling.CfnScalableTarget(
        stack,
        "Target",
        min_capacity=min_capacity,
        max_capacity=100,
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=Fn.join("/", ["service", "cluster", service.attr_name]),
        scheduled_actions=[
            appscaling.CfnScalableTarget.ScheduledActionProperty(
                scheduled_action_name=f"at-{t:%Y%m%dT%H%M}Z",
                schedule=f"at({t:%Y-%m-%dT%H:%M:%S})",
                scalable_target_action=appscaling.CfnScalableTarget.ScalableTargetActionProperty(
                    min_capacity=peak or min_capacity
                ),
            )
            for t in actions
        ]
        or None,
    )
    ecs.CfnCluster(stack, "Cluster")


def _table(app: cdk.App, case: str, *, reads: int, writes: int) -> None:
    dynamodb.TableV2(
        _stack(app, case),
        "Table",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        replicas=[dynamodb.ReplicaTableProps(region=WEST)],
        removal_policy=RemovalPolicy.RETAIN,
        warm_throughput=dynamodb.WarmThroughput(read_units_per_second=reads, write_units_per_second=writes),
    )


def _cell_and_edge(
    app: cdk.App,
    case: str,
    *,
    behavior_path: str = "/api/*",
    methods: tuple[str, ...] = ALL,
    cache_policy: cloudfront.ICachePolicy = cloudfront.CachePolicy.CACHING_DISABLED,
    sent_version: str | None = None,
    accepted: tuple[str | None, ...] = (),
    literal: bool = False,
    default_status: int = 403,
) -> None:
    """A cell ALB behind origin.<case>.example.com, serving /api/* to service 'api', and a distribution."""
    domain = f"{case}.example.com"
    origin_name = f"origin.{domain}"
    cell = _stack(app, f"{case}-cell")
    zone = route53.HostedZone.from_hosted_zone_attributes(cell, "Zone", hosted_zone_id="Z0TEST000000", zone_name=domain)
    vpc = _vpc(cell)
    alb = elbv2.ApplicationLoadBalancer(cell, "Alb", vpc=vpc, internet_facing=True)
    certificate = acm.Certificate(
        cell, "Certificate", domain_name=origin_name, validation=acm.CertificateValidation.from_dns(zone)
    )
    listener = alb.add_listener(
        "Https",
        port=443,
        certificates=[certificate],
        open=False,
        default_action=elbv2.ListenerAction.fixed_response(default_status),
    )
    group = elbv2.ApplicationTargetGroup(
        cell,
        "Api",
        vpc=vpc,
        port=8080,
        protocol=elbv2.ApplicationProtocol.HTTP,
        target_type=elbv2.TargetType.IP,
        health_check=elbv2.HealthCheck(path="/api/healthz"),
    )
    cdk.Tags.of(group).add("service", "api")
    values = [_ref(case, stage=a) if a in ("AWSCURRENT", "AWSPREVIOUS") else _ref(case, version=a) for a in accepted]
    header = [elbv2.ListenerCondition.http_header("X-Origin-Verify", values)] if accepted else []
    elbv2.ApplicationListenerRule(
        cell,
        "ApiRule",
        listener=listener,
        priority=10,
        conditions=[elbv2.ListenerCondition.path_patterns(["/api/*"]), *header],
        action=elbv2.ListenerAction.forward([group]),
    )
    route53.ARecord(
        cell,
        "Origin",
        zone=zone,
        record_name=f"{origin_name}.",
        target=route53.RecordTarget.from_alias(targets.LoadBalancerTarget(alb)),
    )
    edge = _stack(app, f"{case}-edge")
    headers = {"X-Origin-Verify": "s3cr3t" if literal else _ref(case, version=sent_version)} if accepted else None
    origin = origins.HttpOrigin(origin_name, custom_headers=headers)
    allowed = {3: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS, 2: cloudfront.AllowedMethods.ALLOW_GET_HEAD}.get(
        len(methods), cloudfront.AllowedMethods.ALLOW_ALL
    )
    cloudfront.Distribution(
        edge,
        "Distribution",
        domain_names=[f"www.{domain}"],
        certificate=acm.Certificate.from_certificate_arn(
            edge, "Viewer", f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/1"
        ),
        # The default behaviour goes to an origin outside the deployment: the rules cannot judge it.
        default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin(f"external.{domain}")),
        additional_behaviors={
            behavior_path: cloudfront.BehaviorOptions(
                origin=origin,
                allowed_methods=allowed,
                cache_policy=cache_policy,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            )
        },
    )


def _probed(app: cdk.App, case: str, *, through_cloudfront: bool, geo: tuple[str, ...] = ()) -> None:
    """A cell ALB that admits CloudFront only (a prefix-list lookup), a distribution with a probe route to it,
    and a canary in the cell's Region that calls the viewer name under that route, or the ALB's own name."""
    from kickoff.constructs.prefix_list import CLOUDFRONT_ORIGIN_FACING, ManagedPrefixListLookup
    from kickoff.constructs.region_probes import CANARY_SCRIPT

    domain = f"{case}.example.com"
    cell_name, viewer = f"cell.{domain}", f"www.{domain}"
    cell = _stack(app, f"{case}-cell")
    zone = route53.HostedZone.from_hosted_zone_attributes(cell, "Zone", hosted_zone_id="Z0TEST000002", zone_name=domain)
    vpc = _vpc(cell)
    group = ec2.SecurityGroup(cell, "AlbGroup", vpc=vpc, allow_all_outbound=False)
    alb = elbv2.ApplicationLoadBalancer(cell, "Alb", vpc=vpc, internet_facing=True, security_group=group)
    lookup = ManagedPrefixListLookup(
        cell,
        "CloudFrontList",
        prefix_list_name=CLOUDFRONT_ORIGIN_FACING,
        log_retention_days=7,
        log_key=kms.Key(cell, "LogKey"),
    )
    group.add_ingress_rule(ec2.Peer.prefix_list(lookup.prefix_list_id), ec2.Port.tcp(443))
    listener = alb.add_listener(
        "Https",
        port=443,
        certificates=[elbv2.ListenerCertificate.from_arn(f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/2")],
        open=False,
        default_action=elbv2.ListenerAction.fixed_response(403),
    )
    target = elbv2.ApplicationTargetGroup(
        cell,
        "Api",
        vpc=vpc,
        port=8080,
        target_type=elbv2.TargetType.IP,
        health_check=elbv2.HealthCheck(path="/healthz"),
    )
    rule = elbv2.ApplicationListenerRule(
        cell,
        "Health",
        listener=listener,
        priority=1,
        conditions=[elbv2.ListenerCondition.path_patterns(["/healthz", "/_probe/cell/healthz"])],
        action=elbv2.ListenerAction.forward([target]),
    )
    rule.node.default_child.transforms = [
        {"type": "url-rewrite", "urlRewriteConfig": {"rewrites": [{"regex": "^/_probe/cell(/.*)$", "replace": "$1"}]}}
    ]
    route53.ARecord(
        cell,
        "Cell",
        zone=zone,
        record_name=f"{cell_name}.",
        target=route53.RecordTarget.from_alias(targets.LoadBalancerTarget(alb)),
    )
    host, path = (viewer, "/_probe/cell/healthz") if through_cloudfront else (cell_name, "/healthz")
    synthetics.Canary(
        cell,
        "Canary",
        runtime=synthetics.Runtime.SYNTHETICS_NODEJS_PUPPETEER_13_0,
        test=synthetics.Test.custom(
            code=synthetics.Code.from_inline(CANARY_SCRIPT % {"host": f'"{host}"', "paths": f'["{path}"]'}),
            handler="index.handler",
        ),
    )
    edge = _stack(app, f"{case}-edge")
    edge_zone = route53.HostedZone.from_hosted_zone_attributes(
        edge, "Zone", hosted_zone_id="Z0TEST000002", zone_name=domain
    )
    distribution = cloudfront.Distribution(
        edge,
        "Distribution",
        domain_names=[viewer],
        certificate=acm.Certificate.from_certificate_arn(
            edge, "Viewer", f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/1"
        ),
        default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin(f"external.{domain}")),
        additional_behaviors={"/_probe/cell/*": cloudfront.BehaviorOptions(origin=origins.HttpOrigin(cell_name))},
        geo_restriction=cloudfront.GeoRestriction.allowlist(*geo) if geo else None,
    )
    route53.ARecord(
        edge,
        "ViewerRecord",
        zone=edge_zone,
        record_name=f"{viewer}.",
        target=route53.RecordTarget.from_alias(targets.CloudFrontTarget(distribution)),
    )


def _function(app: cdk.App, case: str, *, runtime: str) -> None:
    stack = _stack(app, case)
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    lambda_.CfnFunction(
        stack, "Function", role=role.role_arn, runtime=runtime, handler="index.handler", code={"zipFile": "x"}
    )


def _build(app: cdk.App, case: str, *, nodejs: str, install: str) -> None:
    spec = {"version": "0.2", "phases": {"install": {"runtime-versions": {"nodejs": nodejs}, "commands": [install]}}}
    role = iam.Role(_stack(app, case), "Role", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    codebuild.CfnProject(
        role.stack,
        "Project",
        artifacts=codebuild.CfnProject.ArtifactsProperty(type="NO_ARTIFACTS"),
        environment=codebuild.CfnProject.EnvironmentProperty(
            compute_type="BUILD_GENERAL1_SMALL", image="aws/codebuild/standard:7.0", type="LINUX_CONTAINER"
        ),
        service_role=role.role_arn,
        source=codebuild.CfnProject.SourceProperty(type="NO_SOURCE", build_spec=json.dumps(spec)),
    )


def _pipeline(app: cdk.App, case: str, *, check_after_approval: bool) -> None:
    def action(
        name: str, category: str, provider: str, run_order: int
    ) -> codepipeline.CfnPipeline.ActionDeclarationProperty:
        return codepipeline.CfnPipeline.ActionDeclarationProperty(
            name=name,
            action_type_id=codepipeline.CfnPipeline.ActionTypeIdProperty(
                category=category, owner="AWS", provider=provider, version="1"
            ),
            run_order=run_order,
        )

    codepipeline.CfnPipeline(
        _stack(app, case),
        "Pipeline",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/pipeline",
        artifact_store=codepipeline.CfnPipeline.ArtifactStoreProperty(type="S3", location="bucket"),
        stages=[
            codepipeline.CfnPipeline.StageDeclarationProperty(
                name="Source", actions=[action("Source", "Source", "S3", 1)]
            ),
            codepipeline.CfnPipeline.StageDeclarationProperty(
                name="Deploy",
                actions=[
                    action("Approve", "Approval", "Manual", 1),
                    action("Freeze", "Build", "CodeBuild", 2 if check_after_approval else 1),
                    action("Deploy", "Deploy", "CloudFormation", 3),
                ],
            ),
        ],
    )


def _trusting(app: cdk.App, case: str, *, named: bool) -> None:
    stack = _stack(app, case)
    principal = iam.AccountPrincipal("333333333333")
    if named:
        principal = principal.with_conditions(
            {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::333333333333:role/bake-runner"}}
        )
    iam.Role(stack, "Role", assumed_by=principal)


def _protected_alb(app: cdk.App, case: str, *, retained: bool) -> None:
    stack = _stack(app, case)
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=_vpc(stack), deletion_protection=True)
    if retained:
        alb.apply_removal_policy(RemovalPolicy.RETAIN)


def _role(app: cdk.App, case: str, *, bounded: bool) -> None:
    stack = _stack(app, case)
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    if bounded:
        iam.PermissionsBoundary.of(role).apply(iam.ManagedPolicy.from_managed_policy_name(stack, "B", "test-boundary"))


def _health(
    app: cdk.App, case: str, *, every_service: bool, check_type: route53.HealthCheckType = route53.HealthCheckType.HTTPS
) -> None:
    stack = _stack(app, case)
    zone = route53.HostedZone.from_hosted_zone_attributes(
        stack, "Zone", hosted_zone_id="Z0TEST000001", zone_name=f"{case}.example.com"
    )
    vpc = _vpc(stack)
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=vpc)
    listener = alb.add_listener("Http", port=80, open=False, default_action=elbv2.ListenerAction.fixed_response(403))
    checks = []
    for index, name in enumerate(("api", "web")):
        group = elbv2.ApplicationTargetGroup(
            stack,
            f"{name}Group",
            vpc=vpc,
            port=8080,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            health_check=elbv2.HealthCheck(path=f"/{name}/healthz"),
        )
        elbv2.ApplicationListenerRule(
            stack,
            f"{name}Rule",
            listener=listener,
            priority=10 + index,
            conditions=[elbv2.ListenerCondition.path_patterns([f"/{name}/*"])],
            action=elbv2.ListenerAction.forward([group]),
        )
        if every_service or name == "api":
            checks.append(
                route53.HealthCheck(
                    stack,
                    f"{name}Check",
                    type=check_type,
                    fqdn=f"cell.{case}.example.com",
                    resource_path=f"/{name}/healthz",
                )
            )
    check = (
        checks[0]
        if len(checks) == 1
        else route53.HealthCheck(
            stack,
            "AllServices",
            type=route53.HealthCheckType.CALCULATED,
            child_health_checks=checks,
            health_threshold=len(checks),
        )
    )
    route53.ARecord(
        stack,
        "Latency",
        zone=zone,
        record_name="origin",
        region=EAST,
        set_identifier=EAST,
        target=route53.RecordTarget.from_ip_addresses("192.0.2.1"),
        health_check=check,
    )


def _task_image(app: cdk.App, case: str, *, private: bool) -> None:
    stack = _stack(app, case)
    task = ecs.FargateTaskDefinition(stack, "Task", cpu=256, memory_limit_mib=512)
    digest = "sha256:" + "a" * 64
    image = (
        ecs.ContainerImage.from_ecr_repository(
            ecr.Repository.from_repository_name(stack, "Repo", "cache/team/app"), tag=digest
        )
        if private
        else ecs.ContainerImage.from_registry("docker.io/team/app:1.0")
    )
    task.add_container("App", image=image)


def _web_acl(
    app: cdk.App, case: str, *, limit: int = 30_000, override_body: bool = True, rate_action: str = "block"
) -> None:
    stack = _stack(app, case)
    visibility = wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name="m", sampled_requests_enabled=True
    )
    acl = wafv2.CfnWebACL(
        stack,
        "Acl",
        scope="CLOUDFRONT",
        default_action={"allow": {}},
        visibility_config=visibility,
        rules=[
            wafv2.CfnWebACL.RuleProperty(
                name="Core",
                priority=1,
                override_action={"none": {}},
                visibility_config=visibility,
                statement={
                    "managedRuleGroupStatement": {
                        "vendorName": "AWS",
                        "name": "AWSManagedRulesCommonRuleSet",
                        **(
                            {"ruleActionOverrides": [{"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}]}
                            if override_body
                            else {}
                        ),
                    }
                },
            ),
            wafv2.CfnWebACL.RuleProperty(
                name="Rate",
                priority=2,
                action={rate_action: {}},
                visibility_config=visibility,
                statement={
                    "rateBasedStatement": {"limit": limit, "aggregateKeyType": "IP", "evaluationWindowSec": 300}
                },
            ),
        ],
    )
    cloudfront.Distribution(
        stack,
        "Distribution",
        web_acl_id=acl.attr_arn,
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin(f"origin.{case}.example.com"),
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
        ),
    )


def _secondary(app: cdk.App, case: str, *, own_set: bool) -> None:
    """A cell whose secondary CNAME leads to except-<own Region> (right) or to a set holding itself (wrong)."""
    stack = _stack(app, case)
    domain = f"origin.{case}.example.com"
    zone = route53.HostedZone.from_hosted_zone_attributes(
        stack, "Zone", hosted_zone_id="Z0TEST000002", zone_name=domain
    )
    vpc = _vpc(stack)
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=vpc, internet_facing=False)
    # This cell writes its ALB into every other cell's except-set.
    route53.ARecord(
        stack,
        "ExceptWest",
        zone=zone,
        record_name=f"except-{WEST}.{domain}.",
        region=EAST,
        set_identifier=EAST,
        target=route53.RecordTarget.from_alias(targets.LoadBalancerTarget(alb)),
    )
    target = f"except-{WEST if own_set else EAST}.{domain}"
    route53.CnameRecord(
        stack,
        "Secondary",
        zone=zone,
        record_name=f"secondary.{domain}.",
        domain_name=target,
        region=EAST,
        set_identifier=EAST,
        ttl=cdk.Duration.seconds(30),
    )


def _table_user(app: cdk.App, case: str, *, region: str) -> None:
    """A global table in us-east-1 and us-west-2, and a role in another stack that uses it in ``region``."""
    dynamodb.TableV2(
        _stack(app, f"{case}-data"),
        "Table",
        table_name=f"{case}-table",
        removal_policy=RemovalPolicy.RETAIN,
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        replicas=[dynamodb.ReplicaTableProps(region=WEST)],
    )
    stack = _stack(app, f"{case}-cell", region)
    role = iam.Role(stack, "TaskRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["dynamodb:GetItem"], resources=[f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{case}-table"]
        )
    )


def _importer(app: cdk.App, case: str, *, imports: bool) -> None:
    stack = _stack(app, case)
    name = Fn.import_value("other-stack-table-name") if imports else f"{case}-table"
    cloudwatch.CfnDashboard(
        stack,
        "Dashboard",
        dashboard_body=Fn.sub('{"widgets":[],"n":"${N}"}', {"N": name}),
        dashboard_name=f"{case}-dashboard",
    )


def _escape_length(app: cdk.App, case: str) -> None:
    """A 65-character group name: aws-cdk-lib refuses it at construct time, so it is written as an override."""
    stack = _stack(app, case)
    group = scheduler.ScheduleGroup(
        stack, "Group", removal_policy=RemovalPolicy.DESTROY, schedule_group_name=f"{case}-group"
    )
    group.node.default_child.add_property_override("Name", (case + "-" + "x" * 64)[:65])


def _alarm_check(app: cdk.App, case: str, *, single_metric: bool, gauge: bool = False) -> None:
    """A CLOUDWATCH_METRIC health check on a single-metric alarm (a count of 5xx, or the healthy-target gauge),
    or on a metric math alarm."""
    stack = _stack(app, case)
    metric = (
        cloudwatch.Metric(namespace="AWS/ApplicationELB", metric_name="HealthyHostCount", statistic="Minimum")
        if gauge
        else cloudwatch.Metric(namespace="AWS/ApplicationELB", metric_name="HTTPCode_ELB_5XX_Count", statistic="Sum")
    )
    watched = (
        metric
        if single_metric
        else cloudwatch.MathExpression(expression="m / 2", using_metrics={"m": metric}, period=Duration.minutes(1))
    )
    alarm = watched.create_alarm(stack, "Alarm", threshold=1, evaluation_periods=1)
    route53.HealthCheck(
        stack,
        "Check",
        type=route53.HealthCheckType.CLOUDWATCH_METRIC,
        alarm_identifier=route53.AlarmIdentifier(name=alarm.alarm_name, region=EAST),
    )


def _canary(app: cdk.App, case: str, *, runtime: synthetics.Runtime) -> None:
    synthetics.Canary(
        _stack(app, case),
        "Canary",
        runtime=runtime,
        test=synthetics.Test.custom(
            code=synthetics.Code.from_inline("exports.handler = async () => {};"), handler="index.handler"
        ),
    )


Builder = Callable[[cdk.App, str], None]
# rule suffix -> (compliant, non-compliant)
PAIRS: dict[str, tuple[Builder, Builder]] = {
    "PhysicalNameUnique": (lambda a, c: _dashboards(a, c, unique=True), lambda a, c: _dashboards(a, c, unique=False)),
    "RetainedNameRebuildable": (
        lambda a, c: _schedule_group(a, c, retained=False),
        lambda a, c: _schedule_group(a, c, retained=True),
    ),
    "PhysicalNameLength": (lambda a, c: _named_group(a, c, length=64), lambda a, c: _escape_length(a, c)),
    "SyntheticsCanaryRuntimeSupported": (
        lambda a, c: _canary(a, c, runtime=synthetics.Runtime.SYNTHETICS_NODEJS_PUPPETEER_13_0),
        lambda a, c: _canary(a, c, runtime=synthetics.Runtime.SYNTHETICS_NODEJS_PUPPETEER_7_0),  # retired 2026-01-22
    ),
    "Route53AlarmHealthCheckReadable": (
        lambda a, c: _alarm_check(a, c, single_metric=True),
        lambda a, c: _alarm_check(a, c, single_metric=False),
    ),
    "Route53AlarmNotATrafficCount": (
        lambda a, c: _alarm_check(a, c, single_metric=True, gauge=True),
        lambda a, c: _alarm_check(a, c, single_metric=True),
    ),
    "LambdaRuntimeSupported": (
        lambda a, c: _function(a, c, runtime="nodejs22.x"),
        lambda a, c: _function(a, c, runtime="nodejs20.x"),  # deprecated 2026-04-30, before the deploy time
    ),
    "CodeBuildToolchainPinned": (
        lambda a, c: _build(a, c, nodejs="22", install="npm install -g aws-cdk@2.1148.1"),
        lambda a, c: _build(a, c, nodejs="20", install="npm install -g cdk-assets@latest"),
    ),
    "PipelineApprovalGatesItsStage": (
        lambda a, c: _pipeline(a, c, check_after_approval=True),
        lambda a, c: _pipeline(a, c, check_after_approval=False),
    ),
    "IamCrossAccountTrustNamesPrincipal": (
        lambda a, c: _trusting(a, c, named=True),
        lambda a, c: _trusting(a, c, named=False),
    ),
    "DeletionProtectionRetained": (
        lambda a, c: _protected_alb(a, c, retained=True),
        lambda a, c: _protected_alb(a, c, retained=False),
    ),
    "IamRoleHasPermissionsBoundary": (
        lambda a, c: _role(a, c, bounded=True),
        lambda a, c: _role(a, c, bounded=False),
    ),
    "ProberReachesItsTarget": (
        lambda a, c: _probed(a, c, through_cloudfront=True),
        lambda a, c: _probed(a, c, through_cloudfront=False),
    ),
    "ScheduleAfterDeployTime": (
        lambda a, c: _schedule(a, c, at=DEPLOY + timedelta(days=1)),
        lambda a, c: _schedule(a, c, at=DEPLOY - timedelta(days=6)),
    ),
    "EventWindowCovered": (
        lambda a, c: _scaled_service(a, c, actions=[WINDOW.start, WINDOW.restore]),
        lambda a, c: _scaled_service(a, c, actions=[WINDOW.start]),
    ),
    "ScalableTargetFloorAtDeploy": (
        lambda a, c: _scaled_service(a, c, min_capacity=10),
        lambda a, c: _scaled_service(a, c, min_capacity=3),
    ),
    # A peak of 10 tasks at a 200% deploy surge is 20 targets of the target group's 25; 13 is 26.
    "EcsTasksWithinDeclaredQuotas": (
        lambda a, c: _scaled_service(a, c, min_capacity=10, actions=[WINDOW.start], maximum_percent=200),
        lambda a, c: _scaled_service(a, c, min_capacity=10, actions=[WINDOW.start], maximum_percent=200, peak=13),
    ),
    "QuotaWithinDeclared": (
        lambda a, c: _table(a, c, reads=30_000, writes=12_000),
        lambda a, c: _table(a, c, reads=50_000, writes=12_000),
    ),
    "DynamoWarmThroughputAboveBaseline": (
        lambda a, c: _table(a, c, reads=12_000, writes=4_000),
        lambda a, c: _table(a, c, reads=500, writes=100),
    ),
    "CloudFrontOriginHostHeader": (
        lambda a, c: _cell_and_edge(a, c),
        lambda a, c: _cell_and_edge(a, c, cache_policy=cloudfront.CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS),
    ),
    "CloudFrontCacheKeyHoldsIdentity": (
        lambda a, c: _cell_and_edge(a, c),
        lambda a, c: _cell_and_edge(a, c, cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED),
    ),
    "CloudFrontBehaviorPathServed": (
        lambda a, c: _cell_and_edge(a, c, behavior_path="/api/*"),
        lambda a, c: _cell_and_edge(a, c, behavior_path="/static/*"),
    ),
    "CloudFrontBehaviorMethods": (
        lambda a, c: _cell_and_edge(a, c, methods=ALL),
        lambda a, c: _cell_and_edge(a, c, methods=("GET", "HEAD")),
    ),
    "SecretReferenceFollowsRotation": (
        lambda a, c: _cell_and_edge(a, c, sent_version=VERSION, accepted=(VERSION, "AWSPREVIOUS")),
        lambda a, c: _cell_and_edge(a, c, accepted=("AWSCURRENT", "AWSPREVIOUS")),
    ),
    "Route53HealthCheckCoversServices": (
        lambda a, c: _health(a, c, every_service=True),
        lambda a, c: _health(a, c, every_service=False),
    ),
    "EcsImageFromRegionalEcr": (
        lambda a, c: _task_image(a, c, private=True),
        lambda a, c: _task_image(a, c, private=False),
    ),
    "WafRateLimitAdmitsSharedIp": (lambda a, c: _web_acl(a, c, limit=30_000), lambda a, c: _web_acl(a, c, limit=3_000)),
    "WafBodyLimitAllowsWrites": (
        lambda a, c: _web_acl(a, c, override_body=True),
        lambda a, c: _web_acl(a, c, override_body=False),
    ),
    "EcsServiceDesiredCountUnset": (
        lambda a, c: _scaled_service(a, c),
        lambda a, c: _scaled_service(a, c, desired_count=2),
    ),
    "AlbServesOnlyTheOrigin": (
        lambda a, c: _cell_and_edge(a, c, sent_version=VERSION, accepted=(VERSION, "AWSPREVIOUS")),
        lambda a, c: _cell_and_edge(a, c),
    ),
    "OriginSecretNeverLiteral": (
        lambda a, c: _cell_and_edge(a, c, sent_version=VERSION, accepted=(VERSION, "AWSPREVIOUS")),
        lambda a, c: _cell_and_edge(a, c, accepted=(VERSION, "AWSPREVIOUS"), literal=True),
    ),
    "DynamoReplicaWhereUsed": (
        lambda a, c: _table_user(a, c, region=WEST),
        lambda a, c: _table_user(a, c, region="us-east-2"),
    ),
    "StackStandsAlone": (lambda a, c: _importer(a, c, imports=False), lambda a, c: _importer(a, c, imports=True)),
    "Route53SecondaryOriginOtherCell": (
        lambda a, c: _secondary(a, c, own_set=False),
        lambda a, c: _secondary(a, c, own_set=True),
    ),
}

# More non-compliant cases for rules with more than one finding: case name -> (rule suffix, builder).
VARIANTS: dict[str, tuple[str, Builder]] = {
    "listener-default-200": (
        "AlbServesOnlyTheOrigin",
        lambda a, c: _cell_and_edge(a, c, sent_version=VERSION, accepted=(VERSION, "AWSPREVIOUS"), default_status=200),
    ),
    "health-over-http": (
        "Route53HealthCheckCoversServices",
        lambda a, c: _health(a, c, every_service=True, check_type=route53.HealthCheckType.HTTP),
    ),
    "build-on-node-20": (
        "CodeBuildToolchainPinned",
        lambda a, c: _build(a, c, nodejs="20", install="npm install -g aws-cdk@2.1148.1"),
    ),
    "build-installs-a-major-version": (
        "CodeBuildToolchainPinned",
        lambda a, c: _build(a, c, nodejs="22", install="npm install -g aws-cdk@2"),
    ),
    "probe-from-a-blocked-country": (
        "ProberReachesItsTarget",
        lambda a, c: _probed(a, c, through_cloudfront=True, geo=("GB", "IE")),
    ),
    "rate-rule-counts": ("WafRateLimitAdmitsSharedIp", lambda a, c: _web_acl(a, c, rate_action="count")),
}


def _case(suffix: str, verdict: str) -> str:
    return f"{suffix.lower()}-{verdict}"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[set[str], set[str]]]:
    """Case -> (rule IDs that evaluated one of its resources, rule IDs that found something)."""
    outdir = tmp_path_factory.mktemp("dr-pairs")
    app = cdk.App(
        outdir=str(outdir),
        builtin_cloud_formation_validation=False,
        context={f"availability-zones:account={ACCOUNT}:region={EAST}": ["us-east-1a", "us-east-1b"]},
    )
    for suffix, builders in PAIRS.items():
        for verdict, build in zip(("ok", "bad"), builders):
            build(app, _case(suffix, verdict))
    for name, (_, build) in VARIANTS.items():
        build(app, name)
    cases = [_case(s, v) for s in PAIRS for v in ("ok", "bad")] + list(VARIANTS)
    assembly = app.synth()
    views, case_of = [], {}
    for stack in assembly.stacks:
        path = Path(stack.template_full_path)
        views.append(
            load_view(
                path.name,
                path.read_text(),
                stack=stack.stack_name,
                region=stack.environment.region,
                cell=stack.environment.region,
                account=ACCOUNT,
            )
        )
        case_of[path.name] = max((c for c in cases if stack.stack_name.startswith(c)), key=len)
    out: dict[str, tuple[set[str], set[str]]] = {}
    for evaluation in evaluate(views, PARAMS).evaluations:
        evaluated, found = out.setdefault(case_of[evaluation.template], (set(), set()))
        evaluated.add(evaluation.rule.rule_id)
        if evaluation.findings:
            found.add(evaluation.rule.rule_id)
    return out


def test_every_rule_has_a_pair() -> None:
    assert sorted(PAIRS) == sorted(rule.suffix for rule in RULES)


@pytest.mark.parametrize("suffix", sorted(PAIRS))
def test_rule_flags_the_non_compliant_case(results, suffix) -> None:
    assert f"DR-{suffix}" in results.get(_case(suffix, "bad"), (set(), set()))[1]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_rule_flags_each_variant(results, name) -> None:
    assert f"DR-{VARIANTS[name][0]}" in results.get(name, (set(), set()))[1]


@pytest.mark.parametrize("suffix", sorted(PAIRS))
def test_rule_evaluates_and_passes_the_compliant_case(results, suffix) -> None:
    evaluated, found = results.get(_case(suffix, "ok"), (set(), set()))
    assert f"DR-{suffix}" in evaluated, "the rule found nothing to evaluate in the compliant case"
    assert f"DR-{suffix}" not in found


def test_every_rule_names_its_source_and_fix() -> None:
    for rule in RULES:
        assert rule.rule_id.startswith("DR-") and rule.suffix[0].isupper()
        assert len(rule.explanation) > 60 and rule.source
    assert len({rule.rule_id for rule in RULES}) == len(RULES)


def test_fixed_account_limits_count_the_whole_deployment() -> None:
    """21 custom cache policies across two stacks exceed CloudFront's 20 per account."""
    from kickoff.rules.engine import TemplateView

    def view(name: str, count: int) -> TemplateView:
        resources = {
            f"Policy{i}": {
                "Type": "AWS::CloudFront::CachePolicy",
                "Properties": {"CachePolicyConfig": {"Name": f"{name}-{i}"}},
            }
            for i in range(count)
        }
        return TemplateView(f"{name}.template.json", name, EAST, EAST, resources, account=ACCOUNT)

    findings = [
        f
        for e in evaluate([view("a", 11), view("b", 10)], PARAMS).failures
        for f in e.findings
        if e.rule.suffix == "QuotaWithinDeclared"
    ]
    assert findings and "21 AWS::CloudFront::CachePolicy in the account, over the limit of 20" in findings[0].detail
    assert not [
        e for e in evaluate([view("a", 10), view("b", 10)], PARAMS).failures if e.rule.suffix == "QuotaWithinDeclared"
    ]
