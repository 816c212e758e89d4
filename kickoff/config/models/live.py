"""The live signal: contribution inputs -> MediaLive -> MediaPackage v2 per ingest Region, served under one path.

Each channel names the Regions that ingest it (each a cell Region), its contribution inputs, its output ladder, its
segments and latency, its DVR window and the calendar events it serves. Channels run only around those events: the
capacity agent starts each one ``start_lead_minutes`` before the earliest kickoff and stops it
``stop_delay_minutes`` after the latest end plus overtime. Cross-field checks (Regions, production, the edge path)
live in ``kickoff.config.live_checks``; the events each channel serves are matched when the calendar loads.
"""

from __future__ import annotations

import ipaddress
from fnmatch import fnmatchcase
from typing import Literal

from pydantic import Field, field_validator, model_validator

from kickoff.config.errors import FieldProblem
from kickoff.config.models.base import Slug, StrictModel

HLS_PLAYER_SEGMENTS = 3
"""Segments a player holds behind the live edge before it starts: an HLS client "SHOULD NOT choose a segment which
starts less than three target durations from the end of the Playlist file" (RFC 8216, section 6.3.3)."""

MAX_STARTOVER_MINUTES = 14 * 24 * 60
"""MediaPackage v2's time-shift (startover) window limit: 1,209,600 seconds (CreateOriginEndpoint)."""

MEDIALIVE_START_MINUTES = 10
"""MediaLive: "most channels start in 3 minutes or less, but a startup time up to 10 minutes is still normal"
(the planner's ``kickoff.scaling.live.MEDIALIVE_START``; config imports no planner)."""

MAX_CIDRS_PER_INPUT_SECURITY_GROUP = 10
"""MediaLive input security groups take up to 10 CIDR rules."""

FRAME_RATES: dict[str, tuple[int, int]] = {
    "25": (25, 1),
    "29.97": (30000, 1001),
    "30": (30, 1),
    "50": (50, 1),
    "59.94": (60000, 1001),
    "60": (60, 1),
}
"""Output frame rates by name -> (numerator, denominator), as MediaLive's H.264 settings take them."""


class RenditionConfig(StrictModel):
    """One video rendition of the output ladder (H.264)."""

    name: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]{0,30}$",
        description="Rendition name, e.g. 1080p; names the MediaLive output and video description.",
    )
    width: int = Field(ge=64, le=3840, description="Width in pixels, even.")
    height: int = Field(ge=64, le=2160, description="Height in pixels, even.")
    bitrate_kbps: int = Field(ge=100, le=20_000, description="Video bitrate in kbit/s (constant bitrate).")
    viewer_share: float = Field(
        ge=0,
        le=1,
        description=(
            "Fraction of viewer-hours watched at this rendition, for the delivery cost; the ladder's shares sum to 1."
        ),
    )

    @model_validator(mode="after")
    def _even(self) -> RenditionConfig:
        for field, value in (("width", self.width), ("height", self.height)):
            if value % 2:
                raise FieldProblem((field,), f"{value} is odd; H.264 needs even dimensions", f"use {value + 1}")
        return self

    @property
    def resolution_class(self) -> Literal["SD", "HD", "UHD"]:
        """MediaLive's output price class: SD below 720 lines, HD to 1080, UHD above."""
        if self.height < 720:
            return "SD"
        return "HD" if self.height <= 1080 else "UHD"


class SrtListenerConfig(StrictModel):
    """A contribution encoder listening for SRT; MediaLive calls it (one per pipeline)."""

    address: str = Field(description="The listener's IPv4 address or DNS name.")
    port: int = Field(ge=1, le=65535, description="The listener's UDP port.")
    stream_id: str | None = Field(default=None, max_length=512, description="SRT stream ID. Default none.")


class InputsConfig(StrictModel):
    """The contribution feed a channel ingests, the same in every ingest Region (one source per pipeline)."""

    type: Literal["rtp_push", "srt_caller", "mediaconnect"] = Field(
        description=(
            "rtp_push: the venue or broadcaster pushes RTP to MediaLive, admitted only from source_cidrs; "
            "srt_caller: MediaLive calls the SRT listeners; mediaconnect: AWS Elemental MediaConnect flows "
            "(flow_arns per Region)."
        )
    )
    source_cidrs: tuple[str, ...] = Field(
        default=(),
        max_length=MAX_CIDRS_PER_INPUT_SECURITY_GROUP,
        description=(
            "rtp_push only: the senders' public IPv4 CIDRs, the input security group's only rules (at most 10). "
            "Never 0.0.0.0/0."
        ),
    )
    srt_listeners: tuple[SrtListenerConfig, ...] = Field(
        default=(), max_length=2, description="srt_caller only: one listener per pipeline (two for STANDARD)."
    )
    flow_arns: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="mediaconnect only: ingest Region -> the MediaConnect flow ARNs in it, one per pipeline.",
    )

    @field_validator("source_cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for i, cidr in enumerate(value):
            try:
                network = ipaddress.IPv4Network(cidr, strict=True)
            except ValueError as error:
                raise FieldProblem(
                    (i,), f"'{cidr}' is not an IPv4 CIDR ({error})", "give e.g. 203.0.113.0/24"
                ) from None
            if network.prefixlen < 8:
                raise FieldProblem(
                    (i,),
                    f"{cidr} admits {network.num_addresses:,} addresses, the internet at large, to the contribution "
                    "input: anyone could push a signal into the channel",
                    "list only the venue's and broadcaster's sender addresses (a /8 or narrower)",
                )
        return value

    @model_validator(mode="after")
    def _per_type(self) -> InputsConfig:
        wanted = {"rtp_push": "source_cidrs", "srt_caller": "srt_listeners", "mediaconnect": "flow_arns"}[self.type]
        for field in ("source_cidrs", "srt_listeners", "flow_arns"):
            given = bool(getattr(self, field))
            if field == wanted and not given:
                raise FieldProblem((field,), f"type {self.type} needs {field}", f"give {field}")
            if field != wanted and given:
                raise FieldProblem((field,), f"{field} does not apply to type {self.type}", f"remove {field}")
        for region, arns in self.flow_arns.items():
            for i, arn in enumerate(arns):
                if not arn.startswith(f"arn:aws:mediaconnect:{region}:"):
                    raise FieldProblem(
                        ("flow_arns", region, i),
                        f"{arn} is not a MediaConnect flow in {region}",
                        f"give a flow ARN of {region} (arn:aws:mediaconnect:{region}:<account>:flow:...)",
                    )
        return self


class LiveChannelConfig(StrictModel):
    """One live channel: where it is ingested, what it encodes, which events it serves."""

    name: Slug = Field(description="Channel name, e.g. tnf; part of the MediaLive and MediaPackage names.")
    channel_class: Literal["STANDARD", "SINGLE_PIPELINE"] = Field(
        default="STANDARD",
        description=(
            "MediaLive channel class. STANDARD (default) runs two pipelines in different AZs; SINGLE_PIPELINE has "
            "no output when its pipeline fails, and production refuses it."
        ),
    )
    ingest_regions: tuple[str, ...] = Field(
        min_length=1,
        max_length=2,
        description=(
            "Cell Regions that ingest and package the channel, one or two (a CloudFront origin group holds two "
            "origins); production needs two. No default."
        ),
    )
    inputs: InputsConfig = Field(description="The contribution feed. No default.")
    frame_rate: Literal["25", "29.97", "30", "50", "59.94", "60"] = Field(
        default="59.94", description="Output frame rate of every rendition. Default 59.94."
    )
    ladder: tuple[RenditionConfig, ...] = Field(
        min_length=1, max_length=8, description="The video renditions, highest first. No default."
    )
    audio_bitrate_kbps: int = Field(default=128, ge=32, le=320, description="AAC stereo bitrate. Default 128.")
    segment_seconds: int = Field(
        default=4, ge=1, le=30, description="Segment length, MediaLive's and MediaPackage's (1-30 s). Default 4."
    )
    latency_target_seconds: int = Field(
        default=15,
        ge=3,
        le=120,
        description=(
            "Glass-to-glass delay the players hold behind live: the DASH suggested presentation delay, and at least "
            f"{HLS_PLAYER_SEGMENTS} segments (an HLS player starts three target durations from the end). Default 15."
        ),
    )
    dvr_window_minutes: int = Field(
        default=120,
        ge=1,
        le=MAX_STARTOVER_MINUTES,
        description=(
            "How far back viewers can seek: the manifests' window and MediaPackage's startover window "
            "(up to 14 days). Default 120."
        ),
    )
    events: tuple[str, ...] = Field(
        min_length=1,
        description=(
            "Calendar events the channel serves, by ID or shell pattern (tnf-*), so a forecast published later "
            "with a new matching event is served without a release. Together they must match an event of the "
            "calendar. No default."
        ),
    )
    start_lead_minutes: int = Field(
        default=120,
        ge=MEDIALIVE_START_MINUTES + 5,
        le=24 * 60,
        description=(
            "The channel is started this long before the earliest kickoff of each event it serves. AWS recommends "
            "starting 2 hours before high-value events; a start takes up to 10 minutes. Default 120."
        ),
    )
    stop_delay_minutes: int = Field(
        default=15,
        ge=0,
        le=24 * 60,
        description="The channel stops this long after the latest end plus overtime. Default 15.",
    )

    @model_validator(mode="after")
    def _shape(self) -> LiveChannelConfig:
        for i, region in enumerate(self.ingest_regions):
            if region in self.ingest_regions[:i]:
                raise FieldProblem(("ingest_regions", i), f"{region} is listed twice", "list each Region once")
        names = [r.name for r in self.ladder]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise FieldProblem(("ladder", i, "name"), f"rendition {name} is listed twice", "name each once")
        share = sum(r.viewer_share for r in self.ladder)
        if abs(share - 1) > 1e-6:
            raise FieldProblem(("ladder",), f"viewer shares sum to {share:g}, not 1", "make them sum to 1")
        if self.latency_target_seconds < HLS_PLAYER_SEGMENTS * self.segment_seconds:
            raise FieldProblem(
                ("latency_target_seconds",),
                f"{self.latency_target_seconds} s is less than {HLS_PLAYER_SEGMENTS} segments of "
                f"{self.segment_seconds} s, where HLS players start (RFC 8216 6.3.3)",
                f"raise it to at least {HLS_PLAYER_SEGMENTS * self.segment_seconds} or shorten segment_seconds",
            )
        if self.dvr_window_minutes * 60 < HLS_PLAYER_SEGMENTS * self.segment_seconds:
            raise FieldProblem(
                ("dvr_window_minutes",),
                "the window is shorter than the segments a player holds",
                "give at least one minute",
            )
        pipelines = 2 if self.channel_class == "STANDARD" else 1
        if self.inputs.type == "srt_caller" and len(self.inputs.srt_listeners) != pipelines:
            raise FieldProblem(
                ("inputs", "srt_listeners"),
                f"{len(self.inputs.srt_listeners)} listeners for a {self.channel_class} channel of {pipelines} "
                f"pipeline{'s' if pipelines > 1 else ''}",
                f"give {pipelines}, one per pipeline",
            )
        if self.inputs.type == "mediaconnect":
            for region in self.ingest_regions:
                flows = self.inputs.flow_arns.get(region, ())
                if len(flows) != pipelines:
                    raise FieldProblem(
                        ("inputs", "flow_arns", region),
                        f"{len(flows)} flows in {region} for a channel of {pipelines} pipeline(s)",
                        f"give {pipelines} flow ARNs of {region}, one per pipeline",
                    )
            extra = sorted(set(self.inputs.flow_arns) - set(self.ingest_regions))
            if extra:
                raise FieldProblem(
                    ("inputs", "flow_arns", extra[0]), f"{extra[0]} is not an ingest Region", "remove it"
                )
        return self

    @property
    def pipelines(self) -> int:
        return 2 if self.channel_class == "STANDARD" else 1


class LiveConfig(StrictModel):
    """The live signal: its channels and where the edge serves them."""

    path_pattern: str = Field(
        default="/live/*",
        pattern=r"^/[A-Za-z0-9_.-]+/\*$",
        description=(
            "CloudFront path pattern of the live behaviour: /<prefix>/* with the channels below it "
            "(/live/<channel>/...). Default /live/*."
        ),
    )
    channels: tuple[LiveChannelConfig, ...] = Field(min_length=1, description="The channels. No default.")
    egress_refresh: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9._-]{0,64}$",
        description=(
            "Change it (e.g. to today's date) after a Region's live stack was deleted and created again: its channel "
            "group then has a new egress domain, and Edge reads every Region's domain again only when this value (or "
            "a Region, or the group's name) changes. Default empty."
        ),
    )

    @model_validator(mode="after")
    def _unique(self) -> LiveConfig:
        names = [c.name for c in self.channels]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise FieldProblem(("channels", i, "name"), f"channel {name} is declared twice", "name each once")
        return self

    @property
    def prefix(self) -> str:
        """The path prefix before the channels, e.g. /live."""
        return self.path_pattern.removesuffix("/*")

    @property
    def ingest_regions(self) -> tuple[str, ...]:
        """Every Region that ingests a channel, in first-mention order."""
        seen: dict[str, None] = {}
        for channel in self.channels:
            seen.update(dict.fromkeys(channel.ingest_regions))
        return tuple(seen)

    def idle_channels(self, event_ids: list[str]) -> list[int]:
        """Indexes of the channels whose ``events`` patterns match none of ``event_ids``: they would never run (a
        pattern alone may match nothing, e.g. sat-* in a season without Saturday games)."""
        return [
            i
            for i, channel in enumerate(self.channels)
            if not any(fnmatchcase(e, pattern) for e in event_ids for pattern in channel.events)
        ]

    def channels_in(self, region: str) -> tuple[LiveChannelConfig, ...]:
        """The channels ``region`` ingests."""
        return tuple(c for c in self.channels if region in c.ingest_regions)
