"""The README's "Make it yours" checklist works: a copy of config/dev.yaml with every field its first step names
changed to another owner's values (account, domain and zone, Regions, images and their credentials, notifications,
calendar) synthesizes with every check, and names what it should."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kickoff import naming
from tests.support import CONFIG_DIR, REPO_ROOT, synthesize

IMAGE = "docker.io/acme/live-api@sha256:" + "a" * 64
# Each field the checklist's first step names, and what the new owner sets it to.
CHANGES = {
    "environment": "live",
    "account": "123456789012",
    "domain.name": "live.acme.example",
    "domain.hosted_zone_id": "Z0ACME00000000000001",
    "regions": [
        {
            "name": region,
            "vpc_cidr": cidr,
            "availability_zones": [f"{region}a", f"{region}b"],
            "quotas": {"fargate_vcpu": 400},
        }
        for region, cidr in (("us-east-1", "10.20.0.0/16"), ("eu-west-1", "10.40.0.0/16"))
    ],
    "primary_region": "eu-west-1",
    "services[].image": IMAGE,
    "images.credentials": {"docker.io": "ecr-pullthroughcache/acme-hub"},
    "monitoring.notifications": [{"protocol": "email", "endpoint": "oncall@acme.example"}],
    "scaling.calendar": "events/live.yaml",
}
# Parts of a field the checklist names beside it (each Region's keys, each event's share).
PARTS = {"name", "vpc_cidr", "availability_zones", "quotas", "region_share"}


def _checklist_fields() -> set[str]:
    """The config fields the README's first "Make it yours" step tells a new owner to set."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Make it yours", 1)[1].split("\n2. ", 1)[0]
    fields = set()
    for line in section.splitlines():
        if line.lstrip().startswith("- "):
            for token in re.findall(r"`([^`]+)`", line):
                name = token.split(":")[0].strip()
                if re.fullmatch(r"[a-z_]+(\[\])?(\.[a-z_]+)*", name):
                    fields.add(name)
    return fields


def test_the_test_changes_every_field_the_checklist_names() -> None:
    named = _checklist_fields()
    assert named, "the README's Make it yours step 1 names no field"
    assert named - PARTS <= set(CHANGES), f"not changed here: {named - set(CHANGES)}"
    assert set(CHANGES) <= named | PARTS, f"not in the checklist: {set(CHANGES) - named}"


def _owned_config(root: Path) -> Path:
    data = yaml.safe_load((CONFIG_DIR / "dev.yaml").read_text())
    for field, value in CHANGES.items():
        if field == "services[].image":
            for service in data["services"]:
                service["image"] = value
            continue
        *parents, leaf = field.split(".")
        node = data
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    (root / "events").mkdir()
    calendar = yaml.safe_load((CONFIG_DIR / "events" / "dev-rehearsal.yaml").read_text())
    for event in calendar["events"]:
        event["region_share"] = {"us-east-1": 0.45, "eu-west-1": 0.55}
    (root / "events" / "live.yaml").write_text(yaml.safe_dump(calendar, sort_keys=False))
    path = root / "live.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.slow
def test_a_copy_of_dev_with_every_named_field_changed_synthesizes_clean(tmp_path) -> None:
    synth = synthesize(_owned_config(tmp_path), tmp_path / "cdk.out")
    config = synth.config
    assert naming.environment_key(config.identity) == "kickoff-live"
    assert all(name.startswith("kickoff-live-") for name in synth.stack_names), synth.stack_names
    assert {"kickoff-live-cell-us-east-1", "kickoff-live-cell-eu-west-1", "kickoff-live-data"} <= set(synth.stack_names)
    data = synth.template(synth.data)
    assert data["Resources"], "the Data stack is empty"
    cell = synth.template(synth.cell("eu-west-1"))
    text = str(cell)
    assert "acme/live-api" in text and "ecr-pullthroughcache/acme-hub" in text
    assert "oncall@acme.example" in text
    edge = str(synth.template(synth.edge))
    assert "live.acme.example" in edge and "Z0ACME00000000000001" in edge
