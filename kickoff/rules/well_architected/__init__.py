"""Kickoff's Well-Architected rules, as pure Python over synthesized CloudFormation templates.

One rule per unit, named ``WA-<PILLAR>-<Service><Resource><Property>``, declared beside its
check in the module of its pillar. Each cites the Well-Architected best practice it enforces
(IDs checked against the framework, see docs/reference/well-architected-ids.md) and explains
what a reviewer should change. Rules read the final template, so they also see property
overrides and tags, and can look across resources (a service and its scalable target, a VPC
and its NAT gateways). ``kickoff.guardrails.wa_pack`` runs them on every synth through cdk-nag.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from kickoff.rules.engine import PackResult
from kickoff.rules.engine import evaluate as _evaluate
from kickoff.rules.well_architected import (
    chaos,
    cost,
    deputy,
    media,
    operations,
    reliability,
    security,
    sustainability,
)
from kickoff.rules.well_architected.rule import Params, WaRule

RULES: tuple[WaRule, ...] = (
    *reliability.RULES,
    *media.RULES,
    *chaos.RULES,
    *operations.RULES,
    *security.RULES,
    *deputy.RULES,
    *sustainability.RULES,
    *cost.RULES,
)


def evaluate(views, params: Params, rules: tuple[WaRule, ...] = RULES) -> PackResult:
    """Run ``rules`` over every resource of every template, dispatching by resource type.

    A table's replicas are watched from other templates (each cell alarms on its Region's
    replica), so the alarms of every template are indexed first.
    """
    views = list(views)
    ids, tables = operations.alarm_index(views)
    return _evaluate(views, replace(params, alarmed_ids=ids, alarmed_tables=tables), rules)


def iter_rules_markdown() -> Iterator[str]:
    """docs/reference/rules.md table rows: rule, pillar, best practice, what it checks."""
    yield "| rule | pillar | best practice | checks |"
    yield "|---|---|---|---|"
    for rule in RULES:
        yield f"| `{rule.rule_id}` | {rule.pillar} | {rule.bp_id} {rule.bp_title} | {rule.summary} |"


__all__ = ["RULES", "Params", "WaRule", "evaluate", "iter_rules_markdown"]
