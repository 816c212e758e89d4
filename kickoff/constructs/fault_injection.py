"""The cell's AWS FIS experiment templates: the failures a game day rehearses, each stopped by the cell's alarm.

Per cell (decision 0016; docs/runbooks/):

- ``stop-tasks-<az>``: ``aws:ecs:stop-task`` on a share of the cell's running tasks in one AZ;
- ``network-<az>``: ``aws:network:disrupt-connectivity`` (scope ``availability-zone``) on that AZ's subnets;
- ``zonal-shift-<az>``: ``aws:arc:start-zonal-autoshift`` of the cell's ALB away from that AZ;
- ``pause-replication``: ``aws:dynamodb:global-table-pause-replication`` on the Region's replica.

Every template stops when the cell's region-impaired composite alarm goes into ALARM, logs to
one encrypted log group, and runs as its own role, limited to its targets. FIS names nothing
account-wide (templates get generated IDs; the ``Name`` tag is for people), so per-Region copies
never collide.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_arczonalshift as zonalshift
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_fis as fis
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from kickoff.config.models import FaultInjectionConfig
from kickoff.config.models.fault_injection import (
    AZ_TAG,
    DISRUPT_NETWORK,
    PAUSE_REPLICATION,
    STOP_TASK,
    ZONAL_SHIFT,
)

LOG_SCHEMA_VERSION = 2  # FIS experiment logging, current schema (FIS user guide, "Experiment logging")
# What FIS needs to deliver experiment logs to CloudWatch Logs (vended logs); account-level actions.
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:PutResourcePolicy",
)


@dataclass(frozen=True)
class Experiment:
    """One experiment template and the role it runs as."""

    key: str
    action: str
    availability_zone: str | None
    template: fis.CfnExperimentTemplate
    role: iam.Role


def _minutes(value: int) -> str:
    return f"PT{value}M"


class CellFaultInjection(Construct):
    """The cell's experiment templates (see the module docstring).

    ``task_tags`` are tags every task of the cell carries (the services propagate theirs); the task
    target selects the cell's tasks by them, then by AZ and state. Attributes: ``experiments``
    (key -> Experiment), ``log_group``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: FaultInjectionConfig,
        name_prefix: str,
        availability_zones: list[str],
        vpc: ec2.IVpc,
        cluster_name: str,
        task_tags: dict[str, str],
        load_balancer: elbv2.IApplicationLoadBalancer,
        table_name: str,
        strong_consistency: bool,
        stop_alarm: cloudwatch.IAlarm,
        log_key: kms.IKey,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        self._prefix = name_prefix
        self._stop_alarm = stop_alarm
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            encryption_key=log_key,
            retention=log_retention,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.experiments: dict[str, Experiment] = {}
        task_arns = stack.format_arn(service="ecs", resource="task", resource_name=f"{cluster_name}/*")
        for az in availability_zones:
            # Every subnet of the AZ: the tasks' private one, and the public one with its ALB node and NAT gateway.
            subnets = [s for s in [*vpc.public_subnets, *vpc.private_subnets] if s.availability_zone == az]
            subnet_arns = [
                stack.format_arn(service="ec2", resource="subnet", resource_name=s.subnet_id) for s in subnets
            ]
            self._add(
                f"stop-tasks-{az}",
                STOP_TASK,
                az,
                description=f"Stop {config.task_share_percent}% of the cell's running tasks in {az}",
                target=fis.CfnExperimentTemplate.ExperimentTemplateTargetProperty(
                    resource_type="aws:ecs:task",
                    resource_tags=task_tags,
                    filters=[
                        fis.CfnExperimentTemplate.ExperimentTemplateTargetFilterProperty(
                            path="AvailabilityZone", values=[az]
                        ),
                        fis.CfnExperimentTemplate.ExperimentTemplateTargetFilterProperty(
                            path="LastStatus", values=["RUNNING"]
                        ),
                    ],
                    selection_mode=f"PERCENT({config.task_share_percent})",
                ),
                target_key="Tasks",
                parameters=None,
                statements=[
                    iam.PolicyStatement(actions=["ecs:DescribeTasks", "ecs:ListTasks"], resources=["*"]),
                    iam.PolicyStatement(actions=["ecs:StopTask"], resources=[task_arns]),
                    iam.PolicyStatement(actions=["tag:GetResources"], resources=["*"]),
                ],
            )
            self._add(
                f"network-{az}",
                DISRUPT_NETWORK,
                az,
                description=f"Cut {az}'s subnets off from the rest of the VPC for {config.network_minutes} min",
                target=fis.CfnExperimentTemplate.ExperimentTemplateTargetProperty(
                    resource_type="aws:ec2:subnet", resource_arns=subnet_arns, selection_mode="ALL"
                ),
                target_key="Subnets",
                parameters={"duration": _minutes(config.network_minutes), "scope": "availability-zone"},
                statements=self._network_statements(stack, vpc, subnet_arns),
            )
            self._add(
                f"zonal-shift-{az}",
                ZONAL_SHIFT,
                az,
                description=f"Shift the cell ALB's traffic away from {az} for {config.zonal_shift_minutes} min",
                target=fis.CfnExperimentTemplate.ExperimentTemplateTargetProperty(
                    resource_type="aws:arc:zonal-shift-managed-resource",
                    resource_arns=[load_balancer.load_balancer_arn],
                    selection_mode="ALL",
                ),
                target_key="ManagedResources",
                parameters={
                    "availabilityZoneIdentifier": az,
                    "duration": _minutes(config.zonal_shift_minutes),
                    "managedResourceTypes": "ALB",
                    # An ALB is a managed resource whether or not zonal autoshift is on for it.
                    "zonalAutoshiftStatus": "ANY",
                },
                statements=[
                    iam.PolicyStatement(
                        actions=[
                            "arc-zonal-shift:CancelZonalShift",
                            "arc-zonal-shift:GetManagedResource",
                            "arc-zonal-shift:StartZonalShift",
                            "arc-zonal-shift:UpdateZonalShift",
                        ],
                        resources=[load_balancer.load_balancer_arn],
                    ),
                    iam.PolicyStatement(
                        actions=[
                            "arc-zonal-shift:ListManagedResources",
                            "autoscaling:DescribeTags",
                            "tag:GetResources",
                        ],
                        resources=["*"],
                    ),
                ],
            )
        table_arn = stack.format_arn(service="dynamodb", resource="table", resource_name=table_name)
        replication = [
            iam.PolicyStatement(
                actions=[
                    "dynamodb:DeleteResourcePolicy",
                    "dynamodb:DescribeTable",
                    "dynamodb:GetResourcePolicy",
                    "dynamodb:PutResourcePolicy",
                ],
                resources=[table_arn, f"{table_arn}/stream/*"],
            ),
            iam.PolicyStatement(actions=["tag:GetResources"], resources=["*"]),
        ]
        if strong_consistency:
            replication.append(iam.PolicyStatement(actions=["dynamodb:InjectError"], resources=[table_arn]))
        self._add(
            "pause-replication",
            PAUSE_REPLICATION,
            None,
            description=(
                f"Pause replication to and from the {stack.region} replica for {config.replication_pause_minutes} min"
            ),
            target=fis.CfnExperimentTemplate.ExperimentTemplateTargetProperty(
                resource_type="aws:dynamodb:global-table", resource_arns=[table_arn], selection_mode="ALL"
            ),
            target_key="Tables",
            parameters={"duration": _minutes(config.replication_pause_minutes)},
            statements=replication,
        )

    @staticmethod
    def _network_statements(stack: Stack, vpc: ec2.IVpc, subnet_arns: list[str]) -> list[iam.PolicyStatement]:
        """FIS clones the subnets' network ACL, adds deny entries, swaps it in, and deletes it afterwards:
        ACL changes only inside this VPC, association swaps only on this AZ's subnets."""
        vpc_arn = stack.format_arn(service="ec2", resource="vpc", resource_name=vpc.vpc_id)
        acls = stack.format_arn(service="ec2", resource="network-acl", resource_name="*")
        in_vpc = {"StringEquals": {"ec2:Vpc": vpc_arn}}
        return [
            iam.PolicyStatement(actions=["ec2:CreateNetworkAcl"], resources=[acls, vpc_arn]),
            iam.PolicyStatement(
                actions=["ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"], resources=[acls], conditions=in_vpc
            ),
            iam.PolicyStatement(
                actions=["ec2:CreateTags"],
                resources=[acls],
                conditions={"StringEquals": {"ec2:CreateAction": "CreateNetworkAcl"}},
            ),
            iam.PolicyStatement(actions=["ec2:ReplaceNetworkAclAssociation"], resources=[acls, *subnet_arns]),
            iam.PolicyStatement(
                actions=[
                    "ec2:DescribeManagedPrefixLists",
                    "ec2:DescribeNetworkAcls",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeVpcs",
                    "ec2:GetManagedPrefixListEntries",
                ],
                resources=["*"],
            ),
        ]

    def _add(
        self,
        key: str,
        action: str,
        availability_zone: str | None,
        *,
        description: str,
        target: fis.CfnExperimentTemplate.ExperimentTemplateTargetProperty,
        target_key: str,
        parameters: dict[str, str] | None,
        statements: list[iam.PolicyStatement],
    ) -> None:
        construct_id = "".join(part.capitalize() for part in key.split("-"))
        role = iam.Role(
            self,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal(
                "fis.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            ),
            description=f"{self._prefix} FIS {key}",
        )
        for statement in statements:
            role.add_to_policy(statement)
        role.add_to_policy(iam.PolicyStatement(actions=list(LOG_DELIVERY_ACTIONS), resources=["*"]))
        template = fis.CfnExperimentTemplate(
            self,
            construct_id,
            description=description,
            role_arn=role.role_arn,
            targets={"targets": target},
            actions={
                "fault": fis.CfnExperimentTemplate.ExperimentTemplateActionProperty(
                    action_id=action, targets={target_key: "targets"}, parameters=parameters
                )
            },
            stop_conditions=[
                fis.CfnExperimentTemplate.ExperimentTemplateStopConditionProperty(
                    source="aws:cloudwatch:alarm", value=self._stop_alarm.alarm_arn
                )
            ],
            log_configuration=fis.CfnExperimentTemplate.ExperimentTemplateLogConfigurationProperty(
                log_schema_version=LOG_SCHEMA_VERSION,
                cloud_watch_logs_configuration={"LogGroupArn": self.log_group.log_group_arn},
            ),
            experiment_options=fis.CfnExperimentTemplate.ExperimentTemplateExperimentOptionsProperty(
                account_targeting="single-account", empty_target_resolution_mode="fail"
            ),
            tags={"Name": f"{self._prefix}-{key}", **({AZ_TAG: availability_zone} if availability_zone else {})},
        )
        self.experiments[key] = Experiment(key, action, availability_zone, template, role)


# A practice run may be blocked in at most this many weekly windows (AWS::ARCZonalShift::ZonalAutoshiftConfiguration).
MAX_BLOCKED_WINDOWS = 15


class ZonalAutoshift(Construct):
    """ARC zonal autoshift for the cell ALB: AWS shifts its traffic away from an AZ it sees impaired.

    Autoshift requires practice runs: ARC shifts the ALB away from one AZ about weekly and judges the
    run by ``outcome_alarm`` (the cell's region-impaired alarm). ``blocked_windows`` (weekly UTC windows such as
    ``Thu:23:00-Fri:06:00``, at most 15: the weekly slots the calendar's events occupy) keep practice runs off game
    times; being weekly, they do not depend on when the template is synthesized.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        load_balancer: elbv2.IApplicationLoadBalancer,
        outcome_alarm: cloudwatch.IAlarm,
        blocked_windows: list[str],
    ) -> None:
        super().__init__(scope, id_)
        if len(blocked_windows) > MAX_BLOCKED_WINDOWS:
            raise ValueError(f"at most {MAX_BLOCKED_WINDOWS} blocked windows (got {len(blocked_windows)})")
        self.configuration = zonalshift.CfnZonalAutoshiftConfiguration(
            self,
            "Configuration",
            resource_identifier=load_balancer.load_balancer_arn,
            zonal_autoshift_status="ENABLED",
            practice_run_configuration=zonalshift.CfnZonalAutoshiftConfiguration.PracticeRunConfigurationProperty(
                outcome_alarms=[
                    zonalshift.CfnZonalAutoshiftConfiguration.ControlConditionProperty(
                        alarm_identifier=outcome_alarm.alarm_arn, type="CLOUDWATCH"
                    )
                ],
                blocked_windows=blocked_windows or None,
            ),
        )
