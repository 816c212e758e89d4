"""Stateful resources stay put: the lock test, the diff logic, and replica-removal consent."""

from __future__ import annotations

import copy

import pytest
import yaml

from kickoff import naming
from kickoff.config import ConfigError, load_config
from kickoff.lockfile import ACCEPT_COMMAND, read_lock
from kickoff.rules.stateful_lock import diff, failure_message, inventory
from tests.support import config_data

pytestmark = pytest.mark.not_a_rule("the StatefulLock gate's own cases and the lock file's contents")


def _templates(synth):
    return {name: synth.template(name) for name in synth.stack_names}


@pytest.mark.held_by("StatefulLock")
def test_synthesized_stateful_resources_match_the_lock(synthesized) -> None:
    """Fails when a change would remove, rename or replace a table, key, bucket or secret."""
    config = synthesized.config
    locked = read_lock().get(naming.environment_key(config.identity))
    assert locked, (
        f"stateful.lock.json has no entry for {naming.environment_key(config.identity)}; run `{ACCEPT_COMMAND}`"
    )
    problems = diff(
        locked, inventory(_templates(synthesized)), allowed_replica_removals=config.replica_removals_allowed
    )
    assert not problems, failure_message(naming.environment_key(config.identity), problems)


def test_lock_covers_every_kind_of_stateful_resource(prod) -> None:
    kinds = {e["type"] for resources in read_lock()["kickoff-prod"].values() for e in resources.values()}
    assert kinds == {"AWS::DynamoDB::GlobalTable", "AWS::KMS::Key", "AWS::S3::Bucket", "AWS::SecretsManager::Secret"}


@pytest.fixture
def locked(prod):
    return inventory(_templates(prod))


def test_renaming_a_table_construct_is_caught(locked) -> None:
    current = copy.deepcopy(locked)
    current["kickoff-prod-data"]["SessionsTable1234ABCD"] = current["kickoff-prod-data"].pop("GlobalTable11708626")
    (problem,) = diff(locked, current)
    assert "kickoff-prod-data/GlobalTable11708626 (AWS::DynamoDB::GlobalTable) would be removed or renamed" in problem
    assert "data is lost" in problem
    assert ACCEPT_COMMAND in failure_message("kickoff-prod", [problem])


def test_a_replacing_property_change_is_caught(locked) -> None:
    current = copy.deepcopy(locked)
    current["kickoff-prod-data"]["GlobalTable11708626"]["identity"]["TableName"] = "kickoff-prod-sessions-v2"
    (problem,) = diff(locked, current)
    assert (
        'changing TableName from "kickoff-prod-sessions" to "kickoff-prod-sessions-v2" replaces the resource' in problem
    )


def test_removing_a_key_or_bucket_is_caught(locked) -> None:
    current = copy.deepcopy(locked)
    del current["kickoff-prod-keys-us-west-2"]
    current["kickoff-prod-cell-us-east-1"].clear()
    problems = diff(locked, current)
    # The Region's table key, and the cell's log bucket, log key and alarm-topic key.
    assert len(problems) == 4
    assert sum("AWS::KMS::Key" in p for p in problems) == 3 and any("AWS::S3::Bucket" in p for p in problems)


def test_dropping_a_replica_needs_explicit_consent(locked) -> None:
    current = copy.deepcopy(locked)
    current["kickoff-prod-data"]["GlobalTable11708626"]["replicas"].remove("us-west-2")
    (problem,) = diff(locked, current)
    assert "the us-west-2 replica would be deleted with its data" in problem
    assert diff(locked, current, allowed_replica_removals=["us-west-2"]) == []


def _prod_without_us_west_2(retired=None) -> str:
    data = config_data("prod")
    data["regions"] = [r for r in data["regions"] if r["name"] != "us-west-2"]
    data["scaling"]["baseline"]["region_share"] = {"us-east-1": 0.6, "us-east-2": 0.4}
    data["pipeline"]["canary_region"] = "us-east-2"  # the canary leaves with its Region
    data["live"]["channels"][0]["ingest_regions"] = ["us-east-1", "us-east-2"]  # and the live ingest
    if retired is not None:
        data["retired_regions"] = retired
    return yaml.safe_dump(data, sort_keys=False)


def test_config_that_drops_a_replica_region_is_an_error(write_config) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(text=_prod_without_us_west_2(), name="drop.yaml"))
    message = str(caught.value)
    assert "drop.yaml:" in message and "regions: us-west-2 holds a replica of kickoff-prod-sessions" in message
    assert "delete that replica" in message
    assert "retired_regions: [{name: us-west-2, allow_replica_removal: true}]" in message


def test_retired_region_without_consent_is_still_an_error(write_config) -> None:
    text = _prod_without_us_west_2([{"name": "us-west-2", "allow_replica_removal": False}])
    with pytest.raises(ConfigError, match="us-west-2 holds a replica"):
        load_config(write_config(text=text, name="no-consent.yaml"))


def test_retired_region_with_consent_loads(write_config) -> None:
    text = _prod_without_us_west_2([{"name": "us-west-2", "allow_replica_removal": True}])
    config = load_config(write_config(text=text, name="consent.yaml"))
    assert config.replica_removals_allowed == ("us-west-2",)
    assert "us-west-2" not in config.region_names


def _prod_with_us_west_1(evacuate: bool) -> str:
    data = config_data("prod")
    new = copy.deepcopy(data["regions"][0])
    new.update(name="us-west-1", vpc_cidr="10.40.0.0/16", availability_zones=["us-west-1a", "us-west-1c"])
    if evacuate:
        new["evacuate"] = True
    else:  # routed: its share of the audience given, as the README's procedure says
        data["scaling"]["baseline"]["region_share"] = {
            "us-east-1": 0.4,
            "us-east-2": 0.2,
            "us-west-2": 0.2,
            "us-west-1": 0.2,
        }
    data["regions"].append(new)
    return yaml.safe_dump(data, sort_keys=False)


def test_a_new_region_enters_routing_one_release_after_it_is_deployed(write_config) -> None:
    """A Region without a locked replica that would be routed at once is refused, naming the field and the
    two-release procedure; added evacuated, it loads (and needs no share of the audience yet)."""
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(text=_prod_with_us_west_1(evacuate=False), name="new.yaml"))
    message = str(caught.value)
    assert "new.yaml:" in message and "regions[3].evacuate" in message and "us-west-1 is new" in message
    assert "except-<region>" in message and "add it with evacuate: true" in message and "next release" in message
    config = load_config(write_config(text=_prod_with_us_west_1(evacuate=True), name="staged.yaml"))
    assert "us-west-1" in config.region_names and "us-west-1" not in config.routed_regions
