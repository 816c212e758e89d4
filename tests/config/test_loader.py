"""A bad config never reaches CDK: one message with file, line, field path and fix."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from kickoff.config import ConfigError, load_config
from kickoff.config.loader import config_path_for

REPO_ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def _prod() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "config" / "prod.yaml").read_text())


def _dev() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "config" / "dev.yaml").read_text())


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Mutator that sets a dotted path with [index] parts, e.g. services[1].min_tasks."""

    def apply(data: dict[str, Any]) -> None:
        parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
        node: Any = data
        for part in parts[:-1]:
            node = node[int(part[1:-1])] if part.startswith("[") else node[part]
        last = parts[-1]
        if last.startswith("["):
            node[int(last[1:-1])] = value
        else:
            node[last] = value

    return apply


def _no_catch_all(data: dict) -> None:
    """Dev's catch-all service ``web`` serves only /web/* (its health path moved under it)."""
    _set("services[2].path_patterns", ["/web/*"])(data)
    _set("services[2].health_check_path", "/web/healthz")(data)


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        del node[last]

    return apply


def _rename(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        data[new] = data.pop(old)

    return apply


def _rename_in_service(index: int, old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        data["services"][index][new] = data["services"][index].pop(old)

    return apply


# (id, base, mutation, field path expected in the message, fragment of the problem or fix)
MALFORMED = [
    ("typo-top-level-key", _prod, _rename("regions", "regoins"), "regoins", "did you mean 'regions'"),
    (
        "typo-nested-key",
        _prod,
        _rename_in_service(0, "min_tasks", "min_task"),
        "services[0].min_task",
        "did you mean 'min_tasks'",
    ),
    ("unknown-region", _prod, _set("regions[1].name", "us-est-2"), "regions[1].name", "unknown AWS Region 'us-est-2'"),
    (
        "duplicate-region",
        _dev,
        lambda d: (
            _set("regions[1].name", "us-east-1")(d),
            _set("regions[1].availability_zones", ["us-east-1a", "us-east-1b"])(d),
        ),
        "regions[1].name",
        "listed twice",
    ),
    (
        "primary-not-a-cell",
        _prod,
        _set("primary_region", "eu-west-1"),
        "primary_region",
        "set primary_region to one of",
    ),
    (
        "min-greater-than-max",
        _prod,
        _set("services[1].min_tasks", 2300),
        "services[1].min_tasks",
        "min_tasks (2300) is greater than max_tasks (2200)",
    ),
    (
        "invalid-memory-for-cpu",
        _prod,
        _set("services[0].memory_mib", 1000),
        "services[0].memory_mib",
        "for cpu 1024 use one of 2048",
    ),
    ("invalid-cpu", _prod, _set("services[2].cpu", 3000), "services[2].cpu", "not a Fargate CPU size"),
    ("strong-with-two-regions", _dev, _set("table.consistency", "strong"), "table.consistency", "exactly 3 replicas"),
    (
        "strong-across-region-sets",
        _prod,
        lambda d: (
            _set("table.consistency", "strong")(d),
            _set("regions[2].name", "eu-west-1")(d),
            _set("regions[2].availability_zones", ["eu-west-1a", "eu-west-1b", "eu-west-1c"])(d),
        ),
        "table.consistency",
        "one MRSC Region set",
    ),
    (
        "witness-with-eventual",
        _dev,
        _set("table.witness_region", "us-east-2"),
        "table.witness_region",
        "only exists for strong",
    ),
    ("missing-domain", _prod, _delete("domain"), "domain", "required field is missing"),
    ("missing-hosted-zone", _prod, _delete("domain.hosted_zone_id"), "domain.hosted_zone_id", "add 'hosted_zone_id'"),
    (
        "malformed-hosted-zone",
        _prod,
        _set("domain.hosted_zone_id", "example.com"),
        "domain.hosted_zone_id",
        "not a Route 53 hosted zone ID",
    ),
    ("overlapping-cidrs", _prod, _set("regions[1].vpc_cidr", "10.10.0.0/16"), "regions[1].vpc_cidr", "overlaps"),
    (
        "bad-log-retention",
        _prod,
        _set("logging.retention_days", 31),
        "logging.retention_days",
        "not a CloudWatch Logs retention period",
    ),
    (
        "single-nat-in-production",
        _prod,
        _set("network.nat_gateways_per_az", False),
        "network.nat_gateways_per_az",
        "set nat_gateways_per_az: true",
    ),
    ("bad-account", _prod, _set("account", "12345"), "account", "12-digit AWS account ID"),
    (
        "alarm-path-over-impaired-rto",
        _prod,
        _set("monitoring", {"evaluation_minutes": 5, "datapoints_to_alarm": 5}),
        "resilience.impaired_rto_seconds",
        "a cell whose own alarms fire leaves routing after 5 x 60 s alarm detection",
    ),
    (
        "more-datapoints-than-minutes",
        _prod,
        _set("monitoring", {"evaluation_minutes": 2, "datapoints_to_alarm": 3}),
        "monitoring.datapoints_to_alarm",
        "cannot fit in evaluation_minutes",
    ),
    (
        "subscriber-not-https",
        _prod,
        _set("monitoring", {"notifications": [{"protocol": "https", "endpoint": "http://hooks.example.com/x"}]}),
        "monitoring.notifications[0].endpoint",
        "is not an https:// URL",
    ),
    (
        "zone-of-another-region",
        _prod,
        _set("regions[0].availability_zones", ["us-east-1a", "us-west-2b"]),
        "regions[0].availability_zones",
        "us-west-2b is not a zone of us-east-1",
    ),
    (
        "health-path-not-routed",
        _prod,
        _set("services[0].health_check_path", "/healthz"),
        "services[0].health_check_path",
        "no path pattern of 'api'",
    ),
    (
        "viewer-name-outside-zone",
        _prod,
        _set("edge.viewer_names", ["live.example.com", "watch.example.org"]),
        "edge.viewer_names[1]",
        "not in the hosted zone live.example.com",
    ),
    (
        "arc-arn-for-unknown-region",
        _prod,
        _set(
            "routing.recovery_control",
            {
                "enabled": True,
                "routing_control_arns": {
                    "eu-west-1": "arn:aws:route53-recovery-control::111111111111:controlpanel/abc/routingcontrol/def"
                },
            },
        ),
        "routing.recovery_control.routing_control_arns.eu-west-1",
        "not a cell Region",
    ),
    (
        "duplicate-path-pattern",
        _prod,
        _set("services[1].path_patterns", ["/api/*"]),
        "services[1].path_patterns",
        "already routed to 'api'",
    ),
    # Deploy-review classes caught at config time (issue 8).
    (
        "removed-plan-from",
        _prod,
        _set("scaling.plan_from", "2026-11-26T00:00:00Z"),
        "scaling.plan_from",
        "defaults to the current time",
    ),
    (
        "removed-vcpu-quota-key",
        _prod,
        _set("regions[0].fargate_vcpu_quota", 6000),
        "regions[0].fargate_vcpu_quota",
        "regions[].quotas.fargate_vcpu",
    ),
    (
        "removed-api-path",
        _prod,
        _set("edge.api_path_pattern", "/api/*"),
        "edge.api_path_pattern",
        "list the path in edge.cache_behaviors",
    ),
    (
        "host-in-cache-key",
        _prod,
        _set("edge.default_cache_policy", "use_origin_cache_control_headers"),
        "edge.default_cache_policy",
        "TLS to the origin fails (502)",
    ),
    (
        "behaviour-nobody-serves",
        _dev,
        lambda d: (
            _no_catch_all(d),
            d["edge"]["cache_behaviors"].append({"path_pattern": "/other/*", "cache_policy": "caching_disabled"}),
        ),
        "edge.cache_behaviors[2].path_pattern",
        "ALBs answer it with 403",
    ),
    (
        "service-path-without-behaviour",
        _prod,
        lambda d: d["edge"]["cache_behaviors"].pop(2),
        "services[2].path_patterns[0]",
        "has no CloudFront behaviour",
    ),
    (
        "behaviour-twice",
        _prod,
        _set("edge.cache_behaviors[2]", {"path_pattern": "/api/*", "cache_policy": "caching_disabled"}),
        "edge.cache_behaviors[2].path_pattern",
        "is used twice",
    ),
    (
        "no-catch-all-service",
        _dev,
        _no_catch_all,
        "services",
        "no service has a catch-all path pattern",
    ),
    (
        "shared-health-path",
        _prod,
        _set("services[1].health_check_path", "/api/healthz"),
        "services[1].health_check_path",
        "no path pattern of 'playback'",
    ),
    (
        "waf-limit-blocks-shared-ips",
        _prod,
        _set("edge.waf.rate_limit_requests", 3000),
        "edge.waf.rate_limit_requests",
        "raise it to at least 21,690",
    ),
    (
        "image-not-pinned",
        _prod,
        _set("services[0].image", "docker.io/traefik/whoami:v1.10.3"),
        "services[0].image",
        "not pinned by digest",
    ),
    ("image-registry-without-credentials", _prod, _set("images", {}), "services[0].image", "only with credentials"),
    (
        "image-from-unknown-registry",
        _prod,
        _set("services[0].image", "registry.example.com/app@sha256:" + "0" * 64),
        "services[0].image",
        "ECR cannot cache registry.example.com",
    ),
    (
        "credential-secret-wrong-prefix",
        _prod,
        _set("images.credentials", {"docker.io": "dockerhub-token"}),
        "images.credentials.docker.io",
        "ecr-pullthroughcache/",
    ),
    (
        "previous-secret-version-unpinned",
        _prod,
        _set("edge.origin_secret", {"previous_version": "AWSPREVIOUS"}),
        "edge.origin_secret.version",
        "set version to the VersionId",
    ),
    (
        "min-tasks-over-vcpu-quota",
        _prod,
        _set("regions[1].quotas", {"fargate_vcpu": 6}),
        "regions[1].quotas.fargate_vcpu",
        "min_tasks alone need 11.25 Fargate vCPU",
    ),
]


@pytest.mark.parametrize(("case", "base", "mutate", "field", "fragment"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_config_names_file_field_and_fix(write_config, case, base, mutate, field, fragment) -> None:
    data = base()
    mutate(data)
    path = write_config(text=yaml.safe_dump(data, sort_keys=False), name=f"{case}.yaml")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert f"{case}.yaml:" in message, message
    assert re.search(rf"{case}\.yaml:\d+: {re.escape(field)}: ", message), message
    assert fragment in message, message
    assert "Fix: " in message, message
    assert "Traceback" not in message


def test_duplicate_yaml_key_is_an_error(write_config) -> None:
    text = (
        (REPO_ROOT / "config" / "dev.yaml")
        .read_text()
        .replace("production: false", "production: false\nproduction: true")
    )
    path = write_config(text=text, name="dup.yaml")
    with pytest.raises(ConfigError, match=r"dup\.yaml:\d+: the file is not valid YAML: duplicate key 'production'"):
        load_config(path)


def test_invalid_yaml_syntax_names_the_line(write_config) -> None:
    path = write_config(text="app: kickoff\nregions: [us-east-1\n", name="syntax.yaml")
    with pytest.raises(ConfigError, match=r"syntax\.yaml:\d+: the file is not valid YAML"):
        load_config(path)


def test_all_problems_are_reported_in_one_message(write_config) -> None:
    data = _prod()
    data["services"][0]["memory_mib"] = 1000
    data["services"][1]["min_tasks"] = 2300
    data["logging"]["retention_days"] = 31
    path = write_config(text=yaml.safe_dump(data), name="many.yaml")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "invalid config (3 problems)" in message
    for field in ("services[0].memory_mib", "services[1].min_tasks", "logging.retention_days"):
        assert field in message


def test_unknown_environment_lists_the_available_ones() -> None:
    with pytest.raises(ConfigError, match=r"(?s)no config for environment 'staging'.*dev, prod"):
        config_path_for("staging")


def test_environment_must_match_the_selected_file(tmp_path) -> None:
    (tmp_path / "qa.yaml").write_text((REPO_ROOT / "config" / "dev.yaml").read_text())
    from kickoff.config.loader import load_config as load

    with pytest.raises(ConfigError, match="declares 'dev' but was selected as env 'qa'"):
        load(config_path_for("qa", config_dir=tmp_path), expected_environment="qa")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**__import__("os").environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return subprocess.run([sys.executable, *args], cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=300)


def test_cli_exits_2_without_traceback(write_config) -> None:
    data = _prod()
    data["services"][1]["min_tasks"] = 2300
    path = write_config(text=yaml.safe_dump(data), name="cli.yaml")
    result = _run("-m", "kickoff", "validate", "-c", f"config={path}")
    assert result.returncode == 2
    assert "services[1].min_tasks" in result.stderr and "Fix: " in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("context", ["env=nonexistent", "config=BAD"])
def test_app_py_exits_2_without_traceback(write_config, context) -> None:
    if context == "config=BAD":
        data = _prod()
        data["table"]["consistency"] = "strong"
        data["regions"] = data["regions"][:2]
        context = f"config={write_config(text=yaml.safe_dump(data), name='app.yaml')}"
    result = _run("app.py", "-c", context)
    assert result.returncode == 2, result.stderr
    assert "Fix: " in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
