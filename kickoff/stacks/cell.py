"""Cell stack: one Region's VPC, ALB, ECS services and access to its table replica."""

from __future__ import annotations

from aws_cdk import CfnOutput, Tags
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_route53 as route53
from constructs import Construct

from kickoff.config.models import KickoffConfig
from kickoff.constructs.global_table import ReplicaAccess
from kickoff.constructs.load_balancer import CellLoadBalancer
from kickoff.constructs.log_bucket import CellLogBucket
from kickoff.constructs.network import CellNetwork
from kickoff.constructs.service import CellService
from kickoff.stacks.base import KickoffStack

# Listener rule priorities leave gaps so a rule can be inserted without renumbering.
RULE_PRIORITY_STEP = 10


class CellStack(KickoffStack):
    """An active-active cell. Depends on nothing in another Region: the table is found by name."""

    def __init__(self, scope: Construct, *, config: KickoffConfig, region: str) -> None:
        super().__init__(
            scope,
            config=config,
            unit="cell",
            region=region,
            cell=region,
            description=f"Kickoff {config.environment}: active-active cell in {region}",
        )
        region_config = config.region(region)
        self.log_bucket = CellLogBucket(self, "LogBucket", expiration_days=config.logging.access_log_expiration_days)
        self.network = CellNetwork(
            self, "Network", region=region_config, network=config.network, flow_log_bucket=self.log_bucket.bucket
        )
        hosted_zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "HostedZone", hosted_zone_id=config.domain.hosted_zone_id, zone_name=config.domain.name
        )
        self.load_balancer = CellLoadBalancer(
            self,
            "LoadBalancer",
            vpc=self.network.vpc,
            region=region,
            origin_name=config.origin_domain,
            hosted_zone=hosted_zone,
            access_log_bucket=self.log_bucket.bucket,
        )
        self.load_balancer.allow_viewers_from(ec2.Peer.any_ipv4(), "viewers")
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=self.network.vpc,
            cluster_name=f"{config.app}-{config.environment}",
            container_insights_v2=ecs.ContainerInsights.ENHANCED,
        )
        self.replica = ReplicaAccess(
            self,
            "TableReplica",
            table_name=config.table_name,
            key_alias=config.table_key_alias if config.table.encryption == "customer_managed" else None,
        )
        self.services: dict[str, CellService] = {}
        for index, service in enumerate(config.services):
            cell_service = CellService(
                self,
                _construct_id(service.name),
                service=service,
                cluster=self.cluster,
                listener=self.load_balancer.https_listener,
                rule_priority=(index + 1) * RULE_PRIORITY_STEP,
                log_retention_days=config.logging.retention_days,
                environment={
                    "KICKOFF_ENVIRONMENT": config.environment,
                    "KICKOFF_REGION": region,
                    "KICKOFF_SERVICE": service.name,
                    "KICKOFF_TABLE_NAME": config.table_name,
                },
            )
            self.replica.grant_read_write(cell_service.task_role)
            Tags.of(cell_service).add("service", service.name)
            self.services[service.name] = cell_service

        CfnOutput(self, "AlbDnsName", value=self.load_balancer.alb.load_balancer_dns_name)
        CfnOutput(self, "ClusterName", value=self.cluster.cluster_name)


def _construct_id(service_name: str) -> str:
    """Stable PascalCase construct ID for a service: ``playback`` -> ``PlaybackService``."""
    return "".join(part.capitalize() for part in service_name.split("-")) + "Service"
