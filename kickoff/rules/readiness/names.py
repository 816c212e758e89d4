"""Physical names: unique where AWS makes them unique, and never a trap for a rebuilt stack.

A name is claimed in a scope: the partition (S3 buckets), the account (CloudWatch
dashboards, IAM, CloudFront policies, CLOUDFRONT-scope WAF), an account and Region (most
others; a global table or a replicated secret claims its name in every replica Region), or
a hosted zone (record sets, by name, type and set identifier). Sources:
docs/reference/account-global-names.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props
from kickoff.rules.readiness.context import Located, Readiness
from kickoff.rules.readiness.rule import ReadinessRule


@dataclass(frozen=True)
class NameSpec:
    """Where a type's name lives and how far it is unique."""

    path: tuple[str, ...]  # property path to the name
    scope: str  # "partition" | "account" | "region"
    what: str


NAMES: dict[str, NameSpec] = {
    "AWS::S3::Bucket": NameSpec(("BucketName",), "partition", "S3 bucket names are unique across every account"),
    "AWS::CloudWatch::Dashboard": NameSpec(
        ("DashboardName",), "account", "CloudWatch dashboards are global in the account"
    ),
    "AWS::IAM::Role": NameSpec(("RoleName",), "account", "IAM role names are global in the account"),
    "AWS::IAM::ManagedPolicy": NameSpec(
        ("ManagedPolicyName",), "account", "IAM policy names are global in the account"
    ),
    "AWS::IAM::User": NameSpec(("UserName",), "account", "IAM user names are global in the account"),
    "AWS::IAM::Group": NameSpec(("GroupName",), "account", "IAM group names are global in the account"),
    "AWS::IAM::InstanceProfile": NameSpec(("InstanceProfileName",), "account", "IAM names are global in the account"),
    "AWS::CloudFront::CachePolicy": NameSpec(
        ("CachePolicyConfig", "Name"), "account", "CloudFront is a global service"
    ),
    "AWS::CloudFront::OriginRequestPolicy": NameSpec(
        ("OriginRequestPolicyConfig", "Name"), "account", "CloudFront is a global service"
    ),
    "AWS::CloudFront::ResponseHeadersPolicy": NameSpec(
        ("ResponseHeadersPolicyConfig", "Name"), "account", "CloudFront is a global service"
    ),
    "AWS::CloudFront::OriginAccessControl": NameSpec(
        ("OriginAccessControlConfig", "Name"), "account", "CloudFront is a global service"
    ),
    "AWS::CloudFront::Function": NameSpec(("Name",), "account", "CloudFront is a global service"),
    "AWS::CloudFront::KeyValueStore": NameSpec(("Name",), "account", "CloudFront is a global service"),
    "AWS::WAFv2::WebACL": NameSpec(("Name",), "region", "web ACL names are unique per scope and Region"),
    "AWS::Logs::LogGroup": NameSpec(("LogGroupName",), "region", "log group names are unique in a Region"),
    "AWS::ECS::Cluster": NameSpec(("ClusterName",), "region", "cluster names are unique in a Region"),
    "AWS::DynamoDB::Table": NameSpec(("TableName",), "region", "table names are unique in a Region"),
    "AWS::DynamoDB::GlobalTable": NameSpec(
        ("TableName",), "region", "a global table claims its name in every replica Region"
    ),
    "AWS::SecretsManager::Secret": NameSpec(("Name",), "region", "a secret claims its name in every replica Region"),
    "AWS::KMS::Alias": NameSpec(("AliasName",), "region", "alias names are unique in a Region"),
    "AWS::Scheduler::ScheduleGroup": NameSpec(("Name",), "region", "schedule group names are unique in a Region"),
    "AWS::SNS::Topic": NameSpec(("TopicName",), "region", "topic names are unique in a Region"),
    "AWS::CloudWatch::Alarm": NameSpec(("AlarmName",), "region", "alarm names are unique in a Region"),
    "AWS::CloudWatch::CompositeAlarm": NameSpec(("AlarmName",), "region", "alarm names are unique in a Region"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": NameSpec(
        ("Name",), "region", "load balancer names are unique in a Region"
    ),
    "AWS::ElasticLoadBalancingV2::TargetGroup": NameSpec(
        ("Name",), "region", "target group names are unique in a Region"
    ),
    "AWS::ECR::Repository": NameSpec(("RepositoryName",), "region", "repository names are unique in a registry"),
    "AWS::ECR::PullThroughCacheRule": NameSpec(
        ("EcrRepositoryPrefix",), "region", "pull-through cache prefixes are unique in a registry"
    ),
    "AWS::Lambda::Function": NameSpec(("FunctionName",), "region", "function names are unique in a Region"),
    "AWS::Synthetics::Canary": NameSpec(("Name",), "region", "canary names are unique in a Region"),
}
# Retained resources whose fixed names a rebuilt stack may meet: these can be imported back into
# the new stack (CloudFormation resource import), as docs/runbooks/rebuild-a-deleted-stack.md shows.
REIMPORTABLE = frozenset(
    {"AWS::DynamoDB::GlobalTable", "AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SecretsManager::Secret"}
)


def _at(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def fixed_name(found: Located) -> str | None:
    """The resource's physical name when it is fixed at synth (None: generated or deploy-time)."""
    spec = NAMES.get(found.resource["Type"])
    if spec is None or not spec.path:
        return None
    return literal(_at(props(found.resource), spec.path), found.view)


def _claims(found: Located) -> list[tuple[str, ...]]:
    """The (scope..., type, name) keys a resource's name occupies."""
    name = fixed_name(found)
    if name is None:
        return []
    resource_type = found.resource["Type"]
    spec = NAMES[resource_type]
    account = found.view.account or "this-account"
    if spec.scope == "partition":
        return [("partition", resource_type, name)]
    if spec.scope == "account" or (
        resource_type == "AWS::WAFv2::WebACL" and props(found.resource).get("Scope") == "CLOUDFRONT"
    ):
        return [(account, resource_type, name)]
    regions = {found.view.region}
    p = props(found.resource)
    if resource_type == "AWS::DynamoDB::GlobalTable":
        regions |= {r.get("Region") for r in p.get("Replicas", []) if isinstance(r.get("Region"), str)}
    if resource_type == "AWS::SecretsManager::Secret":
        regions |= {r.get("Region") for r in p.get("ReplicaRegions", []) if isinstance(r.get("Region"), str)}
    return [(account, region, resource_type, name) for region in sorted(regions)]


def _record_claim(found: Located) -> tuple[str, ...] | None:
    p = props(found.resource)
    zone = literal(p.get("HostedZoneId"), found.view) or literal(p.get("HostedZoneName"), found.view)
    name, kind = literal(p.get("Name"), found.view), p.get("Type")
    if zone is None or name is None:
        return None
    return ("zone", zone, name.lower().rstrip("."), str(kind), str(p.get("SetIdentifier", "")))


def _owners(readiness: Readiness) -> dict[tuple[str, ...], list[Located]]:
    return readiness.memo("name-owners", lambda: _index(readiness))


def _index(readiness: Readiness) -> dict[tuple[str, ...], list[Located]]:
    owners: dict[tuple[str, ...], list[Located]] = {}
    for view in readiness.views:
        for logical_id, resource in view.resources.items():
            found = Located(view, logical_id, resource)
            if resource["Type"] == "AWS::Route53::RecordSet":
                claim = _record_claim(found)
                claims = [claim] if claim else []
            else:
                claims = _claims(found)
            for claim in claims:
                owners.setdefault(claim, []).append(found)
    return owners


def _unique(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    found = Located(view, logical_id, resource)
    if resource["Type"] == "AWS::Route53::RecordSet":
        claim = _record_claim(found)
        claims = [claim] if claim else []
        what = "a hosted zone holds one record set per name, type and set identifier"
    else:
        claims = _claims(found)
        what = NAMES[resource["Type"]].what
    if not claims:
        return None
    owners = _owners(readiness)
    findings = []
    for claim in claims:
        others = [o for o in owners[claim] if (o.view.file, o.logical_id) != (view.file, logical_id)]
        if others:
            scope = "" if claim[0] in ("partition", "zone") or len(claim) == 3 else f" in {claim[1]}"
            findings.append(
                Finding(
                    f"Name::{claim[-1] if claim[0] != 'zone' else claim[2]}",
                    f"name '{claim[-1] if claim[0] != 'zone' else claim[2]}'{scope} is also used by "
                    f"{', '.join(o.where for o in others)}: {what}",
                )
            )
    return findings


def _rebuildable(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    if resource["Type"] not in NAMES:
        return None
    retained = resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate")
    name = fixed_name(Located(view, logical_id, resource))
    if not retained or name is None or resource["Type"] in REIMPORTABLE:
        return []
    return [
        Finding(
            "",
            f"retained with the fixed name '{name}': after the stack is deleted the {resource['Type']} "
            "stays, and the rebuilt stack fails to create it ('already exists')",
        )
    ]


UNIQUE_NAMES = ReadinessRule(
    "PhysicalNameUnique",
    "No physical name is used twice in its scope (partition, account, Region or hosted zone)",
    "The second stack to deploy fails with 'already exists', or silently overwrites the first (dashboards). Put the "
    "Region or stack into the name, or let CloudFormation generate it.",
    "docs/reference/account-global-names.md",
    frozenset(NAMES) | {"AWS::Route53::RecordSet"},
    _unique,
)
RETAINED_NAMES = ReadinessRule(
    "RetainedNameRebuildable",
    "A retained resource has a generated name, or one that a rebuilt stack can import back",
    "Let CloudFormation generate the name, make the name unique per stack instance (part of AWS::StackId), or stop "
    "retaining derived state. Stateful resources that must keep their names are imported back "
    "(docs/runbooks/rebuild-a-deleted-stack.md).",
    "CloudFormation user guide: DeletionPolicy Retain; resource import",
    frozenset(NAMES),
    _rebuildable,
)

# The most characters each service allows in a name (CloudFormation resource references and the services'
# API references); kickoff.naming.fixed_names holds the config to the same limits before CDK runs.
NAME_LIMITS: dict[str, tuple[tuple[str, ...], int]] = {
    "AWS::Scheduler::ScheduleGroup": (("Name",), 64),
    "AWS::Scheduler::Schedule": (("Name",), 64),
    "AWS::CloudWatch::Dashboard": (("DashboardName",), 255),
    "AWS::CloudWatch::Alarm": (("AlarmName",), 255),
    "AWS::CloudWatch::CompositeAlarm": (("AlarmName",), 255),
    "AWS::Logs::LogGroup": (("LogGroupName",), 512),
    "AWS::WAFv2::WebACL": (("Name",), 128),
    "AWS::CloudFront::CachePolicy": (("CachePolicyConfig", "Name"), 128),
    "AWS::KMS::Alias": (("AliasName",), 256),
    "AWS::DynamoDB::Table": (("TableName",), 255),
    "AWS::DynamoDB::GlobalTable": (("TableName",), 255),
    "AWS::ECS::Cluster": (("ClusterName",), 255),
    "AWS::SecretsManager::Secret": (("Name",), 512),
    "AWS::ECR::PullThroughCacheRule": (("EcrRepositoryPrefix",), 30),
    "AWS::ECR::Repository": (("RepositoryName",), 256),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (("Name",), 32),
    "AWS::ElasticLoadBalancingV2::TargetGroup": (("Name",), 32),
    "AWS::IAM::Role": (("RoleName",), 64),
    "AWS::Lambda::Function": (("FunctionName",), 64),
    "AWS::S3::Bucket": (("BucketName",), 63),
    "AWS::Route53::RecordSet": (("Name",), 255),
    "AWS::Route53RecoveryControl::Cluster": (("Name",), 64),
    "AWS::Synthetics::Canary": (("Name",), 255),
    "AWS::Route53RecoveryControl::ControlPanel": (("Name",), 64),
    "AWS::Route53RecoveryControl::RoutingControl": (("Name",), 64),
    "AWS::Route53RecoveryControl::SafetyRule": (("Name",), 64),
}


def _length(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    path, limit = NAME_LIMITS[resource["Type"]]
    name = literal(_at(props(resource), path), view)
    if name is None:
        return []
    return (
        []
        if len(name) <= limit
        else [Finding("", f"the name '{name}' has {len(name)} characters; {resource['Type']} allows {limit}")]
    )


NAME_LENGTH = ReadinessRule(
    "PhysicalNameLength",
    "Every fixed name fits the length its service allows",
    "Shorten the name (app, environment, domain, or the construct that builds it); CloudFormation fails the create "
    "otherwise, after the resources before it were made.",
    "The services' API references (name length constraints)",
    frozenset(NAME_LIMITS),
    _length,
)

RULES: tuple[ReadinessRule, ...] = (UNIQUE_NAMES, RETAINED_NAMES, NAME_LENGTH)
__all__ = ["NAMES", "RULES", "fixed_name"]
