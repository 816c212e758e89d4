"""The ECS cluster of a cell: one per Region, named for the environment, with enhanced Container Insights."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from constructs import Construct


def cell_cluster(scope: Construct, id_: str, *, vpc: ec2.IVpc, cluster_name: str) -> ecs.Cluster:
    """The cluster, created directly in ``scope`` (its construct path, and so its logical ID, stays the stack's).

    Enhanced Container Insights gives task- and service-level CPU, memory and network
    metrics, which the cells are compared on and scaling is tuned with (WA-OPS-EcsClusterContainerInsights).
    """
    return ecs.Cluster(
        scope, id_, vpc=vpc, cluster_name=cluster_name, container_insights_v2=ecs.ContainerInsights.ENHANCED
    )
