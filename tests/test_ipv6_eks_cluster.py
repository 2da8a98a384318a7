"""Ipv6EksCluster under mocks: the inputs given to pulumi-eks and every child we create."""

import json

import pulumi
import pytest

from ipv6_eks.dual_stack_vpc import DualStackVpc
from ipv6_eks.errors import ArgumentError
from ipv6_eks.ipv6_eks_cluster import TYPE_TOKEN, Ipv6EksCluster
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
    assert versions == {  # pinned for Kubernetes 1.34, never "EKS's default today"
        "vpc-cni": "v1.23.1-eksbuild.1",
        "kube-proxy": "v1.34.6-eksbuild.13",
        "eks-pod-identity-agent": "v1.3.10-eksbuild.3",
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
    (policy,) = evaluation.of_type("aws:iam/policy:Policy")
    # The IPv4 policy as the VPC CNI documents it: AmazonEKS_CNI_Policy lacks ec2:DescribeSecurityGroups (#3704).
    assert policy.name == "k-cni-ipv4" and policy.inputs["name"] == "test-k-cni-ipv4"
    assert attachment.inputs["policyArn"] == policy.outputs["arn"]
    (main, tags) = json.loads(policy.inputs["policy"])["Statement"]
    assert "ec2:DescribeSecurityGroups" in main["Action"] and "ec2:AssignPrivateIpAddresses" in main["Action"]
    assert "ec2:AssignIpv6Addresses" not in main["Action"] and tags["Action"] == ["ec2:CreateTags"]
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
    assert "accessEntries" not in cluster  # ours, so protect on the control plane never blocks them
    entry = evaluation.named("aws:eks/accessEntry:AccessEntry", "k-access-platform")
    assert entry.inputs["principalArn"] == "arn:aws:iam::123456789012:role/platform" and entry.inputs["type"] == "STANDARD"
    assert entry.inputs["clusterName"] == "test-k" and entry.protect is False
    association = evaluation.named(
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "k-access-platform-AmazonEKSViewPolicy"
    ).inputs
    assert association["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
    assert association["principalArn"] == "arn:aws:iam::123456789012:role/platform"
    assert association["accessScope"] == {"type": "namespace", "namespaces": ["apps"]}
    # the provider that deploys into the cluster waits for the access entries
    provider = evaluation.named("pulumi:providers:kubernetes", "k-k8s")
    assert entry.urn in provider.dependencies
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
    assert evaluation.named("aws:kms/key:Key", "k-secrets").protect is True
    assert evaluation.named("aws:eks/nodeGroup:NodeGroup", "k-general").inputs["version"] == "1.34"
    assert ipv4[0].named("eks:index:Cluster", "k-eks").protect is False
    unprotected, _ = build(protect_control_plane=False)
    assert unprotected.named("eks:index:Cluster", "k-eks").protect is False
    assert unprotected.named("aws:kms/key:Key", "k-secrets").protect is False


def test_protect_stops_at_what_losing_would_hurt_even_when_the_component_is_protected():
    """Node groups, launch templates, add-ons, roles and rules are replaced routinely by EKS changes."""

    def program():
        vpc = DualStackVpc("net", VPC_ARGS)
        Ipv6EksCluster(
            "k",
            {
                "vpc_id": vpc.vpc_id,
                "kubernetes_version": "1.34",
                "control_plane_subnets": vpc.tier_subnets("private"),
                "node_subnets": vpc.tier_subnets("private"),
                "node_groups": {"general": {"instance_types": ["m7i.large"]}},
                "access_entries": {"ops": {"principal_arn": "arn:aws:iam::123456789012:role/ops"}},
            },
            pulumi.ResourceOptions(protect=True),
        )

    evaluation = run_program(program)
    children = [r for r in evaluation.resources if r.parent == evaluation.named(TYPE_TOKEN, "k").urn]
    protected = {r.name for r in children if r.protect}
    assert protected == {"k-eks", "k-secrets"}
    for typ in (
        "aws:eks/nodeGroup:NodeGroup",
        "aws:ec2/launchTemplate:LaunchTemplate",
        ADDON,
        "aws:eks/accessEntry:AccessEntry",
        "aws:iam/role:Role",
        INGRESS,
        "aws:cloudwatch/logGroup:LogGroup",
    ):
        assert evaluation.of_type(typ) and not any(r.protect for r in evaluation.of_type(typ)), typ


def test_addons_and_node_groups_name_the_cluster_through_a_dependency_on_it(ipv6):
    evaluation, _ = ipv6
    control_plane = evaluation.named("eks:index:Cluster", "k-eks").urn
    for resource in [*evaluation.of_type("aws:eks/addon:Addon"), *evaluation.of_type("aws:eks/nodeGroup:NodeGroup")]:
        assert resource.inputs["clusterName"] == "test-k"
        assert control_plane in resource.property_dependencies["clusterName"]


def test_private_api_access_gets_443_on_the_cluster_security_group_in_both_families():
    evaluation, _ = build(
        private_access_cidrs=["10.20.0.0/16", "2600:1f16:aaaa::/48"],
        private_access_security_group_ids=["sg-0123456789abcdef0"],
    )
    cluster_sg = evaluation.named("aws:ec2/securityGroup:SecurityGroup", "k-cluster").id
    api_rules = {r.name: r.inputs for r in evaluation.of_type(INGRESS) if r.name.startswith("k-api-from-")}
    assert api_rules["k-api-from-10-20-0-0-16"]["cidrIpv4"] == "10.20.0.0/16"
    assert api_rules["k-api-from-2600-1f16-aaaa-48"]["cidrIpv6"] == "2600:1f16:aaaa::/48"
    assert api_rules["k-api-from-sg-0123456789abcdef0"]["referencedSecurityGroupId"] == "sg-0123456789abcdef0"
    for rule in api_rules.values():
        assert rule["securityGroupId"] == cluster_sg
        assert (rule["ipProtocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 443, 443)
    assert len(api_rules) == 3


def test_the_control_plane_log_group_exists_first_with_a_retention(ipv6):
    evaluation, _ = ipv6
    group = evaluation.named("aws:cloudwatch/logGroup:LogGroup", "k-control-plane-logs")
    assert group.inputs["name"] == "/aws/eks/test-k/cluster" and group.inputs["retentionInDays"] == 90
    assert group.urn in evaluation.named("eks:index:Cluster", "k-eks").dependencies
    kept, _ = build(log_retention_days=365)
    assert kept.named("aws:cloudwatch/logGroup:LogGroup", "k-control-plane-logs").inputs["retentionInDays"] == 365


def test_node_groups_wait_for_the_security_group_rules_they_rely_on(ipv6):
    evaluation, _ = ipv6
    group = evaluation.named("aws:eks/nodeGroup:NodeGroup", "k-general")
    for name in ("k-node-from-node", "k-node-from-cluster", "k-cluster-from-node", "k-node-egress-ipv6", "k-node-egress-ipv4"):
        rule = next(r for r in [*evaluation.of_type(INGRESS), *evaluation.of_type(EGRESS)] if r.name == name)
        assert rule.urn in group.dependencies, name


def test_the_provider_waits_for_coredns(ipv6):
    evaluation, _ = ipv6
    provider = evaluation.named("pulumi:providers:kubernetes", "k-k8s")
    assert evaluation.named(ADDON, "k-coredns").urn in provider.dependencies


def test_node_instances_volumes_and_interfaces_carry_the_stack_tags_through_the_launch_template():
    evaluation, _ = build(node_tags={"project": "ipv6-eks", "stack": "test", "component": "Ipv6EksCluster/k"})
    template = evaluation.named("aws:ec2/launchTemplate:LaunchTemplate", "k-general").inputs
    kinds = {spec["resourceType"]: spec["tags"] for spec in template["tagSpecifications"]}
    assert set(kinds) == {"instance", "volume", "network-interface"}
    for tags in kinds.values():
        assert tags["project"] == "ipv6-eks" and tags["stack"] == "test" and tags["component"] == "Ipv6EksCluster/k"
        assert tags["Name"] == "test-k-general" and tags["ipv6-eks/cluster"] == "test-k"


def test_the_creator_admin_choice_is_a_transform_on_pulumi_eks_s_cluster():
    from ipv6_eks.ipv6_eks_cluster import no_creator_admin

    args = pulumi.ResourceTransformArgs(
        True,
        "aws:eks/cluster:Cluster",
        "k-eks-eksCluster",
        {"accessConfig": {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": True}},
        pulumi.ResourceOptions(),
    )
    result = no_creator_admin(args)
    assert result.props["accessConfig"] == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False}
    other = pulumi.ResourceTransformArgs(True, "aws:iam/role:Role", "r", {"name": "x"}, pulumi.ResourceOptions())
    assert no_creator_admin(other) is None
    # the default keeps EKS's bootstrap admin; false attaches the transform to pulumi-eks's cluster
    assert build()[0].named("eks:index:Cluster", "k-eks").transforms == ()
    assert build(cluster_creator_admin=False)[0].named("eks:index:Cluster", "k-eks").transforms == ("no_creator_admin",)
