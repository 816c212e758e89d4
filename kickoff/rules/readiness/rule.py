"""The deploy-readiness rule type: one rule per class of mistake a linter cannot see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kickoff.rules.engine import Finding, Resource, TemplateView
from kickoff.rules.readiness.context import Readiness

Check = Callable[[str, Resource, TemplateView, Readiness], list[Finding] | None]


@dataclass(frozen=True)
class ReadinessRule:
    """A rule of the deploy-readiness pack, ``DR-<Service><Resource><Property>``.

    ``source`` names the AWS documentation (or API-FACTS entry) that states the service
    behaviour the rule encodes; ``explanation`` says how to fix a finding.
    """

    suffix: str
    summary: str
    explanation: str
    source: str
    resource_types: frozenset[str]
    check: Check

    @property
    def rule_id(self) -> str:
        return f"DR-{self.suffix}"

    @property
    def info(self) -> str:
        return self.summary
