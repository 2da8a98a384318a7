"""LbController's arguments, its Helm values, and the load-balancer matrix - plain data, no Pulumi resources.

The AWS Load Balancer Controller turns Services into NLBs and Ingresses into ALBs. On IPv6
clusters every one of them has to be dual-stack with IP targets, in subnets that have IPv6
(R4.2-R4.4, R4.7, R8.4); the helpers here give each Service and Ingress the annotations that
make that so and refuse the combinations AWS or the controller would refuse (the load-balancer
matrix of Cluster API Provider AWS, anchors.md section 2.6).
"""

import json
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from .errors import ArgumentError
from .guardrails.facts import (
    ALB_IP_ADDRESS_TYPE,
    ALB_SCHEME,
    ALB_TARGET_TYPE,
    NLB_IP_ADDRESS_TYPE,
    NLB_SCHEME,
    NLB_TARGET_TYPE,
    NLB_TYPE,
)

# aws/eks-charts stable/aws-load-balancer-controller, chart 3.5.0 = app v3.5.0 (2026-08-03).
CHART = "aws-load-balancer-controller"
CHART_VERSION = "3.5.0"
CHART_REPOSITORY = "https://aws.github.io/eks-charts"
NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "aws-load-balancer-controller"
WEBHOOK_PORT = 9443  # the control plane calls the controller's webhooks here, on the pods
INGRESS_CLASS = "alb"
NLB_CLASS = "service.k8s.aws/nlb"
SCHEMES = ("internet-facing", "internal")
TARGET_TYPES = ("ip", "instance")
NLB_IP_ADDRESS_TYPES = ("ipv4", "dualstack")
ALB_IP_ADDRESS_TYPES = ("ipv4", "dualstack", "dualstack-without-public-ipv4")
# Which subnets the controller discovers for a scheme (R4.6): DualStackVpc tags public tiers
# kubernetes.io/role/elb and private tiers kubernetes.io/role/internal-elb.
SUBNET_ROLE_FOR_SCHEME = {"internet-facing": "public", "internal": "private"}


class LoadBalancerSubnetArgs(TypedDict):
    """A subnet the controller may place load balancers in, with the facts that decide whether it may."""

    availability_zone: str
    """Its availability zone."""
    ip_mode: str
    """``dualstack``, ``ipv4`` or ``ipv6-only`` - as DualStackVpc planned it."""
    role: str
    """``public`` (tagged for internet-facing load balancers), ``private`` (internal) or ``isolated``."""


class LbControllerArgs(TypedDict):
    """Arguments of ``LbController``."""

    cluster_name: pulumi.Input[str]
    """The EKS cluster's name."""
    ip_family: str
    """The cluster's IP family, ``ipv6`` or ``ipv4``: on IPv6 every load balancer is dual-stack with IP targets."""
    region: str
    """The cluster's region, passed to the controller: it does not rely on IMDS (R4.11)."""
    vpc_id: pulumi.Input[str]
    """The cluster's VPC, passed to the controller for the same reason."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider: the controller's role trusts its service account through it (IRSA)."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's OIDC issuer, without ``https://``."""
    kubernetes_provider: k8s.Provider
    """The cluster's ``kubernetes.Provider``; the chart is installed through it."""
    cluster_security_group_id: pulumi.Input[str]
    """The security group of the control plane's interfaces: it calls the webhook on TCP 9443."""
    node_security_group_id: pulumi.Input[str]
    """The security group of the nodes the controller's pods run on."""
    subnets: NotRequired[list[LoadBalancerSubnetArgs]]
    """The VPC's subnets, so load balancers that could not be placed are refused before deploying (R4.7)."""
    replicas: NotRequired[int]
    """Controller replicas (default 2, with a PodDisruptionBudget; one is the leader)."""
    load_balancer_tags: NotRequired[dict[str, str]]
    """Tags the controller puts on every AWS resource it creates (``defaultTags``)."""
    tags: NotRequired[dict[str, str]]
    """Tags for the controller's IAM role and policy."""


def check_lb_controller_args(args: LbControllerArgs) -> list[ArgumentError]:
    """Every problem with ``args``, before anything is registered."""
    errors = []
    for key in ("cluster_name", "ip_family", "region", "vpc_id", "oidc_provider_arn", "oidc_issuer", "kubernetes_provider"):
        if key not in args:
            errors.append(ArgumentError((key,), "missing", "allowed: this argument is required"))
    for key in ("cluster_security_group_id", "node_security_group_id"):
        if key not in args:
            errors.append(ArgumentError((key,), "missing", "allowed: the security group id (the webhook rule needs both)"))
    if errors:
        return errors
    if args["ip_family"] not in ("ipv6", "ipv4"):
        errors.append(ArgumentError(("ip_family",), f"{args['ip_family']!r} is not an IP family", "allowed: ipv6 or ipv4"))
    if not isinstance(args["region"], str) or not args["region"]:
        errors.append(ArgumentError(("region",), f"{args['region']!r} is not a region", "allowed: e.g. us-east-2"))
    replicas = args.get("replicas", 2)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or not 1 <= replicas <= 10:
        errors.append(ArgumentError(("replicas",), f"{replicas!r}", "allowed: 1..10 (2 or more keep a PodDisruptionBudget)"))
    return errors


def controller_values(
    cluster_name: Any,
    region: str,
    vpc_id: Any,
    ip_family: str,
    role_arn: Any,
    replicas: int = 2,
    load_balancer_tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The chart's values; every key exists in the pinned chart's ``values.yaml`` (tested).

    * ``region`` and ``vpcId`` always: the controller would otherwise ask IMDS, which a pod on a
      hop-limit-1 node cannot reach (R4.11, P9);
    * ``defaultTargetType: ip``: IPv6 pods are reachable only as IP targets (R4.4), and IP targets
      skip the NodePort hop on IPv4 clusters too;
    * on IPv6 clusters the ``alb`` IngressClass carries IngressClassParams ``ipAddressType:
      dualstack``, which the controller applies to every Ingress of the class (R4.3);
    * the service mutator webhook stays on, so new LoadBalancer Services go to this controller and
      never to the in-tree one, which has no IPv6 (R4.1);
    * two replicas behind a PodDisruptionBudget; ``keepTLSSecret`` reuses the webhook certificate
      on upgrades, so it does not change on every ``pulumi up``.
    """
    values: dict[str, Any] = {
        "clusterName": cluster_name,
        "region": region,
        "vpcId": vpc_id,
        "replicaCount": replicas,
        "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT, "annotations": {"eks.amazonaws.com/role-arn": role_arn}},
        "defaultTargetType": "ip",
        "enableServiceMutatorWebhook": True,
        "keepTLSSecret": True,
        "ingressClass": INGRESS_CLASS,
        "createIngressClassResource": True,
        "priorityClassName": "system-cluster-critical",
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
    }
    if replicas > 1:
        values["podDisruptionBudget"] = {"maxUnavailable": 1}
    if ip_family == "ipv6":
        values["ingressClassParams"] = {"create": True, "name": INGRESS_CLASS, "spec": {"ipAddressType": "dualstack"}}
    if load_balancer_tags:
        values["defaultTags"] = dict(load_balancer_tags)
    return values


# ---------------------------------------------------------------------------------------------
# The load-balancer matrix


def check_load_balancer(
    kind: str,
    ip_family: str,
    scheme: str,
    ip_address_type: str,
    target_type: str,
    subnets: list[LoadBalancerSubnetArgs] | None,
) -> list[ArgumentError]:
    """The combinations AWS, the controller or the cluster refuse, for an ``nlb`` or an ``alb``."""
    errors = []
    allowed_types = NLB_IP_ADDRESS_TYPES if kind == "nlb" else ALB_IP_ADDRESS_TYPES
    if scheme not in SCHEMES:
        errors.append(ArgumentError(("scheme",), f"{scheme!r}", f"allowed: {', '.join(SCHEMES)} (R4.5)"))
    if target_type not in TARGET_TYPES:
        errors.append(ArgumentError(("target_type",), f"{target_type!r}", "allowed: ip or instance"))
    if ip_address_type == "ipv6":
        errors.append(
            ArgumentError(
                ("ip_address_type",),
                "ipv6 is not a load balancer IP address type",
                f"allowed: {', '.join(allowed_types)}; dualstack serves IPv6 clients",
            )
        )
    elif ip_address_type not in allowed_types:
        errors.append(ArgumentError(("ip_address_type",), f"{ip_address_type!r}", f"allowed: {', '.join(allowed_types)}"))
    if errors:
        return errors
    if ip_family == "ipv6" and ip_address_type == "ipv4":
        errors.append(
            ArgumentError(
                ("ip_address_type",),
                "ipv4 in front of an IPv6 cluster: its Services are IPv6, so the controller builds IPv6 target groups and "
                "fails with 'lb not dual-stack'",
                "allowed: dualstack (R4.2, R4.3, R8.4)",
            )
        )
    if ip_family == "ipv6" and target_type != "ip":
        errors.append(
            ArgumentError(("target_type",), "instance targets in an IPv6 cluster", "allowed: ip; IPv6 pods are IP targets only (R4.4)")
        )
    if ip_address_type == "dualstack-without-public-ipv4" and scheme != "internet-facing":
        errors.append(
            ArgumentError(
                ("ip_address_type",), "dualstack-without-public-ipv4 on an internal ALB", "allowed: dualstack, or scheme internet-facing"
            )
        )
    errors += _check_placement(kind, scheme, ip_address_type, subnets)
    return errors


def _check_placement(kind: str, scheme: str, ip_address_type: str, subnets: list[LoadBalancerSubnetArgs] | None) -> list[ArgumentError]:
    """The subnets the controller would discover for the scheme can hold this load balancer."""
    if subnets is None:
        return []  # the caller does not know the VPC: the controller and AWS will tell
    role = SUBNET_ROLE_FOR_SCHEME[scheme]
    # No load balancer goes into an IPv6-only subnet; dual-stack ones need IPv6 (R4.7).
    usable = [s for s in subnets if s.get("role") == role and s.get("ip_mode") != "ipv6-only"]
    if ip_address_type != "ipv4":
        usable = [s for s in usable if s.get("ip_mode") == "dualstack"]
    zones = sorted({s.get("availability_zone", "") for s in usable})
    needed = 2 if kind == "alb" else 1  # an ALB spans at least two AZs
    if len(zones) >= needed:
        return []
    what = f"dual-stack {role}" if ip_address_type != "ipv4" else f"{role} IPv4"
    return [
        ArgumentError(
            ("scheme",),
            f"an {scheme} {ip_address_type} {kind.upper()} needs {what} subnets in {needed} AZ(s); the VPC has them in {len(zones)}",
            f"allowed: a {role} tier with ipMode dualstack in the cluster's VPC (R4.6, R4.7)",
        )
    ]


def service_annotations(scheme: str, ip_address_type: str, target_type: str = "ip", extra: dict[str, str] | None = None) -> dict[str, str]:
    """A LoadBalancer Service's annotations for the controller's NLB."""
    return {
        NLB_TYPE: "external",  # this controller, not the in-tree one (R4.1)
        NLB_SCHEME: scheme,  # explicit: the controller's default is internal (R4.5)
        NLB_IP_ADDRESS_TYPE: ip_address_type,  # R4.2
        NLB_TARGET_TYPE: target_type,  # R4.4
        "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
        **(extra or {}),
    }


def ingress_annotations(
    scheme: str,
    ip_address_type: str,
    target_type: str = "ip",
    certificate_arn: str | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """An Ingress's annotations for the controller's ALB: HTTPS when a certificate is given (R7.10)."""
    annotations = {
        ALB_SCHEME: scheme,  # R4.5
        ALB_IP_ADDRESS_TYPE: ip_address_type,  # R4.3
        ALB_TARGET_TYPE: target_type,  # R4.4
    }
    if certificate_arn:
        annotations.update(
            {
                "alb.ingress.kubernetes.io/certificate-arn": certificate_arn,
                "alb.ingress.kubernetes.io/listen-ports": json.dumps([{"HTTP": 80}, {"HTTPS": 443}]),
                "alb.ingress.kubernetes.io/ssl-redirect": "443",
            }
        )
    else:
        annotations["alb.ingress.kubernetes.io/listen-ports"] = json.dumps([{"HTTP": 80}])
    return {**annotations, **(extra or {})}


def default_ip_address_type(ip_family: str) -> str:
    """Dual-stack on IPv6 clusters (their Services are IPv6, R8.4); IPv4 elsewhere."""
    return "dualstack" if ip_family == "ipv6" else "ipv4"
