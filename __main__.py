"""ipv6-eks: composition only - load the stack's configuration, build the components, export.

Everything that can be wrong with a stack file is reported by ``stack_config`` before the first
resource is registered; the components validate their own arguments the same way.
"""

import pulumi
import pulumi_aws as aws

import stack_config
from ipv6_eks.dual_stack_vpc import DualStackVpc
from ipv6_eks.ipv6_eks_cluster import Ipv6EksCluster
from ipv6_eks.istio_multi_primary import IstioMultiPrimary
from ipv6_eks.lb_controller import LbController
from ipv6_eks.web_sample import WebSample


def region_zones(region: str) -> list[stack_config.Zone]:
    """The region's standard availability zones (no Local or Wavelength Zones)."""
    zones = aws.get_availability_zones(
        state="available",
        filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
        region=region,
    )
    names = list(zones.names or [])
    ids = list(zones.zone_ids or [])
    ids += [""] * (len(names) - len(ids))
    return [stack_config.Zone(name, zone_id) for name, zone_id in zip(names, ids, strict=False)]


def default_tags(config: stack_config.StackConfig, component: str, name: str) -> dict[str, str]:
    return {"project": stack_config.PROJECT, "stack": config.stack, "component": f"{component}/{name}"}


def aws_provider(config: stack_config.StackConfig, component: str, name: str) -> aws.Provider:
    """One provider per component, so every AWS resource carries project, stack and component tags."""
    tags = default_tags(config, component, name)
    return aws.Provider(f"aws-{component}-{name}", region=config.region, default_tags={"tags": tags})


def egress_cidrs(vpc: DualStackVpc) -> pulumi.Output[list[str]]:
    """Where a VPC's traffic to the internet comes from: its NAT gateways' IPv4 and its IPv6 block."""
    return pulumi.Output.all(vpc.nat_public_ips, vpc.ipv6_cidr_block).apply(
        lambda v: [f"{ip}/32" for ip in v[0]] + ([v[1]] if v[1] else [])
    )


def public_access(plan: stack_config.ClusterPlan) -> pulumi.Input[list[str]] | None:
    """The cluster's public allow-list plus, in a multi-network mesh, its peers' egress (IPv4 /32s
    everywhere; IPv6 blocks only where the endpoint is dual-stack, on IPv6 clusters)."""
    listed = plan.args.get("public_access_cidrs")
    if not plan.mesh_peers:
        return listed
    ipv6 = plan.args.get("ip_family", "ipv6") == "ipv6"
    peers = [egress_cidrs(vpcs[config.clusters[peer].vpc]) for peer in plan.mesh_peers]
    return pulumi.Output.all(*peers).apply(
        lambda lists: [*(listed or []), *sorted({c for cidrs in lists for c in cidrs if ipv6 or ":" not in c})]
    )


config = stack_config.from_pulumi(region_zones)

vpcs = {}
for vpc_name, network in config.vpcs.items():
    vpcs[vpc_name] = DualStackVpc(
        vpc_name,
        # protect reaches the VPC, its IPv6 block and its subnets - not gateways and routes.
        {**network.args, "protect": config.production},
        pulumi.ResourceOptions(provider=aws_provider(config, "DualStackVpc", vpc_name)),
    )

clusters = {}
for cluster_name, plan in config.clusters.items():
    vpc = vpcs[plan.vpc]
    clusters[cluster_name] = Ipv6EksCluster(
        cluster_name,
        {
            **plan.args,
            "vpc_id": vpc.vpc_id,
            "control_plane_subnets": vpc.tier_subnets(plan.control_plane_tier),
            "node_subnets": vpc.tier_subnets(plan.node_tier),
            "public_access_cidrs": public_access(plan),
            # instances and volumes that EKS launches get the tags through their launch template
            "node_tags": default_tags(config, "Ipv6EksCluster", cluster_name),
            "nodes_depend_on": [vpc],  # nodes boot with their NAT and egress-only routes in place
        },
        pulumi.ResourceOptions(provider=aws_provider(config, "Ipv6EksCluster", cluster_name)),
    )

controllers = {}
for cluster_name, plan in config.clusters.items():
    if plan.load_balancer_controller is None:
        continue
    cluster, vpc = clusters[cluster_name], vpcs[plan.vpc]
    controllers[cluster_name] = LbController(
        f"{cluster_name}-lbc",
        {
            **plan.load_balancer_controller,
            "cluster_name": cluster.cluster_name,
            "ip_family": plan.args.get("ip_family", "ipv6"),
            "region": config.region,
            "vpc_id": vpc.vpc_id,
            "oidc_provider_arn": cluster.oidc_provider_arn,
            "oidc_issuer": cluster.oidc_issuer,
            "kubernetes_provider": cluster.provider,
            "cluster_security_group_id": cluster.cluster_security_group_id,
            "node_security_group_id": cluster.node_security_group_id,
            "subnets": vpc.load_balancer_subnets(),
            "load_balancer_tags": default_tags(config, "LbController", cluster_name),
        },
        # The controller and the load balancers it makes go before the VPC's gateways and subnets.
        pulumi.ResourceOptions(provider=aws_provider(config, "LbController", cluster_name), depends_on=[vpc]),
    )
    if plan.web_sample is not None:
        WebSample(f"{cluster_name}-web", {**plan.web_sample, "load_balancer_controller": controllers[cluster_name]})

mesh = None
if config.mesh is not None:
    members = []
    for member in config.mesh.members:
        cluster, vpc = clusters[member], vpcs[config.clusters[member].vpc]
        members.append(
            {
                "name": member,
                "ip_family": config.clusters[member].args.get("ip_family", "ipv6"),
                "network": config.mesh.networks[member],
                "endpoint": cluster.endpoint,
                "certificate_authority": cluster.certificate_authority,
                "kubernetes_provider": cluster.provider,
                "node_security_group_id": cluster.node_security_group_id,
                "cluster_security_group_id": cluster.cluster_security_group_id,
                "egress_cidrs": egress_cidrs(vpc),
                "load_balancer_subnets": vpc.load_balancer_subnets(),
                "depends_on": [controllers[member]] if member in controllers else [],
            }
        )
    mesh = IstioMultiPrimary(
        "mesh",
        {**config.mesh.args, "members": members},
        pulumi.ResourceOptions(providers=[aws_provider(config, "IstioMultiPrimary", "mesh")]),
    )

pulumi.export(
    "vpcs",
    {
        name: {
            "vpc_id": vpc.vpc_id,
            "ipv4_cidr_block": vpc.ipv4_cidr_block,
            "ipv6_cidr_block": vpc.ipv6_cidr_block,
            "subnet_ids": vpc.subnet_ids,
            "nat_public_ips": vpc.nat_public_ips,
            "address_plan": vpc.address_plan,
        }
        for name, vpc in vpcs.items()
    },
)
pulumi.export(
    "clusters",
    {
        name: {
            "name": cluster.cluster_name,
            "ip_family": cluster.ip_family,
            "endpoint": cluster.endpoint,
            "oidc_provider_arn": cluster.oidc_provider_arn,
            "node_security_group_id": cluster.node_security_group_id,
            "load_balancer_controller_role_arn": controllers[name].role_arn if name in controllers else None,
            "kubeconfig": cluster.kubeconfig,
        }
        for name, cluster in clusters.items()
    },
)
if mesh is not None:
    pulumi.export(
        "mesh",
        {
            "members": list(config.mesh.members),
            "network_model": config.mesh.args["network_model"],
            "istio_version": mesh.istio_version,
            "root_certificate_pem": mesh.root_certificate_pem,
            "remote_secrets": mesh.remote_secrets,
            "samples": config.mesh.args["samples"],
        },
    )
