"""The pack launched exactly as the Pulumi CLI launches a Python pack, driven over the Analyzer
gRPC protocol with the resources of each shipped stack and with graphs broken one rule at a time."""

import json

import pytest

from offline import analyzer
from offline.harness import PROJECT_DIR, evaluate_stack
from policies.guardrails.pack import POLICIES
from tests.conftest import stack_path
from tests.policy_cases import BROKEN, CONFIG, SUBNET
from tests.policy_support import UNKNOWN_STRING, evaluation_graph

PACK_VENV_PYTHON = PROJECT_DIR / "policies" / "venv" / "bin" / "python"
MANDATORY = [p.name for p in POLICIES if p.enforcement_level.value.lower() == "mandatory"]


@pytest.fixture(scope="module")
def pack():
    assert PACK_VENV_PYTHON.exists(), "make test creates policies/venv from policies/requirements.txt, as `pulumi policy` would"
    with analyzer.running_pack(python=str(PACK_VENV_PYTHON)) as stub:
        yield stub


def test_the_pack_describes_itself_as_the_cli_expects(pack):
    info = analyzer.info(pack)
    assert info.name == "ipv6-eks" and info.supportsConfig
    policies = {p.name: p for p in info.policies}
    assert set(policies) == {p.name for p in POLICIES} and len(policies) == 55
    assert policies["cni-ipv6-iam"].enforcementLevel == analyzer.LEVEL_VALUES["mandatory"]
    assert policies["dns64-off-on-eks-subnets"].enforcementLevel == analyzer.LEVEL_VALUES["advisory"]
    assert list(policies["cni-ipv6-iam"].tags) == ["R2.1"]
    assert "exemptTag" in policies["nacl-ipv6-rules"].configSchema.properties
    assert "migrationSourceClusters" in policies["cluster-ip-family"].configSchema.properties
    assert "allowedPublicAccessCidrs" in policies["api-endpoint-restricted"].configSchema.properties
    assert analyzer.plugin_version(pack).version


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stacks_have_no_mandatory_findings(pack, stack):
    analyzer.configure(pack, json.loads((PROJECT_DIR / "policies" / "config.json").read_text()))
    diagnostics = analyzer.analyze(pack, evaluate_stack(stack_path(stack)).resources)
    # dev's public endpoints admit any laptop: advisory R7.1, never mandatory
    expected = [("api-endpoint-restricted", "advisory")] * 2 if stack == "dev" else []
    assert [(d.policy, d.level) for d in diagnostics] == expected


@pytest.fixture(scope="module")
def dev_graph():
    return evaluation_graph(evaluate_stack(stack_path("dev")))


@pytest.mark.parametrize("policy", MANDATORY)
def test_each_mandatory_rule_fires_over_grpc(pack, dev_graph, policy):
    _, breaking, resource, words = next(case for case in BROKEN if case[0] == policy)
    analyzer.configure(pack, CONFIG)
    graph = breaking(dev_graph.copy())
    diagnostics = [d for d in analyzer.analyze(pack, graph.resources) if d.policy == policy]
    assert diagnostics, f"{policy} did not fire"
    assert any(d.urn.endswith(f"::{resource}") and words in d.message and "Fix: " in d.message for d in diagnostics), diagnostics
    assert {d.level for d in diagnostics} == {"mandatory"}


def test_unknown_values_during_preview_make_no_violation_and_no_error(pack, dev_graph):
    graph = dev_graph.copy()
    for subnet in graph.resources:
        if subnet.type == SUBNET and "ipv6CidrBlock" in subnet.inputs:
            graph.set(subnet.name, ("ipv6CidrBlock",), UNKNOWN_STRING, SUBNET)  # unknown until the VPC exists
    for resource in graph.resources:
        if resource.type == "aws:iam/policy:Policy":
            graph.set(resource.name, ("policy",), UNKNOWN_STRING, resource.type)
    # dev is no production stack: its endpoints admit any laptop by design (R7.1 advisory)
    analyzer.configure(pack, {**CONFIG, "no-world-open-endpoints-in-production": {"productionStacks": ["prod"]}})
    diagnostics = analyzer.analyze(pack, graph.resources)
    assert [d for d in diagnostics if d.level == "mandatory"] == []
    assert not any("can't run policy" in d.message for d in diagnostics)


def test_configuration_changes_levels_over_grpc(pack, dev_graph):
    graph = dev_graph.copy().set("shared-private-us-east-2a", ("enableDns64",), True, SUBNET)
    analyzer.configure(pack, {**CONFIG, "dns64-off-on-eks-subnets": "mandatory"})
    levels = {d.level for d in analyzer.analyze(pack, graph.resources) if d.policy == "dns64-off-on-eks-subnets"}
    assert levels == {"mandatory"}
    analyzer.configure(pack, {**CONFIG, "all": "disabled"})
    assert analyzer.analyze(pack, graph.resources) == []
