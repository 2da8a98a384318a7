"""IstioMultiPrimary over the shipped stacks - dev on one network, prod on two - and a mesh of
three clusters from a stack file of our own: the checklist M1-M34 and pitfalls P2, P3, P5."""

import base64
import json

import jsonschema
import pytest
import yaml

from offline.harness import PROJECT_DIR, evaluate_stack
from stack_config import ConfigError, load
from stack_config.stack_file import SECRET_PLACEHOLDER
from tests.test_stack_config import cluster, with_clusters, zones

UPSTREAM = PROJECT_DIR.parent / "shared" / "reference" / "upstream" / "istio-1.31.0-rc.0"
RELEASE = "kubernetes:helm.sh/v3:Release"
SECRET = "kubernetes:core/v1:Secret"
NAMESPACE = "kubernetes:core/v1:Namespace"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
MEMBERS = ("legacy", "modern")


@pytest.fixture(scope="module")
def three():
    return evaluate_stack(PROJECT_DIR / "examples" / "Pulumi.mesh-three.yaml")


def provider_of(evaluation, name):
    return evaluation.named("pulumi:providers:kubernetes", f"{name}-k8s").urn


def values(evaluation, member, release):
    return evaluation.named(RELEASE, f"mesh-{member}-{release}").inputs["values"]


# ---- trust (M1-M4) ---------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_one_root_and_an_intermediate_per_cluster_signed_by_it(stack, dev, prod):
    evaluation = {"dev": dev, "prod": prod}[stack]
    (root,) = evaluation.of_type("tls:index/selfSignedCert:SelfSignedCert")  # M1
    assert root.inputs["isCaCertificate"] is True and "cert_signing" in root.inputs["allowedUses"]
    root_key = evaluation.named("tls:index/privateKey:PrivateKey", "mesh-root-key")
    assert root_key.protect is (stack == "prod")  # the CA root: losing it re-issues every workload certificate
    intermediates = evaluation.of_type("tls:index/locallySignedCert:LocallySignedCert")
    assert sorted(i.name for i in intermediates) == [f"mesh-{m}-intermediate" for m in MEMBERS]  # M2
    for intermediate in intermediates:
        assert intermediate.inputs["caCertPem"] == root.outputs["certPem"]
        assert intermediate.inputs["caPrivateKeyPem"] == root_key.outputs["privateKeyPem"]
        assert intermediate.inputs["isCaCertificate"] is True and intermediate.inputs["maxPathLength"] == 0
        assert "cert_signing" in intermediate.inputs["allowedUses"]
    for member in MEMBERS:
        request = evaluation.named("tls:index/certRequest:CertRequest", f"mesh-{member}-intermediate")
        assert request.inputs["subject"]["locality"] == member


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_cacerts_has_exactly_the_four_keys_and_precedes_istiod(stack, dev, prod):
    evaluation = {"dev": dev, "prod": prod}[stack]
    root = evaluation.of_type("tls:index/selfSignedCert:SelfSignedCert")[0].outputs["certPem"]
    for member in MEMBERS:
        cacerts = evaluation.named(SECRET, f"mesh-{member}-cacerts")
        assert cacerts.inputs["metadata"] == {"name": "cacerts", "namespace": "istio-system"}
        data = cacerts.inputs["stringData"]
        assert set(data) == {"ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"}  # M3
        intermediate = evaluation.named("tls:index/locallySignedCert:LocallySignedCert", f"mesh-{member}-intermediate").outputs["certPem"]
        key = evaluation.named("tls:index/privateKey:PrivateKey", f"mesh-{member}-intermediate-key").outputs["privateKeyPem"]
        assert (data["ca-cert.pem"], data["ca-key.pem"], data["root-cert.pem"]) == (intermediate, key, root)
        assert data["cert-chain.pem"] == intermediate.rstrip("\n") + "\n" + root
        assert "stringData" in cacerts.secret_outputs  # key material is a Pulumi secret
        assert cacerts.provider.startswith(provider_of(evaluation, member))
        istiod = evaluation.named(RELEASE, f"mesh-{member}-istiod")
        assert cacerts.urn in istiod.dependencies  # M4
        assert evaluation.named(RELEASE, f"mesh-{member}-istio-base").urn in istiod.dependencies  # M20


# ---- Istio's charts (M18-M22) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("stack", "networks"),
    [("dev", {"legacy": "vpc-shared", "modern": "vpc-shared"}), ("prod", {"legacy": "vpc-legacy", "modern": "vpc-modern"})],
)
def test_istiod_one_mesh_id_own_cluster_name_and_the_network(stack, networks, dev, prod):
    evaluation = {"dev": dev, "prod": prod}[stack]
    for member in MEMBERS:
        istiod = evaluation.named(RELEASE, f"mesh-{member}-istiod")
        assert (istiod.inputs["chart"], istiod.inputs["version"], istiod.inputs["repositoryOpts"]) == (
            "istiod",
            "1.31.1",
            {"repo": "https://istio-release.storage.googleapis.com/charts"},
        )
        global_ = values(evaluation, member, "istiod")["global"]
        assert global_ == {"meshID": "mesh1", "multiCluster": {"clusterName": member}, "network": networks[member]}  # M19
        namespace = evaluation.named(NAMESPACE, f"mesh-{member}-istio-system").inputs["metadata"]
        assert namespace == {"name": "istio-system", "labels": {"topology.istio.io/network": networks[member]}}  # M18
        env = values(evaluation, member, "istiod")["env"]
        assert env == ({"ISTIO_ENABLE_IPV4_OUTBOUND_LISTENER_FOR_IPV6_CLUSTERS": "true"} if member == "modern" else {})  # P3
        assert "ISTIO_DUAL_STACK" not in json.dumps(values(evaluation, member, "istiod"))  # P5
        for release in ("istio-base", "istiod"):
            assert values(evaluation, member, release)["base"]["validationFailurePolicy"] == "Fail"
    versions = {r.inputs["version"] for r in evaluation.of_type(RELEASE) if r.inputs["chart"] in ("base", "istiod", "gateway")}
    assert versions == {"1.31.1"}  # M20


def walk(ours, theirs, path=()):
    for key, value in ours.items():
        where = ".".join((*path, key))
        if where in DOCUMENTED_ONLY:
            continue
        assert isinstance(theirs, dict) and key in theirs, f"{where} is not a value of the chart"
        if isinstance(value, dict) and theirs[key] not in ({}, None):
            walk(value, theirs[key], (*path, key))


# Keys the charts read but list only as comments in values.yaml (checked to be there).
DOCUMENTED_ONLY = {"base.validationFailurePolicy"}


def test_every_istio_value_key_exists_in_the_pinned_charts(dev, prod):
    assert "# validationFailurePolicy: Fail" in (UPSTREAM / "istiod-values.yaml").read_text()
    istiod = yaml.safe_load((UPSTREAM / "istiod-values.yaml").read_text())["_internal_defaults_do_not_set"]
    base = yaml.safe_load((UPSTREAM / "base-values.yaml").read_text())["_internal_defaults_do_not_set"]
    for evaluation in (dev, prod):
        for member in MEMBERS:
            walk(values(evaluation, member, "istiod"), istiod)
            walk(values(evaluation, member, "istio-base"), base)


def test_east_west_gateway_values_validate_against_the_gateway_charts_schema(prod):
    schema = json.loads((UPSTREAM / "gateway-values.schema.json").read_text())
    # "$schema": ".../schema#" names no draft: Helm's validators read it as draft 7 (Helm < 3.18) or
    # 2020-12 (Helm >= 3.18); the values must pass both.
    for validator in (jsonschema.Draft7Validator(schema), jsonschema.Draft202012Validator(schema)):
        for member in MEMBERS:
            validator.validate(values(prod, member, "istio-eastwestgateway"))
        bad = {**values(prod, "modern", "istio-eastwestgateway"), "networkGatewayPort": 15443}
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(bad)


# ---- remote secrets (M29-M31) ------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_remote_secrets_both_ways_with_token_kubeconfigs(stack, dev, prod):
    evaluation = {"dev": dev, "prod": prod}[stack]
    for described, holder in (("legacy", "modern"), ("modern", "legacy")):
        token = evaluation.named(SECRET, f"mesh-{described}-reader-token")
        assert token.inputs["type"] == "kubernetes.io/service-account-token"  # M30
        assert token.inputs["metadata"] == {
            "name": "istio-reader-service-account-istio-remote-secret-token",
            "namespace": "istio-system",
            "annotations": {"kubernetes.io/service-account.name": "istio-reader-service-account"},
        }
        for release in ("istio-base", "istiod"):  # the account and its RBAC come from the charts
            assert evaluation.named(RELEASE, f"mesh-{described}-{release}").urn in token.dependencies
        secret = evaluation.named(SECRET, f"mesh-{holder}-remote-{described}")
        assert secret.provider.startswith(provider_of(evaluation, holder))  # in the *other* cluster
        assert secret.inputs["metadata"] == {
            "name": f"istio-remote-secret-{described}",
            "namespace": "istio-system",
            "labels": {"istio/multiCluster": "true"},
            "annotations": {"networking.istio.io/cluster": described},
        }  # M29
        assert list(secret.inputs["stringData"]) == [described] and described != holder  # M31
        kubeconfig = yaml.safe_load(secret.inputs["stringData"][described])
        eks = json.loads(evaluation.named("eks:index:Cluster", f"{described}-eks").outputs["kubeconfigJson"])["clusters"][0]["cluster"]
        assert kubeconfig["clusters"][0]["cluster"] == {
            "certificate-authority-data": eks["certificate-authority-data"],
            "server": eks["server"],
        }
        assert kubeconfig["users"][0]["user"] == {"token": base64.b64decode(token.outputs["data"]["token"]).decode()}  # never exec
        assert kubeconfig["current-context"] == described
        assert "stringData" in secret.secret_outputs
        assert token.urn in secret.dependencies  # the token before the secret that carries it


def test_three_clusters_hold_six_remote_secrets(three):
    remote = [s for s in three.of_type(SECRET) if (s.inputs["metadata"].get("labels") or {}).get("istio/multiCluster") == "true"]
    assert len(remote) == 3 * 2
    for holder in ("blue", "green", "teal"):
        held = sorted(next(iter(s.inputs["stringData"])) for s in remote if s.name.startswith(f"mesh-{holder}-remote-"))
        assert held == sorted({"blue", "green", "teal"} - {holder})
    names = {values(three, m, "istiod")["global"]["multiCluster"]["clusterName"] for m in ("blue", "green", "teal")}
    assert names == {"blue", "green", "teal"} and {values(three, m, "istiod")["global"]["network"] for m in ("blue", "green", "teal")} == {
        "vpc-blue",
        "vpc-green",
        "vpc-teal",
    }


# ---- networks: single (M9, M10, M28) and multi (M23-M27, P2) --------------------------------------


def test_single_network_opens_pods_and_apis_to_each_other_in_both_directions(dev):
    node = {m: dev.named("aws:ec2/securityGroup:SecurityGroup", f"{m}-node").id for m in MEMBERS}
    control = {m: dev.named("aws:ec2/securityGroup:SecurityGroup", f"{m}-cluster").id for m in MEMBERS}
    for member, peer in (("legacy", "modern"), ("modern", "legacy")):
        pods = dev.named(INGRESS_RULE, f"mesh-{member}-pods-from-{peer}").inputs
        assert (pods["securityGroupId"], pods["referencedSecurityGroupId"], pods["ipProtocol"]) == (node[member], node[peer], "-1")  # M10
        api = dev.named(INGRESS_RULE, f"mesh-{member}-api-from-{peer}").inputs
        assert (api["securityGroupId"], api["referencedSecurityGroupId"], api["fromPort"], api["toPort"]) == (
            control[member],
            node[peer],
            443,
            443,
        )
        for port in (15017, 15012):  # M9
            rule = dev.named(INGRESS_RULE, f"mesh-{member}-{port}-from-control-plane").inputs
            assert (rule["securityGroupId"], rule["referencedSecurityGroupId"], rule["fromPort"]) == (node[member], control[member], port)
        assert "cidrIpv4" not in pods and "cidrIpv6" not in pods  # group references: both families
    assert not [r for r in dev.of_type(RELEASE) if r.inputs["chart"] == "gateway"]  # M28
    assert dev.of_type("kubernetes:networking.istio.io/v1:Gateway") == []
    # P6/P7 are the clusters' own: IPv6 egress on both CNI containers of the IPv4 cluster, IPv4 egress on the IPv6 one
    legacy_cni = json.loads(dev.named("aws:eks/addon:Addon", "legacy-vpc-cni").inputs["configurationValues"])
    assert legacy_cni["env"]["ENABLE_V6_EGRESS"] == "true" and legacy_cni["init"]["env"]["ENABLE_V6_EGRESS"] == "true"
    modern_cni = json.loads(dev.named("aws:eks/addon:Addon", "modern-vpc-cni").inputs["configurationValues"])
    assert modern_cni["env"]["ENABLE_V4_EGRESS"] == "true"


def test_multi_network_east_west_gateways_behind_dual_stack_nlbs_open_to_the_peer_only(prod):
    nat_ips = {
        m: sorted(n.outputs["publicIp"] + "/32" for n in prod.of_type("aws:ec2/natGateway:NatGateway") if n.name.startswith(f"{m}-"))
        for m in MEMBERS
    }
    blocks = {m: prod.named("aws:ec2/vpc:Vpc", m).outputs["ipv6CidrBlock"] for m in MEMBERS}
    assert not [r for r in prod.of_type(INGRESS_RULE) if "-pods-from-" in r.name]  # no direct pod path across VPCs
    for member, peer in (("legacy", "modern"), ("modern", "legacy")):
        gateway = prod.named(RELEASE, f"mesh-{member}-istio-eastwestgateway")
        assert gateway.inputs["chart"] == "gateway" and gateway.inputs["namespace"] == "istio-system"
        v = gateway.inputs["values"]
        assert v["networkGateway"] == f"vpc-{member}"  # M23, M24, M26: the chart's network gateway
        assert v["labels"]["istio"] == "eastwestgateway"  # M25
        annotations = v["service"]["annotations"]
        assert annotations["service.beta.kubernetes.io/aws-load-balancer-ip-address-type"] == "dualstack"  # P2, M16
        assert annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] == "ip"  # M14
        assert annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internet-facing"  # M15
        assert annotations["service.beta.kubernetes.io/aws-load-balancer-attributes"] == "load_balancing.cross_zone.enabled=true"
        assert v["service"]["loadBalancerClass"] == "service.k8s.aws/nlb"
        assert v["service"]["loadBalancerSourceRanges"] == sorted([*nat_ips[peer], blocks[peer]])  # the peer's egress only
        assert prod.named(RELEASE, f"{member}-lbc-chart").urn in gateway.dependencies
        assert prod.named(RELEASE, f"mesh-{member}-istiod").urn in gateway.dependencies
        cr = prod.named("kubernetes:networking.istio.io/v1:Gateway", f"mesh-{member}-cross-network-gateway").inputs
        assert cr["spec"] == {
            "selector": {"istio": "eastwestgateway"},
            "servers": [
                {"port": {"number": 15443, "name": "tls", "protocol": "TLS"}, "tls": {"mode": "AUTO_PASSTHROUGH"}, "hosts": ["*.local"]}
            ],
        }  # M27


# ---- samples (M32-M34) ---------------------------------------------------------------------------


def test_dev_runs_the_samples_and_prod_does_not(dev, prod):
    for member, version in (("legacy", "v1"), ("modern", "v2")):
        namespace = dev.named(NAMESPACE, f"mesh-{member}-sample-namespace").inputs["metadata"]
        assert namespace == {"name": "sample", "labels": {"istio-injection": "enabled"}}  # M32
        service = dev.named("kubernetes:core/v1:Service", f"mesh-{member}-sample-helloworld").inputs
        assert service["spec"]["ports"] == [{"port": 5000, "name": "http"}]  # M33
        deployments = [d for d in dev.of_type("kubernetes:apps/v1:Deployment") if d.name.startswith(f"mesh-{member}-sample-helloworld")]
        assert [d.inputs["metadata"]["name"] for d in deployments] == [f"helloworld-{version}"]
        image = deployments[0].inputs["spec"]["template"]["spec"]["containers"][0]["image"]
        assert image == f"registry.istio.io/release/examples-helloworld-{version}:1.0"
        sleep = dev.named("kubernetes:apps/v1:Deployment", f"mesh-{member}-sample-sleep")
        assert sleep.inputs["spec"]["template"]["spec"]["containers"][0]["image"] == "docker.io/curlimages/curl:8.16.0"
        assert dev.named(RELEASE, f"mesh-{member}-istiod").urn in sleep.dependencies  # M34: injected
    assert not [r for r in prod.resources if "-sample-" in r.name]


# ---- the stack configuration -------------------------------------------------------------------

DEPLOYER = {"endpoint": "public", "cidrs": ["198.51.100.0/28"]}


def mesh_config(mesh, **clusters):
    config = with_clusters(**clusters)
    config["ipv6-eks:deployer"] = DEPLOYER
    config["ipv6-eks:mesh"] = mesh
    return config


def refused(config):
    with pytest.raises(ConfigError) as info:
        load("dev", config, zones)
    return info.value.lines


def test_mesh_mistakes_are_one_line_each():
    two = {"a": cluster(loadBalancerController={}), "b": cluster(ipFamily="ipv4", loadBalancerController={})}
    assert refused(mesh_config({"model": "single", "clusters": ["a", "c"]}, **two)) == [
        "Pulumi.dev.yaml: ipv6-eks:mesh.clusters[1]: 'c' is not a cluster of this stack; allowed: a, b"
    ]
    assert refused(mesh_config({"model": "single", "clusters": ["a"]}, **two)) == [
        "Pulumi.dev.yaml: ipv6-eks:mesh.clusters: 1 cluster(s); allowed: at least two - the mesh spans clusters"
    ]
    assert refused(mesh_config({"model": "single", "clusters": ["a", "a"]}, **two))[0] == (
        "Pulumi.dev.yaml: ipv6-eks:mesh.clusters[1]: 'a' is listed twice; allowed: each cluster once"
    )
    assert refused(mesh_config({"model": "single", "clusters": ["a", "b"], "istioVersion": "1.30.2"}, **two)) == [
        "Pulumi.dev.yaml: ipv6-eks:mesh.istioVersion: '1.30.2'; allowed: 1.30.3 or a later 1.30 or 1.31 patch, e.g. 1.31.1 "
        "(1.30.3 fixed istiod missing rotated remote secrets)"
    ]
    assert refused(mesh_config({"model": "star", "clusters": ["a", "b"]}, **two)) == [
        "Pulumi.dev.yaml: ipv6-eks:mesh.model: 'star' is not allowed; allowed: 'single' or 'multi'"
    ]
    assert refused(mesh_config({"model": "multi", "clusters": ["a", "b"]}, **two)) == [
        "Pulumi.dev.yaml: ipv6-eks:mesh.clusters: a and b share VPC 'shared' in a multi-network mesh; allowed: a VPC per member, or model single"
    ]
    provided = {"model": "single", "clusters": ["a", "b"], "ca": {"source": "provided", "rootCertificate": "not a pem"}}
    assert refused(mesh_config(provided, **two)) == [
        "Pulumi.dev.yaml: ipv6-eks:mesh.ca.rootCertificate: is not PEM; allowed: -----BEGIN CERTIFICATE----- ...",
        "Pulumi.dev.yaml: ipv6-eks:mesh.ca.rootPrivateKey: missing for source provided; allowed: the PEM, e.g. "
        "pulumi config set --secret --path 'ipv6-eks:mesh.ca.rootPrivateKey' < root-key.pem",
    ]


ROOT_PEM = "-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n"
ROOT_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n"


def test_a_brought_root_key_must_be_a_secret():
    two = {"a": cluster(loadBalancerController={}), "b": cluster(ipFamily="ipv4", loadBalancerController={})}
    plain = {
        "model": "single",
        "clusters": ["a", "b"],
        "ca": {"source": "provided", "rootCertificate": ROOT_PEM, "rootPrivateKey": ROOT_KEY},
    }
    assert refused(mesh_config(plain, **two)) == [
        "Pulumi.dev.yaml: ipv6-eks:mesh.ca.rootPrivateKey: is in plain text in the stack file; allowed: a secret only: "
        "pulumi config set --secret --path 'ipv6-eks:mesh.ca.rootPrivateKey' < root-key.pem"
    ]
    # as pulumi up hands it over: decrypted, with the key marked secret
    planned = load("dev", mesh_config(plain, **two), zones, secret_keys={"ipv6-eks:mesh"})
    assert planned.mesh.args["root_ca"] == {"certificate_pem": ROOT_PEM, "private_key_pem": ROOT_KEY}
    # as the offline plan reads it: a secure value it cannot decrypt
    secure = {**plain, "ca": {**plain["ca"], "rootPrivateKey": SECRET_PLACEHOLDER}}
    assert load("dev", mesh_config(secure, **two), zones).mesh.args["root_ca"]["private_key_pem"] == SECRET_PLACEHOLDER
    generated = {**plain, "ca": {"source": "generated", "rootCertificate": ROOT_PEM}}
    assert refused(mesh_config(generated, **two)) == [
        "Pulumi.dev.yaml: ipv6-eks:mesh.ca: a root certificate or key with source generated; allowed: source provided, or neither"
    ]


def two_vpcs(public_mode="dualstack"):
    config = with_clusters(a=cluster(loadBalancerController={}), b=cluster(vpc="other", ipFamily="ipv4", loadBalancerController={}))
    config["ipv6-eks:vpcs"]["other"] = {
        "ipv4Cidr": "10.231.0.0/16",
        "availabilityZones": 3,
        "tiers": [
            {"name": "public", "role": "public", "ipMode": public_mode, "ipv4PrefixLength": 24},
            {"name": "private", "role": "private", "ipv4PrefixLength": 20},
        ],
    }
    config["ipv6-eks:deployer"] = DEPLOYER
    return config


def test_single_across_vpcs_and_multi_without_ipv6_public_subnets_are_refused():
    config = two_vpcs()
    config["ipv6-eks:mesh"] = {"model": "single", "clusters": ["a", "b"]}
    assert refused(config) == [
        "Pulumi.dev.yaml: ipv6-eks:mesh.model: single across VPCs (a in shared, b in other): single-network pods reach each other "
        "directly, which needs one VPC; allowed: multi (east-west gateways), or the clusters in one VPC"
    ]
    config = two_vpcs(public_mode="ipv4")
    config["ipv6-eks:mesh"] = {"model": "multi", "clusters": ["a", "b"]}
    assert refused(config) == [
        "Pulumi.dev.yaml: ipv6-eks:mesh.clusters: VPC 'other' of b: its east-west NLB must be dual-stack (P2), but an internet-facing "
        "dualstack NLB needs dual-stack public subnets in 1 AZ(s); the VPC has them in 0; allowed: a public tier with ipMode "
        "dualstack in the cluster's VPC (R4.6, R4.7)"
    ]
    config = two_vpcs()
    config["ipv6-eks:clusters"]["b"].pop("loadBalancerController")
    config["ipv6-eks:mesh"] = {"model": "multi", "clusters": ["a", "b"]}
    assert refused(config) == [
        "Pulumi.dev.yaml: ipv6-eks:mesh.clusters: b has no load balancer controller to make its east-west NLB; allowed: "
        "loadBalancerController: {} on cluster b"
    ]
    # a multi-network member's public endpoint opens for its peers' istiod
    config["ipv6-eks:clusters"]["b"]["loadBalancerController"] = {}
    planned = load("dev", config, zones)
    assert planned.clusters["a"].mesh_peers == ("b",) and planned.clusters["a"].args["endpoint_public_access"] is True
    assert planned.mesh.networks == {"a": "vpc-shared", "b": "vpc-other"}
