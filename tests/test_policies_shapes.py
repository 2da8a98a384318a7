"""The pack on resources shaped the way pulumi-eks, awsx and Helm register them - not ours."""

import json

from tests.policy_support import UNKNOWN_OBJECT, StackGraph, awsx_vpc, findings, pulumi_eks_cluster


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
    # As a preview reports it: the component's own registration carries no arguments, so the
    # children pulumi-eks creates are what the stack policies judge.
    graph = StackGraph()
    net = awsx_vpc(graph)
    eks = pulumi_eks_cluster(graph, [net["private_subnet"]])
    found = by_policy(
        graph,
        "cni-ipv6-iam",
        "cni-ipv6-iam-pulumi-eks",
        "eks-security-groups-ipv6",
        "api-endpoint-restricted",
        "control-plane-logging",
        "secrets-encryption",
    )
    # pulumi-eks#1522: the default instance role's AmazonEKS_CNI_Policy lacks ec2:AssignIpv6Addresses
    # (the cluster's own service role, with AmazonEKSClusterPolicy, is not a node role)
    assert [(lvl, res) for lvl, res, _ in found["cni-ipv6-iam"]] == [("mandatory", "eks-instanceRole-role")]
    assert "ec2:AssignIpv6Addresses" in found["cni-ipv6-iam"][0][2] and "Fix:" in found["cni-ipv6-iam"][0][2]
    assert found["cni-ipv6-iam-pulumi-eks"] == []  # no arguments to read
    # pulumi-eks#1700: the node security group's egress is 0.0.0.0/0 only
    assert [(lvl, res) for lvl, res, _ in found["eks-security-groups-ipv6"]] == [("advisory", "eks-eksNodeInternetEgressRule")]
    # pulumi-eks's own defaults: private endpoint off, no logs, no secrets key - on the cluster it creates
    assert ("advisory", "eks-eksCluster") in [(lvl, res) for lvl, res, _ in found["api-endpoint-restricted"]]
    assert ("advisory", "eks-eksCluster") in [(lvl, res) for lvl, res, _ in found["control-plane-logging"]]
    assert ("advisory", "eks-eksCluster") in [(lvl, res) for lvl, res, _ in found["secrets-encryption"]]
    assert eks["cluster"].parent == eks["component"].urn


def test_pulumi_eks_arguments_where_a_graph_carries_them():
    # Hand-built graphs and the offline plan register the component with its arguments.
    graph = StackGraph()
    net = awsx_vpc(graph)
    pulumi_eks_cluster(
        graph,
        [net["private_subnet"]],
        with_arguments=True,
        instanceType="m4.large",
        vpcCniOptions={"enablePrefixDelegation": False, "eniMtu": 1000},
        # explicit: an absent argument of a remote component is unknown, never its insecure default
        skipDefaultNodeGroup=False,
        skipDefaultSecurityGroups=False,
    )
    found = by_policy(
        graph,
        "cni-ipv6-iam-pulumi-eks",
        "eks-security-groups-ipv6-pulumi-eks",
        "ipv6-nitro-instances-pulumi-eks",
        "cni-ipv6-mode-pulumi-eks",
        "cni-mtu-range-pulumi-eks",
    )
    assert {p: [(lvl, res) for lvl, res, _ in f] for p, f in found.items()} == {
        "cni-ipv6-iam-pulumi-eks": [("mandatory", "eks")],
        "eks-security-groups-ipv6-pulumi-eks": [("advisory", "eks")],
        "ipv6-nitro-instances-pulumi-eks": [("mandatory", "eks")],
        "cni-ipv6-mode-pulumi-eks": [("mandatory", "eks")],
        "cni-mtu-range-pulumi-eks": [("mandatory", "eks")],
    }


def test_pulumi_eks_managed_node_group_with_a_cni_only_node_role():
    graph = StackGraph()
    net = awsx_vpc(graph)
    eks = pulumi_eks_cluster(graph, [net["private_subnet"]], skipDefaultNodeGroup=True)
    role = graph.add(
        "aws:iam/role:Role",
        "nodes",
        {"assumeRolePolicy": json.dumps({"Statement": [{"Principal": {"Service": "ec2.amazonaws.com"}}]})},
        outputs={"name": "nodes-1", "arn": "arn:aws:iam::123456789012:role/nodes-1"},
    )
    for policy in (
        "AmazonEKSWorkerNodePolicy",
        "AmazonEKS_CNI_Policy",
        "AmazonEC2ContainerRegistryReadOnly",
        "CloudWatchAgentServerPolicy",
    ):
        graph.add(
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            f"nodes-{policy}",
            {"role": "nodes-1", "policyArn": f"arn:aws:iam::aws:policy/{policy}"},
            deps={"role": [role]},
        )
    mng = graph.add("eks:index:ManagedNodeGroup", "workers", {}, deps={"cluster": [eks["component"]]})
    graph.add(
        "aws:eks/nodeGroup:NodeGroup",
        "workers",
        {"clusterName": "eks-eksCluster", "nodeRoleArn": role.outputs["arn"], "instanceTypes": ["m7i.large"]},
        parent=mng,
        deps={"clusterName": [eks["cluster"]], "nodeRoleArn": [role]},
    )
    assert [(f.level, f.resource) for f in findings("cni-ipv6-iam", graph)] == [("mandatory", "nodes")]


def test_self_managed_nodes_in_an_auto_scaling_group():
    graph = StackGraph()
    net = awsx_vpc(graph)
    eks = pulumi_eks_cluster(graph, [net["private_subnet"]])
    v6only = graph.add(
        "aws:ec2/subnet:Subnet", "v6only", {"ipv6Native": True, "ipv6CidrBlock": "2600:1f18:1:9::/64", "assignIpv6AddressOnCreation": True}
    )
    no_assign = graph.add(
        "aws:ec2/subnet:Subnet",
        "no-assign",
        {"cidrBlock": "10.0.250.0/24", "ipv6CidrBlock": "2600:1f18:1:a::/64", "assignIpv6AddressOnCreation": False},
    )
    template = graph.add(
        "aws:ec2/launchTemplate:LaunchTemplate", "eks-launchTemplate", {"instanceType": "m4.large"}, parent=eks["component"]
    )
    graph.add(
        "aws:autoscaling/group:Group",
        "eks",
        {
            "launchTemplate": {"id": template.id, "version": "$Latest"},
            "vpcZoneIdentifiers": [v6only.id, no_assign.id],
            "tags": [{"key": "kubernetes.io/cluster/eks-eksCluster", "value": "owned", "propagateAtLaunch": True}],
        },
        deps={"launchTemplate": [template], "vpcZoneIdentifiers": [v6only, no_assign]},
    )
    found = by_policy(graph, "ipv6-nitro-instances", "eks-subnets-not-ipv6-only", "ipv6-node-subnets-auto-assign")
    assert {p: [(lvl, res) for lvl, res, _ in f] for p, f in found.items()} == {
        "ipv6-nitro-instances": [("mandatory", "eks")],
        "eks-subnets-not-ipv6-only": [("mandatory", "v6only")],
        "ipv6-node-subnets-auto-assign": [("mandatory", "no-assign")],
    }


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


def _ipv6_cluster_with_provider():
    graph = StackGraph()
    net = awsx_vpc(graph)
    eks = pulumi_eks_cluster(graph, [net["private_subnet"]])
    provider = graph.add("pulumi:providers:kubernetes", "eks-k8s", {"kubeconfig": "{}"}, deps={"kubeconfig": [eks["component"]]})
    return graph, net, eks, provider


def test_helm_v4_charts_render_the_cni_and_the_controller_as_kubernetes_objects():
    graph, _, _, provider = _ipv6_cluster_with_provider()
    cni = graph.add("kubernetes:helm.sh/v4:Chart", "cni", {"chart": "aws-vpc-cni"}, provider=provider)
    graph.add(
        "kubernetes:apps/v1:DaemonSet",
        "kube-system/aws-node",
        {
            "metadata": {"name": "aws-node", "namespace": "kube-system"},
            "spec": {
                "template": {
                    "spec": {
                        "initContainers": [{"name": "aws-vpc-cni-init", "env": [{"name": "ENABLE_IPv6", "value": "false"}]}],
                        "containers": [
                            {
                                "name": "aws-node",
                                "env": [
                                    {"name": "ENABLE_IPv4", "value": "true"},
                                    {"name": "ENABLE_IPv6", "value": "false"},
                                    {"name": "ENABLE_PREFIX_DELEGATION", "value": "false"},
                                ],
                            }
                        ],
                    }
                }
            },
        },
        parent=cni,
    )
    lbc = graph.add("kubernetes:helm.sh/v4:Chart", "lbc", {"chart": "aws-load-balancer-controller"}, provider=provider)
    graph.add(
        "kubernetes:apps/v1:Deployment",
        "kube-system/aws-load-balancer-controller",
        {
            "metadata": {"name": "aws-load-balancer-controller"},
            "spec": {
                "template": {
                    "spec": {"containers": [{"name": "controller", "args": ["--cluster-name=eks", "--default-target-type=instance"]}]}
                }
            },
        },
        parent=lbc,
    )
    graph.add(
        "kubernetes:core/v1:Service",
        "web",
        {
            "metadata": {"annotations": {"service.beta.kubernetes.io/aws-load-balancer-ip-address-type": "dualstack"}},
            "spec": {"type": "LoadBalancer"},
        },
        provider=provider,
    )
    found = by_policy(graph, "cni-ipv6-mode", "ip-targets-on-ipv6")
    assert {res for _, res, _ in found["cni-ipv6-mode"]} == {"kube-system/aws-node"} and len(found["cni-ipv6-mode"]) == 5
    assert [(lvl, res) for lvl, res, _ in found["ip-targets-on-ipv6"]] == [("mandatory", "web")]


def test_values_not_known_at_preview_are_never_violations():
    graph, _, _, provider = _ipv6_cluster_with_provider()
    graph.add("kubernetes:helm.sh/v3:Release", "cni", {"chart": "aws-vpc-cni", "values": UNKNOWN_OBJECT}, provider=provider)
    graph.add(
        "kubernetes:helm.sh/v3:Release",
        "cni-env",
        {"chart": "aws-vpc-cni", "values": {"env": UNKNOWN_OBJECT, "init": {"env": {"ENABLE_IPv6": "true"}}}},
        provider=provider,
    )
    graph.add(
        "kubernetes:core/v1:Service",
        "web",
        {"metadata": {"annotations": UNKNOWN_OBJECT}, "spec": {"type": "LoadBalancer"}},
        provider=provider,
    )
    graph.add(
        "kubernetes:networking.k8s.io/v1:Ingress",
        "site",
        {"metadata": UNKNOWN_OBJECT, "spec": {"ingressClassName": "alb"}},
        provider=provider,
    )
    assert by_policy(graph, "cni-ipv6-mode", "nlb-dualstack-on-ipv6", "alb-dualstack-on-ipv6", "ip-targets-on-ipv6") == {
        "cni-ipv6-mode": [],
        "nlb-dualstack-on-ipv6": [],
        "alb-dualstack-on-ipv6": [],
        "ip-targets-on-ipv6": [],
    }


def test_ingress_classes_decide_what_an_alb_ingress_gets():
    graph, _, _, provider = _ipv6_cluster_with_provider()
    graph.add(
        "kubernetes:helm.sh/v3:Release",
        "lbc",
        {
            "chart": "aws-load-balancer-controller",
            "values": {"defaultTargetType": "ip", "ingressClassParams": {"spec": {"ipAddressType": "dualstack"}}},
        },
        provider=provider,
    )
    graph.add(
        "kubernetes:networking.k8s.io/v1:Ingress",
        "via-chart",
        {"metadata": {"annotations": {}}, "spec": {"ingressClassName": "alb"}},
        provider=provider,
    )
    graph.add(
        "kubernetes:networking.k8s.io/v1:IngressClass",
        "internal",
        {
            "metadata": {"name": "internal", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
            "spec": {"controller": "ingress.k8s.aws/alb", "parameters": {"name": "v4"}},
        },
        provider=provider,
    )
    graph.add(
        "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams",
        "v4",
        {"metadata": {"name": "v4"}, "spec": {"ipAddressType": "ipv4"}},
        provider=provider,
    )
    graph.add(
        "kubernetes:networking.k8s.io/v1:Ingress",
        "forced-v4",
        {"metadata": {"annotations": {"alb.ingress.kubernetes.io/ip-address-type": "dualstack"}}, "spec": {"ingressClassName": "internal"}},
        provider=provider,
    )
    graph.add("kubernetes:networking.k8s.io/v1:Ingress", "class-less", {"metadata": {"annotations": {}}, "spec": {}}, provider=provider)
    found = findings("alb-dualstack-on-ipv6", graph)
    assert sorted(f.resource for f in found) == ["class-less", "forced-v4"]  # the default class is "internal", whose params force ipv4
    assert all("IngressClassParams force ip-address-type ipv4" in f.message for f in found)


def test_services_of_other_controllers_and_controller_defaults():
    graph, _, _, provider = _ipv6_cluster_with_provider()
    graph.add(
        "kubernetes:core/v1:Service",
        "tailnet",
        {"metadata": {"annotations": {}}, "spec": {"type": "LoadBalancer", "loadBalancerClass": "tailscale"}},
        provider=provider,
    )
    graph.add(
        "kubernetes:core/v1:Service",
        "opted-in",
        {
            "metadata": {"annotations": {"service.beta.kubernetes.io/aws-load-balancer-ip-address-type": "dualstack"}},
            "spec": {"type": "LoadBalancer", "loadBalancerClass": "service.k8s.aws/nlb"},
        },
        provider=provider,
    )
    assert findings("nlb-dualstack-on-ipv6", graph) == []
    assert [(f.resource, "instance (the controller's default)" in f.message) for f in findings("ip-targets-on-ipv6", graph)] == [
        ("opted-in", True)
    ]


def test_role_tagged_subnets_of_other_vpcs_or_clusters_are_not_load_balancer_subnets():
    graph, net, _, provider = _ipv6_cluster_with_provider()
    other_vpc = graph.add("aws:ec2/vpc:Vpc", "legacy", {"cidrBlock": "10.9.0.0/16"})
    graph.add(
        "aws:ec2/subnet:Subnet",
        "legacy-public",
        {"vpcId": other_vpc.id, "cidrBlock": "10.9.0.0/24", "tags": {"kubernetes.io/role/elb": "1"}},
        deps={"vpcId": [other_vpc]},
    )
    graph.add(
        "aws:ec2/subnet:Subnet",
        "other-cluster",
        {
            "vpcId": net["vpc"].id,
            "cidrBlock": "10.0.240.0/24",
            "tags": {"kubernetes.io/role/elb": "1", "kubernetes.io/cluster/other": "owned"},
        },
        deps={"vpcId": [net["vpc"]]},
    )
    graph.add(
        "kubernetes:core/v1:Service",
        "web",
        {
            "metadata": {
                "annotations": {
                    "service.beta.kubernetes.io/aws-load-balancer-ip-address-type": "dualstack",
                    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
                }
            },
            "spec": {"type": "LoadBalancer"},
        },
        provider=provider,
    )
    assert findings("dualstack-lb-subnets-ipv6", graph) == []
    graph.add("aws:ec2/subnet:Subnet", "pinned", {"vpcId": net["vpc"].id, "cidrBlock": "10.0.241.0/24", "tags": {"Name": "edge-a"}})
    graph.add(
        "kubernetes:core/v1:Service",
        "edge",
        {
            "metadata": {
                "annotations": {
                    "service.beta.kubernetes.io/aws-load-balancer-ip-address-type": "dualstack",
                    "service.beta.kubernetes.io/aws-load-balancer-subnets": "edge-a",
                }
            },
            "spec": {"type": "LoadBalancer"},
        },
        provider=provider,
    )
    assert [(f.level, f.resource) for f in findings("dualstack-lb-subnets-ipv6", graph)] == [("mandatory", "pinned")]


def test_iam_relations_the_graph_cannot_settle_are_not_violations():
    graph, _, eks, _ = _ipv6_cluster_with_provider()
    # aws-node's IRSA role lives in another stack: nothing to conclude about the node role
    graph.add(
        "aws:eks/addon:Addon",
        "vpc-cni",
        {"addonName": "vpc-cni", "clusterName": "eks-eksCluster", "serviceAccountRoleArn": "arn:aws:iam::123456789012:role/elsewhere"},
        deps={"clusterName": [eks["cluster"]]},
    )
    assert findings("cni-ipv6-iam", graph) == []


def test_policies_attached_through_policy_attachment_count():
    graph, _, eks, _ = _ipv6_cluster_with_provider()
    policy = graph.add(
        "aws:iam/policy:Policy",
        "cni",
        {
            "policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Resource": "*",
                            "Action": [
                                "ec2:AssignIpv6Addresses",
                                "ec2:DescribeInstances",
                                "ec2:DescribeTags",
                                "ec2:DescribeNetworkInterfaces",
                                "ec2:DescribeInstanceTypes",
                            ],
                        },
                        {"Effect": "Allow", "Resource": "arn:aws:ec2:*:*:network-interface/*", "Action": "ec2:CreateTags"},
                    ]
                }
            )
        },
        outputs={"arn": "arn:aws:iam::123456789012:policy/cni"},
    )
    graph.add(
        "aws:iam/policyAttachment:PolicyAttachment",
        "cni",
        {"roles": [eks["role"].outputs["name"]], "policyArn": policy.outputs["arn"]},
        deps={"roles": [eks["role"]], "policyArn": [policy]},
    )
    assert findings("cni-ipv6-iam", graph) == []


def test_yaml_addon_configuration_and_fargate_and_secondary_ipv6_blocks():
    graph, net, eks, _ = _ipv6_cluster_with_provider()
    graph.add(
        "aws:eks/addon:Addon",
        "vpc-cni",
        {"addonName": "vpc-cni", "clusterName": "eks-eksCluster", "configurationValues": "env:\n  ENABLE_PREFIX_DELEGATION: 'false'\n"},
        deps={"clusterName": [eks["cluster"]]},
    )
    assert [(f.level, f.resource) for f in findings("cni-ipv6-mode", graph)] == [("mandatory", "vpc-cni")]
    v4 = graph.add("aws:ec2/subnet:Subnet", "fargate-v4", {"cidrBlock": "10.0.230.0/24"})
    graph.add(
        "aws:eks/fargateProfile:FargateProfile",
        "fp",
        {"clusterName": "eks-eksCluster", "subnetIds": [v4.id]},
        deps={"clusterName": [eks["cluster"]], "subnetIds": [v4]},
    )
    assert [(f.level, f.resource) for f in findings("ipv6-cluster-dual-stack-subnets", graph)] == [("mandatory", "fargate-v4")]
    second = graph.add(
        "aws:ec2/vpcIpv6CidrBlockAssociation:VpcIpv6CidrBlockAssociation",
        "second",
        {"vpcId": net["vpc"].id, "ipv6CidrBlock": "2600:1f18:2:200::/56"},
        deps={"vpcId": [net["vpc"]]},
    )
    graph.add(
        "aws:ec2/subnet:Subnet",
        "in-second",
        {"vpcId": net["vpc"].id, "cidrBlock": "10.0.231.0/24", "ipv6CidrBlock": "2600:1f18:2:201::/64"},
        deps={"vpcId": [net["vpc"]], "ipv6CidrBlock": [second]},
    )
    assert findings("subnet-ipv6-overlap", graph) == []


def helm_installed_controller(graph, values, role_policy=None):
    """The controller the way the EKS user guide installs it with Helm: values by hand, an IRSA role made elsewhere or here."""
    net = awsx_vpc(graph)
    eks = pulumi_eks_cluster(graph, [net["private_subnet"]])
    provider = graph.add("pulumi:providers:kubernetes", "eks-k8s", {"kubeconfig": "{}"}, deps={"kubeconfig": [eks["component"]]})
    role = graph.add(
        "aws:iam/role:Role",
        "lbc-role",
        {"assumeRolePolicy": "{}"},
        outputs={"name": "lbc-role", "arn": "arn:aws:iam::123456789012:role/lbc-role"},
    )
    if role_policy is not None:
        policy = graph.add(
            "aws:iam/policy:Policy",
            "lbc-policy",
            {"policy": json.dumps(role_policy)},
            outputs={"arn": "arn:aws:iam::123456789012:policy/lbc"},
        )
        graph.add(
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "lbc-attach",
            {"role": "lbc-role", "policyArn": "arn:aws:iam::123456789012:policy/lbc"},
            deps={"role": [role], "policyArn": [policy]},
        )
    return graph.add(
        "kubernetes:helm.sh/v3:Release",
        "aws-load-balancer-controller",
        {"chart": "eks/aws-load-balancer-controller", "namespace": "kube-system", "values": values},
        provider=provider,
        deps={"values": [role]},
    )


def test_a_controller_installed_as_the_user_guide_shows_is_told_what_imds_would_have_said():
    from policies.guardrails.lbc_policy import lb_controller_policy_document

    graph = StackGraph()
    helm_installed_controller(
        graph,
        {
            "clusterName": "eks",
            "serviceAccount": {"create": False, "name": "aws-load-balancer-controller"},
        },
    )
    found = by_policy(graph, "lbc-region-and-vpc", "lbc-iam-policy", "lbc-service-mutator-webhook")
    assert [m.split(": ", 1)[1].split(",")[0] for _, _, m in found["lbc-region-and-vpc"]] == [
        "has no region",
        "has neither vpcId nor vpcTags",
    ]
    # no role annotation and no Pod Identity association: the node's credentials, which IMDS hop limit 1 keeps away
    assert [(lvl, res) for lvl, res, _ in found["lbc-iam-policy"]] == [("mandatory", "aws-load-balancer-controller")]
    assert found["lbc-service-mutator-webhook"] == []

    clean = StackGraph()
    helm_installed_controller(
        clean,
        {
            "clusterName": "eks",
            "region": "us-east-2",
            "vpcId": "vpc-1",
            "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/lbc-role"}},
        },
        role_policy=lb_controller_policy_document(),
    )
    assert by_policy(clean, "lbc-region-and-vpc", "lbc-iam-policy", "lbc-service-mutator-webhook") == {
        "lbc-region-and-vpc": [],
        "lbc-iam-policy": [],
        "lbc-service-mutator-webhook": [],
    }


def test_a_controller_role_with_an_outdated_policy_and_one_through_pod_identity():
    from policies.guardrails.lbc_policy import lb_controller_policy_document

    outdated = lb_controller_policy_document()
    outdated["Statement"] = [s for s in outdated["Statement"] if "elasticloadbalancing:SetIpAddressType" not in s["Action"]]
    graph = StackGraph()
    helm_installed_controller(
        graph,
        {
            "clusterName": "eks",
            "region": "us-east-2",
            "vpcId": "vpc-1",
            "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/lbc-role"}},
        },
        role_policy=outdated,
    )
    (finding,) = by_policy(graph, "lbc-iam-policy")["lbc-iam-policy"]
    assert finding[1] == "lbc-role" and "elasticloadbalancing:SetIpAddressType" in finding[2]
    # Pod Identity instead of IRSA: the association's role is the controller's
    pod_identity = StackGraph()
    helm_installed_controller(pod_identity, {"clusterName": "eks", "region": "us-east-2", "vpcId": "vpc-1"}, role_policy=outdated)
    role = pod_identity.named("lbc-role")
    pod_identity.add(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        "lbc-identity",
        {
            "clusterName": "eks",
            "namespace": "kube-system",
            "serviceAccount": "aws-load-balancer-controller",
            "roleArn": role.outputs["arn"],
        },
        deps={"roleArn": [role]},
    )
    assert [res for _, res, _ in by_policy(pod_identity, "lbc-iam-policy")["lbc-iam-policy"]] == ["lbc-role"]
