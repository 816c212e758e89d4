"""The CloudFront distribution in front of the cells, with origin failover."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_s3 as s3
from constructs import Construct

from kickoff.config.models import EdgeBehavior
from kickoff.constructs.log_bucket import log_bucket
from kickoff.naming import pascal
from kickoff.web import allows_writes

# Connection failures and these statuses from the primary send the request to the secondary.
FAILOVER_STATUS_CODES = [500, 502, 503, 504]

# AWS managed cache policies by config name (their keys and TTLs: docs/reference/cloudfront-policies.md).
MANAGED_CACHE_POLICIES = {
    "caching_optimized": cloudfront.CachePolicy.CACHING_OPTIMIZED,
    "caching_optimized_for_uncompressed_objects": cloudfront.CachePolicy.CACHING_OPTIMIZED_FOR_UNCOMPRESSED_OBJECTS,
    "caching_disabled": cloudfront.CachePolicy.CACHING_DISABLED,
    "elemental_media_package": cloudfront.CachePolicy.ELEMENTAL_MEDIA_PACKAGE,
    "use_origin_cache_control_headers": cloudfront.CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS,
    "use_origin_cache_control_headers_query_strings": (
        cloudfront.CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS_QUERY_STRINGS
    ),
}
# Kickoff's own: the origin's Cache-Control decides (nothing is cached without it), and the cache key holds
# no header and no cookie, so nothing of the viewer's (Host above all) reaches the origin through the key.
OWN_CACHE_POLICIES = {"origin_cache_control": False, "origin_cache_control_query_strings": True}
MAX_TTL = Duration.days(365)
ALLOWED_METHODS = {
    ("GET", "HEAD"): cloudfront.AllowedMethods.ALLOW_GET_HEAD,
    ("GET", "HEAD", "OPTIONS"): cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
    ("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"): cloudfront.AllowedMethods.ALLOW_ALL,
}
CACHED_METHODS = {
    ("GET", "HEAD"): cloudfront.CachedMethods.CACHE_GET_HEAD,
}


class EdgeDistribution(Construct):
    """CloudFront with an origin group over the latency-routed cells, TLS 1.2+, HTTP/2 and 3, logs.

    - Primary origin ``origin.<domain>``: the nearest healthy cell (Route 53 latency routing).
    - Secondary origin ``secondary.<origin domain>``: the nearest healthy cell *other than*
      the primary's (see CellRouting); used when the primary fails to connect, times out or
      answers 5xx.
    - One behaviour per ``EdgeBehavior`` plus the default, each allowing exactly the method
      set of the service that serves it. Read-only behaviours use the origin group; a
      behaviour that allows writes uses the primary origin only (CloudFront refuses origin
      groups on behaviours that allow POST), and DNS health checks move its traffic.
    - ``probe_routes``: one behaviour per cell (``/_probe/<region>/*`` to ``<region>.origin.<domain>``), through
      which the Region probes reach each cell as viewers do; the cell rewrites the path to its health path.
    - Every origin request carries the origin-verification header. The Host header is never
      sent, so TLS to the origin is validated against the origin name, which the cell certificates
      cover. A behaviour that caches nothing forwards every viewer header but Host, and every cookie;
      one that caches sends only its cache key (no cookie, no credential), so a personalised answer
      is never cached for another viewer.
    - ``live_behaviors``: the live channels' behaviours (``LiveEdge``), ahead of the others.

    Attributes: ``distribution``, ``certificate``, ``log_bucket``, ``records``, ``cache_policies``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        zone: route53.IHostedZone,
        viewer_names: list[str],
        primary_origin: str,
        secondary_origin: str,
        origin_headers: dict[str, str],
        default_behavior: EdgeBehavior,
        behaviors: list[EdgeBehavior],
        policy_names: dict[str, str],
        price_class: str,
        allowed_countries: list[str],
        connection_timeout_seconds: int,
        connection_attempts: int,
        read_timeout_seconds: int,
        web_acl_arn: str,
        log_expiration_days: int,
        probe_routes: Mapping[str, str] | None = None,
        live_behaviors: Mapping[str, cloudfront.BehaviorOptions] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        if not viewer_names:
            raise ValueError("edge.viewer_names must name at least one viewer name")
        every = [default_behavior, *behaviors]
        unknown = {b.cache_policy for b in every} - MANAGED_CACHE_POLICIES.keys() - OWN_CACHE_POLICIES.keys()
        if unknown:
            raise ValueError(
                f"unknown cache policies {sorted(unknown)}; use one of "
                f"{sorted([*MANAGED_CACHE_POLICIES, *OWN_CACHE_POLICIES])}"
            )
        bad_methods = [b.path_pattern for b in every if b.allowed_methods not in ALLOWED_METHODS]
        if bad_methods:
            raise ValueError(f"behaviours {bad_methods}: allowed methods must be one of CloudFront's three sets")
        writes_in_group = [b.path_pattern for b in every if b.failover and allows_writes(b.allowed_methods)]
        if writes_in_group:
            raise ValueError(f"behaviours {writes_in_group} allow writes, which CloudFront cannot fail over")

        self.certificate = acm.Certificate(
            self,
            "Certificate",
            domain_name=viewer_names[0],
            subject_alternative_names=viewer_names[1:] or None,
            validation=acm.CertificateValidation.from_dns(zone),
        )
        # CloudFront standard logging writes objects with ACLs.
        self.log_bucket = log_bucket(
            self,
            "LogBucket",
            expiration_days=log_expiration_days,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
        )

        def origin(domain: str) -> origins.HttpOrigin:
            return origins.HttpOrigin(
                domain,
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                custom_headers=origin_headers,
                connection_timeout=Duration.seconds(connection_timeout_seconds),
                connection_attempts=connection_attempts,
                read_timeout=Duration.seconds(read_timeout_seconds),
            )

        primary = origin(primary_origin)
        failover = origins.OriginGroup(
            primary_origin=primary,
            fallback_origin=origin(secondary_origin),
            fallback_status_codes=FAILOVER_STATUS_CODES,
        )
        # Cache policy names are global in the account (CloudFront is a global service): ``policy_names`` come
        # from kickoff.naming, unique per environment.
        self.cache_policies: dict[str, cloudfront.ICachePolicy] = dict(MANAGED_CACHE_POLICIES)
        for name, query_strings in OWN_CACHE_POLICIES.items():
            if any(b.cache_policy == name for b in every):
                self.cache_policies[name] = cloudfront.CachePolicy(
                    self,
                    pascal(name.replace("_", "-")),
                    cache_policy_name=policy_names[name],
                    comment="Origin Cache-Control decides; no header or cookie in the key",
                    min_ttl=Duration.seconds(0),
                    default_ttl=Duration.seconds(0),
                    max_ttl=MAX_TTL,
                    header_behavior=cloudfront.CacheHeaderBehavior.none(),
                    cookie_behavior=cloudfront.CacheCookieBehavior.none(),
                    query_string_behavior=(
                        cloudfront.CacheQueryStringBehavior.all()
                        if query_strings
                        else cloudfront.CacheQueryStringBehavior.none()
                    ),
                    enable_accept_encoding_gzip=True,
                    enable_accept_encoding_brotli=True,
                )

        def request_policy(b: EdgeBehavior) -> cloudfront.IOriginRequestPolicy | None:
            """Everything but Host where nothing is cached; nothing beyond the cache key where anything is: what
            identifies a viewer (cookies, credentials) never reaches an origin whose answer may be cached."""
            if b.cache_policy == "caching_disabled":
                return cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER
            return None

        def behavior(b: EdgeBehavior) -> cloudfront.BehaviorOptions:
            return cloudfront.BehaviorOptions(
                origin=failover if b.failover else primary,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=ALLOWED_METHODS[b.allowed_methods],
                cached_methods=CACHED_METHODS.get(b.allowed_methods, cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS),
                cache_policy=self.cache_policies[b.cache_policy],
                origin_request_policy=request_policy(b),
                compress=True,
            )

        # One behaviour per cell under its probe prefix, to that cell's own name only: the Region probes reach
        # each cell the way viewers do (through CloudFront, the WAF and the origin secret), and no cell answers for
        # another. Nothing is cached and nothing of the viewer's is forwarded.
        probes = {
            pattern: cloudfront.BehaviorOptions(
                origin=origin(domain),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                # The health paths behind it belong to services that answer at least these.
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                compress=False,
            )
            for pattern, domain in (probe_routes or {}).items()
        }
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"Kickoff viewers: {', '.join(viewer_names)}",
            domain_names=viewer_names,
            certificate=self.certificate,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_ipv6=True,
            price_class=cloudfront.PriceClass[price_class.replace("PriceClass_", "PRICE_CLASS_").upper()],
            web_acl_id=web_acl_arn,
            enable_logging=True,
            log_bucket=self.log_bucket,
            log_file_prefix="cloudfront/",
            geo_restriction=cloudfront.GeoRestriction.allowlist(*allowed_countries) if allowed_countries else None,
            default_behavior=behavior(default_behavior),
            additional_behaviors={
                **(live_behaviors or {}),
                **probes,
                **{b.path_pattern: behavior(b) for b in behaviors},
            },
        )
        target = route53.RecordTarget.from_alias(targets.CloudFrontTarget(self.distribution))
        self.records: list[route53.RecordSet] = []
        for index, name in enumerate(viewer_names):
            suffix = "" if index == 0 else str(index)
            self.records.append(
                route53.ARecord(self, f"ViewerRecord{suffix}", zone=zone, record_name=f"{name}.", target=target)
            )
            self.records.append(
                route53.AaaaRecord(self, f"ViewerRecordIpv6{suffix}", zone=zone, record_name=f"{name}.", target=target)
            )
