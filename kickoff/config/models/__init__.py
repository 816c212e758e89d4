"""The Kickoff config: one validated model per concern, composed into ``KickoffConfig``.

Every field documents its unit and default. Cross-field rules live in ``kickoff.config.checks``
and raise ``FieldProblem`` so the loader can name the exact field and the fix. A config that
validates here is safe to hand to CDK; constructs still re-check the slice they receive.

One module per concern: ``base`` (the strict model, fixed tables), ``cells``, ``services``,
``table``, ``routing``, ``edge``, ``scaling``, ``monitoring``, ``fault_injection``, ``live``, ``pipeline`` and ``root``
(``KickoffConfig``). Import from this package; the modules are its layout.
"""

from __future__ import annotations

from kickoff.config.models.base import (
    EDGE_REGION,
    FARGATE_CPU_MEMORY,
    LOG_RETENTION_DAYS,
    MAX_SERVICES,
    ORIGIN_VERIFY_HEADER,
    RECOVERY_CONTROL_REGION,
    SLUG_PATTERN,
    HttpMethod,
    Slug,
    StrictModel,
)
from kickoff.config.models.cells import (
    QUOTA_CODES,
    QUOTA_SERVICES,
    DomainConfig,
    LoggingConfig,
    NetworkConfig,
    QuotasConfig,
    RegionConfig,
    RetiredRegionConfig,
)
from kickoff.config.models.config import KickoffConfig
from kickoff.config.models.edge import (
    HOST_IN_CACHE_KEY,
    CacheBehaviorConfig,
    CachePolicyName,
    EdgeBehavior,
    EdgeConfig,
    OriginSecretConfig,
    WafConfig,
)
from kickoff.config.models.fault_injection import FaultInjectionConfig
from kickoff.config.models.live import InputsConfig, LiveChannelConfig, LiveConfig, RenditionConfig
from kickoff.config.models.monitoring import (
    AlbAlarmsConfig,
    CanariesConfig,
    MonitoringConfig,
    ServiceAlarmsConfig,
    SubscriptionConfig,
    TableAlarmsConfig,
)
from kickoff.config.models.pipeline import PipelineConfig
from kickoff.config.models.routing import HealthCheckConfig, RecoveryControlConfig, RoutingConfig
from kickoff.config.models.scaling import BaselineConfig, CalendarConfig, EventConfig, ScalingConfig
from kickoff.config.models.services import ImagesConfig, ServiceConfig
from kickoff.config.models.table import KeyAttribute, KeyType, ProvisionedCapacity, ResilienceConfig, TableConfig

__all__ = [
    "InputsConfig",
    "LiveChannelConfig",
    "LiveConfig",
    "RenditionConfig",
    "AlbAlarmsConfig",
    "CanariesConfig",
    "MonitoringConfig",
    "ServiceAlarmsConfig",
    "SubscriptionConfig",
    "TableAlarmsConfig",
    "BaselineConfig",
    "CacheBehaviorConfig",
    "CachePolicyName",
    "CalendarConfig",
    "DomainConfig",
    "EDGE_REGION",
    "EdgeBehavior",
    "EdgeConfig",
    "EventConfig",
    "FaultInjectionConfig",
    "FARGATE_CPU_MEMORY",
    "HOST_IN_CACHE_KEY",
    "HealthCheckConfig",
    "HttpMethod",
    "ImagesConfig",
    "KeyAttribute",
    "KeyType",
    "KickoffConfig",
    "LOG_RETENTION_DAYS",
    "LoggingConfig",
    "MAX_SERVICES",
    "NetworkConfig",
    "ORIGIN_VERIFY_HEADER",
    "OriginSecretConfig",
    "PipelineConfig",
    "ProvisionedCapacity",
    "QUOTA_CODES",
    "QUOTA_SERVICES",
    "QuotasConfig",
    "RECOVERY_CONTROL_REGION",
    "RecoveryControlConfig",
    "RegionConfig",
    "ResilienceConfig",
    "RetiredRegionConfig",
    "RoutingConfig",
    "SLUG_PATTERN",
    "ScalingConfig",
    "ServiceConfig",
    "Slug",
    "StrictModel",
    "TableConfig",
    "WafConfig",
]
