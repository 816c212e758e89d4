"""The live stack's resources moto 5.2.5 has an API for but no CloudFormation model: create them in moto's backends.

moto implements MediaPackage v2 channel groups and channels, and MediaLive inputs and channels (create, describe,
start, stop), but its CloudFormation skips every ``AWS::MediaPackageV2::*`` and ``AWS::MediaLive::*`` type. Without
these models Edge's egress-domain lookup (``GetChannelGroup``) fails, the MediaLive role's policy names no channel,
and the agent's registration names no channel ID. With them the deploy creates what moto can hold; what it cannot
(origin endpoints and their policies: no API in moto) stays skipped and is listed in ``e2e.harness.SKIPPED_TYPES``.
Three types that other resources name by ``Fn::GetAtt`` (which moto refuses on a skipped resource) get stubs that
only mint an ID: input security groups, CloudFront origin access control and CloudFront functions (``STUBS``).
Nothing encodes: a channel is a record moto starts and stops.
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.medialive.models import medialive_backends
from moto.mediapackagev2.models import mediapackagev2_backends


class _Created:
    """What every model here shares: no name property, and created as soon as it is."""

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    def is_created(self) -> bool:
        return True


class MediaPackageChannelGroup(_Created, CloudFormationModel):  # moto registers direct subclasses only
    """``AWS::MediaPackageV2::ChannelGroup``: the group, with its generated egress domain (``Fn::GetAtt``)."""

    def __init__(self, group: Any) -> None:
        self.group = group

    @property
    def physical_resource_id(self) -> str:
        return self.group.channel_group_name

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaPackageV2::ChannelGroup"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "EgressDomain")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return {"Arn": self.group.arn, "EgressDomain": self.group.egress_domain}[attribute_name]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        name = cloudformation_json["Properties"]["ChannelGroupName"]
        return cls(mediapackagev2_backends[account_id][region_name].create_channel_group(name))


class MediaPackageChannel(_Created, CloudFormationModel):  # moto registers direct subclasses only
    """``AWS::MediaPackageV2::Channel``: the channel in its group (its ARN names it in the MediaLive role)."""

    def __init__(self, channel: Any, arn: str) -> None:
        self.channel = channel
        self.arn = arn

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaPackageV2::Channel"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.arn

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        group, name = p["ChannelGroupName"], p["ChannelName"]
        channel = mediapackagev2_backends[account_id][region_name].create_channel(group, name)
        return cls(channel, f"arn:aws:mediapackagev2:{region_name}:{account_id}:channelGroup/{group}/channel/{name}")


class MediaLiveInput(_Created, CloudFormationModel):  # moto registers direct subclasses only
    """``AWS::MediaLive::Input``: the input record (its security groups are skipped: moto has no API for them)."""

    def __init__(self, record: Any) -> None:
        self.record = record

    @property
    def physical_resource_id(self) -> str:
        return self.record.id

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaLive::Input"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "Id")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return {"Arn": self.record.arn, "Id": self.record.id}[attribute_name]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        record = medialive_backends[account_id][region_name].create_input(
            destinations=p.get("Destinations", []),
            input_devices=[],
            input_security_groups=[g for g in p.get("InputSecurityGroups", []) if isinstance(g, str)],
            media_connect_flows=p.get("MediaConnectFlows", []),
            name=p.get("Name", resource_name),
            role_arn=p.get("RoleArn", ""),
            sources=p.get("Sources", []),
            tags=p.get("Tags", {}),
            input_type=p["Type"],
        )
        return cls(record)


class MediaLiveChannel(_Created, CloudFormationModel):  # moto registers direct subclasses only
    """``AWS::MediaLive::Channel``: the channel record, IDLE as CloudFormation leaves it (``Ref`` is its ID)."""

    def __init__(self, channel: Any) -> None:
        self.channel = channel

    @property
    def physical_resource_id(self) -> str:
        return self.channel.id

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaLive::Channel"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "Inputs")

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        return {"Arn": self.channel.arn, "Inputs": []}[attribute_name]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        channel = medialive_backends[account_id][region_name].create_channel(
            cdi_input_specification={},
            channel_class=p.get("ChannelClass", "STANDARD"),
            destinations=p.get("Destinations", []),
            encoder_settings=p.get("EncoderSettings", {}),
            input_attachments=p.get("InputAttachments", []),
            input_specification=p.get("InputSpecification", {}),
            log_level=p.get("LogLevel", "DISABLED"),
            name=p.get("Name", resource_name),
            role_arn=p.get("RoleArn", ""),
            tags=p.get("Tags", {}),
        )
        return cls(channel)


class _Stub(_Created):
    """A stub: an ID (and an ARN) minted for references to resolve; nothing is created in moto."""

    service = ""
    attributes: dict[str, str] = {}  # Fn::GetAtt name -> "id" or "arn"

    def __init__(self, region: str, account: str) -> None:
        self.id = uuid.uuid4().hex[:14]
        self.arn = f"arn:aws:{self.service}:{region}:{account}:{self.id}"

    @property
    def physical_resource_id(self) -> str:
        return self.arn if self.attributes.get("Ref") == "arn" else self.id

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.attributes

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return getattr(self, self.attributes[attribute_name])

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        return cls(region_name, account_id)


def _stub(resource_type: str, service: str, attributes: dict[str, str], why: str) -> type:
    """A stub model of ``resource_type``: a direct subclass of CloudFormationModel, as moto registers only those."""
    return type(
        resource_type.replace("AWS::", "").replace("::", ""),
        (_Stub, CloudFormationModel),
        {
            "__doc__": f"``{resource_type}``: a stub. {why}",
            "service": service,
            "attributes": attributes,
            "cloudformation_type": staticmethod(lambda: resource_type),
        },
    )


STUBS = (
    _stub(
        "AWS::MediaLive::InputSecurityGroup",
        "medialive",
        {"Id": "id", "Arn": "arn"},
        "moto has no input-security-group API; the input names the group by Fn::GetAtt Id. Its CIDRs are proved at "
        "synth (DR-MediaLiveInputSecurityGroupClosed).",
    ),
    _stub(
        "AWS::CloudFront::OriginAccessControl",
        "cloudfront",
        {"Id": "id"},
        "No model in moto; the live origins name it by Fn::GetAtt Id. Its signing is proved at synth "
        "(DR-CloudFrontLiveOriginGroupCoversIngestRegions).",
    ),
    _stub(
        "AWS::CloudFront::Function",
        "cloudfront",
        {"FunctionARN": "arn", "Ref": "arn"},
        "No model in moto; a live behaviour names it by Fn::GetAtt FunctionARN. Its code runs in the tests.",
    ),
)


MEDIA_MODELS = (MediaPackageChannelGroup, MediaPackageChannel, MediaLiveInput, MediaLiveChannel, *STUBS)
