"""DualStackVpc's arguments, their validation, and the routing plan - plain data, no Pulumi.

The stack configuration and the component both call ``check_vpc_args`` so a stack file and a
direct caller of the component get the same answer, before anything is registered.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NotRequired, TypedDict

from .addressing import (
    AMAZON_IPV6_PREFIX,
    DEFAULT_AZ_SLOTS,
    IPAM_IPV6_PREFIXES,
    SubnetPlan,
    TierSpec,
    check_plan,
    parse_ipv6_cidr,
    plan_subnets,
)
from .errors import ArgumentError, raise_if_any

NAT_MODES = ("none", "single", "per-az")
IPV6_SOURCES = ("amazon", "ipam", "byoip")
NAT64_PREFIX = "64:ff9b::/96"  # R3.9: the well-known NAT64 prefix, routed to a NAT gateway
IPV4_DEFAULT = "0.0.0.0/0"
IPV6_DEFAULT = "::/0"
ELB_ROLE_TAG = "kubernetes.io/role/elb"  # R4.6: internet-facing load balancers
INTERNAL_ELB_ROLE_TAG = "kubernetes.io/role/internal-elb"  # R4.6: internal load balancers


class SubnetTierArgs(TypedDict):
    """One subnet tier: a subnet in every availability zone, all alike."""

    name: str
    """Tier name, used in resource names and the ``tier`` tag (e.g. ``private``)."""
    role: str
    """``public`` (routes to the internet gateway), ``private`` (NAT gateway and egress-only
    gateway) or ``isolated`` (no IPv4 egress; IPv6 egress only with ``ipv6_egress``)."""
    ip_mode: NotRequired[str]
    """``ipv4``, ``dualstack`` (default) or ``ipv6-only`` (no IPv4 CIDR; DNS64 and NAT64)."""
    ipv4_prefix_length: NotRequired[int]
    """Size of each subnet's IPv4 CIDR (16..28); required unless the tier is IPv6-only."""
    ipv4_offset: NotRequired[int]
    """Where the tier's block starts, as a ``cidrsubnet`` netnum of its own prefix length;
    by default right after the previous tier's block."""
    ipv6_indexes: NotRequired[list[int]]
    """Explicit /64 number of each AZ's subnet within the VPC's IPv6 block, in AZ order."""
    ipv6_egress: NotRequired[bool]
    """Isolated tiers only: route ``::/0`` to the egress-only internet gateway."""


class Ipv6BlockArgs(TypedDict):
    """Where the VPC's IPv6 block comes from (R3.1)."""

    source: str
    """``amazon`` (an Amazon-provided /56), ``ipam`` or ``byoip``."""
    ipam_pool_id: NotRequired[str]
    """IPAM pool to allocate from (source ``ipam``)."""
    netmask_length: NotRequired[int]
    """Size IPAM allocates: 44, 48, 52, 56 (default) or 60 (source ``ipam``)."""
    pool_id: NotRequired[str]
    """Your BYOIP IPv6 pool, ``ipv6pool-ec2-...`` (source ``byoip``)."""
    cidr: NotRequired[str]
    """The block to take: required for ``byoip``, optional for ``ipam`` (instead of a size)."""


class ExistingVpcArgs(TypedDict):
    """A VPC created elsewhere, which already has its IPv6 block."""

    vpc_id: str
    """Its id, ``vpc-...``."""
    ipv6_cidr_block: str
    """The IPv6 block associated with it, from which the subnets' /64s are carved."""
    internet_gateway_id: NotRequired[str]
    """Its internet gateway, if it has one (a VPC can have only one); created otherwise."""
    egress_only_gateway_id: NotRequired[str]
    """Its egress-only internet gateway, if it has one; created otherwise."""


class DualStackVpcArgs(TypedDict):
    """Arguments of ``DualStackVpc``."""

    ipv4_cidr: str
    """The VPC's IPv4 CIDR, /16 to /28 (for an existing VPC: the CIDR it has)."""
    availability_zones: list[str]
    """Availability zone names, at least two; subnets are laid out in this order."""
    tiers: list[SubnetTierArgs]
    """Subnet tiers, laid out in this order; append new tiers at the end."""
    az_slots: NotRequired[int]
    """Subnets reserved per tier in both families (default 4), so AZs can be added later."""
    nat_gateways: NotRequired[str]
    """``none``, ``single`` (default; in the first AZ) or ``per-az``."""
    ipv6: NotRequired[Ipv6BlockArgs]
    """Source of the IPv6 block; an Amazon-provided /56 by default."""
    existing: NotRequired[ExistingVpcArgs]
    """Adopt an existing VPC instead of creating one."""
    tags: NotRequired[dict[str, str]]
    """Extra tags for every resource (the provider's default tags still apply)."""
    protect: NotRequired[bool]
    """Pulumi ``protect`` on what losing would hurt: the VPC, its IPv6 block and its subnets
    (default false). Gateways, NAT gateways, route tables and routes are never protected."""


@dataclass(frozen=True)
class RouteSpec:
    """A default route: its destination and the kind of gateway it goes to."""

    destination: str
    target: str  # "internet-gateway" | "nat-gateway" | "egress-only-gateway"

    @property
    def is_ipv6(self) -> bool:
        return ":" in self.destination


@dataclass(frozen=True)
class VpcPlan:
    """Everything DualStackVpc will build, decided before it registers anything."""

    subnets: tuple[SubnetPlan, ...]
    ipv6_prefix_length: int
    routes: dict[str, tuple[RouteSpec, ...]]  # tier name -> its routes
    nat_azs: tuple[str, ...]  # AZs that get a NAT gateway
    nat_tier: str | None  # the public tier hosting them
    needs_internet_gateway: bool
    needs_egress_only_gateway: bool

    def route_table_key(self, subnet: SubnetPlan) -> str:
        """Subnets with equal keys share a route table: per AZ only where routes use a per-AZ NAT."""
        uses_nat = any(r.target == "nat-gateway" for r in self.routes[subnet.tier])
        if uses_nat and len(self.nat_azs) > 1:
            return f"{subnet.tier}-{subnet.availability_zone}"
        return subnet.tier

    def nat_az_for(self, subnet: SubnetPlan) -> str:
        return subnet.availability_zone if len(self.nat_azs) > 1 else self.nat_azs[0]


def tier_routes(role: str, ip_mode: str, nat_gateways: str, ipv6_egress: bool = False) -> tuple[RouteSpec, ...]:
    """The default routes of a tier (R3.4, R3.5, R3.7, R3.9).

    * public: ``0.0.0.0/0`` and ``::/0`` to the internet gateway;
    * private: ``0.0.0.0/0`` to the NAT gateway (pods' IPv4 is SNAT-ed to the node, R1.16) and
      ``::/0`` to the egress-only gateway, never to the internet gateway (R3.7);
    * isolated: nothing, except ``::/0`` to the egress-only gateway when asked;
    * IPv6-only public/private tiers also send ``64:ff9b::/96`` to the NAT gateway (NAT64).
    """
    has_ipv4, has_ipv6 = ip_mode != "ipv6-only", ip_mode != "ipv4"
    nat = nat_gateways != "none"
    routes: list[RouteSpec] = []
    if role == "public":
        if has_ipv4:
            routes.append(RouteSpec(IPV4_DEFAULT, "internet-gateway"))
        if has_ipv6:
            routes.append(RouteSpec(IPV6_DEFAULT, "internet-gateway"))
    elif role == "private":
        if has_ipv4 and nat:
            routes.append(RouteSpec(IPV4_DEFAULT, "nat-gateway"))
        if has_ipv6:
            routes.append(RouteSpec(IPV6_DEFAULT, "egress-only-gateway"))
    elif has_ipv6 and ipv6_egress:
        routes.append(RouteSpec(IPV6_DEFAULT, "egress-only-gateway"))
    if ip_mode == "ipv6-only" and role != "isolated" and nat:
        routes.append(RouteSpec(NAT64_PREFIX, "nat-gateway"))
    return tuple(routes)


def dns64_enabled(role: str, ip_mode: str) -> bool:
    """DNS64 only where NAT64 carries the synthesized addresses: IPv6-only, non-isolated tiers.

    Everywhere else it stays off, above all on EKS node and pod subnets (R3.8).
    """
    return ip_mode == "ipv6-only" and role != "isolated"


def tier_specs(tiers: Sequence[SubnetTierArgs]) -> list[TierSpec]:
    return [
        TierSpec(
            name=t.get("name", ""),
            role=t.get("role", ""),
            ip_mode=t.get("ip_mode", "dualstack"),
            ipv4_prefix_length=t.get("ipv4_prefix_length"),
            ipv4_offset=t.get("ipv4_offset"),
            ipv6_indexes=tuple(t["ipv6_indexes"]) if t.get("ipv6_indexes") is not None else None,
        )
        for t in tiers
    ]


def check_vpc_args(args: DualStackVpcArgs) -> list[ArgumentError]:
    """Every problem with ``args``; an empty list means ``plan_vpc`` will succeed."""
    errors: list[ArgumentError] = []
    for key in ("ipv4_cidr", "availability_zones", "tiers"):
        if key not in args:
            errors.append(ArgumentError((key,), "missing", "allowed: this argument is required"))
    if errors:
        return errors
    nat = args.get("nat_gateways", "single")
    if nat not in NAT_MODES:
        errors.append(ArgumentError(("nat_gateways",), f"{nat!r} is not a NAT gateway mode", f"allowed: {', '.join(NAT_MODES)}"))
    prefix, ipv6_errors = _ipv6_prefix_length(args)
    errors += ipv6_errors
    errors += _check_egress_needs(args)
    if ipv6_errors:
        return errors  # the plan needs the block's size: fix its source first
    errors += check_plan(
        args["ipv4_cidr"],
        args["availability_zones"],
        tier_specs(args["tiers"]),
        az_slots=args.get("az_slots", DEFAULT_AZ_SLOTS),
        ipv6_prefix_length=prefix,
    )
    return errors


def plan_vpc(args: DualStackVpcArgs) -> VpcPlan:
    """What DualStackVpc builds for ``args``; raises ``ArgumentError`` on any bad argument."""
    raise_if_any(check_vpc_args(args))
    prefix, _ = _ipv6_prefix_length(args)
    nat = args.get("nat_gateways", "single")
    subnets = plan_subnets(
        args["ipv4_cidr"],
        args["availability_zones"],
        tier_specs(args["tiers"]),
        az_slots=args.get("az_slots", DEFAULT_AZ_SLOTS),
        ipv6_prefix_length=prefix,
    )
    routes = {t["name"]: tier_routes(t["role"], t.get("ip_mode", "dualstack"), nat, t.get("ipv6_egress", False)) for t in args["tiers"]}
    all_routes = [r for rs in routes.values() for r in rs]
    nat_tier = next(
        (t["name"] for t in args["tiers"] if t["role"] == "public" and t.get("ip_mode", "dualstack") != "ipv6-only"),
        None,
    )
    zones = tuple(args["availability_zones"])
    nat_azs = () if nat == "none" else zones if nat == "per-az" else zones[:1]
    existing = args.get("existing", {})
    return VpcPlan(
        subnets=subnets,
        ipv6_prefix_length=prefix,
        routes=routes,
        nat_azs=nat_azs,
        nat_tier=nat_tier if nat_azs else None,
        needs_internet_gateway=any(t["role"] == "public" for t in args["tiers"]) and "internet_gateway_id" not in existing,
        needs_egress_only_gateway=any(r.target == "egress-only-gateway" for r in all_routes) and "egress_only_gateway_id" not in existing,
    )


def tier_subnets(plan: VpcPlan, tier: str) -> list[dict[str, str]]:
    """The planned subnets of a tier as the facts a cluster checks: id (planned), AZ, IP mode, role."""
    return [
        {"id": f"planned:{s.name}", "availability_zone": s.availability_zone, "ip_mode": s.ip_mode, "role": s.role}
        for s in plan.subnets
        if s.tier == tier
    ]


def adopted_vpc_problems(
    args: DualStackVpcArgs,
    cidr_block: str | None,
    ipv6_blocks: Sequence[str],
    dns_support: bool | None,
    dns_hostnames: bool | None,
) -> list[str]:
    """What an adopted VPC, as AWS describes it, contradicts in the arguments (None: not known)."""
    existing = args["existing"]
    problems = []
    if cidr_block and cidr_block != args["ipv4_cidr"]:
        problems.append(f"its IPv4 CIDR is {cidr_block}, not ipv4_cidr {args['ipv4_cidr']}")
    if ipv6_blocks and existing["ipv6_cidr_block"] not in ipv6_blocks:
        problems.append(f"it has no IPv6 block {existing['ipv6_cidr_block']} (it has {', '.join(ipv6_blocks)})")
    for flag, value in (("DNS support", dns_support), ("DNS hostnames", dns_hostnames)):
        if value is False:
            problems.append(f"{flag} is off, which EKS nodes and the private endpoint need (R1.10)")
    return [f"existing VPC {existing['vpc_id']}: {p}" for p in problems]


def static_ipv6_block(args: DualStackVpcArgs) -> str | None:
    """The VPC's IPv6 block when the arguments already fix it (BYOIP, IPAM with a CIDR, existing)."""
    if "existing" in args:
        return args["existing"]["ipv6_cidr_block"]
    return args.get("ipv6", {}).get("cidr")


def _ipv6_prefix_length(args: DualStackVpcArgs) -> tuple[int, list[ArgumentError]]:
    """The size of the VPC's IPv6 block, checking that its source is fully and only described."""
    errors: list[ArgumentError] = []
    six = args.get("ipv6", {"source": "amazon"})
    source = six.get("source", "amazon")
    path = ("ipv6",)

    def forbid(*fields: str) -> None:
        for field in fields:
            if six.get(field) is not None:
                errors.append(
                    ArgumentError((*path, field), f"set for ipv6 source {source!r}", f"allowed: only the fields of source {source!r}")
                )

    def need(field: str, example: str) -> bool:
        if six.get(field) is None:
            errors.append(ArgumentError((*path, field), f"missing for ipv6 source {source!r}", f"allowed: e.g. {example}"))
            return False
        return True

    def block_prefix(text: str, where: tuple) -> int:
        try:
            return parse_ipv6_cidr(text, where, IPAM_IPV6_PREFIXES).prefixlen
        except ArgumentError as exc:
            errors.append(exc)
            return AMAZON_IPV6_PREFIX

    if "existing" in args:
        if "ipv6" in args:
            errors.append(
                ArgumentError(
                    path,
                    "set together with existing",
                    "allowed: one of them; an existing VPC brings its own IPv6 block (existing.ipv6_cidr_block)",
                )
            )
        if not args["existing"].get("vpc_id"):
            errors.append(ArgumentError(("existing", "vpc_id"), "missing", "allowed: the id of the VPC to adopt, vpc-..."))
        return block_prefix(args["existing"].get("ipv6_cidr_block", ""), ("existing", "ipv6_cidr_block")), errors
    if source not in IPV6_SOURCES:
        errors.append(ArgumentError((*path, "source"), f"{source!r} is not an IPv6 source", f"allowed: {', '.join(IPV6_SOURCES)}"))
        return AMAZON_IPV6_PREFIX, errors
    if source == "amazon":
        forbid("ipam_pool_id", "netmask_length", "pool_id", "cidr")
        return AMAZON_IPV6_PREFIX, errors
    if source == "ipam":
        forbid("pool_id")
        need("ipam_pool_id", "ipam-pool-0123456789abcdef0")
        if six.get("cidr") is not None:
            if six.get("netmask_length") is not None:
                errors.append(
                    ArgumentError(
                        (*path, "cidr"),
                        "set together with netmask_length",
                        "allowed: one of them (an explicit allocation, or a size for IPAM to choose)",
                    )
                )
            return block_prefix(six["cidr"], (*path, "cidr")), errors
        netmask = six.get("netmask_length", AMAZON_IPV6_PREFIX)
        if netmask not in IPAM_IPV6_PREFIXES:
            errors.append(
                ArgumentError(
                    (*path, "netmask_length"), f"/{netmask} is not an IPAM VPC block size", "allowed: 44, 48, 52, 56 or 60 (R3.1)"
                )
            )
        return netmask, errors
    forbid("ipam_pool_id", "netmask_length")  # byoip: a public IPv6 pool you brought to AWS
    if need("pool_id", "ipv6pool-ec2-0123456789abcdef0") and not six["pool_id"].startswith("ipv6pool-"):
        errors.append(
            ArgumentError(
                (*path, "pool_id"),
                f"{six['pool_id']!r} is not a BYOIP IPv6 pool id",
                "allowed: ipv6pool-ec2-...; for an IPAM pool use source ipam",
            )
        )
    if need("cidr", "2600:1f16:5de:8b00::/56"):
        return block_prefix(six["cidr"], (*path, "cidr")), errors
    return AMAZON_IPV6_PREFIX, errors


def _check_egress_needs(args: DualStackVpcArgs) -> list[ArgumentError]:
    """NAT gateways need a public IPv4 tier; IPv6-only tiers need NAT64; egress flags make sense."""
    errors = []
    nat = args.get("nat_gateways", "single")
    tiers = args["tiers"]
    public_ipv4 = any(t.get("role") == "public" and t.get("ip_mode", "dualstack") != "ipv6-only" for t in tiers)
    if nat in ("single", "per-az") and not public_ipv4:
        errors.append(
            ArgumentError(
                ("nat_gateways",),
                f"{nat!r} but no public tier has IPv4 to host a NAT gateway",
                "allowed: none, or add a public ipv4 or dualstack tier",
            )
        )
    for i, tier in enumerate(tiers):
        role, mode = tier.get("role"), tier.get("ip_mode", "dualstack")
        if mode == "ipv6-only" and role in ("public", "private") and nat == "none":
            errors.append(
                ArgumentError(
                    ("tiers", i, "ip_mode"),
                    f"the IPv6-only tier {tier.get('name')!r} has no NAT gateway to carry NAT64 ({NAT64_PREFIX}) with nat_gateways 'none'",
                    "allowed: nat_gateways single or per-az, or role isolated (R3.9)",
                )
            )
        if tier.get("ipv6_egress") and (role != "isolated" or mode == "ipv4"):
            errors.append(
                ArgumentError(
                    ("tiers", i, "ipv6_egress"),
                    f"set on the {role} {mode} tier {tier.get('name')!r}",
                    "allowed: only on isolated tiers with IPv6; public and private tiers always have IPv6 egress",
                )
            )
    return errors
