"""Naming conventions: the one home of every name Kickoff derives, and the limits AWS puts on them.

Physical names (stacks, the table, its key alias, the secret, the cluster, schedule groups,
dashboards, the web ACL, cache policies, ARC resources) and DNS names (the latency-routed
origin, the secondary origin, the per-cell and ``except-<region>`` sets) are built here and
nowhere else. Construct IDs of stateful resources are a public API (renaming one replaces the
resource), so they are derived here too.

A leaf module: stdlib and ``kickoff.images`` only; the config is a type for the checker, never
imported at run time, so ``kickoff.config`` can use these functions in its own checks.
``fixed_names`` lists every name a config produces with the service's length limit, so a
config whose names cannot be created is refused before CDK runs (and ``DR-PhysicalNameLength``
holds the templates to the same limits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kickoff.images import MAX_PREFIX_LENGTH, pull_through_prefix

if TYPE_CHECKING:
    from kickoff.config.models import KickoffConfig

# AWS::Synthetics::Canary Name: lower-case letters, digits, hyphens and underscores, at most 255 characters.
CANARY_NAME_LIMIT = 255
# Longest Region code in KNOWN_REGIONS-style names, for names that carry a Region (ap-southeast-5 is 14).
LONGEST_REGION = 14


def environment_key(config: KickoffConfig) -> str:
    """``<app>-<env>``: how stateful.lock.json, summaries and most physical names identify an environment."""
    return f"{config.app}-{config.environment}"


def table_name(config: KickoffConfig) -> str:
    """Physical name of the global table, identical in every Region."""
    return f"{environment_key(config)}-{config.table.name}"


def table_key_alias(config: KickoffConfig) -> str:
    """KMS alias of the per-Region table key (customer_managed encryption)."""
    return f"alias/{environment_key(config)}-table"


def origin_secret_name(config: KickoffConfig) -> str:
    """Secrets Manager name of the origin-verification secret, identical in every Region."""
    return f"{config.app}/{config.environment}/origin-verify"


def origin_domain(config: KickoffConfig) -> str:
    """The latency-routed name the cells answer on: ``origin.<domain>``."""
    return f"origin.{config.domain.name}"


def secondary_origin_domain(origin: str) -> str:
    """The name CloudFront's secondary origin resolves (a healthy cell other than the primary's)."""
    return f"secondary.{origin}"


def except_domain(origin: str, region: str) -> str:
    """The latency set of every cell but ``region``."""
    return f"except-{region}.{origin}"


def cell_domain(origin: str, region: str) -> str:
    """A cell's own name, which its health checks call."""
    return f"{region}.{origin}"


# The path prefix under which the viewer name routes to one cell's origin (its canaries' way in through CloudFront).
PROBE_PATH_ROOT = "/_probe"


def probe_path_prefix(region: str) -> str:
    """``/_probe/<region>``: a request under it reaches ``region``'s cell through CloudFront, prefix removed."""
    return f"{PROBE_PATH_ROOT}/{region}"


def stack_name(config: KickoffConfig, unit: str, region: str | None = None) -> str:
    """``<app>-<env>-<unit>[-<region>]``: the only place Region and environment enter stack names."""
    return "-".join([environment_key(config), unit] + ([region] if region else []))


def pascal(name: str) -> str:
    """``us-east-1`` -> ``UsEast1``, ``live-stats`` -> ``LiveStats``: names inside construct IDs."""
    return "".join(part.capitalize() for part in name.split("-"))


def service_construct_id(service_name: str) -> str:
    """Stable PascalCase construct ID for a service: ``live-stats`` -> ``LiveStatsService``."""
    return pascal(service_name) + "Service"


def cluster_name(config: KickoffConfig) -> str:
    """The ECS cluster of every cell (unique per Region)."""
    return environment_key(config)


def schedule_group_name(config: KickoffConfig) -> str:
    """The EventBridge Scheduler group of a cell's capacity: the agent's runs and its ALB reservation changes (unique
    per Region)."""
    return f"{environment_key(config)}-capacity"


def capacity_parameter_path(config: KickoffConfig) -> str:
    """SSM path under which a Region registers its capacity spec and services with its agent (per Region)."""
    return f"/{environment_key(config)}/capacity"


def forecast_table_name(config: KickoffConfig) -> str:
    """The forecast global table (every published forecast version; a replica in every cell Region)."""
    return f"{environment_key(config)}-forecast"


def capacity_agent_name(config: KickoffConfig) -> str:
    """The capacity agent's Lambda function in every cell Region (unique per Region)."""
    return f"{environment_key(config)}-capacity-agent"


def cell_name_prefix(config: KickoffConfig, region: str) -> str:
    """``<app>-<env>-<region>``: the cell's dashboard name (unique in the account) and its alarms' prefix."""
    return f"{environment_key(config)}-{region}"


# The operator's evacuation switch: one metric per cell, published in the cell's own Region (CloudWatch's data
# plane), which Route 53 reads through the cell's health check. 1 takes the cell out of routing, 0 brings it back.
EVACUATION_NAMESPACE = "Kickoff"
EVACUATION_METRIC = "EvacuateCell"


def evacuation_switch_dimensions(config: KickoffConfig, region: str) -> dict[str, str]:
    """The switch metric's dimensions: the environment (several may share an account) and the cell."""
    return {"Environment": environment_key(config), "Cell": region}


def evacuation_command(config: KickoffConfig, region: str, value: int) -> str:
    """The AWS CLI call that flips ``region``'s switch (1 evacuates, 0 restores)."""
    dims = ",".join(f"{k}={v}" for k, v in evacuation_switch_dimensions(config, region).items())
    return (
        f"aws cloudwatch put-metric-data --region {region} --namespace {EVACUATION_NAMESPACE} "
        f"--metric-name {EVACUATION_METRIC} --dimensions {dims} --value {value}"
    )


def permissions_boundary_name(config: KickoffConfig) -> str:
    """The managed policy every role of the environment carries as its permissions boundary (account-global)."""
    return f"{environment_key(config)}-permissions-boundary"


def region_impaired_alarm_name(config: KickoffConfig, region: str) -> str:
    """The cell's composite "region impaired" alarm: FIS stop conditions and the pipeline's bake read it by name."""
    return f"{cell_name_prefix(config, region)}-region-impaired"


def alarm_topic_name(config: KickoffConfig) -> str:
    """The SNS topic every alarm of a cell notifies (unique per Region)."""
    return f"{environment_key(config)}-alarms"


def load_balancer_name(config: KickoffConfig) -> str:
    """Every cell's ALB (unique per Region). Fixed so the cross-Region dashboard finds its metrics by name."""
    return f"{environment_key(config)}-cell"


def cross_region_dashboard_name(config: KickoffConfig) -> str:
    """The us-east-1 dashboard that shows every Region side by side (unique in the account)."""
    return f"{environment_key(config)}-regions"


_DIRECTIONS = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c"}


def region_code(region: str) -> str:
    """``us-east-1`` -> ``use1``, ``ap-southeast-2`` -> ``apse2``: short, and distinct for every Region."""
    parts = region.split("-")
    middle = "".join(re.sub("|".join(_DIRECTIONS), lambda m: _DIRECTIONS[m.group()], w) for w in parts[1:-1])
    return parts[0] + middle + parts[-1]


VIEWER_PROBE = "viewer"


def canary_name(config: KickoffConfig, target: str) -> str:
    """A Synthetics canary (unique per Region): ``<app>-<env>-<code>`` probes a cell, ``-viewer`` the viewer name."""
    return f"{environment_key(config)}-{target if target == VIEWER_PROBE else region_code(target)}"


def web_acl_name(config: KickoffConfig) -> str:
    """The CLOUDFRONT-scope web ACL (unique in the account)."""
    return environment_key(config)


def cache_policy_name(config: KickoffConfig, policy: str) -> str:
    """A Kickoff cache policy, e.g. ``kickoff-prod-origin-cache-control`` (unique in the account)."""
    return f"{environment_key(config)}-{policy.replace('_', '-')}"


def recovery_name(config: KickoffConfig) -> str:
    """The ARC cluster and control panel; routing controls add ``-<region>``."""
    return environment_key(config)


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
        FixedName("table name (DynamoDB)", table_name(config), 255),
        FixedName("KMS alias", table_key_alias(config), 256),
        FixedName("secret name (Secrets Manager)", origin_secret_name(config), 512),
        FixedName("ECS cluster name", cluster_name(config), 255),
        FixedName("schedule group name (EventBridge Scheduler)", schedule_group_name(config), 64),
        FixedName("dashboard name (CloudWatch)", cell_name_prefix(config, region), 255),
        FixedName("web ACL name (WAF)", web_acl_name(config), 128),
        FixedName("load balancer name (ELB)", load_balancer_name(config), 32),
        FixedName("alarm name (CloudWatch)", region_impaired_alarm_name(config, region), 255),
        FixedName("canary name (Synthetics)", canary_name(config, VIEWER_PROBE), CANARY_NAME_LIMIT),
        FixedName(
            "cache policy name (CloudFront)", cache_policy_name(config, "origin_cache_control_query_strings"), 128
        ),
        FixedName("safety rule name (ARC)", f"{recovery_name(config)}-at-least-one-cell", 64),
        FixedName("routing control name (ARC)", f"{recovery_name(config)}-{region}", 64),
        FixedName("DNS name (Route 53)", except_domain(origin_domain(config), region), 253),
    ]
    names += [
        FixedName("pull-through cache prefix (ECR)", pull_through_prefix(environment_key(config), u), MAX_PREFIX_LENGTH)
        for u in {s.image_reference.upstream for s in config.services}
        if u is not None
    ]
    return names


def pipeline_name(config: KickoffConfig) -> str:
    """``<app>-<env>-release``: the CodePipeline pipeline (unique per account and Region)."""
    return f"{environment_key(config)}-release"


def bake_role_name(config: KickoffConfig) -> str:
    """The role in the workload account the pipeline's bake reads the canary's alarm through (account-global)."""
    return f"{environment_key(config)}-bake"


def bake_runner_role_name(config: KickoffConfig) -> str:
    """The bake's CodeBuild role in the tooling account: the only principal the bake role trusts."""
    return f"{environment_key(config)}-bake-runner"


def forecast_publisher_role_name(config: KickoffConfig) -> str:
    """The role in the workload account the pipeline's forecast step publishes through (account-global)."""
    return f"{environment_key(config)}-forecast-publisher"


def forecast_runner_role_name(config: KickoffConfig) -> str:
    """The forecast step's CodeBuild role in the tooling account: the only principal the publisher role trusts."""
    return f"{environment_key(config)}-forecast-runner"


def role_arn(account: str, name: str) -> str:
    """A role's ARN from its account and name."""
    return f"arn:aws:iam::{account}:role/{name}"
