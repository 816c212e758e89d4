"""The twin's live scenarios on the shipped prod templates, and the defects they must catch (seeded into a copy)."""

from __future__ import annotations

import copy

import pytest

from kickoff.rules.assembly import template_views
from kickoff.twin.live import live_outcomes, read_live
from kickoff.twin.run import live_channel_outcomes
from tests.support import Synth

pytestmark = pytest.mark.not_a_rule("the Twin gate's own cases: seeded defects its live scenarios must catch")


@pytest.fixture(scope="module")
def prod_views(prod: Synth):
    return template_views(prod.outdir, lambda s: s.account == prod.config.account)


def _live(prod: Synth, views):
    return read_live(views, {"tnf": "kickoff-prod-tnf"}, "/live")


def _distribution(views):
    edge = next(v for v in views if v.of_type("AWS::CloudFront::Distribution"))
    (dist,) = edge.of_type("AWS::CloudFront::Distribution").values()
    return dist["Properties"]["DistributionConfig"]


def test_prod_viewers_keep_playing_through_every_live_loss(prod: Synth, prod_views) -> None:
    outcomes = live_channel_outcomes(prod.config, prod_views)
    assert {(o.kind, o.region) for o in outcomes} == {
        (kind, region)
        for kind in ("ingest-region-lost", "pipeline-lost", "contribution-lost")
        for region in ("us-east-1", "us-west-2")
    }
    assert not [o.problem for o in outcomes if o.problem]
    lost = next(o for o in outcomes if o.kind == "ingest-region-lost" and o.region == "us-east-1")
    # 2 attempts x (2 s connect + 2 s read) for 4 s segments, within 16 s - 4 s of slack.
    assert lost.wait_s == 8 and "12 s more than one 4 s segment" in lost.figures
    assert lost.viewers == "keep playing from us-west-2"
    pipeline = next(o for o in outcomes if o.kind == "pipeline-lost" and o.region == "us-west-2")
    assert pipeline.wait_s == 0 and pipeline.alarm == "PipelineDown after 120 s"


def test_a_single_region_origin_stalls_every_viewer(prod: Synth, prod_views) -> None:
    views = copy.deepcopy(prod_views)
    config = _distribution(views)
    behavior = next(b for b in config["CacheBehaviors"] if b["PathPattern"] == "/live/tnf/*")
    group = next(g for g in config["OriginGroups"]["Items"] if g["Id"] == behavior["TargetOriginId"])
    behavior["TargetOriginId"] = group["Members"]["Items"][0]["OriginId"]
    outcomes = live_outcomes(_live(prod, views))
    assert any("stops the video for every viewer" in o.problem for o in outcomes if o.region == "us-east-1")
    assert any("input-loss picture" in o.problem for o in outcomes)


def test_slow_origin_timeouts_stall_viewers_past_the_players_slack(prod: Synth, prod_views) -> None:
    views = copy.deepcopy(prod_views)
    for origin in _distribution(views)["Origins"]:
        if "OriginAccessControlId" in origin:
            origin["ConnectionTimeout"], origin["ConnectionAttempts"] = 10, 3
    outcomes = live_outcomes(_live(prod, views))
    lost = [o for o in outcomes if o.kind == "ingest-region-lost"]
    assert lost and all(o.problem and "viewers stall" in o.problem for o in lost)


def test_a_single_pipeline_region_is_a_lost_region_for_its_viewers(prod: Synth, prod_views) -> None:
    views = copy.deepcopy(prod_views)
    for view in views:
        for channel in view.of_type("AWS::MediaLive::Channel").values():
            channel["Properties"]["ChannelClass"] = "SINGLE_PIPELINE"
    outcomes = live_outcomes(_live(prod, views))
    pipeline = [o for o in outcomes if o.kind == "pipeline-lost"]
    assert all(
        o.viewers == f"keep playing from {'us-west-2' if o.region == 'us-east-1' else 'us-east-1'}" for o in pipeline
    )
