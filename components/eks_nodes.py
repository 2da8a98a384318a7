"""Nodes of an Ipv6EksCluster - plain data, no Pulumi: IMDS settings (R7.5, R2.10) and capacity
figures (max pods, R2.7; IPv4 addresses of the node subnets).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from .guardrails.facts import INSTANCE_TYPE


def metadata_options(hop_limit: int = 1) -> dict[str, Any]:
    """IMDS on the nodes: v2 only, hop limit 1 unless pods need IMDS (R7.5), no IPv6 endpoint (R2.10)."""
    return {
        "http_endpoint": "enabled",
        "http_tokens": "required",
        "http_put_response_hop_limit": hop_limit,
        "http_protocol_ipv6": "disabled",
        "instance_metadata_tags": "disabled",
    }


def estimated_vcpus(instance_type: str) -> int | None:
    """vCPUs from the size name (``large`` = 2, ``Nxlarge`` = 4N); None where the name does not say."""
    match = INSTANCE_TYPE.match(instance_type)
    if not match:
        return None
    size, family = match.group("size"), match.group("family")
    if size in ("nano", "micro", "small", "medium"):
        return 2 if family.startswith("t") else 1
    if size == "large":
        return 2
    multiple = re.fullmatch(r"(\d*)xlarge", size)
    if multiple:
        return 4 * int(multiple.group(1) or 1)
    return None


def max_pods(vcpus: int | None) -> int:
    """Managed node groups cap pods at 110 up to 30 vCPUs and 250 above (R2.7); IPv6 nodes get a
    /80 each, so that cap, CPU and memory are the only limits. Unknown sizes (metal) count as large."""
    return 110 if vcpus is not None and vcpus <= 30 else 250


def subnet_ipv4_capacity(cidr: str) -> int:
    """Usable IPv4 addresses of a subnet (AWS reserves five)."""
    return ipaddress.IPv4Network(cidr).num_addresses - 5
