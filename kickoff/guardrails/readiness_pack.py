"""The deploy-readiness pack as a cdk-nag 3 NagPack over the synthesized templates (see rule_pack)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk

from kickoff.guardrails.rule_pack import StackFacts, TemplateRulePack
from kickoff.rules.readiness import RULES, ReadinessParams, evaluate

PACK_NAME = "DeployReadiness"

__all__ = ["PACK_NAME", "DeployReadinessChecks"]


class DeployReadinessChecks(TemplateRulePack):
    """Kickoff's deploy-readiness rules; register with ``Validations.of(app).add_plugins``."""

    def __init__(self, scope: cdk.App, *, params: ReadinessParams, stacks: dict[str, StackFacts]) -> None:
        super().__init__(
            scope,
            pack_name=PACK_NAME,
            prefix="DR",
            rule_count=len(RULES),
            evaluate=lambda views: evaluate(views, params),
            stacks=stacks,
        )
        self._params = params

    def summary(self) -> dict[str, Any]:
        return {
            **super().summary(),
            "deploy_time": self._params.deploy_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "earliest_action": self._params.earliest_action.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
