"""What a stack consumes of AWS's default service quotas - read from what it registers.

A quota that a stack exceeds fails ``pulumi up`` half-way, after everything before it (and, in
production, protected) exists. The plan counts, per quota's scope, what the stack would create,
sets it beside AWS's default, and names the quota code to raise in Service Quotas first. The
defaults are AWS's published ones; an account may have raised them (``aws service-quotas
get-service-quota --service-code <service> --quota-code <code>`` tells).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from offline.harness import Evaluation
from offline.in_cluster import chart_load_balancers
from offline.mocks import RecordedResource

SUBNET = "aws:ec2/subnet:Subnet"
SERVICE = "kubernetes:core/v1:Service"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"


@dataclass(frozen=True)
class Quota:
    """An AWS service quota: its name in Service Quotas, code, service, default and scope."""

    name: str
    code: str
    service: str
    default: int
    scope: str  # "Region", "Availability Zone", "cluster", "network interface"


@dataclass(frozen=True)
class QuotaUse:
    """The most a stack uses of a quota in one scope (the busiest AZ, the largest cluster)."""

    quota: Quota
    used: int
    where: str  # the scope instance, e.g. "us-east-2a" or "prod-modern"

    @property
    def exceeds(self) -> bool:
        return self.used > self.quota.default


# AWS's defaults (Service Quotas console; Amazon VPC, EKS and ELB quota pages), checked 2026-11-30.
ELASTIC_IPS = Quota("EC2-VPC Elastic IPs", "L-0263D0A3", "ec2", 5, "Region")
VPCS = Quota("VPCs per Region", "L-F678F1CE", "vpc", 5, "Region")
INTERNET_GATEWAYS = Quota("Internet gateways per Region", "L-A4707A72", "vpc", 5, "Region")
EGRESS_ONLY_GATEWAYS = Quota("Egress-only internet gateways per Region", "L-45FE3B85", "vpc", 5, "Region")
NAT_GATEWAYS = Quota("NAT gateways per Availability Zone", "L-FE5A380F", "vpc", 5, "Availability Zone")
EKS_CLUSTERS = Quota("EKS clusters", "L-1194D53C", "eks", 100, "Region")
NODE_GROUPS = Quota("Managed node groups per cluster", "L-6D54EA21", "eks", 30, "cluster")
NODES = Quota("Nodes per managed node group", "L-BD136A63", "eks", 450, "node group")
SECURITY_GROUPS_PER_INTERFACE = Quota("Security groups per network interface", "L-2AFB9258", "vpc", 5, "launch template")
APPLICATION_LOAD_BALANCERS = Quota("Application Load Balancers per Region", "L-53DA6B97", "elasticloadbalancing", 50, "Region")
NETWORK_LOAD_BALANCERS = Quota("Network Load Balancers per Region", "L-69A177A2", "elasticloadbalancing", 50, "Region")


def quota_usage(evaluation: Evaluation) -> list[QuotaUse]:
    """Every quota the stack touches, with what it uses in its busiest scope."""
    region = evaluation.region
    uses = [
        _count(ELASTIC_IPS, evaluation.of_type("aws:ec2/eip:Eip"), region),
        _count(VPCS, evaluation.of_type("aws:ec2/vpc:Vpc"), region),
        _count(INTERNET_GATEWAYS, evaluation.of_type("aws:ec2/internetGateway:InternetGateway"), region),
        _count(EGRESS_ONLY_GATEWAYS, evaluation.of_type("aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway"), region),
        _busiest(NAT_GATEWAYS, evaluation.of_type("aws:ec2/natGateway:NatGateway"), _nat_zone(evaluation)),
        _count(EKS_CLUSTERS, evaluation.of_type("eks:index:Cluster"), region),
        _busiest(NODE_GROUPS, evaluation.of_type("aws:eks/nodeGroup:NodeGroup"), lambda g: str(g.inputs.get("clusterName", "?"))),
        _largest(
            NODES, evaluation.of_type("aws:eks/nodeGroup:NodeGroup"), lambda g: int((g.inputs.get("scalingConfig") or {}).get("maxSize", 0))
        ),
        _largest(
            SECURITY_GROUPS_PER_INTERFACE,
            evaluation.of_type("aws:ec2/launchTemplate:LaunchTemplate"),
            lambda t: len(t.inputs.get("vpcSecurityGroupIds") or []),
        ),
        _count(APPLICATION_LOAD_BALANCERS, application_load_balancers(evaluation), region),
        _count(NETWORK_LOAD_BALANCERS, network_load_balancers(evaluation), region),
    ]
    return [u for u in uses if u.used]


def application_load_balancers(evaluation: Evaluation) -> list[str]:
    """One ALB per Ingress group (``alb.ingress.kubernetes.io/group.name``), or per Ingress without one."""
    groups = set()
    for ingress in evaluation.of_type(INGRESS):
        annotations = (ingress.inputs.get("metadata") or {}).get("annotations") or {}
        groups.add(annotations.get("alb.ingress.kubernetes.io/group.name") or ingress.urn)
    return sorted(groups)


def network_load_balancers(evaluation: Evaluation) -> list[str]:
    """LoadBalancer Services, and the gateway charts that render one (Istio's east-west gateways)."""
    services = [s.urn for s in evaluation.of_type(SERVICE) if (s.inputs.get("spec") or {}).get("type") == "LoadBalancer"]
    charts = [r.urn for r in chart_load_balancers(evaluation)]
    return services + charts


def _count(quota: Quota, items: Iterable[object], region: str) -> QuotaUse:
    return QuotaUse(quota, len(list(items)), region)


def _busiest(quota: Quota, items: Iterable[RecordedResource], scope: Callable[[RecordedResource], str]) -> QuotaUse:
    counts = Counter(scope(item) for item in items)
    if not counts:
        return QuotaUse(quota, 0, "")
    where, used = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return QuotaUse(quota, used, where)


def _largest(quota: Quota, items: Iterable[RecordedResource], size: Callable[[RecordedResource], int]) -> QuotaUse:
    best = max(((size(item), item.name) for item in items), default=(0, ""))
    return QuotaUse(quota, best[0], best[1])


def _nat_zone(evaluation: Evaluation) -> Callable[[RecordedResource], str]:
    zone_of = {s.id: s.inputs.get("availabilityZone", "?") for s in evaluation.of_type(SUBNET)}
    return lambda nat: zone_of.get(nat.inputs.get("subnetId"), "?")


def render_quotas(uses: list[QuotaUse]) -> list[str]:
    lines = [
        "Quotas (AWS defaults; what this stack alone needs, in its busiest scope - an account's default VPC takes a VPC and an internet gateway too):"
    ]
    width = max((len(u.quota.name) for u in uses), default=0)
    for use in uses:
        status = f"EXCEEDS the default: raise {use.quota.code} ({use.quota.service}) before pulumi up" if use.exceeds else "ok"
        where = f" ({use.quota.scope} {use.where})" if use.quota.scope != "Region" else ""
        lines.append(f"  {use.quota.name.ljust(width)}  {use.used:>4} of {use.quota.default:<4} {use.quota.code}  {status}{where}")
    return lines
