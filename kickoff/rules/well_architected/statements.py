"""Reading IAM policy documents in a template: statements, lists, condition keys, task roles."""

from __future__ import annotations

import json
from typing import Any

from kickoff.rules.engine import TemplateView, references
from kickoff.rules.engine import props as _props


def statements(document: Any) -> list[dict[str, Any]]:
    """The statements of a policy document (a dict, or a JSON string as AWS::Logs::ResourcePolicy holds it)."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    if not isinstance(document, dict):
        return []
    found = document.get("Statement", [])
    return [s for s in (found if isinstance(found, list) else [found]) if isinstance(s, dict)]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def condition_keys(statement: dict[str, Any]) -> set[str]:
    """Every condition key of a statement, lower case."""
    return {
        key.lower() for block in (statement.get("Condition") or {}).values() if isinstance(block, dict) for key in block
    }


def services(statement: dict[str, Any]) -> set[str]:
    """The service principals a statement names."""
    principal = statement.get("Principal")
    if not isinstance(principal, dict):
        return set()
    return {s for s in as_list(principal.get("Service", [])) if isinstance(s, str)}


def task_role_ids(view: TemplateView) -> set[str]:
    """Logical IDs of the roles task definitions name as their task role."""
    return {
        i
        for task in view.of_type("AWS::ECS::TaskDefinition").values()
        for i in references(_props(task).get("TaskRoleArn"))
    }
