"""The offline plan's mesh section, read from what was registered: members, the remote-secret
matrix, the trust chain, and the east-west NLBs and API endpoints with who may reach them."""

import json

import pytest
import yaml

from ipv6_eks.mesh_spec import remote_kubeconfig
from offline.__main__ import main
from offline.harness import PROJECT_DIR, evaluate_stack
from offline.mesh_view import _auth, mesh_view, render_mesh


@pytest.fixture(scope="module")
def three():
    return evaluate_stack(PROJECT_DIR / "examples" / "Pulumi.mesh-three.yaml")


def egress(evaluation, vpc):
    """A VPC's egress as the peers must see it: its NAT gateways' /32s and its IPv6 block."""
    out = evaluation.outputs["vpcs"][vpc]
    return {f"{ip}/32" for ip in out["nat_public_ips"]} | {out["ipv6_cidr_block"]}


def entry(view, member, what):
    return next(e for e in view.entries if e.member == member and e.what == what)


def test_dev_members_secrets_and_trust(dev):
    view = mesh_view(dev)
    assert view.model == "single"
    rows = {m.member: m for m in view.members}
    assert {(m.cluster, m.ip_family, m.network, m.mesh_id, m.istio_version) for m in rows.values()} == {
        ("dev-legacy", "ipv4", "vpc-shared", "mesh1", "1.31.1"),
        ("dev-modern", "ipv6", "vpc-shared", "mesh1", "1.31.1"),
    }
    assert rows["modern"].ipv4_outbound_listener and not rows["legacy"].ipv4_outbound_listener  # P3 on the IPv6 member only
    assert not any(m.dual_stack_flag for m in rows.values())  # P5
    assert rows["legacy"].holds_remote_secrets_for == ["modern"] and rows["modern"].holds_remote_secrets_for == ["legacy"]
    assert {a for m in rows.values() for a in m.remote_secret_auth} == {"token"}
    assert view.trust.root == "mesh-root" and set(view.trust.intermediates.values()) == {"mesh-root"}
    assert view.trust.cacerts == {m: ["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"] for m in ("legacy", "modern")}
    assert not view.trust.root_protected  # dev: nothing protected


def test_dev_has_no_east_west_gateway_and_each_private_api_admits_the_peer(dev):
    view = mesh_view(dev)
    assert not [e for e in view.entries if e.what == "east-west NLB"]  # M28
    assert entry(view, "legacy", "API endpoint (private)").admits == ["modern"]  # M10
    assert entry(view, "modern", "API endpoint (private)").admits == ["legacy"]


def test_prod_east_west_nlbs_admit_exactly_the_peers_egress(prod):
    view = mesh_view(prod)
    assert view.model == "multi" and view.trust.root_protected
    for member, peer in (("legacy", "modern"), ("modern", "legacy")):
        gateway = entry(view, member, "east-west NLB")
        assert set(gateway.admits) == egress(prod, peer)
        assert gateway.detail.startswith("internet-facing, dualstack, ip targets, subnets ")  # P2
        assert "Gateway 15443 AUTO_PASSTHROUGH *.local" in gateway.detail  # M27
        api = entry(view, member, "API endpoint (public)")
        assert "0.0.0.0/0" not in api.admits and "::/0" not in api.admits
        assert "198.51.100.0/28" in api.admits  # the deployer
        expected = {c for c in egress(prod, peer) if member == "modern" or ":" not in c}  # IPv4 clusters' endpoints are IPv4-only (P11)
        assert set(api.admits) - {"198.51.100.0/28"} == expected


def test_three_members_make_a_full_matrix_of_six(three):
    view = mesh_view(three)
    names = [m.member for m in view.members]
    assert names == ["blue", "green", "teal"]
    for m in view.members:
        assert m.holds_remote_secrets_for == sorted(set(names) - {m.member})
    text = "\n".join(render_mesh(view))
    assert "remote secrets: 6 (N x (N - 1) = 6 for 3 members)" in text


def test_a_stack_without_a_mesh_has_no_mesh_section(reference):
    assert mesh_view(reference) is None and render_mesh(None) == []


def test_auth_tells_token_from_exec_kubeconfigs():
    assert _auth(remote_kubeconfig("b", "https://b", "Q0E=", "t0ken")) == "token"
    exec_config = {"users": [{"name": "b", "user": {"exec": {"command": "aws"}}}]}
    assert _auth(yaml.safe_dump(exec_config)) == "exec"
    assert _auth("{not: [yaml") == "unreadable"


def test_the_text_and_json_plans_carry_the_mesh(capsys):
    assert main(["prod"]) == 0
    text = capsys.readouterr().out
    assert "Istio mesh mesh1 (multi network, Istio 1.31.1, every member a primary):" in text
    assert "NLB mesh-legacy-istio-eastwestgateway: internet-facing, dualstack, ip targets" in text
    assert main(["prod", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [m["member"] for m in document["mesh"]["members"]] == ["legacy", "modern"]
    assert document["mesh"]["trust"]["intermediates"] == {"legacy": "mesh-root", "modern": "mesh-root"}
