"""Recovery stack (us-west-2): optional ARC routing controls for draining a cell without a deploy."""

from __future__ import annotations

from aws_cdk import CfnOutput
from constructs import Construct

from kickoff.config.models import RECOVERY_CONTROL_REGION, KickoffConfig
from kickoff.constructs.recovery_control import CellRoutingControls
from kickoff.naming import pascal, recovery_name
from kickoff.stacks.base import KickoffStack


class RecoveryStack(KickoffStack):
    """ARC cluster, control panel, routing controls and safety rule (ARC's API lives in us-west-2).

    Cells do not reference this stack: after its first deploy, copy each
    ``RoutingControlArn...`` output into ``routing.recovery_control.routing_control_arns``.
    """

    def __init__(self, scope: Construct, *, config: KickoffConfig) -> None:
        super().__init__(
            scope,
            config=config,
            unit="recovery",
            region=RECOVERY_CONTROL_REGION,
            cell=None,
            description=f"Kickoff {config.environment}: ARC routing controls per cell",
        )
        self.controls = CellRoutingControls(
            self, "RoutingControls", name=recovery_name(config.identity), regions=list(config.region_names)
        )
        CfnOutput(self, "ClusterArn", value=self.controls.cluster.attr_cluster_arn)
        for region, control in self.controls.routing_controls.items():
            CfnOutput(
                self,
                "RoutingControlArn" + pascal(region),
                value=control.attr_routing_control_arn,
                description=f"routing_control_arns.{region}",
            )
