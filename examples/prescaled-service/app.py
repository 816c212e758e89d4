"""Another team's CDK app: one Fargate service on Graviton, pre-scaled for Kickoff's events by the capacity agent.

It adopts nothing else of Kickoff: its own VPC, cluster and service, plus ``PrescaledService``, which gives the
service its scalable target and target tracking and registers its load model with the agent of the ``prod``
environment in this Region. Synthesize it with every check::

    JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 .venv/bin/python examples/prescaled-service/app.py

Deploy it into an account and Region where Kickoff's prod cell runs; the agent plans the service at its next run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from constructs import Construct

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the Kickoff checkout, for kickoff.*

from kickoff.constructs.prescaled_service import LoadModel, PrescaledService, registry_for  # noqa: E402
from kickoff.guardrails.library import attach_library_checks  # noqa: E402

ACCOUNT, REGION = "111111111111", "us-east-1"
# Images are pinned by digest (DR-EcsImageFromRegionalEcr): a tag can move under a running service.
IMAGE_DIGEST = "sha256:" + "0" * 64
REGISTRY = registry_for("kickoff", "prod")


class SearchStack(cdk.Stack):
    """A search service: 3 to 400 tasks, 1 vCPU each, sending 0.01 requests per second per viewer."""

    def __init__(self, scope: Construct, id_: str, **kwargs: object) -> None:
        super().__init__(scope, id_, **kwargs)
        vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=3,
            nat_gateways=1,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC),
                ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            ],
            flow_logs={"all": ec2.FlowLogOptions(destination=ec2.FlowLogDestination.to_cloud_watch_logs())},
        )
        cluster = ecs.Cluster(self, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED)
        task = ecs.FargateTaskDefinition(
            self,
            "Task",
            cpu=1024,
            memory_limit_mib=2048,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.ARM64, operating_system_family=ecs.OperatingSystemFamily.LINUX
            ),
            volumes=[ecs.Volume(name="tmp")],  # a read-only root filesystem still needs a writable /tmp
        )
        container = task.add_container(
            "App",
            image=ecs.ContainerImage.from_ecr_repository(
                ecr.Repository.from_repository_name(self, "Repository", "search"), IMAGE_DIGEST
            ),
            readonly_root_filesystem=True,
            logging=ecs.LogDrivers.aws_logs(
                stream_prefix="search",
                log_group=logs.LogGroup(self, "Logs", retention=logs.RetentionDays.ONE_MONTH),
            ),
        )
        container.add_mount_points(ecs.MountPoint(container_path="/tmp", source_volume="tmp", read_only=False))
        service = ecs.FargateService(
            self,
            "Service",
            cluster=cluster,
            task_definition=task,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            min_healthy_percent=100,
        )
        PrescaledService(
            self,
            "Prescaled",
            service=service,
            name="search",
            cpu=1024,
            memory_mib=2048,
            min_tasks=3,
            max_tasks=400,
            load=LoadModel(
                requests_per_viewer_per_second=0.01, requests_per_arrival=2, requests_per_second_per_task=150
            ),
            registry=REGISTRY,
        )
        # Pulling from ECR needs ecr:GetAuthorizationToken, which takes no resource: cdk-nag asks for the reason.
        cdk.Validations.of(task.obtain_execution_role().node.find_child("DefaultPolicy")).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                reason="ecr:GetAuthorizationToken supports no resource-level permissions; pulls are scoped to the "
                "search repository by the statement beside it.",
            )
        )


def main() -> None:
    app = cdk.App(outdir=os.environ.get("CDK_OUTDIR"))
    stack = SearchStack(app, "search-prod", env=cdk.Environment(account=ACCOUNT, region=REGION))
    attach_library_checks(app, [stack], registry=REGISTRY)
    app.synth()


if __name__ == "__main__":
    main()
