"""Shared pieces of the config models: the strict base model, value tables AWS fixes, fixed Regions and headers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

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
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
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
