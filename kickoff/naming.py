"""Naming conventions: the one home of every name Kickoff derives, and the limits AWS puts on them.

Physical names (stacks, the table, its key alias, the secret, the cluster, schedule groups,
dashboards, the web ACL, cache policies, ARC resources) and DNS names (the latency-routed
origin, the secondary origin, the per-cell and ``except-<region>`` sets) are built here and
nowhere else. Construct IDs of stateful resources are a public API (renaming one replaces the
resource), so they are derived here too.

A leaf module: stdlib and ``kickoff.images`` only. Names derive from four primitives, an ``Identity``
(app, environment, domain, table), plus a Region where one enters; the config builds its identity
(``KickoffConfig.identity``) and can use these functions in its own checks.
``fixed_names`` lists every name a config produces with the service's length limit, so a
config whose names cannot be created is refused before CDK runs (and ``DR-PhysicalNameLength``
holds the templates to the same limits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kickoff.images import MAX_PREFIX_LENGTH, Upstream, pull_through_prefix

# AWS::Synthetics::Canary Name: lower-case letters, digits, hyphens and underscores, at most 255 characters.
CANARY_NAME_LIMIT = 255
# Longest Region code in KNOWN_REGIONS-style names, for names that carry a Region (ap-southeast-5 is 14).
LONGEST_REGION = 14


@dataclass(frozen=True)
class Identity:
    """What every name derives from: the app, the environment, the public domain and the table's short name."""

    app: str
    environment: str
    domain: str
    table: str


def environment_key(identity: Identity) -> str:
    """``<app>-<env>``: how stateful.lock.json, summaries and most physical names identify an environment."""
    return f"{identity.app}-{identity.environment}"


def table_name(identity: Identity) -> str:
    """Physical name of the global table, identical in every Region."""
    return f"{environment_key(identity)}-{identity.table}"


def table_key_alias(identity: Identity) -> str:
    """KMS alias of the per-Region table key (customer_managed encryption)."""
    return f"alias/{environment_key(identity)}-table"


def origin_secret_name(identity: Identity) -> str:
    """Secrets Manager name of the origin-verification secret, identical in every Region."""
    return f"{identity.app}/{identity.environment}/origin-verify"


def origin_domain(identity: Identity) -> str:
    """The latency-routed name the cells answer on: ``origin.<domain>``."""
    return f"origin.{identity.domain}"


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


def stack_name(identity: Identity, unit: str, region: str | None = None) -> str:
    """``<app>-<env>-<unit>[-<region>]``: the only place Region and environment enter stack names."""
    return "-".join([environment_key(identity), unit] + ([region] if region else []))


def pascal(name: str) -> str:
    """``us-east-1`` -> ``UsEast1``, ``live-stats`` -> ``LiveStats``: names inside construct IDs."""
    return "".join(part.capitalize() for part in name.split("-"))


def service_construct_id(service_name: str) -> str:
    """Stable PascalCase construct ID for a service: ``live-stats`` -> ``LiveStatsService``."""
    return pascal(service_name) + "Service"


def cluster_name(identity: Identity) -> str:
    """The ECS cluster of every cell (unique per Region)."""
    return environment_key(identity)


def schedule_group_name(identity: Identity) -> str:
    """The EventBridge Scheduler group of a cell's capacity: the agent's runs and its ALB reservation changes (unique
    per Region)."""
    return f"{environment_key(identity)}-capacity"


def capacity_parameter_path(identity: Identity) -> str:
    """SSM path under which a Region registers its capacity spec and services with its agent (per Region)."""
    return f"/{environment_key(identity)}/capacity"


def forecast_table_name(identity: Identity) -> str:
    """The forecast global table (every published forecast version; a replica in every cell Region)."""
    return f"{environment_key(identity)}-forecast"


def capacity_agent_name(identity: Identity) -> str:
    """The capacity agent's Lambda function in every cell Region (unique per Region)."""
    return f"{environment_key(identity)}-capacity-agent"


def cell_name_prefix(identity: Identity, region: str) -> str:
    """``<app>-<env>-<region>``: the cell's dashboard name (unique in the account) and its alarms' prefix."""
    return f"{environment_key(identity)}-{region}"


# The operator's evacuation switch: one metric per cell, published in the cell's own Region (CloudWatch's data
# plane), which Route 53 reads through the cell's health check. 1 takes the cell out of routing, 0 brings it back.
EVACUATION_NAMESPACE = "Kickoff"
EVACUATION_METRIC = "EvacuateCell"


def evacuation_switch_dimensions(identity: Identity, region: str) -> dict[str, str]:
    """The switch metric's dimensions: the environment (several may share an account) and the cell."""
    return {"Environment": environment_key(identity), "Cell": region}


def evacuation_command(identity: Identity, region: str, value: int) -> str:
    """The AWS CLI call that flips ``region``'s switch (1 evacuates, 0 restores)."""
    dims = ",".join(f"{k}={v}" for k, v in evacuation_switch_dimensions(identity, region).items())
    return (
        f"aws cloudwatch put-metric-data --region {region} --namespace {EVACUATION_NAMESPACE} "
        f"--metric-name {EVACUATION_METRIC} --dimensions {dims} --value {value}"
    )


def permissions_boundary_name(identity: Identity) -> str:
    """The managed policy every role of the environment carries as its permissions boundary (account-global)."""
    return f"{environment_key(identity)}-permissions-boundary"


def region_impaired_alarm_name(identity: Identity, region: str) -> str:
    """The cell's composite "region impaired" alarm: FIS stop conditions and the pipeline's bake read it by name."""
    return f"{cell_name_prefix(identity, region)}-region-impaired"


def divergence_alarm_name(identity: Identity, region: str, target: str) -> str:
    """The alarm in ``region``'s cell that fires when the canary probing ``target`` (a Region or ``viewer``) fails
    there while the others answer: the cell's monitoring facade names it from its ``Diverges-<target>`` friendly
    name (kickoff.constructs.region_probes); the region-impaired composite holds the cell's own one."""
    return f"{cell_name_prefix(identity, region)}-Probes-Diverges-{target}-Divergence"


def alarm_topic_name(identity: Identity) -> str:
    """The SNS topic every alarm of a cell notifies (unique per Region)."""
    return f"{environment_key(identity)}-alarms"


def load_balancer_name(identity: Identity) -> str:
    """Every cell's ALB (unique per Region). Fixed so the cross-Region dashboard finds its metrics by name."""
    return f"{environment_key(identity)}-cell"


def cross_region_dashboard_name(identity: Identity) -> str:
    """The us-east-1 dashboard that shows every Region side by side (unique in the account)."""
    return f"{environment_key(identity)}-regions"


_DIRECTIONS = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c"}


def region_code(region: str) -> str:
    """``us-east-1`` -> ``use1``, ``ap-southeast-2`` -> ``apse2``: short, and distinct for every Region."""
    parts = region.split("-")
    middle = "".join(re.sub("|".join(_DIRECTIONS), lambda m: _DIRECTIONS[m.group()], w) for w in parts[1:-1])
    return parts[0] + middle + parts[-1]


VIEWER_PROBE = "viewer"


def canary_name(identity: Identity, target: str) -> str:
    """A Synthetics canary (unique per Region): ``<app>-<env>-<code>`` probes a cell, ``-viewer`` the viewer name."""
    return f"{environment_key(identity)}-{target if target == VIEWER_PROBE else region_code(target)}"


def web_acl_name(identity: Identity) -> str:
    """The CLOUDFRONT-scope web ACL (unique in the account)."""
    return environment_key(identity)


def cache_policy_name(identity: Identity, policy: str) -> str:
    """A Kickoff cache policy, e.g. ``kickoff-prod-origin-cache-control`` (unique in the account)."""
    return f"{environment_key(identity)}-{policy.replace('_', '-')}"


def recovery_name(identity: Identity) -> str:
    """The ARC cluster and control panel; routing controls add ``-<region>``."""
    return environment_key(identity)


def live_channel_group_name(identity: Identity) -> str:
    """The MediaPackage v2 channel group of the environment's live channels, the same in every ingest Region (unique
    per account and Region); CloudFront finds each Region's egress domain by it."""
    return environment_key(identity)


def live_resource_name(identity: Identity, channel: str) -> str:
    """A live channel's MediaLive channel and input, ``<app>-<env>-<channel>`` (the MediaPackage v2 channel is
    ``<channel>`` inside the group)."""
    return f"{environment_key(identity)}-{channel}"


def live_channel_parameter(identity: Identity, channel: str) -> str:
    """The SSM parameter through which a live stack registers a channel with the Region's capacity agent."""
    return f"{capacity_parameter_path(identity)}/channels/{channel}"


def live_alarm_name(identity: Identity, region: str, channel: str, key: str) -> str:
    """A live channel's alarm in its ingest Region (``key``: InputLoss, PipelineDown, ...); the dashboard reads it by
    name."""
    return f"{cell_name_prefix(identity, region)}-live-{channel}-{key}"


def live_access_control_name(identity: Identity) -> str:
    """The CloudFront origin access control that signs requests to MediaPackage v2 (unique in the account)."""
    return f"{environment_key(identity)}-live"


def live_path_function_name(identity: Identity) -> str:
    """The CloudFront function that maps viewer live paths to MediaPackage's (unique in the account)."""
    return f"{environment_key(identity)}-live-path"


@dataclass(frozen=True)
class FixedName:
    """A physical name the config fixes, and the most characters AWS allows for it."""

    what: str
    name: str
    limit: int

    @property
    def too_long(self) -> bool:
        return len(self.name) > self.limit


def fixed_names(identity: Identity, regions: Sequence[str], upstreams: Iterable[Upstream]) -> list[FixedName]:
    """Every fixed name an environment produces in ``regions`` with images from ``upstreams`` (pull-through cache
    upstream registries), at its longest (the longest Region where a Region enters it)."""
    region = max(regions, key=len)
    names = [
        FixedName("stack name (CloudFormation)", stack_name(identity, "recovery", "x" * LONGEST_REGION), 128),
        FixedName("table name (DynamoDB)", table_name(identity), 255),
        FixedName("KMS alias", table_key_alias(identity), 256),
        FixedName("secret name (Secrets Manager)", origin_secret_name(identity), 512),
        FixedName("ECS cluster name", cluster_name(identity), 255),
        FixedName("schedule group name (EventBridge Scheduler)", schedule_group_name(identity), 64),
        FixedName("dashboard name (CloudWatch)", cell_name_prefix(identity, region), 255),
        FixedName("web ACL name (WAF)", web_acl_name(identity), 128),
        FixedName("load balancer name (ELB)", load_balancer_name(identity), 32),
        FixedName("alarm name (CloudWatch)", region_impaired_alarm_name(identity, region), 255),
        FixedName("canary name (Synthetics)", canary_name(identity, VIEWER_PROBE), CANARY_NAME_LIMIT),
        FixedName(
            "cache policy name (CloudFront)", cache_policy_name(identity, "origin_cache_control_query_strings"), 128
        ),
        FixedName("safety rule name (ARC)", f"{recovery_name(identity)}-at-least-one-cell", 64),
        FixedName("routing control name (ARC)", f"{recovery_name(identity)}-{region}", 64),
        FixedName("DNS name (Route 53)", except_domain(origin_domain(identity), region), 253),
        FixedName("channel group name (MediaPackage v2)", live_channel_group_name(identity), 256),
        FixedName("origin access control name (CloudFront)", live_access_control_name(identity), 64),
        FixedName("function name (CloudFront)", live_path_function_name(identity), 64),
    ]
    names += [
        FixedName(
            "pull-through cache prefix (ECR)", pull_through_prefix(environment_key(identity), u), MAX_PREFIX_LENGTH
        )
        for u in dict.fromkeys(upstreams)
    ]
    return names


def pipeline_name(identity: Identity) -> str:
    """``<app>-<env>-release``: the CodePipeline pipeline (unique per account and Region)."""
    return f"{environment_key(identity)}-release"


def bake_role_name(identity: Identity) -> str:
    """The role in the workload account the pipeline's bake reads the canary's alarm through (account-global)."""
    return f"{environment_key(identity)}-bake"


def bake_runner_role_name(identity: Identity) -> str:
    """The bake's CodeBuild role in the tooling account: the only principal the bake role trusts."""
    return f"{environment_key(identity)}-bake-runner"


def forecast_publisher_role_name(identity: Identity) -> str:
    """The role in the workload account the pipeline's forecast step publishes through (account-global)."""
    return f"{environment_key(identity)}-forecast-publisher"


def forecast_runner_role_name(identity: Identity) -> str:
    """The forecast step's CodeBuild role in the tooling account: the only principal the publisher role trusts."""
    return f"{environment_key(identity)}-forecast-runner"


def role_arn(account: str, name: str) -> str:
    """A role's ARN from its account and name."""
    return f"arn:aws:iam::{account}:role/{name}"
