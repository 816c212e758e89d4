"""Reliability rules of the live signal: the encoder survives the loss of a pipeline."""

from __future__ import annotations

from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props
from kickoff.rules.well_architected.rule import Params, WaRule


def _standard(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    if not params.production:
        return None
    channel_class = props(resource).get("ChannelClass", "STANDARD")
    if channel_class == "STANDARD":
        return []
    name = literal(props(resource).get("Name"), view) or logical_id
    return [
        Finding(
            "",
            f"{name} is {channel_class}: one pipeline, so a pipeline failure stops this Region's output until "
            f"MediaLive restarts it{params.set_by(f'live-channel:{name}.channel_class')}",
        )
    ]


MEDIALIVE_CHANNEL_STANDARD = WaRule(
    "REL-MediaLiveChannelStandard",
    "REL10-BP01",
    "Deploy the workload to multiple locations",
    "Production MediaLive channels are STANDARD class: two pipelines in different Availability Zones",
    "A SINGLE_PIPELINE channel has no output while its one pipeline fails or restarts. Use channel_class STANDARD "
    "in production: MediaPackage switches to the other pipeline's ingest, and MediaLive restarts the failed one.",
    frozenset({"AWS::MediaLive::Channel"}),
    _standard,
)


RULES: tuple[WaRule, ...] = (MEDIALIVE_CHANNEL_STANDARD,)
