"""Who may act for the release: gates run in order, and a role that another account may assume names who.

- In a pipeline stage with a manual approval, every other action runs after it (a higher RunOrder). An
  action beside the approval (same RunOrder) runs while the approval waits: a freeze check that passes at
  noon lets a deploy through when the approval comes in the middle of the game.
- A role whose trust policy admits another account admits every principal there that may call
  sts:AssumeRole, unless a condition names the principal (aws:PrincipalArn) or a shared secret
  (sts:ExternalId). The bake's reader is one such role: the tooling account's builds, operators and any
  role created there later would otherwise read what it reads.
"""

from __future__ import annotations

import re
from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props
from kickoff.rules.readiness.context import Readiness
from kickoff.rules.readiness.rule import ReadinessRule

_ACCOUNT = re.compile(r"^(?:arn:aws[\w-]*:iam::(\d{12}):root|(\d{12}))$")
_NAMING_KEYS = {"aws:principalarn", "sts:externalid", "aws:principalorgid"}


def _approval_first(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    findings = []
    for stage in props(resource).get("Stages", []):
        actions = stage.get("Actions", [])
        approvals = [a for a in actions if (a.get("ActionTypeId") or {}).get("Category") == "Approval"]
        if not approvals:
            continue
        last = max(int(a.get("RunOrder", 1)) for a in approvals)
        for action in actions:
            if action in approvals or int(action.get("RunOrder", 1)) > last:
                continue
            findings.append(
                Finding(
                    f"{stage.get('Name')}::{action.get('Name')}",
                    f"stage {stage.get('Name')}: {action.get('Name')} runs at RunOrder {action.get('RunOrder', 1)}, "
                    f"beside or before the approval ({last}): it does not wait for it, so what it checks may no longer "
                    "hold when the approval lets the deploys through",
                )
            )
    return findings


APPROVAL_GATES_STAGE = ReadinessRule(
    "PipelineApprovalGatesItsStage",
    "In a pipeline stage with a manual approval, every other action runs after the approval",
    "Make each check depend on the approval (pipelines Step.add_step_dependency), so it runs after the approval "
    "and just before the deploys.",
    "CodePipeline user guide: actions with the same runOrder run in parallel, a higher runOrder after",
    frozenset({"AWS::CodePipeline::Pipeline"}),
    _approval_first,
)


def _accounts(principal: Any, view: TemplateView) -> list[str]:
    values = principal.get("AWS", []) if isinstance(principal, dict) else []
    out = []
    for value in values if isinstance(values, list) else [values]:
        text = literal(value, view) or ""
        match = _ACCOUNT.match(text)
        if match:
            out.append(match.group(1) or match.group(2))
    return out


def _names_principal(statement: dict[str, Any]) -> bool:
    keys = {key.lower() for operator in (statement.get("Condition") or {}).values() for key in operator}
    return bool(keys & _NAMING_KEYS)


def _cross_account_trust(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    document = props(resource).get("AssumeRolePolicyDocument") or {}
    findings = []
    for statement in document.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        others = [a for a in _accounts(statement.get("Principal"), view) if a != view.account]
        if others and not _names_principal(statement):
            findings.append(
                Finding(
                    f"Account::{others[0]}",
                    f"the role trusts account {others[0]} as a whole: every principal there that may assume roles "
                    "can assume this one",
                )
            )
    return findings


CROSS_ACCOUNT_TRUST_NAMED = ReadinessRule(
    "IamCrossAccountTrustNamesPrincipal",
    "A role another account may assume names the principal (aws:PrincipalArn) or a shared secret (sts:ExternalId)",
    "Trust the other account with a condition on aws:PrincipalArn naming the one role that needs this one "
    "(AccountPrincipal(...).with_conditions).",
    "IAM user guide: cross-account access with roles; the aws:PrincipalArn and sts:ExternalId condition keys",
    frozenset({"AWS::IAM::Role"}),
    _cross_account_trust,
)

RULES: tuple[ReadinessRule, ...] = (APPROVAL_GATES_STAGE, CROSS_ACCOUNT_TRUST_NAMED)
