"""Pipeline stacks (tooling account): the release pipeline, and its artifact store in every other Region."""

from __future__ import annotations

from constructs import Construct

from kickoff import naming
from kickoff.config.models import KickoffConfig, PipelineConfig
from kickoff.constructs.release_pipeline import (
    ForecastStep,
    PipelineSource,
    ReleasePipeline,
    ReleaseStep,
    artifact_store,
)
from kickoff.stacks.base import KickoffStack


def synth_commands(config: KickoffConfig) -> list[str]:
    """The synth step: install from the lock files and test (``make test``), then synthesize with every
    check for a deploy at the build's start time (``make synth`` with ``PLAN_FROM``)."""
    return [
        "make test",
        f'make synth ENV={config.environment} PLAN_FROM="$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
    ]


# Where each freeze step finds the synth step's output (the cloud assembly being released).
ASSEMBLY_DIR = "cdk.out"


def freeze_command(config: KickoffConfig) -> str:
    """Each freeze step: the event calendar's verdict for now, with the release's override (logged). The
    assembly's age does not matter: its templates hold no schedule (the capacity agent applies the plan)."""
    return f'python -m kickoff deploy-window -c env={config.environment} --override "$FREEZE_OVERRIDE"'


def forecast_command(config: KickoffConfig) -> str:
    """The forecast step: publish this commit's calendar through the workload account's publisher role."""
    role = naming.role_arn(config.account, naming.forecast_publisher_role_name(config.identity))
    return f"bash scripts/publish_forecast.sh {role} {config.environment}"


def bake_role_arn(config: KickoffConfig) -> str:
    """The role the bake reads the canary's alarm through: the canary cell's BakeReader, which trusts only the
    bake's runner role (``naming.bake_runner_role_name``)."""
    return naming.role_arn(config.account, naming.bake_role_name(config.identity))


def _pipeline(config: KickoffConfig) -> PipelineConfig:
    if config.pipeline is None:
        raise ValueError("the config has no pipeline section")
    return config.pipeline


class PipelineSupportStack(KickoffStack):
    """The pipeline's artifact store in one more Region: actions there read and write it."""

    def __init__(self, scope: Construct, *, config: KickoffConfig, region: str) -> None:
        pipeline = _pipeline(config)
        super().__init__(
            scope,
            config=config,
            unit=f"pipeline-support-{region}",
            region=region,
            cell=None,
            account=pipeline.account,
            description=f"Kickoff {config.environment}: release pipeline artifacts in {region}",
        )
        self.bucket = artifact_store(
            self,
            "Artifacts",
            description=f"{naming.pipeline_name(config.identity)} artifacts in {region}",
            alias_name=f"alias/{self.stack_name}",
        )


class PipelineStack(KickoffStack):
    """The self-mutating release pipeline; ``steps`` are the CDK stages, in release order."""

    def __init__(
        self,
        scope: Construct,
        *,
        config: KickoffConfig,
        steps: list[ReleaseStep],
        support: dict[str, PipelineSupportStack],
    ) -> None:
        pipeline = _pipeline(config)
        super().__init__(
            scope,
            config=config,
            unit="pipeline",
            region=pipeline.region,
            cell=None,
            account=pipeline.account,
            description=f"Kickoff {config.environment}: release pipeline, cells in waves",
        )
        for stack in support.values():
            self.add_stack_dependency(stack, "the pipeline's actions in that Region use its artifact store")
        self.release = ReleasePipeline(
            self,
            "Release",
            pipeline_name=naming.pipeline_name(config.identity),
            source=PipelineSource(pipeline.connection_arn, pipeline.repository, pipeline.branch),
            synth_commands=synth_commands(config),
            freeze_command=freeze_command(config),
            assembly_dir=ASSEMBLY_DIR,
            steps=steps,
            manual_approval=pipeline.manual_approval,
            replication_buckets={region: stack.bucket for region, stack in support.items()},
            bake_role_name=naming.bake_runner_role_name(config.identity),
            forecast=(
                ForecastStep(
                    forecast_command(config),
                    naming.forecast_runner_role_name(config.identity),
                    naming.role_arn(config.account, naming.forecast_publisher_role_name(config.identity)),
                )
                if config.calendar is not None
                else None
            ),
        )
