"""Every Well-Architected rule, tested both ways on minimal constructs.

One app holds a compliant and a non-compliant stack per rule. It is synthesized once
with only the Well-Architected pack attached, and each rule's verdict is read from
validation-report.json: the rule must flag its non-compliant construct and must not
flag its compliant one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, RemovalPolicy, Tags
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_fis as fis
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_medialive as medialive
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from kickoff.config.models.fault_injection import CELL_FAULT_ACTIONS, STOP_TASK
from kickoff.rules.well_architected import RULES, Params

REGION = "us-east-1"
ACCOUNT = "123456789012"
ZONES = ["us-east-1a", "us-east-1b"]
PARAMS = Params(
    production=True,
    rto_seconds=120,
    retry_allowance_seconds=10,
    required_tags={"app": "t", "env": "test"},
    fault_actions=CELL_FAULT_ACTIONS,
)
KEY = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)


def _vpc(scope: Construct, nat: int = 2) -> ec2.Vpc:
    return ec2.Vpc(scope, "Vpc", availability_zones=ZONES, nat_gateways=nat, restrict_default_security_group=False)


def _task(scope: Construct, *, arm: bool = True, hardened: bool = True) -> ecs.FargateTaskDefinition:
    task = ecs.FargateTaskDefinition(
        scope,
        "Task",
        cpu=256,
        memory_limit_mib=512,
        runtime_platform=ecs.RuntimePlatform(
            cpu_architecture=ecs.CpuArchitecture.ARM64 if arm else ecs.CpuArchitecture.X86_64,
            operating_system_family=ecs.OperatingSystemFamily.LINUX,
        ),
    )
    task.add_container(
        "App",
        image=ecs.ContainerImage.from_registry("example/app:1"),
        readonly_root_filesystem=hardened,
        user="1000" if hardened else None,
    )
    return task


def _service(
    scope: Construct, *, min_tasks: int = 2, tracking: bool = True, breaker: bool = True, public: bool = False
) -> ecs.FargateService:
    vpc = _vpc(scope)
    cluster = ecs.Cluster(scope, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENHANCED)
    service = ecs.FargateService(
        scope,
        "Service",
        cluster=cluster,
        task_definition=_task(scope),
        circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True) if breaker else None,
        assign_public_ip=public,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC) if public else None,
    )
    scaling = service.auto_scale_task_count(min_capacity=min_tasks, max_capacity=10)
    if tracking:
        scaling.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    return service


def _zone(scope: Construct) -> route53.IHostedZone:
    return route53.HostedZone.from_hosted_zone_attributes(
        scope, "Zone", hosted_zone_id="Z0TEST000000", zone_name="example.com"
    )


def _health_check(
    scope: Construct, interval: int = 10, *, id_: str = "Check", threshold: int = 3
) -> route53.HealthCheck:
    return route53.HealthCheck(
        scope,
        id_,
        type=route53.HealthCheckType.HTTPS,
        fqdn="cell.example.com",
        resource_path="/healthz",
        request_interval=Duration.seconds(interval),
        failure_threshold=threshold,
    )


def _routed_check(scope: Construct, interval: int = 10, *, hold_down: bool = False) -> None:
    """A latency record on a health check; with ``hold_down``, a calculated check over it and a slow failback
    hold-down (30 s x 10), which only delays the return."""
    check: route53.IHealthCheck = _health_check(scope, interval)
    if hold_down:
        slow = _health_check(scope, 30, id_="Hold", threshold=10)
        check = route53.HealthCheck(
            scope,
            "Parent",
            type=route53.HealthCheckType.CALCULATED,
            child_health_checks=[check, slow],
            health_threshold=2,
        )
    _latency_record(scope, check=check)


def _latency_record(scope: Construct, *, checked: bool = True, check: route53.IHealthCheck | None = None) -> None:
    route53.ARecord(
        scope,
        "Record",
        zone=_zone(scope),
        record_name="origin",
        target=route53.RecordTarget.from_ip_addresses("192.0.2.10"),
        region=REGION,
        set_identifier=REGION,
        health_check=(check or _health_check(scope)) if checked else None,
    )


def _target_group(scope: Construct, *, path: bool) -> None:
    elbv2.ApplicationTargetGroup(
        scope,
        "Targets",
        vpc=_vpc(scope, nat=0),
        port=8080,
        protocol=elbv2.ApplicationProtocol.HTTP,
        target_type=elbv2.TargetType.IP,
        health_check=elbv2.HealthCheck(path="/healthz") if path else None,
    )


def _distribution(scope: Construct, *, group: bool, codes: list[int] | None = None) -> None:
    primary = origins.HttpOrigin("origin.example.com")
    origin = (
        origins.OriginGroup(
            primary_origin=primary,
            fallback_origin=origins.HttpOrigin("secondary.example.com"),
            fallback_status_codes=codes,
        )
        if group
        else primary
    )
    cloudfront.Distribution(scope, "Distribution", default_behavior=cloudfront.BehaviorOptions(origin=origin))


def _alb(scope: Construct, *, open_to_world: bool) -> elbv2.ApplicationLoadBalancer:
    vpc = _vpc(scope, nat=0)
    alb = elbv2.ApplicationLoadBalancer(scope, "Alb", vpc=vpc, internet_facing=True)
    alb.add_listener("Http", port=80, open=open_to_world, default_action=elbv2.ListenerAction.fixed_response(403))
    return alb


def _flow_log_bucket(scope: Construct, *, lifecycle: bool) -> None:
    bucket = s3.Bucket(
        scope,
        "Logs",
        removal_policy=RemovalPolicy.RETAIN,
        lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(30))] if lifecycle else None,
    )
    _vpc(scope, nat=0).add_flow_log("Flow", destination=ec2.FlowLogDestination.to_s3(bucket))


def _tagged_log_group(scope: Construct, *, tagged: bool) -> None:
    group = logs.LogGroup(scope, "Group", retention=logs.RetentionDays.ONE_WEEK)
    if tagged:
        for key, value in {"app": "t", "env": "test", "region": REGION, "cell": REGION}.items():
            Tags.of(group).add(key, value)


def _table(scope: Construct, **kwargs) -> None:
    dynamodb.TableV2(scope, "Table", partition_key=KEY, removal_policy=RemovalPolicy.RETAIN, **kwargs)


PITR = dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True)


def _scheduler_role(scope: Construct, *, conditioned: bool) -> None:
    conditions = {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnEquals": {"aws:SourceArn": f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/g"},
    }
    iam.Role(
        scope,
        "Role",
        assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com", conditions=conditions if conditioned else None),
    )


def _alb_log_bucket(scope: Construct, *, scoped: bool) -> None:
    """The cell's access-log delivery (a source-scoped service principal), or CDK's log_access_logs."""
    from kickoff.constructs.load_balancer import CellLoadBalancer

    bucket = s3.Bucket(scope, "Logs", removal_policy=RemovalPolicy.RETAIN)
    vpc = _vpc(scope, nat=0)
    if scoped:
        zone = route53.PublicHostedZone(scope, "Zone", zone_name="example.com")
        CellLoadBalancer(
            scope, "Cell", vpc=vpc, certificate_names=["a.example.com"], hosted_zone=zone, access_log_bucket=bucket
        )
    else:
        elbv2.ApplicationLoadBalancer(scope, "Alb", vpc=vpc, internet_facing=True).log_access_logs(bucket, "alb")


def _unscoped_topic(scope: Construct) -> None:
    topic = sns.Topic(scope, "Topic")
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("events.amazonaws.com")], actions=["sns:Publish"], resources=["*"]
        )
    )


def _task_role_policy(scope: Construct, *, actions: list[str], region: str = REGION) -> None:
    task = _task(scope)
    task.task_role.add_to_principal_policy(
        iam.PolicyStatement(actions=actions, resources=[f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/t"])
    )


def _key(scope: Construct, *, separated: bool) -> None:
    from kickoff.constructs.encryption_keys import customer_managed_key, dynamodb_key_policy

    if separated:
        customer_managed_key(scope, "Key", description="k", policy=dynamodb_key_policy(cdk.Stack.of(scope)))
    else:
        kms.Key(scope, "Key", enable_key_rotation=True, removal_policy=RemovalPolicy.RETAIN)


def _log_group(scope: Construct, *, encrypted: bool) -> None:
    key = kms.Key(scope, "Key", enable_key_rotation=True) if encrypted else None
    logs.LogGroup(scope, "Group", retention=logs.RetentionDays.ONE_WEEK, encryption_key=key)


def _alarm(scope: Construct, *, action: bool, metric: cloudwatch.IMetric | None = None) -> None:
    """An alarm on ``metric`` (default: a request count of no resource here), notifying a topic if ``action``."""
    metric = metric or cloudwatch.Metric(namespace="AWS/ApplicationELB", metric_name="RequestCount")
    alarm = metric.create_alarm(scope, "Alarm", threshold=1, evaluation_periods=1)
    if action:
        alarm.add_alarm_action(cw_actions.SnsAction(sns.Topic(scope, "Topic")))


def _alb_alarm(scope: Construct, *, action: bool) -> None:
    alb = _alb(scope, open_to_world=False)
    _alarm(scope, action=action, metric=alb.metrics.http_code_elb(elbv2.HttpCodeElb.ELB_5XX_COUNT))


# rule suffix -> (compliant builder, non-compliant builder)
def _experiments(
    scope: Construct, *, stopped: bool, actions: tuple[str, ...] = CELL_FAULT_ACTIONS, cluster: bool = True
) -> None:
    """A cell (its ECS cluster) with one FIS template per action, stopped by the cell's alarm or by nothing."""
    alarm = cloudwatch.Alarm(
        scope, "Impaired", metric=cloudwatch.Metric(namespace="T", metric_name="M"), threshold=1, evaluation_periods=1
    )
    role = iam.Role(scope, "FisRole", assumed_by=iam.ServicePrincipal("fis.amazonaws.com"))
    stop = {"source": "aws:cloudwatch:alarm", "value": alarm.alarm_arn} if stopped else {"source": "none"}
    for index, action in enumerate(actions):
        fis.CfnExperimentTemplate(
            scope,
            f"Experiment{index}",
            description=action,
            role_arn=role.role_arn,
            targets={"t": {"resourceType": "aws:ecs:task", "resourceTags": {"cell": "t"}, "selectionMode": "ALL"}},
            actions={"a": {"actionId": action, "targets": {"Tasks": "t"}}},
            stop_conditions=[stop],
            tags={"Name": action},
        )
    if cluster:
        ecs.Cluster(scope, "Cluster", vpc=_vpc(scope), container_insights_v2=ecs.ContainerInsights.ENHANCED)


def _medialive(scope: Construct, channel_class: str) -> None:
    medialive.CfnChannel(scope, "Channel", name="kickoff-prod-tnf", channel_class=channel_class)


PAIRS: dict[str, tuple[Callable[[Construct], None], Callable[[Construct], None]]] = {
    "REL-MediaLiveChannelStandard": (
        lambda s: _medialive(s, "STANDARD"),
        lambda s: _medialive(s, "SINGLE_PIPELINE"),
    ),
    "REL-DynamoGlobalTableReplicas": (
        lambda s: _table(s, replicas=[dynamodb.ReplicaTableProps(region="us-west-2")]),
        lambda s: dynamodb.Table(s, "Table", partition_key=KEY, billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST),
    ),
    "REL-DynamoReplicaPitr": (
        lambda s: _table(
            s, point_in_time_recovery_specification=PITR, replicas=[dynamodb.ReplicaTableProps(region="us-west-2")]
        ),
        lambda s: _table(s, replicas=[dynamodb.ReplicaTableProps(region="us-west-2")]),
    ),
    "REL-StatefulResourceRetained": (
        lambda s: s3.Bucket(s, "Bucket", removal_policy=RemovalPolicy.RETAIN),
        lambda s: s3.Bucket(s, "Bucket", removal_policy=RemovalPolicy.DESTROY),
    ),
    "REL-EcsServiceMultiAz": (lambda s: _service(s, min_tasks=2), lambda s: _service(s, min_tasks=1)),
    "REL-EcsServiceTargetTracking": (lambda s: _service(s, tracking=True), lambda s: _service(s, tracking=False)),
    "REL-VpcNatGatewayPerAz": (lambda s: _vpc(s, nat=2), lambda s: _vpc(s, nat=1)),
    "REL-Route53RoutedRecordHealthCheck": (
        lambda s: _latency_record(s, checked=True),
        lambda s: _latency_record(s, checked=False),
    ),
    "REL-Route53HealthCheckRtoBudget": (
        lambda s: _routed_check(s, interval=10, hold_down=True),
        lambda s: _routed_check(s, interval=30),
    ),
    "REL-ElbTargetGroupHealthCheckPath": (
        lambda s: _target_group(s, path=True),
        lambda s: _target_group(s, path=False),
    ),
    "REL-CloudFrontOriginGroup": (lambda s: _distribution(s, group=True), lambda s: _distribution(s, group=False)),
    "OPS-AlarmedResources": (lambda s: _alb_alarm(s, action=True), lambda s: _alb_alarm(s, action=False)),
    "OPS-AlarmHasAction": (lambda s: _alarm(s, action=True), lambda s: _alarm(s, action=False)),
    "OPS-EcsDeploymentCircuitBreaker": (lambda s: _service(s, breaker=True), lambda s: _service(s, breaker=False)),
    "OPS-EcsClusterContainerInsights": (
        lambda s: ecs.Cluster(s, "Cluster", vpc=_vpc(s, nat=0), container_insights_v2=ecs.ContainerInsights.ENABLED),
        lambda s: ecs.Cluster(s, "Cluster", vpc=_vpc(s, nat=0), container_insights_v2=ecs.ContainerInsights.DISABLED),
    ),
    "SEC-AlbIngressNotOpen": (lambda s: _alb(s, open_to_world=False), lambda s: _alb(s, open_to_world=True)),
    "SEC-EcsContainerHardening": (lambda s: _task(s, hardened=True), lambda s: _task(s, hardened=False)),
    "SUS-EcsTaskGraviton": (lambda s: _task(s, arm=True), lambda s: _task(s, arm=False)),
    "SUS-LogsLogGroupRetention": (
        lambda s: logs.LogGroup(s, "Group", retention=logs.RetentionDays.ONE_MONTH),
        lambda s: logs.LogGroup(s, "Group", retention=logs.RetentionDays.INFINITE),
    ),
    "SUS-S3LogBucketLifecycle": (
        lambda s: _flow_log_bucket(s, lifecycle=True),
        lambda s: _flow_log_bucket(s, lifecycle=False),
    ),
    "COST-DynamoCapacityMode": (
        lambda s: _table(s, billing=dynamodb.Billing.on_demand()),
        lambda s: _table(
            s,
            billing=dynamodb.Billing.provisioned(
                read_capacity=dynamodb.Capacity.fixed(5), write_capacity=dynamodb.Capacity.autoscaled(max_capacity=10)
            ),
        ),
    ),
    "COST-CostAllocationTags": (
        lambda s: _tagged_log_group(s, tagged=True),
        lambda s: _tagged_log_group(s, tagged=False),
    ),
    "SEC-IamServiceRoleSourceCondition": (
        lambda s: _scheduler_role(s, conditioned=True),
        lambda s: _scheduler_role(s, conditioned=False),
    ),
    "SEC-ResourcePolicyServiceSourceCondition": (
        lambda s: _alb_log_bucket(s, scoped=True),
        lambda s: _alb_log_bucket(s, scoped=False),
    ),
    "SEC-IamTaskRoleItemAccessOnly": (
        lambda s: _task_role_policy(s, actions=["dynamodb:GetItem", "dynamodb:PutItem"]),
        lambda s: _task_role_policy(s, actions=["dynamodb:GetItem", "dynamodb:Scan"]),
    ),
    "SEC-KmsKeyPolicySeparatesDuties": (lambda s: _key(s, separated=True), lambda s: _key(s, separated=False)),
    "SEC-LogsLogGroupEncrypted": (lambda s: _log_group(s, encrypted=True), lambda s: _log_group(s, encrypted=False)),
    "SUS-DynamoTableTtl": (lambda s: _table(s, time_to_live_attribute="expires_at"), lambda s: _table(s)),
    "SEC-EcsServicePrivate": (lambda s: _service(s), lambda s: _service(s, public=True)),
    "REL-FaultInjectionExperiments": (
        lambda s: _experiments(s, stopped=True),
        lambda s: _experiments(s, stopped=False, cluster=False),
    ),
}

# More non-compliant cases for rules with more than one finding: stack name -> (rule suffix, builder).
VARIANTS: dict[str, tuple[str, Callable[[Construct], None]]] = {
    "topic-admits-a-service-for-any-account": ("SEC-ResourcePolicyServiceSourceCondition", _unscoped_topic),
    "origin-group-fails-over-on-503-only": (
        "REL-CloudFrontOriginGroup",
        lambda s: _distribution(s, group=True, codes=[503]),
    ),
    "cell-without-every-experiment": (
        "REL-FaultInjectionExperiments",
        lambda s: _experiments(s, stopped=True, actions=(STOP_TASK,)),
    ),
    "task-role-reaches-another-region": (
        "SEC-IamTaskRoleItemAccessOnly",
        lambda s: _task_role_policy(s, actions=["dynamodb:GetItem"], region="us-west-2"),
    ),
}


def _stack_name(suffix: str, verdict: str) -> str:
    return f"{suffix}-{verdict}"


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[set[str], set[str]]]:
    """Stack name -> (rule IDs the pack evaluated on it, rule IDs it reported), from one synth."""
    from kickoff.guardrails.wa_pack import PACK_NAME, StackFacts, WellArchitectedChecks

    outdir = tmp_path_factory.mktemp("wa-pairs")
    app = cdk.App(
        outdir=str(outdir),
        context={f"availability-zones:account={ACCOUNT}:region={REGION}": ZONES},
        builtin_cloud_formation_validation=False,
    )
    stacks = {}
    cases = [
        (_stack_name(suffix, verdict), build)
        for suffix, builders in PAIRS.items()
        for verdict, build in zip(("ok", "bad"), builders)
    ]
    for name, (_, build) in [*((n, (None, b)) for n, b in cases), *VARIANTS.items()]:
        stack = cdk.Stack(app, name, env=cdk.Environment(account=ACCOUNT, region=REGION))
        build(stack)
        stacks[stack.template_file] = StackFacts(stack=stack.stack_name, region=REGION, cell=REGION)
    pack = WellArchitectedChecks(app, params=PARAMS, stacks=stacks)
    cdk.Validations.of(app).add_plugins(pack)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((outdir / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == PACK_NAME]
    found: dict[str, tuple[set[str], set[str]]] = {}
    for evaluation in pack.result.evaluations:
        found.setdefault(stacks[evaluation.template].stack, (set(), set()))[0].add(evaluation.rule.rule_id)
    for violation in plugin["violations"]:
        rule = re.sub(r"\[.*\]$", "", violation["ruleName"])
        for construct in violation["violatingConstructs"]:
            found.setdefault(construct["constructPath"].split("/")[0], (set(), set()))[1].add(rule)
    return found


def test_every_rule_has_a_pair() -> None:
    assert sorted(PAIRS) == sorted(rule.suffix for rule in RULES)


@pytest.mark.parametrize("suffix", sorted(PAIRS))
def test_rule_flags_the_non_compliant_construct(verdicts, suffix) -> None:
    assert f"WA-{suffix}" in verdicts.get(_stack_name(suffix, "bad"), (set(), set()))[1]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_rule_flags_each_variant(verdicts, name) -> None:
    assert f"WA-{VARIANTS[name][0]}" in verdicts.get(name, (set(), set()))[1]


@pytest.mark.parametrize("suffix", sorted(PAIRS))
def test_rule_evaluates_and_passes_the_compliant_construct(verdicts, suffix) -> None:
    evaluated, reported = verdicts.get(_stack_name(suffix, "ok"), (set(), set()))
    assert f"WA-{suffix}" in evaluated, "the rule found nothing to evaluate in the compliant case"
    assert f"WA-{suffix}" not in reported


def test_pack_has_at_least_18_rules_across_five_pillars() -> None:
    assert len(RULES) >= 18
    assert {r.pillar for r in RULES} == {
        "Reliability",
        "Cost Optimization",
        "Sustainability",
        "Operational Excellence",
        "Security",
    }
    assert len({r.rule_id for r in RULES}) == len(RULES)


def test_every_rule_cites_a_verified_best_practice() -> None:
    reference = (Path(__file__).resolve().parents[2] / "docs" / "reference" / "well-architected-ids.md").read_text()
    for rule in RULES:
        assert re.fullmatch(r"WA-(REL|COST|SUS|OPS|SEC)-[A-Z][A-Za-z0-9]+", rule.rule_id), rule.rule_id
        assert re.fullmatch(r"(REL|COST|SUS|OPS|SEC)\d{2}-BP\d{2}", rule.bp_id), rule.bp_id
        assert f"| {rule.bp_id} |" in reference, f"{rule.rule_id} cites {rule.bp_id}, which the reference does not list"
        assert rule.bp_id in rule.info and len(rule.explanation) > 60
