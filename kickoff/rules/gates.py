"""Every gate a synth runs, by the name tests and docs use for it (pure, no CDK).

A gate is a cdk-nag pack rule (``AwsSolutions-<ID>``, ``WA-<...>``, ``DR-<...>``), a checkov check run by the
Checkov plugin (``Checkov:<ID>``), or one of the checks below. ``docs/checks.md`` lists which gate holds each
invariant the tests assert about the synthesized templates.
"""

from __future__ import annotations

import re

from kickoff.rules.readiness import RULES as READINESS_RULES
from kickoff.rules.well_architected import RULES as WA_RULES

# Gates that are not a rule of a pack: name -> (where it runs, what it holds).
CHECKS: dict[str, tuple[str, str]] = {
    "Config": (
        "load_config, before any construct (kickoff/config)",
        "the config's own values: schema, cross-field checks, the season against max_tasks and every declared quota",
    ),
    "MissingContext": (
        "kickoff.application.main, after the synth",
        "no lookup reached for AWS: the synth used only cdk.context.json",
    ),
    "Acknowledgement": (
        "kickoff.guardrails.acknowledgement, when an acknowledgement is made",
        "every acknowledged finding is on its construct and says why in 80 characters or more",
    ),
    "AwsSolutions": ("cdk-nag's AwsSolutions pack, a validation plugin", "every AwsSolutions rule, unacknowledged"),
    "ResilienceBudget": ("validation plugin", "RTO, RPO and N-1 arithmetic from the templates against the objectives"),
    "Twin": (
        "validation plugin (production configs)",
        "the alarms, health checks, routing and capacity through each failure scenario at the season's largest event",
    ),
    "StatefulLock": (
        "validation plugin",
        "no stateful resource is removed or replaced against stateful.lock.json, and every one is in it",
    ),
    "ReleaseOrder": (
        "validation plugin, reading the cloud assembly's manifest",
        "without a pipeline, keys before data before the canary cell alone before the other cells before the edge; "
        "every production stack termination-protected",
    ),
    "CfnLint": ("validation plugin (app synths)", "cfn-lint errors, and warnings not listed with a reason"),
    "Checkov": (
        "validation plugin (app synths)",
        "checkov's CloudFormation checks, except those listed with a reason in kickoff/rules/checkov_skips.yaml",
    ),
}

_CHECKOV = re.compile(r"^Checkov:CKV2?_AWS_\d+$")
_AWS_SOLUTIONS = re.compile(r"^AwsSolutions-[A-Z0-9]+$")


def rule_ids() -> dict[str, str]:
    """Every pack rule Kickoff defines: ID -> what it checks."""
    return {
        **{r.rule_id: r.summary for r in WA_RULES},
        **{r.rule_id: r.summary for r in READINESS_RULES},
    }


def is_gate(name: str) -> bool:
    """Whether ``name`` names a gate a synth runs."""
    return name in CHECKS or name in rule_ids() or bool(_CHECKOV.match(name) or _AWS_SOLUTIONS.match(name))
