"""The cell's public entry point: an HTTPS Application Load Balancer."""

from __future__ import annotations

from aws_cdk import CfnResource, Duration, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from constructs import Construct

FORBIDDEN_BODY = '{"error":"forbidden"}'
ACCESS_LOG_PREFIX = "alb"
# The principal Elastic Load Balancing delivers access logs as (decision 0020). CDK's log_access_logs grants the
# Region's ELB account instead, a principal that carries no source condition.
ALB_LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"


class CellLoadBalancer(Construct):
    """Internet-facing ALB with HTTPS only (ACM, DNS-validated) and access logs.

    The certificate covers every name CloudFront or Route 53 uses to reach this ALB
    (``certificate_names``: the latency-routed origin, the secondary origin and the
    cell's own name), validated by DNS records in the configured zone. The HTTPS
    listener answers 403 unless a listener rule matches, and every service rule also
    requires the origin-verification header, so only CloudFront gets through. The ALB
    has two security groups, because the CloudFront prefix list alone weighs 55 of the
    60 rules one group allows: ``viewer_security_group`` (CloudFront) and
    ``health_check_security_group`` (Route 53 health checkers). Both admit HTTPS only.
    Invalid header fields are dropped. Deletion protection is off, so that CloudFormation can always finish a
    rollback; the stack's termination protection guards the ALB instead. ``load_balancer_name`` (unique
    per Region, at most 32 characters) lets dashboards in other Regions find its metrics by name.

    It has no port-80 listener: CloudFront reaches origins over HTTPS and the security groups admit nothing
    else, so a redirect there would answer no one (DR-AlbListenerPortAdmitted).

    Attributes: ``alb``, ``https_listener``,
    ``viewer_security_group``, ``health_check_security_group``, ``certificate``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        vpc: ec2.IVpc,
        certificate_names: list[str],
        hosted_zone: route53.IHostedZone,
        access_log_bucket: s3.IBucket,
        load_balancer_name: str | None = None,
    ) -> None:
        super().__init__(scope, id_)
        if not certificate_names or any(not n or n.startswith(".") for n in certificate_names):
            raise ValueError(f"certificate_names must be DNS names (got {certificate_names!r})")

        self.certificate = acm.Certificate(
            self,
            "Certificate",
            domain_name=certificate_names[0],
            subject_alternative_names=certificate_names[1:] or None,
            validation=acm.CertificateValidation.from_dns(hosted_zone),
        )
        self.viewer_security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="Cell ALB: HTTPS from CloudFront origin-facing servers; egress only to service tasks",
            allow_all_outbound=False,
        )
        self.health_check_security_group = ec2.SecurityGroup(
            self,
            "HealthCheckSecurityGroup",
            vpc=vpc,
            description="Cell ALB: HTTPS from Route 53 health checkers",
            allow_all_outbound=False,
        )
        self.alb = elbv2.ApplicationLoadBalancer(
            self,
            "Alb",
            vpc=vpc,
            internet_facing=True,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            security_group=self.viewer_security_group,
            # Off: with it, CloudFormation cannot delete the ALB when a first create rolls back (ROLLBACK_FAILED) or
            # when a change replaces it. The ALB holds no data and a deploy rebuilds it; production stacks have
            # termination protection, and its fixed name makes any replacement fail at the change set, not in the
            # middle of a rollback (decision 0020).
            deletion_protection=False,
            drop_invalid_header_fields=True,
            load_balancer_name=load_balancer_name,
            http2_enabled=True,
            idle_timeout=Duration.seconds(60),
            desync_mitigation_mode=elbv2.DesyncMitigationMode.DEFENSIVE,
        )
        self.alb.add_security_group(self.health_check_security_group)
        self._log_access(access_log_bucket)
        # ARC zonal shift (an operator's or FIS's) moves traffic away from one AZ; off unless enabled.
        self.alb.set_attribute("zonal_shift.config.enabled", "true")
        self.https_listener = self.alb.add_listener(
            "Https",
            port=443,
            protocol=elbv2.ApplicationProtocol.HTTPS,
            certificates=[elbv2.ListenerCertificate.from_certificate_manager(self.certificate)],
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            open=False,
            default_action=elbv2.ListenerAction.fixed_response(
                403, content_type="application/json", message_body=FORBIDDEN_BODY
            ),
        )

    def _log_access(self, bucket: s3.IBucket) -> None:
        """Access logs to ``bucket``, written by ELB's log delivery for this account's load balancers only.

        ELB writes a test object when the attribute is set, so a policy that refuses it fails the deploy instead
        of losing logs; the ALB therefore depends on the bucket policy.
        """
        stack = Stack.of(self)
        self.alb.set_attribute("access_logs.s3.enabled", "true")
        self.alb.set_attribute("access_logs.s3.bucket", bucket.bucket_name)
        self.alb.set_attribute("access_logs.s3.prefix", ACCESS_LOG_PREFIX)
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AlbAccessLogDelivery",
                principals=[iam.ServicePrincipal(ALB_LOG_DELIVERY)],
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects(f"{ACCESS_LOG_PREFIX}/AWSLogs/{stack.account}/*")],
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{stack.partition}:elasticloadbalancing:{stack.region}:{stack.account}"
                        ":loadbalancer/app/*"
                    },
                },
            )
        )
        policy = bucket.policy.node.default_child if bucket.policy else None
        if isinstance(policy, CfnResource):
            self.alb.node.default_child.add_resource_dependency(policy)

    def admit_https(self, *, cloudfront_prefix_list_id: str, health_check_prefix_list_id: str) -> None:
        """Admit HTTPS from CloudFront's origin-facing servers and from Route 53 health checkers only."""
        self.viewer_security_group.add_ingress_rule(
            ec2.Peer.prefix_list(cloudfront_prefix_list_id), ec2.Port.tcp(443), "HTTPS from CloudFront origin-facing"
        )
        self.health_check_security_group.add_ingress_rule(
            ec2.Peer.prefix_list(health_check_prefix_list_id), ec2.Port.tcp(443), "HTTPS from Route 53 health checkers"
        )
