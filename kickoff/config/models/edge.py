"""CloudFront and WAF: cache behaviours, the origin-verification secret, the rate limit, derived behaviours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator, model_validator

from kickoff.config.errors import FieldProblem
from kickoff.config.models.base import StrictModel

CachePolicyName = Literal[
    "caching_optimized",
    "caching_optimized_for_uncompressed_objects",
    "caching_disabled",
    "elemental_media_package",
    "origin_cache_control",
    "origin_cache_control_query_strings",
    "use_origin_cache_control_headers",
    "use_origin_cache_control_headers_query_strings",
]


# AWS managed policies whose cache key holds the viewer's Host header (and every cookie). Everything in the
# cache key is sent to the origin, so CloudFront would ask a cell ALB for the viewer's name over TLS.
HOST_IN_CACHE_KEY = frozenset({"use_origin_cache_control_headers", "use_origin_cache_control_headers_query_strings"})


class CacheBehaviorConfig(StrictModel):
    """A CloudFront cache behaviour, served by the cells (the service whose path patterns cover it)."""

    path_pattern: str = Field(
        pattern=r"^/[A-Za-z0-9_./*?-]*$", description="CloudFront path pattern, e.g. /playback/*."
    )
    cache_policy: CachePolicyName = Field(
        description=(
            "Cache policy by snake_case name: an AWS managed one (caching_optimized, caching_disabled, ...) or "
            "Kickoff's origin_cache_control / origin_cache_control_query_strings (honour the origin's "
            "Cache-Control; no Host, no cookies in the key). The managed use_origin_cache_control_headers* put the "
            "viewer's Host in the key and are refused."
        )
    )


class OriginSecretConfig(StrictModel):
    """Which version of the origin-verification secret CloudFront sends and the cells accept.

    Pinning versions makes every rotation change the templates, so CloudFormation resolves
    the new value (a reference whose text is unchanged is never resolved again).
    """

    version: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9-]{32,64}$",
        description=(
            "VersionId CloudFront sends and every cell accepts. Default none: the version that is AWSCURRENT, "
            "as created by the Data stack. Set it at each rotation (docs/runbooks/rotate-origin-secret.md)."
        ),
    )
    previous_version: str | None = Field(
        default=None,
        pattern=r"^([A-Za-z0-9-]{32,64}|AWSPREVIOUS)$",
        description=(
            "A second VersionId (or AWSPREVIOUS) the cells also accept while CloudFront switches to `version`. "
            "Default none."
        ),
    )

    @model_validator(mode="after")
    def _pinned(self) -> OriginSecretConfig:
        if self.previous_version is not None and self.version is None:
            raise FieldProblem(
                ("version",),
                "previous_version is set but version is not, so CloudFront's secret reference would not change "
                "with the rotation and CloudFormation would keep sending the old value",
                "set version to the VersionId of the new secret value (put-secret-value --client-request-token)",
            )
        if self.previous_version is not None and self.previous_version == self.version:
            raise FieldProblem(("previous_version",), "previous_version equals version", "remove previous_version")
        return self


class WafConfig(StrictModel):
    """The web ACL in front of CloudFront."""

    rate_limit_requests: int | None = Field(
        default=None,
        ge=10,
        le=2_000_000_000,
        description=(
            "Requests one client IP may send per window before it is blocked. Default: computed from the services' "
            "load model so that shared_ip_viewers viewers behind one address are never blocked. A lower value is "
            "refused."
        ),
    )
    rate_limit_window_seconds: Literal[60, 120, 300, 600] = Field(
        default=300, description="Rate-limit evaluation window, s: 60, 120, 300 (default) or 600."
    )
    shared_ip_viewers: int = Field(
        default=1000,
        ge=1,
        description=(
            "Concurrent viewers that may share one public IP address (carrier-grade NAT, venues, offices), all "
            "arriving in the same window at kickoff. The per-IP rate limit must admit them. Default 1000."
        ),
    )


class EdgeConfig(StrictModel):
    """The global front door: CloudFront, WAF and the viewer DNS names (stack in us-east-1)."""

    viewer_names: tuple[str, ...] = Field(
        default=(),
        description="Names viewers use, each equal to or below domain.name. Default: domain.name only.",
    )
    default_cache_policy: CachePolicyName = Field(
        default="origin_cache_control",
        description=(
            "Cache policy of the default behaviour, which the service with a catch-all path pattern (/*) serves. "
            "Default origin_cache_control."
        ),
    )
    cache_behaviors: tuple[CacheBehaviorConfig, ...] = Field(
        default=(),
        description=(
            "Behaviours in precedence order. Each must be covered by a service's path pattern, and every service "
            "path pattern but the catch-all needs one. Methods come from the service: read-only services use the "
            "failover origin group, services that accept writes the primary origin only. Default none."
        ),
    )
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = Field(
        default="PriceClass_All", description="CloudFront price class. Default PriceClass_All."
    )
    allowed_countries: tuple[str, ...] = Field(
        default=(),
        description="ISO 3166-1 alpha-2 countries allowed to view (streaming rights). Default: no geo restriction.",
    )
    origin_connection_timeout_seconds: int = Field(
        default=5, ge=1, le=10, description="Seconds CloudFront waits to connect to an origin (1-10). Default 5."
    )
    origin_connection_attempts: int = Field(
        default=2, ge=1, le=3, description="Connection attempts per origin before failing over (1-3). Default 2."
    )
    origin_read_timeout_seconds: int = Field(
        default=10,
        ge=1,
        le=60,
        description=(
            "Seconds CloudFront waits for an origin's response (1-60). It bounds failover from an origin that "
            "accepts connections and then hangs, and enters the RTO budget. Default 10 (CloudFront's own is 30)."
        ),
    )
    origin_secret: OriginSecretConfig = Field(
        default_factory=OriginSecretConfig, description="Pinned versions of the origin-verification secret."
    )
    waf: WafConfig = Field(default_factory=WafConfig, description="Web ACL settings.")

    @field_validator("allowed_countries")
    @classmethod
    def _countries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in value if not re.fullmatch(r"[A-Z]{2}", c)]
        if bad:
            raise ValueError(f"{', '.join(bad)} are not ISO 3166-1 alpha-2 codes. Fix: use codes like US, PR.")
        return value


@dataclass(frozen=True)
class EdgeBehavior:
    """A CloudFront behaviour as built: its path, cache policy, serving service and methods.

    ``failover`` is True when the behaviour may use the origin group: CloudFront refuses
    origin groups on behaviours that allow writes.
    """

    path_pattern: str
    cache_policy: str
    service: str
    allowed_methods: tuple[str, ...]
    failover: bool
