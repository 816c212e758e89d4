"""CloudFormation can always finish a rollback: no resource it may have to delete refuses deletion.

A rollback of a failed first create deletes what the stack created, and a replacement deletes the old
resource after the new one exists. A resource with deletion protection refuses both: the stack ends in
``ROLLBACK_FAILED`` or ``UPDATE_ROLLBACK_FAILED``, and only an operator who skips the resource can move it on.
So a resource with deletion protection on is retained on delete and on replacement (CloudFormation then
leaves it, rather than failing), and one that need not be kept (an ALB holds no data) leaves it off; the
stack's termination protection guards it against an accidental stack deletion instead.
"""

from __future__ import annotations

from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, props
from kickoff.rules.readiness.context import Readiness
from kickoff.rules.readiness.rule import ReadinessRule


def _protected(resource: Resource) -> bool:
    p: dict[str, Any] = props(resource)
    kind = resource["Type"]
    if kind == "AWS::ElasticLoadBalancingV2::LoadBalancer":
        return any(
            a.get("Key") == "deletion_protection.enabled" and str(a.get("Value")).lower() == "true"
            for a in p.get("LoadBalancerAttributes", [])
        )
    if kind == "AWS::DynamoDB::GlobalTable":
        return any(r.get("DeletionProtectionEnabled") is True for r in p.get("Replicas", []))
    return p.get("DeletionProtectionEnabled") is True or p.get("DeletionProtection") is True


def _rollback_safe(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding]:
    if not _protected(resource):
        return []
    return [
        Finding(
            policy,
            f"deletion protection is on but {policy} is {resource.get(policy, 'Delete')}: a rollback that must "
            "delete it (a failed first create, a replacement) fails and leaves the stack in "
            f"{'ROLLBACK_FAILED' if policy == 'DeletionPolicy' else 'UPDATE_ROLLBACK_FAILED'}",
        )
        for policy in ("DeletionPolicy", "UpdateReplacePolicy")
        if resource.get(policy) != "Retain"
    ]


ROLLBACK_SAFE = ReadinessRule(
    "DeletionProtectionRetained",
    "A resource with deletion protection is retained on delete and replacement, so a rollback can always finish",
    "Keep deletion protection only on what must never be deleted, with RemovalPolicy.RETAIN; leave it off on what a "
    "deploy rebuilds (a load balancer), which the stack's termination protection guards.",
    "CloudFormation user guide: DeletionPolicy and UpdateReplacePolicy; troubleshooting UPDATE_ROLLBACK_FAILED; "
    "Elastic Load Balancing: deletion protection",
    frozenset(
        {
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "AWS::DynamoDB::GlobalTable",
            "AWS::DynamoDB::Table",
            "AWS::RDS::DBInstance",
            "AWS::RDS::DBCluster",
        }
    ),
    _rollback_safe,
)

RULES: tuple[ReadinessRule, ...] = (ROLLBACK_SAFE,)
