"""Render the config reference (every field, type, default, meaning) from the models.

docs/reference/config.md embeds this output between markers; a test fails when they drift apart.
"""

from __future__ import annotations

import types
import typing
from enum import Enum

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from kickoff.config.models import KickoffConfig


def _type_name(annotation: typing.Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args if a is not type(None)) + " (optional)"
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (tuple, list):
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"map {_type_name(args[0])} → {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " \\| ".join(f"`{m.value}`" for m in annotation)
    return getattr(annotation, "__name__", str(annotation))


def _default(field: typing.Any) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return "see section"
        if isinstance(value, (tuple, list)) and value and all(isinstance(v, BaseModel) for v in value):
            return "see description"
        return f"`{value!r}`"
    if field.default is None:
        return "none"
    value = field.default.value if isinstance(field.default, Enum) else field.default
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.append(model)
        for field in model.model_fields.values():
            for arg in _walk(field.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    visit(arg)

    visit(root)
    return seen


def _walk(annotation: typing.Any) -> typing.Iterator[typing.Any]:
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _walk(arg)


def render(root: type[BaseModel] = KickoffConfig) -> str:
    """Markdown: one table per model, fields in declaration order."""
    parts: list[str] = []
    for model in _models(root):
        doc = (model.__doc__ or "").strip().splitlines()[0]
        parts.append(f"\n#### {model.__name__}\n\n{doc}\n")
        parts.append("| field | type | default | meaning |\n|---|---|---|---|")
        for name, field in model.model_fields.items():
            desc = (field.description or "").replace("|", "\\|")
            parts.append(f"| `{name}` | {_type_name(field.annotation)} | {_default(field)} | {desc} |")
    return "\n".join(parts).strip()
