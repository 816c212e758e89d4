"""The text of ``python -m kickoff cost``: the baseline lines, the lines that depend on traffic, the totals, and
every price used with its confidence and source."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kickoff.config.models import KickoffConfig
from kickoff.naming import environment_key
from kickoff.reports.cost import CostReport, Price, baseline_costs
from kickoff.reports.cost_inventory import environment_stacks
from kickoff.reports.table import render_table


def usd(value: float) -> str:
    """A USD amount with cents and thousands separators."""
    return f"{value:,.2f}"


def unit_price(value: float) -> str:
    """A unit price with as many decimals as it needs (at least two)."""
    text = f"{value:.6f}".rstrip("0")
    decimals = len(text.split(".")[1])
    return f"{value:,.{max(decimals, 2)}f}"


def amount(value: float) -> str:
    """A count or billed quantity: whole numbers without decimals, small fractions with enough to be read."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}" if value >= 0.01 else f"{value:.6f}"


def render_cost_report(report: CostReport) -> str:
    """The report as text."""
    baseline = [
        [
            r.region,
            r.item,
            amount(r.count),
            amount(r.quantity or 0.0),
            r.unit,
            unit_price(r.unit_usd),
            usd(r.monthly_usd or 0.0),
            r.confidence,
            ",".join(r.price_ids),
            r.note,
        ]
        for r in report.baseline_rows
    ]
    usage = [
        [
            r.region,
            r.item,
            amount(r.count),
            r.driver,
            r.unit,
            unit_price(r.unit_usd),
            r.confidence,
            r.price_ids[0],
            r.note,
        ]
        for r in report.usage_rows
    ]
    totals = [[region, usd(value)] for region, value in report.region_totals.items()]
    totals.append(["environment", usd(report.total)])
    lines = [
        f"Monthly baseline cost of {report.environment}: USD a month of 730 hours, us-east-1 list prices applied to "
        "every US Region.",
        "The baseline is the environment between events: every resource the templates create, and each cell's task "
        "floor (services[].min_tasks).",
        "",
        "IN THE TOTAL: fixed monthly charges",
        render_table(
            ["region", "item", "count", "billed", "unit", "USD/unit", "USD/month", "conf", "price", "how counted"],
            baseline,
            right=(2, 3, 5, 6),
        ),
        "",
        "NOT IN THE TOTAL: charges that depend on traffic or usage (unit price only; count = what the charge follows)",
        render_table(
            ["region", "item", "count", "depends on", "unit", "USD/unit", "conf", "price", "counted"],
            usage,
            right=(2, 5),
        ),
        "",
        "TOTAL (fixed charges only)",
        render_table(["region", "USD/month"], totals, right=(1,)),
        "",
        "PRICES (OFF: official AWS page; SEC: dated secondary sources agree; UNC: unconfirmed best figure)",
        _price_table(report.prices_used),
    ]
    not_billed = report.inventory.not_billed
    if not_billed:
        lines += [
            "",
            "NO LINE OF THEIR OWN: resource types that are free, or billed through another line",
            render_table(["resource type", "count", "why"], [[t, n, why] for t, (n, why) in not_billed.items()], (1,)),
        ]
    unknown = report.inventory.unknown
    if unknown:
        lines += [
            "",
            "NOT PRICED: resource types this report does not know; add them to kickoff/reports/cost_lines.py",
            render_table(["resource type", "count"], [[t, n] for t, n in unknown.items()], (1,)),
        ]
    return "\n".join(lines)


def _price_table(prices: Sequence[Price]) -> str:
    rows = [[p.id, p.item, unit_price(p.usd), p.unit, p.confidence, p.checked, p.source] for p in prices]
    return render_table(["price", "item", "USD", "unit", "conf", "checked", "source"], rows, right=(2,))


def prices_markdown(prices: Sequence[Price]) -> str:
    """The price table of docs/reference/prices.md, one row per entry of prices.yaml."""
    lines = ["| id | item | unit | USD | confidence | source | checked |", "|---|---|---|---:|---|---|---|"]
    for p in prices:
        cells = [f"`{p.id}`", p.item, p.unit, unit_price(p.usd), p.confidence, p.source, p.checked]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def cost_main(config: KickoffConfig, outdir: Path) -> tuple[int, str]:
    """``python -m kickoff cost``: exit code and the text to print."""
    outdir = Path(outdir)
    if not (outdir / "manifest.json").is_file():
        return 2, f"kickoff: {outdir} holds no cloud assembly. Fix: run make synth"
    if not environment_stacks(outdir, f"{environment_key(config.identity)}-"):
        return (
            2,
            f"kickoff: {outdir} holds no stacks of {environment_key(config.identity)}. "
            "Fix: run make synth for this config",
        )
    return 0, render_cost_report(baseline_costs(config, outdir))
