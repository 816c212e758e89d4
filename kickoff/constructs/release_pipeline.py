"""The release pipeline: CDK Pipelines over a CodePipeline V2 pipeline, with freeze checks and a bake.

``ReleasePipeline`` builds a self-mutating ``pipelines.CodePipeline`` on a prebuilt L2 pipeline
(``code_pipeline=``), which is how it gets a pipeline-level variable (``FREEZE_OVERRIDE``) and
an artifact bucket that is versioned and expires old objects. Each release step is one
CodePipeline stage: its freeze check (and an optional approval) runs before it, and the
canary step's bake after it. ``artifact_store`` is also the per-Region replication store of
the support stacks (decision 0015).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import Duration, PhysicalName, RemovalPolicy, Stack, Stage, pipelines
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from kickoff.paths import pinned_cdk_cli

# Pipeline artifacts (source zips, cloud assemblies) are needed only while a release runs and for a
# rollback to a recent release; older ones expire. Overwritten versions stay this many days.
ARTIFACT_EXPIRATION_DAYS = 30
NONCURRENT_ARTIFACT_DAYS = 7

# The pipeline variable a release sets (start-pipeline-execution --variables) to deploy inside an event window.
FREEZE_OVERRIDE_VARIABLE = "FREEZE_OVERRIDE"
NO_FREEZE_OVERRIDE = "none"

# CodeBuild on Graviton (aws/codebuild/amazonlinux-aarch64-standard:3.0, Amazon Linux 2023), with runtimes in
# support: Node.js 22 (end of life 2027-04-30; 20 ended 2026-04-30) and Python 3.12. Named explicitly: CodeBuild's
# default changes when a version reaches its end of life (CodeBuild user guide, "Available runtimes").
BUILD_IMAGE = codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0
RUNTIME_VERSIONS = {"python": "3.12", "nodejs": "22"}
# cdk-assets publishes the release's assets; CDK Pipelines installs cdk-assets@latest by default, which would take
# a new major version without review. Pinned to the version current when this was last changed (npm view
# cdk-assets); bump it deliberately. The CDK CLI of self-mutation is package.json's (kickoff.paths.pinned_cdk_cli).
CDK_ASSETS_VERSION = "4.7.3"
INSTALL_RUNTIME = ["python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt"]


@dataclass(frozen=True)
class ForecastStep:
    """The forecast fast path: ``command`` publishes the commit's calendar; it runs as ``runner_role_name``, which
    may assume ``publisher_arn`` (the workload account's ForecastPublisher) and nothing else."""

    command: str
    runner_role_name: str
    publisher_arn: str


@dataclass(frozen=True)
class ReleaseStep:
    """One CodePipeline stage of the release: a CDK stage, or several deployed together (a parallel wave)."""

    name: str
    stages: tuple[Stage, ...]
    bake: Bake | None = None


@dataclass(frozen=True)
class Bake:
    """Watch ``alarm_name`` in ``region`` for ``minutes`` after a step, through ``role_arn`` (read-only)."""

    region: str
    alarm_name: str
    minutes: int
    role_arn: str


@dataclass(frozen=True)
class PipelineSource:
    """The repository a release comes from."""

    connection_arn: str
    repository: str
    branch: str


def artifact_store(scope: Construct, id_: str, *, description: str, alias_name: str | None = None) -> s3.Bucket:
    """A bucket for pipeline artifacts: its own rotating KMS key (cross-account deploy roles get grants
    on it), TLS only, private, versioned, expiring, retained.

    A replication store for another Region (``alias_name`` set) is referenced from the pipeline's
    stack: its bucket gets a generated physical name and is encrypted through the alias, so the
    pipeline can name both without a cross-Region reference (as CDK's own support stacks do).
    Retained like every store, so a deleted support stack leaves its bucket behind: delete that
    bucket before the stack is created again (docs/deploy.md, "Add a Region").
    """
    key = kms.Key(
        scope,
        f"{id_}Key",
        description=description,
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.RETAIN,
        pending_window=Duration.days(30),
    )
    encryption_key: kms.IKey = key
    if alias_name is not None:
        encryption_key = kms.Alias(scope, f"{id_}KeyAlias", alias_name=alias_name, target_key=key)
    return s3.Bucket(
        scope,
        id_,
        bucket_name=PhysicalName.GENERATE_IF_NEEDED if alias_name is not None else None,
        encryption=s3.BucketEncryption.KMS,
        encryption_key=encryption_key,
        bucket_key_enabled=True,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned=True,
        removal_policy=RemovalPolicy.RETAIN,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="ExpireArtifacts",
                expiration=Duration.days(ARTIFACT_EXPIRATION_DAYS),
                abort_incomplete_multipart_upload_after=Duration.days(1),
                noncurrent_version_expiration=Duration.days(NONCURRENT_ARTIFACT_DAYS),
            )
        ],
    )


def _as_sub(value: Any) -> Any:
    """``Fn::Join ["", [...]]`` of strings and ``Ref``s as the equivalent ``Fn::Sub``; anything else as is."""
    join = value.get("Fn::Join") if isinstance(value, dict) else None
    if not join or join[0] != "" or not all(isinstance(p, str) or set(p) == {"Ref"} for p in join[1]):
        return value
    return {"Fn::Sub": "".join(p if isinstance(p, str) else "${" + p["Ref"] + "}" for p in join[1])}


def _role_arns_as_sub(code_pipeline: codepipeline.Pipeline) -> None:
    """Write the deploy actions' role ARNs (the bootstrap roles, ``arn:${AWS::Partition}:...``) as ``Fn::Sub``.

    CDK Pipelines renders them as ``Fn::Join`` with an empty delimiter, which cfn-lint's CodePipeline
    action check (E3703, the IAM role ARN format) reports as an error; ``Fn::Sub`` is the same value.
    """
    cfn = code_pipeline.node.default_child
    assert isinstance(cfn, codepipeline.CfnPipeline)
    stages = Stack.of(code_pipeline).resolve(cfn.stages)
    for s, stage in enumerate(stages):
        for a, action in enumerate(stage.get("actions", [])):
            value = (action.get("configuration") or {}).get("RoleArn")
            if value is not None and _as_sub(value) is not value:
                cfn.add_property_override(f"Stages.{s}.Actions.{a}.Configuration.RoleArn", _as_sub(value))


def _build_spec() -> codebuild.BuildSpec:
    return codebuild.BuildSpec.from_object({"phases": {"install": {"runtime-versions": RUNTIME_VERSIONS}}})


class ReleasePipeline(Construct):
    """A self-mutating CDK Pipelines pipeline that deploys ``steps`` in order.

    - Synth: install from the lock files, ``make test``, then ``make synth`` with ``PLAN_FROM`` the
      build's start time (``synth_commands``); every check of the synth is a gate.
    - Before every step, after its approval: ``python -m kickoff deploy-window`` (``freeze_command``), which
      stops the release inside an event window unless the release set ``FREEZE_OVERRIDE`` to a reason.
    - After a step with a ``Bake``: ``scripts/bake.sh`` watches the alarm and fails the release on ALARM.
    - With a ``ForecastStep``: a first wave ``Forecast`` publishes the commit's calendar (``scripts/
      publish_forecast.sh``) before any approval or freeze check: a forecast-only change needs no deploy.

    Attributes: ``pipeline`` (pipelines.CodePipeline, built), ``artifact_bucket`` (the pipeline Region's store).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        pipeline_name: str,
        source: PipelineSource,
        synth_commands: list[str],
        freeze_command: str,
        assembly_dir: str,
        steps: list[ReleaseStep],
        manual_approval: bool,
        replication_buckets: dict[str, s3.IBucket],
        bake_role_name: str | None = None,
        forecast: ForecastStep | None = None,
    ) -> None:
        super().__init__(scope, id_)
        # The bake's CodeBuild role, by name: the workload account's bake role trusts this principal only.
        self.bake_role = (
            iam.Role(
                self,
                "BakeRunner",
                role_name=bake_role_name,
                assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"),
                description="The release pipeline's bake: assumes the canary account's alarm reader",
            )
            if bake_role_name
            else None
        )
        # The L2 takes the pipeline Region's store from the same map as the other Regions' (it refuses
        # artifact_bucket together with cross_region_replication_buckets).
        self.artifact_bucket = artifact_store(self, "Artifacts", description=f"{pipeline_name} artifacts")
        code_pipeline = codepipeline.Pipeline(
            self,
            "CodePipeline",
            pipeline_name=pipeline_name,
            pipeline_type=codepipeline.PipelineType.V2,
            cross_region_replication_buckets={**replication_buckets, Stack.of(self).region: self.artifact_bucket},
            restart_execution_on_update=True,
            variables=[
                codepipeline.Variable(
                    variable_name=FREEZE_OVERRIDE_VARIABLE,
                    default_value=NO_FREEZE_OVERRIDE,
                    description="Reason to deploy inside an event window (emergency only); logged by every freeze step",
                )
            ],
        )
        repository = pipelines.CodePipelineSource.connection(
            source.repository, source.branch, connection_arn=source.connection_arn, code_build_clone_output=False
        )
        synth = pipelines.ShellStep(
            "Synth",
            input=repository,
            commands=synth_commands,
            primary_output_directory="cdk.out",
        )
        self.pipeline = pipelines.CodePipeline(
            self,
            "Pipeline",
            code_pipeline=code_pipeline,
            synth=synth,
            self_mutation=True,
            cli_version=pinned_cdk_cli(),
            cdk_assets_cli_version=CDK_ASSETS_VERSION,
            docker_enabled_for_synth=False,
            code_build_defaults=pipelines.CodeBuildOptions(
                build_environment=codebuild.BuildEnvironment(
                    build_image=BUILD_IMAGE, compute_type=codebuild.ComputeType.SMALL
                ),
                partial_build_spec=_build_spec(),
                timeout=Duration.minutes(60),
            ),
        )
        if forecast is not None:
            # The fast path: a forecast-only change reaches every cell here, before any approval or freeze check
            # (templates hold no plan, so the stages after it deploy nothing new for it).
            self.pipeline.add_wave("Forecast", pre=[self._forecast_step(forecast, repository)])
        for index, step in enumerate(steps):
            pre: list[pipelines.Step] = []
            if index == 0 and manual_approval:
                comment = f"Release {pipeline_name}: {' -> '.join(s.name for s in steps)}"
                pre.append(pipelines.ManualApprovalStep("Approve", comment=comment))
            freeze = self._freeze_step(step, repository, freeze_command, {assembly_dir: synth})
            # The freeze check runs after the approval, just before the deploys: an approval given late (inside an
            # event window) must meet the check, not race past it.
            if pre:
                freeze.add_step_dependency(pre[-1])
            pre.append(freeze)
            post = [self._bake_step(step, repository, self.bake_role)] if step.bake is not None else []
            wave = self.pipeline.add_wave(step.name, pre=pre, post=post)
            for stage in step.stages:
                wave.add_stage(stage)
        self.pipeline.build_pipeline()
        _role_arns_as_sub(code_pipeline)

    @staticmethod
    def _freeze_step(
        step: ReleaseStep,
        source: pipelines.CodePipelineSource,
        command: str,
        assembly: dict[str, pipelines.IFileSetProducer],
    ) -> pipelines.CodeBuildStep:
        return pipelines.CodeBuildStep(
            f"Freeze-{step.name}",
            input=source,
            additional_inputs=assembly,
            install_commands=INSTALL_RUNTIME,
            commands=[command],
            env={
                FREEZE_OVERRIDE_VARIABLE: f"#{{variables.{FREEZE_OVERRIDE_VARIABLE}}}",
                "PIPELINE_EXECUTION_ID": "#{codepipeline.PipelineExecutionId}",
            },
            timeout=Duration.minutes(15),
        )

    def _forecast_step(self, forecast: ForecastStep, source: pipelines.CodePipelineSource) -> pipelines.CodeBuildStep:
        runner = iam.Role(
            self,
            "ForecastRunner",
            role_name=forecast.runner_role_name,
            assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"),
            description="The release pipeline's forecast step: assumes the workload account's forecast publisher",
        )
        return pipelines.CodeBuildStep(
            "PublishForecast",
            input=source,
            install_commands=INSTALL_RUNTIME,
            commands=[forecast.command],
            role=runner,
            role_policy_statements=[
                iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[forecast.publisher_arn])
            ],
            env={FREEZE_OVERRIDE_VARIABLE: f"#{{variables.{FREEZE_OVERRIDE_VARIABLE}}}"},
            timeout=Duration.minutes(15),
        )

    @staticmethod
    def _bake_step(
        step: ReleaseStep, source: pipelines.CodePipelineSource, role: iam.IRole | None
    ) -> pipelines.CodeBuildStep:
        bake = step.bake
        assert bake is not None
        return pipelines.CodeBuildStep(
            f"Bake-{step.name}",
            input=source,
            commands=[f"bash scripts/bake.sh {bake.role_arn} {bake.region} {bake.alarm_name} {bake.minutes}"],
            role=role,
            role_policy_statements=[iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[bake.role_arn])],
            timeout=Duration.minutes(bake.minutes + 15),
        )
