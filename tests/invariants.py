"""Which gate holds what each template test asserts: the markers on the tests, and docs/checks.md's tables.

A test that reads the synthesized prod or dev templates (it takes a synth fixture, directly or through a fixture of
its module) carries one marker: ``@pytest.mark.held_by(gate, ...)``, the synth-time gates that enforce the property
it asserts, or ``@pytest.mark.not_a_rule("...")``, one line on why no synth-time rule can. A module-level
``pytestmark`` applies to every test of the module that has no marker of its own.

``python -m tests.invariants`` rewrites the tables in docs/checks.md; tests/test_invariants.py checks the markers
and that the tables are current.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from kickoff.rules import gates

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
DOC = ROOT / "docs" / "checks.md"
SYNTH_FIXTURES = frozenset({"prod", "dev", "strong", "evacuated", "with_arc", "parallel_waves", "synthesized"})
BEGIN, END = "<!-- invariants:begin -->", "<!-- invariants:end -->"

# Where each gate is proven on a compliant and a non-compliant case (its pair), beside the templates it holds.
CHECK_PROOFS: dict[str, str] = {
    "Config": "tests/config/",
    "MissingContext": "tests/stacks/test_deployment.py",
    "Acknowledgement": "tests/guardrails/test_checks.py",
    "AwsSolutions": "tests/guardrails/test_checks.py",
    "ResilienceBudget": "tests/rules/test_resilience.py",
    "Twin": "tests/twin/test_twin.py",
    "StatefulLock": "tests/guardrails/test_stateful_lock_plugin.py",
    "ReleaseOrder": "tests/rules/test_release_order.py",
    "CfnLint": "tests/guardrails/test_cfn_lint_plugin.py",
    "Checkov": "tests/guardrails/test_checkov_plugin.py",
}


@dataclass(frozen=True)
class TemplateTest:
    """A test that reads synthesized templates, and its marker."""

    path: str  # relative to the repository
    name: str
    held_by: tuple[str, ...] = ()
    reason: str = ""

    @property
    def id(self) -> str:
        return f"{self.path}::{self.name}"


def _mark(node: ast.expr) -> tuple[tuple[str, ...], str] | None:
    """(held_by gates, not_a_rule reason) of a ``pytest.mark.held_by(...)`` / ``not_a_rule(...)`` call."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    args = tuple(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    if node.func.attr == "held_by":
        return args, ""
    if node.func.attr == "not_a_rule":
        return (), " ".join(args)
    return None


def _module_mark(tree: ast.Module) -> tuple[tuple[str, ...], str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            values = node.value.elts if isinstance(node.value, ast.List) else [node.value]
            for value in values:
                found = _mark(value)
                if found:
                    return found
    return None


def _synth_fixtures(tree: ast.Module) -> set[str]:
    """The synth fixtures and the module's fixtures that depend on one (transitively)."""
    known = set(SYNTH_FIXTURES)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("test_")]
    changed = True
    while changed:
        changed = False
        for function in functions:
            if function.name not in known and {a.arg for a in function.args.args} & known:
                known.add(function.name)
                changed = True
    return known


def template_tests(root: Path = TESTS) -> list[TemplateTest]:
    """Every test under ``root`` that reads synthesized templates, with its marker (empty when it has none)."""
    out = []
    for path in sorted(root.rglob("test_*.py")):
        tree = ast.parse(path.read_text())
        fixtures = _synth_fixtures(tree)
        module = _module_mark(tree)
        for node in tree.body:
            if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
                continue
            if not {a.arg for a in node.args.args} & fixtures:
                continue
            own = next((m for d in node.decorator_list if (m := _mark(d))), None)
            held, reason = own or module or ((), "")
            where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            out.append(TemplateTest(str(where), node.name, held, reason))
    return out


def _proof(gate: str) -> str:
    from tests.rules.test_rules_on_shipped_templates import CASES

    if gate.startswith("WA-"):
        return "tests/rules/test_well_architected.py"
    if gate.startswith("DR-"):
        shipped = gate.removeprefix("DR-") in CASES
        return "tests/rules/test_rules_on_shipped_templates.py" if shipped else "tests/rules/test_readiness.py"
    if gate.startswith("Checkov:"):
        return CHECK_PROOFS["Checkov"]
    if gate.startswith("AwsSolutions-"):
        return CHECK_PROOFS["AwsSolutions"]
    return CHECK_PROOFS.get(gate, "")


def _what(gate: str) -> str:
    rules = gates.rule_ids()
    if gate in rules:
        return rules[gate]
    if gate in gates.CHECKS:
        return gates.CHECKS[gate][1]
    if gate.startswith("Checkov:"):
        return f"checkov check {gate.removeprefix('Checkov:')} (run by the Checkov plugin)"
    return f"cdk-nag rule {gate}"


def render(tests: list[TemplateTest]) -> str:
    """The two tables docs/checks.md holds between its markers."""
    held: dict[str, list[TemplateTest]] = {}
    for test in tests:
        for gate in test.held_by:
            held.setdefault(gate, []).append(test)
    order = [
        *gates.CHECKS,
        *gates.rule_ids(),
        *sorted(g for g in held if g not in gates.CHECKS and g not in gates.rule_ids()),
    ]
    lines = [
        BEGIN,
        "<!-- Written by `python -m tests.invariants` from the tests' markers; tests/test_invariants.py checks it. -->",
        "",
        f"**Gates** ({len(order)}): what each holds at synth, where its compliant and non-compliant cases are, and the "
        f"template tests it holds ({sum(1 for t in tests if t.held_by)} of {len(tests)} tests that read the "
        "synthesized templates).",
        "",
        "| gate | invariant | proven by | template tests it holds |",
        "|---|---|---|---|",
    ]
    for gate in order:
        names = ", ".join(f"`{t.name}`" for t in held.get(gate, [])) or "-"
        lines.append(f"| `{gate}` | {_what(gate)} | `{_proof(gate)}` | {names} |")
    unheld = [t for t in tests if not t.held_by]
    lines += [
        "",
        f"**Template tests no synth-time gate holds** ({len(unheld)}), and why none can:",
        "",
        "| test | why it is not a rule |",
        "|---|---|",
        *(f"| `{t.id}` | {t.reason} |" for t in unheld),
        END,
    ]
    return "\n".join(lines)


def current_doc() -> str:
    text = DOC.read_text()
    return text[text.index(BEGIN) : text.index(END) + len(END)]


def write_doc() -> None:
    text = DOC.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    DOC.write_text(text[:start] + render(template_tests()) + text[end:])


_ONE_LINE = re.compile(r"^[^\n]{10,200}$")


def problems(tests: list[TemplateTest]) -> list[str]:
    """Tests without a marker, with an unknown gate, or with a reason that is not one line."""
    out = []
    for test in tests:
        if not test.held_by and not test.reason:
            out.append(f"{test.id}: no held_by or not_a_rule marker")
        out += [f"{test.id}: {g} is not a gate (kickoff/rules/gates.py)" for g in test.held_by if not gates.is_gate(g)]
        if test.reason and not _ONE_LINE.match(test.reason):
            out.append(f"{test.id}: the reason is not one line of 10-200 characters")
    return out


if __name__ == "__main__":
    write_doc()
    sys.stdout.write(f"wrote the invariant tables in {DOC.relative_to(ROOT)}\n")
