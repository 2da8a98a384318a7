"""Every policy on the graph our own components register (the dev stack): it passes as built,
fires at its level when one fact is broken, and stays silent when that fact is unknown."""

import json

import pytest

from offline.harness import PROJECT_DIR, Evaluation
from offline.policy_run import run_policies
from policies.guardrails.pack import POLICIES
from tests.policy_cases import (
    BROKEN,
    CLUSTER,
    CONFIG,
    MISSING_ARGUMENT_CASES,
    NODE_GROUP,
    SUBNET,
    UNKNOWN_CASES,
    add_east_west,
    add_ingress,
    add_lbc,
    add_service,
    cni_config,
    ipv6_only_subnet,
    nacl,
)
from tests.policy_support import DELETE, StackGraph, evaluation_graph, findings, messages

LEVEL = {p.name: p.enforcement_level.value.lower() for p in POLICIES}


@pytest.fixture(scope="module")
def base(dev):
    """dev with its public endpoints narrowed to one network: dev admits every laptop (R7.1, advisory)."""
    graph = evaluation_graph(dev)
    for name in ("legacy-eks", "modern-eks"):
        graph.set(name, ("publicAccessCidrs",), ["203.0.113.0/24"], CLUSTER)
    return graph


def test_the_dev_stack_passes_every_policy_but_the_advisory_on_its_open_deployer_endpoint(dev):
    shipped = json.loads((PROJECT_DIR / "policies" / "config.json").read_text())
    found = run_policies_on(evaluation_graph(dev), shipped)
    assert [(f.policy, f.level, f.resource) for f in found] == [
        ("api-endpoint-restricted", "advisory", "legacy-eks"),
        ("api-endpoint-restricted", "advisory", "modern-eks"),
    ]
    assert found[1].message == (
        "eks:index:Cluster 'modern-eks': opens its public API endpoint to 0.0.0.0/0, ::/0. Fix: limit publicAccessCidrs to the "
        "networks that need the API, or turn the public endpoint off. (R7.1)"
    )


def test_the_narrowed_dev_stack_passes_every_policy(base):
    assert [f.message for f in run_policies_on(base)] == []


def run_policies_on(graph, config=None):
    return run_policies(Evaluation("test", "us-east-2", graph.resources, {}), config or CONFIG)


@pytest.mark.parametrize(("policy", "breaking", "resource", "words"), BROKEN, ids=[f"{c[0]}-{i}" for i, c in enumerate(BROKEN)])
def test_a_broken_fact_is_caught_at_the_rule_level_naming_resource_and_fix(base, policy, breaking, resource, words):
    graph = breaking(base.copy())
    found = [f for f in findings(policy, graph, CONFIG.get(policy)) if f.resource == resource]
    assert found, [f.message for f in findings(policy, graph, CONFIG.get(policy))]
    assert all(f.level == LEVEL[policy] for f in found)
    assert any(words in f.message for f in found), [f.message for f in found]
    for f in found:
        assert f"'{resource}'" in f.message and ". Fix: " in f.message and f.message.endswith(f"({f.rule})")


def test_every_policy_has_a_breaking_case():
    assert {p.name for p in POLICIES} == {case[0] for case in BROKEN}


@pytest.mark.parametrize(("policy", "unknowing"), UNKNOWN_CASES, ids=[c[0] for c in UNKNOWN_CASES])
def test_an_unknown_value_never_crashes_a_rule_nor_makes_a_violation(base, policy, unknowing):
    assert findings(policy, unknowing(base.copy()), CONFIG.get(policy)) == []


@pytest.mark.parametrize(("policy", "argument"), MISSING_ARGUMENT_CASES, ids=[f"{p}-{a}" for p, a in MISSING_ARGUMENT_CASES])
def test_a_missing_component_argument_is_unknown_not_the_insecure_default(base, policy, argument):
    graph = base.copy()
    for name in ("modern-eks", "legacy-eks"):
        graph.set(name, (argument,), DELETE, CLUSTER)
    assert messages(policy, graph) == []


def test_a_pulumi_eks_component_whose_arguments_never_reached_the_analyzer_has_no_findings(base):
    graph = base.copy()
    for name in ("modern-eks", "legacy-eks"):
        component = graph.named(name, CLUSTER)
        component.inputs.clear()
        component.outputs = {"kubeconfig": {"apiVersion": "v1"}}
    assert [f for f in run_policies(Evaluation("test", "us-east-2", graph.resources, {}), CONFIG)] == []


def test_every_policy_has_an_unknown_case():
    assert {p.name for p in POLICIES} == {case[0] for case in UNKNOWN_CASES}


# ---- passing variants that a careless rule would flag --------------------------------------------


@pytest.mark.parametrize(
    ("policy", "variant"),
    [
        ("nacl-ipv6-rules", lambda g: nacl(g, ipv6_rule=True)),
        ("ipv6-only-subnet-shape", ipv6_only_subnet),
        ("ipv6-only-subnet-nat64", ipv6_only_subnet),
        (
            "nlb-dualstack-on-ipv6",
            lambda g: add_service(g, "web", {"service.beta.kubernetes.io/aws-load-balancer-ip-address-type": "dualstack"}),
        ),
        ("nlb-dualstack-on-ipv6", lambda g: add_service(g, "web", provider="legacy-k8s")),  # the IPv4 cluster
        (
            "ip-targets-on-ipv6",
            lambda g: add_lbc(
                add_service(g, "web", {"service.beta.kubernetes.io/aws-load-balancer-ip-address-type": "dualstack"}),
                {"defaultTargetType": "ip"},
            ),
        ),
        ("ip-targets-on-ipv6", lambda g: add_service(g, "web", {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb-ip"})),
        ("alb-dualstack-on-ipv6", lambda g: add_ingress(g, "site", {"alb.ingress.kubernetes.io/ip-address-type": "dualstack"})),
        ("service-ip-families", lambda g: add_service(g, "web", spec={"ipFamilies": ["IPv6"]})),
        (
            "cni-mtu-range",
            lambda g: cni_config(
                g, "legacy", {"env": {"POD_MTU": "1000", "ENABLE_V6_EGRESS": "true"}, "init": {"env": {"ENABLE_V6_EGRESS": "true"}}}
            ),
        ),
        ("cluster-ip-family", lambda g: g),  # legacy is a declared migration source
        (
            "dualstack-lb-subnets-ipv6",
            lambda g: add_service(
                g.set("shared-private-us-east-2a", ("ipv6CidrBlock",), DELETE, SUBNET),
                "web",
                {
                    "service.beta.kubernetes.io/aws-load-balancer-ip-address-type": "dualstack",
                    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
                },
            ),
        ),
        (
            "api-endpoint-restricted",
            lambda g: g.set("modern-eks", ("endpointPublicAccess",), True, CLUSTER).set(
                "modern-eks", ("publicAccessCidrs",), ["203.0.113.0/24"], CLUSTER
            ),
        ),
    ],
)
def test_correct_variants_pass(base, policy, variant):
    assert [f.message for f in findings(policy, variant(base.copy()), CONFIG.get(policy))] == []


def test_allowed_public_cidrs_are_configurable(base):
    graph = (
        base.copy()
        .set("modern-eks", ("endpointPublicAccess",), True, CLUSTER)
        .set("modern-eks", ("publicAccessCidrs",), ["203.0.113.0/24", "198.51.100.0/24"], CLUSTER)
    )
    found = findings("api-endpoint-restricted", graph, {"allowedPublicAccessCidrs": ["203.0.113.0/24"]})
    assert [f.message for f in found] == [
        "eks:index:Cluster 'modern-eks': allows 198.51.100.0/24 to reach its public API endpoint, outside the allowed 203.0.113.0/24. "
        "Fix: use CIDRs inside this policy's allowedPublicAccessCidrs. (R7.1)"
    ]


def test_kubernetes_objects_outside_the_stack_clusters_follow_assume_ipv6_clusters(base):
    graph = add_service(base.copy(), "web", provider=None)  # no provider: cluster unknown, and the stack has two families
    assert findings("nlb-dualstack-on-ipv6", graph) == []
    assert [f.resource for f in findings("nlb-dualstack-on-ipv6", graph, {"assumeIpv6Clusters": True})] == ["web"]


def test_resources_tagged_exempt_are_skipped(base):
    graph = base.copy().set("modern-general", ("amiType",), "WINDOWS_CORE_2022_x86_64", NODE_GROUP)
    graph.set("modern-general", ("tags", "ipv6-eks/exempt"), "R1.11", NODE_GROUP)
    assert findings("ipv6-unsupported-features", graph) == []
    graph.set("modern-general", ("tags", "ipv6-eks/exempt"), "ipv6-nitro-instances", NODE_GROUP)
    assert len(findings("ipv6-unsupported-features", graph)) == 1
    graph.set("modern-general", ("tags", "team/waiver"), "ipv6-unsupported-features", NODE_GROUP)
    assert findings("ipv6-unsupported-features", graph, {"exemptTag": "team/waiver"}) == []


def test_levels_follow_the_policy_configuration(base):
    graph = base.copy().set("shared-private-us-east-2a", ("enableDns64",), True, SUBNET)
    assert {f.level for f in run_policies_on(graph)} == {"advisory"}
    assert {f.level for f in run_policies_on(graph, {**CONFIG, "dns64-off-on-eks-subnets": "mandatory"})} == {"mandatory"}
    assert run_policies_on(graph, {**CONFIG, "dns64-off-on-eks-subnets": {"enforcementLevel": "disabled"}}) == []


def test_stack_graph_helper_is_faithful(base):
    graph = StackGraph()
    a = graph.add("aws:ec2/vpc:Vpc", "a", {"cidrBlock": "10.0.0.0/16"}, outputs={"ipv6CidrBlock": "2600::/56"})
    b = graph.add(SUBNET, "b", {"vpcId": a.id}, parent=a, deps={"vpcId": [a]})
    assert b.urn == "urn:pulumi:test::proj::aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet::b"
    assert b.property_dependencies == {"vpcId": [a.urn]} and b.dependencies == [a.urn] and a.outputs["ipv6CidrBlock"] == "2600::/56"


def test_the_readme_rule_table_lists_every_policy_at_its_level():
    readme = (PROJECT_DIR / "README.md").read_text()
    for policy in POLICIES:
        assert f"| {policy.tags[0]} | `{policy.name}` | {policy.enforcement_level.value} |" in readme, policy.name


def test_production_means_the_prod_stack_unless_configured(base):
    """Without configuration the pack still treats a stack named prod as production (the schema's
    default), since the CLI need not apply schema defaults; configured, only the listed stacks."""
    graph = add_east_west(base.copy(), source_ranges=("0.0.0.0/0",))

    def closed(stack, config):
        found = run_policies(Evaluation(stack, "us-east-2", graph.resources, {}), config, only={"no-world-open-endpoints-in-production"})
        return [f.resource for f in found]

    assert closed("prod", None) == ["east-west"]
    assert closed("staging", None) == []
    assert closed("staging", {"no-world-open-endpoints-in-production": {"productionStacks": ["staging"]}}) == ["east-west"]
    assert closed("prod", {"no-world-open-endpoints-in-production": {"productionStacks": []}}) == []
