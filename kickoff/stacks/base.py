"""What every Kickoff stack shares: naming, environment, cost-allocation tags and the roles' permissions boundary."""

from __future__ import annotations

import jsii
from aws_cdk import Aspects, CfnResource, Environment, IAspect, Stack, TagManager, Tags
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from kickoff.config.models import KickoffConfig
from kickoff.naming import permissions_boundary_name, stack_name
from kickoff.rules.taggable import tag_properties


@jsii.implements(IAspect)
class TagRawResources:
    """Tag taggable resources that ``Tags.of`` cannot reach.

    aws-cdk-lib builds some resources (custom-resource provider roles and functions) as raw
    ``CfnResource``s, which the Tags aspect skips. This aspect writes the same tags as a
    property override on any such resource whose type takes tags (per cfn-lint's schemas).
    """

    def __init__(self, tags: dict[str, str]) -> None:
        self._tags = tags

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, CfnResource) or TagManager.is_taggable(node):
            return
        prop = tag_properties().get(node.cfn_resource_type)
        if prop is not None:
            node.add_property_override(prop, [{"Key": k, "Value": v} for k, v in sorted(self._tags.items())])


class KickoffStack(Stack):
    """A stack pinned to one account (the config's, or ``account``) and one Region, tagged for cost allocation."""

    def __init__(
        self,
        scope: Construct,
        *,
        config: KickoffConfig,
        unit: str,
        region: str,
        cell: str | None,
        description: str,
        account: str | None = None,
    ) -> None:
        name = stack_name(config.identity, unit, cell)
        super().__init__(
            scope,
            name,
            stack_name=name,
            env=Environment(account=account or config.account, region=region),
            description=description,
            termination_protection=config.production,
        )
        self.unit = unit
        self.cell_tag = cell or "global"
        tags = {"app": config.app, "env": config.environment, "region": region, "cell": cell or "global"}
        for key, value in tags.items():
            Tags.of(self).add(key, value)
        Aspects.of(self).add(TagRawResources(tags))
        # Every role carries the environment's permissions boundary: the execution policy lets CloudFormation create
        # roles only with it, so nobody who can deploy can mint a role that escapes it (docs/deploy.md).
        iam.PermissionsBoundary.of(self).apply(
            iam.ManagedPolicy.from_managed_policy_name(
                self, "PermissionsBoundary", permissions_boundary_name(config.identity)
            )
        )
