"""The cell's log bucket: ALB access logs and VPC flow logs, encrypted, expiring."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

# Overwritten or deleted log objects stay recoverable this long.
NONCURRENT_DAYS = 30


def log_bucket(
    scope: Construct,
    id_: str,
    *,
    expiration_days: int,
    object_ownership: s3.ObjectOwnership = s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
) -> s3.Bucket:
    """An S3 bucket for logs: SSE-S3, TLS only, private, versioned, expiring, retained.

    SSE-S3 is the only server-side encryption ALB access logging supports. Logs are
    evidence after an incident, so the bucket is retained and versioned: a deleted or
    overwritten object stays recoverable for ``NONCURRENT_DAYS``. Objects expire after
    ``expiration_days``. ``object_ownership`` is bucket-owner-enforced unless a writer
    needs ACLs (CloudFront standard logging does).
    """
    if expiration_days < 1:
        raise ValueError(f"expiration_days must be >= 1 (got {expiration_days})")
    return s3.Bucket(
        scope,
        id_,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=object_ownership,
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


class CellLogBucket(Construct):
    """The bucket that receives a cell's ALB access logs and VPC flow logs (see ``log_bucket``).

    Attribute: ``bucket``.
    """

    def __init__(self, scope: Construct, id_: str, *, expiration_days: int) -> None:
        super().__init__(scope, id_)
        self.bucket = log_bucket(self, "Bucket", expiration_days=expiration_days)
