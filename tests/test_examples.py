"""Every example in examples/ is planned offline, as a user would (`make plan STACK=...`): each
builds what its use case promises, and the policy pack finds nothing mandatory in it."""

from pathlib import Path

import pytest

from offline.harness import PROJECT_DIR, evaluate_stack, program_dir_of, project_name
from offline.policy_run import run_policies
from tests.policy_support import evaluation_graph, findings

EXAMPLES = PROJECT_DIR / "examples"
STACK_FILES = sorted(EXAMPLES.glob("Pulumi.*.yaml")) + sorted(EXAMPLES.glob("*/Pulumi.*.yaml"))


def test_every_use_case_has_an_example():
    names = {str(p.relative_to(EXAMPLES)) for p in STACK_FILES}
    assert {
        "vpc-alone/Pulumi.example.yaml",  # a dual-stack VPC alone (a program using the package)
        "Pulumi.ipv6-cluster.yaml",  # one IPv6 cluster in a new VPC
        "Pulumi.reference.yaml",  # adopting an existing VPC: the reference layout
        "mesh-existing-ipv4/Pulumi.example.yaml",  # an existing IPv4 cluster's VPC meshed with a new IPv6 cluster
        "Pulumi.mesh-three.yaml",  # a mesh of three
    } <= names


@pytest.fixture(scope="module", params=STACK_FILES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def planned(request):
    return request.param, evaluate_stack(request.param)


def test_each_example_plans_without_mandatory_findings(planned):
    path, evaluation = planned
    assert evaluation.resources
    mandatory = [f for f in run_policies(evaluation) if f.level == "mandatory"]
    assert mandatory == [], f"{path}: {mandatory}"


def test_program_examples_run_their_own_program_and_config_namespace():
    vpc_alone = EXAMPLES / "vpc-alone" / "Pulumi.example.yaml"
    assert program_dir_of(vpc_alone) == EXAMPLES / "vpc-alone" and project_name(EXAMPLES / "vpc-alone") == "vpc-alone"
    assert program_dir_of(EXAMPLES / "Pulumi.reference.yaml") == PROJECT_DIR
    evaluation = evaluate_stack(vpc_alone)
    assert [r.type for r in evaluation.resources if r.type.startswith("ipv6-eks:")] == ["ipv6-eks:index:DualStackVpc"]
    assert evaluation.named("aws:ec2/vpc:Vpc", "network").inputs["cidrBlock"] == "10.20.0.0/16"  # vpc-alone:ipv4Cidr
    # the IPv6-only tier: no IPv4, DNS64 on, 64:ff9b::/96 through the NAT gateway (R3.9)
    subnet = evaluation.named("aws:ec2/subnet:Subnet", "network-v6only-us-east-2a").inputs
    assert subnet.get("ipv6Native") and subnet.get("enableDns64") and not subnet.get("cidrBlock")


def test_one_ipv6_cluster_in_a_new_vpc():
    evaluation = evaluate_stack(EXAMPLES / "Pulumi.ipv6-cluster.yaml")
    (cluster,) = evaluation.of_type("eks:index:Cluster")
    assert cluster.inputs["ipFamily"] == "ipv6" and cluster.inputs["publicAccessCidrs"] == ["203.0.113.10/32"]
    ingress = evaluation.named("kubernetes:networking.k8s.io/v1:Ingress", "apps-web-ingress").inputs["metadata"]["annotations"]
    assert ingress["alb.ingress.kubernetes.io/ip-address-type"] == "dualstack"


def test_the_existing_ipv4_cluster_is_meshed_by_plain_values():
    evaluation = evaluate_stack(EXAMPLES / "mesh-existing-ipv4" / "Pulumi.example.yaml")
    clusters = evaluation.of_type("eks:index:Cluster")
    assert [c.inputs["ipFamily"] for c in clusters] == ["ipv6"]  # only the new cluster is created
    assert not evaluation.of_type("aws:ec2/vpc:Vpc")  # the VPC is adopted, not created
    legacy_provider = evaluation.named("pulumi:providers:kubernetes", "legacy-k8s")
    secrets = {s.name: s for s in evaluation.of_type("kubernetes:core/v1:Secret")}
    # the remote secret about the existing cluster points at its endpoint, held by the new cluster
    about_legacy = secrets["mesh-modern-remote-legacy"].inputs["stringData"]["legacy"]
    assert "eks.amazonaws.com" in about_legacy and "token:" in about_legacy and "exec" not in about_legacy
    # and what goes into the existing cluster goes through its own provider
    assert secrets["mesh-legacy-cacerts"].provider.rsplit("::", 1)[0] == legacy_provider.urn
    # new subnets start above the existing cluster's address space (freeIpv4Offset)
    cidrs = [s.inputs["cidrBlock"] for s in evaluation.of_type("aws:ec2/subnet:Subnet")]
    assert min(cidrs, key=lambda c: tuple(int(x) for x in c.split("/")[0].split("."))) == "10.50.128.0/24"


def test_a_kubernetes_object_in_a_cluster_outside_the_stack_is_not_given_the_stacks_cluster():
    """The policy graph once took 'the only cluster of the stack' for an object whose provider
    points elsewhere: the existing IPv4 cluster's istiod was judged as the IPv6 cluster's (P3)
    and its remote secret as one about itself (M31)."""
    graph = evaluation_graph(evaluate_stack(EXAMPLES / "mesh-existing-ipv4" / "Pulumi.example.yaml"))
    assert findings("istio-ipv4-outbound-listener", graph) == []
    assert findings("mesh-remote-secrets", graph) == []
    # the stack's own IPv6 cluster is still judged: without P3 its istiod is refused
    istiod = graph.named("mesh-modern-istiod")
    istiod.inputs["values"]["env"] = {}
    assert [f.resource for f in findings("istio-ipv4-outbound-listener", graph)] == ["mesh-modern-istiod"]


def test_examples_have_what_pulumi_needs():
    for directory in (p for p in EXAMPLES.iterdir() if p.is_dir()):
        assert (directory / "Pulumi.yaml").is_file() and (directory / "__main__.py").is_file()
        assert "../.." in (directory / "requirements.txt").read_text()  # the package, from this repository
        assert Path(directory / "Pulumi.example.yaml").is_file()
