"""The shipped configs load, and derived names are deterministic."""

from __future__ import annotations

import json

import pytest

from kickoff import naming
from kickoff.config import load_config
from kickoff.config.context import CONTEXT_FILE, availability_zone_context, expected_context_file, write_context_file
from kickoff.config.loader import CONFIG_DIR
from kickoff.config.models import FARGATE_CPU_MEMORY


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_shipped_configs_are_valid(env: str) -> None:
    config = load_config(CONFIG_DIR / f"{env}.yaml")
    assert config.environment == env
    assert config.primary_region in config.region_names


def test_prod_is_three_regions_and_dev_two() -> None:
    assert load_config(CONFIG_DIR / "prod.yaml").region_names == ("us-east-1", "us-east-2", "us-west-2")
    assert len(load_config(CONFIG_DIR / "dev.yaml").region_names) == 2


def test_table_name_and_alias_are_deterministic() -> None:
    config = load_config(CONFIG_DIR / "prod.yaml")
    assert naming.table_name(config.identity) == "kickoff-prod-sessions"
    assert naming.table_key_alias(config.identity) == "alias/kickoff-prod-table"
    assert naming.origin_domain(config.identity) == "origin.live.example.com"


def test_default_availability_zones_are_a_b_c() -> None:
    from kickoff.config.models import RegionConfig

    region = RegionConfig(name="us-west-2", vpc_cidr="10.0.0.0/16")
    assert region.zones == ("us-west-2a", "us-west-2b", "us-west-2c")
    assert load_config(CONFIG_DIR / "dev.yaml").region("us-west-2").zones == ("us-west-2a", "us-west-2b")


def test_every_fargate_pair_in_the_table_is_accepted() -> None:
    assert sum(len(v) for v in FARGATE_CPU_MEMORY.values()) > 50
    assert FARGATE_CPU_MEMORY[256] == (512, 1024, 2048)
    assert FARGATE_CPU_MEMORY[16384][-1] == 122880


def test_committed_cdk_context_matches_the_configs() -> None:
    committed = json.loads(CONTEXT_FILE.read_text())
    expected = expected_context_file()
    assert committed == expected, "cdk.context.json is stale: run `.venv/bin/python -m kickoff context`"


def test_context_of_a_config_kept_elsewhere_is_added_and_kept(tmp_path) -> None:
    """`kickoff context -c config=PATH` adds that config's AZs; a later run for another such config keeps them."""
    context = tmp_path / "cdk.context.json"
    mine = availability_zone_context(
        load_config(CONFIG_DIR / "dev.yaml").model_copy(update={"account": "999999999999"})
    )
    written = write_context_file(context, extra=mine)
    assert mine.items() <= written.items() and expected_context_file().items() <= written.items()
    again = write_context_file(context, extra={})
    assert mine.items() <= again.items()
    assert write_context_file(context) == expected_context_file()  # a plain run regenerates from config/ only
