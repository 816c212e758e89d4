"""Cross-field checks of a config: what no single field can say on its own.

Each raises ``FieldProblem`` with the field path and the fix, so the loader names the file and
line. ``KickoffConfig``'s model validator (``kickoff.config.models.config``) calls ``check_config``
with the fields it has validated (``ConfigFields``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from kickoff import naming
from kickoff.config.errors import FieldProblem, FieldProblems
from kickoff.config.live_checks import check_live
from kickoff.config.models.base import MAX_SERVICES
from kickoff.config.models.edge import HOST_IN_CACHE_KEY
from kickoff.config.models.root import ConfigFields
from kickoff.config.models.scaling import check_region_shares
from kickoff.config.operability import check_every_cell_shared, check_operability
from kickoff.config.recovery_checks import check_consistency, check_evacuation, check_pipeline, check_resilience
from kickoff.images import CREDENTIAL_SECRET_PREFIX
from kickoff.web import DEFAULT_PATH_PATTERN, path_pattern_matches, pattern_covers


def check_config(config: ConfigFields) -> None:
    """Every cross-field check, in the order a reader meets the fields.

    The structure (Regions, services, path patterns) is checked first and stops the rest when it fails, since
    later checks assume it. Every other family runs regardless, so one run reports each family's problem
    (``FieldProblems`` when there are several).
    """
    names = [r.name for r in config.regions]
    _raise(_collect([lambda: _check_structure(config, names)]))
    _raise(
        _collect(
            [
                lambda: check_consistency(config, names),
                lambda: _check_routing(config, names),
                lambda: _check_edge(config),
                lambda: _check_waf(config),
                lambda: _check_images(config),
                lambda: _check_quotas(config),
                lambda: check_resilience(config),
                lambda: check_evacuation(config),
                lambda: check_pipeline(config, names),
                lambda: _check_baseline(config, names),
                lambda: check_operability(config),
                lambda: check_live(config, names),
            ]
        )
    )


def _collect(checks: list[Callable[[], None]]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for check in checks:
        try:
            check()
        except FieldProblems as many:
            problems.extend(many.problems)
        except FieldProblem as one:
            problems.append(one)
    return problems


def _raise(problems: list[FieldProblem]) -> None:
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise FieldProblems(problems)


def _check_structure(config: ConfigFields, names: list[str]) -> None:
    for i, name in enumerate(names):
        if name in names[:i]:
            raise FieldProblem(("regions", i, "name"), f"Region {name} is listed twice", "list each Region once")
    if config.primary_region not in names:
        raise FieldProblem(
            ("primary_region",),
            f"primary Region '{config.primary_region}' is not one of the cells ({', '.join(names)})",
            "set primary_region to one of the listed regions, or add it to regions",
        )
    nets = [(i, ipaddress.IPv4Network(r.vpc_cidr)) for i, r in enumerate(config.regions)]
    for i, net in nets:
        for j, other in nets[:i]:
            if net.overlaps(other):
                raise FieldProblem(
                    ("regions", i, "vpc_cidr"),
                    f"{net} overlaps {other} of {names[j]}",
                    "give every cell a distinct, non-overlapping CIDR so cells can be peered later",
                )
    seen_services: dict[str, int] = {}
    seen_patterns: dict[str, str] = {}
    for i, svc in enumerate(config.services):
        if svc.name in seen_services:
            raise FieldProblem(
                ("services", i, "name"), f"service '{svc.name}' is defined twice", "give each service a unique name"
            )
        seen_services[svc.name] = i
        for pattern in svc.path_patterns:
            if pattern in seen_patterns:
                raise FieldProblem(
                    ("services", i, "path_patterns"),
                    f"path pattern '{pattern}' is already routed to '{seen_patterns[pattern]}'",
                    "route each path pattern to one service",
                )
            seen_patterns[pattern] = svc.name
    if config.production and not config.network.nat_gateways_per_az:
        raise FieldProblem(
            ("network", "nat_gateways_per_az"),
            "a production environment with a single NAT gateway loses egress in every AZ when that AZ fails",
            "set nat_gateways_per_az: true (or production: false for a non-production environment)",
        )
    for i, retired in enumerate(config.retired_regions):
        if retired.name in names:
            raise FieldProblem(
                ("retired_regions", i, "name"),
                f"{retired.name} is both a cell and retired",
                "remove it from retired_regions, or from regions",
            )


def _check_baseline(config: ConfigFields, names: list[str]) -> None:
    baseline = config.scaling.baseline
    if baseline is None:
        return
    check_region_shares(baseline.region_share, ("scaling", "baseline", "region_share"))
    unknown = sorted(set(baseline.region_share) - set(names) - {r.name for r in config.retired_regions})
    if unknown:
        raise FieldProblem(
            ("scaling", "baseline", "region_share", unknown[0]),
            f"'{unknown[0]}' is not a cell Region",
            f"use the cell Regions {', '.join(names)}",
        )
    check_every_cell_shared(config, baseline.region_share, ("scaling", "baseline", "region_share"), "the baseline")


def _check_routing(config: ConfigFields, names: list[str]) -> None:
    if len(config.services) > MAX_SERVICES:
        raise FieldProblem(
            ("services",),
            f"{len(config.services)} services; each needs a health-check listener rule ahead of every service rule, "
            f"and priorities 1 to {MAX_SERVICES} hold them",
            f"use at most {MAX_SERVICES} services per cell",
        )
    health_paths: dict[str, str] = {}
    for i, svc in enumerate(config.services):
        if not any(path_pattern_matches(p, svc.health_check_path) for p in svc.path_patterns):
            raise FieldProblem(
                ("services", i, "health_check_path"),
                f"Route 53 checks '{svc.health_check_path}' through the ALB, but no path pattern of '{svc.name}' "
                f"({', '.join(svc.path_patterns)}) routes it there",
                "use a health path under one of the service's path patterns, e.g. /api/healthz for /api/*",
            )
        if svc.health_check_path in health_paths:
            raise FieldProblem(
                ("services", i, "health_check_path"),
                f"'{svc.health_check_path}' is also the health path of '{health_paths[svc.health_check_path]}', "
                "so Route 53 could not tell the two services apart",
                "give each service its own health path under its own path patterns",
            )
        health_paths[svc.health_check_path] = svc.name
    for region in config.routing.recovery_control.routing_control_arns:
        if region not in names:
            raise FieldProblem(
                ("routing", "recovery_control", "routing_control_arns", region),
                f"'{region}' is not a cell Region",
                f"use one of {', '.join(names)}",
            )


def _check_edge(config: ConfigFields) -> None:
    for i, name in enumerate(config.viewer_names):
        if name != config.domain.name and not name.endswith("." + config.domain.name):
            raise FieldProblem(
                ("edge", "viewer_names", i),
                f"'{name}' is not in the hosted zone {config.domain.name}",
                f"use {config.domain.name} or a name below it",
            )
        if name == naming.origin_domain(config.identity) or name.endswith("." + naming.origin_domain(config.identity)):
            raise FieldProblem(("edge", "viewer_names", i), f"'{name}' is reserved for origins", "choose another name")
    policies = [(("edge", "default_cache_policy"), config.edge.default_cache_policy)] + [
        (("edge", "cache_behaviors", i, "cache_policy"), b.cache_policy)
        for i, b in enumerate(config.edge.cache_behaviors)
    ]
    for loc, policy in policies:
        if policy in HOST_IN_CACHE_KEY:
            raise FieldProblem(
                loc,
                f"{policy} puts the viewer's Host header (and every cookie) in the cache key, and CloudFront sends "
                "everything in the key to the origin: the cell ALBs' certificates cover "
                f"{naming.origin_domain(config.identity)} and "
                f"{naming.secondary_origin_domain(naming.origin_domain(config.identity))}, not "
                f"{', '.join(config.viewer_names)}, so TLS to the origin fails (502)",
                "use origin_cache_control (or origin_cache_control_query_strings), which honour the origin's "
                "Cache-Control without Host or cookies in the key",
            )
    seen: dict[str, int] = {}
    for i, behavior in enumerate(config.edge.cache_behaviors):
        loc = ("edge", "cache_behaviors", i, "path_pattern")
        if behavior.path_pattern in seen:
            raise FieldProblem(
                loc,
                f"path pattern '{behavior.path_pattern}' is used twice (cache_behaviors"
                f"[{seen[behavior.path_pattern]}])",
                "give each behaviour its own pattern",
            )
        seen[behavior.path_pattern] = i
        if config.service_for_path(behavior.path_pattern) is None:
            raise FieldProblem(
                loc,
                f"no service's path patterns cover '{behavior.path_pattern}', so the cell ALBs answer it with 403",
                "route the path to a service (services[].path_patterns), or remove the behaviour",
            )
    catch_all = config.service_for_path(DEFAULT_PATH_PATTERN)
    if catch_all is None:
        raise FieldProblem(
            ("services",),
            "no service has a catch-all path pattern (/*), so the default behaviour (every path no other "
            "behaviour matches, / included) reaches the ALBs' 403",
            "add a service that serves /* (for example the web app shell), listed last",
        )
    for i, svc in enumerate(config.services):
        for j, pattern in enumerate(svc.path_patterns):
            if svc is catch_all and pattern == DEFAULT_PATH_PATTERN:
                continue
            if not any(pattern_covers(b.path_pattern, pattern) for b in config.edge.cache_behaviors):
                raise FieldProblem(
                    ("services", i, "path_patterns", j),
                    f"'{pattern}' has no CloudFront behaviour, so its requests fall to the default behaviour, "
                    f"which allows only the methods of '{catch_all.name}' and uses its cache policy",
                    f"add {{path_pattern: {pattern}, cache_policy: ...}} to edge.cache_behaviors",
                )


def _check_images(config: ConfigFields) -> None:
    for i, svc in enumerate(config.services):
        image = svc.image_reference
        account = image.private_account
        if account is not None and account != config.account:
            raise FieldProblem(
                ("services", i, "image"),
                f"the image is in account {account}'s ECR, not {config.account}'s",
                "push it to this account's ECR (replicated to every cell Region)",
            )
        upstream = image.upstream
        if upstream is None:
            continue
        if upstream.credentials and image.host not in config.images.credentials:
            raise FieldProblem(
                ("services", i, "image"),
                f"ECR pulls from {image.host} only with credentials, and images.credentials names none for it",
                f"create a secret {CREDENTIAL_SECRET_PREFIX}<name> in every cell Region and add "
                f"images: {{credentials: {{{image.host}: {CREDENTIAL_SECRET_PREFIX}<name>}}}}",
            )


def _check_quotas(config: ConfigFields) -> None:
    floor = sum(s.min_tasks * s.vcpu for s in config.services)
    for i, region in enumerate(config.regions):
        if floor > region.quotas.fargate_vcpu:
            raise FieldProblem(
                ("regions", i, "quotas", "fargate_vcpu"),
                f"the services' min_tasks alone need {floor:g} Fargate vCPU in {region.name}, above the declared "
                f"quota of {region.quotas.fargate_vcpu:g} (L-3032A538)",
                "request the increase in Service Quotas and declare the granted value, or lower min_tasks",
            )


def _check_waf(config: ConfigFields) -> None:
    waf = config.edge.waf
    required = config.waf_required_rate_limit
    if waf.rate_limit_requests is not None and waf.rate_limit_requests < required:
        per_viewer = config.requests_per_viewer(waf.rate_limit_window_seconds)
        raise FieldProblem(
            ("edge", "waf", "rate_limit_requests"),
            f"{waf.rate_limit_requests:,} requests per {waf.rate_limit_window_seconds} s would block "
            f"{waf.shared_ip_viewers:,} viewers behind one address (carrier-grade NAT, a venue, an office): each "
            f"sends about {per_viewer:.1f} requests in that window by the services' load model, "
            f"{required:,} in all",
            f"raise it to at least {required:,}, remove it (computed), or lower edge.waf.shared_ip_viewers",
        )
