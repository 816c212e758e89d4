"""Builders of deploy-readiness cases: names, schedules, capacity, tables, the edge and its probes."""

from __future__ import annotations

import json
from datetime import datetime

import aws_cdk as cdk
from aws_cdk import CfnTag, Fn, RemovalPolicy
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_ssm as ssm
from aws_cdk import custom_resources as cr

from tests.rules.readiness_base import (
    ACCOUNT,
    ALL,
    EAST,
    WEST,
    _ref,
    _stack,
    _vpc,
)


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
    registered: bool = True,
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
    if registered:
        ssm.CfnParameter(
            stack,
            "Registration",
            name="/test/capacity/services/api",
            type="String",
            value=Fn.join("", ['{"resource_id": "service/cluster/', service.attr_name, '"}']),
        )


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


def _custom_resources(app: cdk.App, case: str, *, shared: bool) -> None:
    """Two AwsCustomResources (one provider function per stack): the stack's shared log group, or one group each,
    of which only the first is ever written."""
    from kickoff.constructs._util import custom_resource_log_group

    stack = _stack(app, case)
    key = kms.Key(stack, "LogKey")
    for name in ("First", "Second"):
        group = (
            custom_resource_log_group(stack, retention_days=7, key=key)
            if shared
            else logs.LogGroup(stack, f"{name}Logs", encryption_key=key)
        )
        call = cr.AwsSdkCall(
            service="EC2",
            action="describeManagedPrefixLists",
            physical_resource_id=cr.PhysicalResourceId.of(name),
        )
        cr.AwsCustomResource(
            stack,
            name,
            on_create=call,
            install_latest_aws_sdk=False,
            log_group=group,
            policy=cr.AwsCustomResourcePolicy.from_sdk_calls(resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE),
        )


def _listening(app: cdk.App, case: str, *, redirect: bool) -> None:
    """An ALB whose security group admits HTTPS only, with an HTTPS listener, and a port-80 redirect or not."""
    stack = _stack(app, case)
    vpc = _vpc(stack)
    group = ec2.SecurityGroup(stack, "AlbGroup", vpc=vpc, allow_all_outbound=False)
    group.add_ingress_rule(ec2.Peer.prefix_list("pl-0123456789abcdef0"), ec2.Port.tcp(443))
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=vpc, internet_facing=True, security_group=group)
    alb.add_listener(
        "Https",
        port=443,
        certificates=[elbv2.ListenerCertificate.from_arn(f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/3")],
        open=False,
        default_action=elbv2.ListenerAction.fixed_response(403),
    )
    if redirect:
        alb.add_listener("Http", port=80, open=False, default_action=elbv2.ListenerAction.redirect(port="443"))


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
