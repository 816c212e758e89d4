"""The reviewed findings of the live signal: the MediaLive role's log streams, and the Edge stack's deploy-time
lookup of each Region's MediaPackage egress domain."""

from __future__ import annotations

from kickoff.guardrails.acknowledgement import Acknowledgement, acknowledge
from kickoff.stacks.edge import EdgeStack
from kickoff.stacks.live import LiveStack

# aws-cdk-lib's AwsCustomResource runs one singleton Lambda per stack under this fixed ID.
AWS_CUSTOM_RESOURCE_SINGLETON = "AWS679f53fac002430cb0da5b7982bd2287"

EGRESS_LOOKUP_BASIC_EXECUTION = Acknowledgement(
    "AwsSolutions",
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    "aws-cdk-lib's AwsCustomResource provider role. The AWS managed policy grants only logs:CreateLogGroup, "
    "logs:CreateLogStream and logs:PutLogEvents; the function runs only during deployments of Edge, to read each "
    "ingest Region's MediaPackage v2 egress domain by the channel group's name.",
)


def _medialive_log_streams(stack: LiveStack) -> Acknowledgement:
    return Acknowledgement(
        "AwsSolutions",
        f"AwsSolutions-IAM5[Resource::arn:aws:logs:{stack.region}:{stack.account}:log-group:ElementalMediaLive:*]",
        "MediaLive writes channel logs (log_level WARNING) to the ElementalMediaLive log group through the channel's "
        "role, in log streams it names per channel and pipeline; the statement names that one group.",
    )


def acknowledge_live(live: LiveStack) -> None:
    """Each channel role's log streams."""
    for channel in live.channels.values():
        acknowledge(channel.role.node.find_child("DefaultPolicy"), _medialive_log_streams(live))


def acknowledge_live_edge(edge: EdgeStack) -> None:
    """The egress-domain lookups' provider role, when the Edge stack serves live channels."""
    if edge.live is None:
        return
    provider = edge.node.try_find_child(AWS_CUSTOM_RESOURCE_SINGLETON)
    if provider is None:
        raise RuntimeError(f"{edge.node.path}: AwsCustomResource provider not found; did aws-cdk-lib rename it?")
    acknowledge(provider.node.find_child("ServiceRole"), EGRESS_LOOKUP_BASIC_EXECUTION)
