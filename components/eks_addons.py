"""The EKS add-ons an Ipv6EksCluster manages - plain data, no Pulumi.

Versions are pinned per Kubernetes version, so a later ``pulumi up`` never moves vpc-cni or
CoreDNS without a change to this table or to the stack (an unpinned add-on takes whatever EKS's
default is that day). ``addon_versions`` overrides any entry per cluster. Where each came from
is noted beside it; check a new pin with
``aws eks describe-addon-versions --addon-name <name> --kubernetes-version <version>``.
"""

from __future__ import annotations

import re
from typing import Any

ADDONS = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns")
ADDON_VERSION = re.compile(r"^v\d+\.\d+\.\d+-eksbuild\.\d+$")

# Sources, checked on 2026-11-30 against stored copies (no live AWS API is reachable here):
#   [eks-docs]  EKS user guide add-on tables (managing-coredns, managing-kube-proxy; a copy that
#               lists Kubernetes 1.32-1.36) - EKS's published version for each Kubernetes version.
#   [eks-docs'] the same guide's tables as transcribed on 2026-09-26 (stackshy/cloudemu
#               providers/aws/eks/addon_catalog.go) - newer builds than the copy above had.
#   [pins]      versions other platform teams pin with these Kubernetes versions (ministryofjustice
#               cloud-platform PR #18214 and others); EKS publishes no table for the pod identity agent.
# vpc-cni v1.23.1 is the newest upstream release (amazon-vpc-cni-k8s v1.23.1, 2026-08-20); it carries
# the fix for #3704 (v1.22.2 stopped the fatal security-group discovery at start).
_VPC_CNI = "v1.23.1-eksbuild.1"  # [eks-docs'] for 1.32-1.36
PINNED_VERSIONS: dict[str, dict[str, str]] = {
    "1.32": {
        "vpc-cni": _VPC_CNI,
        "kube-proxy": "v1.32.13-eksbuild.16",  # [eks-docs]
        "coredns": "v1.11.4-eksbuild.40",  # [eks-docs]
        "eks-pod-identity-agent": "v1.3.10-eksbuild.3",  # [pins]
    },
    "1.33": {
        "vpc-cni": _VPC_CNI,
        "kube-proxy": "v1.33.10-eksbuild.13",  # [eks-docs]
        "coredns": "v1.12.4-eksbuild.18",  # [eks-docs]
        "eks-pod-identity-agent": "v1.3.10-eksbuild.3",  # [pins]
    },
    "1.34": {
        "vpc-cni": _VPC_CNI,
        "kube-proxy": "v1.34.6-eksbuild.13",  # [eks-docs]
        "coredns": "v1.13.2-eksbuild.11",  # [eks-docs]
        "eks-pod-identity-agent": "v1.3.10-eksbuild.3",  # [pins]
    },
    "1.35": {
        "vpc-cni": _VPC_CNI,
        "kube-proxy": "v1.35.3-eksbuild.13",  # [eks-docs]
        "coredns": "v1.14.3-eksbuild.3",  # [eks-docs]
        "eks-pod-identity-agent": "v1.3.10-eksbuild.3",  # [pins]
    },
    "1.36": {
        "vpc-cni": _VPC_CNI,
        "kube-proxy": "v1.36.0-eksbuild.14",  # [eks-docs]
        "coredns": "v1.14.3-eksbuild.3",  # [eks-docs]
        "eks-pod-identity-agent": "v1.4.0-eksbuild.2",  # [pins]
    },
}


def pinned_addon_versions(kubernetes_version: str, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The version of each managed add-on for ``kubernetes_version``, ``overrides`` first."""
    return {**PINNED_VERSIONS.get(kubernetes_version, {}), **(overrides or {})}


def vpc_cni_configuration(ip_family: str, network_policy: bool = True) -> dict[str, Any]:
    """The vpc-cni add-on's configuration values.

    * IPv6 clusters: prefix delegation stays on (R2.3; the add-on sets IPv6 mode itself from the
      cluster's family - ``ENABLE_IPv6`` is not part of the add-on's schema) and pods keep their
      IPv4 egress through the node (``ENABLE_V4_EGRESS``, R2.5).
    * IPv4 clusters (the migration source): IPv6 egress on both the ``aws-node`` and the
      ``aws-vpc-cni-init`` containers, or it is silently off (R2.6).
    * Network policies enforced by the CNI's node agent (R7.8).
    """
    config: dict[str, Any] = {"enableNetworkPolicy": "true" if network_policy else "false"}
    if ip_family == "ipv6":
        config["env"] = {"ENABLE_PREFIX_DELEGATION": "true", "ENABLE_V4_EGRESS": "true"}
    else:
        config["env"] = {"ENABLE_V6_EGRESS": "true"}
        config["init"] = {"env": {"ENABLE_V6_EGRESS": "true"}}
    return config
