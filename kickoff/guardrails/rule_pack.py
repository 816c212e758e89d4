"""A cdk-nag 3 NagPack whose rules are pure Python over the synthesized templates.

CDK calls ``validate`` with the template paths; the pack evaluates every rule once over
all templates (``kickoff.rules.engine.evaluate``). cdk-nag then walks the construct tree and
calls ``_check_resource`` for every CfnResource; only resources with a finding cross into
jsii, through ``_apply_rule``, so cdk-nag applies acknowledgements and reports them. A
Python rule callback costs about 1.6 ms per rule per construct; this keeps a pack's cost
close to one type check per resource (decision 0007).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from cdk_nag import IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance

from kickoff.rules.engine import Evaluation, PackResult, TemplateView, load_view
from kickoff.rules.summary import outdir_of, update_summary


@dataclass(frozen=True)
class StackFacts:
    """What rules need to know about a stack that its template does not say."""

    stack: str
    region: str
    cell: str
    account: str = ""


@jsii.implements(IApplyRule)
class _Verdict:
    """Hands one precomputed non-compliance to cdk-nag (all members must be properties)."""

    def __init__(self, node: cdk.CfnResource, evaluation: Evaluation) -> None:
        self._node = node
        self._evaluation = evaluation
        rule = evaluation.rule
        details = "; ".join(f.detail for f in evaluation.findings)
        self._info = f"{rule.info}: {details}"
        self._explanation = rule.explanation
        self._suffix = rule.suffix

    @property
    def node(self) -> cdk.CfnResource:
        return self._node

    @node.setter
    def node(self, value: cdk.CfnResource) -> None:
        self._node = value

    @property
    def rule_suffix_override(self) -> str:
        return self._suffix

    @rule_suffix_override.setter
    def rule_suffix_override(self, value: str) -> None:
        self._suffix = value

    @property
    def info(self) -> str:
        return self._info

    @info.setter
    def info(self, value: str) -> None:
        self._info = value

    @property
    def explanation(self) -> str:
        return self._explanation

    @explanation.setter
    def explanation(self, value: str) -> None:
        self._explanation = value

    @property
    def level(self) -> NagMessageLevel:
        return NagMessageLevel.ERROR

    @level.setter
    def level(self, value: NagMessageLevel) -> None:
        pass

    def rule(self, node: cdk.CfnResource) -> Any:
        keys = [f.key for f in self._evaluation.findings if f.key]
        return keys if keys else NagRuleCompliance.NON_COMPLIANT


class TemplateRulePack(NagPack):
    """Runs ``evaluate(views)`` once per synth and reports its findings through cdk-nag.

    ``pack_name`` names the plugin in validation-report.json; ``prefix`` starts every rule ID
    (``<prefix>-<suffix>``); ``rule_count`` goes into the synth summary.
    """

    def __init__(
        self,
        scope: cdk.App,
        *,
        pack_name: str,
        prefix: str,
        rule_count: int,
        evaluate: Callable[[Sequence[TemplateView]], PackResult],
        stacks: dict[str, StackFacts],
    ) -> None:
        super().__init__(scope)
        self._pack_name = prefix
        self._plugin_name = pack_name
        self._rule_count = rule_count
        self._evaluate = evaluate
        self._stacks = stacks
        self.result: PackResult | None = None
        self._failing: dict[tuple[str, str], list[Evaluation]] = {}
        self._failing_types: set[str] = set()
        self.evaluation_seconds = 0.0

    @property
    def name(self) -> str:
        return self._plugin_name

    def summary(self) -> dict[str, Any]:
        """What ``python -m kickoff check`` prints for this pack; subclasses add to it."""
        assert self.result is not None
        return {
            "rules": self._rule_count,
            "evaluations": len(self.result.evaluations),
            "non_compliant": len(self.result.failures),
            "seconds": round(self.evaluation_seconds, 3),
        }

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        started = time.perf_counter()
        paths = [Path(p) for p in context.template_paths]
        views = [
            load_view(
                path.name,
                path.read_text(),
                stack=facts.stack,
                region=facts.region,
                cell=facts.cell,
                account=facts.account,
            )
            for path in paths
            if (facts := self._stacks.get(path.name)) is not None
        ]
        self.result = self._evaluate(views)
        self._failing = self.result.by_resource()
        resources = {view.file: view.resources for view in views}
        self._failing_types = {resources[template][logical_id]["Type"] for template, logical_id in self._failing}
        report = super().validate(context)
        self.evaluation_seconds = time.perf_counter() - started
        if paths:
            update_summary(outdir_of(paths), self._plugin_name, self.summary())
        return report

    def _check_resource(self, node: cdk.CfnResource) -> None:
        if node.cfn_resource_type not in self._failing_types:
            return
        stack = cdk.Stack.of(node)
        key = (stack.template_file, stack.resolve(node.logical_id))
        for evaluation in self._failing.get(key, ()):
            self._apply_rule(_Verdict(node, evaluation))
