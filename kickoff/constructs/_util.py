"""Small helpers shared by constructs."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import IConstruct

from kickoff.config.models import LOG_RETENTION_DAYS

# aws_logs.RetentionDays lists the same periods as LOG_RETENTION_DAYS, in order, then INFINITE.
_RETENTION = dict(zip(LOG_RETENTION_DAYS, [m for m in logs.RetentionDays if m is not logs.RetentionDays.INFINITE]))


def retention(days: int) -> logs.RetentionDays:
    """The RetentionDays member for a validated number of days."""
    try:
        return _RETENTION[days]
    except KeyError:
        raise ValueError(
            f"log retention of {days} days is not a CloudWatch Logs period; use one of {LOG_RETENTION_DAYS}"
        ) from None


def source_scoped_principal(scope: IConstruct, service: str, source_arn: str) -> iam.ServicePrincipal:
    """``service`` may assume the role only for this account, on behalf of ``source_arn``.

    The confused-deputy conditions AWS documents per service (docs/reference/confused-deputy.md):
    ``ArnEquals`` for one resource's ARN, ``ArnLike`` when ``source_arn`` holds a ``*``.
    """
    stack = Stack.of(scope)
    operator = "ArnLike" if "*" in source_arn else "ArnEquals"
    return iam.ServicePrincipal(
        service,
        conditions={
            "StringEquals": {"aws:SourceAccount": stack.account},
            operator: {"aws:SourceArn": source_arn},
        },
    )


def runner_assumed_role(
    scope: IConstruct,
    id_: str,
    *,
    role_name: str,
    tooling_account: str,
    runner_arn: str,
    description: str,
    policy_name: str,
    statements: list[iam.PolicyStatement],
) -> iam.Role:
    """A role in the workload account that only one pipeline step's CodeBuild role may assume (``aws:PrincipalArn``;
    the account principal keeps the trust valid while that role does not exist yet), with ``statements`` inline."""
    return iam.Role(
        scope,
        id_,
        role_name=role_name,
        description=description,
        assumed_by=iam.AccountPrincipal(tooling_account).with_conditions(
            {"ArnEquals": {"aws:PrincipalArn": runner_arn}}
        ),
        inline_policies={policy_name: iam.PolicyDocument(statements=statements)},
    )


CUSTOM_RESOURCE_LOGS = "CustomResourceLogs"


def custom_resource_log_group(scope: IConstruct, *, retention_days: int, key: kms.IKey) -> logs.ILogGroup:
    """The stack's one log group for its ``AwsCustomResource`` constructs.

    They all run in one singleton provider function per stack, which logs only to the group the first of them
    names, so each stack gives every one of them this group (DR-LogGroupHasWriter).
    """
    stack = Stack.of(scope)
    found = stack.node.try_find_child(CUSTOM_RESOURCE_LOGS)
    if isinstance(found, logs.LogGroup):
        return found
    return logs.LogGroup(stack, CUSTOM_RESOURCE_LOGS, retention=retention(retention_days), encryption_key=key)
