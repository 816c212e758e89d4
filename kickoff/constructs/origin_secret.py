"""The origin-verification secret: CloudFront sends it, cell ALBs require it."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, SecretValue
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from kickoff.config.models import ORIGIN_VERIFY_HEADER, OriginSecretConfig

STAGES = ("AWSCURRENT", "AWSPREVIOUS")


def origin_secret_reference(secret_name: str, version: str | None) -> str:
    """The ``{{resolve:secretsmanager:...}}`` reference to one version of the secret (never its value).

    ``version`` is a VersionId, a staging label (AWSCURRENT, AWSPREVIOUS), or None for AWSCURRENT.
    CloudFormation resolves a reference again only when its text changes, so a rotation must
    change it: config pins VersionIds (docs/runbooks/rotate-origin-secret.md).
    """
    if version is None or version in STAGES:
        value = SecretValue.secrets_manager(secret_name, version_stage=version or "AWSCURRENT")
    else:
        value = SecretValue.secrets_manager(secret_name, version_id=version)
    return value.unsafe_unwrap()


def accepted_origin_secrets(secret_name: str, version: str | None, previous_version: str | None) -> list[str]:
    """References to every version a cell accepts: the current one, and the previous during a rotation."""
    versions = [version] + ([previous_version] if previous_version else [])
    return [origin_secret_reference(secret_name, v) for v in versions]


def sent_origin_header(secret_name: str, secret: OriginSecretConfig) -> dict[str, str]:
    """The header CloudFront sends to every origin: the pinned version of the secret (AWSCURRENT if none)."""
    return {ORIGIN_VERIFY_HEADER: origin_secret_reference(secret_name, secret.version)}


def required_origin_header(secret_name: str, secret: OriginSecretConfig) -> tuple[str, list[str]]:
    """The header a cell's listener rules require, and every value they accept (current, and previous in a rotation)."""
    return ORIGIN_VERIFY_HEADER, accepted_origin_secrets(secret_name, secret.version, secret.previous_version)


class OriginVerifySecret(Construct):
    """A generated secret replicated to every Region that reads it through a dynamic reference.

    Dynamic references resolve only in the stack's own Region, so the secret is
    replicated to every cell Region and to the Edge Region. Its value never appears in
    a template: CloudFormation resolves ``{{resolve:secretsmanager:...}}`` at deploy
    time. 64 alphanumeric characters fit the 128-character limit of ALB header
    conditions and contain no ALB wildcard characters (* ?). Retained: deleting it
    would cut CloudFront off from every origin at the next deploy.
    """

    def __init__(self, scope: Construct, id_: str, *, secret_name: str, replica_regions: list[str]) -> None:
        super().__init__(scope, id_)
        if len(set(replica_regions)) != len(replica_regions):
            raise ValueError(f"replica_regions must be distinct (got {replica_regions})")
        self.secret = secretsmanager.Secret(
            self,
            "Secret",
            secret_name=secret_name,
            description="CloudFront -> cell ALB origin verification header value; rotate per docs/runbooks",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True, include_space=False
            ),
            replica_regions=[secretsmanager.ReplicaRegion(region=r) for r in replica_regions],
            removal_policy=RemovalPolicy.RETAIN,
        )
