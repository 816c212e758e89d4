"""The generated blocks of docs/ match the code they are generated from (python -m kickoff readme)."""

from __future__ import annotations

import pytest

from kickoff.readme import embedded_block, failover_budget_markdown, markers, render_block
from kickoff.rules.resilience import compute_budget


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
