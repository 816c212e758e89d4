"""Every bad input is a clean error: the classes a hostile-input review found, and a fuzz test over the loader.

Each case ends in ConfigError (the CLI and app.py turn it into one message and exit code 2), never in
another exception, a hang or unbounded memory.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kickoff.config import ConfigError, load_config
from kickoff.config.yaml_input import MAX_BYTES, MAX_DEPTH
from kickoff.planning import build_deployment_plan
from tests.support import CONFIG_DIR, PLAN_FROM, REPO_ROOT, config_data


def _load_text(tmp_path: Path, text: str | bytes, name: str = "bad.yaml") -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "Traceback" not in message and "Fix:" in message, message
    return message


def _with(base: str = "prod", **changes: Any) -> str:
    data = config_data(base)
    for dotted, value in changes.items():
        node: Any = data
        *parents, last = dotted.split("__")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return yaml.safe_dump(data, sort_keys=False)


# --- the classes from the review ----------------------------------------------------------------


def test_a_config_that_is_not_utf8_names_the_line(tmp_path) -> None:
    text = (CONFIG_DIR / "dev.yaml").read_bytes().replace(b"Kickoff development", b"Kickoff d\xe9veloppement")
    assert _load_text(tmp_path, text).startswith(f"{tmp_path / 'bad.yaml'}:1: the file is not valid UTF-8 (byte 0xe9")


def test_a_calendar_that_is_not_utf8_is_refused(tmp_path) -> None:
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "latin1.yaml").write_bytes(b"season: caf\xe9\nevents: []\n")
    message = _load_text(tmp_path, _with("dev", scaling__calendar="events/latin1.yaml"), "config.yaml")
    assert "latin1.yaml:1: the file is not valid UTF-8" in message


def test_a_byte_order_mark_is_allowed(tmp_path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (CONFIG_DIR / "dev.yaml").read_bytes())
    assert load_config(path).environment == "dev"


def test_a_mapping_key_that_is_a_list(tmp_path) -> None:
    assert "a mapping key is a list" in _load_text(tmp_path, "app: kickoff\n? [a, b]\n: 1\n")


def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path) -> None:
    message = _load_text(tmp_path, "app: " + "[" * 2000 + "]" * 2000 + "\n")
    assert f"nested more than {MAX_DEPTH} levels" in message


def test_an_alias_bomb_used_as_a_field_value_is_refused_before_it_expands(tmp_path) -> None:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join(f'*l{i - 1}' for _ in range(10))}]" for i in range(1, 9)]
    text = "\n".join(lines) + "\nenvironment: dev\nservices: *l8\n"
    message = _load_text(tmp_path, text)
    assert "with its aliases expanded, the document holds more than" in message


def test_a_value_that_contains_itself(tmp_path) -> None:
    assert "contains itself through an alias" in _load_text(tmp_path, "app: &a [1, *a]\n")


def test_an_oversized_file_is_refused_unread(tmp_path) -> None:
    assert f"larger than {MAX_BYTES:,} bytes" in _load_text(tmp_path, "# padding\n" * (MAX_BYTES // 9))


def test_an_impossible_date_is_checked_as_a_date(tmp_path) -> None:
    calendar = yaml.safe_load((CONFIG_DIR / "events" / "nfl-2026.yaml").read_text())
    calendar["events"][0]["kickoff"] = "2026-02-30T20:15:00-05:00"
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "bad-date.yaml").write_text(yaml.safe_dump(calendar, sort_keys=False))
    message = _load_text(tmp_path, _with("prod", scaling__calendar="events/bad-date.yaml"), "config.yaml")
    assert "events[0].kickoff:" in message and "day value is outside expected range" in message


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_non_finite_numbers_are_refused(tmp_path, value) -> None:
    text = _with("prod").replace("requests_per_viewer_per_second: 0.004", f"requests_per_viewer_per_second: {value}", 1)
    assert "services[0].requests_per_viewer_per_second:" in _load_text(tmp_path, text)


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"earliest_kickoff": "2026-09-17T20:30:00-04:00"}, "events[0].earliest_kickoff", "is after the kickoff"),
        ({"latest_kickoff": "2026-09-17T20:00:00-04:00"}, "events[0].latest_kickoff", "is before the kickoff"),
        ({"latest_kickoff": "2026-09-18T03:00:00-04:00"}, "events[0].latest_kickoff", "longer than 6:00:00"),
        ({"earliest_kickoff": "2026-09-17T19:30:00"}, "events[0].earliest_kickoff", "has no time zone"),
    ],
)
def test_a_flex_window_that_does_not_hold_the_kickoff_is_refused(tmp_path, changes, field, problem) -> None:
    calendar = yaml.safe_load((CONFIG_DIR / "events" / "nfl-2026.yaml").read_text())
    calendar["events"][0].update(changes)
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "flex.yaml").write_text(yaml.safe_dump(calendar, sort_keys=False))
    message = _load_text(tmp_path, _with("prod", scaling__calendar="events/flex.yaml"), "config.yaml")
    assert f"{field}:" in message and problem in message, message


def test_a_flex_window_is_planned_from_the_calendar(tmp_path) -> None:
    calendar = yaml.safe_load((CONFIG_DIR / "events" / "nfl-2026.yaml").read_text())
    calendar["events"][0]["earliest_kickoff"] = "2026-09-17T19:30:00-04:00"
    calendar["events"][0]["latest_kickoff"] = "2026-09-17T21:00:00-04:00"
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "flex.yaml").write_text(yaml.safe_dump(calendar, sort_keys=False))
    (tmp_path / "config.yaml").write_text(_with("prod", scaling__calendar="events/flex.yaml"))
    config = load_config(tmp_path / "config.yaml")
    plan = build_deployment_plan(config, datetime(2026, 9, 15, tzinfo=UTC))
    assert plan.capacity is not None
    window = next(w for w in plan.capacity.windows if "tnf-2026-w02" in w.event_ids)
    # Up for the earliest kickoff's pre-game (90 min + 15 min lead before 23:30 UTC), held past the latest end.
    assert window.start <= datetime(2026, 9, 17, 21, 45, tzinfo=UTC)
    assert window.restore >= datetime(2026, 9, 18, 1, 0, tzinfo=UTC) + timedelta(minutes=190 + 30)


def test_an_unquoted_account_says_to_quote_it(tmp_path) -> None:
    text = _with("prod").replace("account: '111111111111'", "account: 111111111111")
    assert 'Fix: quote it, account: "111111111111"' in _load_text(tmp_path, text)


def test_regions_written_as_a_map_is_not_echoed_back(tmp_path) -> None:
    data = config_data("dev")
    data["regions"] = {r["name"]: r for r in data["regions"]}
    message = _load_text(tmp_path, yaml.safe_dump(data))
    assert "regions: expected a list, got a mapping" in message
    assert "10.110.0.0/16" not in message


def test_a_negative_value_in_a_list_names_its_index(tmp_path) -> None:
    text = _with("prod", scaling__baseline__hourly_viewers__5=-3)
    assert "scaling.baseline.hourly_viewers[5]: -3 viewers is negative" in _load_text(tmp_path, text)


def test_n_minus_1_utilization_and_warm_throughput_prices_are_checked(tmp_path) -> None:
    message = _load_text(tmp_path, _with("prod", scaling__n_minus_1_utilization=1.5))
    assert re.search(r"bad\.yaml:\d+: scaling\.n_minus_1_utilization: ", message), message
    text = _with("prod", scaling__warm_throughput_price={"read_unit_usd": -1, "write_unit_usd": 0.1})
    assert "scaling.warm_throughput_price.read_unit_usd:" in _load_text(tmp_path, text)


def test_a_calendar_path_that_is_a_directory(tmp_path) -> None:
    (tmp_path / "events" / "dir.yaml").mkdir(parents=True)
    assert "is a directory or a device" in _load_text(
        tmp_path, _with("dev", scaling__calendar="events/dir.yaml"), "c.yaml"
    )


def test_country_codes_are_text_not_booleans(tmp_path) -> None:
    """YAML 1.1 reads an unquoted NO (Norway) as false; the loader keeps YAML 1.2's true/false only."""
    path = tmp_path / "norway.yaml"
    path.write_text(
        (CONFIG_DIR / "prod.yaml").read_text().replace("allowed_countries: [US, PR", "allowed_countries: [NO, PR")
    )
    assert load_config(path).edge.allowed_countries[0] == "NO"


def _kickoff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kickoff", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "context",
    [
        "env=",
        "config=",
        "config=/dev/zero",
        "config=config",
        "nonsense",
        "plan_from=",
        "plan_from=2026-02-30T00:00:00Z",
    ],
)
def test_odd_context_values_exit_2_with_one_message(context) -> None:
    result = _kickoff("validate", "-c", context)
    assert result.returncode == 2, (context, result.stdout, result.stderr)
    assert "Fix:" in result.stderr and "Traceback" not in result.stderr


def test_validate_runs_the_plan_and_the_name_limits(tmp_path) -> None:
    """What the synth would refuse, validate refuses: a plan over max_tasks, names over their limit."""
    over = tmp_path / "over.yaml"
    over.write_text(_with("prod", services__0__max_tasks=120))
    result = _kickoff("validate", "-c", f"config={over}")
    assert result.returncode == 2 and "max_tasks" in result.stderr, result.stderr
    long_names = tmp_path / "long.yaml"
    long_names.write_text(_with("dev", app="a" * 30, environment="e" * 30))
    result = _kickoff("validate", "-c", f"config={long_names}")
    assert result.returncode == 2 and "is 64" in result.stderr.replace("the limit is 64", "is 64"), result.stderr


# --- fuzzing ------------------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["us-east-1", "2026-02-30T00:00:00Z", "/api/*", "sha256:" + "0" * 64, "", "-1", "1e999"]),
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=30,
)
FIELD_PATHS = [
    ("app",),
    ("environment",),
    ("account",),
    ("primary_region",),
    ("regions",),
    ("regions", 0),
    ("regions", 0, "name"),
    ("regions", 0, "vpc_cidr"),
    ("regions", 0, "quotas"),
    ("regions", 0, "quotas", "fargate_vcpu"),
    ("domain",),
    ("domain", "name"),
    ("services",),
    ("services", 0),
    ("services", 0, "image"),
    ("services", 0, "cpu"),
    ("services", 0, "max_tasks"),
    ("services", 0, "requests_per_second_per_task"),
    ("services", 0, "methods"),
    ("services", 1, "path_patterns"),
    ("table",),
    ("table", "consistency"),
    ("resilience", "rto_seconds"),
    ("resilience", "rpo_seconds"),
    ("routing", "health_check"),
    ("edge", "cache_behaviors"),
    ("edge", "waf"),
    ("edge", "origin_secret"),
    ("scaling", "horizon_days"),
    ("scaling", "n_minus_1_utilization"),
    ("scaling", "baseline", "hourly_viewers"),
    ("scaling", "baseline", "region_share"),
    ("images", "credentials"),
    ("retired_regions",),
]


def _clean_load(path: Path) -> None:
    """Load, and plan when it loads, as validate does: success or ConfigError, nothing else."""
    try:
        config = load_config(path)
    except ConfigError as error:
        assert "Traceback" not in str(error)
        return
    try:
        build_deployment_plan(config, PLAN_FROM)
    except ConfigError:
        pass


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(tree=TREES)
def test_fuzz_any_yaml_document(tmp_path, tree) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(tree, allow_unicode=True))
    _clean_load(path)


@FUZZ
@given(raw=st.binary(max_size=300))
def test_fuzz_any_bytes(tmp_path, raw) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(raw)
    _clean_load(path)


@FUZZ
@given(field=st.sampled_from(FIELD_PATHS), value=TREES)
def test_fuzz_one_field_of_the_prod_config(tmp_path, field, value) -> None:
    data = config_data("prod")
    node: Any = data
    for part in field[:-1]:
        node = node[part]
    node[field[-1]] = value
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    _clean_load(path)
