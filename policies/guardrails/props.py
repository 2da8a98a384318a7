"""Reading resource properties the way a preview delivers them: some values are not known yet.

``plain`` turns the SDK's unknown-checking proxies into plain data in which every unknown value
is the ``UNKNOWN`` marker, so rules test facts without ever raising. A rule that meets
``UNKNOWN`` where it needs a fact skips that fact: an unknown value is never a violation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

_SENTINELS = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


class _Unknown:
    """A value that will only be known after deployment."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


def plain(value: Any) -> Any:
    """Deep copy of proxied properties into dicts and lists, unknown values as ``UNKNOWN``."""
    if isinstance(value, str):
        return UNKNOWN if value in _SENTINELS else value
    if isinstance(value, Mapping):
        out = {}
        for key in list(value):
            try:
                out[key] = plain(value[key])
            except UnknownValueError:
                out[key] = UNKNOWN
        return out
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        items = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def known(value: Any) -> bool:
    return value is not UNKNOWN


def get(props: Any, *path: str | int, default: Any = None) -> Any:
    """``props[path...]``; ``UNKNOWN`` if a step is unknown, ``default`` if a step is missing."""
    current = props
    for key in path:
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(key, int):
            if not isinstance(current, list) or not -len(current) <= key < len(current):
                return default
            current = current[key]
        else:
            if not isinstance(current, dict) or key not in current:
                return default
            current = current[key]
    return default if current is None else current


def as_list(value: Any) -> list[Any] | Any:
    """A list (absent -> []), or ``UNKNOWN``."""
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def truthy(value: Any) -> bool | Any:
    """True/"true" -> True, False/"false"/absent -> False, unknown -> UNKNOWN."""
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def json_value(value: Any) -> Any:
    """A JSON (or YAML, as EKS add-on configuration may be) document given as text or as an
    object; ``UNKNOWN`` if unknown, ``None`` if unreadable."""
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, str):
        try:
            return plain(json.loads(value))
        except ValueError:
            pass
        try:
            loaded = yaml.safe_load(value)
        except yaml.YAMLError:
            return None
        return plain(loaded) if isinstance(loaded, (dict, list)) else None
    return value


def tags_of(resource_type: str, props: dict[str, Any]) -> dict[str, Any]:
    """AWS tags, or a Kubernetes object's labels and annotations."""
    if resource_type.startswith("kubernetes:"):
        metadata = get(props, "metadata", default={})
        if metadata is UNKNOWN:
            return {}
        labels = get(metadata, "labels", default={})
        annotations = get(metadata, "annotations", default={})
        return {**(labels if isinstance(labels, dict) else {}), **(annotations if isinstance(annotations, dict) else {})}
    tags = _tag_map(get(props, "tags", default={}))
    return {**_tag_map(get(props, "tagsAll", default={})), **tags}


def _tag_map(tags: Any) -> dict[str, Any]:
    """Tags as a mapping, also from the ``[{key, value}]`` list Auto Scaling groups use."""
    if isinstance(tags, dict):
        return tags
    if isinstance(tags, list):
        return {t["key"]: t.get("value") for t in tags if isinstance(t, dict) and isinstance(t.get("key"), str)}
    return {}


def env_map(env: Any) -> dict[str, Any] | Any:
    """A container's ``env`` list (``[{name, value}]``) as a mapping; ``UNKNOWN`` if unknown."""
    if env is UNKNOWN:
        return UNKNOWN
    if isinstance(env, dict):
        return env
    return {e["name"]: e.get("value") for e in env or [] if isinstance(e, dict) and isinstance(e.get("name"), str)}
