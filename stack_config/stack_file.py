"""Reading a ``Pulumi.<stack>.yaml`` the way the Pulumi CLI does, with its mistakes as one line each.

The CLI refuses a stack file that is not valid YAML, that repeats a key, or whose ``config`` is
not a mapping of ``namespace:key`` names; so does this reader, naming the file (and the line
and column where YAML can say), before anything else looks at the configuration.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from stack_config.problems import PROJECT, ConfigError

SECRET_PLACEHOLDER = "[secret: not decrypted offline]"


class _StackFileLoader(yaml.SafeLoader):
    """YAML as the CLI reads it: duplicate keys are errors, dates stay strings."""


# Pulumi hands config values to programs as strings; YAML 1.1 timestamps would become dates.
_StackFileLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mapping_without_duplicates(loader: _StackFileLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:  # an unhashable key (a list or a mapping)
            raise yaml.constructor.ConstructorError(None, None, f"a key is {type(key).__name__}, not a name", key_node.start_mark) from None
        if duplicate:
            first = seen[key].start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice (first on line {first.line + 1})", key_node.start_mark
            )
        seen[key] = key_node
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StackFileLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def read_stack_file(path: Path) -> dict[str, Any]:
    """The ``config:`` of a stack file, keys fully qualified (``ipv6-eks:vpcs``), values as YAML gave them.

    Raises ``ConfigError`` (one line) when the file cannot be read, is not YAML, or is not shaped
    like a stack file.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc}); allowed: a UTF-8 YAML stack file"]) from None
    try:
        document = yaml.load(text, Loader=_StackFileLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = " ".join(" ".join(str(part).split()) for part in (exc.context, exc.problem) if part)
        raise ConfigError([f"{where}: not valid YAML ({problem}); allowed: a YAML mapping with a config: section"]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ConfigError(
            [f"{path}:{line}:{column}: not valid YAML (character {exc.character!r} is not allowed); allowed: printable UTF-8 text"]
        ) from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise ConfigError([f"{path}: not valid YAML ({problem}); allowed: a YAML mapping with a config: section"]) from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError([f"{path}: the file is {_kind(document)}, not a mapping; allowed: a mapping with a config: section"])
    config = document.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise ConfigError([f"{path}: config is {_kind(config)}; allowed: a mapping of keys such as aws:region and {PROJECT}:vpcs"])
    problems = []
    qualified: dict[str, Any] = {}
    for key, value in config.items():
        if not isinstance(key, str) or not key.strip():
            problems.append(f"{path}: config key {key!r} is {_kind(key)}; allowed: names such as aws:region and {PROJECT}:vpcs")
            continue
        qualified[key if ":" in key else f"{PROJECT}:{key}"] = value
    if problems:
        raise ConfigError(problems)
    return qualified


def runtime_values(config: Mapping[str, Any]) -> dict[str, str]:
    """Config as the Pulumi CLI hands it to a program: strings, with objects JSON-encoded. Secret
    values (``secure:``, at any depth) cannot be decrypted offline and become a placeholder."""
    out = {}
    for key, value in config.items():
        value = _without_secrets(value)
        out[key] = value if isinstance(value, str) else json.dumps(value, default=str)
    return out


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {k: _without_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


def decode(value: Any) -> Any:
    """Pulumi passes structured values as JSON text and scalars as plain text."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a mapping"}.get(
        type(value), type(value).__name__
    )
