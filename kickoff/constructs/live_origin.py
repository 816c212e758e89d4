"""MediaPackage v2 in one ingest Region: the channel group, a channel per live channel, its CMAF origin endpoint.

Media-quality-aware resiliency (CloudFront picks, per request, the Region whose segment scores higher) needs the
same packaging in every ingest Region: identical group, channel and endpoint names and settings, CMAF ingest, and
MediaPackage publishing its media quality confidence score (MQCS). Names come from ``kickoff.naming``, so every
Region builds the same ones, and the edge reads each Region's egress domain by the group's name.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_mediapackagev2 as mediapackage
from constructs import Construct

from kickoff.config.models import LiveChannelConfig
from kickoff.naming import pascal

HLS_MANIFEST = "index"
DASH_MANIFEST = "dash"
MAX_MANIFEST_WINDOW_SECONDS = 900
"""The longest live manifest window MediaPackage v2 serves (its quotas page: live manifest duration, 15 minutes);
a longer DVR window is served through the startover window (start/end query strings)."""

ENDPOINT_ERRORS = ("STALE_MANIFEST", "INCOMPLETE_MANIFEST")
"""Conditions under which the endpoint answers with an error instead of a stale or incomplete manifest, so that
CloudFront's origin group fails the request over to the other Region rather than caching a frozen picture."""


class LiveOrigin(Construct):
    """The Region's MediaPackage v2 channel group, and per live channel a CMAF channel and origin endpoint.

    - The channel ingests CMAF from both MediaLive pipelines (two ingest endpoints), switches input on MQCS, and
      publishes MQCS headers, which CloudFront's media-quality-based origin selection reads.
    - The endpoint packages CMAF segments of ``segment_seconds`` with an HLS and a DASH manifest over the last
      ``min(DVR window, 15 min)`` and a startover window of the whole DVR window.
    - The endpoint policy admits only CloudFront distributions of this account (``cloudfront.amazonaws.com``
      signing with origin access control): ``GetObject`` and ``GetHeadObject`` (media-quality-based selection
      sends a HEAD to the other origin).

    Attributes: ``group``, ``channels`` and ``endpoints`` (by live channel name), ``policies``.
    """

    def __init__(self, scope: Construct, id_: str, *, group_name: str, channels: tuple[LiveChannelConfig, ...]) -> None:
        super().__init__(scope, id_)
        if not channels:
            raise ValueError("LiveOrigin needs at least one live channel")
        stack = Stack.of(self)
        self.group = mediapackage.CfnChannelGroup(
            self,
            "ChannelGroup",
            channel_group_name=group_name,
            description="Kickoff live channels of this environment, packaged identically in every ingest Region",
        )
        self.channels: dict[str, mediapackage.CfnChannel] = {}
        self.endpoints: dict[str, mediapackage.CfnOriginEndpoint] = {}
        self.policies: dict[str, mediapackage.CfnOriginEndpointPolicy] = {}
        for live in channels:
            key = pascal(live.name)
            channel = mediapackage.CfnChannel(
                self,
                f"Channel{key}",
                channel_group_name=group_name,
                channel_name=live.name,
                input_type="CMAF",
                input_switch_configuration=mediapackage.CfnChannel.InputSwitchConfigurationProperty(
                    mqcs_input_switching=True
                ),
                output_header_configuration=mediapackage.CfnChannel.OutputHeaderConfigurationProperty(
                    publish_mqcs=True
                ),
                description=f"Live channel {live.name}: CMAF from both MediaLive pipelines",
            )
            channel.add_resource_dependency(self.group)
            window = min(live.dvr_window_minutes * 60, MAX_MANIFEST_WINDOW_SECONDS)
            endpoint = mediapackage.CfnOriginEndpoint(
                self,
                f"Endpoint{key}",
                channel_group_name=group_name,
                channel_name=live.name,
                origin_endpoint_name=endpoint_name(),
                container_type="CMAF",
                segment=mediapackage.CfnOriginEndpoint.SegmentProperty(
                    segment_duration_seconds=live.segment_seconds,
                    segment_name="segment",
                    include_iframe_only_streams=False,
                ),
                startover_window_seconds=live.dvr_window_minutes * 60,
                hls_manifests=[
                    mediapackage.CfnOriginEndpoint.HlsManifestConfigurationProperty(
                        manifest_name=HLS_MANIFEST,
                        child_manifest_name=HLS_MANIFEST,
                        manifest_window_seconds=window,
                        program_date_time_interval_seconds=live.segment_seconds,
                    )
                ],
                dash_manifests=[
                    mediapackage.CfnOriginEndpoint.DashManifestConfigurationProperty(
                        manifest_name=DASH_MANIFEST,
                        manifest_window_seconds=window,
                        min_update_period_seconds=live.segment_seconds,
                        min_buffer_time_seconds=live.segment_seconds * 2,
                        suggested_presentation_delay_seconds=live.latency_target_seconds,
                        segment_template_format="NUMBER_WITH_TIMELINE",
                    )
                ],
                force_endpoint_error_configuration=mediapackage.CfnOriginEndpoint.ForceEndpointErrorConfigurationProperty(
                    endpoint_error_conditions=list(ENDPOINT_ERRORS)
                ),
                description=f"Live channel {live.name}: CMAF with HLS and DASH manifests",
            )
            endpoint.add_resource_dependency(channel)
            policy = mediapackage.CfnOriginEndpointPolicy(
                self,
                f"EndpointPolicy{key}",
                channel_group_name=group_name,
                channel_name=live.name,
                origin_endpoint_name=endpoint_name(),
                policy=cloudfront_only_policy(endpoint.attr_arn, stack.account),
            )
            policy.add_resource_dependency(endpoint)
            self.channels[live.name] = channel
            self.endpoints[live.name] = endpoint
            self.policies[live.name] = policy


def endpoint_name() -> str:
    """Every live channel's one origin endpoint: CMAF segments with HLS and DASH manifests."""
    return "cmaf"


def cloudfront_only_policy(endpoint_arn: str, account: str) -> dict:
    """The endpoint policy CloudFront's origin access control needs, and nothing else: the CloudFront service
    principal, for distributions of ``account`` only (the distribution's ID is generated in another Region, so
    the policy names the account's distributions, not one)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowCloudFrontOriginAccessControl",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": ["mediapackagev2:GetObject", "mediapackagev2:GetHeadObject"],
                "Resource": endpoint_arn,
                "Condition": {
                    "StringEquals": {"AWS:SourceAccount": account},
                    "ArnLike": {"AWS:SourceArn": f"arn:aws:cloudfront::{account}:distribution/*"},
                },
            }
        ],
    }
