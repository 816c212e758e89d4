"""The monthly baseline cost of one environment, with each unit price and its source.

The baseline is what the environment costs in a month with no event and no viewer: every resource the
synthesized templates create that bills by the hour or by the month (730 hours), plus the task floor each
cell runs between events. Charges that grow with traffic, running tasks, releases or event windows are listed
with their unit price and source but left out of the total, so the reader sees that nothing is missing.

Prices come from ``prices.yaml`` beside this module (us-east-1 list prices, applied to every US Region).
Pure Python: reads the cloud assembly, never AWS.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kickoff.config.models import KickoffConfig
from kickoff.naming import environment_key
from kickoff.plan_limits import service_models
from kickoff.reports.cost_inventory import GLOBAL, HOURS_PER_MONTH, Inventory, count_resources, environment_stacks
from kickoff.reports.cost_lines import FIXED_LINES, USAGE_LINES
from kickoff.scaling import FARGATE_ARM64_US_EAST_1

PRICES_FILE = Path(__file__).with_name("prices.yaml")
CONFIDENCE_ORDER = ("OFF", "SEC", "UNC")
FARGATE_PRICE_IDS = ("fargate-arm64-vcpu-hour", "fargate-arm64-gb-hour")


@dataclass(frozen=True)
class Price:
    """One unit price: what it is, in USD per ``unit``, how sure it is (OFF, SEC or UNC) and where it is from."""

    id: str
    item: str
    unit: str
    usd: float
    confidence: str
    source: str
    checked: str
    note: str = ""


def load_prices(path: Path = PRICES_FILE) -> dict[str, Price]:
    """The unit prices of ``prices.yaml``, by id."""
    data = yaml.safe_load(path.read_text())
    prices = {}
    for entry in data["prices"]:
        price = Price(**{**entry, "usd": float(entry["usd"]), "checked": str(entry["checked"])})
        if price.confidence not in CONFIDENCE_ORDER:
            raise ValueError(f"{path}: price {price.id} has confidence {price.confidence!r}")
        if price.id in prices:
            raise ValueError(f"{path}: price {price.id} is listed twice")
        prices[price.id] = price
    return prices


@dataclass(frozen=True)
class CostRow:
    """One line of the report.

    Fields:
        region: the Region billed, or ``global``.
        item: what is billed.
        count: how many resources (or tasks) the line covers.
        quantity: billed units a month, in the price's unit; None when it depends on ``driver``.
        unit: the price's unit.
        unit_usd: the unit price (for the task floor, the price of one task-hour).
        monthly_usd: USD a month; None for a line that depends on traffic or usage (not in the total).
        confidence: the least certain confidence of the prices used.
        price_ids: ids in prices.yaml.
        driver: empty for a fixed line; otherwise what it depends on (traffic, running tasks, releases...).
        note: how the line was counted.
    """

    region: str
    item: str
    count: float
    quantity: float | None
    unit: str
    unit_usd: float
    monthly_usd: float | None
    confidence: str
    price_ids: tuple[str, ...]
    driver: str = ""
    note: str = ""

    @property
    def in_total(self) -> bool:
        """True for a fixed monthly line, counted in the baseline total."""
        return self.monthly_usd is not None


@dataclass(frozen=True)
class CostReport:
    """The baseline of one environment: its lines, the prices they use, and what carries no line."""

    environment: str
    regions: tuple[str, ...]
    rows: tuple[CostRow, ...]
    prices: dict[str, Price]
    inventory: Inventory = field(repr=False)

    @property
    def baseline_rows(self) -> tuple[CostRow, ...]:
        """Lines in the total."""
        return tuple(r for r in self.rows if r.in_total)

    @property
    def usage_rows(self) -> tuple[CostRow, ...]:
        """Lines that depend on traffic or usage (not in the total)."""
        return tuple(r for r in self.rows if not r.in_total)

    @property
    def region_totals(self) -> dict[str, float]:
        """USD a month per Region (and ``global``), in report order."""
        return {region: sum(r.monthly_usd or 0.0 for r in self.rows if r.region == region) for region in self.regions}

    @property
    def total(self) -> float:
        """USD a month for the whole environment."""
        return sum(self.region_totals.values())

    @property
    def prices_used(self) -> tuple[Price, ...]:
        """Every price a line uses, in prices.yaml order."""
        used = {i for r in self.rows for i in r.price_ids}
        return tuple(p for p in self.prices.values() if p.id in used)


def _confidence(prices: list[Price]) -> str:
    return max((p.confidence for p in prices), key=CONFIDENCE_ORDER.index)


def _fixed_rows(prices: dict[str, Price], inventory: Inventory, region: str) -> list[CostRow]:
    counts = inventory.counts.get(region, Counter())
    rows = []
    for line in FIXED_LINES:
        count = counts[line.key]
        if not count:
            continue
        price = prices[line.price_id]
        quantity = count * (HOURS_PER_MONTH if line.hourly else 1) / line.per
        rows.append(
            CostRow(
                region,
                line.item,
                count,
                quantity,
                price.unit,
                price.usd,
                quantity * price.usd,
                price.confidence,
                (price.id,),
                note=line.note.format_map(counts),
            )
        )
    return rows


def _usage_rows(prices: dict[str, Price], inventory: Inventory, region: str) -> list[CostRow]:
    counts = inventory.counts.get(region, Counter())
    rows = []
    for line in USAGE_LINES:
        if counts[line.key]:
            price = prices[line.price_id]
            rows.append(
                CostRow(
                    region,
                    line.item,
                    counts[line.key],
                    None,
                    price.unit,
                    price.usd,
                    None,
                    price.confidence,
                    (price.id,),
                    line.driver,
                    line.note,
                )
            )
    return rows


def _task_floor(prices: dict[str, Price], config: KickoffConfig, region: str) -> list[CostRow]:
    confidence = _confidence([prices[i] for i in FARGATE_PRICE_IDS])
    rows = []
    for service in service_models(config):
        if not service.min_tasks:
            continue
        task_hour = FARGATE_ARM64_US_EAST_1.task_hour(service)
        hours = service.min_tasks * HOURS_PER_MONTH
        rows.append(
            CostRow(
                region,
                f"Fargate task floor: {service.name} ({service.vcpu:g} vCPU, {service.memory_gb:g} GB)",
                service.min_tasks,
                hours,
                "per task-hour",
                task_hour,
                hours * task_hour,
                confidence,
                FARGATE_PRICE_IDS,
                note="services[].min_tasks on ARM64",
            )
        )
    return rows


def _order(config: KickoffConfig, inventory: Inventory) -> tuple[str, ...]:
    cells = [r.name for r in config.regions]
    others = sorted(r for r in inventory.counts if r not in cells and r != GLOBAL)
    return (*cells, *others, GLOBAL)


def baseline_costs(config: KickoffConfig, outdir: Path | str, prices: dict[str, Price] | None = None) -> CostReport:
    """The monthly baseline of ``config``'s environment, counted from the cloud assembly in ``outdir``.

    Every cell Region (an evacuated one too) runs its services' ``min_tasks`` all month.
    """
    prices = load_prices() if prices is None else prices
    inventory = count_resources(environment_stacks(outdir, f"{environment_key(config.identity)}-"))
    regions = _order(config, inventory)
    cells = {r.name for r in config.regions}
    rows: list[CostRow] = []
    for region in regions:
        if region in cells:
            rows += _task_floor(prices, config, region)
        rows += _fixed_rows(prices, inventory, region)
    for region in regions:
        rows += _usage_rows(prices, inventory, region)
    return CostReport(environment_key(config.identity), regions, tuple(rows), prices, inventory)
