"""Container images: from the cell Region's private ECR, pinned by digest.

Anonymous pulls from public registries are rate-limited per source address (Docker Hub:
about 10 per hour per IPv4 address); an event scale-out that launches hundreds of tasks
behind three NAT addresses fails with CannotPullContainerError. An image in another
Region's registry makes scale-out depend on that Region. A tag can move under a running
fleet, so half a scale-out could run another build.
"""

from __future__ import annotations

import re

from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props
from kickoff.rules.readiness.context import Readiness
from kickoff.rules.readiness.rule import ReadinessRule

PRIVATE_ECR = re.compile(r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/(.+)$")
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def image_problems(image: str, region: str) -> list[str]:
    """What is wrong with ``image`` for a task in ``region`` (empty: a pinned image in the Region's ECR)."""
    match = PRIVATE_ECR.match(image)
    problems = []
    if match is None:
        registry = image.split("/")[0] if "." in image.split("/")[0] or ":" in image.split("/")[0] else "docker.io"
        problems.append(
            f"comes from {registry}, a registry outside the account: pulls are unauthenticated and "
            "rate-limited per address"
        )
    elif match.group(2) != region:
        problems.append(f"comes from the {match.group(2)} registry: scale-out in {region} would depend on that Region")
    if not DIGEST.search(image):
        problems.append("is not pinned by digest (@sha256:...)")
    return problems


def _private_images(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding]:
    findings = []
    for container in props(resource).get("ContainerDefinitions", []):
        name = container.get("Name", "?")
        image = literal(container.get("Image"), view)
        if image is None:
            findings.append(
                Finding(
                    f"Container::{name}",
                    f"container {name}: the image is decided at deploy time "
                    "(an asset or a parameter), so its registry cannot be checked",
                )
            )
            continue
        findings += [
            Finding(f"Container::{name}", f"container {name} image {image} {p}")
            for p in image_problems(image, view.region)
        ]
    return findings


PRIVATE_IMAGES = ReadinessRule(
    "EcsImageFromRegionalEcr",
    "Every container image comes from the cell Region's private ECR (a pull-through cache or a repository), pinned by "
    "digest",
    "Give services[].image as <registry>/<repository>@sha256:<digest>; Kickoff pulls it through the cell Region's ECR "
    "pull-through cache. Private images belong in an ECR repository replicated to every cell Region.",
    "Docker Hub usage and limits (anonymous pulls per IPv4 address); Amazon ECR pull-through cache",
    frozenset({"AWS::ECS::TaskDefinition"}),
    _private_images,
)

RULES: tuple[ReadinessRule, ...] = (PRIVATE_IMAGES,)
