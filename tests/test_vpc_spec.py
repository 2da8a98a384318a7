"""DualStackVpc's pure parts: routing per tier (R3.4, R3.5, R3.7, R3.9), DNS64 (R3.8), argument checks."""

import pytest

from ipv6_eks.vpc_spec import RouteSpec, check_vpc_args, dns64_enabled, plan_vpc, tier_routes

IGW, NAT, EIGW = "internet-gateway", "nat-gateway", "egress-only-gateway"


@pytest.mark.parametrize(
    ("role", "mode", "nat", "egress", "expected"),
    [
        # R3.5: public dual-stack subnets send both defaults to the internet gateway
        ("public", "dualstack", "single", False, [("0.0.0.0/0", IGW), ("::/0", IGW)]),
        ("public", "ipv4", "single", False, [("0.0.0.0/0", IGW)]),
        # R3.4 / R3.7: private IPv6 goes to the egress-only gateway, IPv4 to NAT, never to the IGW
        ("private", "dualstack", "single", False, [("0.0.0.0/0", NAT), ("::/0", EIGW)]),
        ("private", "dualstack", "none", False, [("::/0", EIGW)]),
        ("private", "ipv4", "per-az", False, [("0.0.0.0/0", NAT)]),
        # R3.9: IPv6-only subnets reach IPv4 through NAT64
        ("private", "ipv6-only", "single", False, [("::/0", EIGW), ("64:ff9b::/96", NAT)]),
        ("public", "ipv6-only", "per-az", False, [("::/0", IGW), ("64:ff9b::/96", NAT)]),
        # isolated: no IPv4 egress; IPv6 egress only when asked
        ("isolated", "dualstack", "single", False, []),
        ("isolated", "dualstack", "single", True, [("::/0", EIGW)]),
        ("isolated", "ipv6-only", "single", True, [("::/0", EIGW)]),
    ],
)
def test_tier_routes(role, mode, nat, egress, expected):
    assert tier_routes(role, mode, nat, egress) == tuple(RouteSpec(d, t) for d, t in expected)


@pytest.mark.parametrize(
    ("role", "mode", "on"),
    [("private", "dualstack", False), ("public", "dualstack", False), ("private", "ipv6-only", True), ("isolated", "ipv6-only", False)],
)
def test_dns64_only_where_nat64_carries_it(role, mode, on):
    assert dns64_enabled(role, mode) is on


def _args(**overrides):
    args = {
        "ipv4_cidr": "10.0.0.0/16",
        "availability_zones": ["us-east-2a", "us-east-2b", "us-east-2c"],
        "tiers": [
            {"name": "public", "role": "public", "ipv4_prefix_length": 24},
            {"name": "private", "role": "private", "ipv4_prefix_length": 20},
        ],
    }
    args.update(overrides)
    return args


def test_per_az_nat_gives_private_tiers_a_route_table_per_az():
    plan = plan_vpc(_args(nat_gateways="per-az"))
    assert plan.nat_azs == ("us-east-2a", "us-east-2b", "us-east-2c")
    keys = {plan.route_table_key(s) for s in plan.subnets}
    assert keys == {"public", "private-us-east-2a", "private-us-east-2b", "private-us-east-2c"}
    assert plan.nat_tier == "public"


def test_single_nat_shares_one_private_route_table():
    plan = plan_vpc(_args())
    assert plan.nat_azs == ("us-east-2a",)
    assert {plan.route_table_key(s) for s in plan.subnets} == {"public", "private"}


def test_gateways_needed():
    plan = plan_vpc(_args(tiers=[{"name": "db", "role": "isolated", "ipv4_prefix_length": 24}], nat_gateways="none"))
    assert not plan.needs_internet_gateway and not plan.needs_egress_only_gateway
    plan = plan_vpc(_args(existing={"vpc_id": "vpc-1", "ipv6_cidr_block": "2600:1f16::/56", "egress_only_gateway_id": "eigw-1"}))
    assert plan.needs_internet_gateway and not plan.needs_egress_only_gateway


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"nat_gateways": "lots"}, "nat_gateways: 'lots' is not a NAT gateway mode"),
        (
            {"tiers": [{"name": "p", "role": "private", "ipv4_prefix_length": 20}]},
            "nat_gateways: 'single' but no public tier has IPv4 to host a NAT gateway",
        ),
        (
            {"nat_gateways": "none", "tiers": [{"name": "v6", "role": "private", "ip_mode": "ipv6-only"}]},
            "tiers[0].ip_mode: the IPv6-only tier 'v6' has no NAT gateway to carry NAT64 (64:ff9b::/96)",
        ),
        (
            {"tiers": [{"name": "public", "role": "public", "ipv4_prefix_length": 24, "ipv6_egress": True}]},
            "tiers[0].ipv6_egress: set on the public dualstack tier 'public'",
        ),
        ({"ipv6": {"source": "ipam", "netmask_length": 50}}, "ipv6.ipam_pool_id: missing for ipv6 source 'ipam'"),
        (
            {"ipv6": {"source": "ipam", "ipam_pool_id": "ipam-pool-1", "netmask_length": 50}},
            "ipv6.netmask_length: /50 is not an IPAM VPC block size; allowed: 44, 48, 52, 56 or 60 (R3.1)",
        ),
        (
            {"ipv6": {"source": "ipam", "ipam_pool_id": "ipam-pool-1", "netmask_length": 48, "cidr": "2600::/48"}},
            "ipv6.cidr: set together with netmask_length",
        ),
        ({"ipv6": {"source": "byoip", "pool_id": "ipv6pool-ec2-1"}}, "ipv6.cidr: missing for ipv6 source 'byoip'"),
        (
            {"ipv6": {"source": "byoip", "pool_id": "ipam-pool-1", "cidr": "2600:1f16:5de:8b00::/56"}},
            "ipv6.pool_id: 'ipam-pool-1' is not a BYOIP IPv6 pool id",
        ),
        (
            {"ipv6": {"source": "byoip", "pool_id": "ipv6pool-ec2-1", "cidr": "2600:1f16:5de:8b00::/64"}},
            "ipv6.cidr: 2600:1f16:5de:8b00::/64 is a /64; allowed: /44, /48, /52, /56, /60",
        ),
        ({"ipv6": {"source": "amazon", "cidr": "2600:1f16:5de:8b00::/56"}}, "ipv6.cidr: set for ipv6 source 'amazon'"),
        ({"ipv6": {"source": "aws"}}, "ipv6.source: 'aws' is not an IPv6 source"),
        (
            {"existing": {"vpc_id": "vpc-1", "ipv6_cidr_block": "2600:1f16:5de:8b00::/56"}, "ipv6": {"source": "amazon"}},
            "ipv6: set together with existing",
        ),
        (
            {"existing": {"vpc_id": "vpc-1", "ipv6_cidr_block": "10.0.0.0/16"}},
            "existing.ipv6_cidr_block: '10.0.0.0/16' is not an IPv6 network",
        ),
    ],
)
def test_bad_arguments(overrides, expected):
    errors = [e.render() for e in check_vpc_args(_args(**overrides))]
    assert any(expected in e for e in errors), errors


def test_ipam_block_size_bounds_the_ipv6_indexes():
    tiers = [{"name": "public", "role": "public", "ipv4_prefix_length": 24, "ipv6_indexes": [1000, 1001, 1002]}]
    assert check_vpc_args(_args(tiers=tiers, ipv6={"source": "ipam", "ipam_pool_id": "ipam-pool-1", "netmask_length": 48})) == []
    errors = [e.render() for e in check_vpc_args(_args(tiers=tiers))]
    assert any("tiers[0].ipv6_indexes[0]: /64 index 1000 is outside the VPC's /56; allowed: 0..255" in e for e in errors)


def test_missing_required_arguments():
    assert [e.render() for e in check_vpc_args({"ipv4_cidr": "10.0.0.0/16"})] == [
        "availability_zones: missing; allowed: this argument is required",
        "tiers: missing; allowed: this argument is required",
    ]
