"""The services every cell runs, and how their images are pulled."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from kickoff.config.errors import FieldProblem
from kickoff.config.models.base import FARGATE_CPU_MEMORY, HttpMethod, Slug, StrictModel
from kickoff.images import CREDENTIAL_SECRET_PREFIX, UPSTREAMS, ImageError, ImageReference, parse_image


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
    deploy_max_percent: int = Field(
        default=200,
        ge=110,
        le=200,
        description=(
            "The most tasks a rolling deploy runs, as a percentage of the running count (ECS maximumPercent; the "
            "minimum healthy percentage is 100). Each task is a load balancer target and a network interface, so the "
            "declared quotas must hold the plan times this. Lower it for a large service to deploy in smaller "
            "batches and need less headroom. Default 200."
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
    command: tuple[str, ...] | None = Field(
        default=None,
        min_length=1,
        description=(
            "The container's command, replacing the image's CMD (the ECS container definition's Command). "
            "Default: the image's own."
        ),
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
                raise FieldProblem(
                    ("credentials", host),
                    f"'{host}' is not an upstream ECR can cache",
                    f"use one of {', '.join(sorted(UPSTREAMS))}",
                )
            if not secret.startswith(CREDENTIAL_SECRET_PREFIX) or len(secret) <= len(CREDENTIAL_SECRET_PREFIX):
                raise FieldProblem(
                    ("credentials", host),
                    f"'{secret}' does not start with {CREDENTIAL_SECRET_PREFIX}",
                    f"name the secret {CREDENTIAL_SECRET_PREFIX}<name>; ECR reads no other",
                )
        return self
