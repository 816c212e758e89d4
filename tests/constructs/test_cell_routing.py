"""Global routing owned by the cells: latency records, health checks, secondary origin, evacuation."""

from __future__ import annotations

import itertools
import json

import pytest

from kickoff import naming
from kickoff.config import ConfigError, load_config


def _records(synth, region):
    return [r["Properties"] for r in synth.resources(synth.cell(region), "AWS::Route53::RecordSet").values()]


def _health_checks(synth, region):
    return synth.resources(synth.cell(region), "AWS::Route53::HealthCheck")


@pytest.mark.held_by(
    "WA-REL-Route53RoutedRecordHealthCheck",
    "DR-Route53HealthCheckCoversServices",
    "WA-REL-Route53HealthCheckRtoBudget",
    "Twin",
)
def test_one_latency_record_per_region_checked_on_every_service(synthesized) -> None:
    """The latency record carries a calculated check that needs every service's endpoint check, every
    check on the cell's own critical alarms (monitoring.route_on_alarms), and the failback hold-down."""
    config = synthesized.config
    latency = []
    hold = config.routing.failback_hold_seconds
    for region in config.region_names:
        checks = {k: v["Properties"]["HealthCheckConfig"] for k, v in _health_checks(synthesized, region).items()}
        holds = {k: c for k, c in checks.items() if k.startswith("RoutingFailbackHoldCheck")}
        assert [(c["RequestInterval"], c["FailureThreshold"]) for c in holds.values()] == [(30, hold // 30)]
        endpoints = {k: c for k, c in checks.items() if c["Type"] == "HTTPS" and k not in holds}
        assert sorted(c["ResourcePath"] for c in endpoints.values()) == sorted(
            s.health_check_path for s in config.services
        )
        for hc in endpoints.values():
            assert hc["FullyQualifiedDomainName"] == naming.cell_domain(naming.origin_domain(config.identity), region)
            assert hc["RequestInterval"] == config.routing.health_check.request_interval_seconds == 10
            assert hc["FailureThreshold"] == config.routing.health_check.failure_threshold
            assert hc["EnableSNI"] is True
        (calculated_id,) = [k for k, c in checks.items() if c["Type"] == "CALCULATED"]
        calculated = checks[calculated_id]
        alarms = {k for k, c in checks.items() if c["Type"] == "CLOUDWATCH_METRIC"}
        assert len(alarms) == len(config.services) + 1  # no healthy target per service, the evacuation switch
        assert sorted(c["Ref"] for c in calculated["ChildHealthChecks"]) == sorted([*endpoints, *alarms, *holds])
        assert calculated["HealthThreshold"] == len(endpoints) + len(alarms) + len(holds)
        records = [r for r in _records(synthesized, region) if r["Name"] == f"{naming.origin_domain(config.identity)}."]
        assert len(records) == 1
        (record,) = records
        assert record["Region"] == region and record["SetIdentifier"] == region
        assert record["HealthCheckId"] == {"Ref": calculated_id}
        assert "AliasTarget" in record
        latency.append(record["Region"])
    assert sorted(latency) == sorted(config.region_names)


@pytest.mark.held_by("DR-Route53CheckedNameServedByItsCell", "DR-ProberReachesItsTarget")
def test_each_cell_has_its_own_name_pointing_at_its_alb(prod) -> None:
    for region in prod.config.region_names:
        (record,) = [
            r
            for r in _records(prod, region)
            if r["Name"] == f"{naming.cell_domain(naming.origin_domain(prod.config.identity), region)}."
        ]
        assert record["Type"] == "A" and "AliasTarget" in record and "SetIdentifier" not in record


@pytest.mark.held_by("DR-CellNamesOnlyItsRegion", "DR-StackStandsAlone")
def test_cells_reference_only_their_own_load_balancer(prod) -> None:
    for region in prod.config.region_names:
        for record in _records(prod, region):
            if "AliasTarget" in record:
                dns = json.dumps(record["AliasTarget"]["DNSName"])
                assert "LoadBalancer" in dns and "Fn::GetAtt" in dns


def _resolve(synth, healthy: set[str], latency_order: list[str]) -> tuple[str, str | None]:
    """Resolve the primary and secondary origins from the synthesized records, as Route 53 would.

    Latency routing picks, among the record sets of a name, the one whose Region is closest
    (first in ``latency_order``) and healthy; if none is healthy it answers as if all were.
    Aliases to a cell's ALB resolve to that cell; CNAMEs are followed.
    """
    records: dict[str, list[dict]] = {}
    owner: dict[int, str] = {}
    for region in synth.config.region_names:
        for record in _records(synth, region):
            records.setdefault(record["Name"], []).append(record)
            owner[id(record)] = region

    def pick(name: str) -> str:
        candidates = records[name]
        healthy_ones = [r for r in candidates if owner[id(r)] in healthy or "HealthCheckId" not in r]
        pool = healthy_ones or candidates
        best = min(pool, key=lambda r: latency_order.index(r["Region"]))
        if best["Type"] == "CNAME":
            return pick(best["ResourceRecords"][0] + ".")
        return owner[id(best)]

    origin = naming.origin_domain(synth.config.identity)
    primary = pick(f"{origin}.")
    secondary = pick(f"{naming.secondary_origin_domain(naming.origin_domain(synth.config.identity))}.")
    return primary, secondary


@pytest.mark.held_by("DR-Route53SecondaryOriginOtherCell", "Twin")
def test_secondary_origin_is_a_different_healthy_region_whenever_one_exists(prod) -> None:
    regions = list(prod.config.region_names)
    for order in itertools.permutations(regions):
        for n_healthy in range(1, len(regions) + 1):
            for healthy in itertools.combinations(regions, n_healthy):
                primary, secondary = _resolve(prod, set(healthy), list(order))
                nearest_healthy = next(r for r in order if r in healthy)
                assert primary == nearest_healthy
                if len(healthy) > 1:
                    assert secondary != primary, (order, healthy)
                    assert secondary in healthy, (order, healthy)
                    assert secondary == next(r for r in order if r in healthy and r != primary)


@pytest.mark.held_by("DR-Route53SecondaryOriginOtherCell", "WA-REL-Route53HealthCheckRtoBudget")
def test_secondary_origin_chain(prod) -> None:
    config = prod.config
    for region in config.region_names:
        records = {r["Name"]: r for r in _records(prod, region) if r.get("SetIdentifier")}
        secondary = records[f"{naming.secondary_origin_domain(naming.origin_domain(config.identity))}."]
        assert secondary["Type"] == "CNAME"
        assert secondary["ResourceRecords"] == [naming.except_domain(naming.origin_domain(config.identity), region)]
        assert secondary["TTL"] == str(config.routing.secondary_ttl_seconds)
        for other in config.region_names:
            if other != region:
                assert f"{naming.except_domain(naming.origin_domain(config.identity), other)}." in records
        assert f"{naming.except_domain(naming.origin_domain(config.identity), region)}." not in records


@pytest.mark.held_by("DR-Route53CheckedNameServedByItsCell", "DR-CloudFrontOriginHostHeader")
def test_alb_certificate_covers_every_origin_name(prod) -> None:
    config = prod.config
    for region in config.region_names:
        (cert,) = prod.resources(prod.cell(region), "AWS::CertificateManager::Certificate").values()
        names = {cert["Properties"]["DomainName"], *cert["Properties"]["SubjectAlternativeNames"]}
        assert names == {
            naming.cell_domain(naming.origin_domain(config.identity), region),
            naming.origin_domain(config.identity),
            naming.secondary_origin_domain(naming.origin_domain(config.identity)),
        }


@pytest.mark.held_by("WA-SEC-AlbIngressNotOpen", "AwsSolutions-EC23", "DR-AlbListenerPortAdmitted")
def test_alb_admits_no_open_ingress_only_prefix_lists_on_443(synthesized) -> None:
    for region in synthesized.config.region_names:
        name = synthesized.cell(region)
        resources = synthesized.template(name)["Resources"].values()
        all_ingress = [r["Properties"] for r in resources if r["Type"] == "AWS::EC2::SecurityGroupIngress"]
        all_ingress += [
            i
            for r in resources
            if r["Type"] == "AWS::EC2::SecurityGroup"
            for i in r["Properties"].get("SecurityGroupIngress", [])
        ]
        for rule in all_ingress:
            assert rule.get("CidrIp") != "0.0.0.0/0" and rule.get("CidrIpv6") != "::/0", rule
        (alb,) = synthesized.resources(name, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
        alb_groups = {g["Fn::GetAtt"][0] for g in alb["Properties"]["SecurityGroups"]}
        assert len(alb_groups) == 2
        ingress = [
            i["Properties"]
            for i in synthesized.resources(name, "AWS::EC2::SecurityGroupIngress").values()
            if i["Properties"]["GroupId"]["Fn::GetAtt"][0] in alb_groups
        ]
        assert len(ingress) == 2
        for rule in ingress:
            assert (rule["FromPort"], rule["ToPort"], rule["IpProtocol"]) == (443, 443, "tcp")
            assert "SourcePrefixListId" in rule and "CidrIp" not in rule
        for group in alb_groups:
            assert "SecurityGroupIngress" not in synthesized.template(name)["Resources"][group]["Properties"]


@pytest.mark.held_by("DR-ProberReachesItsTarget", "MissingContext")
def test_prefix_lists_are_resolved_at_deploy_time(prod) -> None:
    lookups = [
        json.loads(
            lookup["Properties"]["Create"]["Fn::Join"][1][0]
            if isinstance(lookup["Properties"]["Create"], dict)
            else lookup["Properties"]["Create"]
        )
        for lookup in prod.resources(prod.cell("us-west-2"), "Custom::AWS").values()
    ]
    calls = sorted(
        c["parameters"]["Filters"][0]["Values"][0] for c in lookups if c["action"] == "describeManagedPrefixLists"
    )
    assert calls == ["com.amazonaws.global.cloudfront.origin-facing", "com.amazonaws.us-west-2.route53-healthchecks"]


@pytest.mark.held_by("DR-AlbServesOnlyTheOrigin", "DR-OriginSecretNeverLiteral", "DR-SecretReferenceFollowsRotation")
def test_listener_answers_403_unless_the_origin_header_matches(synthesized) -> None:
    for region in synthesized.config.region_names:
        name = synthesized.cell(region)
        listeners = synthesized.resources(name, "AWS::ElasticLoadBalancingV2::Listener").values()
        (https,) = [listener for listener in listeners if listener["Properties"]["Port"] == 443]
        (action,) = https["Properties"]["DefaultActions"]
        assert action["Type"] == "fixed-response" and action["FixedResponseConfig"]["StatusCode"] == "403"
        rules = [
            r["Properties"] for r in synthesized.resources(name, "AWS::ElasticLoadBalancingV2::ListenerRule").values()
        ]
        services = synthesized.config.services
        assert len(rules) == 2 * len(services)
        health_paths = []
        for rule in rules:
            fields = {c["Field"]: c for c in rule["Conditions"]}
            if rule["Priority"] <= len(services):
                # The health paths alone are served without the header: Route 53 cannot send it.
                assert fields.keys() == {"path-pattern"}
                health_paths += fields["path-pattern"]["PathPatternConfig"]["Values"]
                continue
            header = fields["http-header"]["HttpHeaderConfig"]
            assert header["HttpHeaderName"] == "X-Origin-Verify"
            assert header["Values"] == [
                f"{{{{resolve:secretsmanager:{naming.origin_secret_name(synthesized.config.identity)}:SecretString::AWSCURRENT:}}}}"
            ]
        # ... and the same paths under the cell's probe prefix, rewritten to the health path (its canaries' route).
        prefix = naming.probe_path_prefix(region)
        assert sorted(health_paths) == sorted(
            p for s in services for p in (s.health_check_path, f"{prefix}{s.health_check_path}")
        )
        rewrites = {
            r["Transforms"][0]["UrlRewriteConfig"]["Rewrites"][0]["Regex"]
            for r in rules
            if r["Priority"] <= len(services)
        }
        assert rewrites == {f"^{prefix}(/.*)$"}


VERSION_NEW = "kickoff-prod-origin-verify-20261203T120000Z"


def test_rotation_pins_versions_so_both_sides_change(write_config, tmp_path) -> None:
    """During a rotation the cells accept both versions, and CloudFront's reference names the new VersionId."""
    from aws_cdk.assertions import Template

    from kickoff.application import create_app, pin_availability_zones
    from kickoff.stacks.cell import CellStack
    from kickoff.stacks.edge import EdgeStack

    overrides = {"edge": {"origin_secret": {"version": VERSION_NEW, "previous_version": "AWSPREVIOUS"}}}
    config = load_config(write_config("dev", overrides))
    app = create_app(outdir=str(tmp_path / "out"), validation=False)
    pin_availability_zones(app, config)
    cell = CellStack(app, config=config, region="us-west-2")
    edge = EdgeStack(app, config=config)
    template = Template.from_stack(cell).to_json()
    rules = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule"
    ]
    headers = [c["HttpHeaderConfig"]["Values"] for r in rules for c in r["Conditions"] if c["Field"] == "http-header"]
    assert len(headers) == len(config.services)
    name = naming.origin_secret_name(config.identity)
    for values in headers:
        assert values == [
            f"{{{{resolve:secretsmanager:{name}:SecretString:::{VERSION_NEW}}}}}",
            f"{{{{resolve:secretsmanager:{name}:SecretString::AWSPREVIOUS:}}}}",
        ]
    edge_json = json.dumps(Template.from_stack(edge).to_json())
    assert f"{name}:SecretString:::{VERSION_NEW}}}}}" in edge_json
    assert "AWSCURRENT" not in edge_json


def test_previous_version_without_a_pinned_version_is_a_config_error(write_config) -> None:
    with pytest.raises(ConfigError, match=r"edge\.origin_secret\.version: previous_version is set but version is not"):
        load_config(write_config("dev", {"edge": {"origin_secret": {"previous_version": "AWSPREVIOUS"}}}))


@pytest.mark.not_a_rule("compares two syntheses (prod and evacuated); a synth sees one")
def test_evacuated_region_has_no_route_and_others_are_untouched(prod, evacuated) -> None:
    names = {r["Name"] for r in _records(evacuated, "us-east-2")}
    assert names == {f"{naming.cell_domain(naming.origin_domain(evacuated.config.identity), 'us-east-2')}."}
    # The evacuated cell keeps its health checks, so operators can watch it before returning it: one per service,
    # one per critical alarm (no healthy target per service, the ALB's own 5xx), the failback hold-down and the
    # calculated one.
    services = len(evacuated.config.services)
    assert len(_health_checks(evacuated, "us-east-2")) == services + (services + 1) + 1 + 1
    routing_types = ("AWS::Route53::RecordSet", "AWS::Route53::HealthCheck")
    for region in ("us-east-1", "us-west-2"):
        for kind in routing_types:
            assert evacuated.resources(evacuated.cell(region), kind) == prod.resources(prod.cell(region), kind)
        # Only the registration of the remaining cells changes: the spec names the routed cells, and each
        # Region's agent plans the evacuated share onto them at run time. The templates hold no plan.
        changed = {
            k
            for k, v in evacuated.template(evacuated.cell(region))["Resources"].items()
            if v != prod.template(prod.cell(region))["Resources"].get(k)
        }
        resources = evacuated.template(evacuated.cell(region))["Resources"]
        assert {resources[k]["Type"] for k in changed} == {"AWS::SSM::Parameter"}
        assert {resources[k]["Properties"]["Name"] for k in changed} == {
            f"{naming.capacity_parameter_path(evacuated.config.identity)}/spec"
        }
    assert evacuated.template(evacuated.edge) == prod.template(prod.edge)
    for order in itertools.permutations(evacuated.config.region_names):
        primary, secondary = _resolve(evacuated, {"us-east-1", "us-west-2"}, list(order))
        assert "us-east-2" not in (primary, secondary)


def _evacuation_config(write_config, evacuate: list[str], **service_overrides):
    import yaml

    from tests.support import config_data

    data = config_data("prod")
    for region in data["regions"]:
        region["evacuate"] = region["name"] in evacuate
    for service in data["services"]:
        service.update(service_overrides.get(service["name"], {}))
    return write_config(text=yaml.safe_dump(data), name="evacuate.yaml")


def test_evacuating_every_region_is_rejected(write_config) -> None:
    path = _evacuation_config(write_config, ["us-east-1", "us-east-2", "us-west-2"])
    with pytest.raises(ConfigError, match=r"regions\[0\]\.evacuate: every cell is evacuated"):
        load_config(path)


def test_evacuating_beyond_remaining_capacity_names_the_short_service(write_config) -> None:
    path = _evacuation_config(
        write_config, ["us-east-1", "us-east-2"], interactive={"peak_requests_per_second": 450000}
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "regions[0].evacuate: the remaining cells (us-west-2) cannot absorb the peak" in message
    assert (
        "interactive: 1 cell(s) x 2200 tasks serve 396,000 req/s < peak 450,000 (short 54,000 req/s, about 300 more"
        in message
    )
    assert "api" not in message.split("absorb the peak")[1].split("Fix")[0]
    assert "Fix: evacuate fewer Regions, or raise max_tasks" in message


def test_evacuating_within_capacity_is_accepted(write_config) -> None:
    config = load_config(_evacuation_config(write_config, ["us-east-1", "us-east-2"]))
    assert config.routed_regions == ("us-west-2",)
