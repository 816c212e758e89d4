"""Runtimes: nothing is created on a runtime AWS has retired by the time of the deploy.

A runtime that worked when the code was written stops working on a date: CloudWatch Synthetics
refuses to create (or update) a canary on a deprecated runtime version, while aws-cdk-lib 2.275
still offers several of them unmarked. The date is compared with the deploy time the synth
assumes (``-c plan_from``), like every other time-dependent rule.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props
from kickoff.rules.readiness.context import Readiness
from kickoff.rules.readiness.rule import ReadinessRule

# CloudWatch user guide, "CloudWatch Synthetics runtime support policy" (deprecation dates). Versions retired in
# 2024 are listed with the end of that year: the page gives no single day for each, and none may be used now.
_RETIRED_2024 = datetime(2024, 12, 31, tzinfo=UTC)
SYNTHETICS_RETIRED: dict[str, datetime] = {
    **{f"syn-nodejs-puppeteer-{v}": _RETIRED_2024 for v in ("3.5", "3.6", "3.7", "3.8", "3.9", "4.0", "5.0", "5.1")},
    **{f"syn-nodejs-puppeteer-{v}": _RETIRED_2024 for v in ("6.0", "6.1")},
    **{f"syn-python-selenium-{v}": _RETIRED_2024 for v in ("1.0", "1.1", "1.2", "1.3", "2.0")},
    **{f"syn-nodejs-puppeteer-{v}": datetime(2026, 1, 22, tzinfo=UTC) for v in ("5.2", "6.2", "7.0")},
    **{f"syn-python-selenium-{v}": datetime(2026, 1, 22, tzinfo=UTC) for v in ("2.1", "3.0")},
    **{f"syn-python-selenium-{v}": datetime(2026, 2, 3, tzinfo=UTC) for v in ("4.0", "4.1", "5.0", "5.1")},
}


def _canary_runtime(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding]:
    version = literal(props(resource).get("RuntimeVersion"), view)
    retired = SYNTHETICS_RETIRED.get(version or "")
    if retired is None or readiness.params.deploy_time < retired:
        return []
    return [
        Finding(
            "",
            f"runtime {version} was retired on {retired:%Y-%m-%d}, before the deploy time "
            f"{readiness.params.deploy_time:%Y-%m-%d}: Synthetics refuses to create or update the canary",
        )
    ]


CANARY_RUNTIME_SUPPORTED = ReadinessRule(
    "SyntheticsCanaryRuntimeSupported",
    "No canary runs on a Synthetics runtime AWS has retired by the deploy time",
    "Move the canary to a current runtime (kickoff/constructs/region_probes.py RUNTIME; decision 0014).",
    "CloudWatch user guide: CloudWatch Synthetics runtime support policy",
    frozenset({"AWS::Synthetics::Canary"}),
    _canary_runtime,
)

RULES: tuple[ReadinessRule, ...] = (CANARY_RUNTIME_SUPPORTED,)
