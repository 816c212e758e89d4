"""Alarms that say the pre-scaled capacity will not be there: before kickoff, not after it.

The capacity agent writes the plan ahead (scheduled actions, reservation schedules); the schedules then run with
nobody watching. Each way a reservation can fail silently gets an alarm on the cell's topic:

- ``ReservationChangeFailed``: the Scheduler group's target errors, dropped invocations and dead letters
  (a change that still fails after its retries, such as a Region whose reservation quota was never raised).
- ``ReservationNotInForce``: the ALB's ``ReservedLCUs`` (reserved LCUs / 60 each minute) is below what the agent
  says the plan expects by now (``ReservationExpectedLCU``: a raise counts once its grace has passed).

Neither depends on the time: the template is the same whenever it is synthesized. The agent's own alarms (it fails,
its plan runs short, what is in force drifts) are on ``CapacityAgent``.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

PERIOD = Duration.minutes(1)
# A reservation short of plan for this many minutes in a row alarms (it may dip while AWS rebalances).
SHORT_MINUTES = 5
# Reserved LCUs may read a little under the request while AWS rounds per AZ.
RESERVATION_TOLERANCE_LCU = 1
GREATER = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD


class CapacityWatch(Construct):
    """The alarms above, notifying ``topic``; each is a metric math alarm with its reason in the description.
    ``expected`` is the agent's ``ReservationExpectedLCU`` (published every run). Attributes: ``alarms``."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name_prefix: str,
        topic: sns.ITopic,
        load_balancer: elbv2.IApplicationLoadBalancer | None = None,
        expected: cloudwatch.Metric | None = None,
        schedule_group: scheduler.IScheduleGroup | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        self._prefix, self._topic = name_prefix, topic
        if schedule_group is not None and dead_letter_queue is not None:
            self._changes_failed(schedule_group, dead_letter_queue)
        if load_balancer is not None and expected is not None:
            self._not_in_force(load_balancer, expected)

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

    def _not_in_force(self, load_balancer: elbv2.IApplicationLoadBalancer, expected: cloudwatch.Metric) -> None:
        period = expected.period
        reserved = cloudwatch.Metric(
            namespace="AWS/ApplicationELB",
            metric_name="ReservedLCUs",
            dimensions_map={"LoadBalancer": load_balancer.load_balancer_full_name},
            statistic="Average",
            period=period,
        )
        short = cloudwatch.MathExpression(
            expression=f"FILL(expected, 0) - 60 * FILL(reserved, 0) - {RESERVATION_TOLERANCE_LCU}",
            using_metrics={"expected": expected, "reserved": reserved},
            label="expected - reserved LCU",
            period=period,
        )
        self._alarm(
            "ReservationNotInForce",
            short,
            "The ALB holds fewer reserved capacity units than the plan expects by now (ReservedLCUs x 60 against the "
            "capacity agent's ReservationExpectedLCU): the request failed or is still pending hours after it was "
            "made. Check aws elbv2 describe-capacity-reservation; without the reservation the ALB scales only as "
            "traffic arrives.",
            minutes=max(1, -(-SHORT_MINUTES // max(1, int(period.to_minutes())))),
        )


def _words(key: str) -> list[str]:
    out, word = [], ""
    for char in key:
        if char.isupper() and word:
            out.append(word.lower())
            word = ""
        word += char
    return [*out, word.lower()]
