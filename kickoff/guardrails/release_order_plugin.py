"""The release order and stack protection as a CDK validation plugin: it reads the cloud assembly's manifest.

Validation plugins run after the assembly is written, so the manifest already holds each stack's dependencies and
termination protection: what ``cdk deploy --all`` follows, and what keeps ``cdk destroy`` off a production cell.
"""

from __future__ import annotations

import time
from pathlib import Path

import aws_cdk as cdk
import jsii

from kickoff.guardrails.plugin import PluginIdentity, violation
from kickoff.rules.release_order import ReleaseOrder, manifest_stacks, release_order_problems
from kickoff.rules.summary import outdir_of, update_summary
from kickoff.stacks.deployment import Deployment

PLUGIN_NAME = "ReleaseOrder"
FIX = (
    "Keep the stack dependencies Deployment adds (keys -> data -> the canary Region's cell -> the other cells -> edge "
    "and observability), and termination protection on every stack of a production config."
)


def release_order(deployment: Deployment) -> ReleaseOrder:
    """The order the deployment's config asks for, by stack name."""
    config = deployment.config
    return ReleaseOrder(
        keys=tuple(s.stack_name for s in deployment.keys.values()),
        data=deployment.data.stack_name if deployment.data is not None else "",
        cells={region: s.stack_name for region, s in deployment.cells.items()},
        canary=config.canary_region,
        last=tuple(s.stack_name for s in (deployment.edge, deployment.observability) if s is not None),
        production=config.production,
        pipeline=deployment.pipeline is not None,
    )


@jsii.implements(cdk.IPolicyValidationPlugin)
class ReleaseOrderPlugin(PluginIdentity):
    """Fails the synth when the manifest's dependencies break the release order, or a production stack is
    unprotected."""

    PLUGIN_NAME = PLUGIN_NAME
    RULE_IDS = ("ReleaseOrder",)

    def __init__(self, deployment: Deployment) -> None:
        self._order = release_order(deployment)
        self.problems: list[str] = []

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        started = time.perf_counter()
        paths = [Path(p) for p in context.template_paths]
        if not paths:
            return cdk.PolicyValidationPluginReport(success=True, violations=[])
        outdir = outdir_of(paths)
        stacks = manifest_stacks(outdir)
        self.problems = release_order_problems(stacks, self._order) if stacks else []
        violations = [
            violation(
                "ReleaseOrder", problem, FIX, template=str(paths[0]), logical_id="Manifest", location="(manifest)"
            )
            for problem in self.problems
        ]
        update_summary(
            outdir,
            PLUGIN_NAME,
            {
                "rules": 1,
                "stacks": len(stacks),
                "violations": len(self.problems),
                "manifest": bool(stacks),
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
        return cdk.PolicyValidationPluginReport(success=not violations, violations=violations)
