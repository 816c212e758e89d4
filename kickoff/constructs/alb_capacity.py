"""ALB capacity-unit reservations, raised before events and released after, by EventBridge Scheduler."""

from __future__ import annotations

from datetime import UTC

from aws_cdk import Duration, RemovalPolicy, TimeZone
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from kickoff.constructs._util import source_scoped_principal
from kickoff.scaling import AlbReservation

# Scheduler's default retry policy (185 attempts over 24 h) would keep retrying a reservation
# long after the event; a few attempts within an hour either succeed or page a human.
RETRY_ATTEMPTS = 5
MAX_EVENT_AGE = Duration.hours(1)
# Failed changes stay long enough to be read after a weekend (SQS allows up to 14 days).
DEAD_LETTER_RETENTION = Duration.days(14)


class AlbCapacityReservations(Construct):
    """One at() schedule per reservation change, calling ``ModifyCapacityReservation`` directly.

    EventBridge Scheduler's universal target calls the ELB API with no Lambda. A
    reservation of N sets ``MinimumLoadBalancerCapacity.CapacityUnits`` to N; a
    reservation of 0 resets it (``ResetCapacityReservation``). The planner already merges
    close events, because AWS allows only two reservation decreases per day. The role may
    only modify this load balancer's reservation (the action CDK would generate,
    ``elasticloadbalancingv2:...``, is not a valid IAM action, so the statement is given).

    A change that fails after its retries goes to ``dead_letter_queue``; ``CapacityWatch`` alarms on it, on the
    group's target errors, and on a reservation that is not in force when the plan needs it.

    Attributes: ``schedules``, ``role``, ``group``, ``dead_letter_queue``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        load_balancer: elbv2.IApplicationLoadBalancer,
        reservations: list[AlbReservation],
        group_name: str,
    ) -> None:
        super().__init__(scope, id_)
        times = [r.at for r in reservations]
        if len(set(times)) != len(times):
            raise ValueError("two ALB reservation changes at the same instant")
        if any(r.capacity_units < 0 for r in reservations):
            raise ValueError("ALB capacity units must be >= 0")
        # Derived state, rebuilt from the plan on every deploy: deleted with the stack, so a rebuilt
        # Region can create its group under the same name (aws-cdk-lib's default would retain it).
        self.group = scheduler.ScheduleGroup(
            self, "Group", schedule_group_name=group_name, removal_policy=RemovalPolicy.DESTROY
        )
        # Only schedules of this account's group may assume the role (confused-deputy prevention; Scheduler
        # evaluates the schedule-group ARN).
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=source_scoped_principal(self, "scheduler.amazonaws.com", self.group.schedule_group_arn),
            description="EventBridge Scheduler: raise and release this cell's ALB capacity reservation",
        )
        statement = iam.PolicyStatement(
            actions=["elasticloadbalancing:ModifyCapacityReservation"],
            resources=[load_balancer.load_balancer_arn],
        )
        # A change that still fails after its retries lands here (and alarms), instead of vanishing: the Region's
        # reservation quota never raised, a decrease over the daily limit, a load balancer being replaced.
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DEAD_LETTER_RETENTION,
        )
        self.schedules: list[scheduler.Schedule] = []
        for reservation in sorted(reservations, key=lambda r: r.at):
            at = reservation.at.astimezone(UTC)
            body: dict[str, object] = {"LoadBalancerArn": load_balancer.load_balancer_arn}
            if reservation.capacity_units:
                body["MinimumLoadBalancerCapacity"] = {"CapacityUnits": reservation.capacity_units}
                what = f"reserve {reservation.capacity_units} LCU"
            else:
                body["ResetCapacityReservation"] = True
                what = "release the reservation"
            self.schedules.append(
                scheduler.Schedule(
                    self,
                    f"At{at:%Y%m%dT%H%M}",
                    schedule=scheduler.ScheduleExpression.at(at, TimeZone.ETC_UTC),
                    schedule_group=self.group,
                    description=f"{what} at {at:%Y-%m-%d %H:%M} UTC",
                    target=targets.Universal(
                        service="elasticloadbalancingv2",
                        action="modifyCapacityReservation",
                        input=scheduler.ScheduleTargetInput.from_object(body),
                        policy_statements=[statement],
                        role=self.role,
                        retry_attempts=RETRY_ATTEMPTS,
                        max_event_age=MAX_EVENT_AGE,
                        dead_letter_queue=self.dead_letter_queue,
                    ),
                )
            )
