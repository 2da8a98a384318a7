"""The EKS clusters of a stack: ``ipv6-eks:clusters.<name>`` - models and the checks that need the
cluster's VPC, the rest of the stack, or the deployer.

Each cluster's own rules are Ipv6EksCluster's (``check_cluster_args``), applied to the keys as
written with the subnets of the tiers they name; errors about subnets name the tier key.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from pydantic import field_validator

from ipv6_eks.eks_spec import Ipv6EksClusterArgs, check_cluster_args, open_endpoint_cidrs
from ipv6_eks.errors import ArgumentError
from ipv6_eks.lb_spec import LbControllerArgs, check_lb_controller_args, check_load_balancer, default_ip_address_type
from ipv6_eks.vpc_spec import tier_subnets
from stack_config.deployer import DeployerConfig, api_access
from stack_config.model import StrictModel
from stack_config.network import NetworkPlan
from stack_config.problems import type_name


class AccessEntryConfig(StrictModel):
    """An IAM principal's access to a cluster."""

    principal_arn: str
    policies: list[str] | None = None
    namespaces: list[str] | None = None
    kubernetes_groups: list[str] | None = None


class TaintConfig(StrictModel):
    key: str
    value: str | None = None
    effect: Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]


class NodeGroupConfig(StrictModel):
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


class LoadBalancerControllerConfig(StrictModel):
    """The AWS Load Balancer Controller in this cluster (present: installed)."""

    replicas: int | None = None


class WebSampleConfig(StrictModel):
    """An NGINX app behind an ALB (present: deployed; needs the load balancer controller)."""

    scheme: Literal["internet-facing", "internal"] | None = None
    replicas: int | None = None


class ClusterConfig(StrictModel):
    """An EKS cluster: keys mirror Ipv6EksCluster's arguments; subnets are named by VPC tier."""

    vpc: str
    kubernetes_version: Any
    ip_family: Literal["ipv6", "ipv4"] | None = None
    control_plane_tier: str = "private"
    node_tier: str = "private"
    endpoint_public_access: bool | None = None
    public_access_cidrs: list[str] | None = None
    private_access_cidrs: list[str] | None = None
    private_access_security_group_ids: list[str] | None = None
    service_ipv4_cidr: str | None = None
    authentication_mode: str | None = None
    cluster_creator_admin: bool | None = None
    access_entries: dict[str, AccessEntryConfig] | None = None
    network_policy: bool | None = None
    addon_versions: dict[str, str] | None = None
    log_retention_days: int | None = None
    protect_control_plane: bool | None = None
    load_balancer_controller: LoadBalancerControllerConfig | None = None
    web_sample: WebSampleConfig | None = None
    node_groups: dict[str, NodeGroupConfig]

    @field_validator("kubernetes_version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> str:
        if isinstance(value, str):
            return value
        raise ValueError(f'{value!r} is {type_name(value)} (YAML reads 1.30 as 1.3); allowed: a quoted version such as "1.34"')


@dataclass(frozen=True)
class ClusterPlan:
    """A validated cluster: its VPC, tiers, and Ipv6EksCluster's arguments but the VPC's ids."""

    name: str
    vpc: str
    control_plane_tier: str
    node_tier: str
    args: dict[str, Any]  # Ipv6EksClusterArgs without vpc_id and the subnets
    holds_kubernetes_resources: bool
    load_balancer_controller: dict[str, Any] | None = None  # LbControllerArgs' own keys (replicas)
    web_sample: dict[str, Any] | None = None  # WebSampleArgs' own keys (scheme, replicas)
    mesh_peers: tuple[str, ...] = ()  # members of a multi-network mesh whose egress the public endpoint admits


def plan_cluster(
    name: str,
    cluster: ClusterConfig,
    networks: Mapping[str, NetworkPlan],
    *,
    production: bool,
    region: str,
    deployer: DeployerConfig | None,
    holds_kubernetes_resources: bool,
    mesh_peers: tuple[str, ...] = (),
) -> tuple[ClusterPlan | None, list[ArgumentError]]:
    """Check a cluster against its VPC's plan, the stack and Ipv6EksCluster's own argument checks."""
    if cluster.vpc not in networks:
        return None, []  # an unknown VPC is reported by the caller, a broken one by its own checks
    network = networks[cluster.vpc]
    errors: list[ArgumentError] = []
    tiers = {t["name"] for t in network.args["tiers"]}
    for key in ("control_plane_tier", "node_tier"):
        tier = getattr(cluster, key)
        if tier not in tiers:
            errors.append(ArgumentError((key,), f"{tier!r} is not a tier of VPC {cluster.vpc!r}", f"allowed: {', '.join(sorted(tiers))}"))
    if errors:
        return None, errors
    family = cluster.ip_family or "ipv6"
    errors += _node_tier_egress(cluster, network)
    if family == "ipv6" and region.startswith("cn-"):
        errors.append(
            ArgumentError(("ip_family",), f"ipv6 in {region}; EKS has no IPv6 clusters in the China Regions", "allowed: ipv4 there (R1.8)")
        )
    errors += _service_cidr_overlaps(cluster, network, networks)
    access, access_errors = api_access(cluster, deployer, family, production=production, needed=holds_kubernetes_resources)
    errors += access_errors
    errors += cluster_admin_errors(cluster, deployer, needed=holds_kubernetes_resources)
    if mesh_peers and cluster.endpoint_public_access is not False:
        # multi-network mesh: the peers' istiod reach this API from their NAT gateways and IPv6 blocks,
        # which the composition adds to publicAccessCidrs once those exist
        access["endpoint_public_access"] = True
    if production:
        errors += _open_in_production(access)
    errors += _in_cluster_errors(cluster, family, network)
    args = cluster.model_dump(
        exclude_none=True,
        exclude={
            "vpc",
            "control_plane_tier",
            "node_tier",
            "public_access_cidrs",
            "private_access_cidrs",
            "private_access_security_group_ids",
            "load_balancer_controller",
            "web_sample",
        },
    )
    args.update(access)
    args["deletion_protection"] = production
    if production:
        args.setdefault("protect_control_plane", True)  # the control plane and its secrets key, whatever the family
    checked = {
        **args,
        # the peers' egress addresses, known once their VPCs exist, stand in here
        "public_access_cidrs": [*args.get("public_access_cidrs", []), *([MESH_PEER_EGRESS] if mesh_peers else [])],
        "vpc_id": f"{cluster.vpc}-vpc-id",
        "control_plane_subnets": tier_subnets(network.plan, cluster.control_plane_tier),
        "node_subnets": tier_subnets(network.plan, cluster.node_tier),
    }
    errors += [_tier_error(e, cluster) for e in check_cluster_args(cast(Ipv6EksClusterArgs, checked))]
    if errors:
        return None, _dedupe(errors)
    return ClusterPlan(
        name,
        cluster.vpc,
        cluster.control_plane_tier,
        cluster.node_tier,
        args,
        holds_kubernetes_resources,
        cluster.load_balancer_controller.model_dump(exclude_none=True) if cluster.load_balancer_controller else None,
        cluster.web_sample.model_dump(exclude_none=True) if cluster.web_sample else None,
        mesh_peers,
    ), []


def holds_kubernetes_resources(cluster: ClusterConfig) -> bool:
    """Whether the stack installs anything into the cluster through its API."""
    return cluster.load_balancer_controller is not None or cluster.web_sample is not None


def _in_cluster_errors(cluster: ClusterConfig, family: str, network: NetworkPlan) -> list[ArgumentError]:
    """The load balancer controller's and the web sample's keys, against the cluster and its VPC."""
    errors: list[ArgumentError] = []
    if cluster.load_balancer_controller is not None:
        placeholder = cast(
            LbControllerArgs,
            {
                **dict.fromkeys(("cluster_name", "vpc_id", "oidc_provider_arn", "oidc_issuer", "kubernetes_provider"), "planned"),
                **dict.fromkeys(("cluster_security_group_id", "node_security_group_id"), "planned"),
                "ip_family": family,
                "region": "planned",
                **cluster.load_balancer_controller.model_dump(exclude_none=True),
            },
        )
        errors += [e.under("load_balancer_controller") for e in check_lb_controller_args(placeholder)]
    sample = cluster.web_sample
    if sample is not None:
        if cluster.load_balancer_controller is None:
            errors.append(
                ArgumentError(
                    ("web_sample",),
                    "set without load_balancer_controller, which makes its ALB",
                    "allowed: add loadBalancerController: {} to the cluster",
                )
            )
        subnets = [{"availability_zone": s.availability_zone, "ip_mode": s.ip_mode, "role": s.role} for s in network.plan.subnets]
        scheme = sample.scheme or "internet-facing"
        for error in check_load_balancer("alb", family, scheme, default_ip_address_type(family), "ip", subnets):
            errors.append(ArgumentError(("web_sample", *error.path), error.problem, error.allowed))
    return errors


ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"
MESH_PEER_EGRESS = object()  # a peer's egress CIDR: an output, so validation skips it


def cluster_admin_errors(cluster: ClusterConfig, deployer: DeployerConfig | None, *, needed: bool) -> list[ArgumentError]:
    """Who is cluster admin is a choice the stack states (``clusterCreatorAdmin``), and the
    duplicates EKS refuses at deploy time (ResourceInUseException) are refused here first."""
    creator_admin = cluster.cluster_creator_admin is not False
    principal = deployer.principal_arn if deployer else None
    entries = cluster.access_entries or {}
    if creator_admin and principal:
        for name, entry in entries.items():
            if _same_principal(entry.principal_arn, principal):
                return [
                    ArgumentError(
                        ("access_entries", name, "principal_arn"),
                        f"{entry.principal_arn} is the deployer (ipv6-eks:deployer.principalArn), which EKS already made cluster admin "
                        "as the creator; a second access entry for it fails with ResourceInUseException",
                        "allowed: drop this entry, or clusterCreatorAdmin false and keep it",
                    )
                ]
    if not creator_admin and needed:
        admin = [
            name
            for name, entry in entries.items()
            if principal
            and _same_principal(entry.principal_arn, principal)
            and ADMIN_POLICY in [p.split("/")[-1] for p in entry.policies or [ADMIN_POLICY]]
        ]
        if not admin:
            return [
                ArgumentError(
                    ("cluster_creator_admin",),
                    "false, so nobody is cluster admin unless an access entry says so, and no access entry gives the deployer "
                    f"(ipv6-eks:deployer.principalArn: {principal or 'not set'}) {ADMIN_POLICY}; pulumi up could not install "
                    "the cluster's Kubernetes resources",
                    "allowed: true, or set ipv6-eks:deployer.principalArn and an access entry for it",
                )
            ]
    return []


def _same_principal(a: str, b: str) -> bool:
    """IAM ARNs of one principal: EKS keys entries by the principal, whatever the path in the ARN."""

    def key(arn: str) -> tuple[str, str, str]:
        parts = arn.split(":", 5)
        resource = parts[5] if len(parts) == 6 else arn
        kind, _, rest = resource.partition("/")
        return (parts[4] if len(parts) == 6 else "", kind, rest.rsplit("/", 1)[-1])

    return key(a) == key(b)


def _node_tier_egress(cluster: ClusterConfig, network: NetworkPlan) -> list[ArgumentError]:
    routes = network.plan.routes[cluster.node_tier]
    node_tier = next(t for t in network.args["tiers"] if t["name"] == cluster.node_tier)
    private_ipv4 = node_tier["role"] == "private" and node_tier.get("ip_mode", "dualstack") != "ipv6-only"
    if private_ipv4 and not any(r.destination == "0.0.0.0/0" for r in routes):
        return [
            ArgumentError(
                ("node_tier",),
                f"tier {cluster.node_tier!r} has no IPv4 route out, so nodes cannot reach ECR, STS or EC2 and never join",
                "allowed: a private tier with a NAT gateway (natGateways single or per-az) (R3.6, R1.16)",
            )
        ]
    return []


def _service_cidr_overlaps(cluster: ClusterConfig, network: NetworkPlan, networks: Mapping[str, NetworkPlan]) -> list[ArgumentError]:
    """EKS refuses a service range that overlaps the cluster's VPC; one overlapping another VPC of
    the stack breaks the day the VPCs are peered (the mesh, a shared service)."""
    if cluster.service_ipv4_cidr is None or (cluster.ip_family or "ipv6") != "ipv4":
        return []
    try:
        services = ipaddress.IPv4Network(cluster.service_ipv4_cidr)
    except ValueError:
        return []  # reported by check_cluster_args
    for vpc_name in (cluster.vpc, *sorted(set(networks) - {cluster.vpc})):
        vpc = ipaddress.IPv4Network(networks[vpc_name].args["ipv4_cidr"], strict=False)
        if services.overlaps(vpc):
            whose = "the cluster's VPC" if vpc_name == cluster.vpc else f"VPC {vpc_name!r} of this stack"
            return [
                ArgumentError(
                    ("service_ipv4_cidr",),
                    f"{services} overlaps {vpc} of {whose}; EKS refuses a service range inside the VPC's addresses",
                    "allowed: a private /12../24 outside every VPC of the stack, e.g. 172.20.0.0/16",
                )
            ]
    return []


def _open_in_production(access: dict[str, Any]) -> list[ArgumentError]:
    """Production never opens an endpoint to 0.0.0.0/0 or ::/0 (R7.1)."""
    errors = []
    public = open_endpoint_cidrs([c for c in access.get("public_access_cidrs", []) if isinstance(c, str)])
    if public and access.get("endpoint_public_access"):
        errors.append(
            ArgumentError(
                ("public_access_cidrs",),
                f"{', '.join(public)} opens a production API endpoint to the internet",
                "allowed: the CIDRs that need the API, or endpoint_public_access false (R7.1)",
            )
        )
    private = open_endpoint_cidrs(access.get("private_access_cidrs", []))
    if private:
        errors.append(
            ArgumentError(
                ("private_access_cidrs",),
                f"{', '.join(private)} opens a production API endpoint to every network that can route to it",
                "allowed: the CIDRs of the bastions, VPNs and runners that need the API (R7.1)",
            )
        )
    return errors


def _tier_error(error: ArgumentError, cluster: ClusterConfig) -> ArgumentError:
    """Errors about subnets name the tier key of the stack file, and say which tier."""
    key = {"control_plane_subnets": "control_plane_tier", "node_subnets": "node_tier"}.get(str(error.path[0]) if error.path else "")
    if key is None:
        return error
    return ArgumentError((key,), f"tier {getattr(cluster, key)!r}: {error.problem}", error.allowed)


def _dedupe(errors: list[ArgumentError]) -> list[ArgumentError]:
    seen, out = set(), []
    for error in errors:
        if error.render() not in seen:
            seen.add(error.render())
            out.append(error)
    return out
