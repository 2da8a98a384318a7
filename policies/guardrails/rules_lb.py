"""Load-balancing rules, ready for the AWS Load Balancer Controller: R4.2, R4.3, R4.4, R4.7, R8.2,
R8.3. They apply to Kubernetes Services and Ingresses however they were created - directly, by
a Helm v4 chart, by YAML - and to the controller itself, as a Helm release or its Deployment.

A Kubernetes object's cluster comes from its provider's kubeconfig (or the stack's only cluster);
``assumeIpv6Clusters`` lets a stack that deploys workloads into clusters built elsewhere say so.
Objects whose annotations are not known yet (a preview with values from outputs) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .facts import (
    ALB_AUTH_TYPE,
    ALB_IP_ADDRESS_TYPE,
    ALB_SCHEME,
    ALB_TARGET_TYPE,
    DUALSTACK_ALB_TYPES,
    LBC_CHART,
    NLB_IP_ADDRESS_TYPE,
    NLB_SCHEME,
    NLB_TARGET_TYPE,
    NLB_TYPE,
)
from .framework import MANDATORY, Rule, resource_policy, stack_policy
from .graph import HELM_RELEASE, SUBNET, VPC, Cluster, Graph, Node
from .props import UNKNOWN, as_list, get, truthy

SERVICE = "kubernetes:core/v1:Service"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
INGRESS_CLASS = "kubernetes:networking.k8s.io/v1:IngressClass"
INGRESS_CLASS_PARAMS = "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LBC_CONTROLLER = "ingress.k8s.aws/alb"
NLB_CLASS = "service.k8s.aws/nlb"
NLB_SUBNETS = "service.beta.kubernetes.io/aws-load-balancer-subnets"
ALB_SUBNETS = "alb.ingress.kubernetes.io/subnets"
DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class"
ASSUME_SCHEMA = {
    "assumeIpv6Clusters": {
        "type": "boolean",
        "default": False,
        "description": "Treat Kubernetes objects whose cluster is not in this stack as living in an IPv6 cluster.",
    }
}


def annotations_of(node: Node) -> dict[str, Any] | Any:
    """An object's annotations; ``UNKNOWN`` when they are not known yet."""
    metadata = node.get("metadata")
    if metadata is UNKNOWN:
        return UNKNOWN
    annotations = get(metadata, "annotations", default={})
    return annotations if isinstance(annotations, dict) or annotations is UNKNOWN else {}


def load_balancer_services(graph: Graph) -> list[Node]:
    """LoadBalancer Services the AWS controller (or the in-tree one) serves, not another controller's."""
    return [
        s
        for s in graph.of_type(SERVICE)
        if s.get("spec", "type") == "LoadBalancer" and s.get("spec", "loadBalancerClass") in (None, NLB_CLASS)
    ]


def lbc_releases(graph: Graph) -> list[Node]:
    return [r for r in graph.of_type(HELM_RELEASE) if isinstance(r.get("chart"), str) and r.get("chart").rsplit("/", 1)[-1] == LBC_CHART]


def release_values(release: Node) -> dict[str, Any]:
    values = release.get("values", default={})
    return values if isinstance(values, dict) else {}


def _lbc_values(graph: Graph, cluster: Cluster | None) -> list[dict[str, Any]]:
    """The values of the controller's Helm releases in ``cluster``."""
    return [release_values(r) for r in lbc_releases(graph) if graph.cluster_of_kubernetes_object(r) is cluster]


def _default_class(graph: Graph) -> str | None:
    """The cluster's default IngressClass, where the graph says which it is."""
    for ingress_class in graph.of_type(INGRESS_CLASS):
        annotations = annotations_of(ingress_class)
        if isinstance(annotations, dict) and truthy(annotations.get(DEFAULT_CLASS)) is True:
            return ingress_class.get("metadata", "name")
    for release in lbc_releases(graph):
        if truthy(get(release_values(release), "ingressClassConfig", "default")) is True:
            return release_values(release).get("ingressClass", "alb")
    return None


def class_name(graph: Graph, ingress: Node) -> Any:
    """The IngressClass an Ingress belongs to: named, legacy annotation, or the default class."""
    annotations = annotations_of(ingress)
    legacy = annotations.get("kubernetes.io/ingress.class") if isinstance(annotations, dict) else None
    return ingress.get("spec", "ingressClassName") or legacy or _default_class(graph)


def alb_ingresses(graph: Graph) -> list[Node]:
    alb_classes = {c.get("metadata", "name") for c in graph.of_type(INGRESS_CLASS) if c.get("spec", "controller") == LBC_CONTROLLER}
    alb_classes |= {"alb"} | {release_values(r).get("ingressClass", "alb") for r in lbc_releases(graph)}
    return [i for i in graph.of_type(INGRESS) if class_name(graph, i) in alb_classes]


def _family(graph: Graph, node: Node, config: dict[str, Any]) -> Any:
    return graph.kubernetes_family(node, bool(config.get("assumeIpv6Clusters")))


def lbc_default_target_type(graph: Graph, node: Node) -> Any:
    """The controller's default target type in the object's cluster: from its Helm release or
    its Deployment's ``--default-target-type``; None when no controller is in the graph."""
    cluster = graph.cluster_of_kubernetes_object(node)
    for values in _lbc_values(graph, cluster):
        return values.get("defaultTargetType", "instance")
    for deployment in graph.of_type(DEPLOYMENT):
        if graph.cluster_of_kubernetes_object(deployment) is not cluster:
            continue
        for container in as_list(deployment.get("spec", "template", "spec", "containers")) or []:
            args = as_list(container.get("args")) if isinstance(container, dict) else []
            if args is UNKNOWN or not any(isinstance(a, str) and a.startswith("--cluster-name") for a in args):
                continue
            for arg in args:
                if isinstance(arg, str) and arg.startswith("--default-target-type="):
                    return arg.split("=", 1)[1]
            return "instance"
    return None


# -- R4.2 ----------------------------------------------------------------------------------------

R4_2 = Rule("nlb-dualstack-on-ipv6", "R4.2", "LoadBalancer Services on IPv6 clusters ask for dual-stack NLBs", MANDATORY)


def check_nlb_dualstack(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for service in load_balancer_services(graph):
        annotations = annotations_of(service)
        if annotations is UNKNOWN or _family(graph, service, config) != "ipv6":
            continue
        value = annotations.get(NLB_IP_ADDRESS_TYPE)
        if value is not UNKNOWN and value != "dualstack":
            yield (
                service,
                f"is a LoadBalancer Service on an IPv6 cluster with ip-address-type {value or 'ipv4 (the default)'}; the controller fails with 'lb not dual-stack'",
                f"annotate {NLB_IP_ADDRESS_TYPE}: dualstack",
            )


# -- R4.3 ----------------------------------------------------------------------------------------

R4_3 = Rule("alb-dualstack-on-ipv6", "R4.3", "ALB Ingresses on IPv6 clusters are dual-stack", MANDATORY)


def class_ip_address_type(graph: Graph, ingress: Node) -> Any:
    """The ipAddressType the Ingress's class forces (IngressClassParams, or the chart's), if any;
    the controller applies it over the Ingress's own annotation."""
    name = class_name(graph, ingress)
    for ingress_class in graph.of_type(INGRESS_CLASS):
        if ingress_class.get("metadata", "name") != name:
            continue
        params = ingress_class.get("spec", "parameters", "name")
        for candidate in graph.of_type(INGRESS_CLASS_PARAMS):
            if candidate.get("metadata", "name") == params and candidate.get("spec", "ipAddressType") is not None:
                return candidate.get("spec", "ipAddressType")
    for values in _lbc_values(graph, graph.cluster_of_kubernetes_object(ingress)):
        if name == values.get("ingressClass", "alb") and get(values, "ingressClassParams", "spec", "ipAddressType") is not None:
            return get(values, "ingressClassParams", "spec", "ipAddressType")
    return None


def check_alb_dualstack(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for ingress in alb_ingresses(graph):
        annotations = annotations_of(ingress)
        if annotations is UNKNOWN:
            continue
        forced = class_ip_address_type(graph, ingress)
        value = forced if forced is not None else annotations.get(ALB_IP_ADDRESS_TYPE)
        if value is UNKNOWN:
            continue
        if value == "dualstack-without-public-ipv4":
            if annotations.get(ALB_SCHEME) != "internet-facing":
                yield (
                    ingress,
                    "asks for dualstack-without-public-ipv4 on an ALB that is not internet-facing",
                    f"annotate {ALB_SCHEME}: internet-facing, or use dualstack",
                )
            if annotations.get(ALB_AUTH_TYPE) in ("oidc", "cognito"):
                yield (
                    ingress,
                    "authenticates on a dualstack-without-public-ipv4 ALB; identity providers are reached over IPv4, so every login fails with HTTP 500",
                    "use ip-address-type dualstack for ALBs that authenticate",
                )
        if _family(graph, ingress, config) != "ipv6" or value in DUALSTACK_ALB_TYPES:
            continue
        source = "its IngressClassParams force" if forced is not None else "it has"
        yield (
            ingress,
            f"is an ALB Ingress on an IPv6 cluster and {source} ip-address-type {value or 'ipv4 (the default)'}; the controller fails with 'lb not dual-stack'",
            f"annotate {ALB_IP_ADDRESS_TYPE}: dualstack (and make any IngressClassParams ipAddressType dualstack)",
        )


# -- R4.4 ----------------------------------------------------------------------------------------

R4_4 = Rule("ip-targets-on-ipv6", "R4.4", "Load balancers reach IPv6 pods through IP targets", MANDATORY)
IP_FIX = "IPv6 pods are reachable only as IP targets"


def _service_target(graph: Graph, service: Node, annotations: dict[str, Any]) -> Any:
    target = annotations.get(NLB_TARGET_TYPE)
    if target is not None:
        return target
    if annotations.get(NLB_TYPE) == "nlb-ip":
        return "ip"
    default = lbc_default_target_type(graph, service)
    if default is not None:
        return default
    # Opted into the controller with no target type: its documented default is instance.
    if service.get("spec", "loadBalancerClass") == NLB_CLASS or annotations.get(NLB_TYPE) in ("external", "nlb"):
        return "instance (the controller's default)"
    return None


def check_ip_targets(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for service in load_balancer_services(graph):
        annotations = annotations_of(service)
        if annotations is UNKNOWN or _family(graph, service, config) != "ipv6":
            continue
        target = _service_target(graph, service, annotations)
        if target not in (None, UNKNOWN, "ip"):
            yield service, f"targets {target} on an IPv6 cluster", f"annotate {NLB_TARGET_TYPE}: ip ({IP_FIX})"
    for ingress in alb_ingresses(graph):
        annotations = annotations_of(ingress)
        if annotations is UNKNOWN or _family(graph, ingress, config) != "ipv6":
            continue
        target = annotations.get(ALB_TARGET_TYPE)
        if target is None:
            target = lbc_default_target_type(graph, ingress)
        if target not in (None, UNKNOWN, "ip"):
            yield ingress, f"targets {target} on an IPv6 cluster", f"annotate {ALB_TARGET_TYPE}: ip ({IP_FIX})"
    for release in lbc_releases(graph):
        if _family(graph, release, config) != "ipv6":
            continue
        target = release_values(release).get("defaultTargetType")
        if target not in (None, UNKNOWN, "ip"):
            yield (
                release,
                f"makes {target} the controller's default target type on an IPv6 cluster",
                f"set values.defaultTargetType: ip ({IP_FIX})",
            )


# -- R4.7 ----------------------------------------------------------------------------------------

R4_7 = Rule("dualstack-lb-subnets-ipv6", "R4.7", "Subnets of dual-stack load balancers have an IPv6 CIDR", MANDATORY)
LB_SUBNET_FIX = "give the subnets a /64 of the VPC's IPv6 block, or use ipv4 load balancers"


def _scheme(annotations: dict[str, Any]) -> str:
    return annotations.get(NLB_SCHEME) or annotations.get(ALB_SCHEME) or "internal"  # the controller's default for both


def _cluster_vpcs(graph: Graph, cluster: Cluster | None) -> set[str]:
    """URNs of the VPCs a cluster's subnets belong to (empty when not known)."""
    if cluster is None:
        return set()
    return {v.urn for s in [*cluster.subnets, *graph.node_subnets(cluster)] for v in graph.related(s, "vpcId", VPC)}


def check_lb_subnets(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for balancer in graph.of_type(LOAD_BALANCER):
        if balancer.get("ipAddressType") not in ("dualstack", "dualstack-without-public-ipv4"):
            continue
        subnets = graph.related(balancer, "subnets", SUBNET)
        for mapping in as_list(balancer.get("subnetMappings")) or []:
            if isinstance(mapping, dict):
                subnets += graph.related(balancer, "subnetMappings", SUBNET, value=mapping.get("subnetId"))
        for subnet in {s.urn: s for s in subnets}.values():
            if graph.subnet_has_ipv6(subnet) is False:
                yield subnet, f"has no IPv6 CIDR but hosts the dual-stack load balancer '{balancer.name}'; ELB refuses it", LB_SUBNET_FIX
    for obj in [*load_balancer_services(graph), *alb_ingresses(graph)]:
        annotations = annotations_of(obj)
        if annotations is UNKNOWN:
            continue
        wanted = annotations.get(NLB_IP_ADDRESS_TYPE) == "dualstack" or annotations.get(ALB_IP_ADDRESS_TYPE) in DUALSTACK_ALB_TYPES
        if obj.type == INGRESS and class_ip_address_type(graph, obj) in DUALSTACK_ALB_TYPES:
            wanted = True
        if not wanted:
            continue
        yield from _lb_subnets_of(graph, obj, annotations)


def _lb_subnets_of(graph: Graph, obj: Node, annotations: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    pinned = annotations.get(NLB_SUBNETS) or annotations.get(ALB_SUBNETS)
    if isinstance(pinned, str):
        names = {p.strip() for p in pinned.split(",") if p.strip()}
        for subnet in graph.of_type(SUBNET):
            if names & {subnet.get("id"), subnet.tags.get("Name")} and graph.subnet_has_ipv6(subnet) is False:
                yield (
                    subnet,
                    f"is named by '{obj.name}' for its dual-stack load balancer but has no IPv6 CIDR; ELB refuses it",
                    LB_SUBNET_FIX,
                )
        return
    cluster = graph.cluster_of_kubernetes_object(obj)
    name = cluster.name if cluster is not None and isinstance(cluster.name, str) else None
    vpcs = _cluster_vpcs(graph, cluster)
    tag = "kubernetes.io/role/elb" if _scheme(annotations) == "internet-facing" else "kubernetes.io/role/internal-elb"
    for subnet in graph.of_type(SUBNET):
        if tag not in subnet.tags or graph.subnet_has_ipv6(subnet) is not False:
            continue
        if vpcs and not ({v.urn for v in graph.related(subnet, "vpcId", VPC)} & vpcs):
            continue  # another VPC's subnet: the controller only looks in its cluster's VPC
        others = [k for k in subnet.tags if k.startswith("kubernetes.io/cluster/") and k != f"kubernetes.io/cluster/{name}"]
        if others and f"kubernetes.io/cluster/{name}" not in subnet.tags:
            continue  # tagged for another cluster: the controller passes it over
        yield (
            subnet,
            f"is tagged {tag}, so the controller may place the dual-stack load balancer of '{obj.name}' in it, but it has no IPv6 CIDR",
            LB_SUBNET_FIX,
        )


# -- R8.2, R8.3 -----------------------------------------------------------------------------------

R8_2 = Rule("no-require-dualstack-services", "R8.2", "Services never require dual-stack: EKS clusters are single-stack", MANDATORY)
R8_3 = Rule("service-ip-families", "R8.3", "Service ipFamilies are unset or exactly the cluster's family", MANDATORY)


def check_require_dualstack(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if node.get("spec", "ipFamilyPolicy") == "RequireDualStack":
        yield (
            "requires dual-stack (ipFamilyPolicy RequireDualStack), which the API server of a single-stack EKS cluster rejects",
            "drop ipFamilyPolicy, or use PreferDualStack",
        )


def check_ip_families(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for service in graph.of_type(SERVICE):
        families = as_list(service.get("spec", "ipFamilies"))
        if families is UNKNOWN or not families:
            continue
        if len(families) > 1:
            yield service, f"asks for ipFamilies {families}; EKS clusters have one family", "leave ipFamilies unset"
            continue
        family = _family(graph, service, config)
        expected = {"ipv6": "IPv6", "ipv4": "IPv4"}.get(family) if isinstance(family, str) else None
        if expected and families[0] != expected:
            yield (
                service,
                f"asks for ipFamilies [{families[0]}] in an {family} cluster, which has no such family",
                f"leave ipFamilies unset, or set [{expected}]",
            )


POLICIES = [
    stack_policy(R4_2, check_nlb_dualstack, ASSUME_SCHEMA),
    stack_policy(R4_3, check_alb_dualstack, ASSUME_SCHEMA),
    stack_policy(R4_4, check_ip_targets, ASSUME_SCHEMA),
    stack_policy(R4_7, check_lb_subnets),
    resource_policy(R8_2, (SERVICE,), check_require_dualstack),
    stack_policy(R8_3, check_ip_families, ASSUME_SCHEMA),
]
