"""Config checks that keep an environment safe to operate, each refusing a seeded instance and passing the fix."""

from __future__ import annotations

import re

import pytest
import yaml

from kickoff.images import parse_image
from tests.support import config_data, config_problem

CADDY = "docker.io/library/caddy:2-alpine@sha256:" + "5" * 64


_load = config_problem


@pytest.mark.parametrize(
    "image",
    [
        "docker.io/traefik/whoami@sha256:" + "a" * 64,
        "docker.io/containous/whoami@sha256:" + "a" * 64,
        "docker.io/hashicorp/http-echo@sha256:" + "a" * 64,
        "docker.io/ealen/echo-server@sha256:" + "a" * 64,
        "docker.io/kennethreitz/httpbin@sha256:" + "a" * 64,
        "ghcr.io/mccutchen/go-httpbin@sha256:" + "a" * 64,
        "registry.k8s.io/echoserver@sha256:" + "a" * 64,
        "docker.io/mendhak/http-https-echo@sha256:" + "a" * 64,
        "docker.io/brndnmtthws/nginx-echo-headers@sha256:" + "a" * 64,
    ],
)
def test_a_request_echo_image_is_refused_in_production(tmp_path, image: str) -> None:
    assert parse_image(image).echoes_requests
    data = config_data("prod")
    data["images"]["credentials"]["ghcr.io"] = "ecr-pullthroughcache/ghcr"
    data["services"][1]["image"] = image
    message = _load(tmp_path, data)
    assert message is not None and "services[1].image" in message and "origin-verification header" in message
    assert "rotate the origin secret" in message
    data["production"] = False  # a sandbox may run one: nothing there is worth the secret
    data["monitoring"] = {}
    assert _load(tmp_path, data) is None


def test_ordinary_images_are_not_echo_images() -> None:
    for image in (
        CADDY,
        "docker.io/library/nginx@sha256:" + "b" * 64,
        "public.ecr.aws/acme/echo-chat@sha256:" + "c" * 64,
    ):
        assert not parse_image(image).echoes_requests, image


def test_production_needs_a_subscriber(tmp_path) -> None:
    data = config_data("prod")
    data["monitoring"]["notifications"] = []
    message = _load(tmp_path, data)
    assert message is not None and "monitoring.notifications" in message and "reaches no one" in message
    data["monitoring"]["notifications"] = [{"protocol": "https", "endpoint": "https://events.example.com/sns"}]
    assert _load(tmp_path, data) is None


def test_min_tasks_below_the_zones_of_a_cell_names_the_field(tmp_path) -> None:
    """A new Region with the default 3 zones and dev's 2 tasks: validate refused it as the synth would."""
    data = config_data("dev")
    # Added as a Region joins: out of routing until the other cells hold its records (so it needs no share yet).
    data["regions"].append(
        {"name": "us-east-2", "vpc_cidr": "10.120.0.0/16", "quotas": {"fargate_vcpu": 400}, "evacuate": True}
    )
    message = _load(tmp_path, data)
    assert message is not None
    assert re.search(
        r"config\.yaml:\d+: services\[0\]\.min_tasks: 2 task\(s\) cannot keep one in each of the 3", message
    )
    assert "regions[2] (no availability_zones: 3 by default)" in message
    data["regions"][2]["availability_zones"] = ["us-east-2a", "us-east-2b"]
    assert _load(tmp_path, data) is None


def test_every_problem_of_a_config_is_reported_in_one_run(tmp_path) -> None:
    data = config_data("prod")
    data["services"][0]["image"] = "docker.io/traefik/whoami@sha256:" + "a" * 64
    data["monitoring"]["notifications"] = []
    data["services"][2]["min_tasks"] = 1
    message = _load(tmp_path, data)
    assert message is not None and "(3 problems)" in message
    for field in ("services[0].image", "monitoring.notifications", "services[2].min_tasks"):
        assert field in message


def test_an_event_that_leaves_out_a_cell_is_refused(tmp_path) -> None:
    data = config_data("dev")
    (tmp_path / "events").mkdir()
    events = {
        "season": "test",
        "events": [
            {
                "id": "left-out",
                "kickoff": "2026-12-10T20:00:00Z",
                "duration_minutes": 180,
                "peak_viewers": 1000,
                "region_share": {"us-east-1": 1.0},
            },
            {
                "id": "shared",
                "kickoff": "2026-12-11T20:00:00Z",
                "duration_minutes": 180,
                "peak_viewers": 1000,
                "region_share": {"us-east-1": 0.5, "us-west-2": 0.5},
            },
        ],
    }
    (tmp_path / "events" / "season.yaml").write_text(yaml.safe_dump(events, sort_keys=False))
    data["scaling"]["calendar"] = "events/season.yaml"
    data["live"]["channels"][0]["events"] = ["*"]
    message = _load(tmp_path, data)
    assert message is not None and "events[0].region_share" in message and "us-west-2" in message
    assert "events[1]" not in message
    events["events"][0]["region_share"] = {"us-east-1": 0.7, "us-west-2": 0.3}
    (tmp_path / "events" / "season.yaml").write_text(yaml.safe_dump(events, sort_keys=False))
    assert _load(tmp_path, data) is None


def test_the_baseline_must_share_its_audience_with_every_cell(tmp_path) -> None:
    data = config_data("prod")
    data["scaling"]["baseline"]["region_share"] = {"us-east-1": 0.6, "us-west-2": 0.4}
    message = _load(tmp_path, data)
    assert message is not None and "scaling.baseline.region_share" in message and "us-east-2" in message
    data["regions"][1]["evacuate"] = True  # an evacuated cell gets no viewers, so it needs no share
    assert _load(tmp_path, data) is None
