"""Data stack: state shared by every cell, deployed in the primary Region.

Holds the DynamoDB global table and the origin-verification secret (replicated to every
Region that reads it). Both are retained and protected.
"""

from __future__ import annotations

from aws_cdk import CfnOutput
from constructs import Construct

from kickoff import naming
from kickoff.config.models import EDGE_REGION, KickoffConfig
from kickoff.constructs.forecast_publisher import ForecastPublisher
from kickoff.constructs.forecast_table import ForecastTable
from kickoff.constructs.global_table import GlobalTable
from kickoff.constructs.origin_secret import OriginVerifySecret
from kickoff.stacks.base import KickoffStack


class DataStack(KickoffStack):
    """The global table with one replica per cell Region, and the origin secret."""

    def __init__(self, scope: Construct, *, config: KickoffConfig) -> None:
        super().__init__(
            scope,
            config=config,
            unit="data",
            region=config.primary_region,
            cell=None,
            description=(
                f"Kickoff {config.environment}: global table {naming.table_name(config.identity)} and origin secret"
            ),
        )
        replica_regions = tuple(r for r in config.region_names if r != config.primary_region)
        self.global_table = GlobalTable(
            self,
            "GlobalTable",
            table=config.table,
            table_name=naming.table_name(config.identity),
            primary_region=config.primary_region,
            replica_regions=replica_regions,
            key_alias=naming.table_key_alias(config.identity),
        )
        # The forecast every cell's capacity agent reads from its own replica; warm throughput is the agent's too
        # (the primary Region's applies it, since it covers every replica), so this template holds no plan.
        self.forecast_table = ForecastTable(
            self,
            "ForecastTable",
            table_name=naming.forecast_table_name(config.identity),
            primary_region=config.primary_region,
            replica_regions=replica_regions,
        )
        if config.pipeline is not None:
            # The pipeline's forecast step publishes through this role, before any approval or freeze check.
            self.forecast_publisher = ForecastPublisher(
                self,
                "ForecastPublisher",
                role_name=naming.forecast_publisher_role_name(config.identity),
                tooling_account=config.pipeline.account,
                runner_arn=naming.role_arn(config.pipeline.account, naming.forecast_runner_role_name(config.identity)),
                table_name=naming.forecast_table_name(config.identity),
                agent_name=naming.capacity_agent_name(config.identity),
                cell_regions=list(config.region_names),
            )
        readers = list(dict.fromkeys([*config.region_names, EDGE_REGION]))
        self.origin_secret = OriginVerifySecret(
            self,
            "OriginVerifySecret",
            secret_name=naming.origin_secret_name(config.identity),
            replica_regions=[r for r in readers if r != config.primary_region],
        )
        CfnOutput(
            self,
            "TableName",
            value=naming.table_name(config.identity),
            description="Global table name, identical in every Region",
        )
        CfnOutput(self, "OriginSecretName", value=naming.origin_secret_name(config.identity))
