"""The load model and schedule rules of ALB capacity-unit reservations (planner input)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class AlbParams:
    """Load model and schedule rules for ALB LCU reservations.

    LCU dimensions (Elastic Load Balancing pricing): one LCU is 25 new
    connections/s, 3,000 active connections/min, 1 GB/h processed for
    EC2/container targets, or 1,000 rule evaluations/s; the highest dimension counts.

    Fields:
        new_connections_per_arrival: TCP/TLS connections each arriving viewer opens. Default 2.
        active_connections_per_viewer: connections a watching viewer keeps open. Default 1.
        bytes_per_request: request plus response bytes per API request. Default 4096.
        billable_rule_evaluations_per_request: rule evaluations beyond the 10 free
            ones, per request. Default 0 (Kickoff routes with fewer than 10 rules).
        margin: extra fraction reserved above the computed LCUs. Default 0.2.
        minimum_lcu: floor of any reservation. Default 100, the documented minimum ("The
            total reservation request must be at least 100 LCU", ELB user guide, "Capacity
            reservations for your Application Load Balancer"); config ``scaling.alb_minimum_lcu``.
        lead: how long before an event window the reservation is raised; AWS says
            most requests are fulfilled in minutes but some take hours. Default 3 h.
        merge_gap: windows closer than this share one reservation. Default 12 h.
        max_decreases_per_day: reservation decreases allowed per UTC day per load
            balancer (AWS limit 2). Default 2.
    """

    new_connections_per_arrival: float = 2.0
    active_connections_per_viewer: float = 1.0
    bytes_per_request: float = 4096.0
    billable_rule_evaluations_per_request: float = 0.0
    margin: float = 0.2
    minimum_lcu: int = 100
    lead: timedelta = timedelta(hours=3)
    merge_gap: timedelta = timedelta(hours=12)
    max_decreases_per_day: int = 2
