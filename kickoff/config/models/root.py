"""ConfigFields: the schema of one environment and its derived values.

``KickoffConfig`` (``kickoff.config.models.config``) adds the cross-field checks of ``kickoff.config.checks``, which
read these fields; derived names are in ``kickoff.naming``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from pydantic import Field, PrivateAttr, field_validator

from kickoff.config.models.base import Slug, StrictModel
from kickoff.config.models.cells import DomainConfig, LoggingConfig, NetworkConfig, RegionConfig, RetiredRegionConfig
from kickoff.config.models.edge import EdgeBehavior, EdgeConfig
from kickoff.config.models.fault_injection import FaultInjectionConfig
from kickoff.config.models.live import LiveConfig
from kickoff.config.models.monitoring import MonitoringConfig
from kickoff.config.models.pipeline import PipelineConfig
from kickoff.config.models.routing import RoutingConfig
from kickoff.config.models.scaling import CalendarConfig, ScalingConfig
from kickoff.config.models.services import ImagesConfig, ServiceConfig
from kickoff.config.models.table import ResilienceConfig, TableConfig
from kickoff.naming import Identity
from kickoff.web import DEFAULT_PATH_PATTERN, allows_writes, cloudfront_method_set, pattern_covers


class ConfigFields(StrictModel):
    """Everything one environment of Kickoff is built from, each field checked on its own."""

    app: Slug = Field(
        default="kickoff", description="Application name; prefixes stack and resource names. Default kickoff."
    )
    environment: Slug = Field(description="Environment name, e.g. prod or dev; matches config/<environment>.yaml.")
    production: bool = Field(
        default=False, description="Turns on production-only guardrails (e.g. NAT per AZ). Default false."
    )
    account: str = Field(
        pattern=r"^\d{12}$", description="The 12-digit AWS account ID all stacks deploy to, quoted. No default."
    )

    @field_validator("account", mode="before")
    @classmethod
    def _account_quoted(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError(
                f"{value} is a YAML number, not text: an account ID that starts with 0 would lose its leading zeros. "
                f'Fix: quote it, account: "{value:012d}"'
            )
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
    routing: RoutingConfig = Field(
        default_factory=RoutingConfig, description="Health checks and the evacuation switch."
    )
    edge: EdgeConfig = Field(default_factory=EdgeConfig, description="CloudFront, WAF and viewer names.")
    scaling: ScalingConfig = Field(default_factory=ScalingConfig, description="Forecast-driven pre-scaling.")
    monitoring: MonitoringConfig = Field(
        default_factory=MonitoringConfig, description="Alarms, notifications, canaries and routing on alarms."
    )
    fault_injection: FaultInjectionConfig = Field(
        default_factory=FaultInjectionConfig,
        description="AWS FIS experiments per cell and ALB zonal shift (game days). Defaults as listed.",
    )
    live: LiveConfig | None = Field(
        default=None,
        description=(
            "The live signal: MediaLive channels packaged by MediaPackage v2 in their ingest Regions and served by "
            "CloudFront under live.path_pattern. Default none: no live stacks."
        ),
    )
    pipeline: PipelineConfig | None = Field(
        default=None,
        description=(
            "The release pipeline (CDK Pipelines) in a tooling account. Default none: deploy with "
            "`cdk deploy --all`, which follows the same order through stack dependencies."
        ),
    )

    _calendar: CalendarConfig | None = PrivateAttr(default=None)
    _locate: Callable[[tuple[str | int, ...]], str] | None = PrivateAttr(default=None)
    _path: Path | None = PrivateAttr(default=None)

    def attach_source(self, locate: Callable[[tuple[str | int, ...]], str], path: Path | None = None) -> None:
        """Set how to name a field's file and line, and the file it was read from (done by the loader)."""
        self._locate = locate
        self._path = path

    @property
    def source_path(self) -> Path | None:
        """The file this config was read from (None when built in memory)."""
        return self._path

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

    # Derived values used across stacks. Deterministic, so no stack needs another's outputs.

    @property
    def identity(self) -> Identity:
        """The primitives every physical and DNS name derives from (``kickoff.naming``)."""
        return Identity(self.app, self.environment, self.domain.name, self.table.name)

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

    @property
    def replication_alarm_seconds(self) -> int | None:
        """The ReplicationLatency alarm threshold each cell sets for every other replica Region:
        ``resilience.replication_alarm_seconds``, default ``rpo_seconds``; None under strong
        consistency, where no write waits on asynchronous replication."""
        if self.table.consistency != "eventual":
            return None
        return self.resilience.replication_alarm_seconds or self.resilience.rpo_seconds

    def service_for_path(self, pattern: str) -> ServiceConfig | None:
        """The service the cell ALBs forward every path of ``pattern`` to: the first, in rule priority
        (config) order, whose path patterns cover it."""
        return next((s for s in self.services if any(pattern_covers(p, pattern) for p in s.path_patterns)), None)

    def _behavior(self, pattern: str, cache_policy: str) -> EdgeBehavior:
        service = self.service_for_path(pattern)
        if service is None:
            raise KeyError(f"no service serves {pattern}")  # unreachable once _check_edge passed
        return EdgeBehavior(
            pattern,
            cache_policy,
            service.name,
            cloudfront_method_set(service.methods),
            failover=not allows_writes(service.methods),
        )

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
    def canary_region(self) -> str:
        """The cell that deploys first and alone: ``pipeline.canary_region``, else the first cell in config."""
        return self.pipeline.canary_region if self.pipeline is not None else self.regions[0].name

    @property
    def release_waves(self) -> tuple[tuple[str, ...], ...]:
        """Cell Regions in deploy waves: the canary alone, then the others in config order, one wave each
        (``pipeline.second_wave: sequential``, and always without a pipeline) or together (``parallel``)."""
        others = tuple(r for r in self.region_names if r != self.canary_region)
        if not others:
            return ((self.canary_region,),)
        if self.pipeline is not None and self.pipeline.second_wave == "parallel":
            return ((self.canary_region,), others)
        return ((self.canary_region,), *((r,) for r in others))

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
