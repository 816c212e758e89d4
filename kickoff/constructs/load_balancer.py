"""The cell's public entry point: an HTTPS Application Load Balancer."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from constructs import Construct

NOT_FOUND_BODY = '{"error":"not_found"}'


class CellLoadBalancer(Construct):
    """Internet-facing ALB with HTTPS (ACM, DNS-validated), HTTP->HTTPS redirect and access logs.

    The certificate covers the latency-routed name ``origin.<domain>`` and the cell's own
    ``<region>.origin.<domain>``, validated by DNS records in the configured zone (no
    manual step, no lookup). Requests that match no service get a 404. Deletion
    protection is on and invalid header fields are dropped (request smuggling defence).

    Attributes: ``alb``, ``https_listener``, ``security_group``, ``certificate``,
    ``regional_name`` and ``origin_name``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        vpc: ec2.IVpc,
        region: str,
        origin_name: str,
        hosted_zone: route53.IHostedZone,
        access_log_bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, id_)
        if not origin_name or origin_name.startswith("."):
            raise ValueError(f"origin_name must be a DNS name (got {origin_name!r})")
        self.origin_name = origin_name
        self.regional_name = f"{region}.{origin_name}"

        self.certificate = acm.Certificate(
            self,
            "Certificate",
            domain_name=self.regional_name,
            subject_alternative_names=[origin_name],
            validation=acm.CertificateValidation.from_dns(hosted_zone),
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="Cell ALB: HTTPS and HTTP (redirect) from viewers; egress only to service tasks",
            allow_all_outbound=False,
        )
        self.alb = elbv2.ApplicationLoadBalancer(
            self,
            "Alb",
            vpc=vpc,
            internet_facing=True,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            security_group=self.security_group,
            deletion_protection=True,
            drop_invalid_header_fields=True,
            http2_enabled=True,
            idle_timeout=Duration.seconds(60),
            desync_mitigation_mode=elbv2.DesyncMitigationMode.DEFENSIVE,
        )
        self.alb.log_access_logs(access_log_bucket, prefix="alb")
        self.https_listener = self.alb.add_listener(
            "Https",
            port=443,
            protocol=elbv2.ApplicationProtocol.HTTPS,
            certificates=[elbv2.ListenerCertificate.from_certificate_manager(self.certificate)],
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            open=False,
            default_action=elbv2.ListenerAction.fixed_response(
                404, content_type="application/json", message_body=NOT_FOUND_BODY
            ),
        )
        self.http_listener = self.alb.add_listener(
            "Http",
            port=80,
            protocol=elbv2.ApplicationProtocol.HTTP,
            open=False,
            default_action=elbv2.ListenerAction.redirect(protocol="HTTPS", port="443", permanent=True),
        )

    def allow_viewers_from(self, peer: ec2.IPeer, description: str) -> None:
        """Admit HTTPS and HTTP (redirect only) from ``peer``."""
        self.security_group.add_ingress_rule(peer, ec2.Port.tcp(443), f"HTTPS from {description}")
        self.security_group.add_ingress_rule(peer, ec2.Port.tcp(80), f"HTTP redirect from {description}")
