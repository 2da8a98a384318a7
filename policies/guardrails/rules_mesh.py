"""Istio multi-primary across EKS clusters: M1-M31 and pitfalls P2, P3, P5 of the project's Istio
reference (istio-multicluster.md), on Helm releases of Istio's charts (``base``, ``istiod``,
``gateway``) and the Secrets a mesh needs - any team's, not only IstioMultiPrimary's.

A Kubernetes object's cluster comes from its provider (see ``graph``); objects whose cluster the
graph cannot tell apart are grouped by provider. Values not known yet are skipped.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import os
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import yaml

from .facts import NLB_IP_ADDRESS_TYPE, NLB_SCHEME, NLB_TARGET_TYPE
from .framework import ADVISORY, MANDATORY, Rule, stack_policy
from .graph import EKS_CLUSTER, EKS_COMPONENT, HELM_RELEASE, Graph, Node
from .props import UNKNOWN, as_list, get, tags_of, truthy

SECRET = "kubernetes:core/v1:Secret"
SELF_SIGNED_CERT = "tls:index/selfSignedCert:SelfSignedCert"
ISTIO_NAMESPACE = "istio-system"
CACERTS_KEYS = {"ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"}
REMOTE_LABEL = "istio/multiCluster"
CLUSTER_ANNOTATION = "networking.istio.io/cluster"
VERSION_FLOOR = (1, 30, 3)
PRODUCTION_SCHEMA = {
    "productionStacks": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["prod"],
        "description": "Stacks where no API endpoint or east-west gateway may be open to 0.0.0.0/0 or ::/0.",
    }
}


def istio_releases(graph: Graph, chart: str) -> list[Node]:
    return [r for r in graph.of_type(HELM_RELEASE) if isinstance(r.get("chart"), str) and r.get("chart").rsplit("/", 1)[-1] == chart]


def values_of(release: Node) -> dict[str, Any] | Any:
    values = release.get("values", default={})
    return values if isinstance(values, dict) or values is UNKNOWN else {}


def cluster_key(graph: Graph, node: Node) -> Any:
    """Which cluster a Kubernetes object is in - its cluster, else its provider."""
    cluster = graph.cluster_of_kubernetes_object(node)
    return id(cluster) if cluster is not None else (node.provider or "")


def _meshed_istiods(graph: Graph) -> list[tuple[Node, dict[str, Any]]]:
    return [(r, v) for r in istio_releases(graph, "istiod") if isinstance(v := values_of(r), dict)]


# -- M19 -------------------------------------------------------------------------------------------

M19 = Rule("mesh-one-mesh-id", "M19", "Every istiod of a mesh has the same meshID and its own clusterName", MANDATORY)


def check_mesh_id(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    istiods = _meshed_istiods(graph)
    if len(istiods) < 2:
        return
    mesh_ids = {get(v, "global", "meshID") for _, v in istiods}
    if UNKNOWN not in mesh_ids and len(mesh_ids) > 1:
        for release, values in istiods:
            yield (
                release,
                f"has meshID {get(values, 'global', 'meshID')!r}, but the mesh's istiods use {sorted(map(str, mesh_ids))}",
                "give every member one meshID",
            )
    # every istiod sharing its clusterName with another is named, whatever the order they come in
    by_name: dict[Any, list[Node]] = defaultdict(list)
    for release, values in istiods:
        name = get(values, "global", "multiCluster", "clusterName")
        if name is UNKNOWN:
            continue
        if name in (None, ""):
            yield (
                release,
                "has no global.multiCluster.clusterName, so the members cannot tell each other apart",
                "set a distinct clusterName per cluster",
            )
        else:
            by_name[name].append(release)
    for name, releases in by_name.items():
        for release in releases if len(releases) > 1 else []:
            others = ", ".join(f"'{r.name}'" for r in releases if r is not release)
            yield (
                release,
                f"has clusterName {name!r} like {others}; istiod ignores a remote secret for its own name",
                "give each cluster its own clusterName",
            )


# -- M29-M31 ---------------------------------------------------------------------------------------

M29 = Rule("mesh-remote-secrets", "M29", "Every cluster holds a remote secret for each other cluster and none for itself", MANDATORY)


def remote_secrets(graph: Graph) -> list[Node]:
    return [s for s in graph.of_type(SECRET) if tags_of(s.type, s.props).get(REMOTE_LABEL) == "true"]


def secret_entries(secret: Node) -> dict[str, Any] | Any:
    """A Secret's entries as text: ``stringData`` as given, ``data`` base64-decoded; ``UNKNOWN`` when not known."""
    entries: dict[str, Any] = {}
    for key in ("data", "stringData"):
        values = secret.get(key)
        if values is UNKNOWN:
            return UNKNOWN
        if isinstance(values, dict):
            for name, value in values.items():
                if value is not UNKNOWN and key == "data" and isinstance(value, str):
                    with contextlib.suppress(ValueError):
                        value = base64.b64decode(value).decode()
                entries[name] = value
    return entries


def check_remote_secrets(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    istiods = [(r, get(v, "global", "multiCluster", "clusterName")) for r, v in _meshed_istiods(graph)]
    if len(istiods) < 2 or any(not isinstance(name, str) or not name for _, name in istiods):
        return  # not a multi-cluster mesh, or its members are not known yet
    held: dict[Any, list[Node]] = defaultdict(list)
    for secret in remote_secrets(graph):
        held[cluster_key(graph, secret)].append(secret)
    for release, own in istiods:
        secrets = held.get(cluster_key(graph, release), [])
        described: set[str] = set()
        unknown = False
        for secret in secrets:
            entries = secret_entries(secret)
            annotation = tags_of(secret.type, secret.props).get(CLUSTER_ANNOTATION)
            if entries is UNKNOWN:
                unknown = True
                continue
            for key in entries:
                if key == own:
                    yield (
                        secret,
                        f"describes {own!r}, the cluster it is in; istiod skips a remote secret for itself (M31)",
                        f"delete it from cluster {own!r}",
                    )
                else:
                    described.add(key)
                    if annotation not in (None, key):
                        yield (
                            secret,
                            f"is annotated {CLUSTER_ANNOTATION}={annotation!r} but describes {key!r}",
                            "annotate it with the cluster it describes",
                        )
        missing = sorted({name for _, name in istiods if name != own} - described)
        if missing and not unknown:
            yield (
                release,
                f"runs istiod for {own!r} but its cluster holds no remote secret for {', '.join(missing)}, so it never sees their endpoints",
                "create istio-remote-secret-<cluster> (label istio/multiCluster=true) in istio-system for each other member",
            )


M29_AUTH = Rule("mesh-remote-secret-auth", "M29", "Remote secrets carry a token kubeconfig, never exec or file credentials", MANDATORY)
REFUSED_USER_KEYS = ("exec", "tokenFile", "client-key", "client-certificate")


def check_remote_secret_auth(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for secret in remote_secrets(graph):
        entries = secret_entries(secret)
        if entries is UNKNOWN:
            continue
        for key, text in entries.items():
            if not isinstance(text, str):
                continue
            try:
                kubeconfig = yaml.safe_load(text)
            except yaml.YAMLError:
                yield secret, f"holds for {key!r} a kubeconfig that is not YAML", "write a kubeconfig with a service-account token"
                continue
            for user in as_list(get(kubeconfig, "users")) or []:
                credentials = user.get("user") if isinstance(user, dict) else None
                if not isinstance(credentials, dict):
                    continue
                refused = [k for k in REFUSED_USER_KEYS if k in credentials]
                provider = get(credentials, "auth-provider", "name")
                if provider not in (None, "oidc"):
                    refused.append(f"auth-provider {provider}")
                if refused:
                    yield (
                        secret,
                        f"gives istiod {', '.join(refused)} credentials for {key!r}; istiod refuses them unless "
                        "PILOT_INSECURE_MULTICLUSTER_KUBECONFIG_OPTIONS allows them",
                        "use the istio-reader-service-account's token, as istioctl create-remote-secret does",
                    )


# -- M1-M3 ---------------------------------------------------------------------------------------

M3 = Rule("mesh-cacerts-one-root", "M3", "Every cluster's cacerts has the four keys and chains to one root", MANDATORY)


def cacerts_secrets(graph: Graph) -> list[Node]:
    return [
        s
        for s in graph.of_type(SECRET)
        if s.get("metadata", "name") == "cacerts" and s.get("metadata", "namespace") in (ISTIO_NAMESPACE, UNKNOWN)
    ]


def check_cacerts(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    secrets = cacerts_secrets(graph)
    roots: dict[str, list[Node]] = defaultdict(list)
    for secret in secrets:
        entries = secret_entries(secret)
        for root in graph.deps(secret, "stringData", SELF_SIGNED_CERT) + graph.deps(secret, "data", SELF_SIGNED_CERT):
            roots[f"resource {root.name}"].append(secret)
        if entries is UNKNOWN:
            continue
        keys = set(entries)
        if keys != CACERTS_KEYS:
            missing, extra = sorted(CACERTS_KEYS - keys), sorted(keys - CACERTS_KEYS)
            detail = "; ".join(
                part for part in (f"missing {', '.join(missing)}" if missing else "", f"extra {', '.join(extra)}" if extra else "") if part
            )
            yield (
                secret,
                f"is istiod's plug-in CA but {detail}",
                "give it exactly ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem",
            )
        root, chain, cert = entries.get("root-cert.pem"), entries.get("cert-chain.pem"), entries.get("ca-cert.pem")
        if all(isinstance(v, str) for v in (root, chain, cert)):
            roots[f"certificate {root.strip()[-40:]}"].append(secret)
            if not (chain.strip().startswith(cert.strip()) and chain.strip().endswith(root.strip())):
                yield (
                    secret,
                    "has a cert-chain.pem that is not its ca-cert.pem followed by its root-cert.pem",
                    "set cert-chain.pem to the intermediate then the root",
                )
    kinds = defaultdict(set)
    for label in roots:
        kinds[label.split(" ", 1)[0]].add(label)
    for labels in kinds.values():
        if len(labels) > 1:
            for label in sorted(labels):
                for secret in roots[label]:
                    yield (
                        secret,
                        f"chains to another root ({label}) than the other clusters' cacerts, so their workloads do not trust each other",
                        "sign every cluster's intermediate with one root",
                    )


# -- P2, M14-M16 -----------------------------------------------------------------------------------

P2 = Rule("mesh-east-west-dualstack", "P2", "East-west gateways sit behind internet-facing dual-stack NLBs with IP targets", MANDATORY)


def east_west_gateways(graph: Graph) -> list[tuple[Node, dict[str, Any]]]:
    found = []
    for release in istio_releases(graph, "gateway"):
        values = values_of(release)
        if isinstance(values, dict) and values.get("networkGateway") not in (None, "", UNKNOWN):
            found.append((release, values))
    return found


def check_east_west(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for release, values in east_west_gateways(graph):
        service = values.get("service") if isinstance(values.get("service"), dict) else {}
        annotations = (
            {**(values.get("annotations") or {}), **(service.get("annotations") or {})}
            if isinstance(service.get("annotations", {}), dict)
            else UNKNOWN
        )
        if annotations is UNKNOWN:
            continue
        wanted = {NLB_IP_ADDRESS_TYPE: "dualstack", NLB_TARGET_TYPE: "ip", NLB_SCHEME: "internet-facing"}
        for key, value in wanted.items():
            found = annotations.get(key)
            if found is not UNKNOWN and found != value:
                yield (
                    release,
                    f"is an east-west gateway with {key} {found or 'unset'}; IPv6-only proxies of the other network then see no endpoint through it",
                    f"set service.annotations {key}: {value} (made by LbController's NLB helper)",
                )


# -- production: nothing open to the world ------------------------------------------------------------

CLOSED = Rule(
    "no-world-open-endpoints-in-production", "R7.1", "Production API endpoints and east-west gateways admit named networks only", MANDATORY
)


def _production(config: dict[str, Any]) -> bool:
    """The stack being analysed is a production one: the CLI names it in PULUMI_STACK, as it does for
    every analyzer; without configuration the schema's default (``prod``) applies."""
    stacks = config.get("productionStacks", PRODUCTION_SCHEMA["productionStacks"]["default"])
    return os.environ.get("PULUMI_STACK", "") in (stacks or [])


def _open(cidrs: Any) -> list[str]:
    found = []
    for cidr in as_list(cidrs) or []:
        try:
            if isinstance(cidr, str) and ipaddress.ip_network(cidr, strict=False).prefixlen == 0:
                found.append(cidr)
        except ValueError:
            continue
    return found


def check_closed_in_production(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    if not _production(config):
        return
    for release, values in east_west_gateways(graph):
        ranges = get(values, "service", "loadBalancerSourceRanges")
        if ranges is UNKNOWN:
            continue
        if not as_list(ranges):
            yield (
                release,
                "admits every address on 15443 (no loadBalancerSourceRanges: the NLB's default is 0.0.0.0/0 and ::/0)",
                "admit the other members' egress addresses only",
            )
        elif opened := _open(ranges):
            yield release, f"admits {', '.join(opened)} on 15443", "admit the other members' egress addresses only"
    for cluster in graph.of_type(EKS_CLUSTER):
        config_ = cluster.get("vpcConfig", default={})
        if config_ is UNKNOWN or truthy(get(config_, "endpointPublicAccess", default=True)) is not True:
            continue
        cidrs = get(config_, "publicAccessCidrs")
        if cidrs is UNKNOWN:
            continue
        if not as_list(cidrs) or _open(cidrs):
            yield (
                cluster,
                f"opens its public API endpoint to {', '.join(_open(cidrs)) or 'every address'} in production",
                "limit publicAccessCidrs to the deployer and the mesh peers",
            )
    for component in graph.of_type(EKS_COMPONENT):
        if truthy(component.get("endpointPublicAccess")) is True and _open(component.get("publicAccessCidrs")):
            yield (
                component,
                f"opens its public API endpoint to {', '.join(_open(component.get('publicAccessCidrs')))} in production",
                "limit publicAccessCidrs to the deployer and the mesh peers",
            )


# -- P3, P5 ----------------------------------------------------------------------------------------

P3 = Rule("istio-ipv4-outbound-listener", "P3", "istiod of an IPv6 cluster adds the IPv4 outbound listener", MANDATORY)
P5 = Rule("istio-no-dual-stack-on-eks", "P5", "ISTIO_DUAL_STACK stays off: EKS clusters are single-stack", MANDATORY)
IPV4_LISTENER = "ISTIO_ENABLE_IPV4_OUTBOUND_LISTENER_FOR_IPV6_CLUSTERS"


def _eks_cluster_family(graph: Graph, release: Node) -> Any:
    cluster = graph.cluster_of_kubernetes_object(release)
    return cluster.family if cluster is not None else UNKNOWN


def check_ipv4_listener(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for release, values in _meshed_istiods(graph):
        if _eks_cluster_family(graph, release) != "ipv6":
            continue
        env = values.get("env", {})
        value = env.get(IPV4_LISTENER) if isinstance(env, dict) else UNKNOWN if env is UNKNOWN else None
        if value is not UNKNOWN and truthy(value) is not True:
            yield (
                release,
                "runs istiod in an IPv6 cluster without the IPv4 outbound listener: Envoy binds only [::]:15001, so app traffic to "
                "IPv4 destinations is refused",
                f'set env.{IPV4_LISTENER}: "true"',
            )


def check_no_dual_stack(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for release, values in _meshed_istiods(graph):
        if _eks_cluster_family(graph, release) not in ("ipv4", "ipv6"):
            continue
        for path in (("env", "ISTIO_DUAL_STACK"), ("meshConfig", "defaultConfig", "proxyMetadata", "ISTIO_DUAL_STACK")):
            if truthy(get(values, *path)) is True:
                yield (
                    release,
                    f"sets {'.'.join(path)} on an EKS cluster, which is single-stack (IPv4 or IPv6, never both)",
                    f"remove {'.'.join(path)}",
                )


# -- M20, releases -----------------------------------------------------------------------------------

VERSIONS = Rule("istio-version", "M20", "Istio's charts are one version everywhere, 1.30.3 or later", ADVISORY)
FLIP = Rule(
    "istio-validation-failure-policy", "M20", "Istio's validation webhook starts as Fail, so it never flips between applies", ADVISORY
)


def _parsed(version: Any) -> tuple[int, ...] | None:
    try:
        return tuple(int(p) for p in str(version).split("-")[0].split("."))[:3] if isinstance(version, str) else None
    except ValueError:
        return None


def check_versions(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    releases = [r for chart in ("base", "istiod", "gateway") for r in istio_releases(graph, chart)]
    versions = {r.get("version") for r in releases} - {UNKNOWN, None}
    for release in releases:
        parsed = _parsed(release.get("version"))
        if parsed is not None and parsed < VERSION_FLOOR:
            yield (
                release,
                f"installs Istio {release.get('version')}, before 1.30.3 fixed istiod missing rotated remote secrets",
                "use 1.30.3 or later (1.31.x)",
            )
        if len(versions) > 1 and release.get("version") in versions:
            yield (
                release,
                f"installs Istio {release.get('version')} where the mesh runs {', '.join(sorted(versions))}",
                "one Istio version for every chart and cluster",
            )


def check_validation_policy(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for chart in ("base", "istiod"):
        for release in istio_releases(graph, chart):
            values = values_of(release)
            if isinstance(values, dict) and get(values, "base", "validationFailurePolicy") not in ("Fail", UNKNOWN):
                yield (
                    release,
                    "leaves the validation webhook to start as Ignore and be flipped to Fail by istiod",
                    "set base.validationFailurePolicy: Fail",
                )


POLICIES = [
    stack_policy(M19, check_mesh_id),
    stack_policy(M29, check_remote_secrets),
    stack_policy(M29_AUTH, check_remote_secret_auth),
    stack_policy(M3, check_cacerts),
    stack_policy(P2, check_east_west),
    stack_policy(CLOSED, check_closed_in_production, PRODUCTION_SCHEMA),
    stack_policy(P3, check_ipv4_listener),
    stack_policy(P5, check_no_dual_stack),
    stack_policy(VERSIONS, check_versions),
    stack_policy(FLIP, check_validation_policy),
]
