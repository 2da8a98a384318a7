"""The migration itself: an IPv4 EKS cluster you already run (made by eksctl, Terraform, the
console - not by this program), and a new IPv6 cluster in the same VPC, in one Istio mesh on one
network. Services keep calling each other by name while workloads move to the IPv6 cluster.

This program adopts the existing VPC (it must already have an IPv6 block), adds two dual-stack
tiers for the new cluster in free IPv4 space, and describes the existing cluster to
IstioMultiPrimary as plain values - its endpoint, CA and security group from ``aws eks
describe-cluster`` - so the mesh component never needs to own it.

What this program cannot do for the existing cluster, and you must (P6, M11): its nodes need
IPv6 addresses (dual-stack node subnets with auto-assign) and its vpc-cni ``ENABLE_V6_EGRESS=true``
on both aws-node and aws-vpc-cni-init, or its pods cannot reach the IPv6 cluster's pods; and your
deployer must be an access entry of it with cluster-admin (the mesh installs Istio there).

    pulumi config set aws:region us-east-2
    pulumi config set --path existing.clusterName my-ipv4-cluster
    ...  (see Pulumi.example.yaml)
    pulumi up
"""

import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ipv6_eks import DualStackVpc, Ipv6EksCluster, IstioMultiPrimary

config = pulumi.Config()
existing = config.require_object("existing")  # clusterName, vpcId, vpcIpv4Cidr, ipv6CidrBlock, internetGatewayId
deployer_cidrs = config.require_object("deployerCidrs")
region = aws.get_region().region

# The cluster you already run, as EKS describes it.
legacy = aws.eks.get_cluster(name=existing["clusterName"])
legacy_security_group = legacy.vpc_config.cluster_security_group_id
legacy_kubeconfig = json.dumps(
    {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": legacy.name,
                "cluster": {"server": legacy.endpoint, "certificate-authority-data": legacy.certificate_authorities[0].data},
            }
        ],
        "contexts": [{"name": legacy.name, "context": {"cluster": legacy.name, "user": legacy.name}}],
        "current-context": legacy.name,
        "users": [
            {
                "name": legacy.name,
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": ["--region", region, "eks", "get-token", "--cluster-name", legacy.name, "--output", "json"],
                    }
                },
            }
        ],
    }
)
legacy_provider = k8s.Provider("legacy-k8s", kubeconfig=pulumi.Output.secret(legacy_kubeconfig))

# Its VPC, adopted: new dual-stack tiers for the IPv6 cluster after the address space in use.
vpc = DualStackVpc(
    "shared",
    {
        "ipv4_cidr": existing["vpcIpv4Cidr"],
        "availability_zones": existing["availabilityZones"],
        "nat_gateways": "single",
        "existing": {
            "vpc_id": existing["vpcId"],
            "ipv6_cidr_block": existing["ipv6CidrBlock"],
            "internet_gateway_id": existing["internetGatewayId"],
        },
        "tiers": [
            {"name": "v6-public", "role": "public", "ipv4_prefix_length": 24, "ipv4_offset": existing.get("freeIpv4Offset", 128)},
            {"name": "v6-private", "role": "private", "ipv4_prefix_length": 22},
        ],
    },
)

modern = Ipv6EksCluster(
    "modern",
    {
        "vpc_id": vpc.vpc_id,
        "kubernetes_version": legacy.version,
        "ip_family": "ipv6",
        "control_plane_subnets": vpc.tier_subnets("v6-private"),
        "node_subnets": vpc.tier_subnets("v6-private"),
        "endpoint_public_access": True,
        "public_access_cidrs": deployer_cidrs,
        "node_groups": {"general": {"instance_types": ["m7i.large", "m6i.large"], "min_size": 2, "max_size": 6}},
        "nodes_depend_on": [vpc],
    },
)

mesh = IstioMultiPrimary(
    "mesh",
    {
        "mesh_id": config.get("meshId") or "mesh1",
        "network_model": "single",  # one VPC: pods reach each other directly
        "samples": config.get_bool("samples") or False,
        "members": [
            {
                "name": "legacy",
                "ip_family": "ipv4",
                "network": "shared",
                "endpoint": legacy.endpoint,
                "certificate_authority": legacy.certificate_authorities[0].data,
                "kubernetes_provider": legacy_provider,
                # EKS-made managed node groups carry the cluster security group; name another if yours differ
                "node_security_group_id": existing.get("nodeSecurityGroupId", legacy_security_group),
                "cluster_security_group_id": legacy_security_group,
            },
            {
                "name": "modern",
                "ip_family": "ipv6",
                "network": "shared",
                "endpoint": modern.endpoint,
                "certificate_authority": modern.certificate_authority,
                "kubernetes_provider": modern.provider,
                "node_security_group_id": modern.node_security_group_id,
                "cluster_security_group_id": modern.cluster_security_group_id,
            },
        ],
    },
)

pulumi.export("modern_cluster", modern.cluster_name)
pulumi.export("modern_kubeconfig", modern.kubeconfig)
pulumi.export("mesh_root_certificate", mesh.root_certificate_pem)
pulumi.export("remote_secrets", mesh.remote_secrets)
