"""Run the policy pack over an evaluated stack, in-process, as the engine would feed it.

Each resource's inputs go to the resource policies (``Analyze``); every resource's outputs, with
parents, dependencies and property dependencies, go to the stack policies (``AnalyzeStack``).
Policy configuration uses the CLI's ``--policy-pack-config`` format. The same pack is also
driven over the real gRPC protocol by the tests (``offline.analyzer``).
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from offline.harness import PROJECT_DIR, Evaluation
from offline.mocks import RecordedResource
from policies.guardrails.pack import POLICIES

DEFAULT_POLICY_CONFIG = PROJECT_DIR / "policies" / "config.json"
LEVELS = {
    "advisory": EnforcementLevel.ADVISORY,
    "mandatory": EnforcementLevel.MANDATORY,
    "remediate": EnforcementLevel.MANDATORY,
    "disabled": EnforcementLevel.DISABLED,
}


@dataclass(frozen=True)
class Finding:
    """One violation: which policy, at which level, about which resource, and what to do."""

    policy: str
    rule: str
    level: str  # "mandatory" | "advisory"
    resource: str
    urn: str
    message: str


class PolicyConfigError(ValueError):
    """A policy configuration file the CLI would refuse; its message is one line per problem."""


_JSON_TYPES = {"array": list, "boolean": bool, "string": str, "object": dict, "number": (int, float), "integer": int}


def load_policy_config(path: Path | None) -> dict[str, Any]:
    """A ``--policy-pack-config`` file, checked against the pack's policies and their schemas."""
    if path is None:
        return {}
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyConfigError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc}); allowed: a JSON file") from None
    except json.JSONDecodeError as exc:
        raise PolicyConfigError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); allowed: a JSON object") from None
    if not isinstance(config, dict):
        raise PolicyConfigError(f'{path}: the file is not a JSON object; allowed: {{"<policy name>": <level or settings>}}')
    policies = {p.name: p for p in POLICIES}
    problems = []
    for name, entry in config.items():
        where = f"{path}: {name}"
        if name != "all" and name not in policies:
            close = difflib.get_close_matches(name, sorted(policies), n=1)
            problems.append(
                f"{where}: not a policy of the pack; {'did you mean ' + repr(close[0]) + '? ' if close else ''}allowed: all, or a policy name"
            )
            continue
        level = entry if isinstance(entry, str) or name == "all" else entry.get("enforcementLevel") if isinstance(entry, dict) else None
        if not isinstance(entry, (str, dict)) or (name == "all" and not isinstance(entry, str)):
            problems.append(f"{where}: {entry!r} is neither a level nor settings; allowed: a level ({', '.join(LEVELS)}) or an object")
            continue
        if level is not None and str(level).lower() not in LEVELS:
            problems.append(f"{where}: {level!r} is not an enforcement level; allowed: {', '.join(LEVELS)}")
        if isinstance(entry, dict):
            schema = policies[name].config_schema.properties if policies[name].config_schema else {}
            for key, value in entry.items():
                if key == "enforcementLevel":
                    continue
                if key not in schema:
                    problems.append(
                        f"{where}.{key}: not a setting of this policy; allowed: {', '.join(['enforcementLevel', *sorted(schema)])}"
                    )
                elif not isinstance(value, _JSON_TYPES.get(schema[key].get("type"), object)) or isinstance(value, bool) != (
                    schema[key].get("type") == "boolean"
                ):
                    problems.append(
                        f"{where}.{key}: {value!r} is not of type {schema[key].get('type')}; allowed: {schema[key].get('description', '')}"
                    )
    if problems:
        raise PolicyConfigError("\n".join(problems))
    return config


def _level_and_config(policy: Any, config: dict[str, Any]) -> tuple[EnforcementLevel, dict[str, Any]]:
    level = policy.enforcement_level or EnforcementLevel.ADVISORY
    if "all" in config:
        level = LEVELS[str(config["all"]).lower()]
    entry = config.get(policy.name)
    settings: dict[str, Any] = {}
    if isinstance(entry, str):
        level = LEVELS[entry.lower()]
    elif isinstance(entry, dict):
        settings = {k: v for k, v in entry.items() if k != "enforcementLevel"}
        if "enforcementLevel" in entry:
            level = LEVELS[str(entry["enforcementLevel"]).lower()]
    return level, settings


def _options(r: RecordedResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(r.protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], r.parent or None)


@contextlib.contextmanager
def _stack_environment(stack: str):
    """The pack reads the stack's name where the CLI puts it for an analyzer: ``PULUMI_STACK``."""
    previous = os.environ.get("PULUMI_STACK")
    os.environ["PULUMI_STACK"] = stack
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("PULUMI_STACK", None)
        else:
            os.environ["PULUMI_STACK"] = previous


def run_policies(evaluation: Evaluation, config: dict[str, Any] | None = None, only: set[str] | None = None) -> list[Finding]:
    """Every finding of the pack (or of the ``only`` policies) on ``evaluation``, mandatory first."""
    with _stack_environment(evaluation.stack):
        return _run_policies(evaluation, config, only)


def _run_policies(evaluation: Evaluation, config: dict[str, Any] | None, only: set[str] | None) -> list[Finding]:
    config = config or {}
    by_urn = evaluation.by_urn()

    def provider_of(r: RecordedResource) -> PolicyProviderResource | None:
        urn = r.provider.rsplit("::", 1)[0] if r.provider else ""
        provider = by_urn.get(urn)
        return (
            PolicyProviderResource(provider.type, unknown_checking_proxy(provider.inputs), provider.urn, provider.name)
            if provider
            else None
        )

    findings: list[Finding] = []

    def reporter(policy: Any, level: EnforcementLevel, default_urn: str):
        def report(message: str, urn: str | None = None) -> None:
            target = by_urn.get(urn or default_urn)
            findings.append(
                Finding(
                    policy.name, (policy.tags or [""])[0], level.value.lower(), target.name if target else "", urn or default_urn, message
                )
            )

        return report

    resource_args = [(r, unknown_checking_proxy(r.inputs), provider_of(r), _options(r)) for r in evaluation.resources]
    stack_resources = [
        PolicyResource(r.type, unknown_checking_proxy(r.outputs), r.urn, r.name, _options(r), provider_of(r), None, [], {})
        for r in evaluation.resources
    ]
    index = {p.urn: p for p in stack_resources}
    for policy_resource, r in zip(stack_resources, evaluation.resources, strict=True):
        policy_resource.parent = index.get(r.parent)
        policy_resource.dependencies = [index[u] for u in r.dependencies if u in index]
        policy_resource.property_dependencies = {k: [index[u] for u in v if u in index] for k, v in r.property_dependencies.items()}

    for policy in POLICIES:
        if only is not None and policy.name not in only:
            continue
        level, settings = _level_and_config(policy, config)
        if level == EnforcementLevel.DISABLED:
            continue
        try:
            if isinstance(policy, ResourceValidationPolicy):
                for r, props, provider, options in resource_args:
                    args = ResourceValidationArgs(r.type, props, r.urn, r.name, options, provider, settings)
                    policy.validate(args, reporter(policy, level, r.urn))
            elif isinstance(policy, StackValidationPolicy):
                policy.validate(StackValidationArgs(stack_resources, settings), reporter(policy, level, ""))
        except UnknownValueError:
            continue  # as the engine does: an unknown value makes a policy not applicable, never a violation
    return sorted(findings, key=lambda f: (f.level != "mandatory", f.rule, f.policy, f.resource))
