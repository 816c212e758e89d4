"""Cell stack: one Region's VPC, ALB, ECS services, routing records and table access."""

from __future__ import annotations

from aws_cdk import CfnOutput, Tags
from aws_cdk import aws_route53 as route53
from constructs import Construct

from kickoff import naming
from kickoff.agent.registration import spec_parameter
from kickoff.config.models import KickoffConfig
from kickoff.constructs._util import retention
from kickoff.constructs.alarm_topic import AlarmTopic
from kickoff.constructs.alb_capacity import CapacitySchedules
from kickoff.constructs.bake_access import BakeReader
from kickoff.constructs.capacity_agent import AgentRegistry, CapacityAgent, agent_metric
from kickoff.constructs.capacity_watch import CapacityWatch
from kickoff.constructs.cell_monitoring import CellMonitoring, MonitoredService
from kickoff.constructs.cell_routing import CellRouting, HealthTarget
from kickoff.constructs.cluster import cell_cluster
from kickoff.constructs.encryption_keys import LogEncryptionKey
from kickoff.constructs.evacuation_switch import EvacuationSwitch
from kickoff.constructs.fault_injection import CellFaultInjection, ZonalAutoshift
from kickoff.constructs.global_table import ReplicaAccess
from kickoff.constructs.image_cache import RegionalImages
from kickoff.constructs.load_balancer import CellLoadBalancer
from kickoff.constructs.log_bucket import CellLogBucket
from kickoff.constructs.network import CellNetwork
from kickoff.constructs.origin_secret import required_origin_header
from kickoff.constructs.prefix_list import CLOUDFRONT_ORIGIN_FACING, ManagedPrefixListLookup, route53_health_checks
from kickoff.constructs.region_probes import ProbeTarget, RegionProbes
from kickoff.constructs.service import CellService
from kickoff.naming import cell_name_prefix, cluster_name, schedule_group_name, service_construct_id
from kickoff.planning import blocked_windows, capacity_spec
from kickoff.stacks.base import KickoffStack

# Listener rule priorities leave gaps so a rule can be inserted without renumbering.
RULE_PRIORITY_STEP = 10


class CellStack(KickoffStack):
    """An active-active cell. Depends on nothing in another Region: names are deterministic."""

    def __init__(self, scope: Construct, *, config: KickoffConfig, region: str) -> None:
        super().__init__(
            scope,
            config=config,
            unit="cell",
            region=region,
            cell=region,
            description=f"Kickoff {config.environment}: active-active cell in {region}",
        )
        region_config = config.region(region)
        agent = config.scaling.agent
        env_key = naming.environment_key(config.identity)
        # Warm throughput applies to every replica: the primary Region's agent alone sets it.
        warm_table = (
            naming.table_name(config.identity)
            if config.scaling.warm_throughput and region == config.primary_region
            else None
        )
        origin = naming.origin_domain(config.identity)
        self.log_key = LogEncryptionKey(
            self, "LogKey", description=f"Kickoff {config.environment}: {region} cell log groups"
        )
        self.log_bucket = CellLogBucket(self, "LogBucket", expiration_days=config.logging.access_log_expiration_days)
        self.network = CellNetwork(
            self, "Network", region=region_config, network=config.network, flow_log_bucket=self.log_bucket.bucket
        )
        zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "HostedZone", hosted_zone_id=config.domain.hosted_zone_id, zone_name=config.domain.name
        )
        self.load_balancer = CellLoadBalancer(
            self,
            "LoadBalancer",
            vpc=self.network.vpc,
            certificate_names=[naming.cell_domain(origin, region), origin, naming.secondary_origin_domain(origin)],
            hosted_zone=zone,
            access_log_bucket=self.log_bucket.bucket,
            load_balancer_name=naming.load_balancer_name(config.identity),
        )
        self.cloudfront_prefix_list = ManagedPrefixListLookup(
            self,
            "CloudFrontPrefixList",
            prefix_list_name=CLOUDFRONT_ORIGIN_FACING,
            log_retention_days=config.logging.retention_days,
            log_key=self.log_key.key,
        )
        self.health_check_prefix_list = ManagedPrefixListLookup(
            self,
            "HealthCheckPrefixList",
            prefix_list_name=route53_health_checks(region),
            log_retention_days=config.logging.retention_days,
            log_key=self.log_key.key,
        )
        self.load_balancer.admit_https(
            cloudfront_prefix_list_id=self.cloudfront_prefix_list.prefix_list_id,
            health_check_prefix_list_id=self.health_check_prefix_list.prefix_list_id,
        )
        self.cluster = cell_cluster(
            self,
            "Cluster",
            vpc=self.network.vpc,
            cluster_name=cluster_name(config.identity),
            insights=config.monitoring.container_insights,
        )
        self.replica = ReplicaAccess(
            self,
            "TableReplica",
            table_name=naming.table_name(config.identity),
            key_alias=naming.table_key_alias(config.identity)
            if config.table.encryption == "customer_managed"
            else None,
        )
        self.images = RegionalImages(
            self,
            "Images",
            images=[s.image_reference for s in config.services],
            credentials=dict(config.images.credentials),
            environment_key=naming.environment_key(config.identity),
            log_retention_days=config.logging.retention_days,
            log_key=self.log_key.key,
        )
        self.registry = AgentRegistry(
            naming.capacity_parameter_path(config.identity), naming.environment_key(config.identity)
        )
        required_header = required_origin_header(naming.origin_secret_name(config.identity), config.edge.origin_secret)
        self.services: dict[str, CellService] = {}
        for index, service in enumerate(config.services):
            cell_service = CellService(
                self,
                service_construct_id(service.name),
                service=service,
                image=self.images.image(service.image_reference),
                cluster=self.cluster,
                listener=self.load_balancer.https_listener,
                rule_priority=(index + 1) * RULE_PRIORITY_STEP,
                log_retention_days=config.logging.retention_days,
                log_key=self.log_key.key,
                environment={
                    "KICKOFF_ENVIRONMENT": config.environment,
                    "KICKOFF_REGION": region,
                    "KICKOFF_SERVICE": service.name,
                    "KICKOFF_TABLE_NAME": naming.table_name(config.identity),
                },
                required_header=required_header,
                registry=self.registry,
            )
            self.replica.grant_read_write(cell_service.task_role)
            self.images.grant_pull(cell_service.task_definition.obtain_execution_role(), service.image_reference)
            Tags.of(cell_service).add("service", service.name)
            self.services[service.name] = cell_service

        reserving = config.scaling.alb_reservations
        self.capacity_schedules = CapacitySchedules(
            self,
            "AlbCapacity",
            group_name=schedule_group_name(config.identity),
            load_balancer=self.load_balancer.alb if reserving else None,
        )

        self.alarm_topic = AlarmTopic(
            self,
            "AlarmTopic",
            topic_name=naming.alarm_topic_name(config.identity),
            subscribers=config.monitoring.notifications,
            description=f"Kickoff {config.environment}: {region} alarm notifications",
        )
        self.monitoring = CellMonitoring(
            self,
            "Monitoring",
            name_prefix=cell_name_prefix(config.identity, region),
            region=region,
            topic=self.alarm_topic.topic,
            monitoring=config.monitoring,
            load_balancer=self.load_balancer.alb,
            services=[
                MonitoredService(
                    name=s.name,
                    service=self.services[s.name].service,
                    target_group=self.services[s.name].target_group,
                    cluster_name=self.cluster.cluster_name,
                    planned=agent_metric(
                        naming.environment_key(config.identity), "PlannedMinimum", agent.rate_minutes, service=s.name
                    ),
                )
                for s in config.services
            ],
            table_name=naming.table_name(config.identity),
            receiving_regions=[r for r in config.region_names if r != region],
            replication_alarm_seconds=config.replication_alarm_seconds,
            region_impaired_alarm_name=naming.region_impaired_alarm_name(config.identity, region),
        )
        canaries = config.monitoring.canaries
        if canaries.enabled:
            # Every probe enters through the viewer name, as viewers do: a cell's own probes through its route
            # /_probe/<region>/ (CloudFront sends them to that cell's origin only), the viewer probe by path.
            paths = tuple(s.health_check_path for s in config.services)
            targets = [
                ProbeTarget(
                    r,
                    naming.canary_name(config.identity, r),
                    config.viewer_names[0],
                    tuple(f"{naming.probe_path_prefix(r)}{p}" for p in paths),
                )
                for r in config.region_names
            ]
            targets.append(
                ProbeTarget(
                    naming.VIEWER_PROBE,
                    naming.canary_name(config.identity, naming.VIEWER_PROBE),
                    config.viewer_names[0],
                    paths,
                )
            )
            self.probes = RegionProbes(
                self,
                "Probes",
                region=region,
                targets=targets,
                rate_minutes=canaries.rate_minutes,
                failed_runs=canaries.failed_runs,
                slow_ms=canaries.slow_ms,
                facade=self.monitoring.facade,
                artifacts_bucket=self.log_bucket.bucket,
                viewer_key=naming.VIEWER_PROBE,
            )

        differs = {}
        if canaries.enabled and self.probes.own_divergence is not None:
            differs["OwnCellDiverges"] = self.probes.own_divergence
        self.monitoring.seal(differs)
        self.live_channels = config.live is not None and region in config.live.ingest_regions
        self.capacity_agent = CapacityAgent(
            self,
            "CapacityAgent",
            environment=naming.environment_key(config.identity),
            function_name=naming.capacity_agent_name(config.identity),
            registry=self.registry,
            spec_json=spec_parameter(capacity_spec(config), naming.environment_key(config.identity)),
            forecast_table_name=naming.forecast_table_name(config.identity),
            binding={
                "region": region,
                "load_balancer_arn": self.load_balancer.alb.load_balancer_arn if reserving else None,
                "schedule_group": schedule_group_name(config.identity) if reserving else None,
                "scheduler_role_arn": self.capacity_schedules.role.role_arn if self.capacity_schedules.role else None,
                "dead_letter_arn": (
                    self.capacity_schedules.dead_letter_queue.queue_arn
                    if self.capacity_schedules.dead_letter_queue
                    else None
                ),
                "warm_throughput_table": warm_table,
                "reservation_grace_minutes": config.scaling.alb_reservation_grace_minutes,
                "live_channels": self.live_channels,
            },
            cluster_name=self.cluster.cluster_name,
            load_balancer_arn=self.load_balancer.alb.load_balancer_arn if reserving else None,
            schedule_group=self.capacity_schedules.group,
            scheduler_role=self.capacity_schedules.role,
            warm_throughput_table=warm_table,
            rate_minutes=agent.rate_minutes,
            failing_minutes=agent.failing_minutes,
            covered_hours=config.scaling.horizon_days * 24 - agent.coverage_margin_hours,
            topic=self.alarm_topic.topic,
            alarm_prefix=cell_name_prefix(config.identity, region),
            log_retention_days=config.logging.retention_days,
            log_key=self.log_key.key,
        )
        for cell_service in self.services.values():
            self.capacity_agent.function.node.add_dependency(cell_service.prescaled.registration)
        self.capacity_watch = CapacityWatch(
            self,
            "CapacityWatch",
            name_prefix=cell_name_prefix(config.identity, region),
            topic=self.alarm_topic.topic,
            load_balancer=self.load_balancer.alb if reserving else None,
            expected=agent_metric(env_key, "ReservationExpectedLCU", agent.rate_minutes) if reserving else None,
            schedule_group=self.capacity_schedules.group if reserving else None,
            dead_letter_queue=self.capacity_schedules.dead_letter_queue,
        )

        if config.pipeline is not None and region == config.canary_region:
            self.bake_reader = BakeReader(
                self,
                "BakeReader",
                role_name=naming.bake_role_name(config.identity),
                tooling_account=config.pipeline.account,
                runner_arn=naming.role_arn(config.pipeline.account, naming.bake_runner_role_name(config.identity)),
                alarm_name=naming.region_impaired_alarm_name(config.identity, region),
            )

        faults = config.fault_injection
        if faults.enabled:
            self.fault_injection = CellFaultInjection(
                self,
                "FaultInjection",
                config=faults,
                name_prefix=cell_name_prefix(config.identity, region),
                availability_zones=list(self.network.availability_zones),
                vpc=self.network.vpc,
                cluster_name=self.cluster.cluster_name,
                task_tags={"app": config.app, "env": config.environment, "cell": region},
                load_balancer=self.load_balancer.alb,
                table_name=naming.table_name(config.identity),
                strong_consistency=config.table.consistency == "strong",
                stop_alarm=self.monitoring.region_impaired,
                log_key=self.log_key.key,
                log_retention=retention(config.logging.retention_days),
            )
        if faults.zonal_autoshift:
            ZonalAutoshift(
                self,
                "ZonalAutoshift",
                load_balancer=self.load_balancer.alb,
                outcome_alarm=self.monitoring.region_impaired,
                blocked_windows=blocked_windows(config),
            )

        routing_alarms = dict(self.monitoring.critical_alarms) if config.monitoring.route_on_alarms else {}
        if config.routing.evacuation_switch:
            self.evacuation_switch = EvacuationSwitch(
                self,
                "EvacuationSwitch",
                alarm_name=f"{cell_name_prefix(config.identity, region)}-evacuation-switch",
                dimensions=naming.evacuation_switch_dimensions(config.identity, region),
                topic=self.alarm_topic.topic,
                command=naming.evacuation_command(config.identity, region, 1),
            )
            routing_alarms["EvacuationSwitch"] = self.evacuation_switch.alarm

        health = config.routing.health_check
        self.routing = CellRouting(
            self,
            "Routing",
            region=region,
            all_regions=list(config.region_names),
            routed=not region_config.evacuate,
            zone=zone,
            alb=self.load_balancer.alb,
            listener=self.load_balancer.https_listener,
            health_targets=[
                HealthTarget(s.name, self.services[s.name].target_group, s.health_check_path) for s in config.services
            ],
            request_interval_seconds=health.request_interval_seconds,
            failure_threshold=health.failure_threshold,
            origin_domain=origin,
            secondary_ttl_seconds=config.routing.secondary_ttl_seconds,
            routing_control_arn=config.routing.recovery_control.routing_control_arns.get(region),
            routing_alarms=routing_alarms,
            probe_prefix=naming.probe_path_prefix(region) if canaries.enabled else None,
            failback_hold_seconds=config.routing.failback_hold_seconds,
        )

        CfnOutput(self, "AlbDnsName", value=self.load_balancer.alb.load_balancer_dns_name)
        CfnOutput(self, "ClusterName", value=self.cluster.cluster_name)
        CfnOutput(self, "HealthCheckId", value=self.routing.health_check.health_check_id)
        CfnOutput(
            self,
            "AlarmTopicArn",
            value=self.alarm_topic.topic.topic_arn,
            description="Subscribe a chat channel here (Amazon Q Developer in chat applications takes topic ARNs)",
        )
        CfnOutput(self, "InRouting", value=str(not region_config.evacuate).lower())
