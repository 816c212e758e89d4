"""The transformation library: any team's ECS service, pre-scaled by the Region's capacity agent.

``PrescaledService`` is all another CDK app needs to have its Fargate service follow the event calendar, without
adopting the rest of Kickoff::

    from kickoff.constructs.prescaled_service import LoadModel, PrescaledService, registry_for

    PrescaledService(
        self, "Prescaled",
        service=my_fargate_service, name="search", cpu=1024, memory_mib=2048, min_tasks=3, max_tasks=400,
        load=LoadModel(requests_per_viewer_per_second=0.01, requests_per_arrival=2, requests_per_second_per_task=150),
        registry=registry_for("kickoff", "prod"), target_group=my_target_group,
    )

It gives the service its scalable target with static bounds and target tracking (CPU, and requests per target when
a target group is given), and registers the service's load model, bounds and scalable target with the agent under
the environment's SSM path. The agent plans it with every other registered service and writes its scheduled
actions at run time: the template holds no schedule. Kickoff's own cells use this construct for every service.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aws_cdk import Duration, Fn, Stack
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from kickoff.agent.registration import service_parameter
from kickoff.constructs.capacity_agent import AgentRegistry
from kickoff.scaling.model import ServiceModel

# Scale out fast (a live audience arrives in minutes), scale in slowly (a halftime dip
# must not shed capacity the second half needs).
SCALE_OUT_COOLDOWN = Duration.seconds(60)
SCALE_IN_COOLDOWN = Duration.seconds(300)


def registry_for(app: str, environment: str) -> AgentRegistry:
    """The registry of a Kickoff environment's agents (the same path in every cell Region)."""
    return AgentRegistry(f"/{app}-{environment}/capacity", f"{app}-{environment}")


@dataclass(frozen=True)
class LoadModel:
    """How a service's load follows the audience, and what one task serves.

    Fields:
        requests_per_viewer_per_second: steady requests each watching viewer sends.
        requests_per_arrival: requests each arriving viewer sends once (login, entitlement, playback start).
        requests_per_second_per_task: what one task serves at 100% of its target metric.
        target_utilization_percent: target tracking's target, and the utilisation the plan sizes for.
        table_reads_per_request, table_writes_per_request: global-table units per request (warm throughput).
    """

    requests_per_viewer_per_second: float
    requests_per_arrival: float
    requests_per_second_per_task: float
    target_utilization_percent: int = 60
    table_reads_per_request: float = 0.0
    table_writes_per_request: float = 0.0


def requests_per_target_per_minute(load: LoadModel) -> int:
    """Target value for ALBRequestCountPerTarget, which counts requests per target per minute."""
    return max(1, math.floor(load.requests_per_second_per_task * load.target_utilization_percent / 100 * 60))


def service_model(
    name: str, *, cpu: int, memory_mib: int, min_tasks: int, max_tasks: int, load: LoadModel, deploy_max_percent: int
) -> ServiceModel:
    """The planner's model of the service; raises ValueError naming the service when a value is out of range (the
    checks the planner relies on, the same for a config's services and a library user's)."""
    try:
        return ServiceModel(
            name=name,
            cpu_units=cpu,
            memory_mib=memory_mib,
            min_tasks=min_tasks,
            max_tasks=max_tasks,
            rps_per_task=load.requests_per_second_per_task,
            target_utilization=load.target_utilization_percent / 100,
            rps_per_viewer=load.requests_per_viewer_per_second,
            requests_per_arrival=load.requests_per_arrival,
            table_reads_per_request=load.table_reads_per_request,
            table_writes_per_request=load.table_writes_per_request,
            deploy_surge=deploy_max_percent / 100,
        )
    except ValueError as error:
        raise ValueError(f"PrescaledService {name}: {error}") from None


class PrescaledService(Construct):
    """A Fargate service's scalable target, target tracking, and registration with the capacity agent.

    Checks at synth: the load model and bounds (``service_model``); Fargate on ARM64 is left to the rule packs,
    which read the task definition like any other. Attributes: ``scaling``, ``model``, ``registration``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        service: ecs.FargateService,
        name: str,
        cpu: int,
        memory_mib: int,
        min_tasks: int,
        max_tasks: int,
        load: LoadModel,
        registry: AgentRegistry,
        target_group: elbv2.ApplicationTargetGroup | None = None,
        deploy_max_percent: int = 200,
    ) -> None:
        super().__init__(scope, id_)
        self.model = service_model(
            name,
            cpu=cpu,
            memory_mib=memory_mib,
            min_tasks=min_tasks,
            max_tasks=max_tasks,
            load=load,
            deploy_max_percent=deploy_max_percent,
        )
        self.scaling = service.auto_scale_task_count(min_capacity=min_tasks, max_capacity=max_tasks)
        self.scaling.scale_on_cpu_utilization(
            "CpuTracking",
            target_utilization_percent=load.target_utilization_percent,
            scale_out_cooldown=SCALE_OUT_COOLDOWN,
            scale_in_cooldown=SCALE_IN_COOLDOWN,
        )
        if target_group is not None:
            self.scaling.scale_on_request_count(
                "RequestTracking",
                requests_per_target=requests_per_target_per_minute(load),
                target_group=target_group,
                scale_out_cooldown=SCALE_OUT_COOLDOWN,
                scale_in_cooldown=SCALE_IN_COOLDOWN,
            )
        resource_id = Fn.join("/", ["service", service.cluster.cluster_name, service.service_name])
        self.registration = ssm.StringParameter(
            self,
            "Registration",
            parameter_name=f"{registry.parameter_path}/services/{name}",
            string_value=Stack.of(self).to_json_string(service_parameter(self.model, resource_id)),
            description=f"{name}: load model, bounds and scalable target, read by the {registry.environment} "
            "capacity agent",
        )
