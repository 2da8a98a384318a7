"""The policy pack's contents: every policy, in catalogue order."""

from __future__ import annotations

from . import rules_eks, rules_lb, rules_lbc, rules_mesh, rules_security, rules_vpc

PACK_NAME = "ipv6-eks"
POLICIES = [
    *rules_vpc.POLICIES,
    *rules_eks.POLICIES,
    *rules_security.POLICIES,
    *rules_lb.POLICIES,
    *rules_lbc.POLICIES,
    *rules_mesh.POLICIES,
]
