"""ipv6-eks: composition only - load the stack's configuration, build the components, export.

Everything that can be wrong with a stack file is reported by ``stack_config`` before the first
resource is registered; the components validate their own arguments the same way.
"""

import pulumi
import pulumi_aws as aws

import stack_config
from components.dual_stack_vpc import DualStackVpc
from components.ipv6_eks_cluster import Ipv6EksCluster
from components.lb_controller import LbController
from components.web_sample import WebSample


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
            # instances and volumes that EKS launches get the tags through their launch template
            "node_tags": default_tags(config, "Ipv6EksCluster", cluster_name),
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
