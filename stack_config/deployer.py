"""How ``pulumi up`` reaches each cluster's API: ``ipv6-eks:deployer``, and every cluster's access keys.

Once a stack holds Kubernetes resources (the load balancer controller, the mesh), ``pulumi up``
talks to every cluster's API server from wherever it runs. The stack says where that is, once:

* ``endpoint: public`` - a laptop or a hosted CI runner: its egress ``cidrs`` are added to each
  cluster's public endpoint allow-list (``publicAccessCidrs``), which is opened for it;
* ``endpoint: private`` - a runner inside a VPC, a bastion, a VPN: its ``cidrs`` and
  ``securityGroupIds`` get TCP 443 on each cluster's security group (the private endpoint).

A cluster holding Kubernetes resources that the deployer cannot reach is a configuration error,
not a twenty-minute timeout in the middle of ``pulumi up``.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any, Literal

from ipv6_eks.errors import ArgumentError
from stack_config.model import StrictModel

if TYPE_CHECKING:
    from stack_config.cluster import ClusterConfig


class DeployerConfig(StrictModel):
    """Where ``pulumi up`` runs, as the clusters' API endpoints see it."""

    endpoint: Literal["public", "private"]
    cidrs: list[str] | None = None
    security_group_ids: list[str] | None = None
    principal_arn: str | None = None


def check_deployer(deployer: DeployerConfig, production: bool) -> list[ArgumentError]:
    """The deployer's own keys (paths relative to ``ipv6-eks:deployer``)."""
    errors = []
    for i, cidr in enumerate(deployer.cidrs or []):
        try:
            network = ipaddress.ip_network(cidr)
        except ValueError as exc:
            errors.append(ArgumentError(("cidrs", i), f"{cidr!r} is not a network ({exc})", "allowed: IPv4 or IPv6 CIDRs"))
            continue
        if production and network.prefixlen == 0:
            errors.append(
                ArgumentError(
                    ("cidrs", i),
                    f"{cidr} would open every production API endpoint to the internet",
                    "allowed: the deployer's own egress addresses (R7.1)",
                )
            )
    if deployer.endpoint == "public":
        if not deployer.cidrs:
            errors.append(
                ArgumentError(
                    ("cidrs",),
                    "missing for a deployer that reaches the public endpoints",
                    "allowed: the egress CIDRs of the machines that run pulumi up, e.g. [198.51.100.7/32]",
                )
            )
        if deployer.security_group_ids:
            errors.append(
                ArgumentError(
                    ("security_group_ids",),
                    "set for a deployer that reaches the public endpoints, where security groups do not apply",
                    "allowed: nothing, or endpoint private",
                )
            )
    elif not deployer.cidrs and not deployer.security_group_ids:
        errors.append(
            ArgumentError(
                ("cidrs",),
                "neither cidrs nor securityGroupIds for a deployer that reaches the private endpoints",
                "allowed: the runner's CIDRs (IPv4 or IPv6) and/or its security group ids",
            )
        )
    return errors


def api_access(
    cluster: ClusterConfig, deployer: DeployerConfig | None, family: str, *, production: bool, needed: bool
) -> tuple[dict[str, Any], list[ArgumentError]]:
    """Ipv6EksCluster's endpoint arguments for ``cluster``: its own keys plus the deployer's
    addresses, and the errors when a cluster that holds Kubernetes resources would not admit it."""
    public = list(cluster.public_access_cidrs or [])
    private = list(cluster.private_access_cidrs or [])
    groups = list(cluster.private_access_security_group_ids or [])
    endpoint_public = cluster.endpoint_public_access
    errors: list[ArgumentError] = []
    if deployer is None:
        pass  # a stack without a deployer: see unreachable_clusters
    elif deployer.endpoint == "public":
        usable = [c for c in deployer.cidrs or [] if family == "ipv6" or _version(c) != 6]
        if endpoint_public is False and needed:
            errors.append(
                ArgumentError(
                    ("endpoint_public_access",),
                    "false, but ipv6-eks:deployer reaches the clusters through their public endpoints and this cluster "
                    "holds Kubernetes resources",
                    "allowed: true (the deployer's cidrs are added to publicAccessCidrs), or a private deployer",
                )
            )
        elif needed and deployer.cidrs and not usable:
            errors.append(
                ArgumentError(
                    ("endpoint_public_access",),
                    "the deployer's cidrs are all IPv6, but the public endpoint of an IPv4 cluster is IPv4-only",
                    "allowed: add the deployer's IPv4 egress CIDRs to ipv6-eks:deployer.cidrs",
                )
            )
        elif endpoint_public is not False:
            endpoint_public = True
            public += [c for c in usable if c not in public]
    else:
        private += [c for c in deployer.cidrs or [] if c not in private]
        groups += [g for g in deployer.security_group_ids or [] if g not in groups]
    access: dict[str, Any] = {}
    if endpoint_public is not None:
        access["endpoint_public_access"] = endpoint_public
    if public:
        access["public_access_cidrs"] = public
    if private:
        access["private_access_cidrs"] = private
    if groups:
        access["private_access_security_group_ids"] = groups
    return access, errors


def _version(cidr: str) -> int | None:
    try:
        return ipaddress.ip_network(cidr, strict=False).version
    except ValueError:
        return None


def declares_a_way_in(cluster: ClusterConfig) -> bool:
    """Whether a cluster's own keys admit anyone to its API besides its nodes."""
    public = bool(cluster.endpoint_public_access and cluster.public_access_cidrs)
    return public or bool(cluster.private_access_cidrs) or bool(cluster.private_access_security_group_ids)


def unreachable_clusters_error(names: list[str]) -> ArgumentError:
    """The one line for a stack that installs into clusters ``pulumi up`` has no declared way to reach."""
    return ArgumentError(
        ("deployer",),
        f"missing, and cluster(s) {', '.join(names)} hold Kubernetes resources that pulumi up installs through "
        "their API, which admits nothing but their nodes",
        "allowed: ipv6-eks:deployer {endpoint: public, cidrs: [...]} or {endpoint: private, cidrs/securityGroupIds: [...]}, "
        "or publicAccessCidrs / privateAccessCidrs on each of those clusters",
    )
