"""Ipv6EksCluster's pure parts: IAM documents, CNI configuration, IMDS, instance types, validation."""

import pytest

from ipv6_eks.eks_addons import vpc_cni_configuration
from ipv6_eks.eks_iam import cni_policy_document, irsa_trust_policy, node_role_policy_arns, partition_of
from ipv6_eks.eks_nodes import estimated_vcpus, max_pods, metadata_options
from ipv6_eks.eks_spec import check_cluster_args, open_endpoint_cidrs
from policies.guardrails.facts import architecture, is_nitro

# amazon-vpc-cni-k8s docs/iam-policy.md on master (2026-08-20), written out here action by action.
IPV6_MODE = [
    "ec2:AssignIpv6Addresses",  # R2.1
    "ec2:DescribeInstances",  # R2.1
    "ec2:DescribeSecurityGroups",  # R2.2 (PR #3709)
    "ec2:DescribeSubnets",  # R2.2: fatal at start when denied, with subnet discovery on
    "ec2:DescribeTags",  # R2.1
    "ec2:DescribeNetworkInterfaces",  # R2.1
    "ec2:DescribeInstanceTypes",  # R2.1
]
IPV4_MODE = [
    "ec2:AssignPrivateIpAddresses",
    "ec2:AttachNetworkInterface",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeInstances",
    "ec2:DescribeTags",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeSecurityGroups",  # amazon-vpc-cni-k8s#3704: vpc-cni v1.22.1 failed to start without it
    "ec2:DescribeSubnets",
    "ec2:DetachNetworkInterface",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:UnassignPrivateIpAddresses",
]


@pytest.mark.parametrize(("family", "documented"), [("ipv6", IPV6_MODE), ("ipv4", IPV4_MODE)])
def test_each_family_gets_exactly_the_cni_actions_its_documentation_lists(family, documented):
    document = cni_policy_document(family)
    first, second = document["Statement"]
    assert first["Effect"] == "Allow" and first["Resource"] == "*"
    for action in documented:
        assert action in first["Action"], action
    assert sorted(first["Action"]) == sorted(documented)  # nothing broader
    assert len(set(first["Action"])) == len(first["Action"])
    assert second == {
        "Sid": "TagNetworkInterfaces",
        "Effect": "Allow",
        "Action": ["ec2:CreateTags"],
        "Resource": ["arn:aws:ec2:*:*:network-interface/*"],
    }
    assert not any("*" in action for action in first["Action"])
    assert cni_policy_document(family, "aws-cn")["Statement"][1]["Resource"] == ["arn:aws-cn:ec2:*:*:network-interface/*"]


def test_the_ipv6_cni_policy_leaves_out_the_unmerged_modify_network_interface_attribute():
    # amazon-vpc-cni-k8s PR #3554 (open): on "*" it would let aws-node rewrite any interface's groups.
    assert "ec2:ModifyNetworkInterfaceAttribute" not in cni_policy_document("ipv6")["Statement"][0]["Action"]
    assert "ec2:AssignPrivateIpAddresses" not in cni_policy_document("ipv6")["Statement"][0]["Action"]
    assert "ec2:AssignIpv6Addresses" not in cni_policy_document("ipv4")["Statement"][0]["Action"]


def test_irsa_trust_is_limited_to_kube_system_aws_node():
    trust = irsa_trust_policy(
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/ABC",
        "https://oidc.eks.us-east-2.amazonaws.com/id/ABC",
        "kube-system",
        "aws-node",
    )
    (statement,) = trust["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/ABC"}
    assert statement["Condition"]["StringEquals"] == {
        "oidc.eks.us-east-2.amazonaws.com/id/ABC:sub": "system:serviceaccount:kube-system:aws-node",
        "oidc.eks.us-east-2.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
    }


def test_node_role_gets_only_worker_and_ecr_read_only():
    assert node_role_policy_arns() == [
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    ]  # R7.9
    assert partition_of("cn-north-1") == "aws-cn" and partition_of("us-gov-west-1") == "aws-us-gov" and partition_of("eu-west-1") == "aws"


def test_vpc_cni_configuration_for_an_ipv6_cluster():
    config = vpc_cni_configuration("ipv6")
    assert config == {
        "enableNetworkPolicy": "true",
        "env": {"ENABLE_PREFIX_DELEGATION": "true", "ENABLE_V4_EGRESS": "true"},
    }  # R2.3, R2.5, R7.8
    assert "ENABLE_IPv6" not in config["env"] and "ENABLE_IPv4" not in config["env"]  # not in the add-on's schema


def test_vpc_cni_configuration_for_the_ipv4_migration_source_sets_v6_egress_on_both_containers():
    config = vpc_cni_configuration("ipv4", network_policy=False)
    assert config["env"] == {"ENABLE_V6_EGRESS": "true"}  # R2.6: aws-node
    assert config["init"] == {"env": {"ENABLE_V6_EGRESS": "true"}}  # R2.6: aws-vpc-cni-init
    assert config["enableNetworkPolicy"] == "false"


@pytest.mark.parametrize("hops", [1, 2])
def test_metadata_options_require_imdsv2_and_disable_the_ipv6_endpoint(hops):
    assert metadata_options(hops) == {
        "http_endpoint": "enabled",
        "http_tokens": "required",  # R7.5
        "http_put_response_hop_limit": hops,
        "http_protocol_ipv6": "disabled",  # R2.10
        "instance_metadata_tags": "disabled",
    }


@pytest.mark.parametrize(
    ("instance_type", "nitro"),
    [
        ("m7i.large", True),
        ("m5.xlarge", True),
        ("c7g.2xlarge", True),
        ("i3en.large", True),
        ("i3.metal", True),
        ("p3dn.24xlarge", True),
        ("m4.large", False),
        ("t2.medium", False),
        ("c4.xlarge", False),
        ("i3.large", False),
        ("r4.large", False),
        ("p3.2xlarge", False),
        ("x1e.xlarge", False),
    ],
)
def test_nitro(instance_type, nitro):
    assert is_nitro(instance_type) is nitro  # R1.12, R6.1


@pytest.mark.parametrize(
    ("instance_type", "arch"),
    [
        ("m7g.large", "arm64"),
        ("c6gn.xlarge", "arm64"),
        ("t4g.small", "arm64"),
        ("im4gn.large", "arm64"),
        ("a1.large", "arm64"),
        ("m7i.large", "x86_64"),
        ("g5.xlarge", "x86_64"),
        ("g4dn.xlarge", "x86_64"),
        ("m7i-flex.large", "x86_64"),
    ],
)
def test_architecture(instance_type, arch):
    assert architecture(instance_type) == arch


def test_max_pods_110_up_to_30_vcpus_then_250():
    assert [max_pods(v) for v in (2, 16, 30, 32, 96)] == [110, 110, 110, 250, 250]  # R2.7
    assert [estimated_vcpus(t) for t in ("m7i.large", "m7i.xlarge", "m7i.8xlarge", "t3.medium", "m7i.metal-24xl")] == [2, 4, 32, 2, None]
    assert max_pods(estimated_vcpus("m7i.8xlarge")) == 250 and max_pods(None) == 250


def test_open_endpoint_cidrs():
    assert open_endpoint_cidrs(["203.0.113.0/24", "0.0.0.0/0", "::/0", "2001:db8::/32", "junk"]) == ["0.0.0.0/0", "::/0"]


def subnets(mode="dualstack", role="private", zones=("us-east-2a", "us-east-2b")):
    return [{"id": f"subnet-{z}", "availability_zone": z, "ip_mode": mode, "role": role} for z in zones]


def args(**overrides):
    base = {
        "vpc_id": "vpc-1",
        "kubernetes_version": "1.34",
        "control_plane_subnets": subnets(),
        "node_subnets": subnets(),
        "node_groups": {"general": {"instance_types": ["m7i.large"]}},
    }
    base.update(overrides)
    return base


def errors_of(**overrides):
    return [e.render() for e in check_cluster_args(args(**overrides))]


def test_valid_arguments_pass():
    assert errors_of() == []
    assert errors_of(ip_family="ipv4", service_ipv4_cidr="172.20.0.0/16", node_subnets=subnets()) == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"node_groups": {"g": {"instance_types": ["m4.large"]}}},
            "node_groups.g.instance_types[0]: m4.large is a Xen-based type; IPv6 clusters need prefix delegation, which only Nitro offers (R1.12, R6.1); allowed: a Nitro or bare-metal type",
        ),
        (
            {"node_groups": {"g": {"instance_types": ["m7i.large"], "ami_type": "WINDOWS_CORE_2022_x86_64"}}},
            "node_groups.g.ami_type: WINDOWS_CORE_2022_x86_64: Windows nodes cannot join IPv6 clusters (R1.11)",
        ),
        (
            {"node_groups": {"g": {"instance_types": ["m7i.large"], "ami_type": "AL2_x86_64"}}},
            "node_groups.g.ami_type: 'AL2_x86_64': AL2 has no AMIs from Kubernetes 1.33",
        ),
        (
            {"node_groups": {"g": {"instance_types": ["m7g.large"]}}},
            "node_groups.g.instance_types[0]: m7g.large is arm64 but ami_type AL2023_x86_64_STANDARD is x86_64",
        ),
        (
            {"node_groups": {"g": {"instance_types": ["m7i.large"], "imds_hop_limit": 3}}},
            "node_groups.g.imds_hop_limit: 3; allowed: 1 (pods cannot reach node credentials) or 2 (pods may use IMDS) (R7.5)",
        ),
        (
            {"node_groups": {"g": {"instance_types": ["m7i.large"], "min_size": 3, "max_size": 2}}},
            "node_groups.g.max_size: min 3, desired 3, max 2",
        ),
        (
            {"node_groups": {"g": {"instance_types": ["m7i.large"], "taints": [{"key": "a", "effect": "NoSchedule"}]}}},
            "node_groups.g.taints[0].effect: 'NoSchedule'; allowed: NO_SCHEDULE",
        ),
        ({"node_groups": {"g": {"instance_types": ["large"]}}}, "node_groups.g.instance_types[0]: 'large' is not an instance type"),
        ({"node_groups": {}}, "node_groups: no node groups"),
        (
            {"node_subnets": subnets(mode="ipv4")},
            "node_subnets: IPv4-only subnets in us-east-2a, us-east-2b; allowed: dual-stack subnets; IPv6 clusters need dual-stack subnets (R1.2)",
        ),
        (
            {"node_subnets": subnets(mode="ipv6-only")},
            "node_subnets: IPv6-only subnets in us-east-2a, us-east-2b; allowed: dual-stack subnets; EKS control planes and nodes need IPv4 too (R1.3)",
        ),
        (
            {"node_subnets": subnets(role="public")},
            "node_subnets: public subnets in us-east-2a, us-east-2b; allowed: private subnets; nodes stay off the internet gateway (R7.7)",
        ),
        (
            {"control_plane_subnets": subnets(zones=("us-east-2a",))},
            "control_plane_subnets: subnets in 1 availability zone(s); allowed: subnets in at least two AZs (R1.6)",
        ),
        (
            {"control_plane_subnets": subnets(mode="ipv4")},
            "control_plane_subnets: IPv4-only subnets in us-east-2a, us-east-2b; allowed: dual-stack subnets; IPv6 clusters need dual-stack subnets (R1.2)",
        ),
        (
            {"kubernetes_version": "1.29"},
            "kubernetes_version: '1.29' is not a Kubernetes version EKS supports; allowed: 1.32, 1.33, 1.34, 1.35, 1.36 (as a string)",
        ),
        (
            {"service_ipv4_cidr": "172.20.0.0/16"},
            "service_ipv4_cidr: set on an IPv6 cluster; allowed: nothing; EKS assigns an IPv6 cluster's service range from fc00::/7 (R1.9)",
        ),
        ({"ip_family": "ipv4", "service_ipv4_cidr": "8.8.0.0/16"}, "service_ipv4_cidr: 8.8.0.0/16 is not a private /12../24"),
        ({"ip_family": "dual"}, "ip_family: 'dual' is not an IP family; allowed: ipv6 or ipv4; it is fixed at creation (R1.1)"),
        (
            {"endpoint_public_access": True},
            "public_access_cidrs: missing while the public endpoint is open (AWS would open it to everyone)",
        ),
        ({"public_access_cidrs": ["203.0.113.0/24"]}, "public_access_cidrs: set while the public endpoint is closed"),
        (
            {"endpoint_public_access": True, "public_access_cidrs": ["203.0.113.0/33"]},
            "public_access_cidrs[0]: '203.0.113.0/33' is not a network",
        ),
        (
            {"authentication_mode": "CONFIG_MAP"},
            "authentication_mode: 'CONFIG_MAP': pulumi-eks would then force-overwrite kube-system/aws-auth",
        ),
        (
            {"authentication_mode": "API_AND_CONFIG_MAP"},
            "authentication_mode: 'API_AND_CONFIG_MAP': pulumi-eks would then force-overwrite kube-system/aws-auth with an empty mapping",
        ),
        (
            {
                "access_entries": {
                    "ops": {"principal_arn": "arn:aws:iam::123456789012:role/ops"},
                    "ops-view": {"principal_arn": "arn:aws:iam::123456789012:role/ops", "policies": ["AmazonEKSViewPolicy"]},
                }
            },
            "access_entries.ops-view.principal_arn: arn:aws:iam::123456789012:role/ops already has the access entry 'ops'",
        ),
        ({"private_access_cidrs": ["10.0.0.0/33"]}, "private_access_cidrs[0]: '10.0.0.0/33' is not a network"),
        ({"private_access_security_group_ids": ["sg-12"]}, "private_access_security_group_ids[0]: 'sg-12' is not a security group id"),
        ({"log_retention_days": 45}, "log_retention_days: 45 days is not a CloudWatch retention period"),
        ({"node_tags": {"aws:cloudformation": "x"}}, "node_tags.aws:cloudformation: 'aws:cloudformation': 'x' is not a usable EC2 tag"),
        (
            {"access_entries": {"admins": {"principal_arn": "arn:aws:iam::123:role/x"}}},
            "access_entries.admins.principal_arn: 'arn:aws:iam::123:role/x' is not an IAM role or user ARN",
        ),
        (
            {"access_entries": {"admins": {"principal_arn": "arn:aws:iam::123456789012:role/x", "policies": ["Admin"]}}},
            "access_entries.admins.policies[0]: 'Admin' is not an EKS access policy",
        ),
        (
            {"addon_versions": {"vpc-cni": "1.20"}},
            "addon_versions.vpc-cni: '1.20' is not an EKS add-on version; allowed: e.g. v1.20.4-eksbuild.2",
        ),
        (
            {"addon_versions": {"aws-ebs-csi-driver": "v1.40.0-eksbuild.1"}},
            "addon_versions.aws-ebs-csi-driver: 'aws-ebs-csi-driver' is not an add-on ipv6-eks manages",
        ),
    ],
)
def test_bad_arguments(overrides, expected):
    found = errors_of(**overrides)
    assert any(e.startswith(expected) for e in found), found


def test_ipv4_migration_source_allows_xen_types_but_still_needs_dual_stack_node_subnets():
    assert errors_of(ip_family="ipv4", node_groups={"g": {"instance_types": ["m4.large"]}}) == []
    found = errors_of(ip_family="ipv4", node_subnets=subnets(mode="ipv4"))
    assert found == [
        "node_subnets: IPv4-only subnets in us-east-2a, us-east-2b; allowed: dual-stack subnets; the IPv4 cluster's IPv6 egress needs node IPv6 addresses (R2.6)"
    ]
    assert errors_of(ip_family="ipv4", control_plane_subnets=subnets(mode="ipv4")) == []
