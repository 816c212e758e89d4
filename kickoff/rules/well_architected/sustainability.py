"""Sustainability: Graviton, and data kept only as long as it is used."""

from __future__ import annotations

from kickoff.rules.engine import Finding, Resource, TemplateView, references
from kickoff.rules.engine import props as _props
from kickoff.rules.well_architected.rule import Params, WaRule


def _graviton(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    props = _props(resource)
    if "FARGATE" not in props.get("RequiresCompatibilities", []) and "RuntimePlatform" not in props:
        return None
    arch = (props.get("RuntimePlatform") or {}).get("CpuArchitecture", "X86_64")
    return (
        []
        if arch == "ARM64"
        else [
            Finding(
                "",
                f"CPU architecture {arch}; Graviton (ARM64) does the same work for less energy and about 20% less cost",
            )
        ]
    )


ECS_TASK_GRAVITON = WaRule(
    "SUS-EcsTaskGraviton",
    "SUS05-BP02",
    "Use instance types with the least impact",
    "Fargate task definitions run on ARM64 (Graviton)",
    "Graviton does the same work with less energy and about 20% lower Fargate price. Set CpuArchitecture.ARM64 and "
    "build multi-arch images.",
    frozenset({"AWS::ECS::TaskDefinition"}),
    _graviton,
)


def _log_retention(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    return [] if _props(resource).get("RetentionInDays") else [Finding("", "logs are kept forever")]


LOGS_LOG_GROUP_RETENTION = WaRule(
    "SUS-LogsLogGroupRetention",
    "SUS04-BP03",
    "Use policies to manage the lifecycle of your datasets",
    "Every log group has a finite retention",
    "Logs kept forever cost storage and energy with no use. Set a retention (see also COST04-BP05).",
    frozenset({"AWS::Logs::LogGroup"}),
    _log_retention,
)


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


def _log_bucket_lifecycle(
    logical_id: str, resource: Resource, view: TemplateView, params: Params
) -> list[Finding] | None:
    if logical_id not in _log_buckets(view):
        return None
    rules = (_props(resource).get("LifecycleConfiguration") or {}).get("Rules", [])
    expiring = [
        r
        for r in rules
        if r.get("Status", "Enabled") == "Enabled" and (r.get("ExpirationInDays") or r.get("Transitions"))
    ]
    return [] if expiring else [Finding("", "log objects never expire or move to a colder class")]


S3_LOG_BUCKET_LIFECYCLE = WaRule(
    "SUS-S3LogBucketLifecycle",
    "SUS04-BP03",
    "Use policies to manage the lifecycle of your datasets",
    "Buckets that receive logs expire or transition their objects",
    "Access and flow logs grow without bound. Add a lifecycle rule (logging.access_log_expiration_days).",
    frozenset({"AWS::S3::Bucket"}),
    _log_bucket_lifecycle,
)


def _table_ttl(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    spec = _props(resource).get("TimeToLiveSpecification") or {}
    return (
        []
        if spec.get("Enabled") is True and spec.get("AttributeName")
        else [Finding("", "items never expire: sessions and other short-lived data are kept (and paid for) forever")]
    )


DYNAMO_TABLE_TTL = WaRule(
    "SUS-DynamoTableTtl",
    "SUS04-BP03",
    "Use policies to manage the lifecycle of your datasets",
    "Every DynamoDB table expires items through a TTL attribute",
    "Sessions outlive their use and are stored, replicated to every Region and backed up forever. Set "
    "table.ttl_attribute and write an expiry on each item.",
    frozenset({"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"}),
    _table_ttl,
)


RULES: tuple[WaRule, ...] = (
    ECS_TASK_GRAVITON,
    LOGS_LOG_GROUP_RETENTION,
    S3_LOG_BUCKET_LIFECYCLE,
    DYNAMO_TABLE_TTL,
)
