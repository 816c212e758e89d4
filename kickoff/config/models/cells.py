"""The cells: one Region each, with its quotas, VPC, zones; the domain; network and logging settings."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from kickoff.config.errors import FieldProblem
from kickoff.config.models.base import LOG_RETENTION_DAYS, StrictModel
from kickoff.config.regions import KNOWN_REGIONS

# Service Quotas codes of the quotas a plan depends on (field of QuotasConfig -> code).
QUOTA_CODES = {
    "fargate_vcpu": "L-3032A538",
    "dynamodb_table_read_units": "L-CF0CBE56",
    "dynamodb_table_write_units": "L-AB614373",
    "alb_reserved_lcu_per_region": "L-8A66D0E6",
    "alb_reserved_lcu_per_alb": "L-0BB7B635",
    "alb_targets": "L-7E6692B2",
    "targets_per_target_group": "L-A0D0B863",
    "network_interfaces": "L-DF5E4CA3",
    "medialive_channels": "L-D1AFAF75",
    "medialive_push_inputs": "L-9E233AF7",
    "medialive_input_security_groups": "L-6A0116BB",
    "mediapackage_channel_groups": "L-A7040149",
    "mediapackage_channels_per_group": "L-55777135",
}


# Service Quotas service code of each quota (for `aws service-quotas get-service-quota`).
QUOTA_SERVICES = {
    "fargate_vcpu": "fargate",
    "dynamodb_table_read_units": "dynamodb",
    "dynamodb_table_write_units": "dynamodb",
    "alb_reserved_lcu_per_region": "elasticloadbalancing",
    "alb_reserved_lcu_per_alb": "elasticloadbalancing",
    "alb_targets": "elasticloadbalancing",
    "targets_per_target_group": "elasticloadbalancing",
    "network_interfaces": "vpc",
    "medialive_channels": "medialive",
    "medialive_push_inputs": "medialive",
    "medialive_input_security_groups": "medialive",
    "mediapackage_channel_groups": "mediapackagev2",
    "mediapackage_channels_per_group": "mediapackagev2",
}


class QuotasConfig(StrictModel):
    """Service quotas of the account in one Region that a capacity plan depends on.

    Declare what Service Quotas shows for the account (`python -m kickoff quotas` prints the
    commands that read them). A plan that needs more is a config error naming the quota code.
    """

    fargate_vcpu: int = Field(
        default=6,
        gt=0,
        description=(
            "Fargate On-Demand vCPU resource count (Service Quotas L-3032A538), in vCPU. Default 6, AWS's default "
            "for new accounts (many older accounts show 4000 applied). The services' min_tasks and every scheduled "
            "minimum must fit."
        ),
    )
    dynamodb_table_read_units: int = Field(
        default=40_000,
        gt=0,
        description=(
            "DynamoDB table-level read throughput limit (Service Quotas L-CF0CBE56), read units/s per table. "
            "Default 40000. Warm throughput above it cannot be set on the replica in this Region."
        ),
    )
    dynamodb_table_write_units: int = Field(
        default=40_000,
        gt=0,
        description=(
            "DynamoDB table-level write throughput limit (Service Quotas L-AB614373), write units/s per table. "
            "Default 40000. Warm throughput above it cannot be set on the replica in this Region."
        ),
    )
    alb_reserved_lcu_per_region: int = Field(
        default=0,
        ge=0,
        description=(
            "Reserved Application Load Balancer capacity units per Region (Service Quotas L-8A66D0E6). Default 0: "
            "no reservation succeeds until it is raised. Each cell's ALB reservation must fit."
        ),
    )
    alb_reserved_lcu_per_alb: int = Field(
        default=15_000,
        ge=0,
        description=(
            "Reserved Application Load Balancer capacity units per load balancer (Service Quotas L-0BB7B635). "
            "Default 15000."
        ),
    )
    alb_targets: int = Field(
        default=1_000,
        ge=1,
        description=(
            "Targets per Application Load Balancer (Service Quotas L-7E6692B2). Every Fargate task of every service "
            "is one target of the cell's ALB, and a rolling deploy adds up to services[].deploy_max_percent of them. "
            "Default 1000."
        ),
    )
    targets_per_target_group: int = Field(
        default=1_000,
        ge=1,
        description=(
            "IP targets per target group per Region (Service Quotas L-A0D0B863): each service's tasks, deploy surge "
            "included. Default 1000."
        ),
    )
    network_interfaces: int = Field(
        default=5_000,
        ge=1,
        description=(
            "Network interfaces per Region (Service Quotas L-DF5E4CA3, service code vpc): one per Fargate task, deploy "
            "surge included, plus the cell's endpoints, NAT gateways and load balancer nodes. Default 5000."
        ),
    )
    medialive_channels: int = Field(
        default=5,
        ge=0,
        description=(
            "MediaLive channels per Region (Service Quotas L-D1AFAF75): one per live channel this Region ingests, "
            "idle ones included. Default 5."
        ),
    )
    medialive_push_inputs: int = Field(
        default=5,
        ge=0,
        description=(
            "MediaLive push inputs per Region (Service Quotas L-9E233AF7): one per rtp_push live channel this Region "
            "ingests. Default 5 (AWS's documented default; some accounts show 20)."
        ),
    )
    medialive_input_security_groups: int = Field(
        default=5,
        ge=0,
        description=(
            "MediaLive input security groups per Region (Service Quotas L-6A0116BB): one per rtp_push live channel. "
            "Default 5."
        ),
    )
    mediapackage_channel_groups: int = Field(
        default=3,
        ge=0,
        description=(
            "MediaPackage v2 channel groups per Region (Service Quotas L-A7040149): one per environment that ingests "
            "live channels here (shared with any other use in the account). Default 3."
        ),
    )
    mediapackage_channels_per_group: int = Field(
        default=10,
        ge=0,
        description=(
            "MediaPackage v2 channels per channel group (Service Quotas L-55777135): one per live channel this Region "
            "ingests. Default 10."
        ),
    )


class RegionConfig(StrictModel):
    """One active-active cell: a Region with its own VPC, ALB and services."""

    name: str = Field(description="AWS Region code, e.g. us-east-1. No default.")
    vpc_cidr: str = Field(
        description=(
            "IPv4 CIDR of the cell VPC, /16 to /18 (each AZ takes a /20 private and a /24 public subnet); "
            "must not overlap another cell's. No default."
        )
    )
    availability_zones: tuple[str, ...] | None = Field(
        default=None,
        description=(
            "AZ names the cell spans (2 to 6). Default: the Region's a, b and c zones. "
            "Given explicitly so synth never asks AWS which zones exist."
        ),
    )
    evacuate: bool = Field(
        default=False,
        description=(
            "Planned evacuation: true removes this cell from routing (primary and secondary origin records) "
            "on the next deploy of its own stack; the cell keeps running. Default false."
        ),
    )
    quotas: QuotasConfig = Field(
        default_factory=lambda: QuotasConfig(),
        description="Service quotas of the account in this Region that the plan depends on. Defaults: AWS's defaults.",
    )

    @field_validator("name")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in KNOWN_REGIONS:
            close = [r for r in sorted(KNOWN_REGIONS) if r.split("-")[0] == value.split("-")[0]]
            hint = f" Known Regions with that prefix: {', '.join(close)}." if close else ""
            raise ValueError(f"unknown AWS Region '{value}'. Fix: use a Region code such as us-east-1.{hint}")
        return value

    @field_validator("vpc_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        try:
            net = ipaddress.IPv4Network(value, strict=True)
        except ValueError as exc:
            raise ValueError(f"'{value}' is not an IPv4 network ({exc}). Fix: use a form like 10.10.0.0/16.") from None
        if not 16 <= net.prefixlen <= 18:
            raise ValueError(
                f"'{value}' is a /{net.prefixlen}, too small for a /20 private subnet per AZ. "
                "Fix: use a prefix between /16 and /18."
            )
        return value

    @model_validator(mode="after")
    def _zones(self) -> RegionConfig:
        zones = self.availability_zones
        if zones is None:
            return self
        pattern = re.compile(rf"^{re.escape(self.name)}[a-z]$")
        bad = [z for z in zones if not pattern.match(z)]
        if bad:
            raise FieldProblem(
                ("availability_zones",),
                f"{', '.join(bad)} {'is not a zone' if len(bad) == 1 else 'are not zones'} of {self.name}",
                f"use names like {self.name}a, {self.name}b, {self.name}c",
            )
        if len(set(zones)) != len(zones):
            raise FieldProblem(("availability_zones",), "a zone is listed twice", "list each zone once")
        if not 2 <= len(zones) <= 6:
            raise FieldProblem(
                ("availability_zones",),
                f"{len(zones)} zones listed",
                "list between 2 and 6 zones (3 is recommended for static stability)",
            )
        return self

    @property
    def zones(self) -> tuple[str, ...]:
        """The AZs the cell spans, with the default applied."""
        return self.availability_zones or tuple(f"{self.name}{s}" for s in "abc")


class RetiredRegionConfig(StrictModel):
    """A Region removed from the cells whose table replica may be deleted."""

    name: str = Field(description="Region code that was a cell.")
    allow_replica_removal: bool = Field(
        default=False,
        description="true confirms that the next deploy deletes this Region's table replica and its data. Default "
        "false.",
    )


class DomainConfig(StrictModel):
    """Public DNS the platform answers on. Both fields are required."""

    name: str = Field(description="Apex of the platform's names, e.g. live.example.com. Cells answer on origin.<name>.")
    hosted_zone_id: str = Field(
        description="ID of the existing public Route 53 hosted zone for `name`, e.g. Z0123456789ABCDEFGHIJ."
    )

    @field_validator("name")
    @classmethod
    def _dns_name(cls, value: str) -> str:
        value = value.rstrip(".").lower()
        label = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
        if not re.fullmatch(rf"{label}(\.{label})+", value):
            raise ValueError(f"'{value}' is not a DNS name. Fix: give a name like live.example.com.")
        return value

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone_id(cls, value: str) -> str:
        if not re.fullmatch(r"Z[A-Z0-9]{4,31}", value):
            raise ValueError(
                f"'{value}' is not a Route 53 hosted zone ID. "
                "Fix: copy the ID (starts with Z, e.g. Z0123456789ABCDEFGHIJ) from the Route 53 console."
            )
        return value


class NetworkConfig(StrictModel):
    """VPC layout shared by every cell."""

    nat_gateways_per_az: bool = Field(
        default=True,
        description=(
            "One NAT gateway per AZ (true, default) so an AZ failure cannot cut the others' egress; "
            "false uses a single NAT gateway (cheaper, for non-production)."
        ),
    )
    flow_log_traffic: Literal["ALL", "ACCEPT", "REJECT"] = Field(
        default="ALL", description="Which traffic VPC flow logs record. Default ALL."
    )


class LoggingConfig(StrictModel):
    """Retention of logs the platform writes."""

    retention_days: int = Field(
        default=30,
        description="CloudWatch Logs retention for service logs, in days (a CloudWatch-allowed value). Default 30.",
    )
    access_log_expiration_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days before ALB access logs and VPC flow logs in the cell log bucket expire. Default 90.",
    )

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            allowed = ", ".join(str(v) for v in LOG_RETENTION_DAYS)
            raise ValueError(f"{value} days is not a CloudWatch Logs retention period. Fix: use one of {allowed}.")
        return value
