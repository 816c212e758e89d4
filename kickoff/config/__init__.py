"""Kickoff configuration: pydantic models and a YAML loader with clear errors."""

from kickoff.config.errors import ConfigError, FieldProblem
from kickoff.config.loader import CONFIG_DIR, DEFAULT_ENV, config_path_for, load_config, load_for_context
from kickoff.config.models import (
    DomainConfig,
    KickoffConfig,
    LoggingConfig,
    NetworkConfig,
    RegionConfig,
    ResilienceConfig,
    ServiceConfig,
    TableConfig,
)

__all__ = [
    "CONFIG_DIR",
    "DEFAULT_ENV",
    "ConfigError",
    "DomainConfig",
    "FieldProblem",
    "KickoffConfig",
    "LoggingConfig",
    "NetworkConfig",
    "RegionConfig",
    "ResilienceConfig",
    "ServiceConfig",
    "TableConfig",
    "config_path_for",
    "load_config",
    "load_for_context",
]
