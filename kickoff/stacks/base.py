"""What every Kickoff stack shares: naming, environment and cost-allocation tags."""

from __future__ import annotations

from aws_cdk import Environment, Stack, Tags
from constructs import Construct

from kickoff.config.models import KickoffConfig


def stack_name(config: KickoffConfig, unit: str, region: str | None = None) -> str:
    """``<app>-<env>-<unit>[-<region>]``: the only place Region and environment enter names."""
    parts = [config.app, config.environment, unit] + ([region] if region else [])
    return "-".join(parts)


class KickoffStack(Stack):
    """A stack pinned to the config's account and one Region, tagged for cost allocation."""

    def __init__(self, scope: Construct, *, config: KickoffConfig, unit: str, region: str, cell: str | None, description: str) -> None:
        name = stack_name(config, unit, cell)
        super().__init__(
            scope,
            name,
            stack_name=name,
            env=Environment(account=config.account, region=region),
            description=description,
            termination_protection=config.production,
        )
        self.unit = unit
        Tags.of(self).add("app", config.app)
        Tags.of(self).add("env", config.environment)
        Tags.of(self).add("region", region)
        Tags.of(self).add("cell", cell or "global")
