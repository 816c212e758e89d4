"""Checks that keep an environment safe to operate, on the config values themselves.

Each names the field that causes it, so ``kickoff validate`` reports it with its file and line before any
template exists. The synth-time rules hold the same properties on the templates (they also catch a code
change); these catch the config value, whatever the current plan happens to hide.

- A production service never runs a request-echo image: it would hand every viewer the origin secret.
- A production environment has somebody to tell: every alarm topic needs a subscriber.
- Every service keeps a task in every AZ of every cell (``WA-REL-EcsServiceMultiAz``).
- Every event and the baseline give every routed cell a share of the audience: latency routing sends a cell
  viewers whatever the forecast says, so a cell left out would stay at its minimum through kickoff.
"""

from __future__ import annotations

from collections.abc import Mapping

from kickoff.config.errors import FieldProblem, FieldProblems
from kickoff.config.models.root import ConfigFields

# The smallest number of tasks that keeps a service up when one task or one AZ is lost.
MIN_TASKS_FLOOR = 2


def check_operability(config: ConfigFields) -> None:
    """Raise every problem found (``FieldProblems`` when there are several)."""
    problems = [*_echo_images(config), *_notifications(config), *_tasks_per_zone(config)]
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise FieldProblems(problems)


def _echo_images(config: ConfigFields) -> list[FieldProblem]:
    if not config.production:
        return []
    return [
        FieldProblem(
            ("services", i, "image"),
            f"{svc.image_reference.repository} answers every request with the request it received, headers "
            "included: behind CloudFront it hands every viewer the origin-verification header, and with it a way "
            "to reach the cells around the WAF",
            "run the service's own image (or a fixed-response server such as caddy respond); if this value was "
            "ever served, rotate the origin secret (docs/runbooks/rotate-origin-secret.md)",
        )
        for i, svc in enumerate(config.services)
        if svc.image_reference.echoes_requests
    ]


def _notifications(config: ConfigFields) -> list[FieldProblem]:
    if not config.production or config.monitoring.notifications:
        return []
    return [
        FieldProblem(
            ("monitoring", "notifications"),
            "a production environment whose alarm topics have no subscriber: every alarm, the region-impaired "
            "one included, reaches no one",
            "add at least one subscriber, e.g. notifications: [{protocol: https, endpoint: <your incident tool's "
            "SNS endpoint>}] or {protocol: email, endpoint: oncall@example.com}",
        )
    ]


def _tasks_per_zone(config: ConfigFields) -> list[FieldProblem]:
    widest = max(config.regions, key=lambda r: len(r.zones))
    needed = max(MIN_TASKS_FLOOR, len(widest.zones))
    index = config.regions.index(widest)
    zones_field = (
        f"regions[{index}].availability_zones"
        if widest.availability_zones is not None
        else f"regions[{index}] (no availability_zones: 3 by default)"
    )
    return [
        FieldProblem(
            ("services", i, "min_tasks"),
            f"{svc.min_tasks} task(s) cannot keep one in each of the {len(widest.zones)} AZs of {widest.name} "
            f"({zones_field}): losing an AZ can take {svc.name} down there until new tasks start",
            f"set min_tasks to at least {needed}, or list fewer availability_zones for {widest.name}",
        )
        for i, svc in enumerate(config.services)
        if svc.min_tasks < needed
    ]


def check_every_cell_shared(
    config: ConfigFields, shares: Mapping[str, float], loc: tuple[str | int, ...], what: str
) -> None:
    """Raise when ``shares`` leaves out a routed cell (or gives it 0): latency routing still sends it viewers."""
    missing = [r for r in config.routed_regions if shares.get(r, 0.0) <= 0.0]
    if missing:
        raise FieldProblem(
            loc,
            f"{what} gives no share of its audience to {', '.join(missing)}, but latency routing sends "
            f"{'that cell' if len(missing) == 1 else 'those cells'} viewers anyway: the plan would leave "
            f"{'it' if len(missing) == 1 else 'them'} at the minimum through the event",
            f"give every cell in routing ({', '.join(config.routed_regions)}) its expected share, or evacuate the "
            "cell (regions[].evacuate: true) while it should get none",
        )
