"""Load ``config/<env>.yaml`` into a validated ``KickoffConfig``, or fail with one clear message.

The message names the file, the line, the field path (``services[1].min_tasks``) and a
fix, for every problem found, so one run shows everything to correct. No traceback:
callers print ``str(ConfigError)`` and exit with code 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from kickoff import naming
from kickoff.config.errors import ConfigError, FieldProblem, FieldProblems
from kickoff.config.lock_checks import check_new_regions_enter_evacuated
from kickoff.config.models import SLUG_PATTERN, CalendarConfig, KickoffConfig
from kickoff.config.operability import check_every_cell_shared
from kickoff.config.yaml_input import read_yaml
from kickoff.lockfile import LOCK_FILE, locked_replica_regions
from kickoff.naming import fixed_names
from kickoff.paths import CONFIG_DIR

DEFAULT_ENV = "prod"

Loc = tuple[str | int, ...]

# Keys that earlier versions accepted: what replaced them ("[]" stands for any list index).
REMOVED_KEYS = {
    "scaling.plan_from": (
        "a deploy time pinned in the file goes stale and compiles schedules in the past; it defaults to the "
        "current time now: remove it, and pass -c plan_from=... only to pin a review synth"
    ),
    "regions[].fargate_vcpu_quota": "moved: declare it as regions[].quotas.fargate_vcpu",
    "routing.health_check.service": "remove it: every service's health path is checked now",
    "edge.api_path_pattern": (
        "remove it and list the path in edge.cache_behaviors (e.g. {path_pattern: /api/*, cache_policy: "
        "caching_disabled}); its methods come from the service that serves it"
    ),
    "monitoring.load_balancer.critical_elb_5xx_per_minute": (
        "replaced by monitoring.load_balancer.critical_5xx_percent: a count of 5xx took a healthy cell out of routing "
        "as its traffic grew; the rate marks the Region impaired and pages, and routing follows the health checks"
    ),
    "edge.accept_previous_origin_secret": (
        "replaced by edge.origin_secret.version / previous_version (VersionIds), so that a rotation changes "
        "the templates; see docs/runbooks/rotate-origin-secret.md"
    ),
}


def config_path_for(env: str | None = None, config_file: str | None = None, *, config_dir: Path = CONFIG_DIR) -> Path:
    """Resolve ``-c config=FILE`` (wins) or ``-c env=NAME`` (``config/NAME.yaml``) to a path."""
    if config_file:
        return Path(config_file)
    name = env or DEFAULT_ENV
    path = config_dir / f"{name}.yaml"
    if not path.is_file():
        available = sorted(p.stem for p in config_dir.glob("*.yaml"))
        raise ConfigError(
            f"{_display(path)}: no config for environment '{name}'.\n"
            f"  Fix: pass -c env=<name> with one of: {', '.join(available) or '(none found)'}, "
            f"or create {_display(path)}."
        )
    return path


def _read_yaml(path: Path) -> tuple[str, yaml.Node | None, Any]:
    """The display name, node tree (for line numbers) and data of a YAML file, or ConfigError."""
    document = read_yaml(path, _display(path))
    if not isinstance(document.data, dict):
        raise ConfigError(
            f"{document.shown}: expected a mapping of settings at the top level.\n  Fix: check the file's structure."
        )
    return document.shown, document.root, document.data


def load_config(path: Path | str, *, expected_environment: str | None = None) -> KickoffConfig:
    """Parse and validate one config file (and its event calendar). Raises ``ConfigError`` with the full message."""
    path = Path(path)
    shown, root, data = _read_yaml(path)
    try:
        config = KickoffConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, shown, root, KickoffConfig)) from None
    config.attach_source(lambda loc: f"{shown}:{_line(root, loc)}: {_path(loc)}", path)
    _check_name_lengths(config)
    _check_replica_removal(config, shown, root)
    check_new_regions_enter_evacuated(config)
    if config.scaling.calendar:
        # Relative to the config file, then to config/ (so variants written elsewhere share the calendars).
        candidates = [path.parent / config.scaling.calendar, CONFIG_DIR / config.scaling.calendar]
        calendar_path = next((c for c in candidates if c.exists()), None)
        where = f"{shown}:{_line(root, ('scaling', 'calendar'))}: scaling.calendar"
        if calendar_path is None:
            raise ConfigError(
                f"{where}: {config.scaling.calendar} does not exist.\n"
                f"  Fix: give a path relative to config/, e.g. events/nfl-2026.yaml."
            )
        if not calendar_path.is_file():
            raise ConfigError(
                f"{where}: {config.scaling.calendar} is a directory or a device, not a calendar file.\n"
                "  Fix: name the calendar's YAML file, e.g. events/nfl-2026.yaml."
            )
        config.attach_calendar(load_calendar(calendar_path, config))
    if expected_environment is not None and config.environment != expected_environment:
        raise ConfigError(
            f"{shown}:{_line(root, ('environment',))} environment: the file declares '{config.environment}' "
            f"but was selected as env '{expected_environment}'.\n"
            f"  Fix: set environment: {expected_environment}, or select it with -c env={config.environment}."
        )
    return config


def load_calendar(path: Path, config: KickoffConfig) -> CalendarConfig:
    """Parse and validate an event calendar against ``config``'s cells."""
    shown, root, data = _read_yaml(path)
    try:
        calendar = CalendarConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, shown, root, CalendarConfig)) from None
    # Retired Regions may keep their shares (renormalized away), so a season need not be rewritten.
    cells = set(config.region_names) | {r.name for r in config.retired_regions}
    problems = []
    for i, event in enumerate(calendar.events):
        unknown = sorted(set(event.region_share) - cells)
        if unknown:
            loc = ("events", i, "region_share", unknown[0])
            problems.append(
                f"{shown}:{_line(root, loc)}: {_path(loc)}: '{unknown[0]}' is not a cell Region of "
                f"{naming.environment_key(config.identity)}\n"
                f"    Fix: share viewers among {', '.join(config.region_names)}."
            )
            continue
        try:
            check_every_cell_shared(config, event.region_share, ("events", i, "region_share"), f"event {event.id}")
        except FieldProblem as problem:
            problems.append(
                f"{shown}:{_line(root, problem.loc)}: {_path(problem.loc)}: {problem.problem}\n    Fix: {problem.fix}."
            )
    if config.live is not None:
        for i in config.live.idle_channels([e.id for e in calendar.events]):
            channel = config.live.channels[i]
            problems.append(
                f"{config.locate(('live', 'channels', i, 'events'))}: {', '.join(channel.events)} match no event of "
                f"{calendar.season}, so channel {channel.name} would never run (an idle push input is still billed)\n"
                f"    Fix: name events of the calendar, or a pattern such as tnf-* that matches some; or remove the "
                "channel."
            )
    if problems:
        raise ConfigError(
            f"{shown}: the calendar does not fit {naming.environment_key(config.identity)} ({len(problems)} "
            f"problem{'s' if len(problems) != 1 else ''})\n  " + "\n  ".join(problems)
        )
    return calendar


def _check_name_lengths(config: KickoffConfig) -> None:
    """Every physical name the config fixes fits AWS's limit (else CDK or CloudFormation would fail later)."""
    upstreams = [u for s in config.services if (u := s.image_reference.upstream) is not None]
    too_long = [n for n in fixed_names(config.identity, config.region_names, upstreams) if n.too_long]
    if not too_long:
        return
    worst = max(too_long, key=lambda n: len(n.name) - n.limit)
    listing = "; ".join(f"{n.what} '{n.name}' has {len(n.name)} characters, the limit is {n.limit}" for n in too_long)
    field = (
        ("domain", "name")
        if worst.what.startswith("DNS")
        else ("environment",)
        if len(config.environment) >= len(config.app)
        else ("app",)
    )
    raise ConfigError(
        f"{config.locate(field)}: names built from it are too long: {listing}.\n"
        f"  Fix: shorten app or environment (or domain.name) by at least {len(worst.name) - worst.limit} "
        "characters."
    )


def _check_replica_removal(config: KickoffConfig, shown: str, root: yaml.Node | None) -> None:
    """A Region that holds a replica (per stateful.lock.json) may only leave with explicit consent."""

    dropped = sorted(locked_replica_regions(naming.environment_key(config.identity)) - set(config.region_names))
    refused = [r for r in dropped if r not in config.replica_removals_allowed]
    if not refused:
        return
    listing = ", ".join(refused)
    confirm = ", ".join(f"{{name: {r}, allow_replica_removal: true}}" for r in refused)
    raise ConfigError(
        f"{shown}:{_line(root, ('regions',))}: regions: {listing} {'holds' if len(refused) == 1 else 'hold'} a "
        f"replica of {naming.table_name(config.identity)} ({LOCK_FILE.name}) but "
        f"{'is' if len(refused) == 1 else 'are'} no longer listed; the next "
        f"deploy would delete {'that replica' if len(refused) == 1 else 'those replicas'} and the data in "
        f"{'it' if len(refused) == 1 else 'them'}.\n"
        f"  Fix: keep {listing} in regions, or confirm the deletion with retired_regions: [{confirm}]."
    )


def load_for_context(env: str | None, config_file: str | None) -> KickoffConfig:
    """Load the config named by the CDK context keys ``env`` and ``config`` (an empty value is an error)."""
    for key, value in (("env", env), ("config", config_file)):
        if value is not None and not str(value).strip():
            raise ConfigError(
                f"-c {key}= is empty, so no config is selected.\n"
                f"  Fix: name one, e.g. -c env=dev or -c config=path/to/config.yaml, or leave {key} out "
                f"(default: config/{DEFAULT_ENV}.yaml)."
            )
    path = config_path_for(env, config_file)
    return load_config(path, expected_environment=None if config_file else (env or DEFAULT_ENV))


# ---------------------------------------------------------------------------------------
# Error formatting


def format_validation_error(exc: ValidationError, shown: str, root: yaml.Node | None, model: type[BaseModel]) -> str:
    """One message for all of a ValidationError's problems, each with line, path and fix."""
    explained = [e for err in _meaningful(exc.errors(include_url=False)) for e in _explain_all(err, model)]
    lines = [f"{shown}: invalid config ({len(explained)} problem{'s' if len(explained) != 1 else ''})"]
    for loc, problem, fix in explained:
        line = _line(root, loc)
        where = f"{shown}:{line}" if line else shown
        lines.append(f"  {where}: {_path(loc) or '(top level)'}: {problem}")
        lines.append(f"    Fix: {fix}")
    return "\n".join(lines)


def _meaningful(errors: list[Any]) -> list[Any]:
    """Drop follow-on errors: a list reported too short only because its items failed."""
    item_locs = {tuple(e["loc"][:-1]) for e in errors if len(e["loc"]) > 1}
    item_locs |= {loc[:i] for loc in list(item_locs) for i in range(1, len(loc))}
    return [e for e in errors if not (e["type"] == "too_short" and tuple(e["loc"]) in item_locs)]


def _explain_all(err: dict[str, Any], model: type[BaseModel]) -> list[tuple[Loc, str, str]]:
    """One explanation per problem: a model check may report several at once (``FieldProblems``)."""
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, FieldProblems):
        loc: Loc = tuple(err["loc"])
        return [(loc + p.loc, p.problem, p.fix) for p in cause.problems]
    return [_explain(err, model)]


def _explain(err: dict[str, Any], model: type[BaseModel]) -> tuple[Loc, str, str]:
    loc: Loc = tuple(err["loc"])
    kind = err["type"]
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, FieldProblem):
        return loc + cause.loc, cause.problem, cause.fix
    message = err["msg"]
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
        if " Fix: " in message:
            problem, fix = message.split(" Fix: ", 1)
            return loc, problem.rstrip("."), fix
        return loc, message, "correct the value"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        removed = REMOVED_KEYS.get(_path(["[]" if isinstance(p, int) else p for p in loc]).replace(".[]", "[]"))
        if removed:
            return loc, f"'{key}' is no longer a setting", removed
        allowed = _fields_at(model, loc[:-1])
        guess = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{guess[0]}'? " if guess else ""
        return loc, f"unknown key '{key}'", f"{hint}remove or rename it; allowed keys here: {', '.join(allowed)}"
    if kind == "missing":
        desc = _description_at(model, loc)
        return loc, "required field is missing", f"add '{loc[-1]}'" + (f": {desc}" if desc else "")
    if kind in ("literal_error", "enum"):
        return loc, f"{message} (got {_shown_input(err.get('input'))})", "use one of the listed values"
    if kind == "string_pattern_mismatch":
        pattern = err["ctx"]["pattern"]
        if pattern == SLUG_PATTERN:
            fix = "use 3 to 32 lower-case letters, digits and hyphens, starting with a letter"
        else:
            desc = _description_at(model, loc)
            fix = f"give {_first_sentence(desc)}" if desc else f"match the pattern {pattern}"
        return loc, f"{_shown_input(err.get('input'))} has the wrong form", fix
    got = _shown_input(err.get("input"))
    if kind.startswith(("greater_than", "less_than")) or kind in ("too_short", "too_long"):
        return loc, f"{message} (got {got})", "change the value to fit that bound"
    if kind in ("list_type", "tuple_type"):
        return loc, f"expected a list, got {_kind(err.get('input'))}", "write one '- item' per line under the key"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return (
            loc,
            f"expected a mapping of settings, got {_kind(err.get('input'))}",
            "write 'key: value' lines under it",
        )
    if kind == "finite_number":
        return loc, f"{got} is not a finite number", "give a finite number (.inf and .nan are not settings)"
    return loc, f"{message} (got {got})", "give a value of the expected type"


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "nothing"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def _shown_input(value: Any, limit: int = 60) -> str:
    """The offending input, shortened: a whole section echoed back helps nobody."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({_kind(value)})"


def _path(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line(root: yaml.Node | None, loc: Iterable[str | int]) -> int | None:
    """1-based line of the deepest YAML node that ``loc`` reaches."""
    node = root
    if node is None:
        return None
    best = node.start_mark.line + 1
    for part in loc:
        nxt = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    nxt, best = value_node, key_node.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
            best = nxt.start_mark.line + 1
        if nxt is None:
            break
        node = nxt
    return best


def _submodel(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class found by walking ``loc`` from ``model`` (skipping list indices)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        current = _model_in(field.annotation)
    return current


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    sub = _submodel(model, loc)
    return sorted(sub.model_fields) if sub else []


def _description_at(model: type[BaseModel], loc: Sequence[str | int]) -> str | None:
    parent = _submodel(model, loc[:-1])
    if parent is None:
        return None
    field = parent.model_fields.get(str(loc[-1]))
    return field.description if field else None


def _first_sentence(text: str) -> str:
    first = text.split(". ")[0].rstrip(".")
    return first[:1].lower() + first[1:]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
