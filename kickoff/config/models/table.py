"""The global table, and the resilience objectives (RTO, RPO) it and the routing must meet."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import Field, model_validator

from kickoff.config.errors import FieldProblem
from kickoff.config.models.base import Slug, StrictModel


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
                raise FieldProblem(
                    (f"min_{kind}",), f"min_{kind} ({low}) > max_{kind} ({high})", f"set min_{kind} <= max_{kind}"
                )
        return self


class TableConfig(StrictModel):
    """The DynamoDB global table shared by all cells, with one replica per cell Region."""

    name: Slug = Field(description="Logical table name; the physical name is <app>-<environment>-<name>. No default.")
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
    contributor_insights: Literal["throttled_keys", "accessed_and_throttled_keys", "off"] = Field(
        default="throttled_keys",
        description=(
            "CloudWatch Contributor Insights on every replica. throttled_keys names the keys DynamoDB throttles, "
            "and is charged only for throttled requests; accessed_and_throttled_keys also ranks every key read or "
            "written, charged per request (at a live event's traffic, thousands of USD a month). Default "
            "throttled_keys."
        ),
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
                ("provisioned",),
                "capacity bounds given for an on_demand table",
                "remove provisioned, or set billing_mode: provisioned",
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
    impaired_rto_seconds: int = Field(
        default=300,
        ge=1,
        description=(
            "Longest tolerated time for traffic to leave a Region whose own alarms say it is impaired while its "
            "endpoints still answer (alarm period x breaching minutes + DNS + client retries), s. Default 300."
        ),
    )
    replication_alarm_seconds: int | None = Field(
        default=None,
        ge=1,
        description=(
            "Threshold of each cell's DynamoDB ReplicationLatency alarm (per-minute maximum), s; it bounds the RPO "
            "under eventual consistency. Default: rpo_seconds. Ignored for strong consistency (RPO 0)."
        ),
    )
