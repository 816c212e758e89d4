"""The CLOUDFRONT-scope WAF web ACL: AWS managed rule groups, a rate limit, logging."""

from __future__ import annotations

from aws_cdk import Aws, Fn, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from kickoff.config.models import EDGE_REGION
from kickoff.constructs._util import retention

# (priority, AWS managed rule group). Priorities leave room for custom rules in between.
MANAGED_RULE_GROUPS = (
    (10, "AWSManagedRulesAmazonIpReputationList"),
    (20, "AWSManagedRulesCommonRuleSet"),
    (30, "AWSManagedRulesKnownBadInputsRuleSet"),
)
RATE_RULE_PRIORITY = 40
CORE_RULE_SET = "AWSManagedRulesCommonRuleSet"
# The core rule set blocks request bodies over 8 KB; API writes may be larger, and the services
# validate their own bodies. Counted (and labelled) instead of blocked when writes are allowed.
BODY_SIZE_RULE = "SizeRestrictions_BODY"


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


class EdgeWebAcl(Construct):
    """Web ACL for CloudFront (must be created in us-east-1).

    IP reputation first (cheapest way to drop known-bad sources), then the core rule set
    and known bad inputs, then a per-IP rate limit that blocks floods. With
    ``count_large_bodies`` the core rule set's 8 KB body limit counts instead of blocking,
    because write behaviours accept larger bodies. Logs go to a CloudWatch log group named
    ``aws-waf-logs-<name>-<stack id>`` (WAF requires the prefix) with finite retention,
    encrypted with ``log_key``; the Authorization header is redacted. The group is retained
    (evidence after an incident), so its name carries part of the stack ID: a rebuilt stack
    creates a new group instead of failing on the old one's name.

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
        log_key: kms.IKey,
        count_large_bodies: bool,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        if stack.region != EDGE_REGION:
            raise ValueError(f"a CLOUDFRONT web ACL must be created in {EDGE_REGION}, not {stack.region}")
        if rate_limit_window_seconds not in (60, 120, 300, 600):
            raise ValueError("edge.waf.rate_limit_window_seconds must be 60, 120, 300 or 600")
        rules = [
            wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS",
                        name=group,
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name=BODY_SIZE_RULE, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                            )
                        ]
                        if group == CORE_RULE_SET and count_large_bodies
                        else None,
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
        # The first group of the stack ID's UUID: fixed for the stack's life, new for a rebuilt stack.
        stack_suffix = Fn.select(0, Fn.split("-", Fn.select(2, Fn.split("/", Aws.STACK_ID))))
        log_group_name = Fn.join("-", [f"aws-waf-logs-{name}", stack_suffix])
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=log_group_name,
            retention=retention(log_retention_days),
            encryption_key=log_key,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # WAF wants the log group ARN without the ":*" suffix that LogGroup.log_group_arn carries.
        log_group_arn = Fn.join(
            ":", [f"arn:{Aws.PARTITION}:logs:{stack.region}:{stack.account}:log-group", log_group_name]
        )
        self.logging = wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[log_group_arn],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": "authorization"})
            ],
        )
        self.logging.node.add_dependency(self.log_group)
