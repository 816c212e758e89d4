"""Frozen dataclasses to JSON and back, by their type hints (the planner's inputs travel as JSON).

Supported field types: bool, int, float, str, ``timedelta`` (seconds), ``datetime`` (ISO 8601 with its zone),
``Enum`` (its value), nested dataclasses, ``tuple[X, ...]``, ``Mapping[str, X]``, and ``X | None``. A field missing
from the JSON takes the dataclass default, so a document written before a field existed still reads.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import Enum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


class CodecError(ValueError):
    """A JSON value that does not fit the dataclass field it is read into; the message names the path."""


def to_json(value: Any) -> Any:
    """A dataclass (or a value inside one) as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise CodecError(f"{value} has no time zone")
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_json(cls: type[T], data: Any, path: str = "$") -> T:
    """Read ``data`` into ``cls``; raises CodecError naming the path of the first value that does not fit."""
    return _read(cls, data, path)


def _read(kind: Any, data: Any, path: str) -> Any:
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _read(inner, data, path)
    if dataclasses.is_dataclass(kind):
        if not isinstance(data, dict):
            raise CodecError(f"{path}: expected an object, got {type(data).__name__}")
        hints = _hints(kind)
        known = {f.name for f in dataclasses.fields(kind) if f.init}
        unknown = sorted(set(data) - known)
        if unknown:
            raise CodecError(f"{path}: unknown field {unknown[0]!r}")
        values = {name: _read(hints[name], data[name], f"{path}.{name}") for name in known if name in data}
        try:
            return kind(**values)
        except (TypeError, ValueError) as error:
            raise CodecError(f"{path}: {error}") from None
    if origin is tuple:
        if not isinstance(data, list):
            raise CodecError(f"{path}: expected a list, got {type(data).__name__}")
        return tuple(_read(args[0], v, f"{path}[{i}]") for i, v in enumerate(data))
    if origin in (Mapping, dict) or kind is dict:
        if not isinstance(data, dict):
            raise CodecError(f"{path}: expected an object, got {type(data).__name__}")
        value_kind = args[1] if args else Any
        return {str(k): _read(value_kind, v, f"{path}.{k}") for k, v in data.items()}
    if kind is Any:
        return data
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(data)
        except ValueError:
            raise CodecError(f"{path}: {data!r} is not one of {[m.value for m in kind]}") from None
    if kind is timedelta:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise CodecError(f"{path}: expected seconds, got {data!r}")
        return timedelta(seconds=data)
    if kind is datetime:
        if not isinstance(data, str):
            raise CodecError(f"{path}: expected an ISO 8601 time, got {data!r}")
        try:
            parsed = datetime.fromisoformat(data.replace("Z", "+00:00"))
        except ValueError:
            raise CodecError(f"{path}: {data!r} is not an ISO 8601 time") from None
        if parsed.tzinfo is None:
            raise CodecError(f"{path}: {data!r} has no time zone")
        return parsed
    if kind is bool:
        if not isinstance(data, bool):
            raise CodecError(f"{path}: expected true or false, got {data!r}")
        return data
    if kind is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise CodecError(f"{path}: expected a whole number, got {data!r}")
        return data
    if kind is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise CodecError(f"{path}: expected a number, got {data!r}")
        return float(data)
    if kind is str:
        if not isinstance(data, str):
            raise CodecError(f"{path}: expected a string, got {data!r}")
        return data
    raise CodecError(f"{path}: cannot read a {kind!r}")
