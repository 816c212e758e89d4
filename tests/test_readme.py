"""The generated blocks of docs/ match the code they are generated from (python -m kickoff readme)."""

from __future__ import annotations

import re

import pytest

from kickoff.readme import embedded_block, failover_budget_markdown, markers, render_block
from kickoff.rules import readiness, well_architected
from kickoff.rules.resilience import compute_budget
from tests.support import REPO_ROOT

pytestmark = pytest.mark.not_a_rule("tests that the README's figures are current")


@pytest.mark.parametrize("block", ["CONFIG REFERENCE", "CALENDAR REFERENCE", "GUARDRAIL RULES", "READINESS RULES"])
def test_readme_generated_blocks_are_current(block: str) -> None:
    assert embedded_block(block) == render_block(block), f"{block} is stale: run `.venv/bin/python -m kickoff readme`"


def test_readme_failover_numbers_are_the_budgets(prod) -> None:
    """The docs quote the failover budget in one place, generated from the prod templates."""
    budget = compute_budget(prod.config, {n: prod.template(n) for n in prod.stack_names})
    begin, end = markers("FAILOVER BUDGET")
    assert embedded_block("FAILOVER BUDGET") == f"{begin}\n{failover_budget_markdown(budget)}\n{end}", (
        "FAILOVER BUDGET is stale: run `.venv/bin/python -m kickoff readme`"
    )


README = REPO_ROOT / "README.md"
USER_DOCS = [README, REPO_ROOT / "bench" / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]


def test_the_readme_is_a_front_page() -> None:
    """At most 25 KB: what and why, the quick start, the path to your own accounts, the commands, where things are;
    reference material lives under docs/."""
    text = README.read_text()
    assert len(text.encode()) <= 25 * 1024
    for heading in ("## Quick start", "## Make it yours", "## Commands", "## Where is", "## Documentation"):
        assert heading in text


def test_user_facing_docs_carry_no_development_history() -> None:
    pattern = re.compile(r"\bissues? #?\d+|\bissue's\b|\bthe issue\b", re.IGNORECASE)
    found = [
        f"{path.relative_to(REPO_ROOT)}:{n}: {line.strip()[:80]}"
        for path in USER_DOCS
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(re.sub(r"https?://\S+", "", line))
    ]
    assert found == []


def test_the_readme_counts_the_rules_there_are() -> None:
    text = README.read_text()
    assert f"Well-Architected pack ({len(well_architected.RULES)} rules)" in text
    assert f"deploy-readiness pack ({len(readiness.RULES)} rules" in text


def test_every_relative_link_in_the_docs_resolves() -> None:
    broken = []
    for path in USER_DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            if not (path.parent / target).exists():
                broken.append(f"{path.relative_to(REPO_ROOT)} -> {target}")
    assert broken == []
