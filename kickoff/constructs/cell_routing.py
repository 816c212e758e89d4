"""A cell's place in global routing: its health check and the DNS records it owns."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from constructs import Construct

from kickoff import naming
from kickoff.config.models import MAX_SERVICES
from kickoff.naming import pascal

# Health-check rules sit before every service rule (priorities 1..MAX_SERVICES): Route 53 cannot send
# the secret header.
FIRST_HEALTH_RULE_PRIORITY = 1
# The failback hold-down check's interval (s): Route 53's slower one, so ten failures span 300 s.
HOLD_INTERVAL = 30


@dataclass(frozen=True)
class HealthTarget:
    """One service as Route 53 checks it: its name, target group and health path."""

    service: str
    target_group: elbv2.IApplicationTargetGroup
    path: str


class CellRouting(Construct):
    """Health check and records through which viewers reach this cell.

    Everything here targets this cell's own ALB or a DNS name, never another stack's
    resource, so each cell deploys alone.

    - ``HealthCheck``: one Route 53 HTTPS check of ``<region>.origin.<domain>`` per service,
      on that service's health path, each reached through a listener rule that needs no
      secret header (the same rule serves ``<probe_prefix><health path>``, rewritten to the
      health path: the Region probes' route to this cell through CloudFront); one
      CLOUDWATCH_METRIC check per alarm in ``routing_alarms`` (single-metric gauges such as no
      healthy target, and the operator's evacuation switch: Route 53 cannot watch the composite).
      With ``failback_hold_seconds``, ``FailbackHoldCheck`` calls the first service's health path every 30 s
      and fails after that many seconds of failures: it never decides when a cell leaves, but after a long
      outage it keeps the returning cell out for that long while its tasks relaunch.
      A ``CALCULATED`` check requires every one of them (and, with ARC, the routing control),
      so a cell with any service down, or whose own alarms fire, leaves routing.
    - ``<region>.origin``: alias to the ALB (operators and health checks; always present).
    - In routing (not evacuated):
      - ``origin``: latency alias for this Region with the health check (primary origin);
      - ``secondary.origin``: latency CNAME for this Region with the same health check,
        pointing at ``except-<region>.origin``; a resolver that picks this cell for the
        primary picks it here too, and is sent to the nearest *other* healthy cell;
      - ``except-<other>.origin`` for every other cell: latency alias to this ALB with
        this health check, so each ``except-X`` set holds every routed cell but X.

    Attributes: ``health_check``, ``endpoint_health_checks`` (service -> check), ``alarm_health_checks``
    (key -> check), ``health_rules``,
    ``records`` (name -> record).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        region: str,
        all_regions: list[str],
        routed: bool,
        zone: route53.IHostedZone,
        alb: elbv2.IApplicationLoadBalancer,
        listener: elbv2.ApplicationListener,
        health_targets: list[HealthTarget],
        request_interval_seconds: int,
        failure_threshold: int,
        origin_domain: str,
        secondary_ttl_seconds: int,
        routing_control_arn: str | None,
        routing_alarms: Mapping[str, cloudwatch.IAlarm] | None = None,
        probe_prefix: str | None = None,
        failback_hold_seconds: int | None = None,
    ) -> None:
        super().__init__(scope, id_)
        if probe_prefix is not None and not re.fullmatch(r"(/[a-z0-9_-]+)+", probe_prefix):
            raise ValueError(f"probe_prefix must be a plain path such as /_probe/us-east-1 (got {probe_prefix!r})")
        if region not in all_regions:
            raise ValueError(f"region {region} is not in all_regions {all_regions}")
        if request_interval_seconds not in (10, 30):
            raise ValueError("routing.health_check.request_interval_seconds must be 10 or 30")
        if not 1 <= failure_threshold <= 10:
            raise ValueError("routing.health_check.failure_threshold must be 1..10")
        if failback_hold_seconds is not None and (
            failback_hold_seconds % HOLD_INTERVAL or not 1 <= failback_hold_seconds // HOLD_INTERVAL <= 10
        ):
            raise ValueError("routing.failback_hold_seconds must be a multiple of 30 from 30 to 300")
        if not 1 <= len(health_targets) <= MAX_SERVICES:
            raise ValueError(f"health_targets: 1 to {MAX_SERVICES} services (got {len(health_targets)})")
        paths = [t.path for t in health_targets]
        if len(set(paths)) != len(paths):
            raise ValueError(f"health paths must be distinct per service (got {paths})")

        cell_name = naming.cell_domain(origin_domain, region)
        self.health_rules: dict[str, elbv2.ApplicationListenerRule] = {}
        self.endpoint_health_checks: dict[str, route53.HealthCheck] = {}
        for index, target in enumerate(health_targets):
            patterns = [target.path] + ([f"{probe_prefix}{target.path}"] if probe_prefix else [])
            rule = elbv2.ApplicationListenerRule(
                self,
                f"HealthCheckRule{pascal(target.service)}",
                listener=listener,
                priority=FIRST_HEALTH_RULE_PRIORITY + index,
                conditions=[elbv2.ListenerCondition.path_patterns(patterns)],
                action=elbv2.ListenerAction.forward([target.target_group]),
            )
            if probe_prefix:
                # The canaries' route through CloudFront arrives under the probe prefix; the service sees its
                # own health path (ALB URL rewrite, applied after the conditions match).
                cfn = rule.node.default_child
                assert isinstance(cfn, elbv2.CfnListenerRule)
                cfn.transforms = [
                    elbv2.CfnListenerRule.TransformProperty(
                        type="url-rewrite",
                        url_rewrite_config=elbv2.CfnListenerRule.RewriteConfigObjectProperty(
                            rewrites=[
                                elbv2.CfnListenerRule.RewriteConfigProperty(
                                    regex=f"^{probe_prefix}(/.*)$", replace="$1"
                                )
                            ]
                        ),
                    )
                ]
            self.health_rules[target.service] = rule
            self.endpoint_health_checks[target.service] = route53.HealthCheck(
                self,
                f"HealthCheck{pascal(target.service)}",
                type=route53.HealthCheckType.HTTPS,
                fqdn=cell_name,
                port=443,
                resource_path=target.path,
                enable_sni=True,
                request_interval=Duration.seconds(request_interval_seconds),
                failure_threshold=failure_threshold,
            )
        children: list[route53.IHealthCheck] = list(self.endpoint_health_checks.values())
        self.failback_hold_check: route53.HealthCheck | None = None
        if failback_hold_seconds is not None:
            # The same endpoint, checked slowly: it fails only after a long outage, and then passes only after
            # failback_hold_seconds of answers, which is how long a returning cell is kept out of routing while
            # its tasks come back. The fast checks above still decide when a cell leaves.
            self.failback_hold_check = route53.HealthCheck(
                self,
                "FailbackHoldCheck",
                type=route53.HealthCheckType.HTTPS,
                fqdn=cell_name,
                port=443,
                resource_path=health_targets[0].path,
                enable_sni=True,
                request_interval=Duration.seconds(HOLD_INTERVAL),
                failure_threshold=failback_hold_seconds // HOLD_INTERVAL,
            )
            children.append(self.failback_hold_check)
        self.alarm_health_checks: dict[str, route53.HealthCheck] = {}
        for key, alarm in (routing_alarms or {}).items():
            # The alarm's name is a Ref, so CloudFormation creates the alarm first (Route 53 reads it on create).
            check = route53.HealthCheck(
                self,
                f"AlarmHealthCheck{key}",
                type=route53.HealthCheckType.CLOUDWATCH_METRIC,
                alarm_identifier=route53.AlarmIdentifier(name=alarm.alarm_name, region=region),
                # Until the alarm has data (a new cell), keep the last status, which starts healthy.
                insufficient_data_health_status=route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
            )
            self.alarm_health_checks[key] = check
            children.append(check)
        if routing_control_arn:
            self.routing_control_health_check = route53.HealthCheck(
                self,
                "RoutingControlHealthCheck",
                type=route53.HealthCheckType.RECOVERY_CONTROL,
                routing_control=routing_control_arn,
            )
            children.append(self.routing_control_health_check)
        self.health_check: route53.IHealthCheck = children[0]
        if len(children) > 1:
            self.health_check = route53.HealthCheck(
                self,
                "HealthCheck",
                type=route53.HealthCheckType.CALCULATED,
                child_health_checks=children,
                health_threshold=len(children),
            )

        alias = route53.RecordTarget.from_alias(targets.LoadBalancerTarget(alb))
        self.records: dict[str, route53.RecordSet] = {
            cell_name: route53.ARecord(self, "CellRecord", zone=zone, record_name=f"{cell_name}.", target=alias)
        }
        if not routed:
            return
        self.records[origin_domain] = route53.ARecord(
            self,
            "LatencyRecord",
            zone=zone,
            record_name=f"{origin_domain}.",
            target=alias,
            region=region,
            set_identifier=region,
            health_check=self.health_check,
        )
        secondary = naming.secondary_origin_domain(origin_domain)
        self.records[secondary] = route53.CnameRecord(
            self,
            "SecondaryRecord",
            zone=zone,
            record_name=f"{secondary}.",
            domain_name=naming.except_domain(origin_domain, region),
            region=region,
            set_identifier=region,
            health_check=self.health_check,
            ttl=Duration.seconds(secondary_ttl_seconds),
        )
        for other in all_regions:
            if other == region:
                continue
            name = naming.except_domain(origin_domain, other)
            self.records[name] = route53.ARecord(
                self,
                f"Except{pascal(other)}Record",
                zone=zone,
                record_name=f"{name}.",
                target=alias,
                region=region,
                set_identifier=region,
                health_check=self.health_check,
            )
