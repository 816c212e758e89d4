"""Read a YAML config or calendar file with bounds, so no input can crash, hang or exhaust the loader.

A config is a small, hand-written file. What a hostile or broken file can do to a plain
YAML loader is bounded here, and each limit hit is reported with the file, the line and
what to change:

- size: at most ``MAX_BYTES``, read from a regular file only (never a device or a pipe);
- encoding: UTF-8 (a byte-order mark is allowed);
- nesting: at most ``MAX_DEPTH`` levels, counted as if every alias were expanded;
- aliases: the document, with every alias expanded, holds at most ``MAX_NODES`` nodes, so an
  anchor "bomb" is refused before anything is built; a node that contains itself is refused;
- mapping keys are scalars, never lists or maps.

Scalars follow YAML 1.2's core schema for booleans (only true/false, so a country code
``NO`` stays a string), and timestamps are left as strings, so pydantic checks dates as
dates and names the field when one is impossible (2026-02-30).
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kickoff.config.errors import ConfigError

MAX_BYTES = 1_048_576
MAX_DEPTH = 64
MAX_NODES = 100_000


class _TooDeep(Exception):
    """Raised by the composer as soon as the written nesting passes MAX_DEPTH."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Loader(yaml.SafeLoader):
    """SafeLoader: duplicate keys refused, only scalar keys, YAML 1.2 booleans, timestamps kept as strings.

    The composer counts its nesting and stops at MAX_DEPTH + 1, so a file of a million '['
    fails in milliseconds instead of recursing until Python's RecursionError (0.6 s of unwinding).
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key '{key}' (first at line {seen[key].start_mark.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class YamlDocument:
    """A parsed file: its display name, node tree (for line numbers) and data."""

    shown: str
    root: yaml.Node | None
    data: Any


def _fail(where: str, problem: str, fix: str) -> ConfigError:
    return ConfigError(f"{where}: {problem}.\n  Fix: {fix}.")


def _read_bytes(path: Path, shown: str) -> bytes:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise _fail(shown, "the file does not exist", "check the path") from None
    except OSError as exc:
        raise _fail(shown, f"cannot read the file ({exc.strerror})", "check the path and its permissions") from None
    if stat.S_ISDIR(mode):
        raise _fail(shown, "is a directory, not a file", "name the YAML file inside it")
    if not stat.S_ISREG(mode):
        raise _fail(shown, "is not a regular file (a device, pipe or socket)", "name a YAML file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _fail(shown, f"cannot read the file ({exc.strerror})", "check the path and its permissions") from None
    if len(raw) > MAX_BYTES:
        raise _fail(
            shown,
            f"is larger than {MAX_BYTES:,} bytes, the limit for a config or calendar",
            "check that this is the right file; a config is a few kilobytes",
        )
    return raw


def _decode(raw: bytes, shown: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(
            f"{shown}:{line}",
            f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            "save the file as UTF-8",
        ) from None


def _check_tree(root: yaml.Node, shown: str) -> None:
    """Expanded size, depth, cycles and key kinds, without expanding anything (memoized over aliases)."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if size[key] > MAX_NODES:
                raise _fail(
                    f"{shown}:{node.start_mark.line + 1}",
                    f"with its aliases expanded, the document holds more than {MAX_NODES:,} values",
                    "write the values out instead of nesting aliases (&anchor / *alias) inside each other",
                )
            if depth[key] > MAX_DEPTH:
                raise _fail(
                    f"{shown}:{node.start_mark.line + 1}",
                    f"values are nested more than {MAX_DEPTH} levels deep",
                    "flatten the structure; a config is a few levels deep",
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise _fail(
                f"{shown}:{node.start_mark.line + 1}",
                "a value contains itself through an alias",
                "remove the alias that refers to its own anchor",
            )
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    kind = "list" if isinstance(key_node, yaml.SequenceNode) else "mapping"
                    raise _fail(
                        f"{shown}:{key_node.start_mark.line + 1}",
                        f"a mapping key is a {kind}",
                        "use a plain name as the key (a complex key, '? [a, b]', is not a setting)",
                    )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _yaml_error(exc: yaml.YAMLError, shown: str) -> ConfigError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{shown}:{mark.line + 1}" if mark else shown
    problem = getattr(exc, "problem", None) or str(exc)
    return ConfigError(f"{where}: the file is not valid YAML: {problem}.\n  Fix: correct the YAML syntax there.")


def read_yaml(path: Path, shown: str) -> YamlDocument:
    """Parse ``path`` within the bounds above; ConfigError (with file and line) for anything else."""
    text = _decode(_read_bytes(path, shown), shown)
    try:
        loader = _Loader(text)  # the reader checks the characters already
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, shown) from None
    try:
        try:
            root = loader.get_single_node()
        except _TooDeep as exc:
            raise _fail(
                f"{shown}:{exc.line}",
                f"values are nested more than {MAX_DEPTH} levels deep",
                "flatten the structure; a config is a few levels deep",
            ) from None
        except RecursionError:  # not reachable through the composer's own count; kept as a last bound
            raise _fail(
                shown,
                f"values are nested more than {MAX_DEPTH} levels deep",
                "flatten the structure; a config is a few levels deep",
            ) from None
        if root is not None:
            _check_tree(root, shown)
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, shown) from None
    finally:
        loader.dispose()
    return YamlDocument(shown, root, data)
