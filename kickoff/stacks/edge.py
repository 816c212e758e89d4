"""Edge stack (us-east-1): CloudFront, its certificate, WAF and the viewer records."""

from __future__ import annotations

from aws_cdk import CfnOutput, SecretValue
from aws_cdk import aws_route53 as route53
from constructs import Construct

from kickoff.config.models import EDGE_REGION, ORIGIN_VERIFY_HEADER, KickoffConfig
from kickoff.constructs.edge_distribution import EdgeDistribution
from kickoff.constructs.web_acl import EdgeWebAcl
from kickoff.stacks.base import KickoffStack


class EdgeStack(KickoffStack):
    """The global front door. Its origins are DNS names the cells own, so it references no stack."""

    def __init__(self, scope: Construct, *, config: KickoffConfig) -> None:
        super().__init__(
            scope,
            config=config,
            unit="edge",
            region=EDGE_REGION,
            cell=None,
            description=f"Kickoff {config.environment}: CloudFront, WAF and viewer DNS",
        )
        zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "HostedZone", hosted_zone_id=config.domain.hosted_zone_id, zone_name=config.domain.name
        )
        self.web_acl = EdgeWebAcl(
            self,
            "WebAcl",
            name=f"{config.app}-{config.environment}",
            rate_limit_requests=config.edge.waf.rate_limit_requests,
            rate_limit_window_seconds=config.edge.waf.rate_limit_window_seconds,
            log_retention_days=config.logging.retention_days,
        )
        secret = SecretValue.secrets_manager(config.origin_secret_name, version_stage="AWSCURRENT").unsafe_unwrap()
        self.distribution = EdgeDistribution(
            self,
            "Distribution",
            zone=zone,
            viewer_names=list(config.viewer_names),
            primary_origin=config.origin_domain,
            secondary_origin=config.secondary_origin_domain,
            origin_headers={ORIGIN_VERIFY_HEADER: secret},
            api_path_pattern=config.edge.api_path_pattern,
            default_cache_policy=config.edge.default_cache_policy,
            cache_behaviors=[(b.path_pattern, b.cache_policy) for b in config.edge.cache_behaviors],
            price_class=config.edge.price_class,
            allowed_countries=list(config.edge.allowed_countries),
            connection_timeout_seconds=config.edge.origin_connection_timeout_seconds,
            connection_attempts=config.edge.origin_connection_attempts,
            web_acl_arn=self.web_acl.web_acl.attr_arn,
            log_expiration_days=config.logging.access_log_expiration_days,
        )
        CfnOutput(self, "DistributionDomainName", value=self.distribution.distribution.distribution_domain_name)
        CfnOutput(self, "DistributionId", value=self.distribution.distribution.distribution_id)
