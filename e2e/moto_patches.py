"""Every change the e2e deploy test makes to moto 5.2.5, in one place.

``apply(port)`` runs inside the moto server process (``python -m e2e.moto_server``) before it
serves a request. Each patch names the moto source it works around (paths are relative to the
installed ``moto`` package, lines as of 5.2.5) and does the least that lets the dev config's
templates deploy the way CloudFormation would deploy them:

- moto bugs: a CloudFormation model that crashes or drops a property the templates set;
- moto gaps the deploy needs: a resource type another resource refers to with ``Fn::GetAtt``
  or needs to exist (ACM certificates, the CloudFront distribution), custom resources (moto
  would run their Lambda functions in Docker), AWS-managed data moto does not seed.

Types moto skips and nothing here implements stay skipped: a ``Ref`` to them resolves to nothing.
The e2e README section lists them. Bump moto, and re-check every patch (the version pin is in
``requirements-dev.txt``; ``apply`` refuses another version).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import boto3
from botocore import xform_name
from botocore.config import Config
from moto.acm.models import acm_backends
from moto.cloudformation import parsing
from moto.cloudformation.custom_model import CustomModel
from moto.cloudformation.models import CloudFormationBackend
from moto.cloudfront.models import cloudfront_backends
from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.ec2.models.flow_logs import FlowLogsBackend
from moto.ec2.models.managed_prefixes import ManagedPrefixListBackend
from moto.ec2.models.security_groups import SecurityGroupIngress
from moto.ecs.models import Service, TaskDefinition, ecs_backends
from moto.elbv2.models import FakeLoadBalancer, FakeTargetGroup
from moto.kms.models import Key
from moto.route53.models import HealthCheck, HostedZoneIdentifier, route53_backends
from moto.scheduler.models import scheduler_backends
from moto.ssm.models import Parameter
from moto.utilities.id_generator import moto_id_manager
from moto.utilities.utils import get_partition
from moto.wafv2.models import wafv2_backends

from e2e import moto_capacity
from e2e.moto_media import MEDIA_MODELS

MOTO_VERSION = "5.2.5"

# The ALB's Route 53 alias zone per Region (ELB endpoints table); moto has one made-up ID for all.
ALB_HOSTED_ZONE_IDS = {"us-east-1": "Z35SXDOTRQ7X7K", "us-west-2": "Z1H1FL5HABSF5"}

# A custom resource handler: (properties, "Create" | "Update", region) -> (physical ID, attributes).
CustomHandler = Callable[[dict[str, Any], str, str], tuple[str, dict[str, Any]]]


def apply(port: int) -> None:
    """Apply every patch; ``port`` is the moto server's own, which custom resources call back."""
    installed = version("moto")
    if installed != MOTO_VERSION:
        raise RuntimeError(f"e2e/moto_patches.py is written for moto {MOTO_VERSION}, not {installed}")
    patch_change_set_outputs()
    moto_capacity.install()  # elbv2 capacity reservations, for the capacity agent
    patch_kms_key_tags()
    patch_ssm_parameter_tags()
    patch_flow_log_s3_prefix()
    patch_security_group_ingress_prefix_list()
    patch_managed_prefix_lists()
    patch_elbv2_attributes()
    patch_ecs_properties()
    patch_route53_health_check_properties()
    patch_custom_resources(port)
    register_models()


def seed_hosted_zone_id(account_id: str, zone_name: str, zone_id: str) -> None:
    """Make ``CreateHostedZone`` of ``zone_name`` return ``zone_id`` (moto draws a random ID).

    The templates name the zone by its ID from config; moto's custom-ID registry
    (moto/utilities/id_generator.py, ``moto_id_manager``) hands that ID to the zone the test creates.
    moto/route53/responses.py appends the trailing dot before the ID is looked up.
    """
    identifier = HostedZoneIdentifier(account_id, zone_name.rstrip(".") + ".", None)
    moto_id_manager.set_custom_id(identifier, zone_id)


def _wrap_create(model: type, adapt: Callable[[dict[str, Any], dict[str, Any]], Any]) -> None:
    """Replace ``model.create_from_cloudformation_json`` with ``adapt(properties, context) -> resource``.

    ``context`` carries the arguments and ``call_original`` (moto's method with them), so ``adapt``
    can rewrite the properties in place and call through, or build the resource itself.
    """
    original = model.create_from_cloudformation_json.__func__

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        context = {
            "call_original": lambda: original(
                cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
            ),
            "resource_name": resource_name,
            "account_id": account_id,
            "region_name": region_name,
            **kwargs,
        }
        return adapt(cloudformation_json.setdefault("Properties", {}), context)

    model.create_from_cloudformation_json = classmethod(create)


def patch_change_set_outputs() -> None:
    """moto/cloudformation/models.py:1176: executing a change set stores the new template text but
    keeps the parsed template and the outputs of the empty stack the CREATE change set started
    from, so DescribeStacks shows no ``Outputs``. Re-read them after the change set ran."""
    original = CloudFormationBackend.execute_change_set

    def execute_change_set(self, change_set_name, stack_name=None):
        original(self, change_set_name, stack_name)
        # The change set the original ran: by ARN, else the last one of that name (as it chooses).
        change_set = (
            self.change_sets.get(change_set_name)
            or [cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name][-1]
        )
        stack = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.output_map = stack._create_output_map()

    CloudFormationBackend.execute_change_set = execute_change_set


def patch_kms_key_tags() -> None:
    """moto/kms/models.py:322 hands CloudFormation's ``Tags`` (``Key``/``Value``) to a tagger that
    reads ``TagKey``/``TagValue`` (KeyError 'TagKey', HTTP 500), and stores ``KeyPolicy`` as the
    parsed object, which moto/kms/policy_validator.py:22 ``json.loads`` again (TypeError)."""

    def adapt(properties: dict[str, Any], context: dict[str, Any]) -> Any:
        properties["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])]
        if isinstance(properties.get("KeyPolicy"), dict):
            properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
        return context["call_original"]()

    _wrap_create(Key, adapt)


def patch_ssm_parameter_tags() -> None:
    """moto/ssm/models.py:2332 reads an ``AWS::SSM::Parameter``'s ``Tags`` as a list of ``Key``/``Value``; the
    resource's schema makes them a map of key to value (TypeError, HTTP 500)."""

    def adapt(properties: dict[str, Any], context: dict[str, Any]) -> Any:
        tags = properties.get("Tags")
        if isinstance(tags, dict):
            properties["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        return context["call_original"]()

    _wrap_create(Parameter, adapt)


class SchedulerGroupModel(CloudFormationModel):
    """``AWS::Scheduler::ScheduleGroup``, which moto 5.2.5 has no CloudFormation model for: the group is created in
    moto's Scheduler backend (the capacity agent lists and writes its schedules there)."""

    def __init__(self, group: Any) -> None:
        self.group = group

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Scheduler::ScheduleGroup"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @property
    def physical_resource_id(self) -> str:
        return self.group.name

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        return self.group.arn

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        name = cloudformation_json.get("Properties", {}).get("Name") or resource_name
        return cls(scheduler_backends[account_id][region_name].create_schedule_group(name=name, tags=[]))


class SchedulerScheduleModel(CloudFormationModel):
    """``AWS::Scheduler::Schedule``, which moto 5.2.5 has no CloudFormation model for: created in moto's backend."""

    def __init__(self, schedule: Any) -> None:
        self.schedule = schedule

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Scheduler::Schedule"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @property
    def physical_resource_id(self) -> str:
        return self.schedule.name

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        return self.schedule.arn

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json.get("Properties", {})
        schedule = scheduler_backends[account_id][region_name].create_schedule(
            description=p.get("Description"),
            end_date=p.get("EndDate"),
            flexible_time_window=p.get("FlexibleTimeWindow", {"Mode": "OFF"}),
            group_name=p.get("GroupName"),
            kms_key_arn=p.get("KmsKeyArn"),
            name=p.get("Name") or resource_name,
            schedule_expression=p["ScheduleExpression"],
            schedule_expression_timezone=p.get("ScheduleExpressionTimezone"),
            start_date=p.get("StartDate"),
            state=p.get("State", "ENABLED"),
            target=p.get("Target", {}),
            action_after_completion=None,
        )
        return cls(schedule)


def patch_flow_log_s3_prefix() -> None:
    """moto/ec2/models/flow_logs.py:227 looks up ``arn:aws:s3:::bucket/prefix/`` as a bucket named
    ``bucket/prefix/``, reports the flow log unsuccessful, and the CloudFormation model then
    indexes an empty list (flow_logs.py:99, IndexError). Create it with the bare bucket ARN and
    keep the prefixed destination, as EC2 does."""
    original = FlowLogsBackend.create_flow_logs

    def create_flow_logs(
        self,
        resource_type,
        resource_ids,
        traffic_type,
        deliver_logs_permission_arn,
        log_destination_type,
        log_destination,
        *args,
        **kwargs,
    ):
        bucket_arn = log_destination
        if log_destination_type == "s3" and log_destination and "/" in log_destination.split(":", 5)[5]:
            bucket_arn = log_destination.split("/", 1)[0]
        flow_logs, unsuccessful = original(
            self,
            resource_type,
            resource_ids,
            traffic_type,
            deliver_logs_permission_arn,
            log_destination_type,
            bucket_arn,
            *args,
            **kwargs,
        )
        for flow_log in flow_logs:
            flow_log.log_destination = log_destination
        return flow_logs, unsuccessful

    FlowLogsBackend.create_flow_logs = create_flow_logs


def patch_security_group_ingress_prefix_list() -> None:
    """moto/ec2/models/security_groups.py:1375 asserts a CIDR or a source group, so an
    ``AWS::EC2::SecurityGroupIngress`` with ``SourcePrefixListId`` fails (AssertionError); the
    backend's ``authorize_security_group_ingress`` takes prefix lists, the model never passes one."""

    def adapt(properties: dict[str, Any], context: dict[str, Any]) -> Any:
        prefix_list = properties.get("SourcePrefixListId")
        if not prefix_list:
            return context["call_original"]()
        backend = ec2_backends[context["account_id"]][context["region_name"]]
        group = backend.describe_security_groups(group_ids=[properties["GroupId"]])[0]
        entry = {"PrefixListId": prefix_list, "Description": properties.get("Description")}
        backend.authorize_security_group_ingress(
            group_name_or_id=group.id,
            ip_protocol=properties["IpProtocol"],
            from_port=properties.get("FromPort"),
            to_port=properties.get("ToPort"),
            ip_ranges=[],
            prefix_list_ids=[entry],
        )
        return SecurityGroupIngress(group, properties)

    _wrap_create(SecurityGroupIngress, adapt)


def patch_managed_prefix_lists() -> None:
    """moto/ec2/models/managed_prefixes.py:160 seeds the CloudFront origin-facing list but no
    ``com.amazonaws.<region>.route53-healthchecks`` (AWS-managed in every Region), which the cell
    looks up for its health-check security group. Seed it (IPv4, two ROUTE53_HEALTHCHECKS ranges of
    AWS's ip-ranges.json; nothing routes to them here)."""
    original = ManagedPrefixListBackend.create_default_pls

    def create_default_pls(self) -> None:
        original(self)
        self._create_aws_managed_prefix_list(
            name=f"com.amazonaws.{self.region_name}.route53-healthchecks",
            address_family="IPv4",
            entries=[
                {"Cidr": "15.177.0.0/18", "Description": "route53-healthchecks"},
                {"Cidr": "54.243.31.192/26", "Description": "route53-healthchecks"},
            ],
        )

    ManagedPrefixListBackend.create_default_pls = create_default_pls


def patch_elbv2_attributes() -> None:
    """moto/elbv2/models.py:690: ``Fn::GetAtt`` of an ALB's ``CanonicalHostedZoneID`` and
    ``LoadBalancerFullName`` raises NotImplementedError (resolved to nothing, so the alias records
    lose their zone), and every ALB has the made-up zone ``Z2P70J7EXAMPLE`` (elbv2/models.py:627);
    the target group (elbv2/models.py:94) has no ``get_cfn_attribute`` at all (AttributeError
    fails the change set). The CloudFormation model also drops the ALB's
    ``LoadBalancerAttributes``; apply them."""
    lb_original = FakeLoadBalancer.get_cfn_attribute

    def lb_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "CanonicalHostedZoneID":
            return self.canonical_hosted_zone_id
        if attribute_name == "LoadBalancerFullName":
            return self.arn.split(":loadbalancer/", 1)[1]
        if attribute_name == "SecurityGroups":
            return self.security_groups
        return lb_original(self, attribute_name)

    def tg_attribute(self, attribute_name: str) -> Any:
        return {
            "TargetGroupArn": self.arn,
            "TargetGroupName": self.name,
            "TargetGroupFullName": self.arn.split(":", 5)[5],
            "LoadBalancerArns": list(self.load_balancer_arns),
        }[attribute_name]

    def adapt_lb(properties: dict[str, Any], context: dict[str, Any]) -> Any:
        load_balancer = context["call_original"]()
        load_balancer.canonical_hosted_zone_id = ALB_HOSTED_ZONE_IDS[context["region_name"]]
        attributes = {a["Key"]: a["Value"] for a in properties.get("LoadBalancerAttributes", []) if "Value" in a}
        if attributes:
            load_balancer.attrs.update(attributes)
        return load_balancer

    FakeLoadBalancer.get_cfn_attribute = lb_attribute
    FakeTargetGroup.get_cfn_attribute = tg_attribute
    FakeTargetGroup.has_cfn_attr = classmethod(lambda cls, attr: True)
    _wrap_create(FakeLoadBalancer, adapt_lb)


def _ecs_tags(properties: dict[str, Any]) -> list[dict[str, str]]:
    return [{"key": t["Key"], "value": t["Value"]} for t in properties.get("Tags", [])]


def _camel(value: Any) -> Any:
    """CloudFormation's PascalCase keys to the ECS API's camelCase, recursively."""
    if isinstance(value, dict):
        return {key[:1].lower() + key[1:]: _camel(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_camel(item) for item in value]
    return value


def patch_ecs_properties() -> None:
    """moto/ecs/models.py:241 registers a task definition from its containers, volumes and memory
    only (no ``RuntimePlatform``, ``Cpu``, ``NetworkMode``, ``RequiresCompatibilities``, roles,
    tags); moto/ecs/models.py:622 creates a service from cluster, task definition and count only
    (no ``LaunchType``, ``LoadBalancers``, ``NetworkConfiguration``, tags). Pass them through to
    the backend calls, which accept them."""

    def adapt_task_definition(properties: dict[str, Any], context: dict[str, Any]) -> Any:
        backend = ecs_backends[context["account_id"]][context["region_name"]]
        return backend.register_task_definition(
            family=properties.get("Family", context["resource_name"]),
            container_definitions=_camel(properties.get("ContainerDefinitions", [])),
            volumes=_camel(properties.get("Volumes", [])),
            network_mode=properties.get("NetworkMode"),
            tags=_ecs_tags(properties),
            requires_compatibilities=properties.get("RequiresCompatibilities"),
            cpu=properties.get("Cpu"),
            memory=properties.get("Memory"),
            task_role_arn=properties.get("TaskRoleArn"),
            execution_role_arn=properties.get("ExecutionRoleArn"),
            runtime_platform=_camel(properties.get("RuntimePlatform")),
        )

    def adapt_service(properties: dict[str, Any], context: dict[str, Any]) -> Any:
        backend = ecs_backends[context["account_id"]][context["region_name"]]
        cluster = properties["Cluster"]
        task_definition = properties["TaskDefinition"]
        return backend.create_service(
            getattr(cluster, "name", cluster),
            properties.get("ServiceName", context["resource_name"]),
            properties.get("DesiredCount"),
            task_definition_str=getattr(task_definition, "arn", task_definition),
            load_balancers=_camel(properties.get("LoadBalancers", [])),
            tags=_ecs_tags(properties),
            launch_type=properties.get("LaunchType"),
            propagate_tags=properties.get("PropagateTags", "NONE"),
            network_configuration=_camel(properties.get("NetworkConfiguration")),
        )

    _wrap_create(TaskDefinition, adapt_task_definition)
    _wrap_create(Service, adapt_service)


def patch_route53_health_check_properties() -> None:
    """moto/route53/models.py:152 creates a health check from its endpoint fields only: a
    CALCULATED check loses ``ChildHealthChecks`` and ``HealthThreshold``, every check loses
    ``EnableSNI``, ``Inverted`` and ``HealthCheckTags``. Pass them to the backend, which keeps
    them (``AlarmIdentifier`` has nowhere to go in moto's model)."""

    def adapt(properties: dict[str, Any], context: dict[str, Any]) -> Any:
        config = properties["HealthCheckConfig"]
        backend = route53_backends[context["account_id"]][get_partition(context["region_name"])]
        health_check = backend.create_health_check(
            caller_reference=context["resource_name"],
            health_check_args={
                "ip_address": config.get("IPAddress"),
                "port": config.get("Port"),
                "type": config["Type"],
                "resource_path": config.get("ResourcePath"),
                "fqdn": config.get("FullyQualifiedDomainName"),
                "search_string": config.get("SearchString"),
                "request_interval": config.get("RequestInterval"),
                "failure_threshold": config.get("FailureThreshold"),
                "health_threshold": config.get("HealthThreshold"),
                "measure_latency": config.get("MeasureLatency"),
                "inverted": config.get("Inverted"),
                "enable_sni": config.get("EnableSNI"),
                "children": config.get("ChildHealthChecks", []),
            },
        )
        tags = properties.get("HealthCheckTags", [])
        if tags:
            backend.change_tags_for_resource("healthcheck", health_check.id, add_tags=tags, remove_tag_keys=[])
        return health_check

    _wrap_create(HealthCheck, adapt)


# --- custom resources -----------------------------------------------------------------------------


def _flatten(value: Any, path: str = "") -> dict[str, Any]:
    """aws-cdk-lib's ``flatten`` (custom-resources/lib/aws-custom-resource/runtime): nested
    keys and list indexes joined with dots, leaves as values."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(i), item) for i, item in enumerate(value))
    else:
        return {path: value}
    flat: dict[str, Any] = {}
    for key, item in items:
        flat.update(_flatten(item, f"{path}.{key}" if path else key))
    return flat


def _decode(value: Any) -> Any:
    """aws-cdk-lib encodes booleans in AwsCustomResource parameters as ``TRUE:BOOLEAN``."""
    if isinstance(value, dict):
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return {"TRUE:BOOLEAN": True, "FALSE:BOOLEAN": False}.get(value, value) if isinstance(value, str) else value


class _SelfClient:
    """boto3 clients for this moto server: a custom resource's SDK call, sent from inside the server."""

    def __init__(self, port: int) -> None:
        self.endpoint = f"http://localhost:{port}"

    def __call__(self, service: str, region: str) -> Any:
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1}),
        )


def _aws_custom_resource(client: _SelfClient) -> CustomHandler:
    """``Custom::AWS`` (aws-cdk-lib ``AwsCustomResource``): run the ``Create``/``Update`` SDK call
    against moto and answer the flattened response, cut to ``outputPaths``, as the attributes."""

    def handle(properties: dict[str, Any], request: str, region: str) -> tuple[str, dict[str, Any]]:
        call = json.loads(properties[request])
        service = re.sub(r"^@aws-sdk/client-", "", call["service"]).replace("-", "").lower()
        action = re.sub(r"Command$", "", call["action"])
        response = getattr(client(service, call.get("region", region)), xform_name(action[:1].upper() + action[1:]))(
            **_decode(call.get("parameters", {}))
        )
        response.pop("ResponseMetadata", None)
        flat = _flatten(json.loads(json.dumps(response, default=str)))
        physical = call.get("physicalResourceId", {})
        physical_id = physical.get("id") or flat.get(physical.get("responsePath", ""), str(uuid.uuid4()))
        paths = call.get("outputPaths") or ([call["outputPath"]] if call.get("outputPath") else None)
        if paths:
            flat = {key: item for key, item in flat.items() if any(key.startswith(path) for path in paths)}
        return physical_id, flat

    return handle


def _restrict_default_security_group(client: _SelfClient) -> CustomHandler:
    """``Custom::VpcRestrictDefaultSG`` (aws-cdk-lib ``restrictDefaultSecurityGroup``): revoke
    every rule of the VPC's default security group, as the provider's Lambda function does."""

    def handle(properties: dict[str, Any], request: str, region: str) -> tuple[str, dict[str, Any]]:
        group_id = properties["DefaultSecurityGroupId"]
        ec2 = client("ec2", region)
        group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        if group["IpPermissions"]:
            ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=group["IpPermissions"])
        if group["IpPermissionsEgress"]:
            ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=group["IpPermissionsEgress"])
        return group_id, {}

    return handle


def patch_custom_resources(port: int) -> None:
    """moto/cloudformation/custom_model.py:88 answers a custom resource by invoking its provider
    Lambda function in a thread, which moto runs only in Docker; without Docker the invocation
    fails, the change-set path marks the stack complete anyway, and ``Fn::GetAtt`` on the
    resource resolves to nothing. Answer the two custom resource types the templates use inside
    the server; other ``Custom::`` types keep moto's behaviour. The model has no update either
    (parsing.py:415 returns None, parsing.py:893 stores it): answer an update like CloudFormation,
    the ``Update`` call of a ``Custom::AWS`` (none: keep the resource), the handler otherwise."""
    client = _SelfClient(port)
    handlers: dict[str, CustomHandler] = {
        "Custom::AWS": _aws_custom_resource(client),
        "Custom::VpcRestrictDefaultSG": _restrict_default_security_group(client),
    }
    original = CustomModel.create_from_cloudformation_json.__func__

    def answer(resource_type: str, logical_id: str, properties: dict[str, Any], request: str, region: str) -> Any:
        physical_id, data = handlers[resource_type](properties, request, region)
        resource = CustomModel(region, str(uuid.uuid4()), logical_id, physical_id)
        resource.set_data(data)
        return resource

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        resource_type = kwargs["ResourceType"]
        if resource_type not in handlers:
            return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        return answer(resource_type, kwargs["LogicalId"], cloudformation_json["Properties"], "Create", region_name)

    def update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        resource_type = cloudformation_json["Type"]
        properties = cloudformation_json["Properties"]
        if resource_type not in handlers or (resource_type == "Custom::AWS" and "Update" not in properties):
            return original_resource
        return answer(resource_type, original_resource.logical_id, properties, "Update", region_name)

    CustomModel.create_from_cloudformation_json = classmethod(create)
    CustomModel.update_from_cloudformation_json = classmethod(update)


# --- resource types moto has no CloudFormation model for ------------------------------------------


def register_models() -> None:
    """Make moto use ``ADDED_MODELS`` (end of this module).

    A ``CloudFormationModel`` subclass registers itself: moto/cloudformation/parsing.py:87 builds
    the model map from ``CloudFormationModel.__subclasses__()`` and caches it. Clear the cache
    in case it was built before, and check that each type now maps to the model here.
    """
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
    model_map = parsing.get_model_map()
    unused = [model.__name__ for model in ADDED_MODELS if model_map.get(model.cloudformation_type()) is not model]
    if unused:
        raise RuntimeError(f"moto does not use these e2e models: {unused}")


class SecurityGroupEgress(CloudFormationModel):
    """``AWS::EC2::SecurityGroupEgress``: no model in moto (skipped), so a group that allows no
    outbound traffic but to named groups keeps EC2's default allow-all rule. CloudFormation
    removes that default rule when it adds a standalone egress rule (aws-cdk relies on it for
    ``allow_all_outbound=False``, aws/aws-cdk#998); do the same, then authorize the rule."""

    def __init__(self, group_id: str) -> None:
        self.group_id = group_id

    @property
    def physical_resource_id(self) -> str:
        return self.group_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::EC2::SecurityGroupEgress"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        backend = ec2_backends[account_id][region_name]
        group = backend.get_security_group_by_name_or_id(properties["GroupId"])
        default = [
            r.id for r in group.egress_rules if r.ip_protocol == "-1" and r.ip_range.get("CidrIp") == "0.0.0.0/0"
        ]
        if default:
            backend.revoke_security_group_egress(group.id, "-1", None, None, [], security_rule_ids=default)
        description = properties.get("Description")
        backend.authorize_security_group_egress(
            group.id,
            properties["IpProtocol"],
            properties.get("FromPort"),
            properties.get("ToPort"),
            [{"CidrIp": properties["CidrIp"], "Description": description}] if "CidrIp" in properties else [],
            source_groups=[{"GroupId": properties["DestinationSecurityGroupId"], "Description": description}]
            if "DestinationSecurityGroupId" in properties
            else [],
            prefix_list_ids=[{"PrefixListId": properties["DestinationPrefixListId"], "Description": description}]
            if "DestinationPrefixListId" in properties
            else [],
        )
        return cls(group.id)

    def is_created(self) -> bool:
        return True


class AcmCertificate(CloudFormationModel):
    """``AWS::CertificateManager::Certificate``: no model in moto (skipped, so the HTTPS listener
    and the distribution would name no certificate). Request it in moto's ACM and mark it
    ISSUED: CloudFormation completes the resource only once DNS validation has issued it."""

    def __init__(self, arn: str) -> None:
        self.arn = arn

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CertificateManager::Certificate"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        backend = acm_backends[account_id][region_name]
        arn = backend.request_certificate(
            properties["DomainName"],
            idempotency_token=None,
            subject_alt_names=properties.get("SubjectAlternativeNames", []),
            tags=properties.get("Tags", []),
        )
        backend.get_certificate(arn).status = "ISSUED"
        return cls(arn)

    def is_created(self) -> bool:
        return True


class WafWebAcl(CloudFormationModel):
    """``AWS::WAFv2::WebACL``: no model in moto, so the distribution's ``Fn::GetAtt WebAcl.Arn``
    fails the change set once the distribution has a model. Create the ACL in moto's WAFv2
    (the CloudFormation shape is the API's). Rules are stored, never evaluated."""

    def __init__(self, web_acl: Any) -> None:
        self.web_acl = web_acl

    @property
    def physical_resource_id(self) -> str:
        return self.web_acl.arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::WAFv2::WebACL"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "Id")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return {"Arn": self.web_acl.arn, "Id": self.web_acl.id}[attribute_name]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        # moto/wafv2/responses.py:42 keeps CLOUDFRONT-scope ACLs in the "global" backend.
        region = "global" if properties["Scope"] == "CLOUDFRONT" else region_name
        web_acl = wafv2_backends[account_id][region].create_web_acl(
            name=resource_name,
            visibility_config=properties["VisibilityConfig"],
            default_action=properties["DefaultAction"],
            scope=properties["Scope"],
            description=properties.get("Description", ""),
            tags=properties.get("Tags", []),
            rules=properties.get("Rules", []),
            association_config=properties.get("AssociationConfig"),
            captcha_config=properties.get("CaptchaConfig"),
            challenge_config=properties.get("ChallengeConfig"),
            custom_response_bodies=properties.get("CustomResponseBodies"),
            token_domains=properties.get("TokenDomains"),
        )
        return cls(web_acl)

    def is_created(self) -> bool:
        return True


def _items(values: list[Any] | None) -> dict[str, Any]:
    values = values or []
    return {"Quantity": len(values), "Items": values}


def _cache_behavior(behavior: dict[str, Any]) -> dict[str, Any]:
    converted = {
        key: behavior[key]
        for key in (
            "PathPattern",
            "TargetOriginId",
            "ViewerProtocolPolicy",
            "Compress",
            "CachePolicyId",
            "OriginRequestPolicyId",
            "ResponseHeadersPolicyId",
        )
        if key in behavior
    }
    converted["AllowedMethods"] = {
        **_items(behavior.get("AllowedMethods", ["GET", "HEAD"])),
        "CachedMethods": _items(behavior.get("CachedMethods", ["GET", "HEAD"])),
    }
    return converted


def _origin(origin: dict[str, Any]) -> dict[str, Any]:
    converted = {
        key: origin[key]
        for key in ("Id", "DomainName", "OriginPath", "ConnectionAttempts", "ConnectionTimeout")
        if key in origin
    }
    custom = origin.get("CustomOriginConfig")
    if custom is not None:
        converted["CustomOriginConfig"] = {
            "HTTPPort": custom.get("HTTPPort", 80),
            "HTTPSPort": custom.get("HTTPSPort", 443),
            "OriginProtocolPolicy": custom["OriginProtocolPolicy"],
            "OriginReadTimeout": custom.get("OriginReadTimeout", 30),
            "OriginSslProtocols": _items(custom.get("OriginSSLProtocols", ["TLSv1.2"])),
        }
    converted["CustomHeaders"] = _items(origin.get("OriginCustomHeaders", []))
    return converted


class CloudFrontDistribution(CloudFormationModel):
    """``AWS::CloudFront::Distribution``: no model in moto, so the viewer records'
    ``Fn::GetAtt DomainName`` fails the edge stack's change set. Create the distribution in
    moto's CloudFront backend from the CloudFormation shape (lists -> ``Quantity``/``Items``).
    Nothing serves traffic; the cache policies and the web ACL it names stay unresolved."""

    def __init__(self, distribution: Any) -> None:
        self.distribution = distribution

    @property
    def physical_resource_id(self) -> str:
        return self.distribution.distribution_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudFront::Distribution"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("DomainName", "Id")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return {"DomainName": self.distribution.domain_name, "Id": self.distribution.distribution_id}[attribute_name]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        config = properties["DistributionConfig"]
        viewer_certificate = config.get("ViewerCertificate", {})
        converted = {
            "CallerReference": resource_name,
            "Comment": config.get("Comment", ""),
            "Enabled": config["Enabled"],
            "Aliases": _items(config.get("Aliases")),
            "Origins": _items([_origin(o) for o in config["Origins"]]),
            "OriginGroups": config.get("OriginGroups", {"Quantity": 0}),
            "DefaultCacheBehavior": _cache_behavior(config["DefaultCacheBehavior"]),
            "CacheBehaviors": _items([_cache_behavior(b) for b in config.get("CacheBehaviors", [])]),
            "PriceClass": config.get("PriceClass", "PriceClass_All"),
            "HttpVersion": config.get("HttpVersion", "http2"),
            "IsIPV6Enabled": config.get("IPV6Enabled", False),
            "WebACLId": config.get("WebACLId", ""),
            "ViewerCertificate": {
                "CloudFrontDefaultCertificate": "AcmCertificateArn" not in viewer_certificate,
                "ACMCertificateArn": viewer_certificate.get("AcmCertificateArn", ""),
                "SSLSupportMethod": viewer_certificate.get("SslSupportMethod", "sni-only"),
                "MinimumProtocolVersion": viewer_certificate.get("MinimumProtocolVersion", "TLSv1"),
            },
        }
        if "Logging" in config:
            converted["Logging"] = {"Enabled": True, "IncludeCookies": False, **config["Logging"]}
        # moto/cloudfront/models.py:236 accepts only an origin as a behaviour's target, not an
        # origin group (NoSuchOrigin): create with the group's first member, then restore the group.
        target = converted["DefaultCacheBehavior"]["TargetOriginId"]
        groups = {g["Id"]: g for g in converted["OriginGroups"].get("Items", [])}
        if target in groups:
            converted["DefaultCacheBehavior"]["TargetOriginId"] = groups[target]["Members"]["Items"][0]["OriginId"]
        backend = cloudfront_backends[account_id][get_partition(region_name)]
        distribution, _, _ = backend.create_distribution(converted, properties.get("Tags", []))
        distribution.distribution_config.DefaultCacheBehavior.target_origin_id = target
        return cls(distribution)

    def is_created(self) -> bool:
        return True


# The resource types these patches add to moto's CloudFormation (register_models).
ADDED_MODELS = (SecurityGroupEgress, AcmCertificate, WafWebAcl, CloudFrontDistribution, *MEDIA_MODELS)
