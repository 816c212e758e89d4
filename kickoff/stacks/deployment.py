"""The whole deployment for one config: which stacks exist and in what order they deploy."""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_cdk import Stack
from constructs import Construct

from kickoff.config.models import KickoffConfig
from kickoff.stacks.cell import CellStack
from kickoff.stacks.data import DataStack
from kickoff.stacks.keys import KeysStack


@dataclass
class Deployment:
    """The stacks built from one config, in deployment order."""

    config: KickoffConfig
    keys: dict[str, KeysStack] = field(default_factory=dict)
    data: DataStack | None = None
    cells: dict[str, CellStack] = field(default_factory=dict)

    @property
    def stacks(self) -> list[Stack]:
        """Every stack, in the order ``cdk deploy --all`` deploys them."""
        ordered: list[Stack] = [*self.keys.values()]
        if self.data is not None:
            ordered.append(self.data)
        ordered.extend(self.cells.values())
        return ordered


def build_deployment(scope: Construct, config: KickoffConfig) -> Deployment:
    """Create every stack for ``config`` and the dependencies that order them.

    Order: Keys (per Region, customer managed encryption only) -> Data -> Cells.
    Dependencies carry no values between stacks (no cross-region references); they
    only tell ``cdk deploy --all`` the order.
    """
    deployment = Deployment(config=config)
    if config.table.encryption == "customer_managed":
        for region in config.region_names:
            deployment.keys[region] = KeysStack(scope, config=config, region=region)
    deployment.data = DataStack(scope, config=config)
    for keys in deployment.keys.values():
        deployment.data.add_stack_dependency(keys, "the table's replicas are encrypted with the per-Region keys")
    for region in config.region_names:
        cell = CellStack(scope, config=config, region=region)
        cell.add_stack_dependency(deployment.data, "services read and write the global table replica")
        deployment.cells[region] = cell
    return deployment
