"""The stack's typed configuration: ``Pulumi.<stack>.yaml`` parsed, defaulted and validated.

Data flows one way: stack file -> this module -> ``__main__`` -> components. Nothing here
registers a resource, so every problem is found before the first one is created, and each is
reported as one line: ``<stack file>: <key path>: <what is wrong>; <what is allowed>``.

Shape and types are checked by pydantic models (camelCase keys, as in the stack file); what
depends on several keys at once - how tiers fit a VPC, whether VPCs overlap, whether an
IPv6-only tier has a NAT gateway for NAT64 - is checked by plain functions afterwards.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

from components.addressing import parse_ipv4_cidr
from components.eks_spec import Ipv6EksClusterArgs, check_cluster_args, check_cluster_name, open_endpoint_cidrs
from components.errors import ArgumentError, render_path
from components.vpc_spec import DualStackVpcArgs, VpcPlan, check_vpc_args, plan_vpc, tier_subnets

PROJECT = "ipv6-eks"
NAME_PATTERN = r"^[a-z][a-z0-9-]{0,19}$"
# R1.6: EKS cannot place control-plane subnets in these AZ IDs; automatic AZ choice skips them.
EKS_EXCLUDED_ZONE_IDS = frozenset({"use1-az3", "usw1-az2", "cac1-az3"})


@dataclass(frozen=True)
class Zone:
    """An availability zone of the stack's region, as ``aws.get_availability_zones`` lists it."""

    name: str
    zone_id: str


class ConfigError(pulumi.RunError):
    """Every problem found in a stack file; ``pulumi up`` prints it without a traceback."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=False)


class TierConfig(_Model):
    """A subnet tier: one subnet per availability zone."""

    name: str
    role: Literal["public", "private", "isolated"]
    ip_mode: Literal["ipv4", "dualstack", "ipv6-only"] | None = None
    ipv4_prefix_length: int | None = None
    ipv4_offset: int | None = None
    ipv6_indexes: list[int] | None = None
    ipv6_egress: bool | None = None


class Ipv6Config(_Model):
    """Where the VPC's IPv6 block comes from (R3.1)."""

    source: Literal["amazon", "ipam", "byoip"]
    ipam_pool_id: str | None = None
    netmask_length: int | None = None
    pool_id: str | None = None
    cidr: str | None = None


class ExistingVpcConfig(_Model):
    """Adopt a VPC someone else created: ipv6-eks adds subnets, gateways and routes to it."""

    vpc_id: str
    ipv6_cidr_block: str
    internet_gateway_id: str | None = None
    egress_only_gateway_id: str | None = None


def _default_tiers() -> list[TierConfig]:
    return [
        TierConfig.model_validate({"name": "public", "role": "public", "ipv4PrefixLength": 24}),
        TierConfig.model_validate({"name": "private", "role": "private", "ipv4PrefixLength": 20}),
    ]


class VpcConfig(_Model):
    """One dual-stack VPC."""

    ipv4_cidr: str
    availability_zones: Any = 3
    az_slots: int | None = None
    nat_gateways: Literal["none", "single", "per-az"] | None = None
    ipv6: Ipv6Config | None = None
    existing: ExistingVpcConfig | None = None
    tiers: list[TierConfig] = Field(default_factory=_default_tiers)

    @field_validator("availability_zones", mode="before")
    @classmethod
    def _zones(cls, value: Any) -> int | tuple[str, ...]:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, list) and all(isinstance(z, str) for z in value):
            return tuple(value)
        raise ValueError(
            f"{value!r} is neither a count nor a list of zone names; allowed: a number such as 3, or names such as [us-east-2a, us-east-2b]"
        )


class AccessEntryConfig(_Model):
    """An IAM principal's access to a cluster."""

    principal_arn: str
    policies: list[str] | None = None
    namespaces: list[str] | None = None
    kubernetes_groups: list[str] | None = None


class TaintConfig(_Model):
    key: str
    value: str | None = None
    effect: Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]


class NodeGroupConfig(_Model):
    """A managed node group."""

    instance_types: list[str]
    ami_type: str | None = None
    capacity_type: Literal["ON_DEMAND", "SPOT"] | None = None
    min_size: int | None = None
    max_size: int | None = None
    desired_size: int | None = None
    disk_size: int | None = None
    labels: dict[str, str] | None = None
    taints: list[TaintConfig] | None = None
    imds_hop_limit: int | None = None


class ClusterConfig(_Model):
    """An EKS cluster: keys mirror Ipv6EksCluster's arguments; subnets are named by VPC tier."""

    vpc: str
    kubernetes_version: Any
    ip_family: Literal["ipv6", "ipv4"] | None = None
    control_plane_tier: str = "private"
    node_tier: str = "private"
    endpoint_public_access: bool | None = None
    public_access_cidrs: list[str] | None = None
    service_ipv4_cidr: str | None = None
    authentication_mode: Literal["API", "API_AND_CONFIG_MAP"] | None = None
    access_entries: dict[str, AccessEntryConfig] | None = None
    network_policy: bool | None = None
    addon_versions: dict[str, str] | None = None
    protect_control_plane: bool | None = None
    node_groups: dict[str, NodeGroupConfig]

    @field_validator("kubernetes_version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> str:
        if isinstance(value, str):
            return value
        raise ValueError(f'{value!r} is {_type_name(value)} (YAML reads 1.30 as 1.3); allowed: a quoted version such as "1.34"')


@dataclass(frozen=True)
class NetworkPlan:
    """A validated VPC: the component's arguments and what they will build."""

    name: str
    args: DualStackVpcArgs
    plan: VpcPlan


@dataclass(frozen=True)
class ClusterPlan:
    """A validated cluster: its VPC, tiers, and Ipv6EksCluster's arguments but the VPC's ids."""

    name: str
    vpc: str
    control_plane_tier: str
    node_tier: str
    args: dict[str, Any]  # Ipv6EksClusterArgs without vpc_id and the subnets


@dataclass(frozen=True)
class StackConfig:
    """Everything ``__main__`` needs to compose the stack."""

    stack: str
    stack_file: str
    region: str
    production: bool
    vpcs: dict[str, NetworkPlan]
    clusters: dict[str, ClusterPlan]


class _TopLevel(_Model):
    """The ``ipv6-eks:*`` keys of a stack file."""

    production: bool = False
    vpcs: dict[str, VpcConfig]
    clusters: dict[str, ClusterConfig] = Field(default_factory=dict)

    @field_validator("vpcs", mode="before")
    @classmethod
    def _vpc_names(cls, value: Any) -> Any:
        _check_names(value, "VPC")
        return value

    @field_validator("clusters", mode="before")
    @classmethod
    def _cluster_names(cls, value: Any) -> Any:
        if value:
            _check_names(value, "cluster")
        return value


def _check_names(mapping: Any, what: str) -> None:
    if not isinstance(mapping, Mapping):
        return  # pydantic reports the wrong type
    if not mapping:
        raise ValueError(f"no {what}s; allowed: at least one")
    for name in mapping:
        if not re.match(NAME_PATTERN, name):
            raise ValueError(
                f"{name!r} is not a usable {what} name; allowed: lower-case letters, digits and '-', "
                "starting with a letter, at most 20 characters"
            )


# ---------------------------------------------------------------------------------------------
# Loading


def load(
    stack: str,
    values: Mapping[str, Any],
    zones: Callable[[str], Sequence[Zone]],
    stack_file: str | None = None,
) -> StackConfig:
    """Parse and validate ``values`` (config keys such as ``ipv6-eks:vpcs`` -> plain values).

    ``zones(region)`` lists the region's availability zones; it is called only when the
    configuration names a region. Raises ``ConfigError`` listing every problem found.
    """
    stack_file = stack_file or f"Pulumi.{stack}.yaml"
    problems: list[str] = []

    def report(key_path: str, problem: str, allowed: str) -> None:
        problems.append(f"{stack_file}: {key_path}: {problem}; {allowed}")

    ours: dict[str, Any] = {}
    for key, value in values.items():
        namespace, _, name = key.partition(":")
        name = name.removeprefix("config:")
        if namespace == PROJECT:
            ours[name] = value
    known = {field.alias or name for name, field in _TopLevel.model_fields.items()}
    for name in sorted(set(ours) - known):
        report(f"{PROJECT}:{name}", "unknown key", _allowed_keys(name, known))
    region = values.get("aws:region")
    if not isinstance(region, str) or not region:
        report(
            "aws:region",
            "missing" if region is None else f"{region!r} is not a region name",
            "allowed: an AWS region such as us-east-2 (pulumi config set aws:region us-east-2)",
        )
    try:
        top = _TopLevel.model_validate({k: v for k, v in ours.items() if k in known})
    except ValidationError as exc:
        for line in _pydantic_lines(exc, _TopLevel):
            problems.append(f"{stack_file}: {line}")
        top = None
    if problems:
        raise ConfigError(problems)

    available = list(zones(region))
    plans: dict[str, NetworkPlan] = {}
    for name, vpc in top.vpcs.items():
        prefix = ("vpcs", name)
        plan, errors = _plan_network(name, vpc, available, region)
        for error in errors:
            problems.append(f"{stack_file}: {PROJECT}:{error.under(*prefix).render(camel=True)}")
        if plan is not None:
            plans[name] = plan
    problems += [f"{stack_file}: {PROJECT}:{e.render(camel=True)}" for e in _check_vpc_overlaps(top.vpcs)]
    clusters: dict[str, ClusterPlan] = {}
    for name, cluster in top.clusters.items():
        plan, errors = _plan_cluster(name, cluster, plans, top.production, set(top.vpcs), region)
        errors = [ArgumentError((), e.problem, e.allowed) for e in check_cluster_name(f"{stack}-{name}")] + errors
        problems += [f"{stack_file}: {PROJECT}:{e.under('clusters', name).render(camel=True)}" for e in errors]
        if plan is not None:
            clusters[name] = plan
    if problems:
        raise ConfigError(problems)
    return StackConfig(stack=stack, stack_file=stack_file, region=region, production=top.production, vpcs=plans, clusters=clusters)


def from_pulumi(zones: Callable[[str], Sequence[Zone]]) -> StackConfig:
    """The running stack's configuration, as ``pulumi up`` hands it to the program."""
    from pulumi.runtime import config as runtime_config

    raw = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    values = {key: _decode(value) for key, value in raw.items()}
    return load(pulumi.get_stack(), values, zones)


def _decode(value: Any) -> Any:
    """Pulumi passes structured values as JSON text and scalars as plain text."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


# ---------------------------------------------------------------------------------------------
# Cross-key checks


def _plan_network(name: str, vpc: VpcConfig, available: Sequence[Zone], region: str) -> tuple[NetworkPlan | None, list[ArgumentError]]:
    zones, errors = _resolve_zones(vpc.availability_zones, available, region)
    if errors:
        return None, errors
    args = cast(DualStackVpcArgs, {**vpc.model_dump(exclude_none=True), "availability_zones": zones})
    errors = check_vpc_args(args)
    if errors:
        return None, errors
    return NetworkPlan(name=name, args=args, plan=plan_vpc(args)), []


def _resolve_zones(wanted: int | tuple[str, ...], available: Sequence[Zone], region: str) -> tuple[list[str], list[ArgumentError]]:
    path = ("availability_zones",)
    usable = [z for z in available if z.zone_id not in EKS_EXCLUDED_ZONE_IDS]
    if isinstance(wanted, int):
        if not usable:
            return [], [
                ArgumentError(
                    path,
                    "a count, but the region's availability zones could not be listed",
                    "allowed: zone names, e.g. [us-east-2a, us-east-2b, us-east-2c]",
                )
            ]
        if wanted < 2:
            return [], [ArgumentError(path, f"{wanted} availability zone(s)", "allowed: at least 2 (EKS needs subnets in two AZs, R1.6)")]
        if wanted > len(usable):
            names = ", ".join(z.name for z in usable)
            return [], [
                ArgumentError(
                    path,
                    f"{wanted} availability zones, but the region has {len(usable)} that EKS can use ({names})",
                    f"allowed: 2..{len(usable)}",
                )
            ]
        return [z.name for z in usable[:wanted]], []
    by_name = {z.name: z for z in available}
    errors = []
    if not any(name in by_name for name in wanted) and not any(name.startswith(region) for name in by_name):
        return list(wanted), errors  # the lookup describes no zone of this region (offline mocks): nothing to check against
    for i, name in enumerate(wanted):
        zone = by_name.get(name)
        if zone is None:
            errors.append(
                ArgumentError((*path, i), f"{name!r} is not an availability zone of the region", f"allowed: {', '.join(by_name)}")
            )
        elif zone.zone_id in EKS_EXCLUDED_ZONE_IDS:
            errors.append(
                ArgumentError(
                    (*path, i),
                    f"{name} is {zone.zone_id}, where EKS cannot place cluster subnets (R1.6)",
                    "allowed: another zone of the region",
                )
            )
    return list(wanted), errors


def _plan_cluster(
    name: str, cluster: ClusterConfig, networks: Mapping[str, NetworkPlan], production: bool, vpc_names: set[str], region: str
) -> tuple[ClusterPlan | None, list[ArgumentError]]:
    """Check a cluster against its VPC's plan and Ipv6EksCluster's own argument checks."""
    if cluster.vpc not in vpc_names:
        return None, [ArgumentError(("vpc",), f"{cluster.vpc!r} is not a VPC of this stack", f"allowed: {', '.join(sorted(vpc_names))}")]
    network = networks.get(cluster.vpc)
    if network is None:
        return None, []  # the VPC's own problems are reported already
    errors: list[ArgumentError] = []
    tiers = {t["name"] for t in network.args["tiers"]}
    for key in ("control_plane_tier", "node_tier"):
        tier = getattr(cluster, key)
        if tier not in tiers:
            errors.append(ArgumentError((key,), f"{tier!r} is not a tier of VPC {cluster.vpc!r}", f"allowed: {', '.join(sorted(tiers))}"))
    if errors:
        return None, errors
    routes = network.plan.routes[cluster.node_tier]
    node_tier = next(t for t in network.args["tiers"] if t["name"] == cluster.node_tier)
    private_ipv4 = node_tier["role"] == "private" and node_tier.get("ip_mode", "dualstack") != "ipv6-only"
    if private_ipv4 and not any(r.destination == "0.0.0.0/0" for r in routes):
        errors.append(
            ArgumentError(
                ("node_tier",),
                f"tier {cluster.node_tier!r} has no IPv4 route out, so nodes cannot reach ECR, STS or EC2 and never join",
                "allowed: a private tier with a NAT gateway (natGateways single or per-az) (R3.6, R1.16)",
            )
        )
    if cluster.ip_family != "ipv4" and region.startswith("cn-"):
        errors.append(
            ArgumentError(("ip_family",), f"ipv6 in {region}; EKS has no IPv6 clusters in the China Regions", "allowed: ipv4 there (R1.8)")
        )
    open_cidrs = open_endpoint_cidrs(cluster.public_access_cidrs) if cluster.endpoint_public_access else []
    if production and open_cidrs:
        errors.append(
            ArgumentError(
                ("public_access_cidrs",),
                f"{', '.join(open_cidrs)} opens a production API endpoint to the internet",
                "allowed: the CIDRs that need the API, or endpoint_public_access false (R7.1)",
            )
        )
    args = cluster.model_dump(exclude_none=True, exclude={"vpc", "control_plane_tier", "node_tier"})
    args["deletion_protection"] = production
    checked = {
        **args,
        "vpc_id": f"{cluster.vpc}-vpc-id",
        "control_plane_subnets": tier_subnets(network.plan, cluster.control_plane_tier),
        "node_subnets": tier_subnets(network.plan, cluster.node_tier),
    }
    for error in check_cluster_args(cast(Ipv6EksClusterArgs, checked)):
        errors.append(_tier_error(error, cluster))
    if errors:
        return None, errors
    return ClusterPlan(name, cluster.vpc, cluster.control_plane_tier, cluster.node_tier, args), []


def _tier_error(error: ArgumentError, cluster: ClusterConfig) -> ArgumentError:
    """Errors about subnets name the tier key of the stack file, and say which tier."""
    key = {"control_plane_subnets": "control_plane_tier", "node_subnets": "node_tier"}.get(str(error.path[0]) if error.path else "")
    if key is None:
        return error
    return ArgumentError((key,), f"tier {getattr(cluster, key)!r}: {error.problem}", error.allowed)


def _check_vpc_overlaps(vpcs: Mapping[str, VpcConfig]) -> list[ArgumentError]:
    """VPCs of one stack must not overlap: the clusters in them have to reach each other."""
    errors = []
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    for name, vpc in vpcs.items():
        try:
            net = parse_ipv4_cidr(vpc.ipv4_cidr, ())
        except ArgumentError:
            continue  # reported by the VPC's own checks
        for other, other_net in seen:
            if net.overlaps(other_net):
                errors.append(
                    ArgumentError(
                        ("vpcs", name, "ipv4_cidr"),
                        f"{net} overlaps {other_net} of VPC {other!r}",
                        "allowed: non-overlapping IPv4 CIDRs, so the VPCs can be peered and the mesh can route between them",
                    )
                )
        seen.append((name, net))
    return errors


# ---------------------------------------------------------------------------------------------
# Rendering pydantic's errors in the stack file's vocabulary


_TYPE_WORDS = {
    "int_type": "a whole number",
    "string_type": "a string",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _pydantic_lines(exc: ValidationError, model: type[BaseModel]) -> list[str]:
    lines = []
    for error in exc.errors():
        loc = error["loc"]
        key = f"{PROJECT}:{render_path(loc)}"
        kind = error["type"]
        value = error.get("input")
        if kind == "extra_forbidden":
            known = _known_keys(model, loc[:-1])
            lines.append(f"{key}: unknown key; {_allowed_keys(str(loc[-1]), known)}")
        elif kind == "missing":
            lines.append(f"{key}: missing; allowed: this key is required")
        elif kind == "literal_error":
            lines.append(f"{key}: {value!r} is not allowed; allowed: {error['ctx']['expected']}")
        elif kind in _TYPE_WORDS:
            lines.append(f"{key}: {value!r} is {_type_name(value)}; allowed: {_TYPE_WORDS[kind]}")
        elif kind == "value_error":
            lines.append(f"{key}: {error['msg'].removeprefix('Value error, ')}")
        else:
            lines.append(f"{key}: {error['msg']}; allowed: see the README's configuration reference")
    return lines


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a mapping"}.get(
        type(value), type(value).__name__
    )


def _known_keys(model: type[BaseModel], loc: Sequence[Any]) -> set[str]:
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


def _allowed_keys(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}allowed: {', '.join(sorted(known))}"
