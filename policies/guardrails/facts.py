"""The rule catalogue's machine-checkable facts, shared by the components and the policy pack.

Plain data and predicates, no Pulumi: the components build to these facts and the pack checks
them, so the two never drift apart. Rule IDs refer to ``shared/reference/eks-ipv6-rules.md``.
"""

from __future__ import annotations

import re

# R1.12, R6.1: IPv6 clusters need Nitro or bare metal. These are the Xen-based (previous
# generation) families; AWS launches no new Xen families, so this side of the rule is stable.
XEN_FAMILIES = frozenset("c1 c3 c4 cc2 cg1 cr1 d2 f1 g2 g3 g3s h1 hi1 hs1 i2 i3 m1 m2 m3 m4 p2 p3 r3 r4 t1 t2 x1 x1e".split())
NITRO_EXCEPTIONS = frozenset({"i3.metal"})  # Nitro bare metal inside a Xen family
INSTANCE_TYPE = re.compile(r"^(?P<family>[a-z][a-z0-9-]*?)\.(?P<size>[a-z0-9-]+)$")

# R2.1: the EKS-documented IPv6 CNI policy; R2.2: the VPC CNI's own superset.
CNI_IPV6_ACTIONS = (
    "ec2:AssignIpv6Addresses",
    "ec2:DescribeInstances",
    "ec2:DescribeTags",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeInstanceTypes",
)
CNI_IPV6_UPSTREAM_ACTIONS = ("ec2:DescribeSubnets", "ec2:DescribeSecurityGroups")
# The VPC CNI's IPv4-mode policy (amazon-vpc-cni-k8s docs/iam-policy.md on master, 2026-08-20):
# AmazonEKS_CNI_Policy plus ec2:DescribeSecurityGroups, which vpc-cni v1.22.1 made fatal at start
# (amazon-vpc-cni-k8s#3704, PR #3709). The AWS-managed policy still lacks it.
CNI_IPV4_ACTIONS = (
    "ec2:AssignPrivateIpAddresses",
    "ec2:AttachNetworkInterface",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeInstances",
    "ec2:DescribeTags",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DetachNetworkInterface",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:UnassignPrivateIpAddresses",
)
CNI_CREATE_TAGS_RESOURCE = "arn:{partition}:ec2:*:*:network-interface/*"

# R7.4: every control-plane log type.
CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")

# R3.1: Amazon-provided blocks are /56; IPAM allocates /44../60 in steps of 4.
IPAM_VPC_IPV6_PREFIXES = (44, 48, 52, 56, 60)
# R3.2: subnets get /64s (IPAM subnets /44../64 in steps of 4).
IPAM_SUBNET_IPV6_PREFIXES = (44, 48, 52, 56, 60, 64)
NAT64_PREFIX = "64:ff9b::/96"
OPEN_CIDRS = ("0.0.0.0/0", "::/0")

# R2.8: MTU bounds of the VPC CNI per family.
MTU_RANGE = {"ipv6": (1280, 9001), "ipv4": (576, 9001)}

# Load Balancer Controller annotations (R4.2 - R4.4) and Kubernetes service fields (R8.2, R8.3).
NLB_IP_ADDRESS_TYPE = "service.beta.kubernetes.io/aws-load-balancer-ip-address-type"
NLB_TARGET_TYPE = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"
NLB_TYPE = "service.beta.kubernetes.io/aws-load-balancer-type"
NLB_SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme"
ALB_IP_ADDRESS_TYPE = "alb.ingress.kubernetes.io/ip-address-type"
ALB_TARGET_TYPE = "alb.ingress.kubernetes.io/target-type"
ALB_SCHEME = "alb.ingress.kubernetes.io/scheme"
ALB_AUTH_TYPE = "alb.ingress.kubernetes.io/auth-type"
DUALSTACK_ALB_TYPES = ("dualstack", "dualstack-without-public-ipv4")
LBC_CHART = "aws-load-balancer-controller"
VPC_CNI_CHART = "aws-vpc-cni"


def instance_family(instance_type: str) -> str | None:
    match = INSTANCE_TYPE.match(instance_type)
    return match.group("family") if match else None


def is_nitro(instance_type: str) -> bool:
    """Nitro or Nitro bare metal (R1.12, R6.1): every family but the Xen ones."""
    return instance_type in NITRO_EXCEPTIONS or instance_family(instance_type) not in XEN_FAMILIES


def architecture(instance_type: str) -> str:
    """``arm64`` for Graviton families (``m7g``, ``c6gn``, ``t4g``, ``a1``), ``x86_64`` otherwise."""
    family = instance_family(instance_type) or ""
    return "arm64" if family == "a1" or re.match(r"^[a-z]+\d+g", family) else "x86_64"
