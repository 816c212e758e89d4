"""Cross-field checks of a KickoffConfig: what no single field can say on its own.

Each raises ``FieldProblem`` with the field path and the fix, so the loader names the file and
line. ``KickoffConfig``'s model validator calls ``check_config``; the config is the argument,
never imported here at run time (``kickoff.config.models.root`` imports this module).
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from kickoff import naming
from kickoff.config.errors import FieldProblem
from kickoff.config.models.base import MAX_SERVICES
from kickoff.config.models.edge import HOST_IN_CACHE_KEY
from kickoff.config.models.scaling import check_region_shares
from kickoff.config.regions import MRSC_REGION_SETS, mrsc_region_set
from kickoff.failover import (
    ALARM_PERIOD_SECONDS,
    ServiceSpec,
    cell_capacity_rps,
    failover_times,
    fastest_possible,
    n_minus_1,
    rto_budget,
)
from kickoff.images import CREDENTIAL_SECRET_PREFIX
from kickoff.web import DEFAULT_PATH_PATTERN, path_pattern_matches, pattern_covers

if TYPE_CHECKING:
    from kickoff.config.models.root import KickoffConfig

# The least a release needs besides its bake: synth checks, self-mutation, assets, freeze checks, deploys.
RELEASE_BEYOND_BAKE_MINUTES = 30


def check_config(config: KickoffConfig) -> None:
    """Every cross-field check, in the order a reader meets the fields."""
    names = [r.name for r in config.regions]
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
    _check_consistency(config, names)
    _check_routing(config, names)
    _check_edge(config)
    _check_waf(config)
    _check_images(config)
    _check_quotas(config)
    _check_resilience(config)
    _check_evacuation(config)
    _check_pipeline(config, names)
    baseline = config.scaling.baseline
    if baseline is not None:
        check_region_shares(baseline.region_share, ("scaling", "baseline", "region_share"))
        unknown = sorted(set(baseline.region_share) - set(names) - {r.name for r in config.retired_regions})
        if unknown:
            raise FieldProblem(
                ("scaling", "baseline", "region_share", unknown[0]),
                f"'{unknown[0]}' is not a cell Region",
                f"use the cell Regions {', '.join(names)}",
            )


def _check_routing(config: KickoffConfig, names: list[str]) -> None:
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


def _check_edge(config: KickoffConfig) -> None:
    for i, name in enumerate(config.viewer_names):
        if name != config.domain.name and not name.endswith("." + config.domain.name):
            raise FieldProblem(
                ("edge", "viewer_names", i),
                f"'{name}' is not in the hosted zone {config.domain.name}",
                f"use {config.domain.name} or a name below it",
            )
        if name == naming.origin_domain(config) or name.endswith("." + naming.origin_domain(config)):
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
                f"{naming.origin_domain(config)} and "
                f"{naming.secondary_origin_domain(naming.origin_domain(config))}, not "
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


def _check_images(config: KickoffConfig) -> None:
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


def _check_quotas(config: KickoffConfig) -> None:
    floor = sum(s.min_tasks * s.vcpu for s in config.services)
    for i, region in enumerate(config.regions):
        if floor > region.quotas.fargate_vcpu:
            raise FieldProblem(
                ("regions", i, "quotas", "fargate_vcpu"),
                f"the services' min_tasks alone need {floor:g} Fargate vCPU in {region.name}, above the declared "
                f"quota of {region.quotas.fargate_vcpu:g} (L-3032A538)",
                "request the increase in Service Quotas and declare the granted value, or lower min_tasks",
            )


def _check_resilience(config: KickoffConfig) -> None:
    """The objectives the resilience budget will hold the templates to, checked on the settings first, with
    the same arithmetic (kickoff.failover), so that a config ``validate`` accepts also synthesizes."""
    resilience, health, edge = config.resilience, config.routing.health_check, config.edge
    times = failover_times(
        interval=health.request_interval_seconds,
        threshold=health.failure_threshold,
        secondary_ttl=config.routing.secondary_ttl_seconds,
        connect=edge.origin_connection_timeout_seconds,
        read=edge.origin_read_timeout_seconds,
        attempts=edge.origin_connection_attempts,
    )
    if times.worst > resilience.rto_seconds:
        fastest = fastest_possible().worst
        if fastest > resilience.rto_seconds:
            fix = (
                f"no setting can meet it: the fastest failover any health-check, DNS and CloudFront setting allows "
                f"is {fastest} s (10 s x 1 detection; 60 s alias TTL, or a 5 s secondary CNAME before it; one "
                f"1 s + 1 s CloudFront attempt); raise rto_seconds"
            )
        else:
            fix = (
                "lower routing.health_check.request_interval_seconds or failure_threshold, "
                "routing.secondary_ttl_seconds, or edge.origin_* timeouts and attempts, or raise rto_seconds"
            )
        raise FieldProblem(
            ("resilience", "rto_seconds"),
            f"{resilience.rto_seconds} s cannot be met: traffic leaves a failed cell after {times.detection} s "
            "detection "
            f"+ {times.dns} s DNS + {times.retries} s CloudFront retries = {times.primary} s, and the secondary origin "
            f"is re-pointed after {times.detection} s + {times.secondary_dns} s = {times.secondary} s",
            fix,
        )
    if config.monitoring.route_on_alarms:
        datapoints = config.monitoring.datapoints_to_alarm
        alarm = rto_budget(
            detection=ALARM_PERIOD_SECONDS * datapoints,
            retries=times.retries,
            secondary_ttl=config.routing.secondary_ttl_seconds,
        )
        if alarm.primary > resilience.impaired_rto_seconds:
            raise FieldProblem(
                ("resilience", "impaired_rto_seconds"),
                f"{resilience.impaired_rto_seconds} s cannot be met: a cell whose own alarms fire leaves routing after "
                f"{datapoints} x {ALARM_PERIOD_SECONDS} s alarm detection + {alarm.dns} s DNS + {alarm.retries} s "
                f"CloudFront retries = {alarm.primary} s",
                "lower monitoring.datapoints_to_alarm or the edge.origin_* timeouts and attempts, "
                "or raise impaired_rto_seconds",
            )
    if config.table.consistency == "eventual":
        if resilience.rpo_seconds < 1:
            raise FieldProblem(
                ("resilience", "rpo_seconds"),
                "RPO 0 needs every write committed in two Regions, which eventual consistency does not do",
                "set table.consistency: strong (MRSC), or an RPO of at least 1 s",
            )
        alarm = resilience.replication_alarm_seconds
        if alarm is not None and alarm > resilience.rpo_seconds:
            raise FieldProblem(
                ("resilience", "replication_alarm_seconds"),
                f"an alarm at {alarm} s lets replication lag beyond the RPO of {resilience.rpo_seconds} s",
                "set it to rpo_seconds or less, or leave it out (default: rpo_seconds)",
            )
    specs = [
        ServiceSpec(s.name, s.vcpu, s.requests_per_second_per_task * s.target_utilization_percent / 100)
        for s in config.services
    ]
    per_cell = {
        r: cell_capacity_rps(
            {s.name: s.max_tasks for s in config.services}, specs, config.region(r).quotas.fargate_vcpu
        )[0]
        for r in config.routed_regions
    }
    for i, svc in enumerate(config.services):
        if len(per_cell) < 2:
            break
        lost, remaining = n_minus_1(per_cell, svc.name)
        if remaining < svc.peak_requests_per_second:
            raise FieldProblem(
                ("services", i, "max_tasks"),
                f"with {lost} lost, the other cells serve {remaining:,.0f} req/s of {svc.name} at max_tasks "
                f"(within their Fargate vCPU quotas), below its peak of {svc.peak_requests_per_second:,.0f} req/s",
                "raise max_tasks (and the Regions' fargate_vcpu quotas if they cap it), or add a cell",
            )


def _check_waf(config: KickoffConfig) -> None:
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


def _check_evacuation(config: KickoffConfig) -> None:
    evacuated = [i for i, r in enumerate(config.regions) if r.evacuate]
    if not evacuated:
        return
    first = evacuated[0]
    if len(evacuated) == len(config.regions):
        raise FieldProblem(
            ("regions", first, "evacuate"),
            "every cell is evacuated, so viewers would have nowhere to go",
            "keep at least one cell in routing (set evacuate: false on one Region)",
        )
    remaining = [r.name for r in config.regions if not r.evacuate]
    shortfalls = []
    for svc in config.services:
        capacity = len(remaining) * svc.cell_capacity_rps
        if capacity < svc.peak_requests_per_second:
            missing = svc.peak_requests_per_second - capacity
            per_cell = svc.requests_per_second_per_task * svc.target_utilization_percent / 100
            shortfalls.append(
                f"{svc.name}: {len(remaining)} cell(s) x {svc.max_tasks} tasks serve {capacity:,.0f} req/s < peak "
                f"{svc.peak_requests_per_second:,.0f} (short {missing:,.0f} req/s, about "
                f"{-(-missing // (per_cell * len(remaining))):,.0f} more max_tasks per cell)"
            )
    if shortfalls:
        raise FieldProblem(
            ("regions", first, "evacuate"),
            f"the remaining cells ({', '.join(remaining)}) cannot absorb the peak: " + "; ".join(shortfalls),
            "evacuate fewer Regions, or raise max_tasks of the services named",
        )


def _check_consistency(config: KickoffConfig, names: list[str]) -> None:
    table = config.table
    if len(names) < 2:
        raise FieldProblem(
            ("regions",),
            "a global table and active-active cells need at least 2 Regions",
            "list at least 2 regions",
        )
    if table.consistency != "strong":
        return
    regions = set(names) | ({table.witness_region} if table.witness_region else set())
    region_set = mrsc_region_set(regions)
    sets = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in MRSC_REGION_SETS.items())
    if region_set is None:
        raise FieldProblem(
            ("table", "consistency"),
            f"strong consistency needs all Regions in one MRSC Region set, but {', '.join(sorted(regions))} are not",
            f"pick cells (and witness) from one set ({sets}), or use consistency: eventual",
        )
    if table.witness_region in names:
        raise FieldProblem(
            ("table", "witness_region"),
            "the witness Region is also a cell",
            "choose a witness Region that holds no replica",
        )
    if table.witness_region is None and len(names) != 3:
        raise FieldProblem(
            ("table", "consistency"),
            f"strong consistency needs exactly 3 replicas, or 2 plus a witness; this config has {len(names)} Regions",
            "use 3 regions, or 2 regions plus table.witness_region, or consistency: eventual",
        )
    if table.witness_region is not None and len(names) != 2:
        raise FieldProblem(
            ("table", "witness_region"),
            f"a witness is only allowed with exactly 2 replicas; this config has {len(names)} Regions",
            "remove witness_region (3 replicas need none)",
        )


def _check_pipeline(config: KickoffConfig, names: list[str]) -> None:
    pipeline = config.pipeline
    if pipeline is None:
        return
    if pipeline.canary_region not in names:
        raise FieldProblem(
            ("pipeline", "canary_region"),
            f"canary Region '{pipeline.canary_region}' is not one of the cells ({', '.join(names)})",
            "set canary_region to the cell that should deploy first and alone, usually the one with the fewest viewers",
        )
    if pipeline.release_minutes < pipeline.bake_minutes + RELEASE_BEYOND_BAKE_MINUTES:
        raise FieldProblem(
            ("pipeline", "release_minutes"),
            f"a release of at most {pipeline.release_minutes} min cannot hold a {pipeline.bake_minutes} min bake and "
            f"deploy the stages around it",
            f"set release_minutes to at least {pipeline.bake_minutes + RELEASE_BEYOND_BAKE_MINUTES} "
            f"(bake_minutes + {RELEASE_BEYOND_BAKE_MINUTES})",
        )
