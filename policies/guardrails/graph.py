"""The stack as a graph the rules can ask questions of: which subnets a cluster uses, where a
subnet's default routes go, which cluster a node group or a Kubernetes Service belongs to.

Relations follow ``property_dependencies`` first - the engine records which resources each
input came from, which works during preview when ids are still unknown - and fall back to
matching literal ids and names (for adopted resources and hand-written graphs). Anything that
cannot be related is left out, never guessed into a violation.

It understands the shapes the project registers and those pulumi-eks, awsx and Helm register:
``aws:eks/cluster:Cluster`` and the ``eks:index:Cluster`` component, managed node groups raw or
through ``eks:index:ManagedNodeGroup``, routes as resources or inline in a route table, and
security-group rules in all three of the AWS provider's forms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .props import UNKNOWN, as_list, get, plain, tags_of, truthy

EKS_CLUSTER = "aws:eks/cluster:Cluster"
EKS_COMPONENT = "eks:index:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
MANAGED_NODE_GROUP = "eks:index:ManagedNodeGroup"
AUTOSCALING_GROUP = "aws:autoscaling/group:Group"  # self-managed nodes (pulumi-eks default node group)
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
VPC_ASSOCIATION = "aws:ec2/vpcIpv6CidrBlockAssociation:VpcIpv6CidrBlockAssociation"
FARGATE_PROFILE = "aws:eks/fargateProfile:FargateProfile"
ADDON = "aws:eks/addon:Addon"
SUBNET = "aws:ec2/subnet:Subnet"
VPC = "aws:ec2/vpc:Vpc"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
EGRESS_ONLY_GATEWAY = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
K8S_PROVIDER = "pulumi:providers:kubernetes"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"

GATEWAY_KIND_BY_TYPE = {INTERNET_GATEWAY: "igw", EGRESS_ONLY_GATEWAY: "eigw", NAT_GATEWAY: "nat"}
GATEWAY_KIND_BY_ID_PREFIX = (("eigw-", "eigw"), ("igw-", "igw"), ("nat-", "nat"), ("vgw-", "vgw"), ("tgw-", "tgw"), ("pcx-", "pcx"))
ROUTE_TARGETS = (
    "gatewayId",
    "natGatewayId",
    "egressOnlyGatewayId",
    "transitGatewayId",
    "vpcPeeringConnectionId",
    "networkInterfaceId",
    "vpcEndpointId",
)


# Remote (multi-language) components: their arguments live in another process, and a real
# preview may hand the analyzer only some of them, or none. A missing argument of one of these is
# unknown - never the component's default, which for pulumi-eks is often the insecure one.
REMOTE_COMPONENT_PREFIXES = ("eks:index:", "awsx:", "kubernetes:helm.sh/v4:", "kubernetes:yaml/v2:", "kubernetes:kustomize/v2:")


def is_remote_component(resource_type: str) -> bool:
    return resource_type.startswith(REMOTE_COMPONENT_PREFIXES)


@dataclass
class Node:
    """One resource: its type, plain properties (``UNKNOWN`` where not yet known) and relations.

    For a remote component a property that is absent reads as ``UNKNOWN``: the analyzer may
    not have been given it (see ``REMOTE_COMPONENT_PREFIXES``).
    """

    type: str
    name: str
    urn: str
    props: dict[str, Any]
    parent: str | None = None
    provider: str | None = None
    protect: bool = False
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)

    @property
    def tags(self) -> dict[str, Any]:
        return tags_of(self.type, self.props)

    def get(self, *path: str | int, default: Any = None) -> Any:
        return get(self.props, *path, default=UNKNOWN if is_remote_component(self.type) else default)


@dataclass
class Route:
    destination: str
    target: str | Any  # "igw", "eigw", "nat", ... or UNKNOWN


@dataclass
class SgRule:
    """One security-group rule, whatever resource or inline block it came from."""

    group: Node | None
    source: Node
    direction: str  # "ingress" | "egress"
    protocol: str
    from_port: int | None
    to_port: int | None
    ipv4: list[str]
    ipv6: list[str]
    references_group: bool


@dataclass
class Cluster:
    """An EKS cluster, seen through the raw resource, the pulumi-eks component, or both."""

    node: Node
    component: Node | None
    name: str | Any
    family: str | Any  # "ipv6" | "ipv4" | UNKNOWN
    subnets: list[Node]
    node_groups: list[Node] = field(default_factory=list)

    @property
    def nodes(self) -> list[Node]:
        return [n for n in (self.node, self.component) if n is not None]


class Graph:
    """All resources of a stack, indexed for the rules."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        self.nodes = list(nodes)
        self.by_urn = {n.urn: n for n in self.nodes}
        self.by_type: dict[str, list[Node]] = defaultdict(list)
        for n in self.nodes:
            self.by_type[n.type].append(n)
        self._clusters: list[Cluster] | None = None
        self._literals: dict[str, dict[str, list[Node]]] = {}
        self._referrers: dict[tuple[str, str, str], dict[str, list[Node]]] = {}
        self._addons: dict[int, list[Node]] | None = None

    @classmethod
    def from_policy_resources(cls, resources: Iterable[Any]) -> Graph:
        nodes = []
        for r in resources:
            provider = getattr(r, "provider", None)
            parent = getattr(r, "parent", None)
            nodes.append(
                Node(
                    type=r.resource_type,
                    name=r.name,
                    urn=r.urn,
                    props=plain(r.props),
                    parent=parent.urn if parent is not None else getattr(getattr(r, "opts", None), "parent", None),
                    provider=getattr(provider, "urn", None),
                    protect=bool(getattr(getattr(r, "opts", None), "protect", False)),
                    dependencies=[d.urn for d in getattr(r, "dependencies", []) or []],
                    property_dependencies={k: [d.urn for d in v] for k, v in (getattr(r, "property_dependencies", {}) or {}).items()},
                )
            )
        return cls(nodes)

    # -- generic relations ----------------------------------------------------------------------

    def of_type(self, *types: str) -> list[Node]:
        return [n for t in types for n in self.by_type.get(t, [])]

    def deps(self, node: Node, prop: str, *types: str) -> list[Node]:
        found = [self.by_urn[u] for u in node.property_dependencies.get(prop, []) if u in self.by_urn]
        return [n for n in found if not types or n.type in types]

    def by_literal(self, value: Any, *types: str) -> list[Node]:
        """Resources of ``types`` whose id, ARN or name is ``value``."""
        if not isinstance(value, str) or not value:
            return []
        found: list[Node] = []
        for typ in types or tuple(self.by_type):
            index = self._literals.get(typ)
            if index is None:
                index = self._literals[typ] = defaultdict(list)
                for n in self.by_type.get(typ, []):
                    for literal in {n.get("id"), n.get("arn"), n.get("name")}:
                        if isinstance(literal, str) and literal:
                            index[literal].append(n)
            found += index.get(value, [])
        return found

    def referrers(self, target: Node, source_type: str, prop: str) -> list[Node]:
        """Resources of ``source_type`` whose ``prop`` points at ``target`` (as ``related`` finds it),
        indexed once per relation so a stack of thousands of resources is walked in linear time."""
        key = (source_type, prop, target.type)
        index = self._referrers.get(key)
        if index is None:
            index = self._referrers[key] = defaultdict(list)
            for source in self.of_type(source_type):
                for found in {n.urn: n for n in self.related(source, prop, target.type)}.values():
                    index[found.urn].append(source)
        return index.get(target.urn, [])

    def related(self, node: Node, prop: str, *types: str, value: Any = None) -> list[Node]:
        """What ``node.prop`` points at: by property dependency, else by the literal id(s)."""
        found = self.deps(node, prop, *types)
        if found:
            return found
        values = as_list(node.get(prop) if value is None else value)
        if values is UNKNOWN:
            return []
        return [m for v in values for m in self.by_literal(v, *types)]

    def ancestors(self, node: Node) -> list[Node]:
        out, seen = [], set()
        current = node
        while current.parent and current.parent in self.by_urn and current.parent not in seen:
            seen.add(current.parent)
            current = self.by_urn[current.parent]
            out.append(current)
        return out

    # -- networking -----------------------------------------------------------------------------

    def route_tables_of(self, subnet: Node) -> list[Node]:
        tables = []
        for association in self.referrers(subnet, ROUTE_TABLE_ASSOCIATION, "subnetId"):
            tables += self.related(association, "routeTableId", ROUTE_TABLE)
        return tables

    def routes_of(self, subnet: Node) -> list[Route] | None:
        """The subnet's routes, or None when its route table is not in the graph."""
        tables = self.route_tables_of(subnet)
        if not tables:
            return None
        routes: list[Route] = []
        for table in tables:
            for inline in as_list(table.get("routes")) or []:
                if isinstance(inline, dict):
                    destination = inline.get("ipv6CidrBlock") or inline.get("cidrBlock")
                    if isinstance(destination, str):
                        routes.append(Route(destination, self._target_kind(table, inline, None)))
            for route in self.referrers(table, ROUTE, "routeTableId"):
                destination = route.get("destinationIpv6CidrBlock") or route.get("destinationCidrBlock")
                if isinstance(destination, str):
                    routes.append(Route(destination, self._target_kind(route, route.props, route)))
        return routes

    def _target_kind(self, owner: Node, props: dict[str, Any], route: Node | None) -> str | Any:
        for key in ROUTE_TARGETS:
            value = props.get(key)
            if value is None or value == "":
                continue
            if route is not None:
                for target in self.deps(route, key):
                    if target.type in GATEWAY_KIND_BY_TYPE:
                        return GATEWAY_KIND_BY_TYPE[target.type]
            if value is UNKNOWN:
                return {"natGatewayId": "nat", "egressOnlyGatewayId": "eigw"}.get(key, UNKNOWN)
            for prefix, kind in GATEWAY_KIND_BY_ID_PREFIX:
                if str(value).startswith(prefix):
                    return kind
            return {"natGatewayId": "nat", "egressOnlyGatewayId": "eigw"}.get(key, "other")
        return "local"

    def subnet_has_ipv6(self, subnet: Node) -> bool | Any:
        """Whether a subnet has (or will have) an IPv6 CIDR."""
        cidr = subnet.get("ipv6CidrBlock")
        if cidr is UNKNOWN or (isinstance(cidr, str) and cidr):
            return True
        return bool(subnet.get("ipv6IpamPoolId")) or truthy(subnet.get("ipv6Native")) is True

    def security_group_rules(self, group: Node) -> list[SgRule]:
        rules = []
        for direction in ("ingress", "egress"):
            for inline in as_list(group.get(direction)) or []:
                if isinstance(inline, dict):
                    rules.append(self._rule(group, group, direction, inline, "cidrBlocks", "ipv6CidrBlocks"))
        for rule in self.referrers(group, SECURITY_GROUP_RULE, "securityGroupId"):
            rules.append(self._rule(group, rule, str(rule.get("type", default="")), rule.props, "cidrBlocks", "ipv6CidrBlocks"))
        for typ, direction in ((SG_INGRESS_RULE, "ingress"), (SG_EGRESS_RULE, "egress")):
            for rule in self.referrers(group, typ, "securityGroupId"):
                rules.append(self._rule(group, rule, direction, rule.props, "cidrIpv4", "cidrIpv6"))
        return rules

    @staticmethod
    def _rule(group: Node | None, source: Node, direction: str, props: dict[str, Any], v4: str, v6: str) -> SgRule:
        def cidrs(key: str) -> list[str]:
            values = as_list(props.get(key))
            return [c for c in values if isinstance(c, str)] if values is not UNKNOWN else []

        def port(key: str) -> int | None:
            value = props.get(key)
            return int(value) if isinstance(value, (int, float)) else None

        protocol = props.get("ipProtocol", props.get("protocol", ""))
        references = bool(
            props.get("referencedSecurityGroupId")
            or props.get("sourceSecurityGroupId")
            or props.get("securityGroups")
            or truthy(props.get("self")) is True
        )
        return SgRule(group, source, direction, str(protocol), port("fromPort"), port("toPort"), cidrs(v4), cidrs(v6), references)

    # -- EKS ------------------------------------------------------------------------------------

    def clusters(self) -> list[Cluster]:
        if self._clusters is None:
            self._clusters = self._find_clusters()
        return self._clusters

    def _find_clusters(self) -> list[Cluster]:
        clusters: list[Cluster] = []
        components = {n.urn: n for n in self.of_type(EKS_COMPONENT)}
        claimed: set[str] = set()
        for raw in self.of_type(EKS_CLUSTER):
            component = next((a for a in self.ancestors(raw) if a.urn in components), None)
            if component is not None:
                claimed.add(component.urn)
            family = raw.get("kubernetesNetworkConfig", "ipFamily", default="ipv4")
            subnets = self.deps(raw, "vpcConfig", SUBNET) or self.related(raw, "vpcConfig", SUBNET, value=raw.get("vpcConfig", "subnetIds"))
            clusters.append(Cluster(raw, component, raw.get("name", default=raw.name), family, subnets))
        for urn, component in components.items():
            if urn in claimed:
                continue
            subnets = [s for key in ("subnetIds", "privateSubnetIds", "publicSubnetIds") for s in self.related(component, key, SUBNET)]
            family = component_family(component)
            clusters.append(Cluster(component, None, component.get("name", default=component.name), family, subnets))
        self._clusters = clusters
        for group in self.of_type(NODE_GROUP, MANAGED_NODE_GROUP):
            cluster = self._cluster_by_reference(group, ("clusterName", "cluster"))
            if cluster is not None:
                cluster.node_groups.append(group)
        for group in self.of_type(AUTOSCALING_GROUP):
            cluster = self._cluster_of_autoscaling_group(group)
            if cluster is not None:
                cluster.node_groups.append(group)
        return clusters

    def _cluster_of_autoscaling_group(self, group: Node) -> Cluster | None:
        """Self-managed nodes: tagged kubernetes.io/cluster/<name>, or inside a pulumi-eks component."""
        for cluster in self._clusters or []:
            if isinstance(cluster.name, str) and f"kubernetes.io/cluster/{cluster.name}" in group.tags:
                return cluster
            if any(a in cluster.nodes for a in self.ancestors(group)):
                return cluster
        return None

    def node_instance_types(self, group: Node) -> list[str]:
        """Instance types of a node group: its own list, its launch template's, ASG overrides."""
        types = as_list(group.get("instanceTypes"))
        types = [] if types is UNKNOWN else list(types)
        templates = self.related(group, "launchTemplate", LAUNCH_TEMPLATE, value=group.get("launchTemplate", "id"))
        templates += self.related(group, "launchTemplate", LAUNCH_TEMPLATE, value=group.get("launchTemplate", "name"))
        policy = group.get("mixedInstancesPolicy", "launchTemplate", default={})
        if isinstance(policy, dict):
            spec = policy.get("launchTemplateSpecification") or {}
            if isinstance(spec, dict):
                templates += self.related(group, "mixedInstancesPolicy", LAUNCH_TEMPLATE, value=spec.get("launchTemplateId"))
            types += [o.get("instanceType") for o in as_list(policy.get("overrides")) or [] if isinstance(o, dict)]
        templates += self.related(group, "launchConfiguration", LAUNCH_CONFIGURATION)
        types += [t.get("instanceType") for t in {t.urn: t for t in templates}.values()]
        return [t for t in types if isinstance(t, str)]

    def vpc_ipv6_blocks(self, vpc: Node) -> list[str] | Any:
        """Every IPv6 block of a VPC (primary and associated), or ``UNKNOWN`` if one is not known."""
        blocks = [vpc.get("ipv6CidrBlock")]
        blocks += [a.get("ipv6CidrBlock") for a in self.of_type(VPC_ASSOCIATION) if vpc in self.related(a, "vpcId", VPC)]
        if any(b is UNKNOWN for b in blocks):
            return UNKNOWN
        return [b for b in blocks if isinstance(b, str) and b]

    def _cluster_by_reference(self, node: Node, props: tuple[str, ...]) -> Cluster | None:
        candidates = self._clusters or []
        for prop in props:
            for target in self.deps(node, prop):
                for cluster in candidates:
                    if target in cluster.nodes or any(a in cluster.nodes for a in self.ancestors(target)):
                        return cluster
            value = node.get(prop)
            if isinstance(value, str):
                for cluster in candidates:
                    if value == cluster.name:
                        return cluster
        return None

    def cluster_of(self, node: Node) -> Cluster | None:
        """The cluster a node group, add-on, Fargate profile or pod-identity association belongs to."""
        self.clusters()
        return self._cluster_by_reference(node, ("clusterName", "cluster"))

    def cluster_of_kubernetes_object(self, node: Node) -> Cluster | None:
        """A Kubernetes object's cluster: through its provider's kubeconfig, or the only cluster when
        the object names no provider of its own. A provider whose kubeconfig comes from no cluster
        of the stack points at a cluster made elsewhere: None, never a guess."""
        clusters = self.clusters()
        providers = [self.by_urn[n.provider] for n in (node, *self.ancestors(node)) if n.provider and n.provider in self.by_urn]
        for provider in providers:
            for source in self.deps(provider, "kubeconfig"):
                for cluster in clusters:
                    if source in cluster.nodes or any(a in cluster.nodes for a in self.ancestors(source)):
                        return cluster
        if any(p.get("kubeconfig") not in (None, UNKNOWN) for p in providers):
            return None  # an explicit kubeconfig for a cluster outside the stack
        return clusters[0] if len(clusters) == 1 else None

    def kubernetes_family(self, node: Node, assume_ipv6: bool = False) -> str | Any:
        """The IP family of the cluster a Kubernetes object lives in, as far as the graph tells."""
        cluster = self.cluster_of_kubernetes_object(node)
        if cluster is not None:
            return cluster.family
        families = {c.family for c in self.clusters()}
        if len(families) == 1 and UNKNOWN not in families:
            return families.pop()
        return "ipv6" if assume_ipv6 else UNKNOWN

    def node_subnets(self, cluster: Cluster) -> list[Node]:
        """Subnets the cluster's nodes run in (node groups, pulumi-eks node subnets)."""
        subnets: list[Node] = []
        for group in cluster.node_groups:
            subnets += self.related(group, "subnetIds", SUBNET) + self.related(group, "vpcZoneIdentifiers", SUBNET)
        if cluster.component is not None or cluster.node.type == EKS_COMPONENT:
            component = cluster.component or cluster.node
            subnets += self.related(component, "nodeSubnetIds", SUBNET)
        unique = {s.urn: s for s in subnets}
        return list(unique.values())

    def addons_of(self, cluster: Cluster, name: str) -> list[Node]:
        if self._addons is None:
            self._addons = defaultdict(list)
            for addon in self.of_type(ADDON):
                owner = self.cluster_of(addon)
                if owner is not None:
                    self._addons[id(owner)].append(addon)
        return [a for a in self._addons.get(id(cluster), []) if a.get("addonName") == name]

    def node_security_groups(self, cluster: Cluster) -> list[Node]:
        """Security groups on the cluster's nodes or control plane that ipv6-eks can see."""
        groups: list[Node] = []
        for group in cluster.node_groups:
            for template in self.related(group, "launchTemplate", LAUNCH_TEMPLATE, value=group.get("launchTemplate", "id")):
                groups += self.related(template, "vpcSecurityGroupIds", SECURITY_GROUP)
                for interface in as_list(template.get("networkInterfaces")) or []:
                    if isinstance(interface, dict):
                        groups += self.related(template, "networkInterfaces", SECURITY_GROUP, value=interface.get("securityGroups"))
        groups += self.deps(cluster.node, "vpcConfig", SECURITY_GROUP)
        for node in cluster.nodes:
            groups += self.related(node, "clusterSecurityGroup", SECURITY_GROUP)
            groups += [g for g in self.of_type(SECURITY_GROUP) if node in self.ancestors(g)]
        name = cluster.name if isinstance(cluster.name, str) else None
        if name:
            groups += [g for g in self.of_type(SECURITY_GROUP) if f"kubernetes.io/cluster/{name}" in g.tags]
        unique = {g.urn: g for g in groups}
        return list(unique.values())


def component_family(component: Node) -> str | Any:
    """pulumi-eks's family: its ``ipFamily`` argument - unknown when the analyzer was not given
    it (pulumi-eks's default, ``ipv4``, is never assumed)."""
    return component.get("ipFamily")


def ipv6_clusters(graph: Graph) -> list[Cluster]:
    return [c for c in graph.clusters() if c.family == "ipv6"]
