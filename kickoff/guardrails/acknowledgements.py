"""Every acknowledged cdk-nag finding, with its reason, at the narrowest scope.

Each acknowledgement names one rule (and, for IAM5, one finding) on one construct, and
says why the finding is acceptable here. The reasons are written to
``cdk.out/validation-report.json`` so a reviewer sees them next to the finding.
Nothing is acknowledged at stack or app level.
"""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from kickoff.guardrails.acknowledgement import Acknowledgement, acknowledge
from kickoff.guardrails.agent_acknowledgements import acknowledge_agent
from kickoff.guardrails.live_acknowledgements import acknowledge_live, acknowledge_live_edge
from kickoff.stacks.cell import CellStack
from kickoff.stacks.data import DataStack
from kickoff.stacks.deployment import Deployment
from kickoff.stacks.edge import EdgeStack
from kickoff.stacks.pipeline import PipelineStack, PipelineSupportStack

# aws-cdk-lib's AwsCustomResource runs one singleton Lambda per stack under this fixed ID.
AWS_CUSTOM_RESOURCE_SINGLETON = "AWS679f53fac002430cb0da5b7982bd2287"


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
SCHEDULER_DEAD_LETTER_QUEUE = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-SQS3",
    "This queue is itself a dead-letter queue: EventBridge Scheduler sends it the capacity-reservation changes that "
    "failed every retry (the schedule target's DeadLetterConfig, which cdk-nag does not see). It is read by a human "
    "after the ReservationChangeFailed alarm, never by a consumer that could fail.",
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
    if cell.capacity_schedules.dead_letter_queue is not None:
        acknowledge(cell.capacity_schedules.dead_letter_queue, SCHEDULER_DEAD_LETTER_QUEUE)
    acknowledge_agent(cell)
    faults = getattr(cell, "fault_injection", None)
    if faults is not None:
        _acknowledge_wildcards(faults, FAULT_INJECTION_WILDCARDS)
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
    acknowledge(
        data.forecast_table.table,
        *(
            Acknowledgement(
                "WellArchitected",
                f"WA-OPS-AlarmedResources[[Replica::{region}]]",
                "The forecast replica in this Region is read by the Region's capacity agent only; the agent's "
                "AgentFailing alarm fires when it cannot read it (or anything else stops a run), which is the "
                "actionable signal. Its traffic is a few reads every few minutes.",
            )
            for region in data.forecast_table.regions
        ),
    )


def acknowledge_edge(edge: EdgeStack, *, geo_restricted: bool) -> None:
    """The reviewed findings of the Edge stack."""
    acknowledge(edge.distribution.log_bucket, CLOUDFRONT_LOG_BUCKET_ACCESS_LOGS)
    if not geo_restricted:
        acknowledge(edge.distribution.distribution, NO_GEO_RESTRICTION)


ARTIFACT_BUCKET_ACCESS_LOGS = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-S1",
    "A release pipeline artifact store: only the pipeline's roles and the target accounts' CDK deploy roles "
    "read or write it (bucket and key policies), objects expire after 30 days, and CloudTrail records "
    "CodePipeline and CloudFormation activity. Access logs would need a log bucket per Region for transient data.",
)
ARTIFACT_KEY_GRANTS = tuple(
    Acknowledgement(
        "WellArchitected",
        f"WA-SEC-KmsKeyPolicySeparatesDuties[Statement::{statement}]",
        "The key of a release pipeline artifact store. CDK Pipelines grants its roles and each target account's "
        "CDK deploy role on it (IAM policies need the account statement; cross-account roles need key-policy "
        "statements); it encrypts build artifacts only, never platform data.",
    )
    for statement in ("kms:*", "kms:decrypt")
)
# Every wildcard CDK Pipelines writes into the pipeline's IAM policies, by the form of the finding, with
# why it is acceptable. A wildcard of another form is not acknowledged, so it fails the synth for review.
PIPELINE_WILDCARDS: tuple[tuple[str, str], ...] = (
    (
        r"Action::(s3:(GetObject|GetBucket|List|DeleteObject|PutObject|Abort)|kms:(GenerateDataKey|ReEncrypt))\*",
        "aws-cdk-lib's grantRead/grantReadWrite action groups, on the pipeline's own artifact buckets and keys.",
    ),
    (
        r"Resource::(<[A-Za-z0-9]+\.Arn>|arn:aws:s3:::[a-z0-9.-]+)/\*",
        "Objects of the pipeline's own artifact buckets; CodePipeline names artifacts per execution.",
    ),
    (
        r"Resource::arn:aws:(logs:[a-z0-9-]+:\d{12}:log-group:/aws/codebuild/|codebuild:[a-z0-9-]+:\d{12}:report-group/)"
        r"(<[A-Za-z0-9]+>)?[-:]?\*",
        "CodeBuild names a log stream and report group per build of the pipeline's own projects.",
    ),
    (
        r"Resource::arn:\*:iam::\d{12}:role/\*",
        "CDK Pipelines' self-mutation assumes the CDK bootstrap roles, limited by condition to roles tagged "
        "aws-cdk:bootstrap-role deploy, file-publishing or image-publishing.",
    ),
    (
        r"Resource::\*",
        "CDK Pipelines' own statements: KMS use through the replication stores' key aliases (keys in other "
        "Regions, named only by alias), cloudformation:DescribeStacks and s3:ListBucket for self-mutation, and "
        "CodeBuild build control for asset publishing.",
    ),
)


# The wildcards of the cells' FIS experiment roles (kickoff/constructs/fault_injection.py), by form.
FAULT_INJECTION_WILDCARDS: tuple[tuple[str, str], ...] = (
    (
        r"Resource::\*",
        "FIS experiment roles: the describe and list actions FIS resolves targets with (ecs:DescribeTasks, ListTasks, "
        "ec2:Describe*, arc-zonal-shift:ListManagedResources, autoscaling:DescribeTags, tag:GetResources) and "
        "CloudWatch Logs' vended-log delivery actions support no resource-level permissions.",
    ),
    (
        r"Resource::arn:aws:ecs:[a-z0-9-]+:\d{12}:task/<[A-Za-z0-9]+>/\*",
        "ecs:StopTask on the tasks of this cell's cluster only; task IDs are generated per task.",
    ),
    (
        r"Resource::arn:aws:ec2:[a-z0-9-]+:\d{12}:network-acl/\*",
        "FIS clones the subnets' network ACL for the experiment, so its ID is unknown; entries and deletion are "
        "limited to ACLs in this cell's VPC (ec2:Vpc), tags to the ACL FIS creates, and association swaps to this "
        "AZ's subnets.",
    ),
    (
        r"Resource::arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]+/stream/\*",
        "The resource policy of this Region's replica stream, which FIS pauses with the table; stream labels are "
        "generated.",
    ),
)


def _nag_text(value: Any) -> str:
    """A resolved policy value as cdk-nag writes it in a finding ID (Ref -> <X>, GetAtt -> <X.Attr>)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return f"<{'.'.join(value['Fn::GetAtt'])}>"
    if isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str):
        return re.sub(r"\$\{([^}]+)\}", r"<\1>", value["Fn::Sub"])
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_nag_text(part) for part in parts)
    raise ValueError(f"cannot render {value!r} as a cdk-nag finding")


def _wildcard_findings(stack: Stack, policy: iam.CfnPolicy) -> list[str]:
    """The IAM5 finding suffixes cdk-nag reports for ``policy``: every action and resource with a ``*``."""
    document = stack.resolve(policy.policy_document)
    findings: list[str] = []
    for statement in document.get("Statement", []):
        for kind, key in (("Action", "Action"), ("Resource", "Resource")):
            values = statement.get(key, [])
            for value in values if isinstance(values, list) else [values]:
                text = _nag_text(value)
                if "*" in text and f"{kind}::{text}" not in findings:
                    findings.append(f"{kind}::{text}")
    return findings


def acknowledge_pipeline(pipeline: PipelineStack, support: dict[str, PipelineSupportStack]) -> None:
    """The reviewed findings of the release pipeline: its artifact stores, and CDK Pipelines' wildcards."""
    for store in [pipeline.release.artifact_bucket, *(s.bucket for s in support.values())]:
        acknowledge(store, ARTIFACT_BUCKET_ACCESS_LOGS)
        key = store.encryption_key
        if isinstance(key, cdk.aws_kms.Alias):
            key = key.alias_target_key
        acknowledge(key, *ARTIFACT_KEY_GRANTS)
    _acknowledge_wildcards(pipeline, PIPELINE_WILDCARDS)


def _acknowledge_wildcards(scope: IConstruct, forms: tuple[tuple[str, str], ...]) -> None:
    """Acknowledge each IAM5 finding of the policies under ``scope`` whose form is in ``forms`` (regular
    expression, reason), on its policy. A wildcard of another form stays open and fails the synth."""
    stack = Stack.of(scope)
    for policy in scope.node.find_all():
        if not isinstance(policy, iam.CfnPolicy):
            continue
        for finding in _wildcard_findings(stack, policy):
            reason = next((why for form, why in forms if re.fullmatch(form, finding)), None)
            if reason is not None:
                acknowledge(policy, Acknowledgement("AwsSolutions", f"AwsSolutions-IAM5[{finding}]", reason))


def acknowledge_deployment(deployment: Deployment) -> None:
    """Acknowledge reviewed findings on the constructs they concern."""
    config = deployment.config
    customer_managed = config.table.encryption == "customer_managed"
    for cell in deployment.cells.values():
        acknowledge_cell(cell, customer_managed_key=customer_managed)
    if deployment.data is not None:
        acknowledge_data(deployment.data)
    for live in deployment.live.values():
        acknowledge_live(live)
    if deployment.edge is not None:
        acknowledge_edge(deployment.edge, geo_restricted=bool(config.edge.allowed_countries))
        acknowledge_live_edge(deployment.edge)
    if deployment.pipeline is not None:
        acknowledge_pipeline(deployment.pipeline, deployment.pipeline_support)
