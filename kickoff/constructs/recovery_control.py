"""Route 53 Application Recovery Controller: one routing control per cell, a safety rule."""

from __future__ import annotations

from aws_cdk import aws_route53recoverycontrol as arc
from constructs import Construct

from kickoff.naming import pascal

# How long ARC waits before allowing the next state change that the safety rule checks.
SAFETY_RULE_WAIT_MS = 5000


class CellRoutingControls(Construct):
    """ARC cluster, control panel and a routing control per cell, with an "at least one on" rule.

    Operators drain a cell by setting its routing control OFF with one call to a cluster
    endpoint (data plane, no deploy). The assertion safety rule rejects any change that
    would leave fewer than one routing control ON, so the last cell cannot be drained.

    Attributes: ``cluster``, ``control_panel``, ``routing_controls`` (Region -> control).
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, regions: list[str]) -> None:
        super().__init__(scope, id_)
        if len(regions) < 2:
            raise ValueError("routing controls need at least 2 cells")
        self.cluster = arc.CfnCluster(self, "Cluster", name=name)
        self.control_panel = arc.CfnControlPanel(
            self, "ControlPanel", name=name, cluster_arn=self.cluster.attr_cluster_arn
        )
        self.routing_controls: dict[str, arc.CfnRoutingControl] = {}
        for region in regions:
            self.routing_controls[region] = arc.CfnRoutingControl(
                self,
                "RoutingControl" + pascal(region),
                name=f"{name}-{region}",
                cluster_arn=self.cluster.attr_cluster_arn,
                control_panel_arn=self.control_panel.attr_control_panel_arn,
            )
        self.safety_rule = arc.CfnSafetyRule(
            self,
            "AtLeastOneCellOn",
            name=f"{name}-at-least-one-cell",
            control_panel_arn=self.control_panel.attr_control_panel_arn,
            rule_config=arc.CfnSafetyRule.RuleConfigProperty(type="ATLEAST", threshold=1, inverted=False),
            assertion_rule=arc.CfnSafetyRule.AssertionRuleProperty(
                asserted_controls=[c.attr_routing_control_arn for c in self.routing_controls.values()],
                wait_period_ms=SAFETY_RULE_WAIT_MS,
            ),
        )
