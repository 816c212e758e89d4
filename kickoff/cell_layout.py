"""The shape of a cell's network, shared by what builds it and what sizes the plan against it (stdlib).

``kickoff.constructs.network`` builds the VPC from these; ``kickoff.planning`` counts what the tasks
leave for each other: every awsvpc task takes a network interface and an address in its AZ's private subnet.
"""

from __future__ import annotations

# Public subnets hold only ALB nodes and NAT gateways; private subnets hold one ENI per Fargate task, so they are
# sized for thousands of tasks per AZ during a peak.
PUBLIC_SUBNET_MASK = 24
PRIVATE_SUBNET_MASK = 20
# VPC subnets reserve 5 addresses each (the network, router, DNS, future use and broadcast addresses).
SUBNET_RESERVED_ADDRESSES = 5
# Interface endpoints in every private subnet (one network interface per endpoint per AZ).
INTERFACE_ENDPOINTS = ("EcrApi", "EcrDocker", "Logs")
# Network interfaces Kickoff keeps for the load balancer's nodes in each AZ. AWS asks for at least 8 free
# addresses per ALB subnet and adds nodes as the load balancer scales; a reservation of tens of thousands of
# LCU runs many more, so the plan leaves room for 100 per AZ (a budget, not a documented figure).
ALB_NODE_INTERFACES_PER_AZ = 100


def task_addresses_per_zone() -> int:
    """Addresses one AZ's private subnet has for tasks, after the reserved ones and the endpoints' interfaces."""
    return 2 ** (32 - PRIVATE_SUBNET_MASK) - SUBNET_RESERVED_ADDRESSES - len(INTERFACE_ENDPOINTS)


def other_network_interfaces(zones: int, nat_gateways: int) -> int:
    """The cell's network interfaces that are not tasks: endpoints and ALB nodes per AZ, and the NAT gateways."""
    return zones * (len(INTERFACE_ENDPOINTS) + ALB_NODE_INTERFACES_PER_AZ) + nat_gateways
