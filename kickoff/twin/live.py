"""The twin's live scenarios: what viewers of each live channel see when an ingest Region, a pipeline or a
Region's contribution feed is lost, read from the templates.

For each channel the twin reads, from Edge, the behaviour under the live prefix: its origin group's members, which
Region's egress domain each reads (the deploy-time lookups), the selection criteria, the failover status codes and
each origin's timeouts; from each live stack, the channel's class, MediaPackage's input switching on media quality,
the endpoint's segment length and suggested presentation delay (what players hold behind live), and the alarms that
say what happened. Then, per scenario:

- **ingest Region lost** (its MediaPackage answers nothing): CloudFront gives up on the Region's origin after
  ``attempts x (connect + read)`` seconds and asks the other member; a viewer stalls only when that wait exceeds the
  slack the player holds (presentation delay minus one segment). With no other member, every viewer stalls.
- **pipeline lost** in a Region: a STANDARD channel's MediaPackage switches to the other pipeline's ingest (input
  switching on media quality) and viewers see nothing; a SINGLE_PIPELINE channel leaves the Region without
  segments, as if it were lost.
- **contribution lost** into one Region: MediaLive keeps writing segments (its input-loss picture), so nothing
  fails over on status codes; media-quality-based selection serves the other Region's segments because their
  quality score is higher. With the default selection, viewers whose requests reach that Region see the
  input-loss picture.

Each outcome names the figures it rests on. A production channel whose viewers stall or see the input-loss
picture in any of these is a problem the twin gate reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kickoff.rules.engine import TemplateView, literal, props, references
from kickoff.rules.failover_terms import origin_retries
from kickoff.rules.readiness.live import egress_lookup_regions

MEDIA_QUALITY = "media-quality-based"
PERIOD_S = 60


@dataclass(frozen=True)
class LiveOrigin:
    """One member of a channel's origin group (or its only origin)."""

    region: str
    retry_s: int
    signed: bool


@dataclass(frozen=True)
class LiveRegion:
    """A channel as one live stack builds it."""

    region: str
    channel_class: str
    mqcs_switching: bool
    segment_s: int
    presentation_delay_s: int
    alarms: dict[str, int] = field(default_factory=dict)  # alarm name -> seconds to fire


@dataclass(frozen=True)
class LiveChannel:
    """What the templates say about one live channel."""

    name: str
    origins: tuple[LiveOrigin, ...]
    media_quality: bool
    failover_codes: frozenset[int]
    regions: dict[str, LiveRegion]


@dataclass(frozen=True)
class LiveOutcome:
    """One live scenario: what viewers see, how long a segment waits, which alarm says so."""

    channel: str
    kind: str
    region: str
    viewers: str
    wait_s: float
    alarm: str
    figures: str
    problem: str = ""


def _origins(view: TemplateView, members: list[dict]) -> tuple[LiveOrigin, ...]:
    lookups = egress_lookup_regions(view)
    out = []
    for origin in members:
        regions = [lookups[r] for r in references(origin.get("DomainName")) if r in lookups]
        out.append(
            LiveOrigin(
                regions[0] if regions else "?",
                origin_retries(origin)[0],
                "OriginAccessControlId" in origin,
            )
        )
    return tuple(out)


def _alarms(view: TemplateView, channel: str) -> dict[str, int]:
    out = {}
    for alarm in view.of_type("AWS::CloudWatch::Alarm").values():
        p = props(alarm)
        name = literal(p.get("AlarmName"), view) or ""
        if f"-live-{channel}-" in name:
            periods = int(p.get("DatapointsToAlarm") or p.get("EvaluationPeriods") or 1)
            period = int(p.get("Period") or _math_period(p) or PERIOD_S)
            out[name.rsplit("-", 1)[-1]] = periods * period
    return out


def _math_period(p: dict) -> int | None:
    periods = [q.get("MetricStat", {}).get("Period") for q in p.get("Metrics") or [] if q.get("MetricStat")]
    return int(periods[0]) if periods else None


def _region(view: TemplateView, channel: str, medialive_name: str) -> LiveRegion | None:
    found = next(
        (c for c in view.of_type("AWS::MediaLive::Channel").values() if props(c).get("Name") == medialive_name),
        None,
    )
    if found is None:
        return None
    package = next(
        (c for c in view.of_type("AWS::MediaPackageV2::Channel").values() if props(c).get("ChannelName") == channel),
        {},
    )
    endpoint = next(
        (
            e
            for e in view.of_type("AWS::MediaPackageV2::OriginEndpoint").values()
            if props(e).get("ChannelName") == channel
        ),
        {},
    )
    segment = int((props(endpoint).get("Segment") or {}).get("SegmentDurationSeconds", 6)) if endpoint else 6
    dash = (props(endpoint).get("DashManifests") or [{}])[0] if endpoint else {}
    return LiveRegion(
        view.region,
        str(props(found).get("ChannelClass", "STANDARD")),
        bool((props(package).get("InputSwitchConfiguration") or {}).get("MQCSInputSwitching")) if package else False,
        segment,
        int(dash.get("SuggestedPresentationDelaySeconds", 3 * segment)),
        _alarms(view, channel),
    )


def read_live(views: list[TemplateView], channels: dict[str, str], path_prefix: str) -> list[LiveChannel]:
    """Each channel (name -> MediaLive name) as the templates build it."""
    out = []
    for name, medialive_name in channels.items():
        regions = {r.region: r for v in views if (r := _region(v, name, medialive_name)) is not None}
        origins: tuple[LiveOrigin, ...] = ()
        media_quality, codes = False, frozenset()
        for view in views:
            for dist in view.of_type("AWS::CloudFront::Distribution").values():
                config = props(dist).get("DistributionConfig") or {}
                behavior = next(
                    (b for b in config.get("CacheBehaviors", []) if b.get("PathPattern") == f"{path_prefix}/{name}/*"),
                    None,
                )
                if behavior is None:
                    continue
                by_id = {o.get("Id"): o for o in config.get("Origins", [])}
                groups = {g.get("Id"): g for g in (config.get("OriginGroups") or {}).get("Items", [])}
                group = groups.get(behavior.get("TargetOriginId"))
                if group is None:
                    origins = _origins(view, [by_id.get(behavior.get("TargetOriginId")) or {}])
                    continue
                members = [by_id.get(m.get("OriginId")) or {} for m in group["Members"]["Items"]]
                origins = _origins(view, members)
                media_quality = group.get("SelectionCriteria") == MEDIA_QUALITY
                codes = frozenset(int(c) for c in group["FailoverCriteria"]["StatusCodes"]["Items"])
        out.append(LiveChannel(name, origins, media_quality, codes, regions))
    return out


def _others(channel: LiveChannel, region: str) -> list[LiveOrigin]:
    return [o for o in channel.origins if o.region != region]


def _moved(channel: LiveChannel, lost: LiveRegion, kind: str, alarm: str) -> LiveOutcome:
    """Viewers' segments come from another Region after CloudFront gives up on ``lost``'s origin."""
    others = _others(channel, lost.region)
    if not others:
        return LiveOutcome(
            channel.name,
            kind,
            lost.region,
            "stall: no other Region serves the channel",
            float("inf"),
            alarm,
            f"origins: {', '.join(o.region for o in channel.origins) or 'none'}",
            f"live {channel.name}: {kind} in {lost.region} stops the video for every viewer",
        )
    wait = max((o.retry_s for o in channel.origins if o.region == lost.region), default=0)
    slack = lost.presentation_delay_s - lost.segment_s
    figures = (
        f"CloudFront gives up on {lost.region} after {wait} s (attempts x (connect + read)); players hold "
        f"{lost.presentation_delay_s} s behind live, {slack} s more than one {lost.segment_s} s segment"
    )
    if wait > slack:
        return LiveOutcome(
            channel.name,
            kind,
            lost.region,
            f"stall: a segment waits {wait} s, the players' slack is {slack} s",
            wait,
            alarm,
            figures,
            f"live {channel.name}: {kind} in {lost.region}: viewers stall ({wait} s > {slack} s slack); lower the live "
            "origins' timeouts or raise latency_target_seconds",
        )
    return LiveOutcome(channel.name, kind, lost.region, f"keep playing from {others[0].region}", wait, alarm, figures)


def live_outcomes(channels: list[LiveChannel]) -> list[LiveOutcome]:
    """Every channel through the loss of each ingest Region, a pipeline in each, and each Region's contribution."""
    out = []
    for channel in channels:
        for region, built in sorted(channel.regions.items()):
            out.append(_moved(channel, built, "ingest-region-lost", "(the Region's own alarms; viewers are served)"))
            pipeline_alarm = f"PipelineDown after {built.alarms.get('PipelineDown', 0)} s"
            if built.channel_class == "STANDARD" and built.mqcs_switching:
                out.append(
                    LiveOutcome(
                        channel.name,
                        "pipeline-lost",
                        region,
                        "nothing: MediaPackage switches to the other pipeline's ingest",
                        0.0,
                        pipeline_alarm,
                        "STANDARD channel (two pipelines); MediaPackage input switching on media quality",
                    )
                )
            else:
                out.append(_moved(channel, built, "pipeline-lost", "ActiveAlerts (one pipeline, no output)"))
            input_alarm = f"InputLoss after {built.alarms.get('InputLoss', 0)} s"
            others = _others(channel, region)
            if channel.media_quality and others:
                out.append(
                    LiveOutcome(
                        channel.name,
                        "contribution-lost",
                        region,
                        f"keep playing from {others[0].region}: its segments score higher",
                        0.0,
                        input_alarm,
                        f"media-quality-based selection across {', '.join(o.region for o in channel.origins)}",
                    )
                )
            else:
                out.append(
                    LiveOutcome(
                        channel.name,
                        "contribution-lost",
                        region,
                        "the input-loss picture, for requests CloudFront sends to this Region",
                        0.0,
                        input_alarm,
                        "segments still answer 200, so no status code fails over; no selection by media quality",
                        f"live {channel.name}: contribution lost into {region}: viewers see the input-loss picture",
                    )
                )
    return out
