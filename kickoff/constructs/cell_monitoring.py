"""Alarms and a dashboard for one cell, built with cdk-monitoring-constructs."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from cdk_monitoring_constructs import (
    AlarmFactoryDefaults,
    CustomMetricGroup,
    CustomMetricWithAlarm,
    CustomThreshold,
    DefaultDashboardFactory,
    MonitoringFacade,
    NoopAlarmActionStrategy,
)
from constructs import Construct

# DynamoDB publishes ReplicationLatency per source Region and receiving Region, 1-minute periods.
REPLICATION_PERIOD = Duration.minutes(1)


class CellMonitoring(Construct):
    """The cell's monitoring facade; holds the alarms that bound the RPO.

    ``ReplicationLatency`` is published in the Region that writes (this cell) for each
    receiving Region. The alarm uses the per-minute **maximum**: while it is OK, every
    write older than the threshold has reached every other replica, so losing this
    Region loses at most ``threshold`` seconds of writes. That threshold is the RPO
    bound the resilience budget reads back from the template.

    ``name_prefix`` (``<app>-<env>-<region>``) starts every alarm name and names the dashboard,
    which must be unique in the account.

    Attributes: ``facade``, ``dashboard_factory``, ``replication_alarm_threshold_ms``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name_prefix: str,
        table_name: str,
        region: str,
        receiving_regions: list[str],
        replication_alarm_seconds: int | None,
    ) -> None:
        super().__init__(scope, id_)
        if region in receiving_regions:
            raise ValueError(f"receiving_regions must not contain the cell's own Region {region}")
        # Dashboard names are global in the account, not per Region: the default factory would name
        # every cell's dashboard after the construct ID ("Facade"), so each Region's prefix is explicit.
        self.dashboard_factory = DefaultDashboardFactory(self, "Dashboards", dashboard_name_prefix=name_prefix)
        self.facade = MonitoringFacade(
            self,
            "Facade",
            dashboard_factory=self.dashboard_factory,
            alarm_factory_defaults=AlarmFactoryDefaults(
                alarm_name_prefix=name_prefix,
                actions_enabled=True,
                # Notification targets are wired by the operations stack; no action until then.
                action=NoopAlarmActionStrategy(),
                datapoints_to_alarm=1,
            ),
        )
        self.replication_alarm_threshold_ms: int | None = None
        if replication_alarm_seconds is None or not receiving_regions:
            return
        self.replication_alarm_threshold_ms = replication_alarm_seconds * 1000
        metrics = [
            CustomMetricWithAlarm(
                metric=cloudwatch.Metric(
                    namespace="AWS/DynamoDB",
                    metric_name="ReplicationLatency",
                    dimensions_map={"TableName": table_name, "ReceivingRegion": receiving},
                    statistic="Maximum",
                    period=REPLICATION_PERIOD,
                    unit=cloudwatch.Unit.MILLISECONDS,
                ),
                alarm_friendly_name=f"ReplicationLatency-{receiving}",
                add_alarm={
                    "RpoAtRisk": CustomThreshold(
                        threshold=self.replication_alarm_threshold_ms,
                        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                        evaluation_periods=1,
                        datapoints_to_alarm=1,
                        treat_missing_data_override=cloudwatch.TreatMissingData.NOT_BREACHING,
                        alarm_description_override=(
                            f"Writes from {region} reach {receiving} more than {replication_alarm_seconds} s late: "
                            "losing this Region now would exceed the RPO."
                        ),
                    )
                },
            )
            for receiving in receiving_regions
        ]
        self.facade.monitor_custom(
            alarm_friendly_name="GlobalTableReplication",
            human_readable_name=f"Global table replication from {region}",
            metric_groups=[CustomMetricGroup(title="Replication latency (max, ms)", metrics=metrics)],
        )
