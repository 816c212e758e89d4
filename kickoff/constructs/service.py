"""One Fargate service on Graviton behind the cell ALB, with target-tracking autoscaling."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from kickoff.config.models import ServiceConfig
from kickoff.constructs._util import retention, source_scoped_principal
from kickoff.constructs.capacity_agent import AgentRegistry
from kickoff.constructs.prescaled_service import LoadModel, PrescaledService

# Target-group health checks: a task is in service after 2 x 10 s, out after 2 x 10 s.
HEALTH_CHECK_INTERVAL = Duration.seconds(10)
HEALTH_CHECK_TIMEOUT = Duration.seconds(5)
# In-flight requests get 30 s to finish when a task is drained (scale-in, deploy).
DEREGISTRATION_DELAY = Duration.seconds(30)


def load_model(service: ServiceConfig) -> LoadModel:
    """A configured service's load model, as the library construct takes it."""
    return LoadModel(
        requests_per_viewer_per_second=service.requests_per_viewer_per_second,
        requests_per_arrival=service.requests_per_arrival,
        requests_per_second_per_task=service.requests_per_second_per_task,
        target_utilization_percent=service.target_utilization_percent,
        table_reads_per_request=service.table_reads_per_request,
        table_writes_per_request=service.table_writes_per_request,
    )


class CellService(Construct):
    """A Fargate ARM64 service in private subnets, routed by path from the HTTPS listener.

    Builds the task definition (Graviton, read-only root filesystem with a writable /tmp
    volume, non-root user), its log group, the service (circuit breaker with rollback,
    health-check grace period, AZ rebalancing), its target group and listener rule (path
    patterns plus, when given, a required header such as the origin-verification one), and
    target tracking on CPU and on ALB requests per target. The desired count is left to
    Application Auto Scaling, so a deploy never resets a service that has scaled out.

    Scaling is the library's ``PrescaledService``: the range ``min_tasks``..``max_tasks``, target tracking, and
    the service registered with the Region's capacity agent (``registry``), which writes the scheduled actions at
    run time.
    ``image`` comes from the cell Region's private ECR (never a public registry), and the
    log group is encrypted with ``log_key``.

    Attributes: ``service``, ``task_definition``, ``container``, ``task_role``,
    ``log_group``, ``target_group``, ``scaling``, ``prescaled``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        service: ServiceConfig,
        image: ecs.ContainerImage,
        cluster: ecs.ICluster,
        listener: elbv2.ApplicationListener,
        rule_priority: int,
        log_retention_days: int,
        log_key: kms.IKey,
        environment: dict[str, str],
        registry: AgentRegistry,
        required_header: tuple[str, list[str]] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        if required_header is not None and not 1 <= len(required_header[1]) <= 2:
            raise ValueError(f"services[{service.name}]: the required header takes 1 or 2 accepted values")
        if not 1 <= rule_priority <= 50000:
            raise ValueError(f"services[{service.name}]: listener rule priority {rule_priority} is outside 1..50000")
        clash = sorted(set(environment) & set(service.environment))
        if clash:
            raise ValueError(
                f"services[{service.name}].environment: {', '.join(clash)} are set by the platform; remove them"
            )

        self.log_group = logs.LogGroup(self, "Logs", retention=retention(log_retention_days), encryption_key=log_key)
        stack = Stack.of(self)
        # Only ECS tasks of this account and Region may assume the role (confused-deputy prevention,
        # Amazon ECS developer guide, "Task IAM role").
        self.task_role = iam.Role(
            self,
            "TaskRole",
            assumed_by=source_scoped_principal(
                self, "ecs-tasks.amazonaws.com", f"arn:{stack.partition}:ecs:{stack.region}:{stack.account}:*"
            ),
            description=f"{service.name} tasks: application permissions",
        )
        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "TaskDefinition",
            cpu=service.cpu,
            memory_limit_mib=service.memory_mib,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.ARM64,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
            volumes=[ecs.Volume(name="tmp")],
            task_role=self.task_role,
        )
        self.container = self.task_definition.add_container(
            "App",
            image=image,
            essential=True,
            readonly_root_filesystem=True,
            user=service.run_as_user,
            environment={**environment, **service.environment},
            command=list(service.command) if service.command else None,
            port_mappings=[ecs.PortMapping(container_port=service.container_port, name="http")],
            logging=ecs.LogDrivers.aws_logs(
                stream_prefix=service.name,
                log_group=self.log_group,
                mode=ecs.AwsLogDriverMode.NON_BLOCKING,
            ),
            stop_timeout=Duration.seconds(30),
        )
        self.container.add_mount_points(ecs.MountPoint(container_path="/tmp", source_volume="tmp", read_only=False))

        self.service = ecs.FargateService(
            self,
            "Service",
            cluster=cluster,
            task_definition=self.task_definition,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            assign_public_ip=False,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            health_check_grace_period=Duration.seconds(service.health_check_grace_seconds),
            min_healthy_percent=100,
            max_healthy_percent=service.deploy_max_percent,
            availability_zone_rebalancing=ecs.AvailabilityZoneRebalancing.ENABLED,
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
            enable_ecs_managed_tags=True,
        )
        self.target_group = elbv2.ApplicationTargetGroup(
            self,
            "TargetGroup",
            vpc=cluster.vpc,
            port=service.container_port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            targets=[self.service.load_balancer_target(container_name="App", container_port=service.container_port)],
            deregistration_delay=DEREGISTRATION_DELAY,
            health_check=elbv2.HealthCheck(
                path=service.health_check_path,
                healthy_http_codes="200-399",
                interval=HEALTH_CHECK_INTERVAL,
                timeout=HEALTH_CHECK_TIMEOUT,
                healthy_threshold_count=2,
                unhealthy_threshold_count=2,
            ),
        )
        self.listener_rule = elbv2.ApplicationListenerRule(
            self,
            "ListenerRule",
            listener=listener,
            priority=rule_priority,
            conditions=[
                elbv2.ListenerCondition.path_patterns(list(service.path_patterns)),
                *(
                    [elbv2.ListenerCondition.http_header(required_header[0], required_header[1])]
                    if required_header
                    else []
                ),
            ],
            action=elbv2.ListenerAction.forward([self.target_group]),
        )
        # The ALB may reach this service's tasks on the container port only.
        self.service.connections.allow_from(listener, ec2.Port.tcp(service.container_port), "ALB to tasks")

        self.prescaled = PrescaledService(
            self,
            "Prescaled",
            service=self.service,
            name=service.name,
            cpu=service.cpu,
            memory_mib=service.memory_mib,
            min_tasks=service.min_tasks,
            max_tasks=service.max_tasks,
            load=load_model(service),
            registry=registry,
            target_group=self.target_group,
            deploy_max_percent=service.deploy_max_percent,
        )
        self.scaling = self.prescaled.scaling
