"""How a rule becomes a CrossGuard policy: levels, configuration, exemptions, messages.

A rule is a plain function. A resource rule gets one resource and its configuration and yields
``(fact, fix)`` pairs; a stack rule gets the whole graph and yields ``(resource, fact, fix)``.
The wrappers here turn that into pulumi-policy's validate callbacks:

* every message names the resource, the broken fact and the fix, and ends with the rule ID;
* a resource tagged (or, in Kubernetes, labelled or annotated) ``ipv6-eks/exempt`` with a
  value listing the policy name or the rule ID is skipped; the tag key is configurable;
* unknown values never raise out of a rule: properties arrive as plain data with ``UNKNOWN``
  markers (see ``props``), and a rule that still meets an unknown stops for that resource only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from .graph import Graph, Node
from .props import plain

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY
EXEMPT_TAG = "ipv6-eks/exempt"
BASE_SCHEMA = {
    "exemptTag": {
        "type": "string",
        "default": EXEMPT_TAG,
        "description": "Resources whose tag (or Kubernetes label/annotation) of this key lists the policy name or rule ID are exempt.",
    }
}

ResourceCheck = Callable[[Node, dict[str, Any]], Iterable[tuple[str, str]]]
StackCheck = Callable[[Graph, dict[str, Any]], Iterable[tuple[Node, str, str]]]


@dataclass(frozen=True)
class Rule:
    """A policy's identity: its name, the catalogue rule it enforces, and its level."""

    name: str
    rule_id: str
    title: str
    level: EnforcementLevel

    @property
    def description(self) -> str:
        return f"{self.rule_id}: {self.title}"


def message(node: Node, fact: str, fix: str, rule_id: str) -> str:
    return f"{node.type} '{node.name}': {fact}. Fix: {fix}. ({rule_id})"


def is_exempt(node: Node, rule: Rule, config: dict[str, Any]) -> bool:
    value = node.tags.get(config.get("exemptTag", EXEMPT_TAG))
    if not isinstance(value, str):
        return False
    listed = {part.strip().lower() for part in value.replace(",", " ").split()}
    return rule.name.lower() in listed or rule.rule_id.lower() in listed or "all" in listed


def _config(args: Any, schema: dict[str, Any]) -> dict[str, Any]:
    defaults = {key: spec["default"] for key, spec in schema.items() if "default" in spec}
    return {**defaults, **(args.get_config() or {})}


def resource_policy(
    rule: Rule, types: Iterable[str], check: ResourceCheck, schema: dict[str, Any] | None = None
) -> ResourceValidationPolicy:
    """A policy that looks at one resource's inputs, as ``Analyze`` delivers them."""
    wanted = frozenset(types)
    properties = {**BASE_SCHEMA, **(schema or {})}

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in wanted:
            return
        config = _config(args, properties)
        provider = getattr(args, "provider", None)
        node = Node(
            type=args.resource_type,
            name=args.name,
            urn=args.urn,
            props=plain(args.props),
            parent=getattr(args.opts, "parent", None),
            provider=getattr(provider, "urn", None),
            protect=bool(getattr(args.opts, "protect", False)),
        )
        if is_exempt(node, rule, config):
            return
        try:
            for fact, fix in check(node, config):
                report(message(node, fact, fix, rule.rule_id))
        except UnknownValueError:
            return  # a value this rule needs is not known yet: nothing to say during preview

    return _policy(ResourceValidationPolicy, rule, validate, properties)


_last_graph: list[Any] = [None, None]  # (resources list, its graph): policies given the same list share it


def graph_of(resources: list[Any]) -> Graph:
    """The graph of ``resources``, built once when several stack policies are handed the same list."""
    if _last_graph[0] is not resources:
        _last_graph[:] = [resources, Graph.from_policy_resources(resources)]
    return _last_graph[1]


def stack_policy(rule: Rule, check: StackCheck, schema: dict[str, Any] | None = None) -> StackValidationPolicy:
    """A policy over the whole stack, as ``AnalyzeStack`` delivers it (resource outputs)."""
    properties = {**BASE_SCHEMA, **(schema or {})}

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        config = _config(args, properties)
        graph = graph_of(args.resources)
        try:
            for node, fact, fix in check(graph, config):
                if not is_exempt(node, rule, config):
                    report(message(node, fact, fix, rule.rule_id), node.urn)
        except UnknownValueError:
            return

    return _policy(StackValidationPolicy, rule, validate, properties)


def _policy(kind: Any, rule: Rule, validate: Any, properties: dict[str, Any]) -> Any:
    """A policy of ``kind`` carrying the rule's name, description, level, rule ID and config schema."""
    return kind(
        name=rule.name,
        description=rule.description,
        validate=validate,
        enforcement_level=rule.level,
        config_schema=PolicyConfigSchema(properties=properties),
        tags=[rule.rule_id],
    )
