"""The operator's evacuation switch: take a cell out of routing in minutes, with one data-plane call, no deploy.

A release carries a planned evacuation (``regions[].evacuate``) through the whole pipeline, which takes an
hour; ARC routing controls take effect in seconds but cost about 1,825 USD a month for the cluster. This
switch sits in between: an operator publishes ``EvacuateCell = 1`` (``naming.evacuation_command``) in the
cell's own Region, an alarm on that metric feeds a Route 53 CLOUDWATCH_METRIC check inside the cell's
calculated check, and DNS moves viewers away within the alarm's minute, Route 53's evaluation and the record
TTL. Route 53 reads the metric's data, not the alarm state; with no new data it keeps the last status, so the
switch stays where it was set until the operator publishes 0.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from kickoff.naming import EVACUATION_METRIC, EVACUATION_NAMESPACE


class EvacuationSwitch(Construct):
    """A single-metric alarm on the cell's switch (Maximum >= 1 in a minute), notifying ``topic`` both ways;
    ``command`` (the put-metric-data call that sets it) goes into its description.

    Attributes: ``alarm``, ``metric``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        alarm_name: str,
        dimensions: dict[str, str],
        topic: sns.ITopic,
        command: str,
    ) -> None:
        super().__init__(scope, id_)
        self.metric = cloudwatch.Metric(
            namespace=EVACUATION_NAMESPACE,
            metric_name=EVACUATION_METRIC,
            dimensions_map=dimensions,
            statistic="Maximum",
            period=Duration.minutes(1),
        )
        self.alarm = self.metric.create_alarm(
            self,
            "Alarm",
            alarm_name=alarm_name,
            alarm_description=(
                "An operator set this cell's evacuation switch (EvacuateCell = 1): Route 53 takes it out of routing "
                f"until EvacuateCell = 0 is published. Set it with: {command} (--value 0 returns the cell). "
                "docs/runbooks/evacuate-region.md."
            ),
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            treat_missing_data=cloudwatch.TreatMissingData.IGNORE,
        )
        self.alarm.add_alarm_action(cw_actions.SnsAction(topic))
        self.alarm.add_ok_action(cw_actions.SnsAction(topic))
