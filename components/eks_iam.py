"""The IAM documents Ipv6EksCluster hands to AWS - plain data, no Pulumi.

The VPC CNI's permissions for each IP family (R2.1, R2.2), trust policies for IRSA and for AWS
services, the node role's managed policies (R7.9), and EKS access-policy ARNs.
"""

from __future__ import annotations

from typing import Any

from .guardrails.facts import CNI_CREATE_TAGS_RESOURCE, CNI_IPV4_ACTIONS, CNI_IPV6_ACTIONS, CNI_IPV6_UPSTREAM_ACTIONS


def partition_of(region: str) -> str:
    """The ARN partition of a region."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def cni_policy_document(ip_family: str, partition: str = "aws") -> dict[str, Any]:
    """The VPC CNI's permissions for ``ip_family``: exactly the set its own documentation gives
    (amazon-vpc-cni-k8s ``docs/iam-policy.md``), and ``ec2:CreateTags`` on network interfaces.

    * IPv6 mode: the EKS-documented actions (R2.1) with ``ec2:DescribeSubnets`` and
      ``ec2:DescribeSecurityGroups`` (R2.2). ``ec2:ModifyNetworkInterfaceAttribute``, which an
      unmerged upstream change (amazon-vpc-cni-k8s PR #3554) would add, is left out: in IPv6 mode
      aws-node calls it only to re-apply the node's own security groups, a denial is a logged
      warning, and on ``*`` it would let aws-node rewrite the security groups of any interface.
    * IPv4 mode: ``AmazonEKS_CNI_Policy`` plus ``ec2:DescribeSecurityGroups`` (#3704), as a
      customer-managed policy because the AWS-managed one lacks that action.

    AWS ships no managed IPv6 variant, so both are customer-managed policies, named per cluster.
    """
    actions = [*CNI_IPV6_ACTIONS, *CNI_IPV6_UPSTREAM_ACTIONS] if ip_family == "ipv6" else list(CNI_IPV4_ACTIONS)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "VpcCni", "Effect": "Allow", "Action": actions, "Resource": "*"},
            {
                "Sid": "TagNetworkInterfaces",
                "Effect": "Allow",
                "Action": ["ec2:CreateTags"],
                "Resource": [CNI_CREATE_TAGS_RESOURCE.format(partition=partition)],
            },
        ],
    }


def irsa_trust_policy(oidc_provider_arn: str, oidc_issuer: str, namespace: str, service_account: str) -> dict[str, Any]:
    """Trust for one Kubernetes service account through the cluster's OIDC provider (IRSA)."""
    issuer = oidc_issuer.removeprefix("https://")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                        f"{issuer}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }


def service_trust_policy(service: str) -> dict[str, Any]:
    """Trust for an AWS service principal such as ``ec2.amazonaws.com``."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }


def node_role_policy_arns(partition: str = "aws") -> list[str]:
    """The node role holds only these (R7.9); the CNI's permissions live on aws-node's own role."""
    return [
        f"arn:{partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        f"arn:{partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    ]


def access_policy_arn(policy: str, partition: str = "aws") -> str:
    """``AmazonEKSClusterAdminPolicy`` -> its ARN; ARNs pass through."""
    if policy.startswith("arn:"):
        return policy
    return f"arn:{partition}:eks::aws:cluster-access-policy/{policy}"
