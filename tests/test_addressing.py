"""Pure address planning: the reference layout, the errors, and the invariants (hypothesis)."""

import ipaddress

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ipv6_eks.addressing import TierSpec, check_plan, ipv6_subnet_cidr, plan_subnets
from ipv6_eks.errors import ArgumentError, ArgumentErrors

AZS = ["us-east-2a", "us-east-2b", "us-east-2c"]
REFERENCE_TIERS = [
    TierSpec("public", "public", "ipv4", 24),
    TierSpec("private", "private", "dualstack", 22, ipv4_offset=4),
    TierSpec("database", "private", "dualstack", 22),
]
REFERENCE_BLOCK = "2600:1f16:5de:8b00::/56"


def test_reproduces_the_mission_reference_layout():
    plan = plan_subnets("10.230.0.0/16", AZS, REFERENCE_TIERS, az_slots=3)
    rows = [(p.tier, p.ipv4_cidr, p.ipv6_index and ipv6_subnet_cidr(REFERENCE_BLOCK, p.ipv6_index)) for p in plan]
    assert rows == [
        ("public", "10.230.0.0/24", None),
        ("public", "10.230.1.0/24", None),
        ("public", "10.230.2.0/24", None),
        ("private", "10.230.16.0/22", "2600:1f16:5de:8b03::/64"),
        ("private", "10.230.20.0/22", "2600:1f16:5de:8b04::/64"),
        ("private", "10.230.24.0/22", "2600:1f16:5de:8b05::/64"),
        ("database", "10.230.28.0/22", "2600:1f16:5de:8b06::/64"),
        ("database", "10.230.32.0/22", "2600:1f16:5de:8b07::/64"),
        ("database", "10.230.36.0/22", "2600:1f16:5de:8b08::/64"),
    ]


def test_ipv4_only_tiers_keep_their_ipv6_slots():
    # The IPv4-only public tier still owns /64 indexes 0-2, so turning it dual-stack later
    # renumbers nothing: the private tier starts at index 3 either way.
    dual_public = [TierSpec("public", "public", "dualstack", 24), *REFERENCE_TIERS[1:]]
    before = plan_subnets("10.230.0.0/16", AZS, REFERENCE_TIERS, az_slots=3)
    after = plan_subnets("10.230.0.0/16", AZS, dual_public, az_slots=3)
    assert [p.ipv6_index for p in after] == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert [p.ipv6_index for p in before][3:] == [p.ipv6_index for p in after][3:]


def test_ipv6_only_tier_has_no_ipv4_and_takes_no_ipv4_space():
    tiers = [
        TierSpec("public", "public", "dualstack", 24),
        TierSpec("v6", "private", "ipv6-only"),
        TierSpec("db", "isolated", "dualstack", 24),
    ]
    plan = plan_subnets("10.0.0.0/16", AZS[:2], tiers, az_slots=2)
    assert [p.ipv4_cidr for p in plan] == ["10.0.0.0/24", "10.0.1.0/24", None, None, "10.0.2.0/24", "10.0.3.0/24"]
    assert [p.ipv6_index for p in plan] == [0, 1, 2, 3, 4, 5]


def test_explicit_ipv6_indexes_are_used_in_az_order():
    tiers = [TierSpec("private", "private", "dualstack", 24, ipv6_indexes=(10, 20))]
    assert [p.ipv6_index for p in plan_subnets("10.0.0.0/16", AZS[:2], tiers)] == [10, 20]


@pytest.mark.parametrize(
    ("index", "expected"),
    [(0, "2600:1f16:5de:8b00::/64"), (3, "2600:1f16:5de:8b03::/64"), (255, "2600:1f16:5de:8bff::/64")],
)
def test_ipv6_subnet_cidr_is_the_nth_64(index, expected):
    assert ipv6_subnet_cidr(REFERENCE_BLOCK, index) == expected


def test_ipv6_subnet_cidr_refuses_an_index_outside_the_block():
    with pytest.raises(ArgumentError, match=r"256 is outside 2600:1f16:5de:8b00::/56; allowed: 0..255"):
        ipv6_subnet_cidr(REFERENCE_BLOCK, 256)
    assert ipv6_subnet_cidr("2600:1f16:5de::/48", 4095) == "2600:1f16:5de:fff::/64"


def _errors(vpc="10.0.0.0/16", azs=AZS, tiers=(), **kw):
    return [e.render() for e in check_plan(vpc, azs, list(tiers), **kw)]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"vpc": "10.0.0.1/16"}, "ipv4_cidr: '10.0.0.1/16' is not an IPv4 network"),
        ({"vpc": "banana"}, "ipv4_cidr: 'banana' is not an IPv4 network"),
        ({"vpc": "10.0.0.0/8"}, "ipv4_cidr: 10.0.0.0/8 is a /8; allowed: a VPC IPv4 CIDR from /16 to /28"),
        (
            {"tiers": [TierSpec("a", "public", "dualstack", 30)]},
            "tiers[0].ipv4_prefix_length: /30 does not fit a subnet of the VPC 10.0.0.0/16; allowed: 16..28",
        ),
        ({"tiers": [TierSpec("a", "public", "dualstack", 12)]}, "tiers[0].ipv4_prefix_length: /12 does not fit"),
        ({"tiers": [TierSpec("a", "public", "dualstack")]}, "tiers[0].ipv4_prefix_length: missing for the dualstack tier 'a'"),
        (
            {"tiers": [TierSpec("a", "public", "dualstack", 24), TierSpec("a", "private", "dualstack", 24)]},
            "tiers[1].name: 'a' is already the name of tiers[0]",
        ),
        (
            {"azs": AZS[:1], "tiers": [TierSpec("a", "public", "dualstack", 24)]},
            "availability_zones: 1 availability zone(s); allowed: at least 2",
        ),
        (
            {"azs": AZS, "az_slots": 2, "tiers": [TierSpec("a", "public", "dualstack", 24)]},
            "az_slots: 2 slots per tier for 3 availability zones",
        ),
        (
            {"tiers": [TierSpec("a", "public", "dualstack", 18), TierSpec("b", "private", "dualstack", 17)]},
            "tiers[1].ipv4_prefix_length: tier 'b' needs 4 x /17 from 10.1.0.0 but the VPC 10.0.0.0/16 ends at 10.0.255.255",
        ),
        (
            {"tiers": [TierSpec("a", "public", "dualstack", 24), TierSpec("b", "private", "dualstack", 24, ipv4_offset=2)]},
            "tiers[1].ipv4_offset: tier 'b' (10.0.2.0-10.0.5.255) overlaps tier 'a' (10.0.0.0-10.0.3.255)",
        ),
        (
            {"tiers": [TierSpec("a", "public", "dualstack", 24, ipv4_offset=256)]},
            "tiers[0].ipv4_offset: 256 is outside the 256 /24 subnets of 10.0.0.0/16; allowed: 0..255",
        ),
        (
            {"tiers": [TierSpec("a", "public", "dualstack", 24, ipv6_indexes=(1, 2, 256))]},
            "tiers[0].ipv6_indexes[2]: /64 index 256 is outside the VPC's /56; allowed: 0..255",
        ),
        (
            {"tiers": [TierSpec("a", "public", "dualstack", 24, ipv6_indexes=(1, 2))]},
            "tiers[0].ipv6_indexes: 2 index(es) for 3 availability zones",
        ),
        (
            {"tiers": [TierSpec("a", "public", "dualstack", 24), TierSpec("b", "private", "dualstack", 24, ipv6_indexes=(5, 6, 2))]},
            "tiers[1].ipv6_indexes[2]: /64 index 2 of tier 'b' is already used by tier 'a'",
        ),
        ({"tiers": [TierSpec("a", "public", "ipv4", 24, ipv6_indexes=(1, 2, 3))]}, "tiers[0].ipv6_indexes: set on the IPv4-only tier 'a'"),
        ({"tiers": [TierSpec("a", "public", "ipv6-only", 24)]}, "tiers[0].ipv4_prefix_length: set on the IPv6-only tier 'a'"),
        (
            {"tiers": [TierSpec("a", "publik", "dualstack", 24)]},
            "tiers[0].role: 'publik' is not a tier role; allowed: public, private, isolated",
        ),
        (
            {"tiers": [TierSpec("a", "public", "dual", 24)]},
            "tiers[0].ip_mode: 'dual' is not an IP mode; allowed: ipv4, dualstack, ipv6-only",
        ),
        ({"tiers": [TierSpec("Public", "public", "dualstack", 24)]}, "tiers[0].name: 'Public' is not a usable tier name"),
        ({"tiers": []}, "tiers: no tiers; allowed: at least one subnet tier"),
        (
            {"tiers": [TierSpec("a", "public", "dualstack", 24)], "ipv6_prefix_length": 50},
            "ipv6_prefix_length: /50 is not a VPC IPv6 block size",
        ),
        (
            {"tiers": [TierSpec(f"t{i}", "private", "dualstack", 28) for i in range(5)], "az_slots": 16, "ipv6_prefix_length": 60},
            "tiers[1].ipv6_indexes: tier 't1' would use /64 index 16, outside the VPC's /60",
        ),
    ],
)
def test_bad_inputs_name_the_argument_and_what_is_allowed(kwargs, expected):
    errors = _errors(**kwargs)
    assert any(expected in e for e in errors), errors


def test_plan_raises_all_problems_together():
    with pytest.raises(ArgumentErrors) as info:
        plan_subnets("10.0.0.0/16", AZS[:1], [TierSpec("a", "publik", "dualstack", 30)])
    assert len(info.value.errors) == 3


# ---- properties -------------------------------------------------------------------------------

ROLES = st.sampled_from(["public", "private", "isolated"])


@st.composite
def layouts(draw):
    vpc_prefix = draw(st.integers(16, 20))
    vpc = ipaddress.IPv4Network((draw(st.integers(0, 255)) << 24 | draw(st.integers(0, 255)) << 16, vpc_prefix), strict=False)
    zone_count = draw(st.integers(2, 4))
    az_slots = draw(st.integers(zone_count, 6))
    tiers = []
    for i in range(draw(st.integers(1, 5))):
        mode = draw(st.sampled_from(["ipv4", "dualstack", "dualstack", "ipv6-only"]))
        prefix = None if mode == "ipv6-only" else draw(st.integers(vpc_prefix + 3, 28))
        tiers.append(TierSpec(f"t{i}", draw(ROLES), mode, prefix))
    return str(vpc), [f"zone-{c}" for c in "abcd"[:zone_count]], tiers, az_slots


def _valid(vpc, azs, tiers, az_slots):
    return not check_plan(vpc, azs, tiers, az_slots=az_slots)


@settings(max_examples=150, deadline=None)
@given(layouts())
def test_subnets_lie_in_the_vpc_and_never_overlap(layout):
    vpc, azs, tiers, az_slots = layout
    assume(_valid(vpc, azs, tiers, az_slots))
    plan = plan_subnets(vpc, azs, tiers, az_slots=az_slots)
    nets = [ipaddress.IPv4Network(p.ipv4_cidr) for p in plan if p.ipv4_cidr]
    assert all(n.subnet_of(ipaddress.IPv4Network(vpc)) for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])
    assert len(plan) == len(tiers) * len(azs)


@settings(max_examples=150, deadline=None)
@given(layouts())
def test_ipv6_indexes_are_unique_and_give_disjoint_64s_in_the_block(layout):
    vpc, azs, tiers, az_slots = layout
    assume(_valid(vpc, azs, tiers, az_slots))
    indexes = [p.ipv6_index for p in plan_subnets(vpc, azs, tiers, az_slots=az_slots) if p.ipv6_index is not None]
    assert len(indexes) == len(set(indexes))
    nets = [ipaddress.IPv6Network(ipv6_subnet_cidr(REFERENCE_BLOCK, i)) for i in indexes]
    assert all(n.prefixlen == 64 and n.subnet_of(ipaddress.IPv6Network(REFERENCE_BLOCK)) for n in nets)
    assert len({n.network_address for n in nets}) == len(nets)


@settings(max_examples=100, deadline=None)
@given(layouts())
def test_planning_is_deterministic(layout):
    vpc, azs, tiers, az_slots = layout
    assume(_valid(vpc, azs, tiers, az_slots))
    assert plan_subnets(vpc, azs, tiers, az_slots=az_slots) == plan_subnets(vpc, list(azs), list(tiers), az_slots=az_slots)


@settings(max_examples=150, deadline=None)
@given(layouts(), st.sampled_from(["ipv4", "dualstack", "ipv6-only"]), ROLES, st.integers(21, 28))
def test_appending_a_tier_moves_no_existing_subnet(layout, mode, role, prefix):
    vpc, azs, tiers, az_slots = layout
    grown = [*tiers, TierSpec("added", role, mode, None if mode == "ipv6-only" else prefix)]
    assume(_valid(vpc, azs, tiers, az_slots) and _valid(vpc, azs, grown, az_slots))
    before = plan_subnets(vpc, azs, tiers, az_slots=az_slots)
    after = plan_subnets(vpc, azs, grown, az_slots=az_slots)
    assert after[: len(before)] == before


@settings(max_examples=150, deadline=None)
@given(layouts())
def test_appending_an_az_moves_no_existing_subnet(layout):
    vpc, azs, tiers, az_slots = layout
    grown_azs = [*azs, "zone-new"]
    assume(len(grown_azs) <= az_slots)
    assume(_valid(vpc, azs, tiers, az_slots) and _valid(vpc, grown_azs, tiers, az_slots))
    before = set(plan_subnets(vpc, azs, tiers, az_slots=az_slots))
    after = set(plan_subnets(vpc, grown_azs, tiers, az_slots=az_slots))
    assert before <= after
    assert len(after - before) == len(tiers)
