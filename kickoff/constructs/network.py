"""The cell network: a VPC over the configured AZs with flow logs."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3
from constructs import Construct

from kickoff.cell_layout import INTERFACE_ENDPOINTS, PRIVATE_SUBNET_MASK, PUBLIC_SUBNET_MASK
from kickoff.config.models import NetworkConfig, RegionConfig

INTERFACE_SERVICES = {
    "EcrApi": ec2.InterfaceVpcEndpointAwsService.ECR,
    "EcrDocker": ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
    "Logs": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
}


class CellNetwork(Construct):
    """VPC with public and private subnets in every configured AZ.

    NAT gateways: one per AZ (static stability: an AZ failure never removes egress from
    the surviving AZs) or a single one for non-production. Flow logs go to the cell log
    bucket. Gateway endpoints for DynamoDB and S3 keep table and log traffic off the
    NAT gateways (cheaper, and no NAT dependency on the data path). Interface endpoints
    for ECR (API and registry) and CloudWatch Logs let tasks pull images (their layers come
    from S3) and ship logs without the NAT gateways, so a scale-out does not depend on them.

    Attributes: ``vpc``, ``flow_log``, ``interface_endpoints``, ``availability_zones``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        region: RegionConfig,
        network: NetworkConfig,
        flow_log_bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, id_)
        zones = list(region.zones)
        cidr_prefix = int(region.vpc_cidr.split("/")[1])
        # Each AZ needs one /20 and one /24; check the CIDR has room before building.
        needed = len(zones) * (2 ** (32 - PRIVATE_SUBNET_MASK) + 2 ** (32 - PUBLIC_SUBNET_MASK))
        if needed > 2 ** (32 - cidr_prefix):
            raise ValueError(
                f"regions[{region.name}].vpc_cidr {region.vpc_cidr} is too small for {len(zones)} AZs; use a /16 to /18"
            )
        self.availability_zones = zones
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(region.vpc_cidr),
            availability_zones=zones,
            nat_gateways=len(zones) if network.nat_gateways_per_az else 1,
            restrict_default_security_group=True,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=PUBLIC_SUBNET_MASK),
                ec2.SubnetConfiguration(
                    name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=PRIVATE_SUBNET_MASK
                ),
            ],
            gateway_endpoints={
                "DynamoDb": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.DYNAMODB),
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3),
            },
        )
        self.interface_endpoints = {
            name: self.vpc.add_interface_endpoint(
                name,
                service=service,
                private_dns_enabled=True,
                subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
                open=False,
            )
            for name, service in ((n, INTERFACE_SERVICES[n]) for n in INTERFACE_ENDPOINTS)
        }
        for endpoint in self.interface_endpoints.values():
            endpoint.connections.allow_from(
                ec2.Peer.ipv4(region.vpc_cidr), ec2.Port.tcp(443), "HTTPS from the cell VPC"
            )
        self.flow_log = self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_s3(flow_log_bucket, "vpc-flow-logs/"),
            traffic_type=ec2.FlowLogTrafficType[network.flow_log_traffic],
        )
