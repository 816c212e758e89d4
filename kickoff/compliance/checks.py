"""Attach the checks that run on every synth: cdk-nag packs and their acknowledgements."""

from __future__ import annotations

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from kickoff.compliance.acknowledgements import acknowledge_deployment
from kickoff.stacks.deployment import Deployment


def attach_checks(app: cdk.App, deployment: Deployment) -> None:
    """Register the nag packs on the app and acknowledge the reviewed findings."""
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    acknowledge_deployment(deployment)
