"""CloudFront's live behaviours: one per channel, over its ingest Regions' MediaPackage v2 endpoints.

- **Origins.** MediaPackage v2 generates each channel group's egress domain, and the group lives in another
  Region than the distribution, so a deploy-time lookup (``GetChannelGroup`` by the group's fixed name, in that
  Region) reads it when Edge deploys; synth makes no AWS call. The lookup runs again only when its Region, the name
  or ``refresh`` (``live.egress_refresh``) changes, so an Edge update during a Region's outage does not call that
  Region, and a group re-created with a new domain is read again when the operator changes ``refresh``.
- **Failover by media quality.** A channel ingested in two Regions gets an origin group of both with
  ``SelectionCriteria: media-quality-based``: CloudFront asks both (GET to one, HEAD to the other) and serves the
  segment with the higher media quality confidence score; errors listed in ``FAILOVER_STATUS_CODES`` send the
  request to the other Region. CloudFront origin groups hold exactly two origins.
- **Access.** A MediaPackage v2 origin access control signs every request (SigV4), and the endpoints admit only
  ``cloudfront.amazonaws.com`` for this account's distributions (``LiveOrigin``).
- **Paths.** Viewers ask for ``<prefix>/<channel>/<endpoint>/<manifest>``; a viewer-request CloudFront function
  rewrites it to MediaPackage's ``/out/v1/<group>/<channel>/...``.
- **Caching.** MediaPackage sets Cache-Control itself (manifests half a segment, segments 14 days) and AWS
  recommends honouring it; the cache policy does (no default TTL beyond a second), and keys on the query strings
  MediaPackage reads (manifest filters, startover ``start``/``end``, LL-HLS ``_HLS_msn``/``_HLS_part``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import custom_resources as cr
from constructs import Construct

from kickoff.constructs._util import custom_resource_log_group
from kickoff.naming import pascal

FAILOVER_STATUS_CODES = [404, 500, 502, 503, 504]
"""Statuses from one Region's endpoint that send the request to the other: 404 (a segment or manifest that
Region does not have, e.g. its channel lost input) and the 5xx MediaPackage answers with under its endpoint error
conditions or when it fails."""

CACHE_KEY_QUERY_STRINGS = (
    "aws.manifestfilter",
    "aws.manifestsettings",
    "start",
    "end",
    "time_delay",
    "_HLS_msn",
    "_HLS_part",
)
"""The query strings MediaPackage v2 reads (its CDN recommendations); it ignores every other."""

LIVE_CONNECTION_ATTEMPTS = 2
"""Connection attempts per live origin before CloudFront tries the other Region (AWS's live event samples use 2)."""

SEGMENT_MAX_AGE = Duration.days(14)
"""MediaPackage's Cache-Control max-age on segments, the longest anything under the live path is cached."""


class LiveEdge(Construct):
    """The egress-domain lookups, origin access control, path function, cache policy and one behaviour per channel.

    ``refresh``: any new value makes every lookup run again (a re-created group has a new egress domain).
    ``channels``: live channel name -> (its ingest Regions, one or two; its segment seconds). ``behaviors``:
    CloudFront path pattern -> behaviour, to add to the distribution. Attributes: ``egress_domains`` (Region ->
    token), ``behaviors``, ``access_control``, ``function``, ``cache_policy``, ``lookups``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        path_prefix: str,
        group_name: str,
        channels: Mapping[str, tuple[Sequence[str], int]],
        account: str,
        access_control_name: str,
        function_name: str,
        cache_policy_name: str,
        log_retention_days: int,
        log_key: kms.IKey,
        refresh: str = "",
    ) -> None:
        super().__init__(scope, id_)
        for name, (regions, _) in channels.items():
            if not 1 <= len(regions) <= 2:
                raise ValueError(
                    f"live channel {name}: {len(regions)} ingest Regions; a CloudFront origin group holds two origins"
                )
        regions_used = list(dict.fromkeys(r for regions, _ in channels.values() for r in regions))
        log_group = custom_resource_log_group(self, retention_days=log_retention_days, key=log_key)
        self.lookups: dict[str, cr.AwsCustomResource] = {}
        self.egress_domains: dict[str, str] = {}
        for region in regions_used:
            call = cr.AwsSdkCall(
                service="MediaPackageV2",
                action="getChannelGroup",
                parameters={"ChannelGroupName": group_name},
                region=region,
                # The answer is kept until the call changes: ``refresh`` changes it after a group was re-created.
                physical_resource_id=cr.PhysicalResourceId.of(
                    f"{group_name}@{region}" + (f"#{refresh}" if refresh else "")
                ),
                output_paths=["EgressDomain"],
            )
            lookup = cr.AwsCustomResource(
                self,
                f"EgressDomain{pascal(region)}",
                on_create=call,
                on_update=call,
                install_latest_aws_sdk=False,
                log_group=log_group,
                policy=cr.AwsCustomResourcePolicy.from_statements(
                    [
                        iam.PolicyStatement(
                            actions=["mediapackagev2:GetChannelGroup"],
                            resources=[f"arn:aws:mediapackagev2:{region}:{account}:channelGroup/{group_name}"],
                        )
                    ]
                ),
            )
            self.lookups[region] = lookup
            self.egress_domains[region] = lookup.get_response_field("EgressDomain")
        self.access_control = cloudfront.MediaPackageV2OriginAccessControl(
            self,
            "AccessControl",
            origin_access_control_name=access_control_name,
            description="Signs CloudFront's requests to the live channels' MediaPackage v2 endpoints",
        )
        self.function = cloudfront.Function(
            self,
            "PathFunction",
            function_name=function_name,
            comment=f"{path_prefix}/<channel>/... -> /out/v1/{group_name}/<channel>/...",
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            code=cloudfront.FunctionCode.from_inline(path_function(path_prefix, group_name)),
        )
        self.cache_policy = cloudfront.CachePolicy(
            self,
            "CachePolicy",
            cache_policy_name=cache_policy_name,
            comment="Live manifests and segments: MediaPackage's Cache-Control decides; its query strings in the key",
            min_ttl=Duration.seconds(0),
            default_ttl=Duration.seconds(1),
            max_ttl=SEGMENT_MAX_AGE,
            header_behavior=cloudfront.CacheHeaderBehavior.none(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.allow_list(*CACHE_KEY_QUERY_STRINGS),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )

        def origin(region: str, segment_seconds: int) -> origins.HttpOrigin:
            # A segment that takes longer than half its duration to start arriving is late for the player: give up
            # on the Region sooner than CloudFront's defaults (3 x (10 s + 30 s)) and let the other one answer.
            wait = Duration.seconds(min(10, max(1, math.ceil(segment_seconds / 2))))
            return origins.HttpOrigin(
                self.egress_domains[region],
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                origin_access_control_id=self.access_control.origin_access_control_id,
                connection_timeout=wait,
                read_timeout=wait,
                connection_attempts=LIVE_CONNECTION_ATTEMPTS,
            )

        self.behaviors: dict[str, cloudfront.BehaviorOptions] = {}
        for name, (regions, segment_seconds) in channels.items():
            target: cloudfront.IOrigin = origin(regions[0], segment_seconds)
            if len(regions) == 2:
                target = origins.OriginGroup(
                    primary_origin=target,
                    fallback_origin=origin(regions[1], segment_seconds),
                    fallback_status_codes=FAILOVER_STATUS_CODES,
                    selection_criteria=cloudfront.OriginSelectionCriteria.MEDIA_QUALITY_BASED,
                )
            self.behaviors[f"{path_prefix}/{name}/*"] = cloudfront.BehaviorOptions(
                origin=target,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD,
                cache_policy=self.cache_policy,
                compress=True,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=self.function, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            )


def path_function(path_prefix: str, group_name: str) -> str:
    """The viewer-request function's code: the viewer's live path to MediaPackage v2's origin path."""
    return (
        "function handler(event) {\n"
        "  var request = event.request;\n"
        f"  var prefix = '{path_prefix}/';\n"
        "  if (request.uri.indexOf(prefix) === 0) {\n"
        f"    request.uri = '/out/v1/{group_name}/' + request.uri.substring(prefix.length);\n"
        "  }\n"
        "  return request;\n"
        "}\n"
    )
