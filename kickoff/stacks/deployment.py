"""The whole deployment for one config: which stacks exist and in what order they deploy."""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_cdk import Stack
from constructs import Construct

from kickoff.config.models import KickoffConfig
from kickoff.planning import DeploymentPlan
from kickoff.stacks.cell import CellStack
from kickoff.stacks.data import DataStack
from kickoff.stacks.edge import EdgeStack
from kickoff.stacks.keys import KeysStack
from kickoff.stacks.observability import ObservabilityStack
from kickoff.stacks.recovery import RecoveryStack


@dataclass
class Deployment:
    """The stacks built from one config, in deployment order."""

    config: KickoffConfig
    plan: DeploymentPlan
    keys: dict[str, KeysStack] = field(default_factory=dict)
    data: DataStack | None = None
    cells: dict[str, CellStack] = field(default_factory=dict)
    edge: EdgeStack | None = None
    recovery: RecoveryStack | None = None
    observability: ObservabilityStack | None = None

    @property
    def stacks(self) -> list[Stack]:
        """Every stack, in the order ``cdk deploy --all`` deploys them."""
        ordered: list[Stack] = [*self.keys.values()]
        if self.data is not None:
            ordered.append(self.data)
        ordered.extend(self.cells.values())
        if self.edge is not None:
            ordered.append(self.edge)
        if self.recovery is not None:
            ordered.append(self.recovery)
        if self.observability is not None:
            ordered.append(self.observability)
        return ordered


def build_deployment(scope: Construct, config: KickoffConfig, plan: DeploymentPlan) -> Deployment:
    """Create every stack for ``config`` and the dependencies that order them.

    Order: Keys (per Region, customer managed encryption only) -> Data -> Cells -> Edge.
    The optional Recovery stack (ARC) depends on nothing and nothing depends on it; the
    Observability stack (the cross-Region dashboard) follows the cells.
    Dependencies carry no values between stacks (no cross-region references); they
    only tell ``cdk deploy --all`` the order. ``plan`` is the capacity plan for the deploy
    time, compiled into the cells and the table.
    """
    deployment = Deployment(config=config, plan=plan)
    if config.table.encryption == "customer_managed":
        for region in config.region_names:
            deployment.keys[region] = KeysStack(scope, config=config, region=region)
    deployment.data = DataStack(scope, config=config, plan=plan)
    for keys in deployment.keys.values():
        deployment.data.add_stack_dependency(keys, "the table's replicas are encrypted with the per-Region keys")
    for region in config.region_names:
        cell = CellStack(scope, config=config, region=region, plan=plan)
        cell.add_stack_dependency(deployment.data, "services read and write the global table replica")
        deployment.cells[region] = cell
    deployment.edge = EdgeStack(scope, config=config)
    deployment.edge.add_stack_dependency(deployment.data, "CloudFront reads the origin secret's us-east-1 replica")
    for cell in deployment.cells.values():
        deployment.edge.add_stack_dependency(cell, "the origins are DNS records the cells own")
    if config.routing.recovery_control.enabled:
        deployment.recovery = RecoveryStack(scope, config=config)
    deployment.observability = ObservabilityStack(scope, config=config, plan=plan)
    for cell in deployment.cells.values():
        deployment.observability.add_stack_dependency(
            cell, "the dashboard shows the cells' metrics and alarms, by name"
        )
    return deployment
