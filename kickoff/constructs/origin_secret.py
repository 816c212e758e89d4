"""The origin-verification secret: CloudFront sends it, cell ALBs require it."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct


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
