"""A small IAM policy evaluator for the tests: explicit deny, then allow, with the condition operators the
project's policies use, and AWS's rule for a missing key (a positive operator is false, a negated one true).

moto's own evaluator ignores a condition whose key is missing, so an unbounded CreateRole would pass it.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any

NEGATED = {"StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _glob(pattern: str, value: str, *, case: bool = True) -> bool:
    if not case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern)


def _condition(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    if operator == "Null":
        return (key not in context) == (str(expected).lower() == "true")
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if key not in context:
        return if_exists or base in NEGATED
    actual = context[key]
    values = _listed(expected)
    if base in ("StringEquals", "ArnEquals"):
        return actual in values
    if base in ("StringNotEquals", "ArnNotEquals"):
        return actual not in values
    if base in ("StringLike", "ArnLike"):
        return any(_glob(v, actual) for v in values)
    if base in ("StringNotLike", "ArnNotLike"):
        return not any(_glob(v, actual) for v in values)
    if base == "Bool":
        return actual.lower() in [str(v).lower() for v in values]
    raise ValueError(f"condition operator {operator} is not modelled")


def _applies(statement: Mapping[str, Any], action: str, resource: str, context: Mapping[str, str]) -> bool:
    if "Action" in statement and not any(_glob(a, action, case=False) for a in _listed(statement["Action"])):
        return False
    if "NotAction" in statement and any(_glob(a, action, case=False) for a in _listed(statement["NotAction"])):
        return False
    if "Resource" in statement and not any(_glob(r, resource) for r in _listed(statement["Resource"])):
        return False
    if "NotResource" in statement and any(_glob(r, resource) for r in _listed(statement["NotResource"])):
        return False
    return all(
        _condition(operator, key, expected, context)
        for operator, keys in (statement.get("Condition") or {}).items()
        for key, expected in keys.items()
    )


def allowed(policy: Mapping[str, Any], action: str, resource: str, context: Mapping[str, str] | None = None) -> bool:
    """Whether ``policy`` alone allows the request: no applicable deny, and an applicable allow."""
    context = context or {}
    statements = _listed(policy["Statement"]) if isinstance(policy["Statement"], str) else policy["Statement"]
    applicable = [s for s in statements if _applies(s, action, resource, context)]
    return not any(s["Effect"] == "Deny" for s in applicable) and any(s["Effect"] == "Allow" for s in applicable)


def allowed_within(
    identity: Mapping[str, Any], boundaries: Sequence[Mapping[str, Any]], action: str, resource: str, context=None
) -> bool:
    """What a principal with ``identity`` policy and permissions ``boundaries`` may do: allowed by both."""
    return allowed(identity, action, resource, context) and all(
        allowed(b, action, resource, context) for b in boundaries
    )
