"""The deploy's dependency graph: what waits for what (issue order rules), that clusters build in
parallel, and the critical-path estimate over it."""

import pytest

from offline.critical_path import DURATIONS, critical_path, dependency_graph, main

EKS = "eks:index:Cluster"


def closure(graph, urn):
    seen, stack = set(), [urn]
    while stack:
        for dependency in graph.get(stack.pop(), ()):
            if dependency not in seen:
                seen.add(dependency)
                stack.append(dependency)
    return seen


def urn(evaluation, typ, name):
    return evaluation.named(typ, name).urn


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_mesh_waits_only_for_what_it_needs_from_each_cluster(stack, dev, prod):
    evaluation = {"dev": dev, "prod": prod}[stack]
    graph = dependency_graph(evaluation)
    clusters = {m: urn(evaluation, EKS, f"{m}-eks") for m in ("legacy", "modern")}
    nodes = {m: {r.urn for r in evaluation.of_type("aws:eks/nodeGroup:NodeGroup") if r.name.startswith(m)} for m in clusters}
    for member, peer in (("legacy", "modern"), ("modern", "legacy")):
        # no cluster waits for another: they build in parallel
        assert clusters[peer] not in closure(graph, clusters[member])
        assert not nodes[peer] & closure(graph, clusters[member])
        # a member's istiod needs nothing of the peer cluster
        istiod = closure(graph, urn(evaluation, "kubernetes:helm.sh/v3:Release", f"mesh-{member}-istiod"))
        assert clusters[peer] not in istiod and not nodes[peer] & istiod
        # the remote secret about the peer waits for the peer's reader token, which waits for its charts (M30)
        remote = closure(graph, urn(evaluation, "kubernetes:core/v1:Secret", f"mesh-{member}-remote-{peer}"))
        assert urn(evaluation, "kubernetes:core/v1:Secret", f"mesh-{peer}-reader-token") in remote
        token = closure(graph, urn(evaluation, "kubernetes:core/v1:Secret", f"mesh-{peer}-reader-token"))
        assert urn(evaluation, "kubernetes:helm.sh/v3:Release", f"mesh-{peer}-istio-base") in token


def test_cacerts_before_istiod_before_gateway_and_samples(dev, prod):
    release = "kubernetes:helm.sh/v3:Release"
    for evaluation in (dev, prod):
        graph = dependency_graph(evaluation)
        for member in ("legacy", "modern"):
            istiod = urn(evaluation, release, f"mesh-{member}-istiod")
            assert urn(evaluation, "kubernetes:core/v1:Secret", f"mesh-{member}-cacerts") in closure(graph, istiod)  # M4
            assert urn(evaluation, release, f"mesh-{member}-istio-base") in closure(graph, istiod)  # M20
    graph = dependency_graph(prod)
    for member in ("legacy", "modern"):
        istiod = urn(prod, release, f"mesh-{member}-istiod")
        assert istiod in closure(graph, urn(prod, release, f"mesh-{member}-istio-eastwestgateway"))
        assert istiod in closure(graph, urn(prod, "kubernetes:networking.istio.io/v1:Gateway", f"mesh-{member}-cross-network-gateway"))
        # the east-west NLB is made by the member's load balancer controller: it must be running
        assert urn(prod, release, f"{member}-lbc-chart") in closure(graph, urn(prod, release, f"mesh-{member}-istio-eastwestgateway"))
    graph = dependency_graph(dev)
    for sample in ("helloworld-v1", "sleep"):
        deployment = urn(dev, "kubernetes:apps/v1:Deployment", f"mesh-legacy-sample-{sample}")
        assert urn(dev, release, "mesh-legacy-istiod") in closure(graph, deployment)  # M34


def test_nodes_boot_after_their_vpcs_egress_but_the_control_plane_does_not_wait(dev):
    graph = dependency_graph(dev)
    group = closure(graph, urn(dev, "aws:eks/nodeGroup:NodeGroup", "legacy-general"))
    assert urn(dev, "aws:ec2/natGateway:NatGateway", "shared-nat-us-east-2a") in group
    routes = {r.urn for r in dev.of_type("aws:ec2/route:Route")}
    assert routes <= group
    assert urn(dev, "aws:ec2/natGateway:NatGateway", "shared-nat-us-east-2a") not in closure(graph, urn(dev, EKS, "legacy-eks"))


def test_peers_allow_list_each_other_from_elastic_ips_not_nat_gateways(prod):
    """The API allow-list needs the peer's addresses, which exist as soon as its Elastic IPs do."""
    graph = dependency_graph(prod)
    control_plane = closure(graph, urn(prod, EKS, "modern-eks"))
    assert not [u for u in control_plane if "natGateway" in u]
    eips = {r.outputs["publicIp"] for r in prod.of_type("aws:ec2/eip:Eip") if r.name.startswith("legacy-")}
    nats = {r.outputs["publicIp"] for r in prod.of_type("aws:ec2/natGateway:NatGateway") if r.name.startswith("legacy-")}
    assert set(prod.outputs["vpcs"]["legacy"]["nat_public_ips"]) == eips == nats


def test_the_critical_path_runs_through_one_cluster_and_ends_in_the_mesh(prod):
    result = critical_path(prod)
    types = [step.type for step in result.path]
    assert types.count(EKS) == 1  # the clusters are in parallel, not in series
    assert result.path[-1].name.startswith("mesh-")
    assert set(result.clusters) == {"prod-legacy", "prod-modern"}
    assert len(set(result.clusters.values())) == 1  # both up at the same moment
    assert DURATIONS[EKS] < result.total_seconds < result.serial_seconds
    times = [step.finishes_at for step in result.path]
    assert times == sorted(times) and times[-1] == result.total_seconds


def test_the_command_prints_the_estimate(capsys):
    assert main(["dev"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Deploy critical path of stack 'dev' (")
    assert "estimated pulumi up from nothing: " in out and "clusters up at: dev-legacy " in out
