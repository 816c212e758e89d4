"""Naming conventions: the one home of every physical name Kickoff fixes, and the limits AWS puts on them.

Construct IDs of stateful resources are a public API (renaming one replaces the
resource), so they are derived here too. Pure: no CDK import. ``fixed_names`` lists
every name a config produces with the service's length limit, so a config whose names
cannot be created is refused before CDK runs (and ``DR-PhysicalNameLength`` holds the
templates to the same limits).
"""

from __future__ import annotations

from dataclasses import dataclass

from kickoff.config.models import KickoffConfig
from kickoff.images import MAX_PREFIX_LENGTH, pull_through_prefix

# Longest Region code in KNOWN_REGIONS-style names, for names that carry a Region (ap-southeast-5 is 14).
LONGEST_REGION = 14


def stack_name(config: KickoffConfig, unit: str, region: str | None = None) -> str:
    """``<app>-<env>-<unit>[-<region>]``: the only place Region and environment enter stack names."""
    parts = [config.app, config.environment, unit] + ([region] if region else [])
    return "-".join(parts)


def pascal(name: str) -> str:
    """``us-east-1`` -> ``UsEast1``, ``live-stats`` -> ``LiveStats``: names inside construct IDs."""
    return "".join(part.capitalize() for part in name.split("-"))


def service_construct_id(service_name: str) -> str:
    """Stable PascalCase construct ID for a service: ``live-stats`` -> ``LiveStatsService``."""
    return pascal(service_name) + "Service"


def cluster_name(config: KickoffConfig) -> str:
    """The ECS cluster of every cell (unique per Region)."""
    return config.environment_key


def schedule_group_name(config: KickoffConfig) -> str:
    """The EventBridge Scheduler group of a cell's ALB reservations (unique per Region)."""
    return f"{config.environment_key}-alb-capacity"


def cell_name_prefix(config: KickoffConfig, region: str) -> str:
    """``<app>-<env>-<region>``: the cell's dashboard name (unique in the account) and its alarms' prefix."""
    return f"{config.environment_key}-{region}"


def web_acl_name(config: KickoffConfig) -> str:
    """The CLOUDFRONT-scope web ACL (unique in the account)."""
    return config.environment_key


def cache_policy_name(config: KickoffConfig, policy: str) -> str:
    """A Kickoff cache policy, e.g. ``kickoff-prod-origin-cache-control`` (unique in the account)."""
    return f"{config.environment_key}-{policy.replace('_', '-')}"


def recovery_name(config: KickoffConfig) -> str:
    """The ARC cluster and control panel; routing controls add ``-<region>``."""
    return config.environment_key


@dataclass(frozen=True)
class FixedName:
    """A physical name the config fixes, and the most characters AWS allows for it."""

    what: str
    name: str
    limit: int

    @property
    def too_long(self) -> bool:
        return len(self.name) > self.limit


def fixed_names(config: KickoffConfig) -> list[FixedName]:
    """Every fixed name the config produces, at its longest (the longest Region where a Region enters it)."""
    region = max(config.region_names, key=len)
    names = [
        FixedName("stack name (CloudFormation)", stack_name(config, "recovery", "x" * LONGEST_REGION), 128),
        FixedName("table name (DynamoDB)", config.table_name, 255),
        FixedName("KMS alias", config.table_key_alias, 256),
        FixedName("secret name (Secrets Manager)", config.origin_secret_name, 512),
        FixedName("ECS cluster name", cluster_name(config), 255),
        FixedName("schedule group name (EventBridge Scheduler)", schedule_group_name(config), 64),
        FixedName("dashboard name (CloudWatch)", cell_name_prefix(config, region), 255),
        FixedName("web ACL name (WAF)", web_acl_name(config), 128),
        FixedName("cache policy name (CloudFront)", cache_policy_name(config, "origin_cache_control_query_strings"), 128),
        FixedName("safety rule name (ARC)", f"{recovery_name(config)}-at-least-one-cell", 64),
        FixedName("routing control name (ARC)", f"{recovery_name(config)}-{region}", 64),
        FixedName("DNS name (Route 53)", config.except_domain(region), 253),
    ]
    names += [FixedName("pull-through cache prefix (ECR)", pull_through_prefix(config.environment_key, u), MAX_PREFIX_LENGTH)
              for u in {s.image_reference.upstream for s in config.services} if u is not None]
    return names

