"""The monthly baseline cost report counts what the prod templates create and prices it from prices.yaml."""

from __future__ import annotations

import ast
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kickoff.naming import environment_key
from kickoff.plan_limits import service_models
from kickoff.reports.cost import (
    CONFIDENCE_ORDER,
    PRICES_FILE,
    CostReport,
    baseline_costs,
    load_prices,
)
from kickoff.reports.cost_inventory import GLOBAL, HOURS_PER_MONTH, runs_per_month
from kickoff.reports.cost_lines import FIXED_LINES, USAGE_LINES
from kickoff.reports.cost_render import cost_main, prices_markdown, render_cost_report
from kickoff.rules.assembly import read_stacks
from kickoff.scaling import FARGATE_ARM64_US_EAST_1
from tests.support import REPO_ROOT, Synth

pytestmark = pytest.mark.not_a_rule("tests the cost report against the templates it prices, not the templates")

PRICES = load_prices()


@pytest.fixture(scope="module")
def report(prod: Synth) -> CostReport:
    return baseline_costs(prod.config, prod.outdir)


def resources(synth: Synth, type_: str) -> list[tuple[str, dict[str, Any]]]:
    """(stack Region, properties) of every resource of ``type_`` in the environment's templates."""
    prefix = f"{environment_key(synth.config.identity)}-"
    return [
        (stack.region, resource.get("Properties", {}))
        for stack in read_stacks(synth.outdir)
        if stack.name.startswith(prefix)
        for resource in stack.template()["Resources"].values()
        if resource["Type"] == type_
    ]


def rows(report: CostReport, item: str, region: str | None = None) -> list:
    return [r for r in report.rows if r.item == item and (region is None or r.region == region)]


# prices.yaml


def test_every_price_has_a_figure_a_confidence_and_a_dated_source() -> None:
    raw = PRICES_FILE.read_text()
    assert len(PRICES) == raw.count("  - id: ")  # no id listed twice
    for price in PRICES.values():
        assert price.item and price.unit.startswith("per "), price.id
        assert price.usd > 0, price.id
        assert price.confidence in CONFIDENCE_ORDER, price.id
        assert price.source.strip(), price.id
        assert price.checked == "2026-12-07", price.id


def test_the_fargate_prices_are_the_planners() -> None:
    assert PRICES["fargate-arm64-vcpu-hour"].usd == FARGATE_ARM64_US_EAST_1.per_vcpu_hour
    assert PRICES["fargate-arm64-gb-hour"].usd == FARGATE_ARM64_US_EAST_1.per_gb_hour


def test_every_line_names_a_price_of_prices_yaml() -> None:
    for line in (*FIXED_LINES, *USAGE_LINES):
        assert line.price_id in PRICES, line


def test_the_reference_page_lists_every_price() -> None:
    doc = (REPO_ROOT / "docs" / "reference" / "prices.md").read_text()
    assert prices_markdown(list(PRICES.values())) in doc, (
        "docs/reference/prices.md is stale: regenerate its table (the command is on the page)"
    )


def test_the_report_imports_no_cdk() -> None:
    forbidden = ("aws_cdk", "constructs", "jsii", "cdk_nag", "kickoff.cli")
    for path in (REPO_ROOT / "kickoff" / "reports").glob("cost*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.split(".")[0] in forbidden or n == "kickoff.cli"], (path, names)


# Counting


@pytest.mark.parametrize(
    ("expression", "runs"),
    [
        ("rate(1 minute)", 43_800),
        ("rate(5 minutes)", 8_760),
        ("rate(1 hour)", 730),
        ("rate(1 day)", 730 / 24),
        ("rate(0 minute)", 0),
        ("at(2026-12-10T20:30:00)", 1),
        ("cron(0 12 * * ? *)", 730 / 24),
        ("cron(0/15 * * * ? *)", 4 * 24 * 730 / 24),
        ("cron(0 8-17 ? * MON-FRI *)", 10 * 5 * 52 / 12),
    ],
)
def test_runs_per_month(expression: str, runs: float) -> None:
    assert runs_per_month(expression) == pytest.approx(runs)


def test_nat_gateways_are_those_of_the_templates(prod: Synth, report: CostReport) -> None:
    per_region = Counter(region for region, _ in resources(prod, "AWS::EC2::NatGateway"))
    assert per_region and sum(per_region.values()) == report.inventory.total("nat_gateways")
    for region, count in per_region.items():
        (row,) = rows(report, "NAT gateways", region)
        assert row.count == count
        assert row.monthly_usd == pytest.approx(count * 730 * 0.045)
        assert row.price_ids == ("nat-gateway-hour",)


def test_public_ipv4_counts_nat_addresses_and_one_per_alb_subnet(prod: Synth, report: CostReport) -> None:
    eips = Counter(region for region, _ in resources(prod, "AWS::EC2::EIP"))
    alb_subnets = Counter()
    for region, props in resources(prod, "AWS::ElasticLoadBalancingV2::LoadBalancer"):
        alb_subnets[region] += len(props["Subnets"])
    for region in prod.config.region_names:
        (nat,) = rows(report, "Public IPv4: Elastic IPs (NAT gateways)", region)
        (alb,) = rows(report, "Public IPv4: ALB (one per AZ)", region)
        assert (nat.count, alb.count) == (eips[region], alb_subnets[region])
        assert nat.monthly_usd + alb.monthly_usd == pytest.approx((eips[region] + alb_subnets[region]) * 730 * 0.005)


def test_interface_endpoints_are_billed_per_subnet(prod: Synth, report: CostReport) -> None:
    azs = Counter()
    for region, props in resources(prod, "AWS::EC2::VPCEndpoint"):
        if props.get("VpcEndpointType") == "Interface":
            azs[region] += len(props["SubnetIds"])
    assert azs
    for region, count in azs.items():
        (row,) = rows(report, "Interface VPC endpoints x AZs", region)
        assert row.monthly_usd == pytest.approx(count * 730 * 0.01)


def test_every_alarm_is_counted_with_each_metric_it_references(prod: Synth, report: CostReport) -> None:
    alarms = resources(prod, "AWS::CloudWatch::Alarm")
    assert report.inventory.total("alarms") == len(alarms)
    metrics = Counter()
    for region, props in alarms:
        metrics[region] += sum(1 for m in props["Metrics"] if "MetricStat" in m) if "Metrics" in props else 1
    assert any(len(p.get("Metrics", [])) > 2 for _, p in alarms), "prod has metric-math alarms over several metrics"
    billed = {r.region: r.count for r in rows(report, "CloudWatch alarm metrics")}
    billed_high = {r.region: r.count for r in rows(report, "CloudWatch alarm metrics, high resolution")}
    for region, count in metrics.items():
        assert billed.get(region, 0) + billed_high.get(region, 0) == count
    composites = resources(prod, "AWS::CloudWatch::CompositeAlarm")
    assert sum(r.count for r in rows(report, "CloudWatch composite alarms")) == len(composites)


def test_health_checks_are_billed_by_type_and_option(prod: Synth, report: CostReport) -> None:
    checks = [p["HealthCheckConfig"] for _, p in resources(prod, "AWS::Route53::HealthCheck")]
    endpoint = [c for c in checks if c["Type"] not in ("CALCULATED", "CLOUDWATCH_METRIC", "RECOVERY_CONTROL")]
    options = sum(
        c["Type"].startswith("HTTPS")
        + c["Type"].endswith("STR_MATCH")
        + (c.get("RequestInterval") == 10)
        + bool(c.get("MeasureLatency"))
        for c in endpoint
    )
    assert options, "prod's endpoint checks are HTTPS at the fast interval"
    assert sum(r.count for r in rows(report, "Route 53 health checks (AWS endpoint)")) == len(endpoint)
    assert sum(r.count for r in rows(report, "Route 53 health-check options")) == options
    calculated = [r for r in rows(report, "Route 53 calculated and metric health checks")]
    assert sum(r.count for r in calculated) == sum(c["Type"] in ("CALCULATED", "CLOUDWATCH_METRIC") for c in checks)
    assert {r.confidence for r in calculated} == {"UNC"}


def test_canary_runs_follow_each_schedule(prod: Synth, report: CostReport) -> None:
    runs = Counter()
    for region, props in resources(prod, "AWS::Synthetics::Canary"):
        runs[region] += runs_per_month(props["Schedule"]["Expression"])
    assert runs
    for region, count in runs.items():
        (row,) = rows(report, "Synthetics canary runs", region)
        assert row.quantity == pytest.approx(count)
        assert row.monthly_usd == pytest.approx(count * 0.0012)


def test_keys_secrets_and_replicas_are_counted_where_they_bill(prod: Synth, report: CostReport) -> None:
    keys = Counter(region for region, _ in resources(prod, "AWS::KMS::Key"))
    assert {r.region: r.count for r in rows(report, "KMS keys")} == dict(keys)
    replicas = Counter(
        replica["Region"] for _, p in resources(prod, "AWS::SecretsManager::Secret") for replica in p["ReplicaRegions"]
    )
    assert replicas, "prod replicates the origin secret"
    assert {r.region: r.count for r in rows(report, "Secrets Manager replicas")} == dict(replicas)


def test_contributor_insights_rules_per_replica_and_mode(prod: Synth, report: CostReport) -> None:
    (table,) = [p for _, p in resources(prod, "AWS::DynamoDB::GlobalTable") if p["TableName"].endswith("-sessions")]
    per_table = 4 if any(k["KeyType"] == "RANGE" for k in table["KeySchema"]) else 2
    for replica in table["Replicas"]:
        spec = replica.get("ContributorInsightsSpecification", {})
        accessed = spec.get("Mode", "ACCESSED_AND_THROTTLED_KEYS") == "ACCESSED_AND_THROTTLED_KEYS"
        name = "every request" if accessed else "throttled keys"
        lines = rows(report, f"DynamoDB Contributor Insights rules ({name})", replica["Region"])
        assert [r.count for r in lines] == ([per_table] if spec.get("Enabled") else [])
        events = rows(
            report, f"DynamoDB Contributor Insights events ({'every request' if accessed else 'throttled only'})"
        )
        assert all(r.monthly_usd is None for r in events)


def test_the_web_acl_and_its_rules_are_global(prod: Synth, report: CostReport) -> None:
    ((_, acl),) = resources(prod, "AWS::WAFv2::WebACL")
    assert acl["Scope"] == "CLOUDFRONT"
    (rules,) = rows(report, "WAF rules (a managed group is one rule)")
    assert (rules.region, rules.count, rules.monthly_usd) == (GLOBAL, len(acl["Rules"]), len(acl["Rules"]) * 1.0)
    (web_acl,) = rows(report, "WAF web ACLs")
    assert (web_acl.region, web_acl.monthly_usd) == (GLOBAL, 5.0)


# Resource type -> the inventory key that counts it one for one.
ONE_FOR_ONE = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "albs",
    "AWS::CloudWatch::Dashboard": "dashboards",
    "AWS::Route53::HealthCheck": "health_checks",
    "AWS::Synthetics::Canary": "canaries",
    "AWS::SecretsManager::Secret": "secrets",
    "AWS::WAFv2::WebACL": "web_acls",
    "AWS::ECS::Cluster": "clusters",
    "AWS::Scheduler::Schedule": "schedules",
    "AWS::SQS::Queue": "sqs_queues",
    "AWS::SNS::Topic": "sns_topics",
    "AWS::Logs::LogGroup": "log_groups",
    "AWS::S3::Bucket": "s3_buckets",
    "AWS::CloudFront::Distribution": "distributions",
    "AWS::Route53RecoveryControl::Cluster": "arc_clusters",
    "AWS::Route53::HostedZone": "hosted_zones",
}


def test_every_billed_resource_type_of_prod_is_counted(prod: Synth, report: CostReport) -> None:
    inventory = report.inventory
    assert inventory.unknown == {}, "a resource type with no line and no reason: add it to cost_lines.py"
    for type_, key in ONE_FOR_ONE.items():
        assert inventory.total(key) == len(resources(prod, type_)), type_
    builds = sum(inventory.total(k) for k in ("build_projects_arm_small", "build_projects_x86_small"))
    assert builds + inventory.total("build_projects_other") == len(resources(prod, "AWS::CodeBuild::Project")) > 0
    assert inventory.total("pipelines_v2") + inventory.total("pipelines_v1") == 1
    levels = Counter(k for c in inventory.counts.values() for k, n in c.items() if k.startswith("clusters_insights_"))
    assert sum(levels.values()) == len(resources(prod, "AWS::ECS::Cluster"))


# The task floor and the totals


def test_the_task_floor_runs_in_every_cell(prod: Synth, report: CostReport) -> None:
    expected = sum(s.min_tasks * FARGATE_ARM64_US_EAST_1.task_hour(s) * 730 for s in service_models(prod.config))
    assert expected > 0
    for region in prod.config.region_names:
        floor = [r for r in report.rows if r.region == region and r.item.startswith("Fargate task floor")]
        assert sum(r.monthly_usd for r in floor) == pytest.approx(expected)
        assert sum(r.count for r in floor) == sum(s.min_tasks for s in prod.config.services)
        assert all(r.price_ids == ("fargate-arm64-vcpu-hour", "fargate-arm64-gb-hour") for r in floor)


def test_an_evacuated_cell_still_runs_its_floor(prod: Synth, report: CostReport) -> None:
    regions = list(prod.config.regions)
    regions[-1] = regions[-1].model_copy(update={"evacuate": True})
    evacuated = baseline_costs(prod.config.model_copy(update={"regions": regions}), prod.outdir)
    assert evacuated.region_totals == pytest.approx(report.region_totals)


def test_every_priced_row_names_its_prices(report: CostReport) -> None:
    for row in report.rows:
        used = [PRICES[i] for i in row.price_ids]
        assert used and all(p.source and p.confidence in CONFIDENCE_ORDER for p in used), row
        assert row.confidence == max((p.confidence for p in used), key=CONFIDENCE_ORDER.index)
        if row.in_total:
            assert row.monthly_usd == pytest.approx(row.quantity * row.unit_usd), row
        else:
            assert row.unit_usd == used[0].usd, row


def test_traffic_lines_carry_no_usd_and_stay_out_of_the_total(report: CostReport) -> None:
    usage = report.usage_rows
    assert {"traffic", "running tasks", "releases", "event windows"} <= {r.driver for r in usage}
    assert all(r.monthly_usd is None and r.quantity is None and r.driver for r in usage)
    assert all(r.driver == "" for r in report.baseline_rows)
    traffic_items = {r.item for r in usage if r.driver == "traffic"}
    for item in ("CloudFront data transfer out", "WAF requests inspected", "NAT gateway data processed"):
        assert item in traffic_items
    assert report.total == pytest.approx(sum(r.monthly_usd for r in report.baseline_rows))


def test_the_environment_total_is_the_regions_plus_global(prod: Synth, report: CostReport) -> None:
    totals = report.region_totals
    assert list(totals)[: len(prod.config.regions)] == list(prod.config.region_names)
    assert GLOBAL in totals and totals[GLOBAL] > 0
    assert report.total == pytest.approx(sum(totals.values()))
    for region, value in totals.items():
        assert value == pytest.approx(sum(r.monthly_usd for r in report.baseline_rows if r.region == region))


def test_the_text_separates_the_total_from_traffic_and_lists_each_price(prod: Synth, report: CostReport) -> None:
    code, text = cost_main(prod.config, prod.outdir)
    assert code == 0
    assert text == render_cost_report(report)
    baseline, rest = text.split("NOT IN THE TOTAL", 1)
    assert "IN THE TOTAL" in baseline and "CloudFront data transfer out" not in baseline
    assert "CloudFront data transfer out" in rest
    assert f"{report.total:,.2f}" in text
    prices = text.split("PRICES (", 1)[1].split("NO LINE OF THEIR OWN", 1)[0]
    for price in report.prices_used:
        line = next(line for line in prices.splitlines() if line.startswith(f"{price.id} "))
        assert price.source in line and f" {price.confidence} " in line


# Errors


def test_a_missing_assembly_says_how_to_fix_it(prod: Synth, tmp_path: Path) -> None:
    code, message = cost_main(prod.config, tmp_path)
    assert code == 2
    assert "Fix:" in message and "make synth" in message and "\n" not in message


def test_an_assembly_of_another_environment_is_refused(prod: Synth) -> None:
    code, message = cost_main(prod.config.model_copy(update={"environment": "other"}), prod.outdir)
    assert code == 2 and "Fix:" in message


# Counting rules the prod templates do not exercise, on a hand-written assembly


def _assembly(tmp_path: Path, region: str, resources_: dict[str, dict[str, Any]]) -> Path:
    (tmp_path / "kickoff-prod-x.template.json").write_text(json.dumps({"Resources": resources_}))
    manifest = {
        "artifacts": {
            "kickoff-prod-x": {
                "type": "aws:cloudformation:stack",
                "environment": f"aws://111111111111/{region}",
                "properties": {"templateFile": "kickoff-prod-x.template.json", "stackName": "kickoff-prod-x"},
            }
        }
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def test_counting_rules_on_a_hand_written_assembly(prod: Synth, tmp_path: Path) -> None:
    high_res = {"Metrics": [{"Id": "m", "MetricStat": {"Period": 10}}, {"Id": "n", "MetricStat": {"Period": 60}}]}
    anomaly = {
        "Metrics": [{"Id": "m", "MetricStat": {"Period": 300}}, {"Id": "b", "Expression": "ANOMALY_DETECTION_BAND(m)"}]
    }
    table = {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [{"IndexName": "g", "KeySchema": [{"KeyType": "HASH"}, {"KeyType": "RANGE"}]}],
        "Replicas": [
            {
                "Region": "us-east-1",
                "ContributorInsightsSpecification": {"Enabled": True, "Mode": "THROTTLED_KEYS"},
                "GlobalSecondaryIndexes": [{"IndexName": "g", "ContributorInsightsSpecification": {"Enabled": True}}],
            },
            {"Region": "us-east-2"},
        ],
    }
    check = {"Type": "HTTPS_STR_MATCH", "MeasureLatency": True, "RequestInterval": 30}
    outdir = _assembly(
        tmp_path,
        "us-east-1",
        {
            "A": {"Type": "AWS::CloudWatch::Alarm", "Properties": high_res},
            "B": {"Type": "AWS::CloudWatch::Alarm", "Properties": anomaly},
            "T": {"Type": "AWS::DynamoDB::GlobalTable", "Properties": table},
            "H": {"Type": "AWS::Route53::HealthCheck", "Properties": {"HealthCheckConfig": check}},
            "C": {"Type": "AWS::Route53RecoveryControl::Cluster", "Properties": {"Name": "c"}},
            "K": {"Type": "AWS::KMS::ReplicaKey", "Properties": {}},
            "W": {"Type": "AWS::WAFv2::WebACL", "Properties": {"Scope": "REGIONAL", "Rules": [{}, {}]}},
            "Q": {"Type": "AWS::Made::Up", "Properties": {}},
        },
    )
    costs = baseline_costs(prod.config, outdir)
    inventory = costs.inventory
    assert inventory.get("us-east-1", "alarm_metrics") == 1 + 1 + 2  # one standard; one plus the band's two
    assert inventory.get("us-east-1", "alarm_metrics_high_resolution") == 1
    assert inventory.get("us-east-1", "cci_rules_throttled") == 2 + 4  # the table's PKC/PKT, the index's four
    assert inventory.get("us-east-2", "cci_rules_accessed") + inventory.get("us-east-2", "cci_rules_throttled") == 0
    assert inventory.get("us-east-1", "health_check_options") == 3  # HTTPS, string matching, latency
    (arc,) = rows(costs, "ARC routing-control clusters")
    assert (arc.region, arc.monthly_usd) == (GLOBAL, pytest.approx(2.5 * HOURS_PER_MONTH))
    assert inventory.get("us-east-1", "kms_keys") == 1
    assert inventory.get("us-east-1", "web_acls") == 1 and inventory.get("us-east-1", "waf_rules") == 2
    assert inventory.unknown == {"AWS::Made::Up": 1}
    assert "NOT PRICED" in render_cost_report(costs) and "AWS::Made::Up" in render_cost_report(costs)
