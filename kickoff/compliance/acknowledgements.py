"""Every acknowledged cdk-nag finding, with its reason, at the narrowest scope.

Each acknowledgement names one rule (and, for IAM5, one finding) on one construct, and
says why the finding is acceptable here. The reasons are written to
``cdk.out/validation-report.json`` so a reviewer sees them next to the finding.
Nothing is acknowledged at stack or app level.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import Stack
from constructs import IConstruct

from kickoff.stacks.cell import CellStack
from kickoff.stacks.deployment import Deployment


@dataclass(frozen=True)
class Acknowledgement:
    """A reviewed finding: the pack, the rule ID (with finding suffix) and why it is accepted."""

    pack: str
    rule: str
    reason: str

    @property
    def id(self) -> str:
        """The ID Validations.acknowledge expects, e.g. ``AwsSolutions::AwsSolutions-S1``."""
        return f"{self.pack}::{self.rule}"


LOG_BUCKET_ACCESS_LOGS = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-S1",
    "This bucket is the cell's log sink (ALB access logs, VPC flow logs). Logging access to it would "
    "need a second bucket that in turn needs a third; its writers are AWS log delivery services only, "
    "and data events can be audited with CloudTrail if required.",
)
ALB_OPEN_TO_VIEWERS = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-EC23",
    "The cell ALB is the public origin for viewers and must accept HTTPS (and HTTP, redirected to "
    "HTTPS) from the internet until the Edge stack restricts it to CloudFront's origin-facing prefix list.",
)
PLATFORM_ENVIRONMENT = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-ECS2",
    "The environment variables are non-secret identifiers (environment, Region, service, table name) "
    "and config values documented as non-secret; secrets are never passed as plain variables.",
)


def _kms_key_wildcard(stack: Stack) -> Acknowledgement:
    return Acknowledgement(
        "AwsSolutions",
        f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:{stack.region}:{stack.account}:key/*]",
        "The replica key is created by the Keys stack, so its key ID is unknown at synth and the cell "
        "cannot reference it without a cross-stack reference. The statement is narrowed to keys carrying "
        "the table key alias (kms:ResourceAliases) and to calls made through DynamoDB in this Region "
        "(kms:ViaService).",
    )


def acknowledge(scope: IConstruct, *acknowledgements: Acknowledgement) -> None:
    """Record ``acknowledgements`` on ``scope`` (a construct, never a stack or the app)."""
    if isinstance(scope, (Stack, cdk.App)):
        raise ValueError("acknowledge findings on the construct that has them, not on a stack or the app")
    cdk.Validations.of(scope).acknowledge(*(cdk.Acknowledgment(id=a.id, reason=a.reason) for a in acknowledgements))


def acknowledge_cell(cell: CellStack, *, customer_managed_key: bool) -> None:
    """The reviewed findings of one cell."""
    acknowledge(cell.log_bucket.bucket, LOG_BUCKET_ACCESS_LOGS)
    acknowledge(cell.load_balancer.security_group, ALB_OPEN_TO_VIEWERS)
    for service in cell.services.values():
        acknowledge(service.task_definition, PLATFORM_ENVIRONMENT)
        if customer_managed_key:
            policy = service.task_role.node.try_find_child("DefaultPolicy")
            if policy is None:
                raise RuntimeError(f"{service.node.path}: task role has no default policy to acknowledge")
            acknowledge(policy, _kms_key_wildcard(cell))


def acknowledge_deployment(deployment: Deployment) -> None:
    """Acknowledge reviewed findings on the constructs they concern."""
    customer_managed = deployment.config.table.encryption == "customer_managed"
    for cell in deployment.cells.values():
        acknowledge_cell(cell, customer_managed_key=customer_managed)
