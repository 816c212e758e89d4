"""The reviewed findings of each cell's capacity agent: its unscoped reads, the prefixes IAM cannot narrow
further, its runtime, and aws-cdk-lib's Scheduler target role that invokes it."""

from __future__ import annotations

from kickoff.guardrails.acknowledgement import Acknowledgement, acknowledge
from kickoff.stacks.cell import CellStack

AGENT_UNSCOPED_ACTIONS = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-IAM5[Resource::*]",
    "The capacity agent's read-only calls application-autoscaling:DescribeScalableTargets and "
    "DescribeScheduledActions, elasticloadbalancing:DescribeCapacityReservation and scheduler:ListSchedules support no "
    "resource-level permissions (Service Authorization Reference), so Resource must be *.",
)
AGENT_RUNTIME = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-L1",
    "The capacity agent runs Python 3.14, the newest Python runtime aws-cdk-lib 2.275 knows; cdk-nag 3.0.2 compares "
    "against a family list that DR-LambdaRuntimeSupported replaces with dated deprecations.",
)


def acknowledge_agent(cell: CellStack) -> None:
    """The capacity agent's role: its unscoped reads, and the two prefixes IAM cannot narrow further."""
    agent = cell.capacity_agent
    cluster = cell.get_logical_id(cell.cluster.node.default_child)
    function = cell.get_logical_id(agent.function.node.default_child)
    acknowledge(
        agent.role.node.find_child("DefaultPolicy"),
        AGENT_UNSCOPED_ACTIONS,
        Acknowledgement(
            "AwsSolutions",
            f"AwsSolutions-IAM5[Resource::arn:aws:application-autoscaling:{cell.region}:{cell.account}:"
            "scalable-target/*]",
            "Scheduled actions and ranges of this account's scalable targets in this Region: a scalable target made "
            "by CloudFormation has no ARN attribute and takes no tags (AWS::ApplicationAutoScaling::ScalableTarget), "
            "so no policy can name it; the agent itself writes only the resource IDs registered under its SSM path.",
        ),
        Acknowledgement(
            "AwsSolutions",
            f"AwsSolutions-IAM5[Resource::arn:aws:ecs:{cell.region}:{cell.account}:service/<{cluster}>/*]",
            "Application Auto Scaling checks that the caller of RegisterScalableTarget may describe and update the "
            "ECS service; the services of this cell's cluster only (their names are generated).",
        ),
    )
    if cell.capacity_schedules.role is not None:
        acknowledge(
            agent.role.node.find_child("DefaultPolicy"),
            Acknowledgement(
                "AwsSolutions",
                f"AwsSolutions-IAM5[Resource::arn:aws:scheduler:{cell.region}:{cell.account}:schedule/"
                f"{cell.capacity_schedules.group_name}/*]",
                "The agent creates, updates and deletes the reservation schedules of this cell's own schedule group "
                "only; their names follow the plan's times, so the group is the narrowest resource.",
            ),
        )
    if cell.live_channels:
        acknowledge(
            agent.role.node.find_child("DefaultPolicy"),
            Acknowledgement(
                "AwsSolutions",
                f"AwsSolutions-IAM5[Resource::arn:aws:medialive:{cell.region}:{cell.account}:channel:*]",
                "MediaLive generates channel IDs when the live stack (deployed after this cell) creates them; the "
                "agent describes, starts and stops only the channel IDs registered under its SSM path, around the "
                "events each serves.",
            ),
        )
    acknowledge(agent.function, AGENT_RUNTIME)
    # aws-cdk-lib makes the Scheduler target role once per stack, beside the stack's other constructs.
    for child in cell.node.children:
        if child.node.id.startswith("SchedulerRoleForTarget-"):
            acknowledge(
                child.node.find_child("DefaultPolicy"),
                Acknowledgement(
                    "AwsSolutions",
                    f"AwsSolutions-IAM5[Resource::<{function}.Arn>:*]",
                    "aws-cdk-lib's EventBridge Scheduler target role may invoke the capacity agent and its versions "
                    "(the qualifier is the wildcard); it invokes nothing else.",
                ),
            )
