"""IstioMultiPrimary on its own, as another team would use it: members as plain values (no
Ipv6EksCluster), a root CA brought from outside Pulumi's state, and bad arguments refused before
anything is registered."""

import pulumi
import pulumi_kubernetes as k8s
import pytest

from ipv6_eks.errors import ArgumentError, ArgumentErrors
from ipv6_eks.istio_multi_primary import IstioMultiPrimary
from tests.conftest import registered_when_failing, run_program

ROOT_PEM = "-----BEGIN CERTIFICATE-----\nMIIBbrought\n-----END CERTIFICATE-----\n"
ROOT_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEbrought\n-----END PRIVATE KEY-----\n"
SUBNETS = [{"availability_zone": f"us-east-2{z}", "ip_mode": "dualstack", "role": "public"} for z in "abc"]


def members(model: str, **overrides):
    """Two existing clusters, described by plain values, each with its own provider."""
    out = []
    for i, family in enumerate(("ipv4", "ipv6")):
        name = f"c{i}"
        member = {
            "name": name,
            "ip_family": family,
            "network": "net" if model == "single" else f"net-{name}",
            "endpoint": f"https://{name}.example.eks.amazonaws.com",
            "certificate_authority": "Q0E=",
            "kubernetes_provider": k8s.Provider(f"{name}-k8s", kubeconfig="{}"),
            "node_security_group_id": f"sg-node{i}",
            "cluster_security_group_id": f"sg-cluster{i}",
        }
        if model == "multi":
            member |= {"egress_cidrs": [f"203.0.113.{i}/32", f"2600:1f16:{i}::/56"], "load_balancer_subnets": SUBNETS}
        out.append({**member, **overrides.get(name, {})})
    return out


def test_a_mesh_of_existing_clusters_with_a_brought_root():
    def program():
        root = {"certificate_pem": ROOT_PEM, "private_key_pem": pulumi.Output.secret(ROOT_KEY)}
        IstioMultiPrimary("mesh", {"mesh_id": "m1", "network_model": "single", "members": members("single"), "root_ca": root})

    evaluation = run_program(program)
    assert not evaluation.of_type("tls:index/selfSignedCert:SelfSignedCert")  # no root in Pulumi's state
    assert [k.name for k in evaluation.of_type("tls:index/privateKey:PrivateKey")] == [
        "mesh-c0-intermediate-key",
        "mesh-c1-intermediate-key",
    ]
    for cert in evaluation.of_type("tls:index/locallySignedCert:LocallySignedCert"):
        assert cert.inputs["caCertPem"] == ROOT_PEM and cert.inputs["caPrivateKeyPem"] == ROOT_KEY
    for secret in (s for s in evaluation.of_type("kubernetes:core/v1:Secret") if s.inputs["metadata"]["name"] == "cacerts"):
        assert secret.inputs["stringData"]["root-cert.pem"] == ROOT_PEM
        assert secret.inputs["stringData"]["cert-chain.pem"].endswith(ROOT_PEM)
    # everything lands in the member's cluster through the provider it was given
    providers = {p.name: p.urn for p in evaluation.of_type("pulumi:providers:kubernetes")}
    for secret in evaluation.of_type("kubernetes:core/v1:Secret"):
        assert secret.provider.rsplit("::", 1)[0] == providers[f"{secret.name.split('-')[1]}-k8s"]
    rules = {(r.inputs["securityGroupId"], r.inputs["referencedSecurityGroupId"], r.inputs.get("fromPort")) for r in evaluation.of_type(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")}  # fmt: skip
    assert {
        ("sg-node0", "sg-node1", None),
        ("sg-node1", "sg-node0", None),
        ("sg-cluster0", "sg-node1", 443),
        ("sg-cluster1", "sg-node0", 443),
    } <= rules


@pytest.mark.parametrize(
    ("model", "overrides", "expected"),
    [
        ("single", {"c1": {"ip_family": "ipv5"}}, "members[1].ip_family: 'ipv5'; allowed: ipv6 or ipv4"),
        ("single", {"c1": {"name": "c0"}}, "members[1].name: 'c0' is already a member; allowed: a distinct clusterName per cluster (M19)"),
        ("multi", {"c0": {"egress_cidrs": []}}, "members[0].egress_cidrs: missing in a multi-network mesh"),
        ("single", {"c1": {"network": "other"}}, "members: networks net, other in a single-network mesh; allowed: one network for all"),
        (
            "multi",
            {"c1": {"load_balancer_subnets": [{**s, "ip_mode": "ipv4"} for s in SUBNETS]}},
            "members[1].load_balancer_subnets: ",
        ),
    ],
)
def test_bad_members_are_refused_before_anything_is_registered(model, overrides, expected):
    def program():
        IstioMultiPrimary("mesh", {"mesh_id": "m1", "network_model": model, "members": members(model, **overrides)})

    error, registered = registered_when_failing(program)
    assert isinstance(error, (ArgumentError, ArgumentErrors))
    assert expected in str(error)
    assert not [r for r in registered if not r.type.startswith("pulumi:providers:")]  # only the caller's providers
