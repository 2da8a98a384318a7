"""The stack's Istio mesh: ``ipv6-eks:mesh`` - which clusters, which network model, which Istio, whose CA.

Members are named by cluster; their Istio network is their VPC (``vpc-<name>``), so a
single-network mesh is one VPC and a multi-network one is a VPC per member. What only the stack
can tell is checked here: the members exist, share a VPC or do not as the model says, and in a
multi-network mesh each can carry an internet-facing dual-stack east-west NLB (P2) made by its
load balancer controller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ipv6_eks.errors import ArgumentError
from ipv6_eks.lb_spec import check_load_balancer
from ipv6_eks.mesh_spec import ISTIO_VERSION, ISTIO_VERSION_FLOOR, MESH_ID, NETWORK_MODELS, parse_version
from stack_config.model import StrictModel
from stack_config.network import NetworkPlan
from stack_config.stack_file import SECRET_PLACEHOLDER

if TYPE_CHECKING:
    from stack_config.cluster import ClusterConfig


class MeshCaConfig(StrictModel):
    """Where the mesh's root CA comes from."""

    source: Literal["generated", "provided"]
    root_certificate: str | None = None
    root_private_key: str | None = None


class MeshConfig(StrictModel):
    """One Istio multi-primary mesh across clusters of the stack."""

    model: Literal["single", "multi"]
    clusters: list[str]
    mesh_id: str | None = None
    istio_version: str | None = None
    samples: bool | None = None
    ca: MeshCaConfig | None = None


@dataclass(frozen=True)
class MeshPlan:
    """A validated mesh: IstioMultiPrimaryArgs' own keys and the members in order."""

    members: tuple[str, ...]  # cluster names, in order: the first runs helloworld-v1, the second v2
    networks: dict[str, str]  # cluster name -> Istio network
    args: dict[str, Any]  # mesh_id, network_model, istio_version, samples, root_ca, protect_root_ca


def network_of(vpc: str) -> str:
    """A member's Istio network: its VPC, so one VPC is one network."""
    return f"vpc-{vpc}"


def plan_mesh(
    mesh: MeshConfig, clusters: Mapping[str, ClusterConfig], networks: Mapping[str, NetworkPlan], production: bool, is_secret: bool = False
) -> tuple[MeshPlan | None, list[ArgumentError]]:
    """Check the mesh (paths relative to ``ipv6-eks:mesh``) against the stack's clusters and VPCs.
    ``is_secret``: Pulumi holds ``ipv6-eks:mesh`` as a secret (it decrypted a secure value in it)."""
    errors: list[ArgumentError] = []
    names = list(mesh.clusters)
    for i, name in enumerate(names):
        if name not in clusters:
            errors.append(
                ArgumentError(
                    ("clusters", i), f"{name!r} is not a cluster of this stack", f"allowed: {', '.join(sorted(clusters)) or 'none'}"
                )
            )
        elif names.index(name) != i:
            errors.append(ArgumentError(("clusters", i), f"{name!r} is listed twice", "allowed: each cluster once"))
    if len(set(names)) < 2:
        errors.append(ArgumentError(("clusters",), f"{len(set(names))} cluster(s)", "allowed: at least two - the mesh spans clusters"))
    if errors:
        return None, errors
    vpcs = {name: clusters[name].vpc for name in names}
    if mesh.model == "single" and len(set(vpcs.values())) > 1:
        where = ", ".join(f"{n} in {v}" for n, v in vpcs.items())
        errors.append(
            ArgumentError(
                ("model",),
                f"single across VPCs ({where}): single-network pods reach each other directly, which needs one VPC",
                "allowed: multi (east-west gateways), or the clusters in one VPC",
            )
        )
    if mesh.model == "multi":
        errors += _multi_network_errors(names, vpcs, clusters, networks)
    errors += _version_errors(mesh.istio_version)
    root_ca, ca_errors = _root_ca(mesh.ca, is_secret)
    errors += ca_errors
    if mesh.mesh_id is not None and not MESH_ID.match(mesh.mesh_id):
        errors.append(ArgumentError(("mesh_id",), f"{mesh.mesh_id!r}", "allowed: lower-case letters, digits, '.' and '-'"))
    if errors:
        return None, errors
    args: dict[str, Any] = {
        "mesh_id": mesh.mesh_id or "mesh1",
        "network_model": mesh.model,
        "istio_version": mesh.istio_version or ISTIO_VERSION,
        "samples": bool(mesh.samples),
        "protect_root_ca": production,
    }
    if root_ca:
        args["root_ca"] = root_ca
    return MeshPlan(tuple(names), {n: network_of(v) for n, v in vpcs.items()}, args), []


def _multi_network_errors(
    names: list[str], vpcs: dict[str, str], clusters: Mapping[str, ClusterConfig], networks: Mapping[str, NetworkPlan]
) -> list[ArgumentError]:
    errors = []
    seen: dict[str, str] = {}
    for name in names:
        vpc = vpcs[name]
        if vpc in seen:
            errors.append(
                ArgumentError(
                    ("clusters",),
                    f"{seen[vpc]} and {name} share VPC {vpc!r} in a multi-network mesh",
                    "allowed: a VPC per member, or model single",
                )
            )
        seen.setdefault(vpc, name)
        cluster = clusters[name]
        if cluster.load_balancer_controller is None:
            errors.append(
                ArgumentError(
                    ("clusters",),
                    f"{name} has no load balancer controller to make its east-west NLB",
                    f"allowed: loadBalancerController: {{}} on cluster {name}",
                )
            )
        if cluster.endpoint_public_access is False:
            errors.append(
                ArgumentError(
                    ("clusters",),
                    f"{name} keeps its public endpoint closed, but the other members' istiod reach its API through it",
                    f"allowed: drop endpointPublicAccess false on {name} (the endpoint admits only the peers and the deployer)",
                )
            )
        network = networks.get(vpc)
        if network is None:
            continue
        subnets = [{"availability_zone": s.availability_zone, "ip_mode": s.ip_mode, "role": s.role} for s in network.plan.subnets]
        for problem in check_load_balancer("nlb", cluster.ip_family or "ipv6", "internet-facing", "dualstack", "ip", subnets):
            errors.append(
                ArgumentError(
                    ("clusters",),
                    f"VPC {vpc!r} of {name}: its east-west NLB must be dual-stack (P2), but {problem.problem}",
                    problem.allowed,
                )
            )
    return errors


def _version_errors(version: str | None) -> list[ArgumentError]:
    if version is None:
        return []
    parsed = parse_version(version)
    if parsed is None or parsed[:2] not in ((1, 30), (1, 31)) or parsed < ISTIO_VERSION_FLOOR:
        return [
            ArgumentError(
                ("istio_version",),
                f"{version!r}",
                f"allowed: 1.30.3 or a later 1.30 or 1.31 patch, e.g. {ISTIO_VERSION} (1.30.3 fixed istiod missing rotated remote secrets)",
            )
        ]
    return []


def _root_ca(ca: MeshCaConfig | None, is_secret: bool) -> tuple[dict[str, str] | None, list[ArgumentError]]:
    """A brought root: both PEMs, the key a secret - never in the stack file in plain text."""
    if ca is None or ca.source == "generated":
        if ca is not None and (ca.root_certificate or ca.root_private_key):
            return None, [ArgumentError(("ca",), "a root certificate or key with source generated", "allowed: source provided, or neither")]
        return None, []
    errors = []
    for key, armour in (("root_certificate", "CERTIFICATE"), ("root_private_key", "PRIVATE KEY")):
        value = getattr(ca, key)
        how = f"pulumi config set --secret --path 'ipv6-eks:mesh.ca.{key}' < root-{key.rsplit('_', 1)[-1]}.pem"
        if value is None:
            errors.append(ArgumentError(("ca", key), "missing for source provided", f"allowed: the PEM, e.g. {how}"))
        elif (
            value != SECRET_PLACEHOLDER
            and f"-----BEGIN {armour}" not in value
            and not (armour == "PRIVATE KEY" and "PRIVATE KEY-----" in value)
        ):
            errors.append(ArgumentError(("ca", key), "is not PEM", f"allowed: -----BEGIN {armour}----- ..."))
        elif key == "root_private_key" and value != SECRET_PLACEHOLDER and not is_secret:
            errors.append(ArgumentError(("ca", key), "is in plain text in the stack file", f"allowed: a secret only: {how}"))
    if errors:
        return None, errors
    return {"certificate_pem": ca.root_certificate or "", "private_key_pem": ca.root_private_key or ""}, []


__all__ = ["NETWORK_MODELS", "MeshConfig", "MeshPlan", "network_of", "plan_mesh"]
