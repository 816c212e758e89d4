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
from kickoff.stacks.data import DataStack
from kickoff.stacks.deployment import Deployment
from kickoff.stacks.edge import EdgeStack

# aws-cdk-lib's AwsCustomResource runs one singleton Lambda per stack under this fixed ID.
AWS_CUSTOM_RESOURCE_SINGLETON = "AWS679f53fac002430cb0da5b7982bd2287"


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
CLOUDFRONT_LOG_BUCKET_ACCESS_LOGS = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-S1",
    "This bucket is CloudFront's standard-log sink. Logging access to it would need a second bucket "
    "that in turn needs a third; only the CloudFront log delivery service writes to it.",
)
PREFIX_LIST_LOOKUP_WILDCARD = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-IAM5[Resource::*]",
    "ec2:DescribeManagedPrefixLists supports no resource-level permissions, so Resource must be *. "
    "The statement allows only that read-only action, used at deploy time to find the AWS-managed "
    "CloudFront and Route 53 health-check prefix lists by name.",
)
CUSTOM_RESOURCE_BASIC_EXECUTION = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    "aws-cdk-lib's AwsCustomResource provider role. The AWS managed policy grants only "
    "logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents; the function runs only during "
    "deployments to look up prefix-list IDs.",
)
ORIGIN_SECRET_MANUAL_ROTATION = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-SMG4",
    "The origin-verification value is resolved into ALB listener rules and CloudFront origin headers at "
    "deploy time. Automatic rotation would change it without a deploy, so CloudFront and the cells would "
    "disagree and viewers would get 403s. It is rotated deliberately with the two-phase procedure in "
    "docs/runbooks/rotate-origin-secret.md.",
)
NO_GEO_RESTRICTION = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-CFR1",
    "edge.allowed_countries is empty in this config: the environment's content is not limited by "
    "territorial rights. Production configs list the licensed countries, which adds the geo restriction.",
)
ECR_AUTHORIZATION_TOKEN = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-IAM5[Resource::*]",
    "ecr:GetAuthorizationToken supports no resource-level permissions, so Resource must be *. The token only "
    "authenticates to the registry; every image action in the same policy names this cell's repositories.",
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


def _credential_lookup_wildcard(stack: Stack) -> Acknowledgement:
    return Acknowledgement(
        "AwsSolutions",
        f"AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:{stack.region}:{stack.account}:secret:ecr-pullthroughcache/*]",
        "Looks up the full ARN of the pull-through cache credential secret by name at deploy time; the ARN ends in a "
        "random suffix unknown at synth. Only secretsmanager:DescribeSecret (metadata, never the value) on secrets "
        "whose names carry ECR's required ecr-pullthroughcache/ prefix.",
    )


CANARY_UNSCOPED_ACTIONS = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-IAM5[Resource::*]",
    "aws-cdk-lib's Synthetics canary role: cloudwatch:PutMetricData (limited to the CloudWatchSynthetics namespace "
    "by condition), s3:ListAllMyBuckets and xray:PutTraceSegments support no resource-level permissions.",
)


def _canary_wildcards(cell: CellStack, artifacts_prefix: str) -> list[Acknowledgement]:
    """The canary role's prefixed wildcards: its own artifact prefix, and the log groups Synthetics names per run."""
    bucket = cell.get_logical_id(cell.log_bucket.bucket.node.default_child)
    return [
        Acknowledgement(
            "AwsSolutions",
            f"AwsSolutions-IAM5[Resource::<{bucket}.Arn>/{artifacts_prefix}/*]",
            "The canary writes its run artifacts (screens, logs, HAR) under its own prefix of the cell log bucket; "
            "object names are generated per run.",
        ),
        Acknowledgement(
            "AwsSolutions",
            f"AwsSolutions-IAM5[Resource::arn:aws:logs:{cell.region}:{cell.account}:log-group:/aws/lambda/cwsyn-*]",
            "Synthetics runs each canary as a Lambda function it names cwsyn-<canary>-<id>; the id is generated, "
            "so the log group is only known by this prefix.",
        ),
    ]


def acknowledge(scope: IConstruct, *acknowledgements: Acknowledgement) -> None:
    """Record ``acknowledgements`` on ``scope`` (a construct, never a stack or the app)."""
    if isinstance(scope, (Stack, cdk.App)):
        raise ValueError("acknowledge findings on the construct that has them, not on a stack or the app")
    cdk.Validations.of(scope).acknowledge(*(cdk.Acknowledgment(id=a.id, reason=a.reason) for a in acknowledgements))


def acknowledge_cell(cell: CellStack, *, customer_managed_key: bool) -> None:
    """The reviewed findings of one cell."""
    acknowledge(cell.log_bucket.bucket, LOG_BUCKET_ACCESS_LOGS)
    for lookup in (cell.cloudfront_prefix_list, cell.health_check_prefix_list):
        acknowledge(lookup.resource.node.find_child("CustomResourcePolicy"), PREFIX_LIST_LOOKUP_WILDCARD)
    provider = cell.node.try_find_child(AWS_CUSTOM_RESOURCE_SINGLETON)
    if provider is None:
        raise RuntimeError(f"{cell.node.path}: AwsCustomResource provider not found; did aws-cdk-lib rename it?")
    acknowledge(provider.node.find_child("ServiceRole"), CUSTOM_RESOURCE_BASIC_EXECUTION)
    for lookup in cell.images.credential_lookups.values():
        acknowledge(lookup.node.find_child("CustomResourcePolicy"), _credential_lookup_wildcard(cell))
    probes = getattr(cell, "probes", None)
    for key, canary in (probes.canaries if probes is not None else {}).items():
        acknowledge(
            canary.role.node.default_child,
            CANARY_UNSCOPED_ACTIONS,
            *_canary_wildcards(cell, probes.artifact_prefixes[key]),
        )
    for service in cell.services.values():
        acknowledge(service.task_definition, PLATFORM_ENVIRONMENT)
        execution_policy = service.task_definition.obtain_execution_role().node.try_find_child("DefaultPolicy")
        if execution_policy is not None:
            acknowledge(execution_policy, ECR_AUTHORIZATION_TOKEN)
        if customer_managed_key:
            policy = service.task_role.node.try_find_child("DefaultPolicy")
            if policy is None:
                raise RuntimeError(f"{service.node.path}: task role has no default policy to acknowledge")
            acknowledge(policy, _kms_key_wildcard(cell))


def acknowledge_data(data: DataStack) -> None:
    """The reviewed findings of the Data stack."""
    acknowledge(data.origin_secret.secret, ORIGIN_SECRET_MANUAL_ROTATION)


def acknowledge_edge(edge: EdgeStack, *, geo_restricted: bool) -> None:
    """The reviewed findings of the Edge stack."""
    acknowledge(edge.distribution.log_bucket, CLOUDFRONT_LOG_BUCKET_ACCESS_LOGS)
    if not geo_restricted:
        acknowledge(edge.distribution.distribution, NO_GEO_RESTRICTION)


def acknowledge_deployment(deployment: Deployment) -> None:
    """Acknowledge reviewed findings on the constructs they concern."""
    config = deployment.config
    customer_managed = config.table.encryption == "customer_managed"
    for cell in deployment.cells.values():
        acknowledge_cell(cell, customer_managed_key=customer_managed)
    if deployment.data is not None:
        acknowledge_data(deployment.data)
    if deployment.edge is not None:
        acknowledge_edge(deployment.edge, geo_restricted=bool(config.edge.allowed_countries))
