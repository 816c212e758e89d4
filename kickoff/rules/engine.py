"""What every template rule pack shares: views of synthesized templates, findings, evaluation.

Pure Python, no CDK import. A pack is a tuple of rules; each rule names the resource
types it applies to and a check ``check(logical_id, resource, view, context)`` that
returns None (not applicable), [] (compliant) or findings. ``context`` is the pack's
own object: the Well-Architected pack passes its ``Params``, the deploy-readiness pack
a context that also sees every template of the deployment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

Resource = dict[str, Any]
# A rule whose resource_types holds this applies to every resource.
ANY_TYPE = "*"


@dataclass(frozen=True)
class Finding:
    """A non-compliance: ``key`` (may be empty) becomes the finding ID, ``detail`` the message."""

    key: str
    detail: str


@dataclass
class TemplateView:
    """One synthesized template and what the rules need to know about its stack."""

    file: str
    stack: str
    region: str
    cell: str
    resources: dict[str, Resource]
    account: str = ""
    _by_type: dict[str, dict[str, Resource]] = field(default_factory=dict, repr=False)

    def of_type(self, resource_type: str) -> dict[str, Resource]:
        """Resources of one type, by logical ID."""
        if not self._by_type:
            for logical_id, resource in self.resources.items():
                self._by_type.setdefault(resource["Type"], {})[logical_id] = resource
        return self._by_type.get(resource_type, {})


def load_view(file: str, template_text: str, *, stack: str, region: str, cell: str, account: str = "") -> TemplateView:
    """A TemplateView from template JSON text."""
    return TemplateView(
        file=file,
        stack=stack,
        region=region,
        cell=cell,
        account=account,
        resources=json.loads(template_text).get("Resources", {}),
    )


_SUB_NAME = re.compile(r"\$\{([^}!][^}]*)\}")


def references(value: Any) -> set[str]:
    """Logical IDs (and parameters) referenced by Ref, Fn::GetAtt or a ``${Name}`` of Fn::Sub anywhere in ``value``."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "Ref" in node and isinstance(node["Ref"], str):
                found.add(node["Ref"])
            if "Fn::GetAtt" in node:
                target = node["Fn::GetAtt"]
                found.add(target[0] if isinstance(target, list) else str(target).split(".")[0])
            sub = node.get("Fn::Sub")
            text = sub[0] if isinstance(sub, list) and sub else sub
            if isinstance(text, str):
                found.update(name.split(".", 1)[0] for name in _SUB_NAME.findall(text))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(value)
    return found


def props(resource: Resource) -> dict[str, Any]:
    """The resource's Properties (empty when it has none)."""
    return resource.get("Properties", {})


def security_group_ingress(view: TemplateView, groups: set[str]) -> list[dict[str, Any]]:
    """Every ingress rule of the security groups ``groups`` (logical IDs): inline ones, then the
    AWS::EC2::SecurityGroupIngress resources attached to any of them."""
    rules: list[dict[str, Any]] = []
    for group_id in sorted(groups):
        group = view.resources.get(group_id)
        if group is not None:
            rules += props(group).get("SecurityGroupIngress", [])
    for ingress in view.of_type("AWS::EC2::SecurityGroupIngress").values():
        if references(props(ingress).get("GroupId")) & groups:
            rules.append(props(ingress))
    return rules


def tags(value: Any) -> dict[str, Any]:
    """Tags as a dict, from either the list-of-Key/Value or the map form."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return {t.get("Key"): t.get("Value") for t in value if isinstance(t, dict)}
    return {}


def literal(value: Any, view: TemplateView) -> str | None:
    """``value`` as a string when it is fixed at synth: a string, or Fn::Join / Fn::Sub of strings and
    the pseudo parameters AWS::Region, AWS::AccountId, AWS::Partition, AWS::URLSuffix and AWS::StackName.

    None when it depends on anything CloudFormation decides at deploy time (a resource attribute,
    AWS::StackId), so two deployments could not produce the same value.
    """
    pseudo = {
        "AWS::Region": view.region,
        "AWS::AccountId": view.account or None,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::StackName": view.stack,
    }
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((fn, arg),) = value.items()
    if fn == "Ref" and isinstance(arg, str):
        return pseudo.get(arg)
    if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
        parts = [literal(part, view) for part in arg[1]]
        return None if any(p is None for p in parts) else str(arg[0]).join(parts)  # type: ignore[arg-type]
    if fn == "Fn::Sub" and isinstance(arg, str):
        out = arg
        for name, replacement in pseudo.items():
            if replacement is not None:
                out = out.replace("${" + name + "}", replacement)
        return None if "${" in out else out
    return None


class Rule(Protocol):
    """What the evaluator and the cdk-nag bridge need of a rule."""

    suffix: str
    explanation: str
    resource_types: frozenset[str]
    check: Callable[..., list[Finding] | None]

    @property
    def rule_id(self) -> str: ...

    @property
    def info(self) -> str: ...


@dataclass(frozen=True)
class Evaluation:
    """The result of one rule on one resource."""

    rule: Any
    template: str
    logical_id: str
    findings: tuple[Finding, ...]


@dataclass
class PackResult:
    """Every evaluation of a pack run."""

    evaluations: list[Evaluation]

    @property
    def failures(self) -> list[Evaluation]:
        return [e for e in self.evaluations if e.findings]

    def by_resource(self) -> dict[tuple[str, str], list[Evaluation]]:
        out: dict[tuple[str, str], list[Evaluation]] = {}
        for evaluation in self.failures:
            out.setdefault((evaluation.template, evaluation.logical_id), []).append(evaluation)
        return out


def evaluate(views: Iterable[TemplateView], context: Any, rules: Iterable[Rule]) -> PackResult:
    """Run ``rules`` over every resource of every template, dispatching by resource type."""
    by_type: dict[str, list[Rule]] = {}
    for rule in rules:
        for resource_type in rule.resource_types:
            by_type.setdefault(resource_type, []).append(rule)
    every_type = by_type.pop(ANY_TYPE, [])
    evaluations = []
    for view in views:
        for logical_id, resource in view.resources.items():
            for rule in [*by_type.get(resource.get("Type", ""), ()), *every_type]:
                findings = rule.check(logical_id, resource, view, context)
                if findings is not None:
                    evaluations.append(Evaluation(rule, view.file, logical_id, tuple(findings)))
    return PackResult(evaluations)


def iter_views_of_type(
    views: Iterable[TemplateView], resource_type: str
) -> Iterator[tuple[TemplateView, str, Resource]]:
    """(view, logical ID, resource) for every resource of ``resource_type`` in ``views``."""
    for view in views:
        for logical_id, resource in view.of_type(resource_type).items():
            yield view, logical_id, resource
