"""The game-day plan: a cell's experiments in order, and what each does to capacity at the event's peak.

``game_day`` reads the synthesized experiments and the plan (never AWS) and returns the tables; the verdict is
the number of shortfalls, a service whose remaining tasks cannot carry its Region's peak.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kickoff import naming
from kickoff.config import KickoffConfig
from kickoff.planning import DeploymentPlan
from kickoff.reports.table import render_table
from kickoff.rules.gameday import (
    EFFECT,
    CapacityRow,
    ExperimentRow,
    capacity_after_evacuation,
    capacity_after_loss,
    replication_exposure_seconds,
)
from kickoff.scaling.schedule import EventWindow
from kickoff.twin.live import LiveOutcome


@dataclass(frozen=True)
class LossCase:
    """Capacity when one kind of loss hits every cell in turn at its peak."""

    title: str
    rows: list[CapacityRow]


@dataclass(frozen=True)
class LiveStep:
    """A live-channel rehearsal step (AWS FIS has no MediaLive or MediaPackage action): what to run, how to undo
    it, and what the twin says viewers see."""

    region: str
    channel: str
    step: str
    run: str
    undo: str
    expected: LiveOutcome | None


@dataclass(frozen=True)
class GameDay:
    """Everything the game-day plan prints, as data."""

    config: KickoffConfig
    window: EventWindow
    experiments: list[ExperimentRow]
    losses: list[LossCase]
    evacuations: list[tuple[str, CapacityRow]]
    replication_exposure_seconds: int
    live: list[LiveStep] = field(default_factory=list)

    @property
    def shortfalls(self) -> int:
        rows = [r for case in self.losses for r in case.rows] + [r for _, r in self.evacuations]
        return sum(1 for r in rows if r.shortfall > 0)


def region_order(config: KickoffConfig) -> list[str]:
    """The canary Region first, then the others in config order."""
    return [config.canary_region, *(r for r in config.region_names if r != config.canary_region)]


def live_steps(config: KickoffConfig, outcomes: list[LiveOutcome]) -> list[LiveStep]:
    """Per live channel and ingest Region (canary Region first): pause a pipeline, then stop the Region's channel,
    each with its undo and the twin's expected outcome."""
    if config.live is None:
        return []
    expected = {(o.channel, o.kind, o.region): o for o in outcomes}
    steps = []
    for region in region_order(config):
        for channel in config.live.channels_in(region):
            name = naming.live_resource_name(config.identity, channel.name)
            find = (
                f"ID=$(aws medialive list-channels --region {region} --query \"Channels[?Name=='{name}'].Id\" "
                "--output text)"
            )
            pause = (
                # Action names are unique in a channel's schedule: each rehearsal names its own.
                '{"ScheduleActions":[{"ActionName":"gameday-pause-\'$(date +%s)\'","ScheduleActionStartSettings":'
                '{"ImmediateModeScheduleActionStartSettings":{}},"ScheduleActionSettings":{"PauseStateSettings":'
                '{"Pipelines":[{"PipelineId":"PIPELINE_0"}]}}}]}'
            )
            resume = (
                '{"ScheduleActions":[{"ActionName":"gameday-resume-\'$(date +%s)\'","ScheduleActionStartSettings":'
                '{"ImmediateModeScheduleActionStartSettings":{}},"ScheduleActionSettings":{"PauseStateSettings":'
                '{"Pipelines":[]}}}]}'
            )
            schedule = f"aws medialive batch-update-schedule --region {region} --channel-id $ID --creates"
            if channel.channel_class == "STANDARD":
                steps.append(
                    LiveStep(
                        region,
                        channel.name,
                        "pause pipeline 0",
                        f"{find}; {schedule} '{pause}'",
                        f"{schedule} '{resume}'",
                        expected.get((channel.name, "pipeline-lost", region)),
                    )
                )
            steps.append(
                LiveStep(
                    region,
                    channel.name,
                    "stop the Region's channel",
                    f"{find}; aws medialive stop-channel --region {region} --channel-id $ID",
                    f"aws medialive start-channel --region {region} --channel-id $ID",
                    expected.get((channel.name, "ingest-region-lost", region)),
                )
            )
    return steps


def game_day(
    config: KickoffConfig,
    plan: DeploymentPlan,
    window: EventWindow,
    experiments: list[ExperimentRow],
    live: list[LiveOutcome] | None = None,
) -> GameDay:
    """The game day against ``window``: experiments in order (canary Region first), AZ losses and evacuations, and
    the live channels' rehearsal steps (``live``: the twin's live outcomes)."""
    order = region_order(config)
    ordered = [e for region in order for e in experiments if e.region == region]
    faults = config.fault_injection
    losses = [
        LossCase(
            title,
            [row for region in order for row in capacity_after_loss(config, plan, window, region, share)],
        )
        for title, share in (
            ("a whole AZ lost (network, zonal shift) at the event's peak", 1.0),
            (
                f"{faults.task_share_percent}% of one AZ's tasks stopped at the event's peak",
                faults.task_share_percent / 100,
            ),
        )
    ]
    evacuations = [
        (evacuated, row) for evacuated in order for row in capacity_after_evacuation(config, plan, window, evacuated)
    ]
    return GameDay(
        config,
        window,
        ordered,
        losses,
        evacuations,
        replication_exposure_seconds(faults.replication_pause_minutes),
        live_steps(config, live or []),
    )


def _verdict(row: CapacityRow) -> str:
    return f"SHORT {row.shortfall}" if row.shortfall else "ok"


def render_game_day(day: GameDay) -> str:
    """The plan as printed by ``python -m kickoff gameday``."""
    config, window = day.config, day.window
    faults = config.fault_injection
    out = [
        f"{naming.environment_key(config.identity)} game day for {'+'.join(window.event_ids)}: event window "
        f"{window.start:%Y-%m-%d %H:%M} to {window.restore:%Y-%m-%d %H:%M} UTC; run it in the weeks before, never "
        "inside a window (python -m kickoff deploy-window). Runbooks: docs/runbooks/game-day.md and one per "
        "experiment.",
        "\nExperiments, in order (canary Region first, smallest blast radius first); each stops when its alarm is "
        "in ALARM:",
        render_table(
            ["#", "region", "experiment", "action", "AZ", "targets", "duration", "stop condition"],
            [
                [
                    step,
                    e.region,
                    e.name,
                    e.action,
                    e.availability_zone or "-",
                    e.selection,
                    f"{e.duration_minutes} min" if e.duration_minutes else "instant",
                    e.stop_alarm,
                ]
                for step, e in enumerate(day.experiments, start=1)
            ],
        ),
        "\nExpected effect of each action: " + "; ".join(f"{a}: {t}" for a, t in EFFECT.items()) + ".",
    ]
    for case in day.losses:
        out.append(
            f"\nCapacity with {case.title}: planned = scheduled floor at the Region's peak, need = tasks at 100% of "
            "a task's requests/s for the Region's own peak (upper band); the other AZs absorb the lost tasks' "
            "traffic."
        )
        out.append(
            render_table(
                ["region", "service", "peak (UTC)", "peak rps", "planned", "lost", "remaining", "need", "verdict"],
                [
                    [
                        r.region,
                        r.service,
                        f"{r.peak_at:%m-%d %H:%M}",
                        f"{r.peak_rps:,.0f}",
                        r.planned,
                        r.lost,
                        r.remaining,
                        r.need,
                        _verdict(r),
                    ]
                    for r in case.rows
                ],
            )
        )
    out.append(
        "\nRouting: the cell stays in DNS while every service keeps a healthy target (its calculated health check); "
        "the experiment stops first if the region-impaired alarm fires (no healthy target, ELB 5xx above "
        f"{config.monitoring.load_balancer.critical_5xx_percent:g}% of requests, or the cell failing while the others "
        "answer)."
    )
    out.append(
        f"\nReplication pause ({faults.replication_pause_minutes} min, replication may continue up to 5 min after "
        f"the start): writes to the paused replica are at risk for up to {day.replication_exposure_seconds} s if its "
        f"Region failed meanwhile, against resilience.rpo_seconds {config.resilience.rpo_seconds} s; the "
        f"ReplicationLatency alarms (threshold {config.replication_alarm_seconds or '-'} s) fire as designed. Run it "
        "outside events only."
    )
    out.append(
        "\nEvacuating a Region (planned: evacuate: true and a deploy of that cell; incident: its ARC routing control "
        "off; docs/runbooks/evacuate-region.md): survivors at their peak after its viewers move"
    )
    out.append(
        render_table(
            ["evacuated", "survivor", "service", "peak rps", "planned", "need", "verdict"],
            [
                [evacuated, r.region, r.service, f"{r.peak_rps:,.0f}", r.planned, r.need, _verdict(r)]
                for evacuated, r in day.evacuations
            ],
        )
    )
    if day.live:
        out.append(
            "\nLive channels: AWS FIS has no MediaLive or MediaPackage action, so these steps are run by hand, outside "
            "events, with the channel started for the rehearsal (the capacity agent leaves a channel it did not start "
            "running and reports it; stop it afterwards). Expected outcomes are the twin's (python -m kickoff twin)."
        )
        out.append(
            render_table(
                ["#", "region", "channel", "step", "viewers (twin)", "says so", "run", "undo"],
                [
                    [
                        step,
                        s.region,
                        s.channel,
                        s.step,
                        s.expected.viewers if s.expected else "-",
                        s.expected.alarm if s.expected else "-",
                        s.run,
                        s.undo,
                    ]
                    for step, s in enumerate(day.live, start=1)
                ],
            )
        )
    advice = (
        " A shortfall drops requests until reactive scaling adds tasks: raise the floor (min_tasks, the forecast "
        "band) or rehearse outside the event's peak."
    )
    out.append(f"\n{day.shortfalls} shortfall(s)." + (advice if day.shortfalls else ""))
    return "\n".join(out)
