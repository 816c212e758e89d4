"""The twin's picture of a deployment: the health checks, records, routes, scalable targets and canaries it
runs, as plain data (``kickoff.twin.topology`` reads them from templates)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kickoff.twin.alarms import AlarmSpec, CompositeSpec

ALIAS_TTL = 60  # s: Route 53 alias records answer with the target's TTL, 60 s for a load balancer


@dataclass(frozen=True)
class HealthCheckSpec:
    """A Route 53 health check as the template declares it."""

    logical_id: str
    region: str  # the stack's Region
    kind: str
    interval: int = 30
    failure_threshold: int = 3
    host: str = ""
    path: str = "/"
    port: int = 443
    alarm: str | None = None  # logical ID of a CLOUDWATCH_METRIC check's alarm
    insufficient: str = "LastKnownStatus"
    children: tuple[str, ...] = ()
    health_threshold: int = 1
    inverted: bool = False
    disabled: bool = False
    cell: str = ""  # the Region whose load balancer an endpoint check calls
    service: str = ""  # the service behind the checked path
    reachable: bool = True  # whether the Route 53 checkers can reach it at all
    problem: str = ""

    @property
    def key(self) -> str:
        return f"{self.region}/{self.logical_id}"


@dataclass(frozen=True)
class RecordSpec:
    """A latency-routed record: the name, the cell it answers with, its health check and TTL."""

    name: str
    set_identifier: str
    cell: str  # Region of the load balancer it answers with ("" for a CNAME)
    health_check: str | None  # HealthCheckSpec.key
    ttl: int
    target: str = ""  # a CNAME's value


@dataclass(frozen=True)
class ServiceRoute:
    """How viewers' requests for one service reach the cells through CloudFront."""

    service: str
    path: str
    per_request_failover: bool  # an origin group: a failed request goes to the secondary at once
    failover_codes: tuple[int, ...] = ()
    retry_seconds: float = 0.0  # connection attempts x timeout spent on a dead primary


@dataclass(frozen=True)
class TargetSpec:
    """A cell service's scalable target: bounds, scheduled actions (UTC epoch s, min, max) and tracking."""

    region: str
    service: str
    min_capacity: int
    max_capacity: int
    actions: tuple[tuple[int, int, int], ...]
    tracking_targets: tuple[tuple[str, float], ...]  # (predefined metric, target value)
    cooldowns: tuple[int, int] = (300, 300)  # scale-out, scale-in (s) of the CPU tracking policy

    def bounds_at(self, epoch_s: int) -> tuple[int, int]:
        """(min, max) in force at ``epoch_s``: the last scheduled action at or before it, else the target's own."""
        lo, hi = self.min_capacity, self.max_capacity
        for when, a_min, a_max in self.actions:
            if when > epoch_s:
                break
            lo, hi = (a_min if a_min >= 0 else lo), (a_max if a_max >= 0 else hi)
        return lo, hi


@dataclass(frozen=True)
class CanarySpec:
    """A canary: where it runs and which cell its requests reach (None: whichever cell DNS picks)."""

    logical_id: str
    region: str
    target_cell: str | None
    reachable: bool
    problem: str = ""
    every_s: int = 300  # the schedule's rate
    timeout_s: int = 60


@dataclass
class Topology:
    """Everything the twin runs, read from one deployment's templates."""

    alarms: dict[str, AlarmSpec] = field(default_factory=dict)  # key: Region/logical ID
    composites: dict[str, CompositeSpec] = field(default_factory=dict)
    health_checks: dict[str, HealthCheckSpec] = field(default_factory=dict)
    records: list[RecordSpec] = field(default_factory=list)
    routes: list[ServiceRoute] = field(default_factory=list)
    targets: dict[tuple[str, str], TargetSpec] = field(default_factory=dict)
    canaries: dict[str, CanarySpec] = field(default_factory=dict)
    reservations: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)  # cell -> (epoch s, LCU)
    origin_name: str = ""
    unreadable: list[str] = field(default_factory=list)  # what the twin could not read, and why
    problems: list[str] = field(default_factory=list)  # what cannot work as declared, whatever the scenario

    def routing_checks(self, cell: str) -> list[HealthCheckSpec]:
        """The health checks on the origin name's record for ``cell``."""
        return [
            self.health_checks[r.health_check]
            for r in self.records
            if r.name == self.origin_name and r.cell == cell and r.health_check in self.health_checks
        ]
