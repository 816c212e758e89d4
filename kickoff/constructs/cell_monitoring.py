"""Alarms and a dashboard for one cell, built with cdk-monitoring-constructs, and its "region impaired" alarm."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_sns as sns
from cdk_monitoring_constructs import (
    AlarmFactoryDefaults,
    CustomMetricGroup,
    CustomMetricWithAlarm,
    CustomThreshold,
    DefaultDashboardFactory,
    MonitoringFacade,
    SnsAlarmActionStrategy,
    UnhealthyTaskCountThreshold,
    UsageThreshold,
)
from constructs import Construct

from kickoff.config.models import MonitoringConfig
from kickoff.constructs.table_monitoring import monitor_replication, monitor_table
from kickoff.failover import ALARM_PERIOD_SECONDS
from kickoff.naming import pascal

# DynamoDB publishes ReplicationLatency per source Region and receiving Region, 1-minute periods.
REPLICATION_PERIOD = Duration.minutes(1)
# Every cell alarm but the canaries' reads 1-minute periods (standard resolution, so Route 53 can watch them).
PERIOD = Duration.seconds(ALARM_PERIOD_SECONDS)
GREATER = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
NOT_BREACHING = cloudwatch.TreatMissingData.NOT_BREACHING


@dataclass(frozen=True)
class MonitoredService:
    """One ECS service of the cell: its service, target group, and the plan's minimum while an event is on (the
    capacity agent's ``PlannedMinimum``, published every run; 0 outside events)."""

    name: str
    service: ecs.FargateService
    target_group: elbv2.IApplicationTargetGroup
    cluster_name: str
    planned: cloudwatch.Metric | None = None


class CellMonitoring(Construct):
    """Every alarm of one cell, one dashboard, and the composite alarm that says the Region is impaired.

    - Per service (cdk-monitoring-constructs ``monitor_fargate_application_load_balancer``): CPU
      and memory, unhealthy targets, no healthy target (critical); from Container Insights,
      running tasks below desired and below the plan's minimum while an event is on.
    - Load balancer: requests, ELB and target 5xx rates, target response time p50 and p99, and
      the critical ELB 5xx rate (``impaired_alarms``).
    - Table replica (``monitor_dynamo_table``): throttled requests, system errors, latency; and
      ``ReplicationLatency`` to every other replica Region (no library monitor exists).
    - Every alarm notifies ``topic`` (``SnsAlarmActionStrategy``), on ALARM and on OK.
    - ``region_impaired`` (``seal``): a composite alarm, ANY of the critical alarms, the 5xx rate and
      the signals that this cell differs from the others. Route 53 cannot watch a composite alarm
      (or any metric math alarm), so the cell's calculated health check watches ``critical_alarms``
      one by one: each is a single standard-resolution metric with a basic statistic, and none is
      a count of traffic (docs/decisions/0014-observability.md).

    ``ReplicationLatency`` is published in the Region that writes (this cell) for each receiving
    Region. The alarm uses the per-minute **maximum**: while it is OK, every write older than the
    threshold has reached every other replica, so losing this Region loses at most ``threshold``
    seconds of writes. That threshold is the RPO bound the resilience budget reads back.

    ``name_prefix`` (``<app>-<env>-<region>``) starts every alarm name and names the dashboard,
    which must be unique in the account.

    Attributes: ``facade``, ``dashboard_factory``, ``replication_alarm_threshold_ms``,
    ``region_impaired`` (after ``seal``), ``critical_alarms`` (construct-ID key -> alarm that routes),
    ``impaired_alarms`` (key -> alarm that marks the Region impaired but does not route).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name_prefix: str,
        region: str,
        topic: sns.ITopic,
        monitoring: MonitoringConfig,
        load_balancer: elbv2.IApplicationLoadBalancer,
        services: list[MonitoredService],
        table_name: str,
        receiving_regions: list[str],
        replication_alarm_seconds: int | None,
        region_impaired_alarm_name: str,
    ) -> None:
        super().__init__(scope, id_)
        if region in receiving_regions:
            raise ValueError(f"receiving_regions must not contain the cell's own Region {region}")
        if not services:
            raise ValueError("a cell has at least one service to monitor")
        if monitoring.datapoints_to_alarm > monitoring.evaluation_minutes:
            raise ValueError("datapoints_to_alarm must be at most evaluation_minutes")
        self._m = monitoring
        self.name_prefix = name_prefix
        # Dashboard names are global in the account, not per Region: the default factory would name
        # every cell's dashboard after the construct ID ("Facade"), so each Region's prefix is explicit.
        self.dashboard_factory = DefaultDashboardFactory(self, "Dashboards", dashboard_name_prefix=name_prefix)
        self.action = SnsAlarmActionStrategy(on_alarm_topic=topic, on_ok_topic=topic)
        self.facade = MonitoringFacade(
            self,
            "Facade",
            dashboard_factory=self.dashboard_factory,
            alarm_factory_defaults=AlarmFactoryDefaults(
                alarm_name_prefix=name_prefix,
                actions_enabled=True,
                action=self.action,
                evaluation_periods=monitoring.evaluation_minutes,
                datapoints_to_alarm=monitoring.datapoints_to_alarm,
            ),
        )
        self.critical_alarms: dict[str, cloudwatch.Alarm] = {}
        self.impaired_alarms: dict[str, cloudwatch.Alarm] = {}
        self._services(load_balancer, services)
        self._load_balancer(load_balancer)
        monitor_table(self, self.facade, table_name, monitoring.table)
        self.replication_alarm_threshold_ms: int | None = None
        if replication_alarm_seconds is not None and receiving_regions:
            self.replication_alarm_threshold_ms = monitor_replication(
                self.facade, table_name, region, receiving_regions, replication_alarm_seconds
            )

        for alarm in [*self.critical_alarms.values(), *self.impaired_alarms.values()]:
            alarm.add_alarm_action(cw_actions.SnsAction(topic))
            alarm.add_ok_action(cw_actions.SnsAction(topic))
        self._region = region
        self._topic = topic
        self._region_impaired_alarm_name = region_impaired_alarm_name
        self._region_impaired: cloudwatch.CompositeAlarm | None = None

    def seal(self, differs: Mapping[str, cloudwatch.IAlarm] | None = None) -> cloudwatch.CompositeAlarm:
        """Create the "region impaired" composite: the critical alarms, the 5xx rate, and ``differs`` (signals that
        this cell differs from the others, such as its canaries' own-cell divergence). Call once, after every
        construct that contributes one exists."""
        if self._region_impaired is not None:
            raise ValueError("the region-impaired alarm is already sealed")
        members = {**self.critical_alarms, **self.impaired_alarms, **(differs or {})}
        self._region_impaired = cloudwatch.CompositeAlarm(
            self,
            "RegionImpaired",
            composite_alarm_name=self._region_impaired_alarm_name,
            alarm_description=(
                f"{self._region} is impaired: a service has no healthy target, the load balancer answers more than "
                f"{self._m.load_balancer.critical_5xx_percent:g}% of requests with its own 5xx, or this cell fails "
                "from inside its Region while the others answer. It pages; FIS experiments stop and the pipeline's "
                "bake fails on it. Route 53 takes the cell out of routing on the single-metric ones (no healthy "
                "target) and on its health checks, never on a traffic count."
            ),
            alarm_rule=cloudwatch.AlarmRule.any_of(*members.values()),
        )
        self._region_impaired.add_alarm_action(cw_actions.SnsAction(self._topic))
        self._region_impaired.add_ok_action(cw_actions.SnsAction(self._topic))
        return self._region_impaired

    @property
    def region_impaired(self) -> cloudwatch.CompositeAlarm:
        """The composite "region impaired" alarm (after ``seal``)."""
        if self._region_impaired is None:
            raise ValueError("seal() the monitoring before reading region_impaired")
        return self._region_impaired

    # -- per service ---------------------------------------------------------------------------------

    def _services(self, load_balancer: elbv2.IApplicationLoadBalancer, services: list[MonitoredService]) -> None:
        m, t = self._m, self._m.services
        for svc in services:
            self.facade.monitor_fargate_application_load_balancer(
                fargate_service=svc.service,
                application_load_balancer=load_balancer,
                application_target_group=svc.target_group,
                alarm_friendly_name=svc.name,
                human_readable_name=f"Service {svc.name}",
                add_cpu_usage_alarm={"Warning": UsageThreshold(max_usage_percent=t.cpu_percent)},
                add_memory_usage_alarm={"Warning": UsageThreshold(max_usage_percent=t.memory_percent)},
                add_unhealthy_task_count_alarm={"Warning": UnhealthyTaskCountThreshold(max_unhealthy_tasks=0)},
            )
            healthy = cloudwatch.Metric(
                namespace="AWS/ApplicationELB",
                metric_name="HealthyHostCount",
                dimensions_map={
                    "LoadBalancer": load_balancer.load_balancer_full_name,
                    "TargetGroup": svc.target_group.target_group_full_name,
                },
                statistic="Minimum",
                period=PERIOD,
            )
            self.critical_alarms[f"{pascal(svc.name)}NoHealthyTarget"] = healthy.create_alarm(
                self,
                f"{pascal(svc.name)}NoHealthyTarget",
                alarm_name=f"{self.name_prefix}-{svc.name}-no-healthy-target",
                alarm_description=f"{svc.name} has no healthy target in this cell: it cannot serve its paths.",
                threshold=1,
                comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                evaluation_periods=m.evaluation_minutes,
                datapoints_to_alarm=m.datapoints_to_alarm,
                treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
            )
            self._task_counts(svc)

    def _task_counts(self, svc: MonitoredService) -> None:
        t = self._m.services

        def insight(metric_name: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="ECS/ContainerInsights",
                metric_name=metric_name,
                dimensions_map={"ClusterName": svc.cluster_name, "ServiceName": svc.service.service_name},
                statistic="Minimum" if metric_name == "RunningTaskCount" else "Maximum",
                period=PERIOD,
            )

        running, desired = insight("RunningTaskCount"), insight("DesiredTaskCount")
        metrics = [
            CustomMetricWithAlarm(
                metric=cloudwatch.MathExpression(
                    expression="desired - running",
                    using_metrics={"desired": desired, "running": running},
                    label="desired - running",
                    period=PERIOD,
                ),
                alarm_friendly_name=f"{svc.name}-BelowDesired",
                add_alarm={
                    "Warning": CustomThreshold(
                        threshold=0,
                        comparison_operator=GREATER,
                        evaluation_periods=t.tasks_below_desired_minutes,
                        datapoints_to_alarm=t.tasks_below_desired_minutes,
                        treat_missing_data_override=NOT_BREACHING,
                        alarm_description_override=(
                            f"{svc.name}: fewer tasks running than desired for {t.tasks_below_desired_minutes} "
                            "minutes (tasks fail to start: image pull, quota, placement)."
                        ),
                    )
                },
            )
        ]
        if svc.planned is not None:
            # The agent publishes once a run: compare over its period, the running count at its lowest.
            period = svc.planned.period
            periods = max(1, -(-t.plan_grace_minutes // max(1, int(period.to_minutes()))))
            lowest = running.with_(period=period, statistic="Minimum")
            metrics.append(
                CustomMetricWithAlarm(
                    metric=cloudwatch.MathExpression(
                        expression="FILL(planned, 0) - lowest",
                        using_metrics={"planned": svc.planned, "lowest": lowest},
                        label="plan minimum - running",
                        period=period,
                    ),
                    alarm_friendly_name=f"{svc.name}-BelowPlan",
                    add_alarm={
                        "Critical": CustomThreshold(
                            threshold=0,
                            comparison_operator=GREATER,
                            evaluation_periods=periods,
                            datapoints_to_alarm=periods,
                            treat_missing_data_override=NOT_BREACHING,
                            alarm_description_override=(
                                f"{svc.name}: an event is on and fewer tasks run than the plan's minimum (the "
                                "capacity agent's PlannedMinimum): the pre-scaled capacity is not there."
                            ),
                        )
                    },
                )
            )
        self.facade.monitor_custom(
            alarm_friendly_name=f"{svc.name}-Tasks",
            human_readable_name=f"Tasks of {svc.name}",
            metric_groups=[
                CustomMetricGroup(title="Running and desired tasks", metrics=[running, desired]),
                CustomMetricGroup(title="Tasks missing", metrics=metrics),
            ],
        )

    # -- load balancer --------------------------------------------------------------------------------

    def _load_balancer(self, load_balancer: elbv2.IApplicationLoadBalancer) -> None:
        m, t = self._m, self._m.load_balancer
        dims = {"LoadBalancer": load_balancer.load_balancer_full_name}

        def metric(name: str, statistic: str = "Sum") -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/ApplicationELB",
                metric_name=name,
                dimensions_map=dims,
                statistic=statistic,
                period=PERIOD,
            )

        requests = metric("RequestCount")

        def rate(name: str, label: str, percent: float, what: str) -> CustomMetricWithAlarm:
            errors = "elb" if "ELB" in name else "target"  # metric IDs are unique per graph
            return CustomMetricWithAlarm(
                metric=cloudwatch.MathExpression(
                    expression=f"IF(requests >= {t.min_requests}, 100 * FILL({errors}, 0) / requests, 0)",
                    using_metrics={"requests": requests, errors: metric(name)},
                    label=label,
                    period=PERIOD,
                ),
                alarm_friendly_name=label.replace(" ", ""),
                add_alarm={
                    "Warning": CustomThreshold(
                        threshold=percent,
                        comparison_operator=GREATER,
                        treat_missing_data_override=NOT_BREACHING,
                        alarm_description_override=f"More than {percent}% of requests get a 5xx from {what}.",
                    )
                },
            )

        def latency(statistic: str, ms: int) -> CustomMetricWithAlarm:
            return CustomMetricWithAlarm(
                metric=metric("TargetResponseTime", statistic),
                alarm_friendly_name=f"TargetResponseTime-{statistic}",
                add_alarm={
                    "Warning": CustomThreshold(
                        threshold=ms / 1000,
                        comparison_operator=GREATER,
                        treat_missing_data_override=NOT_BREACHING,
                        alarm_description_override=f"Target response time {statistic} above {ms} ms.",
                    )
                },
            )

        elb_5xx_rate = cloudwatch.MathExpression(
            expression=f"IF(requests >= {t.min_requests}, 100 * FILL(elb, 0) / requests, 0)",
            using_metrics={"requests": requests, "elb": metric("HTTPCode_ELB_5XX_Count")},
            label="ELB 5xx (% of requests)",
            period=PERIOD,
        )
        self.impaired_alarms["LoadBalancer5xxRate"] = elb_5xx_rate.create_alarm(
            self,
            "LoadBalancer5xxRate",
            alarm_name=f"{self.name_prefix}-load-balancer-5xx-rate",
            alarm_description=(
                f"The load balancer itself answers more than {t.critical_5xx_percent:g}% of requests with a 5xx (no "
                "target answers, or targets fail): the cell is impaired. A rate, so a burst at the kickoff's arrivals "
                "or at a game's end does not cross it; it pages and feeds the region-impaired alarm, not routing."
            ),
            threshold=t.critical_5xx_percent,
            comparison_operator=GREATER,
            evaluation_periods=m.evaluation_minutes,
            datapoints_to_alarm=m.datapoints_to_alarm,
            treat_missing_data=NOT_BREACHING,
        )
        self.facade.monitor_custom(
            alarm_friendly_name="LoadBalancer",
            human_readable_name="Load balancer",
            metric_groups=[
                CustomMetricGroup(title="Requests (per minute)", metrics=[requests]),
                CustomMetricGroup(
                    title="5xx (% of requests)",
                    metrics=[
                        rate("HTTPCode_ELB_5XX_Count", "ELB 5xx rate", t.elb_5xx_percent, "the load balancer"),
                        rate("HTTPCode_Target_5XX_Count", "Target 5xx rate", t.target_5xx_percent, "the services"),
                    ],
                ),
                CustomMetricGroup(
                    title="Target response time (s)", metrics=[latency("p50", t.p50_ms), latency("p99", t.p99_ms)]
                ),
            ],
        )

    # -- table ----------------------------------------------------------------------------------------
