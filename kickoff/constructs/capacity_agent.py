"""The regional capacity agent: a Lambda function that applies the published forecast to this Region's capacity.

The template holds the agent, its role, its schedule, its registration (``<path>/spec``) and its alarms, and no
schedule of capacity: the plan is computed and applied at run time (kickoff/agent), so the template does not depend
on the time and a forecast change needs no release. If the agent stops, what it wrote stays in force for the horizon
and target tracking keeps scaling on load.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from kickoff.agent.handler import METRIC_NAMESPACE
from kickoff.agent.registration import SSM_STANDARD_LIMIT
from kickoff.agent.store import status_key
from kickoff.constructs._util import retention, source_scoped_principal
from kickoff.constructs.agent_code import HANDLER, agent_zip

# A run plans every cell's season and applies one Region's: about 10 s on 1 GB (numpy's arrays); 5 min bounds it.
MEMORY_MB = 1024
TIMEOUT = Duration.minutes(5)


@dataclass(frozen=True)
class AgentRegistry:
    """Where services register with the agent of an environment in a Region: the SSM path (deterministic, so a
    stack of another app registers by name, with no reference to the agent's stack)."""

    parameter_path: str
    environment: str


def agent_metric(
    environment: str,
    name: str,
    minutes: int,
    *,
    service: str | None = None,
    channel: str | None = None,
    statistic: str = "Maximum",
) -> cloudwatch.Metric:
    """A metric the agent publishes every run, over ``minutes`` (by default the highest value of the period), for
    the environment, one service or one live channel."""
    extra = {"Service": service} if service else {"Channel": channel} if channel else {}
    return cloudwatch.Metric(
        namespace=METRIC_NAMESPACE,
        metric_name=name,
        dimensions_map={"Environment": environment, **extra},
        statistic=statistic,
        period=Duration.minutes(minutes),
    )


class CapacityAgent(Construct):
    """The agent of one cell Region.

    - The function: Python 3.14 on ARM64 (Graviton), one run at a time (reserved concurrency 1), its own log group
      (KMS, retention), its environment naming the registration path, the forecast table and what it applies to.
    - A rate schedule (EventBridge Scheduler) runs it every ``rate_minutes``; ``kickoff forecast publish`` also
      invokes it after each publish.
    - Its role reads the registration and this Region's forecast replica, writes only its own status item, and
      writes only: scheduled actions and ranges of this account's ECS scalable targets in this Region (Application
      Auto Scaling cannot scope further for targets CloudFormation creates: no ARN attribute, no tags), the
      reservation of this cell's ALB, the reservation schedules of this cell's schedule group (passing only the
      Scheduler role), in the one Region that owns it, the table's warm throughput, and where live channels are
      ingested, MediaLive channels' state (start and stop).
    - Alarms on ``topic``: the agent has not succeeded for ``failing_minutes``; the plan in force covers less than
      ``covered_hours``; what is in force differs from the plan after a run; a published document was refused.

    Attributes: ``function``, ``role``, ``registry``, ``alarms``, ``spec_parameter``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        environment: str,
        function_name: str,
        registry: AgentRegistry,
        spec_json: str,
        forecast_table_name: str,
        binding: dict[str, object],
        cluster_name: str,
        load_balancer_arn: str | None,
        schedule_group: scheduler.IScheduleGroup,
        scheduler_role: iam.IRole | None,
        warm_throughput_table: str | None,
        rate_minutes: int,
        failing_minutes: int,
        covered_hours: float,
        topic: sns.ITopic,
        alarm_prefix: str,
        log_retention_days: int,
        log_key: kms.IKey,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        self.registry = registry
        self.spec_parameter = ssm.StringParameter(
            self,
            "Spec",
            parameter_name=f"{registry.parameter_path}/spec",
            string_value=spec_json,
            description=f"{environment}: the capacity plan's static half (planner knobs, cells, quotas, baseline)",
            tier=ssm.ParameterTier.STANDARD if len(spec_json) <= SSM_STANDARD_LIMIT else ssm.ParameterTier.ADVANCED,
        )
        log_group = logs.LogGroup(self, "Logs", retention=retention(log_retention_days), encryption_key=log_key)
        function_arn = f"arn:{stack.partition}:lambda:{stack.region}:{stack.account}:function:{function_name}"
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=source_scoped_principal(self, "lambda.amazonaws.com", function_arn),
            description=f"{environment} capacity agent: apply the published forecast to this Region's capacity",
        )
        log_group.grant_write(self.role)
        self._grant(
            stack,
            registry,
            forecast_table_name,
            cluster_name,
            load_balancer_arn,
            schedule_group,
            scheduler_role,
            warm_throughput_table,
            live_channels=bool(binding.get("live_channels")),
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            description=f"{environment}: plan the published forecast for this Region and apply it",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler=HANDLER,
            code=lambda_.Code.from_asset(str(agent_zip())),
            memory_size=MEMORY_MB,
            timeout=TIMEOUT,
            reserved_concurrent_executions=1,
            role=self.role,
            log_group=log_group,
            environment={
                "KICKOFF_ENVIRONMENT": environment,
                "KICKOFF_PARAMETER_PATH": registry.parameter_path,
                "KICKOFF_FORECAST_TABLE": forecast_table_name,
                "KICKOFF_BINDING": stack.to_json_string(binding),
            },
        )
        self.function.node.add_dependency(self.spec_parameter)
        self.schedule = scheduler.Schedule(
            self,
            "Run",
            schedule=scheduler.ScheduleExpression.rate(Duration.minutes(rate_minutes)),
            schedule_group=schedule_group,
            description=f"run the capacity agent every {rate_minutes} minutes",
            target=targets.LambdaInvoke(
                self.function,
                input=scheduler.ScheduleTargetInput.from_object({"source": "schedule"}),
                retry_attempts=0,
                max_event_age=Duration.minutes(rate_minutes),
            ),
        )
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        self._alarms(environment, rate_minutes, failing_minutes, covered_hours, topic, alarm_prefix)

    def _grant(
        self,
        stack: Stack,
        registry: AgentRegistry,
        forecast_table: str,
        cluster_name: str,
        load_balancer_arn: str | None,
        schedule_group: scheduler.IScheduleGroup,
        scheduler_role: iam.IRole | None,
        warm_throughput_table: str | None,
        *,
        live_channels: bool,
    ) -> None:
        arn = f"arn:{stack.partition}"
        here = f"{stack.region}:{stack.account}"
        table_arn = f"{arn}:dynamodb:{here}:table/{forecast_table}"
        statements = [
            iam.PolicyStatement(
                actions=["ssm:GetParametersByPath"],
                resources=[f"{arn}:ssm:{here}:parameter{registry.parameter_path}"],
            ),
            iam.PolicyStatement(actions=["dynamodb:Query", "dynamodb:GetItem"], resources=[table_arn]),
            iam.PolicyStatement(
                actions=["dynamodb:PutItem"],
                resources=[table_arn],
                conditions={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [status_key(stack.region)]}},
            ),
            # Describe calls take no resource (Service Authorization Reference).
            iam.PolicyStatement(
                actions=[
                    "application-autoscaling:DescribeScalableTargets",
                    "application-autoscaling:DescribeScheduledActions",
                    "elasticloadbalancing:DescribeCapacityReservation",
                    "scheduler:ListSchedules",
                ],
                resources=["*"],
            ),
            iam.PolicyStatement(
                actions=[
                    "application-autoscaling:PutScheduledAction",
                    "application-autoscaling:DeleteScheduledAction",
                    "application-autoscaling:RegisterScalableTarget",
                ],
                resources=[f"{arn}:application-autoscaling:{here}:scalable-target/*"],
            ),
            # Application Auto Scaling checks the caller may change the ECS service when a range is registered.
            iam.PolicyStatement(
                actions=["ecs:DescribeServices", "ecs:UpdateService"],
                resources=[f"{arn}:ecs:{here}:service/{cluster_name}/*"],
            ),
        ]
        if load_balancer_arn is not None and scheduler_role is not None:
            group = schedule_group.schedule_group_name
            statements += [
                iam.PolicyStatement(
                    actions=["elasticloadbalancing:ModifyCapacityReservation"], resources=[load_balancer_arn]
                ),
                iam.PolicyStatement(
                    actions=[
                        "scheduler:CreateSchedule",
                        "scheduler:UpdateSchedule",
                        "scheduler:DeleteSchedule",
                        "scheduler:GetSchedule",
                    ],
                    resources=[f"{arn}:scheduler:{here}:schedule/{group}/*"],
                ),
                iam.PolicyStatement(
                    actions=["iam:PassRole"],
                    resources=[scheduler_role.role_arn],
                    conditions={"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
                ),
            ]
        if warm_throughput_table is not None:
            statements.append(
                iam.PolicyStatement(
                    actions=["dynamodb:DescribeTable", "dynamodb:UpdateTable"],
                    resources=[f"{arn}:dynamodb:{here}:table/{warm_throughput_table}"],
                )
            )
        if live_channels:
            # MediaLive generates channel IDs; the agent acts only on the IDs registered under its SSM path.
            statements.append(
                iam.PolicyStatement(
                    actions=["medialive:DescribeChannel", "medialive:StartChannel", "medialive:StopChannel"],
                    resources=[f"{arn}:medialive:{here}:channel:*"],
                )
            )
        for statement in statements:
            self.role.add_to_policy(statement)

    def _alarms(
        self,
        environment: str,
        rate_minutes: int,
        failing_minutes: int,
        covered_hours: float,
        topic: sns.ITopic,
        prefix: str,
    ) -> None:
        def metric(name: str, statistic: str, minutes: int) -> cloudwatch.Metric:
            return agent_metric(environment, name, minutes, statistic=statistic)

        specs = [
            (
                "AgentFailing",
                metric("Success", "Maximum", failing_minutes),
                1,
                cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                1,
                cloudwatch.TreatMissingData.BREACHING,
                f"The capacity agent has not completed a run without error for {failing_minutes} minutes (or has not "
                "run): forecast changes do not reach this Region. What it wrote before stays in force; read its log "
                "group for the error.",
            ),
            (
                "PlanCoverageShort",
                metric("HorizonCoveredHours", "Minimum", 60),
                covered_hours,
                cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                1,
                cloudwatch.TreatMissingData.NOT_BREACHING,
                f"The plan in force covers less than {covered_hours:g} hours ahead: the agent has failed for a while. "
                "Events beyond the plan get only target tracking.",
            ),
            (
                "PlanDrift",
                metric("Drift", "Maximum", rate_minutes),
                1,
                cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                2,
                cloudwatch.TreatMissingData.NOT_BREACHING,
                "After two runs in a row, what is in force (scheduled actions, ranges) still differs from the plan: "
                "something else writes to these scalable targets. The agent's log names each difference.",
            ),
            (
                "ForecastRefused",
                metric("RefusedDocuments", "Maximum", rate_minutes),
                1,
                cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                1,
                cloudwatch.TreatMissingData.NOT_BREACHING,
                "A published forecast version failed the agent's validation or its planner, and the last good version "
                "stays applied. The agent's log names every problem; publish a fixed calendar.",
            ),
        ]
        for key, source, threshold, operator, periods, missing, description in specs:
            alarm = source.create_alarm(
                self,
                key,
                alarm_name=f"{prefix}-capacity-agent-{_kebab(key)}",
                alarm_description=description,
                threshold=threshold,
                comparison_operator=operator,
                evaluation_periods=periods,
                datapoints_to_alarm=periods,
                treat_missing_data=missing,
            )
            alarm.add_alarm_action(cw_actions.SnsAction(topic))
            alarm.add_ok_action(cw_actions.SnsAction(topic))
            self.alarms[key] = alarm


def _kebab(key: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in key).lstrip("-")
