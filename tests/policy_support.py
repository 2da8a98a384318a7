"""Building resource graphs for policy tests, and running one policy over them in-process.

``StackGraph`` builds hand-made resources the way the engine would report them: inputs, outputs
(inputs plus what the provider computed), parents, providers and property dependencies.
``shaped`` returns graphs in the shapes pulumi-eks, awsx and Helm register.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE

from offline.harness import Evaluation
from offline.mocks import RecordedResource
from offline.policy_run import Finding, run_policies

UNKNOWN_STRING = UNKNOWN_STRING_VALUE
UNKNOWN_BOOL = UNKNOWN_BOOLEAN_VALUE
UNKNOWN_OBJECT = UNKNOWN_OBJECT_VALUE


class StackGraph:
    """A stack's resources, added one by one."""

    def __init__(self, resources: list[RecordedResource] | None = None) -> None:
        self.resources = resources or []

    def add(
        self,
        typ: str,
        name: str,
        props: dict[str, Any] | None = None,
        *,
        parent: RecordedResource | None = None,
        provider: RecordedResource | None = None,
        deps: dict[str, list[RecordedResource]] | None = None,
        outputs: dict[str, Any] | None = None,
        protect: bool = False,
        resource_id: str | None = None,
    ) -> RecordedResource:
        props = props or {}
        chain = parent.urn.split("::")[2] + "$" if parent else ""
        urn = f"urn:pulumi:test::proj::{chain}{typ}::{name}"
        property_dependencies = {k: [d.urn for d in v] for k, v in (deps or {}).items()}
        resource = RecordedResource(
            urn=urn,
            type=typ,
            name=name,
            id=resource_id or f"{name}-id",
            custom=not typ.startswith(("eks:index:", "ipv6-eks:")),
            parent=parent.urn if parent else "",
            provider=f"{provider.urn}::{provider.id}" if provider else "",
            protect=protect,
            dependencies=sorted({u for v in property_dependencies.values() for u in v}),
            property_dependencies=property_dependencies,
            inputs=props,
            outputs={**props, **(outputs or {})},
        )
        self.resources.append(resource)
        return resource

    def named(self, name: str, typ: str | None = None) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name and (typ is None or r.type == typ)]
        assert len(matches) == 1, f"{len(matches)} resources named {name}"
        return matches[0]

    def set(self, name: str, path: tuple[str | int, ...], value: Any, typ: str | None = None) -> StackGraph:
        """Set a property in both inputs and outputs (``value`` DELETE removes it)."""
        resource = self.named(name, typ)
        for props in (resource.inputs, resource.outputs):
            node = props
            for key in path[:-1]:
                node = node.setdefault(key, {}) if isinstance(key, str) else node[key]
            if value is DELETE:
                node.pop(path[-1], None)
            else:
                node[path[-1]] = copy.deepcopy(value)
        return self

    def drop(self, name: str, typ: str | None = None) -> StackGraph:
        self.resources.remove(self.named(name, typ))
        return self

    def copy(self) -> StackGraph:
        return StackGraph(copy.deepcopy(self.resources))


DELETE = object()


def evaluation_graph(evaluation: Evaluation) -> StackGraph:
    return StackGraph(copy.deepcopy(evaluation.resources))


def findings(policy: str, graph: StackGraph, config: dict[str, Any] | None = None) -> list[Finding]:
    evaluation = Evaluation(stack="test", region="us-east-2", resources=graph.resources, outputs={})
    return run_policies(evaluation, {policy: config} if config else None, only={policy})


def messages(policy: str, graph: StackGraph, config: dict[str, Any] | None = None) -> list[str]:
    return [f.message for f in findings(policy, graph, config)]


# ---- graphs shaped the way other tools register them -------------------------------------------


def awsx_vpc(g: StackGraph, *, name: str = "net") -> dict[str, RecordedResource]:
    """An awsx.ec2.Vpc with assignGeneratedIpv6CidrBlock: IPv6 subnets, but IPv4 routes only (awsx#2143)."""
    component = g.add("awsx:ec2:Vpc", name)
    vpc = g.add(
        "aws:ec2/vpc:Vpc",
        name,
        {"cidrBlock": "10.0.0.0/16", "assignGeneratedIpv6CidrBlock": True, "enableDnsHostnames": True},
        parent=component,
        outputs={"ipv6CidrBlock": "2600:1f18:1::/56"},
    )
    igw = g.add("aws:ec2/internetGateway:InternetGateway", name, {"vpcId": vpc.id}, parent=vpc, deps={"vpcId": [vpc]})
    out = {"vpc": vpc, "igw": igw}
    for i, (kind, cidr) in enumerate((("public", "10.0.0.0/20"), ("private", "10.0.128.0/20"))):
        subnet = g.add(
            "aws:ec2/subnet:Subnet",
            f"{name}-{kind}-1",
            {
                "vpcId": vpc.id,
                "cidrBlock": cidr,
                "ipv6CidrBlock": f"2600:1f18:1:{i}::/64",
                "assignIpv6AddressOnCreation": True,
                "mapPublicIpOnLaunch": kind == "public",
            },
            parent=vpc,
            deps={"vpcId": [vpc], "ipv6CidrBlock": [vpc]},
        )
        table = g.add("aws:ec2/routeTable:RouteTable", f"{name}-{kind}-1", {"vpcId": vpc.id}, parent=subnet, deps={"vpcId": [vpc]})
        g.add(
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            f"{name}-{kind}-1",
            {"subnetId": subnet.id, "routeTableId": table.id},
            parent=table,
            deps={"subnetId": [subnet], "routeTableId": [table]},
        )
        out[f"{kind}_subnet"], out[f"{kind}_table"] = subnet, table
    nat = g.add(
        "aws:ec2/natGateway:NatGateway",
        f"{name}-1",
        {"subnetId": out["public_subnet"].id},
        parent=out["public_subnet"],
        deps={"subnetId": [out["public_subnet"]]},
        resource_id="nat-0abc",
    )
    g.add(
        "aws:ec2/route:Route",
        f"{name}-public-1",
        {"routeTableId": out["public_table"].id, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": igw.id},
        parent=out["public_table"],
        deps={"routeTableId": [out["public_table"]], "gatewayId": [igw]},
    )
    g.add(
        "aws:ec2/route:Route",
        f"{name}-private-1",
        {"routeTableId": out["private_table"].id, "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": nat.id},
        parent=out["private_table"],
        deps={"routeTableId": [out["private_table"]], "natGatewayId": [nat]},
    )
    out["nat"] = nat
    return out


def pulumi_eks_cluster(
    g: StackGraph,
    subnets: list[RecordedResource],
    *,
    name: str = "eks",
    ip_family: str = "ipv6",
    with_arguments: bool = False,
    **component_args: Any,
) -> dict[str, RecordedResource]:
    """pulumi-eks 4.x with its defaults, as a preview reports it: the component (its arguments
    only ``with_arguments`` - the engine analyzes the registration pulumi-eks makes, whose
    inputs are empty), its cluster, service role, default instance role and security groups."""
    args = {"ipFamily": ip_family, "subnetIds": [s.id for s in subnets], "vpcId": "vpc-1", **component_args}
    component = g.add(
        "eks:index:Cluster",
        name,
        args if with_arguments else {},
        deps={"subnetIds": subnets} if with_arguments else None,
        outputs={"kubeconfig": {"apiVersion": "v1"}, "clusterSecurityGroupId": "sg-cluster", "oidcProviderArn": ""},
    )
    service_role = g.add("eks:index:ServiceRole", f"{name}-eksRole", {}, parent=component)
    eks_role = g.add(
        "aws:iam/role:Role",
        f"{name}-eksRole-role",
        {
            "assumeRolePolicy": json.dumps(
                {
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}
                    ]
                }
            )
        },
        parent=service_role,
        outputs={"name": f"{name}-eksRole-role-1", "arn": f"arn:aws:iam::123456789012:role/{name}-eksRole-role-1"},
    )
    g.add(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        f"{name}-eksRole-4b490823",
        {"role": eks_role.outputs["name"], "policyArn": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"},
        parent=service_role,
        deps={"role": [eks_role]},
    )
    out = {"component": component, "eks_role": eks_role}
    if not component_args.get("skipDefaultNodeGroup"):
        role = g.add(
            "aws:iam/role:Role",
            f"{name}-instanceRole-role",
            {
                "assumeRolePolicy": json.dumps(
                    {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
                )
            },
            parent=component,
            outputs={"name": f"{name}-instanceRole-role-1", "arn": f"arn:aws:iam::123456789012:role/{name}-instanceRole-role-1"},
        )
        for policy in ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"):
            g.add(
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                f"{name}-instanceRole-{policy}",
                {"role": role.outputs["name"], "policyArn": f"arn:aws:iam::aws:policy/{policy}"},
                parent=component,
                deps={"role": [role]},
            )
        out["role"] = role
    if not component_args.get("skipDefaultSecurityGroups"):
        node_sg = g.add(
            "aws:ec2/securityGroup:SecurityGroup",
            f"{name}-nodeSecurityGroup",
            {"vpcId": "vpc-1", "tags": {f"kubernetes.io/cluster/{name}-eksCluster": "owned"}},
            parent=component,
        )
        g.add(
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            f"{name}-eksNodeInternetEgressRule",
            {"type": "egress", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"], "securityGroupId": node_sg.id},
            parent=component,
            deps={"securityGroupId": [node_sg]},
        )
        out["node_sg"] = node_sg
    out["cluster"] = g.add(
        "aws:eks/cluster:Cluster",
        f"{name}-eksCluster",
        {
            "name": f"{name}-eksCluster",
            "roleArn": eks_role.outputs["arn"],
            "kubernetesNetworkConfig": {"ipFamily": ip_family},
            "vpcConfig": {"subnetIds": [s.id for s in subnets], "endpointPrivateAccess": False, "endpointPublicAccess": True},
            "enabledClusterLogTypes": [],
        },
        parent=component,
        deps={"vpcConfig": subnets, "roleArn": [eks_role]},
    )
    return out
