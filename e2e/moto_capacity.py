"""What moto 5.2.5 lacks for the capacity agent, patched in for the tests (and the e2e moto server).

- ``elbv2 ModifyCapacityReservation``: absent. Added, keeping each load balancer's reserved LCUs and the decreases
  left today (two per day, as AWS documents).
- ``elbv2 DescribeCapacityReservation``: answers "provisioned" with no capacity. Replaced to return what was set.

Everything else the agent calls (application-autoscaling, scheduler, dynamodb including WarmThroughput, ssm) is
moto's own.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.elbv2.responses import ELBV2Response

RESERVATIONS: dict[str, dict[str, Any]] = {}
"""Load balancer ARN -> {"units": int, "decreases": int}."""


def _describe(self: ELBV2Response) -> ActionResult:
    arn = self._get_param("LoadBalancerArn")
    held = RESERVATIONS.get(arn, {"units": 0, "decreases": 2})
    result: dict[str, Any] = {
        "CapacityReservationState": [{"State": {"Code": "provisioned"}}],
        "DecreaseRequestsRemaining": held["decreases"],
    }
    if held["units"]:
        result["MinimumLoadBalancerCapacity"] = {"CapacityUnits": held["units"]}
    return ActionResult(result)


def _modify(self: ELBV2Response) -> ActionResult:
    arn = self._get_param("LoadBalancerArn")
    held = RESERVATIONS.setdefault(arn, {"units": 0, "decreases": 2})
    reset = str(self._get_param("ResetCapacityReservation", "false")).lower() == "true"
    units = 0 if reset else int(self._get_param("MinimumLoadBalancerCapacity.CapacityUnits") or 0)
    if units < held["units"]:
        if held["decreases"] <= 0:
            raise ValueError("no capacity reservation decrease left today")
        held["decreases"] -= 1
    held["units"] = units
    return _describe(self)


def install() -> None:
    """Patch moto's ELBv2 responses (idempotent)."""
    ELBV2Response.describe_capacity_reservation = _describe  # type: ignore[method-assign]
    ELBV2Response.modify_capacity_reservation = _modify  # type: ignore[attr-defined]


def reset() -> None:
    RESERVATIONS.clear()
