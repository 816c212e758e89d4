"""The cell's log bucket: ALB access logs and VPC flow logs, encrypted, expiring."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct


# Overwritten or deleted log objects stay recoverable this long.
NONCURRENT_DAYS = 30


class CellLogBucket(Construct):
    """An S3 bucket that receives the cell's ALB access logs and VPC flow logs.

    SSE-S3 encryption (the only server-side encryption ALB access logging supports),
    TLS-only access, no public access, bucket-owner-enforced objects, versioning (logs
    are evidence: a deletion leaves a recoverable version for 30 days) and a lifecycle
    rule that expires logs after ``expiration_days``. Retained on stack deletion: logs
    are evidence after an incident.
    """

    def __init__(self, scope: Construct, id_: str, *, expiration_days: int) -> None:
        super().__init__(scope, id_)
        if expiration_days < 1:
            raise ValueError(f"expiration_days must be >= 1 (got {expiration_days})")
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            # Versioned, so a deleted or overwritten log object survives for the noncurrent window.
            versioned=True,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireLogs",
                    expiration=Duration.days(expiration_days),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                    noncurrent_version_expiration=Duration.days(NONCURRENT_DAYS),
                )
            ],
        )
