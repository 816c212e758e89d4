"""Keys stack: the customer managed KMS key for the table replica in one Region."""

from __future__ import annotations

from constructs import Construct

from kickoff import naming
from kickoff.config.models import KickoffConfig
from kickoff.constructs.global_table import RegionalTableKey
from kickoff.stacks.base import KickoffStack


class KeysStack(KickoffStack):
    """One per cell Region when ``table.encryption`` is customer_managed; deployed before Data."""

    def __init__(self, scope: Construct, *, config: KickoffConfig, region: str) -> None:
        super().__init__(
            scope,
            config=config,
            unit="keys",
            region=region,
            cell=region,
            description=f"Kickoff {config.environment}: KMS key of the {region} table replica",
        )
        self.table_key = RegionalTableKey(
            self,
            "TableKey",
            alias=naming.table_key_alias(config.identity),
            description=f"{naming.table_name(config.identity)} replica in {region}",
        )
