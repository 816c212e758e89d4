"""One dashboard that shows every Region side by side, with the event calendar's kickoffs marked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from kickoff.agent.handler import METRIC_NAMESPACE

PERIOD = Duration.minutes(1)


@dataclass(frozen=True)
class RegionView:
    """What the dashboard needs of one cell, all by fixed name (no value crosses a Region).

    ``plan_environment`` is the ``Environment`` the capacity agent publishes ``PlannedMinimum`` under (the
    "running below plan" alarm's floor, summed over services here), or None without a plan.
    """

    region: str
    load_balancer_name: str
    cluster_name: str
    table_name: str
    local_canary: str | None
    region_impaired_alarm_arn: str
    plan_environment: str | None
    live_group: str | None = None
    """The MediaPackage v2 channel group this Region ingests live channels into (None: no live channel here)."""
    live_alarm_arns: tuple[str, ...] = ()
    """The live channels' alarms in this Region, by ARN."""


class CrossRegionDashboard(Construct):
    """A CloudWatch dashboard (global in the account, so its name is unique) whose every graph has
    one line per Region, read from that Region (a dashboard may; an alarm may not).

    Rows: request rate, 5xx rate, target response time p99, running tasks and the plan's minimum,
    replication latency, and health (the probe of each Region's own cell, and the Regions'
    "region impaired" alarms); with live channels, MediaPackage ingest and egress per ingest Region,
    MediaLive's input loss, and the live alarms. Every graph carries a vertical annotation at each kickoff of the
    calendar as deployed. ALB metrics are found by a search on the ALB's fixed name, because the
    ``LoadBalancer`` dimension holds an ID only the cell's Region knows.

    Attributes: ``dashboard``, ``graphs`` (title -> widget).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        dashboard_name: str,
        regions: list[RegionView],
        kickoffs: list[tuple[str, datetime]],
    ) -> None:
        super().__init__(scope, id_)
        if not regions:
            raise ValueError("the dashboard needs at least one Region")
        annotations = [
            cloudwatch.VerticalAnnotation(date=at.strftime("%Y-%m-%dT%H:%M:%SZ"), label=f"kickoff {event}")
            for event, at in kickoffs
        ]

        def searched(region: str, expression: str) -> cloudwatch.IMetric:
            """A line of ``region`` computed from search expressions evaluated in that Region."""
            return cloudwatch.MathExpression(
                expression=expression, label=region, period=PERIOD, search_region=region, using_metrics={}
            )

        def search(schema: str, terms: str, statistic: str) -> str:
            return f"SEARCH('{{{schema}}} {terms}', '{statistic}', 60)"

        def alb(view: RegionView, metric: str, statistic: str) -> str:
            schema = "AWS/ApplicationELB,LoadBalancer"
            return search(schema, f'MetricName="{metric}" {view.load_balancer_name}', statistic)

        rows: dict[str, list[cloudwatch.IMetric]] = {
            "Requests per minute": [],
            "5xx, % of requests": [],
            "Target response time p99 (s)": [],
            "Running tasks": [],
            "Plan minimum while an event is on": [],
            "Replication latency, max (ms)": [],
            "Probe of the Region's own cell (% passed)": [],
            "Live: MediaPackage ingest (bytes per minute)": [],
            "Live: MediaPackage egress to CloudFront (bytes per minute)": [],
            "Live: MediaLive input loss, worst pipeline (s per minute)": [],
        }
        for view in regions:
            r = view.region
            requests = f"SUM({alb(view, 'RequestCount', 'Sum')})"
            rows["Requests per minute"].append(searched(r, requests))
            elb, target = alb(view, "HTTPCode_ELB_5XX_Count", "Sum"), alb(view, "HTTPCode_Target_5XX_Count", "Sum")
            errors = f"SUM({elb}) + SUM({target})"
            rows["5xx, % of requests"].append(searched(r, f"100 * ({errors}) / {requests}"))
            rows["Target response time p99 (s)"].append(searched(r, f"MAX({alb(view, 'TargetResponseTime', 'p99')})"))
            running = search(
                "ECS/ContainerInsights,ClusterName,ServiceName",
                f'MetricName="RunningTaskCount" ClusterName="{view.cluster_name}"',
                "Minimum",
            )
            rows["Running tasks"].append(searched(r, f"SUM({running})"))
            if view.plan_environment is not None:
                planned = search(
                    f"{METRIC_NAMESPACE},Environment,Service",
                    f'MetricName="PlannedMinimum" Environment="{view.plan_environment}"',
                    "Maximum",
                )
                rows["Plan minimum while an event is on"].append(searched(r, f"SUM({planned})"))
            replication = search(
                "AWS/DynamoDB,ReceivingRegion,TableName",
                f'MetricName="ReplicationLatency" TableName="{view.table_name}"',
                "Maximum",
            )
            rows["Replication latency, max (ms)"].append(searched(r, f"MAX({replication})"))
            if view.local_canary is not None:
                rows["Probe of the Region's own cell (% passed)"].append(
                    cloudwatch.Metric(
                        namespace="CloudWatchSynthetics",
                        metric_name="SuccessPercent",
                        dimensions_map={"CanaryName": view.local_canary},
                        statistic="Average",
                        period=Duration.minutes(5),
                        region=r,
                        label=r,
                    )
                )
            if view.live_group is not None:
                group = f'ChannelGroup="{view.live_group}"'
                ingress = search("AWS/MediaPackage,Channel,ChannelGroup", f'MetricName="IngressBytes" {group}', "Sum")
                egress = search(
                    "AWS/MediaPackage,Channel,ChannelGroup,OriginEndpoint", f'MetricName="EgressBytes" {group}', "Sum"
                )
                loss = search("AWS/MediaLive,ChannelId,Pipeline", 'MetricName="InputLossSeconds"', "Sum")
                rows["Live: MediaPackage ingest (bytes per minute)"].append(searched(r, f"SUM({ingress})"))
                rows["Live: MediaPackage egress to CloudFront (bytes per minute)"].append(searched(r, f"SUM({egress})"))
                rows["Live: MediaLive input loss, worst pipeline (s per minute)"].append(searched(r, f"MAX({loss})"))
        self.graphs: dict[str, cloudwatch.GraphWidget] = {
            title: cloudwatch.GraphWidget(
                title=title, left=metrics, width=12, height=6, vertical_annotations=annotations or None
            )
            for title, metrics in rows.items()
            if metrics
        }
        status = cloudwatch.AlarmStatusWidget(
            title="Region impaired (composite alarm of each Region)",
            alarms=[
                cloudwatch.CompositeAlarm.from_composite_alarm_arn(self, f"Impaired{i}", view.region_impaired_alarm_arn)
                for i, view in enumerate(regions)
            ],
            width=24,
            height=3,
        )
        live_alarms = [(view.region, arn) for view in regions for arn in view.live_alarm_arns]
        live_status = (
            [
                cloudwatch.AlarmStatusWidget(
                    title="Live channels (alarms of each ingest Region)",
                    alarms=[
                        cloudwatch.Alarm.from_alarm_arn(self, f"Live{i}", arn) for i, (_, arn) in enumerate(live_alarms)
                    ],
                    width=24,
                    height=3,
                )
            ]
            if live_alarms
            else []
        )
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=dashboard_name,
            default_interval=Duration.hours(6),
            widgets=[[status], *([w] for w in self.graphs.values()), *([w] for w in live_status)],
        )
