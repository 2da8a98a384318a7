"""Ipv6EksCluster under mocks: the inputs given to pulumi-eks and every child we create."""

import json

import pulumi
import pytest

from components.dual_stack_vpc import DualStackVpc
from components.errors import ArgumentError
from components.ipv6_eks_cluster import TYPE_TOKEN, Ipv6EksCluster
from policies.guardrails.facts import CONTROL_PLANE_LOG_TYPES
from tests.conftest import IPV6_CNI_ACTIONS, registered_when_failing, run_program

AZS = ["us-east-2a", "us-east-2b", "us-east-2c"]
VPC_ARGS = {
    "ipv4_cidr": "10.0.0.0/16",
    "availability_zones": AZS,
    "tiers": [
        {"name": "public", "role": "public", "ipv4_prefix_length": 24},
        {"name": "private", "role": "private", "ipv4_prefix_length": 20},
    ],
}
ADDON = "aws:eks/addon:Addon"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def build(**cluster_args):
    holder = {}

    def program():
        vpc = DualStackVpc("net", VPC_ARGS)
        args = {
            "vpc_id": vpc.vpc_id,
            "kubernetes_version": "1.34",
            "control_plane_subnets": vpc.tier_subnets("private"),
            "node_subnets": vpc.tier_subnets("private"),
            "node_groups": {"general": {"instance_types": ["m7i.large", "m6i.large"], "min_size": 2, "max_size": 5}},
            **cluster_args,
        }
        holder["cluster"] = Ipv6EksCluster("k", args)
        cluster = holder["cluster"]
        outputs = pulumi.Output.all(
            name=cluster.cluster_name,
            family=cluster.ip_family,
            endpoint=cluster.endpoint,
            ca=cluster.certificate_authority,
            oidc=cluster.oidc_provider_arn,
            issuer=cluster.oidc_issuer,
            csg=cluster.cluster_security_group_id,
            nsg=cluster.node_security_group_id,
            node_role=cluster.node_role_arn,
            cni_role=cluster.aws_node_role_arn,
        )
        outputs.apply(holder.setdefault("outputs", {}).update)
        pulumi.Output.all(cluster.kubeconfig.is_secret(), cluster.kubeconfig).apply(
            lambda v: holder.update(kubeconfig_secret=v[0], kubeconfig=v[1])
        )

    evaluation = run_program(program)
    return evaluation, holder


@pytest.fixture(scope="module")
def ipv6():
    return build()


@pytest.fixture(scope="module")
def ipv4():
    return build(ip_family="ipv4", service_ipv4_cidr="172.20.0.0/16", network_policy=False)


def private_subnet_ids(evaluation):
    return [evaluation.named("aws:ec2/subnet:Subnet", f"net-private-{az}").id for az in AZS]


def test_control_plane_inputs_to_pulumi_eks(ipv6):
    evaluation, _ = ipv6
    cluster = evaluation.named("eks:index:Cluster", "k-eks").inputs
    assert cluster["ipFamily"] == "ipv6"  # R1.1
    assert cluster["name"] == "test-k" and cluster["version"] == "1.34"
    # pulumi-eks#1520: subnets are explicit, never discovered; no default node group
    assert cluster["privateSubnetIds"] == private_subnet_ids(evaluation)
    assert cluster["nodeSubnetIds"] == private_subnet_ids(evaluation)
    assert "subnetIds" not in cluster and "publicSubnetIds" not in cluster
    assert cluster["skipDefaultNodeGroup"] is True and cluster["skipDefaultSecurityGroups"] is True
    assert cluster["clusterSecurityGroup"] == evaluation.named("aws:ec2/securityGroup:SecurityGroup", "k-cluster").id
    # R7.1: private endpoint on, public off
    assert cluster["endpointPrivateAccess"] is True and cluster["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in cluster
    assert cluster["enabledClusterLogTypes"] == list(CONTROL_PLANE_LOG_TYPES)  # R7.4
    key = evaluation.named("aws:kms/key:Key", "k-secrets")
    assert cluster["encryptionConfigKeyArn"] == key.outputs["arn"]  # R7.3
    assert key.inputs["enableKeyRotation"] is True
    assert "kubernetesServiceIpAddressRange" not in cluster  # R1.9
    assert cluster["authenticationMode"] == "API" and cluster["createOidcProvider"] is True
    assert cluster["useDefaultVpcCni"] is True and cluster["bootstrapSelfManagedAddons"] is False
    assert cluster["kubeProxyAddonOptions"]["enabled"] is False and cluster["corednsAddonOptions"]["enabled"] is False


def test_security_groups_allow_ipv6_egress_and_node_to_node_by_reference(ipv6):
    evaluation, _ = ipv6
    ids = {r.name: r.id for r in evaluation.resources}
    egress = {
        (r.inputs["securityGroupId"], r.inputs.get("cidrIpv4") or r.inputs.get("cidrIpv6"), r.inputs["ipProtocol"])
        for r in evaluation.of_type(EGRESS)
    }
    for group in ("k-cluster", "k-node"):  # R3.11, pulumi-eks#1700
        assert (ids[group], "::/0", "-1") in egress
        assert (ids[group], "0.0.0.0/0", "-1") in egress
    ingress = {r.name: r.inputs for r in evaluation.of_type(INGRESS)}
    node_to_node = ingress["k-node-from-node"]  # R3.13: a group reference covers IPv4 and IPv6
    assert node_to_node["securityGroupId"] == ids["k-node"] and node_to_node["referencedSecurityGroupId"] == ids["k-node"]
    assert node_to_node["ipProtocol"] == "-1"
    assert ingress["k-cluster-from-node"] == {
        **ingress["k-cluster-from-node"],
        "securityGroupId": ids["k-cluster"],
        "referencedSecurityGroupId": ids["k-node"],
        "fromPort": 443,
        "toPort": 443,
    }
    assert ingress["k-node-from-cluster"]["fromPort"] == 1025 and ingress["k-node-from-cluster"]["toPort"] == 65535
    assert ingress["k-node-icmpv6-too-big"]["ipProtocol"] == "58" and ingress["k-node-icmpv6-too-big"]["fromPort"] == 2  # R3.14
    assert not any(
        r.get("cidrIpv4") == "0.0.0.0/0" or (r.get("cidrIpv6") == "::/0" and r["ipProtocol"] != "58") for r in ingress.values()
    )  # R3.16
    node_sg = evaluation.named("aws:ec2/securityGroup:SecurityGroup", "k-node").inputs
    assert node_sg["tags"]["kubernetes.io/cluster/test-k"] == "owned"


def test_aws_node_has_a_dedicated_irsa_role_with_the_ipv6_policy_wired_to_vpc_cni(ipv6):
    evaluation, holder = ipv6
    role = evaluation.named("aws:iam/role:Role", "k-aws-node")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"]["Federated"] == holder["outputs"]["oidc"]
    assert trust["Condition"]["StringEquals"][f"{holder['outputs']['issuer']}:sub"] == "system:serviceaccount:kube-system:aws-node"
    policy = evaluation.named("aws:iam/policy:Policy", "k-cni-ipv6")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    assert actions == IPV6_CNI_ACTIONS  # R2.1 + R2.2
    attachment = evaluation.named("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "k-aws-node-cni")
    assert attachment.inputs == {"role": role.outputs["name"], "policyArn": policy.outputs["arn"]}
    cni = evaluation.named(ADDON, "k-vpc-cni")
    assert cni.inputs["serviceAccountRoleArn"] == role.outputs["arn"] == holder["outputs"]["cni_role"]
    assert cni.inputs["addonName"] == "vpc-cni" and cni.inputs["clusterName"] == "test-k"
    assert attachment.urn in cni.dependencies


def test_node_role_holds_only_worker_and_ecr_policies(ipv6):
    evaluation, _ = ipv6
    node_role = evaluation.named("aws:iam/role:Role", "k-node")
    attached = {
        a.inputs["policyArn"]
        for a in evaluation.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.inputs["role"] == node_role.outputs["name"]
    }
    assert attached == {
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    }  # R7.9
    assert json.loads(node_role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}


def test_vpc_cni_keeps_ipv6_prefix_delegation_and_ipv4_egress_with_network_policy(ipv6):
    evaluation, _ = ipv6
    config = json.loads(evaluation.named(ADDON, "k-vpc-cni").inputs["configurationValues"])
    assert config == {
        "enableNetworkPolicy": "true",
        "env": {"ENABLE_PREFIX_DELEGATION": "true", "ENABLE_V4_EGRESS": "true"},
    }  # R2.3, R2.5, R7.8
    versions = {a.inputs["addonName"]: a.inputs["addonVersion"] for a in evaluation.of_type(ADDON)}
    assert versions == {
        "vpc-cni": "v1.21.1-eksbuild.8",
        "kube-proxy": "v1.34.6-eksbuild.13",
        "eks-pod-identity-agent": "v1.3.9-eksbuild.3",
        "coredns": "v1.13.2-eksbuild.11",
    }


def test_addons_come_before_the_nodes_and_coredns_after(ipv6):
    evaluation, _ = ipv6
    node_group = evaluation.named("aws:eks/nodeGroup:NodeGroup", "k-general")
    for addon in ("k-vpc-cni", "k-kube-proxy", "k-eks-pod-identity-agent"):
        assert evaluation.named(ADDON, addon).urn in node_group.dependencies
    assert node_group.urn in evaluation.named(ADDON, "k-coredns").dependencies
    assert evaluation.named("eks:index:Cluster", "k-eks").urn in node_group.dependencies


def test_node_groups_use_imdsv2_private_dual_stack_subnets_and_their_launch_template(ipv6):
    evaluation, _ = ipv6
    template = evaluation.named("aws:ec2/launchTemplate:LaunchTemplate", "k-general")
    assert template.inputs["metadataOptions"] == {  # R7.5, R2.10
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
        "httpProtocolIpv6": "disabled",
        "instanceMetadataTags": "disabled",
    }
    assert "imageId" not in template.inputs and "userData" not in template.inputs  # EKS picks the AMI and max pods (R2.7)
    assert template.inputs["vpcSecurityGroupIds"] == [evaluation.named("aws:ec2/securityGroup:SecurityGroup", "k-node").id]
    assert template.inputs["blockDeviceMappings"][0]["ebs"] == {
        "volumeSize": 50,
        "volumeType": "gp3",
        "encrypted": "true",
        "deleteOnTermination": "true",
    }
    group = evaluation.named("aws:eks/nodeGroup:NodeGroup", "k-general").inputs
    assert group["subnetIds"] == private_subnet_ids(evaluation)
    assert group["instanceTypes"] == ["m7i.large", "m6i.large"] and group["amiType"] == "AL2023_x86_64_STANDARD"
    assert group["launchTemplate"] == {"id": template.id, "version": "1"}
    assert group["scalingConfig"] == {"minSize": 2, "maxSize": 5, "desiredSize": 2}
    assert group["nodeRoleArn"] == evaluation.named("aws:iam/role:Role", "k-node").outputs["arn"]


def test_outputs_and_the_kubernetes_provider(ipv6):
    evaluation, holder = ipv6
    outputs = holder["outputs"]
    assert outputs["name"] == "test-k" and outputs["family"] == "ipv6"
    assert outputs["endpoint"].startswith("https://") and outputs["endpoint"].endswith(".eks.amazonaws.com")
    assert outputs["oidc"].startswith("arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/")
    assert outputs["csg"] == evaluation.named("aws:ec2/securityGroup:SecurityGroup", "k-cluster").id
    assert outputs["nsg"] == evaluation.named("aws:ec2/securityGroup:SecurityGroup", "k-node").id
    assert holder["kubeconfig_secret"] is True
    assert json.loads(holder["kubeconfig"])["users"][0]["user"]["exec"]["args"][-3] == "test-k"
    provider = evaluation.named("pulumi:providers:kubernetes", "k-k8s")
    assert "kubeconfig" in provider.secret_outputs
    component = evaluation.named(TYPE_TOKEN, "k")
    assert all(r.parent == component.urn for r in evaluation.resources if r.urn.split("::")[2].startswith(TYPE_TOKEN + "$"))


def test_ipv4_migration_source(ipv4):
    evaluation, holder = ipv4
    cluster = evaluation.named("eks:index:Cluster", "k-eks").inputs
    assert cluster["ipFamily"] == "ipv4" and cluster["kubernetesServiceIpAddressRange"] == "172.20.0.0/16"
    config = json.loads(evaluation.named(ADDON, "k-vpc-cni").inputs["configurationValues"])
    assert config["env"]["ENABLE_V6_EGRESS"] == "true" and config["init"]["env"]["ENABLE_V6_EGRESS"] == "true"  # R2.6
    assert config["enableNetworkPolicy"] == "false"
    attachment = evaluation.named("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "k-aws-node-cni")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
    assert evaluation.of_type("aws:iam/policy:Policy") == []
    # IPv6 egress needs ::/0 on the node group too (terraform-aws-eks#3300)
    node_sg = evaluation.named("aws:ec2/securityGroup:SecurityGroup", "k-node").id
    assert any(r.inputs["securityGroupId"] == node_sg and r.inputs.get("cidrIpv6") == "::/0" for r in evaluation.of_type(EGRESS))
    assert holder["outputs"]["family"] == "ipv4"


def test_public_endpoint_access_entries_and_pins():
    evaluation, _ = build(
        endpoint_public_access=True,
        public_access_cidrs=["203.0.113.0/24", "2001:db8::/32"],
        access_entries={
            "platform": {
                "principal_arn": "arn:aws:iam::123456789012:role/platform",
                "policies": ["AmazonEKSViewPolicy"],
                "namespaces": ["apps"],
            }
        },
        addon_versions={"vpc-cni": "v1.20.4-eksbuild.2"},
        secrets_kms_key_arn="arn:aws:kms:us-east-2:123456789012:key/existing",
        deletion_protection=True,
        node_groups={
            "general": {"instance_types": ["m7i.large"]},
            "arm": {
                "instance_types": ["m7g.large"],
                "ami_type": "BOTTLEROCKET_ARM_64",
                "imds_hop_limit": 2,
                "disk_size": 80,
                "taints": [{"key": "arch", "value": "arm64", "effect": "NO_SCHEDULE"}],
                "labels": {"arch": "arm64"},
            },
        },
    )
    cluster = evaluation.named("eks:index:Cluster", "k-eks").inputs
    assert cluster["endpointPublicAccess"] is True and cluster["publicAccessCidrs"] == ["203.0.113.0/24", "2001:db8::/32"]
    assert cluster["deletionProtection"] is True
    entry = cluster["accessEntries"]["platform"]
    assert entry["principalArn"] == "arn:aws:iam::123456789012:role/platform" and entry["type"] == "STANDARD"
    association = entry["accessPolicies"]["AmazonEKSViewPolicy"]
    assert association["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
    assert association["accessScope"] == {"type": "namespace", "namespaces": ["apps"]}
    assert cluster["encryptionConfigKeyArn"] == "arn:aws:kms:us-east-2:123456789012:key/existing"
    assert evaluation.of_type("aws:kms/key:Key") == []
    assert evaluation.named(ADDON, "k-vpc-cni").inputs["addonVersion"] == "v1.20.4-eksbuild.2"
    template = evaluation.named("aws:ec2/launchTemplate:LaunchTemplate", "k-arm").inputs
    assert template["metadataOptions"]["httpPutResponseHopLimit"] == 2
    assert template["blockDeviceMappings"][0]["deviceName"] == "/dev/xvdb"
    group = evaluation.named("aws:eks/nodeGroup:NodeGroup", "k-arm").inputs
    assert group["taints"] == [{"key": "arch", "value": "arm64", "effect": "NO_SCHEDULE"}] and group["labels"] == {"arch": "arm64"}


def test_bad_arguments_register_nothing():
    args = {
        "vpc_id": "vpc-1",
        "kubernetes_version": "1.34",
        "control_plane_subnets": [{"id": f"s-{z}", "availability_zone": z, "ip_mode": "dualstack", "role": "private"} for z in AZS],
        "node_subnets": [{"id": f"s-{z}", "availability_zone": z, "ip_mode": "dualstack", "role": "private"} for z in AZS],
        "node_groups": {"general": {"instance_types": ["t2.large"]}},
    }
    error, registered = registered_when_failing(lambda: Ipv6EksCluster("k", args))
    assert isinstance(error, ArgumentError)
    assert str(error).startswith("node_groups.general.instance_types[0]: t2.large is a Xen-based type")
    assert registered == []
    # The EKS cluster and its IAM roles are named "<stack>-<name>": a name IAM cannot hold is refused too.
    args["node_groups"] = {"general": {"instance_types": ["m7i.large"]}}
    error, registered = registered_when_failing(lambda: Ipv6EksCluster("k" * 60, args))
    assert str(error) == (
        f"name: the EKS cluster name 'test-{'k' * 60}' (stack name, '-', component name) is not usable; "
        "allowed: letters, digits, '-' and '_', starting with a letter or digit, at most 55 characters"
    )
    assert registered == []


def test_the_ipv6_control_plane_is_protected_and_node_groups_follow_its_version(ipv6, ipv4):
    evaluation, _ = ipv6
    assert evaluation.named("eks:index:Cluster", "k-eks").protect is True  # R1.1
    assert evaluation.named("aws:eks/nodeGroup:NodeGroup", "k-general").inputs["version"] == "1.34"
    assert ipv4[0].named("eks:index:Cluster", "k-eks").protect is False
    unprotected, _ = build(protect_control_plane=False)
    assert unprotected.named("eks:index:Cluster", "k-eks").protect is False


def test_addons_and_node_groups_name_the_cluster_through_a_dependency_on_it(ipv6):
    evaluation, _ = ipv6
    control_plane = evaluation.named("eks:index:Cluster", "k-eks").urn
    for resource in [*evaluation.of_type("aws:eks/addon:Addon"), *evaluation.of_type("aws:eks/nodeGroup:NodeGroup")]:
        assert resource.inputs["clusterName"] == "test-k"
        assert control_plane in resource.property_dependencies["clusterName"]
