"""The lines of the monthly baseline cost report: which inventory count each price applies to.

``FIXED_LINES`` are in the total (a count, times 730 hours for hourly prices). ``USAGE_LINES`` list the
charges that depend on traffic, running tasks, releases or event windows: the report shows their unit price
and what they depend on, never a USD figure. ``NOT_BILLED`` explains every resource type that has no line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FixedLine:
    """A line in the total: ``key``"s count times 730 h when ``hourly``, divided by ``per`` (e.g. 1M).

    ``note`` may name other inventory keys in braces, e.g. ``{alarms} metric alarms``.
    """

    item: str
    price_id: str
    key: str
    hourly: bool = False
    per: float = 1
    note: str = ""


@dataclass(frozen=True)
class UsageLine:
    """A line left out of the total: it depends on ``driver``; ``note`` says what ``key`` counts."""

    item: str
    price_id: str
    key: str
    driver: str = "traffic"
    note: str = ""


FIXED_LINES: tuple[FixedLine, ...] = (
    FixedLine("NAT gateways", "nat-gateway-hour", "nat_gateways", hourly=True),
    FixedLine("Public IPv4: Elastic IPs (NAT gateways)", "public-ipv4-hour", "public_ipv4_eip", hourly=True),
    FixedLine("Public IPv4: ALB (one per AZ)", "public-ipv4-hour", "public_ipv4_alb", hourly=True),
    FixedLine("Application Load Balancers", "alb-hour", "albs", hourly=True),
    FixedLine(
        "Interface VPC endpoints x AZs",
        "interface-endpoint-az-hour",
        "interface_endpoint_azs",
        hourly=True,
        note="{interface_endpoints} endpoints",
    ),
    FixedLine("CloudWatch alarm metrics", "cw-alarm-metric", "alarm_metrics", note="{alarms} metric alarms"),
    FixedLine(
        "CloudWatch alarm metrics, high resolution", "cw-alarm-metric-high-resolution", "alarm_metrics_high_resolution"
    ),
    FixedLine("CloudWatch composite alarms", "cw-composite-alarm", "composite_alarms"),
    FixedLine("CloudWatch dashboards", "cw-dashboard", "dashboards"),
    FixedLine(
        "Route 53 health checks (AWS endpoint)",
        "r53-health-check",
        "health_checks_endpoint",
        note="Route 53 is global: shown with the stack that creates them",
    ),
    FixedLine(
        "Route 53 health-check options",
        "r53-health-check-option",
        "health_check_options",
        note="HTTPS, string match, 10 s interval, latency",
    ),
    FixedLine(
        "Route 53 calculated and metric health checks", "r53-health-check-calculated", "health_checks_calculated"
    ),
    FixedLine(
        "Route 53 routing-control health checks", "r53-health-check-recovery-control", "health_checks_recovery_control"
    ),
    FixedLine("Synthetics canary runs", "synthetics-canary-run", "canary_runs", note="{canaries} canaries"),
    FixedLine(
        "Capacity agent runs (Lambda ARM64)", "lambda-arm64-agent-run", "function_runs", note="1 GB, about 10 s a run"
    ),
    FixedLine("KMS keys", "kms-key-month", "kms_keys", note="rotation adds $1/month per backing key"),
    FixedLine("Secrets Manager secrets", "secret-month", "secrets"),
    FixedLine("Secrets Manager replicas", "secret-replica-month", "secret_replicas"),
    FixedLine("WAF web ACLs", "waf-web-acl", "web_acls"),
    FixedLine("WAF rules (a managed group is one rule)", "waf-rule", "waf_rules"),
    FixedLine("WAF Bot Control subscription", "waf-bot-control", "waf_bot_control"),
    FixedLine(
        "DynamoDB Contributor Insights rules (every request)",
        "ddb-contributor-insights-rule",
        "cci_rules_accessed",
        note="PKC/PKT (+SKC/SKT) per table and index, per replica",
    ),
    FixedLine(
        "DynamoDB Contributor Insights rules (throttled keys)",
        "ddb-contributor-insights-rule",
        "cci_rules_throttled",
        note="same rules as every-request mode (unconfirmed)",
    ),
    FixedLine(
        "ARC routing-control clusters",
        "arc-cluster-hour",
        "arc_clusters",
        hourly=True,
        note="one cluster serves every Region",
    ),
    FixedLine("Route 53 hosted zones", "r53-hosted-zone", "hosted_zones"),
    FixedLine(
        "EventBridge Scheduler invocations",
        "scheduler-invocations",
        "schedule_invocations",
        per=1_000_000,
        note="{schedules} schedules; 14M a month free",
    ),
)

USAGE_LINES: tuple[UsageLine, ...] = (
    UsageLine("NAT gateway data processed", "nat-gateway-gb", "nat_gateways", note="gateways"),
    UsageLine("Interface endpoint data processed", "interface-endpoint-gb", "interface_endpoints", note="endpoints"),
    UsageLine("ALB capacity units used", "alb-lcu-hour", "albs", note="load balancers"),
    UsageLine(
        "ALB capacity reservations",
        "alb-reserved-lcu-hour",
        "albs",
        "event windows",
        note="python -m kickoff plan prices them",
    ),
    UsageLine(
        "Container Insights (standard) metrics",
        "cw-custom-metric",
        "clusters_insights_standard",
        "running tasks",
        note="clusters; plus performance logs at the ingestion price",
    ),
    UsageLine(
        "Container Insights (enhanced) metrics",
        "container-insights-enhanced-metric",
        "clusters_insights_enhanced",
        "running tasks",
        note="clusters; task and container metrics, plus performance logs",
    ),
    UsageLine(
        "DynamoDB Contributor Insights events (every request)",
        "ddb-contributor-insights-events",
        "cci_rules_accessed",
        note="rules; every read and write is an event",
    ),
    UsageLine(
        "DynamoDB Contributor Insights events (throttled only)",
        "ddb-contributor-insights-events",
        "cci_rules_throttled",
        "throttling",
        note="rules; about $0 with no throttling",
    ),
    UsageLine("CloudWatch Logs ingestion", "cw-logs-ingestion-gb", "log_groups", note="log groups"),
    UsageLine("CloudWatch Logs storage", "cw-logs-storage-gb-month", "log_groups", note="log groups"),
    UsageLine("VPC Flow Logs delivered to S3", "vended-logs-s3-gb", "flow_logs_s3", note="flow logs"),
    UsageLine("VPC Flow Logs delivered to CloudWatch Logs", "vended-logs-cwl-gb", "flow_logs_logs", note="flow logs"),
    UsageLine("WAF logs delivered to CloudWatch Logs", "vended-logs-cwl-gb", "waf_log_destinations", note="web ACLs"),
    UsageLine("KMS requests", "kms-requests", "kms_keys", note="keys"),
    UsageLine("Secrets Manager API calls", "secret-api-calls", "secrets", note="secrets"),
    UsageLine("Secrets Manager API calls (replicas)", "secret-api-calls", "secret_replicas", note="replicas"),
    UsageLine("SQS requests", "sqs-requests", "sqs_queues", note="queues"),
    UsageLine("SNS publishes", "sns-publishes", "sns_topics", note="topics"),
    UsageLine("SNS email deliveries", "sns-email", "sns_email_subscriptions", note="subscriptions"),
    UsageLine("S3 storage", "s3-standard-gb-month", "s3_buckets", "stored data", note="buckets"),
    UsageLine("CloudFront data transfer out", "cloudfront-gb", "distributions", note="distributions"),
    UsageLine("CloudFront HTTPS requests", "cloudfront-https-requests", "distributions", note="distributions"),
    UsageLine(
        "CloudFront Functions", "cloudfront-function-invocations", "cloudfront_function_behaviors", note="behaviours"
    ),
    UsageLine("WAF requests inspected", "waf-requests", "web_acls", note="web ACLs"),
    UsageLine(
        "MediaLive channel hours (input and outputs)",
        "medialive-output-hd-hour",
        "medialive_channels",
        "event windows",
        note="channels; run only around their events: python -m kickoff plan prices them",
    ),
    UsageLine(
        "MediaPackage ingest and origination",
        "mediapackage-ingest-gb",
        "mediapackage_channels",
        "event windows",
        note="channels; python -m kickoff plan prices them",
    ),
    UsageLine(
        "Route 53 latency queries",
        "r53-latency-queries",
        "latency_records",
        note="non-alias latency records; alias queries are free",
    ),
    UsageLine(
        "CodePipeline V2 action minutes",
        "codepipeline-v2-action-minute",
        "pipelines_v2",
        "releases",
        note="pipelines; 100 free minutes a month",
    ),
    UsageLine(
        "CodeBuild arm1.small build minutes",
        "codebuild-arm1-small-minute",
        "build_projects_arm_small",
        "releases",
        note="build projects",
    ),
    UsageLine(
        "CodeBuild general1.small build minutes",
        "codebuild-general1-small-minute",
        "build_projects_x86_small",
        "releases",
        note="build projects",
    ),
)

# Resource types that add no monthly charge of their own, or whose cost another line already carries.
NOT_BILLED: dict[str, str] = {
    "AWS::ApplicationAutoScaling::ScalableTarget": "free",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "free (its alarms are counted)",
    "AWS::CertificateManager::Certificate": "public certificates are free",
    "AWS::CloudFront::CachePolicy": "free",
    "AWS::CloudFront::Function": "priced per invocation (CloudFront Functions line)",
    "AWS::CloudFront::OriginAccessControl": "free",
    "AWS::MediaLive::Input": "billed per hour only while its channel runs (MediaLive channel hours); an idle push "
    "input may carry a small idle charge (rate not found)",
    "AWS::MediaLive::InputSecurityGroup": "free",
    "AWS::MediaPackageV2::ChannelGroup": "MediaPackage bills per GB ingested and originated (its line)",
    "AWS::MediaPackageV2::OriginEndpoint": "MediaPackage bills per GB ingested and originated (its line)",
    "AWS::MediaPackageV2::OriginEndpointPolicy": "free",
    "AWS::CloudFront::OriginRequestPolicy": "free",
    "AWS::CloudFront::ResponseHeadersPolicy": "free",
    "AWS::EC2::InternetGateway": "free",
    "AWS::EC2::Route": "free",
    "AWS::EC2::RouteTable": "free",
    "AWS::EC2::SecurityGroup": "free",
    "AWS::EC2::SecurityGroupEgress": "free",
    "AWS::EC2::SecurityGroupIngress": "free",
    "AWS::EC2::Subnet": "free",
    "AWS::EC2::SubnetRouteTableAssociation": "free",
    "AWS::EC2::VPC": "free",
    "AWS::EC2::VPCGatewayAttachment": "free",
    "AWS::ECR::PullThroughCacheRule": "cached images are billed as ECR storage (traffic)",
    "AWS::ECS::Service": "its tasks are priced as the task floor",
    "AWS::ECS::TaskDefinition": "its tasks are priced as the task floor",
    "AWS::ElasticLoadBalancingV2::Listener": "part of the load balancer",
    "AWS::ElasticLoadBalancingV2::ListenerRule": "part of the load balancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "part of the load balancer",
    "AWS::FIS::ExperimentTemplate": "charged per action-minute only when an experiment runs",
    "AWS::IAM::Policy": "free",
    "AWS::IAM::Role": "free",
    "AWS::KMS::Alias": "free",
    "AWS::Lambda::Function": "custom-resource handlers run at deploy time (free tier); scheduled ones are priced by "
    "their runs",
    "AWS::SSM::Parameter": "Standard-tier parameters are free (the capacity spec stays below 4 KB)",
    "AWS::Logs::ResourcePolicy": "free",
    "AWS::Route53RecoveryControl::ControlPanel": "no separate charge found (the cluster is priced)",
    "AWS::Route53RecoveryControl::RoutingControl": "no separate charge found (the cluster is priced)",
    "AWS::Route53RecoveryControl::SafetyRule": "no separate charge found (the cluster is priced)",
    "AWS::S3::BucketPolicy": "free",
    "AWS::SNS::TopicPolicy": "free",
    "AWS::SQS::QueuePolicy": "free",
    "AWS::Scheduler::ScheduleGroup": "free",
    "Custom::AWS": "a deploy-time API call",
    "Custom::VpcRestrictDefaultSG": "a deploy-time API call",
}
