"""The deploy-readiness pack: what AWS enforces at deploy time or on the request path, checked at synth.

Linters know schemas; these rules know service semantics. Each class of mistake found in a
deploy review is one rule, pure Python over the synthesized templates of the whole
deployment (``Readiness`` sees every stack), with a compliant and a non-compliant test case.
``kickoff.guardrails.readiness_pack`` runs them on every synth through cdk-nag.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from kickoff.rules.engine import PackResult, TemplateView
from kickoff.rules.engine import evaluate as _evaluate
from kickoff.rules.readiness import (
    access,
    cache_identity,
    capacity,
    data,
    edge,
    health,
    images,
    isolation,
    live,
    live_resources,
    names,
    operations,
    origin_host,
    probers,
    release,
    rollback,
    runtimes,
    tasks,
    trust,
    waf,
    writers,
)
from kickoff.rules.readiness.context import (
    EventWindowFacts,
    LiveChannelFacts,
    LiveFacts,
    OperationsFacts,
    Readiness,
    ReadinessParams,
    RegionQuotas,
)
from kickoff.rules.readiness.rule import ReadinessRule

RULES: tuple[ReadinessRule, ...] = (
    *names.RULES,
    *capacity.RULES,
    *tasks.RULES,
    *data.RULES,
    *origin_host.RULES,
    *edge.RULES,
    *cache_identity.RULES,
    *access.RULES,
    *health.RULES,
    *probers.RULES,
    *rollback.RULES,
    *images.RULES,
    *runtimes.RULES,
    *trust.RULES,
    *waf.RULES,
    *writers.RULES,
    *release.RULES,
    *operations.RULES,
    *isolation.RULES,
    *live.RULES,
    *live_resources.RULES,
)


def evaluate(
    views: Sequence[TemplateView], params: ReadinessParams, rules: Sequence[ReadinessRule] = RULES
) -> PackResult:
    """Run the readiness rules over every resource of every template, with the whole deployment in view."""
    views = list(views)
    return _evaluate(views, Readiness(params, views), rules)


def iter_rules_markdown() -> Iterator[str]:
    """docs/reference/rules.md table rows: rule, what it checks, the service behaviour behind it."""
    yield "| rule | checks | service rule behind it |"
    yield "|---|---|---|"
    for rule in RULES:
        yield f"| `{rule.rule_id}` | {rule.summary} | {rule.source} |"


__all__ = [
    "RULES",
    "EventWindowFacts",
    "LiveChannelFacts",
    "LiveFacts",
    "OperationsFacts",
    "ReadinessParams",
    "ReadinessRule",
    "RegionQuotas",
    "evaluate",
    "iter_rules_markdown",
]
