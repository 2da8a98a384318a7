"""Security rules: R7.1, R7.3, R7.4, R7.5, R7.6, R7.7 (CIS Amazon EKS Benchmark controls)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from .facts import CONTROL_PLANE_LOG_TYPES, OPEN_CIDRS
from .framework import ADVISORY, Rule, resource_policy, stack_policy
from .graph import (
    EKS_CLUSTER,
    EKS_COMPONENT,
    LAUNCH_TEMPLATE,
    NODE_GROUP,
    SECURITY_GROUP,
    SECURITY_GROUP_RULE,
    SG_INGRESS_RULE,
    Graph,
    Node,
    Route,
)
from .props import UNKNOWN, as_list, get, truthy

KMS_KEY = "aws:kms/key:Key"
CLUSTERS = (EKS_CLUSTER, EKS_COMPONENT)


def _endpoint(node: Node) -> tuple[Any, Any, Any]:
    """(private access, public access, public CIDRs) with each API's defaults."""
    if node.type == EKS_CLUSTER:
        config = node.get("vpcConfig", default={})
        if config is UNKNOWN:
            return UNKNOWN, UNKNOWN, UNKNOWN
        return (
            get(config, "endpointPrivateAccess", default=False),
            get(config, "endpointPublicAccess", default=True),
            get(config, "publicAccessCidrs"),
        )
    # pulumi-eks: only what the analyzer was given; an absent argument reads as unknown (graph.Node),
    # never as pulumi-eks's default (private off, public on to everyone)
    return node.get("endpointPrivateAccess"), node.get("endpointPublicAccess"), node.get("publicAccessCidrs")


# -- R7.1 ----------------------------------------------------------------------------------------

R7_1 = Rule("api-endpoint-restricted", "R7.1", "The private API endpoint is on; the public one is off or limited to known CIDRs", ADVISORY)
R7_1_SCHEMA = {
    "allowedPublicAccessCidrs": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "If set, public endpoint CIDRs must each lie inside one of these.",
    }
}


def check_endpoint(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    private, public, cidrs = _endpoint(node)
    if truthy(private) is False:
        yield "has no private API endpoint, so nodes reach the API over the internet", "set endpointPrivateAccess true"
    if truthy(public) is not True:
        return
    cidrs = as_list(cidrs)
    if cidrs is UNKNOWN:
        return
    if not cidrs:
        yield (
            "has a public API endpoint open to every address (no publicAccessCidrs)",
            "disable the public endpoint, or set publicAccessCidrs to the networks that need it",
        )
        return
    open_ones = [c for c in cidrs if isinstance(c, str) and c.strip() in OPEN_CIDRS]
    if open_ones:
        yield (
            f"opens its public API endpoint to {', '.join(open_ones)}",
            "limit publicAccessCidrs to the networks that need the API, or turn the public endpoint off",
        )
    allowed = [ipaddress.ip_network(c, strict=False) for c in config.get("allowedPublicAccessCidrs") or []]
    if allowed:
        for cidr in cidrs:
            if not isinstance(cidr, str) or cidr in open_ones:
                continue
            try:
                network = ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                continue
            if not any(network.version == a.version and network.subnet_of(a) for a in allowed):
                yield (
                    f"allows {cidr} to reach its public API endpoint, outside the allowed {', '.join(map(str, allowed))}",
                    "use CIDRs inside this policy's allowedPublicAccessCidrs",
                )


# -- R7.3 ----------------------------------------------------------------------------------------

R7_3 = Rule("secrets-encryption", "R7.3", "Kubernetes secrets are envelope-encrypted with a customer-managed KMS key", ADVISORY)
R7_3_ROTATION = Rule("secrets-key-rotation", "R7.3", "The KMS key that encrypts cluster secrets rotates", ADVISORY)


def check_secrets_encryption(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if node.type == EKS_CLUSTER:
        configs = as_list(node.get("encryptionConfig"))
        if configs is UNKNOWN:
            return
        key = next((get(c, "provider", "keyArn") for c in configs if isinstance(c, dict)), None)
        resources = next((as_list(get(c, "resources")) for c in configs if isinstance(c, dict)), [])
        if key is None:
            yield (
                "does not encrypt Kubernetes secrets with a customer-managed KMS key",
                "set encryptionConfig with provider.keyArn and resources [secrets]",
            )
        elif resources is not UNKNOWN and "secrets" not in resources:
            yield (
                "has an encryption key but does not name secrets among the encrypted resources",
                "set encryptionConfig.resources to [secrets]",
            )
    elif "encryptionConfigKeyArn" in node.props and node.props["encryptionConfigKeyArn"] in (None, ""):
        # pulumi-eks: only an explicitly empty key counts; an absent argument is unknown (graph.Node)
        yield "does not encrypt Kubernetes secrets with a customer-managed KMS key", "set encryptionConfigKeyArn to a KMS key with rotation"


def check_key_rotation(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for cluster in graph.clusters():
        keys = []
        for node in cluster.nodes:
            keys += graph.deps(node, "encryptionConfig", KMS_KEY) + graph.related(node, "encryptionConfigKeyArn", KMS_KEY)
        for key in {k.urn: k for k in keys}.values():
            if truthy(key.get("enableKeyRotation")) is False:
                yield key, f"encrypts the secrets of '{cluster.name}' but does not rotate", "set enableKeyRotation true"


# -- R7.4 ----------------------------------------------------------------------------------------

R7_4 = Rule("control-plane-logging", "R7.4", "All five control-plane log types go to CloudWatch", ADVISORY)


def check_logging(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    types = as_list(node.get("enabledClusterLogTypes"))
    if types is UNKNOWN:
        return
    missing = [t for t in CONTROL_PLANE_LOG_TYPES if t not in types]
    if missing:
        yield f"does not log {', '.join(missing)}", f"set enabledClusterLogTypes to {', '.join(CONTROL_PLANE_LOG_TYPES)}"


# -- R7.5 ----------------------------------------------------------------------------------------

R7_5 = Rule("imds-v2-hop-limit", "R7.5", "Instances require IMDSv2 with a hop limit of 1 (2 where pods need IMDS)", ADVISORY)


def check_imds(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    options = node.get("metadataOptions", default={})
    if options is UNKNOWN:
        return
    tokens = get(options, "httpTokens")
    if tokens is not UNKNOWN and tokens != "required":
        yield f"allows IMDSv1 (httpTokens {tokens or 'optional, the default'})", "set metadataOptions.httpTokens to required"
    if get(options, "httpEndpoint") == "disabled":
        yield "disables the instance metadata service, which nodes need to bootstrap", "set metadataOptions.httpEndpoint to enabled"
    hops = get(options, "httpPutResponseHopLimit")
    if isinstance(hops, (int, float)) and int(hops) not in (1, 2):
        yield (
            f"sets the IMDS hop limit to {int(hops)}, so containers behind extra hops reach node credentials",
            "use 1 (pods use IRSA or Pod Identity), or 2 where pods must reach IMDS",
        )


# -- R7.6 ----------------------------------------------------------------------------------------

R7_6 = Rule("no-ssh-from-internet", "R7.6", "No SSH (port 22) from 0.0.0.0/0 or ::/0; no node SSH key without source groups", ADVISORY)


def _opens_ssh(protocol: Any, low: Any, high: Any) -> bool:
    if str(protocol) in ("-1", "all"):
        return True
    if str(protocol) not in ("tcp", "6"):
        return False
    low = int(low) if isinstance(low, (int, float)) else 0
    high = int(high) if isinstance(high, (int, float)) else 65535
    return low <= 22 <= high


def check_ssh(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    fix = "allow port 22 only from a bastion's security group or a known CIDR; prefer SSM Session Manager"
    if node.type == NODE_GROUP:
        access = node.get("remoteAccess")
        if isinstance(access, dict) and access.get("ec2SshKey") and not as_list(access.get("sourceSecurityGroupIds")):
            yield (
                "has an SSH key but no source security groups, which opens port 22 to the internet",
                "set remoteAccess.sourceSecurityGroupIds, or drop remoteAccess and use SSM",
            )
        return
    blocks: list[dict[str, Any]] = []
    if node.type == SECURITY_GROUP:
        blocks = [b for b in as_list(node.get("ingress")) or [] if isinstance(b, dict)]
    elif node.type == SECURITY_GROUP_RULE and node.get("type") == "ingress":
        blocks = [node.props]
    elif node.type == SG_INGRESS_RULE:
        blocks = [
            {
                "protocol": node.get("ipProtocol"),
                "fromPort": node.get("fromPort"),
                "toPort": node.get("toPort"),
                "cidrBlocks": [node.get("cidrIpv4")],
                "ipv6CidrBlocks": [node.get("cidrIpv6")],
            }
        ]
    for block in blocks:
        sources = [c for key in ("cidrBlocks", "ipv6CidrBlocks") for c in as_list(block.get(key)) or [] if c in OPEN_CIDRS]
        if sources and _opens_ssh(block.get("protocol"), block.get("fromPort"), block.get("toPort")):
            yield f"allows SSH (port 22) from {', '.join(sources)}", fix


# -- R7.7 ----------------------------------------------------------------------------------------

R7_7 = Rule("nodes-in-private-subnets", "R7.7", "Nodes run in private subnets: no internet gateway route, no public IPv4", ADVISORY)


def check_private_nodes(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for cluster in graph.clusters():
        for subnet in graph.node_subnets(cluster):
            routes: list[Route] = graph.routes_of(subnet) or []
            public = [r.destination for r in routes if r.target == "igw" and r.destination in OPEN_CIDRS]
            if public:
                yield (
                    subnet,
                    f"hosts nodes of '{cluster.name}' but routes {', '.join(public)} to an internet gateway",
                    "put nodes in private subnets (NAT for IPv4, egress-only gateway for IPv6)",
                )
            elif truthy(subnet.get("mapPublicIpOnLaunch")) is True:
                yield subnet, f"hosts nodes of '{cluster.name}' and gives them public IPv4 addresses", "set mapPublicIpOnLaunch false"


POLICIES = [
    resource_policy(R7_1, CLUSTERS, check_endpoint, R7_1_SCHEMA),
    resource_policy(R7_3, CLUSTERS, check_secrets_encryption),
    stack_policy(R7_3_ROTATION, check_key_rotation),
    resource_policy(R7_4, CLUSTERS, check_logging),
    resource_policy(R7_5, (LAUNCH_TEMPLATE,), check_imds),
    resource_policy(R7_6, (NODE_GROUP, SECURITY_GROUP, SECURITY_GROUP_RULE, SG_INGRESS_RULE), check_ssh),
    stack_policy(R7_7, check_private_nodes),
]
