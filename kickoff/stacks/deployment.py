"""The whole deployment for one config: which stacks exist and in what order they deploy.

The release order is the same with and without a pipeline:

1. Keys (per Region, customer managed encryption only) and Data;
2. the cells in waves (``KickoffConfig.release_waves``): the canary Region alone, then the others; each ingest
   Region's Live stack deploys with its cell, after it;
3. Edge and the cross-Region dashboard (Observability);
4. Recovery (ARC), when enabled.

Without a ``pipeline`` section every stack is a top-level stack and stack dependencies hold that
order for ``cdk deploy --all``. With one, each step is a CDK Stage that the pipeline stack
deploys in that order (a dependency cannot cross stages), with its freeze check before it and
the bake after the canary. Dependencies carry no values between stacks (no cross-Region
references); they only order the deploy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aws_cdk import Stack, Stage
from constructs import Construct

from kickoff import naming
from kickoff.config.models import KickoffConfig
from kickoff.constructs.release_pipeline import Bake, ReleaseStep
from kickoff.planning import DeploymentPlan
from kickoff.stacks.cell import CellStack
from kickoff.stacks.data import DataStack
from kickoff.stacks.edge import EdgeStack
from kickoff.stacks.keys import KeysStack
from kickoff.stacks.live import LiveStack
from kickoff.stacks.observability import ObservabilityStack
from kickoff.stacks.pipeline import PipelineStack, PipelineSupportStack, bake_role_arn
from kickoff.stacks.recovery import RecoveryStack


@dataclass
class Deployment:
    """The stacks built from one config, in deployment order."""

    config: KickoffConfig
    plan: DeploymentPlan
    keys: dict[str, KeysStack] = field(default_factory=dict)
    data: DataStack | None = None
    cells: dict[str, CellStack] = field(default_factory=dict)
    live: dict[str, LiveStack] = field(default_factory=dict)
    edge: EdgeStack | None = None
    recovery: RecoveryStack | None = None
    observability: ObservabilityStack | None = None
    pipeline: PipelineStack | None = None
    pipeline_support: dict[str, PipelineSupportStack] = field(default_factory=dict)
    release_steps: list[ReleaseStep] = field(default_factory=list)

    @property
    def application_stacks(self) -> list[Stack]:
        """The stacks that run the platform, in release order."""
        ordered: list[Stack] = [*self.keys.values()]
        if self.data is not None:
            ordered.append(self.data)
        for wave in self.config.release_waves:
            ordered.extend(self.cells[region] for region in wave)
            ordered.extend(self.live[region] for region in wave if region in self.live)
        if self.edge is not None:
            ordered.append(self.edge)
        if self.observability is not None:
            ordered.append(self.observability)
        if self.recovery is not None:
            ordered.append(self.recovery)
        return ordered

    @property
    def stacks(self) -> list[Stack]:
        """Every stack: the pipeline's (when configured), then the application's in release order."""
        tooling: list[Stack] = [*self.pipeline_support.values()]
        if self.pipeline is not None:
            tooling.append(self.pipeline)
        return [*tooling, *self.application_stacks]


def template_path(stack: Stack) -> Path:
    """Where ``stack``'s synthesized template is: the app's outdir, or its release stage's nested assembly."""
    stage = Stage.of(stack)
    if stage is None:
        raise ValueError(f"{stack.node.path} is not in an app")
    return Path(stage.outdir) / stack.template_file


def _step_scope(scope: Construct, config: KickoffConfig, name: str) -> Construct:
    """Where a release step's stacks live: the app, or the step's own Stage under a pipeline."""
    if config.pipeline is None:
        return scope
    return Stage(scope, name)


def _stages(*scopes: Construct) -> tuple[Stage, ...]:
    """The release stages among ``scopes`` (none without a pipeline, where every scope is the app)."""
    return tuple(s for s in scopes if isinstance(s, Stage))


def build_deployment(scope: Construct, config: KickoffConfig, plan: DeploymentPlan) -> Deployment:
    """Create every stack for ``config`` and what orders them (see the module docstring).

    ``plan`` is the capacity plan at the synth time: the checks read it (the templates hold no plan; each
    Region's capacity agent applies the published forecast at run time).
    """
    deployment = Deployment(config=config, plan=plan)
    pipelined = config.pipeline is not None
    data_scope = _step_scope(scope, config, "Data")
    if config.table.encryption == "customer_managed":
        for region in config.region_names:
            deployment.keys[region] = KeysStack(data_scope, config=config, region=region)
    data = deployment.data = DataStack(data_scope, config=config)
    for keys in deployment.keys.values():
        data.add_stack_dependency(keys, "the table's replicas are encrypted with the per-Region keys")
    steps = [ReleaseStep("Data", _stages(data_scope))]

    ingest_regions = config.live.ingest_regions if config.live is not None else ()
    previous: list[Stack] = [data]
    for number, wave in enumerate(config.release_waves, start=1):
        cells: list[Stack] = []
        scopes: list[Construct] = []
        for region in wave:
            cell_scope = _step_scope(scope, config, f"Cell-{region}")
            cell = CellStack(cell_scope, config=config, region=region)
            deployment.cells[region] = cell
            cells.append(cell)
            scopes.append(cell_scope)
            if not pipelined:
                for before in previous:
                    cell.add_stack_dependency(before, "release order: Data, then the cells one wave at a time")
            if region in ingest_regions:
                live = deployment.live[region] = LiveStack(cell_scope, config=config, region=region)
                live.add_stack_dependency(
                    cell, "the live alarms notify the cell's topic and its channels register with the cell's agent"
                )
                cells.append(live)
        bake = None
        if number == 1 and pipelined:
            canary = config.canary_region
            bake = Bake(
                region=canary,
                alarm_name=naming.region_impaired_alarm_name(config.identity, canary),
                minutes=config.pipeline.bake_minutes,
                role_arn=bake_role_arn(config),
            )
        name = f"Cell-{wave[0]}" if len(wave) == 1 else f"Wave{number}"
        steps.append(ReleaseStep(name, _stages(*scopes), bake))
        previous = list(cells)

    edge_scope = _step_scope(scope, config, "Edge")
    edge = deployment.edge = EdgeStack(edge_scope, config=config)
    observability = deployment.observability = ObservabilityStack(edge_scope, config=config)
    steps.append(ReleaseStep("Edge", _stages(edge_scope)))
    if not pipelined:
        edge.add_stack_dependency(data, "CloudFront reads the origin secret's us-east-1 replica")
        for cell in deployment.cells.values():
            edge.add_stack_dependency(cell, "the origins are DNS records the cells own")
            observability.add_stack_dependency(cell, "the dashboard shows the cells' metrics and alarms, by name")
        for live in deployment.live.values():
            edge.add_stack_dependency(live, "the live origins are the channel groups' egress domains, read by name")
            observability.add_stack_dependency(live, "the dashboard shows the live alarms, by name")

    if config.routing.recovery_control.enabled:
        recovery_scope = _step_scope(scope, config, "Recovery")
        recovery = deployment.recovery = RecoveryStack(recovery_scope, config=config)
        steps.append(ReleaseStep("Recovery", _stages(recovery_scope)))
        if not pipelined:
            recovery.add_stack_dependency(edge, "release order: the global pieces last, ARC after Edge")
    deployment.release_steps = steps

    if config.pipeline is not None:
        regions = {stack.region for stack in deployment.application_stacks} - {config.pipeline.region}
        for region in sorted(regions):
            deployment.pipeline_support[region] = PipelineSupportStack(scope, config=config, region=region)
        deployment.pipeline = PipelineStack(scope, config=config, steps=steps, support=deployment.pipeline_support)
    return deployment
