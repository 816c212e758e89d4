"""What the benchmark's policies cost side by side, in task-hours, vCPU-hours and money, and the cost targets.

Task-hours weigh a 0.5 vCPU task the same as a 2 vCPU one; vCPU-hours and USD (Fargate ARM64) do not, so
the headline is in USD and the other two sit beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kickoff.scaling.simulate.policies import Policy, PolicyMetrics

COMPARED = (Policy.REACTIVE, Policy.CAREFUL, Policy.CAREFUL_N1, Policy.KICKOFF)
OVER_REACTIVE = 0.25  # (d) may cost at most this much more than (c), in USD at zero error
UNDER_CAREFUL_N1 = 0.35  # (d) must cost at least this much less than (b-N1)
CLIENT_CONTRACT_OVER_REACTIVE = 0.15  # with clients that spread their return over >= 300 s


@dataclass(frozen=True)
class Target:
    """One cost target: what it compares, the figure and whether it holds."""

    text: str
    figure: float
    limit: float
    met: bool

    def line(self) -> str:
        return f"- {self.text}: {self.figure:+.1%} (target {self.limit:+.0%}): {'met' if self.met else 'MISSED'}."


def cost_rows(by: Mapping[Policy, PolicyMetrics]) -> list[list[str]]:
    """One row per compared policy: task-hours, vCPU-hours, ARM64 USD, and each against (c) and (b-N1)."""
    c, n1 = by[Policy.REACTIVE], by[Policy.CAREFUL_N1]
    rows = []
    for policy in COMPARED:
        m = by[policy]
        rows.append(
            [
                policy.label,
                f"{m.task_hours:,.0f}",
                f"{m.vcpu_hours:,.0f}",
                f"{m.cost_arm64:,.0f}",
                f"{m.cost_arm64 / c.cost_arm64 - 1:+.1%}",
                f"{m.cost_arm64 / n1.cost_arm64 - 1:+.1%}",
                f"{m.dropped_requests_in_events:,.0f}",
            ]
        )
    return rows


def cost_targets(by: Mapping[Policy, PolicyMetrics], client_contract_over_reactive: float | None) -> list[Target]:
    """The cost targets at zero error; ``client_contract_over_reactive``: (d)'s USD over (c) when clients
    spread their return over 300 s and the plan is sized for it (None: not measured)."""
    c, n1, d = by[Policy.REACTIVE], by[Policy.CAREFUL_N1], by[Policy.KICKOFF]
    over_c = d.cost_arm64 / c.cost_arm64 - 1
    under_n1 = d.cost_arm64 / n1.cost_arm64 - 1
    targets = [
        Target("(d) over reactive (c), USD at zero error", over_c, OVER_REACTIVE, over_c <= OVER_REACTIVE),
        Target(
            "(d) against the careful human holding N-1 (b-N1), USD at zero error",
            under_n1,
            -UNDER_CAREFUL_N1,
            under_n1 <= -UNDER_CAREFUL_N1,
        ),
    ]
    if client_contract_over_reactive is not None:
        targets.append(
            Target(
                "(d) over (c) with clients that spread their return over 300 s, USD at zero error",
                client_contract_over_reactive,
                CLIENT_CONTRACT_OVER_REACTIVE,
                client_contract_over_reactive <= CLIENT_CONTRACT_OVER_REACTIVE,
            )
        )
    return targets
