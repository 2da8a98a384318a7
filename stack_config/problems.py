"""How a stack file's mistakes are told: one line each, ``<file>: <key path>: <what>; <allowed>``.

Shape and types are checked by pydantic models; this module renders pydantic's errors in the
stack file's own vocabulary (camelCase key paths, "a mapping", "a whole number"), suggests the
key that was probably meant, and defines the error that carries all the lines.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import pulumi
from pydantic import BaseModel, ValidationError

from ipv6_eks.errors import render_path

PROJECT = "ipv6-eks"


class ConfigError(pulumi.RunError):
    """Every problem found in a stack file; ``pulumi up`` prints it without a traceback."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


_TYPE_WORDS = {
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "a string",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "float_type": "a number",
}


def pydantic_lines(exc: ValidationError, model: type[BaseModel], prefix: Sequence[Any] = ()) -> list[str]:
    """``<key path>: <problem>; <allowed>`` for each of pydantic's errors (without the file name)."""
    lines = []
    for error in exc.errors():
        loc = (*prefix, *error["loc"])
        key = f"{PROJECT}:{render_path(loc)}"
        kind = error["type"]
        value = error.get("input")
        if kind == "extra_forbidden":
            known = known_keys(model, error["loc"][:-1])
            lines.append(f"{key}: unknown key; {allowed_keys(str(loc[-1]), known)}")
        elif kind == "missing":
            lines.append(f"{key}: missing; allowed: this key is required")
        elif kind == "literal_error":
            lines.append(f"{key}: {short(value)} is not allowed; allowed: {error['ctx']['expected']}")
        elif kind in _TYPE_WORDS:
            lines.append(f"{key}: {short(value)} is {type_name(value)}; allowed: {_TYPE_WORDS[kind]}")
        elif kind == "value_error":
            lines.append(f"{key}: {error['msg'].removeprefix('Value error, ')}")
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            lines.append(f"{key}: {short(value)} is out of range; allowed: {error['msg'].lower()}")
        else:
            lines.append(f"{key}: {short(value)}: {error['msg']}; allowed: see the README's configuration reference")
    return lines


def short(value: Any, limit: int = 60) -> str:
    """A value as a stack file reader would recognise it, cut to one readable piece."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def type_name(value: Any) -> str:
    if value is None:
        return "empty"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a mapping"}.get(
        type(value), type(value).__name__
    )


def known_keys(model: type[BaseModel], loc: Sequence[Any]) -> set[str]:
    """The keys allowed at ``loc``, walking nested models, lists and mappings."""
    current: Any = model
    for part in loc:
        fields = _aliases(current)
        if isinstance(part, str) and part in fields:
            current = fields[part].annotation
        else:  # a list index or a mapping key: step into the container's model
            current = _inner_model(current)
    if not _is_model(current):
        current = _inner_model(current)
    return set(_aliases(current))


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _aliases(annotation: Any) -> dict[str, Any]:
    if not _is_model(annotation):
        return {}
    return {(f.alias or n): f for n, f in annotation.model_fields.items()}


def _inner_model(annotation: Any) -> Any:
    """``list[X]``, ``dict[str, X]``, ``X | None`` -> ``X`` when X is a model."""
    for arg in getattr(annotation, "__args__", ()) or ():
        if _is_model(arg):
            return arg
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None


def allowed_keys(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}allowed: {', '.join(sorted(known))}"
