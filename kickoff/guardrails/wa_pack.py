"""The Well-Architected pack as a cdk-nag 3 NagPack over the synthesized templates (see rule_pack)."""

from __future__ import annotations

import aws_cdk as cdk

from kickoff.guardrails.rule_pack import StackFacts, TemplateRulePack
from kickoff.rules.well_architected import RULES, Params, evaluate

PACK_NAME = "WellArchitected"

__all__ = ["PACK_NAME", "StackFacts", "WellArchitectedChecks"]


class WellArchitectedChecks(TemplateRulePack):
    """Kickoff's Well-Architected rules; register with ``Validations.of(app).add_plugins``."""

    def __init__(self, scope: cdk.App, *, params: Params, stacks: dict[str, StackFacts]) -> None:
        super().__init__(
            scope,
            pack_name=PACK_NAME,
            prefix="WA",
            rule_count=len(RULES),
            evaluate=lambda views: evaluate(views, params),
            stacks=stacks,
        )
