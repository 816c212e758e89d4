"""Alarms on one Region's live channels, notifying the cell's topic.

Per live channel:

- ``<channel>-InputLoss``: either pipeline reports input loss (``AWS/MediaLive`` ``InputLossSeconds``, per
  ``ChannelId`` and ``Pipeline``) for two minutes in a row: the contribution feed into this Region is broken.
- ``<channel>-PipelineDown``: a STANDARD channel's pipelines are no longer locked to each other
  (``PipelinesLocked`` below 1 on either pipeline): one pipeline has failed or lost its input, and MediaPackage
  runs on the other. MediaLive publishes no pipeline-failover metric; with epoch locking this is the documented
  signal (MediaLive user guide, "Output locking metrics").
- ``<channel>-ActiveAlerts``: a pipeline has an active MediaLive alert (``ActiveAlerts`` at least 1).
- ``<channel>-IngestErrors``: MediaPackage v2 answers MediaLive's CMAF ingest with errors (MediaLive's
  ``Output4xxErrors`` + ``Output5xxErrors`` of the MediaPackage output group, per pipeline: the errors the
  destination returned, as MediaLive's output metrics count them).

And from the capacity agent's metrics (published every run, per ``Channel``):

- ``<channel>-NotRunning``: the agent expects the channel to run (``LiveChannelExpected``) and it is neither
  running nor starting (``LiveChannelRunning``) for three runs: a start that failed, a quota, a channel stuck.
- ``<channel>-RunningOutsideEvents``: the channel runs outside its events for an hour (an operator's start the
  agent leaves alone, or a stop that failed): MediaLive bills it by the hour.

Channels run only around events, so a missing datapoint is not a breach: every alarm treats missing data as
not breaching and says nothing between events (the agent's own AgentFailing alarm covers a silent agent).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from kickoff.constructs.capacity_agent import agent_metric
from kickoff.naming import pascal

PERIOD = Duration.minutes(1)


def live_alarm_keys(pipelines: int) -> tuple[str, ...]:
    """The alarms a channel of ``pipelines`` pipelines gets, by key."""
    single = ("InputLoss", "ActiveAlerts", "IngestErrors", "NotRunning", "RunningOutsideEvents")
    return (*single[:2], "PipelineDown", *single[2:]) if pipelines > 1 else single


MEDIALIVE = "AWS/MediaLive"


class LiveMonitoring(Construct):
    """The alarms above for each channel (``channels``: live channel name -> MediaLive channel ID and pipelines),
    named by ``alarm_name(channel, key)`` (``kickoff.naming.live_alarm_name``).

    Attributes: ``alarms`` (alarm name -> alarm).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        alarm_name: Callable[[str, str], str],
        topic: sns.ITopic,
        output_group: str,
        channels: dict[str, tuple[str, int]],
        agent_environment: str,
        agent_rate_minutes: int,
    ) -> None:
        super().__init__(scope, id_)
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        self._name, self._topic = alarm_name, topic
        for live, (channel_id, pipelines) in channels.items():
            per_pipeline = functools.partial(_per_pipeline, channel_id, pipelines)
            self._alarm(
                live,
                "InputLoss",
                _max(per_pipeline("InputLossSeconds", "Sum", "loss"), "Input loss seconds, worst pipeline"),
                threshold=1,
                periods=2,
                description=f"{live}: a pipeline has lost its contribution input in this Region for 2 minutes",
            )
            self._alarm(
                live,
                "ActiveAlerts",
                _max(per_pipeline("ActiveAlerts", "Maximum", "alerts"), "Active alerts, worst pipeline"),
                threshold=1,
                periods=2,
                description=f"{live}: a MediaLive pipeline has active alerts (see the channel's alerts tab)",
            )
            if pipelines > 1:
                self._alarm(
                    live,
                    "PipelineDown",
                    _min(per_pipeline("PipelinesLocked", "Minimum", "locked"), "Pipelines locked, lowest pipeline"),
                    threshold=1,
                    periods=2,
                    comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                    description=(
                        f"{live}: the two pipelines are not locked: one has failed or lost input, and MediaPackage "
                        "serves the other alone"
                    ),
                )
            errors = {
                **per_pipeline("Output4xxErrors", "Sum", "http4xxp", OutputGroupName=output_group),
                **per_pipeline("Output5xxErrors", "Sum", "http5xxp", OutputGroupName=output_group),
            }
            self._alarm(
                live,
                "IngestErrors",
                cloudwatch.MathExpression(
                    expression=" + ".join(errors), using_metrics=errors, label="Ingest errors", period=PERIOD
                ),
                threshold=1,
                periods=2,
                description=f"{live}: MediaPackage v2 answers MediaLive's CMAF ingest with 4xx or 5xx errors",
            )

            expected = agent_metric(agent_environment, "LiveChannelExpected", agent_rate_minutes, channel=live)
            running = agent_metric(agent_environment, "LiveChannelRunning", agent_rate_minutes, channel=live)
            self._alarm(
                live,
                "NotRunning",
                cloudwatch.MathExpression(
                    expression="expected - running",
                    using_metrics={"expected": expected, "running": running},
                    label="Expected but not running",
                    period=Duration.minutes(agent_rate_minutes),
                ),
                threshold=1,
                periods=3,
                description=f"{live}: should run for an event (capacity agent) but is neither running nor starting",
            )
            self._alarm(
                live,
                "RunningOutsideEvents",
                cloudwatch.MathExpression(
                    expression="running - expected",
                    using_metrics={"expected": expected, "running": running},
                    label="Running outside its events",
                    period=Duration.minutes(agent_rate_minutes),
                ),
                threshold=1,
                periods=max(1, 60 // agent_rate_minutes),
                description=f"{live}: running outside its events for an hour; MediaLive bills every running hour",
            )

    def _alarm(
        self,
        live: str,
        key: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        periods: int,
        description: str,
        comparison: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) -> None:
        name = self._name(live, key)
        alarm = metric.create_alarm(
            self,
            f"{pascal(live)}{key}",
            alarm_name=name,
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=periods,
            datapoints_to_alarm=periods,
            comparison_operator=comparison,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self._topic))
        alarm.add_ok_action(cw_actions.SnsAction(self._topic))
        self.alarms[name] = alarm


def _per_pipeline(
    channel_id: str, pipelines: int, metric: str, statistic: str, key: str, **extra: str
) -> dict[str, cloudwatch.IMetric]:
    """``metric`` of each pipeline of the channel, by math ID ``<key><pipeline>``."""
    return {
        f"{key}{p}": cloudwatch.Metric(
            namespace=MEDIALIVE,
            metric_name=metric,
            dimensions_map={"ChannelId": channel_id, "Pipeline": str(p), **extra},
            statistic=statistic,
            period=PERIOD,
        )
        for p in range(pipelines)
    }


def _max(metrics: dict[str, cloudwatch.IMetric], label: str) -> cloudwatch.IMetric:
    return _across("MAX", metrics, label)


def _min(metrics: dict[str, cloudwatch.IMetric], label: str) -> cloudwatch.IMetric:
    return _across("MIN", metrics, label)


def _across(function: str, metrics: dict[str, cloudwatch.IMetric], label: str) -> cloudwatch.IMetric:
    if len(metrics) == 1:
        return next(iter(metrics.values()))
    return cloudwatch.MathExpression(
        expression=f"{function}([{', '.join(metrics)}])", using_metrics=metrics, label=label, period=PERIOD
    )
