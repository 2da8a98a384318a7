"""A dual-stack VPC on its own: the network team's piece, for clusters and services that come later.

Three tiers over three AZs - public (load balancers, NAT), private (workloads: IPv4 through one
NAT gateway, IPv6 through the egress-only gateway, R3.4) and an IPv6-only tier whose pods reach
IPv4 services through DNS64 and NAT64 (R3.9) - from an Amazon-provided /56.

    pulumi config set aws:region us-east-2
    pulumi up
"""

import pulumi
import pulumi_aws as aws

from ipv6_eks import DualStackVpc

config = pulumi.Config()
zones = aws.get_availability_zones(state="available", filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}])

vpc = DualStackVpc(
    "network",
    {
        "ipv4_cidr": config.get("ipv4Cidr") or "10.20.0.0/16",
        "availability_zones": list(zones.names)[:3],
        "nat_gateways": "single",
        "tiers": [
            {"name": "public", "role": "public", "ipv4_prefix_length": 24},
            {"name": "private", "role": "private", "ipv4_prefix_length": 20},
            {"name": "v6only", "role": "private", "ip_mode": "ipv6-only"},
        ],
        "tags": {"team": "network"},
    },
)

pulumi.export("vpc_id", vpc.vpc_id)
pulumi.export("ipv6_cidr_block", vpc.ipv6_cidr_block)
pulumi.export("subnet_ids", vpc.subnet_ids)
pulumi.export("address_plan", vpc.address_plan)
