"""The table replica's alarms in a cell: throttles, errors, latency, and replication to every other Region."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from cdk_monitoring_constructs import (
    CustomMetricGroup,
    CustomMetricWithAlarm,
    CustomThreshold,
    ErrorCountThreshold,
    LatencyThreshold,
    MonitoringFacade,
    ThrottledEventsThreshold,
)
from constructs import Construct

from kickoff.config.models import TableAlarmsConfig

# DynamoDB publishes ReplicationLatency per source Region and receiving Region, 1-minute periods.
REPLICATION_PERIOD = Duration.minutes(1)
GREATER = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
NOT_BREACHING = cloudwatch.TreatMissingData.NOT_BREACHING


def monitor_table(scope: Construct, facade: MonitoringFacade, table_name: str, t: TableAlarmsConfig) -> None:
    """The replica's throttled requests, system errors and latency (``monitor_dynamo_table``)."""
    table = dynamodb.Table.from_table_name(scope, "Table", table_name)
    latency = {"Warning": LatencyThreshold(max_latency=Duration.millis(t.latency_ms))}
    facade.monitor_dynamo_table(
        table=table,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        alarm_friendly_name="Table",
        human_readable_name=f"Table replica {table_name}",
        add_read_throttled_events_count_alarm={
            "Warning": ThrottledEventsThreshold(max_throttled_events_threshold=t.throttled_requests)
        },
        add_write_throttled_events_count_alarm={
            "Warning": ThrottledEventsThreshold(max_throttled_events_threshold=t.throttled_requests)
        },
        add_system_error_count_alarm={"Warning": ErrorCountThreshold(max_error_count=t.system_errors)},
        add_average_successful_get_item_latency_alarm=latency,
        add_average_successful_put_item_latency_alarm=latency,
        add_average_successful_query_latency_alarm=latency,
        add_average_successful_update_item_latency_alarm=latency,
    )


def monitor_replication(
    facade: MonitoringFacade, table_name: str, region: str, receiving_regions: list[str], seconds: int
) -> int:
    """``ReplicationLatency`` (per-minute maximum) from this Region to each receiving one, alarmed at the RPO;
    returns the threshold in milliseconds (no library monitor exists for it)."""
    threshold_ms = seconds * 1000
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
                    threshold=threshold_ms,
                    comparison_operator=GREATER,
                    evaluation_periods=1,
                    datapoints_to_alarm=1,
                    treat_missing_data_override=NOT_BREACHING,
                    alarm_description_override=(
                        f"Writes from {region} reach {receiving} more than {seconds} s late: "
                        "losing this Region now would exceed the RPO."
                    ),
                )
            },
        )
        for receiving in receiving_regions
    ]
    facade.monitor_custom(
        alarm_friendly_name="GlobalTableReplication",
        human_readable_name=f"Global table replication from {region}",
        metric_groups=[CustomMetricGroup(title="Replication latency (max, ms)", metrics=metrics)],
    )
    return threshold_ms
