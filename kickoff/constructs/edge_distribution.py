"""The CloudFront distribution in front of the cells, with origin failover."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_s3 as s3
from constructs import Construct

from kickoff.constructs.log_bucket import log_bucket

# Connection failures and these statuses from the primary send the request to the secondary.
FAILOVER_STATUS_CODES = [500, 502, 503, 504]

CACHE_POLICIES = {
    "caching_optimized": cloudfront.CachePolicy.CACHING_OPTIMIZED,
    "caching_optimized_for_uncompressed_objects": cloudfront.CachePolicy.CACHING_OPTIMIZED_FOR_UNCOMPRESSED_OBJECTS,
    "caching_disabled": cloudfront.CachePolicy.CACHING_DISABLED,
    "elemental_media_package": cloudfront.CachePolicy.ELEMENTAL_MEDIA_PACKAGE,
    "use_origin_cache_control_headers": cloudfront.CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS,
    "use_origin_cache_control_headers_query_strings": cloudfront.CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS_QUERY_STRINGS,
}


class EdgeDistribution(Construct):
    """CloudFront with an origin group over the latency-routed cells, TLS 1.2+, HTTP/2 and 3, logs.

    - Primary origin ``origin.<domain>``: the nearest healthy cell (Route 53 latency routing).
    - Secondary origin ``secondary.<origin domain>``: the nearest healthy cell *other than*
      the primary's (see CellRouting); used when the primary fails to connect or answers 5xx.
    - Cached behaviours (config) and the default behaviour use the origin group. The API
      behaviour caches nothing, allows every method and uses the primary origin only:
      CloudFront fails over only GET, HEAD and OPTIONS and rejects origin groups on
      behaviours that allow POST. DNS health checks move API traffic instead.
    - Every origin request carries the origin-verification header; the Host header is
      not forwarded, so TLS to the origin is validated against the origin name.

    Attributes: ``distribution``, ``certificate``, ``log_bucket``, ``records``.
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
        api_path_pattern: str,
        default_cache_policy: str,
        cache_behaviors: list[tuple[str, str]],
        price_class: str,
        allowed_countries: list[str],
        connection_timeout_seconds: int,
        connection_attempts: int,
        web_acl_arn: str,
        log_expiration_days: int,
    ) -> None:
        super().__init__(scope, id_)
        if not viewer_names:
            raise ValueError("edge.viewer_names must name at least one viewer name")
        unknown = {p for _, p in cache_behaviors} - CACHE_POLICIES.keys() | ({default_cache_policy} - CACHE_POLICIES.keys())
        if unknown:
            raise ValueError(f"unknown cache policies {sorted(unknown)}; use one of {sorted(CACHE_POLICIES)}")

        self.certificate = acm.Certificate(
            self,
            "Certificate",
            domain_name=viewer_names[0],
            subject_alternative_names=viewer_names[1:] or None,
            validation=acm.CertificateValidation.from_dns(zone),
        )
        # CloudFront standard logging writes objects with ACLs.
        self.log_bucket = log_bucket(
            self, "LogBucket", expiration_days=log_expiration_days, object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED
        )

        def origin(domain: str) -> origins.HttpOrigin:
            return origins.HttpOrigin(
                domain,
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                custom_headers=origin_headers,
                connection_timeout=Duration.seconds(connection_timeout_seconds),
                connection_attempts=connection_attempts,
                read_timeout=Duration.seconds(30),
            )

        primary = origin(primary_origin)
        failover = origins.OriginGroup(
            primary_origin=primary,
            fallback_origin=origin(secondary_origin),
            fallback_status_codes=FAILOVER_STATUS_CODES,
        )
        request_policy = cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER

        def cached(policy: str) -> cloudfront.BehaviorOptions:
            return cloudfront.BehaviorOptions(
                origin=failover,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
                cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
                cache_policy=CACHE_POLICIES[policy],
                origin_request_policy=request_policy,
                compress=True,
            )

        behaviors = {
            api_path_pattern: cloudfront.BehaviorOptions(
                origin=primary,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=request_policy,
                compress=True,
            )
        }
        behaviors.update({pattern: cached(policy) for pattern, policy in cache_behaviors})

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
            default_behavior=cached(default_cache_policy),
            additional_behaviors=behaviors,
        )

        target = route53.RecordTarget.from_alias(targets.CloudFrontTarget(self.distribution))
        self.records: list[route53.RecordSet] = []
        for index, name in enumerate(viewer_names):
            suffix = "" if index == 0 else str(index)
            self.records.append(route53.ARecord(self, f"ViewerRecord{suffix}", zone=zone, record_name=f"{name}.", target=target))
            self.records.append(
                route53.AaaaRecord(self, f"ViewerRecordIpv6{suffix}", zone=zone, record_name=f"{name}.", target=target)
            )
