"""The offline plan: what ``pulumi up`` of a stack would create, without a cloud account.

It evaluates the real ``__main__.py`` with the stack file's configuration under the project's
AWS-like mocks, then reports from what was actually registered - never from what the code meant
to register: the resource tree, and every subnet with its CIDRs, DNS64 and default routes.
"""

from __future__ import annotations

import ipaddress
import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from ipv6_eks.eks_nodes import estimated_vcpus, max_pods, subnet_ipv4_capacity
from offline.harness import Evaluation
from offline.in_cluster import controller_rows, load_balancer_rows, render_in_cluster
from offline.mesh_view import mesh_view, render_mesh
from offline.mocks import RecordedResource
from offline.quotas import quota_usage, render_quotas

SUBNET = "aws:ec2/subnet:Subnet"
VPC = "aws:ec2/vpc:Vpc"
VPC_IPV6_ASSOCIATION = "aws:ec2/vpcIpv6CidrBlockAssociation:VpcIpv6CidrBlockAssociation"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
TARGET_KEYS = ("gatewayId", "natGatewayId", "egressOnlyGatewayId", "transitGatewayId", "vpcPeeringConnectionId")


@dataclass
class SubnetRow:
    """One subnet as the plan shows it."""

    name: str
    vpc: str
    tier: str
    role: str
    availability_zone: str
    ipv4_cidr: str | None
    ipv6_cidr: str | None
    ipv6_native: bool
    dns64: bool
    auto_assign_ipv6: bool
    routes: dict[str, str]  # destination -> target id


def subnet_rows(evaluation: Evaluation) -> list[SubnetRow]:
    """Every subnet with its default routes, resolved through route tables and associations."""
    by_id = evaluation.by_id()
    routes_by_table: dict[str, dict[str, str]] = defaultdict(dict)
    for route in evaluation.of_type(ROUTE):
        destination = route.inputs.get("destinationCidrBlock") or route.inputs.get("destinationIpv6CidrBlock")
        target = next((route.inputs[k] for k in TARGET_KEYS if route.inputs.get(k)), "?")
        routes_by_table[route.inputs.get("routeTableId", "")][destination] = target
    table_of = {a.inputs.get("subnetId"): a.inputs.get("routeTableId") for a in evaluation.of_type(ROUTE_TABLE_ASSOCIATION)}
    rows = []
    for subnet in evaluation.of_type(SUBNET):
        inputs, tags = subnet.inputs, subnet.inputs.get("tags") or {}
        vpc = by_id.get(inputs.get("vpcId"))
        rows.append(
            SubnetRow(
                name=subnet.name,
                vpc=vpc.name if vpc else str(inputs.get("vpcId")),
                tier=tags.get("tier", ""),
                role=tags.get("role", ""),
                availability_zone=inputs.get("availabilityZone", ""),
                ipv4_cidr=inputs.get("cidrBlock"),
                ipv6_cidr=inputs.get("ipv6CidrBlock"),
                ipv6_native=bool(inputs.get("ipv6Native")),
                dns64=bool(inputs.get("enableDns64")),
                auto_assign_ipv6=bool(inputs.get("assignIpv6AddressOnCreation")),
                routes=dict(routes_by_table.get(table_of.get(subnet.id, ""), {})),
            )
        )
    return rows


@dataclass
class NodeGroupRow:
    """A node group and its capacity."""

    name: str
    instance_types: list[str]
    ami_type: str
    min_size: int
    max_size: int
    pods_per_node: int | None  # IPv6: the 110/250 cap (R2.7); IPv4: set by the ENI limits
    max_pods: int | None


@dataclass
class ClusterRow:
    """A cluster as the plan shows it."""

    name: str
    ip_family: str
    version: str
    public_endpoint: list[str] | None  # None: private only
    vpc_cni: dict[str, Any]
    node_groups: list[NodeGroupRow]
    node_subnets_ipv4_addresses: int


def cluster_rows(evaluation: Evaluation) -> list[ClusterRow]:
    """Each cluster, its CNI configuration and node groups with their pod capacity."""
    subnets = {s.id: s.inputs for s in evaluation.of_type(SUBNET)}
    rows = []
    for cluster in sorted(evaluation.of_type("eks:index:Cluster"), key=lambda c: c.name):
        inputs = cluster.inputs
        physical = inputs.get("name", cluster.name)
        family = inputs.get("ipFamily", "ipv4")
        addons = [a for a in evaluation.of_type("aws:eks/addon:Addon") if a.inputs.get("clusterName") == physical]
        cni = next((a.inputs for a in addons if a.inputs.get("addonName") == "vpc-cni"), {})
        groups = []
        for group in sorted(evaluation.of_type("aws:eks/nodeGroup:NodeGroup"), key=lambda g: g.name):
            if group.inputs.get("clusterName") != physical:
                continue
            types = list(group.inputs.get("instanceTypes") or [])
            scaling = group.inputs.get("scalingConfig") or {}
            per_node = None
            if family == "ipv6" and types:
                per_node = min(max_pods(estimated_vcpus(t)) for t in types)
            high = int(scaling.get("maxSize", 0))
            groups.append(
                NodeGroupRow(
                    group.name,
                    types,
                    group.inputs.get("amiType", ""),
                    int(scaling.get("minSize", 0)),
                    high,
                    per_node,
                    per_node * high if per_node else None,
                )
            )
        node_ipv4 = sum(
            subnet_ipv4_capacity(subnets[i]["cidrBlock"]) for i in inputs.get("nodeSubnetIds", []) if subnets.get(i, {}).get("cidrBlock")
        )
        rows.append(
            ClusterRow(
                name=physical,
                ip_family=family,
                version=str(inputs.get("version", "")),
                public_endpoint=list(inputs.get("publicAccessCidrs") or []) if inputs.get("endpointPublicAccess") else None,
                vpc_cni=json.loads(cni.get("configurationValues") or "{}"),
                node_groups=groups,
                node_subnets_ipv4_addresses=node_ipv4,
            )
        )
    return rows


def plan_document(evaluation: Evaluation, findings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The plan as plain data (what ``--json`` prints)."""
    return {
        "stack": evaluation.stack,
        "region": evaluation.region,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "id": r.id,
                "parent": r.parent,
                "protect": r.protect,
            }
            for r in sorted(evaluation.resources, key=lambda r: r.urn)
        ],
        "subnets": [asdict(row) for row in sorted(subnet_rows(evaluation), key=lambda r: r.name)],
        "clusters": [asdict(row) for row in cluster_rows(evaluation)],  # sorted by name
        "load_balancer_controllers": [asdict(row) for row in controller_rows(evaluation)],
        "load_balancers": [asdict(row) for row in load_balancer_rows(evaluation)],
        "mesh": asdict(view) if (view := mesh_view(evaluation)) else None,
        "quotas": [{**asdict(use.quota), "used": use.used, "where": use.where, "exceeds": use.exceeds} for use in quota_usage(evaluation)],
        "outputs": evaluation.outputs,
        "findings": findings or [],
    }


def render_text(evaluation: Evaluation, findings: list[dict[str, Any]] | None = None) -> str:
    """The plan for people: resource tree, addressing table, policy findings."""
    lines = [
        f"Offline plan of stack '{evaluation.stack}' in {evaluation.region} (evaluated under mocks; nothing was deployed)",
        "",
        f"Resources ({len(evaluation.resources)}):",
    ]
    lines += _tree(evaluation.resources)
    by_vpc: dict[str, list[SubnetRow]] = defaultdict(list)
    for row in subnet_rows(evaluation):
        by_vpc[row.vpc].append(row)
    for vpc, rows in sorted(by_vpc.items()):
        lines += ["", *_addressing(_vpc_title(vpc, evaluation), rows, evaluation)]
    clusters = cluster_rows(evaluation)
    if clusters:
        lines += ["", *_clusters(clusters)]
    in_cluster = render_in_cluster(evaluation)
    if in_cluster:
        lines += ["", *in_cluster]
    mesh = render_mesh(mesh_view(evaluation))
    if mesh:
        lines += ["", *mesh]
    lines += ["", *render_quotas(quota_usage(evaluation))]
    if findings is not None:
        lines += ["", *render_findings(findings)]
    return "\n".join(lines) + "\n"


def render_findings(findings: list[dict[str, Any]]) -> list[str]:
    mandatory = sum(1 for f in findings if f["level"] == "mandatory")
    lines = [f"Policy findings ({mandatory} mandatory, {len(findings) - mandatory} advisory):"]
    if not findings:
        lines.append("  none")
    for f in findings:
        where = f" [{f['resource']}]" if f.get("resource") else ""
        lines.append(f"  {f['level'].upper():9} {f['policy']}{where}: {f['message']}")
    return lines


def _tree(resources: list[RecordedResource]) -> list[str]:
    children: dict[str, list[RecordedResource]] = defaultdict(list)
    urns = {r.urn for r in resources}
    roots = []
    for r in resources:
        (children[r.parent] if r.parent in urns else roots).append(r)
    stack_label = resources[0].parent.split("::")[-1] if resources else ""
    lines = [f"  {stack_label} (pulumi:pulumi:Stack)"]

    def walk(items: list[RecordedResource], indent: str) -> None:
        items = sorted(items, key=lambda r: (r.type, r.name))
        for i, r in enumerate(items):
            last = i == len(items) - 1
            flags = "  [protected]" if r.protect else ""
            lines.append(f"{indent}{'└─' if last else '├─'} {r.name}  {r.type}{flags}")
            walk(children.get(r.urn, []), indent + ("   " if last else "│  "))

    walk(roots, "  ")
    return lines


def _vpc_title(vpc: str, evaluation: Evaluation) -> str:
    """``VPC <name> (<IPv4>, IPv6 <blocks>)``; a VPC the stack adopts is known by its id only."""
    resource = next((r for r in evaluation.of_type(VPC) if r.name == vpc), None)
    if resource is None:
        return f"adopted VPC {vpc} (not created by this stack)"
    blocks = [resource.outputs.get("ipv6CidrBlock")] + [
        a.inputs.get("ipv6CidrBlock") or a.outputs.get("ipv6CidrBlock")
        for a in evaluation.of_type(VPC_IPV6_ASSOCIATION)
        if a.inputs.get("vpcId") == resource.id
    ]
    ipv6 = ", ".join(b for b in blocks if b) or "none"
    return f"VPC {vpc} ({resource.inputs.get('cidrBlock')}, IPv6 {ipv6})"


def _addressing(title: str, rows: list[SubnetRow], evaluation: Evaluation) -> list[str]:
    by_id = evaluation.by_id()

    def target(value: str) -> str:
        resource = by_id.get(value)
        kind = {
            "aws:ec2/internetGateway:InternetGateway": "igw",
            "aws:ec2/natGateway:NatGateway": "nat",
            "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": "eigw",
        }.get(resource.type if resource else "", "")
        return f"{kind}:{resource.name}" if kind else value

    header = ["subnet", "tier", "AZ", "IPv4", "IPv6", "DNS64", "default routes"]
    table = [header]
    for row in sorted(rows, key=lambda r: (_sort_key(r.ipv4_cidr), _sort_key(r.ipv6_cidr))):
        routes = ", ".join(f"{dest} -> {target(t)}" for dest, t in sorted(row.routes.items())) or "(none)"
        table.append(
            [
                row.name,
                f"{row.tier} ({row.role})",
                row.availability_zone,
                row.ipv4_cidr or "-",
                (row.ipv6_cidr or "-") + (" (IPv6-only)" if row.ipv6_native else ""),
                "on" if row.dns64 else "off",
                routes,
            ]
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    out = [f"Addressing plan of {title}:"]
    for r in table:
        out.append("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip())
    return out


def _clusters(rows: list[ClusterRow]) -> list[str]:
    lines = ["Clusters and capacity:"]
    for c in rows:
        endpoint = "private only" if c.public_endpoint is None else "public from " + ", ".join(c.public_endpoint)
        env = {**c.vpc_cni.get("env", {}), **{f"init.{k}": v for k, v in c.vpc_cni.get("init", {}).get("env", {}).items()}}
        cni = ", ".join(f"{k}={v}" for k, v in sorted(env.items()))
        lines.append(f"  {c.name}  {c.ip_family}  Kubernetes {c.version}  API endpoint {endpoint}")
        lines.append(f"    vpc-cni: {cni}; network policy {c.vpc_cni.get('enableNetworkPolicy', 'false')}")
        for g in c.node_groups:
            if c.ip_family == "ipv6":
                capacity = f"{g.pods_per_node} pods/node (R2.7; a /80 per node) -> up to {g.max_pods} pods"
            else:
                capacity = f"pods share the node subnets' {c.node_subnets_ipv4_addresses:,} IPv4 addresses"
            lines.append(
                f"    node group {g.name}: {', '.join(g.instance_types)} {g.ami_type}, {g.min_size}..{g.max_size} nodes, {capacity}"
            )
    return lines


def _sort_key(cidr: str | None) -> tuple[int, int]:
    if not cidr:
        return (1, 0)
    net = ipaddress.ip_network(cidr)
    return (0, int(net.network_address))
