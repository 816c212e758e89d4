"""ALB capacity-unit reservations, raised before events and released after, by EventBridge Scheduler."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from kickoff.constructs._util import source_scoped_principal

# The retry policy of each reservation schedule is the agent's (kickoff.agent.apply: 5 attempts within an hour).
# Failed changes stay long enough to be read after a weekend (SQS allows up to 14 days).
DEAD_LETTER_RETENTION = Duration.days(14)


class CapacitySchedules(Construct):
    """The cell's EventBridge Scheduler group, and what a scheduled ALB reservation change runs with.

    The capacity agent creates one ``at()`` schedule per reservation change in ``group`` at run time (the template
    holds none, so it does not depend on the time); each calls ``ModifyCapacityReservation`` through Scheduler's
    universal target with ``role``, which may modify only this load balancer's reservation (the action CDK would
    generate, ``elasticloadbalancingv2:...``, is not a valid IAM action, so the statement is written here). A
    reservation of N sets ``MinimumLoadBalancerCapacity.CapacityUnits`` to N; 0 resets it. A change that still fails
    after its retries goes to ``dead_letter_queue``; ``CapacityWatch`` alarms on it. The agent's own run schedule
    lives in the group too.

    Attributes: ``group``, ``group_name``, ``role`` and ``dead_letter_queue`` (None without ``load_balancer``).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        group_name: str,
        load_balancer: elbv2.IApplicationLoadBalancer | None,
    ) -> None:
        super().__init__(scope, id_)
        self.group_name = group_name
        # Derived state, rebuilt on every deploy and by the agent: deleted with the stack, so a rebuilt Region can
        # create its group under the same name (aws-cdk-lib's default would retain it).
        self.group = scheduler.ScheduleGroup(
            self, "Group", schedule_group_name=group_name, removal_policy=RemovalPolicy.DESTROY
        )
        self.role: iam.Role | None = None
        self.dead_letter_queue: sqs.Queue | None = None
        if load_balancer is None:
            return
        # Only schedules of this account's group may assume the role (confused-deputy prevention; Scheduler
        # evaluates the schedule-group ARN).
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=source_scoped_principal(self, "scheduler.amazonaws.com", self.group.schedule_group_arn),
            description="EventBridge Scheduler: raise and release this cell's ALB capacity reservation",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["elasticloadbalancing:ModifyCapacityReservation"],
                resources=[load_balancer.load_balancer_arn],
            )
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
        self.dead_letter_queue.grant_send_messages(self.role)
