"""The Well-Architected rule type and the parameters the config gives the rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from kickoff.rules.engine import Finding, Resource, TemplateView


@dataclass(frozen=True)
class Params:
    """Expectations that come from config, not from the template."""

    production: bool
    rto_seconds: int
    retry_allowance_seconds: int
    required_tags: Mapping[str, str | None]  # key -> expected value (None: any value)
    service_tag_types: frozenset[str] = frozenset({"AWS::ECS::Service", "AWS::ECS::TaskDefinition"})
    # The FIS actions every cell's experiments must hold; empty when config turns fault injection off.
    fault_actions: tuple[str, ...] = ()
    # What alarms with an action read, indexed by ``evaluate`` over every template (operations.alarm_index):
    # template file -> logical IDs, and Region -> table names.
    alarmed_ids: Mapping[str, frozenset[str]] = field(default_factory=dict)
    alarmed_tables: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Where a config value that shapes a resource is set: key (``services.<name>.min_tasks``) -> ``file:line: path``.
    # A finding that value causes names it, so the fix lands in the config, not in an acknowledgement.
    config_fields: Mapping[str, str] = field(default_factory=dict)

    def set_by(self, key: str) -> str:
        """`` (set by <file:line: field>)`` for a finding ``key``'s config value causes, else empty."""
        where = self.config_fields.get(key)
        return f" (set by {where})" if where else ""


Check = Callable[[str, Resource, TemplateView, Params], list[Finding] | None]


@dataclass(frozen=True)
class WaRule:
    """One Well-Architected rule. ``check`` returns None (not applicable), [] (compliant) or findings."""

    suffix: str
    bp_id: str
    bp_title: str
    summary: str
    explanation: str
    resource_types: frozenset[str]
    check: Check

    @property
    def rule_id(self) -> str:
        return f"WA-{self.suffix}"

    @property
    def pillar(self) -> str:
        return {
            "REL": "Reliability",
            "COST": "Cost Optimization",
            "SUS": "Sustainability",
            "OPS": "Operational Excellence",
            "SEC": "Security",
        }[self.suffix.split("-")[0]]

    @property
    def info(self) -> str:
        return f"{self.summary} [{self.bp_id} {self.bp_title}]"
