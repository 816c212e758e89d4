"""The Kickoff config: one validated model per concern, composed into ``KickoffConfig``.

Every field documents its unit and default. Cross-field rules live in model validators
and raise ``FieldProblem`` so the loader can name the exact field and the fix.
A config that validates here is safe to hand to CDK; constructs still re-check the
slice they receive (validate, then build).
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from kickoff import naming
from kickoff.config.errors import FieldProblem
from kickoff.config.regions import KNOWN_REGIONS, MRSC_REGION_SETS, mrsc_region_set
from kickoff.failover import ServiceSpec, cell_capacity_rps, failover_times, fastest_possible, n_minus_1
from kickoff.images import CREDENTIAL_SECRET_PREFIX, UPSTREAMS, ImageError, ImageReference, parse_image
from kickoff.web import DEFAULT_PATH_PATTERN, allows_writes, cloudfront_method_set, path_pattern_matches, pattern_covers

# Fargate task-level CPU units -> valid memory sizes (MiB). Source: Amazon ECS
# developer guide, "Task CPU and memory" (Linux, platform version 1.4.0).
FARGATE_CPU_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
    2557, 2922, 3288, 3653,
)

HttpMethod = Literal["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
SLUG_PATTERN = r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$"
EDGE_REGION = "us-east-1"  # CloudFront certificates and CLOUDFRONT-scope web ACLs live here
RECOVERY_CONTROL_REGION = "us-west-2"  # the ARC configuration API and its CloudFormation resources
ORIGIN_VERIFY_HEADER = "X-Origin-Verify"
# Health-check listener rules take priorities 1..MAX_SERVICES, service rules start at 10.
MAX_SERVICES = 9


Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]


class StrictModel(BaseModel):
    """Base for every config model: unknown keys are errors, values are immutable."""

    # allow_inf_nan: .inf and .nan are YAML floats; no setting of Kickoff is infinite or undefined.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False)


# Service Quotas codes of the quotas a plan depends on (field of QuotasConfig -> code).
QUOTA_CODES = {
    "fargate_vcpu": "L-3032A538",
    "dynamodb_table_read_units": "L-CF0CBE56",
    "dynamodb_table_write_units": "L-AB614373",
    "alb_reserved_lcu_per_region": "L-8A66D0E6",
    "alb_reserved_lcu_per_alb": "L-0BB7B635",
}
# Service Quotas service code of each quota (for `aws service-quotas get-service-quota`).
QUOTA_SERVICES = {
    "fargate_vcpu": "fargate",
    "dynamodb_table_read_units": "dynamodb",
    "dynamodb_table_write_units": "dynamodb",
    "alb_reserved_lcu_per_region": "elasticloadbalancing",
    "alb_reserved_lcu_per_alb": "elasticloadbalancing",
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
        description="true confirms that the next deploy deletes this Region's table replica and its data. Default false.",
    )


class DomainConfig(StrictModel):
    """Public DNS the platform answers on. Both fields are required."""

    name: str = Field(
        description="Apex of the platform's names, e.g. live.example.com. Cells answer on origin.<name>."
    )
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


class ServiceConfig(StrictModel):
    """One containerised service, deployed identically in every cell."""

    name: Slug = Field(description="Service name, lower-case slug; used in resource names. No default.")
    image: str = Field(
        description=(
            "Container image as you would pull it, pinned by digest: [registry/]repository@sha256:<digest> "
            "(docker.io, public.ecr.aws, quay.io, ghcr.io, registry.gitlab.com, registry.k8s.io, or this account's "
            "ECR). Each cell pulls it through its own Region's ECR. No default."
        )
    )
    cpu: int = Field(description="Fargate task CPU units (1024 = 1 vCPU). No default.")
    memory_mib: int = Field(description="Fargate task memory in MiB; must be valid for `cpu`. No default.")
    container_port: int = Field(ge=1, le=65535, description="Port the container listens on. No default.")
    health_check_path: str = Field(
        pattern=r"^/[A-Za-z0-9._~/-]*$", description="HTTP path the ALB health check requests, e.g. /healthz."
    )
    path_patterns: tuple[str, ...] = Field(
        min_length=1,
        max_length=3,
        description=(
            "ALB path patterns routed to this service, e.g. ['/api/*']. 1 to 3: an ALB rule holds 5 condition "
            "values and the origin-verification header takes the other 2."
        ),
    )
    min_tasks: int = Field(ge=1, description="Tasks per cell outside scheduled peaks. No default.")
    max_tasks: int = Field(ge=1, le=5000, description="Upper bound for autoscaling per cell. No default.")
    requests_per_second_per_task: float = Field(
        gt=0, description="Requests/s one task serves at 100% utilisation (from load tests). No default."
    )
    target_utilization_percent: int = Field(
        default=60,
        ge=10,
        le=90,
        description="Target for CPU and request-count target tracking, in percent. Default 60.",
    )
    requests_per_viewer_per_second: float = Field(
        default=0.0,
        ge=0,
        description=(
            "Load model term a: steady requests/s each concurrent viewer causes (heartbeats, manifest or "
            "license refreshes). Default 0 (the service does not follow the audience)."
        ),
    )
    requests_per_arrival: float = Field(
        default=0.0,
        ge=0,
        description=(
            "Load model term b: requests each newly arriving viewer causes (login, entitlement, playback "
            "start); multiplies the arrival rate. Default 0."
        ),
    )
    table_reads_per_request: float = Field(
        default=0.0, ge=0, description="DynamoDB read units one request consumes; sizes warm throughput. Default 0."
    )
    table_writes_per_request: float = Field(
        default=0.0, ge=0, description="DynamoDB write units one request consumes; sizes warm throughput. Default 0."
    )
    peak_requests_per_second: float = Field(
        gt=0,
        description=(
            "Design peak for the whole platform, requests/s across all cells. Evacuation and static-stability "
            "checks require the remaining cells' max_tasks to carry it. No default."
        ),
    )
    methods: tuple[HttpMethod, ...] = Field(
        default=("GET", "HEAD", "OPTIONS"),
        min_length=1,
        description=(
            "HTTP methods the service accepts from viewers. Its CloudFront behaviour allows the smallest of "
            "CloudFront's method sets that holds them (GET+HEAD, +OPTIONS, or all seven); a service that accepts "
            "a write (POST, PUT, PATCH, DELETE) is served by the primary origin only, because CloudFront cannot "
            "fail writes over. Default GET, HEAD, OPTIONS."
        ),
    )
    health_check_grace_seconds: int = Field(
        default=60, ge=0, le=2_147_483_647, description="ECS health-check grace period after task start, s. Default 60."
    )
    run_as_user: str = Field(
        default="1000:1000",
        pattern=r"^[1-9][0-9]*(:[0-9]+)?$",
        description="Non-root UID[:GID] the container runs as. Default 1000:1000.",
    )
    environment: dict[str, str] = Field(
        default_factory=dict,
        description="Extra non-secret environment variables. Default none. Secrets belong in Secrets Manager.",
    )

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        try:
            parse_image(value)
        except ImageError as error:
            raise ValueError(str(error)) from None
        return value

    @property
    def image_reference(self) -> ImageReference:
        """The parsed image reference."""
        return parse_image(self.image)

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, value: int) -> int:
        if value not in FARGATE_CPU_MEMORY:
            raise ValueError(
                f"{value} is not a Fargate CPU size. Fix: use one of {', '.join(map(str, FARGATE_CPU_MEMORY))}."
            )
        return value

    @model_validator(mode="after")
    def _cross_fields(self) -> ServiceConfig:
        allowed = FARGATE_CPU_MEMORY.get(self.cpu, ())
        if allowed and self.memory_mib not in allowed:
            raise FieldProblem(
                ("memory_mib",),
                f"{self.memory_mib} MiB is not a valid Fargate memory size for cpu {self.cpu}",
                f"for cpu {self.cpu} use one of {', '.join(map(str, allowed))} MiB",
            )
        if self.min_tasks > self.max_tasks:
            raise FieldProblem(
                ("min_tasks",),
                f"min_tasks ({self.min_tasks}) is greater than max_tasks ({self.max_tasks})",
                "set min_tasks <= max_tasks",
            )
        for key in self.environment:
            if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", key) or key.startswith("KICKOFF_"):
                raise FieldProblem(
                    ("environment", key),
                    f"'{key}' is not an allowed variable name",
                    "use UPPER_SNAKE_CASE and avoid the KICKOFF_ prefix, which the platform sets",
                )
        return self

    @property
    def vcpu(self) -> float:
        """Task size in vCPU."""
        return self.cpu / 1024

    @property
    def cell_capacity_rps(self) -> float:
        """Requests/s one cell serves at max_tasks and the target utilisation."""
        return self.max_tasks * self.requests_per_second_per_task * self.target_utilization_percent / 100


class KeyType(str, Enum):
    """DynamoDB scalar attribute types usable in keys."""

    string = "string"
    number = "number"
    binary = "binary"


class KeyAttribute(StrictModel):
    """A key attribute of the global table."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,255}$", description="Attribute name.")
    type: KeyType = Field(default=KeyType.string, description="string, number or binary. Default string.")


class ProvisionedCapacity(StrictModel):
    """Autoscaled provisioned capacity bounds, per replica."""

    min_read: int = Field(ge=1, description="Minimum read capacity units.")
    max_read: int = Field(ge=1, description="Maximum read capacity units.")
    min_write: int = Field(ge=1, description="Minimum write capacity units.")
    max_write: int = Field(ge=1, description="Maximum write capacity units.")
    target_utilization_percent: int = Field(default=70, ge=20, le=90, description="Autoscaling target. Default 70.")

    @model_validator(mode="after")
    def _bounds(self) -> ProvisionedCapacity:
        for kind in ("read", "write"):
            low, high = getattr(self, f"min_{kind}"), getattr(self, f"max_{kind}")
            if low > high:
                raise FieldProblem((f"min_{kind}",), f"min_{kind} ({low}) > max_{kind} ({high})", f"set min_{kind} <= max_{kind}")
        return self


class TableConfig(StrictModel):
    """The DynamoDB global table shared by all cells, with one replica per cell Region."""

    name: Slug = Field(
        description="Logical table name; the physical name is <app>-<environment>-<name>. No default."
    )
    partition_key: KeyAttribute = Field(description="Partition key. No default.")
    sort_key: KeyAttribute | None = Field(default=None, description="Sort key. Default none.")
    billing_mode: Literal["on_demand", "provisioned"] = Field(
        default="on_demand", description="on_demand (default) or provisioned with autoscaling."
    )
    provisioned: ProvisionedCapacity | None = Field(
        default=None, description="Capacity bounds; required when billing_mode is provisioned."
    )
    consistency: Literal["eventual", "strong"] = Field(
        default="eventual",
        description=(
            "eventual (default): multi-Region eventual consistency. strong: multi-Region strong "
            "consistency (RPO 0), which needs exactly 3 cell Regions, or 2 plus witness_region, in one Region set."
        ),
    )
    witness_region: str | None = Field(
        default=None, description="MRSC witness Region when only 2 cells exist (strong consistency only)."
    )
    encryption: Literal["aws_managed", "customer_managed"] = Field(
        default="aws_managed",
        description=(
            "aws_managed (default): the AWS managed key aws/dynamodb in each Region. customer_managed: "
            "a customer managed KMS key per Region, with rotation, created by a Keys stack in that Region."
        ),
    )
    point_in_time_recovery_days: int = Field(
        default=35, ge=1, le=35, description="PITR recovery window in days, on every replica. Default 35."
    )
    ttl_attribute: str | None = Field(
        default="expires_at",
        pattern=r"^[A-Za-z0-9_.-]{1,255}$",
        description=(
            "Attribute holding each item's expiry (epoch seconds); DynamoDB deletes expired items at no cost, so "
            "sessions are not kept forever. Default expires_at. null keeps items until the application deletes them."
        ),
    )

    @model_validator(mode="after")
    def _billing(self) -> TableConfig:
        if self.billing_mode == "provisioned" and self.provisioned is None:
            raise FieldProblem(
                ("provisioned",),
                "billing_mode is provisioned but no capacity bounds are given",
                "add provisioned: {min_read, max_read, min_write, max_write}, or use billing_mode: on_demand",
            )
        if self.billing_mode == "on_demand" and self.provisioned is not None:
            raise FieldProblem(
                ("provisioned",), "capacity bounds given for an on_demand table", "remove provisioned, or set billing_mode: provisioned"
            )
        if self.witness_region is not None and self.consistency != "strong":
            raise FieldProblem(
                ("witness_region",),
                "a witness Region only exists for strong (MRSC) consistency",
                "remove witness_region, or set consistency: strong",
            )
        return self


class ResilienceConfig(StrictModel):
    """Declared recovery objectives, checked against the synthesized templates."""

    rto_seconds: int = Field(
        ge=1, description="Recovery time objective: longest tolerated time for traffic to leave a failed Region, s."
    )
    rpo_seconds: int = Field(ge=0, description="Recovery point objective: most data loss tolerated, s.")
    replication_alarm_seconds: int | None = Field(
        default=None,
        ge=1,
        description=(
            "Threshold of each cell's DynamoDB ReplicationLatency alarm (per-minute maximum), s; it bounds the RPO "
            "under eventual consistency. Default: rpo_seconds. Ignored for strong consistency (RPO 0)."
        ),
    )


class HealthCheckConfig(StrictModel):
    """Route 53 health checks of each cell, through its ALB: one per service, on its health path.

    A cell is healthy only while every service's check passes (a calculated check over all of
    them), so a cell whose playback is down leaves routing even if its API answers.
    """

    request_interval_seconds: Literal[10, 30] = Field(
        default=10, description="Seconds between checks from each Route 53 checker: 10 (fast, default) or 30."
    )
    failure_threshold: int = Field(
        default=3, ge=1, le=10, description="Consecutive failures before a cell is unhealthy (1 to 10). Default 3."
    )


class RecoveryControlConfig(StrictModel):
    """Route 53 Application Recovery Controller: drain a Region with one data-plane call, no deploy."""

    enabled: bool = Field(
        default=False,
        description=(
            "Create the recovery stack (us-west-2): ARC cluster, control panel, one routing control per cell, "
            "and a safety rule keeping at least one cell on. About 2.50 USD per cluster-hour. Default false."
        ),
    )
    routing_control_arns: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Cell Region -> routing control ARN, copied from the recovery stack's outputs after its first deploy. "
            "A cell with an ARN here combines the routing control with its endpoint health check. Default none."
        ),
    )

    @model_validator(mode="after")
    def _arns(self) -> RecoveryControlConfig:
        for region, arn in self.routing_control_arns.items():
            if not re.fullmatch(r"arn:aws[a-z-]*:route53-recovery-control::\d{12}:controlpanel/[0-9a-f]+/routingcontrol/[0-9a-f]+", arn):
                raise FieldProblem(
                    ("routing_control_arns", region),
                    f"'{arn}' is not a routing control ARN",
                    "copy the RoutingControlArn output of the recovery stack for this Region",
                )
        if self.routing_control_arns and not self.enabled:
            raise FieldProblem(
                ("routing_control_arns",), "routing controls are listed but enabled is false", "set enabled: true, or remove the ARNs"
            )
        return self


class RoutingConfig(StrictModel):
    """How viewers reach a healthy cell: health checks, DNS TTLs, the incident switch."""

    health_check: HealthCheckConfig = Field(default_factory=HealthCheckConfig, description="Cell health checks.")
    secondary_ttl_seconds: int = Field(
        default=30,
        ge=5,
        le=300,
        description="TTL of the CNAME records behind the secondary origin, in seconds. Default 30.",
    )
    recovery_control: RecoveryControlConfig = Field(
        default_factory=RecoveryControlConfig, description="Optional ARC routing controls."
    )


CachePolicyName = Literal[
    "caching_optimized",
    "caching_optimized_for_uncompressed_objects",
    "caching_disabled",
    "elemental_media_package",
    "origin_cache_control",
    "origin_cache_control_query_strings",
    "use_origin_cache_control_headers",
    "use_origin_cache_control_headers_query_strings",
]
# AWS managed policies whose cache key holds the viewer's Host header (and every cookie). Everything in the
# cache key is sent to the origin, so CloudFront would ask a cell ALB for the viewer's name over TLS.
HOST_IN_CACHE_KEY = frozenset({"use_origin_cache_control_headers", "use_origin_cache_control_headers_query_strings"})


class CacheBehaviorConfig(StrictModel):
    """A CloudFront cache behaviour, served by the cells (the service whose path patterns cover it)."""

    path_pattern: str = Field(pattern=r"^/[A-Za-z0-9_./*?-]*$", description="CloudFront path pattern, e.g. /playback/*.")
    cache_policy: CachePolicyName = Field(
        description=(
            "Cache policy by snake_case name: an AWS managed one (caching_optimized, caching_disabled, ...) or "
            "Kickoff's origin_cache_control / origin_cache_control_query_strings (honour the origin's "
            "Cache-Control; no Host, no cookies in the key). The managed use_origin_cache_control_headers* put the "
            "viewer's Host in the key and are refused."
        )
    )


class OriginSecretConfig(StrictModel):
    """Which version of the origin-verification secret CloudFront sends and the cells accept.

    Pinning versions makes every rotation change the templates, so CloudFormation resolves
    the new value (a reference whose text is unchanged is never resolved again).
    """

    version: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9-]{32,64}$",
        description=(
            "VersionId CloudFront sends and every cell accepts. Default none: the version that is AWSCURRENT, "
            "as created by the Data stack. Set it at each rotation (docs/runbooks/rotate-origin-secret.md)."
        ),
    )
    previous_version: str | None = Field(
        default=None,
        pattern=r"^([A-Za-z0-9-]{32,64}|AWSPREVIOUS)$",
        description=(
            "A second VersionId (or AWSPREVIOUS) the cells also accept while CloudFront switches to `version`. "
            "Default none."
        ),
    )

    @model_validator(mode="after")
    def _pinned(self) -> OriginSecretConfig:
        if self.previous_version is not None and self.version is None:
            raise FieldProblem(
                ("version",),
                "previous_version is set but version is not, so CloudFront's secret reference would not change "
                "with the rotation and CloudFormation would keep sending the old value",
                "set version to the VersionId of the new secret value (put-secret-value --client-request-token)",
            )
        if self.previous_version is not None and self.previous_version == self.version:
            raise FieldProblem(("previous_version",), "previous_version equals version", "remove previous_version")
        return self


class WafConfig(StrictModel):
    """The web ACL in front of CloudFront."""

    rate_limit_requests: int | None = Field(
        default=None,
        ge=10,
        le=2_000_000_000,
        description=(
            "Requests one client IP may send per window before it is blocked. Default: computed from the services' "
            "load model so that shared_ip_viewers viewers behind one address are never blocked. A lower value is refused."
        ),
    )
    rate_limit_window_seconds: Literal[60, 120, 300, 600] = Field(
        default=300, description="Rate-limit evaluation window, s: 60, 120, 300 (default) or 600."
    )
    shared_ip_viewers: int = Field(
        default=1000,
        ge=1,
        description=(
            "Concurrent viewers that may share one public IP address (carrier-grade NAT, venues, offices), all "
            "arriving in the same window at kickoff. The per-IP rate limit must admit them. Default 1000."
        ),
    )


class EdgeConfig(StrictModel):
    """The global front door: CloudFront, WAF and the viewer DNS names (stack in us-east-1)."""

    viewer_names: tuple[str, ...] = Field(
        default=(),
        description="Names viewers use, each equal to or below domain.name. Default: domain.name only.",
    )
    default_cache_policy: CachePolicyName = Field(
        default="origin_cache_control",
        description=(
            "Cache policy of the default behaviour, which the service with a catch-all path pattern (/*) serves. "
            "Default origin_cache_control."
        ),
    )
    cache_behaviors: tuple[CacheBehaviorConfig, ...] = Field(
        default=(),
        description=(
            "Behaviours in precedence order. Each must be covered by a service's path pattern, and every service "
            "path pattern but the catch-all needs one. Methods come from the service: read-only services use the "
            "failover origin group, services that accept writes the primary origin only. Default none."
        ),
    )
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = Field(
        default="PriceClass_All", description="CloudFront price class. Default PriceClass_All."
    )
    allowed_countries: tuple[str, ...] = Field(
        default=(),
        description="ISO 3166-1 alpha-2 countries allowed to view (streaming rights). Default: no geo restriction.",
    )
    origin_connection_timeout_seconds: int = Field(
        default=5, ge=1, le=10, description="Seconds CloudFront waits to connect to an origin (1-10). Default 5."
    )
    origin_connection_attempts: int = Field(
        default=2, ge=1, le=3, description="Connection attempts per origin before failing over (1-3). Default 2."
    )
    origin_read_timeout_seconds: int = Field(
        default=10,
        ge=1,
        le=60,
        description=(
            "Seconds CloudFront waits for an origin's response (1-60). It bounds failover from an origin that "
            "accepts connections and then hangs, and enters the RTO budget. Default 10 (CloudFront's own is 30)."
        ),
    )
    origin_secret: OriginSecretConfig = Field(
        default_factory=OriginSecretConfig, description="Pinned versions of the origin-verification secret."
    )
    waf: WafConfig = Field(default_factory=WafConfig, description="Web ACL settings.")

    @field_validator("allowed_countries")
    @classmethod
    def _countries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in value if not re.fullmatch(r"[A-Z]{2}", c)]
        if bad:
            raise ValueError(f"{', '.join(bad)} are not ISO 3166-1 alpha-2 codes. Fix: use codes like US, PR.")
        return value


class BaselineConfig(StrictModel):
    """The predictable non-event audience, planned as recurring (cron) steps."""

    hourly_viewers: tuple[float, ...] = Field(
        description="Expected global concurrent viewers per UTC hour: 24 values (hour of day) or 168 (hour of week, Monday first)."
    )
    uncertainty: float = Field(default=0.1, ge=0, lt=1, description="Half-width of the baseline forecast band. Default 0.1.")
    region_share: dict[str, float] = Field(description="Cell Region -> share of baseline viewers; sums to 1.")

    @field_validator("hourly_viewers")
    @classmethod
    def _hours(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if len(value) not in (24, 168):
            raise ValueError(f"{len(value)} values given. Fix: give 24 (hour of day) or 168 (hour of week) values.")
        negative = next((i for i, v in enumerate(value) if v < 0), None)
        if negative is not None:
            raise FieldProblem((negative,), f"{value[negative]:g} viewers is negative", "give a count of 0 or more")
        return value


class ScalingConfig(StrictModel):
    """Forecast-driven pre-scaling: which calendar, which window of it, and the planner's knobs."""

    calendar: str | None = Field(
        default=None,
        description="Event calendar file, relative to config/ (e.g. events/nfl-2026.yaml). Default none: no pre-scaling.",
    )
    horizon_days: int = Field(
        default=14,
        ge=1,
        le=90,
        description=(
            "Days after the deploy time (-c plan_from, default now) whose events are compiled into scheduled "
            "actions (redeploy at least this often). "
            "Bounded by the 200 scheduled actions per scalable target. Default 14."
        ),
    )
    deploy_margin_minutes: int = Field(
        default=30,
        ge=5,
        le=720,
        description=(
            "Steps earlier than the deploy time + this margin are not compiled (the capacity they would set is "
            "written at deploy time instead): a deployment takes minutes, and AWS rejects schedules that start in "
            "the past. Default 30."
        ),
    )
    lead_time_minutes: int = Field(
        default=15, ge=1, le=240, description="Capacity is in place this long before the load it serves. Default 15."
    )
    step_minutes: int = Field(default=10, ge=1, le=120, description="Spacing of the steps following the forecast. Default 10.")
    ramp_down_minutes: int = Field(
        default=15, ge=1, le=240, description="Delay after expected end + overtime before capacity steps down. Default 15."
    )
    band_combination: Literal["max", "product"] = Field(
        default="max",
        description=(
            "How the forecast band and N-1 headroom combine: max (default) holds max(upper band, N-1 of expected); "
            "product holds N-1 of the upper band."
        ),
    )
    alb_reservations: bool = Field(
        default=True, description="Reserve ALB capacity units before each event (EventBridge Scheduler). Default true."
    )
    warm_throughput: bool = Field(
        default=True, description="Pre-warm the global table for the season's forecast peak. Default true."
    )
    baseline: BaselineConfig | None = Field(default=None, description="Recurring baseline steps. Default none.")


class EventConfig(StrictModel):
    """One live event of the calendar and its audience forecast."""

    id: Slug = Field(description="Unique event ID, e.g. tnf-2026-w13.")
    kickoff: datetime = Field(description="Scheduled kickoff, ISO 8601 with a time zone, e.g. 2026-12-03T20:15:00-05:00.")
    duration_minutes: int = Field(ge=1, le=1440, description="Expected minutes from kickoff to the end.")
    overtime_minutes: int = Field(default=30, ge=0, le=600, description="Allowance past the expected end. Default 30.")
    peak_viewers: int = Field(gt=0, description="Forecast peak concurrent viewers, all Regions together.")
    uncertainty: float = Field(default=0.2, ge=0, lt=1, description="Half-width of the forecast band (0.2 = ±20%). Default 0.2.")
    region_share: dict[str, float] = Field(description="Cell Region -> share of viewers; shares sum to 1.")

    @field_validator("kickoff")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError(f"{value} has no time zone. Fix: add one, e.g. 2026-12-03T20:15:00-05:00 or ...Z.")
        return value

    @model_validator(mode="after")
    def _shares(self) -> EventConfig:
        _check_shares(self.region_share, ("region_share",))
        return self


def _check_shares(shares: dict[str, float], loc: tuple[str, ...]) -> None:
    for region, share in shares.items():
        if not 0 <= share <= 1:
            raise FieldProblem(loc + (region,), f"share {share} is outside 0..1", "give each share as a fraction, e.g. 0.4")
    total = sum(shares.values())
    if abs(total - 1) > 1e-6:
        raise FieldProblem(loc, f"shares sum to {total:g}, not 1", "adjust the shares so they sum to 1")


class CalendarConfig(StrictModel):
    """An event calendar file (config/events/<season>.yaml)."""

    season: Slug = Field(description="Season name, e.g. nfl-2026.")
    events: tuple[EventConfig, ...] = Field(min_length=1, description="The events; doubleheaders may overlap.")

    @model_validator(mode="after")
    def _unique(self) -> CalendarConfig:
        seen: dict[str, int] = {}
        for i, event in enumerate(self.events):
            if event.id in seen:
                raise FieldProblem(("events", i, "id"), f"event ID '{event.id}' is used twice (events[{seen[event.id]}])",
                                   "give each event a unique id")
            seen[event.id] = i
        return self


class ImagesConfig(StrictModel):
    """How cells pull container images: ECR pull-through cache rules in every cell Region."""

    credentials: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Upstream registry host -> name of the Secrets Manager secret with its credentials, which must exist in "
            "every cell Region before the cells deploy (ECR requires the prefix ecr-pullthroughcache/). Needed for "
            "docker.io, ghcr.io and registry.gitlab.com. Default none."
        ),
    )

    @model_validator(mode="after")
    def _secrets(self) -> ImagesConfig:
        for host, secret in self.credentials.items():
            if host not in UPSTREAMS:
                raise FieldProblem(("credentials", host), f"'{host}' is not an upstream ECR can cache",
                                   f"use one of {', '.join(sorted(UPSTREAMS))}")
            if not secret.startswith(CREDENTIAL_SECRET_PREFIX) or len(secret) <= len(CREDENTIAL_SECRET_PREFIX):
                raise FieldProblem(("credentials", host), f"'{secret}' does not start with {CREDENTIAL_SECRET_PREFIX}",
                                   f"name the secret {CREDENTIAL_SECRET_PREFIX}<name>; ECR reads no other")
        return self


@dataclass(frozen=True)
class EdgeBehavior:
    """A CloudFront behaviour as built: its path, cache policy, serving service and methods.

    ``failover`` is True when the behaviour may use the origin group: CloudFront refuses
    origin groups on behaviours that allow writes.
    """

    path_pattern: str
    cache_policy: str
    service: str
    allowed_methods: tuple[str, ...]
    failover: bool


class KickoffConfig(StrictModel):
    """Everything one environment of Kickoff is built from."""

    app: Slug = Field(default="kickoff", description="Application name; prefixes stack and resource names. Default kickoff.")
    environment: Slug = Field(description="Environment name, e.g. prod or dev; matches config/<environment>.yaml.")
    production: bool = Field(
        default=False, description="Turns on production-only guardrails (e.g. NAT per AZ). Default false."
    )
    account: str = Field(pattern=r"^\d{12}$", description="The 12-digit AWS account ID all stacks deploy to, quoted. No default.")

    @field_validator("account", mode="before")
    @classmethod
    def _account_quoted(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError(
                f"{value} is a YAML number, not text: an account ID that starts with 0 would lose its leading zeros. "
                f"Fix: quote it, account: \"{value:012d}\"")
        return value
    primary_region: str = Field(description="Region of the Data stack; must be one of `regions`. No default.")
    regions: tuple[RegionConfig, ...] = Field(min_length=1, description="The cells, one per Region. No default.")
    domain: DomainConfig = Field(description="The platform's public DNS name and Route 53 hosted zone. Required.")
    network: NetworkConfig = Field(default_factory=NetworkConfig, description="VPC layout. Defaults as listed.")
    logging: LoggingConfig = Field(default_factory=LoggingConfig, description="Log retention. Defaults as listed.")
    services: tuple[ServiceConfig, ...] = Field(min_length=1, description="Services in every cell. No default.")
    images: ImagesConfig = Field(default_factory=ImagesConfig, description="Pull-through cache credentials.")
    table: TableConfig = Field(description="The global table. Required.")
    resilience: ResilienceConfig = Field(description="RTO and RPO. Required.")
    retired_regions: tuple[RetiredRegionConfig, ...] = Field(
        default=(),
        description=(
            "Regions dropped from regions whose replica (listed in stateful.lock.json) may be deleted. "
            "Default none: dropping a replica Region without this is a config error."
        ),
    )
    routing: RoutingConfig = Field(default_factory=RoutingConfig, description="Health checks and the evacuation switch.")
    edge: EdgeConfig = Field(default_factory=EdgeConfig, description="CloudFront, WAF and viewer names.")
    scaling: ScalingConfig = Field(default_factory=ScalingConfig, description="Forecast-driven pre-scaling.")

    _calendar: CalendarConfig | None = PrivateAttr(default=None)
    _locate: Callable[[tuple[str | int, ...]], str] | None = PrivateAttr(default=None)

    def attach_source(self, locate: Callable[[tuple[str | int, ...]], str]) -> None:
        """Set how to name a field's file and line (done by the loader)."""
        self._locate = locate

    def locate(self, loc: tuple[str | int, ...]) -> str:
        """``file:line: field.path`` of a field, for errors raised after validation (the plan, name limits)."""
        if self._locate is not None:
            return self._locate(loc)
        return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(loc))

    def attach_calendar(self, calendar: CalendarConfig) -> None:
        """Set the event calendar named by scaling.calendar (done by the loader)."""
        self._calendar = calendar

    @property
    def calendar(self) -> CalendarConfig | None:
        """The validated event calendar, if scaling.calendar names one."""
        return self._calendar

    @model_validator(mode="after")
    def _cross_fields(self) -> KickoffConfig:
        names = [r.name for r in self.regions]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise FieldProblem(("regions", i, "name"), f"Region {name} is listed twice", "list each Region once")
        if self.primary_region not in names:
            raise FieldProblem(
                ("primary_region",),
                f"primary Region '{self.primary_region}' is not one of the cells ({', '.join(names)})",
                "set primary_region to one of the listed regions, or add it to regions",
            )
        nets = [(i, ipaddress.IPv4Network(r.vpc_cidr)) for i, r in enumerate(self.regions)]
        for i, net in nets:
            for j, other in nets[:i]:
                if net.overlaps(other):
                    raise FieldProblem(
                        ("regions", i, "vpc_cidr"),
                        f"{net} overlaps {other} of {names[j]}",
                        "give every cell a distinct, non-overlapping CIDR so cells can be peered later",
                    )
        seen_services: dict[str, int] = {}
        seen_patterns: dict[str, str] = {}
        for i, svc in enumerate(self.services):
            if svc.name in seen_services:
                raise FieldProblem(("services", i, "name"), f"service '{svc.name}' is defined twice", "give each service a unique name")
            seen_services[svc.name] = i
            for pattern in svc.path_patterns:
                if pattern in seen_patterns:
                    raise FieldProblem(
                        ("services", i, "path_patterns"),
                        f"path pattern '{pattern}' is already routed to '{seen_patterns[pattern]}'",
                        "route each path pattern to one service",
                    )
                seen_patterns[pattern] = svc.name
        if self.production and not self.network.nat_gateways_per_az:
            raise FieldProblem(
                ("network", "nat_gateways_per_az"),
                "a production environment with a single NAT gateway loses egress in every AZ when that AZ fails",
                "set nat_gateways_per_az: true (or production: false for a non-production environment)",
            )
        for i, retired in enumerate(self.retired_regions):
            if retired.name in names:
                raise FieldProblem(
                    ("retired_regions", i, "name"),
                    f"{retired.name} is both a cell and retired",
                    "remove it from retired_regions, or from regions",
                )
        self._check_consistency(names)
        self._check_routing(names)
        self._check_edge()
        self._check_waf()
        self._check_images()
        self._check_quotas()
        self._check_resilience()
        self._check_evacuation()
        baseline = self.scaling.baseline
        if baseline is not None:
            _check_shares(baseline.region_share, ("scaling", "baseline", "region_share"))
            unknown = sorted(set(baseline.region_share) - set(names) - {r.name for r in self.retired_regions})
            if unknown:
                raise FieldProblem(("scaling", "baseline", "region_share", unknown[0]), f"'{unknown[0]}' is not a cell Region",
                                   f"use the cell Regions {', '.join(names)}")
        return self

    def _check_routing(self, names: list[str]) -> None:
        if len(self.services) > MAX_SERVICES:
            raise FieldProblem(
                ("services",),
                f"{len(self.services)} services; each needs a health-check listener rule ahead of every service rule, "
                f"and priorities 1 to {MAX_SERVICES} hold them",
                f"use at most {MAX_SERVICES} services per cell",
            )
        health_paths: dict[str, str] = {}
        for i, svc in enumerate(self.services):
            if not any(path_pattern_matches(p, svc.health_check_path) for p in svc.path_patterns):
                raise FieldProblem(
                    ("services", i, "health_check_path"),
                    f"Route 53 checks '{svc.health_check_path}' through the ALB, but no path pattern of '{svc.name}' "
                    f"({', '.join(svc.path_patterns)}) routes it there",
                    "use a health path under one of the service's path patterns, e.g. /api/healthz for /api/*",
                )
            if svc.health_check_path in health_paths:
                raise FieldProblem(
                    ("services", i, "health_check_path"),
                    f"'{svc.health_check_path}' is also the health path of '{health_paths[svc.health_check_path]}', "
                    "so Route 53 could not tell the two services apart",
                    "give each service its own health path under its own path patterns",
                )
            health_paths[svc.health_check_path] = svc.name
        for region in self.routing.recovery_control.routing_control_arns:
            if region not in names:
                raise FieldProblem(
                    ("routing", "recovery_control", "routing_control_arns", region),
                    f"'{region}' is not a cell Region",
                    f"use one of {', '.join(names)}",
                )

    def _check_edge(self) -> None:
        for i, name in enumerate(self.viewer_names):
            if name != self.domain.name and not name.endswith("." + self.domain.name):
                raise FieldProblem(
                    ("edge", "viewer_names", i),
                    f"'{name}' is not in the hosted zone {self.domain.name}",
                    f"use {self.domain.name} or a name below it",
                )
            if name == naming.origin_domain(self) or name.endswith("." + naming.origin_domain(self)):
                raise FieldProblem(("edge", "viewer_names", i), f"'{name}' is reserved for origins", "choose another name")
        policies = [(("edge", "default_cache_policy"), self.edge.default_cache_policy)] + [
            (("edge", "cache_behaviors", i, "cache_policy"), b.cache_policy) for i, b in enumerate(self.edge.cache_behaviors)
        ]
        for loc, policy in policies:
            if policy in HOST_IN_CACHE_KEY:
                raise FieldProblem(
                    loc,
                    f"{policy} puts the viewer's Host header (and every cookie) in the cache key, and CloudFront sends "
                    f"everything in the key to the origin: the cell ALBs' certificates cover {naming.origin_domain(self)} and "
                    f"{naming.secondary_origin_domain(naming.origin_domain(self))}, not {', '.join(self.viewer_names)}, so TLS to the origin fails (502)",
                    "use origin_cache_control (or origin_cache_control_query_strings), which honour the origin's "
                    "Cache-Control without Host or cookies in the key",
                )
        seen: dict[str, int] = {}
        for i, behavior in enumerate(self.edge.cache_behaviors):
            loc = ("edge", "cache_behaviors", i, "path_pattern")
            if behavior.path_pattern in seen:
                raise FieldProblem(loc, f"path pattern '{behavior.path_pattern}' is used twice (cache_behaviors"
                                   f"[{seen[behavior.path_pattern]}])", "give each behaviour its own pattern")
            seen[behavior.path_pattern] = i
            if self.service_for_path(behavior.path_pattern) is None:
                raise FieldProblem(
                    loc,
                    f"no service's path patterns cover '{behavior.path_pattern}', so the cell ALBs answer it with 403",
                    "route the path to a service (services[].path_patterns), or remove the behaviour",
                )
        catch_all = self.service_for_path(DEFAULT_PATH_PATTERN)
        if catch_all is None:
            raise FieldProblem(
                ("services",),
                "no service has a catch-all path pattern (/*), so the default behaviour (every path no other "
                "behaviour matches, / included) reaches the ALBs' 403",
                "add a service that serves /* (for example the web app shell), listed last",
            )
        for i, svc in enumerate(self.services):
            for j, pattern in enumerate(svc.path_patterns):
                if svc is catch_all and pattern == DEFAULT_PATH_PATTERN:
                    continue
                if not any(pattern_covers(b.path_pattern, pattern) for b in self.edge.cache_behaviors):
                    raise FieldProblem(
                        ("services", i, "path_patterns", j),
                        f"'{pattern}' has no CloudFront behaviour, so its requests fall to the default behaviour, "
                        f"which allows only the methods of '{catch_all.name}' and uses its cache policy",
                        f"add {{path_pattern: {pattern}, cache_policy: ...}} to edge.cache_behaviors",
                    )

    def _check_images(self) -> None:
        for i, svc in enumerate(self.services):
            image = svc.image_reference
            account = image.private_account
            if account is not None and account != self.account:
                raise FieldProblem(("services", i, "image"), f"the image is in account {account}'s ECR, not {self.account}'s",
                                   "push it to this account's ECR (replicated to every cell Region)")
            upstream = image.upstream
            if upstream is None:
                continue
            if upstream.credentials and image.host not in self.images.credentials:
                raise FieldProblem(
                    ("services", i, "image"),
                    f"ECR pulls from {image.host} only with credentials, and images.credentials names none for it",
                    f"create a secret {CREDENTIAL_SECRET_PREFIX}<name> in every cell Region and add "
                    f"images: {{credentials: {{{image.host}: {CREDENTIAL_SECRET_PREFIX}<name>}}}}",
                )

    def _check_quotas(self) -> None:
        floor = sum(s.min_tasks * s.vcpu for s in self.services)
        for i, region in enumerate(self.regions):
            if floor > region.quotas.fargate_vcpu:
                raise FieldProblem(
                    ("regions", i, "quotas", "fargate_vcpu"),
                    f"the services' min_tasks alone need {floor:g} Fargate vCPU in {region.name}, above the declared "
                    f"quota of {region.quotas.fargate_vcpu:g} (L-3032A538)",
                    "request the increase in Service Quotas and declare the granted value, or lower min_tasks",
                )

    def _check_resilience(self) -> None:
        """The objectives the resilience budget will hold the templates to, checked on the settings first, with
        the same arithmetic (kickoff.failover), so that a config ``validate`` accepts also synthesizes."""
        resilience, health, edge = self.resilience, self.routing.health_check, self.edge
        times = failover_times(
            interval=health.request_interval_seconds, threshold=health.failure_threshold,
            secondary_ttl=self.routing.secondary_ttl_seconds, connect=edge.origin_connection_timeout_seconds,
            read=edge.origin_read_timeout_seconds, attempts=edge.origin_connection_attempts)
        if times.worst > resilience.rto_seconds:
            fastest = fastest_possible().worst
            if fastest > resilience.rto_seconds:
                fix = (f"no setting can meet it: the fastest failover any health-check, DNS and CloudFront setting allows "
                       f"is {fastest} s (10 s x 1 detection; 60 s alias TTL, or a 5 s secondary CNAME before it; one "
                       f"1 s + 1 s CloudFront attempt); raise rto_seconds")
            else:
                fix = ("lower routing.health_check.request_interval_seconds or failure_threshold, "
                       "routing.secondary_ttl_seconds, or edge.origin_* timeouts and attempts, or raise rto_seconds")
            raise FieldProblem(
                ("resilience", "rto_seconds"),
                f"{resilience.rto_seconds} s cannot be met: traffic leaves a failed cell after {times.detection} s detection "
                f"+ {times.dns} s DNS + {times.retries} s CloudFront retries = {times.primary} s, and the secondary origin "
                f"is re-pointed after {times.detection} s + {times.secondary_dns} s = {times.secondary} s",
                fix,
            )
        if self.table.consistency == "eventual":
            if resilience.rpo_seconds < 1:
                raise FieldProblem(("resilience", "rpo_seconds"),
                                   "RPO 0 needs every write committed in two Regions, which eventual consistency does not do",
                                   "set table.consistency: strong (MRSC), or an RPO of at least 1 s")
            alarm = resilience.replication_alarm_seconds
            if alarm is not None and alarm > resilience.rpo_seconds:
                raise FieldProblem(("resilience", "replication_alarm_seconds"),
                                   f"an alarm at {alarm} s lets replication lag beyond the RPO of {resilience.rpo_seconds} s",
                                   "set it to rpo_seconds or less, or leave it out (default: rpo_seconds)")
        specs = [ServiceSpec(s.name, s.vcpu, s.requests_per_second_per_task * s.target_utilization_percent / 100)
                 for s in self.services]
        per_cell = {r: cell_capacity_rps({s.name: s.max_tasks for s in self.services}, specs,
                                         self.region(r).quotas.fargate_vcpu)[0] for r in self.routed_regions}
        for i, svc in enumerate(self.services):
            if len(per_cell) < 2:
                break
            lost, remaining = n_minus_1(per_cell, svc.name)
            if remaining < svc.peak_requests_per_second:
                raise FieldProblem(
                    ("services", i, "max_tasks"),
                    f"with {lost} lost, the other cells serve {remaining:,.0f} req/s of {svc.name} at max_tasks "
                    f"(within their Fargate vCPU quotas), below its peak of {svc.peak_requests_per_second:,.0f} req/s",
                    "raise max_tasks (and the Regions' fargate_vcpu quotas if they cap it), or add a cell",
                )

    def _check_waf(self) -> None:
        waf = self.edge.waf
        required = self.waf_required_rate_limit
        if waf.rate_limit_requests is not None and waf.rate_limit_requests < required:
            per_viewer = self.requests_per_viewer(waf.rate_limit_window_seconds)
            raise FieldProblem(
                ("edge", "waf", "rate_limit_requests"),
                f"{waf.rate_limit_requests:,} requests per {waf.rate_limit_window_seconds} s would block "
                f"{waf.shared_ip_viewers:,} viewers behind one address (carrier-grade NAT, a venue, an office): each "
                f"sends about {per_viewer:.1f} requests in that window by the services' load model, "
                f"{required:,} in all",
                f"raise it to at least {required:,}, remove it (computed), or lower edge.waf.shared_ip_viewers",
            )

    def service_for_path(self, pattern: str) -> ServiceConfig | None:
        """The service the cell ALBs forward every path of ``pattern`` to: the first, in rule priority
        (config) order, whose path patterns cover it."""
        return next((s for s in self.services if any(pattern_covers(p, pattern) for p in s.path_patterns)), None)

    def _check_evacuation(self) -> None:
        evacuated = [i for i, r in enumerate(self.regions) if r.evacuate]
        if not evacuated:
            return
        first = evacuated[0]
        if len(evacuated) == len(self.regions):
            raise FieldProblem(
                ("regions", first, "evacuate"),
                "every cell is evacuated, so viewers would have nowhere to go",
                "keep at least one cell in routing (set evacuate: false on one Region)",
            )
        remaining = [r.name for r in self.regions if not r.evacuate]
        shortfalls = []
        for svc in self.services:
            capacity = len(remaining) * svc.cell_capacity_rps
            if capacity < svc.peak_requests_per_second:
                missing = svc.peak_requests_per_second - capacity
                per_cell = svc.requests_per_second_per_task * svc.target_utilization_percent / 100
                shortfalls.append(
                    f"{svc.name}: {len(remaining)} cell(s) x {svc.max_tasks} tasks serve {capacity:,.0f} req/s < peak "
                    f"{svc.peak_requests_per_second:,.0f} (short {missing:,.0f} req/s, about "
                    f"{-(-missing // (per_cell * len(remaining))):,.0f} more max_tasks per cell)"
                )
        if shortfalls:
            raise FieldProblem(
                ("regions", first, "evacuate"),
                f"the remaining cells ({', '.join(remaining)}) cannot absorb the peak: " + "; ".join(shortfalls),
                "evacuate fewer Regions, or raise max_tasks of the services named",
            )

    def _check_consistency(self, names: list[str]) -> None:
        table = self.table
        if len(names) < 2:
            raise FieldProblem(
                ("regions",),
                "a global table and active-active cells need at least 2 Regions",
                "list at least 2 regions",
            )
        if table.consistency != "strong":
            return
        regions = set(names) | ({table.witness_region} if table.witness_region else set())
        region_set = mrsc_region_set(regions)
        sets = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in MRSC_REGION_SETS.items())
        if region_set is None:
            raise FieldProblem(
                ("table", "consistency"),
                f"strong consistency needs all Regions in one MRSC Region set, but {', '.join(sorted(regions))} are not",
                f"pick cells (and witness) from one set ({sets}), or use consistency: eventual",
            )
        if table.witness_region in names:
            raise FieldProblem(
                ("table", "witness_region"), "the witness Region is also a cell", "choose a witness Region that holds no replica"
            )
        if table.witness_region is None and len(names) != 3:
            raise FieldProblem(
                ("table", "consistency"),
                f"strong consistency needs exactly 3 replicas, or 2 plus a witness; this config has {len(names)} Regions",
                "use 3 regions, or 2 regions plus table.witness_region, or consistency: eventual",
            )
        if table.witness_region is not None and len(names) != 2:
            raise FieldProblem(
                ("table", "witness_region"),
                f"a witness is only allowed with exactly 2 replicas; this config has {len(names)} Regions",
                "remove witness_region (3 replicas need none)",
            )

    # Derived values used across stacks. Deterministic, so no stack needs another's outputs.

    @property
    def region_names(self) -> tuple[str, ...]:
        """Cell Regions in config order."""
        return tuple(r.name for r in self.regions)

    @property
    def replica_removals_allowed(self) -> tuple[str, ...]:
        """Retired Regions whose replica may be deleted."""
        return tuple(r.name for r in self.retired_regions if r.allow_replica_removal)

    @property
    def behaviors(self) -> tuple[EdgeBehavior, ...]:
        """CloudFront's cache behaviours in precedence order, each with the service that serves it."""
        return tuple(self._behavior(b.path_pattern, b.cache_policy) for b in self.edge.cache_behaviors)

    @property
    def default_behavior(self) -> EdgeBehavior:
        """The default behaviour, served by the catch-all service."""
        return self._behavior(DEFAULT_PATH_PATTERN, self.edge.default_cache_policy)

    def _behavior(self, pattern: str, cache_policy: str) -> EdgeBehavior:
        service = self.service_for_path(pattern)
        if service is None:
            raise KeyError(f"no service serves {pattern}")  # unreachable once _check_edge passed
        return EdgeBehavior(pattern, cache_policy, service.name, cloudfront_method_set(service.methods),
                            failover=not allows_writes(service.methods))

    def requests_per_viewer(self, window_seconds: int) -> float:
        """Requests one viewer who arrives in a window sends in it, by the services' load model (a x T + b)."""
        return sum(s.requests_per_viewer_per_second * window_seconds + s.requests_per_arrival for s in self.services)

    @property
    def waf_required_rate_limit(self) -> int:
        """The lowest per-IP limit that admits ``edge.waf.shared_ip_viewers`` viewers behind one address."""
        waf = self.edge.waf
        return max(10, math.ceil(waf.shared_ip_viewers * self.requests_per_viewer(waf.rate_limit_window_seconds)))

    @property
    def waf_rate_limit(self) -> int:
        """The per-IP rate limit: configured, or the required one rounded up to a thousand."""
        required = self.waf_required_rate_limit
        return self.edge.waf.rate_limit_requests or math.ceil(required / 1000) * 1000

    @property
    def viewer_names(self) -> tuple[str, ...]:
        """Names viewers use, default the apex domain."""
        return self.edge.viewer_names or (self.domain.name,)

    @property
    def routed_regions(self) -> tuple[str, ...]:
        """Cells in routing (not evacuated)."""
        return tuple(r.name for r in self.regions if not r.evacuate)

    def region(self, name: str) -> RegionConfig:
        """The cell config of Region ``name``."""
        for region in self.regions:
            if region.name == name:
                return region
        raise KeyError(name)
