"""What each cell's operations layer holds, read from its template: the region-impaired alarm, the canaries, and
zonal shift.

- The region-impaired composite alarm is what the pipeline's bake, the FIS stop conditions and zonal autoshift's
  practice runs read. It holds every alarm Route 53 takes the cell out of routing on (the alarms behind the
  CLOUDWATCH_METRIC health checks), the load balancer's own 5xx rate and the cell's own-Region divergence; it holds
  not the operator's evacuation switch (an evacuated cell is not impaired: the bake and FIS would stop on it).
- Every cell Region runs a canary for every probed name (each cell Region, and the viewer name), and each is read
  by an alarm of that cell, from that cell's own canaries only: a Region that cannot see a name is the signal.
- Every cell ALB allows zonal shift (the FIS zonal-shift experiments and autoshift act through it), and zonal
  autoshift is on exactly when the config turns it on, with practice runs judged by the region-impaired alarm and
  kept off the calendar's weekly event windows.
"""

from __future__ import annotations

from typing import Any

from kickoff.naming import EVACUATION_METRIC
from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props, references
from kickoff.rules.readiness.context import Readiness, composite_named
from kickoff.rules.readiness.rule import ReadinessRule

LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
AUTOSHIFT = "AWS::ARCZonalShift::ZonalAutoshiftConfiguration"
ELB_5XX = "HTTPCode_ELB_5XX_Count"


def _alarm_names(view: TemplateView) -> dict[str, str]:
    """Alarm (and composite) logical ID -> its literal name."""
    out = {}
    for kind in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
        for logical_id, alarm in view.of_type(kind).items():
            name = literal(props(alarm).get("AlarmName"), view)
            if name:
                out[logical_id] = name
    return out


def _metric_names(alarm: Resource) -> set[str]:
    p = props(alarm)
    names = {p.get("MetricName")}
    for query in p.get("Metrics") or []:
        names.add(((query.get("MetricStat") or {}).get("Metric") or {}).get("MetricName"))
    return {n for n in names if isinstance(n, str)}


def _impaired(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    facts = readiness.params.operations
    expected = facts.region_impaired.get(view.region)
    if expected is None:
        return None
    found = composite_named(view, expected)
    if found is None:
        return [Finding("Missing", f"the cell defines no composite alarm {expected}: the bake and FIS read it by name")]
    held = references(props(found[1]).get("AlarmRule"))
    alarms = view.of_type("AWS::CloudWatch::Alarm")
    names = _alarm_names(view)
    findings = []
    for check in view.of_type("AWS::Route53::HealthCheck").values():
        config = props(check).get("HealthCheckConfig") or {}
        if config.get("Type") != "CLOUDWATCH_METRIC":
            continue
        for alarm_id in references((config.get("AlarmIdentifier") or {}).get("Name")):
            alarm = alarms.get(alarm_id)
            if alarm is None:
                continue
            name = names.get(alarm_id, alarm_id)
            if EVACUATION_METRIC in _metric_names(alarm):
                if alarm_id in held:
                    findings.append(
                        Finding(
                            f"Holds::{name}",
                            f"{expected} holds the evacuation switch {name}: evacuating the cell would fail the "
                            "release's bake and stop every FIS experiment",
                        )
                    )
            elif alarm_id not in held:
                findings.append(
                    Finding(
                        f"Misses::{name}",
                        f"Route 53 takes the cell out of routing on {name}, but {expected} does not hold it: the "
                        "bake and FIS stop conditions do not see what routing acts on",
                    )
                )
    if not any(ELB_5XX in _metric_names(alarms[a]) for a in held if a in alarms):
        findings.append(Finding("Misses::5xx", f"{expected} holds no alarm on the load balancer's own 5xx ({ELB_5XX})"))
    divergence = facts.divergence_alarms.get(view.region)
    if divergence and divergence not in {names.get(a) for a in held}:
        findings.append(
            Finding(
                f"Misses::{divergence}",
                f"{expected} does not hold {divergence}, the cell failing from inside its Region while the others "
                "answer" + readiness.params.set_by("monitoring.canaries.enabled"),
            )
        )
    return findings


REGION_IMPAIRED_HOLDS_ITS_SIGNALS = ReadinessRule(
    "CloudWatchRegionImpairedHoldsItsSignals",
    "Each cell's region-impaired composite holds every alarm routing acts on, the load balancer's 5xx rate and "
    "the cell's own divergence, and not the evacuation switch",
    "Build the composite from the cell's routing alarms (CellMonitoring.region_impaired), its 5xx-rate alarm and "
    "RegionProbes.own_divergence; leave the evacuation switch out.",
    "CloudWatch composite alarms: the rule's ALARM() children; Route 53 CLOUDWATCH_METRIC health checks",
    frozenset({LOAD_BALANCER}),
    _impaired,
)


def _synthetics_dimensions(alarm: Resource) -> list[Any]:
    """The CanaryName dimension values of every CloudWatchSynthetics metric the alarm reads."""
    out = []
    for query in props(alarm).get("Metrics") or []:
        metric = (query.get("MetricStat") or {}).get("Metric") or {}
        if metric.get("Namespace") != "CloudWatchSynthetics":
            continue
        if "AccountId" in query or "AccountId" in metric:
            out.append({"cross-account": True})
        out += [d.get("Value") for d in metric.get("Dimensions") or [] if d.get("Name") == "CanaryName"]
    return out


def _canaries(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    facts = readiness.params.operations
    if not facts.canaries:
        return None
    canaries = {cid: literal(props(c).get("Name"), view) for cid, c in view.of_type("AWS::Synthetics::Canary").items()}
    findings = [
        Finding(
            f"NoCanary::{target}",
            f"no canary {name} probes {target} from {view.region}: a cell Region that cannot reach {target} goes "
            "unseen",
        )
        for target, name in sorted(facts.canaries.items())
        if name not in canaries.values()
    ]
    read: set[str] = set()
    for alarm_id, alarm in view.of_type("AWS::CloudWatch::Alarm").items():
        for value in _synthetics_dimensions(alarm):
            ids = references(value) if isinstance(value, dict) else set()
            if ids and ids <= set(canaries):
                read |= ids
            else:
                findings.append(
                    Finding(
                        f"ReadsOther::{alarm_id}",
                        f"alarm {alarm_id} reads canary metrics ({value}) that are not this cell's own canaries: a "
                        "divergence alarm judges what its own Region sees",
                    )
                )
    findings += [
        Finding(f"Unread::{canaries[cid]}", f"no alarm of the cell reads canary {canaries[cid]}")
        for cid in sorted(set(canaries) - read)
        if canaries[cid] in facts.canaries.values()
    ]
    return findings


CANARY_PER_PROBED_NAME = ReadinessRule(
    "SyntheticsCanaryPerProbedName",
    "Every cell Region runs a canary for every probed name (each cell Region and the viewer name), each read by "
    "an alarm of that cell that reads only its own canaries",
    "Keep RegionProbes in every cell with every cell Region and the viewer name as targets "
    "(monitoring.canaries); each divergence alarm reads the cell's own canaries by reference.",
    "CloudWatch Synthetics: canary metrics are published in the canary's own Region and account",
    frozenset({LOAD_BALANCER}),
    _canaries,
)


def _zonal(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    facts = readiness.params.operations
    if not facts.region_impaired:
        return None
    findings = []
    attributes = {a.get("Key"): a.get("Value") for a in props(resource).get("LoadBalancerAttributes") or []}
    if str(attributes.get("zonal_shift.config.enabled")).lower() != "true":
        findings.append(
            Finding(
                "ZonalShift",
                "zonal_shift.config.enabled is not true: the FIS zonal-shift experiments and autoshift cannot move "
                "traffic off an AZ of this load balancer",
            )
        )
    configs = [
        c for c in view.of_type(AUTOSHIFT).values() if logical_id in references(props(c).get("ResourceIdentifier"))
    ]
    set_by = readiness.params.set_by("fault_injection.zonal_autoshift")
    if not facts.zonal_autoshift:
        if configs:
            findings.append(Finding("Autoshift", f"zonal autoshift is configured, but the config turns it off{set_by}"))
        return findings
    if len(configs) != 1:
        return [
            *findings,
            Finding("Autoshift", f"{len(configs)} autoshift configurations for the ALB, not one{set_by}"),
        ]
    p = props(configs[0])
    if p.get("ZonalAutoshiftStatus") != "ENABLED":
        findings.append(Finding("AutoshiftStatus", f"ZonalAutoshiftStatus is {p.get('ZonalAutoshiftStatus')}{set_by}"))
    run = p.get("PracticeRunConfiguration") or {}
    composite = composite_named(view, facts.region_impaired.get(view.region, ""))
    outcome = references(run.get("OutcomeAlarms"))
    if composite is None or composite[0] not in outcome:
        findings.append(
            Finding("AutoshiftOutcome", "the practice runs are not judged by the cell's region-impaired alarm")
        )
    missing = sorted(set(facts.blocked_windows) - set(run.get("BlockedWindows") or []))
    if missing:
        findings.append(
            Finding(
                "AutoshiftBlockedWindows",
                f"practice runs may start in the calendar's event windows {missing}: add them to BlockedWindows",
            )
        )
    return findings


ZONAL_SHIFT_FOLLOWS_CONFIG = ReadinessRule(
    "ElbZonalShiftFollowsConfig",
    "Every cell ALB allows zonal shift; zonal autoshift is on exactly when the config says, judged by the "
    "region-impaired alarm and kept off the calendar's event windows",
    "Keep zonal_shift.config.enabled on every cell ALB, and let fault_injection.zonal_autoshift decide the "
    "autoshift configuration (FaultInjection adds it with the composite and blocked_windows).",
    "ARC zonal shift: a load balancer takes part only with zonal_shift.config.enabled; zonal autoshift practice "
    "runs: outcome alarms, blocked windows",
    frozenset({LOAD_BALANCER}),
    _zonal,
)

RULES: tuple[ReadinessRule, ...] = (
    REGION_IMPAIRED_HOLDS_ITS_SIGNALS,
    CANARY_PER_PROBED_NAME,
    ZONAL_SHIFT_FOLLOWS_CONFIG,
)
