"""The offline plan's view of what the stack installs inside its clusters: each load balancer
controller (chart, version, identity) and each load balancer it will make (scheme, IP address
type, target type, the subnets it will go into) - read from what was registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from offline.harness import Evaluation
from offline.mocks import RecordedResource

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
SERVICE = "kubernetes:core/v1:Service"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
EKS_COMPONENT = "eks:index:Cluster"
SUBNET = "aws:ec2/subnet:Subnet"
ROLE = "aws:iam/role:Role"
ROLE_TAG = {"internet-facing": "kubernetes.io/role/elb", "internal": "kubernetes.io/role/internal-elb"}


@dataclass
class ControllerRow:
    cluster: str
    chart: str
    version: str
    repository: str
    identity: str
    default_target_type: str
    ingress_ip_address_type: str


@dataclass
class LoadBalancerRow:
    cluster: str
    kind: str  # "ALB" | "NLB"
    name: str
    scheme: str
    ip_address_type: str
    target_type: str
    subnets: list[str]


class ClusterIndex:
    """Which cluster a Kubernetes object is in: its provider's parent Ipv6EksCluster (or chart)."""

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        self._by_urn = evaluation.by_urn()
        self._clusters = {c.parent: c for c in evaluation.of_type(EKS_COMPONENT)}

    def cluster_of(self, resource: RecordedResource) -> RecordedResource | None:
        provider = self._by_urn.get((resource.provider or "").rsplit("::", 1)[0])
        return self._clusters.get(provider.parent) if provider else None

    def name(self, cluster: RecordedResource | None) -> str:
        return str(cluster.inputs.get("name", cluster.name)) if cluster else "?"

    def subnets_for(self, cluster: RecordedResource | None, scheme: str, ip_address_type: str) -> list[str]:
        """The subnets the controller discovers for ``scheme`` in the cluster's VPC (role tags, R4.6),
        keeping only those with IPv6 for a dual-stack load balancer (R4.7)."""
        if cluster is None:
            return []
        vpc = cluster.inputs.get("vpcId")
        found = []
        for subnet in self.evaluation.of_type(SUBNET):
            tags = subnet.inputs.get("tags") or {}
            if subnet.inputs.get("vpcId") != vpc or ROLE_TAG.get(scheme) not in tags:
                continue
            if ip_address_type != "ipv4" and not subnet.inputs.get("ipv6CidrBlock"):
                continue
            found.append(subnet.name)
        return sorted(found)


def controller_rows(evaluation: Evaluation) -> list[ControllerRow]:
    index = ClusterIndex(evaluation)
    roles = {r.outputs.get("arn"): r.outputs.get("name", r.name) for r in evaluation.of_type(ROLE)}
    rows = []
    for release in evaluation.of_type(HELM_RELEASE):
        if str(release.inputs.get("chart", "")).rsplit("/", 1)[-1] != "aws-load-balancer-controller":
            continue
        values: dict[str, Any] = release.inputs.get("values") or {}
        arn = ((values.get("serviceAccount") or {}).get("annotations") or {}).get("eks.amazonaws.com/role-arn", "")
        account = (values.get("serviceAccount") or {}).get("name", "aws-load-balancer-controller")
        rows.append(
            ControllerRow(
                cluster=index.name(index.cluster_of(release)),
                chart=str(release.inputs.get("chart")),
                version=str(release.inputs.get("version")),
                repository=str((release.inputs.get("repositoryOpts") or {}).get("repo", "")),
                identity=f"IRSA {release.inputs.get('namespace', 'default')}/{account} -> role {roles.get(arn, arn or 'none')}",
                default_target_type=str(values.get("defaultTargetType", "instance")),
                ingress_ip_address_type=str(((values.get("ingressClassParams") or {}).get("spec") or {}).get("ipAddressType", "ipv4")),
            )
        )
    return sorted(rows, key=lambda r: r.cluster)


def chart_load_balancers(evaluation: Evaluation) -> list[RecordedResource]:
    """Releases whose chart renders a LoadBalancer Service: Istio's gateway chart (east-west gateways)."""
    return [
        r
        for r in evaluation.of_type(HELM_RELEASE)
        if str(r.inputs.get("chart", "")).rsplit("/", 1)[-1] == "gateway"
        and ((r.inputs.get("values") or {}).get("service") or {}).get("type", "LoadBalancer") == "LoadBalancer"
    ]


# Where each kind of load balancer takes its settings from: annotation prefix and target-type key.
ANNOTATIONS = {
    "ALB": ("alb.ingress.kubernetes.io/", "target-type"),
    "NLB": ("service.beta.kubernetes.io/aws-load-balancer-", "nlb-target-type"),
}


def _annotations(where: dict[str, Any] | None) -> dict[str, str]:
    """The annotations of an object's metadata, or of a chart's ``service`` values."""
    return (where or {}).get("annotations") or {}


def load_balancer_rows(evaluation: Evaluation) -> list[LoadBalancerRow]:
    """ALBs (Ingresses), NLBs (LoadBalancer Services, and the Services charts render)."""
    index = ClusterIndex(evaluation)

    found = [("ALB", i.name, _annotations(i.inputs.get("metadata")), i) for i in evaluation.of_type(INGRESS)]
    found += [
        ("NLB", s.name, _annotations(s.inputs.get("metadata")), s)
        for s in evaluation.of_type(SERVICE)
        if (s.inputs.get("spec") or {}).get("type") == "LoadBalancer"
    ]
    found += [("NLB", r.name, _annotations((r.inputs.get("values") or {}).get("service")), r) for r in chart_load_balancers(evaluation)]
    rows = []
    for kind, name, settings, resource in found:
        prefix, target_key = ANNOTATIONS[kind]
        cluster = index.cluster_of(resource)
        scheme = settings.get(prefix + "scheme", "internal")
        family = settings.get(prefix + "ip-address-type", "ipv4")
        target = settings.get(prefix + target_key, "instance")
        rows.append(LoadBalancerRow(index.name(cluster), kind, name, scheme, family, target, index.subnets_for(cluster, scheme, family)))
    return sorted(rows, key=lambda r: (r.cluster, r.name))


def render_in_cluster(evaluation: Evaluation) -> list[str]:
    controllers, balancers = controller_rows(evaluation), load_balancer_rows(evaluation)
    if not controllers and not balancers:
        return []
    lines = ["Load balancer controllers and load balancers:"]
    for c in controllers:
        lines.append(f"  {c.cluster}  {c.chart} {c.version} ({c.repository}), {c.identity}")
        lines.append(f"    default target type {c.default_target_type}; IngressClass alb ipAddressType {c.ingress_ip_address_type}")
    for b in balancers:
        lines.append(
            f"  {b.cluster}  {b.kind} {b.name}: {b.scheme}, {b.ip_address_type}, {b.target_type} targets, subnets {', '.join(b.subnets) or '(none)'}"
        )
    return lines
