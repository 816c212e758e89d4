"""One dashboard that shows every Region side by side, with the event calendar's kickoffs marked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

PERIOD = Duration.minutes(1)


@dataclass(frozen=True)
class RegionView:
    """What the dashboard needs of one cell, all by fixed name (no value crosses a Region).

    ``plan_minimum`` is a metric math expression over ``tasks<index>`` (the cluster's task count,
    for its timestamps: the "running below plan" alarm's floor summed over services), or None
    when no event is compiled.
    """

    region: str
    load_balancer_name: str
    cluster_name: str
    table_name: str
    local_canary: str | None
    region_impaired_alarm_arn: str
    plan_minimum: str | None


class CrossRegionDashboard(Construct):
    """A CloudWatch dashboard (global in the account, so its name is unique) whose every graph has
    one line per Region, read from that Region (a dashboard may; an alarm may not).

    Rows: request rate, 5xx rate, target response time p99, running tasks and the plan's minimum,
    replication latency, and health (the probe of each Region's own cell, and the Regions'
    "region impaired" alarms). Every graph carries a vertical annotation at each compiled
    event's kickoff. ALB metrics are found by a search on the ALB's fixed name, because the
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

        def search(region: str, schema: str, terms: str, statistic: str, reduce: str, label: str) -> cloudwatch.IMetric:
            return cloudwatch.MathExpression(
                expression=f"{reduce}(SEARCH('{{{schema}}} {terms}', '{statistic}', 60))",
                label=label,
                period=PERIOD,
                search_region=region,
                using_metrics={},
            )

        def alb(view: RegionView, metric: str, statistic: str) -> str:
            terms = f'MetricName="{metric}" {view.load_balancer_name}'
            return f"SEARCH('{{AWS/ApplicationELB,LoadBalancer}} {terms}', '{statistic}', 60)"

        rows: dict[str, list[cloudwatch.IMetric]] = {
            "Requests per minute": [],
            "5xx, % of requests": [],
            "Target response time p99 (s)": [],
            "Running tasks": [],
            "Plan minimum while an event is on": [],
            "Replication latency, max (ms)": [],
            "Probe of the Region's own cell (% passed)": [],
        }
        for index, view in enumerate(regions):
            r = view.region
            rows["Requests per minute"].append(
                cloudwatch.MathExpression(
                    expression=f"SUM({alb(view, 'RequestCount', 'Sum')})",
                    label=r,
                    period=PERIOD,
                    search_region=r,
                    using_metrics={},
                )
            )
            rows["5xx, % of requests"].append(
                cloudwatch.MathExpression(
                    expression=(
                        f"100 * (SUM({alb(view, 'HTTPCode_ELB_5XX_Count', 'Sum')}) + "
                        f"SUM({alb(view, 'HTTPCode_Target_5XX_Count', 'Sum')})) / "
                        f"SUM({alb(view, 'RequestCount', 'Sum')})"
                    ),
                    label=r,
                    period=PERIOD,
                    search_region=r,
                    using_metrics={},
                )
            )
            rows["Target response time p99 (s)"].append(
                cloudwatch.MathExpression(
                    expression=f"MAX({alb(view, 'TargetResponseTime', 'p99')})",
                    label=r,
                    period=PERIOD,
                    search_region=r,
                    using_metrics={},
                )
            )
            running = search(
                r,
                "ECS/ContainerInsights,ClusterName,ServiceName",
                f'MetricName="RunningTaskCount" ClusterName="{view.cluster_name}"',
                "Minimum",
                "SUM",
                r,
            )
            rows["Running tasks"].append(running)
            if view.plan_minimum is not None:
                tasks = cloudwatch.Metric(
                    namespace="ECS/ContainerInsights",
                    metric_name="TaskCount",
                    dimensions_map={"ClusterName": view.cluster_name},
                    statistic="Minimum",
                    period=PERIOD,
                    region=r,
                )
                rows["Plan minimum while an event is on"].append(
                    cloudwatch.MathExpression(
                        expression=view.plan_minimum, using_metrics={f"tasks{index}": tasks}, label=r, period=PERIOD
                    )
                )
            rows["Replication latency, max (ms)"].append(
                search(
                    r,
                    "AWS/DynamoDB,ReceivingRegion,TableName",
                    f'MetricName="ReplicationLatency" TableName="{view.table_name}"',
                    "Maximum",
                    "MAX",
                    r,
                )
            )
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
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=dashboard_name,
            default_interval=Duration.hours(6),
            widgets=[[status], *([w] for w in self.graphs.values())],
        )
