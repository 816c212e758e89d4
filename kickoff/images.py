"""Container image references, and how a cell pulls them: through its own Region's private ECR.

Pure Python. A service names its image as it would be pulled (``docker.io/traefik/whoami@sha256:...``),
always pinned by digest. Each cell pulls it through an ECR pull-through cache rule in its own
Region (upstream registries), or from the same-named repository in its own Region (this
account's private ECR, replicated to every cell Region). Upstreams and their credentials:
Amazon ECR user guide, "Sync an upstream registry with an Amazon ECR private registry".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
PRIVATE_ECR_HOST = re.compile(r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$")
CREDENTIAL_SECRET_PREFIX = "ecr-pullthroughcache/"
# The pull-through cache prefix must fit ECR's 2-30 characters.
MAX_PREFIX_LENGTH = 30
# Demo and debugging images that answer with the request they received, headers included. Behind CloudFront they
# hand every viewer the origin-verification header, and with it the way around the WAF (decision 0010). Matched on
# the repository's last path segment, so mirrors and forks (docker.io/traefik/whoami, ghcr.io/x/whoami) count too.
REQUEST_ECHO_NAMES = re.compile(
    r"^(whoami|httpbin|go-httpbin|echoserver|echo-server|http-echo|http-https-echo|request-echo"
    r"|[a-z0-9-]*echo-headers?|headers?-echo)$"
)


@dataclass(frozen=True)
class Upstream:
    """An upstream registry ECR can cache: its UpstreamRegistry name, URL and whether it needs credentials."""

    registry: str
    url: str
    short: str
    credentials: bool


UPSTREAMS: dict[str, Upstream] = {
    "docker.io": Upstream("docker-hub", "registry-1.docker.io", "docker-hub", True),
    "public.ecr.aws": Upstream("ecr-public", "public.ecr.aws", "ecr-public", False),
    "quay.io": Upstream("quay", "quay.io", "quay", False),
    "registry.k8s.io": Upstream("k8s", "registry.k8s.io", "k8s", False),
    "ghcr.io": Upstream("github-container-registry", "ghcr.io", "ghcr", True),
    "registry.gitlab.com": Upstream("gitlab-container-registry", "registry.gitlab.com", "gitlab", True),
}


@dataclass(frozen=True)
class ImageReference:
    """A parsed image reference: registry host, repository path and digest."""

    host: str
    repository: str
    digest: str

    @property
    def private_account(self) -> str | None:
        """The account of a private ECR host, else None."""
        match = PRIVATE_ECR_HOST.match(self.host)
        return match.group(1) if match else None

    @property
    def upstream(self) -> Upstream | None:
        return UPSTREAMS.get(self.host)

    @property
    def echoes_requests(self) -> bool:
        """Whether the image is a known request-echo image (whoami, httpbin, echo-server and the like)."""
        return bool(REQUEST_ECHO_NAMES.match(self.repository.rsplit("/", 1)[-1]))

    def cached_repository(self, prefix: str) -> str:
        """The ECR repository a pull-through cache rule with ``prefix`` stores this image in."""
        return f"{prefix}/{self.repository}"


class ImageError(ValueError):
    """An image reference Kickoff cannot pull through a cell's ECR; the message names the fix."""


def parse_image(reference: str) -> ImageReference:
    """Parse ``[host/]path[:tag]@sha256:<digest>``; Docker Hub is the default host, official images get ``library/``."""
    name, at, digest = reference.partition("@")
    if not at or not DIGEST.match(digest):
        raise ImageError(
            f"'{reference}' is not pinned by digest; a tag can move under a running fleet. "
            "Fix: append @sha256:<digest> (docker buildx imagetools inspect <image> shows it)."
        )
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        host, path = first, rest
    else:
        host, path = "docker.io", name
    path = re.sub(r":[\w][\w.-]{0,127}$", "", path)  # a tag next to the digest is ignored by registries
    if not re.fullmatch(r"[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*", path):
        raise ImageError(f"'{reference}': '{path}' is not a repository path. Fix: use lower-case names like team/app.")
    if host == "docker.io" and "/" not in path:
        path = f"library/{path}"
    reference_ = ImageReference(host, path, digest)
    if reference_.upstream is None and reference_.private_account is None:
        known = ", ".join(sorted(UPSTREAMS))
        raise ImageError(
            f"'{reference}': ECR cannot cache {host}. Fix: use an image from {known}, or push it to "
            "this account's ECR and replicate the repository to every cell Region."
        )
    return reference_


def pull_through_prefix(environment_key: str, upstream: Upstream) -> str:
    """The ECR repository prefix of an upstream's pull-through cache rule, e.g. ``kickoff-prod-docker-hub``."""
    return f"{environment_key}-{upstream.short}"
