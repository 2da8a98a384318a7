"""Ipv6EksCluster: an EKS cluster that actually works on IPv6 - or the IPv4 cluster it replaces.

``pulumi_eks.Cluster(ip_family="ipv6")`` alone leaves three gaps, closed here:

* its roles lack the VPC CNI's IPv6 permissions (pulumi-eks#1522): aws-node gets a role of its
  own (IRSA) with the IPv6 policy, wired to a vpc-cni add-on we manage (R2.1, R2.2, R7.9);
* its security groups only allow IPv4 egress, so CoreDNS crash-loops (#1700): the cluster and
  node security groups are ours, with ``::/0`` egress and node-to-node rules by group reference,
  which cover both families (R3.11, R3.13);
* it crashes discovering node subnets from route tables holding ``::/0`` (#1520): subnets are
  always passed explicitly and pulumi-eks's default node group is skipped.

What it builds, in order: a KMS key for secrets (R7.3); the security groups, with TCP 443 from
whoever may reach the private API endpoint; the node role; the control-plane log group with a
retention; the control plane (pulumi-eks: API authentication, OIDC provider, all five log types,
private endpoint); the access entries; aws-node's role; the vpc-cni, kube-proxy and pod-identity
add-ons before any node, at pinned versions; launch templates with IMDSv2 (R7.5, R2.10) and managed
node groups; CoreDNS once nodes exist; and a Kubernetes provider, once CoreDNS is up, for components
that deploy into the cluster.

``protect_control_plane`` protects what losing would hurt - the control plane and its secrets key -
and nothing EKS routinely replaces: node groups, launch templates and add-ons stay unprotected,
even when the component itself is created with ``protect``.
"""

import ipaddress
import json
import re
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s
import yaml

from .eks_addons import pinned_addon_versions, vpc_cni_configuration
from .eks_iam import access_policy_arn, cni_policy_document, irsa_trust_policy, node_role_policy_arns, service_trust_policy
from .eks_nodes import metadata_options
from .eks_spec import (
    DEFAULT_AMI_TYPE,
    DEFAULT_LOG_RETENTION_DAYS,
    Ipv6EksClusterArgs,
    NodeGroupArgs,
    check_cluster_args,
    check_cluster_name,
)
from .errors import raise_if_any
from .guardrails.facts import CONTROL_PLANE_LOG_TYPES

TYPE_TOKEN = "ipv6-eks:index:Ipv6EksCluster"
ALL_TRAFFIC = "-1"
CREATOR_ADMIN_PROPERTY = "bootstrapClusterCreatorAdminPermissions"


class Ipv6EksCluster(pulumi.ComponentResource):
    """An EKS cluster on IPv6 (or the IPv4 migration source) with working CNI, egress and nodes."""

    cluster_name: pulumi.Output[str]
    """The EKS cluster's name."""
    ip_family: pulumi.Output[str]
    """``ipv6`` or ``ipv4``."""
    endpoint: pulumi.Output[str]
    """The API server endpoint."""
    certificate_authority: pulumi.Output[str]
    """The cluster's CA certificate, base64 PEM."""
    oidc_provider_arn: pulumi.Output[str]
    """The IAM OIDC provider for IRSA."""
    oidc_issuer: pulumi.Output[str]
    """The OIDC issuer, without ``https://``."""
    cluster_security_group_id: pulumi.Output[str]
    """The security group on the control plane's network interfaces."""
    node_security_group_id: pulumi.Output[str]
    """The security group on every node (and so every pod)."""
    node_role_arn: pulumi.Output[str]
    """The node role (worker-node and ECR read-only policies only)."""
    aws_node_role_arn: pulumi.Output[str]
    """The VPC CNI's own role (IRSA for kube-system/aws-node)."""
    kubeconfig: pulumi.Output[str]
    """Kubeconfig (JSON) using ``aws eks get-token``; a Pulumi secret."""
    provider: k8s.Provider
    """A Kubernetes provider for this cluster, ready once its nodes and CoreDNS are, for
    components that deploy into it."""

    def __init__(self, name: str, args: Ipv6EksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        physical = f"{pulumi.get_stack()}-{name}"
        raise_if_any(check_cluster_args(args) + check_cluster_name(physical))  # before anything is registered
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._args = args
        self._family = args.get("ip_family", "ipv6")
        self._physical = physical
        self._tags = {**args.get("tags", {}), "ipv6-eks/cluster": self._physical}
        # R1.1: the control plane and its key are what a replacement would cost; nothing else is protected.
        self._protect_core = args.get("protect_control_plane", self._family == "ipv6")
        self._partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition.apply(lambda p: p or "aws")

        key_arn, key = self._secrets_key()
        cluster_sg, node_sg, rules = self._security_groups()
        node_role, node_role_ready = self._node_role()
        log_group = self._log_group()
        cluster = self._control_plane(key_arn, cluster_sg, [log_group, *([key] if key else [])])
        # Add-ons and node groups name the cluster through pulumi-eks's own aws:eks/cluster child,
        # so the engine knows they depend on it: a replaced cluster replaces them too.
        self._cluster_name = cluster.eks_cluster.apply(lambda c: c.name if isinstance(c, pulumi.Resource) else self._physical)
        access = self._access_entries(cluster)
        aws_node_role, cni_policy_ready = self._aws_node_role(cluster)
        before_nodes = self._addons_before_nodes(cluster, aws_node_role, cni_policy_ready)
        node_groups = [
            self._node_group(
                group_name, group, node_sg, node_role, [cluster, *before_nodes, *node_role_ready, *rules, *args.get("nodes_depend_on", [])]
            )
            for group_name, group in args["node_groups"].items()
        ]
        coredns = self._addon("coredns", depends_on=[cluster, *node_groups])  # a Deployment: it needs nodes

        kubeconfig = pulumi.Output.secret(cluster.kubeconfig_json)
        # Whatever deploys through this provider finds nodes, DNS and its own access entries in place.
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=kubeconfig, opts=self._opts(depends_on=[*node_groups, coredns, *access]))
        self.cluster_name = self._cluster_name
        self.ip_family = pulumi.Output.from_input(self._family)
        self.endpoint = cluster.kubeconfig.apply(lambda k: _kubeconfig_cluster(k).get("server"))
        self.certificate_authority = cluster.kubeconfig.apply(lambda k: _kubeconfig_cluster(k).get("certificate-authority-data"))
        self.oidc_provider_arn = cluster.oidc_provider_arn
        self.oidc_issuer = cluster.oidc_issuer
        self.cluster_security_group_id = cluster_sg.id
        self.node_security_group_id = node_sg.id
        self.node_role_arn = node_role.arn
        self.aws_node_role_arn = aws_node_role.arn
        self.kubeconfig = kubeconfig
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "ip_family": self.ip_family,
                "endpoint": self.endpoint,
                "certificate_authority": self.certificate_authority,
                "oidc_provider_arn": self.oidc_provider_arn,
                "oidc_issuer": self.oidc_issuer,
                "cluster_security_group_id": self.cluster_security_group_id,
                "node_security_group_id": self.node_security_group_id,
                "node_role_arn": self.node_role_arn,
                "aws_node_role_arn": self.aws_node_role_arn,
                "kubeconfig": self.kubeconfig,
            }
        )

    def _opts(self, *, protect: bool = False, **kwargs: Any) -> pulumi.ResourceOptions:
        """A child's options. ``protect`` is always explicit, so a component created with
        ``protect`` does not pass it on to what EKS routinely replaces."""
        return pulumi.ResourceOptions(parent=self, protect=protect, **kwargs)

    # -- secrets encryption (R7.3) ------------------------------------------------------------

    def _secrets_key(self) -> tuple[pulumi.Input[str], aws.kms.Key | None]:
        if self._args.get("secrets_kms_key_arn"):
            return self._args["secrets_kms_key_arn"], None
        key = aws.kms.Key(
            f"{self._name}-secrets",
            description=f"Envelope encryption of Kubernetes secrets in EKS cluster {self._physical}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            tags=self._tags,
            # Losing it makes every secret in the cluster unreadable.
            opts=self._opts(protect=self._protect_core),
        )
        aws.kms.Alias(f"{self._name}-secrets", name=f"alias/{self._physical}-eks-secrets", target_key_id=key.key_id, opts=self._opts())
        return key.arn, key

    # -- security groups (R3.11, R3.13; pulumi-eks#1700) -----------------------------------------

    def _security_groups(self) -> tuple[aws.ec2.SecurityGroup, aws.ec2.SecurityGroup, list[pulumi.Resource]]:
        """The cluster and node groups, and every rule the nodes need before they boot."""
        vpc_id = self._args["vpc_id"]
        cluster_sg = aws.ec2.SecurityGroup(
            f"{self._name}-cluster",
            vpc_id=vpc_id,
            description=f"EKS control plane network interfaces of {self._physical}",
            revoke_rules_on_delete=True,
            tags={**self._tags, "Name": f"{self._physical}-cluster"},
            opts=self._opts(),
        )
        node_sg = aws.ec2.SecurityGroup(
            f"{self._name}-node",
            vpc_id=vpc_id,
            description=f"Nodes and pods of {self._physical}",
            revoke_rules_on_delete=True,
            # The load balancer controller finds the node security group by this tag.
            tags={**self._tags, "Name": f"{self._physical}-node", f"kubernetes.io/cluster/{self._physical}": "owned"},
            opts=self._opts(),
        )
        ingress, egress = aws.vpc.SecurityGroupIngressRule, aws.vpc.SecurityGroupEgressRule
        rules: list[pulumi.Resource] = [
            # Group references match both address families, so pod-to-pod over IPv6 is covered (R3.13).
            ingress(
                f"{self._name}-node-from-node",
                security_group_id=node_sg.id,
                referenced_security_group_id=node_sg.id,
                ip_protocol=ALL_TRAFFIC,
                description="Node and pod traffic between nodes, IPv4 and IPv6",
                opts=self._opts(),
            ),
            ingress(
                f"{self._name}-node-from-cluster",
                security_group_id=node_sg.id,
                referenced_security_group_id=cluster_sg.id,
                ip_protocol="tcp",
                from_port=1025,
                to_port=65535,
                description="Control plane to kubelets and pods",
                opts=self._opts(),
            ),
            ingress(
                f"{self._name}-node-from-cluster-https",
                security_group_id=node_sg.id,
                referenced_security_group_id=cluster_sg.id,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description="Control plane to webhooks on 443",
                opts=self._opts(),
            ),
            ingress(
                f"{self._name}-node-icmpv6-too-big",
                security_group_id=node_sg.id,
                cidr_ipv6="::/0",
                ip_protocol="58",
                from_port=2,
                to_port=0,
                description="ICMPv6 Packet Too Big, for path MTU discovery (R3.14)",
                opts=self._opts(),
            ),
            ingress(
                f"{self._name}-cluster-from-node",
                security_group_id=cluster_sg.id,
                referenced_security_group_id=node_sg.id,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description="Nodes and pods to the API server",
                opts=self._opts(),
            ),
        ]
        # Pulumi-created groups get no default egress: both families need their own rule (R3.11).
        for group, label in ((cluster_sg, "cluster"), (node_sg, "node")):
            for family, cidr in (("ipv4", "0.0.0.0/0"), ("ipv6", "::/0")):
                rules.append(
                    egress(
                        f"{self._name}-{label}-egress-{family}",
                        security_group_id=group.id,
                        ip_protocol=ALL_TRAFFIC,
                        description=f"All {family.replace('ipv', 'IPv')} egress" + (" (pulumi-eks#1700)" if family == "ipv6" else ""),
                        opts=self._opts(),
                        **{"cidr_ipv4" if family == "ipv4" else "cidr_ipv6": cidr},
                    )
                )
        self._private_api_access(cluster_sg)
        return cluster_sg, node_sg, rules

    def _private_api_access(self, cluster_sg: aws.ec2.SecurityGroup) -> None:
        """TCP 443 on the control plane's interfaces for who may use the private endpoint (R7.1).

        Without these only the nodes reach a private-only API; kubectl, Helm and ``pulumi up``
        from a bastion, a VPN or a CI runner in the VPC time out (EKS user guide, "Accessing a
        private only API server"). Rule names follow the CIDR or group, so reordering changes nothing.
        """
        for cidr in self._args.get("private_access_cidrs") or []:
            network = ipaddress.ip_network(cidr, strict=False)
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-api-from-{_slug(str(network))}",
                security_group_id=cluster_sg.id,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description=f"Private API endpoint from {network}",
                opts=self._opts(),
                **{"cidr_ipv6" if network.version == 6 else "cidr_ipv4": str(network)},
            )
        for index, group in enumerate(self._args.get("private_access_security_group_ids") or []):
            label = _slug(group) if isinstance(group, str) else f"group-{index}"
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-api-from-{label}",
                security_group_id=cluster_sg.id,
                referenced_security_group_id=group,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description="Private API endpoint from a trusted security group",
                opts=self._opts(),
            )

    # -- IAM (R2.1, R2.2, R7.9) --------------------------------------------------------------------

    def _node_role(self) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
        role = aws.iam.Role(
            f"{self._name}-node",
            name=f"{self._physical}-node",
            description=f"Nodes of EKS cluster {self._physical}; the VPC CNI has a role of its own",
            assume_role_policy=json.dumps(service_trust_policy("ec2.amazonaws.com")),
            tags=self._tags,
            opts=self._opts(),
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{self._name}-node-{arn.split('/')[-1]}",
                role=role.name,
                policy_arn=self._partition.apply(lambda p, i=index: node_role_policy_arns(p)[i]),
                opts=self._opts(),
            )
            for index, arn in enumerate(node_role_policy_arns())
        ]
        return role, attachments

    def _aws_node_role(self, cluster: eks.Cluster) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
        """IRSA for kube-system/aws-node with exactly the CNI permissions of the cluster's family."""
        trust = pulumi.Output.all(cluster.oidc_provider_arn, cluster.oidc_issuer).apply(
            lambda values: json.dumps(irsa_trust_policy(values[0] or "", values[1] or "", "kube-system", "aws-node"))
        )
        role = aws.iam.Role(
            f"{self._name}-aws-node",
            name=f"{self._physical}-aws-node",
            description=f"VPC CNI (kube-system/aws-node) of EKS cluster {self._physical}",
            assume_role_policy=trust,
            tags=self._tags,
            opts=self._opts(),
        )
        family = self._family
        policy = aws.iam.Policy(
            f"{self._name}-cni-{family}",
            name=f"{self._physical}-cni-{family}",
            description=f"VPC CNI permissions in {family.replace('ipv', 'IPv')} mode for {self._physical} (amazon-vpc-cni-k8s docs/iam-policy.md)",
            policy=self._partition.apply(lambda p: json.dumps(cni_policy_document(family, p))),
            tags=self._tags,
            opts=self._opts(),
        )
        attachment = aws.iam.RolePolicyAttachment(f"{self._name}-aws-node-cni", role=role.name, policy_arn=policy.arn, opts=self._opts())
        return role, [attachment]

    # -- the control plane ---------------------------------------------------------------------

    def _log_group(self) -> aws.cloudwatch.LogGroup:
        """EKS writes to this group and creates it with no retention if it does not exist yet."""
        return aws.cloudwatch.LogGroup(
            f"{self._name}-control-plane-logs",
            name=f"/aws/eks/{self._physical}/cluster",
            retention_in_days=self._args.get("log_retention_days", DEFAULT_LOG_RETENTION_DAYS),
            tags=self._tags,
            opts=self._opts(),
        )

    def _control_plane(self, key_arn: pulumi.Input[str], cluster_sg: aws.ec2.SecurityGroup, before: list[pulumi.Resource]) -> eks.Cluster:
        args = self._args
        public = args.get("endpoint_public_access", False)
        transforms = [] if args.get("cluster_creator_admin", True) else [no_creator_admin]
        return eks.Cluster(
            f"{self._name}-eks",
            name=self._physical,
            version=args["kubernetes_version"],
            # R1.1: the family is fixed at creation; a different value replaces the cluster.
            ip_family=self._family,
            # R1.9: only IPv4 clusters have a service range to choose.
            kubernetes_service_ip_address_range=args.get("service_ipv4_cidr") if self._family == "ipv4" else None,
            vpc_id=args["vpc_id"],
            # pulumi-eks#1520: never let it discover subnets from route tables that hold ::/0.
            private_subnet_ids=[s["id"] for s in args["control_plane_subnets"]],
            node_subnet_ids=[s["id"] for s in args["node_subnets"]],
            skip_default_node_group=True,
            skip_default_security_groups=True,
            cluster_security_group=cluster_sg,
            endpoint_private_access=True,  # R7.1
            endpoint_public_access=public,
            public_access_cidrs=args.get("public_access_cidrs") if public else None,
            # API only: with the aws-auth ConfigMap pulumi-eks would overwrite it through its own
            # connection to the API server. Access entries are ours (below), so none go here.
            authentication_mode=eks.AuthenticationMode.API,
            create_oidc_provider=True,
            enabled_cluster_log_types=list(CONTROL_PLANE_LOG_TYPES),  # R7.4
            encryption_config_key_arn=key_arn,  # R7.3
            # The add-ons are ours (below), so they are configured and ordered around the nodes.
            use_default_vpc_cni=True,
            bootstrap_self_managed_addons=False,
            kube_proxy_addon_options=eks.KubeProxyAddonOptionsArgs(enabled=False),
            coredns_addon_options=eks.CoreDnsAddonOptionsArgs(enabled=False),
            deletion_protection=args.get("deletion_protection", False),
            tags=self._tags,
            # R1.1: a changed IP family replaces the cluster and everything in it; protect says no.
            opts=self._opts(protect=self._protect_core, depends_on=before, transforms=transforms),
        )

    def _access_entries(self, cluster: eks.Cluster) -> list[pulumi.Resource]:
        """One access entry per principal, with its policies: ours, not pulumi-eks's, so adding or
        removing a person is never blocked by the control plane's ``protect``."""
        resources: list[pulumi.Resource] = []
        for key, entry in (self._args.get("access_entries") or {}).items():
            access_entry = aws.eks.AccessEntry(
                f"{self._name}-access-{key}",
                cluster_name=self._cluster_name,
                principal_arn=entry["principal_arn"],
                kubernetes_groups=entry.get("kubernetes_groups"),
                type="STANDARD",
                tags=self._tags,
                opts=self._opts(depends_on=[cluster]),
            )
            resources.append(access_entry)
            namespaces = entry.get("namespaces")
            for policy in entry.get("policies", ["AmazonEKSClusterAdminPolicy"]):
                resources.append(
                    aws.eks.AccessPolicyAssociation(
                        f"{self._name}-access-{key}-{policy.split('/')[-1]}",
                        cluster_name=self._cluster_name,
                        principal_arn=access_entry.principal_arn,
                        policy_arn=self._partition.apply(lambda p, policy=policy: access_policy_arn(policy, p)),
                        access_scope={"type": "namespace", "namespaces": namespaces} if namespaces else {"type": "cluster"},
                        opts=self._opts(),
                    )
                )
        return resources

    # -- add-ons (R2.3, R2.5, R2.6, R5.1, R5.2, R7.8) ---------------------------------------------

    def _addons_before_nodes(self, cluster: eks.Cluster, aws_node_role: aws.iam.Role, cni_ready: list) -> list[aws.eks.Addon]:
        cni = self._addon(
            "vpc-cni",
            depends_on=[cluster, *cni_ready],
            service_account_role_arn=aws_node_role.arn,
            configuration_values=json.dumps(vpc_cni_configuration(self._family, self._args.get("network_policy", True))),
        )
        return [cni, self._addon("kube-proxy", depends_on=[cluster]), self._addon("eks-pod-identity-agent", depends_on=[cluster])]

    def _addon(self, addon: str, depends_on: list, **extra: Any) -> aws.eks.Addon:
        # Pinned, never "EKS's default today": a later pulumi up must not move an add-on by itself.
        version = pinned_addon_versions(self._args["kubernetes_version"], self._args.get("addon_versions"))[addon]
        return aws.eks.Addon(
            f"{self._name}-{addon}",
            cluster_name=self._cluster_name,
            addon_name=addon,
            addon_version=version,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            tags=self._tags,
            **extra,
            opts=self._opts(depends_on=depends_on),
        )

    # -- nodes (R1.11, R1.12, R2.7, R2.10, R6.1, R7.5, R7.7) ----------------------------------

    def _node_group(
        self, group_name: str, group: NodeGroupArgs, node_sg: aws.ec2.SecurityGroup, node_role: aws.iam.Role, depends_on: list
    ) -> aws.eks.NodeGroup:
        name = f"{self._name}-{group_name}"
        ami_type = group.get("ami_type", DEFAULT_AMI_TYPE)
        # Bottlerocket keeps its OS on xvda and containers on xvdb; AL2023 has one root volume.
        device = "/dev/xvdb" if ami_type.startswith("BOTTLEROCKET") else "/dev/xvda"
        # What EKS launches gets no provider default tags: the launch template carries them.
        node_tags = {**(self._args.get("node_tags") or {}), **self._tags, "Name": f"{self._physical}-{group_name}"}
        template = aws.ec2.LaunchTemplate(
            name,
            description=f"Nodes of {self._physical}/{group_name}: IMDSv2 only, no IPv6 IMDS endpoint",
            update_default_version=True,
            # No image_id: EKS picks the AMI of ami_type and computes max pods itself (R2.7).
            vpc_security_group_ids=[node_sg.id],
            metadata_options=metadata_options(group.get("imds_hop_limit", 1)),
            block_device_mappings=[
                {
                    "device_name": device,
                    "ebs": {
                        "volume_size": group.get("disk_size", 50),
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            tag_specifications=[{"resource_type": kind, "tags": node_tags} for kind in ("instance", "volume", "network-interface")],
            tags=self._tags,
            opts=self._opts(),
        )
        low = group.get("min_size", 2)
        return aws.eks.NodeGroup(
            name,
            cluster_name=self._cluster_name,
            # Follow the control plane: EKS refuses the next upgrade while a group lags behind.
            version=self._args["kubernetes_version"],
            node_group_name_prefix=f"{group_name}-",
            node_role_arn=node_role.arn,
            subnet_ids=[s["id"] for s in self._args["node_subnets"]],
            instance_types=group["instance_types"],
            ami_type=ami_type,
            capacity_type=group.get("capacity_type", "ON_DEMAND"),
            scaling_config={"min_size": low, "max_size": group.get("max_size", 4), "desired_size": group.get("desired_size", low)},
            labels=group.get("labels"),
            taints=[{"key": t["key"], "value": t.get("value"), "effect": t["effect"]} for t in group.get("taints", [])] or None,
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            update_config={"max_unavailable": 1},
            tags=self._tags,
            # The CNI and kube-proxy are configured, and the security-group rules in place, before the first node boots.
            opts=self._opts(depends_on=depends_on, ignore_changes=["scalingConfig.desiredSize"]),
        )


def no_creator_admin(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    """A transform for pulumi-eks's ``aws:eks/cluster:Cluster`` child: the identity that creates the
    cluster does not become its admin (EKS's default, which pulumi-eks does not expose).

    EKS reads the setting only at creation; changing it later replaces the cluster.
    """
    if args.type_ != "aws:eks/cluster:Cluster":
        return None
    props = dict(args.props)
    access = dict(props.get("accessConfig") or props.get("access_config") or {})
    access[CREATOR_ADMIN_PROPERTY] = False
    props["accessConfig"] = access
    props.pop("access_config", None)
    return pulumi.ResourceTransformResult(props, args.opts)


def _slug(text: str) -> str:
    """A resource-name-safe form of a CIDR or an id: ``10.0.0.0/8`` -> ``10-0-0-0-8``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def _kubeconfig_cluster(kubeconfig: Any) -> dict[str, Any]:
    """The ``cluster`` section of pulumi-eks's kubeconfig (a mapping, JSON or YAML), or ``{}``."""
    if isinstance(kubeconfig, str):
        kubeconfig = yaml.safe_load(kubeconfig)
    clusters = (kubeconfig if isinstance(kubeconfig, dict) else {}).get("clusters") or [{}]
    return (clusters[0] or {}).get("cluster") or {}
