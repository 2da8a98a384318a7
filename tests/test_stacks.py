"""The shipped stack files evaluated under mocks with their real configuration."""

import ipaddress
import json
import runpy

import pytest

from offline.harness import PROJECT_DIR, evaluate
from offline.mocks import AwsLikeMocks, RecordingMonitor
from stack_config import ConfigError, read_stack_file
from tests.conftest import IPV6_CNI_ACTIONS, routes_of

SUBNET = "aws:ec2/subnet:Subnet"
AZS = ["us-east-2a", "us-east-2b", "us-east-2c"]
IGW = "aws:ec2/internetGateway:InternetGateway"
NAT = "aws:ec2/natGateway:NatGateway"
EIGW = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway"


def test_reference_stack_reproduces_the_mission_layout_exactly(reference):
    rows = {}
    for subnet in reference.of_type(SUBNET):
        rows[subnet.name.removeprefix("reference-")] = (subnet.inputs.get("cidrBlock"), subnet.inputs.get("ipv6CidrBlock"))
    assert rows == {
        "public-us-east-2a": ("10.230.0.0/24", None),
        "public-us-east-2b": ("10.230.1.0/24", None),
        "public-us-east-2c": ("10.230.2.0/24", None),
        "private-us-east-2a": ("10.230.16.0/22", "2600:1f16:5de:8b03::/64"),
        "private-us-east-2b": ("10.230.20.0/22", "2600:1f16:5de:8b04::/64"),
        "private-us-east-2c": ("10.230.24.0/22", "2600:1f16:5de:8b05::/64"),
        "database-us-east-2a": ("10.230.28.0/22", "2600:1f16:5de:8b06::/64"),
        "database-us-east-2b": ("10.230.32.0/22", "2600:1f16:5de:8b07::/64"),
        "database-us-east-2c": ("10.230.36.0/22", "2600:1f16:5de:8b08::/64"),
    }
    assert reference.of_type("aws:ec2/vpc:Vpc") == []  # adopted, not created
    assert {s.inputs["vpcId"] for s in reference.of_type(SUBNET)} == {"vpc-0a1b2c3d4e5f60718"}
    for az in AZS:
        assert routes_of(reference, f"reference-public-{az}") == {"0.0.0.0/0": ("gatewayId", IGW)}
        assert routes_of(reference, f"reference-database-{az}") == {
            "0.0.0.0/0": ("natGatewayId", NAT),
            "::/0": ("egressOnlyGatewayId", EIGW),
        }


def test_dev_is_one_dual_stack_vpc_with_three_tiers_over_three_azs_and_one_nat(dev):
    (vpc,) = dev.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["assignGeneratedIpv6CidrBlock"] is True
    block = ipaddress.IPv6Network(vpc.outputs["ipv6CidrBlock"])
    sixty_fours = list(block.subnets(new_prefix=64))
    expected = {"public": (0, "10.230.{}.0/24", [0, 1, 2]), "private": (3, None, [16, 20, 24]), "database": (6, None, [28, 32, 36])}
    for tier, (first, _, thirds) in expected.items():
        for i, az in enumerate(AZS):
            subnet = dev.named(SUBNET, f"shared-{tier}-{az}").inputs
            assert subnet["ipv6CidrBlock"] == str(sixty_fours[first + i])
            assert ipaddress.IPv4Network(subnet["cidrBlock"]).network_address == ipaddress.IPv4Address(f"10.230.{thirds[i]}.0")
            assert subnet["assignIpv6AddressOnCreation"] is True and subnet["enableDns64"] is False
    assert len(dev.of_type(NAT)) == 1 and len(dev.of_type(IGW)) == 1 and len(dev.of_type(EIGW)) == 1
    for az in AZS:
        assert routes_of(dev, f"shared-public-{az}") == {"0.0.0.0/0": ("gatewayId", IGW), "::/0": ("gatewayId", IGW)}
        assert routes_of(dev, f"shared-private-{az}") == {"0.0.0.0/0": ("natGatewayId", NAT), "::/0": ("egressOnlyGatewayId", EIGW)}
        assert routes_of(dev, f"shared-database-{az}") == {}
    # dev protects nothing but the IPv6 control plane and its key: its IP family cannot change in place (R1.1)
    assert sorted(r.name for r in dev.resources if r.protect) == ["modern-eks", "modern-secrets"]


def test_prod_has_two_non_overlapping_vpcs_with_a_nat_per_az_all_protected(prod):
    vpcs = prod.of_type("aws:ec2/vpc:Vpc")
    assert sorted(v.name for v in vpcs) == ["legacy", "modern"]
    a, b = (ipaddress.IPv4Network(v.inputs["cidrBlock"]) for v in vpcs)
    assert not a.overlaps(b)
    assert vpcs[0].outputs["ipv6CidrBlock"] != vpcs[1].outputs["ipv6CidrBlock"]
    for vpc in vpcs:
        nats = [n for n in prod.of_type(NAT) if n.name.startswith(f"{vpc.name}-nat-")]
        assert sorted(n.name for n in nats) == [f"{vpc.name}-nat-{az}" for az in AZS]
        for az in AZS:
            route = prod.named("aws:ec2/route:Route", f"{vpc.name}-private-{az}-ipv4-default")
            assert route.inputs["natGatewayId"] == prod.named(NAT, f"{vpc.name}-nat-{az}").id
            assert routes_of(prod, f"{vpc.name}-private-{az}")["::/0"] == ("egressOnlyGatewayId", EIGW)


# What losing would hurt, and nothing EKS or a routine change replaces (issue: protect where it protects).
PROTECTED_IN_PROD = {
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "eks:index:Cluster",
    "aws:kms/key:Key",
    "tls:index/selfSignedCert:SelfSignedCert",
}
ROOT_KEY = "mesh-root-key"  # the mesh's root CA key is protected; the intermediates' keys are routinely re-issued


def test_prod_protects_vpcs_subnets_control_planes_and_keys_and_nothing_routinely_replaced(prod):
    by_type = {}
    for resource in prod.resources:
        if resource.name == ROOT_KEY:
            assert resource.protect and resource.type == "tls:index/privateKey:PrivateKey"
            continue
        by_type.setdefault(resource.type, set()).add(resource.protect)
    for typ in PROTECTED_IN_PROD:
        assert by_type[typ] == {True}, typ
    for typ, flags in by_type.items():
        if typ not in PROTECTED_IN_PROD:
            assert flags == {False}, typ
    # the ones a routine change replaces, named: node groups (instance types, capacity, AMI type,
    # subnets), launch templates, add-ons, access entries, and the components themselves
    for typ in (
        "aws:eks/nodeGroup:NodeGroup",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:eks/addon:Addon",
        "aws:eks/accessEntry:AccessEntry",
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        "aws:ec2/natGateway:NatGateway",
        "aws:ec2/route:Route",
        "ipv6-eks:index:Ipv6EksCluster",
        "ipv6-eks:index:DualStackVpc",
    ):
        assert by_type[typ] == {False}, typ
    assert len([r for r in prod.resources if r.protect]) == 2 + 18 + 2 + 2 + 2  # VPCs, subnets, control planes, keys, the CA root


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_aws_resource_uses_a_provider_with_project_stack_component_default_tags(stack, dev, prod):
    evaluation = {"dev": dev, "prod": prod}[stack]
    providers = {p.urn: p for p in evaluation.of_type("pulumi:providers:aws")}
    for p in providers.values():
        tags = json.loads(p.inputs["defaultTags"])["tags"]
        assert tags["project"] == "ipv6-eks" and tags["stack"] == stack
        assert tags["component"] == p.name.removeprefix("aws-").replace("-", "/", 1)
        assert p.inputs["region"] == "us-east-2"
    for r in evaluation.resources:
        if r.custom and r.type.startswith("aws:"):
            assert r.provider.rsplit("::", 1)[0] in providers, r.name


def test_a_malformed_stack_file_registers_nothing(tmp_path):
    bad = tmp_path / "Pulumi.broken.yaml"
    bad.write_text((PROJECT_DIR / "Pulumi.dev.yaml").read_text().replace("ipv4PrefixLength: 24", "ipv4PrefixLength: 29"))
    monitor = RecordingMonitor(AwsLikeMocks())
    with pytest.raises(ConfigError) as info:
        evaluate(lambda: runpy.run_path(str(PROJECT_DIR / "__main__.py")), stack="broken", config=read_stack_file(bad), monitor=monitor)
    assert info.value.lines == [
        "Pulumi.broken.yaml: ipv6-eks:vpcs.shared.tiers[0].ipv4PrefixLength: /29 does not fit a subnet of the VPC 10.230.0.0/16; allowed: 16..28"
    ]
    assert monitor.recorded == {}


def test_stack_outputs_carry_the_address_plan(dev):
    plan = dev.outputs["vpcs"]["shared"]["address_plan"]
    assert len(plan) == 9
    row = next(r for r in plan if r["tier"] == "private" and r["availability_zone"] == "us-east-2a")
    assert row["ipv4_cidr"] == "10.230.16.0/22" and row["ipv6_cidr"].endswith("03::/64")
    assert dev.outputs["vpcs"]["shared"]["subnet_ids"]["private"] == [dev.named(SUBNET, f"shared-private-{az}").id for az in AZS]


# ---- clusters ---------------------------------------------------------------------------------


def cluster_facts(evaluation, name):
    """What the independent checks look at, gathered from the registered graph."""
    prefix = f"{name}-"
    eks_cluster = evaluation.named("eks:index:Cluster", f"{name}-eks").inputs
    cni = evaluation.named("aws:eks/addon:Addon", f"{name}-vpc-cni").inputs
    role = next(r for r in evaluation.of_type("aws:iam/role:Role") if r.outputs["arn"] == cni["serviceAccountRoleArn"])
    attached = {
        a.inputs["policyArn"]
        for a in evaluation.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.inputs["role"] == role.outputs["name"]
    }
    policies = [json.loads(p.inputs["policy"]) for p in evaluation.of_type("aws:iam/policy:Policy") if p.outputs["arn"] in attached]
    actions = {a for doc in policies for s in doc["Statement"] for a in s["Action"]}
    groups = [g for g in evaluation.of_type("aws:eks/nodeGroup:NodeGroup") if g.name.startswith(prefix)]
    templates = {t.id: t.inputs for t in evaluation.of_type("aws:ec2/launchTemplate:LaunchTemplate")}
    node_sg = evaluation.named("aws:ec2/securityGroup:SecurityGroup", f"{name}-node").id
    egress = {
        r.inputs.get("cidrIpv6")
        for r in evaluation.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        if r.inputs["securityGroupId"] == node_sg
    }
    return eks_cluster, cni, role, attached, actions, groups, templates, egress


@pytest.mark.parametrize(("stack", "name"), [("dev", "modern"), ("prod", "modern")])
def test_ipv6_clusters_have_everything_that_makes_ipv6_work(stack, name, dev, prod):
    evaluation = {"dev": dev, "prod": prod}[stack]
    cluster, cni, role, attached, actions, groups, templates, egress = cluster_facts(evaluation, name)
    assert cluster["ipFamily"] == "ipv6"
    subnets = {s.id: s.inputs for s in evaluation.of_type(SUBNET)}
    for ids in (cluster["privateSubnetIds"], cluster["nodeSubnetIds"]):
        assert ids and all(subnets[i]["ipv6CidrBlock"] and subnets[i]["cidrBlock"] and subnets[i]["tags"]["role"] == "private" for i in ids)
    assert "ipv6-eks/cluster" in role.inputs["tags"] and "aws-node" in role.inputs["assumeRolePolicy"]
    assert cni["addonName"] == "vpc-cni" and len(attached) == 1  # the role wired to the CNI holds one policy...
    assert actions == IPV6_CNI_ACTIONS  # ...with the whole IPv6 action set (R2.1, R2.2)
    assert "::/0" in egress  # R3.11
    assert groups
    for group in groups:
        template = templates[group.inputs["launchTemplate"]["id"]]
        assert template["metadataOptions"]["httpTokens"] == "required" and template["metadataOptions"]["httpProtocolIpv6"] == "disabled"
        assert all(not t.startswith(("m4.", "t2.", "c4.", "r4.")) for t in group.inputs["instanceTypes"])
        assert group.inputs["subnetIds"] == cluster["nodeSubnetIds"]
    # R7.1: private endpoint on; the public one admits only the deployer - anyone in dev (a laptop), the CI runners in prod
    assert cluster["endpointPrivateAccess"] is True and cluster["endpointPublicAccess"] is True
    if stack == "dev":
        assert cluster["publicAccessCidrs"] == ["0.0.0.0/0", "::/0"]
    else:  # the deployer, then the mesh peer's NAT gateways (/32) and VPC IPv6 block, for its istiod
        legacy_vpc = evaluation.named("aws:ec2/vpc:Vpc", "legacy")
        nats = sorted(n.outputs["publicIp"] + "/32" for n in evaluation.of_type(NAT) if n.name.startswith("legacy-"))
        assert cluster["publicAccessCidrs"] == ["198.51.100.0/28", *sorted([*nats, legacy_vpc.outputs["ipv6CidrBlock"]])]
    assert set(cluster["enabledClusterLogTypes"]) == {"api", "audit", "authenticator", "controllerManager", "scheduler"}
    assert cluster["encryptionConfigKeyArn"].startswith("arn:aws:kms:")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_ipv4_cluster_has_ipv6_egress_on_both_cni_containers(stack, dev, prod):
    evaluation = {"dev": dev, "prod": prod}[stack]
    cluster, cni, _, attached, _, _, _, egress = cluster_facts(evaluation, "legacy")
    assert cluster["ipFamily"] == "ipv4"
    config = json.loads(cni["configurationValues"])
    assert config["env"]["ENABLE_V6_EGRESS"] == "true" and config["init"]["env"]["ENABLE_V6_EGRESS"] == "true"  # R2.6
    # exactly the VPC CNI's documented IPv4 set, as a customer policy: the AWS-managed one lacks
    # ec2:DescribeSecurityGroups (amazon-vpc-cni-k8s#3704)
    (policy,) = [p for p in evaluation.of_type("aws:iam/policy:Policy") if p.outputs["arn"] in attached]
    assert attached == {f"arn:aws:iam::123456789012:policy/{stack}-legacy-cni-ipv4"}
    statement = json.loads(policy.inputs["policy"])["Statement"][0]
    assert "ec2:DescribeSecurityGroups" in statement["Action"] and "ec2:AssignIpv6Addresses" not in statement["Action"]
    assert "::/0" in egress


def test_dev_puts_both_clusters_in_the_shared_vpc_and_prod_one_per_vpc(dev, prod):
    dev_vpc = dev.of_type("aws:ec2/vpc:Vpc")[0].id
    assert {dev.named("eks:index:Cluster", f"{n}-eks").inputs["vpcId"] for n in ("legacy", "modern")} == {dev_vpc}
    prod_vpcs = {v.name: v.id for v in prod.of_type("aws:ec2/vpc:Vpc")}
    for name in ("legacy", "modern"):
        assert prod.named("eks:index:Cluster", f"{name}-eks").inputs["vpcId"] == prod_vpcs[name]


def test_prod_clusters_are_protected_with_deletion_protection_and_pinned_addons(prod):
    for name in ("legacy", "modern"):
        cluster = prod.named("eks:index:Cluster", f"{name}-eks")
        assert cluster.protect and cluster.inputs["deletionProtection"] is True
        versions = {
            a.inputs["addonName"]: a.inputs["addonVersion"] for a in prod.of_type("aws:eks/addon:Addon") if a.name.startswith(f"{name}-")
        }
        assert versions["kube-proxy"] == "v1.34.6-eksbuild.13" and versions["coredns"] == "v1.13.2-eksbuild.11"
    assert prod.named("eks:index:Cluster", "legacy-eks").inputs["kubernetesServiceIpAddressRange"] == "172.20.0.0/16"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_cluster_admits_the_deployer_and_prod_never_opens_an_endpoint_to_everyone(stack, dev, prod):
    evaluation = {"dev": dev, "prod": prod}[stack]
    for name in ("legacy", "modern"):
        cluster = evaluation.named("eks:index:Cluster", f"{name}-eks")
        cidrs = cluster.inputs["publicAccessCidrs"]
        assert cluster.inputs["endpointPublicAccess"] is True
        if stack == "prod":
            assert "0.0.0.0/0" not in cidrs and "::/0" not in cidrs and "198.51.100.0/28" in cidrs
            assert all(c.endswith("/32") for c in cidrs[1:] if ":" not in c)
        else:  # the IPv4 cluster's public endpoint takes IPv4 CIDRs only
            assert cidrs == (["0.0.0.0/0"] if name == "legacy" else ["0.0.0.0/0", "::/0"])


def test_prod_admins_are_access_entries_and_nobody_is_admin_by_accident(prod, dev):
    for name in ("legacy", "modern"):
        assert prod.named("eks:index:Cluster", f"{name}-eks").transforms == ("no_creator_admin",)
        assert dev.named("eks:index:Cluster", f"{name}-eks").transforms == ()
        entry = prod.named("aws:eks/accessEntry:AccessEntry", f"{name}-access-deployer")
        assert entry.inputs["principalArn"] == "arn:aws:iam::111122223333:role/ipv6-eks-deployer"
        association = prod.named(
            "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", f"{name}-access-deployer-AmazonEKSClusterAdminPolicy"
        )
        assert association.inputs["accessScope"] == {"type": "cluster"}
