"""One live channel's MediaLive side in one ingest Region: its contribution input and the encoding channel.

The channel encodes the ladder once per pipeline and writes CMAF to the Region's MediaPackage v2 channel of the
same name, pipeline 0 to its first ingest endpoint and pipeline 1 to its second. Outputs are epoch-locked (segment
boundaries aligned to the Unix epoch by the input's embedded timecode), so every Region cuts identical segments and
CloudFront can take any segment from either Region (media-quality-aware resiliency; MediaPackage's cross-Region
failover needs epoch-locked CMAF ingest with identical encoder settings and one frame rate family).

MediaLive channels run only when started: the Region's capacity agent starts and stops them around the events
they serve.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_medialive as medialive
from constructs import Construct

from kickoff.config.models import LiveChannelConfig
from kickoff.config.models.live import FRAME_RATES

MEDIAPACKAGE_DESTINATION = "mediapackage"
MEDIAPACKAGE_OUTPUT_GROUP = "mediapackage"
AUDIO_SELECTOR = "default"
AUDIO_DESCRIPTION = "audio_aac"
GOP_SECONDS = 2
"""Seconds per GOP (closed, fixed): segments of a whole number of GOPs start on an IDR frame in every Region."""

INPUT_TYPES = {"rtp_push": "RTP_PUSH", "srt_caller": "SRT_CALLER", "mediaconnect": "MEDIACONNECT"}


class LiveChannel(Construct):
    """The contribution input (with its input security group for pushed feeds) and the MediaLive channel.

    - ``rtp_push``: an input security group whose only rules are the configured sender CIDRs; the input takes
      RTP on two endpoints (one per pipeline), so the venue sends to both.
    - ``srt_caller``: MediaLive calls one SRT listener per pipeline; nothing listens on MediaLive's side.
    - ``mediaconnect``: one MediaConnect flow per pipeline, in this Region.

    The channel's role may write to this live channel's MediaPackage v2 channel only (and MediaConnect flows
    for that input type). Attributes: ``input``, ``input_security_group`` (None unless pushed), ``channel``,
    ``role``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        live: LiveChannelConfig,
        name: str,
        group_name: str,
        mediapackage_channel_arn: str,
    ) -> None:
        super().__init__(scope, id_)
        region = Stack.of(self).region
        inputs = live.inputs
        if inputs.type == "mediaconnect" and region not in inputs.flow_arns:
            raise ValueError(f"live channel {live.name}: no MediaConnect flows for {region}")
        stack = Stack.of(self)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("medialive.amazonaws.com").with_conditions(
                {
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:medialive:{region}:{stack.account}:channel:*"},
                }
            ),
            description=f"MediaLive channel {name}: writes CMAF to its MediaPackage v2 channel",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="IngestToItsMediaPackageChannel",
                actions=["mediapackagev2:PutObject", "mediapackagev2:GetChannel"],
                resources=[mediapackage_channel_arn],
            )
        )
        # log_level WARNING: MediaLive writes to the ElementalMediaLive log group through the channel's role.
        log_group = f"arn:aws:logs:{region}:{stack.account}:log-group:ElementalMediaLive"
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteChannelLogs",
                actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                resources=[log_group, f"{log_group}:*"],
            )
        )
        self.input_security_group: medialive.CfnInputSecurityGroup | None = None
        props: dict[str, Any] = {}
        if inputs.type == "rtp_push":
            self.input_security_group = medialive.CfnInputSecurityGroup(
                self,
                "InputSecurityGroup",
                whitelist_rules=[
                    medialive.CfnInputSecurityGroup.InputWhitelistRuleCidrProperty(cidr=c) for c in inputs.source_cidrs
                ],
            )
            props["input_security_groups"] = [self.input_security_group.attr_id]
        elif inputs.type == "srt_caller":
            props["srt_settings"] = medialive.CfnInput.SrtSettingsRequestProperty(
                srt_caller_sources=[
                    medialive.CfnInput.SrtCallerSourceRequestProperty(
                        srt_listener_address=listener.address,
                        srt_listener_port=str(listener.port),
                        stream_id=listener.stream_id,
                        minimum_latency=2000,
                    )
                    for listener in inputs.srt_listeners
                ]
            )
        else:
            flows = inputs.flow_arns[region]
            props["media_connect_flows"] = [
                medialive.CfnInput.MediaConnectFlowRequestProperty(flow_arn=a) for a in flows
            ]
            props["role_arn"] = self.role.role_arn
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="UseItsMediaConnectFlows",
                    actions=[
                        "mediaconnect:ManagedDescribeFlow",
                        "mediaconnect:ManagedAddOutput",
                        "mediaconnect:ManagedRemoveOutput",
                    ],
                    resources=list(flows),
                )
            )
        self.input = medialive.CfnInput(self, "Input", name=name, type=INPUT_TYPES[inputs.type], **props)
        self.channel = medialive.CfnChannel(
            self,
            "Channel",
            name=name,
            channel_class=live.channel_class,
            role_arn=self.role.role_arn,
            log_level="WARNING",
            input_specification=medialive.CfnChannel.InputSpecificationProperty(
                codec="AVC", resolution=_input_resolution(live), maximum_bitrate="MAX_20_MBPS"
            ),
            input_attachments=[
                medialive.CfnChannel.InputAttachmentProperty(
                    input_id=self.input.ref,
                    input_attachment_name=name,
                    input_settings={
                        "sourceEndBehavior": "CONTINUE",
                        "inputFilter": "AUTO",
                        "deblockFilter": "DISABLED",
                        "denoiseFilter": "DISABLED",
                        "audioSelectors": [{"name": AUDIO_SELECTOR}],
                    },
                )
            ],
            # One destination per pipeline, each to one of the MediaPackage channel's two ingest endpoints.
            destinations=[
                medialive.CfnChannel.OutputDestinationProperty(
                    id=MEDIAPACKAGE_DESTINATION,
                    media_package_settings=[
                        medialive.CfnChannel.MediaPackageOutputDestinationSettingsProperty(
                            channel_group=group_name,
                            channel_name=live.name,
                            channel_endpoint_id=f"ENDPOINT_{pipeline + 1}",
                            media_package_region_name=region,
                        )
                        for pipeline in range(live.pipelines)
                    ],
                )
            ],
            encoder_settings=encoder_settings(live),
        )
        self.channel.node.add_dependency(self.role)


def _input_resolution(live: LiveChannelConfig) -> str:
    """The input resolution MediaLive bills and provisions for: the ladder's top rendition's class."""
    return max(live.ladder, key=lambda r: r.height).resolution_class


def video_description_name(rendition: str) -> str:
    return f"video_{rendition.replace('-', '_')}"


def encoder_settings(live: LiveChannelConfig) -> dict[str, Any]:
    """The channel's encoder settings (CloudFormation camelCase): one H.264 CBR video description per rendition,
    one AAC stereo audio description, epoch-locked outputs on the system clock, and a MediaPackage v2 output group
    with one output per video rendition and one for audio (CMAF ingest carries one track per output)."""
    numerator, denominator = FRAME_RATES[live.frame_rate]
    gop = GOP_SECONDS if live.segment_seconds % GOP_SECONDS == 0 else 1
    videos = [
        {
            "name": video_description_name(r.name),
            "width": r.width,
            "height": r.height,
            "scalingBehavior": "DEFAULT",
            "respondToAfd": "NONE",
            "sharpness": 50,
            "codecSettings": {
                "h264Settings": {
                    "rateControlMode": "CBR",
                    "bitrate": r.bitrate_kbps * 1000,
                    "framerateControl": "SPECIFIED",
                    "framerateNumerator": numerator,
                    "framerateDenominator": denominator,
                    "gopSize": gop,
                    "gopSizeUnits": "SECONDS",
                    "gopClosedCadence": 1,
                    "gopBReference": "ENABLED",
                    "subgopLength": "FIXED",
                    "sceneChangeDetect": "DISABLED",
                    "parControl": "SPECIFIED",
                    "parNumerator": 1,
                    "parDenominator": 1,
                    "profile": "HIGH",
                    "level": "H264_LEVEL_AUTO",
                    "scanType": "PROGRESSIVE",
                    "entropyEncoding": "CABAC",
                    "adaptiveQuantization": "AUTO",
                    "lookAheadRateControl": "MEDIUM",
                    "timecodeInsertion": "PIC_TIMING_SEI",
                    "colorMetadata": "INSERT",
                }
            },
        }
        for r in live.ladder
    ]
    outputs = [
        {
            "outputName": r.name,
            "videoDescriptionName": video_description_name(r.name),
            "outputSettings": {"mediaPackageOutputSettings": {}},
        }
        for r in live.ladder
    ]
    outputs.append(
        {
            "outputName": "audio",
            "audioDescriptionNames": [AUDIO_DESCRIPTION],
            "outputSettings": {"mediaPackageOutputSettings": {}},
        }
    )
    return {
        # Epoch locking runs on the input clock with the contribution's embedded timecode (within two minutes of
        # UTC); with it, MediaLive passes no SCTE-35 to MediaPackage output groups.
        "globalConfiguration": {
            "outputLockingMode": "EPOCH_LOCKING",
            "outputLockingSettings": {"epochLockingSettings": {}},
            "outputTimingSource": "INPUT_CLOCK",
            "supportLowFramerateInputs": "DISABLED",
            "inputEndAction": "NONE",
            "inputLossBehavior": {
                "inputLossImageType": "COLOR",
                "inputLossImageColor": "000000",
                "repeatFrameMsec": 1000,
            },
        },
        "timecodeConfig": {"source": "EMBEDDED"},
        # Thumbnails would need s3:PutObject on an AWS-owned bucket; nothing reads them.
        "thumbnailConfiguration": {"state": "DISABLED"},
        "videoDescriptions": videos,
        "audioDescriptions": [
            {
                "name": AUDIO_DESCRIPTION,
                "audioSelectorName": AUDIO_SELECTOR,
                "codecSettings": {
                    "aacSettings": {
                        "bitrate": live.audio_bitrate_kbps * 1000,
                        "codingMode": "CODING_MODE_2_0",
                        "inputType": "NORMAL",
                        "profile": "LC",
                        "rateControlMode": "CBR",
                        "rawFormat": "NONE",
                        "sampleRate": 48000,
                        "spec": "MPEG4",
                    }
                },
            }
        ],
        "outputGroups": [
            {
                "name": MEDIAPACKAGE_OUTPUT_GROUP,
                "outputGroupSettings": {
                    "mediaPackageGroupSettings": {
                        "destination": {"destinationRefId": MEDIAPACKAGE_DESTINATION},
                        "mediapackageV2GroupSettings": {
                            "segmentLength": live.segment_seconds,
                            "segmentLengthUnits": "SECONDS",
                            "scte35Type": "NONE",
                        },
                    }
                },
                "outputs": outputs,
            }
        ],
    }
