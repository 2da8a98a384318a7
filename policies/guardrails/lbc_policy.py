"""The AWS Load Balancer Controller's IAM policy - plain data, no Pulumi (R4.10).

The controller's published policy for the version the chart pins (kubernetes-sigs/
aws-load-balancer-controller ``docs/install/iam_policy.json`` at tag v3.5.0: 16 statements, 80
distinct actions), written here as data so a review reads every grant and a test compares it,
statement by statement, with the published file. Mutating actions are limited, as upstream
limits them, to resources the controller tagged ``elbv2.k8s.aws/cluster``.

It lives beside the policy pack's other facts: LbController grants it, and the pack checks that
the controller's role allows every action in it.
"""

from __future__ import annotations

import copy
from typing import Any

LB_CONTROLLER_POLICY_VERSION = "v3.5.0"  # the controller version this policy is published for

_STATEMENTS: list[dict[str, Any]] = [
    {
        "Effect": "Allow",
        "Action": ["iam:CreateServiceLinkedRole"],
        "Resource": "*",
        "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
    },
    {
        "Effect": "Allow",
        "Action": [
            "ec2:DescribeAccountAttributes",
            "ec2:DescribeAddresses",
            "ec2:DescribeAvailabilityZones",
            "ec2:DescribeInternetGateways",
            "ec2:DescribeVpcs",
            "ec2:DescribeVpcPeeringConnections",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeInstances",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeTags",
            "ec2:GetCoipPoolUsage",
            "ec2:DescribeCoipPools",
            "ec2:GetSecurityGroupsForVpc",
            "ec2:DescribeIpamPools",
            "ec2:DescribeRouteTables",
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeListenerCertificates",
            "elasticloadbalancing:DescribeSSLPolicies",
            "elasticloadbalancing:DescribeRules",
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:DescribeTargetHealth",
            "elasticloadbalancing:DescribeTags",
            "elasticloadbalancing:DescribeTrustStores",
            "elasticloadbalancing:DescribeListenerAttributes",
            "elasticloadbalancing:DescribeCapacityReservation",
        ],
        "Resource": "*",
    },
    {
        "Effect": "Allow",
        "Action": [
            "cognito-idp:DescribeUserPoolClient",
            "acm:ListCertificates",
            "acm:DescribeCertificate",
            "iam:ListServerCertificates",
            "iam:GetServerCertificate",
            "waf-regional:GetWebACL",
            "waf-regional:GetWebACLForResource",
            "waf-regional:AssociateWebACL",
            "waf-regional:DisassociateWebACL",
            "wafv2:GetWebACL",
            "wafv2:GetWebACLForResource",
            "wafv2:AssociateWebACL",
            "wafv2:DisassociateWebACL",
            "shield:GetSubscriptionState",
            "shield:DescribeProtection",
            "shield:CreateProtection",
            "shield:DeleteProtection",
        ],
        "Resource": "*",
    },
    {"Effect": "Allow", "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["ec2:CreateSecurityGroup"], "Resource": "*"},
    {
        "Effect": "Allow",
        "Action": ["ec2:CreateTags"],
        "Resource": "arn:{partition}:ec2:*:*:security-group/*",
        "Condition": {
            "StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"},
            "Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"},
        },
    },
    {
        "Effect": "Allow",
        "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
        "Resource": "arn:{partition}:ec2:*:*:security-group/*",
        "Condition": {"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}},
    },
    {
        "Effect": "Allow",
        "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
        "Resource": "*",
        "Condition": {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}},
    },
    {
        "Effect": "Allow",
        "Action": ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
        "Resource": "*",
        "Condition": {"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"}},
    },
    {
        "Effect": "Allow",
        "Action": [
            "elasticloadbalancing:CreateListener",
            "elasticloadbalancing:DeleteListener",
            "elasticloadbalancing:CreateRule",
            "elasticloadbalancing:DeleteRule",
        ],
        "Resource": "*",
    },
    {
        "Effect": "Allow",
        "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
        "Resource": [
            "arn:{partition}:elasticloadbalancing:*:*:targetgroup/*/*",
            "arn:{partition}:elasticloadbalancing:*:*:loadbalancer/net/*/*",
            "arn:{partition}:elasticloadbalancing:*:*:loadbalancer/app/*/*",
        ],
        "Condition": {"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}},
    },
    {
        "Effect": "Allow",
        "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
        "Resource": [
            "arn:{partition}:elasticloadbalancing:*:*:listener/net/*/*/*",
            "arn:{partition}:elasticloadbalancing:*:*:listener/app/*/*/*",
            "arn:{partition}:elasticloadbalancing:*:*:listener-rule/net/*/*/*",
            "arn:{partition}:elasticloadbalancing:*:*:listener-rule/app/*/*/*",
        ],
    },
    {
        "Effect": "Allow",
        "Action": [
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
            "elasticloadbalancing:SetIpAddressType",
            "elasticloadbalancing:SetSecurityGroups",
            "elasticloadbalancing:SetSubnets",
            "elasticloadbalancing:DeleteLoadBalancer",
            "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes",
            "elasticloadbalancing:DeleteTargetGroup",
            "elasticloadbalancing:ModifyListenerAttributes",
            "elasticloadbalancing:ModifyCapacityReservation",
            "elasticloadbalancing:ModifyIpPools",
        ],
        "Resource": "*",
        "Condition": {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}},
    },
    {
        "Effect": "Allow",
        "Action": ["elasticloadbalancing:AddTags"],
        "Resource": [
            "arn:{partition}:elasticloadbalancing:*:*:targetgroup/*/*",
            "arn:{partition}:elasticloadbalancing:*:*:loadbalancer/net/*/*",
            "arn:{partition}:elasticloadbalancing:*:*:loadbalancer/app/*/*",
        ],
        "Condition": {
            "StringEquals": {"elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"]},
            "Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"},
        },
    },
    {
        "Effect": "Allow",
        "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
        "Resource": "arn:{partition}:elasticloadbalancing:*:*:targetgroup/*/*",
    },
    {
        "Effect": "Allow",
        "Action": [
            "elasticloadbalancing:SetWebAcl",
            "elasticloadbalancing:ModifyListener",
            "elasticloadbalancing:AddListenerCertificates",
            "elasticloadbalancing:RemoveListenerCertificates",
            "elasticloadbalancing:ModifyRule",
            "elasticloadbalancing:SetRulePriorities",
        ],
        "Resource": "*",
    },
]


def lb_controller_actions() -> list[str]:
    """Every distinct action the controller needs, in the published policy's order."""
    seen: dict[str, None] = {}
    for statement in _STATEMENTS:
        for action in statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]:
            seen.setdefault(action, None)
    return list(seen)


def lb_controller_policy_document(partition: str = "aws") -> dict[str, Any]:
    """The controller's policy with ARNs in ``partition``."""
    return {"Version": "2012-10-17", "Statement": _in_partition(copy.deepcopy(_STATEMENTS), partition)}


def _in_partition(value: Any, partition: str) -> Any:
    if isinstance(value, str):
        return value.replace("{partition}", partition)
    if isinstance(value, list):
        return [_in_partition(v, partition) for v in value]
    if isinstance(value, dict):
        return {k: _in_partition(v, partition) for k, v in value.items()}
    return value
