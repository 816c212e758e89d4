"""Reliability: data in several Regions and backed up, capacity in every AZ, failures detected and
routed around within the RTO."""

from __future__ import annotations

from kickoff.failover import (
    rto_budget,
)
from kickoff.rules.engine import Finding, Resource, TemplateView, references, tags
from kickoff.rules.engine import props as _props
from kickoff.rules.failover_terms import routing_detection
from kickoff.rules.well_architected.rule import Params, WaRule


def _global_table_replicas(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    if resource["Type"] == "AWS::DynamoDB::Table":
        return [Finding("", "a single-Region table; use a global table with a replica in every cell Region")]
    props = _props(resource)
    replicas = props.get("Replicas", [])
    witnesses = props.get("GlobalTableWitnesses", [])
    if len(replicas) < 2:
        plus = " plus a witness" if witnesses else ""
        return [Finding("", f"{len(replicas)} replica(s){plus}; at least 2 Regions must hold data")]
    return []


DYNAMO_GLOBAL_TABLE_REPLICAS = WaRule(
    "REL-DynamoGlobalTableReplicas",
    "REL10-BP01",
    "Deploy the workload to multiple locations",
    "Every DynamoDB table is a global table with at least 2 replicas",
    "Data in one Region is lost or unreachable with that Region. Use a TableV2 with a replica in every cell Region.",
    frozenset({"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"}),
    _global_table_replicas,
)


def _replica_pitr(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    if resource["Type"] == "AWS::DynamoDB::Table":
        spec = _props(resource).get("PointInTimeRecoverySpecification", {})
        return [] if spec.get("PointInTimeRecoveryEnabled") is True else [Finding("", "PITR is off")]
    return [
        Finding(f"Region::{r.get('Region')}", f"PITR is off on the {r.get('Region')} replica")
        for r in _props(resource).get("Replicas", [])
        if (r.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled") is not True
    ]


DYNAMO_REPLICA_PITR = WaRule(
    "REL-DynamoReplicaPitr",
    "REL09-BP01",
    "Identify and back up all data that needs to be backed up",
    "Point-in-time recovery is on for every replica",
    "Replication copies deletes and corruption to every Region; only PITR can restore the data to before a bad write.",
    frozenset({"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"}),
    _replica_pitr,
)


STATEFUL_TYPES = frozenset(
    {
        "AWS::DynamoDB::GlobalTable",
        "AWS::DynamoDB::Table",
        "AWS::KMS::Key",
        "AWS::S3::Bucket",
        "AWS::SecretsManager::Secret",
    }
)


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
            findings.append(
                Finding(
                    f"DeletionProtection::{replica.get('Region')}",
                    f"deletion protection is off on the {replica.get('Region')} replica",
                )
            )
    return findings


STATEFUL_RESOURCE_RETAINED = WaRule(
    "REL-StatefulResourceRetained",
    "SEC08-BP04",
    "Enforce access control (prevent inadvertent deletion)",
    "Stateful resources are retained on delete and replace, and tables have deletion protection",
    "A stack deletion or a replacing change must never destroy data or the keys that decrypt it. "
    "Set RemovalPolicy.RETAIN and deletion protection; see also REL09-BP01.",
    STATEFUL_TYPES,
    _stateful_retained,
)


def _scalable_target_for(view: TemplateView, service_id: str) -> tuple[str, Resource] | None:
    for target_id, target in view.of_type("AWS::ApplicationAutoScaling::ScalableTarget").items():
        props = _props(target)
        if props.get("ScalableDimension") == "ecs:service:DesiredCount" and service_id in references(
            props.get("ResourceId")
        ):
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
        service = tags(_props(resource).get("Tags")).get("service")
        findings.append(
            Finding(
                "MinTasks",
                f"minimum {min_tasks} task(s) over {len(zones)} AZs; keep at least {needed} so every AZ runs one"
                + params.set_by(f"services.{service}.min_tasks"),
            )
        )
    return findings


ECS_SERVICE_MULTI_AZ = WaRule(
    "REL-EcsServiceMultiAz",
    "REL10-BP01",
    "Deploy the workload to multiple locations",
    "ECS services span at least 2 AZs and keep at least one task per AZ (min tasks >= AZs and >= 2)",
    "With fewer tasks than AZs, losing one AZ can take the service down until new tasks start (REL11-BP05 static "
    "stability). "
    "Raise min_tasks or the number of subnets.",
    frozenset({"AWS::ECS::Service"}),
    _ecs_multi_az,
)


def _ecs_target_tracking(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    target = _scalable_target_for(view, logical_id)
    if target is None:
        return [Finding("", "no Application Auto Scaling scalable target")]
    tracking = [
        p
        for p in view.of_type("AWS::ApplicationAutoScaling::ScalingPolicy").values()
        if _props(p).get("PolicyType") == "TargetTrackingScaling"
        and target[0] in references(_props(p).get("ScalingTargetId"))
    ]
    return [] if tracking else [Finding("", "the scalable target has no target-tracking policy")]


ECS_SERVICE_TARGET_TRACKING = WaRule(
    "REL-EcsServiceTargetTracking",
    "REL07-BP03",
    "Obtain resources upon detection that more resources are needed",
    "ECS services have a scalable target with a target-tracking policy",
    "Without target tracking, load above the planned capacity is not absorbed. Add auto_scale_task_count and a "
    "target-tracking policy.",
    frozenset({"AWS::ECS::Service"}),
    _ecs_target_tracking,
)


def _nat_per_az(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    if not params.production:
        return None
    subnets = {
        sid: s
        for sid, s in view.of_type("AWS::EC2::Subnet").items()
        if logical_id in references(_props(s).get("VpcId"))
    }
    zones = {_props(s).get("AvailabilityZone") for s in subnets.values()}
    nat_zones = {
        _props(subnets[sid]).get("AvailabilityZone")
        for nat in view.of_type("AWS::EC2::NatGateway").values()
        for sid in references(_props(nat).get("SubnetId"))
        if sid in subnets
    }
    missing = sorted(z for z in zones - nat_zones if isinstance(z, str))
    return (
        [Finding("", f"no NAT gateway in {', '.join(missing)}; an AZ failure would cut egress elsewhere")]
        if missing
        else []
    )


VPC_NAT_GATEWAY_PER_AZ = WaRule(
    "REL-VpcNatGatewayPerAz",
    "REL11-BP05",
    "Use static stability to prevent bimodal behavior",
    "Production VPCs have a NAT gateway in every AZ",
    "A shared NAT gateway makes every AZ depend on one. Set network.nat_gateways_per_az: true for production.",
    frozenset({"AWS::EC2::VPC"}),
    _nat_per_az,
)


def _routed_record_health_check(
    logical_id: str, resource: Resource, view: TemplateView, params: Params
) -> list[Finding] | None:
    props = _props(resource)
    if "SetIdentifier" not in props:
        return None
    if props.get("HealthCheckId") or (props.get("AliasTarget") or {}).get("EvaluateTargetHealth") is True:
        return []
    return [Finding("", f"{props.get('Name')} ({props.get('SetIdentifier')}) is routed without a health check")]


ROUTE53_ROUTED_RECORD_HEALTH_CHECK = WaRule(
    "REL-Route53RoutedRecordHealthCheck",
    "REL11-BP02",
    "Fail over to healthy resources",
    "Every routed (latency, weighted, failover, geo) record carries a health check",
    "Route 53 keeps answering with an unhealthy endpoint unless the record has a health check. Attach one.",
    frozenset({"AWS::Route53::RecordSet"}),
    _routed_record_health_check,
)


def _health_check_rto(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    # Judged where routing reads it: a record's check (a calculated check's children through it).
    routed = any(
        logical_id in references(_props(r).get("HealthCheckId"))
        for r in view.of_type("AWS::Route53::RecordSet").values()
    )
    detection = routing_detection(resource, view.resources) if routed else None
    if detection is None:
        return None
    # The secondary origin's path: the longest latency CNAME of this template (the cell's secondary record).
    secondary_ttl = max(
        (
            int(_props(r).get("TTL", 0))
            for r in view.of_type("AWS::Route53::RecordSet").values()
            if _props(r).get("Type") == "CNAME" and "SetIdentifier" in _props(r)
        ),
        default=0,
    )
    times = rto_budget(detection=detection[0], retries=params.retry_allowance_seconds, secondary_ttl=secondary_ttl)
    if times.worst <= params.rto_seconds:
        return []
    return [
        Finding(
            "",
            (
                f"{detection[1]} = {times.detection} s, + {times.dns} s DNS + {times.retries} s retries = "
                f"{times.primary} s; "
                f"secondary origin {times.detection} s + {times.secondary_dns} s CNAME and alias TTLs = "
                f"{times.secondary} s; "
                f"the worst, {times.worst} s, exceeds the RTO of {params.rto_seconds} s"
            ),
        )
    ]


ROUTE53_HEALTH_CHECK_RTO_BUDGET = WaRule(
    "REL-Route53HealthCheckRtoBudget",
    "REL11-BP01",
    "Monitor all components of the workload to detect failures",
    "A routed record's health check detects a cell that stops answering, plus DNS TTLs and client retries, within "
    "the RTO (both failover paths)",
    "Detection slower than the RTO makes the RTO unreachable. Lower routing.health_check.request_interval_seconds or "
    "failure_threshold, routing.secondary_ttl_seconds or the edge.origin_* timeouts, or raise resilience.rto_seconds "
    "if the business accepts it. The terms are added up by kickoff.failover.rto_budget, as in the resilience budget.",
    frozenset({"AWS::Route53::HealthCheck"}),
    _health_check_rto,
)


def _target_group_health_path(
    logical_id: str, resource: Resource, view: TemplateView, params: Params
) -> list[Finding] | None:
    props = _props(resource)
    if props.get("TargetType") == "lambda" or props.get("Protocol") not in ("HTTP", "HTTPS"):
        return None
    if props.get("HealthCheckEnabled") is False:
        return [Finding("", "health checks are disabled")]
    return (
        []
        if props.get("HealthCheckPath")
        else [Finding("", "no HealthCheckPath; the default / rarely proves the service works")]
    )


ELB_TARGET_GROUP_HEALTH_CHECK_PATH = WaRule(
    "REL-ElbTargetGroupHealthCheckPath",
    "REL11-BP01",
    "Monitor all components of the workload to detect failures",
    "HTTP target groups check an explicit health path",
    "The default path / proves only that a web server answers. Point health_check_path at an endpoint that checks the "
    "service's dependencies.",
    frozenset({"AWS::ElasticLoadBalancingV2::TargetGroup"}),
    _target_group_health_path,
)


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
        codes = {
            int(c)
            for c in ((group.get("FailoverCriteria") or {}).get("StatusCodes") or {}).get("Items", [])
            if str(c).isdigit()
        }
        missing = sorted(FAILOVER_STATUS_CODES - codes)
        if missing:
            findings.append(
                Finding(
                    f"Group::{group.get('Id')}::StatusCodes",
                    f"origin group {group.get('Id')} does not fail over on {', '.join(map(str, missing))}: "
                    "a cell that answers those serves them to viewers",
                )
            )
    return findings


CLOUDFRONT_ORIGIN_GROUP = WaRule(
    "REL-CloudFrontOriginGroup",
    "REL11-BP02",
    "Fail over to healthy resources",
    "CloudFront distributions fail over between origins with an origin group on the default behaviour, on "
    "500/502/503/504",
    "Without an origin group, or with one that does not fail over on the errors a failing cell answers, a failing "
    "origin serves errors until DNS moves traffic. Add an origin group that fails over on 500, 502, 503 and 504.",
    frozenset({"AWS::CloudFront::Distribution"}),
    _origin_group,
)


RULES: tuple[WaRule, ...] = (
    DYNAMO_GLOBAL_TABLE_REPLICAS,
    DYNAMO_REPLICA_PITR,
    STATEFUL_RESOURCE_RETAINED,
    ECS_SERVICE_MULTI_AZ,
    ECS_SERVICE_TARGET_TRACKING,
    VPC_NAT_GATEWAY_PER_AZ,
    ROUTE53_ROUTED_RECORD_HEALTH_CHECK,
    ROUTE53_HEALTH_CHECK_RTO_BUDGET,
    ELB_TARGET_GROUP_HEALTH_CHECK_PATH,
    CLOUDFRONT_ORIGIN_GROUP,
)
