"""Load-balancing rules, ready for the AWS Load Balancer Controller: R4.2, R4.3, R4.4, R4.7, R8.2,
R8.3. They apply to Kubernetes Services and Ingresses however they were created - directly, by
a Helm v4 chart, by YAML - and to the controller's Helm release.

A Kubernetes object's cluster comes from its provider's kubeconfig (or the stack's only cluster);
``assumeIpv6Clusters`` lets a stack that deploys workloads into clusters built elsewhere say so.
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
from .graph import HELM_RELEASE, SUBNET, Graph, Node
from .props import UNKNOWN, as_list, get

SERVICE = "kubernetes:core/v1:Service"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
INGRESS_CLASS = "kubernetes:networking.k8s.io/v1:IngressClass"
INGRESS_CLASS_PARAMS = "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
ASSUME_SCHEMA = {
    "assumeIpv6Clusters": {
        "type": "boolean",
        "default": False,
        "description": "Treat Kubernetes objects whose cluster is not in this stack as living in an IPv6 cluster.",
    }
}


def _annotations(node: Node) -> dict[str, Any]:
    annotations = node.get("metadata", "annotations", default={})
    return annotations if isinstance(annotations, dict) else {}


def load_balancer_services(graph: Graph) -> list[Node]:
    return [s for s in graph.of_type(SERVICE) if s.get("spec", "type") == "LoadBalancer"]


def alb_ingresses(graph: Graph) -> list[Node]:
    alb_classes = {
        c.get("metadata", "name") for c in graph.of_type(INGRESS_CLASS) if c.get("spec", "controller") == "ingress.k8s.aws/alb"
    } | {"alb"}
    return [
        i
        for i in graph.of_type(INGRESS)
        if i.get("spec", "ingressClassName") in alb_classes or _annotations(i).get("kubernetes.io/ingress.class") == "alb"
    ]


def _family(graph: Graph, node: Node, config: dict[str, Any]) -> Any:
    return graph.kubernetes_family(node, bool(config.get("assumeIpv6Clusters")))


def lbc_default_target_type(graph: Graph, node: Node) -> Any:
    """The controller's default target type in the object's cluster: None if no controller release is in the graph."""
    cluster = graph.cluster_of_kubernetes_object(node)
    for release in graph.of_type(HELM_RELEASE):
        chart = release.get("chart")
        if isinstance(chart, str) and chart.rsplit("/", 1)[-1] == LBC_CHART and graph.cluster_of_kubernetes_object(release) is cluster:
            return get(release.props, "values", "defaultTargetType", default="instance")
    return None


# -- R4.2 ----------------------------------------------------------------------------------------

R4_2 = Rule("nlb-dualstack-on-ipv6", "R4.2", "LoadBalancer Services on IPv6 clusters ask for dual-stack NLBs", MANDATORY)


def check_nlb_dualstack(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for service in load_balancer_services(graph):
        if _family(graph, service, config) != "ipv6":
            continue
        value = _annotations(service).get(NLB_IP_ADDRESS_TYPE)
        if value is not UNKNOWN and value != "dualstack":
            yield (
                service,
                f"is a LoadBalancer Service on an IPv6 cluster with ip-address-type {value or 'ipv4 (the default)'}; the controller fails with 'lb not dual-stack'",
                f"annotate {NLB_IP_ADDRESS_TYPE}: dualstack",
            )


# -- R4.3 ----------------------------------------------------------------------------------------

R4_3 = Rule("alb-dualstack-on-ipv6", "R4.3", "ALB Ingresses on IPv6 clusters are dual-stack", MANDATORY)


def _class_params_dualstack(graph: Graph, ingress: Node) -> bool:
    name = ingress.get("spec", "ingressClassName")
    for ingress_class in graph.of_type(INGRESS_CLASS):
        if ingress_class.get("metadata", "name") != name:
            continue
        params = ingress_class.get("spec", "parameters", "name")
        for candidate in graph.of_type(INGRESS_CLASS_PARAMS):
            if candidate.get("metadata", "name") == params and candidate.get("spec", "ipAddressType") in DUALSTACK_ALB_TYPES:
                return True
    return False


def check_alb_dualstack(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for ingress in alb_ingresses(graph):
        annotations = _annotations(ingress)
        value = annotations.get(ALB_IP_ADDRESS_TYPE)
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
        if _family(graph, ingress, config) != "ipv6" or value in DUALSTACK_ALB_TYPES or _class_params_dualstack(graph, ingress):
            continue
        yield (
            ingress,
            f"is an ALB Ingress on an IPv6 cluster with ip-address-type {value or 'ipv4 (the default)'}; the controller fails with 'lb not dual-stack'",
            f"annotate {ALB_IP_ADDRESS_TYPE}: dualstack (or an IngressClassParams with ipAddressType dualstack)",
        )


# -- R4.4 ----------------------------------------------------------------------------------------

R4_4 = Rule("ip-targets-on-ipv6", "R4.4", "Load balancers reach IPv6 pods through IP targets", MANDATORY)
IP_FIX = "IPv6 pods are reachable only as IP targets"


def check_ip_targets(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for service in load_balancer_services(graph):
        if _family(graph, service, config) != "ipv6":
            continue
        annotations = _annotations(service)
        target = annotations.get(NLB_TARGET_TYPE)
        if target is None and annotations.get(NLB_TYPE) == "nlb-ip":
            target = "ip"
        if target is None:
            target = lbc_default_target_type(graph, service)
        if target not in (None, UNKNOWN, "ip"):
            yield service, f"targets {target} on an IPv6 cluster", f"annotate {NLB_TARGET_TYPE}: ip ({IP_FIX})"
    for ingress in alb_ingresses(graph):
        if _family(graph, ingress, config) != "ipv6":
            continue
        target = _annotations(ingress).get(ALB_TARGET_TYPE)
        if target is None:
            target = lbc_default_target_type(graph, ingress)
        if target not in (None, UNKNOWN, "ip"):
            yield ingress, f"targets {target} on an IPv6 cluster", f"annotate {ALB_TARGET_TYPE}: ip ({IP_FIX})"
    for release in graph.of_type(HELM_RELEASE):
        chart = release.get("chart")
        if not (isinstance(chart, str) and chart.rsplit("/", 1)[-1] == LBC_CHART) or _family(graph, release, config) != "ipv6":
            continue
        target = get(release.props, "values", "defaultTargetType")
        if target not in (None, UNKNOWN, "ip"):
            yield (
                release,
                f"makes {target} the controller's default target type on an IPv6 cluster",
                f"set values.defaultTargetType: ip ({IP_FIX})",
            )


# -- R4.7 ----------------------------------------------------------------------------------------

R4_7 = Rule("dualstack-lb-subnets-ipv6", "R4.7", "Subnets of dual-stack load balancers have an IPv6 CIDR", MANDATORY)


def _scheme(node: Node) -> str:
    annotations = _annotations(node)
    return annotations.get(NLB_SCHEME) or annotations.get(ALB_SCHEME) or "internal"  # the controller's default for both


def check_lb_subnets(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    fix = "give the subnets a /64 of the VPC's IPv6 block, or use ipv4 load balancers"
    for balancer in graph.of_type(LOAD_BALANCER):
        if balancer.get("ipAddressType") not in ("dualstack", "dualstack-without-public-ipv4"):
            continue
        subnets = graph.related(balancer, "subnets", SUBNET)
        for mapping in as_list(balancer.get("subnetMappings")) or []:
            if isinstance(mapping, dict):
                subnets += graph.related(balancer, "subnetMappings", SUBNET, value=mapping.get("subnetId"))
        for subnet in {s.urn: s for s in subnets}.values():
            if graph.subnet_has_ipv6(subnet) is False:
                yield subnet, f"has no IPv6 CIDR but hosts the dual-stack load balancer '{balancer.name}'; ELB refuses it", fix
    dualstack = [
        obj
        for obj in [*load_balancer_services(graph), *alb_ingresses(graph)]
        if _annotations(obj).get(NLB_IP_ADDRESS_TYPE) == "dualstack" or _annotations(obj).get(ALB_IP_ADDRESS_TYPE) in DUALSTACK_ALB_TYPES
    ]
    discovering = [
        o
        for o in dualstack
        if not ({"service.beta.kubernetes.io/aws-load-balancer-subnets", "alb.ingress.kubernetes.io/subnets"} & set(_annotations(o)))
    ]
    wanted = {"kubernetes.io/role/elb" if _scheme(o) == "internet-facing" else "kubernetes.io/role/internal-elb": o for o in discovering}
    for subnet in graph.of_type(SUBNET):
        for tag, obj in wanted.items():
            if tag in subnet.tags and graph.subnet_has_ipv6(subnet) is False:
                yield (
                    subnet,
                    f"is tagged {tag}, so the controller may place the dual-stack load balancer of '{obj.name}' in it, but it has no IPv6 CIDR",
                    fix,
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
