"""The ECS cluster of a cell: one per Region, named for the environment, with Container Insights."""

from __future__ import annotations

from typing import Literal

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from constructs import Construct


def cell_cluster(
    scope: Construct,
    id_: str,
    *,
    vpc: ec2.IVpc,
    cluster_name: str,
    insights: Literal["standard", "enhanced"] = "standard",
) -> ecs.Cluster:
    """The cluster, created directly in ``scope`` (its construct path, and so its logical ID, stays the stack's).

    Container Insights gives the service-level task counts, CPU and memory that the cells are alarmed and compared
    on (WA-OPS-EcsClusterContainerInsights); ``enhanced`` adds task- and container-level metrics at a per-metric
    price (monitoring.container_insights).
    """
    level = ecs.ContainerInsights.ENHANCED if insights == "enhanced" else ecs.ContainerInsights.ENABLED
    return ecs.Cluster(scope, id_, vpc=vpc, cluster_name=cluster_name, container_insights_v2=level)
