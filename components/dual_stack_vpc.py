"""DualStackVpc: a VPC with an IPv4 CIDR and an IPv6 block, /64 subnets and routes for both families.

What it builds, in order:

1. the VPC (DNS support and hostnames on, R1.10) with its IPv6 block - Amazon-provided /56,
   from an IPAM pool, or from a BYOIP pool through a CIDR association - or adopts an existing one;
2. an internet gateway (public tiers) and an egress-only internet gateway (private tiers, and
   isolated tiers with IPv6 egress) - pulumi-awsx creates no egress-only gateway (awsx#2143);
3. NAT gateways: none, one, or one per AZ, in the first public IPv4 tier;
4. one subnet per tier and AZ, waiting for the VPC's IPv6 block (R3.3), with IPv6 auto-assign,
   DNS64 only on IPv6-only tiers (R3.8), and the load-balancer discovery tags (R4.6);
5. route tables, their default routes (R3.4, R3.5, R3.7, R3.9) and associations.

Every resource is a child of the component; the provider's default tags (project, stack,
component) reach all of them.
"""

from typing import Any

import pulumi
import pulumi_aws as aws

from .addressing import SubnetPlan, ipv6_subnet_cidr
from .vpc_spec import (
    ELB_ROLE_TAG,
    INTERNAL_ELB_ROLE_TAG,
    DualStackVpcArgs,
    RouteSpec,
    VpcPlan,
    adopted_vpc_problems,
    dns64_enabled,
    plan_vpc,
    static_ipv6_block,
    tier_subnets,
)

TYPE_TOKEN = "ipv6-eks:index:DualStackVpc"


class DualStackVpc(pulumi.ComponentResource):
    """A dual-stack VPC for EKS: IPv4 + IPv6 /64 subnets per tier and AZ, with working routes."""

    vpc_id: pulumi.Output[str]
    """The VPC's id."""
    ipv4_cidr_block: pulumi.Output[str]
    """The VPC's IPv4 CIDR."""
    ipv6_cidr_block: pulumi.Output[str]
    """The VPC's IPv6 block (an Amazon-provided /56 unless configured otherwise)."""
    subnet_ids: pulumi.Output[dict[str, list[str]]]
    """Subnet ids by tier name, in availability-zone order."""
    subnet_ids_by_az: pulumi.Output[dict[str, dict[str, str]]]
    """Subnet ids by tier name, then availability zone."""
    route_table_ids: pulumi.Output[dict[str, list[str]]]
    """Route table ids by tier name (one per tier, or one per AZ where routes use a per-AZ NAT)."""
    internet_gateway_id: pulumi.Output[str]
    """The internet gateway's id (empty when there is no public tier)."""
    egress_only_gateway_id: pulumi.Output[str]
    """The egress-only internet gateway's id (empty when no tier routes IPv6 through one)."""
    nat_gateway_ids: pulumi.Output[list[str]]
    """NAT gateway ids, in availability-zone order."""
    nat_public_ips: pulumi.Output[list[str]]
    """The NAT gateways' public IPv4 addresses: where the VPC's IPv4 traffic to the internet comes from."""
    address_plan: pulumi.Output[list[dict[str, Any]]]
    """Every subnet: tier, role, ip mode, AZ, IPv4 CIDR, IPv6 /64 and its default routes."""

    def __init__(self, name: str, args: DualStackVpcArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        plan = plan_vpc(args)  # raises on bad arguments before anything is registered
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._plan = plan
        self._tags = dict(args.get("tags", {}))
        self._protect = bool(args.get("protect", False))
        # protect is explicit on every child: only the VPC, its IPv6 block and its subnets get it.
        child = pulumi.ResourceOptions(parent=self, protect=False)
        kept = pulumi.ResourceOptions(parent=self, protect=self._protect)

        vpc_id, ipv4_cidr, ipv6_block, ipv6_ready = self._vpc(args, kept)
        subnet_block = static_ipv6_block(args) or ipv6_block  # known at preview when configured
        igw = self._internet_gateway(vpc_id, args, child)
        eigw_id = self._egress_only_gateway(vpc_id, args, child)
        subnets = {s.name: self._subnet(s, vpc_id, subnet_block, ipv6_ready) for s in plan.subnets}
        self._subnets = subnets
        nat_gateways = self._nat_gateways(subnets, igw)
        targets = {"internet-gateway": _id_of(igw), "egress-only-gateway": eigw_id}
        route_tables = self._route_tables(vpc_id, subnets, targets, nat_gateways)

        self.vpc_id = pulumi.Output.from_input(vpc_id)
        self.ipv4_cidr_block = pulumi.Output.from_input(ipv4_cidr)
        self.ipv6_cidr_block = pulumi.Output.from_input(ipv6_block)
        self.subnet_ids = pulumi.Output.all(
            **{t: pulumi.Output.all(*[subnets[s.name].id for s in plan.subnets if s.tier == t]) for t in plan.routes}
        )
        self.subnet_ids_by_az = pulumi.Output.all(
            **{t: pulumi.Output.all(**{s.availability_zone: subnets[s.name].id for s in plan.subnets if s.tier == t}) for t in plan.routes}
        )
        self.route_table_ids = pulumi.Output.all(**{t: pulumi.Output.all(*[rt.id for rt in route_tables[t]]) for t in plan.routes})
        self.internet_gateway_id = pulumi.Output.from_input(_id_of(igw) or "")
        self.egress_only_gateway_id = pulumi.Output.from_input(eigw_id or "")
        self.nat_gateway_ids = pulumi.Output.all(*[nat.id for nat in nat_gateways.values()])
        # From the Elastic IPs, not the NAT gateways: the addresses are known (and can be allow-listed
        # by peers) minutes before the gateways are up.
        self.nat_public_ips = pulumi.Output.all(*[eip.public_ip for eip in self._nat_eips])
        self.address_plan = pulumi.Output.from_input(ipv6_block).apply(lambda block: address_plan(plan, block))
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "ipv4_cidr_block": self.ipv4_cidr_block,
                "ipv6_cidr_block": self.ipv6_cidr_block,
                "subnet_ids": self.subnet_ids,
                "subnet_ids_by_az": self.subnet_ids_by_az,
                "route_table_ids": self.route_table_ids,
                "internet_gateway_id": self.internet_gateway_id,
                "egress_only_gateway_id": self.egress_only_gateway_id,
                "nat_gateway_ids": self.nat_gateway_ids,
                "nat_public_ips": self.nat_public_ips,
                "address_plan": self.address_plan,
            }
        )

    def tier_subnets(self, tier: str) -> list[dict[str, Any]]:
        """A tier's subnets with the facts consumers check: id, availability zone, IP mode, role.

        This is the shape of ``Ipv6EksCluster``'s ``control_plane_subnets`` and ``node_subnets``.
        """
        return [{**facts, "id": self._subnets[f"{tier}-{facts['availability_zone']}"].id} for facts in tier_subnets(self._plan, tier)]

    def load_balancer_subnets(self) -> list[dict[str, str]]:
        """Every subnet's availability zone, IP mode and role: what a load balancer controller's
        subnet discovery (by role tag, R4.6) would find. The shape of LbController's ``subnets``."""
        return [{"availability_zone": s.availability_zone, "ip_mode": s.ip_mode, "role": s.role} for s in self._plan.subnets]

    # -- the VPC and its IPv6 block ------------------------------------------------------------

    def _vpc(self, args: DualStackVpcArgs, kept: pulumi.ResourceOptions):
        """(vpc id, IPv4 CIDR, IPv6 block, the resource subnets must wait for); ``kept`` carries
        the protection the VPC and its IPv6 block get."""
        existing = args.get("existing")
        if existing:
            return existing["vpc_id"], self._verified_adoption(args), existing["ipv6_cidr_block"], []
        six = args.get("ipv6", {"source": "amazon"})
        source = six.get("source", "amazon")
        ipv6_inputs: dict[str, Any] = {}
        if source == "amazon":
            ipv6_inputs["assign_generated_ipv6_cidr_block"] = True
        elif source == "ipam":
            ipv6_inputs["ipv6_ipam_pool_id"] = six["ipam_pool_id"]
            if "cidr" in six:
                ipv6_inputs["ipv6_cidr_block"] = six["cidr"]
            else:
                ipv6_inputs["ipv6_netmask_length"] = six.get("netmask_length", self._plan.ipv6_prefix_length)
        vpc = aws.ec2.Vpc(
            self._name,
            cidr_block=args["ipv4_cidr"],
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=self._tagged(self._name),
            **ipv6_inputs,
            opts=kept,
        )
        if source != "byoip":
            return vpc.id, vpc.cidr_block, vpc.ipv6_cidr_block, [vpc]
        # A BYOIP pool can only be reached through a CIDR association (aws.ec2.Vpc has no pool input).
        association = aws.ec2.VpcIpv6CidrBlockAssociation(
            f"{self._name}-ipv6",
            vpc_id=vpc.id,
            ipv6_pool=six["pool_id"],
            ipv6_cidr_block=six["cidr"],
            opts=kept,
        )
        return vpc.id, vpc.cidr_block, association.ipv6_cidr_block, [association]

    def _verified_adoption(self, args: DualStackVpcArgs) -> pulumi.Output[str]:
        """The adopted VPC's IPv4 CIDR, after warning about anything AWS describes differently."""
        found = aws.ec2.get_vpc_output(id=args["existing"]["vpc_id"], opts=pulumi.InvokeOutputOptions(parent=self))

        def verify(values: list) -> str:
            cidr, associations, dns_support, dns_hostnames = values
            blocks = [block for a in associations or [] if (block := _field(a, "ipv6_cidr_block", "ipv6CidrBlock"))]
            # A warning, shown at preview: AWS then refuses the subnets that do not fit.
            for problem in adopted_vpc_problems(args, cidr, blocks, dns_support, dns_hostnames):
                pulumi.log.warn(problem, resource=self)
            return args["ipv4_cidr"]

        return pulumi.Output.all(
            found.cidr_block, found.ipv6_cidr_block_associations, found.enable_dns_support, found.enable_dns_hostnames
        ).apply(verify)

    # -- gateways ----------------------------------------------------------------------------

    def _internet_gateway(self, vpc_id, args: DualStackVpcArgs, child: pulumi.ResourceOptions):
        """The internet gateway we create, the id of an adopted one, or None."""
        existing = args.get("existing", {}).get("internet_gateway_id")
        if existing or not self._plan.needs_internet_gateway:
            return existing
        return aws.ec2.InternetGateway(f"{self._name}-igw", vpc_id=vpc_id, tags=self._tagged(f"{self._name}-igw"), opts=child)

    def _egress_only_gateway(self, vpc_id, args: DualStackVpcArgs, child: pulumi.ResourceOptions):
        existing = args.get("existing", {}).get("egress_only_gateway_id")
        if existing or not self._plan.needs_egress_only_gateway:
            return existing
        eigw = aws.ec2.EgressOnlyInternetGateway(f"{self._name}-eigw", vpc_id=vpc_id, tags=self._tagged(f"{self._name}-eigw"), opts=child)
        return eigw.id

    def _nat_gateways(self, subnets: dict[str, aws.ec2.Subnet], igw) -> dict[str, aws.ec2.NatGateway]:
        """One NAT gateway per AZ in ``plan.nat_azs``, in the first public IPv4 tier."""
        nats = {}
        self._nat_eips: list[aws.ec2.Eip] = []
        for az in self._plan.nat_azs:
            name = f"{self._name}-nat-{az}"
            eip = aws.ec2.Eip(f"{name}-eip", domain="vpc", tags=self._tagged(f"{name}-eip"), opts=self._child())
            self._nat_eips.append(eip)
            nats[az] = aws.ec2.NatGateway(
                name,
                allocation_id=eip.id,
                subnet_id=subnets[f"{self._plan.nat_tier}-{az}"].id,
                connectivity_type="public",
                tags=self._tagged(name),
                # A public NAT gateway needs the internet gateway attached first.
                opts=self._child(depends_on=[igw] if isinstance(igw, pulumi.Resource) else []),
            )
        return nats

    # -- subnets ------------------------------------------------------------------------------

    def _subnet(self, s: SubnetPlan, vpc_id, ipv6_block, ipv6_ready: list) -> aws.ec2.Subnet:
        has_ipv6 = s.ipv6_index is not None
        ipv6_only = s.ip_mode == "ipv6-only"
        ipv6_cidr = None
        if has_ipv6:
            index = s.ipv6_index
            # (a block is always known after deployment; mocks that omit it leave the /64 unset)
            ipv6_cidr = pulumi.Output.from_input(ipv6_block).apply(lambda block: ipv6_subnet_cidr(block, index) if block else None)
        role_tags = {"public": {ELB_ROLE_TAG: "1"}, "private": {INTERNAL_ELB_ROLE_TAG: "1"}}.get(s.role, {})
        name = f"{self._name}-{s.name}"
        return aws.ec2.Subnet(
            name,
            vpc_id=vpc_id,
            availability_zone=s.availability_zone,
            cidr_block=s.ipv4_cidr,
            ipv6_cidr_block=ipv6_cidr,
            ipv6_native=ipv6_only,
            assign_ipv6_address_on_creation=has_ipv6,
            enable_dns64=dns64_enabled(s.role, s.ip_mode),
            enable_resource_name_dns_aaaa_record_on_launch=has_ipv6,
            enable_resource_name_dns_a_record_on_launch=False if ipv6_only else None,
            private_dns_hostname_type_on_launch="resource-name" if ipv6_only else None,
            map_public_ip_on_launch=False,
            tags=self._tagged(name, tier=s.tier, role=s.role, **role_tags),
            # R3.3: a subnet with an IPv6 CIDR is created only after the VPC's IPv6 block exists.
            opts=pulumi.ResourceOptions(parent=self, protect=self._protect, depends_on=ipv6_ready if has_ipv6 else []),
        )

    # -- routing ------------------------------------------------------------------------------

    def _route_tables(self, vpc_id, subnets, targets, nat_gateways) -> dict[str, list[aws.ec2.RouteTable]]:
        """A route table per ``plan.route_table_key``, with its default routes and associations."""
        tables: dict[str, aws.ec2.RouteTable] = {}
        by_tier: dict[str, list[aws.ec2.RouteTable]] = {tier: [] for tier in self._plan.routes}
        for s in self._plan.subnets:
            key = self._plan.route_table_key(s)
            if key not in tables:
                name = f"{self._name}-{key}-rt"
                tables[key] = aws.ec2.RouteTable(name, vpc_id=vpc_id, tags=self._tagged(name, tier=s.tier), opts=self._child())
                by_tier[s.tier].append(tables[key])
                nat = nat_gateways.get(self._plan.nat_az_for(s)) if self._plan.nat_azs else None
                for route in self._plan.routes[s.tier]:
                    self._route(f"{self._name}-{key}", tables[key], route, targets, nat)
            aws.ec2.RouteTableAssociation(
                f"{self._name}-{s.name}-rta",
                subnet_id=subnets[s.name].id,
                route_table_id=tables[key].id,
                opts=self._child(),
            )
        return by_tier

    def _route(self, prefix: str, table: aws.ec2.RouteTable, route: RouteSpec, targets, nat) -> aws.ec2.Route:
        destination = {"destination_ipv6_cidr_block" if route.is_ipv6 else "destination_cidr_block": route.destination}
        if route.target == "nat-gateway":
            target = {"nat_gateway_id": nat.id}
        elif route.target == "egress-only-gateway":
            target = {"egress_only_gateway_id": targets["egress-only-gateway"]}
        else:
            target = {"gateway_id": targets["internet-gateway"]}
        label = {"0.0.0.0/0": "ipv4-default", "::/0": "ipv6-default", "64:ff9b::/96": "nat64"}[route.destination]
        return aws.ec2.Route(f"{prefix}-{label}", route_table_id=table.id, **destination, **target, opts=self._child())

    def _child(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, protect=False, **kwargs)

    def _tagged(self, name: str, **extra: str) -> dict[str, str]:
        """The resource's own tags; project, stack and component come from the provider."""
        return {**self._tags, "Name": f"{pulumi.get_stack()}-{name}", **extra}


def _field(value: Any, attribute: str, key: str) -> Any:
    """A field of an invoke result, whether the SDK handed it over typed or as a plain dict."""
    found = getattr(value, attribute, None)
    if found is None and isinstance(value, dict):
        found = value.get(key, value.get(attribute))
    return found


def _id_of(resource_or_id):
    return resource_or_id.id if isinstance(resource_or_id, pulumi.Resource) else resource_or_id


def address_plan(plan: VpcPlan, ipv6_block: str) -> list[dict[str, Any]]:
    """The plan as plain rows: what a reviewer checks subnet by subnet."""
    return [
        {
            "tier": s.tier,
            "role": s.role,
            "ip_mode": s.ip_mode,
            "availability_zone": s.availability_zone,
            "ipv4_cidr": s.ipv4_cidr,
            "ipv6_cidr": ipv6_subnet_cidr(ipv6_block, s.ipv6_index) if s.ipv6_index is not None and ipv6_block else None,
            "routes": {r.destination: r.target for r in plan.routes[s.tier]},
        }
        for s in plan.subnets
    ]
