"""Readiness rules over a shipped deployment's templates, edited: the harness the shipped-template cases share.

``rule_findings`` runs one rule over every template of a synthesized deployment after an edit of the templates (a
dict per stack), as the synth runs it, and says how many resources the rule evaluated and what it found.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from kickoff.rules.engine import TemplateView
from kickoff.rules.params import readiness_params
from kickoff.rules.readiness import RULES, evaluate
from kickoff.stacks.deployment import template_path
from tests.support import Synth

Templates = dict[str, dict[str, Any]]  # stack name -> template
Edit = Callable[[Templates, Synth], None]


def _views(synth: Synth, templates: Templates) -> list[TemplateView]:
    return [
        TemplateView(
            template_path(s).name,
            s.stack_name,
            s.region,
            s.cell_tag,
            templates[s.stack_name].get("Resources", {}),
            account=s.account,
        )
        for s in synth.deployment.stacks
    ]


def rule_findings(synth: Synth, edit: Edit | None, suffix: str) -> tuple[int, list[str]]:
    """How many resources the rule evaluated, and its findings, over ``synth``'s templates after ``edit``."""
    templates = {s.stack_name: json.loads(template_path(s).read_text()) for s in synth.deployment.stacks}
    if edit is not None:
        edit(templates, synth)
    rule = next(r for r in RULES if r.suffix == suffix)
    params = readiness_params(synth.config, synth.deployment.plan)
    result = evaluate(_views(synth, templates), params, (rule,))
    return len(result.evaluations), [f.detail for e in result.failures for f in e.findings]
