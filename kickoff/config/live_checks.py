"""Cross-field checks of the live section: Regions, production's redundancy, the edge path, and the quotas.

Each raises ``FieldProblem`` with the field path and the fix; ``kickoff.config.checks.check_config`` runs them. The
events each channel serves are matched against the calendar when it loads (``kickoff.config.loader``). The rule
packs hold the templates to the same (WA-REL-MediaLive*, DR-Live*), so a template edited by hand is judged too.
"""

from __future__ import annotations

from kickoff.config.errors import FieldProblem, FieldProblems
from kickoff.config.models.live import MEDIALIVE_START_MINUTES, LiveConfig
from kickoff.config.models.root import ConfigFields
from kickoff.naming import PROBE_PATH_ROOT
from kickoff.web import pattern_covers

PRODUCTION_INGEST_REGIONS = 2


def live_quota_needs(live: LiveConfig | None, region: str) -> dict[str, int]:
    """What the live channels ``region`` ingests need of each declared quota (``QuotasConfig`` field -> count)."""
    channels = live.channels_in(region) if live is not None else ()
    pushed = sum(1 for c in channels if c.inputs.type == "rtp_push")
    return {
        "medialive_channels": len(channels),
        "medialive_push_inputs": pushed,
        "medialive_input_security_groups": pushed,
        "mediapackage_channel_groups": 1 if channels else 0,
        "mediapackage_channels_per_group": len(channels),
    }


def check_live(config: ConfigFields, names: list[str]) -> None:
    """Every live problem, reported together."""
    live = config.live
    if live is None:
        return
    problems: list[FieldProblem] = []
    for i, channel in enumerate(live.channels):
        loc = ("live", "channels", i)
        for j, region in enumerate(channel.ingest_regions):
            if region not in names:
                problems.append(
                    FieldProblem(
                        (*loc, "ingest_regions", j),
                        f"'{region}' is not a cell Region: its alarms notify the cell's topic and its channel is "
                        "started by the cell's capacity agent",
                        f"ingest in cell Regions ({', '.join(names)})",
                    )
                )
        latest_start = MEDIALIVE_START_MINUTES + config.scaling.agent.rate_minutes
        if channel.start_lead_minutes < latest_start:
            problems.append(
                FieldProblem(
                    (*loc, "start_lead_minutes"),
                    f"{channel.start_lead_minutes} minutes: the agent may start the channel up to "
                    f"scaling.agent.rate_minutes ({config.scaling.agent.rate_minutes}) after the lead begins, and "
                    f"MediaLive takes up to {MEDIALIVE_START_MINUTES} minutes to start",
                    f"give at least {latest_start}",
                )
            )
        if config.production and channel.channel_class != "STANDARD":
            problems.append(
                FieldProblem(
                    (*loc, "channel_class"),
                    f"{channel.channel_class} has one pipeline: when it fails, the channel has no output in that "
                    "Region until MediaLive restarts it",
                    "use STANDARD (two pipelines in different AZs) in production",
                )
            )
        if config.production and len(channel.ingest_regions) < PRODUCTION_INGEST_REGIONS:
            problems.append(
                FieldProblem(
                    (*loc, "ingest_regions"),
                    f"{channel.name} is ingested only in {', '.join(channel.ingest_regions)}: losing that Region "
                    "stops the video for every viewer",
                    f"ingest it in {PRODUCTION_INGEST_REGIONS} cell Regions in production",
                )
            )
    loc = ("live", "path_pattern")
    for i, behavior in enumerate(config.edge.cache_behaviors):
        if pattern_covers(behavior.path_pattern, live.path_pattern) or pattern_covers(
            live.path_pattern, behavior.path_pattern
        ):
            problems.append(
                FieldProblem(
                    loc,
                    f"{live.path_pattern} overlaps edge.cache_behaviors[{i}] ({behavior.path_pattern}): CloudFront "
                    "would send one of them to the wrong origin",
                    "give the live channels a prefix no cell service uses",
                )
            )
    if live.prefix == PROBE_PATH_ROOT or live.prefix.startswith(PROBE_PATH_ROOT + "/"):
        problems.append(FieldProblem(loc, f"{live.prefix} is where the Region probes enter", "choose another"))
    for i, region in enumerate(config.regions):
        for field, need in live_quota_needs(live, region.name).items():
            declared = getattr(region.quotas, field)
            if need > declared:
                problems.append(
                    FieldProblem(
                        ("regions", i, "quotas", field),
                        f"the live channels ingested in {region.name} need {need} against the declared {declared}",
                        "request the increase in Service Quotas (`kickoff quotas` prints the command) and declare "
                        "the granted value, or ingest fewer channels here",
                    )
                )
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise FieldProblems(problems)
