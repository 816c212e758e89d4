"""Live stack (one per ingest Region): the live channels this Region ingests, packages and alarms on.

It deploys after the Region's cell (its alarms notify the cell's topic, found by name; its channels register with
the cell's capacity agent under the agent's parameter path) and before Edge (CloudFront reads each Region's
MediaPackage egress domain by the channel group's name when Edge deploys). It references no other stack.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack, Tags
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from kickoff import naming
from kickoff.config.models import KickoffConfig
from kickoff.constructs.live_channel import MEDIAPACKAGE_OUTPUT_GROUP, LiveChannel
from kickoff.constructs.live_monitoring import LiveMonitoring
from kickoff.constructs.live_origin import LiveOrigin
from kickoff.naming import pascal
from kickoff.scaling.live import ChannelRegistration
from kickoff.stacks.base import KickoffStack


class LiveStack(KickoffStack):
    """MediaPackage v2 (group, channels, endpoints), a MediaLive input and channel per live channel, alarms, and
    each channel's registration with the Region's capacity agent, which starts and stops it by the calendar."""

    def __init__(self, scope: Construct, *, config: KickoffConfig, region: str) -> None:
        super().__init__(
            scope,
            config=config,
            unit="live",
            region=region,
            cell=region,
            description=f"Kickoff {config.environment}: live channels ingested and packaged in {region}",
        )
        if config.live is None:
            raise ValueError("LiveStack needs a live section in the config")
        channels = config.live.channels_in(region)
        if not channels:
            raise ValueError(f"no live channel is ingested in {region}")
        group_name = naming.live_channel_group_name(config.identity)
        self.origin = LiveOrigin(self, "Origin", group_name=group_name, channels=channels)
        self.channels: dict[str, LiveChannel] = {}
        for live in channels:
            channel = LiveChannel(
                self,
                f"Channel{pascal(live.name)}",
                live=live,
                name=naming.live_resource_name(config.identity, live.name),
                group_name=group_name,
                mediapackage_channel_arn=self.origin.channels[live.name].attr_arn,
            )
            channel.node.add_dependency(self.origin.channels[live.name])
            Tags.of(channel).add("live-channel", live.name)
            self.channels[live.name] = channel
            ssm.StringParameter(
                self,
                f"Registration{pascal(live.name)}",
                parameter_name=naming.live_channel_parameter(config.identity, live.name),
                string_value=Stack.of(self).to_json_string(
                    ChannelRegistration(
                        name=live.name,
                        channel_id=channel.channel.ref,
                        events=live.events,
                        start_lead_minutes=live.start_lead_minutes,
                        stop_delay_minutes=live.stop_delay_minutes,
                    ).to_parameter()
                ),
                description=f"Live channel {live.name}: started and stopped by the capacity agent around its events",
            )
            CfnOutput(self, f"{pascal(live.name)}ChannelId", value=channel.channel.ref)
        topic = sns.Topic.from_topic_arn(
            self,
            "AlarmTopic",
            self.format_arn(service="sns", resource=naming.alarm_topic_name(config.identity)),
        )
        self.monitoring = LiveMonitoring(
            self,
            "Monitoring",
            alarm_name=lambda channel, key: naming.live_alarm_name(config.identity, region, channel, key),
            topic=topic,
            output_group=MEDIAPACKAGE_OUTPUT_GROUP,
            channels={c.name: (self.channels[c.name].channel.ref, c.pipelines) for c in channels},
            agent_environment=naming.environment_key(config.identity),
            agent_rate_minutes=config.scaling.agent.rate_minutes,
        )
