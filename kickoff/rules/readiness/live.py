"""The live signal: what the channels, their packaging and the edge must hold to carry the video through a failure.

The config's live section (``LiveFacts``) says which channels exist, where each is ingested and which events it
serves; these rules hold the templates to it, so a template edited by hand, a library user's stack or a refactoring
cannot quietly drop a Region, open an input, expose an endpoint, or leave an event without its channel.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props, references
from kickoff.rules.readiness.context import LiveChannelFacts, Readiness
from kickoff.rules.readiness.rule import ReadinessRule
from kickoff.scaling.live import MEDIALIVE_START, ChannelRegistration, channel_runs

MEDIA_QUALITY = "media-quality-based"
LOOKUP_TYPE = "Custom::AWS"


def _channel_facts(readiness: Readiness, name: str) -> LiveChannelFacts | None:
    return next((c for c in readiness.params.live.channels if c.medialive_name == name), None)


def _medialive_channels(readiness: Readiness) -> dict[str, set[str]]:
    """MediaLive channel name -> the Regions whose templates create a channel of that name."""

    def index() -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for found in readiness.all_of_type("AWS::MediaLive::Channel"):
            name = literal(props(found.resource).get("Name"), found.view)
            if name:
                out.setdefault(name, set()).add(found.view.region)
        return out

    return readiness.memo("live:medialive-channels", index)


# --- the channels are where config says, redundant in production ----------------------------------------------


def _ingested(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    live = readiness.params.live
    if not live.channels or not (props(resource).get("DistributionConfig") or {}).get("CacheBehaviors"):
        return None
    built = _medialive_channels(readiness)
    findings = []
    for channel in live.channels:
        regions = built.get(channel.medialive_name, set())
        wanted = set(channel.ingest_regions)
        if regions != wanted:
            findings.append(
                Finding(
                    f"{channel.name}::Regions",
                    f"live channel {channel.name} is built in {', '.join(sorted(regions)) or 'no Region'}, not its "
                    f"ingest Regions {', '.join(channel.ingest_regions)}"
                    f"{readiness.params.set_by(f'live.{channel.name}.ingest_regions')}",
                )
            )
        if live.production and len(regions) < 2:
            findings.append(
                Finding(
                    f"{channel.name}::SingleRegion",
                    f"live channel {channel.name} is ingested in {len(regions)} Region in production: losing it "
                    "stops the video for every viewer"
                    f"{readiness.params.set_by(f'live.{channel.name}.ingest_regions')}",
                )
            )
    return findings


LIVE_CHANNEL_INGESTED = ReadinessRule(
    "LiveChannelIngestedWhereConfigured",
    "Every live channel is built in exactly its ingest Regions, two of them in production",
    "Ingest each channel in two cell Regions in production (live.channels[].ingest_regions): a Region's loss then "
    "leaves the other's segments, which CloudFront's media-quality-based origin group serves.",
    "MediaPackage v2 cross-Region failover; CloudFront media quality-aware resiliency (MQAR)",
    frozenset({"AWS::CloudFront::Distribution"}),
    _ingested,
)


# --- the edge serves each channel from every Region that ingests it ----------------------------------------------


def egress_lookup_regions(view: TemplateView) -> dict[str, str]:
    """Egress-domain lookup logical ID -> the Region it reads (MediaPackageV2 getChannelGroup custom resources)."""
    out = {}
    for logical_id, resource in view.of_type(LOOKUP_TYPE).items():
        call = props(resource).get("Create")
        try:
            data = json.loads(call) if isinstance(call, str) else {}
        except json.JSONDecodeError:
            continue
        if data.get("service") == "MediaPackageV2" and data.get("action") == "getChannelGroup":
            out[logical_id] = str(data.get("region", ""))
    return out


def _origin_group(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    live = readiness.params.live
    config = props(resource).get("DistributionConfig") or {}
    if not live.channels or not config.get("CacheBehaviors"):
        return None
    origins = {o.get("Id"): o for o in config.get("Origins", [])}
    groups = {g.get("Id"): g for g in (config.get("OriginGroups") or {}).get("Items", [])}
    lookups = egress_lookup_regions(view)
    controls = view.of_type("AWS::CloudFront::OriginAccessControl")
    behaviors = {b.get("PathPattern"): b for b in config.get("CacheBehaviors", [])}
    findings = []
    for channel in live.channels:
        where = readiness.params.set_by(f"live.{channel.name}.ingest_regions")
        pattern = f"{live.path_prefix}/{channel.name}/*"
        behavior = behaviors.get(pattern)
        if behavior is None:
            findings.append(Finding(f"{channel.name}::Behavior", f"no behaviour serves {pattern}"))
            continue
        target = behavior.get("TargetOriginId")
        group = groups.get(target)
        members = [m.get("OriginId") for m in ((group or {}).get("Members") or {}).get("Items", [])]
        member_origins = [origins.get(m) or {} for m in members] if group else [origins.get(target) or {}]
        regions = set()
        for origin in member_origins:
            regions |= {lookups[r] for r in references(origin.get("DomainName")) if r in lookups}
            access = references(origin.get("OriginAccessControlId")) & set(controls)
            config_of = [props(controls[a]).get("OriginAccessControlConfig") or {} for a in access]
            if not any(
                c.get("OriginAccessControlOriginType") == "mediapackagev2" and c.get("SigningBehavior") == "always"
                for c in config_of
            ):
                findings.append(
                    Finding(
                        f"{channel.name}::AccessControl",
                        f"an origin of {pattern} is not signed by a MediaPackage v2 origin access control that signs "
                        "always: the endpoints admit only CloudFront's signed requests",
                    )
                )
        missing = sorted(set(channel.ingest_regions) - regions)
        if missing:
            findings.append(
                Finding(
                    f"{channel.name}::Regions",
                    f"{pattern} is served from {', '.join(sorted(regions)) or 'no ingest Region'}, without "
                    f"{', '.join(missing)}: a loss of the Region it uses stops the video{where}",
                )
            )
        if len(channel.ingest_regions) > 1 and (group is None or group.get("SelectionCriteria") != MEDIA_QUALITY):
            findings.append(
                Finding(
                    f"{channel.name}::Selection",
                    f"{pattern} does not use an origin group with media-quality-based selection: CloudFront would "
                    "serve a Region's frozen or degraded segments while the other Region's are good",
                )
            )
        if group is not None:
            codes = {int(c) for c in ((group.get("FailoverCriteria") or {}).get("StatusCodes") or {}).get("Items", [])}
            if 404 not in codes:
                findings.append(
                    Finding(
                        f"{channel.name}::StatusCodes",
                        f"the origin group of {pattern} does not fail over on 404, which a Region's endpoint answers "
                        "for a segment it does not have",
                    )
                )
    return findings


LIVE_ORIGIN_GROUP = ReadinessRule(
    "CloudFrontLiveOriginGroupCoversIngestRegions",
    "Each live channel's behaviour is served by an origin group over all its ingest Regions, by media quality",
    "Let LiveEdge build the behaviour: an origin group of the channel's ingest Regions' egress domains with "
    "SelectionCriteria media-quality-based, failing over on 404 and 5xx, every origin signed by the MediaPackage v2 "
    "origin access control.",
    "CloudFront media quality-aware resiliency (media-quality-score.html); origin failover status codes",
    frozenset({"AWS::CloudFront::Distribution"}),
    _origin_group,
)


# --- every event a channel serves is covered by its schedule -------------------------------------------------------


def joined_json(value: Any) -> Any:
    """A JSON document a template holds as a string or an ``Fn::Join`` of strings and tokens (``to_json_string``
    with deploy-time values), each token read as ``<LogicalId>``; None when it does not parse."""
    parts = value["Fn::Join"][1] if isinstance(value, dict) and "Fn::Join" in value else [value]
    text = "".join(p if isinstance(p, str) else f"<{next(iter(references(p)), '?')}>" for p in parts)
    try:
        return json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None


def _registration(view: TemplateView, channel_id: str) -> ChannelRegistration | None:
    """The registration parameter of ``view`` that names channel ``channel_id`` by Ref."""
    for resource in view.of_type("AWS::SSM::Parameter").values():
        value = props(resource).get("Value")
        if channel_id not in references(value):
            continue
        try:
            return ChannelRegistration.from_parameter(joined_json(value) or {})
        except ValueError:
            return None
    return None


def _agent_starts_channels(readiness: Readiness, region: str) -> bool:
    """Whether ``region``'s capacity agent is bound to live channels and may start them."""
    for view in readiness.views:
        if view.region != region:
            continue
        for function in view.of_type("AWS::Lambda::Function").values():
            variables = (props(function).get("Environment") or {}).get("Variables") or {}
            binding = joined_json(variables.get("KICKOFF_BINDING"))
            if not isinstance(binding, dict) or binding.get("live_channels") is not True:
                continue
            role = next(iter(references(props(function).get("Role"))), None)
            for policy in view.of_type("AWS::IAM::Policy").values():
                if role in references(props(policy).get("Roles")) and "medialive:StartChannel" in json.dumps(
                    props(policy).get("PolicyDocument")
                ):
                    return True
    return False


def _schedule(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    live = readiness.params.live
    channel = _channel_facts(readiness, literal(props(resource).get("Name"), view) or "")
    if channel is None:
        return None
    where = readiness.params.set_by(f"live.{channel.name}.events")
    registration = _registration(view, logical_id)
    if registration is None:
        return [Finding("NoRegistration", "no registration with the capacity agent: nothing starts the channel")]
    findings = []
    if registration.events != channel.events:
        findings.append(
            Finding(
                "Events",
                f"registered for {', '.join(registration.events)}, not the configured {', '.join(channel.events)}"
                f"{where}",
            )
        )
    if not _agent_starts_channels(readiness, view.region):
        findings.append(
            Finding(
                "Agent",
                f"the capacity agent of {view.region} is not bound to live channels or may not start them: the "
                "channel never runs",
            )
        )
    # Started by the agent within one run after the lead begins, then up to MediaLive's start time.
    late = MEDIALIVE_START + timedelta(minutes=live.agent_rate_minutes)
    # The events config says the channel serves, against the runs its registration makes the agent start.
    runs = channel_runs(registration.schedule, live.events)
    configured = replace(registration.schedule, events=channel.events)
    for event in live.events:
        if not configured.serves(event.event_id):
            continue
        need_from, need_to = event.first_kickoff, event.latest_end
        run = next((r for r in runs if r.start + late <= need_from and r.stop >= need_to), None)
        if run is None:
            findings.append(
                Finding(
                    f"Event::{event.event_id}",
                    f"not running throughout {event.event_id} ({need_from:%Y-%m-%d %H:%M} to {need_to:%H:%M} UTC, "
                    f"flex window, end and overtime included): started {registration.start_lead_minutes} minutes "
                    f"ahead, the agent's run ({live.agent_rate_minutes} min) and MediaLive's start (up to "
                    f"{MEDIALIVE_START.total_seconds() / 60:g} min) leave it short"
                    f"{readiness.params.set_by(f'live.{channel.name}.start_lead_minutes')}",
                )
            )
    return findings


LIVE_SCHEDULE_COVERS_EVENTS = ReadinessRule(
    "MediaLiveChannelScheduleCoversEvents",
    "Every live channel is registered with its Region's agent to run through every event it serves",
    "Keep the channel's registration (the live stack writes it) with the configured events, a lead of at least "
    "MediaLive's start plus the agent's rate, and the cell's agent bound to live channels.",
    "MediaLive: starting a channel (up to 10 minutes; start 2 hours before high-value events)",
    frozenset({"AWS::MediaLive::Channel"}),
    _schedule,
)


RULES: tuple[ReadinessRule, ...] = (LIVE_CHANNEL_INGESTED, LIVE_ORIGIN_GROUP, LIVE_SCHEDULE_COVERS_EVENTS)
