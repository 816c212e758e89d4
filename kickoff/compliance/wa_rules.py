"""Kickoff's Well-Architected rules, as pure Python over synthesized CloudFormation templates.

One rule per unit, named ``WA-<PILLAR>-<Service><Resource><Property>``. Each cites the
Well-Architected best practice it enforces (IDs checked against the framework, see
docs/reference/well-architected-ids.md) and explains what a reviewer should change.
Rules read the final template, so they also see property overrides and tags, and can
look across resources (a service and its scalable target, a VPC and its NAT gateways).
``kickoff.compliance.wa_pack`` runs them on every synth through cdk-nag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kickoff.compliance.taggable import tag_properties
from kickoff.compliance.template_rules import (
    Evaluation,
    Finding,
    PackResult,
    Resource,
    TemplateView,
    load_view,
    references,
)
from kickoff.compliance.template_rules import evaluate as _evaluate
from kickoff.compliance.template_rules import (
    props as _props,
)
from kickoff.compliance.template_rules import (
    tags as _tags,
)
from kickoff.failover import (
    ALIAS_TTL_SECONDS,
    DEFAULT_HEALTH_CHECK_INTERVAL,
    DEFAULT_HEALTH_CHECK_THRESHOLD,
)
from kickoff.failover import detection_seconds as _detection

ENDPOINT_HEALTH_CHECK_TYPES = {"HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"}
ROOT_USERS = {"0", "root", "0:0", "root:root"}


@dataclass(frozen=True)
class Params:
    """Expectations that come from config, not from the template."""

    production: bool
    rto_seconds: int
    retry_allowance_seconds: int
    required_tags: Mapping[str, str | None]  # key -> expected value (None: any value)
    service_tag_types: frozenset[str] = frozenset({"AWS::ECS::Service", "AWS::ECS::TaskDefinition"})


Check = Callable[[str, Resource, TemplateView, Params], list[Finding] | None]


@dataclass(frozen=True)
class WaRule:
    """One Well-Architected rule. ``check`` returns None (not applicable), [] (compliant) or findings."""

    suffix: str
    bp_id: str
    bp_title: str
    summary: str
    explanation: str
    resource_types: frozenset[str]
    check: Check

    @property
    def rule_id(self) -> str:
        return f"WA-{self.suffix}"

    @property
    def pillar(self) -> str:
        return {"REL": "Reliability", "COST": "Cost Optimization", "SUS": "Sustainability",
                "OPS": "Operational Excellence", "SEC": "Security"}[self.suffix.split("-")[0]]

    @property
    def info(self) -> str:
        return f"{self.summary} [{self.bp_id} {self.bp_title}]"


# ---------------------------------------------------------------------------------------
# Reliability


def _global_table_replicas(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    if resource["Type"] == "AWS::DynamoDB::Table":
        return [Finding("", "a single-Region table; use a global table with a replica in every cell Region")]
    props = _props(resource)
    replicas = props.get("Replicas", [])
    witnesses = props.get("GlobalTableWitnesses", [])
    if len(replicas) < 2:
        return [Finding("", f"{len(replicas)} replica(s){' plus a witness' if witnesses else ''}; at least 2 Regions must hold data")]
    return []


def _replica_pitr(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    if resource["Type"] == "AWS::DynamoDB::Table":
        spec = _props(resource).get("PointInTimeRecoverySpecification", {})
        return [] if spec.get("PointInTimeRecoveryEnabled") is True else [Finding("", "PITR is off")]
    return [
        Finding(f"Region::{r.get('Region')}", f"PITR is off on the {r.get('Region')} replica")
        for r in _props(resource).get("Replicas", [])
        if (r.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled") is not True
    ]


STATEFUL_TYPES = frozenset({
    "AWS::DynamoDB::GlobalTable", "AWS::DynamoDB::Table", "AWS::KMS::Key", "AWS::S3::Bucket", "AWS::SecretsManager::Secret",
})


def _stateful_retained(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    findings = [
        Finding(policy, f"{policy} is {resource.get(policy, 'Delete (default)')}; set it to Retain")
        for policy in ("DeletionPolicy", "UpdateReplacePolicy")
        if resource.get(policy) != "Retain"
    ]
    props = _props(resource)
    if resource["Type"] == "AWS::DynamoDB::Table" and props.get("DeletionProtectionEnabled") is not True:
        findings.append(Finding("DeletionProtection", "deletion protection is off"))
    for replica in props.get("Replicas", []) if resource["Type"] == "AWS::DynamoDB::GlobalTable" else []:
        if replica.get("DeletionProtectionEnabled") is not True:
            findings.append(Finding(f"DeletionProtection::{replica.get('Region')}", f"deletion protection is off on the {replica.get('Region')} replica"))
    return findings


def _scalable_target_for(view: TemplateView, service_id: str) -> tuple[str, Resource] | None:
    for target_id, target in view.of_type("AWS::ApplicationAutoScaling::ScalableTarget").items():
        props = _props(target)
        if props.get("ScalableDimension") == "ecs:service:DesiredCount" and service_id in references(props.get("ResourceId")):
            return target_id, target
    return None


def _service_zones(resource: Resource, view: TemplateView) -> set[str] | None:
    subnets = (_props(resource).get("NetworkConfiguration") or {}).get("AwsvpcConfiguration", {}).get("Subnets", [])
    zones = set()
    for subnet_id in references(subnets):
        subnet = view.resources.get(subnet_id)
        if subnet is None or subnet["Type"] != "AWS::EC2::Subnet":
            return None
        zone = _props(subnet).get("AvailabilityZone")
        if not isinstance(zone, str):
            return None
        zones.add(zone)
    return zones or None


def _ecs_multi_az(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    zones = _service_zones(resource, view)
    if zones is None:
        return None
    target = _scalable_target_for(view, logical_id)
    min_tasks = _props(target[1]).get("MinCapacity", 1) if target else _props(resource).get("DesiredCount", 1)
    findings = []
    if len(zones) < 2:
        findings.append(Finding("Subnets", f"subnets span {len(zones)} AZ; use at least 2"))
    needed = max(2, len(zones))
    if min_tasks < needed:
        findings.append(Finding("MinTasks", f"minimum {min_tasks} task(s) over {len(zones)} AZs; keep at least {needed} so every AZ runs one"))
    return findings


def _ecs_target_tracking(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    target = _scalable_target_for(view, logical_id)
    if target is None:
        return [Finding("", "no Application Auto Scaling scalable target")]
    tracking = [
        p for p in view.of_type("AWS::ApplicationAutoScaling::ScalingPolicy").values()
        if _props(p).get("PolicyType") == "TargetTrackingScaling" and target[0] in references(_props(p).get("ScalingTargetId"))
    ]
    return [] if tracking else [Finding("", "the scalable target has no target-tracking policy")]


def _nat_per_az(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    if not params.production:
        return None
    subnets = {sid: s for sid, s in view.of_type("AWS::EC2::Subnet").items() if logical_id in references(_props(s).get("VpcId"))}
    zones = {_props(s).get("AvailabilityZone") for s in subnets.values()}
    nat_zones = {
        _props(subnets[sid]).get("AvailabilityZone")
        for nat in view.of_type("AWS::EC2::NatGateway").values()
        for sid in references(_props(nat).get("SubnetId")) if sid in subnets
    }
    missing = sorted(z for z in zones - nat_zones if isinstance(z, str))
    return [Finding("", f"no NAT gateway in {', '.join(missing)}; an AZ failure would cut egress elsewhere")] if missing else []


def _routed_record_health_check(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    props = _props(resource)
    if "SetIdentifier" not in props:
        return None
    if props.get("HealthCheckId") or (props.get("AliasTarget") or {}).get("EvaluateTargetHealth") is True:
        return []
    return [Finding("", f"{props.get('Name')} ({props.get('SetIdentifier')}) is routed without a health check")]


def detection_seconds(health_check: Resource) -> int | None:
    """Seconds for Route 53 to mark an endpoint unhealthy: interval x failure threshold."""
    config = _props(health_check).get("HealthCheckConfig", {})
    if config.get("Type") not in ENDPOINT_HEALTH_CHECK_TYPES:
        return None
    return _detection(int(config.get("RequestInterval", DEFAULT_HEALTH_CHECK_INTERVAL)),
                      int(config.get("FailureThreshold", DEFAULT_HEALTH_CHECK_THRESHOLD)))


def _health_check_rto(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    detection = detection_seconds(resource)
    if detection is None:
        return None
    total = detection + ALIAS_TTL_SECONDS + params.retry_allowance_seconds
    if total <= params.rto_seconds:
        return []
    config = _props(resource)["HealthCheckConfig"]
    return [Finding("", (
        f"{config.get('RequestInterval', DEFAULT_HEALTH_CHECK_INTERVAL)} s x {config.get('FailureThreshold', DEFAULT_HEALTH_CHECK_THRESHOLD)} "
        f"+ {ALIAS_TTL_SECONDS} s DNS + {params.retry_allowance_seconds} s retries = {total} s exceeds the RTO of {params.rto_seconds} s"))]


def _target_group_health_path(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    props = _props(resource)
    if props.get("TargetType") == "lambda" or props.get("Protocol") not in ("HTTP", "HTTPS"):
        return None
    if props.get("HealthCheckEnabled") is False:
        return [Finding("", "health checks are disabled")]
    return [] if props.get("HealthCheckPath") else [Finding("", "no HealthCheckPath; the default / rarely proves the service works")]


# What a failing cell answers: the ALB's 502/503/504 (no healthy target, target reset or timeout) and a
# service's 500. An origin group that fails over on fewer serves them to viewers.
FAILOVER_STATUS_CODES = frozenset({500, 502, 503, 504})


def _origin_group(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    config = _props(resource).get("DistributionConfig", {})
    groups = {g.get("Id") for g in (config.get("OriginGroups") or {}).get("Items", [])}
    if not groups:
        return [Finding("", "no origin group; an origin failure reaches viewers")]
    if config.get("DefaultCacheBehavior", {}).get("TargetOriginId") not in groups:
        return [Finding("", "the default behaviour does not use the origin group")]
    findings = []
    for group in (config.get("OriginGroups") or {}).get("Items", []):
        codes = {int(c) for c in ((group.get("FailoverCriteria") or {}).get("StatusCodes") or {}).get("Items", [])
                 if str(c).isdigit()}
        missing = sorted(FAILOVER_STATUS_CODES - codes)
        if missing:
            findings.append(Finding(f"Group::{group.get('Id')}::StatusCodes",
                                    f"origin group {group.get('Id')} does not fail over on {', '.join(map(str, missing))}: "
                                    "a cell that answers those serves them to viewers"))
    return findings


# ---------------------------------------------------------------------------------------
# Operational excellence


def _circuit_breaker(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    props = _props(resource)
    if (props.get("DeploymentController") or {}).get("Type") in ("CODE_DEPLOY", "EXTERNAL"):
        return None
    breaker = (props.get("DeploymentConfiguration") or {}).get("DeploymentCircuitBreaker") or {}
    return [] if breaker.get("Enable") is True and breaker.get("Rollback") is True else [
        Finding("", "the deployment circuit breaker with rollback is off")]


def _container_insights(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    settings = {s.get("Name"): s.get("Value") for s in _props(resource).get("ClusterSettings", [])}
    return [] if settings.get("containerInsights") in ("enabled", "enhanced") else [Finding("", "Container Insights is off")]


# ---------------------------------------------------------------------------------------
# Security


def _alb_ingress(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    alb_groups = {
        group for lb in view.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer").values()
        if _props(lb).get("Type", "application") == "application"
        for group in references(_props(lb).get("SecurityGroups"))
    }
    if logical_id not in alb_groups:
        return None
    rules = list(_props(resource).get("SecurityGroupIngress", []))
    rules += [_props(r) for r in view.of_type("AWS::EC2::SecurityGroupIngress").values() if logical_id in references(_props(r).get("GroupId"))]
    return [
        Finding(f"Port::{r.get('FromPort')}", f"port {r.get('FromPort')} is open to {r.get('CidrIp') or r.get('CidrIpv6')}")
        for r in rules if r.get("CidrIp") == "0.0.0.0/0" or r.get("CidrIpv6") == "::/0"
    ]


def _public_subnets(view: TemplateView) -> set[str]:
    """Subnets of the template whose route table sends 0.0.0.0/0 to an internet gateway, or that map public IPs."""
    gateways = set(view.of_type("AWS::EC2::InternetGateway"))
    public_tables = {
        table for route in view.of_type("AWS::EC2::Route").values()
        if _props(route).get("DestinationCidrBlock") == "0.0.0.0/0" and references(_props(route).get("GatewayId")) & gateways
        for table in references(_props(route).get("RouteTableId"))
    }
    public = {subnet for subnet, resource in view.of_type("AWS::EC2::Subnet").items()
              if _props(resource).get("MapPublicIpOnLaunch") is True}
    for association in view.of_type("AWS::EC2::SubnetRouteTableAssociation").values():
        if references(_props(association).get("RouteTableId")) & public_tables:
            public |= references(_props(association).get("SubnetId"))
    return public


def _service_private(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    network = (_props(resource).get("NetworkConfiguration") or {}).get("AwsvpcConfiguration")
    if network is None:
        return None
    findings = []
    if network.get("AssignPublicIp", "DISABLED") != "DISABLED":
        findings.append(Finding("AssignPublicIp", "tasks get public IP addresses: each is reachable from the internet, "
                                                  "one security-group rule away from bypassing the ALB and the WAF"))
    public = sorted(references(network.get("Subnets")) & _public_subnets(view))
    if public:
        findings.append(Finding("Subnets", f"tasks run in public subnets ({', '.join(public)}); place them in private "
                                           "subnets behind the ALB"))
    return findings


def _task_role_region(logical_id: str, resource: Resource, view: TemplateView, statement: dict[str, Any]) -> list[Finding]:
    """A task's table actions name tables in its own Region: its cell serves from the local replica."""
    foreign = set()
    for arn in _as_list(statement.get("Resource", [])):
        if isinstance(arn, str) and arn.startswith("arn:") and ":dynamodb:" in arn:
            region = arn.split(":")[3]
            if region != view.region:
                foreign.add(region or "any Region")
        elif arn == "*":
            foreign.add("any Region")
    return [Finding(f"Region::{r}", f"a task role reaches tables in {r}: a cell must read and write its own Region's "
                                    "replica, so a Region's failure cannot reach into the others")
            for r in sorted(foreign)]


def _container_hardening(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    findings = []
    for container in _props(resource).get("ContainerDefinitions", []):
        name = container.get("Name", "?")
        if container.get("ReadonlyRootFilesystem") is not True:
            findings.append(Finding(f"Container::{name}::ReadonlyRootFilesystem", f"container {name} can write its root filesystem"))
        if str(container.get("User", "0")) in ROOT_USERS:
            findings.append(Finding(f"Container::{name}::User", f"container {name} runs as root"))
    return findings


# Service principals whose trust policies AWS documents aws:SourceAccount / aws:SourceArn for
# (confused-deputy prevention); docs/reference/confused-deputy.md cites each page.
SOURCE_CONDITION_SERVICES = frozenset({"scheduler.amazonaws.com", "fis.amazonaws.com", "vpc-flow-logs.amazonaws.com"})
# ECS documents the keys for task roles only; the execution role is assumed for the agent, and AWS shows no
# conditions there, so task roles (TaskRoleArn of a task definition) are held to it and execution roles are not.
TASK_ROLE_SERVICE = "ecs-tasks.amazonaws.com"
SOURCE_CONDITION_KEYS = {"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"}


def _statements(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        return []
    statements = document.get("Statement", [])
    return [s for s in (statements if isinstance(statements, list) else [statements]) if isinstance(s, dict)]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _condition_keys(statement: dict[str, Any]) -> set[str]:
    return {key.lower() for block in (statement.get("Condition") or {}).values() if isinstance(block, dict) for key in block}


def _task_role_ids(view: TemplateView) -> set[str]:
    return {i for task in view.of_type("AWS::ECS::TaskDefinition").values() for i in references(_props(task).get("TaskRoleArn"))}


def _service_role_source(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    findings, applies = [], False
    held = SOURCE_CONDITION_SERVICES | ({TASK_ROLE_SERVICE} if logical_id in _task_role_ids(view) else set())
    for statement in _statements(_props(resource).get("AssumeRolePolicyDocument")):
        if statement.get("Effect") != "Allow":
            continue
        services = {s for s in _as_list((statement.get("Principal") or {}).get("Service", [])) if isinstance(s, str)}
        guarded = sorted(services & held)
        if not guarded:
            continue
        applies = True
        if not _condition_keys(statement) & SOURCE_CONDITION_KEYS:
            findings.append(Finding(f"Service::{guarded[0]}", f"{', '.join(guarded)} may assume the role on behalf of any "
                                                             "account: the trust policy has no aws:SourceAccount or aws:SourceArn"))
    return findings if applies else None


# A request handler reads and writes items; these read a whole table or its change stream.
BULK_DATA_ACTIONS = frozenset({
    "dynamodb:scan", "dynamodb:getrecords", "dynamodb:getshariterator", "dynamodb:describestream",
    "dynamodb:liststreams", "dynamodb:exporttabletopointintime", "dynamodb:partiqlselect",
})


def _task_role_item_access(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    props = _props(resource)
    roles = references(props.get("Roles"))
    if not roles & _task_role_ids(view):
        return None
    findings = []
    for statement in _statements(props.get("PolicyDocument")):
        if statement.get("Effect") != "Allow":
            continue
        actions = {str(a).lower() for a in _as_list(statement.get("Action", []))}
        wide = sorted(a for a in actions if a in ("*", "dynamodb:*") or a in BULK_DATA_ACTIONS
                      or (a.startswith("dynamodb:") and "*" in a))
        if wide:
            findings.append(Finding(f"Action::{wide[0]}", f"a task role may call {', '.join(wide)}: whole-table reads "
                                                          "or stream reads that a request handler does not need"))
        if any(a == "*" or a.startswith("dynamodb:") for a in actions):
            findings += _task_role_region(logical_id, resource, view, statement)
    return findings


# KMS actions that use a key (cryptographic operations and grants); the rest administer it.
KEY_USE_ACTIONS = frozenset({"kms:*", "kms:decrypt", "kms:encrypt", "kms:generatedatakey*", "kms:reencrypt*",
                             "kms:creategrant", "kms:generatedatakey", "kms:generatedatakeywithoutplaintext",
                             "kms:reencryptfrom", "kms:reencryptto", "*"})
KEY_USE_SCOPE_KEYS = {"kms:viaservice", "kms:encryptioncontext:aws:logs:arn", "kms:grantisforawsresource"}


def _key_duties(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    findings = []
    for statement in _statements(_props(resource).get("KeyPolicy")):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        aws = _as_list(principal.get("AWS", [])) if isinstance(principal, dict) else [principal]
        if not aws or principal is None:
            continue
        actions = {str(a).lower() for a in _as_list(statement.get("Action", []))}
        use = sorted(actions & KEY_USE_ACTIONS)
        scoped = {k for k in _condition_keys(statement) if k in KEY_USE_SCOPE_KEYS or k.startswith("kms:encryptioncontext")}
        if use and not scoped:
            findings.append(Finding(f"Statement::{statement.get('Sid', use[0])}",
                                    f"{statement.get('Sid') or 'a statement'} lets IAM principals use the key ({', '.join(use)}) "
                                    "for any purpose: key administration and key use are not separated"))
    return findings


def _log_group_encrypted(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    return [] if _props(resource).get("KmsKeyId") else [Finding("", "log events are encrypted with a key the workload "
                                                                    "does not control (no KmsKeyId)")]


# ---------------------------------------------------------------------------------------
# Sustainability


def _graviton(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    props = _props(resource)
    if "FARGATE" not in props.get("RequiresCompatibilities", []) and "RuntimePlatform" not in props:
        return None
    arch = (props.get("RuntimePlatform") or {}).get("CpuArchitecture", "X86_64")
    return [] if arch == "ARM64" else [Finding("", f"CPU architecture {arch}; Graviton (ARM64) does the same work for less energy and about 20% less cost")]


def _log_retention(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    return [] if _props(resource).get("RetentionInDays") else [Finding("", "logs are kept forever")]


def _log_buckets(view: TemplateView) -> set[str]:
    buckets: set[str] = set()
    for lb in view.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer").values():
        for attribute in _props(lb).get("LoadBalancerAttributes", []):
            if attribute.get("Key") == "access_logs.s3.bucket":
                buckets |= references(attribute.get("Value"))
    for flow_log in view.of_type("AWS::EC2::FlowLog").values():
        buckets |= references(_props(flow_log).get("LogDestination"))
    for dist in view.of_type("AWS::CloudFront::Distribution").values():
        buckets |= references((_props(dist).get("DistributionConfig", {}).get("Logging") or {}).get("Bucket"))
    return buckets


def _log_bucket_lifecycle(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    if logical_id not in _log_buckets(view):
        return None
    rules = (_props(resource).get("LifecycleConfiguration") or {}).get("Rules", [])
    expiring = [r for r in rules if r.get("Status", "Enabled") == "Enabled" and (r.get("ExpirationInDays") or r.get("Transitions"))]
    return [] if expiring else [Finding("", "log objects never expire or move to a colder class")]


def _table_ttl(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    spec = _props(resource).get("TimeToLiveSpecification") or {}
    return [] if spec.get("Enabled") is True and spec.get("AttributeName") else [
        Finding("", "items never expire: sessions and other short-lived data are kept (and paid for) forever")]


# ---------------------------------------------------------------------------------------
# Cost optimization


def _table_capacity(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    props = _props(resource)
    if props.get("BillingMode") == "PAY_PER_REQUEST":
        return []
    if resource["Type"] == "AWS::DynamoDB::GlobalTable":
        write_auto = (props.get("WriteProvisionedThroughputSettings") or {}).get("WriteCapacityAutoScalingSettings")
        read_fixed = [r.get("Region") for r in props.get("Replicas", [])
                      if not (r.get("ReadProvisionedThroughputSettings") or {}).get("ReadCapacityAutoScalingSettings")]
        findings = [] if write_auto else [Finding("Write", "write capacity is fixed")]
        findings += [Finding(f"Read::{r}", f"read capacity of the {r} replica is fixed") for r in read_fixed]
        return findings
    scaled = {_props(t).get("ScalableDimension") for t in view.of_type("AWS::ApplicationAutoScaling::ScalableTarget").values()
              if logical_id in references(_props(t).get("ResourceId"))}
    return [] if {"dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"} <= scaled else [
        Finding("", "provisioned capacity without autoscaling")]


def _cost_tags(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    resource_type = resource["Type"]
    expected = {**params.required_tags, "region": view.region, "cell": view.cell}
    if resource_type == "AWS::DynamoDB::GlobalTable":
        findings = []
        for replica in _props(resource).get("Replicas", []):
            region = replica.get("Region")
            findings += _missing_tags(_tags(replica.get("Tags")), {**expected, "region": region, "cell": region}, f"Replica::{region}::")
        return findings
    prop = tag_properties().get(resource_type)
    if prop is None:
        return None
    wanted = dict(expected)
    if resource_type in params.service_tag_types:
        wanted["service"] = None
    return _missing_tags(_tags(_props(resource).get(prop)), wanted, "")


def _missing_tags(tags: dict[str, Any], wanted: Mapping[str, str | None], prefix: str) -> list[Finding]:
    findings = []
    for key, value in wanted.items():
        if key not in tags:
            findings.append(Finding(f"{prefix}Tag::{key}", f"{prefix}tag '{key}' is missing"))
        elif value is not None and tags[key] != value:
            findings.append(Finding(f"{prefix}Tag::{key}", f"{prefix}tag '{key}' is '{tags[key]}', expected '{value}'"))
    return findings


def _all_taggable_types() -> frozenset[str]:
    return frozenset(tag_properties()) | {"AWS::DynamoDB::GlobalTable"}


# ---------------------------------------------------------------------------------------
# The pack's rules


RULES: tuple[WaRule, ...] = (
    WaRule("REL-DynamoGlobalTableReplicas", "REL10-BP01", "Deploy the workload to multiple locations",
           "Every DynamoDB table is a global table with at least 2 replicas",
           "Data in one Region is lost or unreachable with that Region. Use a TableV2 with a replica in every cell Region.",
           frozenset({"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"}), _global_table_replicas),
    WaRule("REL-DynamoReplicaPitr", "REL09-BP01", "Identify and back up all data that needs to be backed up",
           "Point-in-time recovery is on for every replica",
           "Replication copies deletes and corruption to every Region; only PITR can restore the data to before a bad write.",
           frozenset({"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"}), _replica_pitr),
    WaRule("REL-StatefulResourceRetained", "SEC08-BP04", "Enforce access control (prevent inadvertent deletion)",
           "Stateful resources are retained on delete and replace, and tables have deletion protection",
           "A stack deletion or a replacing change must never destroy data or the keys that decrypt it. Set RemovalPolicy.RETAIN "
           "and deletion protection; see also REL09-BP01.",
           STATEFUL_TYPES, _stateful_retained),
    WaRule("REL-EcsServiceMultiAz", "REL10-BP01", "Deploy the workload to multiple locations",
           "ECS services span at least 2 AZs and keep at least one task per AZ (min tasks >= AZs and >= 2)",
           "With fewer tasks than AZs, losing one AZ can take the service down until new tasks start (REL11-BP05 static stability). "
           "Raise min_tasks or the number of subnets.",
           frozenset({"AWS::ECS::Service"}), _ecs_multi_az),
    WaRule("REL-EcsServiceTargetTracking", "REL07-BP03", "Obtain resources upon detection that more resources are needed",
           "ECS services have a scalable target with a target-tracking policy",
           "Without target tracking, load above the planned capacity is not absorbed. Add auto_scale_task_count and a target-tracking policy.",
           frozenset({"AWS::ECS::Service"}), _ecs_target_tracking),
    WaRule("REL-VpcNatGatewayPerAz", "REL11-BP05", "Use static stability to prevent bimodal behavior",
           "Production VPCs have a NAT gateway in every AZ",
           "A shared NAT gateway makes every AZ depend on one. Set network.nat_gateways_per_az: true for production.",
           frozenset({"AWS::EC2::VPC"}), _nat_per_az),
    WaRule("REL-Route53RoutedRecordHealthCheck", "REL11-BP02", "Fail over to healthy resources",
           "Every routed (latency, weighted, failover, geo) record carries a health check",
           "Route 53 keeps answering with an unhealthy endpoint unless the record has a health check. Attach one.",
           frozenset({"AWS::Route53::RecordSet"}), _routed_record_health_check),
    WaRule("REL-Route53HealthCheckRtoBudget", "REL11-BP01", "Monitor all components of the workload to detect failures",
           "Health-check interval x failure threshold, plus DNS TTL and client retries, fits the RTO",
           "Detection slower than the RTO makes the RTO unreachable. Lower routing.health_check.request_interval_seconds or failure_threshold, "
           "or raise resilience.rto_seconds if the business accepts it.",
           frozenset({"AWS::Route53::HealthCheck"}), _health_check_rto),
    WaRule("REL-ElbTargetGroupHealthCheckPath", "REL11-BP01", "Monitor all components of the workload to detect failures",
           "HTTP target groups check an explicit health path",
           "The default path / proves only that a web server answers. Point health_check_path at an endpoint that checks the service's dependencies.",
           frozenset({"AWS::ElasticLoadBalancingV2::TargetGroup"}), _target_group_health_path),
    WaRule("REL-CloudFrontOriginGroup", "REL11-BP02", "Fail over to healthy resources",
           "CloudFront distributions fail over between origins with an origin group on the default behaviour, on 500/502/503/504",
           "Without an origin group, or with one that does not fail over on the errors a failing cell answers, a failing "
           "origin serves errors until DNS moves traffic. Add an origin group that fails over on 500, 502, 503 and 504.",
           frozenset({"AWS::CloudFront::Distribution"}), _origin_group),
    WaRule("OPS-EcsDeploymentCircuitBreaker", "OPS06-BP04", "Automate testing and rollback",
           "ECS services roll back failed deployments automatically",
           "A bad image or config otherwise keeps replacing tasks until a human notices. Enable the circuit breaker with rollback.",
           frozenset({"AWS::ECS::Service"}), _circuit_breaker),
    WaRule("OPS-EcsClusterContainerInsights", "OPS04-BP02", "Implement application telemetry",
           "Container Insights is on for every ECS cluster",
           "Task- and service-level CPU, memory and network metrics are needed to compare cells and tune scaling. Enable it.",
           frozenset({"AWS::ECS::Cluster"}), _container_insights),
    WaRule("SEC-AlbIngressNotOpen", "SEC05-BP02", "Control traffic flow within your network layers",
           "No ALB security group admits 0.0.0.0/0 or ::/0",
           "Cell ALBs must only be reachable from CloudFront and Route 53 health checkers; use the managed prefix lists.",
           frozenset({"AWS::EC2::SecurityGroup"}), _alb_ingress),
    WaRule("SEC-EcsServicePrivate", "SEC05-BP02", "Control traffic flow within your network layers",
           "ECS tasks get no public IP address and run in private subnets",
           "A task with a public address is reachable around the ALB and the WAF, one security-group change away. Keep "
           "AssignPublicIp DISABLED and the service in the VPC's private subnets (see also SEC05-BP01 network layers).",
           frozenset({"AWS::ECS::Service"}), _service_private),
    WaRule("SEC-EcsContainerHardening", "SEC06-BP02", "Provision compute from hardened images",
           "Containers run as a non-root user with a read-only root filesystem",
           "A compromised process should not be able to write binaries or act as root. Set readonly_root_filesystem and a non-root user "
           "(supports SEC03-BP02 least privilege).",
           frozenset({"AWS::ECS::TaskDefinition"}), _container_hardening),
    WaRule("SEC-IamServiceRoleSourceCondition", "SEC03-BP02", "Grant least privilege access",
           "Roles that AWS services assume on the account's behalf require aws:SourceAccount or aws:SourceArn",
           "Without a source condition, the service may assume the role for a request from another account (the confused "
           "deputy problem). Add the conditions the service documents to the trust policy.",
           frozenset({"AWS::IAM::Role"}), _service_role_source),
    WaRule("SEC-IamTaskRoleItemAccessOnly", "SEC03-BP02", "Grant least privilege access",
           "Task roles read and write table items only, in their own Region: no Scan, no stream reads, no wildcards",
           "A compromised task with Scan or stream access can read the whole table, and a cell that reaches another "
           "Region's replica shares that Region's failures. Grant the item actions a handler needs on the local replica "
           "(ReplicaAccess.grant_read_write).",
           frozenset({"AWS::IAM::Policy"}), _task_role_item_access),
    WaRule("SEC-KmsKeyPolicySeparatesDuties", "SEC08-BP01", "Implement secure key management",
           "Key policies separate administration from use: the account may use a key only through a named service",
           "A key policy that gives kms:* (or Decrypt) to the account root lets any principal IAM allows decrypt "
           "everything. Give administrators management actions, and key use only with kms:ViaService or an encryption "
           "context (see kickoff/constructs/encryption_keys.py).",
           frozenset({"AWS::KMS::Key"}), _key_duties),
    WaRule("SEC-LogsLogGroupEncrypted", "SEC08-BP02", "Enforce encryption at rest",
           "Every log group is encrypted with a customer managed key",
           "Logs hold request details and identifiers. Encrypt each log group with the stack's log key (LogEncryptionKey).",
           frozenset({"AWS::Logs::LogGroup"}), _log_group_encrypted),
    WaRule("SUS-EcsTaskGraviton", "SUS05-BP02", "Use instance types with the least impact",
           "Fargate task definitions run on ARM64 (Graviton)",
           "Graviton does the same work with less energy and about 20% lower Fargate price. Set CpuArchitecture.ARM64 and build multi-arch images.",
           frozenset({"AWS::ECS::TaskDefinition"}), _graviton),
    WaRule("SUS-LogsLogGroupRetention", "SUS04-BP03", "Use policies to manage the lifecycle of your datasets",
           "Every log group has a finite retention",
           "Logs kept forever cost storage and energy with no use. Set a retention (see also COST04-BP05).",
           frozenset({"AWS::Logs::LogGroup"}), _log_retention),
    WaRule("SUS-S3LogBucketLifecycle", "SUS04-BP03", "Use policies to manage the lifecycle of your datasets",
           "Buckets that receive logs expire or transition their objects",
           "Access and flow logs grow without bound. Add a lifecycle rule (logging.access_log_expiration_days).",
           frozenset({"AWS::S3::Bucket"}), _log_bucket_lifecycle),
    WaRule("SUS-DynamoTableTtl", "SUS04-BP03", "Use policies to manage the lifecycle of your datasets",
           "Every DynamoDB table expires items through a TTL attribute",
           "Sessions outlive their use and are stored, replicated to every Region and backed up forever. Set "
           "table.ttl_attribute and write an expiry on each item.",
           frozenset({"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"}), _table_ttl),
    WaRule("COST-DynamoCapacityMode", "COST09-BP03", "Supply resources dynamically",
           "Tables are on-demand, or provisioned with autoscaling",
           "Fixed provisioned capacity is paid for at peak all week. Use on-demand, or autoscaled read and write capacity.",
           frozenset({"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"}), _table_capacity),
    WaRule("COST-CostAllocationTags", "COST03-BP02", "Add organization information to cost and usage",
           "Every taggable resource carries the cost-allocation tags app, env, region, cell (and service on services)",
           "Untagged spend cannot be attributed to a cell or service, so per-cell cost cannot be compared. Tag at the stack and service level.",
           _all_taggable_types(), _cost_tags),
)


def evaluate(views, params: Params, rules: tuple[WaRule, ...] = RULES) -> PackResult:
    """Run ``rules`` over every resource of every template, dispatching by resource type."""
    return _evaluate(views, params, rules)


def iter_rules_markdown() -> Iterator[str]:
    """README table rows: rule, pillar, best practice, what it checks."""
    yield "| rule | pillar | best practice | checks |"
    yield "|---|---|---|---|"
    for rule in RULES:
        yield f"| `{rule.rule_id}` | {rule.pillar} | {rule.bp_id} {rule.bp_title} | {rule.summary} |"


__all__ = ["RULES", "Evaluation", "Finding", "PackResult", "Params", "TemplateView", "WaRule", "evaluate",
           "iter_rules_markdown", "load_view", "references"]
