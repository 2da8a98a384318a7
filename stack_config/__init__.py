"""The stack's typed configuration: ``Pulumi.<stack>.yaml`` parsed, defaulted and validated.

Data flows one way: stack file -> this package -> ``__main__`` -> components. Nothing here
registers a resource, so every problem is found before the first one is created, and each is
reported as one line: ``<stack file>: <key path>: <what is wrong>; <what is allowed>``.

Shape and types are checked by pydantic models (camelCase keys, as in the stack file); what
depends on several keys at once is checked by plain functions afterwards, by domain:
``network`` (VPCs), ``cluster`` (EKS clusters), ``deployer`` (how ``pulumi up`` reaches them).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import pulumi
from pydantic import Field, ValidationError, field_validator

from ipv6_eks.eks_spec import check_cluster_name
from ipv6_eks.errors import ArgumentError
from stack_config.cluster import ClusterConfig, ClusterPlan, holds_kubernetes_resources, plan_cluster
from stack_config.deployer import DeployerConfig, check_deployer, declares_a_way_in, unreachable_clusters_error
from stack_config.mesh import MeshConfig, MeshPlan, plan_mesh
from stack_config.model import StrictModel
from stack_config.network import NetworkPlan, VpcConfig, Zone, check_vpc_overlaps, plan_network
from stack_config.problems import PROJECT, ConfigError, allowed_keys, pydantic_lines
from stack_config.stack_file import decode, read_stack_file, runtime_values

__all__ = [
    "PROJECT",
    "ClusterPlan",
    "ConfigError",
    "MeshPlan",
    "NetworkPlan",
    "StackConfig",
    "Zone",
    "decode",
    "from_pulumi",
    "load",
    "read_stack_file",
    "runtime_values",
]

NAME_PATTERN = r"^[a-z][a-z0-9-]{0,19}$"
# The stack file errors name: ``Pulumi.<stack>.yaml`` unless a tool evaluating another file says so.
STACK_FILE_SHOWN: ContextVar[str | None] = ContextVar("stack_file_shown", default=None)


@dataclass(frozen=True)
class StackConfig:
    """Everything ``__main__`` needs to compose the stack."""

    stack: str
    stack_file: str
    region: str
    production: bool
    vpcs: dict[str, NetworkPlan]
    clusters: dict[str, ClusterPlan]
    deployer: DeployerConfig | None = None
    mesh: MeshPlan | None = None


class _TopLevel(StrictModel):
    """The ``ipv6-eks:*`` keys of a stack file."""

    production: bool = False
    vpcs: dict[str, VpcConfig]
    clusters: dict[str, ClusterConfig] = Field(default_factory=dict)
    deployer: DeployerConfig | None = None
    mesh: MeshConfig | None = None

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
    import re

    if not isinstance(mapping, Mapping):
        return  # pydantic reports the wrong type
    if not mapping:
        raise ValueError(f"no {what}s; allowed: at least one")
    for name in mapping:
        if not isinstance(name, str) or not re.match(NAME_PATTERN, name):
            raise ValueError(
                f"{name!r} is not a usable {what} name; allowed: lower-case letters, digits and '-', "
                "starting with a letter, at most 20 characters"
            )


def load(
    stack: str,
    values: Mapping[str, Any],
    zones: Callable[[str], Sequence[Zone]],
    stack_file: str | None = None,
    secret_keys: Collection[str] = (),
) -> StackConfig:
    """Parse and validate ``values`` (config keys such as ``ipv6-eks:vpcs`` -> plain values).

    ``secret_keys`` are the keys Pulumi decrypted for the program (a key holding any secure value
    is secret as a whole); read offline, a secure value is a placeholder instead.

    ``zones(region)`` lists the region's availability zones; it is called only when the
    configuration names a region. Raises ``ConfigError`` listing every problem found.
    """
    stack_file = stack_file or f"Pulumi.{stack}.yaml"
    problems: list[str] = []

    def add(errors: Sequence[ArgumentError], *prefix: str | int) -> None:
        problems.extend(f"{stack_file}: {PROJECT}:{e.under(*prefix).render(camel=True)}" for e in errors)

    ours: dict[str, Any] = {}
    for key, value in values.items():
        namespace, _, name = key.partition(":")
        name = name.removeprefix("config:")
        if namespace == PROJECT:
            ours[name] = value
    known = {field.alias or name for name, field in _TopLevel.model_fields.items()}
    for name in sorted(set(ours) - known):
        problems.append(f"{stack_file}: {PROJECT}:{name}: unknown key; {allowed_keys(name, known)}")
    region = values.get("aws:region")
    if not isinstance(region, str) or not region.strip():
        shown = "missing" if region is None else f"{region!r} is not a region name"
        problems.append(
            f"{stack_file}: aws:region: {shown}; allowed: an AWS region such as us-east-2 (pulumi config set aws:region us-east-2)"
        )
    try:
        top = _TopLevel.model_validate({k: v for k, v in ours.items() if k in known})
    except ValidationError as exc:
        problems += [f"{stack_file}: {line}" for line in pydantic_lines(exc, _TopLevel)]
        top = None
    if problems:
        raise ConfigError(problems)

    if top.deployer is not None:
        add(check_deployer(top.deployer, top.production), "deployer")
    available = list(zones(region))
    networks: dict[str, NetworkPlan] = {}
    for name, vpc in top.vpcs.items():
        plan, errors = plan_network(name, vpc, available, region)
        add(errors, "vpcs", name)
        if plan is not None:
            networks[name] = plan
    add(check_vpc_overlaps(top.vpcs))
    mesh = None
    if top.mesh is not None:
        mesh, errors = plan_mesh(top.mesh, top.clusters, networks, top.production, f"{PROJECT}:mesh" in secret_keys)
        add(errors, "mesh")
    peers = _mesh_peers(mesh)
    clusters: dict[str, ClusterPlan] = {}
    for name, cluster in top.clusters.items():
        errors = [ArgumentError((), e.problem, e.allowed) for e in check_cluster_name(f"{stack}-{name}")]
        if cluster.vpc not in top.vpcs:
            errors.append(ArgumentError(("vpc",), f"{cluster.vpc!r} is not a VPC of this stack", f"allowed: {', '.join(sorted(top.vpcs))}"))
        plan, more = plan_cluster(
            name,
            cluster,
            networks,
            production=top.production,
            region=region,
            deployer=top.deployer,
            holds_kubernetes_resources=name in _clusters_with_kubernetes_resources(top),
            mesh_peers=peers.get(name, ()),
        )
        add(errors + more, "clusters", name)
        if plan is not None:
            clusters[name] = plan
    if top.deployer is None:
        unreachable = [n for n in sorted(_clusters_with_kubernetes_resources(top)) if not declares_a_way_in(top.clusters[n])]
        if unreachable:
            add([unreachable_clusters_error(unreachable)])
    if problems:
        raise ConfigError(problems)
    return StackConfig(
        stack=stack,
        stack_file=stack_file,
        region=region,
        production=top.production,
        vpcs=networks,
        clusters=clusters,
        deployer=top.deployer,
        mesh=mesh,
    )


def _mesh_peers(mesh: MeshPlan | None) -> dict[str, tuple[str, ...]]:
    """In a multi-network mesh each member's API is reached by the others' istiod from outside its VPC."""
    if mesh is None or mesh.args["network_model"] != "multi":
        return {}
    return {name: tuple(m for m in mesh.members if m != name) for name in mesh.members}


def _clusters_with_kubernetes_resources(top: _TopLevel) -> set[str]:
    """Clusters into which the stack deploys Kubernetes objects through their API."""
    members = set(top.mesh.clusters) & set(top.clusters) if top.mesh is not None else set()
    return {name for name, cluster in top.clusters.items() if holds_kubernetes_resources(cluster)} | members


def from_pulumi(zones: Callable[[str], Sequence[Zone]]) -> StackConfig:
    """The running stack's configuration, as ``pulumi up`` hands it to the program."""
    from pulumi.runtime import config as runtime_config

    raw = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    values = {key: decode(value) for key, value in raw.items()}
    secret_keys = {*runtime_config.get_config_secret_keys_env(), *(k for k in raw if runtime_config.is_config_secret(k))}
    return load(pulumi.get_stack(), values, zones, STACK_FILE_SHOWN.get(), secret_keys)
