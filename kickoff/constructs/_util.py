"""Small helpers shared by constructs."""

from __future__ import annotations

from aws_cdk import aws_logs as logs

from kickoff.config.models import LOG_RETENTION_DAYS

# aws_logs.RetentionDays lists the same periods as LOG_RETENTION_DAYS, in order, then INFINITE.
_RETENTION = dict(zip(LOG_RETENTION_DAYS, [m for m in logs.RetentionDays if m is not logs.RetentionDays.INFINITE]))


def retention(days: int) -> logs.RetentionDays:
    """The RetentionDays member for a validated number of days."""
    try:
        return _RETENTION[days]
    except KeyError:
        raise ValueError(f"log retention of {days} days is not a CloudWatch Logs period; use one of {LOG_RETENTION_DAYS}") from None
