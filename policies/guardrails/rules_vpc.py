"""VPC and subnet rules: R3.1, R3.2, R3.4, R3.5, R3.7, R3.8, R3.9, R3.15."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from .facts import IPAM_SUBNET_IPV6_PREFIXES, IPAM_VPC_IPV6_PREFIXES, NAT64_PREFIX
from .framework import ADVISORY, MANDATORY, Rule, resource_policy, stack_policy
from .graph import FARGATE_PROFILE, SUBNET, VPC, Graph, Node, Route
from .props import UNKNOWN, as_list, truthy

VPC_ASSOCIATION = "aws:ec2/vpcIpv6CidrBlockAssociation:VpcIpv6CidrBlockAssociation"
NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl"
NETWORK_ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
NETWORK_ACL_ASSOCIATION = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
IPAM_SIZES = ", ".join(f"/{p}" for p in IPAM_VPC_IPV6_PREFIXES)


def _ipv6_network(text: Any) -> ipaddress.IPv6Network | None:
    try:
        return ipaddress.IPv6Network(text, strict=True) if isinstance(text, str) else None
    except ValueError:
        return None


# -- R3.1 ----------------------------------------------------------------------------------------

R3_1 = Rule("vpc-ipv6-block-source", "R3.1", "A VPC's IPv6 block comes from exactly one source, in an allowed size", MANDATORY)


def check_vpc_ipv6_source(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    sources = []
    if truthy(node.get("assignGeneratedIpv6CidrBlock")) is True:
        sources.append("assignGeneratedIpv6CidrBlock")
    for key in ("ipv6IpamPoolId", "ipv6Pool"):
        if node.get(key) not in (None, ""):
            sources.append(key)
    if len(sources) > 1:
        yield (
            f"asks for an IPv6 block from {' and '.join(sources)}",
            "choose one source: an Amazon-provided /56, an IPAM pool or a BYOIP pool",
        )
    netmask = node.get("ipv6NetmaskLength")
    if isinstance(netmask, (int, float)) and int(netmask) not in IPAM_VPC_IPV6_PREFIXES:
        yield f"asks IPAM for a /{int(netmask)}", f"use an IPAM netmask of {IPAM_SIZES}"
    if isinstance(netmask, (int, float)) and "assignGeneratedIpv6CidrBlock" in sources:
        yield (
            "sets ipv6NetmaskLength with an Amazon-provided block, which is always a /56",
            "drop ipv6NetmaskLength, or allocate from an IPAM pool",
        )
    cidr = node.get("ipv6CidrBlock")
    if isinstance(cidr, str) and cidr:
        network = _ipv6_network(cidr)
        if network is None:
            yield f"has ipv6CidrBlock {cidr!r}, which is not an IPv6 network", "give the block as a network, e.g. 2600:1f16:5de:8b00::/56"
        elif network.prefixlen not in IPAM_VPC_IPV6_PREFIXES:
            yield f"asks for the IPv6 block {cidr}, a /{network.prefixlen}", f"VPC IPv6 blocks are {IPAM_SIZES}"
        if not {"ipv6IpamPoolId", "ipv6Pool"} & set(sources):
            yield (
                f"asks for the IPv6 block {cidr} without a pool to take it from",
                "name the IPAM pool (ipv6IpamPoolId) or BYOIP pool (ipv6Pool), or use assignGeneratedIpv6CidrBlock",
            )


# -- R3.2 ----------------------------------------------------------------------------------------

R3_2 = Rule("subnet-ipv6-size", "R3.2", "Subnet IPv6 CIDRs are /64s (IPAM: /44-/64) inside the VPC block, without overlaps", MANDATORY)
R3_2_OVERLAP = Rule("subnet-ipv6-overlap", "R3.2", "Subnet IPv6 CIDRs of a VPC do not overlap and lie in the VPC's block", MANDATORY)


def check_subnet_ipv6_size(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    cidr = node.get("ipv6CidrBlock")
    if not isinstance(cidr, str) or not cidr:
        return
    network = _ipv6_network(cidr)
    if network is None:
        yield f"has ipv6CidrBlock {cidr!r}, which is not an IPv6 network", "give a /64 network, e.g. 2600:1f16:5de:8b03::/64"
        return
    if node.get("ipv6IpamPoolId"):
        if network.prefixlen not in IPAM_SUBNET_IPV6_PREFIXES:
            yield f"takes a /{network.prefixlen} from IPAM", "IPAM subnet blocks are /44 to /64 in steps of 4"
    elif network.prefixlen != 64:
        yield f"has the IPv6 CIDR {cidr}, a /{network.prefixlen}", "subnet IPv6 CIDRs are /64s carved from the VPC's block"


def check_subnet_ipv6_overlap(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    by_vpc: dict[str, list[tuple[Node, ipaddress.IPv6Network]]] = {}
    for subnet in graph.of_type(SUBNET):
        network = _ipv6_network(subnet.get("ipv6CidrBlock"))
        if network is None:
            continue
        vpcs = graph.related(subnet, "vpcId", VPC)
        key = vpcs[0].urn if vpcs else subnet.get("vpcId")
        if not isinstance(key, str):
            continue
        for other, other_network in by_vpc.get(key, []):
            if network.overlaps(other_network):
                for mine, theirs, their_network, my_network in (
                    (subnet, other, other_network, network),
                    (other, subnet, network, other_network),
                ):
                    yield (
                        mine,
                        f"has the IPv6 CIDR {my_network}, which overlaps {their_network} of subnet '{theirs.name}'",
                        "give each subnet its own /64 index",
                    )
        by_vpc.setdefault(key, []).append((subnet, network))
        for vpc in vpcs:
            blocks = graph.vpc_ipv6_blocks(vpc)
            if blocks is UNKNOWN or not blocks:
                continue
            networks = [b for b in map(_ipv6_network, blocks) if b is not None]
            if networks and not any(network.subnet_of(b) for b in networks):
                yield (
                    subnet,
                    f"has the IPv6 CIDR {network}, outside its VPC's blocks {', '.join(map(str, networks))}",
                    "carve the /64 from one of the VPC's IPv6 blocks",
                )


# -- R3.9 ----------------------------------------------------------------------------------------

R3_9 = Rule(
    "ipv6-only-subnet-shape", "R3.9", "IPv6-only subnets have no IPv4 CIDR, auto-assign IPv6 and use resource-name hostnames", MANDATORY
)
R3_9_NAT64 = Rule("ipv6-only-subnet-nat64", "R3.9", "IPv6-only subnets with internet egress reach IPv4 through DNS64 and NAT64", ADVISORY)


def check_ipv6_only_shape(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if truthy(node.get("ipv6Native")) is not True:
        return
    if isinstance(node.get("cidrBlock"), str) and node.get("cidrBlock"):
        yield f"is IPv6-only (ipv6Native) but has the IPv4 CIDR {node.get('cidrBlock')}", "drop cidrBlock, or make the subnet dual-stack"
    if truthy(node.get("assignIpv6AddressOnCreation")) is False and node.get("assignIpv6AddressOnCreation") is not None:
        yield "is IPv6-only but does not auto-assign IPv6 addresses", "set assignIpv6AddressOnCreation true"
    hostname = node.get("privateDnsHostnameTypeOnLaunch")
    if hostname is not UNKNOWN and hostname != "resource-name":
        yield (
            f"is IPv6-only with hostname type {hostname or 'ip-name (the default)'}",
            "set privateDnsHostnameTypeOnLaunch to resource-name",
        )
    if truthy(node.get("enableResourceNameDnsARecordOnLaunch")) is True:
        yield "is IPv6-only but publishes A records for resource names", "set enableResourceNameDnsARecordOnLaunch false"


def _has(routes: list[Route], destination: str, *kinds: str) -> bool:
    return any(r.destination == destination and (not kinds or r.target in kinds) for r in routes)


def check_ipv6_only_nat64(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for subnet in graph.of_type(SUBNET):
        if truthy(subnet.get("ipv6Native")) is not True:
            continue
        routes = graph.routes_of(subnet)
        if routes is None or not _has(routes, "::/0"):
            continue  # no internet egress: an isolated IPv6-only subnet needs no IPv4 reach
        dns64 = truthy(subnet.get("enableDns64"))
        if dns64 is False:
            yield (
                subnet,
                "is IPv6-only with internet egress but DNS64 off, so IPv4-only destinations are unreachable",
                f"set enableDns64 true and route {NAT64_PREFIX} to a NAT gateway",
            )
        elif dns64 is True and not _has(routes, NAT64_PREFIX, "nat", UNKNOWN):
            yield (
                subnet,
                f"is IPv6-only with DNS64 but no {NAT64_PREFIX} route to a NAT gateway",
                f"add {NAT64_PREFIX} -> NAT gateway (in a public subnet)",
            )


# -- R3.4, R3.5, R3.7, R3.8 ------------------------------------------------------------------------

R3_4 = Rule(
    "private-subnet-ipv6-egress",
    "R3.4",
    "Private dual-stack subnets route ::/0 to an egress-only gateway, never to a NAT gateway",
    ADVISORY,
)
R3_5 = Rule(
    "public-subnet-ipv6-default", "R3.5", "Public dual-stack subnets route both 0.0.0.0/0 and ::/0 to the internet gateway", ADVISORY
)
R3_7 = Rule(
    "private-subnet-no-internet-gateway",
    "R3.7",
    "Private (node, pod, Fargate) subnets have no route to an internet gateway, IPv6 included",
    ADVISORY,
)
R3_8 = Rule("dns64-off-on-eks-subnets", "R3.8", "DNS64 stays off where EKS IPv6 pods run; where it is on, NAT64 carries it", ADVISORY)


def eks_subnets(graph: Graph) -> dict[str, Node]:
    """Subnets EKS uses: cluster subnets, node subnets, Fargate profile subnets."""
    found: dict[str, Node] = {}
    for cluster in graph.clusters():
        for subnet in [*cluster.subnets, *graph.node_subnets(cluster)]:
            found[subnet.urn] = subnet
    for profile in graph.of_type(FARGATE_PROFILE):
        for subnet in graph.related(profile, "subnetIds", SUBNET):
            found[subnet.urn] = subnet
    return found


def _ipv6_subnets_with_routes(graph: Graph) -> Iterator[tuple[Node, list[Route]]]:
    """Subnets known to have an IPv6 CIDR, with their route table's routes where those are known."""
    for subnet in graph.of_type(SUBNET):
        if graph.subnet_has_ipv6(subnet) is True and (routes := graph.routes_of(subnet)) is not None:
            yield subnet, routes


def check_private_ipv6_egress(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    used_by_eks = eks_subnets(graph)
    for subnet, routes in _ipv6_subnets_with_routes(graph):
        if _has(routes, "::/0", "nat"):
            yield subnet, "sends ::/0 to a NAT gateway, which does not carry native IPv6", "route ::/0 to an egress-only internet gateway"
            continue
        public = _has(routes, "0.0.0.0/0", "igw") or _has(routes, "::/0", "igw")
        private_with_egress = _has(routes, "0.0.0.0/0", "nat") or subnet.urn in used_by_eks
        if not public and private_with_egress and not _has(routes, "::/0", "eigw", UNKNOWN):
            yield (
                subnet,
                "has an IPv6 CIDR but no ::/0 route, so pods and nodes cannot reach IPv6 destinations",
                "add ::/0 -> egress-only internet gateway to its route table",
            )


def check_public_ipv6_default(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for subnet, routes in _ipv6_subnets_with_routes(graph):
        public = _has(routes, "0.0.0.0/0", "igw") or "kubernetes.io/role/elb" in subnet.tags
        if public and not _has(routes, "::/0", "igw", UNKNOWN):
            yield (
                subnet,
                "is a public dual-stack subnet without ::/0 -> internet gateway, so IPv6 clients cannot reach its load balancers",
                "add ::/0 -> the internet gateway to its route table",
            )


def check_private_no_igw(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    fargate = {s.urn for p in graph.of_type(FARGATE_PROFILE) for s in graph.related(p, "subnetIds", SUBNET)}
    for subnet in graph.of_type(SUBNET):
        routes = graph.routes_of(subnet)
        if routes is None:
            continue
        private = _has(routes, "0.0.0.0/0", "nat") or "kubernetes.io/role/internal-elb" in subnet.tags or subnet.urn in fargate
        if private and _has(routes, "::/0", "igw"):
            yield (
                subnet,
                "is private for IPv4 but sends ::/0 to the internet gateway, which lets any IPv6 host connect in",
                "route ::/0 to an egress-only internet gateway instead",
            )
        elif subnet.urn in fargate and _has(routes, "0.0.0.0/0", "igw"):
            yield (
                subnet,
                "hosts a Fargate profile but routes to the internet gateway",
                "use private subnets (NAT and egress-only gateway) for Fargate",
            )


def check_dns64(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    ipv6_eks = {s.urn for c in graph.clusters() if c.family == "ipv6" for s in [*c.subnets, *graph.node_subnets(c)]}
    for subnet in graph.of_type(SUBNET):
        if truthy(subnet.get("enableDns64")) is not True:
            continue
        if subnet.urn in ipv6_eks:
            yield (
                subnet,
                "has DNS64 on while IPv6 EKS pods run in it, so IPv4-only names resolve to 64:ff9b:: and go through NAT64 instead of the node",
                "set enableDns64 false on EKS node and pod subnets",
            )
            continue
        routes = graph.routes_of(subnet)
        if routes is not None and not _has(routes, NAT64_PREFIX, "nat", UNKNOWN):
            yield (
                subnet,
                f"has DNS64 on but no {NAT64_PREFIX} route to a NAT gateway, so synthesized addresses lead nowhere",
                f"add {NAT64_PREFIX} -> NAT gateway, or turn DNS64 off",
            )


# -- R3.15 ---------------------------------------------------------------------------------------

R3_15 = Rule("nacl-ipv6-rules", "R3.15", "Network ACLs on dual-stack subnets allow IPv6 wherever they allow IPv4", ADVISORY)


def _acl_rules(graph: Graph, acl: Node) -> list[dict[str, Any]]:
    rules = []
    for direction in ("ingress", "egress"):
        for rule in as_list(acl.get(direction)) or []:
            if isinstance(rule, dict):
                rules.append({**rule, "_egress": direction == "egress", "_action": rule.get("action")})
    for rule in graph.of_type(NETWORK_ACL_RULE):
        if acl in graph.related(rule, "networkAclId", NETWORK_ACL):
            rules.append({**rule.props, "_egress": truthy(rule.get("egress")) is True, "_action": rule.get("ruleAction")})
    return rules


def _acl_protects_ipv6(graph: Graph, acl: Node) -> bool:
    subnets = graph.related(acl, "subnetIds", SUBNET)
    for association in graph.of_type(NETWORK_ACL_ASSOCIATION):
        if acl in graph.related(association, "networkAclId", NETWORK_ACL):
            subnets += graph.related(association, "subnetId", SUBNET)
    if subnets:
        return any(graph.subnet_has_ipv6(s) is True for s in subnets)
    return any(
        truthy(v.get("assignGeneratedIpv6CidrBlock")) is True or v.get("ipv6CidrBlock") or v.get("ipv6IpamPoolId")
        for v in graph.related(acl, "vpcId", VPC)
    )


def check_nacl_ipv6(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for acl in graph.of_type(NETWORK_ACL):
        if not _acl_protects_ipv6(graph, acl):
            continue
        rules = [r for r in _acl_rules(graph, acl) if str(r["_action"]).lower() == "allow"]
        for rule in rules:
            if not rule.get("cidrBlock") or rule.get("ipv6CidrBlock"):
                continue
            twin = [
                r
                for r in rules
                if r.get("ipv6CidrBlock")
                and r["_egress"] == rule["_egress"]
                and str(r.get("protocol")) in (str(rule.get("protocol")), "-1", "all")
                and (
                    str(r.get("protocol")) in ("-1", "all")
                    or (r.get("fromPort", 0) <= rule.get("fromPort", 0) and r.get("toPort", 65535) >= rule.get("toPort", 65535))
                )
            ]
            if not twin:
                direction = "egress" if rule["_egress"] else "ingress"
                ports = f"{rule.get('fromPort', 0)}-{rule.get('toPort', 0)}"
                yield (
                    acl,
                    f"allows {direction} protocol {rule.get('protocol')} ports {ports} from {rule.get('cidrBlock')} but has no matching IPv6 rule, so IPv6 traffic is dropped",
                    "add the same rule with ipv6CidrBlock (e.g. ::/0), ephemeral return ports included",
                )


POLICIES = [
    resource_policy(R3_1, (VPC, VPC_ASSOCIATION), check_vpc_ipv6_source),
    resource_policy(R3_2, (SUBNET,), check_subnet_ipv6_size),
    stack_policy(R3_2_OVERLAP, check_subnet_ipv6_overlap),
    resource_policy(R3_9, (SUBNET,), check_ipv6_only_shape),
    stack_policy(R3_9_NAT64, check_ipv6_only_nat64),
    stack_policy(R3_4, check_private_ipv6_egress),
    stack_policy(R3_5, check_public_ipv6_default),
    stack_policy(R3_7, check_private_no_igw),
    stack_policy(R3_8, check_dns64),
    stack_policy(R3_15, check_nacl_ipv6),
]
