"""The live constructs on the shipped prod templates: what the rules cannot say (the path function's behaviour, the
encoder's locking and outputs, the MediaPackage packaging the config asks for), and the code of the path function."""

from __future__ import annotations

import json
import subprocess

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms

from kickoff.config.loader import load_for_context
from kickoff.constructs.live_channel import encoder_settings
from kickoff.constructs.live_edge import LiveEdge, path_function
from kickoff.stacks.deployment import template_path
from tests.support import Synth


def _run_function(code: str, uri: str) -> str:
    """The CloudFront function's handler, run in node on a viewer request for ``uri``."""
    script = code + f"\nconsole.log(handler({{request: {{uri: {json.dumps(uri)}}}}}).uri);"
    return subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout.strip()


def test_the_path_function_maps_live_paths_to_mediapackage_and_leaves_the_rest() -> None:
    code = path_function("/live", "kickoff-prod")
    assert _run_function(code, "/live/tnf/cmaf/index.m3u8") == "/out/v1/kickoff-prod/tnf/cmaf/index.m3u8"
    assert _run_function(code, "/live/tnf/cmaf/dash.mpd") == "/out/v1/kickoff-prod/tnf/cmaf/dash.mpd"
    assert _run_function(code, "/livestream/x") == "/livestream/x"
    assert _run_function(code, "/api/live/x") == "/api/live/x"


def test_the_encoder_is_epoch_locked_with_one_output_per_rendition_and_one_for_audio() -> None:
    (channel,) = load_for_context("prod", None).live.channels
    settings = encoder_settings(channel)
    assert settings["globalConfiguration"]["outputLockingMode"] == "EPOCH_LOCKING"
    assert settings["globalConfiguration"]["outputTimingSource"] == "INPUT_CLOCK"
    assert settings["timecodeConfig"] == {"source": "EMBEDDED"}
    (group,) = settings["outputGroups"]
    assert [o["outputName"] for o in group["outputs"]] == [r.name for r in channel.ladder] + ["audio"]
    assert (
        group["outputGroupSettings"]["mediaPackageGroupSettings"]["mediapackageV2GroupSettings"]["segmentLength"] == 4
    )
    for video, rendition in zip(settings["videoDescriptions"], channel.ladder, strict=True):
        h264 = video["codecSettings"]["h264Settings"]
        assert (video["width"], video["height"], h264["bitrate"]) == (
            rendition.width,
            rendition.height,
            rendition.bitrate_kbps * 1000,
        )
        assert (h264["framerateNumerator"], h264["framerateDenominator"]) == (60000, 1001)
        # closed, fixed GOPs that divide the segment: every Region's segment starts on an IDR frame
        assert channel.segment_seconds % h264["gopSize"] == 0 and h264["gopSizeUnits"] == "SECONDS"
        assert h264["sceneChangeDetect"] == "DISABLED" and h264["gopClosedCadence"] == 1


def _live(prod: Synth, region: str) -> dict:
    return json.loads(template_path(prod.deployment.live[region]).read_text())


@pytest.mark.not_a_rule("config echo: the packaging the config asks for (segments, windows, presentation delay)")
def test_mediapackage_packages_what_the_config_asks(prod: Synth) -> None:
    (channel,) = prod.config.live.channels
    for region in channel.ingest_regions:
        resources = _live(prod, region)["Resources"].values()
        (endpoint,) = [r["Properties"] for r in resources if r["Type"] == "AWS::MediaPackageV2::OriginEndpoint"]
        assert endpoint["Segment"]["SegmentDurationSeconds"] == channel.segment_seconds
        assert endpoint["StartoverWindowSeconds"] == channel.dvr_window_minutes * 60
        (hls,) = endpoint["HlsManifests"]
        (dash,) = endpoint["DashManifests"]
        assert hls["ManifestWindowSeconds"] == dash["ManifestWindowSeconds"] == 900  # MediaPackage's live maximum
        assert dash["SuggestedPresentationDelaySeconds"] == channel.latency_target_seconds
        (mp,) = [r["Properties"] for r in resources if r["Type"] == "AWS::MediaPackageV2::Channel"]
        assert mp["InputType"] == "CMAF" and mp["OutputHeaderConfiguration"] == {"PublishMQCS": True}
        assert mp["InputSwitchConfiguration"] == {"MQCSInputSwitching": True}


def test_a_new_egress_refresh_makes_edge_read_every_egress_domain_again() -> None:
    """A lookup is called again only when its properties change: live.egress_refresh changes them."""

    def calls(refresh: str) -> list[str]:
        app = cdk.App()
        stack = cdk.Stack(app, "Edge", env=cdk.Environment(account="111111111111", region="us-east-1"))
        LiveEdge(
            stack,
            "Live",
            path_prefix="/live",
            group_name="kickoff-prod",
            channels={"tnf": (("us-east-1", "us-west-2"), 4)},
            account="111111111111",
            access_control_name="kickoff-prod-live",
            function_name="kickoff-prod-live-path",
            cache_policy_name="kickoff-prod-live",
            log_retention_days=7,
            log_key=kms.Key(stack, "Key"),
            refresh=refresh,
        )
        template = app.synth().get_stack_by_name("Edge").template
        return sorted(r["Properties"]["Create"] for r in template["Resources"].values() if r["Type"] == "Custom::AWS")

    before, same, after = calls(""), calls(""), calls("2026-12-08")
    assert before == same and len(before) == 2
    assert all(a != b for a, b in zip(before, after, strict=True))
    assert all("kickoff-prod@us-" in c and "#2026-12-08" in c for c in after)
