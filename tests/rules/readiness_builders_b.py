"""Builders of deploy-readiness cases: health checks, images, WAF, routing, tables, imports, alarms, canaries."""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
from aws_cdk import Duration, Fn, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_synthetics as synthetics
from aws_cdk import aws_wafv2 as wafv2

from tests.rules.readiness_base import (
    ACCOUNT,
    EAST,
    WEST,
    _stack,
    _vpc,
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
