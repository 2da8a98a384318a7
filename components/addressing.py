"""Pure address planning for a dual-stack VPC: which subnet gets which IPv4 CIDR and IPv6 /64.

No Pulumi here: plain values in, plain values out, so the plan can be checked before anything
is registered and property-tested on its own.

The layout is *stable*: a tier owns a block of ``az_slots`` subnets in both families, tiers are
laid out in the order given, and a subnet's place depends only on its tier's position and its
AZ's position. Appending a tier or an AZ (within ``az_slots``) therefore moves no existing
subnet - which matters, because a changed subnet CIDR replaces the subnet and everything in it.

* IPv4: tier ``i`` starts at its explicit ``ipv4_offset`` (a ``cidrsubnet`` netnum of its own
  prefix length) or at the first aligned address after the previous IPv4 tier's block.
* IPv6: the subnet in AZ ``j`` of tier ``i`` gets /64 number ``i * az_slots + j`` of the VPC's
  block, unless the tier lists explicit ``ipv6_indexes``. IPv4-only tiers keep their slots, so
  turning one dual-stack later renumbers nothing.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import ArgumentError, raise_if_any

ROLES = ("public", "private", "isolated")
IP_MODES = ("ipv4", "dualstack", "ipv6-only")
SUBNET_IPV6_PREFIX = 64
AMAZON_IPV6_PREFIX = 56
IPAM_IPV6_PREFIXES = (44, 48, 52, 56, 60)  # R3.1: IPAM allocates /44../60 in steps of 4
VPC_IPV4_PREFIXES = range(16, 29)  # AWS: a VPC IPv4 CIDR is /16../28
SUBNET_IPV4_MAX_PREFIX = 28  # AWS: the smallest subnet is a /28
DEFAULT_AZ_SLOTS = 4
MIN_AZS = 2  # R1.6: EKS wants cluster subnets in at least two AZs
MAX_AZ_SLOTS = 16
TIER_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


@dataclass(frozen=True)
class TierSpec:
    """One subnet tier: a subnet per AZ, all with the same role and addressing."""

    name: str
    role: str
    ip_mode: str = "dualstack"
    ipv4_prefix_length: int | None = None
    ipv4_offset: int | None = None
    ipv6_indexes: tuple[int, ...] | None = None

    @property
    def has_ipv4(self) -> bool:
        return self.ip_mode != "ipv6-only"

    @property
    def has_ipv6(self) -> bool:
        return self.ip_mode != "ipv4"


@dataclass(frozen=True)
class SubnetPlan:
    """Where one subnet sits: its tier, AZ, IPv4 CIDR (or None) and IPv6 /64 index (or None)."""

    tier: str
    role: str
    ip_mode: str
    availability_zone: str
    az_index: int
    ipv4_cidr: str | None
    ipv6_index: int | None

    @property
    def name(self) -> str:
        return f"{self.tier}-{self.availability_zone}"


def ipv6_subnet_cidr(vpc_ipv6_cidr: str, index: int) -> str:
    """The ``index``-th /64 of the VPC's IPv6 block (``cidrsubnet(block, 64 - len, index)``)."""
    block = ipaddress.IPv6Network(vpc_ipv6_cidr, strict=True)
    count = 1 << (SUBNET_IPV6_PREFIX - block.prefixlen)
    if not 0 <= index < count:
        raise ArgumentError(("ipv6_index",), f"{index} is outside {block}", f"allowed: 0..{count - 1}")
    subnet = ipaddress.IPv6Network((int(block.network_address) + (index << (128 - SUBNET_IPV6_PREFIX)), SUBNET_IPV6_PREFIX))
    return str(subnet)


def parse_ipv4_cidr(text: str, path: Sequence[str | int]) -> ipaddress.IPv4Network:
    """A VPC IPv4 CIDR, or an ``ArgumentError`` that says why not."""
    try:
        net = ipaddress.IPv4Network(text, strict=True)
    except ValueError as exc:
        raise ArgumentError(path, f"{text!r} is not an IPv4 network ({exc})", "allowed: e.g. 10.0.0.0/16") from None
    if net.prefixlen not in VPC_IPV4_PREFIXES:
        raise ArgumentError(path, f"{text} is a /{net.prefixlen}", "allowed: a VPC IPv4 CIDR from /16 to /28")
    return net


def parse_ipv6_cidr(text: str, path: Sequence[str | int], prefixes: Sequence[int]) -> ipaddress.IPv6Network:
    """A VPC IPv6 block of one of ``prefixes``, or an ``ArgumentError``."""
    try:
        net = ipaddress.IPv6Network(text, strict=True)
    except ValueError as exc:
        raise ArgumentError(path, f"{text!r} is not an IPv6 network ({exc})", "allowed: e.g. 2600:1f16:5de:8b00::/56") from None
    if net.prefixlen not in prefixes:
        allowed = ", ".join(f"/{p}" for p in prefixes)
        raise ArgumentError(path, f"{text} is a /{net.prefixlen}", f"allowed: {allowed}")
    return net


def plan_subnets(
    vpc_ipv4_cidr: str,
    availability_zones: Sequence[str],
    tiers: Sequence[TierSpec],
    *,
    az_slots: int = DEFAULT_AZ_SLOTS,
    ipv6_prefix_length: int = AMAZON_IPV6_PREFIX,
) -> tuple[SubnetPlan, ...]:
    """Every subnet of the VPC, tier by tier and AZ by AZ; raises on any bad input."""
    errors = check_plan(vpc_ipv4_cidr, availability_zones, tiers, az_slots=az_slots, ipv6_prefix_length=ipv6_prefix_length)
    raise_if_any(errors)
    vpc = ipaddress.IPv4Network(vpc_ipv4_cidr)
    ipv4_starts = _ipv4_tier_offsets(vpc, tiers, az_slots)
    plans = []
    for position, tier in enumerate(tiers):
        indexes = _ipv6_indexes(tier, position, az_slots, len(availability_zones))
        for az_index, az in enumerate(availability_zones):
            ipv4 = None
            if tier.has_ipv4:
                ipv4 = str(_nth_subnet(vpc, tier.ipv4_prefix_length, ipv4_starts[position] + az_index))
            plans.append(
                SubnetPlan(
                    tier=tier.name,
                    role=tier.role,
                    ip_mode=tier.ip_mode,
                    availability_zone=az,
                    az_index=az_index,
                    ipv4_cidr=ipv4,
                    ipv6_index=indexes[az_index] if tier.has_ipv6 else None,
                )
            )
    return tuple(plans)


def check_plan(
    vpc_ipv4_cidr: str,
    availability_zones: Sequence[str],
    tiers: Sequence[TierSpec],
    *,
    az_slots: int = DEFAULT_AZ_SLOTS,
    ipv6_prefix_length: int = AMAZON_IPV6_PREFIX,
) -> list[ArgumentError]:
    """Every problem with the planning inputs, field by field, then how the tiers fit together."""
    errors: list[ArgumentError] = []
    try:
        vpc = parse_ipv4_cidr(vpc_ipv4_cidr, ("ipv4_cidr",))
    except ArgumentError as exc:
        return [exc]
    errors += _check_zones(availability_zones, az_slots)
    if ipv6_prefix_length not in IPAM_IPV6_PREFIXES:
        errors.append(
            ArgumentError(
                ("ipv6_prefix_length",),
                f"/{ipv6_prefix_length} is not a VPC IPv6 block size",
                "allowed: 44, 48, 52, 56 or 60",
            )
        )
    if not tiers:
        errors.append(ArgumentError(("tiers",), "no tiers", "allowed: at least one subnet tier"))
    seen: dict[str, int] = {}
    for position, tier in enumerate(tiers):
        if tier.name in seen:
            errors.append(
                ArgumentError(
                    ("tiers", position, "name"),
                    f"{tier.name!r} is already the name of tiers[{seen[tier.name]}]",
                    "allowed: a unique name per tier",
                )
            )
        seen.setdefault(tier.name, position)
        errors += _check_tier(tier, position, vpc, len(availability_zones), ipv6_prefix_length)
    if errors:
        return errors
    errors += _check_ipv4_blocks(vpc, tiers, az_slots)
    errors += _check_ipv6_indexes(tiers, az_slots, len(availability_zones), ipv6_prefix_length)
    return errors


def _check_zones(availability_zones: Sequence[str], az_slots: int) -> list[ArgumentError]:
    errors = []
    if len(availability_zones) < MIN_AZS:
        errors.append(
            ArgumentError(
                ("availability_zones",),
                f"{len(availability_zones)} availability zone(s)",
                f"allowed: at least {MIN_AZS} (EKS needs subnets in two AZs, R1.6)",
            )
        )
    if len(set(availability_zones)) != len(availability_zones):
        errors.append(
            ArgumentError(
                ("availability_zones",),
                f"{list(availability_zones)} lists an AZ twice",
                "allowed: distinct availability zones",
            )
        )
    if not 1 <= az_slots <= MAX_AZ_SLOTS:
        errors.append(ArgumentError(("az_slots",), f"{az_slots} slots per tier", f"allowed: 1..{MAX_AZ_SLOTS}"))
    elif len(availability_zones) > az_slots:
        errors.append(
            ArgumentError(
                ("az_slots",),
                f"{az_slots} slots per tier for {len(availability_zones)} availability zones",
                "allowed: at least one slot per AZ (raising az_slots moves every tier after the first)",
            )
        )
    return errors


def _check_tier(tier: TierSpec, position: int, vpc: ipaddress.IPv4Network, zone_count: int, ipv6_prefix_length: int) -> list[ArgumentError]:
    def err(field: str, problem: str, allowed: str) -> ArgumentError:
        return ArgumentError(("tiers", position, field), problem, allowed)

    errors = []
    if not TIER_NAME.match(tier.name):
        errors.append(
            err(
                "name",
                f"{tier.name!r} is not a usable tier name",
                "allowed: lower-case letters, digits and '-', starting with a letter, at most 31 characters",
            )
        )
    if tier.role not in ROLES:
        errors.append(err("role", f"{tier.role!r} is not a tier role", f"allowed: {', '.join(ROLES)}"))
    if tier.ip_mode not in IP_MODES:
        errors.append(err("ip_mode", f"{tier.ip_mode!r} is not an IP mode", f"allowed: {', '.join(IP_MODES)}"))
        return errors
    smallest = max(vpc.prefixlen, VPC_IPV4_PREFIXES.start)
    if tier.has_ipv4:
        if tier.ipv4_prefix_length is None:
            errors.append(
                err(
                    "ipv4_prefix_length",
                    f"missing for the {tier.ip_mode} tier {tier.name!r}",
                    f"allowed: {smallest}..{SUBNET_IPV4_MAX_PREFIX}",
                )
            )
        elif not smallest <= tier.ipv4_prefix_length <= SUBNET_IPV4_MAX_PREFIX:
            errors.append(
                err(
                    "ipv4_prefix_length",
                    f"/{tier.ipv4_prefix_length} does not fit a subnet of the VPC {vpc}",
                    f"allowed: {smallest}..{SUBNET_IPV4_MAX_PREFIX}",
                )
            )
        elif tier.ipv4_offset is not None:
            count = 1 << (tier.ipv4_prefix_length - vpc.prefixlen)
            if not 0 <= tier.ipv4_offset < count:
                errors.append(
                    err(
                        "ipv4_offset",
                        f"{tier.ipv4_offset} is outside the {count} /{tier.ipv4_prefix_length} subnets of {vpc}",
                        f"allowed: 0..{count - 1}",
                    )
                )
    else:
        for field, value in (("ipv4_prefix_length", tier.ipv4_prefix_length), ("ipv4_offset", tier.ipv4_offset)):
            if value is not None:
                errors.append(
                    err(field, f"set on the IPv6-only tier {tier.name!r}", "allowed: nothing; IPv6-only subnets have no IPv4 CIDR")
                )
    if tier.ipv6_indexes is not None:
        if not tier.has_ipv6:
            errors.append(
                err("ipv6_indexes", f"set on the IPv4-only tier {tier.name!r}", "allowed: nothing, or ip_mode dualstack / ipv6-only")
            )
        elif len(tier.ipv6_indexes) != zone_count:
            errors.append(
                err(
                    "ipv6_indexes",
                    f"{len(tier.ipv6_indexes)} index(es) for {zone_count} availability zones",
                    "allowed: exactly one /64 index per AZ, in AZ order",
                )
            )
        limit = 1 << (SUBNET_IPV6_PREFIX - ipv6_prefix_length)
        for i, index in enumerate(tier.ipv6_indexes):
            if not 0 <= index < limit:
                errors.append(
                    ArgumentError(
                        ("tiers", position, "ipv6_indexes", i),
                        f"/64 index {index} is outside the VPC's /{ipv6_prefix_length}",
                        f"allowed: 0..{limit - 1}",
                    )
                )
    return errors


def _nth_subnet(vpc: ipaddress.IPv4Network, prefix: int, netnum: int) -> ipaddress.IPv4Network:
    size = 1 << (32 - prefix)
    return ipaddress.IPv4Network((int(vpc.network_address) + netnum * size, prefix))


def _ipv4_tier_offsets(vpc: ipaddress.IPv4Network, tiers: Sequence[TierSpec], az_slots: int) -> dict[int, int]:
    """Netnum (in the tier's own prefix length) of each IPv4 tier's first subnet."""
    offsets: dict[int, int] = {}
    next_free = int(vpc.network_address)  # first address after the previous tier's block
    for position, tier in enumerate(tiers):
        if not tier.has_ipv4:
            continue
        size = 1 << (32 - tier.ipv4_prefix_length)
        if tier.ipv4_offset is not None:
            offset = tier.ipv4_offset
        else:
            offset = -(-(next_free - int(vpc.network_address)) // size)  # ceil: align to the tier size
        offsets[position] = offset
        next_free = int(vpc.network_address) + (offset + az_slots) * size
    return offsets


def _check_ipv4_blocks(vpc: ipaddress.IPv4Network, tiers: Sequence[TierSpec], az_slots: int) -> list[ArgumentError]:
    """Each tier's block of ``az_slots`` subnets lies inside the VPC and overlaps no other block."""
    errors = []
    offsets = _ipv4_tier_offsets(vpc, tiers, az_slots)
    blocks: list[tuple[int, int, int]] = []  # (first, last, position)
    for position, offset in offsets.items():
        tier = tiers[position]
        size = 1 << (32 - tier.ipv4_prefix_length)
        first = int(vpc.network_address) + offset * size
        last = first + az_slots * size - 1
        field = "ipv4_offset" if tier.ipv4_offset is not None else "ipv4_prefix_length"
        if last > int(vpc.broadcast_address):
            errors.append(
                ArgumentError(
                    ("tiers", position, field),
                    f"tier {tier.name!r} needs {az_slots} x /{tier.ipv4_prefix_length} from "
                    f"{ipaddress.IPv4Address(first)} but the VPC {vpc} ends at {vpc.broadcast_address}",
                    "allowed: a longer prefix, fewer az_slots, an earlier ipv4_offset or a larger VPC CIDR",
                )
            )
            continue
        for other_first, other_last, other in blocks:
            if first <= other_last and other_first <= last:
                errors.append(
                    ArgumentError(
                        ("tiers", position, field),
                        f"tier {tier.name!r} ({ipaddress.IPv4Address(first)}-{ipaddress.IPv4Address(last)}) "
                        f"overlaps tier {tiers[other].name!r} ({ipaddress.IPv4Address(other_first)}-"
                        f"{ipaddress.IPv4Address(other_last)}), counting {az_slots} AZ slots per tier",
                        "allowed: an ipv4_offset past the other tier's block",
                    )
                )
        blocks.append((first, last, position))
    return errors


def _ipv6_indexes(tier: TierSpec, position: int, az_slots: int, zone_count: int) -> tuple[int, ...]:
    if tier.ipv6_indexes is not None:
        return tuple(tier.ipv6_indexes)
    return tuple(position * az_slots + j for j in range(zone_count))


def _check_ipv6_indexes(tiers: Sequence[TierSpec], az_slots: int, zone_count: int, ipv6_prefix_length: int) -> list[ArgumentError]:
    errors = []
    limit = 1 << (SUBNET_IPV6_PREFIX - ipv6_prefix_length)
    owner: dict[int, str] = {}
    for position, tier in enumerate(tiers):
        if not tier.has_ipv6:
            continue
        for az_index, index in enumerate(_ipv6_indexes(tier, position, az_slots, zone_count)):
            path = ("tiers", position, "ipv6_indexes") + ((az_index,) if tier.ipv6_indexes is not None else ())
            if index >= limit:
                errors.append(
                    ArgumentError(
                        path,
                        f"tier {tier.name!r} would use /64 index {index}, outside the VPC's /{ipv6_prefix_length}",
                        f"allowed: 0..{limit - 1} (set explicit ipv6_indexes or use fewer az_slots)",
                    )
                )
            elif index in owner:
                errors.append(
                    ArgumentError(
                        path,
                        f"/64 index {index} of tier {tier.name!r} is already used by tier {owner[index]!r}",
                        "allowed: a /64 index no other subnet uses",
                    )
                )
            else:
                owner[index] = tier.name
    return errors
