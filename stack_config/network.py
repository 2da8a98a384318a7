"""The VPCs of a stack: ``ipv6-eks:vpcs.<name>`` - models, zones, and how VPCs relate.

Each VPC's own rules are DualStackVpc's (``check_vpc_args``), applied to the keys as written;
this module adds what only the stack sees: which zones the region has, and that the stack's
VPCs do not overlap.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from pydantic import Field, field_validator

from ipv6_eks.addressing import parse_ipv4_cidr
from ipv6_eks.errors import ArgumentError
from ipv6_eks.vpc_spec import DualStackVpcArgs, VpcPlan, check_vpc_args, plan_vpc
from stack_config.model import StrictModel

# R1.6: EKS cannot place control-plane subnets in these AZ IDs; automatic AZ choice skips them.
EKS_EXCLUDED_ZONE_IDS = frozenset({"use1-az3", "usw1-az2", "cac1-az3"})


@dataclass(frozen=True)
class Zone:
    """An availability zone of the stack's region, as ``aws.get_availability_zones`` lists it."""

    name: str
    zone_id: str


class TierConfig(StrictModel):
    """A subnet tier: one subnet per availability zone."""

    name: str
    role: Literal["public", "private", "isolated"]
    ip_mode: Literal["ipv4", "dualstack", "ipv6-only"] | None = None
    ipv4_prefix_length: int | None = None
    ipv4_offset: int | None = None
    ipv6_indexes: list[int] | None = None
    ipv6_egress: bool | None = None


class Ipv6Config(StrictModel):
    """Where the VPC's IPv6 block comes from (R3.1)."""

    source: Literal["amazon", "ipam", "byoip"]
    ipam_pool_id: str | None = None
    netmask_length: int | None = None
    pool_id: str | None = None
    cidr: str | None = None


class ExistingVpcConfig(StrictModel):
    """Adopt a VPC someone else created: ipv6-eks adds subnets, gateways and routes to it."""

    vpc_id: str
    ipv6_cidr_block: str
    internet_gateway_id: str | None = None
    egress_only_gateway_id: str | None = None


def _default_tiers() -> list[TierConfig]:
    return [
        TierConfig.model_validate({"name": "public", "role": "public", "ipv4PrefixLength": 24}),
        TierConfig.model_validate({"name": "private", "role": "private", "ipv4PrefixLength": 20}),
    ]


class VpcConfig(StrictModel):
    """One dual-stack VPC."""

    ipv4_cidr: str
    availability_zones: Any = 3
    az_slots: int | None = None
    nat_gateways: Literal["none", "single", "per-az"] | None = None
    ipv6: Ipv6Config | None = None
    existing: ExistingVpcConfig | None = None
    tiers: list[TierConfig] = Field(default_factory=_default_tiers)

    @field_validator("availability_zones", mode="before")
    @classmethod
    def _zones(cls, value: Any) -> int | tuple[str, ...]:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, list) and all(isinstance(z, str) for z in value):
            return tuple(value)
        raise ValueError(
            f"{value!r} is neither a count nor a list of zone names; allowed: a number such as 3, or names such as [us-east-2a, us-east-2b]"
        )


@dataclass(frozen=True)
class NetworkPlan:
    """A validated VPC: the component's arguments and what they will build."""

    name: str
    args: DualStackVpcArgs
    plan: VpcPlan


def plan_network(name: str, vpc: VpcConfig, available: Sequence[Zone], region: str) -> tuple[NetworkPlan | None, list[ArgumentError]]:
    zones, errors = resolve_zones(vpc.availability_zones, available, region)
    if errors:
        return None, errors
    args = cast(DualStackVpcArgs, {**vpc.model_dump(exclude_none=True), "availability_zones": zones})
    errors = check_vpc_args(args)
    if errors:
        return None, errors
    return NetworkPlan(name=name, args=args, plan=plan_vpc(args)), []


def resolve_zones(wanted: int | tuple[str, ...], available: Sequence[Zone], region: str) -> tuple[list[str], list[ArgumentError]]:
    path = ("availability_zones",)
    usable = [z for z in available if z.zone_id not in EKS_EXCLUDED_ZONE_IDS]
    if isinstance(wanted, int):
        if not usable:
            return [], [
                ArgumentError(
                    path,
                    "a count, but the region's availability zones could not be listed",
                    "allowed: zone names, e.g. [us-east-2a, us-east-2b, us-east-2c]",
                )
            ]
        if wanted < 2:
            return [], [ArgumentError(path, f"{wanted} availability zone(s)", "allowed: at least 2 (EKS needs subnets in two AZs, R1.6)")]
        if wanted > len(usable):
            names = ", ".join(z.name for z in usable)
            return [], [
                ArgumentError(
                    path,
                    f"{wanted} availability zones, but the region has {len(usable)} that EKS can use ({names})",
                    f"allowed: 2..{len(usable)}",
                )
            ]
        return [z.name for z in usable[:wanted]], []
    by_name = {z.name: z for z in available}
    errors = []
    if not any(name in by_name for name in wanted) and not any(name.startswith(region) for name in by_name):
        return list(wanted), errors  # the lookup describes no zone of this region (offline mocks): nothing to check against
    for i, name in enumerate(wanted):
        zone = by_name.get(name)
        if zone is None:
            errors.append(
                ArgumentError((*path, i), f"{name!r} is not an availability zone of the region", f"allowed: {', '.join(by_name)}")
            )
        elif zone.zone_id in EKS_EXCLUDED_ZONE_IDS:
            errors.append(
                ArgumentError(
                    (*path, i),
                    f"{name} is {zone.zone_id}, where EKS cannot place cluster subnets (R1.6)",
                    "allowed: another zone of the region",
                )
            )
    return list(wanted), errors


def check_vpc_overlaps(vpcs: Mapping[str, VpcConfig]) -> list[ArgumentError]:
    """VPCs of one stack must not overlap: the clusters in them have to reach each other."""
    errors = []
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    for name, vpc in vpcs.items():
        try:
            net = parse_ipv4_cidr(vpc.ipv4_cidr, ())
        except ArgumentError:
            continue  # reported by the VPC's own checks
        for other, other_net in seen:
            if net.overlaps(other_net):
                errors.append(
                    ArgumentError(
                        ("vpcs", name, "ipv4_cidr"),
                        f"{net} overlaps {other_net} of VPC {other!r}",
                        "allowed: non-overlapping IPv4 CIDRs, so the VPCs can be peered and the mesh can route between them",
                    )
                )
        seen.append((name, net))
    return errors
