"""What the synthesized templates of one environment create that AWS bills, counted per Region.

Reads the cloud assembly (nested pipeline stages included) and counts, per Region, the resources the monthly
baseline cost report prices: NAT gateways, public IPv4 addresses, load balancers, interface endpoints per AZ,
alarm metrics, dashboards, health checks with their options, canary runs, keys, secrets and their replicas, web
ACLs and rules, Contributor Insights rules per table replica, clusters by Container Insights level, schedules,
queues, topics, log groups, the release pipeline and its build projects. Global resources (CloudFront, WAF on
CloudFront, hosted zones, the ARC cluster) are counted under ``global``. Every other resource type is listed
with the reason it adds no monthly charge of its own, so nothing in a template is silently left out.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kickoff.reports.cost_lines import NOT_BILLED
from kickoff.rules.assembly import StackArtifact, read_stacks

GLOBAL = "global"
HOURS_PER_MONTH = 730
DAYS_PER_MONTH = HOURS_PER_MONTH / 24

# Managed rule groups that add a subscription and per-request fees on top of the rule fee.
PAID_RULE_GROUPS = ("AWSManagedRulesBotControlRuleSet", "AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet")


@dataclass
class Inventory:
    """What one environment's templates create, per Region (``global`` for global services).

    ``counts[region][key]`` is a count (or, for keys ending in ``_runs``/``_invocations``, a monthly figure);
    ``types`` counts every resource type; ``unknown`` lists types neither priced nor in ``NOT_BILLED``.
    """

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    types: Counter[str] = field(default_factory=Counter)
    stacks: tuple[str, ...] = ()

    def add(self, region: str, key: str, amount: float = 1) -> None:
        """Add ``amount`` to ``key`` in ``region``."""
        self.counts.setdefault(region, Counter())[key] += amount

    def get(self, region: str, key: str) -> float:
        """The count of ``key`` in ``region`` (0 when absent)."""
        return self.counts.get(region, Counter()).get(key, 0)

    def total(self, key: str) -> float:
        """The count of ``key`` over every Region and global."""
        return sum(c.get(key, 0) for c in self.counts.values())

    @property
    def not_billed(self) -> dict[str, tuple[int, str]]:
        """Resource types found that carry no line of their own: count and reason."""
        return {t: (n, NOT_BILLED[t]) for t, n in sorted(self.types.items()) if t in NOT_BILLED and t not in COUNTERS}

    @property
    def unknown(self) -> dict[str, int]:
        """Resource types found that this report neither prices nor explains."""
        return {t: n for t, n in sorted(self.types.items()) if t not in NOT_BILLED and t not in COUNTERS}


_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")


def runs_per_month(expression: str) -> float:
    """Runs in a 730-hour month of a ``rate()``, ``cron()`` or ``at()`` schedule expression (an ``at()`` runs
    once; ``rate(0 minute)`` means run once, at creation)."""
    expression = expression.strip()
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        if value == 0:
            return 0.0
        minutes = value * {"minute": 1, "hour": 60, "day": 1440}[unit]
        return HOURS_PER_MONTH * 60 / minutes
    if expression.startswith("at("):
        return 1.0
    if expression.startswith("cron(") and expression.endswith(")"):
        fields = expression[5:-1].split()
        if len(fields) >= 5:
            minute, hour, day_of_month, _, day_of_week = fields[:5]
            per_day = _cron_values(minute, 60) * _cron_values(hour, 24)
            if day_of_month not in ("*", "?"):
                days = float(_cron_values(day_of_month, 31))
            elif day_of_week not in ("*", "?"):
                days = _cron_values(day_of_week, 7) * 52 / 12
            else:
                days = DAYS_PER_MONTH
            return per_day * days
    raise ValueError(f"unsupported schedule expression {expression!r}")


def _cron_values(text: str, span: int) -> int:
    """How many values a cron field selects (approximate for L, W and #)."""
    if text in ("*", "?"):
        return span
    total = 0
    for part in text.split(","):
        base, _, step = part.partition("/")
        if base in ("*", "?"):
            first, last = 0, span - 1
        elif "-" in base:
            low, high = base.split("-", 1)
            first, last = _cron_int(low), _cron_int(high)
        else:
            first = _cron_int(base)
            last = span - 1 if step else first  # "5/15": from 5 to the end of the range, every 15
        total += (last - first) // int(step) + 1 if step else last - first + 1
    return max(total, 1)


_CRON_NAMES = {
    name: number
    for names in ("SUN MON TUE WED THU FRI SAT", "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC")
    for number, name in enumerate(names.split(), start=1)
}


def _cron_int(text: str) -> int:
    if text.upper()[:3] in _CRON_NAMES:
        return _CRON_NAMES[text.upper()[:3]]
    digits = re.sub(r"\D", "", text)
    return int(digits) if digits else 0


def _alarm_metrics(props: dict[str, Any]) -> tuple[int, int]:
    """(standard, high-resolution) alarm metrics one metric alarm bills: each metric a metric-math alarm
    references, and two more for an anomaly-detection band."""
    if "Metrics" not in props:
        return (1, 0) if int(props.get("Period", 60)) >= 60 else (0, 1)
    standard = high = 0
    for query in props["Metrics"]:
        if "MetricStat" in query:
            if int(query["MetricStat"].get("Period", 60)) >= 60:
                standard += 1
            else:
                high += 1
        elif "ANOMALY_DETECTION_BAND" in str(query.get("Expression", "")):
            standard += 2
    return standard, high


def _alarm(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    standard, high = _alarm_metrics(props)
    add(region, "alarms")
    add(region, "alarm_metrics", standard)
    add(region, "alarm_metrics_high_resolution", high)


def _health_check(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    config = props.get("HealthCheckConfig", {})
    kind = config.get("Type", "")
    add(region, "health_checks")
    if kind in ("CALCULATED", "CLOUDWATCH_METRIC"):
        add(region, "health_checks_calculated")
        return
    if kind == "RECOVERY_CONTROL":
        add(region, "health_checks_recovery_control")
        return
    add(region, "health_checks_endpoint")
    options = [kind.startswith("HTTPS"), kind.endswith("STR_MATCH")]
    options += [int(config.get("RequestInterval", 30)) == 10, bool(config.get("MeasureLatency"))]
    add(region, "health_check_options", sum(options))


def _nat_gateway(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    add(region, "nat_gateways")
    # A public NAT gateway holds one public IPv4 address; when it is an EIP of the template, the EIP counts it.
    if props.get("ConnectivityType", "public") == "public" and not isinstance(props.get("AllocationId"), dict):
        add(region, "public_ipv4_eip")


def _eip(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    add(region, "public_ipv4_eip")


def _load_balancer(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    if props.get("Type", "application") != "application":
        add(region, "other_load_balancers")
        return
    add(region, "albs")
    if props.get("Scheme", "internet-facing") == "internet-facing":
        add(region, "public_ipv4_alb", len(props.get("Subnets") or props.get("SubnetMappings") or []))


def _endpoint(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    if props.get("VpcEndpointType", "Gateway") == "Interface":
        add(region, "interface_endpoints")
        add(region, "interface_endpoint_azs", len(props.get("SubnetIds", [])))
    else:
        add(region, "gateway_endpoints")


def _canary(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    add(region, "canaries")
    add(region, "canary_runs", runs_per_month(props.get("Schedule", {}).get("Expression", "rate(0 minute)")))


def _schedule(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    add(region, "schedules")
    if props.get("State", "ENABLED") == "ENABLED":
        runs = runs_per_month(props["ScheduleExpression"])
        add(region, "schedule_invocations", runs)
        target = json.dumps(props.get("Target", {}).get("Arn", ""))
        if ":lambda:" in target or "Function" in target:  # a function's ARN, or a reference to one
            add(region, "function_runs", runs)


def _secret(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    add(region, "secrets")
    for replica in props.get("ReplicaRegions", []):
        add(replica.get("Region", region), "secret_replicas")


def _web_acl(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    where = GLOBAL if props.get("Scope") == "CLOUDFRONT" else region
    add(where, "web_acls")
    add(where, "waf_rules", len(props.get("Rules", [])))
    for rule in props.get("Rules", []):
        name = rule.get("Statement", {}).get("ManagedRuleGroupStatement", {}).get("Name", "")
        if name == "AWSManagedRulesBotControlRuleSet":
            add(where, "waf_bot_control")
        elif name in PAID_RULE_GROUPS:
            add(where, "waf_paid_rule_groups")


def _key_rules(key_schema: list[dict[str, Any]]) -> int:
    """Contributor Insights rules of one table or index: PKC and PKT, plus SKC and SKT with a sort key."""
    return 4 if any(k.get("KeyType") == "RANGE" for k in key_schema) else 2


def _global_table(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    indexes = {i["IndexName"]: _key_rules(i.get("KeySchema", [])) for i in props.get("GlobalSecondaryIndexes", [])}
    table_rules = _key_rules(props.get("KeySchema", []))
    for replica in props.get("Replicas", []):
        where = replica.get("Region", region)
        add(where, "table_replicas")
        rules = 0
        mode = ""
        spec = replica.get("ContributorInsightsSpecification", {})
        if spec.get("Enabled"):
            rules += table_rules
            mode = spec.get("Mode", "ACCESSED_AND_THROTTLED_KEYS")
        for index in replica.get("GlobalSecondaryIndexes", []):
            index_spec = index.get("ContributorInsightsSpecification", {})
            if index_spec.get("Enabled"):
                rules += indexes.get(index.get("IndexName", ""), 2)
                mode = mode or index_spec.get("Mode", "ACCESSED_AND_THROTTLED_KEYS")
        if rules:
            accessed = mode != "THROTTLED_KEYS"
            add(where, "cci_rules_accessed" if accessed else "cci_rules_throttled", rules)


def _cluster(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    settings = {s.get("Name"): s.get("Value") for s in props.get("ClusterSettings", [])}
    level = {"enabled": "standard", "enhanced": "enhanced", "disabled": "off"}.get(
        str(settings.get("containerInsights", "")), "account_default"
    )
    add(region, "clusters")
    add(region, f"clusters_insights_{level}")


def _flow_log(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    add(region, "flow_logs_s3" if props.get("LogDestinationType") == "s3" else "flow_logs_logs")


def _record_set(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    # Alias queries to AWS resources are free; other latency-routed records are charged per query.
    if props.get("Region") and "AliasTarget" not in props:
        add(GLOBAL, "latency_records")


def _sns_topic(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    add(region, "sns_topics")
    add(
        region, "sns_email_subscriptions", sum(1 for s in props.get("Subscription", []) if s.get("Protocol") == "email")
    )


def _subscription(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    if props.get("Protocol") == "email":
        add(region, "sns_email_subscriptions")


def _distribution(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    add(GLOBAL, "distributions")
    config = props.get("DistributionConfig", {})
    behaviors = [config.get("DefaultCacheBehavior", {}), *config.get("CacheBehaviors", [])]
    add(GLOBAL, "cloudfront_function_behaviors", sum(1 for b in behaviors if b.get("FunctionAssociations")))


def _pipeline(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    add(region, "pipelines_v2" if props.get("PipelineType", "V1") == "V2" else "pipelines_v1")


def _build_project(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    environment = props.get("Environment", {})
    small = environment.get("ComputeType") == "BUILD_GENERAL1_SMALL"
    arm = environment.get("Type", "").startswith("ARM")
    add(
        region, ("build_projects_arm_small" if arm else "build_projects_x86_small") if small else "build_projects_other"
    )


def _simple(key: str, where: str | None = None) -> Callable[[str, dict[str, Any], Callable[..., None]], None]:
    def count(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
        add(where or region, key)

    return count


def _logging(region: str, props: dict[str, Any], add: Callable[..., None]) -> None:
    add(region, "waf_log_destinations")


# One counter per billed resource type.
COUNTERS: dict[str, Callable[[str, dict[str, Any], Callable[..., None]], None]] = {
    "AWS::EC2::NatGateway": _nat_gateway,
    "AWS::EC2::EIP": _eip,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::EC2::VPCEndpoint": _endpoint,
    "AWS::EC2::FlowLog": _flow_log,
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::CloudWatch::CompositeAlarm": _simple("composite_alarms"),
    "AWS::CloudWatch::Dashboard": _simple("dashboards"),
    "AWS::Route53::HealthCheck": _health_check,
    "AWS::Route53::HostedZone": _simple("hosted_zones", GLOBAL),
    "AWS::Route53::RecordSet": _record_set,
    "AWS::Route53RecoveryControl::Cluster": _simple("arc_clusters", GLOBAL),
    "AWS::Synthetics::Canary": _canary,
    "AWS::KMS::Key": _simple("kms_keys"),
    "AWS::KMS::ReplicaKey": _simple("kms_keys"),
    "AWS::SecretsManager::Secret": _secret,
    "AWS::WAFv2::WebACL": _web_acl,
    "AWS::WAFv2::LoggingConfiguration": _logging,
    "AWS::DynamoDB::GlobalTable": _global_table,
    "AWS::ECS::Cluster": _cluster,
    "AWS::Scheduler::Schedule": _schedule,
    "AWS::SQS::Queue": _simple("sqs_queues"),
    "AWS::SNS::Topic": _sns_topic,
    "AWS::SNS::Subscription": _subscription,
    "AWS::Logs::LogGroup": _simple("log_groups"),
    "AWS::S3::Bucket": _simple("s3_buckets"),
    "AWS::CloudFront::Distribution": _distribution,
    "AWS::CodePipeline::Pipeline": _pipeline,
    "AWS::CodeBuild::Project": _build_project,
    "AWS::MediaLive::Channel": _simple("medialive_channels"),
    "AWS::MediaPackageV2::Channel": _simple("mediapackage_channels"),
}


def environment_stacks(outdir: Path | str, prefix: str) -> list[StackArtifact]:
    """The stacks of the assembly whose names start with ``prefix`` (``<app>-<env>-``), nested stages included."""
    return [s for s in read_stacks(outdir) if s.name.startswith(prefix)]


def count_resources(stacks: list[StackArtifact]) -> Inventory:
    """Count what ``stacks`` create, per Region."""
    inventory = Inventory(stacks=tuple(s.name for s in stacks))
    for stack in stacks:
        for resource in stack.template().get("Resources", {}).values():
            kind = resource.get("Type", "")
            inventory.types[kind] += 1
            counter = COUNTERS.get(kind)
            if counter is not None:
                counter(stack.region, resource.get("Properties", {}), inventory.add)
    return inventory
