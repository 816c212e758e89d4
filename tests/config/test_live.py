"""The live section: every seeded mistake is refused with its field and fix, all of them in one run."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from kickoff.config.live_checks import live_quota_needs
from kickoff.config.loader import load_for_context
from tests.support import config_data, config_problem

_load = config_problem


def _channel(data: dict[str, Any]) -> dict[str, Any]:
    return data["live"]["channels"][0]


def _set(path: tuple[str | int, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        node = _channel(data)
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "field", "says"),
    [
        (_set(("inputs", "source_cidrs"), ["0.0.0.0/0"]), "live.channels[0].inputs.source_cidrs[0]", "internet"),
        (_set(("inputs", "source_cidrs"), ["10.0.0.0/7"]), "live.channels[0].inputs.source_cidrs[0]", "internet"),
        (_set(("channel_class",), "SINGLE_PIPELINE"), "live.channels[0].channel_class", "one pipeline"),
        (_set(("ingest_regions",), ["us-east-1"]), "live.channels[0].ingest_regions", "stops the video"),
        (_set(("ingest_regions",), ["us-east-1", "eu-west-1"]), "live.channels[0].ingest_regions[1]", "not a cell"),
        (
            _set(("ingest_regions",), ["us-east-1", "us-east-2", "us-west-2"]),
            "live.channels[0].ingest_regions",
            "at most 2",
        ),
        (_set(("events",), ["mnf-*", "wc-*"]), "live.channels[0].events", "would never run"),
        (_set(("start_lead_minutes",), 14), "live.channels[0].start_lead_minutes", "15"),
        (_set(("latency_target_seconds",), 10), "live.channels[0].latency_target_seconds", "HLS players start"),
        (_set(("segment_seconds",), 31), "live.channels[0].segment_seconds", "30"),
        (_set(("dvr_window_minutes",), 20161), "live.channels[0].dvr_window_minutes", "20160"),
        (_set(("ladder", 0, "width"), 1921), "live.channels[0].ladder[0].width", "odd"),
        (_set(("ladder", 0, "viewer_share"), 0.9), "live.channels[0].ladder", "sum to"),
        (_set(("inputs", "srt_listeners"), [{"address": "192.0.2.1", "port": 9000}]), "srt_listeners", "apply"),
    ],
)
def test_a_seeded_live_mistake_is_refused_with_its_field(tmp_path, edit, field: str, says: str) -> None:
    data = config_data("prod")
    edit(data)
    message = _load(tmp_path, data)
    assert message is not None, "accepted"
    assert field in message and says in message, message


def test_the_lead_covers_the_agent_s_rate_and_medialive_s_start(tmp_path) -> None:
    data = config_data("prod")
    data["scaling"].setdefault("agent", {})["rate_minutes"] = 10
    _channel(data)["start_lead_minutes"] = 15
    message = _load(tmp_path, data)
    assert message is not None and "live.channels[0].start_lead_minutes" in message and "rate_minutes (10)" in message
    _channel(data)["start_lead_minutes"] = 20
    assert _load(tmp_path, data) is None


def test_the_edge_path_may_not_overlap_a_cell_behaviour(tmp_path) -> None:
    data = config_data("prod")
    data["live"]["path_pattern"] = "/api/*"
    message = _load(tmp_path, data)
    assert message is not None and "live.path_pattern" in message and "overlaps" in message


def test_a_quota_below_the_channels_is_refused_with_the_quota_field(tmp_path) -> None:
    data = config_data("prod")
    data["regions"][0]["quotas"] = {**data["regions"][0]["quotas"], "medialive_channels": 0}
    message = _load(tmp_path, data)
    assert message is not None and "regions[0].quotas.medialive_channels" in message and "need 1" in message


def test_every_problem_is_reported_in_one_run(tmp_path) -> None:
    data = config_data("prod")
    channel = _channel(data)
    channel["channel_class"] = "SINGLE_PIPELINE"
    channel["ingest_regions"] = ["us-east-1"]
    channel["start_lead_minutes"] = 15
    data["scaling"].setdefault("agent", {})["rate_minutes"] = 10
    message = _load(tmp_path, data)
    assert message is not None
    for field in ("channel_class", "ingest_regions", "start_lead_minutes"):
        assert f"live.channels[0].{field}" in message


def test_development_may_run_one_pipeline_in_one_region(tmp_path) -> None:
    data = config_data("dev")
    assert _channel(data)["channel_class"] == "SINGLE_PIPELINE" and len(_channel(data)["ingest_regions"]) == 1
    assert _load(tmp_path, data) is None


def test_each_input_type_needs_its_own_sources(tmp_path) -> None:
    data = config_data("prod")
    srt = copy.deepcopy(data)
    _channel(srt)["inputs"] = {
        "type": "srt_caller",
        "srt_listeners": [{"address": "192.0.2.1", "port": 9000}, {"address": "192.0.2.2", "port": 9000}],
    }
    assert _load(tmp_path, srt) is None
    _channel(srt)["inputs"]["srt_listeners"].pop()
    message = _load(tmp_path, srt)
    assert message is not None and "1 listeners for a STANDARD channel" in message
    flows = copy.deepcopy(data)
    arn = "arn:aws:mediaconnect:{}:111111111111:flow:1-abc:venue-{}"
    _channel(flows)["inputs"] = {
        "type": "mediaconnect",
        "flow_arns": {r: [arn.format(r, 0), arn.format(r, 1)] for r in ("us-east-1", "us-west-2")},
    }
    assert _load(tmp_path, flows) is None
    _channel(flows)["inputs"]["flow_arns"]["us-west-2"][0] = arn.format("us-east-1", 0)
    message = _load(tmp_path, flows)
    assert message is not None and "flow_arns.us-west-2[0]" in message and "not a MediaConnect flow in" in message


def test_quota_needs_count_what_a_region_ingests() -> None:
    config = load_for_context("prod", None)
    assert live_quota_needs(config.live, "us-east-1") == {
        "medialive_channels": 1,
        "medialive_push_inputs": 1,
        "medialive_input_security_groups": 1,
        "mediapackage_channel_groups": 1,
        "mediapackage_channels_per_group": 1,
    }
    assert set(live_quota_needs(config.live, "us-east-2").values()) == {0}
