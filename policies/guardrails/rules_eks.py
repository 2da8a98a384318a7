"""EKS and VPC CNI rules: R1.1, R1.2, R1.3, R1.4, R1.9, R1.11, R1.12/R6.1, R2.1, R2.2, R2.3,
R2.6, R2.8, R3.11.

Checks that need the graph (which subnets a cluster uses, which role aws-node runs as) are stack
policies; checks on the pulumi-eks component's own arguments, which only ``Analyze`` sees, are
resource policies named ``...-pulumi-eks``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

from .facts import CNI_IPV4_ACTIONS, CNI_IPV6_ACTIONS, CNI_IPV6_UPSTREAM_ACTIONS, MTU_RANGE, VPC_CNI_CHART, is_nitro
from .framework import ADVISORY, MANDATORY, Rule, resource_policy, stack_policy
from .graph import (
    ADDON,
    EKS_CLUSTER,
    EKS_COMPONENT,
    FARGATE_PROFILE,
    HELM_RELEASE,
    SUBNET,
    Cluster,
    Graph,
    Node,
    component_family,
)
from .props import UNKNOWN, as_list, env_map, get, json_value, truthy

ROLE = "aws:iam/role:Role"
DAEMONSET = "kubernetes:apps/v1:DaemonSet"
POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
# AWS-managed policies broad enough to include the CNI's IPv6 actions.
BROAD_MANAGED_POLICIES = {"AdministratorAccess": ["*"], "PowerUserAccess": ["*"], "AmazonEC2FullAccess": ["ec2:*"]}
POD_IDENTITY_ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
CLUSTERS = (EKS_CLUSTER, EKS_COMPONENT)
ENI_ARN = "arn:aws:ec2:us-east-1:123456789012:network-interface/eni-0123456789abcdef0"
# What AWS-managed policies grant, as far as the CNI is concerned (AWS Managed Policy Reference).
MANAGED_POLICY_ACTIONS: dict[str, list[dict[str, Any]]] = {
    # AWS-managed policy v5: the VPC CNI's IPv4 set but for ec2:DescribeSecurityGroups (#3704).
    "AmazonEKS_CNI_Policy": [
        {"Effect": "Allow", "Resource": "*", "Action": [a for a in CNI_IPV4_ACTIONS if a != "ec2:DescribeSecurityGroups"]},
        {"Effect": "Allow", "Resource": "arn:aws:ec2:*:*:network-interface/*", "Action": ["ec2:CreateTags"]},
    ],
    "AmazonEKSWorkerNodePolicy": [
        {
            "Effect": "Allow",
            "Resource": "*",
            "Action": [
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeRouteTables",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVolumes",
                "ec2:DescribeVolumesModifications",
                "ec2:DescribeVpcs",
                "eks:DescribeCluster",
                "eks-auth:AssumeRoleForPodIdentity",
            ],
        },
    ],
    "AmazonEC2ContainerRegistryReadOnly": [
        {
            "Effect": "Allow",
            "Resource": "*",
            "Action": [
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:GetRepositoryPolicy",
                "ecr:DescribeRepositories",
                "ecr:ListImages",
                "ecr:DescribeImages",
                "ecr:BatchGetImage",
                "ecr:GetLifecyclePolicy",
                "ecr:GetLifecyclePolicyPreview",
                "ecr:ListTagsForResource",
                "ecr:DescribeImageScanFindings",
            ],
        },
    ],
    "AmazonEC2ContainerRegistryPullOnly": [
        {"Effect": "Allow", "Resource": "*", "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]},
    ],
    "AmazonSSMManagedInstanceCore": [{"Effect": "Allow", "Resource": "*", "Action": ["ssm:*", "ssmmessages:*", "ec2messages:*"]}],
}


def _family_known(value: Any) -> bool:
    return value in ("ipv4", "ipv6")


def _own_family(node: Node) -> Any:
    if node.type == EKS_COMPONENT:
        return component_family(node)
    return node.get("kubernetesNetworkConfig", "ipFamily", default="ipv4")


def _cluster_label(cluster: Cluster) -> str:
    return cluster.name if isinstance(cluster.name, str) else cluster.node.name


# -- R1.1 ----------------------------------------------------------------------------------------

R1_1 = Rule("cluster-ip-family", "R1.1", "The IP family is fixed at creation; IPv4 clusters are declared migration sources", ADVISORY)
R1_1_SCHEMA = {
    "migrationSourceClusters": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "EKS cluster names (or Pulumi resource names) allowed to stay IPv4 as migration sources.",
    }
}


def check_ip_family(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    family = _own_family(node)
    if family is UNKNOWN:
        return
    if family not in ("ipv4", "ipv6"):
        yield f"has IP family {family!r}", "use ipv4 or ipv6 (lower case)"
        return
    name = node.get("name")
    name = name if isinstance(name, str) else node.name
    if family == "ipv6" and not node.protect:
        yield (
            "is an IPv6 cluster without protect; changing its IP family or deleting it replaces every workload in it",
            "set protect (ResourceOptions(protect=True)) on the cluster",
        )
    if family == "ipv4" and name not in config["migrationSourceClusters"] and node.name not in config["migrationSourceClusters"]:
        yield (
            "is an IPv4 cluster that is not a declared migration source",
            f"create it as ipv6, or list {name!r} in this policy's migrationSourceClusters",
        )


# -- R1.2, R1.3, R1.4 ---------------------------------------------------------------------------

R1_2 = Rule("ipv6-cluster-dual-stack-subnets", "R1.2", "IPv6 clusters run in dual-stack subnets of a dual-stack VPC", MANDATORY)
R1_3 = Rule("eks-subnets-not-ipv6-only", "R1.3", "Cluster, node and Fargate subnets are never IPv6-only", MANDATORY)
R1_4 = Rule("ipv6-node-subnets-auto-assign", "R1.4", "Node subnets of IPv6 clusters auto-assign IPv6 addresses", MANDATORY)


def _fargate_subnets(graph: Graph, cluster: Cluster) -> list[Node]:
    return [s for p in graph.of_type(FARGATE_PROFILE) if graph.cluster_of(p) is cluster for s in graph.related(p, "subnetIds", SUBNET)]


def check_dual_stack_subnets(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for cluster in graph.clusters():
        if cluster.family != "ipv6":
            continue
        for subnet in {s.urn: s for s in [*cluster.subnets, *graph.node_subnets(cluster), *_fargate_subnets(graph, cluster)]}.values():
            if graph.subnet_has_ipv6(subnet) is False:
                yield (
                    subnet,
                    f"is used by the IPv6 cluster '{_cluster_label(cluster)}' but has no IPv6 CIDR",
                    "give it a /64 of the VPC's IPv6 block, or use dual-stack subnets",
                )
            cidr = subnet.get("cidrBlock")
            if cidr is None and truthy(subnet.get("ipv6Native")) is not True and subnet.get("ipv4IpamPoolId") is None:
                yield (
                    subnet,
                    f"is used by the IPv6 cluster '{_cluster_label(cluster)}' but has no IPv4 CIDR",
                    "EKS needs dual-stack subnets: give it an IPv4 CIDR too",
                )


def check_not_ipv6_only(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for cluster in graph.clusters():
        for subnet in {s.urn: s for s in [*cluster.subnets, *graph.node_subnets(cluster)]}.values():
            if truthy(subnet.get("ipv6Native")) is True:
                yield (
                    subnet,
                    f"is IPv6-only but cluster '{_cluster_label(cluster)}' uses it for its control plane or nodes",
                    "use dual-stack subnets; EKS nodes and control planes need IPv4 too",
                )
    for profile in graph.of_type(FARGATE_PROFILE):
        for subnet in graph.related(profile, "subnetIds", SUBNET):
            if truthy(subnet.get("ipv6Native")) is True:
                yield subnet, f"is IPv6-only but Fargate profile '{profile.name}' uses it", "use dual-stack private subnets for Fargate"


def check_node_subnets_auto_assign(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for cluster in graph.clusters():
        if cluster.family != "ipv6":
            continue
        for subnet in graph.node_subnets(cluster):
            if truthy(subnet.get("assignIpv6AddressOnCreation")) is False:
                yield (
                    subnet,
                    f"hosts nodes of the IPv6 cluster '{_cluster_label(cluster)}' but does not auto-assign IPv6",
                    "set assignIpv6AddressOnCreation true",
                )


# -- R1.9 ----------------------------------------------------------------------------------------

R1_9 = Rule("no-ipv4-service-range-on-ipv6", "R1.9", "IPv6 clusters get their service range from EKS; no serviceIpv4Cidr", MANDATORY)


def check_service_range(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if _own_family(node) != "ipv6":
        return
    if node.type == EKS_CLUSTER:
        cidr = node.get("kubernetesNetworkConfig", "serviceIpv4Cidr")
        if cidr not in (None, "", UNKNOWN):
            yield (
                f"is an IPv6 cluster with serviceIpv4Cidr {cidr}",
                "remove serviceIpv4Cidr; EKS assigns an IPv6 cluster a ULA service range (fc00::/7)",
            )
    else:
        cidr = node.get("kubernetesServiceIpAddressRange")
        if cidr not in (None, "", UNKNOWN):
            yield (
                f"is an IPv6 cluster with kubernetesServiceIpAddressRange {cidr}, which pulumi-eks silently drops",
                "remove kubernetesServiceIpAddressRange; EKS assigns the IPv6 service range",
            )


# -- R1.11 ---------------------------------------------------------------------------------------

R1_11 = Rule(
    "ipv6-unsupported-features", "R1.11", "No Windows nodes, Outposts, hybrid nodes or custom networking in IPv6 clusters", MANDATORY
)
R1_11_CLUSTER = Rule(
    "ipv6-unsupported-features-cluster", "R1.11", "IPv6 clusters use no Outposts, hybrid nodes or CNI custom networking", MANDATORY
)


def check_unsupported_cluster_features(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if _own_family(node) != "ipv6":
        return
    if node.type == EKS_CLUSTER:
        if node.get("outpostConfig") not in (None, UNKNOWN, {}):
            yield "is an IPv6 cluster on AWS Outposts, which IPv6 clusters do not support", "run the cluster in-region, or use ipv4"
        if node.get("remoteNetworkConfig") not in (None, UNKNOWN, {}):
            yield (
                "is an IPv6 cluster with hybrid nodes (remoteNetworkConfig), which IPv6 clusters do not support",
                "drop remoteNetworkConfig, or use an ipv4 cluster for hybrid nodes",
            )
    else:
        options = node.get("vpcCniOptions", default={})
        if isinstance(options, dict) and any(truthy(options.get(k)) is True for k in ("customNetworkConfig", "cniCustomNetworkCfg")):
            yield (
                "is an IPv6 cluster with VPC CNI custom networking, which ipamd refuses in IPv6 mode",
                "turn custom networking off; IPv6 pods use the node's /80 prefix",
            )


def check_unsupported_node_features(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for cluster in graph.clusters():
        if cluster.family != "ipv6":
            continue
        for group in cluster.node_groups:
            ami = group.get("amiType")
            os = group.get("operatingSystem")
            if (isinstance(ami, str) and ami.upper().startswith("WINDOWS")) or (isinstance(os, str) and os.lower().startswith("windows")):
                yield (
                    group,
                    f"runs Windows nodes ({ami or os}) in the IPv6 cluster '{_cluster_label(cluster)}'; Windows cannot join IPv6 clusters",
                    "use an AL2023 or Bottlerocket AMI type, and run Windows workloads in an IPv4 cluster",
                )
        for env, _, source in cni_settings(graph, cluster):
            if _set(env, "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG") is True:
                yield (
                    source,
                    f"turns on VPC CNI custom networking in the IPv6 cluster '{_cluster_label(cluster)}', which ipamd refuses",
                    "remove AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",
                )


# -- R1.12, R6.1 ---------------------------------------------------------------------------------

R1_12 = Rule("ipv6-nitro-instances", "R1.12", "IPv6 cluster nodes are Nitro or bare-metal instance types (R6.1)", MANDATORY)
R1_12_PULUMI_EKS = Rule(
    "ipv6-nitro-instances-pulumi-eks", "R1.12", "pulumi-eks default node groups of IPv6 clusters use Nitro types (R6.1)", MANDATORY
)
NITRO_FIX = "use Nitro or bare-metal types (e.g. m7i, c7g, r7i); ipamd refuses prefix delegation, and so IPv6, on Xen types"


def check_nitro(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for cluster in graph.clusters():
        if cluster.family != "ipv6":
            continue
        for group in cluster.node_groups:
            for instance_type in graph.node_instance_types(group):
                if not is_nitro(instance_type):
                    yield group, f"uses {instance_type}, a Xen-based type, in the IPv6 cluster '{_cluster_label(cluster)}'", NITRO_FIX


def check_nitro_pulumi_eks(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if component_family(node) != "ipv6" or truthy(node.get("skipDefaultNodeGroup")) is True:
        return
    instance_type = node.get("instanceType")
    if isinstance(instance_type, str) and not is_nitro(instance_type):
        yield f"gives the IPv6 cluster a default node group of {instance_type}, a Xen-based type", NITRO_FIX


# -- R2.1, R2.2 ----------------------------------------------------------------------------------

R2_1 = Rule("cni-ipv6-iam", "R2.1", "The role aws-node runs as allows the VPC CNI's IPv6 actions", MANDATORY)
R2_1_PULUMI_EKS = Rule(
    "cni-ipv6-iam-pulumi-eks", "R2.1", "pulumi-eks's default node role is not enough for the IPv6 CNI (pulumi-eks#1522)", MANDATORY
)
R2_2 = Rule("cni-ipv6-iam-upstream", "R2.2", "The CNI role also allows ec2:DescribeSubnets and ec2:DescribeSecurityGroups", ADVISORY)


def cni_roles(graph: Graph, cluster: Cluster) -> list[Node] | None:
    """The roles aws-node runs as: its IRSA or Pod Identity role, else the nodes' roles.

    None when aws-node has a role of its own that the graph does not hold: nothing to conclude.
    """
    roles: list[Node] = []
    references = 0
    for addon in graph.addons_of(cluster, "vpc-cni"):
        if addon.get("serviceAccountRoleArn") is not None:
            references += 1
            roles += graph.related(addon, "serviceAccountRoleArn", ROLE)
        for association in as_list(addon.get("podIdentityAssociations")) or []:
            if isinstance(association, dict):
                references += 1
                roles += graph.related(addon, "podIdentityAssociations", ROLE, value=association.get("roleArn"))
    for association in graph.of_type(POD_IDENTITY_ASSOCIATION):
        if (
            association.get("namespace") == "kube-system"
            and association.get("serviceAccount") == "aws-node"
            and graph.cluster_of(association) is cluster
        ):
            references += 1
            roles += graph.related(association, "roleArn", ROLE)
    if references:
        return list({r.urn: r for r in roles}.values()) if roles else None
    for group in cluster.node_groups:
        roles += graph.related(group, "nodeRoleArn", ROLE) + graph.related(group, "nodeRole", ROLE)
    for component in [n for n in cluster.nodes if n.type == EKS_COMPONENT]:
        roles += [r for r in graph.of_type(ROLE) if component in graph.ancestors(r) and _ec2_can_assume(r)]
    return list({r.urn: r for r in roles}.values())


def _ec2_can_assume(role: Node) -> bool:
    """Whether a role is an instance role (its trust names ec2.amazonaws.com), as node roles are."""
    trust = json_value(role.get("assumeRolePolicy"))
    return trust is UNKNOWN or "ec2.amazonaws.com" in str(trust)


def role_statements(graph: Graph, role: Node) -> list[dict[str, Any]] | None:
    """Every Allow statement attached to ``role``, or None when a document is not known."""
    name = role.get("name")
    documents: list[Any] = []
    for attachment in graph.referrers(role, ROLE_POLICY_ATTACHMENT, "role"):
        documents.append(_policy_document(graph, attachment, "policyArn"))
    for attachment in graph.referrers(role, POLICY_ATTACHMENT, "roles"):
        documents.append(_policy_document(graph, attachment, "policyArn"))
    for exclusive in graph.of_type(ROLE_POLICY_ATTACHMENTS_EXCLUSIVE):
        if role in graph.related(exclusive, "roleName", ROLE) or (name and exclusive.get("roleName") == name):
            documents += [_policy_document(graph, exclusive, "policyArns", arn) for arn in as_list(exclusive.get("policyArns")) or []]
    for inline in graph.referrers(role, ROLE_POLICY, "role"):
        documents.append(json_value(inline.get("policy")))
    for inline in as_list(role.get("inlinePolicies")) or []:
        if isinstance(inline, dict):
            documents.append(json_value(inline.get("policy")))
    for arn in as_list(role.get("managedPolicyArns")) or []:
        documents.append(_managed_document(arn))
    statements = []
    for document in documents:
        if document is UNKNOWN or document is None:
            return None
        for statement in as_list(document.get("Statement") if isinstance(document, dict) else None) or []:
            if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                continue
            if "NotAction" in statement or "NotResource" in statement:
                return None
            statements.append(statement)
    return statements


def _policy_document(graph: Graph, attachment: Node, prop: str, arn: Any = None) -> Any:
    arn = attachment.get(prop) if arn is None else arn
    policies = [
        p
        for p in graph.related(attachment, prop, POLICY)
        if arn is None or arn in (p.get("arn"), UNKNOWN) or len(graph.deps(attachment, prop, POLICY)) == 1
    ]
    policies = policies or graph.by_literal(arn, POLICY)
    if policies:
        return json_value(policies[0].get("policy"))
    return _managed_document(arn)


def _managed_document(arn: Any) -> Any:
    """What an AWS-managed policy grants the CNI; a customer policy outside the graph is unknown."""
    if not isinstance(arn, str) or ":iam::aws:policy/" not in arn:
        return UNKNOWN
    name = arn.rsplit("/", 1)[-1]
    if name in BROAD_MANAGED_POLICIES:
        return {"Statement": [{"Effect": "Allow", "Resource": "*", "Action": BROAD_MANAGED_POLICIES[name]}]}
    return {"Statement": MANAGED_POLICY_ACTIONS.get(name, [])}  # other AWS policies grant no CNI IPv6 action


def allows(statements: list[dict[str, Any]], action: str, resource: str | None = "*") -> bool:
    """Whether an Allow statement grants ``action`` on ``resource`` (on some resource, when None)."""
    for statement in statements:
        actions = as_list(statement.get("Action"))
        resources = as_list(statement.get("Resource", "*"))
        if actions is UNKNOWN or resources is UNKNOWN:
            continue
        if not any(isinstance(a, str) and fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions):
            continue
        if resource is None or any(
            isinstance(r, str)
            and (r == "*" or fnmatch.fnmatchcase(resource, r.replace("arn:aws-cn:", "arn:aws:").replace("arn:aws-us-gov:", "arn:aws:")))
            for r in resources
        ):
            return True
    return False


def missing_cni_actions(statements: list[dict[str, Any]], wanted: tuple[str, ...]) -> list[str]:
    missing = [a for a in wanted if not allows(statements, a)]
    if wanted == CNI_IPV6_ACTIONS and not allows(statements, "ec2:CreateTags", ENI_ARN):
        missing.append("ec2:CreateTags on network-interface/*")
    return missing


def _check_cni_iam(graph: Graph, wanted: tuple[str, ...]) -> Iterator[tuple[Node, str, str]]:
    for cluster in graph.clusters():
        if cluster.family != "ipv6":
            continue
        roles = cni_roles(graph, cluster)
        documents = [role_statements(graph, role) for role in roles or []]
        if not roles or any(d is None for d in documents):
            continue  # aws-node's role or one of its policies is not in the graph: nothing to conclude
        missing = missing_cni_actions([s for d in documents for s in d], wanted)
        if missing:
            names = ", ".join(f"'{r.name}'" for r in roles)
            yield (
                roles[0],
                f"is the role aws-node runs as in the IPv6 cluster '{_cluster_label(cluster)}' (roles {names}) but does not allow {', '.join(missing)}",
                (
                    "attach a customer-managed IPv6 CNI policy (ec2:AssignIpv6Addresses, DescribeInstances, DescribeTags, DescribeNetworkInterfaces, "
                    "DescribeInstanceTypes, DescribeSubnets, DescribeSecurityGroups, and ec2:CreateTags on network-interface/*) to a dedicated "
                    "kube-system/aws-node role wired to the vpc-cni add-on; AmazonEKS_CNI_Policy lacks ec2:AssignIpv6Addresses"
                ),
            )


def check_cni_iam(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    yield from _check_cni_iam(graph, CNI_IPV6_ACTIONS)


def check_cni_iam_upstream(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    yield from _check_cni_iam(graph, CNI_IPV6_UPSTREAM_ACTIONS)


def check_cni_iam_pulumi_eks(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    # Absent arguments of a remote component are unknown (graph.Node). An explicit
    # skipDefaultNodeGroup false shows the analyzer was given the arguments, so here the role
    # arguments' absence means the user gave none.
    if component_family(node) != "ipv6" or truthy(node.get("skipDefaultNodeGroup")) is not False:
        return
    if truthy(node.get("createInstanceRole")) is False:
        return  # no instance role from pulumi-eks
    roles = (node.props.get("instanceRole"), node.props.get("instanceRoles"), get(node.props, "vpcCniOptions", "serviceAccountRoleArn"))
    if any(role not in (None, [], "") for role in roles):
        return  # a role of the user's own (or one not known yet)
    yield (
        "gives its default node group pulumi-eks's instance role, whose AmazonEKS_CNI_Policy lacks ec2:AssignIpv6Addresses (pulumi-eks#1522)",
        (
            "skip the default node group and give aws-node an IRSA role with the IPv6 CNI policy (vpcCniOptions.serviceAccountRoleArn), or pass an instanceRole that has it"
        ),
    )


# -- R2.3, R2.6, R2.8: the CNI's own settings ---------------------------------------------------

R2_3 = Rule("cni-ipv6-mode", "R2.3", "The VPC CNI runs in IPv6 mode with prefix delegation on IPv6 clusters", MANDATORY)
R2_3_PULUMI_EKS = Rule("cni-ipv6-mode-pulumi-eks", "R2.3", "pulumi-eks's vpcCniOptions keep prefix delegation on IPv6 clusters", MANDATORY)
R2_6 = Rule(
    "ipv4-cluster-ipv6-egress", "R2.6", "IPv6 egress on an IPv4 cluster is set on both CNI containers and has node IPv6 to use", ADVISORY
)
R2_8 = Rule("cni-mtu-range", "R2.8", "VPC CNI MTUs are within 1280-9001 on IPv6 clusters (576-9001 on IPv4)", MANDATORY)


def cni_settings(graph: Graph, cluster: Cluster) -> list[tuple[Any, Any, Node]]:
    """(aws-node env, init env, source) of each vpc-cni add-on, aws-vpc-cni Helm release or
    aws-node DaemonSet in the cluster; an env is ``UNKNOWN`` where it is not known yet."""
    settings: list[tuple[Any, Any, Node]] = []
    for addon in graph.addons_of(cluster, "vpc-cni"):
        config = json_value(addon.get("configurationValues"))
        if config is UNKNOWN:
            settings.append((UNKNOWN, UNKNOWN, addon))
        elif isinstance(config, dict):
            settings.append((_env(config.get("env")), _env(get(config, "init", "env")), addon))
    for release in graph.of_type(HELM_RELEASE):
        if _chart(release) == VPC_CNI_CHART and graph.cluster_of_kubernetes_object(release) is cluster:
            values = release.get("values", default={})
            if values is UNKNOWN:
                settings.append((UNKNOWN, UNKNOWN, release))
            elif isinstance(values, dict):
                settings.append((_env(values.get("env")), _env(get(values, "init", "env")), release))
    for daemonset in graph.of_type(DAEMONSET):
        if daemonset.get("metadata", "name") == "aws-node" and graph.cluster_of_kubernetes_object(daemonset) is cluster:
            pod = daemonset.get("spec", "template", "spec", default={})
            settings.append(
                (_container_env(pod, "containers", "aws-node"), _container_env(pod, "initContainers", "aws-vpc-cni-init"), daemonset)
            )
    return settings


def _env(value: Any) -> Any:
    return UNKNOWN if value is UNKNOWN else env_map(value) if isinstance(value, (dict, list)) else {}


def _container_env(pod: Any, key: str, name: str) -> Any:
    if pod is UNKNOWN:
        return UNKNOWN
    for container in as_list(get(pod, key)) or []:
        if isinstance(container, dict) and container.get("name") == name:
            return env_map(container.get("env"))
    return {}


def _set(env: Any, key: str) -> Any:
    """A CNI setting: True/False when set, None when absent, UNKNOWN when not known yet."""
    if env is UNKNOWN:
        return UNKNOWN
    value = env.get(key)
    return None if value is None else truthy(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _chart(release: Node) -> str:
    chart = release.get("chart")
    return chart.rsplit("/", 1)[-1] if isinstance(chart, str) else ""


def check_cni_mode(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for cluster in graph.clusters():
        if cluster.family != "ipv6":
            continue
        label = _cluster_label(cluster)
        for env, init_env, source in cni_settings(graph, cluster):
            if _set(env, "ENABLE_PREFIX_DELEGATION") is False:
                yield (
                    source,
                    f"turns prefix delegation off in the IPv6 cluster '{label}'; ipamd then refuses to start",
                    "leave ENABLE_PREFIX_DELEGATION true (IPv6 nodes get a /80 each)",
                )
            if _set(env, "ENABLE_IPv4") is True:
                yield (
                    source,
                    f"sets ENABLE_IPv4 true in the IPv6 cluster '{label}'; dual-stack pods are not supported and ipamd refuses to start",
                    "set ENABLE_IPv4 false",
                )
            if source.type == ADDON:
                if _set(env, "ENABLE_IPv6") is False:
                    yield (
                        source,
                        f"sets ENABLE_IPv6 false in the IPv6 cluster '{label}'",
                        "remove ENABLE_IPv6; the add-on takes IPv6 mode from the cluster",
                    )
                continue
            # the chart and the raw DaemonSet default to IPv4 mode: IPv6 has to be asked for
            for key, where, values in (
                ("ENABLE_IPv6", "env", env),
                ("ENABLE_IPv6", "init.env", init_env),
                ("ENABLE_PREFIX_DELEGATION", "env", env),
            ):
                if _set(values, key) in (False, None):
                    yield (
                        source,
                        f"does not set {where}.{key} true in the IPv6 cluster '{label}' (the default is IPv4 mode)",
                        f'set {where}.{key} to "true", and env.ENABLE_IPv4 to "false"',
                    )


def check_cni_mode_pulumi_eks(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if component_family(node) != "ipv6":
        return
    if (
        truthy(get(node.props, "vpcCniOptions", "enablePrefixDelegation")) is False
        and get(node.props, "vpcCniOptions", "enablePrefixDelegation") is not None
    ):
        yield (
            "turns VPC CNI prefix delegation off on an IPv6 cluster; ipamd then refuses to start",
            "remove vpcCniOptions.enablePrefixDelegation (or set it true)",
        )


def check_ipv4_cluster_egress(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    sources = set(config.get("migrationSourceClusters") or [])
    for cluster in graph.clusters():
        if cluster.family != "ipv4":
            continue
        label = _cluster_label(cluster)
        settings = cni_settings(graph, cluster)
        enabled = [(env, init, source) for env, init, source in settings if _set(env, "ENABLE_V6_EGRESS") is True]
        for _, init_env, source in enabled:
            if _set(init_env, "ENABLE_V6_EGRESS") in (False, None):
                yield (
                    source,
                    f"sets ENABLE_V6_EGRESS on aws-node but not on the aws-vpc-cni-init container in '{label}', so IPv6 egress is silently off",
                    'set init.env.ENABLE_V6_EGRESS "true" as well',
                )
        if enabled:
            for subnet in graph.node_subnets(cluster):
                if graph.subnet_has_ipv6(subnet) is False or truthy(subnet.get("assignIpv6AddressOnCreation")) is False:
                    yield (
                        subnet,
                        f"hosts nodes of '{label}', which has IPv6 egress on, but gives them no IPv6 address",
                        "use dual-stack node subnets that auto-assign IPv6",
                    )
        elif settings and label in sources and all(_set(env, "ENABLE_V6_EGRESS") in (False, None) for env, _, _ in settings):
            yield (
                settings[0][2],
                f"is the CNI of the migration source '{label}' but has no IPv6 egress, so its pods cannot reach the IPv6 cluster",
                'set ENABLE_V6_EGRESS "true" in both env and init.env',
            )


def check_mtu(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for cluster in graph.clusters():
        if not _family_known(cluster.family):
            continue
        low, high = MTU_RANGE[cluster.family]
        for env, _, source in cni_settings(graph, cluster):
            for key in ("AWS_VPC_ENI_MTU", "POD_MTU"):
                value = UNKNOWN if env is UNKNOWN else env.get(key)
                if value in (None, UNKNOWN):
                    continue
                try:
                    mtu = int(value)
                except (TypeError, ValueError):
                    mtu = None
                if mtu is None or not low <= mtu <= high:
                    yield (
                        source,
                        f"sets {key} to {value!r} in the {cluster.family} cluster '{_cluster_label(cluster)}'",
                        f"use an MTU from {low} to {high}",
                    )


def check_mtu_pulumi_eks(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    family = component_family(node)
    mtu = get(node.props, "vpcCniOptions", "eniMtu")
    if _family_known(family) and isinstance(mtu, (int, float)):
        low, high = MTU_RANGE[family]
        if not low <= int(mtu) <= high:
            yield f"sets vpcCniOptions.eniMtu {int(mtu)} on an {family} cluster", f"use an MTU from {low} to {high}"


# -- R3.11 ---------------------------------------------------------------------------------------

R3_11 = Rule("eks-security-groups-ipv6", "R3.11", "EKS security groups have IPv6 rules wherever they have IPv4 CIDR rules", ADVISORY)
R3_11_PULUMI_EKS = Rule(
    "eks-security-groups-ipv6-pulumi-eks", "R3.11", "pulumi-eks default security groups have no IPv6 egress (pulumi-eks#1700)", ADVISORY
)


def check_security_groups(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for cluster in graph.clusters():
        v6_egress = cluster.family == "ipv4" and any(_set(env, "ENABLE_V6_EGRESS") is True for env, _, _ in cni_settings(graph, cluster))
        if cluster.family != "ipv6" and not v6_egress:
            continue
        for group in graph.node_security_groups(cluster):
            rules = graph.security_group_rules(group)
            for direction in ("egress", "ingress"):
                ipv4 = [r for r in rules if r.direction == direction and r.ipv4]
                ipv6 = [r for r in rules if r.direction == direction and r.ipv6]
                for rule in ipv4:
                    if direction == "ingress" and "0.0.0.0/0" not in rule.ipv4:
                        continue  # a narrow IPv4 source (an office, a VPC) need not have an IPv6 twin
                    if not any(_covers(other, rule) for other in ipv6):
                        target = "egress to" if direction == "egress" else "ingress from"
                        yield (
                            rule.source,
                            (
                                f"allows {target} {', '.join(rule.ipv4)} on security group '{group.name}' of '{_cluster_label(cluster)}' "
                                "without a matching IPv6 rule, so IPv6 traffic (CoreDNS, pods, image pulls) is dropped"
                            ),
                            "add the same rule for ::/0 (cidrIpv6 / ipv6CidrBlocks)",
                        )


def _covers(ipv6: Any, ipv4: Any) -> bool:
    """Whether an IPv6 CIDR rule lets through what an IPv4 CIDR rule does, in the other family."""
    if ipv6.protocol not in ("-1", "all", ipv4.protocol):
        return False
    if ipv6.protocol not in ("-1", "all") and not (
        (ipv6.from_port or 0) <= (ipv4.from_port or 0) and (ipv6.to_port or 65535) >= (ipv4.to_port or 65535)
    ):
        return False
    return "0.0.0.0/0" not in ipv4.ipv4 or "::/0" in ipv6.ipv6


def check_security_groups_pulumi_eks(node: Node, config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if component_family(node) != "ipv6" or truthy(node.get("skipDefaultSecurityGroups")) is not False:
        return  # pulumi-eks's own groups are not asked for, or it is not known whether they are
    yield (
        "keeps pulumi-eks's default security groups, whose egress is 0.0.0.0/0 only (pulumi-eks#1700); CoreDNS crash-loops on IPv6",
        (
            "add ::/0 egress rules to the node and cluster security groups, or set skipDefaultSecurityGroups and bring groups with IPv6 egress"
        ),
    )


POLICIES = [
    resource_policy(R1_1, CLUSTERS, check_ip_family, R1_1_SCHEMA),
    stack_policy(R1_2, check_dual_stack_subnets),
    stack_policy(R1_3, check_not_ipv6_only),
    stack_policy(R1_4, check_node_subnets_auto_assign),
    resource_policy(R1_9, CLUSTERS, check_service_range),
    resource_policy(R1_11_CLUSTER, CLUSTERS, check_unsupported_cluster_features),
    stack_policy(R1_11, check_unsupported_node_features),
    stack_policy(R1_12, check_nitro),
    resource_policy(R1_12_PULUMI_EKS, (EKS_COMPONENT,), check_nitro_pulumi_eks),
    stack_policy(R2_1, check_cni_iam),
    resource_policy(R2_1_PULUMI_EKS, (EKS_COMPONENT,), check_cni_iam_pulumi_eks),
    stack_policy(R2_2, check_cni_iam_upstream),
    stack_policy(R2_3, check_cni_mode),
    resource_policy(R2_3_PULUMI_EKS, (EKS_COMPONENT,), check_cni_mode_pulumi_eks),
    stack_policy(R2_6, check_ipv4_cluster_egress, R1_1_SCHEMA),
    stack_policy(R2_8, check_mtu),
    resource_policy(Rule("cni-mtu-range-pulumi-eks", "R2.8", R2_8.title, MANDATORY), (EKS_COMPONENT,), check_mtu_pulumi_eks),
    stack_policy(R3_11, check_security_groups),
    resource_policy(R3_11_PULUMI_EKS, (EKS_COMPONENT,), check_security_groups_pulumi_eks),
]
