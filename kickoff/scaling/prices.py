"""Fargate on-demand prices the plan and the simulator put on task-hours (USD; sources in bench/README.md)."""

from __future__ import annotations

from dataclasses import dataclass

from kickoff.scaling.model import ServiceModel


@dataclass(frozen=True)
class FargatePrice:
    """Fargate on-demand price for one architecture in one region (USD).

    Fields:
        label: short name for tables, e.g. "ARM64".
        per_vcpu_hour: USD per vCPU-hour.
        per_gb_hour: USD per GB-hour of memory.
    """

    label: str
    per_vcpu_hour: float
    per_gb_hour: float

    def task_hour(self, service: ServiceModel) -> float:
        """USD for one task of ``service`` running one hour."""
        return service.vcpu * self.per_vcpu_hour + service.memory_gb * self.per_gb_hour


# us-east-1 Linux on-demand prices; sources in bench/README.md ("Prices").
FARGATE_ARM64_US_EAST_1 = FargatePrice("ARM64", per_vcpu_hour=0.03238, per_gb_hour=0.00356)
FARGATE_X86_64_US_EAST_1 = FargatePrice("X86_64", per_vcpu_hour=0.04048, per_gb_hour=0.004445)
