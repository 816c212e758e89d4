"""The CLOUDFRONT-scope WAF web ACL: AWS managed rule groups, a rate limit, logging."""

from __future__ import annotations

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from kickoff.constructs._util import retention

# (priority, AWS managed rule group). Priorities leave room for custom rules in between.
MANAGED_RULE_GROUPS = (
    (10, "AWSManagedRulesAmazonIpReputationList"),
    (20, "AWSManagedRulesCommonRuleSet"),
    (30, "AWSManagedRulesKnownBadInputsRuleSet"),
)
RATE_RULE_PRIORITY = 40


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


class EdgeWebAcl(Construct):
    """Web ACL for CloudFront (must be created in us-east-1).

    IP reputation first (cheapest way to drop known-bad sources), then the core rule set
    and known bad inputs, then a per-IP rate limit that blocks floods. Logs go to a
    CloudWatch log group named ``aws-waf-logs-...`` (a WAF requirement) with finite
    retention; the Authorization header is redacted.

    Attributes: ``web_acl``, ``log_group``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        rate_limit_requests: int,
        rate_limit_window_seconds: int,
        log_retention_days: int,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        if stack.region != "us-east-1":
            raise ValueError(f"a CLOUDFRONT web ACL must be created in us-east-1, not {stack.region}")
        if rate_limit_window_seconds not in (60, 120, 300, 600):
            raise ValueError("edge.waf.rate_limit_window_seconds must be 60, 120, 300 or 600")
        rules = [
            wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=group
                    )
                ),
                visibility_config=_visibility(group),
            )
            for priority, group in MANAGED_RULE_GROUPS
        ]
        rules.append(
            wafv2.CfnWebACL.RuleProperty(
                name="RateLimitPerIp",
                priority=RATE_RULE_PRIORITY,
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=rate_limit_requests,
                        aggregate_key_type="IP",
                        evaluation_window_sec=rate_limit_window_seconds,
                    )
                ),
                visibility_config=_visibility("RateLimitPerIp"),
            )
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=name,
            scope="CLOUDFRONT",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(name),
            rules=rules,
        )
        log_group_name = f"aws-waf-logs-{name}"
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=log_group_name,
            retention=retention(log_retention_days),
            removal_policy=RemovalPolicy.RETAIN,
        )
        # WAF wants the log group ARN without the ":*" suffix that LogGroup.log_group_arn carries.
        log_group_arn = stack.format_arn(
            service="logs", resource="log-group", resource_name=log_group_name, arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        self.logging = wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[log_group_arn],
            redacted_fields=[wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": "authorization"})],
        )
        self.logging.node.add_dependency(self.log_group)
