"""Alarms that say the pre-scaled capacity will not be there: before kickoff, not after it.

The plan is carried out by schedules nobody watches: EventBridge Scheduler raises and releases the ALB's
capacity reservation, Application Auto Scaling raises the tasks, and both stop at the end of the compiled
horizon. Each way that can fail silently gets an alarm on the cell's topic:

- ``ReservationChangeFailed``: the Scheduler group's target errors, dropped invocations and dead letters
  (a change that still fails after its retries, such as a Region whose reservation quota was never raised).
- ``ReservationNotInForce``: while the plan expects a reservation (a grace after each raise, through its
  release), the ALB's ``ReservedLCUs`` (a per-minute sum: reserved LCUs / 60) shows less than planned.
- ``PlanRunsOut``: the compiled plan (scheduled actions, reservations) ends at the horizon; the alarm fires
  ``warn_before`` it, while a release still has time to compile the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from kickoff.constructs.level_math import floor_expression

PERIOD = Duration.minutes(1)
# A reservation short of plan for this many minutes in a row alarms (it may dip while AWS rebalances).
SHORT_MINUTES = 5
# Reserved LCUs may read a little under the request while AWS rounds per AZ.
RESERVATION_TOLERANCE_LCU = 1
GREATER = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD


@dataclass(frozen=True)
class _Expiry:
    """A level of 1 from ``start`` (the warning) to ``end`` (far after the horizon): "the plan runs out"."""

    start: datetime
    end: datetime
    value: int = 1


class CapacityWatch(Construct):
    """The alarms above, notifying ``topic``; each is a metric math alarm with its reason in the description.

    ``anchor`` is a metric that always has data while the cell runs (a target group's healthy targets): the
    time-based expressions take their timestamps from it. ``reservation_levels`` come from the plan
    (``DeploymentPlan.reservation_levels``); ``plan_ends`` is the end of the compiled horizon (None without a
    plan).

    Attributes: ``alarms`` (key -> alarm).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name_prefix: str,
        topic: sns.ITopic,
        anchor: cloudwatch.IMetric,
        load_balancer: elbv2.IApplicationLoadBalancer | None = None,
        schedule_group: scheduler.IScheduleGroup | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        reservation_levels: Sequence[object] = (),
        plan_ends: datetime | None = None,
        warn_before: timedelta = timedelta(days=3),
    ) -> None:
        super().__init__(scope, id_)
        if reservation_levels and load_balancer is None:
            raise ValueError("reservation levels need the load balancer whose ReservedLCUs they are compared with")
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        self._prefix, self._topic = name_prefix, topic
        if schedule_group is not None and dead_letter_queue is not None:
            self._changes_failed(schedule_group, dead_letter_queue)
        if reservation_levels and load_balancer is not None:
            self._not_in_force(anchor, load_balancer, reservation_levels)
        if plan_ends is not None:
            self._runs_out(anchor, plan_ends, warn_before)

    def _alarm(self, key: str, metric: cloudwatch.IMetric, description: str, minutes: int = 1) -> cloudwatch.Alarm:
        alarm = metric.create_alarm(
            self,
            key,
            alarm_name=f"{self._prefix}-{'-'.join(_words(key))}",
            alarm_description=description,
            threshold=0,
            comparison_operator=GREATER,
            evaluation_periods=minutes,
            datapoints_to_alarm=minutes,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self._topic))
        alarm.add_ok_action(cw_actions.SnsAction(self._topic))
        self.alarms[key] = alarm
        return alarm

    def _changes_failed(self, group: scheduler.IScheduleGroup, queue: sqs.IQueue) -> None:
        def sum_of(metric: cloudwatch.Metric) -> cloudwatch.Metric:
            return metric.with_(period=PERIOD, statistic="Sum")

        failures = cloudwatch.MathExpression(
            expression="FILL(errors, 0) + FILL(dropped, 0) + FILL(undelivered, 0) + FILL(dead, 0)",
            using_metrics={
                "errors": sum_of(group.metric_target_errors()),
                "dropped": sum_of(group.metric_dropped()),
                "undelivered": sum_of(group.metric_failed_to_be_sent_to_dlq()),
                "dead": queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
            },
            label="reservation changes failed",
            period=PERIOD,
        )
        self._alarm(
            "ReservationChangeFailed",
            failures,
            "A scheduled change of the ALB capacity reservation failed (a target error, a dropped invocation, or a "
            "change in the dead-letter queue after every retry): the reservation the plan needs may not be made. "
            "Read the dead-letter message, fix the cause (often the Region's reserved-LCU quota) and apply the change "
            "by hand: aws elbv2 modify-capacity-reservation.",
        )

    def _not_in_force(
        self, anchor: cloudwatch.IMetric, load_balancer: elbv2.IApplicationLoadBalancer, levels: Sequence[object]
    ) -> None:
        planned = floor_expression("anchor", levels, subtract=False)  # type: ignore[arg-type]
        if planned is None:
            return
        reserved = cloudwatch.Metric(
            namespace="AWS/ApplicationELB",
            metric_name="ReservedLCUs",
            dimensions_map={"LoadBalancer": load_balancer.load_balancer_full_name},
            statistic="Sum",
            period=PERIOD,
        )
        short = cloudwatch.MathExpression(
            expression=f"({planned}) - 60 * FILL(reserved, 0) - {RESERVATION_TOLERANCE_LCU}",
            using_metrics={"anchor": anchor, "reserved": reserved},
            label="planned - reserved LCU",
            period=PERIOD,
        )
        self._alarm(
            "ReservationNotInForce",
            short,
            "The ALB holds fewer reserved capacity units than the plan needs before this event (ReservedLCUs, a "
            "per-minute sum, x 60): the request failed or is still pending hours after it was made. Check aws elbv2 "
            "describe-capacity-reservation; without the reservation the ALB scales only as traffic arrives.",
            minutes=SHORT_MINUTES,
        )

    def _runs_out(self, anchor: cloudwatch.IMetric, ends: datetime, warn_before: timedelta) -> None:
        level = _Expiry(ends - warn_before, ends + timedelta(days=3650))
        expression = floor_expression("anchor", [level], subtract=False)
        assert expression is not None
        self._alarm(
            "PlanRunsOut",
            cloudwatch.MathExpression(
                expression=expression, using_metrics={"anchor": anchor}, label="plan runs out", period=PERIOD
            ),
            f"The compiled capacity plan (scheduled actions and ALB reservations) ends at {ends:%Y-%m-%d %H:%M} UTC. "
            "Release before then: any deploy of this cell compiles the next horizon.",
        )


def _words(key: str) -> list[str]:
    out, word = [], ""
    for char in key:
        if char.isupper() and word:
            out.append(word.lower())
            word = ""
        word += char
    return [*out, word.lower()]
