"""What each cell watches, who hears about it, and which signals take a Region out of routing."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from kickoff.config.errors import FieldProblem
from kickoff.config.models.base import StrictModel

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SubscriptionConfig(StrictModel):
    """One subscriber of every cell's alarm topic (one SNS topic per Region)."""

    protocol: Literal["email", "https"] = Field(
        description=(
            "email (the address confirms once per Region) or https (a webhook that confirms the SNS subscription, "
            "e.g. a chat integration's SNS endpoint or an incident tool's)."
        )
    )
    endpoint: str = Field(min_length=3, max_length=2048, description="The address or https:// URL.")

    @model_validator(mode="after")
    def _endpoint(self) -> SubscriptionConfig:
        if self.protocol == "email" and not EMAIL_PATTERN.fullmatch(self.endpoint):
            raise FieldProblem(("endpoint",), f"'{self.endpoint}' is not an email address", "write name@example.com")
        if self.protocol == "https" and not self.endpoint.startswith("https://"):
            raise FieldProblem(
                ("endpoint",), f"'{self.endpoint}' is not an https:// URL", "use an https:// endpoint (SNS signs it)"
            )
        return self


class ServiceAlarmsConfig(StrictModel):
    """Alarms of every ECS service in every cell."""

    cpu_percent: float = Field(
        default=85, gt=0, le=100, description="Service CPU utilisation (average) above this, %. Default 85."
    )
    memory_percent: float = Field(
        default=90, gt=0, le=100, description="Service memory utilisation (average) above this, %. Default 90."
    )
    tasks_below_desired_minutes: int = Field(
        default=5,
        ge=1,
        le=60,
        description=(
            "Minutes running tasks may stay below desired (a deploy or a scale-out starts tasks) before the alarm. "
            "Default 5."
        ),
    )
    plan_grace_minutes: int = Field(
        default=3,
        ge=1,
        le=30,
        description=(
            "Minutes running tasks may stay below the plan's minimum after a kickoff before the alarm. The "
            "minimum is scheduled lead_minutes earlier, so this only absorbs metric delay. Default 3."
        ),
    )


class AlbAlarmsConfig(StrictModel):
    """Alarms of each cell's load balancer (rates over a minute, latency per minute)."""

    elb_5xx_percent: float = Field(
        default=1.0, gt=0, le=100, description="5xx the load balancer itself returns, % of requests. Default 1."
    )
    target_5xx_percent: float = Field(
        default=2.0, gt=0, le=100, description="5xx the services return, % of requests. Default 2."
    )
    p50_ms: int = Field(default=250, ge=1, description="Target response time p50 above this, ms. Default 250.")
    p99_ms: int = Field(default=2000, ge=1, description="Target response time p99 above this, ms. Default 2000.")
    min_requests: int = Field(
        default=60,
        ge=0,
        description=(
            "Requests per minute below which the 5xx rates are not judged (one error in three requests is "
            "not an outage). Default 60."
        ),
    )
    critical_5xx_percent: float = Field(
        default=10.0,
        gt=0,
        le=100,
        description=(
            "5xx the load balancer itself returns, % of requests (judged only above min_requests a minute), that mark "
            "the Region impaired: the region-impaired alarm pages, the release's bake fails and FIS experiments stop. "
            "A rate, so it means the same at 1,000 and at 10 million requests a minute. It does not take the cell out "
            "of routing: Route 53 can only watch single-metric alarms, and an absolute count would evacuate a healthy "
            "cell as its traffic grows. Default 10."
        ),
    )


class TableAlarmsConfig(StrictModel):
    """Alarms of each cell's replica of the global table."""

    throttled_requests: int = Field(
        default=10, ge=1, description="Throttled requests per minute, all operations, above this. Default 10."
    )
    system_errors: int = Field(
        default=5, ge=1, description="DynamoDB system errors (HTTP 500) per minute above this. Default 5."
    )
    latency_ms: int = Field(
        default=25,
        ge=1,
        description="Average successful GetItem, PutItem, Query or UpdateItem latency above this, ms. Default 25.",
    )


class CanariesConfig(StrictModel):
    """CloudWatch Synthetics canaries in every cell Region, one per probed name.

    Each Region probes every cell's own name (``<region>.origin.<domain>``, on each service's
    health path) and the viewer name, so a Region can tell "that Region fails from here while
    my own cell answers" (the divergence alarms) from "everything fails from here".
    """

    enabled: bool = Field(default=True, description="Create the canaries and the divergence alarms. Default true.")
    rate_minutes: int = Field(
        default=5,
        ge=1,
        le=60,
        description="Minutes between runs of each canary (1 to 60). Each run costs 0.0012 USD. Default 5.",
    )
    failed_runs: int = Field(
        default=2,
        ge=1,
        le=10,
        description="Consecutive failed or slow runs before a probe is judged bad. Default 2.",
    )
    slow_ms: int = Field(
        default=3000, ge=100, le=60000, description="A run slower than this counts as bad, ms. Default 3000."
    )


class MonitoringConfig(StrictModel):
    """Per-cell alarms, their notification topic, the canaries that compare Regions, and routing on alarms."""

    @model_validator(mode="before")
    @classmethod
    def _replaced(cls, data: object) -> object:
        if isinstance(data, dict) and "plan_expiry_warning_days" in data:
            raise FieldProblem(
                ("plan_expiry_warning_days",),
                "plan_expiry_warning_days is replaced by scaling.agent.coverage_margin_hours (the templates hold no "
                "plan that could run out; the agent's PlanCoverageShort alarm watches the plan it wrote)",
                "remove it, and set scaling.agent.coverage_margin_hours if 24 hours does not suit",
            )
        return data

    notifications: tuple[SubscriptionConfig, ...] = Field(
        default=(),
        description=(
            "Subscribers of every Region's alarm topic. The topics exist without any (subscribe later). Default none."
        ),
    )
    evaluation_minutes: int = Field(
        default=3, ge=1, le=60, description="Minutes an alarm looks back (1-minute periods). Default 3."
    )
    datapoints_to_alarm: int = Field(
        default=2,
        ge=1,
        le=60,
        description="Breaching minutes within evaluation_minutes that raise an alarm. Default 2.",
    )
    route_on_alarms: bool = Field(
        default=True,
        description=(
            "A Region whose 'region impaired' alarms fire leaves routing, even while its endpoints answer "
            "(Route 53 health checks on those alarms, inside each cell's calculated check). Default true."
        ),
    )
    container_insights: Literal["standard", "enhanced"] = Field(
        default="standard",
        description=(
            "ECS Container Insights per cluster. standard publishes cluster- and service-level metrics, which the "
            "alarms and dashboards read; enhanced adds per-task and per-container metrics, billed per metric "
            "(thousands of short-lived tasks at an event make thousands of series). Default standard."
        ),
    )
    services: ServiceAlarmsConfig = Field(default_factory=ServiceAlarmsConfig, description="ECS service alarms.")
    load_balancer: AlbAlarmsConfig = Field(default_factory=AlbAlarmsConfig, description="ALB alarms.")
    table: TableAlarmsConfig = Field(default_factory=TableAlarmsConfig, description="Table replica alarms.")
    canaries: CanariesConfig = Field(default_factory=CanariesConfig, description="Synthetics canaries.")

    @model_validator(mode="after")
    def _datapoints(self) -> MonitoringConfig:
        if self.datapoints_to_alarm > self.evaluation_minutes:
            raise FieldProblem(
                ("datapoints_to_alarm",),
                f"{self.datapoints_to_alarm} breaching minutes cannot fit in evaluation_minutes "
                f"{self.evaluation_minutes}",
                "make datapoints_to_alarm at most evaluation_minutes",
            )
        return self
