"""Small helpers shared by constructs."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
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
