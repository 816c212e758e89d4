"""Edge stack (us-east-1): CloudFront, its certificate, WAF and the viewer records."""

from __future__ import annotations

from aws_cdk import CfnOutput
from aws_cdk import aws_route53 as route53
from constructs import Construct

from kickoff import naming
from kickoff.config.models import EDGE_REGION, KickoffConfig
from kickoff.constructs.edge_distribution import OWN_CACHE_POLICIES, EdgeDistribution
from kickoff.constructs.encryption_keys import LogEncryptionKey
from kickoff.constructs.live_edge import LiveEdge
from kickoff.constructs.origin_secret import sent_origin_header
from kickoff.constructs.web_acl import EdgeWebAcl
from kickoff.naming import cache_policy_name, web_acl_name
from kickoff.stacks.base import KickoffStack
from kickoff.web import allows_writes


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
        self.log_key = LogEncryptionKey(self, "LogKey", description=f"Kickoff {config.environment}: edge log groups")
        self.web_acl = EdgeWebAcl(
            self,
            "WebAcl",
            name=web_acl_name(config.identity),
            rate_limit_requests=config.waf_rate_limit,
            rate_limit_window_seconds=config.edge.waf.rate_limit_window_seconds,
            log_retention_days=config.logging.retention_days,
            log_key=self.log_key.key,
            count_large_bodies=any(
                allows_writes(b.allowed_methods) for b in (config.default_behavior, *config.behaviors)
            ),
        )
        self.live: LiveEdge | None = None
        if config.live is not None:
            self.live = LiveEdge(
                self,
                "Live",
                path_prefix=config.live.prefix,
                group_name=naming.live_channel_group_name(config.identity),
                channels={c.name: (c.ingest_regions, c.segment_seconds) for c in config.live.channels},
                account=self.account,
                access_control_name=naming.live_access_control_name(config.identity),
                function_name=naming.live_path_function_name(config.identity),
                cache_policy_name=cache_policy_name(config.identity, "live"),
                log_retention_days=config.logging.retention_days,
                log_key=self.log_key.key,
                refresh=config.live.egress_refresh,
            )
        self.distribution = EdgeDistribution(
            self,
            "Distribution",
            zone=zone,
            viewer_names=list(config.viewer_names),
            primary_origin=naming.origin_domain(config.identity),
            secondary_origin=naming.secondary_origin_domain(naming.origin_domain(config.identity)),
            origin_headers=sent_origin_header(naming.origin_secret_name(config.identity), config.edge.origin_secret),
            default_behavior=config.default_behavior,
            behaviors=list(config.behaviors),
            policy_names={p: cache_policy_name(config.identity, p) for p in OWN_CACHE_POLICIES},
            price_class=config.edge.price_class,
            allowed_countries=list(config.edge.allowed_countries),
            connection_timeout_seconds=config.edge.origin_connection_timeout_seconds,
            connection_attempts=config.edge.origin_connection_attempts,
            read_timeout_seconds=config.edge.origin_read_timeout_seconds,
            web_acl_arn=self.web_acl.web_acl.attr_arn,
            log_expiration_days=config.logging.access_log_expiration_days,
            probe_routes={
                f"{naming.probe_path_prefix(r)}/*": naming.cell_domain(naming.origin_domain(config.identity), r)
                for r in config.region_names
            }
            if config.monitoring.canaries.enabled
            else None,
            live_behaviors=self.live.behaviors if self.live is not None else None,
        )
        CfnOutput(self, "DistributionDomainName", value=self.distribution.distribution.distribution_domain_name)
        CfnOutput(self, "DistributionId", value=self.distribution.distribution.distribution_id)
