"""Data stack: the DynamoDB global table, deployed in the primary Region."""

from __future__ import annotations

from aws_cdk import CfnOutput
from constructs import Construct

from kickoff.config.models import KickoffConfig
from kickoff.constructs.global_table import GlobalTable
from kickoff.stacks.base import KickoffStack


class DataStack(KickoffStack):
    """The global table with one replica per cell Region. Retained, protected, PITR."""

    def __init__(self, scope: Construct, *, config: KickoffConfig) -> None:
        super().__init__(
            scope,
            config=config,
            unit="data",
            region=config.primary_region,
            cell=None,
            description=f"Kickoff {config.environment}: DynamoDB global table {config.table_name}",
        )
        replica_regions = tuple(r for r in config.region_names if r != config.primary_region)
        self.global_table = GlobalTable(
            self,
            "GlobalTable",
            table=config.table,
            table_name=config.table_name,
            primary_region=config.primary_region,
            replica_regions=replica_regions,
            key_alias=config.table_key_alias,
        )
        CfnOutput(self, "TableName", value=config.table_name, description="Global table name, identical in every Region")
