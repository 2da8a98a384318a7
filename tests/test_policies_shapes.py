"""The pack on resources shaped the way pulumi-eks, awsx and Helm register them - not ours."""

import json

from tests.policy_support import StackGraph, awsx_vpc, findings, pulumi_eks_cluster


def by_policy(graph, *policies, config=None):
    return {p: [(f.level, f.resource, f.message) for f in findings(p, graph, config)] for p in policies}


def test_awsx_vpc_ipv6_has_no_ipv6_routes():
    graph = StackGraph()
    net = awsx_vpc(graph)
    found = by_policy(graph, "private-subnet-ipv6-egress", "public-subnet-ipv6-default")
    assert [(level, resource) for level, resource, _ in found["private-subnet-ipv6-egress"]] == [("advisory", "net-private-1")]
    assert "no ::/0 route" in found["private-subnet-ipv6-egress"][0][2]
    assert [(level, resource) for level, resource, _ in found["public-subnet-ipv6-default"]] == [("advisory", "net-public-1")]
    # adding the egress-only gateway and the ::/0 routes awsx lacks (pulumi-awsx#2143) settles both
    eigw = graph.add(
        "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway", "eigw", {"vpcId": net["vpc"].id}, deps={"vpcId": [net["vpc"]]}
    )
    graph.add(
        "aws:ec2/route:Route",
        "private-v6",
        {"routeTableId": net["private_table"].id, "destinationIpv6CidrBlock": "::/0", "egressOnlyGatewayId": eigw.id},
        deps={"routeTableId": [net["private_table"]], "egressOnlyGatewayId": [eigw]},
    )
    graph.add(
        "aws:ec2/route:Route",
        "public-v6",
        {"routeTableId": net["public_table"].id, "destinationIpv6CidrBlock": "::/0", "gatewayId": net["igw"].id},
        deps={"routeTableId": [net["public_table"]], "gatewayId": [net["igw"]]},
    )
    assert by_policy(graph, "private-subnet-ipv6-egress", "public-subnet-ipv6-default") == {
        "private-subnet-ipv6-egress": [],
        "public-subnet-ipv6-default": [],
    }


def test_pulumi_eks_defaults_on_ipv6_are_refused_where_they_break():
    graph = StackGraph()
    net = awsx_vpc(graph)
    eks = pulumi_eks_cluster(graph, [net["private_subnet"]])
    found = by_policy(
        graph,
        "cni-ipv6-iam",
        "cni-ipv6-iam-pulumi-eks",
        "eks-security-groups-ipv6",
        "eks-security-groups-ipv6-pulumi-eks",
        "api-endpoint-restricted",
        "control-plane-logging",
        "secrets-encryption",
    )
    # pulumi-eks#1522: the default instance role's AmazonEKS_CNI_Policy lacks ec2:AssignIpv6Addresses
    assert [(lvl, res) for lvl, res, _ in found["cni-ipv6-iam"]] == [("mandatory", "eks-instanceRole-role")]
    assert "ec2:AssignIpv6Addresses" in found["cni-ipv6-iam"][0][2] and "Fix:" in found["cni-ipv6-iam"][0][2]
    assert [(lvl, res) for lvl, res, _ in found["cni-ipv6-iam-pulumi-eks"]] == [("mandatory", "eks")]
    # pulumi-eks#1700: the node security group's egress is 0.0.0.0/0 only
    assert [(lvl, res) for lvl, res, _ in found["eks-security-groups-ipv6"]] == [("advisory", "eks-eksNodeInternetEgressRule")]
    assert [(lvl, res) for lvl, res, _ in found["eks-security-groups-ipv6-pulumi-eks"]] == [("advisory", "eks")]
    # pulumi-eks's own defaults: private endpoint off, no logs, no secrets key - on the cluster it creates
    assert ("advisory", "eks-eksCluster") in [(lvl, res) for lvl, res, _ in found["api-endpoint-restricted"]]
    assert ("advisory", "eks-eksCluster") in [(lvl, res) for lvl, res, _ in found["control-plane-logging"]]
    assert ("advisory", "eks-eksCluster") in [(lvl, res) for lvl, res, _ in found["secrets-encryption"]]
    assert eks["cluster"].parent == eks["component"].urn


def test_pulumi_eks_fixed_the_way_ipv6_eks_does_it_passes():
    graph = StackGraph()
    net = awsx_vpc(graph)
    eks = pulumi_eks_cluster(graph, [net["private_subnet"]], skipDefaultNodeGroup=True, skipDefaultSecurityGroups=True)
    cni_role = graph.add(
        "aws:iam/role:Role",
        "aws-node",
        {"assumeRolePolicy": "{}"},
        outputs={"name": "aws-node-1", "arn": "arn:aws:iam::123456789012:role/aws-node-1"},
    )
    policy = graph.add(
        "aws:iam/policy:Policy",
        "cni-ipv6",
        {
            "policy": json.dumps(
                {
                    "Statement": [
                        {"Effect": "Allow", "Resource": "*", "Action": ["ec2:AssignIpv6Addresses", "ec2:Describe*"]},
                        {"Effect": "Allow", "Resource": "arn:aws:ec2:*:*:network-interface/*", "Action": "ec2:CreateTags"},
                    ]
                }
            )
        },
        outputs={"arn": "arn:aws:iam::123456789012:policy/cni-ipv6-1"},
    )
    graph.add(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "cni-ipv6",
        {"role": "aws-node-1", "policyArn": policy.outputs["arn"]},
        deps={"role": [cni_role], "policyArn": [policy]},
    )
    graph.add(
        "aws:eks/addon:Addon",
        "vpc-cni",
        {"addonName": "vpc-cni", "clusterName": "eks-eksCluster", "serviceAccountRoleArn": cni_role.outputs["arn"]},
        deps={"clusterName": [eks["cluster"]], "serviceAccountRoleArn": [cni_role]},
    )
    assert findings("cni-ipv6-iam", graph) == [] and findings("cni-ipv6-iam-pulumi-eks", graph) == []
    assert findings("cni-ipv6-iam-upstream", graph) == []  # ec2:Describe* covers DescribeSubnets and DescribeSecurityGroups


def test_literal_ids_relate_resources_when_a_graph_has_no_property_dependencies():
    graph = StackGraph()
    graph.add(
        "aws:eks/cluster:Cluster",
        "c",
        {"name": "c", "kubernetesNetworkConfig": {"ipFamily": "ipv6"}, "vpcConfig": {"subnetIds": ["subnet-1"]}},
    )
    graph.add("aws:ec2/subnet:Subnet", "s", {"cidrBlock": "10.0.0.0/24", "assignIpv6AddressOnCreation": False}, outputs={"id": "subnet-1"})
    graph.add("aws:iam/role:Role", "nodes", {}, outputs={"name": "nodes-1", "arn": "arn:aws:iam::123456789012:role/nodes-1"})
    graph.add(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "cni",
        {"role": "nodes-1", "policyArn": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"},
    )
    graph.add(
        "aws:eks/nodeGroup:NodeGroup",
        "ng",
        {
            "clusterName": "c",
            "nodeRoleArn": "arn:aws:iam::123456789012:role/nodes-1",
            "subnetIds": ["subnet-1"],
            "instanceTypes": ["m4.xlarge"],
            "amiType": "WINDOWS_CORE_2019_x86_64",
        },
    )
    found = by_policy(
        graph,
        "ipv6-cluster-dual-stack-subnets",
        "ipv6-node-subnets-auto-assign",
        "cni-ipv6-iam",
        "ipv6-nitro-instances",
        "ipv6-unsupported-features",
    )
    assert {p: [(lvl, res) for lvl, res, _ in f] for p, f in found.items()} == {
        "ipv6-cluster-dual-stack-subnets": [("mandatory", "s")],
        "ipv6-node-subnets-auto-assign": [("mandatory", "s")],
        "cni-ipv6-iam": [("mandatory", "nodes")],
        "ipv6-nitro-instances": [("mandatory", "ng")],
        "ipv6-unsupported-features": [("mandatory", "ng")],
    }


def test_pulumi_eks_managed_node_group_and_cni_addon_children():
    graph = StackGraph()
    net = awsx_vpc(graph)
    eks = pulumi_eks_cluster(graph, [net["private_subnet"]], skipDefaultNodeGroup=True)
    mng = graph.add("eks:index:ManagedNodeGroup", "workers", {"instanceTypes": ["t2.large"]}, deps={"cluster": [eks["component"]]})
    graph.add(
        "aws:eks/nodeGroup:NodeGroup",
        "workers",
        {"clusterName": "eks-eksCluster", "instanceTypes": ["t2.large"], "subnetIds": [net["private_subnet"].id]},
        parent=mng,
        deps={"clusterName": [eks["cluster"]], "subnetIds": [net["private_subnet"]]},
    )
    addon_component = graph.add("eks:index:VpcCniAddon", "eks-vpc-cni", {}, parent=eks["component"])
    pulumi_eks_env = {"AWS_VPC_ENI_MTU": "9001", "ENABLE_POD_ENI": "false", "WARM_ENI_TARGET": "1", "ENABLE_PREFIX_DELEGATION": "false"}
    graph.add(
        "aws:eks/addon:Addon",
        "eks-vpc-cni",
        {
            "addonName": "vpc-cni",
            "clusterName": "eks-eksCluster",
            "configurationValues": json.dumps({"env": pulumi_eks_env, "init": {"env": {"DISABLE_TCP_EARLY_DEMUX": "false"}}}),
        },
        parent=addon_component,
        deps={"clusterName": [eks["cluster"]]},
    )
    found = by_policy(graph, "ipv6-nitro-instances", "cni-ipv6-mode", "cni-mtu-range")
    assert ("mandatory", "workers") in [(lvl, res) for lvl, res, _ in found["ipv6-nitro-instances"]]
    assert [(lvl, res) for lvl, res, _ in found["cni-ipv6-mode"]] == [("mandatory", "eks-vpc-cni")]
    assert found["cni-mtu-range"] == []


def test_helm_releases_and_chart_objects_on_an_ipv6_cluster():
    graph = StackGraph()
    net = awsx_vpc(graph)
    eks = pulumi_eks_cluster(graph, [net["private_subnet"]])
    provider = graph.add("pulumi:providers:kubernetes", "eks-k8s", {"kubeconfig": "{}"}, deps={"kubeconfig": [eks["component"]]})
    graph.add(
        "kubernetes:helm.sh/v3:Release",
        "lbc",
        {"chart": "aws-load-balancer-controller", "values": {"clusterName": "eks", "defaultTargetType": "instance"}},
        provider=provider,
    )
    graph.add(
        "kubernetes:helm.sh/v3:Release",
        "cni",
        {"chart": "eks/aws-vpc-cni", "values": {"env": {"ENABLE_IPv4": "true", "ENABLE_IPv6": "false"}}},
        provider=provider,
    )
    chart = graph.add("kubernetes:helm.sh/v4:Chart", "gateway", {"chart": "gateway"}, provider=provider)
    graph.add(
        "kubernetes:core/v1:Service",
        "gateway/istio-ingress",
        {"metadata": {"name": "istio-ingress", "annotations": {}}, "spec": {"type": "LoadBalancer"}},
        parent=chart,
    )
    found = by_policy(graph, "ip-targets-on-ipv6", "cni-ipv6-mode", "nlb-dualstack-on-ipv6")
    assert ("mandatory", "lbc") in [(lvl, res) for lvl, res, _ in found["ip-targets-on-ipv6"]]
    assert ("mandatory", "gateway/istio-ingress") in [(lvl, res) for lvl, res, _ in found["ip-targets-on-ipv6"]]
    assert {res for _, res, _ in found["cni-ipv6-mode"]} == {"cni"}
    assert len(found["cni-ipv6-mode"]) == 4  # ENABLE_IPv4 true; ENABLE_IPv6, init ENABLE_IPv6, prefix delegation not on
    assert [(lvl, res) for lvl, res, _ in found["nlb-dualstack-on-ipv6"]] == [("mandatory", "gateway/istio-ingress")]


def test_native_dualstack_load_balancer_needs_ipv6_subnets():
    graph = StackGraph()
    net = awsx_vpc(graph)
    v4 = graph.add("aws:ec2/subnet:Subnet", "v4-only", {"cidrBlock": "10.0.200.0/24"})
    graph.add(
        "aws:lb/loadBalancer:LoadBalancer",
        "nlb",
        {"loadBalancerType": "network", "ipAddressType": "dualstack", "subnets": [net["public_subnet"].id, v4.id]},
        deps={"subnets": [net["public_subnet"], v4]},
    )
    assert [(f.level, f.resource) for f in findings("dualstack-lb-subnets-ipv6", graph)] == [("mandatory", "v4-only")]
