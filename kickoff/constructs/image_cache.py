"""A cell's images: pulled through its own Region's ECR, never from a public registry directly.

Anonymous pulls from public registries are rate-limited per source address (Docker Hub:
about 10 an hour per IPv4 address), and an event scale-out launches hundreds of tasks
behind three NAT addresses. So every upstream a service uses gets an ECR pull-through
cache rule in the cell's Region, and tasks pull ``<account>.dkr.ecr.<region>.amazonaws.com/
<prefix>/<repository>@sha256:<digest>``. Upstreams that need credentials (Docker Hub,
GitHub, GitLab) read them from a Secrets Manager secret that must exist in the Region;
its full ARN, which ends in a random suffix, is looked up at deploy time. Images of this
account's private ECR come from the same-named repository in the cell's Region.

The first pull of an image through a cache rule leaves the VPC through the NAT gateways
(ECR fetches the upstream image); later pulls stay on the ECR interface endpoints.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import custom_resources as cr
from constructs import Construct

from kickoff.constructs._util import custom_resource_log_group
from kickoff.images import CREDENTIAL_SECRET_PREFIX, ImageReference, Upstream, pull_through_prefix
from kickoff.naming import pascal


class RegionalImages(Construct):
    """Pull-through cache rules for the upstreams ``images`` use, and each image as this Region's ECR serves it.

    ``image(reference)`` is the container image to give a task definition; ``grant_pull``
    lets a task execution role pull it (including the first pull through a cache rule, which
    imports the image and creates the cached repository).

    Attributes: ``rules`` (upstream host -> rule), ``credential_lookups``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        images: list[ImageReference],
        credentials: dict[str, str],
        environment_key: str,
        log_retention_days: int,
        log_key: kms.IKey,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        self._repositories: dict[str, ecr.IRepository] = {}
        self.rules: dict[str, ecr.CfnPullThroughCacheRule] = {}
        self.credential_lookups: dict[str, cr.AwsCustomResource] = {}
        self._prefixes: dict[str, str] = {}
        upstreams = {i.host: i.upstream for i in images if i.upstream is not None}
        for host, upstream in sorted(upstreams.items()):
            secret = credentials.get(host)
            if upstream.credentials and not secret:
                raise ValueError(f"images.credentials: {host} needs a {CREDENTIAL_SECRET_PREFIX}... secret")
            prefix = pull_through_prefix(environment_key, upstream)
            self._prefixes[host] = prefix
            self.rules[host] = ecr.CfnPullThroughCacheRule(
                self,
                f"{pascal(upstream.short)}Cache",
                ecr_repository_prefix=prefix,
                upstream_registry=upstream.registry,
                upstream_registry_url=upstream.url,
                credential_arn=self._credential_arn(upstream, secret, log_retention_days, log_key)
                if upstream.credentials
                else None,
            )
        for index, image in enumerate(sorted(set(images), key=lambda i: (i.host, i.repository))):
            name = image.cached_repository(self._prefixes[image.host]) if image.upstream else image.repository
            self._repositories[self._key(image)] = ecr.Repository.from_repository_attributes(
                self,
                f"Repository{index}",
                repository_name=name,
                repository_arn=stack.format_arn(service="ecr", resource="repository", resource_name=name),
            )

    def _credential_arn(
        self, upstream: Upstream, secret: str | None, log_retention_days: int, log_key: kms.IKey
    ) -> str:
        """The secret's full ARN, looked up by name when the stack deploys (DescribeSecret)."""
        stack = Stack.of(self)
        call = cr.AwsSdkCall(
            service="SecretsManager",
            action="describeSecret",
            parameters={"SecretId": secret},
            physical_resource_id=cr.PhysicalResourceId.of(str(secret)),
            output_paths=["ARN"],
        )
        log_group = custom_resource_log_group(self, retention_days=log_retention_days, key=log_key)
        lookup = cr.AwsCustomResource(
            self,
            f"{pascal(upstream.short)}CredentialLookup",
            on_create=call,
            on_update=call,
            install_latest_aws_sdk=False,
            log_group=log_group,
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=["secretsmanager:DescribeSecret"],
                        resources=[
                            stack.format_arn(
                                service="secretsmanager",
                                resource="secret",
                                resource_name=f"{CREDENTIAL_SECRET_PREFIX}*",
                                arn_format=ArnFormat.COLON_RESOURCE_NAME,
                            )
                        ],
                    )
                ]
            ),
        )
        self.credential_lookups[upstream.registry] = lookup
        return lookup.get_response_field("ARN")

    @staticmethod
    def _key(image: ImageReference) -> str:
        return f"{image.host}/{image.repository}"

    def image(self, reference: ImageReference) -> ecs.ContainerImage:
        """The task definition image: this Region's ECR repository, pinned by digest."""
        return ecs.ContainerImage.from_ecr_repository(self._repositories[self._key(reference)], tag=reference.digest)

    def grant_pull(self, execution_role: iam.IRole, reference: ImageReference) -> None:
        """Let ``execution_role`` pull ``reference``, and import it through the cache on first pull."""
        if reference.upstream is None:
            return  # from_ecr_repository already grants the pull of a private image
        repository = self._repositories[self._key(reference)]
        execution_role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="PullThroughCacheFirstPull",
                actions=["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
                resources=[repository.repository_arn],
            )
        )
