"""IstioMultiPrimary's arguments and every document it hands to Kubernetes - plain data, no Pulumi.

One mesh of N clusters of either IP family, on one network (a shared VPC, pods reach each other
directly) or several (separate VPCs, traffic through east-west gateways behind dual-stack NLBs).
The checklist items M1-M39 and pitfalls P1-P17 of the project's Istio reference
(``istio-multicluster.md``) are cited where a value exists because of them.
"""

import re
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s
import yaml

from .errors import ArgumentError
from .lb_spec import LoadBalancerSubnetArgs

# Istio 1.31.1 (2026-09-21): 1.31 is supported until six weeks after 1.33; never below 1.30.3,
# which fixed istiod missing rotated remote secrets (istio/istio#60612).
ISTIO_VERSION = "1.31.1"
ISTIO_VERSION_FLOOR = (1, 30, 3)
ISTIO_MINORS = ((1, 30), (1, 31))  # the chart keys used here are those of 1.30 and 1.31
ISTIO_REPOSITORY = "https://istio-release.storage.googleapis.com/charts"
NAMESPACE = "istio-system"
READER_SERVICE_ACCOUNT = "istio-reader-service-account"  # made by the base chart
READER_TOKEN_SECRET = f"{READER_SERVICE_ACCOUNT}-istio-remote-secret-token"  # M30, as istioctl names it
REMOTE_SECRET_PREFIX = "istio-remote-secret-"  # M29
MULTICLUSTER_LABEL = "istio/multiCluster"
CLUSTER_ANNOTATION = "networking.istio.io/cluster"
NETWORK_LABEL = "topology.istio.io/network"
EAST_WEST_GATEWAY = "istio-eastwestgateway"
EAST_WEST_SELECTOR = {"istio": "eastwestgateway"}  # M25
CROSS_NETWORK_PORT = 15443  # M26, M27
CACERTS_KEYS = ("ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem")  # M3
NETWORK_MODELS = ("single", "multi")
NAME = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
MESH_ID = re.compile(r"^[a-z0-9][a-z0-9.-]{0,62}$")
# P3: IPv6 pods' Envoy binds only [::]:15001; this adds 0.0.0.0:15001 so captured IPv4 traffic works.
IPV4_OUTBOUND_LISTENER = "ISTIO_ENABLE_IPV4_OUTBOUND_LISTENER_FOR_IPV6_CLUSTERS"
DUAL_STACK_FLAG = "ISTIO_DUAL_STACK"  # P5: for dual-stack Kubernetes; EKS clusters are single-stack


class MeshMemberArgs(TypedDict):
    """A cluster of the mesh, as plain values - the mesh does not need the cluster's component."""

    name: str
    """The cluster's name in the mesh (``global.multiCluster.clusterName``); distinct per member."""
    ip_family: str
    """``ipv6`` or ``ipv4``."""
    network: str
    """The member's Istio network: one for every member of a single-network mesh, one per VPC otherwise."""
    endpoint: pulumi.Input[str]
    """The cluster's API server URL, written into the other members' remote secrets."""
    certificate_authority: pulumi.Input[str]
    """The cluster's CA certificate, base64 PEM as EKS returns it."""
    kubernetes_provider: k8s.Provider
    """The cluster's ``kubernetes.Provider``: everything in this cluster is created through it."""
    node_security_group_id: pulumi.Input[str]
    """The security group on the cluster's nodes (and so its pods)."""
    cluster_security_group_id: pulumi.Input[str]
    """The security group on the control plane's interfaces (the private API endpoint)."""
    egress_cidrs: NotRequired[pulumi.Input[list[str]]]
    """Where the member's traffic to the internet comes from - its NAT gateways' public IPv4 /32s
    and its VPC's IPv6 block: the other members' east-west gateways admit exactly these
    (required in a multi-network mesh)."""
    load_balancer_subnets: NotRequired[list[LoadBalancerSubnetArgs]]
    """The member VPC's subnets (multi-network): its east-west NLB is checked against them (R4.7, P2)."""
    depends_on: NotRequired[list[Any]]
    """What must be up in the cluster first (its load balancer controller, for the east-west NLB)."""


class RootCaArgs(TypedDict):
    """A root CA kept outside Pulumi's state: the team brings its certificate and key (secrets)."""

    certificate_pem: pulumi.Input[str]
    """The root certificate, PEM."""
    private_key_pem: pulumi.Input[str]
    """The root's private key, PEM - a Pulumi secret."""


class IstioMultiPrimaryArgs(TypedDict):
    """Arguments of ``IstioMultiPrimary``."""

    mesh_id: str
    """The mesh's ``global.meshID``, the same in every member (M19)."""
    network_model: str
    """``single`` (one VPC, pods reach each other directly) or ``multi`` (east-west gateways, M23-M27)."""
    members: list[MeshMemberArgs]
    """Two or more clusters, of either IP family."""
    istio_version: NotRequired[str]
    """Istio chart version (default 1.31.1; 1.30.3 or later)."""
    samples: NotRequired[bool]
    """Deploy helloworld v1 in the first member, v2 in the second, and sleep in all (M32-M34)."""
    root_ca: NotRequired[RootCaArgs]
    """Bring the root CA instead of generating one in Pulumi's state."""
    protect_root_ca: NotRequired[bool]
    """Pulumi ``protect`` on a generated root CA's key and certificate (default false)."""


def parse_version(version: str) -> tuple[int, int, int] | None:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version) if isinstance(version, str) else None
    return tuple(int(part) for part in match.groups()) if match else None  # type: ignore[return-value]


def check_mesh_args(args: IstioMultiPrimaryArgs) -> list[ArgumentError]:
    """Every problem with ``args``, before anything is registered."""
    errors = []
    for key in ("mesh_id", "network_model", "members"):
        if key not in args:
            errors.append(ArgumentError((key,), "missing", "allowed: this argument is required"))
    if errors:
        return errors
    if not isinstance(args["mesh_id"], str) or not MESH_ID.match(args["mesh_id"]):
        errors.append(ArgumentError(("mesh_id",), f"{args['mesh_id']!r}", "allowed: lower-case letters, digits, '.' and '-'"))
    model = args["network_model"]
    if model not in NETWORK_MODELS:
        errors.append(ArgumentError(("network_model",), f"{model!r}", "allowed: single or multi"))
    members = args["members"]
    if not isinstance(members, list) or len(members) < 2:
        count = len(members) if isinstance(members, list) else 0
        errors.append(ArgumentError(("members",), f"{count} member(s)", "allowed: at least two clusters - one mesh across them"))
        return errors
    names = [m.get("name") for m in members]
    for i, member in enumerate(members):
        name = member.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            errors.append(ArgumentError(("members", i, "name"), f"{name!r}", "allowed: lower-case letters, digits and '-'"))
        elif names.index(name) != i:
            errors.append(
                ArgumentError(("members", i, "name"), f"{name!r} is already a member", "allowed: a distinct clusterName per cluster (M19)")
            )
        if member.get("ip_family") not in ("ipv6", "ipv4"):
            errors.append(ArgumentError(("members", i, "ip_family"), f"{member.get('ip_family')!r}", "allowed: ipv6 or ipv4"))
        if not isinstance(member.get("network"), str) or not NAME.match(member.get("network", "")):
            errors.append(ArgumentError(("members", i, "network"), f"{member.get('network')!r}", "allowed: a network name"))
    networks = {m.get("network") for m in members}
    if model == "single" and len(networks) > 1:
        errors.append(
            ArgumentError(
                ("members",), f"networks {', '.join(sorted(map(str, networks)))} in a single-network mesh", "allowed: one network for all"
            )
        )
    if model == "multi" and len(networks) < len(members):
        errors.append(
            ArgumentError(
                ("members",),
                "two members share a network in a multi-network mesh",
                "allowed: a network per member (per VPC), or model single",
            )
        )
    if model == "multi":
        for i, member in enumerate(members):
            if not member.get("egress_cidrs"):
                errors.append(
                    ArgumentError(
                        ("members", i, "egress_cidrs"),
                        "missing in a multi-network mesh, so no peer's east-west gateway could admit this member",
                        "allowed: its NAT gateways' public /32s and its VPC's IPv6 block",
                    )
                )
    version = args.get("istio_version", ISTIO_VERSION)
    parsed = parse_version(version)
    if parsed is None or parsed[:2] not in ISTIO_MINORS or parsed < ISTIO_VERSION_FLOOR:
        errors.append(
            ArgumentError(
                ("istio_version",),
                f"{version!r}",
                "allowed: 1.30.3 or a later 1.30 or 1.31 patch (1.30.3 fixed istiod missing rotated remote secrets)",
            )
        )
    return errors


# ---------------------------------------------------------------------------------------------
# Helm values


def base_values() -> dict[str, Any]:
    """The ``base`` chart: the validation webhook starts as Fail, so it never flips (lbc-istio-addons 3.3)."""
    return {"base": {"validationFailurePolicy": "Fail"}}


def istiod_values(mesh_id: str, cluster_name: str, network: str, ip_family: str) -> dict[str, Any]:
    """The ``istiod`` chart for one member (M19): one meshID, its own clusterName and network."""
    env = {IPV4_OUTBOUND_LISTENER: "true"} if ip_family == "ipv6" else {}  # P3; strings, never booleans (P17)
    return {
        "global": {"meshID": mesh_id, "multiCluster": {"clusterName": cluster_name}, "network": network},
        "base": {"validationFailurePolicy": "Fail"},
        "env": env,
        # Two istiods behind a PodDisruptionBudget (the chart renders one only above one replica).
        "autoscaleMin": 2,
    }


def east_west_values(network: str, annotations: dict[str, str], source_ranges: list[Any]) -> dict[str, Any]:
    """The ``gateway`` chart as the member's east-west gateway (M23-M26): ``networkGateway`` labels
    the Service and pods with the network, sets ISTIO_META_REQUESTED_NETWORK_VIEW and exposes
    15021/15443/15012/15017; the controller makes it an NLB (annotations from LbController's helper),
    open only to ``source_ranges``."""
    return {
        "name": EAST_WEST_GATEWAY,
        "labels": {**EAST_WEST_SELECTOR, "app": EAST_WEST_GATEWAY},
        "networkGateway": network,
        "service": {
            "type": "LoadBalancer",
            "loadBalancerClass": "service.k8s.aws/nlb",
            "annotations": annotations,
            "loadBalancerSourceRanges": source_ranges,
        },
        "autoscaling": {"minReplicas": 2},
    }


# ---------------------------------------------------------------------------------------------
# Kubernetes documents


def cacerts_data(intermediate_cert_pem: str, intermediate_key_pem: str, root_cert_pem: str) -> dict[str, str]:
    """``istio-system/cacerts``: exactly the four keys of M3, the chain intermediate-then-root."""
    chain = intermediate_cert_pem.rstrip("\n") + "\n" + root_cert_pem
    return {
        "ca-cert.pem": intermediate_cert_pem,
        "ca-key.pem": intermediate_key_pem,
        "root-cert.pem": root_cert_pem,
        "cert-chain.pem": chain,
    }


def remote_kubeconfig(cluster_name: str, server: str, certificate_authority_data: str, token: str) -> str:
    """The kubeconfig istiod of another member uses to watch this one (M29): a token, as
    ``istioctl create-remote-secret`` writes it - never ``exec``, which istiod refuses by default."""
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": cluster_name, "cluster": {"certificate-authority-data": certificate_authority_data, "server": server}}],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "current-context": cluster_name,
            "preferences": {},
            "users": [{"name": cluster_name, "user": {"token": token}}],
        },
        sort_keys=False,
    )


def remote_secret_metadata(cluster_name: str) -> dict[str, Any]:
    """Name, label and annotation istiod finds a remote cluster's secret by (M29)."""
    return {
        "name": f"{REMOTE_SECRET_PREFIX}{cluster_name}",
        "namespace": NAMESPACE,
        "labels": {MULTICLUSTER_LABEL: "true"},
        "annotations": {CLUSTER_ANNOTATION: cluster_name},
    }


def cross_network_gateway() -> dict[str, Any]:
    """The Gateway on 15443 with AUTO_PASSTHROUGH for ``*.local`` (M27, samples/multicluster/expose-services.yaml)."""
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "cross-network-gateway", "namespace": NAMESPACE},
        "spec": {
            "selector": dict(EAST_WEST_SELECTOR),
            "servers": [
                {
                    "port": {"number": CROSS_NETWORK_PORT, "name": "tls", "protocol": "TLS"},
                    "tls": {"mode": "AUTO_PASSTHROUGH"},
                    "hosts": ["*.local"],
                }
            ],
        },
    }
