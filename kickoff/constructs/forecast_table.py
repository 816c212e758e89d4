"""The forecast table: every published version of the forecast, replicated to every cell Region.

``kickoff forecast publish`` writes a version in the primary Region; DynamoDB global tables replicate it, and each
Region's capacity agent reads its own replica: the apply path makes no cross-Region call. Each agent writes its own
status item (``applied#<region>``), so one read in any Region shows which version every Region runs.
"""

from __future__ import annotations

from aws_cdk import CfnTag, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

# Point-in-time recovery covers a bad write to the status items or a bad publish.
PITR_DAYS = 35
TTL_ATTRIBUTE = "expires_at"
"""Epoch seconds after which DynamoDB deletes a forecast version (``kickoff.agent.store.VERSION_LIFETIME`` after it
was published); status items carry none and stay."""


class ForecastTable(Construct):
    """Partition key ``pk`` (string), sort key ``version`` (number); on demand, AWS-managed encryption (it holds the
    calendar, which is not secret), deletion protection, PITR, TTL on ``expires_at``, retained. Attributes:
    ``table``, ``regions`` (the primary first)."""

    def __init__(
        self, scope: Construct, id_: str, *, table_name: str, primary_region: str, replica_regions: tuple[str, ...]
    ) -> None:
        super().__init__(scope, id_)
        self.regions = (primary_region, *replica_regions)
        pitr = dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True, recovery_period_in_days=PITR_DAYS
        )
        self.table = dynamodb.TableV2(
            self,
            "Table",
            table_name=table_name,
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="version", type=dynamodb.AttributeType.NUMBER),
            billing=dynamodb.Billing.on_demand(),
            encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
            replicas=[
                dynamodb.ReplicaTableProps(
                    region=region,
                    deletion_protection=True,
                    point_in_time_recovery_specification=pitr,
                    # Stack tags name the primary Region; each replica is billed in its own.
                    tags=[CfnTag(key="region", value=region), CfnTag(key="cell", value=region)],
                )
                for region in replica_regions
            ],
            deletion_protection=True,
            point_in_time_recovery_specification=pitr,
            removal_policy=RemovalPolicy.RETAIN,
            time_to_live_attribute=TTL_ATTRIBUTE,
            tags=[CfnTag(key="cell", value=primary_region)],
        )
