"""The ipv6-eks CrossGuard policy pack. Only the pack is built here: constructing it starts the
policy server, so the rules live in ``guardrails`` where tests and the offline plan import them.

    pulumi preview --policy-pack policies [--policy-pack-config policies/config.json]
"""

from guardrails.pack import PACK_NAME, POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name=PACK_NAME,
    policies=POLICIES,
    enforcement_level=EnforcementLevel.ADVISORY,  # each policy sets its own level; this is the fallback
    description="IPv6 correctness and security guardrails for Amazon EKS, dual-stack VPCs and the AWS Load Balancer Controller",
)
